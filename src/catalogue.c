/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The OS catalogue (catalogue.h): parsing, search path, lookup. */
#include "config.h"

#include <string.h>

#include "catalogue.h"
#include "util.h"

struct _Catalogue {
  GPtrArray *entries; /* CatalogueEntry */
};

static void
media_free (CatalogueMedia *m)
{
  if (m == NULL)
    return;
  g_free (m->url);
  g_free (m->checksum);
  g_free (m->signature);
  g_free (m->signing_key);
  g_free (m->keyring);
  g_free (m->format);
  g_free (m);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CatalogueMedia, media_free)

static void
entry_free (CatalogueEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->os);
  g_free (e->os_name);
  g_free (e->release);
  g_free (e->id);
  g_free (e->name);
  g_free (e->profile);
  g_strfreev (e->mmu);
  g_free (e->source);
  g_free (e->path);
  media_free (e->iso);
  media_free (e->cloud);
  g_free (e);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CatalogueEntry, entry_free)

void
catalogue_free (Catalogue *catalogue)
{
  if (catalogue == NULL)
    return;
  g_ptr_array_unref (catalogue->entries);
  g_free (catalogue);
}

GPtrArray *
catalogue_entries (const Catalogue *catalogue)
{
  return catalogue->entries;
}

const char *
catalogue_media_kind_name (CatalogueMediaKind kind)
{
  return kind == CATALOGUE_MEDIA_CLOUD ? "cloud" : "iso";
}

const char *
catalogue_checksum_name (GChecksumType type)
{
  switch (type) {
  case G_CHECKSUM_SHA256:
    return "sha256";
  case G_CHECKSUM_SHA512:
    return "sha512";
  default:
    return "sha1";
  }
}

char **
catalogue_search_dirs (void)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  const char *env = g_getenv ("PPCVM_CATALOGUE_PATH");
  const char *const *data_dirs = g_get_system_data_dirs ();

  if (env != NULL) {
    g_auto (GStrv) parts = g_strsplit (env, ":", -1);
    for (int i = 0; parts[i] != NULL; i++)
      if (*parts[i] != '\0')
        g_ptr_array_add (all, g_strdup (parts[i]));
  }
  g_ptr_array_add (all, g_build_filename (g_get_user_config_dir (), "ppcvm", "catalogue", NULL));
  g_ptr_array_add (all, g_build_filename (PPCVM_SYSCONFDIR, "catalogue", NULL));
  for (int i = 0; data_dirs[i] != NULL; i++)
    g_ptr_array_add (all, g_build_filename (data_dirs[i], "ppcvm", "catalogue", NULL));
  g_ptr_array_add (all, g_build_filename (PPCVM_DATADIR, "catalogue", NULL));
  /* Last, so that an uninstalled build finds the shipped catalogue. */
  g_ptr_array_add (all, g_strdup (PPCVM_SOURCE_CATALOGUE));
  for (guint i = 0; i < all->len; i++) {
    const char *d = all->pdata[i];
    gboolean dup = FALSE;
    for (guint j = 0; j < dirs->len && !dup; j++)
      dup = g_str_equal (dirs->pdata[j], d);
    if (!dup)
      g_ptr_array_add (dirs, g_strdup (d));
  }
  g_ptr_array_add (dirs, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&dirs), FALSE);
}

static gboolean
fail (GError **error, const char *path, const char *group, const char *key, const char *fmt, ...)
  G_GNUC_PRINTF (5, 6);

static gboolean
fail (GError **error, const char *path, const char *group, const char *key, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (key != NULL)
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: [%s] %s: %s", path, group, key, msg);
  else
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: [%s]: %s", path, group, msg);
  return FALSE;
}

