/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm snapshot NAME create|list|revert|delete [TAG]: internal qcow2
 * snapshots of a guest's disks; qemu-img when the guest is stopped, QMP
 * while it runs (never a revert under a running guest).
 * ppcvm rm NAME [--disks] [--yes]: delete a stopped guest's profile (and the
 * disks `ppcvm new` made for it). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "commands.h"
#include "disk.h"
#include "qmp.h"
#include "state.h"
#include "util.h"

#define QMP_SNAPSHOT_TIMEOUT_MS 60000

/* The running guest NAME, or NULL (no error) when none runs. */
static GuestState *
find_running (const char *name, GError **error)
{
  g_autoptr (GError) local = NULL;
  GuestState *s = state_lookup_guest (name, NULL, &local);

  if (s == NULL && !g_error_matches (local, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local));
  return s;
}

/* The guest's profile: the running guest's, else the profile NAME. */
static Profile *
load_guest_profile (const char *name, const GuestState *running, GError **error)
{
  g_autofree char *path = NULL;

  if (running != NULL && running->profile != NULL)
    return profile_load (running->profile, NULL, error);
  path = profile_find (name, error);
  return path != NULL ? profile_load (path, NULL, error) : NULL;
}

/* The writable disks, each a qcow2 (checked by qemu-img, not by the profile's
 * word alone); a disk of another format refuses the whole operation. */
static GPtrArray *
snapshot_disks (const Profile *p, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new ();

  for (guint i = 0; p->disks != NULL && i < p->disks->len; i++) {
    const ProfileDisk *d = p->disks->pdata[i];
    g_autoptr (DiskInfo) info = NULL;
    if (d->readonly)
      continue;
    if ((info = disk_info (d->file, d->format, error)) == NULL)
      return NULL;
    if (!g_str_equal (info->format, "qcow2")) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "[disk:%s] %s is %s: only qcow2 disks hold snapshots (convert it: qemu-img convert -O "
                   "qcow2)", d->name, d->file, info->format);
      return NULL;
    }
    g_ptr_array_add (out, (gpointer) d);
  }
  if (out->len == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s has no writable disk to snapshot",
                 p->path != NULL ? p->path : p->id);
    return NULL;
  }
  return g_steal_pointer (&out);
}

static gboolean
has_tag (const ProfileDisk *d, const char *tag, GError **error, gboolean *ret)
{
  g_autoptr (DiskInfo) info = disk_info (d->file, "qcow2", error);

  if (info == NULL)
    return FALSE;
  *ret = FALSE;
  for (guint i = 0; i < info->snapshots->len; i++)
    if (g_str_equal (((DiskSnapshot *) info->snapshots->pdata[i])->tag, tag))
      *ret = TRUE;
  return TRUE;
}

static gboolean
snapshot_list (GPtrArray *disks, GError **error)
{
  printf ("%-24s  %-19s  %s\n", "TAG", "DATE", "DISK");
  for (guint i = 0; i < disks->len; i++) {
    const ProfileDisk *d = disks->pdata[i];
    g_autoptr (DiskInfo) info = disk_info (d->file, "qcow2", error);
    if (info == NULL)
      return FALSE;
    for (guint j = 0; j < info->snapshots->len; j++) {
      const DiskSnapshot *s = info->snapshots->pdata[j];
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (s->date);
      g_autofree char *date = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("-");
      printf ("%-24s  %-19s  %s (%s)\n", s->tag, date, d->name, d->file);
    }
  }
  return TRUE;
}

/* Every disk of DISKS has TAG, or none (create). */
static gboolean
disks_agree (GPtrArray *disks, const char *op, const char *tag, GError **error)
{
  for (guint i = 0; i < disks->len; i++) {
    const ProfileDisk *d = disks->pdata[i];
    gboolean present = FALSE;
    if (!has_tag (d, tag, error, &present))
      return FALSE;
    if (g_str_equal (op, "create") && present) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "[disk:%s] %s already has a snapshot '%s' (delete it first, or pick another TAG)", d->name,
                   d->file, tag);
      return FALSE;
    }
    if (!g_str_equal (op, "create") && !present) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "[disk:%s] %s has no snapshot '%s'", d->name,
                   d->file, tag);
      return FALSE;
    }
  }
  return TRUE;
}

