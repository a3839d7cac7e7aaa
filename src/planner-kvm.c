/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The KVM half of the planner: KVM-HV and KVM PR, the memory backing and the
 * caps their hosts need (docs/rules.md). */
#include "config.h"

#include <string.h>

#include "planner-private.h"
#include "remedies.h"

/* ---- Memory backing shared by HV and PR (docs/rules.md: HPT-4K-CAP, VRMA-HUGEPAGES) ---- */

/* VRMA-HUGEPAGES: QEMU >= 5.0 under KVM sets up the hashed page table at start for hash
 * guests (and for every guest on a hash host): with 4 KiB-backed RAM the VRMA
 * is too small ("Unable to create ...MiB RMA"), so RAM must come from
 * hugepages. Returns FALSE when the guest cannot start as is; fills REASONS
 * and WAYS (FIXABLE set when a setup step fixes it). */
static gboolean
plan_memory_backing (PlanInputs *c, Plan *pl, gboolean hpt_at_start, gboolean *ret_fixable,
                     GPtrArray *reasons, GPtrArray *ways)
{
  const HostFacts *h = c->host;
  const HostHugepages *hp;
  const HostHugetlbfs *mount;
  guint64 needed;
  g_autofree char *mem = ppcvm_format_size_human (pl->memory);

  if (c->profile->mem_path) {
    pl->mem_path = g_strdup (c->profile->mem_path);
    plan_decide (pl, "mem-path", pl->mem_path, "the profile sets mem-path: guest RAM is a file in that directory");
    return TRUE;
  }
  if (!hpt_at_start) {
    plan_decide (pl, "memory-backing", "default", "a radix guest sets up no hashed page table at start, so ordinary memory is fine");
    return TRUE;
  }
  /* QEMU-PRE-5.0: spapr_setup_hpt_and_vrma clamped the RMA silently. */
  if (!qemu_at_least (c, 5, 0)) {
    plan_decide (pl, "memory-backing", "default", "QEMU before 5.0 shrinks the RMA to fit the VRMA instead of failing");
    return TRUE;
  }
  if (h->page_size >= KIB64) {
    plan_decide (pl, "memory-backing", "default", "64 KiB host pages back the VRMA well enough for a hashed page table");
    return TRUE;
  }
  if (h->page_size == 0)
    plan_warn (pl, "the host page size is unknown; assuming 4 KiB pages, which need hugepage-backed RAM for a hashed page table");

  hp = host_default_hugepages (h);
  if (hp == NULL) {
    *ret_fixable = FALSE;
    reason (reasons, "the guest's hashed page table is set up at start, and with 4 KiB host pages QEMU >= 5.0 needs its RAM backed by hugepages, but this host kernel offers none");
    reason (ways, "boot the host with a 64 KiB-page kernel");
    return FALSE;
  }
  needed = plan_hugepages_for (pl->memory, hp->size);
  mount = host_find_hugetlbfs (h, hp->size);
  pl->hugepage_size = hp->size;
  pl->hugepages_needed = needed;
  if (mount == NULL || hp->free < 0 || (guint64) hp->free < needed) {
    g_autoptr (GPtrArray) cmds = plan_hugepage_commands (h, hp->size, needed);
    g_autofree char *hps = page_name (hp->size);
    *ret_fixable = TRUE;
    if (hp->free < 0 || (guint64) hp->free < needed)
      reason (reasons, "%s of hashed-page-table guest RAM on 4 KiB host pages must be backed by hugepages (QEMU >= 5.0, else \"Unable to create RMA\"): %" G_GUINT64_FORMAT " pages of %s needed, %" G_GINT64_FORMAT " free",
              mem, needed, hps, MAX (hp->free, 0));
    if (mount == NULL)
      reason (reasons, "no writable hugetlbfs mount with %s pages for the guest RAM", hps);
    for (guint i = 0; i < cmds->len; i++)
      g_ptr_array_add (ways, plan_hugepage_step_to_string (g_ptr_array_index (cmds, i), FALSE));
    return FALSE;
  }
  pl->mem_path = g_strdup (mount->path);
  {
    g_autofree char *hps = page_name (hp->size);
    plan_decide (pl, "mem-path", mount->path,
            "a hashed page table set up at start needs hugepage-backed RAM on a 4 KiB-page host (QEMU >= 5.0): %" G_GUINT64_FORMAT " of %" G_GINT64_FORMAT " free %s pages",
            needed, hp->free, hps);
  }
  return TRUE;
}

/* HPT-4K-CAP: a host with 4 KiB pages: the HPT max page size default (64 KiB
 * since pseries-3.0) fails the backing-page check (spapr_check_pagesize) and
 * the CI page check (kvm_check_mmu). */
static void
plan_page_size_cap (PlanInputs *c, Plan *pl)
{
  if (c->host->page_size == 0 || c->host->page_size >= KIB64)
    return;
  if (!has_cap (c, "cap-hpt-max-page-size"))
    return;
  plan_set_prop (pl, "cap-hpt-max-page-size", "4096",
            "the host kernel uses 4 KiB pages; QEMU's default 64 KiB HPT page size fails under KVM (\"Can't support 64 kiB guest pages with 4 kiB host pages\")");
}

/* HTM: on by default only for pseries <= 2.11 with a POWER8+ CPU (QEMU
 * default_caps_with_cpu); KVM_CAP_PPC_HTM answers under HV and PR alike
 * (rule PR-CAPS). */
static void
plan_htm_cap (PlanInputs *c, Plan *pl, gboolean nested_l1, int guest_gen)
{
  const HostFacts *h = c->host;
  const HostKvmProbe *k = &h->kvm_probe;
  gboolean no_htm = FALSE;
  const char *why = NULL;

  if (!machine_at_most (c, 2, 11) || guest_gen < 8 || !has_cap (c, "cap-htm"))
    return;
  if (k->probed && k->htm == PPCVM_NO) {
    no_htm = TRUE;
    why = "the host KVM reports no transactional memory (KVM_CAP_PPC_HTM)";
  } else if (!k->probed && host_chip_generation (h) >= 10) {
    no_htm = TRUE;
    why = "POWER10 and later have no transactional memory";
  } else if (!k->probed && nested_l1) {
    no_htm = TRUE;
    why = "a nested KVM host offers no transactional memory";
  } else if (!k->probed) {
    no_htm = TRUE;
    why = "the host KVM was not probed (KVM_CAP_PPC_HTM unknown; rule UNKNOWN-CAPS)";
  }
  if (no_htm)
    plan_set_prop (pl, "cap-htm", "off", "%s; machine %s enables it by default (QEMU cap_htm_apply is fatal under any KVM; rule PR-CAPS)",
                   why, pl->machine);
}

