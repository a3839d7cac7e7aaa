/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm import: a qemu-system-ppc64 command line becomes a profile. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmdline.h"
#include "commands.h"
#include "emulator.h"
#include "import.h"
#include "util.h"

/* The domain XML file REST names into *XML, or the qemu command line CMD
 * (then *XML stays NULL). */
static gboolean
read_input (char **rest, char **cmd, char **xml, GError **error)
{
  if (rest != NULL && rest[0] != NULL) {
    if (rest[1] != NULL || cmd[0] != NULL)
      return cli_usage_error (error, "unexpected argument '%s': import reads one libvirt domain XML "
                              "file, or a qemu command line after '--'", rest[1] != NULL ? rest[1] : rest[0]);
    if (!g_file_get_contents (rest[0], xml, NULL, error))
      return FALSE;
    if (!import_is_libvirt_xml (*xml)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s: not a libvirt domain XML (its first element is not <domain>); a qemu command "
                   "line goes after '--'. See 'ppcvm import --help'", rest[0]);
      return FALSE;
    }
  } else if (cmd[0] == NULL) {
    return cli_usage_error (error, "no qemu command given");
  }
  return TRUE;
}

/* On stderr: what the profile cannot say, what is kept verbatim, and which
 * of that the installed qemu refuses. */
static void
print_differences (ImportResult *r)
{
  for (guint i = 0; i < r->notes->len; i++)
    fprintf (stderr, "ppcvm: note: %s\n", (char *) r->notes->pdata[i]);
  /* What is kept must work with the qemu that will run it: say so now, not
   * at the first boot. */
  if (r->kept->len > 0) {
    g_autoptr (GError) local = NULL;
    g_autofree char *qemu = emulator_find_binary (NULL, &local);
    if (qemu == NULL) {
      fprintf (stderr, "ppcvm: warning: the kept [qemu] args are not checked: %s\n", local->message);
    } else {
      g_autoptr (GPtrArray) bad = import_check_kept (r, qemu);
      for (guint i = 0; i < bad->len; i++)
        fprintf (stderr, "ppcvm: warning: %s refuses %s\n", qemu,
                 (char *) bad->pdata[i]);
    }
  }
  for (guint i = 0; i < r->kept->len; i++)
    fprintf (stderr, "ppcvm: kept verbatim in [qemu] args: %s\n", (char *) r->kept->pdata[i]);
}

gboolean
cmd_import (int argc, char **argv, GError **error)
{
  g_auto (GStrv) rest = NULL;
  g_auto (GStrv) cmd = NULL;
  g_autofree char *output = NULL;
  g_autoptr (ImportResult) r = NULL;
  g_autofree char *original = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *data = NULL;
  g_autofree char *check_name = NULL;
  g_autoptr (Profile) check = NULL;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the profile to FILE instead of stdout", "FILE" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Overwrite FILE if it exists", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  if (!cli_parse_passthrough ("import", "DOMAIN.xml | -- qemu-system-ppc64 ARGS...",
                  "Turn a libvirt domain XML file or a qemu-system-ppc64 command line into a\n"
                  "profile. What the profile cannot say is kept in [qemu] args or dropped, and\n"
                  "each such difference is named on stderr.",
                  entries, &argc, &argv, &cmd, error))
    return FALSE;
  if (!read_input (rest, cmd, &xml, error))
    return FALSE;
  if (force && output == NULL)
    return cli_usage_error (error, "--force needs --output");
  if (output != NULL && !force && g_file_test (output, G_FILE_TEST_EXISTS)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s exists; pass --force to overwrite it", output);
    return FALSE;
  }

  if (xml != NULL)
    r = import_libvirt_xml (xml, rest[0], error);
  else
    r = import_qemu_command ((const char *const *) cmd, NULL, error);
  if (r == NULL)
    return FALSE;
  if (xml != NULL)
    original = g_strdup_printf ("libvirt domain %s", rest[0]);
  else
    original = cmdline_to_shell ((const char *const *) cmd);
  print_differences (r);
  data = import_result_to_data (r, original);

  /* The files it names may live on another machine: say so, write anyway. */
  check_name = output != NULL ? g_strdup (output) : g_build_filename (".", "imported.conf", NULL);
  {
    g_autoptr (GError) local = NULL; /* a warning */
    check = profile_load_data (data, check_name, NULL, &local);
    if (check == NULL)
      fprintf (stderr, "ppcvm: warning: the profile does not load here as it is: %s\n", local->message);
  }

  if (output == NULL) {
    fputs (data, stdout);
    return TRUE;
  }
  return ppcvm_write_file_atomic (output, data, -1, 0644, error);
}
