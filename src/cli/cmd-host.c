/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "host-json.h"
#include "output.h"
#include "planner.h"

int
cmd_host (int argc, char **argv)
{
  g_auto (CliHostOptions) o = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (HostFacts) facts = NULL;
  GOptionEntry entries[] = {
    { "sysroot", 0, 0, G_OPTION_ARG_FILENAME, &o.sysroot, "Read /proc, /sys and /dev under DIR", "DIR" },
    { "host", 0, 0, G_OPTION_ARG_FILENAME, &o.host_file, "Load the facts from a ppcvm host --json file", "FILE" },
    { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &o.qemu, "The qemu-system-ppc64 binary to probe", "PATH" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print the facts as JSON (schema ppcvm-host/1)", NULL },
    { NULL }
  };

  if (!cli_parse ("host", NULL, "Show what this host is: CPU, MMU, page size, KVM, hugepages, qemu.",
                  entries, &argc, &argv, &error)) {
    cli_error (error);
    return EXIT_USAGE;
  }
  if (argc > 1) {
    fprintf (stderr, "ppcvm: error: unexpected argument '%s'. See 'ppcvm host --help'\n", argv[1]);
    return EXIT_USAGE;
  }
  facts = cli_load_host (&o, NULL, FALSE, &error);
  if (facts == NULL) {
    cli_error (error);
    return g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED) ? EXIT_USAGE : EXIT_ERROR;
  }
  if (o.json) {
    output_print_json (stdout, host_facts_to_json (facts));
  } else {
    g_autoptr (GPtrArray) advice = plan_host_advice (facts);
    g_autofree char *s = output_host_text (facts, advice);
    fputs (s, stdout);
  }
  return EXIT_OK;
}
