/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Finding and probing qemu-system-ppc64: one QMP batch, its reading into
 * EmulatorFacts, and the cache of the answer. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "emulator-private.h"
#include "util.h"
#include "util-json.h"
#include "remedies.h"

#define EMULATOR_NAME "qemu-system-ppc64"
#define ACCEL_SUFFIX "-accel"
#define CPU_SUFFIX "-powerpc64-cpu"

/* The probe: one batch, every command tagged with an id so that the replies
 * can be matched without a request/response loop. The caps are listed on the
 * abstract "spapr-machine" type because the default machine type is not known
 * before query-machines answers; QEMU 7.2 accepts that (see
 * tests/data/qmp-probe-7.2.txt). A QEMU that refuses it leaves caps NULL and
 * they are derived from the version. */
static const char probe_commands[] =
  "{\"execute\": \"qmp_capabilities\", \"id\": \"negotiate\"}\n"
  "{\"execute\": \"query-machines\", \"id\": \"machines\"}\n"
  "{\"execute\": \"qom-list-types\", \"arguments\": {\"implements\": \"accel\"},"
  " \"id\": \"accel\"}\n"
  "{\"execute\": \"qom-list-properties\", \"arguments\": {\"typename\": \"spapr-machine\"},"
  " \"id\": \"caps\"}\n"
  "{\"execute\": \"quit\", \"id\": \"quit\"}\n";

/* ---- parsing the probe's output ---- */

/* The first non-empty line of TEXT, shortened and made printable. */
static char *
first_line (const char *text, gsize len)
{
  g_autofree char *valid = g_utf8_make_valid (text, (gssize) len);
  g_auto (GStrv) lines = g_strsplit (valid, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    char *line = g_strstrip (lines[i]);
    if (*line == '\0')
      continue;
    if (g_utf8_strlen (line, -1) > 120)
      return g_strdup_printf ("%.*s...", (int) (g_utf8_offset_to_pointer (line, 120) - line), line);
    return g_strdup (line);
  }
  return NULL;
}

static void
json_put (gpointer obj)
{
  json_object_put (obj);
}

/* A version number: a non-negative int member. */
static gboolean
json_get_int (json_object *obj, const char *key, int *ret)
{
  gint64 v;

  if (!ppcvm_json_get_int64 (obj, key, &v) || v < 0 || v > G_MAXINT)
    return FALSE;
  *ret = (int) v;
  return TRUE;
}

static gboolean
probe_fail (GError **error, const char *binary, const char *what, const char *line)
{
  if (line != NULL)
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s did not answer the QMP probe: %s: \"%s\"", binary, what, line);
  else
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s did not answer the QMP probe: %s",
                 binary, what);
  return FALSE;
}

/* The "return" of the reply tagged ID, or NULL with an error. */
static json_object *
reply_return (GHashTable *replies, const char *binary, const char *id, const char *command,
              GError **error)
{
  json_object *reply = g_hash_table_lookup (replies, id), *ret = NULL, *err = NULL;
  const char *desc;

  if (reply == NULL) {
    g_autofree char *what = g_strdup_printf ("the output stops before the reply to %s", command);
    probe_fail (error, binary, what, NULL);
    return NULL;
  }
  if (json_object_object_get_ex (reply, "return", &ret))
    return ret;
  if (json_object_object_get_ex (reply, "error", &err) && (desc = ppcvm_json_get_string (err, "desc")))
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: QMP %s failed: %s", binary,
                 command, desc);
  else
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: malformed QMP reply to %s", binary,
                 command);
  return NULL;
}

