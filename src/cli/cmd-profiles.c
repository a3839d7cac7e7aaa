/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm profiles: which profiles are installed, and where each comes from.
 * ppcvm new: copy one into the user's profile directory to edit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "commands.h"
#include "disk.h"
#include "output.h"
#include "state.h"
#include "table.h"
#include "util.h"
#include "util-json.h"


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
                            ppcvm_json_string_or_null (e->description));
    json_object_object_add (o, "shadowed_by",
                            ppcvm_json_string_or_null (e->shadowed_by));
    json_object_array_add (arr, o);
  }
  json_object_object_add (root, "profiles", arr);
  cli_print_json (stdout, root);
}

static void
print_text (GPtrArray *entries)
{
  g_autoptr (Table) table = table_new (3);
  g_autofree char *text = NULL;

  table_add_row (table, "NAME", "SOURCE", "DESCRIPTION", NULL);
  for (guint i = 0; i < entries->len; i++) {
    const ProfileEntry *e = g_ptr_array_index (entries, i);
    g_autofree char *where = e->shadowed_by != NULL
                                 ? g_strdup_printf ("%s (shadowed by %s)", e->path, e->shadowed_by)
                                 : g_strdup (e->path);
    table_add_row (table, e->id, e->source, e->description ? e->description : e->guest_name, NULL);
    table_add_row (table, "", "", where, NULL);
  }
  text = table_to_string (table);
  fputs (text, stdout);
  if (entries->len == 0) {
    g_auto (GStrv) dirs = profile_search_dirs ();
    g_autofree char *list = g_strjoinv (", ", dirs);
    fprintf (stderr, "ppcvm: no profiles found in %s\n", list);
  }
}

gboolean
cmd_profiles (int argc, char **argv, GError **error)
{
  gboolean json = FALSE, names = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (schema ppcvm-profiles/1)", NULL },
    { "names", 0, 0, G_OPTION_ARG_NONE, &names, "Print only the profile names, one per line", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) list = NULL;

  if (!cli_parse ("profiles", "",
                  "List the installed profiles, where each comes from and what it is.\n"
                  "Search order: $PPCVM_PROFILE_PATH, $XDG_CONFIG_HOME/ppcvm/profiles, "
                  "/etc/ppcvm/profiles, the data dirs; the first NAME.conf found wins.",
                  entries, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    return cli_usage_error (error, "unexpected argument '%s'", argv[1]);
  if (json && names)
    return cli_usage_error (error, "--json and --names exclude each other");
  list = profile_list_installed ();
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


#define DEFAULT_DISK_SIZE (G_GUINT64_CONSTANT (20) << 30)
#define MIN_DISK_SIZE (G_GUINT64_CONSTANT (1) << 20)

/* A disk size: a number with a K, M, G or T suffix (a bare number is
 * ambiguous: bytes to qemu-img, MiB to -m). */
static gboolean
parse_disk_size (const char *text, guint64 *ret, GError **error)
{
  if (!ppcvm_parse_size_unit (text, 0, ret, NULL)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "--disk-size '%s' is not a size (a number with K, M, G or T, e.g. 20G)", text);
    return FALSE;
  }
  if (*ret < MIN_DISK_SIZE) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "--disk-size '%s' is below 1M", text);
    return FALSE;
  }
  return TRUE;
}

/* FILE (--iso or --image) as an absolute path to a readable regular file. */
static char *
input_file (const char *option, const char *file, GError **error)
{
  g_autofree char *abs = g_canonicalize_filename (file, NULL);
  ppcvm_autofd int fd = open (abs, O_RDONLY | O_CLOEXEC);
  struct stat st;

  if (fd < 0 || fstat (fd, &st) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s %s: %s", option, abs, g_strerror (errsv));
    return NULL;
  }
  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s %s: not a regular file", option, abs);
    return NULL;
  }
  if (g_str_equal (option, "--iso")) {
    /* ISO 9660: "CD001" at byte 32769 (the primary volume descriptor). */
    char magic[5] = { 0 };
    if (pread (fd, magic, sizeof magic, 32769) != (ssize_t) sizeof magic || memcmp (magic, "CD001", 5) != 0) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "--iso %s: not an ISO 9660 image (no CD001 volume descriptor)", abs);
      return NULL;
    }
  }
  return g_steal_pointer (&abs);
}

