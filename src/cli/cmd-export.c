/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm export --libvirt: the plan as a libvirt domain XML. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "libvirt.h"
#include "output.h"
#include "planner.h"
#include "util.h"

int
cmd_export (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_auto (CliHostOptions) o = { 0 };
  g_auto (GStrv) rest = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (HostFacts) facts = NULL;
  int status;
  g_autoptr (Plan) plan = NULL;
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *password = NULL;
  g_autofree char *xml = NULL;
  gboolean libvirt = FALSE;
  LibvirtOptions lo = { 0 };
  GOptionEntry entries[] = {
    { "libvirt", 0, 0, G_OPTION_ARG_NONE, &libvirt, "Export a libvirt domain XML (virsh define FILE)", NULL },
    { "host", 0, 0, G_OPTION_ARG_FILENAME, &o.host_file, "Plan for the host described in FILE (ppcvm host --json)", "FILE" },
    { "sysroot", 0, 0, G_OPTION_ARG_FILENAME, &o.sysroot, "Read the host's /proc, /sys and /dev under DIR", "DIR" },
    { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &o.qemu, "The qemu-system-ppc64 binary", "PATH" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &o.sets, "Override a profile key (repeatable)", "GROUP.KEY=VALUE" },
    { "accel", 0, 0, G_OPTION_ARG_STRING, &o.accel, "auto, kvm, hv, pr or tcg", "ACCEL" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  if (!cli_parse ("export", "--libvirt PROFILE",
                  "Export the guest's plan for another manager: --libvirt prints a libvirt domain XML.",
                  entries, &argc, &argv, &error)) {
    cli_error (error);
    return EXIT_USAGE;
  }
  if (!libvirt) {
    fprintf (stderr, "ppcvm: error: say which format: --libvirt. See 'ppcvm export --help'\n");
    return EXIT_USAGE;
  }
  if (rest == NULL || rest[0] == NULL || rest[1] != NULL) {
    fprintf (stderr, "ppcvm: error: %s. See 'ppcvm export --help'\n",
             rest == NULL || rest[0] == NULL ? "no profile given" : "expected one profile");
    return EXIT_USAGE;
  }
  if (!cli_load_profile_and_host (rest[0], &o, &profile, &facts, &status))
    return status;
  plan = plan_build (facts, facts->qemu, profile);
  if (plan->status != PLAN_OK) {
    g_autofree char *s = output_refusal_text (plan, profile);
    fputs (s, stderr);
    return EXIT_REFUSED;
  }
  if (profile->vnc_password_file != NULL) {
    if (!g_file_get_contents (profile->vnc_password_file, &password, NULL, &error)) {
      cli_error (error);
      return EXIT_ERROR;
    }
    g_strchomp (password);
    lo.vnc_password = password;
  }
  /* A big-endian host's guests are ppc64; otherwise ppc64le. */
  lo.arch = g_strcmp0 (facts->arch, "ppc64") == 0 ? "ppc64" : "ppc64le";
  lo.emulator = facts->qemu != NULL ? facts->qemu->path : NULL;
  xml = libvirt_domain_xml (plan, profile, &lo, notes);
  for (guint i = 0; i < plan->warnings->len; i++)
    fprintf (stderr, "ppcvm: warning: %s\n", (char *) plan->warnings->pdata[i]);
  for (guint i = 0; i < notes->len; i++)
    fprintf (stderr, "ppcvm: note: %s\n", (char *) notes->pdata[i]);
  fputs (xml, stdout);
  return EXIT_OK;
}