static gboolean
parse_machines (EmulatorFacts *facts, json_object *list, const char *binary, GError **error)
{
  if (!json_object_is_type (list, json_type_array))
    return probe_fail (error, binary, "query-machines did not return a list", NULL);
  for (size_t i = 0; i < json_object_array_length (list); i++) {
    json_object *m = json_object_array_get_idx (list, i), *def = NULL;
    const char *name = ppcvm_json_get_string (m, "name");
    const char *cpu = ppcvm_json_get_string (m, "default-cpu-type");
    g_autofree char *cpu_name = NULL;

    if (name == NULL)
      return probe_fail (error, binary, "a machine in query-machines has no name", NULL);
    if (!g_str_has_prefix (name, "pseries"))
      continue;
    if (cpu != NULL && g_str_has_suffix (cpu, CPU_SUFFIX))
      cpu_name = g_strndup (cpu, strlen (cpu) - strlen (CPU_SUFFIX));
    else
      cpu_name = g_strdup (cpu);
    json_object_object_get_ex (m, "is-default", &def);
    g_ptr_array_add (facts->machines,
                     emulator_machine_new (name, ppcvm_json_get_string (m, "alias"), cpu_name,
                                  def != NULL && json_object_get_boolean (def)));
  }
  if (facts->machines->len == 0)
    return probe_fail (error, binary,
                       "it has no pseries machine types (is it " EMULATOR_NAME "?)", NULL);
  return TRUE;
}

/* Sorted names in a qom-list-* reply: those ending in SUFFIX, minus the
 * suffix (accelerators, "qtest" left out), or those starting with PREFIX. */
static char **
qom_names (json_object *list, const char *suffix, const char *prefix)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (size_t i = 0; json_object_is_type (list, json_type_array) &&
                     i < json_object_array_length (list); i++) {
    const char *name = ppcvm_json_get_string (json_object_array_get_idx (list, i), "name");
    if (name == NULL)
      continue;
    if (suffix != NULL && g_str_has_suffix (name, suffix) && strlen (name) > strlen (suffix)) {
      g_autofree char *accel = g_strndup (name, strlen (name) - strlen (suffix));
      if (strcmp (accel, "qtest") != 0)
        g_ptr_array_add (names, g_steal_pointer (&accel));
    } else if (prefix != NULL && g_str_has_prefix (name, prefix)) {
      g_ptr_array_add (names, g_strdup (name));
    }
  }
  return emulator_strv_from_array (names);
}

/* The probe's output TEXT, one JSON object a line: the QMP greeting
 * (returned), and the replies by id into REPLIES. */
static json_object *
read_qmp_objects (const char *binary, const char *text, GHashTable *replies, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  json_tokener *tok = json_tokener_new ();
  json_object *greeting = NULL;
  guint n_objects = 0;

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = g_strstrip (lines[i]);
    json_object *obj, *v = NULL;
    const char *id;

    if (*line == '\0')
      continue;
    json_tokener_reset (tok);
    obj = json_tokener_parse_ex (tok, line, (int) strlen (line));
    if (obj == NULL || json_tokener_get_parse_end (tok) != strlen (line) ||
        !json_object_is_type (obj, json_type_object)) {
      g_autofree char *shown = first_line (line, strlen (line));
      const char *what = json_tokener_get_error (tok) == json_tokener_continue
                           ? "its output is truncated"
                           : "it printed something that is not QMP";
      json_object_put (obj);
      probe_fail (error, binary, what, shown);
      goto fail;
    }
    if (n_objects++ == 0) {
      if (!json_object_object_get_ex (obj, "QMP", &v)) {
        g_autofree char *shown = first_line (line, strlen (line));
        json_object_put (obj);
        probe_fail (error, binary, "no QMP greeting", shown);
        goto fail;
      }
      greeting = obj;
      continue;
    }
    if (!json_object_object_get_ex (obj, "event", NULL) && (id = ppcvm_json_get_string (obj, "id")))
      g_hash_table_replace (replies, g_strdup (id), json_object_get (obj));
    json_object_put (obj);
  }
  json_tokener_free (tok);
  if (greeting == NULL)
    probe_fail (error, binary, "it printed nothing", NULL);
  return greeting;

fail:
  json_tokener_free (tok);
  json_object_put (greeting);
  return NULL;
}

