/* SPDX-License-Identifier: GPL-2.0-or-later */
/* provision.h: qemu-img and xorriso do the formats; we only assemble. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-c/json.h>

#include "provision.h"
#include "util.h"

static gboolean
run (const char *const *argv, GError **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *prog = g_find_program_in_path (argv[0]);
  int status = 0;

  if (prog == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "%s is not installed (apt-get install %s)",
                 argv[0], g_str_equal (argv[0], "qemu-img") ? "qemu-utils" : argv[0]);
    return FALSE;
  }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                     error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s failed: %s", cmd, g_strstrip (err));
    return FALSE;
  }
  return TRUE;
}

gboolean
provision_create_disk (const char *path, const char *size, const char *backing,
                       const char *backing_format, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, "qemu-img");
  g_ptr_array_add (argv, "create");
  g_ptr_array_add (argv, "-q");
  g_ptr_array_add (argv, "-f");
  g_ptr_array_add (argv, "qcow2");
  if (backing != NULL) {
    g_ptr_array_add (argv, "-b");
    g_ptr_array_add (argv, (gpointer) backing);
    g_ptr_array_add (argv, "-F");
    g_ptr_array_add (argv, (gpointer) backing_format);
  }
  g_ptr_array_add (argv, (gpointer) path);
  if (size != NULL)
    g_ptr_array_add (argv, (gpointer) size);
  g_ptr_array_add (argv, NULL);
  return run ((const char *const *) argv->pdata, error);
}

/* A YAML scalar: a JSON string is a valid double-quoted YAML scalar. */
static const char *
q (json_object *holder, const char *s)
{
  json_object *o = json_object_new_string (s);
  json_object_array_add (holder, o);
  return json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

char *
provision_user_data (const char *user, const char *hostname, const char *const *keys)
{
  json_object *hold = json_object_new_array ();
  GString *s = g_string_new ("#cloud-config\n");

  g_string_append_printf (s, "hostname: %s\n", q (hold, hostname));
  g_string_append (s, "users:\n");
  g_string_append_printf (s, "  - name: %s\n", q (hold, user));
  g_string_append (s, "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n");
  g_string_append (s, "    lock_passwd: true\n");
  g_string_append (s, "    ssh_authorized_keys:\n");
  for (int i = 0; keys != NULL && keys[i] != NULL; i++)
    g_string_append_printf (s, "      - %s\n", q (hold, keys[i]));
  json_object_put (hold);
  return g_string_free (s, FALSE);
}

char *
provision_meta_data (const char *instance_id, const char *hostname)
{
  json_object *hold = json_object_new_array ();
  char *s = g_strdup_printf ("instance-id: %s\nlocal-hostname: %s\n", q (hold, instance_id),
                             q (hold, hostname));
  json_object_put (hold);
  return s;
}

char **
provision_read_keys (const char *file, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_get_contents (file, &text, NULL, error))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++) {
    char *l = g_strstrip (lines[i]);
    if (*l == '\0' || *l == '#')
      continue;
    if (!g_str_has_prefix (l, "ssh-") && !g_str_has_prefix (l, "ecdsa-") && !g_str_has_prefix (l, "sk-")) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s: line %d is not an OpenSSH public key (ssh-ed25519 AAAA..., ssh-rsa ...)", file, i + 1);
      return NULL;
    }
    g_ptr_array_add (keys, g_strdup (l));
  }
  if (keys->len == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s holds no public key", file);
    return NULL;
  }
  g_ptr_array_add (keys, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&keys), FALSE);
}

gboolean
provision_build_seed (const char *dir, const char *user_data, const char *meta_data, char **ret_iso,
                      GError **error)
{
  g_autofree char *ud = g_build_filename (dir, "user-data", NULL);
  g_autofree char *md = g_build_filename (dir, "meta-data", NULL);
  g_autofree char *iso = g_build_filename (dir, "seed.iso", NULL);
  g_autofree char *tmp = g_build_filename (dir, "seed.iso.tmp", NULL);
  const char *argv[] = { "xorriso", "-as", "mkisofs", "-quiet", "-o", tmp, "-V", "cidata", "-J", "-r",
                         ud, md, NULL };

  if (!ppcvm_write_file_atomic (ud, user_data, -1, 0600, error) ||
      !ppcvm_write_file_atomic (md, meta_data, -1, 0600, error))
    return FALSE;
  g_unlink (tmp);
  if (!run (argv, error))
    return FALSE;
  if (g_rename (tmp, iso) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot rename %s: %s", tmp, g_strerror (errsv));
    return FALSE;
  }
  *ret_iso = g_steal_pointer (&iso);
  return TRUE;
}