/* QEMU's order of the mitigation levels (SPAPR_CAP_BROKEN .. FIXED_NA). */
static int
mitigation_rank (const char *level)
{
  if (g_str_equal (level, "broken"))
    return 0;
  if (g_str_equal (level, "workaround"))
    return 1;
  if (g_str_equal (level, "fixed-ccd"))
    return 3;
  if (g_str_equal (level, "fixed-na"))
    return 16;
  return 2; /* fixed, fixed-ibs */
}

/* The spectre mitigation caps and the count cache flush assist: the best
 * level the host reports (KVM_PPC_GET_CPU_CHAR, answered under HV and PR;
 * QEMU's cap_safe_*_apply and cap_ccf_assist_apply are fatal under any KVM:
 * rules PR-CAPS, CCF-ASSIST). */
static void
plan_mitigation_caps (PlanInputs *c, Plan *pl, gboolean pr)
{
  const HostKvmProbe *k = &c->host->kvm_probe;
  gboolean ccf_wanted = has_cap (c, "cap-ccf-assist") && machine_at_least (c, 5, 0);

  if (k->probed) {
    static const struct { const char *cap; size_t off; } mit[] = {
      { "cap-cfpc", G_STRUCT_OFFSET (HostKvmProbe, cfpc) },
      { "cap-sbbc", G_STRUCT_OFFSET (HostKvmProbe, sbbc) },
      { "cap-ibs", G_STRUCT_OFFSET (HostKvmProbe, ibs) },
    };
    gboolean sxxm = g_str_has_suffix (pl->machine, "-sxxm");
    for (gsize i = 0; i < G_N_ELEMENTS (mit); i++) {
      const char *level = G_STRUCT_MEMBER (const char *, k, mit[i].off);
      const char *def;
      if (level == NULL || !has_cap (c, mit[i].cap))
        continue;
      /* Defaults: broken up to pseries-3.1, workaround from 4.0;
       * pseries-2.12-sxxm: workaround, workaround, fixed-ccd (rule SXXM). */
      if (sxxm)
        def = g_str_equal (mit[i].cap, "cap-ibs") ? "fixed-ccd" : "workaround";
      else
        def = machine_at_least (c, 4, 0) ? "workaround" : "broken";
      if (mitigation_rank (level) < mitigation_rank (def))
        plan_set_prop (pl, mit[i].cap, level,
                  "the host KVM cannot provide machine %s's default level %s, only %s (KVM_PPC_GET_CPU_CHAR; QEMU cap_safe_*_apply is fatal under KVM)%s",
                  pl->machine, def, level, pr ? "; KVM PR asks the same question (rule PR-CAPS)" : sxxm ? " (rule SXXM)" : "");
    }
  }
  if (!ccf_wanted)
    return;
  if (k->probed && k->ccf_assist == PPCVM_YES)
    return;
  if (k->probed && k->ccf_assist == PPCVM_NO && k->ibs && g_str_equal (k->ibs, "fixed-ccd")) {
    plan_decide (pl, "cap-ccf-assist", "default",
                 "the host has no count cache flush assist but reports the count cache disabled (ibs=fixed-ccd), so QEMU keeps the assist on and the guest needs no software flush (cap_ccf_assist_apply; rule CCF-ASSIST)");
    return;
  }
  if (k->probed && k->ccf_assist == PPCVM_NO)
    plan_set_prop (pl, "cap-ccf-assist", "off",
              "the host reports no count cache flush assist and a count cache that is not disabled (KVM_PPC_GET_CPU_CHAR; cap_ccf_assist_apply; rule CCF-ASSIST)");
  else if (!k->probed)
    plan_set_prop (pl, "cap-ccf-assist", "off",
              "the host KVM was not probed (KVM_PPC_GET_CPU_CHAR unknown): off is the level every host accepts (rules CCF-ASSIST, UNKNOWN-CAPS)");
}

