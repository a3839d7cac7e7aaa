/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer targets: each feeds bytes to one parser that reads hostile
 * input. A NUL-terminated copy is made for the text parsers. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static inline char *
fuzz_text (const uint8_t *data, size_t size)
{
  char *s = g_malloc (size + 1);
  memcpy (s, data, size);
  s[size] = '\0';
  return s;
}
