/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm matrix: one default profile per guest kind through plan_build(). */
#include "config.h"

#include <string.h>

#include "matrix.h"
#include "table.h"
#include "util.h"
#include "util-json.h"

#define KIB4 G_GUINT64_CONSTANT (4096)
#define KIB64 G_GUINT64_CONSTANT (65536)

/* The guest kinds, in the order of the compatibility table in docs/rules.md. */
static const struct {
  GuestMmu mmu;
  guint64 page_size;
  int older;          /* generations below the host's */
  gboolean nested;
  const char *label;
} kinds[] = {
  { GUEST_MMU_RADIX, KIB64, 0, FALSE, "radix guest, 64 KiB pages" },
  { GUEST_MMU_RADIX, KIB4, 0, FALSE, "radix guest, 4 KiB pages" },
  { GUEST_MMU_HASH, KIB64, 0, FALSE, "HPT guest, 64 KiB pages" },
  { GUEST_MMU_HASH, KIB4, 0, FALSE, "HPT guest, 4 KiB pages" },
  { GUEST_MMU_RADIX, KIB64, 1, FALSE, "radix guest, 64 KiB pages" },
  { GUEST_MMU_RADIX, KIB4, 1, FALSE, "radix guest, 4 KiB pages" },
  { GUEST_MMU_HASH, KIB64, 1, FALSE, "HPT guest, 64 KiB pages" },
  { GUEST_MMU_HASH, KIB4, 1, FALSE, "HPT guest, 4 KiB pages" },
  /* The table's nested scenarios: a radix L1 running radix guests (nested
   * HV), a hash L1 running KVM PR guests. */
  { GUEST_MMU_RADIX, KIB64, 0, TRUE, "nested: radix guest running radix guests" },
  { GUEST_MMU_HASH, KIB4, 0, TRUE, "nested: HPT guest running KVM PR guests" },
  /* "Any older POWER or PowerPC CPU": old kernels are hash, 4 KiB. */
  { GUEST_MMU_HASH, KIB4, 2, FALSE, "older CPU (KVM PR or TCG)" },
};

static void
row_free (MatrixRow *r)
{
  if (r == NULL)
    return;
  g_free (r->reason);
  g_free (r->machine);
  g_free (r->mem_path);
  g_free (r->fix);
  g_strfreev (r->fix_steps);
  g_free (r);
}

const char *
matrix_verdict_to_string (MatrixVerdict v)
{
  switch (v) {
  case MATRIX_HV: return "hv";
  case MATRIX_PR: return "pr";
  case MATRIX_TCG: return "tcg";
  case MATRIX_BLOCKED: return "blocked";
  case MATRIX_IMPOSSIBLE: return "impossible";
  }
  g_assert_not_reached ();
}

static const char *
verdict_label (MatrixVerdict v)
{
  switch (v) {
  case MATRIX_HV: return "HV";
  case MATRIX_PR: return "PR";
  case MATRIX_TCG: return "TCG only";
  case MATRIX_BLOCKED: return "blocked";
  case MATRIX_IMPOSSIBLE: return "impossible";
  }
  g_assert_not_reached ();
}

static const char *
gen_label (int gen)
{
  const char *name = host_generation_name (gen);
  return name != NULL ? name : "?";
}

static void
join (GString *s, const char *sep, const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  if (s->len > 0)
    g_string_append (s, sep);
  g_string_append (s, text);
}


static char *
strings_joined (GPtrArray *arr, guint from)
{
  GString *s = g_string_new (NULL);
  for (guint i = from; i < arr->len; i++)
    join (s, "; ", g_ptr_array_index (arr, i));
  return g_string_free (s, FALSE);
}

/* The generation the rows count from: the host's, else the default CPU of
 * QEMU's default machine (what TCG runs), else POWER9. */
static int
base_generation (const HostFacts *host, const EmulatorFacts *emu)
{
  const EmulatorMachine *m;
  int gen;

  if (host->generation > 0)
    return host->generation;
  m = emu ? emulator_find_machine (emu, emu->default_machine ? emu->default_machine : "pseries") : NULL;
  gen = m ? plan_cpu_model_generation (m->default_cpu) : 0;
  return gen > 0 ? gen : 9;
}

/* Fill R's verdict and one-line reason from the auto plan PL (and, for a TCG
 * fallback on a POWER host, from a KVM-only plan: its refusal says why). */
