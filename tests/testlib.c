/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "testlib.h"

#include <stdlib.h>

#include <glib/gstdio.h>

char *
testlib_tmpdir (const char *tag)
{
  g_autofree char *template = g_strdup_printf ("ppcvm-test-%s-XXXXXX", tag);
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (template, &error);

  ck_assert_msg (dir != NULL, "%s", error ? error->message : "");
  return dir;
}

void
testlib_rm_rf (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_autoptr (GDir) dir = NULL;
    const char *name;

    g_chmod (path, 0700); /* tests make unreadable directories */
    dir = g_dir_open (path, 0, NULL);
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      testlib_rm_rf (child);
    }
  }
  g_remove (path);
}

char *
testlib_read_data (const char *name)
{
  const char *root = g_getenv ("PPCVM_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "tests", "data", name, NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    ck_abort_msg ("%s (set PPCVM_SOURCE_ROOT)", error->message);
  return text;
}

EmulatorFacts *
testlib_qemu_72 (void)
{
  g_autofree char *text = testlib_read_data ("qmp-probe-7.2.txt");
  g_autoptr (GError) error = NULL;
  EmulatorFacts *e;

  e = emulator_parse_probe_output ("/usr/bin/qemu-system-ppc64", text, &error);
  ck_assert_msg (e != NULL, "%s", error ? error->message : "");
  g_strfreev (e->accelerators);
  e->accelerators = g_strsplit ("tcg,kvm", ",", -1);
  return e;
}

int
testlib_run (Suite *suite)
{
  SRunner *sr = srunner_create (suite);
  int failed;

  srunner_run_all (sr, CK_ENV);
  failed = srunner_ntests_failed (sr);
  srunner_free (sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
