/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm run: plan the guest (cli_plan_prepare, shared with plan), then run
 * qemu supervised in the foreground, detached (-daemonize, with its state
 * under the runtime dir: guest-start.c), or in place of ppcvm (--exec). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmdline.h"
#include "commands.h"
#include "exec.h"
#include "guest-start.h"
#include "output.h"
#include "qemu-errors.h"
#include "qmp.h"
#include "state.h"
#include "util.h"

#define QMP_TIMEOUT_MS 5000
/* After SIGINT/TERM/HUP, the foreground guest's time to power down. */
#define RUN_POWERDOWN_TIMEOUT_S 30

typedef struct {
  CliPlanOptions plan;
  gboolean dry_run;
  gboolean detach;
  gboolean exec;
  int powerdown_timeout;
  char *name;
  char **extra; /* what followed "--", for qemu */
} RunOptions;

static void
run_options_clear (RunOptions *o)
{
  cli_plan_options_clear (&o->plan);
  g_clear_pointer (&o->extra, g_strfreev);
  g_clear_pointer (&o->name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunOptions, run_options_clear)

/* ---- explaining qemu's errors ------------------------------------------ */

/* QEMU >= 5.2 prints its own hint on the line after the error ("Try
 * appending -machine cap-htm=off"), so the paragraph waits for the next line
 * that is not such a hint, or for the end of qemu's stderr. */
typedef struct {
  const QemuError *pending;
  GPtrArray *shown; /* of const QemuError*: each explanation once */
} Explainer;

/* Wrapped at 78 columns, each line prefixed; a 'quoted fix' is never split,
 * so it can be copied whole. */
static void
print_paragraph (const char *text)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  GString *out = g_string_new ("ppcvm:");
  gsize col = out->len;

  for (char **w = words; *w; w++) {
    g_autoptr (GString) unit = g_string_new (*w);
    /* An opening quote (not an apostrophe as in "profile's"): take the
     * words up to the closing one. */
    while (unit->str[0] == '\'' && strchr (unit->str + 1, '\'') == NULL && w[1] != NULL)
      g_string_append_printf (unit, " %s", *++w);
    if (col + 1 + unit->len > 78 && col > 6) {
      g_string_append (out, "\nppcvm:");
      col = 6;
    }
    g_string_append_printf (out, " %s", unit->str);
    col += 1 + unit->len;
  }
  g_string_append_c (out, '\n');
  fputs (out->str, stderr);
  fflush (stderr);
  g_string_free (out, TRUE);
}

static void
explainer_flush (Explainer *x)
{
  if (x->pending == NULL)
    return;
  print_paragraph (x->pending->explanation);
  g_ptr_array_add (x->shown, (gpointer) x->pending);
  x->pending = NULL;
}

static void
on_qemu_line (const char *line, gpointer user_data)
{
  Explainer *x = user_data;
  const QemuError *e;

  if (x->pending != NULL && !g_str_has_prefix (line, "Try "))
    explainer_flush (x);
  e = qemu_errors_explain (line);
  if (e != NULL && !g_ptr_array_find (x->shown, e, NULL))
    x->pending = e;
}

/* A foreground guest: its end of the QMP socketpair, and how long it gets
 * to power down after INT/TERM/HUP. */
typedef struct {
  int qmp_fd;       /* ours */
  int child_qmp_fd; /* qemu's, inherited by it */
  guint powerdown_timeout;
} Foreground;

typedef struct {
  Explainer x;
  const Foreground *fg;
} Supervision;

static void
on_supervised_line (const char *line, gpointer user_data)
{
  on_qemu_line (line, &((Supervision *) user_data)->x);
}