static void
fill_row (MatrixRow *r, const HostFacts *host, const EmulatorFacts *emu, Profile *p, const Plan *pl)
{
  g_autoptr (GString) why = g_string_new (NULL);
  guint first_warning = 0;

  if (pl->status == PLAN_REFUSED_FIXABLE || pl->status == PLAN_REFUSED_IMPOSSIBLE) {
    r->verdict = pl->status == PLAN_REFUSED_FIXABLE ? MATRIX_BLOCKED : MATRIX_IMPOSSIBLE;
    r->reason = strings_joined (pl->reasons, 0);
    r->fix = strings_joined (pl->ways_out, 0);
    r->fix_steps = g_new0 (char *, pl->ways_out->len + 1);
    for (guint i = 0; i < pl->ways_out->len; i++)
      r->fix_steps[i] = g_strdup (g_ptr_array_index (pl->ways_out, i));
    return;
  }
  r->machine = plan_machine_string (pl);
  r->mem_path = g_strdup (pl->mem_path);
  r->guest_mmu = pl->guest_mmu;
  switch (pl->accel) {
  case PLAN_ACCEL_KVM_HV:
    r->verdict = MATRIX_HV;
    join (why, "; ", plan_decision_reason (pl, "guest-mmu"));
    break;
  case PLAN_ACCEL_KVM_PR:
    r->verdict = MATRIX_PR;
    join (why, "; ", plan_decision_reason (pl, "accel"));
    break;
  case PLAN_ACCEL_TCG:
    r->verdict = MATRIX_TCG;
    if (host_is_ppc64 (host)) {
      /* Why not KVM: the same profile with accel=kvm, refused. */
      g_autoptr (Plan) kvm = NULL;
      p->accel = ACCEL_KVM;
      kvm = plan_build (host, emu, p);
      p->accel = ACCEL_AUTO;
      if (kvm->status != PLAN_OK) {
        g_autofree char *s = strings_joined (kvm->reasons, 0);
        join (why, "; ", s);
      }
      first_warning = 1; /* the planner's "KVM cannot run this guest here" */
    } else {
      join (why, "; ", plan_decision_reason (pl, "accel"));
    }
    break;
  }
  join (why, "; ", plan_decision_reason (pl, "max-cpu-compat"));
  join (why, "; ", plan_decision_reason (pl, "cap-nested-hv"));
  if (pl->mem_path)
    join (why, "; ", plan_decision_reason (pl, "mem-path"));
  for (guint i = first_warning; i < pl->warnings->len; i++) {
    g_autofree char *w = g_strdup_printf ("but: %s", (char *) g_ptr_array_index (pl->warnings, i));
    join (why, "; ", w);
  }
  r->reason = g_strdup (why->str);
}

GPtrArray *
matrix_build (const HostFacts *host, const EmulatorFacts *emu)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  int base = base_generation (host, emu);

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++) {
    MatrixRow *r = g_new0 (MatrixRow, 1);
    g_autoptr (Profile) p = profile_new_defaults ();
    g_autoptr (Plan) pl = NULL;

    r->mmu = kinds[i].mmu;
    r->page_size = kinds[i].page_size;
    r->generation = base - kinds[i].older;
    r->nested = kinds[i].nested;
    r->label = kinds[i].label;

    p->id = g_strdup ("matrix");
    p->name = g_strdup (kinds[i].label);
    p->mmu = kinds[i].mmu;
    p->page_size = kinds[i].page_size;
    /* The host's generation is the profile default (cpu=host), as users
     * write it; older rows name their CPU. */
    p->cpu_generation = kinds[i].older ? r->generation : 0;
    p->nested = kinds[i].nested;
    p->accel = ACCEL_AUTO;
    pl = plan_build (host, emu, p);
    fill_row (r, host, emu, p, pl);
    g_ptr_array_add (rows, r);
  }
  return rows;
}

