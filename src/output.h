/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host facts, plans and refusals as readable text or JSON. Pure: these
 * functions build strings or json objects; main prints them. */
#pragma once

#include <json-c/json.h>

#include "host.h"
#include "planner.h"
#include "profile.h"

#define PLAN_JSON_SCHEMA "ppcvm-plan/1"

/* The aligned host summary, then one line per problem with its fix (ADVICE:
 * strings from plan_host_advice). */
char *output_host_text (const HostFacts *facts, GPtrArray *advice);

json_object *output_plan_json (const Plan *plan, const Profile *profile, const char *const *argv);
/* Decisions, warnings and the command, for --explain. */
char *output_plan_explain (const Plan *plan, const Profile *profile, const char *const *argv);
/* A refusal: reasons and ways out. */
char *output_refusal_text (const Plan *plan, const Profile *profile);
