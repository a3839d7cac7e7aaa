/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm profiles: which profiles are installed, and where each comes from.
 * ppcvm new: copy one into the user's profile directory to edit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "commands.h"
#include "output.h"
#include "util.h"

#define PROFILE_NAME_MAX 64

typedef struct {
  char *id;          /* what `ppcvm plan ID` takes */
  char *source;      /* env, user, system, data or source */
  char *path;
  char *guest_name;  /* [guest] name=, else the id */
  char *description; /* the file's first comment line, or NULL */
  char *shadowed_by; /* the path that wins for this id, or NULL */
} ProfileEntry;

static void
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
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProfileEntry, profile_entry_free)

/* Where a search directory comes from, in the words of ppcvm(1) FILES. */
static const char *
dir_source (const char *dir, const char *const *env_dirs)
{
  g_autofree char *user = g_build_filename (g_get_user_config_dir (), "ppcvm", "profiles", NULL);
  g_autofree char *sys = g_build_filename (PPCVM_SYSCONFDIR, "profiles", NULL);

  if (env_dirs != NULL && g_strv_contains (env_dirs, dir))
    return "env";
  if (g_str_equal (dir, user))
    return "user";
  if (g_str_equal (dir, sys))
    return "system";
  if (g_str_equal (dir, PPCVM_SOURCE_PROFILES))
    return "source";
  return "data";
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
static GPtrArray *
collect_profiles (void)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_entry_free);
  g_autoptr (GHashTable) winner = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto (GStrv) dirs = profile_search_dirs ();
  g_auto (GStrv) env_dirs = NULL;
  const char *env = g_getenv ("PPCVM_PROFILE_PATH");

  if (env != NULL)
    env_dirs = g_strsplit (env, ":", -1);
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
      ProfileEntry *e = entry_read (dirs[i], g_ptr_array_index (files, j),
                                    dir_source (dirs[i], (const char *const *) env_dirs));
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

static void
print_json (GPtrArray *entries)
{
  json_object *root = json_object_new_object ();
  json_object *arr = json_object_new_array ();

  json_object_object_add (root, "schema", json_object_new_string ("ppcvm-profiles/1"));
  for (guint i = 0; i < entries->len; i++) {
    const ProfileEntry *e = g_ptr_array_index (entries, i);
    json_object *o = json_object_new_object ();
    json_object_object_add (o, "name", json_object_new_string (e->id));
    json_object_object_add (o, "source", json_object_new_string (e->source));
    json_object_object_add (o, "path", json_object_new_string (e->path));
    json_object_object_add (o, "guest_name", json_object_new_string (e->guest_name));
    json_object_object_add (o, "description",
                            e->description ? json_object_new_string (e->description) : NULL);
    json_object_object_add (o, "shadowed_by",
                            e->shadowed_by ? json_object_new_string (e->shadowed_by) : NULL);
    json_object_array_add (arr, o);
  }
  json_object_object_add (root, "profiles", arr);
  output_print_json (stdout, root);
}

static void
print_text (GPtrArray *entries)
{
  int wid = 4, wsrc = 6;

  for (guint i = 0; i < entries->len; i++) {
    const ProfileEntry *e = g_ptr_array_index (entries, i);
    wid = MAX (wid, (int) strlen (e->id));
    wsrc = MAX (wsrc, (int) strlen (e->source));
  }
  printf ("%-*s  %-*s  %s\n", wid, "NAME", wsrc, "SOURCE", "DESCRIPTION");
  for (guint i = 0; i < entries->len; i++) {
    const ProfileEntry *e = g_ptr_array_index (entries, i);
    printf ("%-*s  %-*s  %s\n", wid, e->id, wsrc, e->source,
            e->description ? e->description : e->guest_name);
    if (e->shadowed_by != NULL)
      printf ("%-*s  %-*s  %s (shadowed by %s)\n", wid, "", wsrc, "", e->path, e->shadowed_by);
    else
      printf ("%-*s  %-*s  %s\n", wid, "", wsrc, "", e->path);
  }
  if (entries->len == 0) {
    g_auto (GStrv) dirs = profile_search_dirs ();
    g_autofree char *list = g_strjoinv (", ", dirs);
    fprintf (stderr, "ppcvm: no profiles found in %s\n", list);
  }
}

int
cmd_profiles (int argc, char **argv)
{
  gboolean json = FALSE, names = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (schema ppcvm-profiles/1)", NULL },
    { "names", 0, 0, G_OPTION_ARG_NONE, &names, "Print only the profile names, one per line", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;

  if (!cli_parse ("profiles", "",
                  "List the installed profiles, where each comes from and what it is.\n"
                  "Search order: $PPCVM_PROFILE_PATH, $XDG_CONFIG_HOME/ppcvm/profiles, "
                  "/etc/ppcvm/profiles, the data dirs; the first NAME.conf found wins.",
                  entries, &argc, &argv, &error)) {
    cli_error (error);
    return EXIT_USAGE;
  }
  if (argc > 1) {
    fprintf (stderr, "ppcvm: error: unexpected argument '%s'. See 'ppcvm profiles --help'\n", argv[1]);
    return EXIT_USAGE;
  }
  if (json && names) {
    fprintf (stderr, "ppcvm: error: --json and --names exclude each other. See 'ppcvm profiles --help'\n");
    return EXIT_USAGE;
  }
  list = collect_profiles ();
  if (names) {
    for (guint i = 0; i < list->len; i++) {
      const ProfileEntry *e = g_ptr_array_index (list, i);
      if (e->shadowed_by == NULL)
        printf ("%s\n", e->id);
    }
  } else if (json) {
    print_json (list);
  } else {
    print_text (list);
  }
  return EXIT_OK;
}

/* A profile name: what `ppcvm plan NAME` finds. It must not look like a path
 * (a '/' or a ".conf" suffix), and a leading '-' would read as an option. */
static gboolean
new_name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > PROFILE_NAME_MAX || !g_ascii_isalnum (name[0]))
    return FALSE;
  if (g_str_has_suffix (name, ".conf"))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-+", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* Write DATA to PATH: O_EXCL unless FORCE (then atomically replaced). */
