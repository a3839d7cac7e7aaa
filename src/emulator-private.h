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


/* The facts as a GVariant, for the cache: version, accelerators, the
 * machines column by column (names, aliases, default CPUs, "" for none;
 * default flags), default machine, caps, data dirs, displays; "m" for what
 * may be unknown. A list of strings is one "ay", each string followed by a
 * NUL. The path and the firmware are not part of it. */
#define EMULATOR_FACTS_VARIANT_TYPE "(smayayayayaysmaymaymay)"
GVariant *emulator_facts_to_variant (const EmulatorFacts *facts);
/* NULL when V does not describe a usable emulator (no version, no
 * machines, a default machine that is not listed). */
EmulatorFacts *emulator_facts_from_variant (GVariant *v);

/* The cache file ($XDG_CACHE_HOME/ppcvm/emulator-HASH.gvariant): this
 * format name, the key (ppcvm version, binary path, size, inode, mtime and
 * ctime in ns), the facts. It is mapped, not parsed: a warm start reads only
 * what it needs (bench/plan-warm.sh). */
#define EMULATOR_CACHE_FORMAT "ppcvm-emulator-cache/4"
#define EMULATOR_CACHE_KEY_TYPE "(ssttxx)"
#define EMULATOR_CACHE_TYPE "(s" EMULATOR_CACHE_KEY_TYPE EMULATOR_FACTS_VARIANT_TYPE ")"
