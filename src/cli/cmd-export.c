/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm export --libvirt: the plan as a libvirt domain XML. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "libvirt.h"
#include "output.h"
#include "planner.h"
#include "util.h"

/* virsh -c URI define: prints what was defined, or says why not. */
static gboolean
define_on (const char *uri, const char *xml, const Profile *profile, const char *uuid, GError **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *name = libvirt_domain_name (profile->name != NULL ? profile->name : profile->id);
  int fd, status;
  gboolean ok;

  fd = g_file_open_tmp ("ppcvm-domain-XXXXXX.xml", &tmp, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  if (!g_file_set_contents (tmp, xml, -1, error)) {
    unlink (tmp);
    return FALSE;
  }
  {
    const char *argv[] = { "virsh", "-c", uri, "define", tmp, NULL };
    ok = g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                       NULL, NULL, &out, &err, &status, error);
  }
  unlink (tmp);
  if (!ok) {
    g_prefix_error (error, "cannot run virsh (install libvirt-clients): ");
    return FALSE;
  }
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "virsh -c %s define: %s", uri, g_strstrip (err));
    return FALSE;
  }
  printf ("defined %s (uuid %s) on %s\n", name, uuid, uri);
  return TRUE;
}

/* The libvirt version to write for: --libvirt-version VERSION_ARG, else the
 * --connect daemon's, else the local libvirt's, else 9.0 (each fallback a
 * note). */
static gboolean
target_version (const char *version_arg, const char *connect, LibvirtOptions *lo, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (version_arg != NULL) {
    if (!libvirt_parse_version (version_arg, &lo->version, &local))
      return cli_usage_error (error, "--libvirt-version: %s", local->message);
  } else if (!libvirt_query_version (connect, &lo->version, &local)) {
    /* `virsh version` fails on a daemon without an emulator for its own
     * architecture (an x86 host running POWER guests under TCG). */
    if (connect != NULL) {
      cli_message ("note: %s; assuming the local libvirt's version", local->message);
      g_clear_error (&local);
    }
    if (connect == NULL || !libvirt_query_version (NULL, &lo->version, &local)) {
      cli_message ("note: %s; writing for libvirt 9.0", local->message);
      g_clear_error (&local);
    }
  }
  return TRUE;
}

gboolean
cmd_export (int argc, char **argv, GError **error)
{
  g_auto (CliHostOptions) o = { 0 };
  g_auto (GStrv) rest = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Plan) plan = NULL;
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *password = NULL;
  g_autofree char *xml = NULL;
  gboolean libvirt = FALSE;
  g_autofree char *version_arg = NULL;
  g_autofree char *connect = NULL;
  g_autofree char *passt = NULL;
  g_autofree char *uuid = NULL;
  LibvirtOptions lo = { 0 };
  GOptionEntry entries[] = {
    { "libvirt", 0, 0, G_OPTION_ARG_NONE, &libvirt, "Export a libvirt domain XML (virsh define FILE)", NULL },
    { "libvirt-version", 0, 0, G_OPTION_ARG_STRING, &version_arg, "Write for libvirt VERSION (default: the local libvirt's, or the --connect daemon's)", "X.Y" },
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &connect, "Define the domain on the libvirt at URI (virsh -c URI define) instead of printing it", "URI" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autofree GOptionEntry *all = cli_option_entries (entries, &o, CLI_OPTIONS_HOST | CLI_OPTIONS_OVERRIDES);

  if (!cli_parse ("export", "--libvirt PROFILE",
                  "Export the guest's plan for another manager: --libvirt prints a libvirt domain XML\n"
                  "written for the libvirt that will run it (--libvirt-version, else the local one's),\n"
                  "or defines it there with --connect URI.",
                  all, &argc, &argv, error))
    return FALSE;
  if (!libvirt)
    return cli_usage_error (error, "say which format: --libvirt");
  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    return cli_usage_error (error, "%s",
             rest == NULL || rest[0] == NULL ? "no profile given" : "expected one profile");
  if (!cli_load_profile_and_host (rest[0], &o, &profile, &facts, error))
    return FALSE;
  plan = plan_build (facts, facts->qemu, profile);
  if (plan->status != PLAN_OK) {
    g_autofree char *s = output_refusal_text (plan, profile);
    fputs (s, stderr);
    return cli_refused (error);
  }
  /* The VNC password never goes to stdout (terminals, logs, pipes): it is
   * put in the domain only when ppcvm hands it to virsh itself, through a
   * private (0600) file removed at once. */
  if (profile->vnc_password_file != NULL && connect != NULL) {
    if (!g_file_get_contents (profile->vnc_password_file, &password, NULL, error))
      return FALSE;
    g_strchomp (password);
    lo.vnc_password = password;
  } else if (profile->vnc_password_file != NULL) {
    g_ptr_array_add (notes, g_strdup_printf ("the VNC password (%s) is not printed: define the domain with "
                                             "--connect URI, which passes it to virsh, or add passwd='...' to "
                                             "<graphics> with virsh edit",
                                             profile->vnc_password_file));
  }
  if (!target_version (version_arg, connect, &lo, error))
    return FALSE;
  /* passt runs where libvirt runs: this machine's PATH tells for a local
   * libvirt; for another machine it is the best guess there is. */
  passt = g_find_program_in_path ("passt");
  lo.passt = passt != NULL;
  /* The guest's byte order (endian=) decides ppc64 or ppc64le. */
  lo.emulator = facts->qemu != NULL ? facts->qemu->path : NULL;
  uuid = libvirt_domain_uuid (profile);
  lo.uuid = uuid;
  xml = libvirt_domain_xml (plan, profile, &lo, notes);
  cli_print_warnings ("warning", plan->warnings);
  cli_print_warnings ("note", notes);
  if (connect != NULL)
    return define_on (connect, xml, profile, uuid, error);
  fputs (xml, stdout);
  return TRUE;
}