EmulatorFacts *
emulator_parse_probe_output (const char *binary, const char *text, GError **error)
{
  g_autoptr (EmulatorFacts) facts = emulator_facts_new ();
  g_autoptr (GHashTable) replies =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, json_put);
  json_object *greeting = NULL, *qemu = NULL, *list;
  gboolean ok = FALSE;

  g_return_val_if_fail (binary != NULL && text != NULL, NULL);
  greeting = read_qmp_objects (binary, text, replies, error);
  if (greeting == NULL)
    return NULL;

  facts->path = g_strdup (binary);
  if (!json_object_object_get_ex (json_object_object_get (greeting, "QMP"), "version", &qemu) ||
      !json_object_object_get_ex (qemu, "qemu", &qemu) ||
      !json_get_int (qemu, "major", &facts->major) ||
      !json_get_int (qemu, "minor", &facts->minor) ||
      !json_get_int (qemu, "micro", &facts->micro)) {
    probe_fail (error, binary, "the QMP greeting has no version", NULL);
    goto out;
  }
  facts->version = g_strdup_printf ("%d.%d.%d", facts->major, facts->minor, facts->micro);

  if (!(list = reply_return (replies, binary, "machines", "query-machines", error)) ||
      !parse_machines (facts, list, binary, error))
    goto out;
  if (!(list = reply_return (replies, binary, "accel", "qom-list-types", error)))
    goto out;
  g_strfreev (facts->accelerators);
  facts->accelerators = qom_names (list, ACCEL_SUFFIX, NULL);

  if (!g_hash_table_contains (replies, "caps")) {
    probe_fail (error, binary, "the output stops before the reply to qom-list-properties", NULL);
    goto out;
  }
  /* An error here means this QEMU cannot list an abstract type's
   * properties: leave caps unknown, to be derived from the version. */
  if ((list = reply_return (replies, binary, "caps", "qom-list-properties", NULL)))
    facts->caps = qom_names (list, NULL, "cap-");

  emulator_facts_settle_machines (facts);
  ok = TRUE;

out:
  json_object_put (greeting);
  return ok ? g_steal_pointer (&facts) : NULL;
}

/* ---- finding and probing the binary ---- */

/* PATH must be an executable regular file; its stat goes to RET_ST (may be NULL). */
static gboolean
check_binary (const char *path, struct stat *ret_st, GError **error)
{
  struct stat local;
  struct stat *st = ret_st != NULL ? ret_st : &local;

  if (stat (path, st) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NO_PROGRAM, "emulator %s: %s", path,
                 errsv == ENOENT ? "not found" : g_strerror (errsv));
    return FALSE;
  }
  if (S_ISDIR (st->st_mode)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "emulator %s: a directory, not a program", path);
    return FALSE;
  }
  if (!S_ISREG (st->st_mode)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "emulator %s: not a regular file", path);
    return FALSE;
  }
  /* access() says yes to root for any file: require an x bit as well. */
  if ((st->st_mode & 0111) == 0 || access (path, X_OK) != 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "emulator %s: not executable", path);
    return FALSE;
  }
  return TRUE;
}

char *
emulator_find_binary (const char *path, GError **error)
{
  char *found;

  /* A path (with a '/') is the user's own choice; a bare name is looked up
   * in $PATH, never in the current directory. */
  if (path != NULL && strchr (path, '/') != NULL)
    return check_binary (path, NULL, error) ? g_canonicalize_filename (path, NULL) : NULL;
  found = ppcvm_find_program (path != NULL ? path : EMULATOR_NAME);
  if (found == NULL && path != NULL)
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NO_PROGRAM,
                 "emulator %s: not found on $PATH (a name without '/' is only looked up there)", path);
  else if (found == NULL)
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NO_PROGRAM,
                 EMULATOR_NAME " not found on PATH: " PPCVM_FIX_INSTALL_QEMU " (or pass --qemu PATH)");
  return found;
}

/* Enough for any real answer (7.2 prints 12 KB); a flood is cut here. */
#define PROBE_MAX_OUTPUT (4 << 20)

/* Its own process group, so that a timeout also kills whatever a wrapper
 * script started: a grandchild holding our pipes would keep them open. */
