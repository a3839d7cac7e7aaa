/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm: plan and run QEMU POWER (pseries) guests from a profile and the
 * host's facts. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const struct {
  const char *name;
  int (*fn) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "host", cmd_host, "Show what this host is and what it can run" },
  { "plan", cmd_plan, "Plan a guest: print its qemu command line, or why it cannot run" },
  { "run", cmd_run, "Plan a guest, check everything, and run qemu" },
  { "list", cmd_list, "List the running detached guests" },
  { "stop", cmd_stop, "Power a detached guest off (QMP), or quit or kill it" },
  { "console", cmd_console, "Attach to a detached guest's serial console" },
  { "ssh", cmd_ssh, "Log in to a detached guest over SSH (its forwarded loopback port)" },
  { "snapshot", cmd_snapshot, "Create, list, revert or delete snapshots of a guest's qcow2 disks" },
  { "rm", cmd_rm, "Delete a stopped guest's profile (and with --disks, the disks ppcvm new made)" },
  { "profiles", cmd_profiles, "List the installed profiles and where each comes from" },
  { "new", cmd_new, "Copy a profile into your profile directory to edit it" },
  { "matrix", cmd_matrix, "What this host can run: HV, PR, TCG or blocked, per guest kind" },
  { "hugepages", cmd_hugepages, "The hugepages a profile needs here, and the commands (or --apply)" },
  { "desktop-entry", cmd_desktop, "Print (or --install) a desktop launcher for a profile" },
  { "import", cmd_import, "Turn a qemu-system-ppc64 command line into a profile" },
  { "export", cmd_export, "Export a profile's plan as libvirt domain XML (--libvirt)" },
  { "get", cmd_get, "Download an OS's ISO or cloud image into the cache, verified" },
  { "os", cmd_os, "The catalogue of POWER operating systems: media, page size, MMU, profile" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: ppcvm COMMAND [OPTIONS...]\n\n"
                "Plan and run QEMU POWER guests from a profile and the host's facts.\n\n"
                "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'ppcvm COMMAND --help' for a command's options; see ppcvm(1).\n");
}

int
main (int argc, char **argv)
{
  /* Only the character type: ppcvm has no translations, and loading every
   * locale category costs two dozen file opens on each (cached, sub-2 ms) call. */
  setlocale (LC_CTYPE, "");

  if (argc < 2) {
    fprintf (stderr, "ppcvm: error: no command given. See 'ppcvm --help'\n");
    return EXIT_USAGE;
  }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help")) {
    usage (stdout);
    return EXIT_OK;
  }
  if (g_str_equal (argv[1], "--version")) {
    printf ("ppcvm %s\n", PPCVM_VERSION);
    return EXIT_OK;
  }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].fn (argc - 1, argv + 1);
  }
  fprintf (stderr, "ppcvm: error: unknown command '%s'. See 'ppcvm --help'\n", argv[1]);
  return EXIT_USAGE;
}
