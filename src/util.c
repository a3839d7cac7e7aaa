/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util.h"

G_DEFINE_QUARK (ppcvm-error-quark, ppcvm_error)

#define MAX_SIZE (G_GUINT64_CONSTANT (16) << 40)

gboolean
ppcvm_parse_size (const char *text, guint64 *ret_bytes, GError **error)
{
  return ppcvm_parse_size_unit (text, G_GUINT64_CONSTANT (1) << 20, ret_bytes, error);
}

gboolean
ppcvm_parse_size_unit (const char *text, guint64 bare_unit, guint64 *ret_bytes, GError **error)
{
  g_autofree char *s = NULL;
  guint64 n, mult = bare_unit;
  char *end = NULL;
  size_t len;

  if (text == NULL || *text == '\0')
    return g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "empty size"), FALSE;

  s = g_strstrip (g_strdup (text));
  if (!g_ascii_isdigit (s[0]))
    goto bad;

  errno = 0;
  n = g_ascii_strtoull (s, &end, 10);
  if (errno != 0 || end == s)
    goto bad;

  len = strlen (end);
  if (len > 0 && (end[len - 1] == 'B' || end[len - 1] == 'b')) {
    if (len == 1)
      goto bad;
    end[len - 1] = '\0';
    len--;
  }
  if (len == 1) {
    switch (g_ascii_toupper (*end)) {
    case 'K': mult = G_GUINT64_CONSTANT (1) << 10; break;
    case 'M': mult = G_GUINT64_CONSTANT (1) << 20; break;
    case 'G': mult = G_GUINT64_CONSTANT (1) << 30; break;
    case 'T': mult = G_GUINT64_CONSTANT (1) << 40; break;
    case 'P':
    case 'E':
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "size '%s' is too large (at most 16T)", text);
      return FALSE;
    default: goto bad;
    }
  } else if (len != 0 || bare_unit == 0) {
    goto bad;
  }

  if (n == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "size '%s' is zero", text);
    return FALSE;
  }
  if (n > MAX_SIZE / mult) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "size '%s' is too large (at most 16T)", text);
    return FALSE;
  }
  *ret_bytes = n * mult;
  return TRUE;

bad:
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
               "'%s' is not a size (a number with a K, M, G or T suffix, e.g. 2G)", text);
  return FALSE;
}

char *
ppcvm_format_size (guint64 bytes)
{
  static const char units[] = "KMGT";

  for (int i = 3; i >= 0; i--) {
    guint64 unit = G_GUINT64_CONSTANT (1) << (10 * (i + 1));
    if (bytes >= unit && bytes % unit == 0)
      return g_strdup_printf ("%" G_GUINT64_FORMAT "%c", bytes / unit, units[i]);
  }
  return g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
}

char *
ppcvm_format_size_human (guint64 bytes)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double v = (double) bytes;
  int i = 0;

  while (v >= 1024.0 && i < 4) {
    v /= 1024.0;
    i++;
  }
  if (i == 0 || v == (double) (guint64) v)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", (guint64) v, units[i]);
  return g_strdup_printf ("%.1f %s", v, units[i]);
}

char *
ppcvm_sysroot_path (const char *sysroot, const char *path)
{
  if (sysroot == NULL || *sysroot == '\0' || g_str_equal (sysroot, "/"))
    return g_build_filename ("/", path, NULL);
  return g_build_filename (sysroot, path, NULL);
}

gboolean
ppcvm_read_file (const char *sysroot, const char *path, char **ret_contents, gsize *ret_len,
                 GError **error)
{
  g_autofree char *full = ppcvm_sysroot_path (sysroot, path);
  return ppcvm_read_file_max (full, PPCVM_READ_MAX_PROC, ret_contents, ret_len, error);
}

