/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Desktop launchers: a freedesktop .desktop file that starts a profile's
 * guest with a graphical display. Quoting follows the Desktop Entry
 * Specification 1.5 ("The Exec key"), then the key file string escapes. */
#pragma once

#include <glib.h>

#include "profile.h"

/* One Exec argument quoted per the spec: an argument holding a reserved
 * character (space, tab, newline, " ' \ > < ~ | & ; $ * ? # ( ) `) is put
 * in double quotes with " ` $ \ backslash-escaped; every '%' is doubled.
 * The key file escapes (\\, \n...) are NOT applied. Newly allocated. */
char *desktop_exec_quote (const char *arg);

/* The Exec= value (before key file escaping) for ARGV, each word quoted. */
char *desktop_exec_line (const char *const *argv);

/* The string escapes of the key file format: \\ \n \t \r, and \s for a
 * leading space. Newly allocated. */
char *desktop_escape_string (const char *value);

/* "ppcvm-ID.desktop", with ID reduced to letters, digits, '-' and '_'. */
char *desktop_file_name (const Profile *profile);

/* The whole .desktop file for PROFILE (which must have a path), launched
 * with PPCVM (the ppcvm binary: "ppcvm" or an absolute path) as
 * `PPCVM run PROFILE`: the profile's display, in a terminal (Terminal=true)
 * unless that display is a window of its own (gtk). */
char *desktop_entry (const Profile *profile, const char *ppcvm);
