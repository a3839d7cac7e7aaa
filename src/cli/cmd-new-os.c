/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm new NAME --os OS[-RELEASE]: get the media (cmd-get.c), then the
 * paired profile with the media filled in: an ISO with a fresh disk, or a
 * cloud image under a qcow2 overlay with a cloud-init NoCloud seed. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "commands.h"
#include "provision.h"
#include "util.h"

/* The user's public keys: FILE, else ~/.ssh/\*.pub. */
static char **
ssh_keys (const char *file, char **ret_file, GError **error)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *n;

  if (file != NULL) {
    *ret_file = g_canonicalize_filename (file, NULL);
    return provision_read_keys (file, error);
  }
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (n = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (n, ".pub"))
      g_ptr_array_add (names, g_build_filename (dir, n, NULL));
  for (guint i = 0; i < names->len; i++) {
    g_auto (GStrv) keys = provision_read_keys (names->pdata[i], error);
    if (keys == NULL)
      return NULL;
    for (int j = 0; keys[j] != NULL; j++)
      g_ptr_array_add (all, g_steal_pointer (&keys[j]));
  }
  if (all->len == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                 "no SSH public key in %s/*.pub for the cloud image's user: give --ssh-key FILE "
                 "(or [cloud-init] ssh-key= in the profile), or make one with ssh-keygen", dir);
    return NULL;
  }
  g_ptr_array_add (all, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&all), FALSE);
}

gboolean
cli_new_os_finish (const char *name, const char *src_path, const CatalogueEntry *e, const MediaResult *r,
                   CatalogueMediaKind kind, const char *ssh_key_file, gboolean force, char **text,
                   GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (Profile) srcp = profile_load (src_path, NULL, NULL);
  g_autofree char *body = NULL;
  g_autofree char *guest_name = NULL;

  if (!g_key_file_load_from_data (kf, *text, strlen (*text), G_KEY_FILE_KEEP_COMMENTS, error))
    return FALSE;
  if (kind == CATALOGUE_MEDIA_CLOUD) {
    g_autofree char *seed_name = g_strconcat (name, ".seed", NULL);
    g_autofree char *vmdir = g_build_filename (g_get_user_data_dir (), "ppcvm", "disks", seed_name, NULL);
    const char *user = srcp && srcp->ci_user ? srcp->ci_user : g_get_user_name ();
    g_autofree char *host = g_strdup (srcp && srcp->ci_hostname ? srcp->ci_hostname : name);
    g_autofree char *key_file = NULL;
    g_autofree char *instance = NULL;
    g_autofree char *ud = NULL;
    g_autofree char *md = NULL;
    g_autofree char *seed = NULL;
    g_autofree char *uuid = g_uuid_string_random ();
    g_auto (GStrv) keys = NULL;

    if (g_str_equal (user, "root"))
      user = "ppcvm"; /* cloud-init makes a user; root has one already */
    for (char *c = host; *c; c++)
      if (!g_ascii_isalnum (*c))
        *c = '-';
    keys = ssh_keys (ssh_key_file ? ssh_key_file : srcp ? srcp->ci_ssh_key : NULL, &key_file, error);
    if (keys == NULL)
      return FALSE;
    if (!force && g_file_test (vmdir, G_FILE_TEST_EXISTS)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s already exists (use --force to replace it, or pick another NAME)", vmdir);
      return FALSE;
    }
    if (g_mkdir_with_parents (vmdir, 0700) < 0) {
      int errsv = errno;
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", vmdir, g_strerror (errsv));
      return FALSE;
    }
    instance = g_strdup_printf ("ppcvm-%s-%.8s", name, uuid);
    ud = provision_user_data (user, host, (const char *const *) keys);
    md = provision_meta_data (instance, host);
    if (!provision_build_seed (vmdir, ud, md, &seed, error))
      return FALSE;
    g_key_file_set_string (kf, "boot", "cdrom", seed);
    g_key_file_set_comment (kf, "boot", "cdrom",
                            " The cloud-init NoCloud seed (label cidata), read-only; made by 'ppcvm new --os'",
                            NULL);
    g_key_file_set_string (kf, "cloud-init", "user", user);
    g_key_file_set_string (kf, "cloud-init", "hostname", host);
    if (key_file != NULL)
      g_key_file_set_string (kf, "cloud-init", "ssh-key", key_file);
  }
  guest_name = g_strdup_printf ("%s (%s)", name, e->name);
  g_key_file_set_string (kf, "guest", "name", guest_name);
  body = g_key_file_to_data (kf, NULL, error);
  if (body == NULL)
    return FALSE;
  g_free (*text);
  *text = g_strdup_printf ("# %s: made by 'ppcvm new %s --os %s%s' from %s.\n"
                           "# Media: %s (%s)\n#\n%s",
                           name, name, e->id, kind == CATALOGUE_MEDIA_CLOUD ? " --cloud" : "", e->profile,
                           r->path,
                           r->signature == MEDIA_SIGNATURE_VERIFIED ? "checksum and signature verified"
                                                                    : "checksum verified",
                           body);
  return TRUE;
}
