/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "profile-private.h"
#include "util.h"

typedef gboolean (*GroupLoader) (LoadContext *ctx, const char *group, Profile *p, GError **error);

static const char *const guest_keys[] = { "name", "mmu", "page-size", "cpu", "memory", "smp", "threads",
                                          "nested", "accel", "machine", "display", "vnc",
                                          "vnc-password-file", "mem-path", "uuid", "endian",
                                          "compat", NULL };
static const char *const boot_keys[] = { "kernel", "initrd", "append", "firmware", "bios", "cdrom",
                                         "order", NULL };
static const char *const disk_keys[] = { "file", "format", "interface", "readonly", NULL };
static const char *const network_keys[] = { "mode", "forward", "ifname", "model", "rom", NULL };
static const char *const qemu_keys[] = { "args", "binary", NULL };
static const char *const cloud_init_keys[] = { "user", "hostname", "ssh-key", NULL };
static const char *const ssh_keys[] = { "user", "identity", "port", "forward", NULL };

void
profile_disk_free (ProfileDisk *d)
{
  if (d == NULL)
    return;
  g_free (d->name);
  g_free (d->file);
  g_free (d->format);
  g_free (d->interface);
  g_free (d);
}

void
profile_forward_free (ProfileForward *fwd)
{
  if (fwd == NULL)
    return;
  g_free (fwd->host_addr);
  g_free (fwd->guest_addr);
  g_free (fwd);
}

ProfileForward *
profile_forward_new (ForwardProto proto, const char *host_addr, guint16 host_port, const char *guest_addr,
                     guint16 guest_port)
{
  ProfileForward *f = g_new0 (ProfileForward, 1);

  f->proto = proto;
  f->host_addr = g_strdup (host_addr);
  f->host_port = host_port;
  f->guest_addr = g_strdup (guest_addr);
  f->guest_port = guest_port;
  return f;
}

const char *
profile_forward_proto_to_string (ForwardProto proto)
{
  return proto == FORWARD_UDP ? "udp" : "tcp";
}

char *
profile_forward_to_string (const ProfileForward *f)
{
  return g_strdup_printf ("%s:%s%s%u-%s:%u", profile_forward_proto_to_string (f->proto),
                          f->host_addr ? f->host_addr : "", f->host_addr ? ":" : "", f->host_port,
                          f->guest_addr ? f->guest_addr : "", f->guest_port);
}

Profile *
profile_new_defaults (void)
{
  Profile *p = g_new0 (Profile, 1);

  p->mmu = GUEST_MMU_RADIX;
  p->page_size = 65536;
  p->cpu_generation = 0;
  p->memory = G_GUINT64_CONSTANT (2) << 30;
  p->smp = 2;
  p->accel = ACCEL_AUTO;
  p->machine = g_strdup ("pseries");
  p->display = DISPLAY_SERIAL;
  p->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_disk_free);
  p->net_mode = NET_USER;
  p->forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_forward_free);
  p->qemu_args = g_new0 (char *, 1);
  p->ssh_port = 22;
  p->ssh_forward = TRUE;
  return p;
}

void
profile_free (Profile *p)
{
  if (p == NULL)
    return;
  g_free (p->path);
  g_free (p->id);
  g_free (p->name);
  g_free (p->uuid);
  g_free (p->machine);
  g_free (p->vnc_listen);
  g_free (p->vnc_password_file);
  g_free (p->mem_path);
  g_free (p->kernel);
  g_free (p->initrd);
  g_free (p->append);
  g_free (p->bios);
  g_free (p->cdrom);
  g_clear_pointer (&p->disks, g_ptr_array_unref);
  g_clear_pointer (&p->forwards, g_ptr_array_unref);
  g_free (p->net_ifname);
  g_free (p->net_model);
  g_free (p->net_rom);
  g_strfreev (p->qemu_args);
  g_free (p->qemu_binary);
  g_free (p->ci_user);
  g_free (p->ci_hostname);
  g_free (p->ci_ssh_key);
  g_free (p->ssh_user);
  g_free (p->ssh_identity);
  g_free (p);
}