typedef struct {
  const char *name;
  const char *from;
  const char *iso;        /* absolute, checked */
  const char *image;      /* absolute, checked */
  const char *image_format;
  const char *disk;       /* absolute, or NULL: no disk */
} NewPlan;

/* The copy's text: SRC with the disk and the cdrom written in. */
static char *
new_profile_text (const char *data, gsize len, const NewPlan *np, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *comment = NULL;

  if (np->disk == NULL && np->iso == NULL)
    return g_strndup (data, len);
  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_KEEP_COMMENTS, error))
    return NULL;
  if (np->iso != NULL)
    g_key_file_set_string (kf, "boot", "cdrom", np->iso);
  if (np->disk != NULL) {
    g_key_file_set_string (kf, "disk:root", "file", np->disk);
    g_key_file_set_string (kf, "disk:root", "format", "qcow2");
    if (!g_key_file_has_key (kf, "disk:root", "interface", NULL))
      g_key_file_set_string (kf, "disk:root", "interface", "virtio");
    comment = np->image != NULL
                ? g_strdup_printf (" Created by 'ppcvm new': a qcow2 overlay on %s (%s)", np->image,
                                   np->image_format)
                : g_strdup (" Created by 'ppcvm new' (qcow2); 'ppcvm rm --disks' deletes it");
    g_key_file_set_comment (kf, "disk:root", NULL, comment, NULL);
  }
  return g_key_file_to_data (kf, NULL, error);
}

/* REST is one valid profile NAME. */
static gboolean
check_name (char **rest, GError **error)
{
  if (rest == NULL || rest[0] == NULL)
    return cli_usage_error (error, "no profile name given");
  if (rest[1] != NULL)
    return cli_usage_error (error, "unexpected argument '%s'", rest[1]);
  /* A profile's file name is its guest's name: the one guest-name rule
   * (which also keeps it from looking like a path or an option), and no
   * .conf suffix, which `ppcvm plan NAME` would read as a path. */
  if (!state_check_guest_name (rest[0], NULL) || g_str_has_suffix (rest[0], ".conf"))
    return cli_usage_error (error, "'%s' is not a profile name (it names the guest: up to %d letters, digits, "
                            "'.', '_' or '-', starting with a letter or digit, without .conf)",
                            rest[0], STATE_NAME_MAX);
  return TRUE;
}

/* $XDG_DATA_HOME/ppcvm/disks/NAME.qcow2, which must not exist unless FORCE. */
static char *
new_disk_path (const char *name, gboolean force, GError **error)
{
  g_autofree char *disk_file = g_strconcat (name, ".qcow2", NULL);
  g_autofree char *disk = g_build_filename (g_get_user_data_dir (), "ppcvm", "disks", disk_file, NULL);
  struct stat st;

  if (!force && lstat (disk, &st) == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "the disk %s already exists (use --force to replace it, or pick another NAME)", disk);
    return NULL;
  }
  return g_steal_pointer (&disk);
}

/* $XDG_CONFIG_HOME/ppcvm/profiles/NAME.conf: not SRC itself, and new
 * unless FORCE. */
static char *
new_dest (const char *src, const char *name, gboolean force, GError **error)
{
  g_autofree char *file = g_strconcat (name, ".conf", NULL);
  g_autofree char *dest = g_build_filename (g_get_user_config_dir (), "ppcvm", "profiles", file, NULL);
  struct stat st;

  if (g_str_equal (src, dest)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s is the profile to copy; nothing to do", dest);
    return NULL;
  }
  if (!force && lstat (dest, &st) == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s already exists (use --force to overwrite it)",
                 dest);
    return NULL;
  }
  return g_steal_pointer (&dest);
}

/* NP's disk (of SIZE bytes), then the profile TEXT at DEST; the disk goes
 * again if the profile cannot be written. */
static gboolean
create_new (const NewPlan *np, const char *dest, const char *text, guint64 size, gboolean force, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (dest);

  if (g_mkdir_with_parents (dir, 0755) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror (errsv));
    return FALSE;
  }
  if (np->disk != NULL && !disk_create (np->disk, size, np->image, np->image_format, force, error))
    return FALSE;
  if (!write_profile (dest, text, strlen (text), force, error)) {
    if (np->disk != NULL)
      unlink (np->disk);
    return FALSE;
  }
  return TRUE;
}

/* The copy is another guest: it must not share the original's libvirt UUID
 * (without one, export derives it from the new name): DATA without its uuid
 * lines. */