/* INT/TERM/HUP to a foreground run: ask the guest to power down over QMP. */
static gboolean
on_interrupt (int signum, gpointer user_data)
{
  const Supervision *sup = user_data;
  g_autoptr (QmpClient) qmp = NULL;
  g_autoptr (json_object) ret = NULL;
  g_autoptr (GError) local = NULL;
  int fd = dup (sup->fg->qmp_fd);

  fprintf (stderr, "\nppcvm: %s: asking the guest to power down (up to %u s, --powerdown-timeout; "
           "a second signal stops waiting)\n", g_strsignal (signum), sup->fg->powerdown_timeout);
  if (fd >= 0) {
    qmp = qmp_client_new_fd (fd);
    if (qmp_client_handshake (qmp, QMP_TIMEOUT_MS, &local))
      ret = qmp_client_execute (qmp, "system_powerdown", NULL, QMP_TIMEOUT_MS, &local);
  } else {
    local = g_error_new (PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s", g_strerror (errno));
  }
  if (ret == NULL)
    fprintf (stderr, "ppcvm: the guest cannot be asked to power down (%s); ending qemu\n",
             local != NULL ? local->message : "?");
  return ret != NULL;
}

/* Supervise ARGV with STDIN_FD (-1: ours); its stderr passes through,
 * explained. FG: a foreground guest, which dies with us and is asked to
 * power down on INT/TERM/HUP; NULL: signals are forwarded to qemu. */
static gboolean
supervise (char **argv, int stdin_fd, const Foreground *fg, int *ret_status, GError **error)
{
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();
  Supervision sup = { .x = { .shown = shown }, .fg = fg };
  ExecOptions opts = { .stdin_fd = stdin_fd, .passthrough_fd = STDERR_FILENO,
                       .on_stderr_line = on_supervised_line, .user_data = &sup };

  if (fg != NULL) {
    opts.die_with_parent = TRUE;
    opts.inherit_fd = fg->child_qmp_fd;
    opts.on_interrupt = on_interrupt;
    opts.interrupt_grace_ms = fg->powerdown_timeout * 1000;
  }
  fflush (stdout);
  fflush (stderr);
  if (!exec_supervise (argv, &opts, ret_status, error))
    return FALSE;
  explainer_flush (&sup.x);
  return TRUE;
}

/* A foreground guest: qemu with a QMP monitor on a socketpair (no file, no
 * name), supervised. *RET_ARGV: the command line that ran. */
static gboolean
run_foreground (const Plan *plan, const Profile *profile, const char *binary, const char *const *extra,
                guint powerdown_timeout, GStrv *ret_argv, int *ret_status, GError **error)
{
  int sv[2];
  ppcvm_autofd int ours = -1;
  ppcvm_autofd int theirs = -1;
  CmdlineRuntime rt = { 0 };
  Foreground fg;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return cli_errno_error (error, errno, "cannot create the QMP socket pair");
  ours = sv[0];
  theirs = sv[1];
  rt.qmp_fd = theirs;
  fg = (Foreground) { .qmp_fd = ours, .child_qmp_fd = theirs, .powerdown_timeout = powerdown_timeout };
  *ret_argv = cmdline_build (binary, plan, profile, &rt, extra);
  return supervise (*ret_argv, -1, &fg, ret_status, error);
}

/* ---- detached guests --------------------------------------------------- */

/* qemu -daemonize with QMP, console and state under the runtime dir. TRUE
 * with *RET_STATUS 0 once the guest is set up (*RET_PID its qemu), or qemu's
 * failure status; FALSE with the error when qemu did not start. */
static gboolean
run_detached (const char *name_opt, const Plan *plan, const Profile *profile, const char *binary,
              const char *const *extra, int *ret_pid, int *ret_status, GError **error)
{
  g_autoptr (GuestState) s = NULL;
  g_autofree char *runtime = NULL;
  g_auto (GStrv) argv = NULL;
  ppcvm_autofd int devnull = -1;
  const char *name = name_opt != NULL ? name_opt : profile->id;
  mode_t old_umask;
  gboolean ok;

  if (name == NULL || !state_check_guest_name (name, error))
    return FALSE;
  if ((runtime = state_runtime_dir (error)) == NULL)
    return FALSE;
  if ((s = guest_start_begin (runtime, name, plan, profile, error)) == NULL)
    return FALSE;
  argv = guest_start_argv (s, binary, plan, profile, extra);

  /* qemu creates the sockets, the pid file and the log: 0600 for all. */
  devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  old_umask = umask (0077);
  ok = supervise (argv, devnull, NULL, ret_status, error);
  umask (old_umask);
  /* -daemonize: qemu's first process exits once the guest is set up (0), or
   * with qemu's error, which supervise() has shown and explained. */
  if (!ok || *ret_status != 0) {
    guest_start_abort (runtime, s);
    return ok;
  }
  if (!guest_start_finish (runtime, s, error))
    return FALSE;
  cli_message ("guest '%s' started (pid %d); 'ppcvm console %s' attaches, 'ppcvm stop %s' stops it",
               name, (int) s->pid, name, name);
  *ret_pid = (int) s->pid;
  return TRUE;
}

/* ---- ppcvm run ----------------------------------------------------------- */

/* run --json, after qemu: the plan it ran and how it ended (128 + N: signal
 * N), with the status main will exit with when qemu did not start. */
static void
print_run_json (const Plan *plan, const Profile *profile, char **qargv, gboolean ok, int status,
                const GError *error)
{
  json_object *j = output_plan_json (plan, profile, (const char *const *) qargv);

  json_object_object_add (j, "exit_status", json_object_new_int (ok ? status : cli_exit_status (error, TRUE)));
  cli_print_json (stdout, j);
}

static gboolean
parse_run_options (int argc, char **argv, RunOptions *o, GError **error)
{
  GOptionEntry entries[] = {
    CLI_PLAN_OPTION_ENTRIES (o->plan),
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &o->dry_run, "Print the command as one shell-quoted line instead of running it", NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &o->detach, "Run in the background with QMP and a console socket (ppcvm list/console/stop)", NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, "The detached guest's name (default: the profile's id)", "NAME" },
    { "exec", 0, 0, G_OPTION_ARG_NONE, &o->exec, "Replace ppcvm with qemu (no supervision), for wrappers", NULL },
    { "powerdown-timeout", 0, 0, G_OPTION_ARG_INT, &o->powerdown_timeout,
      "After SIGINT/TERM/HUP, seconds the guest gets to power down before qemu is ended (30)", "S" },
    CLI_PLAN_REST_ENTRY (o->plan),
    { NULL },
  };
  g_autofree GOptionEntry *all = cli_option_entries (entries, &o->plan.host, CLI_OPTIONS_HOST | CLI_OPTIONS_OVERRIDES);
  char **rest;

  if (!cli_parse_passthrough ("run", "PROFILE [-- EXTRA QEMU ARGS...]",
                              "Plan the guest, check everything that can be checked, then run qemu.\n"
                              "Options may come before or after PROFILE; qemu gets only what follows '--'.",
                              all, &argc, &argv, &o->extra, error))
    return FALSE;
  rest = o->plan.rest;
  if (rest == NULL || rest[0] == NULL)
    return cli_usage_error (error, "no profile given");
  if (rest[1] != NULL)
    return cli_usage_error (error, "unexpected argument '%s': one profile, then '--' before "
                            "anything for qemu (ppcvm run %s -- %s)", rest[1], rest[0], rest[1]);
  if (o->powerdown_timeout < 0 || o->powerdown_timeout > 3600)
    return cli_usage_error (error, "--powerdown-timeout must be 0 to 3600 seconds");
  if ((o->detach && o->exec) || (o->name != NULL && !o->detach))
    return cli_usage_error (error, "%s", o->exec ? "--detach and --exec exclude each other" : "--name needs --detach");
  if (o->name != NULL) {
    g_autoptr (GError) local = NULL;
    if (!state_check_guest_name (o->name, &local)) {
      g_autofree char *shown = g_strescape (o->name, NULL);
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "--name %s: %s", shown, local->message);
      return FALSE;
    }
  }
  if (o->plan.host.host_file != NULL)
    /* Never execute anything a data file names (its qemu.path). */
    return cli_usage_error (error, "--host describes another machine: 'ppcvm run' runs the guest on this "
                            "one (use 'ppcvm plan --host %s' to see that machine's plan)", o->plan.host.host_file);
  return TRUE;
}

