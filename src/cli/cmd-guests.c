/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Detached guests: `ppcvm list`, `ppcvm stop`, `ppcvm console` (cmd-run.c
 * starts them). */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include "cli.h"
#include "commands.h"
#include "output.h"
#include "qmp.h"
#include "state.h"
#include "table.h"
#include "util.h"

#define QMP_TIMEOUT_MS 5000
#define QUIT_WAIT_S 10
#define KILL_WAIT_S 5

/* ---- list ---------------------------------------------------------------- */

static char *
format_uptime (gint64 seconds)
{
  if (seconds < 0)
    return g_strdup ("-");
  if (seconds >= 86400)
    return g_strdup_printf ("%" G_GINT64_FORMAT "d %02d:%02d:%02d", seconds / 86400,
                            (int) (seconds % 86400 / 3600), (int) (seconds % 3600 / 60), (int) (seconds % 60));
  return g_strdup_printf ("%02d:%02d:%02d", (int) (seconds / 3600), (int) (seconds % 3600 / 60),
                          (int) (seconds % 60));
}

/* Runtime dir and lock for the guest commands; -1 with the error. */
static int
lock_runtime (char **ret_runtime, GError **error)
{
  g_autofree char *runtime = state_runtime_dir (error);
  int lock = runtime != NULL ? state_lock (runtime, error) : -1;

  if (lock < 0)
    return -1;
  *ret_runtime = g_steal_pointer (&runtime);
  return lock;
}

/* The detached guest NAME once its qemu has started (stop, console); its
 * runtime directory in *RET_RUNTIME unless NULL. */
static GuestState *
find_started_guest (const char *name, char **ret_runtime, GError **error)
{
  g_autoptr (GuestState) s = state_lookup_guest (name, ret_runtime, error);

  if (s != NULL && s->pid <= 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "guest '%s' is still being started (by ppcvm pid %d); try again in a moment", s->name,
                 (int) s->launcher_pid);
    return NULL;
  }
  return g_steal_pointer (&s);
}

/* A guest whose qemu runs but whose state is unusable: say so, and how to
 * end it (its sockets are still in its directory). */
static void
warn_unknown (GPtrArray *guests)
{
  for (guint i = 0; i < guests->len; i++) {
    const GuestState *s = guests->pdata[i];
    if (s->status != GUEST_UNKNOWN)
      continue;
    g_autofree char *name = cli_shown (s->name);
    g_autofree char *problem = cli_shown (s->problem != NULL ? s->problem : "?");
    fprintf (stderr, "ppcvm: warning: guest '%s' is in an unknown state: %s; its qemu (pid %d) still runs: "
             "'ppcvm stop %s' powers it off ('ppcvm stop --force %s' ends it)\n",
             name, problem, (int) s->pid, name, name);
  }
}

/* S's row of the list (shown safely). */
static char **
list_row (const GuestState *s, gint64 now)
{
  char **row = g_new0 (char *, 10);
  g_autoptr (GString) disks = g_string_new (NULL);

  for (int d = 0; s->disks != NULL && s->disks[d] != NULL; d++) {
    g_autofree char *base = g_path_get_basename (s->disks[d]);
    g_string_append_printf (disks, "%s%s", d ? "," : "", base);
  }
  row[0] = g_strdup (s->name);
  row[1] = s->pid > 0 ? g_strdup_printf ("%d", (int) s->pid) : g_strdup ("-");
  row[2] = g_strdup (s->status == GUEST_RUNNING ? "running" : s->status == GUEST_STARTING ? "starting" : "unknown");
  row[3] = g_strdup (s->accel != NULL ? s->accel : "-");
  row[4] = format_uptime (s->started >= 0 ? now - s->started : -1);
  row[5] = s->memory > 0 ? ppcvm_format_size (s->memory) : g_strdup ("-");
  row[6] = s->ssh_port > 0 ? g_strdup_printf ("127.0.0.1:%u", s->ssh_port) : g_strdup ("-");
  row[7] = g_strdup (disks->len > 0 ? disks->str : "-");
  row[8] = g_strdup (s->profile != NULL ? s->profile : "-");
  /* Pre-rule names, profile and disk paths: never control characters raw. */
  for (int c = 0; c < 9; c++) {
    char *shown = cli_shown (row[c]);
    g_free (row[c]);
    row[c] = shown;
  }
  return row;
}