static gboolean
write_profile (const char *path, const char *data, gsize len, gboolean force, GError **error)
{
  ppcvm_autofd int fd = -1;
  gsize done = 0;

  if (force)
    return ppcvm_write_file_atomic (path, data, (gssize) len, 0644, error);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int errsv = errno;
    if (errsv == EEXIST)
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s already exists (use --force to overwrite it)", path);
    else
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", path,
                   g_strerror (errsv));
    return FALSE;
  }
  while (done < len) {
    ssize_t n = write (fd, data + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int errsv = errno;
      unlink (path);
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot write %s: %s", path,
                   g_strerror (errsv));
      return FALSE;
    }
    done += (gsize) n;
  }
  if (close (g_steal_fd (&fd)) < 0) {
    int errsv = errno;
    unlink (path);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot write %s: %s", path,
                 g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

int
cmd_new (int argc, char **argv)
{
  g_autofree char *from = NULL;
  gboolean force = FALSE;
  g_auto (GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "The profile to copy (a name from 'ppcvm profiles', or a path)", "PROFILE" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite an existing profile of that name", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *data = NULL;
  g_autoptr (Profile) check = NULL;
  gsize len = 0;
  const char *name;

  if (!cli_parse ("new", "NAME --from PROFILE",
                  "Copy PROFILE into $XDG_CONFIG_HOME/ppcvm/profiles/NAME.conf, to edit it there.", entries,
                  &argc, &argv, &error)) {
    cli_error (error);
    return EXIT_USAGE;
  }
  if (rest == NULL || rest[0] == NULL) {
    fprintf (stderr, "ppcvm: error: no profile name given. See 'ppcvm new --help'\n");
    return EXIT_USAGE;
  }
  if (rest[1] != NULL) {
    fprintf (stderr, "ppcvm: error: unexpected argument '%s'. See 'ppcvm new --help'\n", rest[1]);
    return EXIT_USAGE;
  }
  name = rest[0];
  if (!new_name_is_valid (name)) {
    fprintf (stderr, "ppcvm: error: '%s' is not a profile name (up to %d letters, digits, '.', "
             "'_', '-' or '+', starting with a letter or digit, without .conf). "
             "See 'ppcvm new --help'\n", name, PROFILE_NAME_MAX);
    return EXIT_USAGE;
  }
  if (from == NULL) {
    fprintf (stderr, "ppcvm: error: --from PROFILE is required (see 'ppcvm profiles'). "
             "See 'ppcvm new --help'\n");
    return EXIT_USAGE;
  }

  src = profile_find (from, &error);
  if (src == NULL || !g_file_get_contents (src, &data, &len, &error)) {
    cli_error (error);
    return EXIT_ERROR;
  }
  dir = g_build_filename (g_get_user_config_dir (), "ppcvm", "profiles", NULL);
  file = g_strconcat (name, ".conf", NULL);
  dest = g_build_filename (dir, file, NULL);
  if (g_str_equal (src, dest)) {
    fprintf (stderr, "ppcvm: error: %s is the profile to copy; nothing to do\n", dest);
    return EXIT_ERROR;
  }
  if (g_mkdir_with_parents (dir, 0755) < 0) {
    int errsv = errno;
    fprintf (stderr, "ppcvm: error: cannot create %s: %s\n", dir, g_strerror (errsv));
    return EXIT_ERROR;
  }
  /* The copy is another guest: it must not share the original's libvirt
   * UUID (without one, export derives it from the new name). */
  {
    g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
    GString *out = g_string_new (NULL);
    for (guint i = 0; lines[i] != NULL; i++) {
      const char *l = lines[i];
      while (*l == ' ' || *l == '\t')
        l++;
      if (g_str_has_prefix (l, "uuid") && strchr (" \t=", l[4]) != NULL)
        continue;
      g_string_append (out, lines[i]);
      if (lines[i + 1] != NULL)
        g_string_append_c (out, '\n');
    }
    g_free (data);
    len = out->len;
    data = g_string_free (out, FALSE);
  }
  if (!write_profile (dest, data, len, force, &error)) {
    cli_error (error);
    return EXIT_ERROR;
  }
  printf ("%s\n", dest);
  /* A copy keeps its text, so a relative path in it now points elsewhere;
   * say so now rather than at the next `ppcvm run`. */
  check = profile_load (dest, NULL, &error);
  if (check == NULL)
    cli_message ("warning: the copy does not load as it is: %s", error->message);
  else
    cli_message ("created from %s; edit it, then: ppcvm plan %s", src, name);
  return EXIT_OK;
}
