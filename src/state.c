/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runtime directories, pid files and state.json for detached guests. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "state.h"
#include "util.h"
#include "util-json.h"

/* A state for the guest whose directory is DIR. */
static GuestState *
guest_state_new_in (const char *dir, const char *name)
{
  g_autofree char *runtime = g_path_get_dirname (dir);
  return guest_state_new (runtime, name);
}

GuestState *
guest_state_new (const char *runtime_dir, const char *name)
{
  GuestState *s = g_new0 (GuestState, 1);

  s->name = g_strdup (name);
  s->dir = g_build_filename (runtime_dir, name, NULL);
  s->status = GUEST_STARTING;
  s->started = -1;
  s->qmp_socket = g_build_filename (s->dir, STATE_QMP, NULL);
  s->console_socket = g_build_filename (s->dir, STATE_CONSOLE, NULL);
  s->console_log = g_build_filename (s->dir, STATE_CONSOLE_LOG, NULL);
  return s;
}

void
guest_state_free (GuestState *s)
{
  if (s == NULL)
    return;
  g_free (s->name);
  g_free (s->dir);
  g_free (s->problem);
  g_free (s->exe);
  g_free (s->accel);
  g_free (s->profile);
  g_strfreev (s->disks);
  g_free (s->qmp_socket);
  g_free (s->console_socket);
  g_free (s->console_log);
  g_free (s);
}

static void
add_string (json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, ppcvm_json_string_or_null (value));
}

static const char *const status_names[] = {
  [GUEST_RUNNING] = "running", [GUEST_STARTING] = "starting", [GUEST_UNKNOWN] = "unknown",
};

json_object *
guest_state_to_json (const GuestState *s)
{
  json_object *o = json_object_new_object ();

  add_string (o, "name", s->name);
  add_string (o, "state", status_names[s->status]);
  if (s->problem != NULL)
    add_string (o, "problem", s->problem);
  json_object_object_add (o, "pid", s->pid > 0 ? json_object_new_int64 (s->pid) : NULL);
  json_object_object_add (o, "pid_start", s->pid_start > 0 ? json_object_new_int64 ((int64_t) s->pid_start) : NULL);
  add_string (o, "exe", s->exe);
  json_object_object_add (o, "launcher_pid", s->launcher_pid > 0 ? json_object_new_int64 (s->launcher_pid) : NULL);
  json_object_object_add (o, "launcher_start",
                          s->launcher_start > 0 ? json_object_new_int64 ((int64_t) s->launcher_start) : NULL);
  add_string (o, "accel", s->accel);
  json_object_object_add (o, "memory", json_object_new_int64 ((int64_t) s->memory));
  add_string (o, "profile", s->profile);
  json_object_object_add (o, "ssh_port", s->ssh_port > 0 ? json_object_new_int64 (s->ssh_port) : NULL);
  if (s->disks != NULL) {
    json_object_object_add (o, "disks", ppcvm_json_strv ((const char *const *) s->disks));
  }
  json_object_object_add (o, "started", json_object_new_int64 (s->started));
  add_string (o, "qmp_socket", s->qmp_socket);
  add_string (o, "console_socket", s->console_socket);
  add_string (o, "console_log", s->console_log);
  return o;
}

gboolean
guest_state_save (const GuestState *s, GError **error)
{
  g_autoptr (json_object) o = guest_state_to_json (s);
  g_autofree char *path = g_build_filename (s->dir, STATE_FILE, NULL);
  g_autofree char *text =
    g_strconcat (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE), "\n", NULL);

  return ppcvm_write_file_atomic (path, text, -1, 0600, error);
}

static char *
get_string (json_object *o, const char *key)
{
  return g_strdup (ppcvm_json_get_string (o, key));
}

/* An integer member, -1 when absent or not an integer. */
static gint64
get_int (json_object *o, const char *key)
{
  gint64 v;
  return ppcvm_json_get_int64 (o, key, &v) ? v : -1;
}