/* Caps whose defaults need something the host KVM-HV lacks. */
static void
plan_kvm_caps (PlanInputs *c, Plan *pl, gboolean nested_l1, int guest_gen)
{
  const HostFacts *h = c->host;
  const HostKvmProbe *k = &h->kvm_probe;

  plan_htm_cap (c, pl, nested_l1, guest_gen);
  plan_mitigation_caps (c, pl, FALSE);
  if (k->probed) {
    if (k->large_decr == PPCVM_NO && guest_gen >= 9 && has_cap (c, "cap-large-decr") &&
        machine_at_least (c, 4, 0))
      plan_set_prop (pl, "cap-large-decr", "off", "the host KVM has no large decrementer");
    if (k->fwnmi == PPCVM_NO && has_cap (c, "cap-fwnmi") && machine_at_least (c, 5, 0))
      plan_set_prop (pl, "cap-fwnmi", "off", "the host KVM has no FWNMI (KVM_CAP_PPC_FWNMI)");
  } else {
    /* UNKNOWN-CAPS: not probed, so not assumed present. */
    if (guest_gen >= 9 && has_cap (c, "cap-large-decr") && machine_at_least (c, 4, 0))
      plan_set_prop (pl, "cap-large-decr", "off",
                     "the host KVM was not probed (large decrementer, ibm,dec-bits unknown): off is what every KVM accepts (rule UNKNOWN-CAPS)");
    if (has_cap (c, "cap-fwnmi") && machine_at_least (c, 5, 0))
      plan_set_prop (pl, "cap-fwnmi", "off",
                     "the host KVM was not probed (KVM_CAP_PPC_FWNMI unknown): off is what every KVM accepts (rule UNKNOWN-CAPS)");
  }

  /* AIL mode 3: on for every machine type in QEMU >= 8.1 with a POWER8+ CPU;
   * KVM needs KVM_CAP_PPC_AIL_MODE_3 (kernel 5.18). */
  if (has_cap (c, "cap-ail-mode-3") && qemu_at_least (c, 8, 1) && guest_gen >= 8) {
    int kv = host_kernel_version (h);
    if (k->probed && k->ail_mode_3 == PPCVM_NO)
      plan_set_prop (pl, "cap-ail-mode-3", "off", "the host KVM reports no AIL mode 3 (KVM_CAP_PPC_AIL_MODE_3)");
    else if (!k->probed && host_p9_no_mixed_mmu (h) && h->mmu == HOST_MMU_RADIX)
      plan_set_prop (pl, "cap-ail-mode-3", "off",
                "a radix POWER9 before DD2.2 offers no AIL mode 3 to guests (powerpc.c KVM_CAP_PPC_AIL_MODE_3), which QEMU >= 8.1 enables by default (rule P9-MIXED)");
    else if (!k->probed && kv > 0 && kv < 5018)
      plan_set_prop (pl, "cap-ail-mode-3", "off",
                "the host kernel %s predates AIL mode 3 support in KVM (5.18); QEMU >= 8.1 enables it by default", h->kernel);
    else if (!k->probed && kv == 0)
      plan_set_prop (pl, "cap-ail-mode-3", "off",
                "the host KVM was not probed and its kernel version is unknown (KVM_CAP_PPC_AIL_MODE_3 needs 5.18): off is what every KVM accepts (rule UNKNOWN-CAPS)");
  }

  /* DAWR1: QEMU >= 10.0 turns it on for POWER10+ CPUs on every machine
   * type; cap_dawr1_apply needs KVM_CAP_PPC_DAWR1 (rule DAWR1). */
  if (has_cap (c, "cap-dawr1") && qemu_at_least (c, 10, 0) && guest_gen >= 10) {
    if (!k->probed)
      plan_set_prop (pl, "cap-dawr1", "off",
                     "the host KVM was not probed (KVM_CAP_PPC_DAWR1 unknown): off is what every KVM accepts (rules DAWR1, UNKNOWN-CAPS)");
    else if (k->dawr1 == PPCVM_NO)
      plan_set_prop (pl, "cap-dawr1", "off",
                     "the host KVM has no second watchpoint register (KVM_CAP_PPC_DAWR1), which QEMU >= 10.0 enables by default for POWER10 and later (cap_dawr1_apply; rule DAWR1)");
  }
}

/* UNKNOWN-CAPS: one warning naming what was not probed and what it cost. */
static void
warn_unprobed (PlanInputs *c, Plan *pl)
{
  g_autoptr (GString) off = g_string_new (NULL);

  if (c->host->kvm_probe.probed)
    return;
  for (guint i = 0; i < pl->decisions->len; i++) {
    const PlanDecision *d = g_ptr_array_index (pl->decisions, i);
    if (strstr (d->reason, "not probed"))
      g_string_append_printf (off, "%s%s=%s", off->len ? ", " : "", d->setting, d->value);
  }
  plan_warn (pl, "the host's KVM was not probed (kvm.caps and kvm.cpu_char unknown, as in a host file without them)%s%s; the mitigation caps keep QEMU's defaults, which QEMU refuses if the host cannot provide them (\"Requested safe cache capability level not supported by KVM\"): plan on the host itself, or with a host file `ppcvm host --json` wrote there (rule UNKNOWN-CAPS)",
             off->len ? ": planned " : "", off->str);
}


/* The guest will run KVM guests of its own and its kernel can be radix on a
 * POWER9+ CPU: it wants nested KVM-HV, which only a radix guest gets
 * (NESTED-L1-RADIX).
 * A hash-only guest kernel can still run KVM PR inside: only a warning. */
static gboolean
wants_nested_hv (const PlanInputs *c, int guest_gen)
{
  return c->profile->nested && c->profile->mmu == GUEST_MMU_RADIX && guest_gen >= 9;
}

static gboolean
host_is_powernv (const HostFacts *h)
{
  return h->platform == HOST_PLATFORM_POWERNV;
}

/* Can KVM run on this host at all (common to HV and PR)? */
static gboolean
kvm_host_ok (PlanInputs *c, Attempt *a)
{
  const HostFacts *h = c->host;

  if (!host_is_ppc64 (h)) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "this host is %s, not a 64-bit POWER machine: KVM cannot run POWER guests here",
            h->arch ? h->arch : "not known to be POWER");
    return FALSE;
  }
  if (c->emu && c->emu->accelerators && c->emu->accelerators[0] &&
      !emulator_has_accel (c->emu, "kvm")) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "%s was built without KVM support", c->emu->path ? c->emu->path : "qemu-system-ppc64");
    reason (a->ways, "install a qemu-system-ppc64 built for this host (Debian: " PPCVM_FIX_INSTALL_QEMU ")");
    return FALSE;
  }
  return TRUE;
}

/* Setup steps (fixable): /dev/kvm access. */
static void
kvm_access_checks (PlanInputs *c, Attempt *a, const char *load_module)
{
  const HostFacts *h = c->host;

  if (h->kvm_device == PPCVM_NO) {
    if (a->status == PLAN_OK)
      a->status = PLAN_REFUSED_FIXABLE;
    reason (a->reasons, "/dev/kvm does not exist");
    reason (a->ways, "%s", load_module);
  } else if (h->kvm_usable == PPCVM_NO) {
    if (a->status == PLAN_OK)
      a->status = PLAN_REFUSED_FIXABLE;
    reason (a->reasons, "%s", h->kvm_usable_reason ? h->kvm_usable_reason : "/dev/kvm is not usable by this user");
    reason (a->ways, PPCVM_FIX_KVM_GROUP);
  }
}

gboolean
host_hv_needs_smt_off (const HostFacts *h)
{
  return host_is_powernv (h) && (h->generation == 7 || h->generation == 8);
}

/* Rule HV-SMT: on POWER7 and POWER8 KVM-HV runs a virtual core on a whole
 * physical (sub)core, and kvmppc_run_core refuses to enter the guest unless
 * the core's secondary threads are offline (book3s_hv.c: on_primary_thread,
 * whenever threads_per_vcore () > 1, i.e. before POWER9): every vCPU fails
 * KVM_RUN with EBUSY. A guest core has at most the threads of a (sub)core
 * (KVM_CAP_PPC_SMT; split-core mode divides them). POWER9 and later: no SMT
 * requirement; guest SMT up to 8 (the profile allows no more). */
