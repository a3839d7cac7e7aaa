/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The emulator probe when its binary vanishes between two looks at it: the
 * probe must fail with an error, never return NULL without one. This test
 * interposes stat(): the library's calls resolve to the one below, which lets
 * the first stat of the binary succeed and every later one fail (ENOENT), as
 * when a package upgrade removes the file at the wrong moment. Its own
 * executable, so that no other test sees the interposed stat. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emulator.h"
#include "testlib.h"
#include "util.h"

static char *vanishing; /* the binary that vanishes after the first stat */
static int vanishing_stats;

int
stat (const char *path, struct stat *st)
{
  if (vanishing != NULL && strcmp (path, vanishing) == 0 && vanishing_stats++ > 0) {
    errno = ENOENT;
    return -1;
  }
  return fstatat (AT_FDCWD, path, st, 0);
}

START_TEST (test_probe_binary_vanishes)
{
  g_autofree char *tmp = testlib_tmpdir ("race");
  g_autofree char *cache = g_build_filename (tmp, "cache", NULL);
  g_autoptr (GError) error = NULL;
  EmulatorFacts *facts;

  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  vanishing = g_build_filename (tmp, "qemu-system-ppc64", NULL);
  ck_assert (g_file_set_contents (vanishing, "#!/bin/sh\nexit 1\n", -1, NULL));
  ck_assert_int_eq (chmod (vanishing, 0755), 0);

  facts = emulator_probe (vanishing, 5000, &error);
  ck_assert_ptr_null (facts);
  ck_assert_ptr_nonnull (error); /* before the fix: NULL, and the caller crashed */
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_NO_PROGRAM));
  ck_assert_ptr_nonnull (strstr (error->message, vanishing));

  testlib_rm_rf (tmp);
  g_clear_pointer (&vanishing, g_free);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("emulator-race");
  TCase *tc = tcase_create ("probe");

  tcase_add_test (tc, test_probe_binary_vanishes);
  suite_add_tcase (s, tc);
  return testlib_run (s);
}