static void
strip_uuid (char **data, gsize *len)
{
  g_auto (GStrv) lines = g_strsplit (*data, "\n", -1);
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
  g_free (*data);
  *len = out->len;
  *data = g_string_free (out, FALSE);
}

/* IMAGE's facts; --disk-size SIZE (DISK_SIZE as given) must not shrink it. */
static DiskInfo *
check_image (const char *image, guint64 size, const char *disk_size, GError **error)
{
  g_autoptr (DiskInfo) info = disk_info (image, NULL, error);

  if (info == NULL)
    return NULL;
  if (size != 0 && size < info->virtual_size) {
    g_autofree char *have = ppcvm_format_size_human (info->virtual_size);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "--disk-size %s is smaller than the image %s (%s); leave it out to keep the "
                 "image's size", disk_size, image, have);
    return NULL;
  }
  return g_steal_pointer (&info);
}

/* What `ppcvm new` made (NP; the disk of SIZE bytes), and whether the copy
 * DEST loads. */
static void
report_new (const NewPlan *np, const char *dest, guint64 size)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (Profile) check = NULL;

  if (np->disk != NULL) {
    g_autofree char *human = ppcvm_format_size_human (size);
    if (np->image != NULL)
      cli_message ("created the disk %s: a qcow2 overlay (%s) on %s (%s, left unchanged)", np->disk, human,
                   np->image, np->image_format);
    else
      cli_message ("created the disk %s (qcow2, %s)", np->disk, human);
  }
  if (np->iso != NULL)
    cli_message ("the guest boots %s from its cdrom: 'ppcvm run %s --install' installs", np->iso, np->name);
  /* A copy keeps its text, so a relative path in it now points elsewhere;
   * say so now rather than at the next `ppcvm run`. */
  check = profile_load (dest, NULL, &local);
  if (check == NULL)
    cli_message ("warning: the copy does not load as it is: %s", local->message);
  else
    cli_message ("created from %s; edit it, then: ppcvm plan %s", np->from, np->name);
}

/* What `new` was asked for, once the options are checked (nothing owned). */
typedef struct {
  const char *name;
  const char *from;      /* the profile to copy */
  const char *iso_arg;   /* --iso, or the media --os got */
  const char *image_arg; /* --image, or the cloud image --os got */
  const char *disk_size; /* --disk-size as typed */
  guint64 size;          /* ... parsed; 0 when not given */
  gboolean force;
  const char *os;        /* --os, with what it got: */
  const CatalogueEntry *entry;
  const MediaResult *media;
  CatalogueMediaKind kind;
  const char *ssh_key;
} NewRequest;

/* Everything is checked before anything is created. */
static gboolean
new_create (NewRequest *rq, GError **error)
{
  g_autofree char *src = NULL, *dest = NULL, *data = NULL, *text = NULL;
  g_autofree char *iso = NULL, *image = NULL, *disk = NULL;
  g_autoptr (DiskInfo) image_info = NULL;
  gsize len = 0;
  NewPlan np = { 0 };

  if ((rq->iso_arg != NULL && (iso = input_file ("--iso", rq->iso_arg, error)) == NULL)
      || (rq->image_arg != NULL && (image = input_file ("--image", rq->image_arg, error)) == NULL))
    return FALSE;
  if (image != NULL && (image_info = check_image (image, rq->size, rq->disk_size, error)) == NULL)
    return FALSE;
  src = profile_find (rq->from, error);
  if (src == NULL || !g_file_get_contents (src, &data, &len, error))
    return FALSE;
  if ((dest = new_dest (src, rq->name, rq->force, error)) == NULL)
    return FALSE;
  if (rq->disk_size != NULL || iso != NULL || image != NULL) {
    if ((disk = new_disk_path (rq->name, rq->force, error)) == NULL)
      return FALSE;
    if (image == NULL && rq->size == 0)
      rq->size = DEFAULT_DISK_SIZE;
  }
  strip_uuid (&data, &len);
  np = (NewPlan) { .name = rq->name, .from = src, .iso = iso, .image = image,
                   .image_format = image_info != NULL ? image_info->format : NULL, .disk = disk };
  if ((text = new_profile_text (data, len, &np, error)) == NULL)
    return FALSE;
  if (rq->os != NULL && !cli_new_os_finish (rq->name, src, rq->entry, rq->media, rq->kind, rq->ssh_key,
                                            rq->force, &text, error))
    return FALSE;
  if (!create_new (&np, dest, text, rq->size, rq->force, error))
    return FALSE;
  printf ("%s\n", dest);
  report_new (&np, dest, rq->size > 0 ? rq->size : image_info != NULL ? image_info->virtual_size : 0);
  return TRUE;
}