static gboolean
hv_smt_ok (PlanInputs *c, Plan *pl, Attempt *a)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;
  int tps = host_threads_per_subcore (h);

  if (!host_hv_needs_smt_off (h))
    return TRUE;
  switch (host_secondary_threads_online (h)) {
  case PPCVM_YES:
    a->status = PLAN_REFUSED_FIXABLE;
    reason (a->reasons, "KVM-HV on %s needs the secondary threads of every core offline (SMT off), and this host "
            "runs SMT%d: the kernel fails every vCPU with EBUSY (KVM_RUN) while they are online",
            gen_name (h->generation), host_smt_online (h));
    reason (a->ways, PPCVM_FIX_SMT_OFF);
    return FALSE;
  case PPCVM_UNKNOWN:
    plan_warn (pl, "KVM-HV on %s needs the secondary threads of every core offline, and ppcvm cannot tell whether "
               "they are; if qemu fails with KVM_RUN and EBUSY: %s", gen_name (h->generation), PPCVM_FIX_SMT_OFF);
    break;
  case PPCVM_NO:
    plan_decide (pl, "smt", "off", "KVM-HV on %s needs the secondary threads offline, and they are", gen_name (h->generation));
    break;
  }
  if (tps > 0 && p->threads > (guint) tps) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "a %s %score here has %d threads: a guest core cannot have threads=%u under KVM-HV",
            gen_name (h->generation), h->subcores_per_core > 1 ? "sub" : "", tps, p->threads);
    reason (a->ways, "threads=%d or fewer", tps);
    return FALSE;
  }
  return TRUE;
}

/* NESTED-PR-L1: would KVM PR inside an HPT guest of this host run an L2?
 * Plans the HPT guest (the L1) on this host, then the L2 under the facts the
 * L1 would have: a hash pSeries KVM guest with kvm_pr, this host's page size
 * at most (a hash guest's pages cannot exceed the host's), and no hugepages
 * (cap-hpt-max-page-size stops at 64 KiB, so no 16 MiB pages reach it).
 * L2 is the profile of the guest to run there (NULL: a default hash guest).
 * Returns TRUE when both plan; else *RET_WHY says why not. Pure, like
 * plan_build (which it calls; the L1's facts offer no further route). */
static gboolean
nested_pr_route_works (PlanInputs *c, const Profile *l2, char **ret_why)
{
  const HostFacts *h = c->host;
  g_autoptr (Profile) l1p = profile_new_defaults ();
  g_autoptr (Profile) l2p = profile_new_defaults ();
  g_autoptr (HostFacts) l1 = host_facts_new ();
  g_autoptr (Plan) l1plan = NULL;
  g_autoptr (Plan) l2plan = NULL;
  guint64 page = h->page_size;

  /* The L1: an HPT guest of this host under KVM-HV. */
  l1p->id = g_strdup ("nested-pr-l1");
  l1p->mmu = GUEST_MMU_HASH;
  l1p->page_size = page ? page : KIB4;
  l1p->accel = ACCEL_HV;
  g_free (l1p->machine);
  l1p->machine = g_strdup (c->profile->machine ? c->profile->machine : "pseries");
  l1plan = plan_build (h, c->emu, l1p);
  if (l1plan->status == PLAN_REFUSED_IMPOSSIBLE) {
    *ret_why = g_strdup_printf ("this host cannot run the HPT guest under KVM (%s)",
                                l1plan->reasons->len ? (char *) g_ptr_array_index (l1plan->reasons, 0) : "refused");
    return FALSE;
  }

  /* The facts that HPT guest would have. */
  l1->arch = g_strdup (h->arch);
  l1->kernel = g_strdup (h->kernel);
  l1->cpu_chip = g_strdup (h->cpu_chip);
  l1->pvr = h->pvr;
  l1->generation = h->generation;
  l1->platform = HOST_PLATFORM_PSERIES;
  l1->hypervisor = HOST_HV_KVM;
  l1->mmu = HOST_MMU_HASH;
  l1->page_size = l1p->page_size;
  l1->kvm_device = l1->kvm_usable = l1->kvm_pr = l1->in_kvm_group = PPCVM_YES;
  l1->kvm_hv = PPCVM_NO;
  l1->memlock_limit = -1;
  l1->mem_total = l1p->memory;

  /* The L2: this guest under KVM PR there. */
  l2p->id = g_strdup ("nested-pr-l2");
  l2p->mmu = GUEST_MMU_HASH;
  l2p->page_size = l2 ? l2->page_size : KIB4;
  l2p->cpu_generation = l2 ? l2->cpu_generation : 0;
  l2p->memory = MIN (l2 ? l2->memory : G_GUINT64_CONSTANT (512) << 20, l1p->memory / 2);
  l2p->accel = ACCEL_PR;
  l2plan = plan_build (l1, c->emu, l2p);
  if (l2plan->status != PLAN_OK) {
    g_autofree char *hps = page_name (l1->page_size);
    *ret_why = g_strdup_printf ("the HPT guest would have %s pages and no hugepages, and inside it %s", hps,
                                l2plan->reasons->len ? (char *) g_ptr_array_index (l2plan->reasons, 0) : "KVM PR is refused");
    return FALSE;
  }
  return TRUE;
}

/* What plan_try_hv's steps share. */
typedef struct {
  int ggen;           /* the guest's CPU generation */
  gboolean nested_l1; /* this host is itself a pSeries guest */
  HostMmu hmmu;       /* the host's MMU (hash when unknown on POWER9+, once chosen) */
  GuestMmu gmmu;      /* the guest's MMU, once chosen */
} HvTry;

static gboolean
hv_can_load (PlanInputs *c, Attempt *a, const HvTry *t)
{
  const HostFacts *h = c->host;

  /* HV-LOAD: where kvm_hv can run at all; each way it cannot, in words. */
  if (!host_can_load_kvm_hv (h)) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    if (host_is_powernv (h)) {
      reason (a->reasons, "KVM-HV needs POWER7 or later; this host is %s", gen_name (h->generation));
    } else if (t->nested_l1) {
      reason (a->reasons, "this host is itself a guest (pSeries, %s MMU): kvm_hv runs in a guest only as a nested hypervisor on a radix POWER9 or later guest",
              host_mmu_to_string (t->hmmu) ? host_mmu_to_string (t->hmmu) : "unknown");
      reason (a->ways, "boot this host guest radix with cap-nested-hv=on on its own host (nested=true in its profile)");
    } else {
      reason (a->reasons, "KVM-HV needs a PowerNV (bare metal) or pSeries POWER host; this one is %s",
              host_platform_to_string (h->platform) ? host_platform_to_string (h->platform) : "of unknown platform");
    }
    return FALSE;
  }
  return TRUE;
}

