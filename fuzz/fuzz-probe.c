/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "emulator.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) e = emulator_parse_probe_output ("/usr/bin/qemu-system-ppc64", text, &error);

  g_assert ((e == NULL) != (error == NULL));
  return 0;
}
