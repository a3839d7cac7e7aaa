/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "host.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autofree char *version = NULL;

  (void) host_parse_smaps_page_size (text);
  (void) host_parse_modules_has (text, "kvm_hv");
  version = host_parse_version (text);
  return 0;
}
