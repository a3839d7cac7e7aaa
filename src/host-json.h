/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HostFacts as JSON (schema "ppcvm-host/1"), both ways. Unknown facts are
 * null. The reader ignores unknown fields and names the field it rejects. */
#pragma once

#include <json-c/json.h>

#include "host.h"

#define HOST_JSON_SCHEMA "ppcvm-host/1"

json_object *host_facts_to_json (const HostFacts *facts);
HostFacts *host_facts_from_json (json_object *obj, GError **error);
/* Load FILE ("-" for stdin is not supported: a path). Errors name the file. */
HostFacts *host_facts_load_file (const char *path, GError **error);
