/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "host.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autoptr (HostFacts) f = host_facts_new ();

  host_parse_mounts (f, text);
  host_parse_meminfo (f, text);
  host_parse_mounts (f, text);
  return 0;
}