static gboolean
hv_cpu_model_ok (PlanInputs *c, Attempt *a)
{
  const HostFacts *h = c->host;

  /* QEMU-CPU: -cpu host needs a QEMU that has the host chip's CPU model
   * (kvm_ppc_register_host_cpu_type finds none otherwise). */
  if ((host_chip_generation (h) >= 11 && !qemu_at_least (c, 9, 2)) ||
      (host_chip_generation (h) == 10 && !qemu_at_least (c, 5, 0))) {
    int chip = host_chip_generation (h);
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "KVM-HV runs -cpu host, and QEMU %s has no %s CPU model (%s needs QEMU %s; target/ppc/kvm.c kvm_ppc_register_host_cpu_type; rule QEMU-CPU)",
            c->emu && c->emu->version ? c->emu->version : "", gen_name (chip), gen_name (chip), chip >= 11 ? "9.2" : "5.0");
    reason (a->ways, "install QEMU %s or later", chip >= 11 ? "9.2" : "5.0");
    return FALSE;
  }
  return TRUE;
}

static gboolean
hv_generation_ok (PlanInputs *c, Plan *pl, Attempt *a, const HvTry *t)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;

  /* HV-GEN: the guest CPU is the host's, or one generation older through
   * max-cpu-compat. */
  if (t->ggen > h->generation && h->generation > 0) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "KVM-HV cannot run a %s guest on a %s host: the guest CPU is the host's, or older through compat mode",
            gen_name (t->ggen), gen_name (h->generation));
    return FALSE;
  }
  /* COMPAT-KERNEL: the notes allow one generation back; the kernel accepts
   * any older level (kvmppc_set_arch_compat), PowerVM's nested API v2 only
   * POWER9 and later. */
  if (h->generation > 0 && t->ggen < h->generation - 1) {
    if (p->compat == COMPAT_KERNEL && h->hypervisor == HOST_HV_POWERVM && t->ggen < 9) {
      a->status = PLAN_REFUSED_IMPOSSIBLE;
      reason (a->reasons, "this host is a PowerVM LPAR: its nested API v2 accepts only POWER9 and later compatibility levels, not %s (book3s_hv.c kvmppc_set_arch_compat; rule COMPAT-KERNEL)",
              gen_name (t->ggen));
      return FALSE;
    }
    if (p->compat == COMPAT_KERNEL && t->ggen >= 6) {
      plan_warn (pl, "compat=kernel: a %s guest on a %s host runs under KVM-HV with max-cpu-compat=%s, which the kernel accepts (book3s_hv.c kvmppc_set_arch_compat) but the compatibility notes do not list; untested by ppcvm (rule COMPAT-KERNEL)",
                 gen_name (t->ggen), gen_name (h->generation), host_generation_compat (t->ggen));
    } else {
      a->status = PLAN_REFUSED_IMPOSSIBLE;
      reason (a->reasons, "KVM-HV runs the host's generation or one older: a %s guest on a %s host needs KVM PR or TCG (the kernel itself accepts any older level, kvmppc_set_arch_compat: compat=kernel in [guest] tries it, untested; rule COMPAT-KERNEL)",
              gen_name (t->ggen), gen_name (h->generation));
      if (t->ggen >= 6)
        reason (a->ways, "compat=kernel in [guest]: plan it the way the kernel allows (untested)");
      return FALSE;
    }
  }
  return TRUE;
}

static void
hv_choose_mmu (PlanInputs *c, Plan *pl, HvTry *t)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;

  if (t->hmmu == HOST_MMU_UNKNOWN && h->generation >= 9) {
    plan_warn (pl, "the host MMU mode is unknown (no MMU line in /proc/cpuinfo); planning as for a hash host");
    t->hmmu = HOST_MMU_HASH;
  }
  /* HV-MMU: radix only on a radix host, for a POWER9+ radix-capable kernel. */
  t->gmmu = (t->hmmu == HOST_MMU_RADIX && p->mmu == GUEST_MMU_RADIX && t->ggen >= 9) ? GUEST_MMU_RADIX : GUEST_MMU_HASH;
  pl->guest_mmu = t->gmmu;
  if (t->gmmu == GUEST_MMU_RADIX)
    plan_decide (pl, "guest-mmu", "radix", "the host runs radix and the guest kernel supports radix");
  else if (p->mmu == GUEST_MMU_HASH)
    plan_decide (pl, "guest-mmu", "hash", "the guest kernel runs hash only");
  else if (t->ggen < 9)
    plan_decide (pl, "guest-mmu", "hash", "a %s guest has only the hashed page table", gen_name (t->ggen));
  else
    plan_decide (pl, "guest-mmu", "hash", "the host runs hash, so its guests do too");
}