json_object *
matrix_to_json (GPtrArray *rows)
{
  json_object *root = json_object_new_object ();
  json_object *arr = json_object_new_array ();

  json_object_object_add (root, "schema", json_object_new_string (MATRIX_JSON_SCHEMA));
  for (guint i = 0; i < rows->len; i++) {
    const MatrixRow *r = g_ptr_array_index (rows, i);
    json_object *o = json_object_new_object ();
    json_object *g = json_object_new_object ();
    gboolean runs = r->verdict != MATRIX_BLOCKED && r->verdict != MATRIX_IMPOSSIBLE;

    json_object_object_add (g, "mmu", json_object_new_string (profile_mmu_to_string (r->mmu)));
    json_object_object_add (g, "page_size", json_object_new_int64 ((gint64) r->page_size));
    json_object_object_add (g, "generation", json_object_new_int (r->generation));
    json_object_object_add (g, "nested", json_object_new_boolean (r->nested));
    json_object_object_add (o, "guest", g);
    json_object_object_add (o, "label", json_object_new_string (r->label));
    json_object_object_add (o, "verdict", json_object_new_string (matrix_verdict_to_string (r->verdict)));
    json_object_object_add (o, "reason", json_object_new_string (r->reason ? r->reason : ""));
    json_object_object_add (o, "machine", ppcvm_json_string_or_null (r->machine));
    json_object_object_add (o, "mem_path", ppcvm_json_string_or_null (r->mem_path));
    json_object_object_add (o, "guest_mmu", runs ? json_object_new_string (profile_mmu_to_string (r->guest_mmu)) : NULL);
    json_object_object_add (o, "fix", ppcvm_json_string_or_null (r->fix));
    if (r->fix_steps) {
      json_object *steps = json_object_new_array ();
      for (char **f = r->fix_steps; *f; f++)
        json_object_array_add (steps, json_object_new_string (*f));
      json_object_object_add (o, "fix_steps", steps);
    } else {
      json_object_object_add (o, "fix_steps", NULL);
    }
    json_object_array_add (arr, o);
  }
  json_object_object_add (root, "rows", arr);
  return root;
}

static const char *
verdict_colour (MatrixVerdict v)
{
  switch (v) {
  case MATRIX_HV: return "\033[32m";
  case MATRIX_PR: return "\033[36m";
  case MATRIX_TCG: return "\033[33m";
  case MATRIX_BLOCKED:
  case MATRIX_IMPOSSIBLE: return "\033[31m";
  }
  return "";
}

/* R's row (the verdict in its colour), then why and how to fix it. */
static void
add_row (Table *table, const MatrixRow *r, gboolean colour)
{
  g_autofree char *machine = r->machine ? g_strconcat (r->machine, r->mem_path ? " -mem-path " : "",
                                                       r->mem_path ? r->mem_path : "", NULL)
                                        : g_strdup ("-");

  table_add_row (table, r->label, gen_label (r->generation), verdict_label (r->verdict), machine, NULL);
  if (colour)
    table_style_cell (table, 2, verdict_colour (r->verdict));
  if (r->reason && *r->reason) {
    g_autofree char *why = g_strdup_printf ("    why: %s", r->reason);
    table_add_line (table, why);
  }
  for (char **f = r->fix_steps; f && *f; f++) {
    g_autofree char *fix = g_strdup_printf ("    %s %s", f == r->fix_steps ? "fix:" : "    ", *f);
    table_add_line (table, fix);
  }
}

char *
matrix_to_text (const HostFacts *host, GPtrArray *rows, gboolean colour)
{
  GString *s = g_string_new (NULL);
  g_autoptr (Table) table = table_new (4);
  g_autofree char *text = NULL;
  const char *mmu = host_mmu_to_string (host->mmu);
  g_autofree char *page = host->page_size ? ppcvm_format_size_human (host->page_size) : g_strdup ("unknown");

  g_string_append_printf (s, "What this host can run (%s%s, %s MMU, %s pages%s%s)\n\n",
                          host->generation ? gen_label (host->generation) : host->arch ? host->arch : "unknown CPU",
                          host->platform == HOST_PLATFORM_PSERIES ? " guest" : "",
                          mmu ? mmu : "unknown", page,
                          host->qemu && host->qemu->version ? "; qemu " : "",
                          host->qemu && host->qemu->version ? host->qemu->version : "");
  table_add_row (table, "GUEST", "CPU", "VERDICT", "MACHINE", NULL);
  for (guint i = 0; i < rows->len; i++)
    add_row (table, g_ptr_array_index (rows, i), colour);
  text = table_to_string (table);
  g_string_append (s, text);
  return g_string_free (s, FALSE);
}