typedef struct {
  const char *group;
  const char *const *keys;
  GroupLoader load;
} GroupDef;

static const GroupDef groups[] = {
  { "guest", guest_keys, profile_load_guest },
  { "boot", boot_keys, profile_load_boot },
  { "disk:", disk_keys, profile_load_disk }, /* a prefix: [disk:NAME] */
  { "network", network_keys, profile_load_network },
  { "qemu", qemu_keys, profile_load_qemu },
  { "cloud-init", cloud_init_keys, profile_load_cloud_init },
  { "ssh", ssh_keys, profile_load_ssh },
};

static gboolean
disk_name_is_valid (const char *name)
{
  /* The name is also the -drive id, which QEMU wants to start with a letter. */
  return g_ascii_isalpha (name[0]) && profile_is_word (name, "_-");
}

/* The definition of GROUP; NULL with ERROR set (SOURCE: ...) when unknown. */
static const GroupDef *
find_group (const char *source, const char *group, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (groups); i++) {
    if (g_str_equal (groups[i].group, "disk:") && g_str_has_prefix (group, "disk:")) {
      if (disk_name_is_valid (group + 5))
        return &groups[i];
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s: [%s]: '%s' is not a disk name (a letter, then letters, digits, '_' "
                   "or '-')", source, group, group + 5);
      return NULL;
    }
    if (g_str_equal (groups[i].group, group))
      return &groups[i];
  }
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
               "%s: unknown group [%s] (accepted: [guest], [boot], [disk:NAME], [network], "
               "[qemu], [cloud-init], [ssh])", source, group);
  return NULL;
}

static gboolean
check_key (const char *source, const GroupDef *def, const char *group, const char *key,
           GError **error)
{
  g_autofree char *accepted = NULL;

  if (g_strv_contains (def->keys, key))
    return TRUE;
  accepted = profile_join_names (def->keys, ", ");
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
               "%s: [%s] unknown key '%s' (accepted: %s)", source, group, key, accepted);
  return FALSE;
}

static gboolean
check_structure (LoadContext *ctx, GError **error)
{
  g_auto (GStrv) names = g_key_file_get_groups (ctx->kf, NULL);

  for (int i = 0; names[i] != NULL; i++) {
    const GroupDef *def = find_group (ctx->filename, names[i], error);
    g_auto (GStrv) keys = NULL;

    if (def == NULL)
      return FALSE;
    keys = g_key_file_get_keys (ctx->kf, names[i], NULL, NULL);
    for (int j = 0; keys != NULL && keys[j] != NULL; j++)
      if (!check_key (ctx->filename, def, names[i], keys[j], error))
        return FALSE;
  }
  return TRUE;
}

/* GKeyFile silently merges repeated groups and keeps the last of repeated
 * keys; either is almost always a copy-paste mistake, so scan the text. */
static gboolean
check_duplicates (const char *data, const char *filename, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  g_autofree char *group = NULL;

  for (guint n = 0; lines[n] != NULL; n++) {
    char *line = g_strstrip (lines[n]);
    g_autofree char *id = NULL;
    char *eq;
    guint first;

    if (*line == '\0' || *line == '#' || *line == ';')
      continue;
    if (*line == '[') {
      char *end = strrchr (line, ']');
      g_free (group);
      group = g_strndup (line + 1, end != NULL ? (gsize) (end - line - 1) : strlen (line + 1));
      id = g_strconcat ("[", group, NULL);
    } else if ((eq = strchr (line, '=')) != NULL && group != NULL) {
      *eq = '\0';
      id = g_strconcat (group, "\037", g_strchomp (line), NULL);
    } else {
      continue;
    }
    first = GPOINTER_TO_UINT (g_hash_table_lookup (seen, id));
    if (first != 0) {
      if (*line == '[')
        g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                     "%s:%u: duplicate group [%s] (first at line %u)", filename, n + 1, group,
                     first);
      else
        g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                     "%s:%u: [%s] duplicate key '%s' (first at line %u)", filename, n + 1,
                     group, line, first);
      return FALSE;
    }
    g_hash_table_insert (seen, g_steal_pointer (&id), GUINT_TO_POINTER (n + 1));
  }
  return TRUE;
}