static void
probe_child_setup (gpointer data)
{
  setpgid (0, 0);
}

/* The commands go through a socket, not a pipe: a child that exits without
 * reading (a wrong binary) must not kill us with SIGPIPE, and MSG_NOSIGNAL
 * avoids that without touching the process-wide signal disposition. They fit
 * in the socket buffer, so this never blocks; the shutdown gives the child
 * EOF after "quit". */
static void
probe_write_commands (int fd)
{
  const char *p = probe_commands;
  size_t left = strlen (probe_commands);

  while (left > 0) {
    ssize_t n = send (fd, p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break; /* the child is gone: its exit status tells the story */
    p += n;
    left -= (size_t) n;
  }
  shutdown (fd, SHUT_WR);
}

/* Read FDS to EOF and reap PID, until DEADLINE (monotonic µs). Plain poll()
 * and waitpid() rather than GSubprocess: no helper threads, so nothing for
 * valgrind to report and nothing left running after we return. */
static gboolean
probe_collect (GPid pid, int fds[2], GString *out[2], gint64 deadline, int *ret_status)
{
  struct pollfd pfd[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
  int open = 2;

  while (open > 0) {
    gint64 left = (deadline - g_get_monotonic_time () + 999) / 1000;
    int n;

    if (left <= 0)
      return FALSE;
    n = poll (pfd, 2, (int) MIN (left, G_MAXINT));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return FALSE;
    for (int i = 0; i < 2; i++) {
      char buf[8192];
      ssize_t got;

      if (pfd[i].fd < 0 || pfd[i].revents == 0)
        continue;
      got = read (pfd[i].fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (got <= 0) {
        pfd[i].fd = -1;
        open--;
      } else if (out[i]->len < PROBE_MAX_OUTPUT) {
        g_string_append_len (out[i], buf, got);
      }
    }
  }
  /* Output closed: the child is exiting. Reap it, still within the deadline. */
  for (;;) {
    pid_t r = waitpid (pid, ret_status, WNOHANG);
    if (r == pid)
      return TRUE;
    if (r < 0 && errno != EINTR)
      return FALSE;
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    g_usleep (1000);
  }
}

static char *
string_first_line (GString *s)
{
  return s->len > 0 ? first_line (s->str, s->len) : NULL;
}

/* The lines `BINARY OPTION help` prints, after TITLE when given (and
 * only if it says TITLE); NULL when it fails. */
static char **
probe_help_lines (const char *binary, const char *option, const char *title)
{
  const char *argv[] = { binary, option, "help", NULL };
  g_autofree char *out = NULL;
  const char *start;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, probe_child_setup, NULL,
                     &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return NULL;
  start = out;
  if (title != NULL) {
    if (strstr (out, title) == NULL)
      return NULL;
    start = strstr (out, ":\n") != NULL ? strstr (out, ":\n") + 2 : "";
  }
  return g_strsplit (start, "\n", -1);
}

/* Where qemu looks for its firmware and ROMs: `BINARY -L help` prints one
 * directory a line (qemu_add_default_firmwarepath, QEMU >= 2.12). NULL when
 * it cannot tell: the firmware check is then skipped, not guessed. */
static char **
probe_data_dirs (const char *binary)
{
  g_auto (GStrv) lines = probe_help_lines (binary, "-L", NULL);
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; lines != NULL && lines[i] != NULL; i++)
    if (g_path_is_absolute (lines[i]))
      g_ptr_array_add (dirs, g_strdup (lines[i]));
  if (dirs->len == 0)
    return NULL;
  /* Sorted like every list of facts (only presence matters, not order). */
  return emulator_strv_from_array (g_steal_pointer (&dirs));
}

/* The display backends: `BINARY -display help` prints a title line, then
 * one name a line (qemu_display_help); a backend whose module is not
 * installed (Debian's gtk and sdl in qemu-system-gui) is not listed. NULL
 * when it cannot tell. */
static char **
probe_displays (const char *binary)
{
  g_auto (GStrv) lines = probe_help_lines (binary, "-display", "Available display backend types:");
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; lines != NULL && lines[i] != NULL; i++) {
    g_strstrip (lines[i]);
    gboolean word = lines[i][0] != '\0';
    for (const char *c = lines[i]; *c && word; c++)
      word = g_ascii_isalnum (*c) || *c == '-' || *c == '_';
    if (word)
      g_ptr_array_add (names, g_strdup (lines[i]));
  }
  if (names->len == 0)
    return NULL;
  return emulator_strv_from_array (g_steal_pointer (&names));
}

void
emulator_facts_find_firmware (EmulatorFacts *facts)
{
  static const char *const names[] = { "slof.bin", "vof.bin" };
  GPtrArray *found;

  if (facts->data_dirs == NULL)
    return;
  found = g_ptr_array_new ();
  for (gsize n = 0; n < G_N_ELEMENTS (names); n++)
    for (int d = 0; facts->data_dirs[d] != NULL; d++) {
      g_autofree char *path = g_build_filename (facts->data_dirs[d], names[n], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
        g_ptr_array_add (found, g_strdup (names[n]));
        break;
      }
    }
  g_ptr_array_add (found, NULL);
  g_strfreev (facts->firmware);
  facts->firmware = (char **) g_ptr_array_free (found, FALSE);
}

EmulatorFacts *
emulator_probe_uncached (const char *binary, guint timeout_ms, GError **error)
{
  const char *argv[] = { binary, "-machine", "none", "-nodefaults", "-no-user-config",
                         "-display", "none", "-qmp", "stdio", "-S", NULL };
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GString) err = g_string_new (NULL);
  g_autofree char *said = NULL;
  ppcvm_autofd int sock = -1;
  ppcvm_autofd int child_sock = -1;
  ppcvm_autofd int out_fd = -1;
  ppcvm_autofd int err_fd = -1;
  gint64 deadline;
  GPid pid = 0;
  int sv[2], status = 0;

  g_return_val_if_fail (binary != NULL, NULL);
  if (!check_binary (binary, NULL, error))
    return NULL;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot probe %s: socketpair: %s",
                 binary, g_strerror (errsv));
    return NULL;
  }
  sock = sv[0];
  child_sock = sv[1];
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES,
                                         probe_child_setup, NULL, child_sock, -1, -1, NULL, NULL,
                                         0, &pid, NULL, &out_fd, &err_fd, error)) {
    g_prefix_error (error, "cannot probe %s: ", binary);
    return NULL;
  }
  ppcvm_close_fdp (&child_sock);
  probe_write_commands (sock);

  {
    int fds[2] = { out_fd, err_fd };
    GString *bufs[2] = { out, err };
    if (!probe_collect (pid, fds, bufs, deadline, &status)) {
      kill (-pid, SIGKILL);
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                   EMULATOR_NAME " did not answer the probe within %g s: %s",
                   timeout_ms / 1000.0, binary);
      return NULL;
    }
  }

  said = string_first_line (err);
  if (said == NULL)
    said = string_first_line (out);
  if (WIFSIGNALED (status)) {
    int sig = WTERMSIG (status);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s was killed by signal %d (%s) during the probe%s%s", binary, sig,
                 g_strsignal (sig), said != NULL ? ": " : "", said != NULL ? said : "");
    return NULL;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s exited with status %d during the probe: %s", binary, WEXITSTATUS (status),
                 said != NULL ? said : "(it printed nothing)");
    return NULL;
  }
  {
    EmulatorFacts *facts = emulator_parse_probe_output (binary, out->str, error);
    if (facts != NULL) {
      facts->data_dirs = probe_data_dirs (binary);
      facts->displays = probe_displays (binary);
      emulator_facts_find_firmware (facts);
    }
    return facts;
  }
}