static gboolean
hv_mmu_ok (PlanInputs *c, Plan *pl, Attempt *a, const HvTry *t)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;

  /* NESTED-L1-RADIX: kvm_hv as an L1 allocates no HPT (kvmhv_nested_init). */
  if (t->nested_l1 && t->gmmu == GUEST_MMU_HASH) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "this host is itself a KVM guest: a nested KVM-HV host runs radix guests only (QEMU: \"HPT not supported in nested guests\"), and this guest would run hash");
    reason (a->ways, "use a radix-capable POWER9 or later guest kernel (mmu=radix, cpu=host)");
    /* No HPT guest runs under KVM here, so no nested-PR route (NESTED-PR-L1). */
    return FALSE;
  }
  /* P9-MIXED: a radix host runs hash guests only where the kernel offers
   * KVM_CAP_PPC_MMU_HASH_V3 (kvmppc_hash_v3_possible); the probe knows, else
   * the PVR says. */
  if (t->gmmu == GUEST_MMU_HASH && t->hmmu == HOST_MMU_RADIX && !t->nested_l1 &&
      (h->kvm_probe.probed ? h->kvm_probe.hash_v3 == PPCVM_NO : host_p9_no_mixed_mmu (h))) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    if (h->kvm_probe.probed)
      reason (a->reasons, "this radix host's KVM offers no hash guests (no KVM_CAP_PPC_MMU_HASH_V3: book3s_hv.c kvmppc_hash_v3_possible; QEMU \"Guest requested unavailable MMU mode (hash)\"; rule P9-MIXED), and this guest would run hash");
    else
      reason (a->reasons, "this host is a POWER9 %s DD%u.%u (PVR %08x) running radix: before DD2.2 (Nimbus) or DD1.1 (Cumulus) a core cannot mix hash and radix threads, so KVM offers no hash guests (book3s_hv.c kvmppc_hash_v3_possible; QEMU \"Guest requested unavailable MMU mode (hash)\"; rule P9-MIXED), and this guest would run hash",
              (h->pvr & 0xe000) == 0x2000 ? "Cumulus" : "Nimbus", (h->pvr >> 8) & 0xf, h->pvr & 0xff, h->pvr);
    reason (a->ways, "use a radix-capable POWER9 guest kernel (mmu=radix, cpu=host)");
    reason (a->ways, "boot the host with disable_radix (hash host: hash guests under KVM-HV, and KVM PR)");
    return FALSE;
  }
  if (t->gmmu == GUEST_MMU_HASH && h->page_size > 0 && p->page_size > h->page_size && p->compat == COMPAT_KERNEL &&
      has_cap (c, "cap-hpt-max-page-size")) {
    /* COMPAT-KERNEL: with cap-hpt-max-page-size=4096 the guest kernel falls
     * back to 4 KiB hash entries (htab_init_page_sizes). */
    g_autofree char *gp = page_name (p->page_size);
    g_autofree char *hps = page_name (h->page_size);
    plan_warn (pl, "compat=kernel: this %s-page hash guest on a %s-page host gets cap-hpt-max-page-size=4096, so its kernel uses 4 KiB hash pages (Linux htab_init_page_sizes; seen under TCG, untested under KVM; rule COMPAT-KERNEL)",
               gp, hps);
  } else if (t->gmmu == GUEST_MMU_HASH && h->page_size > 0 && p->page_size > h->page_size) {
    /* HPT-PAGE: a hash guest's pages must not exceed the host's. */
    g_autofree char *gp = page_name (p->page_size);
    g_autofree char *hps = page_name (h->page_size);
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "a hash guest's page size must not exceed the host's: the guest kernel uses %s pages, the host %s (with cap-hpt-max-page-size=4096 a Linux guest falls back to 4 KiB hash pages, htab_init_page_sizes: compat=kernel in [guest] tries it, untested under KVM; rule COMPAT-KERNEL)", gp, hps);
    reason (a->ways, "compat=kernel in [guest]: run it with 4 KiB hash pages (untested under KVM)");
    reason (a->ways, "use a guest kernel with 4 KiB pages (page-size=4K)");
    reason (a->ways, "boot the host with a 64 KiB-page kernel");
    if (t->hmmu == HOST_MMU_RADIX && t->ggen < 9)
      reason (a->ways, "run the guest as POWER9 or later (cpu=host) so it can use radix");
    return FALSE;
  }
  return TRUE;
}

static gboolean
hv_nested_ok (PlanInputs *c, Attempt *a, const HvTry *t)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;

  if (wants_nested_hv (c, t->ggen) && t->gmmu == GUEST_MMU_HASH) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "the guest wants to run KVM-HV guests of its own, which needs a radix guest, but on this hash host it runs hash (HPT must not appear anywhere in a nested KVM-HV chain)");
    reason (a->ways, "boot the host radix (drop disable_radix from its kernel command line)");
    reason (a->ways, "or run KVM PR inside the guest instead: mmu=hash in the profile (only KVM PR runs inside a hash guest)");
    return FALSE;
  }

  /* NESTED-HV: nested KVM-HV inside this guest (cap_nested_kvm_hv_apply). */
  if (p->nested && t->gmmu == GUEST_MMU_RADIX && !has_cap (c, "cap-nested-hv")) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "this QEMU has no cap-nested-hv (QEMU 3.1 or later)");
    return FALSE;
  }
  /* NESTED-V2: kvm_hv in a PowerVM LPAR uses the nested API v2, and
   * kvmhv_enable_nested returns -ENODEV there; a probed KVM without
   * KVM_CAP_PPC_NESTED_HV refuses it the same way. */
  if (p->nested && t->gmmu == GUEST_MMU_RADIX && h->platform == HOST_PLATFORM_PSERIES &&
      h->hypervisor == HOST_HV_POWERVM) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "this host is a PowerVM LPAR: its kvm_hv uses the nested API v2, which cannot nest a further level (book3s_hv.c kvmhv_enable_nested returns -ENODEV; QEMU \"Error enabling cap-nested-hv with KVM\"; rule NESTED-V2)");
    reason (a->ways, "run the guest without KVM guests of its own (nested=false), or run it on a bare-metal (PowerNV) host");
    return FALSE;
  }
  if (p->nested && t->gmmu == GUEST_MMU_RADIX && h->kvm_probe.probed && h->kvm_probe.nested_hv == PPCVM_NO &&
      h->kvm_hv_nested != PPCVM_NO) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "the host KVM reports no nested KVM-HV (KVM_CAP_PPC_NESTED_HV is 0), so QEMU cannot enable cap-nested-hv (book3s_hv.c kvmhv_enable_nested; rule NESTED-V2)");
    reason (a->ways, "run the guest without KVM guests of its own (nested=false)");
    return FALSE;
  }
  return TRUE;
}

