/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "cmdline.h"
#include "output.h"
#include "util.h"
#include "util-json.h"

static void
row (GString *s, const char *label, const char *value)
{
  g_string_append_printf (s, "  %-12s %s\n", label, value ? value : "unknown");
}

static const char *
tri (PpcvmTristate t, const char *yes, const char *no)
{
  return t == PPCVM_YES ? yes : t == PPCVM_NO ? no : "unknown";
}

static char *
cpu_text (const HostFacts *f)
{
  if (f->cpu_chip || f->cpu_compat) {
    g_autofree char *count = f->cpu_count >= 0 ? g_strdup_printf (", %d online", f->cpu_count) : g_strdup ("");
    g_autofree char *pvr = f->pvr ? g_strdup_printf (", pvr 0x%08x", f->pvr) : g_strdup ("");
    return g_strdup_printf ("%s (chip %s%s)%s", f->cpu_compat ? f->cpu_compat : f->cpu_chip,
                            f->cpu_chip ? f->cpu_chip : "unknown", pvr, count);
  }
  if (f->cpu_count >= 0)
    return g_strdup_printf ("not a POWER CPU, %d online", f->cpu_count);
  return NULL;
}

static char *
threads_text (const HostFacts *f)
{
  int tps = host_threads_per_subcore (f), on = host_smt_online (f);
  g_autofree char *smt = g_strdup_printf ("SMT%d%s (%d of %d threads online per %s)%s", on,
                                          on == 1 ? ", secondary threads off" : "", on, tps,
                                          f->subcores_per_core > 1 ? "subcore" : "core",
                                          f->subcores_per_core > 1 ? ", split-core mode" : "");

  if (f->subcores_per_core > 1)
    return g_strdup_printf ("%s: %d subcores per core", smt, f->subcores_per_core);
  return g_steal_pointer (&smt);
}

static char *
platform_text (const HostFacts *f)
{
  const char *plat = host_platform_to_string (f->platform);
  const char *hv = host_hypervisor_to_string (f->hypervisor);

  if (plat && hv)
    return g_strdup_printf ("%s (hypervisor: %s)", plat, hv);
  return g_strdup (plat);
}

static char *
kvm_text (const HostFacts *f)
{
  return g_strdup_printf ("/dev/kvm %s; kvm_hv %s%s; kvm_pr %s",
                          f->kvm_device == PPCVM_NO ? "absent"
                          : f->kvm_usable == PPCVM_YES ? "usable"
                          : f->kvm_usable == PPCVM_NO ? "not usable"
                                                       : "present",
                          tri (f->kvm_hv, "loaded", "not loaded"),
                          f->kvm_hv_nested == PPCVM_YES ? " (nested on)"
                          : f->kvm_hv_nested == PPCVM_NO ? " (nested off)" : "",
                          tri (f->kvm_pr, "loaded", "not loaded"));
}

/* What KVM_CHECK_EXTENSION and KVM_PPC_GET_CPU_CHAR said: the facts the
 * planner turns into caps. */
static void
kvm_probe_rows (GString *s, const HostKvmProbe *k)
{
  static const struct { const char *name; size_t off; } caps[] = {
    { "radix", G_STRUCT_OFFSET (HostKvmProbe, radix) },
    { "hash-v3", G_STRUCT_OFFSET (HostKvmProbe, hash_v3) },
    { "htm", G_STRUCT_OFFSET (HostKvmProbe, htm) },
    { "nested-hv", G_STRUCT_OFFSET (HostKvmProbe, nested_hv) },
    { "fwnmi", G_STRUCT_OFFSET (HostKvmProbe, fwnmi) },
    { "ail-mode-3", G_STRUCT_OFFSET (HostKvmProbe, ail_mode_3) },
    { "large-decr", G_STRUCT_OFFSET (HostKvmProbe, large_decr) },
    { "dawr1", G_STRUCT_OFFSET (HostKvmProbe, dawr1) },
  };
  g_autoptr (GString) yes = g_string_new (NULL);
  g_autoptr (GString) no = g_string_new (NULL);
  g_autofree char *line = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (caps); i++) {
    PpcvmTristate t = G_STRUCT_MEMBER (PpcvmTristate, k, caps[i].off);
    GString *to = t == PPCVM_YES ? yes : t == PPCVM_NO ? no : NULL;
    if (to)
      g_string_append_printf (to, "%s%s", to->len ? " " : "", caps[i].name);
  }
  line = g_strdup_printf ("has: %s; lacks: %s", yes->len ? yes->str : "-", no->len ? no->str : "-");
  row (s, "kvm caps", line);
  if (k->cfpc || k->sbbc || k->ibs) {
    g_autofree char *mit = g_strdup_printf ("cfpc=%s sbbc=%s ibs=%s ccf-assist=%s", k->cfpc ? k->cfpc : "?",
                                            k->sbbc ? k->sbbc : "?", k->ibs ? k->ibs : "?",
                                            tri (k->ccf_assist, "on", "off"));
    row (s, "mitigations", mit);
  }
}