GuestState *
guest_state_load (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, STATE_FILE, NULL);
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *state = NULL;
  g_autoptr (json_object) o = NULL;
  g_autoptr (GuestState) s = NULL;
  g_autoptr (GError) local = NULL;
  gint64 pid;

  if (!ppcvm_read_file_max (path, 64 * 1024, &text, NULL, &local)) {
    if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s is missing", path);
    else
      g_propagate_error (error, g_steal_pointer (&local));
    return NULL;
  }
  o = json_tokener_parse (text);
  if (o == NULL || !json_object_is_type (o, json_type_object)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s is damaged (not a ppcvm guest state)", path);
    return NULL;
  }
  name = get_string (o, "name");
  state = get_string (o, "state");
  pid = get_int (o, "pid");
  if (name == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s is damaged (no guest name)", path);
    return NULL;
  }
  /* Tied to its directory: a state copied from another guest's directory
   * must never lead to that other guest. */
  if (!g_str_equal (name, base)) {
    g_autofree char *shown = g_strescape (name, NULL);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s belongs to guest '%s', not '%s'", path, shown, base);
    return NULL;
  }
  s = guest_state_new_in (dir, name);
  if (state == NULL || g_str_equal (state, "running"))
    s->status = GUEST_RUNNING; /* (state.json of ppcvm 0.1 had no "state") */
  else if (g_str_equal (state, "starting"))
    s->status = GUEST_STARTING;
  else {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s is damaged (state '%s')", path, state);
    return NULL;
  }
  if (s->status == GUEST_RUNNING && (pid <= 0 || pid > G_MAXINT32)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s is damaged (no qemu pid)", path);
    return NULL;
  }
  s->pid = pid > 0 && pid <= G_MAXINT32 ? (pid_t) pid : 0;
  s->pid_start = (guint64) MAX (get_int (o, "pid_start"), 0);
  s->exe = get_string (o, "exe");
  s->launcher_pid = (pid_t) CLAMP (get_int (o, "launcher_pid"), 0, G_MAXINT32);
  s->launcher_start = (guint64) MAX (get_int (o, "launcher_start"), 0);
  s->accel = get_string (o, "accel");
  s->memory = (guint64) MAX (get_int (o, "memory"), 0);
  s->profile = get_string (o, "profile");
  s->ssh_port = (guint) CLAMP (get_int (o, "ssh_port"), 0, 65535);
  {
    json_object *arr = NULL;
    if (json_object_object_get_ex (o, "disks", &arr) && json_object_is_type (arr, json_type_array)) {
      g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
      for (size_t i = 0; i < json_object_array_length (arr) && i < 64; i++) {
        json_object *e = json_object_array_get_idx (arr, i);
        if (json_object_is_type (e, json_type_string))
          g_strv_builder_add (b, json_object_get_string (e));
      }
      s->disks = g_strv_builder_end (b);
    }
  }
  s->started = get_int (o, "started");
  return g_steal_pointer (&s);
}

gboolean
state_validate_name (const char *name, GError **error)
{
  const char *why = NULL;

  if (*name == '\0')
    why = "it is empty";
  else if (strlen (name) > 64)
    why = "it is longer than 64 bytes";
  else if (name[0] == '.')
    why = "it starts with '.'";
  else if (strchr (name, '/') != NULL)
    why = "it contains '/'";
  else if (!g_utf8_validate (name, -1, NULL))
    why = "it is not valid UTF-8";
  if (why != NULL) {
    g_autofree char *shown = g_strescape (name, NULL);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "invalid guest name '%s': %s", shown, why);
    return FALSE;
  }
  return TRUE;
}

gboolean
state_check_guest_name (const char *name, GError **error)
{
  const char *why = NULL;
  gsize len = strlen (name);

  if (len == 0)
    why = "it is empty";
  else if (len > STATE_NAME_MAX)
    why = "it is longer than 64 characters";
  else if (!g_ascii_isalnum (name[0]))
    why = "it does not start with a letter or a digit";
  for (const char *p = name; why == NULL && *p; p++) {
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      why = "it contains a character other than letters, digits, '.', '_' and '-'";
  }
  if (why != NULL) {
    g_autofree char *shown = g_strescape (name, NULL);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "'%s' is not a guest name: %s (%s)", shown, why,
                 STATE_NAME_RULE);
    return FALSE;
  }
  return TRUE;
}

