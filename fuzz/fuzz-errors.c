/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu's stderr, line by line, through the error catalogue's matcher. */
#include "config.h"

#include "fuzz-common.h"
#include "qemu-errors.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l; l++) {
    const QemuError *e = qemu_errors_explain (*l);
    (void) e;
  }
  return 0;
}