gboolean
cmd_list (int argc, char **argv, GError **error)
{
  gboolean json = FALSE, names = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (schema ppcvm-list/1)", NULL },
    { "names", 0, 0, G_OPTION_ARG_NONE, &names, "Print only the names, one per line (for completions)", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) guests = NULL;
  g_autoptr (Table) table = table_new (9);
  g_autofree char *text = NULL;
  g_autofree char *runtime = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ppcvm_autofd int lock = -1;

  if (!cli_parse ("list", NULL, "List the running (detached) guests.", entries, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    return cli_usage_error (error, "unexpected argument '%s'", argv[1]);
  if ((lock = lock_runtime (&runtime, error)) < 0)
    return FALSE;
  if ((guests = state_list_guests (runtime, error)) == NULL)
    return FALSE;

  if (names) {
    for (guint i = 0; i < guests->len; i++) {
      g_autofree char *name = cli_shown (((const GuestState *) guests->pdata[i])->name);
      printf ("%s\n", name);
    }
    return TRUE;
  }
  if (json) {
    json_object *root = json_object_new_object ();
    json_object *arr = json_object_new_array ();
    for (guint i = 0; i < guests->len; i++) {
      const GuestState *s = guests->pdata[i];
      json_object *o = guest_state_to_json (s);
      json_object_object_add (o, "uptime", json_object_new_int64 (s->started >= 0 ? now - s->started : -1));
      json_object_array_add (arr, o);
    }
    json_object_object_add (root, "schema", json_object_new_string ("ppcvm-list/1"));
    json_object_object_add (root, "guests", arr);
    cli_print_json (stdout, root);
    warn_unknown (guests);
    return TRUE;
  }

  if (guests->len == 0)
    return TRUE;
  table_take_row (table, g_strsplit ("NAME PID STATE ACCEL UPTIME MEMORY SSH DISKS PROFILE", " ", -1));
  table_align_right (table, 1); /* PID */
  table_align_right (table, 4); /* UPTIME */
  table_align_right (table, 5); /* MEMORY */
  for (guint i = 0; i < guests->len; i++)
    table_take_row (table, list_row (guests->pdata[i], now));
  text = table_to_string (table);
  fputs (text, stdout);
  warn_unknown (guests);
  return TRUE;
}

/* ---- stop ---------------------------------------------------------------- */

/* Wait up to SECONDS for the guest's qemu to be gone. */
static gboolean
wait_gone (const GuestState *s, double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  for (;;) {
    if (!guest_state_alive (s))
      return TRUE;
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    g_usleep (100 * 1000);
  }
}

/* Run COMMAND over QMP; a hang-up is fine (qemu may exit before answering). */
static gboolean
qmp_run (QmpClient *qmp, const char *command, GError **error)
{
  g_autoptr (json_object) ret = NULL;
  g_autoptr (GError) local = NULL;

  if (qmp == NULL)
    return FALSE;
  ret = qmp_client_execute (qmp, command, NULL, QMP_TIMEOUT_MS, &local);
  if (ret != NULL || g_error_matches (local, QMP_ERROR, QMP_ERROR_CLOSED))
    return TRUE;
  if (error != NULL && *error == NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static void
remove_state (const GuestState *s, const char *runtime)
{
  /* Held (and released by the cleanup) around the removal. */
  ppcvm_autofd int lock = state_lock (runtime, NULL);

  (void) lock;
  state_remove_if_gone (s->dir, NULL);
}

gboolean
cmd_stop (int argc, char **argv, int *ret_status, GError **error)
{
  int timeout = 60;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait for the guest to power off (60)", "S" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Cut the power: QMP 'quit', then SIGKILL (no powerdown)", NULL },
    { NULL },
  };
  g_autoptr (GuestState) s = NULL;
  g_autoptr (QmpClient) qmp = NULL;
  g_autofree char *runtime = NULL;
  g_autoptr (GError) qmp_error = NULL;

  if (!cli_parse ("stop", "NAME", "Power a detached guest off (ACPI-like powerdown) and wait for it; "
                  "--force cuts the power instead (QMP quit, then SIGKILL).\n"
                  "Exit status: 0 powered off, 4 ended with QMP quit (--force), 5 killed (--force), "
                  "1 error or still running.",
                  entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2 || timeout < 0)
    return cli_usage_error (error, "%s",
             timeout < 0 ? "--timeout must not be negative" : "give one guest NAME");
  if ((s = find_started_guest (argv[1], &runtime, error)) == NULL)
    return FALSE;

  if (!force) {
    qmp = qmp_client_connect (s->qmp_socket, QMP_TIMEOUT_MS, &qmp_error);
    if (qmp_run (qmp, "system_powerdown", &qmp_error) && wait_gone (s, timeout)) {
      cli_message ("guest '%s' powered off", s->name);
      remove_state (s, runtime);
      *ret_status = EXIT_STOP_POWERDOWN;
      return TRUE;
    }
    /* What QMP said (if it failed) says why it could not be asked. */
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "guest '%s' (pid %d) is still running: %s%s%s%s; 'ppcvm stop --force %s' cuts its power",
                 s->name, (int) s->pid,
                 qmp_error != NULL ? "it cannot be asked to power off" : "it did not power off within --timeout",
                 qmp_error != NULL ? " (" : "", qmp_error != NULL ? qmp_error->message : "",
                 qmp_error != NULL ? ")" : "", s->name);
    return FALSE;
  }

  qmp = qmp_client_connect (s->qmp_socket, QMP_TIMEOUT_MS, &qmp_error);
  if (qmp_run (qmp, "quit", &qmp_error) && wait_gone (s, QUIT_WAIT_S)) {
    cli_message ("guest '%s' stopped with QMP quit (power cut)", s->name);
    *ret_status = EXIT_STOP_QUIT;
  } else if (kill (s->pid, SIGKILL) == 0 && wait_gone (s, KILL_WAIT_S)) {
    cli_message ("guest '%s' killed (SIGKILL)", s->name);
    *ret_status = EXIT_STOP_KILLED;
  } else {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "guest '%s' (pid %d) is still running after SIGKILL%s%s%s",
                 s->name, (int) s->pid, qmp_error != NULL ? " (QMP quit: " : "",
                 qmp_error != NULL ? qmp_error->message : "", qmp_error != NULL ? ")" : "");
    return FALSE;
  }
  remove_state (s, runtime);
  return TRUE;
}

/* ---- console ------------------------------------------------------------- */

#define DETACH_KEY 0x1d /* Ctrl-] */

static volatile sig_atomic_t console_stop;

static void
on_console_signal (int sig)
{
  console_stop = 1;
}


/* Copy both ways until the guest's side closes, Ctrl-] (on a terminal), or a
 * signal. The end of our stdin (not a tty) only stops that direction: the
 * guest keeps talking, and qemu would drop a client that half-closes. */
static void
console_relay (int sock, gboolean tty)
{
  gboolean in_open = TRUE;
  char buf[4096];

  while (!console_stop) {
    struct pollfd pfd[2] = { { .fd = sock, .events = POLLIN }, { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN } };
    ssize_t n;

    if (poll (pfd, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    if (pfd[0].revents) {
      n = read (sock, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || !ppcvm_write_all (STDOUT_FILENO, buf, (size_t) n))
        return;
    }
    if (pfd[1].revents) {
      n = read (STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        in_open = FALSE;
        continue;
      }
      if (tty) {
        char *key = memchr (buf, DETACH_KEY, (size_t) n);
        if (key != NULL) {
          ppcvm_write_all (sock, buf, (size_t) (key - buf));
          return;
        }
      }
      if (!ppcvm_write_all (sock, buf, (size_t) n))
        return;
    }
  }
}

gboolean
cmd_console (int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr (GuestState) s = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct sigaction sa = { .sa_handler = on_console_signal };
  struct termios saved, raw;
  gboolean tty = isatty (STDIN_FILENO);
  ppcvm_autofd int sock = -1;
  g_autofree char *shown = NULL;

  if (!cli_parse ("console", "NAME", "Attach to a detached guest's serial console (Ctrl-] detaches).",
                  entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    return cli_usage_error (error, "give one guest NAME");
  if ((s = find_started_guest (argv[1], NULL, error)) == NULL)
    return FALSE;
  shown = cli_shown (s->name);
  g_strlcpy (addr.sun_path, s->console_socket, sizeof addr.sun_path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect (sock, (struct sockaddr *) &addr, sizeof addr) != 0)
    return cli_errno_error (error, errno, "cannot connect to %s", s->console_socket);

  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);
  if (tty && tcgetattr (STDIN_FILENO, &saved) == 0) {
    raw = saved;
    cfmakeraw (&raw);
    tcsetattr (STDIN_FILENO, TCSANOW, &raw);
    fprintf (stderr, "ppcvm: connected to the console of '%s'; Ctrl-] detaches\r\n", shown);
  } else {
    tty = FALSE;
  }
  console_relay (sock, tty);
  if (tty) {
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
    fprintf (stderr, "\nppcvm: detached from '%s'\n", shown);
  }
  return TRUE;
}
