/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the qemu-system-ppc64 binary offers: version, accelerators, machine
 * types (with each one's default CPU) and the pseries cap-* properties.
 *
 * Probed over QMP (`-machine none -qmp stdio`) and cached under
 * $XDG_CACHE_HOME/ppcvm/, keyed on the binary's path, size and mtime, so a
 * warm lookup spawns no process. */
#pragma once

#include <glib.h>
#include <json-c/json.h>

typedef struct {
  char *name;          /* "pseries-7.2" */
  char *alias;         /* "pseries" or NULL */
  char *default_cpu;   /* "power9_v2.0" (the -cpu name, "-powerpc64-cpu" stripped) or NULL */
  gboolean is_default;
} EmulatorMachine;

typedef struct {
  char *path;
  int major, minor, micro;
  char *version;          /* "7.2.22" */
  char **accelerators;    /* "tcg", "kvm"; NULL-terminated */
  GPtrArray *machines;    /* of EmulatorMachine*; only pseries ones are kept */
  char *default_machine;  /* "pseries-7.2" */
  char **caps;            /* "cap-htm", ...; NULL: unknown, derive from the version */
  char **data_dirs;       /* where qemu looks for firmware (`-L help`); NULL: unknown */
  char **firmware;        /* the pseries firmware files found there ("slof.bin", "vof.bin");
                           * NULL: unknown (a host file written elsewhere, no probe) */
  char **displays;        /* the -display backends built in (`-display help`: "none",
                           * "curses", "gtk"...); NULL: unknown */
} EmulatorFacts;

EmulatorFacts *emulator_facts_new (void);
void emulator_facts_free (EmulatorFacts *facts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmulatorFacts, emulator_facts_free)
EmulatorFacts *emulator_facts_copy (const EmulatorFacts *facts);

/* Version compare: >= major.minor. */
gboolean emulator_version_at_least (const EmulatorFacts *facts, int major, int minor);
/* Does this emulator have the pseries property CAP ("cap-htm")? From the
 * probed list, else from the version (docs/rules.md, *Machine types*). */
gboolean emulator_has_cap (const EmulatorFacts *facts, const char *cap);
gboolean emulator_has_accel (const EmulatorFacts *facts, const char *accel);
/* The machine named NAME (or whose alias is NAME), NULL if unknown. */
const EmulatorMachine *emulator_find_machine (const EmulatorFacts *facts, const char *name);

/* Is firmware file NAME ("slof.bin") known to be missing from qemu's data
 * directories? FALSE when present or unknown. */
gboolean emulator_firmware_missing (const EmulatorFacts *facts, const char *name);
/* Look for the pseries firmware files in FACTS' data_dirs (stat only) and
 * set FACTS->firmware; nothing when the data dirs are unknown. */
void emulator_facts_find_firmware (EmulatorFacts *facts);

/* Is the -display backend NAME ("gtk") known to be missing from this qemu?
 * FALSE when present or unknown. */
gboolean emulator_display_missing (const EmulatorFacts *facts, const char *name);

/* Find the binary: PATH if it has a '/' (must exist and be executable);
 * a bare name, or qemu-system-ppc64 when PATH is NULL, in the absolute
 * directories of $PATH only (never the current directory). NULL with an
 * error when there is none. */
char *emulator_find_binary (const char *path, GError **error);

/* Probe BINARY, using the cache when it is fresh. TIMEOUT_MS bounds the probe. */
EmulatorFacts *emulator_probe (const char *binary, guint timeout_ms, GError **error);
/* Probe without the cache. */
EmulatorFacts *emulator_probe_uncached (const char *binary, guint timeout_ms, GError **error);

/* Parse the QMP replies of the probe (one JSON object per line). Pure. */
EmulatorFacts *emulator_parse_probe_output (const char *binary, const char *text, GError **error);

/* JSON (the "qemu" object of ppcvm-host/1) both ways. */
json_object *emulator_facts_to_json (const EmulatorFacts *facts);
EmulatorFacts *emulator_facts_from_json (json_object *obj, GError **error);

/* The machine version of a pseries machine type name: "pseries-2.11" → 2, 11.
 * "pseries" resolves through FACTS' default machine (if FACTS is NULL or does
 * not know, FALSE). */
gboolean emulator_machine_version (const EmulatorFacts *facts, const char *machine, int *ret_major,
                                   int *ret_minor);
