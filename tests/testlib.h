/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the unit tests share: temporary directories, the source tree's test
 * data, the recorded QEMU 7.2 and the check runner. */
#pragma once

#include <check.h>
#include <glib.h>

#include "emulator.h"

/* A fresh temporary directory ppcvm-test-TAG-XXXXXX (aborts the test if it
 * cannot be made); remove it with testlib_rm_rf(). */
char *testlib_tmpdir (const char *tag);

/* Remove PATH and everything below it (made writable first); symbolic links
 * are removed, never followed. */
void testlib_rm_rf (const char *path);

/* $PPCVM_SOURCE_ROOT/tests/data/NAME, its contents (aborts the test if it
 * cannot be read). */
char *testlib_read_data (const char *name);

/* The QEMU 7.2 probe recorded in tests/data/qmp-probe-7.2.txt, with KVM
 * available as on a POWER host (the recording is of an x86 qemu: TCG only). */
EmulatorFacts *testlib_qemu_72 (void);

/* Run SUITE (CK_ENV: $CK_VERBOSITY) and free it; the exit status of main(). */
int testlib_run (Suite *suite);
