/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-c/json.h>

#include "disk.h"
#include "util.h"
#include "util-json.h"

static void
snapshot_free (DiskSnapshot *s)
{
  if (s == NULL)
    return;
  g_free (s->tag);
  g_free (s);
}

void
disk_info_free (DiskInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->format);
  g_free (info->backing);
  g_free (info->full_backing);
  g_free (info->backing_format);
  g_clear_pointer (&info->snapshots, g_ptr_array_unref);
  g_free (info);
}

char *
disk_qemu_img (GError **error)
{
  const char *env = g_getenv ("PPCVM_QEMU_IMG");
  char *path;

  if (env != NULL && *env != '\0') {
    if (g_path_is_absolute (env) && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
      return g_strdup (env);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                 "PPCVM_QEMU_IMG=%s is not an absolute path to an executable", env);
    return NULL;
  }
  path = ppcvm_find_program ("qemu-img");
  if (path == NULL)
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                 "qemu-img not found in $PATH (install it: apt-get install qemu-utils, "
                 "dnf install qemu-img)");
  return path;
}

/* The last non-empty line of qemu-img's stderr, without its "qemu-img: " prefix. */
static char *
last_line (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  const char *last = NULL;

  for (int i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      last = lines[i];
  if (last == NULL)
    return g_strdup ("no message");
  if (g_str_has_prefix (last, "qemu-img: "))
    last += strlen ("qemu-img: ");
  return g_strdup (last);
}

/* Run qemu-img ARGS...; TRUE with its stdout, or FALSE with its last error line. */
static gboolean
run_qemu_img (const char *const *args, char **ret_stdout, GError **error)
{
  g_autofree char *qemu_img = disk_qemu_img (error);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) local = NULL;
  int wait_status = 0;

  if (qemu_img == NULL)
    return FALSE;
  g_ptr_array_add (argv, qemu_img);
  for (int i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &wait_status, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot run %s: %s", qemu_img, local->message);
    return FALSE;
  }
  if (!WIFEXITED (wait_status) || WEXITSTATUS (wait_status) != 0) {
    g_autofree char *msg = last_line (err);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "qemu-img %s failed: %s", args[0], msg);
    return FALSE;
  }
  if (ret_stdout != NULL)
    *ret_stdout = g_steal_pointer (&out);
  return TRUE;
}

DiskInfo *
disk_info (const char *path, const char *format, GError **error)
{
  g_autoptr (DiskInfo) info = g_new0 (DiskInfo, 1);
  g_autofree char *out = NULL;
  g_autoptr (json_object) root = NULL;
  json_object *v = NULL, *snaps = NULL;
  const char *args[] = { "info", "--output=json", "-U", format != NULL ? "-f" : path,
                         format != NULL ? format : NULL, format != NULL ? path : NULL, NULL };

  if (!run_qemu_img (args, &out, error))
    return NULL;
  root = json_tokener_parse (out);
  if (root == NULL || !json_object_object_get_ex (root, "format", &v)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "qemu-img info %s: unreadable output", path);
    return NULL;
  }
  info->format = g_strdup (json_object_get_string (v));
  if (json_object_object_get_ex (root, "virtual-size", &v))
    info->virtual_size = (guint64) json_object_get_int64 (v);
  if (json_object_object_get_ex (root, "backing-filename", &v))
    info->backing = g_strdup (json_object_get_string (v));
  if (json_object_object_get_ex (root, "full-backing-filename", &v))
    info->full_backing = g_strdup (json_object_get_string (v));
  if (json_object_object_get_ex (root, "backing-filename-format", &v))
    info->backing_format = g_strdup (json_object_get_string (v));
  info->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) snapshot_free);
  if (json_object_object_get_ex (root, "snapshots", &snaps) && json_object_is_type (snaps, json_type_array)) {
    for (size_t i = 0; i < json_object_array_length (snaps); i++) {
      json_object *o = json_object_array_get_idx (snaps, i);
      DiskSnapshot *s = g_new0 (DiskSnapshot, 1);
      if (json_object_object_get_ex (o, "name", &v))
        s->tag = g_strdup (json_object_get_string (v));
      if (json_object_object_get_ex (o, "vm-state-size", &v))
        s->vm_state_size = (guint64) json_object_get_int64 (v);
      if (json_object_object_get_ex (o, "date-sec", &v))
        s->date = json_object_get_int64 (v);
      if (s->tag == NULL)
        s->tag = g_strdup ("");
      g_ptr_array_add (info->snapshots, s);
    }
  }
  return g_steal_pointer (&info);
}

