/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm matrix: what this host can run, one planner verdict per guest kind. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "matrix.h"
#include "output.h"

gboolean
cmd_matrix (int argc, char **argv, GError **error)
{
  g_auto (CliHostOptions) o = { 0 };
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print the rows as JSON (schema " MATRIX_JSON_SCHEMA ")", NULL },
    { NULL }
  };
  g_autofree GOptionEntry *all = cli_option_entries (entries, &o, CLI_OPTIONS_HOST);

  if (!cli_parse ("matrix", NULL,
                  "What this host can run: for each kind of guest, HV, PR, TCG only or blocked by a setup step,\n"
                  "with the reason and the machine options ppcvm plan would use.",
                  all, &argc, &argv, error))
    return FALSE;
  if (argc > 1)
    return cli_usage_error (error, "unexpected argument '%s'", argv[1]);
  facts = cli_load_host (&o, NULL, FALSE, error);
  if (facts == NULL)
    return FALSE;
  rows = matrix_build (facts, facts->qemu);
  if (o.json) {
    cli_print_json (stdout, matrix_to_json (rows));
  } else {
    /* Colour only for a person at a terminal (https://no-color.org). */
    const char *nc = g_getenv ("NO_COLOR");
    gboolean colour = isatty (STDOUT_FILENO) && (nc == NULL || *nc == '\0');
    g_autofree char *s = matrix_to_text (facts, rows, colour);
    fputs (s, stdout);
  }
  return TRUE;
}
