/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What this host can run: one row per guest kind (radix/hash guest kernel,
 * 64 KiB/4 KiB pages, the host's generation and one older, nested, an older
 * CPU), each the verdict of plan_build() for a default profile of that kind.
 *
 * No rule lives here: every verdict, reason and machine string comes from
 * the planner, exactly as `ppcvm plan` would print it. Pure: no I/O. */
#pragma once

#include <json-c/json.h>

#include "host.h"
#include "planner.h"

#define MATRIX_JSON_SCHEMA "ppcvm-matrix/1"

typedef enum {
  MATRIX_HV,
  MATRIX_PR,
  MATRIX_TCG,
  MATRIX_BLOCKED,    /* a setup step (modprobe, kvm group, hugepages) is missing */
  MATRIX_IMPOSSIBLE, /* not even TCG (e.g. this QEMU lacks the CPU model) */
} MatrixVerdict;

typedef struct {
  /* The guest kind: what the guest kernel can do, as in profiles. */
  GuestMmu mmu;
  guint64 page_size;
  int generation;     /* the guest CPU generation the row asks for */
  gboolean nested;    /* the guest runs guests of its own */
  const char *label;  /* "radix 64K", "older CPU"... (static) */

  MatrixVerdict verdict;
  char *reason;       /* one line */
  char *machine;      /* the -machine value; NULL when blocked */
  char *mem_path;     /* -mem-path, NULL: ordinary memory */
  GuestMmu guest_mmu; /* the MMU the guest really runs (when not blocked) */
  char *fix;          /* blocked: the ways out, "; "-separated; else NULL */
  GStrv fix_steps;    /* the same, one step each; NULL when not blocked */
} MatrixRow;

/* The rows for HOST with EMU (may be NULL). A newly allocated array of
 * MatrixRow* (freed with the array). */
GPtrArray *matrix_build (const HostFacts *host, const EmulatorFacts *emu);

/* "hv", "pr", "tcg", "blocked", "impossible" */
const char *matrix_verdict_to_string (MatrixVerdict v);

/* The rows as {"schema": "ppcvm-matrix/1", "rows": [...]}; a new reference. */
json_object *matrix_to_json (GPtrArray *rows);
/* The rows as an aligned table, verdicts coloured when COLOUR; fixes under
 * their rows. A newly allocated string. */
char *matrix_to_text (const HostFacts *host, GPtrArray *rows, gboolean colour);
