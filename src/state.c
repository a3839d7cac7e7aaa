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

GuestState *
guest_state_new (const char *runtime_dir, const char *name)
{
  GuestState *s = g_new0 (GuestState, 1);

  s->name = g_strdup (name);
  s->dir = g_build_filename (runtime_dir, name, NULL);
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
  g_free (s->accel);
  g_free (s->profile);
  g_free (s->qmp_socket);
  g_free (s->console_socket);
  g_free (s->console_log);
  g_free (s);
}

static void
add_string (json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, value != NULL ? json_object_new_string (value) : NULL);
}

json_object *
guest_state_to_json (const GuestState *s)
{
  json_object *o = json_object_new_object ();

  add_string (o, "name", s->name);
  json_object_object_add (o, "pid", json_object_new_int64 (s->pid));
  add_string (o, "accel", s->accel);
  json_object_object_add (o, "memory", json_object_new_int64 ((int64_t) s->memory));
  add_string (o, "profile", s->profile);
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
  json_object *v = NULL;
  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_string))
    return NULL;
  return g_strdup (json_object_get_string (v));
}

static gint64
get_int (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, json_type_int))
    return -1;
  return json_object_get_int64 (v);
}

GuestState *
guest_state_load (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, STATE_FILE, NULL);
  g_autofree char *text = NULL;
  g_autoptr (json_object) o = NULL;
  g_autoptr (GuestState) s = g_new0 (GuestState, 1);

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  o = json_tokener_parse (text);
  s->name = o != NULL ? get_string (o, "name") : NULL;
  s->qmp_socket = o != NULL ? get_string (o, "qmp_socket") : NULL;
  if (s->name == NULL || s->qmp_socket == NULL || get_int (o, "pid") <= 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: not a ppcvm guest state", path);
    return NULL;
  }
  s->dir = g_strdup (dir);
  s->pid = (pid_t) get_int (o, "pid");
  s->accel = get_string (o, "accel");
  s->memory = (guint64) MAX (get_int (o, "memory"), 0);
  s->profile = get_string (o, "profile");
  s->started = get_int (o, "started");
  s->console_socket = get_string (o, "console_socket");
  s->console_log = get_string (o, "console_log");
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
  for (const char *p = name; why == NULL && *p; p++) {
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      why = "it contains a control character";
  }
  if (why != NULL) {
    g_autofree char *shown = g_strescape (name, NULL);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "invalid guest name '%s': %s", shown, why);
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
  if (lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != geteuid ()
      || (st.st_mode & 0077) != 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s is not a private directory owned by us (mode 0700); remove it", dir);
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
    dir = g_strdup_printf ("/tmp/ppcvm-%u", (unsigned) geteuid ());
  if (!ensure_private_dir (dir, error))
    return NULL;
  return g_steal_pointer (&dir);
}

int
state_lock (const char *runtime_dir, GError **error)
{
  g_autofree char *path = g_build_filename (runtime_dir, ".lock", NULL);
  ppcvm_autofd int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  int r;

  if (fd < 0 || (r = flock (fd, LOCK_EX)) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot lock %s: %s", path, g_strerror (errsv));
    return -1;
  }
  return g_steal_fd (&fd);
}

gboolean
state_pid_is_guest (pid_t pid, const char *qmp_socket)
{
  g_autofree char *path = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *base = NULL;
  gsize len = 0;
  gboolean found = FALSE;

  if (pid <= 0 || (kill (pid, 0) != 0 && errno == ESRCH))
    return FALSE;
  path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  /* A zombie, or a process that is not ours to read, has no usable cmdline. */
  if (!g_file_get_contents (path, &cmdline, &len, NULL) || len == 0)
    return FALSE;
  base = g_path_get_basename (cmdline);
  if (strstr (base, "qemu") == NULL)
    return FALSE;
  /* cmdline_build escapes the path for QEMU's option syntax (',' doubled). */
  escaped = ppcvm_qemu_escape (qmp_socket);
  for (gsize off = 0; off < len && !found; off += strlen (cmdline + off) + 1)
    found = strstr (cmdline + off, escaped) != NULL;
  return found;
}

gboolean
state_read_pid_file (const char *path, pid_t *ret_pid, GError **error)
{
  g_autofree char *text = NULL;
  guint64 v;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  if (!ppcvm_parse_uint64 (text, G_MAXINT32, &v, NULL) || v == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: not a pid", path);
    return FALSE;
  }
  *ret_pid = (pid_t) v;
  return TRUE;
}

gboolean
guest_state_alive (const GuestState *s)
{
  return state_pid_is_guest (s->pid, s->qmp_socket);
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

GuestState *
state_find_guest (const char *runtime_dir, const char *name, GError **error)
{
  g_autofree char *dir = g_build_filename (runtime_dir, name, NULL);
  g_autoptr (GuestState) s = NULL;

  if (!state_validate_name (name, error))
    return NULL;
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "no guest named '%s' is running", name);
    return NULL;
  }
  s = guest_state_load (dir, NULL);
  if (s == NULL || !guest_state_alive (s)) {
    /* Dead (killed, crashed, host rebooted) or half-written: clean it up so
     * it never blocks the next start under this name. */
    if (!state_remove_guest_dir (dir, error))
      return NULL;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "no guest named '%s' is running", name);
    return NULL;
  }
  return g_steal_pointer (&s);
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
    s = state_find_guest (runtime_dir, entry, &local);
    if (s != NULL)
      g_ptr_array_add (guests, s);
  }
  g_ptr_array_sort (guests, compare_names);
  return g_steal_pointer (&guests);
}
