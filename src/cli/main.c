/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm: plan and run QEMU POWER (pseries) guests from a profile and the
 * host's facts. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

/* A command returns FALSE with the error, or TRUE; the two whose status is
 * the guest's (run passes qemu's through, stop says how the guest ended) set
 * it in *ret_status. */
typedef struct {
  const char *name;
  CmdFunc fn;
  CmdStatusFunc status_fn;
  gboolean launches; /* starts qemu: 125/126/127 on failure (ppcvm(1)) */
  const char *summary;
} Command;

static const Command commands[] = {
  { "host", cmd_host, NULL, FALSE, "Show what this host is and what it can run" },
  { "plan", cmd_plan, NULL, FALSE, "Plan a guest: print its qemu command line, or why it cannot run" },
  { "run", NULL, cmd_run, TRUE, "Plan a guest, check everything, and run qemu" },
  { "list", cmd_list, NULL, FALSE, "List the running detached guests" },
  { "stop", NULL, cmd_stop, FALSE, "Power a detached guest off (QMP), or quit or kill it" },
  { "console", cmd_console, NULL, FALSE, "Attach to a detached guest's serial console" },
  { "profiles", cmd_profiles, NULL, FALSE, "List the installed profiles and where each comes from" },
  { "new", cmd_new, NULL, FALSE, "Copy a profile into your profile directory to edit it" },
  { "matrix", cmd_matrix, NULL, FALSE, "What this host can run: HV, PR, TCG or blocked, per guest kind" },
  { "hugepages", cmd_hugepages, NULL, FALSE, "The hugepages a profile needs here, and the commands (or --apply)" },
  { "desktop-entry", cmd_desktop, NULL, FALSE, "Print (or --install) a desktop launcher for a profile" },
  { "import", cmd_import, NULL, FALSE, "Turn a qemu-system-ppc64 command line into a profile" },
  { "export", cmd_export, NULL, FALSE, "Export a profile's plan as libvirt domain XML (--libvirt)" },
  { "get", cmd_get, NULL, FALSE, "Download an OS's ISO or cloud image into the cache, verified" },
  { "os", cmd_os, NULL, FALSE, "The catalogue of POWER operating systems: media, page size, MMU, profile" },
  { "ssh", cmd_ssh, NULL, FALSE, "Log in to a detached guest over SSH (its forwarded loopback port)" },
  { "snapshot", cmd_snapshot, NULL, FALSE, "Create, list, revert or delete snapshots of a guest's qcow2 disks" },
  { "rm", cmd_rm, NULL, FALSE, "Delete a stopped guest's profile (and with --disks, the disks ppcvm new made)" },
};

/* Run C: the one place that prints a command's error and picks the exit
 * status for it. */
static int
dispatch (const Command *c, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status = EXIT_OK;
  gboolean ok = c->fn != NULL ? c->fn (argc, argv, &error) : c->status_fn (argc, argv, &status, &error);

  if (ok)
    return status;
  g_assert (error != NULL); /* a command never fails silently */
  cli_print_error (c->name, error);
  return cli_exit_status (error, c->launches);
}

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

/* The locale's character set matters to ppcvm only where GLib converts
 * text: GOption turns string arguments from it into UTF-8, and
 * G_FILENAME_ENCODING / G_BROKEN_FILENAMES make file names follow it.
 * ppcvm's own messages, help texts and files are ASCII or UTF-8 whatever the
 * locale, so an all-ASCII command line converts alike in every locale, and
 * does not pay for loading it (locale.alias, LC_CTYPE, gconv: about a tenth
 * of a warm `ppcvm plan`; bench/plan-warm.sh). */
static gboolean
needs_locale (int argc, char **argv)
{
  if (g_getenv ("G_FILENAME_ENCODING") != NULL || g_getenv ("G_BROKEN_FILENAMES") != NULL)
    return TRUE;
  for (int i = 1; i < argc; i++)
    for (const unsigned char *c = (const unsigned char *) argv[i]; *c != '\0'; c++)
      if (*c >= 0x80)
        return TRUE;
  return FALSE;
}

/* GLib 2.74 (Debian 12) serves g_slice_new () from a page per object size;
 * GLib 2.76 made it plain malloc. Ask 2.74 for the same through its
 * documented G_SLICE=always-malloc, before glib's own constructor reads it
 * (priority 101 runs first when glib is linked in, the default): nine fewer
 * page faults, a tenth of a warm plan's start (bench/plan-warm.sh). main ()
 * takes it out of the environment again, so qemu does not inherit it. */
static gboolean slice_env_set;

__attribute__ ((constructor (101))) static void
slice_use_malloc (void)
{
  if (getenv ("G_SLICE") == NULL)
    slice_env_set = setenv ("G_SLICE", "always-malloc", 0) == 0;
}

int
main (int argc, char **argv)
{
  if (slice_env_set)
    unsetenv ("G_SLICE");
  /* Only the character type: ppcvm has no translations, and loading every
   * locale category costs two dozen file opens on each (cached, sub-2 ms) call. */
  if (needs_locale (argc, argv))
    setlocale (LC_CTYPE, "");

  g_autoptr (GError) error = NULL;

  if (argc < 2) {
    cli_usage_error (&error, "no command given");
    cli_print_error (NULL, error);
    return cli_exit_status (error, FALSE);
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
      return dispatch (&commands[i], argc - 1, argv + 1);
  }
  cli_usage_error (&error, "unknown command '%s'", argv[1]);
  cli_print_error (NULL, error);
  return cli_exit_status (error, FALSE);
}
