/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The installed profiles: every NAME.conf in the search directories, where
 * each comes from, and which ones a profile of the same name shadows. */
#include "config.h"

#include <string.h>

#include "profile-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProfileEntry, profile_entry_free)

void
profile_entry_free (ProfileEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->id);
  g_free (e->source);
  g_free (e->path);
  g_free (e->guest_name);
  g_free (e->description);
  g_free (e->shadowed_by);
  g_free (e);
}

/* The first comment line ("# text"), skipping an empty "#" line; NULL if the
 * file does not start with a comment. */
static char *
first_comment (const char *data)
{
  g_auto (GStrv) lines = g_strsplit (data, "\n", 40);

  for (int i = 0; lines[i] != NULL; i++) {
    char *l = g_strstrip (lines[i]);
    if (*l == '\0')
      continue;
    if (*l != '#' && *l != ';')
      return NULL;
    l = g_strstrip (l + 1);
    if (*l != '\0')
      return g_strdup (l);
  }
  return NULL;
}

/* Read what the listing shows without validating: a profile with a missing
 * disk image is still installed, and `ppcvm plan` says what is wrong. */
static ProfileEntry *
entry_read (const char *dir, const char *file, const char *source)
{
  g_autoptr (ProfileEntry) e = g_new0 (ProfileEntry, 1);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize len = 0;

  e->path = g_build_filename (dir, file, NULL);
  e->id = g_strndup (file, strlen (file) - strlen (".conf"));
  e->source = g_strdup (source);
  if (g_file_get_contents (e->path, &data, &len, NULL) && g_utf8_validate (data, (gssize) len, NULL)) {
    e->description = first_comment (data);
    if (g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, NULL))
      e->guest_name = g_key_file_get_string (kf, "guest", "name", NULL);
  }
  if (e->guest_name != NULL && *g_strstrip (e->guest_name) == '\0')
    g_clear_pointer (&e->guest_name, g_free);
  if (e->guest_name == NULL)
    e->guest_name = g_strdup (e->id);
  return g_steal_pointer (&e);
}

static gint
entry_compare (gconstpointer a, gconstpointer b)
{
  const ProfileEntry *x = *(ProfileEntry *const *) a;
  const ProfileEntry *y = *(ProfileEntry *const *) b;

  /* Same id: search order is kept (the winner first), the sort being stable. */
  return strcmp (x->id, y->id);
}

static gint
str_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Every NAME.conf in the search directories, sorted by name; for a name found
 * twice, the first in search order wins and the others are shadowed. */
GPtrArray *
profile_list_installed (void)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_entry_free);
  g_autoptr (GHashTable) winner = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto (GStrv) sources = NULL;
  g_auto (GStrv) dirs = profile_search_dirs_full (&sources);
  for (int i = 0; dirs[i] != NULL; i++) {
    g_autoptr (GDir) d = g_dir_open (dirs[i], 0, NULL);
    g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
    const char *name;

    if (d == NULL)
      continue;
    while ((name = g_dir_read_name (d)) != NULL) {
      g_autofree char *path = NULL;
      if (!g_str_has_suffix (name, ".conf") || strlen (name) <= strlen (".conf") || name[0] == '.')
        continue;
      path = g_build_filename (dirs[i], name, NULL);
      /* The same test profile_find makes. */
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_strdup (name));
    }
    g_ptr_array_sort (files, str_compare);
    for (guint j = 0; j < files->len; j++) {
      ProfileEntry *e = entry_read (dirs[i], g_ptr_array_index (files, j), sources[i]);
      ProfileEntry *first = g_hash_table_lookup (winner, e->id);
      if (first != NULL)
        e->shadowed_by = g_strdup (first->path);
      else
        g_hash_table_insert (winner, e->id, e);
      g_ptr_array_add (out, e);
    }
  }
  g_ptr_array_sort (out, entry_compare);
  return g_steal_pointer (&out);
}