/* Create DIR 0700 if missing; then it must be our own private directory. */
static gboolean
ensure_private_dir (const char *dir, GError **error)
{
  struct stat st;

  if (mkdir (dir, 0700) != 0 && errno != EEXIST) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror (errsv));
    return FALSE;
  }
  /* lstat: a symlink planted in /tmp by someone else must not be followed. */
  if (lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s is not a directory (a symbolic link or a file someone put there); ppcvm keeps its guests in "
                 "a private directory: remove it, or set XDG_RUNTIME_DIR to a private directory of yours",
                 dir);
    return FALSE;
  }
  if (st.st_uid != geteuid ()) {
    /* We cannot remove another user's directory from a sticky /tmp. */
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s belongs to another user (uid %u), not to us (uid %u): set XDG_RUNTIME_DIR to a private "
                 "directory of yours (a login session provides /run/user/%u; or mkdir -m 700 ~/.ppcvm-run && "
                 "export XDG_RUNTIME_DIR=~/.ppcvm-run)", dir, (unsigned) st.st_uid, (unsigned) geteuid (),
                 (unsigned) geteuid ());
    return FALSE;
  }
  if ((st.st_mode & 0077) != 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s is open to other users (mode %04o): make it private with chmod 700 '%s'", dir,
                 (unsigned) (st.st_mode & 07777), dir);
    return FALSE;
  }
  return TRUE;
}

char *
state_runtime_dir (GError **error)
{
  const char *xdg = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *dir = NULL;

  if (xdg != NULL && *xdg == '/' && g_file_test (xdg, G_FILE_TEST_IS_DIR))
    dir = g_build_filename (xdg, "ppcvm", NULL);
  else
    dir = g_strdup_printf ("%s/ppcvm-%u", g_get_tmp_dir (), (unsigned) geteuid ());
  if (!ensure_private_dir (dir, error))
    return NULL;
  return g_steal_pointer (&dir);
}

static guint
lock_timeout_s (void)
{
  const char *env = g_getenv ("PPCVM_LOCK_TIMEOUT");
  guint64 v;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, 3600, &v, NULL))
    return (guint) v;
  return STATE_LOCK_TIMEOUT_S;
}

int
state_lock (const char *runtime_dir, GError **error)
{
  g_autofree char *path = g_build_filename (runtime_dir, ".lock", NULL);
  ppcvm_autofd int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  guint timeout = lock_timeout_s ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout * G_USEC_PER_SEC;

  if (fd < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot lock %s: %s", path, g_strerror (errsv));
    return -1;
  }
  /* Every holder keeps it for a few file operations only: a wait that long
   * means a ppcvm is stuck (stopped with ^Z, or in D state). */
  while (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    int errsv = errno;
    if (errsv != EWOULDBLOCK && errsv != EINTR) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot lock %s: %s", path, g_strerror (errsv));
      return -1;
    }
    if (g_get_monotonic_time () >= deadline) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                   "another ppcvm has held the lock %s for more than %u s (see 'fuser -v %s'); "
                   "try again once it is done", path, timeout, path);
      return -1;
    }
    g_usleep (20 * 1000);
  }
  return g_steal_fd (&fd);
}

guint64
state_pid_start_time (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *p;
  guint64 v = 0;

  if (pid <= 0 || !ppcvm_read_file_max (path, 4096, &text, NULL, NULL))
    return 0;
  /* "PID (COMM) STATE PPID ...": COMM may hold spaces and ')'. */
  if ((p = strrchr (text, ')')) == NULL)
    return 0;
  fields = g_strsplit (p + 2, " ", 0);
  /* fields[0] is field 3 (state); field 22 (starttime) is fields[19]. */
  if (g_strv_length (fields) < 20 || fields[0][0] == 'Z' || fields[0][0] == 'X')
    return 0;
  if (!g_ascii_string_to_unsigned (fields[19], 10, 1, G_MAXUINT64, &v, NULL))
    return 0;
  return v;
}

static char *
pid_exe (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/exe", (int) pid);
  return g_file_read_link (path, NULL);
}

