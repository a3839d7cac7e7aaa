/* SPDX-License-Identifier: GPL-2.0-or-later */
/* media.h: checksum files, gpgv, the cache and its .part files. */
#define _GNU_SOURCE 1 /* strverscmp */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "media.h"
#include "util.h"

#define SMALL_FILE_MAX (8 * 1024 * 1024)

void
media_result_free (MediaResult *r)
{
  if (r == NULL)
    return;
  g_free (r->path);
  g_free (r->url);
  g_free (r->file);
  g_free (r->checksum);
  g_free (r->signature_detail);
  g_free (r);
}

const char *
media_signature_name (MediaSignature s)
{
  switch (s) {
  case MEDIA_SIGNATURE_VERIFIED:
    return "verified";
  case MEDIA_SIGNATURE_NOT_PUBLISHED:
    return "not-published";
  case MEDIA_SIGNATURE_NO_KEY:
    return "key-unavailable";
  case MEDIA_SIGNATURE_NO_GPGV:
    return "no-gpgv";
  }
  return "unknown";
}

char *
media_rebase_url (const char *url, const char *base)
{
  const char *p;
  g_autofree char *b = NULL;

  if (base == NULL || *base == '\0')
    return g_strdup (url);
  p = strstr (url, "://");
  p = p ? strchr (p + 3, '/') : NULL;
  b = g_strdup (base);
  while (g_str_has_suffix (b, "/"))
    b[strlen (b) - 1] = '\0';
  return g_strconcat (b, p ? p : "/", NULL);
}

static gboolean
is_hex (const char *s, gsize len)
{
  if (strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

GHashTable *
media_parse_checksums (const char *text, GChecksumType type)
{
  GHashTable *sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gsize hexlen = (gsize) g_checksum_type_get_length (type) * 2;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (int i = 0; lines[i] != NULL; i++) {
    char *l = g_strstrip (lines[i]);
    g_autofree char *name = NULL;
    g_autofree char *hash = NULL;
    const char *open = strstr (l, " (");
    const char *close = strstr (l, ") = ");

    if (open != NULL && close != NULL && close > open) {
      /* BSD: "SHA256 (name) = hash" */
      name = g_strndup (open + 2, (gsize) (close - open - 2));
      hash = g_strdup (close + 4);
    } else {
      /* GNU: "hash  name" or "hash *name" */
      const char *sp = strchr (l, ' ');
      if (sp == NULL)
        continue;
      hash = g_strndup (l, (gsize) (sp - l));
      while (*sp == ' ')
        sp++;
      if (*sp == '*')
        sp++;
      name = g_strdup (sp);
    }
    g_strstrip (hash);
    if (!is_hex (hash, hexlen) || *name == '\0')
      continue;
    {
      char *base = strrchr (name, '/');
      g_hash_table_replace (sums, g_strdup (base ? base + 1 : name), g_ascii_strdown (hash, -1));
    }
  }
  return sums;
}

static gint
version_compare (gconstpointer a, gconstpointer b)
{
  return strverscmp (*(const char *const *) a, *(const char *const *) b);
}

char *
media_resolve_name (GHashTable *sums, const char *pattern, const char *checksum_url, GError **error)
{
  g_autoptr (GPatternSpec) spec = NULL;
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key;

  if (strchr (pattern, '*') == NULL && strchr (pattern, '?') == NULL) {
    if (g_hash_table_contains (sums, pattern))
      return g_strdup (pattern);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                 "the checksum file %s has no entry for %s: the file cannot be verified, so it "
                 "is not used", checksum_url, pattern);
    return NULL;
  }
  spec = g_pattern_spec_new (pattern);
  g_hash_table_iter_init (&it, sums);
  while (g_hash_table_iter_next (&it, &key, NULL))
    if (g_pattern_spec_match_string (spec, key))
      g_ptr_array_add (matches, key);
  if (matches->len == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                 "the checksum file %s lists no file matching %s", checksum_url, pattern);
    return NULL;
  }
  g_ptr_array_sort (matches, version_compare);
  return g_strdup (matches->pdata[matches->len - 1]);
}

char *
media_file_checksum (const char *path, GChecksumType type, guint64 *ret_size, GError **error)
{
  ppcvm_autofd int fd = open (path, O_RDONLY | O_CLOEXEC);
  g_autoptr (GChecksum) sum = g_checksum_new (type);
  g_autofree guint8 *buf = g_malloc (1 << 20);
  guint64 total = 0;

  if (fd < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot open %s: %s", path, g_strerror (errsv));
    return NULL;
  }
  for (;;) {
    ssize_t n = read (fd, buf, 1 << 20);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int errsv = errno;
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot read %s: %s", path, g_strerror (errsv));
      return NULL;
    }
    if (n == 0)
      break;
    g_checksum_update (sum, buf, (gssize) n);
    total += (guint64) n;
  }
  if (ret_size != NULL)
    *ret_size = total;
  return g_strdup (g_checksum_get_string (sum));
}