static gboolean
apply_override (LoadContext *ctx, const char *ov, GError **error)
{
  const char *eq = strchr (ov, '=');
  const char *dot = NULL;
  g_autofree char *source = g_strdup_printf ("-s %s", ov);
  g_autofree char *group = NULL;
  g_autofree char *key = NULL;
  const GroupDef *def;

  for (const char *p = ov; eq != NULL && p < eq; p++)
    if (*p == '.')
      dot = p;
  if (dot == NULL || dot == ov || dot + 1 == eq) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s: expected GROUP.KEY=VALUE, e.g. -s guest.memory=4G", source);
    return FALSE;
  }
  group = g_strndup (ov, (gsize) (dot - ov));
  key = g_strndup (dot + 1, (gsize) (eq - dot - 1));
  if ((def = find_group (source, group, error)) == NULL
      || !check_key (source, def, group, key, error))
    return FALSE;
  g_key_file_set_string (ctx->kf, group, key, eq + 1);
  g_hash_table_replace (ctx->overrides, profile_override_id (group, key), g_steal_pointer (&source));
  return TRUE;
}

static char *
profile_id_from_filename (const char *filename)
{
  g_autofree char *base = g_path_get_basename (filename);

  if (g_str_has_suffix (base, ".conf") && strlen (base) > 5)
    base[strlen (base) - 5] = '\0';
  return g_steal_pointer (&base);
}

static Profile *
load_text (const char *data, gsize len, const char *filename, const char *const *overrides,
           GError **error)
{
  g_autoptr (Profile) p = profile_new_defaults ();
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GHashTable) ov = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) local = NULL;
  g_autofree char *abs = g_canonicalize_filename (filename, NULL);
  g_autofree char *dir = g_path_get_dirname (abs);
  g_auto (GStrv) names = NULL;
  LoadContext ctx = { filename, dir, kf, ov };
  const char *bad = NULL;

  if (!g_utf8_validate (data, (gssize) len, &bad)) {
    guint line = 1;
    for (const char *c = data; c < bad; c++)
      line += *c == '\n';
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s:%u: not a profile: the file is not UTF-8 text", filename, line);
    return NULL;
  }
  /* KEEP_TRANSLATIONS: otherwise GKeyFile drops "name[de]=" lines silently
   * instead of letting them be reported as unknown keys. */
  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_KEEP_TRANSLATIONS, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s: not a profile (an INI file of [group] headers and key=value lines): %s",
                 filename, local->message);
    return NULL;
  }
  if (!check_duplicates (data, filename, error) || !check_structure (&ctx, error))
    return NULL;
  for (gsize i = 0; overrides != NULL && overrides[i] != NULL; i++)
    if (!apply_override (&ctx, overrides[i], error))
      return NULL;

  p->id = profile_id_from_filename (filename);
  names = g_key_file_get_groups (kf, NULL);
  for (gsize d = 0; d < G_N_ELEMENTS (groups); d++) {
    for (int i = 0; names[i] != NULL; i++) {
      gboolean match = g_str_equal (groups[d].group, "disk:")
                         ? g_str_has_prefix (names[i], "disk:")
                         : g_str_equal (groups[d].group, names[i]);
      if (match && !groups[d].load (&ctx, names[i], p, error))
        return NULL;
    }
  }
  if (p->name == NULL)
    p->name = g_strdup (p->id);
  return g_steal_pointer (&p);
}

Profile *
profile_load_data (const char *data, const char *filename, const char *const *overrides,
                   GError **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (filename != NULL, NULL);

  return load_text (data, strlen (data), filename, overrides, error);
}

Profile *
profile_load (const char *path, const char *const *overrides, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  Profile *p;

  g_return_val_if_fail (path != NULL, NULL);

  if (!ppcvm_read_file_max (path, PPCVM_READ_MAX_PROFILE, &data, &len, &local)) {
    g_set_error (error, PPCVM_ERROR,
                 g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? PPCVM_ERROR_NOT_FOUND : PPCVM_ERROR_FAILED,
                 "%s", local->message);
    return NULL;
  }
  p = load_text (data, len, path, overrides, error);
  if (p != NULL)
    p->path = g_canonicalize_filename (path, NULL);
  return p;
}

