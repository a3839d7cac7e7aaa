/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm desktop-entry: a .desktop launcher for a profile's guest. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "desktop.h"
#include "util.h"

/* The ppcvm that the launcher runs: this binary's absolute path when it was
 * started by path (argv[0] holds a '/'), else "ppcvm" from $PATH. main()
 * hands the subcommands argv + 1, so argv[0] is read back from the kernel. */
static char *
launcher_binary (void)
{
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  if (!g_file_get_contents ("/proc/self/cmdline", &cmdline, &len, NULL) || len == 0
      || strchr (cmdline, '/') == NULL)
    return g_strdup ("ppcvm");
  return g_canonicalize_filename (cmdline, NULL);
}

gboolean
cmd_desktop (int argc, char **argv, GError **error)
{
  g_auto (CliHostOptions) host = { 0 };
  g_auto (GStrv) rest = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *entry = NULL;
  gboolean install = FALSE;
  GOptionEntry entries[] = {
    { "install", 0, 0, G_OPTION_ARG_NONE, &install,
      "Write it to $XDG_DATA_HOME/applications/ppcvm-ID.desktop instead of stdout", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };

  if (!cli_parse ("desktop-entry", "PROFILE",
                  "Print a desktop launcher (.desktop file) that runs the guest with its profile's display,\n"
                  "in a terminal unless that display is a window (gtk).",
                  entries, &argc, &argv, error))
    return FALSE;
  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    return cli_usage_error (error, "%s", rest == NULL || rest[0] == NULL ? "no profile given" : "expected one profile");
  profile = cli_load_profile (rest[0], &host, error);
  if (profile == NULL)
    return FALSE;
  binary = launcher_binary ();
  /* A desktop file is UTF-8 text; a path that is not cannot be written in it. */
  if (!g_utf8_validate (profile->path, -1, NULL) || !g_utf8_validate (binary, -1, NULL)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: a desktop file can only name UTF-8 paths",
                 g_utf8_validate (binary, -1, NULL) ? profile->path : binary);
    return FALSE;
  }
  entry = desktop_entry (profile, binary);
  if (!install) {
    fputs (entry, stdout);
    return TRUE;
  }
  {
    g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "applications", NULL);
    g_autofree char *name = desktop_file_name (profile);
    g_autofree char *path = g_build_filename (dir, name, NULL);

    if (g_mkdir_with_parents (dir, 0755) != 0)
      return cli_errno_error (error, errno, "cannot create %s", dir);
    if (!ppcvm_write_file_atomic (path, entry, -1, 0644, error))
      return FALSE;
    printf ("%s\n", path);
  }
  return TRUE;
}