gboolean
ppcvm_read_file_max (const char *path, gsize max, char **ret_contents, gsize *ret_len, GError **error)
{
  /* O_NONBLOCK: a FIFO without a writer must not hang the open. */
  ppcvm_autofd int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  g_autoptr (GString) buf = NULL;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) != 0) {
    int errsv = errno;
    /* Probes of files that may be absent pass no error: g_strerror's first
     * call looks up the locale's charset (charset.alias, iconv). */
    if (error == NULL)
      return FALSE;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "Failed to open file “%s”: %s",
                 path, g_strerror (errsv));
    return FALSE;
  }
  if (S_ISDIR (st.st_mode)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: a directory, not a file", path);
    return FALSE;
  }
  if (S_ISREG (st.st_mode) && (guint64) st.st_size > max)
    goto too_large;
  /* A regular file ignores O_NONBLOCK; anything else is read blocking. */
  if (!S_ISREG (st.st_mode))
    (void) fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  /* /proc files say they are empty: room for a page, one read. */
  buf = g_string_sized_new (S_ISREG (st.st_mode) && st.st_size > 0 ? (gsize) st.st_size + 1 : 4096);
  for (;;) {
    gsize len = buf->len;
    ssize_t n;

    /* Read straight into the string's spare room: a 64 KiB buffer on the
     * stack cost a page fault or two on every call (bench/plan-warm.sh). */
    if (buf->allocated_len - len <= 1) {
      g_string_set_size (buf, len + 4096);
      g_string_set_size (buf, len);
    }
    n = read (fd, buf->str + len, MIN (buf->allocated_len - len - 1, max + 1 - len));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0) {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "Failed to read from file “%s”: %s",
                   path, g_strerror (errsv));
      return FALSE;
    }
    if (n == 0)
      break;
    g_string_set_size (buf, len + (gsize) n);
    if (buf->len > max)
      goto too_large;
  }
  if (ret_len != NULL)
    *ret_len = buf->len;
  *ret_contents = g_string_free (g_steal_pointer (&buf), FALSE);
  return TRUE;

too_large:
  {
    g_autofree char *limit = ppcvm_format_size_human (max);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: too large (more than %s): not a file ppcvm reads",
                 path, limit);
    return FALSE;
  }
}

char *
ppcvm_find_program (const char *name)
{
  const char *env = g_getenv ("PATH");
  g_auto (GStrv) dirs = g_strsplit (env != NULL ? env : "/usr/local/bin:/usr/bin:/bin", ":", -1);

  for (char **d = dirs; *d != NULL; d++) {
    g_autofree char *candidate = NULL;
    struct stat st;
    if (!g_path_is_absolute (*d))
      continue;
    candidate = g_build_filename (*d, name, NULL);
    if (stat (candidate, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111) != 0
        && access (candidate, X_OK) == 0)
      return g_steal_pointer (&candidate);
  }
  return NULL;
}

gboolean
ppcvm_parse_uint64 (const char *text, guint64 max, guint64 *ret, GError **error)
{
  g_autofree char *s = g_strstrip (g_strdup (text ? text : ""));
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 0, max, &v, NULL)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "'%s' is not a whole number from 0 to %" G_GUINT64_FORMAT, text ? text : "",
                 max);
    return FALSE;
  }
  *ret = v;
  return TRUE;
}

char *
ppcvm_qemu_escape (const char *value)
{
  GString *s = g_string_sized_new (strlen (value) + 8);

  for (const char *p = value; *p; p++) {
    if (*p == ',')
      g_string_append_c (s, ',');
    g_string_append_c (s, *p);
  }
  return g_string_free (s, FALSE);
}

gboolean
ppcvm_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0) {
    ssize_t n = write (fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    p += n;
    len -= (size_t) n;
  }
  return TRUE;
}

gboolean
ppcvm_write_file_atomic (const char *path, const char *contents, gssize len, int mode,
                         GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  ppcvm_autofd int fd = -1;
  const char *p = contents;

  if (len < 0)
    len = (gssize) strlen (contents);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, mode);
  if (fd < 0) {
    int errsv = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                 "cannot create a file next to %s: %s", path, g_strerror (errsv));
    return FALSE;
  }
  if (!ppcvm_write_all (fd, p, (size_t) len) || fsync (fd) != 0)
    goto fail;
  if (rename (tmp, path) != 0)
    goto fail;
  return TRUE;

fail:
  {
    int errsv = errno;
    g_unlink (tmp);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "cannot write %s: %s",
                 path, g_strerror (errsv));
    return FALSE;
  }
}