gboolean
state_pid_is_guest (pid_t pid, const char *qmp_socket)
{
  g_autofree char *path = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *base = NULL;
  gsize len = 0;
  gboolean found = FALSE;

  if (pid <= 0 || (kill (pid, 0) != 0 && errno == ESRCH) || state_pid_start_time (pid) == 0)
    return FALSE;
  path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  /* A zombie, or a process that is not ours to read, has no usable cmdline. */
  if (!ppcvm_read_file_max (path, PPCVM_READ_MAX_PROC, &cmdline, &len, NULL) || len == 0)
    return FALSE;
  exe = pid_exe (pid);
  base = g_path_get_basename (exe != NULL ? exe : cmdline);
  if (strstr (base, "qemu") == NULL)
    return FALSE;
  /* cmdline_build escapes the path for QEMU's option syntax (',' doubled). */
  escaped = ppcvm_qemu_escape (qmp_socket);
  for (gsize off = 0; off < len && !found; off += strlen (cmdline + off) + 1)
    found = strstr (cmdline + off, escaped) != NULL;
  return found;
}

void
guest_state_record_identity (GuestState *s)
{
  g_clear_pointer (&s->exe, g_free);
  s->pid_start = state_pid_start_time (s->pid);
  s->exe = pid_exe (s->pid);
}

gboolean
state_read_pid_file (const char *path, pid_t *ret_pid, GError **error)
{
  g_autofree char *text = NULL;
  guint64 v;

  if (!ppcvm_read_file_max (path, 64, &text, NULL, error))
    return FALSE;
  if (!ppcvm_parse_uint64 (text, G_MAXINT32, &v, NULL) || v == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: not a pid", path);
    return FALSE;
  }
  *ret_pid = (pid_t) v;
  return TRUE;
}

/* The qemu recorded in STATE still runs: same pid, same start time, same
 * executable, and its command line names this guest's QMP socket. */
static gboolean
recorded_qemu_alive (const GuestState *s)
{
  if (s->pid <= 0)
    return FALSE;
  if (s->pid_start != 0 && state_pid_start_time (s->pid) != s->pid_start)
    return FALSE;
  if (s->exe != NULL) {
    g_autofree char *exe = pid_exe (s->pid);
    if (exe == NULL || !g_str_equal (exe, s->exe))
      return FALSE;
  }
  return state_pid_is_guest (s->pid, s->qmp_socket);
}

static gboolean
launcher_alive (const GuestState *s)
{
  return s->launcher_pid > 0 && s->launcher_start != 0
         && state_pid_start_time (s->launcher_pid) == s->launcher_start;
}

gboolean
guest_state_alive (const GuestState *s)
{
  return state_pid_is_guest (s->pid, s->qmp_socket);
}

pid_t
state_find_qemu (const char *dir)
{
  g_autofree char *qmp = g_build_filename (dir, STATE_QMP, NULL);
  g_autofree char *pid_file = g_build_filename (dir, STATE_PID, NULL);
  g_autoptr (GDir) proc = NULL;
  const char *entry;
  pid_t pid = 0;

  if (state_read_pid_file (pid_file, &pid, NULL) && state_pid_is_guest (pid, qmp))
    return pid;
  /* No pid file yet (qemu writes it once daemonized), or a stale one: any
   * process that names this guest's socket is its qemu. */
  if (state_pid_start_time (getpid ()) == 0 || (proc = g_dir_open ("/proc", 0, NULL)) == NULL)
    return -1;
  while ((entry = g_dir_read_name (proc)) != NULL) {
    guint64 v;
    if (!g_ascii_string_to_unsigned (entry, 10, 1, G_MAXINT32, &v, NULL) || (pid_t) v == getpid ())
      continue;
    if (state_pid_is_guest ((pid_t) v, qmp))
      return (pid_t) v;
  }
  return 0;
}

