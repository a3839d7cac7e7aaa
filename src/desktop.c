/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "desktop.h"

/* Desktop Entry Specification 1.5, "The Exec key": the reserved characters,
 * which force an argument into double quotes. */
static const char reserved[] = " \t\n\"'\\><~|&;$*?#()`";

char *
desktop_exec_quote (const char *arg)
{
  GString *s = g_string_new (NULL);
  gboolean quote;

  g_return_val_if_fail (arg != NULL, NULL);

  /* An empty argument would vanish unquoted. */
  quote = *arg == '\0' || strpbrk (arg, reserved) != NULL;
  if (quote)
    g_string_append_c (s, '"');
  for (const char *p = arg; *p; p++) {
    if (*p == '%')
      g_string_append (s, "%%"); /* else read as a field code, quoted or not */
    else if (quote && strchr ("\"`$\\", *p) != NULL)
      g_string_append_c (s, '\\'), g_string_append_c (s, *p);
    else
      g_string_append_c (s, *p);
  }
  if (quote)
    g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

char *
desktop_exec_line (const char *const *argv)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (argv != NULL, NULL);

  for (int i = 0; argv[i] != NULL; i++) {
    g_autofree char *q = desktop_exec_quote (argv[i]);
    if (i > 0)
      g_string_append_c (s, ' ');
    g_string_append (s, q);
  }
  return g_string_free (s, FALSE);
}

char *
desktop_escape_string (const char *value)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (value != NULL, NULL);

  for (const char *p = value; *p; p++) {
    switch (*p) {
    case '\\': g_string_append (s, "\\\\"); break;
    case '\n': g_string_append (s, "\\n"); break;
    case '\t': g_string_append (s, "\\t"); break;
    case '\r': g_string_append (s, "\\r"); break;
    case ' ':
      /* Leading spaces are stripped by readers unless escaped. */
      g_string_append (s, p == value ? "\\s" : " ");
      break;
    default: g_string_append_c (s, *p); break;
    }
  }
  return g_string_free (s, FALSE);
}

char *
desktop_file_name (const Profile *profile)
{
  g_autofree char *id = g_strdup (profile->id != NULL ? profile->id : "guest");

  /* The desktop file ID becomes part of D-Bus names and menu IDs. */
  for (char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      *p = '_';
  return g_strdup_printf ("ppcvm-%s.desktop", id);
}

char *
desktop_entry (const Profile *profile, const char *ppcvm)
{
  const char *name = profile->name != NULL ? profile->name : profile->id;
  const char *argv[] = { ppcvm, "run", profile->path, NULL };
  /* The display is the profile's: a window of its own (gtk) needs no
   * terminal; the serial console, a headless guest's messages and VNC's
   * address (and Ctrl-C) need one. */
  gboolean terminal = profile->display != DISPLAY_GTK;
  g_autofree char *exec = NULL;
  g_autofree char *exec_esc = NULL;
  g_autofree char *name_esc = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *comment_esc = NULL;
  GString *s;

  g_return_val_if_fail (profile != NULL && profile->path != NULL, NULL);
  g_return_val_if_fail (ppcvm != NULL, NULL);

  exec = desktop_exec_line (argv);
  /* The key file escapes come on top of the Exec quoting: a literal
   * backslash inside quotes ends up as four. */
  exec_esc = desktop_escape_string (exec);
  name_esc = desktop_escape_string (name != NULL ? name : "POWER guest");
  comment = g_strdup_printf ("Start the POWER guest %s (ppcvm profile %s)",
                             name != NULL ? name : "", profile->path);
  comment_esc = desktop_escape_string (comment);

  s = g_string_new ("[Desktop Entry]\n");
  g_string_append (s, "Type=Application\n");
  /* 1.4 is what Debian 12's desktop-file-validate knows; the Exec rules are 1.5's. */
  g_string_append (s, "Version=1.4\n");
  g_string_append_printf (s, "Name=%s\n", name_esc);
  g_string_append_printf (s, "Comment=%s\n", comment_esc);
  g_string_append_printf (s, "Exec=%s\n", exec_esc);
  g_string_append (s, "Icon=computer\n");
  g_string_append_printf (s, "Terminal=%s\n", terminal ? "true" : "false");
  g_string_append (s, "Categories=System;Emulator;\n");
  g_string_append (s, "StartupNotify=false\n");
  return g_string_free (s, FALSE);
}
