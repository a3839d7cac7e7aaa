/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "host-json.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  json_tokener *tok = json_tokener_new ();
  json_object *obj = json_tokener_parse_ex (tok, (const char *) data, (int) MIN (size, (size_t) G_MAXINT));

  if (obj != NULL) {
    g_autoptr (GError) error = NULL;
    g_autoptr (HostFacts) f = host_facts_from_json (obj, &error);
    if (f != NULL) {
      /* What was accepted must write out again. */
      json_object *again = host_facts_to_json (f);
      json_object_put (again);
    }
    json_object_put (obj);
  }
  json_tokener_free (tok);
  return 0;
}