/* ---- the cache ---- */

/* $XDG_CACHE_HOME is read here on every call, not through
 * g_get_user_cache_dir (), which keeps its first answer for the life of the
 * process. */
static char *
cache_dir (void)
{
  const char *env = g_getenv ("XDG_CACHE_HOME");

  if (env != NULL && g_path_is_absolute (env))
    return g_build_filename (env, "ppcvm", NULL);
  return g_build_filename (g_get_user_cache_dir (), "ppcvm", NULL);
}

/* What must not change for the cached facts to stay true: the ppcvm version,
 * the binary's path, size, inode, mtime and ctime. ctime and inode catch a
 * package upgrade that restores an old mtime. */
static GVariant *
cache_key (const char *binary, const struct stat *st)
{
  return g_variant_ref_sink (g_variant_new (
      EMULATOR_CACHE_KEY_TYPE, PPCVM_VERSION, binary, (guint64) st->st_size, (guint64) st->st_ino,
      (gint64) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
      (gint64) st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec));
}

/* The cached facts if the file is intact and KEY matches; NULL otherwise.
 * Never an error: a bad cache only costs a probe. */
static EmulatorFacts *
cache_load (const char *path, GVariant *key)
{
  g_autoptr (GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GVariant) root = NULL;
  g_autoptr (GVariant) stored = NULL;
  g_autoptr (GVariant) facts = NULL;
  const char *format = NULL;

  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  root = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (EMULATOR_CACHE_TYPE), bytes, FALSE));
  /* Reading a damaged GVariant is safe (what does not fit reads as empty),
   * and emulator_facts_from_variant checks every column it reads: a
   * damaged file is probed again. g_variant_is_normal_form () would walk
   * every byte, at a sixth of a warm plan's instructions. */
  g_variant_get_child (root, 0, "&s", &format);
  stored = g_variant_get_child_value (root, 1);
  /* Byte for byte: g_variant_equal () prints both tuples to compare them. */
  if (strcmp (format, EMULATOR_CACHE_FORMAT) != 0 || g_variant_get_size (stored) != g_variant_get_size (key) ||
      memcmp (g_variant_get_data (stored), g_variant_get_data (key), g_variant_get_size (key)) != 0)
    return NULL;
  facts = g_variant_get_child_value (root, 2);
  return emulator_facts_from_variant (facts);
}