/* Create or delete TAG on the disks of the RUNNING guest, through QMP. */
static gboolean
snapshot_running (const GuestState *running, GPtrArray *disks, const char *op, const char *tag, GError **error)
{
  const char *cmd = g_str_equal (op, "create") ? "blockdev-snapshot-internal-sync"
                                               : "blockdev-snapshot-delete-internal-sync";
  g_autoptr (QmpClient) qmp = NULL;

  if (g_str_equal (op, "revert")) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "guest '%s' is running (pid %d): reverting its disks underneath it would corrupt them; "
                 "'ppcvm stop %s' first", running->name, (int) running->pid, running->name);
    return FALSE;
  }
  if ((qmp = qmp_client_connect (running->qmp_socket, 5000, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < disks->len; i++) {
    const ProfileDisk *d = disks->pdata[i];
    g_autoptr (json_object) args = json_object_new_object ();
    g_autoptr (json_object) ret = NULL;
    json_object_object_add (args, "device", json_object_new_string (d->name));
    json_object_object_add (args, "name", json_object_new_string (tag));
    ret = qmp_client_execute (qmp, cmd, args, QMP_SNAPSHOT_TIMEOUT_MS, error);
    if (ret == NULL) {
      g_prefix_error (error, "[disk:%s] QMP %s: ", d->name, cmd);
      return FALSE;
    }
  }
  return TRUE;
}

/* Create, revert to or delete TAG on the disks of a stopped guest (qemu-img). */
static gboolean
snapshot_stopped (GPtrArray *disks, const char *op, const char *tag, GError **error)
{
  char c = g_str_equal (op, "create") ? 'c' : g_str_equal (op, "revert") ? 'a' : 'd';

  for (guint i = 0; i < disks->len; i++) {
    const ProfileDisk *d = disks->pdata[i];
    if (!disk_snapshot (d->file, c, tag, error)) {
      g_prefix_error (error, "[disk:%s] ", d->name);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
cmd_snapshot (int argc, char **argv, GError **error)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr (GuestState) running = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (GPtrArray) disks = NULL;
  g_autofree char *tag = NULL;
  const char *name, *op;

  if (!cli_parse ("snapshot", "NAME create|list|revert|delete [TAG]",
                  "Internal snapshots of a guest's qcow2 disks: qemu-img while it is stopped; create and delete\n"
                  "also through QMP while it runs (revert only while stopped). create's TAG defaults to the "
                  "date and time.",
                  entries, &argc, &argv, error))
    return FALSE;
  if (argc < 3 || argc > 4)
    return cli_usage_error (error, "give a guest NAME, then create, list, revert or delete, then a TAG");
  name = argv[1];
  op = argv[2];
  if (!g_str_equal (op, "create") && !g_str_equal (op, "list") && !g_str_equal (op, "revert")
      && !g_str_equal (op, "delete"))
    return cli_usage_error (error, "unknown snapshot operation '%s' (create, list, revert or delete)", op);
  if (argc == 4) {
    tag = g_strdup (argv[3]);
  } else if (g_str_equal (op, "create")) {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    tag = g_date_time_format (now, "snap-%Y%m%d-%H%M%S");
  } else if (!g_str_equal (op, "list"))
    return cli_usage_error (error, "snapshot %s needs a TAG (see 'ppcvm snapshot %s list')", op, name);
  if (tag != NULL && (g_str_equal (op, "list") || !disk_snapshot_tag_is_valid (tag)))
    return cli_usage_error (error, "%s",
             g_str_equal (op, "list") ? "list takes no TAG"
                                      : "a TAG is 1 to 64 letters, digits, '.', '_' or '-', not all digits");

  running = find_running (name, error);
  if (*error != NULL)
    goto fail;
  if ((profile = load_guest_profile (name, running, error)) == NULL
      || (disks = snapshot_disks (profile, error)) == NULL)
    goto fail;
  if (g_str_equal (op, "list"))
    return snapshot_list (disks, error);

  /* Every disk must agree before any changes. */
  if (!disks_agree (disks, op, tag, error))
    goto fail;
  if (running != NULL ? !snapshot_running (running, disks, op, tag, error) : !snapshot_stopped (disks, op, tag, error))
    goto fail;
  printf ("%s\n", tag);
  cli_message ("%s snapshot '%s' of %u disk%s of '%s'%s",
               g_str_equal (op, "create") ? "created" : g_str_equal (op, "revert") ? "reverted to" : "deleted", tag,
               disks->len, disks->len == 1 ? "" : "s", name, running != NULL ? " (running, through QMP)" : "");
  return TRUE;

fail:
  return FALSE;
}

/* ---- rm -------------------------------------------------------------------- */

/* The disks `ppcvm new` made for PROFILE: those under $XDG_DATA_HOME/ppcvm/disks. */
static GPtrArray *
created_disks (const Profile *p)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "ppcvm", "disks", NULL);
  g_autofree char *prefix = g_strconcat (dir, "/", NULL);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; p->disks != NULL && i < p->disks->len; i++) {
    const ProfileDisk *d = p->disks->pdata[i];
    if (g_str_has_prefix (d->file, prefix) && strchr (d->file + strlen (prefix), '/') == NULL)
      g_ptr_array_add (out, d->file);
  }
  return out;
}

