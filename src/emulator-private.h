/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by emulator.c (the facts and their JSON) and emulator-probe.c (the
 * QMP probe, its parser and the cache). Not part of the module's contract. */
#pragma once

#include "emulator.h"

EmulatorMachine *emulator_machine_new (const char *name, const char *alias,
                                       const char *default_cpu, gboolean is_default);

/* Sort and de-duplicate an array of g_free'd strings; return a strv. */
char **emulator_strv_from_array (GPtrArray *arr);

/* Choose the default machine when the input did not say: the one marked
 * default, the one aliased "pseries", pseries-MAJOR.MINOR, the newest. */
void emulator_facts_settle_machines (EmulatorFacts *facts);