static char *
hugepages_text (const HostFacts *f)
{
  GString *hp = g_string_new (NULL);

  for (guint i = 0; i < f->hugepages->len; i++) {
    const HostHugepages *h = &g_array_index (f->hugepages, HostHugepages, i);
    g_autofree char *sz = ppcvm_format_size_human (h->size);
    g_string_append_printf (hp, "%s%s%s: ", i ? "; " : "", sz, h->is_default ? " (default)" : "");
    if (h->free >= 0 && h->total >= 0)
      g_string_append_printf (hp, "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " free", h->free, h->total);
    else
      g_string_append (hp, "counts unknown");
  }
  if (hp->len == 0)
    g_string_append (hp, "none offered");
  return g_string_free (hp, FALSE);
}

static char *
hugetlbfs_text (const HostFacts *f)
{
  GString *fs = g_string_new (NULL);

  for (guint i = 0; i < f->hugetlbfs->len; i++) {
    const HostHugetlbfs *m = g_ptr_array_index (f->hugetlbfs, i);
    g_autofree char *sz = m->page_size ? ppcvm_format_size_human (m->page_size) : g_strdup ("?");
    g_string_append_printf (fs, "%s%s (%s pages, %s)", i ? "; " : "", m->path, sz,
                            tri (m->writable, "writable", "read-only"));
  }
  if (fs->len == 0)
    g_string_append (fs, "none mounted");
  return g_string_free (fs, FALSE);
}

static char *
memory_text (const HostFacts *f)
{
  g_autofree char *t = NULL, *a = NULL;

  if (!f->mem_total)
    return NULL;
  t = ppcvm_format_size_human (f->mem_total);
  a = f->mem_available ? ppcvm_format_size_human (f->mem_available) : g_strdup ("unknown");
  return g_strdup_printf ("%s total, %s available", t, a);
}

static char *
qemu_text (const EmulatorFacts *q)
{
  g_autofree char *acc = NULL;

  if (q == NULL)
    return g_strdup ("not found");
  acc = q->accelerators ? g_strjoinv (", ", q->accelerators) : g_strdup ("?");
  if (q->machines && q->machines->len > 0) {
    const EmulatorMachine *first = g_ptr_array_index (q->machines, 0);
    const EmulatorMachine *last = g_ptr_array_index (q->machines, q->machines->len - 1);
    return g_strdup_printf ("%s %s (%s); machines %s .. %s", q->path ? q->path : "?",
                            q->version ? q->version : "?", acc, first->name, last->name);
  }
  return g_strdup_printf ("%s %s (%s)", q->path ? q->path : "?", q->version ? q->version : "?", acc);
}

char *
output_host_text (const HostFacts *f, GPtrArray *advice)
{
  GString *s = g_string_new ("Host\n");
  g_autofree char *cpu = cpu_text (f), *platform = platform_text (f), *kvm = kvm_text (f);
  g_autofree char *page = f->page_size ? ppcvm_format_size_human (f->page_size) : NULL;
  g_autofree char *hp = hugepages_text (f), *fs = hugetlbfs_text (f), *mem = memory_text (f);
  g_autofree char *qemu = qemu_text (f->qemu);

  row (s, "arch", f->arch);
  row (s, "kernel", f->kernel);
  row (s, "cpu", cpu);
  if (host_smt_online (f) > 0) {
    g_autofree char *threads = threads_text (f);
    row (s, "threads", threads);
  }
  row (s, "platform", platform);
  row (s, "mmu", host_mmu_to_string (f->mmu));
  row (s, "page size", page);
  row (s, "kvm", kvm);
  if (f->kvm_probe.probed)
    kvm_probe_rows (s, &f->kvm_probe);
  row (s, "hugepages", hp);
  row (s, "hugetlbfs", fs);
  row (s, "memory", mem);
  row (s, "qemu", qemu);
  if (advice && advice->len > 0) {
    g_string_append (s, "Problems\n");
    for (guint i = 0; i < advice->len; i++)
      g_string_append_printf (s, "  - %s\n", (char *) g_ptr_array_index (advice, i));
  }
  return g_string_free (s, FALSE);
}

json_object *
output_plan_json (const Plan *pl, const Profile *p, const char *const *argv)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "schema", json_object_new_string (PLAN_JSON_SCHEMA));
  json_object_object_add (o, "ok", json_object_new_boolean (pl->status == PLAN_OK));
  json_object_object_add (o, "profile", json_object_new_string (p->id ? p->id : ""));
  if (pl->status == PLAN_OK) {
    json_object *mem = json_object_new_object ();
    json_object *av = json_object_new_array ();
    json_object *dec = json_object_new_array ();
    g_autofree char *mstr = plan_machine_string (pl);

    json_object_object_add (o, "accel", json_object_new_string (plan_accel_to_string (pl->accel)));
    json_object_object_add (o, "guest_mmu", json_object_new_string (profile_mmu_to_string (pl->guest_mmu)));
    json_object_object_add (o, "firmware", json_object_new_string (plan_firmware_to_string (pl->firmware)));
    json_object_object_add (o, "machine", json_object_new_string (pl->machine));
    json_object_object_add (o, "machine_options", json_object_new_string (mstr));
    json_object_object_add (o, "cpu", ppcvm_json_string_or_null (pl->cpu));
    json_object_object_add (mem, "size", json_object_new_int64 ((gint64) pl->memory));
    json_object_object_add (mem, "mem_path", ppcvm_json_string_or_null (pl->mem_path));
    json_object_object_add (mem, "hugepage_size",
                            pl->hugepage_size ? json_object_new_int64 ((gint64) pl->hugepage_size) : NULL);
    json_object_object_add (mem, "hugepages_needed", json_object_new_int64 ((gint64) pl->hugepages_needed));
    json_object_object_add (o, "memory", mem);
    for (const char *const *a = argv; a && *a; a++)
      json_object_array_add (av, json_object_new_string (*a));
    json_object_object_add (o, "argv", av);
    for (guint i = 0; i < pl->decisions->len; i++) {
      const PlanDecision *d = g_ptr_array_index (pl->decisions, i);
      json_object *e = json_object_new_object ();
      json_object_object_add (e, "setting", json_object_new_string (d->setting));
      json_object_object_add (e, "value", json_object_new_string (d->value));
      json_object_object_add (e, "reason", json_object_new_string (d->reason));
      json_object_array_add (dec, e);
    }
    json_object_object_add (o, "decisions", dec);
    json_object_object_add (o, "warnings", ppcvm_json_ptr_strings (pl->warnings));
  } else {
    json_object_object_add (o, "fixable", json_object_new_boolean (pl->status == PLAN_REFUSED_FIXABLE));
    json_object_object_add (o, "reasons", ppcvm_json_ptr_strings (pl->reasons));
    json_object_object_add (o, "ways_out", ppcvm_json_ptr_strings (pl->ways_out));
  }
  return o;
}

