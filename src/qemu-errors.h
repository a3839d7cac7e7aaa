/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The catalogue of QEMU's POWER (pseries) startup errors: for a line qemu
 * printed on stderr, what it means on this host and the exact fix.
 *
 * The catalogue is data: one static table in qemu-errors.c, each pattern a
 * GRegex that also covers the older QEMU wordings (docs/rules.md,
 * *Sources*). Pure functions: no I/O, no globals that change. */
#pragma once

#include <glib.h>

typedef struct {
  const char *id;          /* short stable name: "hpt-page-size", "htm-tcg"... */
  const char *pattern;     /* GRegex, unanchored (qemu prefixes "qemu-system-ppc64: ") */
  const char *explanation; /* one paragraph: meaning on this host, then the fix */
} QemuError;

/* The entry whose pattern matches LINE (one line of qemu's stderr, without
 * its newline), or NULL. The returned entry is static: never free it. */
const QemuError *qemu_errors_explain (const char *line);

/* The whole table, for tests and documentation; *ret_n gets its length. */
const QemuError *qemu_errors_table (gsize *ret_n);