/* Asks on the terminal whether to delete PATH and FILES; FALSE (and an
 * error) unless the answer is yes. */
static gboolean
confirm_rm (const char *path, GPtrArray *files, GError **error)
{
  char answer[16] = "";

  if (!isatty (STDIN_FILENO))
    return cli_usage_error (error, "not on a terminal: confirm with --yes");
  fprintf (stderr, "ppcvm: delete %s", path);
  for (guint i = 0; i < files->len; i++)
    fprintf (stderr, "%s%s", i + 1 == files->len ? " and " : ", ", (char *) files->pdata[i]);
  fprintf (stderr, "? [y/N] ");
  if (fgets (answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y')) {
    fprintf (stderr, "ppcvm: nothing deleted\n");
    g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, ""); /* said above: exit 1 */
    return FALSE;
  }
  return TRUE;
}

/* FILES (already gone is fine), then the profile PATH. */
static gboolean
delete_files (GPtrArray *files, const char *path, GError **error)
{
  for (guint i = 0; i < files->len; i++) {
    if (g_unlink (files->pdata[i]) != 0 && errno != ENOENT) {
      int errsv = errno;
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot delete %s: %s", (char *) files->pdata[i],
                   g_strerror (errsv));
      return FALSE;
    }
    cli_message ("deleted %s", (char *) files->pdata[i]);
  }
  if (g_unlink (path) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot delete %s: %s", path, g_strerror (errsv));
    return FALSE;
  }
  cli_message ("deleted %s", path);
  return TRUE;
}

gboolean
cmd_rm (int argc, char **argv, GError **error)
{
  gboolean disks = FALSE, yes = FALSE;
  GOptionEntry entries[] = {
    { "disks", 0, 0, G_OPTION_ARG_NONE, &disks, "Also delete the disk files 'ppcvm new' created for it", NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes, "Do not ask (required when not on a terminal)", NULL },
    { NULL },
  };
  g_autoptr (GuestState) running = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (GPtrArray) files = NULL;
  g_autofree char *path = NULL;
  g_autofree char *user_dir = g_build_filename (g_get_user_config_dir (), "ppcvm", "profiles", NULL);
  const char *name;

  if (!cli_parse ("rm", "NAME", "Delete the profile NAME from $XDG_CONFIG_HOME/ppcvm/profiles, and with --disks "
                  "the disks\n'ppcvm new' created for it ($XDG_DATA_HOME/ppcvm/disks). Refused while the guest runs.",
                  entries, &argc, &argv, error))
    return FALSE;
  if (argc != 2)
    return cli_usage_error (error, "give one profile NAME");
  name = argv[1];
  if (strchr (name, '/') != NULL || g_str_has_suffix (name, ".conf"))
    return cli_usage_error (error, "'%s' is not a profile name: rm deletes only profiles in %s", name, user_dir);
  running = find_running (name, error);
  if (*error != NULL)
    goto fail;
  if (running != NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "guest '%s' is running (pid %d); 'ppcvm stop %s' first",
                 name, (int) running->pid, name);
    goto fail;
  }
  if ((path = profile_find (name, error)) == NULL)
    goto fail;
  {
    g_autofree char *dir = g_path_get_dirname (path);
    if (!g_str_equal (dir, user_dir)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s is not in %s: rm deletes only your own profiles (those 'ppcvm new' writes)", path, user_dir);
      goto fail;
    }
  }
  /* The profile may not load (a disk already gone): then only it goes. */
  profile = profile_load (path, NULL, NULL);
  files = profile != NULL && disks ? created_disks (profile) : g_ptr_array_new ();
  if (disks && profile == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s does not load, so its disks are unknown; fix it, or rm without --disks", path);
    goto fail;
  }
  if (!yes && !confirm_rm (path, files, error))
    return FALSE;
  return delete_files (files, path, error);

fail:
  return FALSE;
}