/* A required or optional non-empty string. */
static gboolean
get_string (GKeyFile *kf, const char *path, const char *group, const char *key, gboolean required,
            char **ret, GError **error)
{
  g_autofree char *v = NULL;

  if (!g_key_file_has_key (kf, group, key, NULL)) {
    if (required)
      return fail (error, path, group, key, "missing (required)");
    *ret = NULL;
    return TRUE;
  }
  v = g_key_file_get_string (kf, group, key, NULL);
  if (v == NULL || *g_strstrip (v) == '\0')
    return fail (error, path, group, key, "empty value");
  *ret = g_steal_pointer (&v);
  return TRUE;
}

static gboolean
url_is_valid (const char *url)
{
  return g_str_has_prefix (url, "https://") || g_str_has_prefix (url, "http://");
}

static const char *const media_keys[] = {
  "url", "checksum", "checksum-type", "signature", "signing-key", "keyring", "format", NULL,
};

/* [release R] PREFIX-* keys: NULL media (TRUE) when PREFIX-url is absent. */
static gboolean
parse_media (GKeyFile *kf, const char *path, const char *group, CatalogueMediaKind kind,
             CatalogueMedia **ret, GError **error)
{
  const char *prefix = catalogue_media_kind_name (kind);
  g_autofree char *url_key = g_strconcat (prefix, "-url", NULL);
  g_autoptr (CatalogueMedia) m = NULL;
  g_autofree char *type = NULL;
  g_autofree char *k = NULL;
  const char *base;

  if (!g_key_file_has_key (kf, group, url_key, NULL)) {
    for (int i = 0; media_keys[i] != NULL; i++) {
      g_autofree char *key = g_strconcat (prefix, "-", media_keys[i], NULL);
      if (g_key_file_has_key (kf, group, key, NULL))
        return fail (error, path, group, key, "set without %s", url_key);
    }
    *ret = NULL;
    return TRUE;
  }
  m = g_new0 (CatalogueMedia, 1);
  m->kind = kind;
#define KEY(name) (g_free (k), k = g_strconcat (prefix, "-", name, NULL))
  if (!get_string (kf, path, group, KEY ("url"), TRUE, &m->url, error))
    return FALSE;
  if (!url_is_valid (m->url))
    return fail (error, path, group, k, "'%s' is not an http:// or https:// URL", m->url);
  base = strrchr (m->url, '/') + 1;
  if (*base == '\0')
    return fail (error, path, group, k, "'%s' names a directory, not a file", m->url);
  if (!get_string (kf, path, group, KEY ("checksum"), TRUE, &m->checksum, error))
    return FALSE;
  if (strchr (m->checksum, '*') != NULL)
    return fail (error, path, group, k, "a checksum file name cannot hold '*'");
  if (strstr (m->checksum, "{file}") != NULL && strchr (base, '*') != NULL)
    return fail (error, path, group, k,
                 "{file} needs a literal file name in %s-url, not the pattern '%s'", prefix, base);
  if (!get_string (kf, path, group, KEY ("checksum-type"), TRUE, &type, error))
    return FALSE;
  if (g_str_equal (type, "sha256"))
    m->checksum_type = G_CHECKSUM_SHA256;
  else if (g_str_equal (type, "sha512"))
    m->checksum_type = G_CHECKSUM_SHA512;
  else
    return fail (error, path, group, k, "'%s' is not sha256 or sha512", type);
  if (!get_string (kf, path, group, KEY ("signature"), FALSE, &m->signature, error))
    return FALSE;
  if (!get_string (kf, path, group, KEY ("signing-key"), FALSE, &m->signing_key, error))
    return FALSE;
  if (m->signing_key != NULL) {
    g_autoptr (GString) fpr = g_string_new (NULL);
    for (const char *p = m->signing_key; *p; p++) {
      if (*p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        return fail (error, path, group, k, "'%s' is not a key fingerprint (40 hex digits)",
                     m->signing_key);
      g_string_append_c (fpr, g_ascii_toupper (*p));
    }
    if (fpr->len != 40)
      return fail (error, path, group, k, "'%s' is not a key fingerprint (40 hex digits)",
                   m->signing_key);
    g_free (m->signing_key);
    m->signing_key = g_string_free (g_steal_pointer (&fpr), FALSE);
    if (m->signature == NULL)
      return fail (error, path, group, k, "a signing key without %s-signature", prefix);
  }
  if (!get_string (kf, path, group, KEY ("keyring"), FALSE, &m->keyring, error))
    return FALSE;
  if (m->keyring != NULL && !g_path_is_absolute (m->keyring))
    return fail (error, path, group, k, "'%s' is not an absolute path", m->keyring);
  if (!get_string (kf, path, group, KEY ("format"), FALSE, &m->format, error))
    return FALSE;
  if (m->format == NULL)
    m->format = g_strdup (kind == CATALOGUE_MEDIA_ISO ? "raw" : "qcow2");
  else if (!g_str_equal (m->format, "qcow2") && !g_str_equal (m->format, "raw"))
    return fail (error, path, group, k, "'%s' is not qcow2 or raw", m->format);
#undef KEY
  *ret = g_steal_pointer (&m);
  return TRUE;
}

static gboolean
parse_release (GKeyFile *kf, const char *path, const char *os, const char *os_name,
               const char *group, CatalogueEntry **ret, GError **error)
{
  static const char *const keys[] = { "name", "profile", "page-size", "mmu", "source", NULL };
  g_autoptr (CatalogueEntry) e = g_new0 (CatalogueEntry, 1);
  g_auto (GStrv) present = g_key_file_get_keys (kf, group, NULL, NULL);
  g_autofree char *page = NULL;
  gsize n_mmu = 0;

  for (int i = 0; present != NULL && present[i] != NULL; i++) {
    const char *key = present[i];
    const char *dash = strchr (key, '-');
    gboolean known = g_strv_contains (keys, key);
    if (!known && dash != NULL &&
        (g_str_has_prefix (key, "iso-") || g_str_has_prefix (key, "cloud-")))
      known = g_strv_contains (media_keys, dash + 1);
    if (!known)
      return fail (error, path, group, key, "unknown key");
  }
  e->os = g_strdup (os);
  e->os_name = g_strdup (os_name);
  e->release = g_strdup (group + strlen ("release "));
  g_strstrip (e->release);
  if (*e->release == '\0' || strchr (e->release, ' ') != NULL || strchr (e->release, '/') != NULL)
    return fail (error, path, group, NULL, "a release name is one word: [release NAME]");
  e->id = g_strconcat (os, "-", e->release, NULL);
  e->path = g_strdup (path);
  if (!get_string (kf, path, group, "name", TRUE, &e->name, error) ||
      !get_string (kf, path, group, "profile", TRUE, &e->profile, error) ||
      !get_string (kf, path, group, "page-size", TRUE, &page, error) ||
      !get_string (kf, path, group, "source", TRUE, &e->source, error))
    return FALSE;
  if (g_str_equal (page, "4K"))
    e->page_size = 4096;
  else if (g_str_equal (page, "64K"))
    e->page_size = 65536;
  else
    return fail (error, path, group, "page-size", "'%s' is not 4K or 64K", page);
  e->mmu = g_key_file_get_string_list (kf, group, "mmu", &n_mmu, NULL);
  if (e->mmu == NULL || n_mmu == 0)
    return fail (error, path, group, "mmu", "missing (required): radix;hash, radix or hash");
  for (gsize i = 0; i < n_mmu; i++) {
    g_strstrip (e->mmu[i]);
    if (!g_str_equal (e->mmu[i], "radix") && !g_str_equal (e->mmu[i], "hash"))
      return fail (error, path, group, "mmu", "'%s' is not radix or hash", e->mmu[i]);
  }
  if (!parse_media (kf, path, group, CATALOGUE_MEDIA_ISO, &e->iso, error) ||
      !parse_media (kf, path, group, CATALOGUE_MEDIA_CLOUD, &e->cloud, error))
    return FALSE;
  if (e->iso == NULL && e->cloud == NULL)
    return fail (error, path, group, NULL, "neither iso-url nor cloud-url");
  *ret = g_steal_pointer (&e);
  return TRUE;
}

static gboolean
os_name_is_valid (const char *os)
{
  if (*os == '\0' || !g_ascii_isalnum (*os))
    return FALSE;
  for (const char *p = os; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
load_file_into (GPtrArray *out, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *os = g_strndup (base, strlen (base) - (g_str_has_suffix (base, ".conf") ? 5 : 0));
  g_autofree char *os_name = NULL;
  g_autofree char *def = NULL;
  g_auto (GStrv) groups = NULL;
  g_auto (GStrv) os_keys = NULL;
  guint first = out->len;
  gboolean found_default = FALSE;

  if (!os_name_is_valid (os))
    return fail (error, path, "os", NULL,
                 "'%s' is not an OS name: the file is NAME.conf, NAME in lower-case letters and digits",
                 os);
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: %s", path, local->message);
    return FALSE;
  }
  if (!g_key_file_has_group (kf, "os"))
    return fail (error, path, "os", NULL, "missing group");
  os_keys = g_key_file_get_keys (kf, "os", NULL, NULL);
  for (int i = 0; os_keys[i] != NULL; i++)
    if (!g_str_equal (os_keys[i], "name") && !g_str_equal (os_keys[i], "default"))
      return fail (error, path, "os", os_keys[i], "unknown key");
  if (!get_string (kf, path, "os", "name", TRUE, &os_name, error) ||
      !get_string (kf, path, "os", "default", TRUE, &def, error))
    return FALSE;
  groups = g_key_file_get_groups (kf, NULL);
  for (int i = 0; groups[i] != NULL; i++) {
    CatalogueEntry *e = NULL;
    if (g_str_equal (groups[i], "os"))
      continue;
    if (!g_str_has_prefix (groups[i], "release "))
      return fail (error, path, groups[i], NULL, "unknown group (expected [os] or [release NAME])");
    if (!parse_release (kf, path, os, os_name, groups[i], &e, error))
      return FALSE;
    for (guint j = first; j < out->len; j++)
      if (g_str_equal (((CatalogueEntry *) out->pdata[j])->release, e->release)) {
        entry_free (e);
        return fail (error, path, groups[i], NULL, "release listed twice");
      }
    if (g_str_equal (e->release, def))
      e->is_default = found_default = TRUE;
    g_ptr_array_add (out, e);
  }
  if (out->len == first)
    return fail (error, path, "os", NULL, "no [release NAME] group");
  if (!found_default)
    return fail (error, path, "os", "default", "'%s' is not one of the file's releases", def);
  return TRUE;
}

Catalogue *
catalogue_load_file (const char *path, GError **error)
{
  g_autoptr (Catalogue) c = g_new0 (Catalogue, 1);

  c->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  if (!load_file_into (c->entries, path, error))
    return NULL;
  return g_steal_pointer (&c);
}

static gint
str_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

Catalogue *
catalogue_load (const char *const *dirs, GError **error)
{
  g_autoptr (Catalogue) c = g_new0 (Catalogue, 1);
  g_auto (GStrv) own = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  c->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  if (dirs == NULL) {
    own = catalogue_search_dirs ();
    dirs = (const char *const *) own;
  }
  for (int i = 0; dirs[i] != NULL; i++) {
    g_autoptr (GDir) d = g_dir_open (dirs[i], 0, NULL);
    const char *name;
    if (d == NULL)
      continue;
    while ((name = g_dir_read_name (d)) != NULL) {
      if (!g_str_has_suffix (name, ".conf") || name[0] == '.' ||
          g_hash_table_contains (seen, name))
        continue;
      g_hash_table_add (seen, g_strdup (name));
      g_ptr_array_add (files, g_strdup (name));
      /* Remember the directory with the name: first found wins. */
      g_ptr_array_add (files, g_build_filename (dirs[i], name, NULL));
    }
  }
  {
    /* Sort by OS name: pairs (name, path) -> sorted list of paths. */
    g_autoptr (GPtrArray) names = g_ptr_array_new ();
    g_autoptr (GHashTable) path_of = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < files->len; i += 2) {
      g_ptr_array_add (names, files->pdata[i]);
      g_hash_table_insert (path_of, files->pdata[i], files->pdata[i + 1]);
    }
    g_ptr_array_sort (names, str_compare);
    for (guint i = 0; i < names->len; i++)
      if (!load_file_into (c->entries, g_hash_table_lookup (path_of, names->pdata[i]), error))
        return NULL;
  }
  return g_steal_pointer (&c);
}

/* Levenshtein distance, for "did you mean". */
static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++) {
    guint diag = row[0];
    row[0] = (guint) i;
    for (gsize j = 1; j <= lb; j++) {
      guint up = row[j];
      guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
      row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
      diag = up;
    }
  }
  return row[lb];
}