gboolean
cmd_new (int argc, char **argv, GError **error)
{
  g_autofree char *from = NULL;
  g_autofree char *disk_size = NULL;
  g_autofree char *iso_arg = NULL;
  g_autofree char *image_arg = NULL;
  gboolean force = FALSE;
  g_auto (GStrv) rest = NULL;
  g_autofree char *os = NULL;
  g_autofree char *ssh_key = NULL;
  gboolean cloud = FALSE;
  g_auto (CliGetOptions) g = { .timeout = 60, .retries = 3 };
  g_autoptr (Catalogue) cat = NULL;
  g_autoptr (MediaResult) media = NULL;
  GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, "The profile to copy (a name from 'ppcvm profiles', or a path)", "PROFILE" },
    { "disk-size", 0, 0, G_OPTION_ARG_STRING, &disk_size, "Create a qcow2 disk of SIZE (e.g. 20G) for the guest", "SIZE" },
    { "iso", 0, 0, G_OPTION_ARG_FILENAME, &iso_arg, "Install media: boot the guest's cdrom from FILE (and create a 20G disk)", "FILE" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image_arg, "Create the disk as a copy-on-write overlay on FILE (a cloud or disk image)", "FILE" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite an existing profile (and disk) of that name", NULL },
    { "os", 0, 0, G_OPTION_ARG_STRING, &os, "Get this OS's installer ISO (or --cloud image) as 'ppcvm get' does and use it as --iso (--image); --from defaults to its profile", "OS[-RELEASE]" },
    { "cloud", 0, 0, G_OPTION_ARG_NONE, &cloud, "With --os: the cloud image under an overlay, with a cloud-init seed as cdrom", NULL },
    { "ssh-key", 0, 0, G_OPTION_ARG_FILENAME, &ssh_key, "With --os --cloud: the public key for the guest's user (default ~/.ssh/*.pub)", "FILE" },
    CLI_GET_OPTION_ENTRIES (g),
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL },
  };
  g_autoptr (GError) local = NULL; /* --disk-size (a usage error) */
  const CatalogueEntry *entry = NULL;
  CatalogueMediaKind kind = CATALOGUE_MEDIA_ISO;
  guint64 size = 0;

  if (!cli_parse ("new", "NAME --from PROFILE",
                  "Copy PROFILE into $XDG_CONFIG_HOME/ppcvm/profiles/NAME.conf, to edit it there.\n"
                  "With --disk-size, --iso or --image, also create the guest's qcow2 disk in\n"
                  "$XDG_DATA_HOME/ppcvm/disks/NAME.qcow2 and write it (and the install media) into the copy.",
                  entries, &argc, &argv, error))
    return FALSE;
  if (!check_name (rest, error))
    return FALSE;
  if (os == NULL && (cloud || ssh_key || g.base_url || g.keyrings))
    return cli_usage_error (error, "--cloud, --ssh-key, --base-url and --keyring go with --os");
  if (os != NULL && (iso_arg != NULL || image_arg != NULL))
    return cli_usage_error (error, "--os gets the media itself: leave out --iso and --image");
  if (os != NULL && !cli_get_options_check (&g, error))
    return FALSE;
  if (os == NULL && from == NULL)
    return cli_usage_error (error, "--from PROFILE is required, or --os OS (see 'ppcvm profiles', 'ppcvm os')");
  if (disk_size != NULL && !parse_disk_size (disk_size, &size, &local))
    return cli_usage_error (error, "%s", local->message);
  if (os != NULL) {
    /* The verified media stands in for --iso or --image. */
    media = cli_get_media (os, cloud ? CATALOGUE_MEDIA_CLOUD : -1, &g, &entry, &cat, &kind, error);
    if (media == NULL)
      return FALSE;
    if (from == NULL)
      from = g_strdup (entry->profile);
    if (kind == CATALOGUE_MEDIA_CLOUD)
      image_arg = g_strdup (media->path);
    else
      iso_arg = g_strdup (media->path);
  }
  return new_create (&(NewRequest) { rest[0], from, iso_arg, image_arg, disk_size, size, force, os, entry, media,
                                    kind, ssh_key }, error);
}