static void
cache_store (const char *dir, const char *path, GVariant *key, const EmulatorFacts *facts)
{
  GVariant *value = emulator_facts_to_variant (facts);
  g_autoptr (GVariant) root = NULL;

  if (value == NULL)
    return;
  root = g_variant_ref_sink (g_variant_new ("(s@" EMULATOR_CACHE_KEY_TYPE "@" EMULATOR_FACTS_VARIANT_TYPE ")",
                                            EMULATOR_CACHE_FORMAT, key, value));
  /* Best effort: an unwritable cache only makes the next run slower. */
  if (g_mkdir_with_parents (dir, 0700) == 0)
    ppcvm_write_file_atomic (path, g_variant_get_data (root), (gssize) g_variant_get_size (root),
                             0600, NULL);
}

EmulatorFacts *
emulator_probe (const char *binary, guint timeout_ms, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *dir = cache_dir ();
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GVariant) key = NULL;
  EmulatorFacts *facts;
  struct stat st;

  g_return_val_if_fail (binary != NULL, NULL);
  if (!check_binary (binary, &st, error))
    return NULL;
  g_checksum_update (sum, (const guchar *) binary, -1);
  name = g_strdup_printf ("emulator-%.16s.gvariant", g_checksum_get_string (sum));
  path = g_build_filename (dir, name, NULL);
  key = cache_key (binary, &st);

  facts = cache_load (path, key);
  if (facts != NULL) {
    g_free (facts->path);
    facts->path = g_strdup (binary);
    /* The firmware is another package than the binary: look again. */
    emulator_facts_find_firmware (facts);
    return facts;
  }
  /* The key was taken before the probe: if the binary changes meanwhile,
   * the next run sees a different stat and probes again. */
  facts = emulator_probe_uncached (binary, timeout_ms, error);
  if (facts != NULL)
    cache_store (dir, path, key, facts);
  return facts;
}