gboolean
disk_create (const char *path, guint64 size, const char *backing, const char *backing_format,
             gboolean replace, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = NULL;
  g_autofree char *size_arg = size > 0 ? g_strdup_printf ("%" G_GUINT64_FORMAT, size) : NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (g_path_is_absolute (path), FALSE);
  g_return_val_if_fail (backing == NULL || (g_path_is_absolute (backing) && backing_format != NULL), FALSE);

  if (!replace && lstat (path, &st) == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s already exists (use --force to replace it)",
                 path);
    return FALSE;
  }
  if (g_mkdir_with_parents (dir, 0755) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror (errsv));
    return FALSE;
  }
  tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create a file in %s: %s", dir,
                 g_strerror (errsv));
    return FALSE;
  }
  close (fd);
  {
    /* Explicit formats: -f qcow2 for the image, -F for its backing file. */
    const char *plain[] = { "create", "-q", "-f", "qcow2", tmp, size_arg, NULL };
    const char *overlay[] = { "create", "-q", "-f", "qcow2", "-F", backing_format, "-b", backing, tmp,
                              size_arg, NULL };
    if (!run_qemu_img (backing != NULL ? overlay : plain, NULL, error)) {
      g_unlink (tmp);
      return FALSE;
    }
  }
  if (!replace) {
    /* link() refuses to replace: a file that appeared meanwhile is kept. */
    if (link (tmp, path) != 0) {
      int errsv = errno;
      g_unlink (tmp);
      g_set_error (error, PPCVM_ERROR, errsv == EEXIST ? PPCVM_ERROR_INVALID : PPCVM_ERROR_FAILED,
                   errsv == EEXIST ? "%s already exists (use --force to replace it)" : "cannot create %s: %s",
                   path, g_strerror (errsv));
      return FALSE;
    }
    g_unlink (tmp);
  } else if (rename (tmp, path) != 0) {
    int errsv = errno;
    g_unlink (tmp);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", path, g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

gboolean
disk_snapshot_tag_is_valid (const char *tag)
{
  gsize len = strlen (tag);
  gboolean digits = TRUE;

  if (len == 0 || len > 64 || tag[0] == '-' || tag[0] == '.')
    return FALSE;
  for (const char *p = tag; *p; p++) {
    if (!g_ascii_isalnum (*p) && strchr ("._-", *p) == NULL)
      return FALSE;
    if (!g_ascii_isdigit (*p))
      digits = FALSE;
  }
  return !digits;
}

gboolean
disk_snapshot (const char *path, char op, const char *tag, GError **error)
{
  char flag[3] = { '-', op, '\0' };
  /* qemu-img snapshot has no -f: the format goes in --image-opts. */
  g_autofree char *esc = ppcvm_qemu_escape (path);
  g_autofree char *opts = g_strdup_printf ("driver=qcow2,file.driver=file,file.filename=%s", esc);
  const char *args[] = { "snapshot", "--image-opts", flag, tag, opts, NULL };

  g_return_val_if_fail (op == 'c' || op == 'a' || op == 'd', FALSE);
  return run_qemu_img (args, NULL, error);
}

gboolean
disk_check_backing (const char *path, const char *format, char **ret_note, GError **error)
{
  g_autoptr (DiskInfo) info = NULL;
  g_autoptr (GError) local = NULL;

  *ret_note = NULL;
  /* Only image formats have a backing file; a raw image is bytes. */
  if (format == NULL || g_str_equal (format, "raw"))
    return TRUE;
  info = disk_info (path, format, &local);
  if (info == NULL) {
    *ret_note = g_strdup_printf ("cannot inspect %s: %s", path, local->message);
    return TRUE;
  }
  if (info->backing == NULL)
    return TRUE;
  if (info->backing_format == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s is backed by %s without a backing format: qemu would guess its format from its "
                 "contents; record it with 'qemu-img rebase -u -F raw -b %s %s' (or -F qcow2)",
                 path, info->backing, info->backing, path);
    return FALSE;
  }
  *ret_note = g_strdup_printf ("%s is backed by %s (format %s): the guest reads that file too", path,
                               info->full_backing != NULL ? info->full_backing : info->backing,
                               info->backing_format);
  return TRUE;
}