static void
hv_setup_checks (PlanInputs *c, Plan *pl, Attempt *a, const HvTry *t)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;
  gboolean fixable = FALSE;

  /* Setup steps the user can fix. */
  if (h->kvm_hv != PPCVM_YES) {
    a->status = PLAN_REFUSED_FIXABLE;
    reason (a->reasons, "the kvm_hv module is not loaded");
    if (t->nested_l1)
      reason (a->ways, PPCVM_FIX_LOAD_KVM_HV " (in a guest this works only when its host enabled cap-nested-hv=on)");
    else
      reason (a->ways, PPCVM_FIX_LOAD_KVM_HV);
  }
  kvm_access_checks (c, a, PPCVM_FIX_LOAD_KVM_HV);
  if (p->nested && t->gmmu == GUEST_MMU_RADIX && h->kvm_hv_nested == PPCVM_NO) {
    if (a->status == PLAN_OK)
      a->status = PLAN_REFUSED_FIXABLE;
    reason (a->reasons, "the guest wants to run KVM guests of its own, but kvm_hv's nested parameter is off");
    reason (a->ways, PPCVM_FIX_NESTED_ON);
    reason (a->ways, "to keep it: " PPCVM_FIX_NESTED_KEEP);
  }
  if (!plan_memory_backing (c, pl, t->gmmu == GUEST_MMU_HASH || t->hmmu == HOST_MMU_HASH, &fixable,
                            a->reasons, a->ways)) {
    if (a->status == PLAN_OK || (a->status == PLAN_REFUSED_FIXABLE && !fixable))
      a->status = fixable ? PLAN_REFUSED_FIXABLE : PLAN_REFUSED_IMPOSSIBLE;
  }
}

static void
hv_apply (PlanInputs *c, Plan *pl, const HvTry *t)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;

  pl->accel = PLAN_ACCEL_KVM_HV;
  pl->accel_opts = g_strdup ("kvm");
  plan_decide (pl, "accel", "kvm-hv", "kvm_hv is loaded and /dev/kvm is usable: hardware-assisted, the fastest");
  /* KVM-TYPE: upper case, which every QEMU version accepts. */
  plan_set_prop (pl, "kvm-type", "HV", "ask for KVM-HV explicitly, so QEMU never silently picks PR");
  pl->cpu = g_strdup ("host");
  plan_decide (pl, "cpu", "host", "KVM-HV accepts only the host's CPU model");
  if (t->ggen < h->generation) {
    plan_set_prop (pl, "max-cpu-compat", host_generation_compat (t->ggen), "the guest runs as %s, %s than the host",
              gen_name (t->ggen), t->ggen == h->generation - 1 ? "one generation older" : "older (compat=kernel)");
  } else if (h->generation > 0 && host_chip_generation (h) > h->generation && host_generation_compat (h->generation)) {
    /* HV-L1-COMPAT: -cpu host is the chip (its PVR); without a cap the guest
     * may negotiate the chip's level at CAS, which the L1's KVM refuses. */
    plan_set_prop (pl, "max-cpu-compat", host_generation_compat (h->generation),
              "this host is a %s running in %s compatibility mode: its guests may go no higher (KVM refuses a newer level, kvmppc_set_arch_compat; rule HV-L1-COMPAT)",
              gen_name (host_chip_generation (h)), gen_name (h->generation));
  }
  plan_page_size_cap (c, pl);
  if (p->nested) { /* NESTED-HV */
    if (t->gmmu == GUEST_MMU_RADIX)
      plan_set_prop (pl, "cap-nested-hv", "on", "the guest will run KVM-HV guests of its own (radix only)");
    else {
      g_autofree char *why = NULL;
      if (nested_pr_route_works (c, NULL, &why))
        plan_warn (pl, "this guest runs hash, so it cannot get nested KVM-HV: only KVM PR can run inside it");
      else
        plan_warn (pl, "this guest runs hash, so it cannot get nested KVM-HV, and KVM PR inside it could not start a guest either: %s (rule NESTED-PR-L1)", why);
    }
  }
  plan_kvm_caps (c, pl, t->nested_l1, t->ggen);
  warn_unprobed (c, pl);
}

void
plan_try_hv (PlanInputs *c, Plan *pl, Attempt *a)
{
  HvTry t = { guest_generation (c), c->host->platform == HOST_PLATFORM_PSERIES, c->host->mmu, GUEST_MMU_HASH };

  if (!kvm_host_ok (c, a) || !hv_can_load (c, a, &t) || !hv_cpu_model_ok (c, a)
      || !hv_generation_ok (c, pl, a, &t) || !hv_smt_ok (c, pl, a))
    return;
  hv_choose_mmu (c, pl, &t);
  if (!hv_mmu_ok (c, pl, a, &t) || !hv_nested_ok (c, a, &t))
    return;
  hv_setup_checks (c, pl, a, &t);
  if (a->status != PLAN_OK)
    return;
  hv_apply (c, pl, &t);
}

/* PR-HASH, PR-GEN, PR-MAXGEN and the guest features KVM PR cannot give. */
static gboolean
pr_can_run (PlanInputs *c, Attempt *a, int ggen)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;

  /* PR-HASH: kvm_pr needs a hash host. */
  if (!host_can_load_kvm_pr (h)) {
    g_autofree char *why = NULL;
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "KVM PR needs a host running the hashed page table; this host runs radix");
    reason (a->ways, "boot the host with disable_radix on its kernel command line");
    /* NESTED-PR-L1: offer the route only when it plans one level down. */
    if (nested_pr_route_works (c, p, &why))
      reason (a->ways, "or keep radix and run an HPT guest (mmu=hash) with kvm_pr loaded inside it, then run this guest there with accel=pr (nested PR)");
    else
      reason (a->reasons, "KVM PR inside an HPT guest (nested PR) would not work here either: %s (rule NESTED-PR-L1)", why);
    return FALSE;
  }
  if (wants_nested_hv (c, ggen)) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "the guest wants to run KVM-HV guests of its own, and a KVM PR guest cannot");
    return FALSE;
  }
  /* Rule HV-SMT, PR side: KVM PR runs one thread per virtual core
   * (kvm_vm_ioctl_check_extension: KVM_CAP_PPC_SMT is 1 without HV). */
  if (p->threads > 1) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "KVM PR runs one thread per guest core, and the guest asks for threads=%u", p->threads);
    reason (a->ways, "threads=1 (the same vCPUs as single-thread cores)");
    return FALSE;
  }
  /* PR-GEN: PR runs the guest's code on the host CPU and emulates only the
   * privileged instructions; a newer guest's instructions trap as illegal
   * (book3s_pr.c, kvmppc_exit_pr_progint). */
  if (p->cpu_generation && h->generation > 0 && ggen > h->generation) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "KVM PR runs the guest's code on the host CPU: the %s instructions this %s host lacks would reach the guest as illegal-instruction interrupts (book3s_pr.c kvmppc_exit_pr_progint; rule PR-GEN)",
            gen_name (ggen), gen_name (h->generation));
    reason (a->ways, "run the guest as %s or older (cpu=%s) to use KVM PR", gen_name (h->generation), gen_name (h->generation));
    return FALSE;
  }
  /* PR-MAXGEN: kvmppc_set_pvr_pr gives multiple page sizes (1 TiB segments)
   * only to POWER6..POWER9 PVRs; QEMU's kvm_check_mmu then stops a POWER10+
   * vCPU. */
  if (p->cpu_generation >= 10) {
    a->status = PLAN_REFUSED_IMPOSSIBLE;
    reason (a->reasons, "KVM PR cannot run a %s vCPU: the kernel offers the 1 TiB segments it expects only to POWER6..POWER9 (book3s_pr.c kvmppc_set_pvr_pr), and QEMU stops (\"KVM does not support 1TiB segments which guest expects\"; rule PR-MAXGEN)",
            gen_name (ggen));
    reason (a->ways, "run the guest as POWER9 (cpu=POWER9) to use KVM PR");
    return FALSE;
  }
  return TRUE;
}