char *
output_plan_explain (const Plan *pl, const Profile *p, const char *const *argv)
{
  GString *s = g_string_new (NULL);
  guint w = 0;
  g_autofree char *cmd = cmdline_to_shell (argv);

  g_string_append_printf (s, "Plan for %s (%s): %s, %s guest MMU\n", p->id ? p->id : "guest",
                          p->name ? p->name : "", plan_accel_to_string (pl->accel),
                          profile_mmu_to_string (pl->guest_mmu));
  for (guint i = 0; i < pl->decisions->len; i++) {
    const PlanDecision *d = g_ptr_array_index (pl->decisions, i);
    guint l = (guint) (strlen (d->setting) + 1 + strlen (d->value));
    w = MAX (w, l);
  }
  w = MIN (w, 40);
  for (guint i = 0; i < pl->decisions->len; i++) {
    const PlanDecision *d = g_ptr_array_index (pl->decisions, i);
    g_autofree char *sv = g_strdup_printf ("%s=%s", d->setting, d->value);
    g_string_append_printf (s, "  %-*s  %s\n", (int) w, sv, d->reason);
  }
  for (guint i = 0; i < pl->warnings->len; i++)
    g_string_append_printf (s, "warning: %s\n", (char *) g_ptr_array_index (pl->warnings, i));
  g_string_append_printf (s, "Command:\n  %s\n", cmd);
  return g_string_free (s, FALSE);
}

char *
output_refusal_text (const Plan *pl, const Profile *p)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "cannot run guest '%s' as asked%s:\n", p->id ? p->id : "guest",
                          pl->status == PLAN_REFUSED_FIXABLE ? " until the host is set up" : "");
  for (guint i = 0; i < pl->reasons->len; i++)
    g_string_append_printf (s, "  - %s\n", (char *) g_ptr_array_index (pl->reasons, i));
  if (pl->ways_out->len > 0) {
    g_string_append (s, "ways out:\n");
    for (guint i = 0; i < pl->ways_out->len; i++)
      g_string_append_printf (s, "  - %s\n", (char *) g_ptr_array_index (pl->ways_out, i));
  }
  return g_string_free (s, FALSE);
}