const CatalogueEntry *
catalogue_lookup (const Catalogue *catalogue, const char *spec, GError **error)
{
  GPtrArray *all = catalogue->entries;
  g_autoptr (GPtrArray) oses = g_ptr_array_new ();
  const char *os_match = NULL;
  const char *release = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  /* The longest OS name that SPEC is, or starts with followed by '-'. */
  for (guint i = 0; i < all->len; i++) {
    const CatalogueEntry *e = all->pdata[i];
    gsize n = strlen (e->os);
    if (oses->len == 0 || !g_str_equal (oses->pdata[oses->len - 1], e->os))
      g_ptr_array_add (oses, e->os);
    if (strncmp (spec, e->os, n) == 0 && (spec[n] == '\0' || spec[n] == '-') &&
        (os_match == NULL || n > strlen (os_match))) {
      os_match = e->os;
      release = spec[n] == '-' ? spec + n + 1 : NULL;
    }
  }
  if (os_match == NULL) {
    g_autofree char *head = g_strdup (spec);
    g_autoptr (GString) near = g_string_new (NULL);
    g_autoptr (GString) list = g_string_new (NULL);
    guint best = G_MAXUINT;
    char *dash = strchr (head, '-');
    if (dash != NULL)
      *dash = '\0';
    for (guint i = 0; i < oses->len; i++) {
      guint d = edit_distance (head, oses->pdata[i]);
      /* A prefix counts as near too: "deb" -> debian. */
      if (g_str_has_prefix (oses->pdata[i], head) && *head != '\0')
        d = MIN (d, 1);
      best = MIN (best, d);
      g_string_append_printf (list, "%s%s", i ? ", " : "", (char *) oses->pdata[i]);
    }
    for (guint i = 0; i < oses->len && best <= 3; i++) {
      guint d = edit_distance (head, oses->pdata[i]);
      if (g_str_has_prefix (oses->pdata[i], head) && *head != '\0')
        d = MIN (d, 1);
      if (d == best)
        g_string_append_printf (near, "%s%s", near->len ? " or " : "", (char *) oses->pdata[i]);
    }
    if (near->len > 0)
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                   "no OS '%s' in the catalogue; did you mean %s? (see 'ppcvm os')", spec, near->str);
    else
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                   "no OS '%s' in the catalogue; it has %s (see 'ppcvm os')", spec,
                   list->len ? list->str : "nothing");
    return NULL;
  }
  {
    g_autoptr (GString) rels = g_string_new (NULL);
    for (guint i = 0; i < all->len; i++) {
      const CatalogueEntry *e = all->pdata[i];
      if (!g_str_equal (e->os, os_match))
        continue;
      if (release == NULL ? e->is_default : g_str_equal (e->release, release))
        return e;
      g_string_append_printf (rels, "%s%s", rels->len ? ", " : "", e->id);
    }
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                 "the catalogue has no release '%s' of %s; it has %s", release ? release : "",
                 os_match, rels->str);
    return NULL;
  }
}