gboolean
state_remove_guest_dir (const char *dir, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (d == NULL)
    return TRUE;
  /* Only our own directory's entries (sockets, logs, the state and its
   * temporary files); never recurse. */
  while ((entry = g_dir_read_name (d)) != NULL) {
    g_autofree char *p = g_build_filename (dir, entry, NULL);
    g_unlink (p);
  }
  if (g_rmdir (dir) != 0 && errno != ENOENT) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot remove %s: %s", dir, g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

gboolean
state_remove_if_gone (const char *dir, GError **error)
{
  if (state_find_qemu (dir) != 0)
    return TRUE;
  return state_remove_guest_dir (dir, error);
}

/* NAME is a directory entry of RUNTIME_DIR (no '/', not "." or ".."). */
static GuestState *
find_guest (const char *runtime_dir, const char *name, GError **error)
{
  g_autofree char *dir = g_build_filename (runtime_dir, name, NULL);
  g_autofree char *shown = g_strescape (name, NULL);
  g_autoptr (GuestState) s = NULL;
  g_autoptr (GError) local = NULL;
  struct stat st;
  pid_t qpid;

  if (lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "no guest named '%s' is running", shown);
    return NULL;
  }
  s = guest_state_load (dir, &local);
  if (s != NULL && s->status == GUEST_RUNNING && recorded_qemu_alive (s))
    return g_steal_pointer (&s);

  qpid = state_find_qemu (dir);
  if (qpid != 0) {
    if (s == NULL) {
      s = guest_state_new (runtime_dir, name);
      s->status = GUEST_UNKNOWN;
      s->problem = g_strdup (local->message);
    } else if (qpid < 0) {
      s->status = GUEST_UNKNOWN;
      s->problem = g_strdup ("/proc cannot tell whether its qemu still runs");
    } else if (s->status == GUEST_STARTING && launcher_alive (s)) {
      s->pid = qpid; /* still starting: its launcher records it */
    } else if (s->status == GUEST_STARTING) {
      /* The launcher died (killed) while qemu started: adopt the qemu. */
      s->pid = qpid;
      s->status = GUEST_RUNNING;
      guest_state_record_identity (s);
      (void) guest_state_save (s, NULL);
    } else {
      s->status = GUEST_UNKNOWN;
      s->problem = g_strdup_printf ("%s/" STATE_FILE " records pid %d, but its qemu is pid %d", dir,
                                    (int) s->pid, (int) qpid);
    }
    if (qpid > 0)
      s->pid = qpid;
    return g_steal_pointer (&s);
  }
  if (s != NULL && s->status == GUEST_STARTING && launcher_alive (s))
    return g_steal_pointer (&s);

  /* Provably gone (killed, crashed, host rebooted, or a launcher killed
   * before qemu ran): clean up so that it never blocks the next start. */
  if (!state_remove_guest_dir (dir, error))
    return NULL;
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "no guest named '%s' is running", shown);
  return NULL;
}

GuestState *
state_find_guest (const char *runtime_dir, const char *name, GError **error)
{
  if (!state_validate_name (name, error))
    return NULL;
  return find_guest (runtime_dir, name, error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  const GuestState *x = *(GuestState *const *) a, *y = *(GuestState *const *) b;
  return g_strcmp0 (x->name, y->name);
}

GPtrArray *
state_list_guests (const char *runtime_dir, GError **error)
{
  g_autoptr (GPtrArray) guests = g_ptr_array_new_with_free_func ((GDestroyNotify) guest_state_free);
  g_autoptr (GDir) d = g_dir_open (runtime_dir, 0, error);
  const char *entry;

  if (d == NULL)
    return NULL;
  while ((entry = g_dir_read_name (d)) != NULL) {
    g_autoptr (GError) local = NULL;
    GuestState *s;

    if (entry[0] == '.')
      continue;
    /* Every directory, also one named before the name rule: a guest that
     * list skipped would be a guest nobody manages. */
    s = find_guest (runtime_dir, entry, &local);
    if (s != NULL)
      g_ptr_array_add (guests, s);
  }
  g_ptr_array_sort (guests, compare_names);
  return g_steal_pointer (&guests);
}

GuestState *
state_lookup_guest (const char *name, char **ret_runtime, GError **error)
{
  g_autofree char *runtime = state_runtime_dir (error);
  ppcvm_autofd int lock = -1;
  GuestState *s;

  if (runtime == NULL || (lock = state_lock (runtime, error)) < 0)
    return NULL;
  s = state_find_guest (runtime, name, error);
  if (s != NULL && ret_runtime != NULL)
    *ret_runtime = g_steal_pointer (&runtime);
  return s;
}
