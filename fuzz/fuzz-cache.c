/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The emulator cache file ($XDG_CACHE_HOME/ppcvm/emulator-*.gvariant): read
 * in place, and not checked for normal form, so every byte is hostile. */
#include "config.h"

#include "fuzz-common.h"
#include "emulator-private.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GVariant) root = g_variant_ref_sink (
      g_variant_new_from_bytes (G_VARIANT_TYPE (EMULATOR_CACHE_TYPE), bytes, FALSE));
  g_autoptr (GVariant) facts = g_variant_get_child_value (root, 2);
  g_autoptr (EmulatorFacts) f = emulator_facts_from_variant (facts);

  if (f != NULL) {
    /* What was accepted holds together and writes out again. */
    g_autoptr (GVariant) again = NULL;
    g_assert (f->machines->len > 0 && emulator_find_machine (f, f->default_machine) != NULL);
    again = g_variant_ref_sink (emulator_facts_to_variant (f));
  }
  return 0;
}
