/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "profile.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (Profile) p = NULL;
  static const char *const overrides[] = { "guest.smp=2", NULL };

  p = profile_load_data (text, "/nonexistent/fuzz.conf", overrides, &error);
  g_assert ((p == NULL) != (error == NULL));
  return 0;
}