/* The search directories in order, each once; *RET_SOURCES (if not NULL)
 * gets where each comes from, in the words of ppcvm(1) FILES: env, user,
 * system, data or source. */
GStrv
profile_search_dirs_full (GStrv *ret_sources)
{
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) sources = g_ptr_array_new ();
  const char *env = g_getenv ("PPCVM_PROFILE_PATH");
  const char *const *data_dirs = g_get_system_data_dirs ();
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) all_sources = g_ptr_array_new ();

#define ADD(dir, source) (g_ptr_array_add (all, (dir)), g_ptr_array_add (all_sources, (gpointer) (source)))
  if (env != NULL) {
    g_auto (GStrv) parts = g_strsplit (env, ":", -1);
    for (int i = 0; parts[i] != NULL; i++)
      if (*parts[i] != '\0')
        ADD (g_strdup (parts[i]), "env");
  }
  ADD (g_build_filename (g_get_user_config_dir (), "ppcvm", "profiles", NULL), "user");
  ADD (g_build_filename (PPCVM_SYSCONFDIR, "profiles", NULL), "system");
  for (int i = 0; data_dirs[i] != NULL; i++)
    ADD (g_build_filename (data_dirs[i], "ppcvm", "profiles", NULL), "data");
  ADD (g_build_filename (PPCVM_DATADIR, "profiles", NULL), "data");
  /* Last, so that an uninstalled build finds the shipped profiles. */
  ADD (g_strdup (PPCVM_SOURCE_PROFILES), "source");
#undef ADD

  for (guint i = 0; i < all->len; i++) {
    const char *d = all->pdata[i];
    gboolean dup = FALSE;
    for (guint j = 0; j < dirs->len && !dup; j++)
      dup = g_str_equal (dirs->pdata[j], d);
    if (!dup) {
      g_ptr_array_add (dirs, g_strdup (d));
      g_ptr_array_add (sources, g_strdup (all_sources->pdata[i]));
    }
  }
  g_ptr_array_add (dirs, NULL);
  g_ptr_array_add (sources, NULL);
  if (ret_sources != NULL)
    *ret_sources = (GStrv) g_ptr_array_free (g_steal_pointer (&sources), FALSE);
  else
    g_strfreev ((GStrv) g_ptr_array_free (g_steal_pointer (&sources), FALSE));
  return (GStrv) g_ptr_array_free (g_steal_pointer (&dirs), FALSE);
}

GStrv
profile_search_dirs (void)
{
  return profile_search_dirs_full (NULL);
}

char *
profile_find (const char *name, GError **error)
{
  g_auto (GStrv) dirs = NULL;
  g_autofree char *file = NULL;
  g_autofree char *list = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (strchr (name, '/') != NULL || g_str_has_suffix (name, ".conf")) {
    struct stat st;
    if (stat (name, &st) != 0) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "%s: no such profile file", name);
      return NULL;
    }
    if (S_ISDIR (st.st_mode)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: is a directory, not a profile",
                   name);
      return NULL;
    }
    return g_canonicalize_filename (name, NULL);
  }
  if (*name == '\0') {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "empty profile name");
    return NULL;
  }

  dirs = profile_search_dirs ();
  file = g_strconcat (name, ".conf", NULL);
  for (int i = 0; dirs[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (dirs[i], file, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
      return g_canonicalize_filename (path, NULL);
  }
  list = g_strjoinv (", ", dirs);
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
               "no profile '%s': %s is not in any of %s", name, file, list);
  return NULL;
}

guint
profile_ssh_host_port (const Profile *profile)
{
  for (guint i = 0; profile->forwards != NULL && i < profile->forwards->len; i++) {
    const ProfileForward *f = g_ptr_array_index (profile->forwards, i);
    if (f->proto == FORWARD_TCP && f->guest_port == profile->ssh_port)
      return f->host_port;
  }
  return 0;
}