/* The KVM PR plan: accel, CPU model and the caps PR cannot provide. */
static void
pr_apply (PlanInputs *c, Plan *pl, int ggen)
{
  const HostFacts *h = c->host;
  const Profile *p = c->profile;

  pl->accel = PLAN_ACCEL_KVM_PR;
  pl->accel_opts = g_strdup ("kvm");
  plan_decide (pl, "accel", "kvm-pr", "kvm_pr is loaded on a hash host: KVM in problem state, slower than HV but any CPU model");
  /* KVM-TYPE */
  plan_set_prop (pl, "kvm-type", "PR", "ask for KVM PR explicitly");
  if (p->cpu_generation) {
    pl->cpu = g_strdup (gen_name (ggen));
    plan_decide (pl, "cpu", pl->cpu, "KVM PR can run any POWER CPU model up to the host's and up to POWER9 (rules PR-GEN, PR-MAXGEN)");
  } else if (host_chip_generation (h) >= 10) {
    /* PR-MAXGEN: -cpu host would be the POWER10+ chip. */
    ggen = MIN (ggen, 9);
    pl->cpu = g_strdup (gen_name (ggen));
    plan_decide (pl, "cpu", pl->cpu, "cpu=host under KVM PR on a %s runs as %s: the kernel gives POWER10 and later vCPUs no 1 TiB segments (book3s_pr.c kvmppc_set_pvr_pr), so QEMU would stop (\"KVM does not support 1TiB segments which guest expects\"; rule PR-MAXGEN)",
                 gen_name (host_chip_generation (h)), pl->cpu);
  } else {
    pl->cpu = g_strdup ("host");
    plan_decide (pl, "cpu", "host", "the profile asks for the host's CPU");
  }
  plan_page_size_cap (c, pl);
  /* What the host reports applies under PR too (rules PR-CAPS, CCF-ASSIST). */
  plan_htm_cap (c, pl, h->platform == HOST_PLATFORM_PSERIES, ggen);
  plan_mitigation_caps (c, pl, TRUE);
  /* PR-CAPS-OFF: caps PR cannot provide (QEMU hw/ppc/spapr_caps.c), its
   * irqchip on POWER9, and no VGA. */
  if (has_cap (c, "cap-large-decr") && machine_at_least (c, 4, 0) && ggen >= 9)
    plan_set_prop (pl, "cap-large-decr", "off", "KVM PR has no large decrementer");
  if (has_cap (c, "cap-fwnmi") && machine_at_least (c, 5, 0))
    plan_set_prop (pl, "cap-fwnmi", "off", "KVM PR has no FWNMI (KVM_CAP_PPC_FWNMI needs HV)");
  if (has_cap (c, "cap-ail-mode-3") && ggen >= 8)
    plan_set_prop (pl, "cap-ail-mode-3", "off", "KVM PR has no AIL mode 3");
  if (h->generation >= 9)
    plan_set_prop (pl, "kernel-irqchip", "off", "KVM PR on POWER9 needs the in-QEMU interrupt controller");
  pl->no_vga = TRUE;
  plan_decide (pl, "vga", "none", "a KVM PR guest with a VGA device can checkstop the host");
  if (p->display == DISPLAY_VNC || p->display == DISPLAY_GTK)
    plan_warn (pl, "KVM PR guests get no VGA device (a known host checkstop): the %s display shows no guest screen, use the serial console",
          profile_display_to_string (p->display));
  if (p->nested)
    plan_warn (pl, "a KVM PR guest cannot run KVM-HV guests of its own");
  warn_unprobed (c, pl);
}

void
plan_try_pr (PlanInputs *c, Plan *pl, Attempt *a)
{
  const HostFacts *h = c->host;
  int ggen = guest_generation (c);
  gboolean fixable = FALSE;

  if (!kvm_host_ok (c, a))
    return;
  if (h->mmu == HOST_MMU_UNKNOWN && h->generation >= 9)
    plan_warn (pl, "the host MMU mode is unknown (no MMU line in /proc/cpuinfo); planning as for a hash host");
  if (!pr_can_run (c, a, ggen))
    return;
  if (h->kvm_pr != PPCVM_YES) {
    a->status = PLAN_REFUSED_FIXABLE;
    reason (a->reasons, "the kvm_pr module is not loaded");
    reason (a->ways, PPCVM_FIX_LOAD_KVM_PR " (the kernel must be built with CONFIG_KVM_BOOK3S_64_PR)");
  }
  kvm_access_checks (c, a, PPCVM_FIX_LOAD_KVM_PR);

  pl->guest_mmu = GUEST_MMU_HASH;
  plan_decide (pl, "guest-mmu", "hash", "KVM PR runs guests with the hashed page table only");
  if (!plan_memory_backing (c, pl, TRUE, &fixable, a->reasons, a->ways)) {
    if (a->status == PLAN_OK || (a->status == PLAN_REFUSED_FIXABLE && !fixable))
      a->status = fixable ? PLAN_REFUSED_FIXABLE : PLAN_REFUSED_IMPOSSIBLE;
  }
  if (a->status != PLAN_OK)
    return;

  pr_apply (c, pl, ggen);
}