static gboolean
write_temp (const char *dir, const char *name, GBytes *data, char **ret_path, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize len = 0;
  const char *p = g_bytes_get_data (data, &len);

  if (!g_file_set_contents (path, p ? p : "", (gssize) len, error))
    return FALSE;
  *ret_path = g_steal_pointer (&path);
  return TRUE;
}

static void
rm_rf_temp (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;

  while (d != NULL && (n = g_dir_read_name (d)) != NULL) {
    g_autofree char *p = g_build_filename (dir, n, NULL);
    g_unlink (p);
  }
  g_rmdir (dir);
}

/* gpgv --status-fd=1 on DATA and SIGNATURE (in a temporary directory) with
 * KEYRINGS; its status lines in OUT, messages in ERR. */
static gboolean
run_gpgv (const char *gpgv, GPtrArray *keyrings, GBytes *data, GBytes *signature, char **out, char **err,
          int *status, GError **error)
{
  g_autofree char *tmp = g_dir_make_tmp ("ppcvm-gpgv-XXXXXX", error);
  g_autofree char *data_path = NULL;
  g_autofree char *sig_path = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  gboolean ok;

  if (tmp == NULL)
    return FALSE;
  if (!write_temp (tmp, "data", data, &data_path, error) ||
      !write_temp (tmp, "data.sig", signature, &sig_path, error)) {
    rm_rf_temp (tmp);
    return FALSE;
  }
  g_ptr_array_add (argv, g_strdup (gpgv));
  g_ptr_array_add (argv, g_strdup ("--status-fd=1"));
  for (guint i = 0; i < keyrings->len; i++) {
    g_ptr_array_add (argv, g_strdup ("--keyring"));
    /* gpgv looks a name without a slash up in ~/.gnupg: make it a path. */
    g_ptr_array_add (argv, g_canonicalize_filename (keyrings->pdata[i], NULL));
  }
  g_ptr_array_add (argv, g_strdup (sig_path));
  g_ptr_array_add (argv, g_strdup (data_path));
  g_ptr_array_add (argv, NULL);
  ok = g_spawn_sync (tmp, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, status, error);
  rm_rf_temp (tmp);
  return ok;
}

/* gpgv's status lines: the signer's primary key fingerprint (VALIDSIG), a
 * bad signature, a missing key. */
static void
parse_gpgv_status (const char *out, char **signer, gboolean *bad, gboolean *nokey)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (int i = 0; lines[i] != NULL; i++) {
    g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
    if (f[0] == NULL || !g_str_equal (f[0], "[GNUPG:]") || f[1] == NULL)
      continue;
    if (g_str_equal (f[1], "VALIDSIG") && g_strv_length (f) >= 12) {
      g_free (*signer);
      *signer = g_ascii_strup (f[11], -1); /* the primary key's fingerprint */
    } else if (g_str_equal (f[1], "BADSIG")) {
      *bad = TRUE;
    } else if (g_str_equal (f[1], "NO_PUBKEY")) {
      *nokey = TRUE;
    }
  }
}

gboolean
media_verify_signature (GBytes *data, GBytes *signature, const char *fingerprint,
                        const char *const *keyrings, MediaSignature *ret_state, char **ret_detail,
                        GError **error)
{
  g_autofree char *gpgv = g_find_program_in_path ("gpgv");
  g_autoptr (GPtrArray) usable = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *signer = NULL;
  gboolean bad = FALSE, nokey = FALSE;
  int status = 0;

  for (int i = 0; keyrings != NULL && keyrings[i] != NULL; i++)
    if (g_file_test (keyrings[i], G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (usable, (gpointer) keyrings[i]);
  if (gpgv == NULL) {
    *ret_state = MEDIA_SIGNATURE_NO_GPGV;
    *ret_detail = g_strdup ("gpgv is not installed (apt-get install gpgv)");
    return TRUE;
  }
  if (usable->len == 0) {
    *ret_state = MEDIA_SIGNATURE_NO_KEY;
    *ret_detail = g_strdup_printf ("no keyring holds key %s", fingerprint);
    return TRUE;
  }
  if (!run_gpgv (gpgv, usable, data, signature, &out, &err, &status, error))
    return FALSE;
  parse_gpgv_status (out, &signer, &bad, &nokey);
  if (bad) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "BAD signature on the checksum file (gpgv: %s)",
                 g_strstrip (err));
    return FALSE;
  }
  if (signer != NULL && g_spawn_check_wait_status (status, NULL)) {
    if (!g_str_equal (signer, fingerprint)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "the checksum file is signed by key %s, not by %s as the catalogue says: "
                   "key mismatch, the file is not used", signer, fingerprint);
      return FALSE;
    }
    *ret_state = MEDIA_SIGNATURE_VERIFIED;
    *ret_detail = g_strdup_printf ("good signature by key %s", signer);
    return TRUE;
  }
  if (nokey) {
    g_autoptr (GString) list = g_string_new (NULL);
    for (guint i = 0; i < usable->len; i++)
      g_string_append_printf (list, "%s%s", i ? ", " : "", (const char *) usable->pdata[i]);
    *ret_state = MEDIA_SIGNATURE_NO_KEY;
    *ret_detail = g_strdup_printf ("key %s is in none of the keyrings (%s)", fingerprint, list->str);
    return TRUE;
  }
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "the checksum file's signature does not verify (gpgv: %s)",
               g_strstrip (err));
  return FALSE;
}