gboolean
cmd_run (int argc, char **argv, int *ret_status, GError **error)
{
  g_auto (RunOptions) o = { .powerdown_timeout = RUN_POWERDOWN_TIMEOUT_S };
  g_autoptr (Profile) profile = NULL;
  g_autoptr (Plan) plan = NULL;
  g_auto (GStrv) qargv = NULL;
  g_auto (GStrv) ran = NULL;
  CliPrepareFlags flags;
  gboolean json;
  gboolean ok;

  if (!parse_run_options (argc, argv, &o, error))
    return FALSE;
  json = o.plan.host.json;
  flags = (CliPrepareFlags) { .require_qemu = TRUE, .forward_ssh = o.detach && !o.dry_run,
                              .name_from_profile = o.detach && o.name == NULL };
  if (!cli_plan_prepare (o.plan.rest[0], &o.plan, &flags, (const char *const *) o.extra, &profile, &plan,
                         &qargv, error)) {
    if (plan != NULL)
      cli_print_refusal (plan, profile, json, json ? stdout : stderr);
    return FALSE;
  }
  if (!json)
    cli_print_warnings ("warning", plan->warnings);
  if (o.plan.explain) {
    g_autofree char *s = output_plan_explain (plan, profile, (const char *const *) qargv);
    fputs (s, stderr);
  }
  if (o.dry_run) {
    if (json) {
      cli_print_json (stdout, output_plan_json (plan, profile, (const char *const *) qargv));
    } else {
      g_autofree char *s = cmdline_to_shell ((const char *const *) qargv);
      printf ("%s\n", s);
    }
    return TRUE;
  }
  if (o.detach) {
    int pid = 0;
    ok = run_detached (o.name, plan, profile, qargv[0], (const char *const *) o.extra, &pid, ret_status, error);
    if (json) {
      json_object *j = output_plan_json (plan, profile, (const char *const *) qargv);
      gboolean started = ok && *ret_status == EXIT_OK;
      json_object_object_add (j, "detached", json_object_new_boolean (started));
      json_object_object_add (j, "name", json_object_new_string (o.name ? o.name : profile->id));
      json_object_object_add (j, "pid", started ? json_object_new_int (pid) : NULL);
      json_object_object_add (j, "exit_status", json_object_new_int (ok ? *ret_status : cli_exit_status (*error, TRUE)));
      cli_print_json (stdout, j);
    }
    return ok;
  }
  if (o.exec) {
    if (json) /* nothing runs after qemu: the plan, then qemu */
      cli_print_json (stdout, output_plan_json (plan, profile, (const char *const *) qargv));
    fflush (stdout);
    fflush (stderr);
    return exec_replace (qargv, error);
  }
  ok = run_foreground (plan, profile, qargv[0], (const char *const *) o.extra, (guint) o.powerdown_timeout,
                       &ran, ret_status, error);
  if (json)
    print_run_json (plan, profile, ran, ok, *ret_status, ok ? NULL : *error);
  return ok;
}