static void
note (const MediaOptions *o, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
note (const MediaOptions *o, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  if (o->note == NULL)
    return;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  o->note (msg, o->note_data);
}

/* NAME relative to the directory of URL, or NAME itself when it is a URL;
 * {file} replaced by FILE. */
static char *
sibling_url (const char *url, const char *name, const char *file, const char *base)
{
  g_autofree char *expanded = NULL;
  g_auto (GStrv) parts = g_strsplit (name, "{file}", -1);

  expanded = g_strjoinv (file, parts);
  if (strstr (expanded, "://") != NULL)
    return media_rebase_url (expanded, base);
  {
    g_autofree char *dir = g_strndup (url, (gsize) (strrchr (url, '/') - url + 1));
    return g_strconcat (dir, expanded, NULL);
  }
}

static gboolean
is_transient (const GError *e)
{
  /* HTTP errors and local write errors do not get better by retrying. */
  return e != NULL && e->domain == PPCVM_ERROR && e->code == PPCVM_ERROR_FAILED &&
         strstr (e->message, ": HTTP ") == NULL && !g_str_has_prefix (e->message, "cannot ");
}

/* R's signature state for the checksum file SUMS_DATA (from SUMS_URL): not
 * published, no key to check it with, or what gpgv says; FALSE if the
 * signature cannot be fetched or is bad. */
static gboolean
check_signature (const CatalogueMedia *m, const MediaOptions *o, const char *sums_url, const char *pattern,
                 GBytes *sums_data, MediaResult *r, GError **error)
{
  g_autofree char *sig_url = NULL;
  g_autoptr (GBytes) sig = NULL;
  g_autoptr (GPtrArray) rings = NULL;
  g_autoptr (GError) local = NULL;

  if (m->signature == NULL) {
    r->signature = MEDIA_SIGNATURE_NOT_PUBLISHED;
    r->signature_detail = g_strdup ("the catalogue lists no signature for this checksum file");
    return TRUE;
  }
  if (m->signing_key == NULL) {
    r->signature = MEDIA_SIGNATURE_NO_KEY;
    r->signature_detail = g_strdup ("the catalogue has no signing-key fingerprint to check the signature against");
    return TRUE;
  }
  sig_url = sibling_url (sums_url, m->signature, pattern, o->base_url);
  note (o, "signature %s", sig_url);
  if (!download_to_bytes (sig_url, SMALL_FILE_MAX, &o->download, &sig, error))
    return FALSE;
  rings = g_ptr_array_new ();
  for (int i = 0; o->keyrings != NULL && o->keyrings[i] != NULL; i++)
    g_ptr_array_add (rings, (gpointer) o->keyrings[i]);
  if (m->keyring != NULL)
    g_ptr_array_add (rings, m->keyring);
  g_ptr_array_add (rings, NULL);
  if (!media_verify_signature (sums_data, sig, m->signing_key, (const char *const *) rings->pdata,
                               &r->signature, &r->signature_detail, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: %s", sums_url, local->message);
    return FALSE;
  }
  return TRUE;
}

/* R->path from the cache when it matches EXPECTED (*HIT); a copy that does
 * not is removed. */
static gboolean
check_cache (MediaResult *r, const CatalogueMedia *m, const char *expected, const MediaOptions *o,
             gboolean *hit, GError **error)
{
  g_autofree char *got = NULL;

  *hit = FALSE;
  if (!g_file_test (r->path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  got = media_file_checksum (r->path, m->checksum_type, &r->size, error);
  if (got == NULL)
    return FALSE;
  if (g_str_equal (got, expected)) {
    r->cached = TRUE;
    r->checksum = g_steal_pointer (&got);
    note (o, "%s is in the cache and matches the checksum file", r->path);
    *hit = TRUE;
    return TRUE;
  }
  /* A "latest" name that moved on, or a damaged copy: never used. */
  note (o, "%s in the cache does not match the checksum file any more: fetching it again", r->path);
  if (g_unlink (r->path) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot remove %s: %s", r->path, g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

/* URL into PART, resumed where a partial download stopped, retried on
 * transient errors; PART is kept on failure. */
static gboolean
download_resuming (const char *url, const char *part, const MediaOptions *o, GError **error)
{
  for (guint attempt = 0;; attempt++) {
    g_autoptr (GError) local = NULL;
    GStatBuf st;

    if (g_stat (part, &st) == 0 && st.st_size > 0)
      note (o, "resuming %s at byte %" G_GUINT64_FORMAT, url, (guint64) st.st_size);
    else
      note (o, "downloading %s", url);
    if (download_to_file (url, part, &o->download, &local))
      return TRUE;
    if (attempt >= o->retries || !is_transient (local)) {
      g_set_error (error, local->domain, local->code, "%s (the partial download %s is kept: run "
                   "the command again to resume it)", local->message, part);
      return FALSE;
    }
    note (o, "%s; retrying (%u of %u)", local->message, attempt + 1, o->retries);
  }
}

/* PART, downloaded from URL, becomes R->path if its checksum is EXPECTED;
 * else it is removed. */
static gboolean
install_download (MediaResult *r, const CatalogueMedia *m, const char *part, const char *expected,
                  const char *url, const char *sums_url, GError **error)
{
  g_autofree char *got = media_file_checksum (part, m->checksum_type, &r->size, error);

  if (got == NULL)
    return FALSE;
  if (!g_str_equal (got, expected)) {
    g_unlink (part);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s: %s checksum mismatch: the checksum file %s says %s, the download is %s; "
                 "the download was removed and is not used", url,
                 catalogue_checksum_name (m->checksum_type), sums_url, expected, got);
    return FALSE;
  }
  if (g_rename (part, r->path) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot rename %s: %s", part, g_strerror (errsv));
    return FALSE;
  }
  r->checksum = g_steal_pointer (&got);
  return TRUE;
}

MediaResult *
media_get (const CatalogueEntry *entry, CatalogueMediaKind kind, const MediaOptions *o,
           GError **error)
{
  const CatalogueMedia *m = kind == CATALOGUE_MEDIA_CLOUD ? entry->cloud : entry->iso;
  g_autoptr (MediaResult) r = g_new0 (MediaResult, 1);
  g_autofree char *url = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *sums_url = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *part = NULL;
  g_autoptr (GBytes) sums_data = NULL;
  g_autoptr (GHashTable) sums = NULL;
  g_autofree char *text = NULL;
  const char *expected;
  gboolean hit;

  if (m == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "%s publishes no %s in the catalogue (%s)%s",
                 entry->id, kind == CATALOGUE_MEDIA_CLOUD ? "cloud image" : "installer ISO", entry->path,
                 kind == CATALOGUE_MEDIA_CLOUD ? "; use --iso" : "; use --cloud");
    return NULL;
  }
  url = media_rebase_url (m->url, o->base_url);
  pattern = g_strdup (strrchr (url, '/') + 1);
  sums_url = sibling_url (url, m->checksum, pattern, o->base_url);
  note (o, "checksum file %s", sums_url);
  if (!download_to_bytes (sums_url, SMALL_FILE_MAX, &o->download, &sums_data, error))
    return NULL;
  {
    gsize len = 0;
    const char *p = g_bytes_get_data (sums_data, &len);
    text = g_strndup (p ? p : "", len);
  }

  /* The signature first: a checksum file that fails it is not read. */
  if (!check_signature (m, o, sums_url, pattern, sums_data, r, error))
    return NULL;

  sums = media_parse_checksums (text, m->checksum_type);
  r->file = media_resolve_name (sums, pattern, sums_url, error);
  if (r->file == NULL)
    return NULL;
  expected = g_hash_table_lookup (sums, r->file);
  r->checksum_type = m->checksum_type;
  g_free (url);
  {
    g_autofree char *media_dir = g_strndup (m->url, (gsize) (strrchr (m->url, '/') - m->url + 1));
    g_autofree char *full = g_strconcat (media_dir, r->file, NULL);
    url = media_rebase_url (full, o->base_url);
  }
  r->url = g_strdup (url);

  dir = g_build_filename (o->cache_dir, entry->id, NULL);
  if (g_mkdir_with_parents (dir, 0755) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror (errsv));
    return NULL;
  }
  r->path = g_build_filename (dir, r->file, NULL);
  part = g_strconcat (r->path, ".part", NULL);

  if (!check_cache (r, m, expected, o, &hit, error))
    return NULL;
  if (hit)
    return g_steal_pointer (&r);
  if (!download_resuming (url, part, o, error) ||
      !install_download (r, m, part, expected, url, sums_url, error))
    return NULL;
  return g_steal_pointer (&r);
}
