/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by planner.c (lifecycle, TCG, plan_build), planner-kvm.c (KVM-HV,
 * KVM PR, memory backing) and planner-host.c (hugepage commands, host
 * advice): one module, three files. Not part of the module's contract. */

#pragma once

#include "planner.h"
#include "util.h"

#define KIB4 G_GUINT64_CONSTANT (4096)
#define KIB64 G_GUINT64_CONSTANT (65536)

/* What one plan is made from: the host, its QEMU and the profile. */
typedef struct {
  const HostFacts *host;
  const EmulatorFacts *emu; /* may be NULL: nothing known about QEMU */
  const Profile *profile;
  int mach_major, mach_minor; /* machine type version; 0.0 unknown */
} PlanInputs;

/* One accelerator's try: PLAN_OK, or why not and the ways out. */
typedef struct {
  PlanStatus status; /* PLAN_OK, or why not */
  GPtrArray *reasons;
  GPtrArray *ways;
} Attempt;

/* A decision with its one-line reason; a machine property with its decision;
 * a warning. */
void plan_decide (Plan *pl, const char *setting, const char *value, const char *fmt, ...) G_GNUC_PRINTF (4, 5);
void plan_set_prop (Plan *pl, const char *key, const char *value, const char *fmt, ...) G_GNUC_PRINTF (4, 5);
void plan_warn (Plan *pl, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* Rule HV-SMT's scope: KVM-HV on a POWER7/POWER8 PowerNV host. */
gboolean host_hv_needs_smt_off (const HostFacts *h);

/* The KVM accelerators (planner-kvm.c): fill PL or say in A why not. */
void plan_try_hv (PlanInputs *c, Plan *pl, Attempt *a);
void plan_try_pr (PlanInputs *c, Plan *pl, Attempt *a);

static inline void G_GNUC_PRINTF (2, 3)
reason (GPtrArray *arr, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (arr, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

/* ---- Helpers over the facts ---- */

/* HV-LOAD: where kvm_hv can load at all (kvmppc_core_check_processor_compat_hv,
 * kvmhv_nested_init): a PowerNV (bare metal) POWER7 or
 * later host, or a radix POWER9+ pSeries guest as a nested hypervisor. A
 * PowerNV host of unknown generation gets the benefit of the doubt. */
static inline gboolean
host_can_load_kvm_hv (const HostFacts *h)
{
  if (h->platform == HOST_PLATFORM_POWERNV)
    return h->generation == 0 || h->generation >= 7;
  if (h->platform == HOST_PLATFORM_PSERIES)
    return h->mmu == HOST_MMU_RADIX && h->generation >= 9;
  return FALSE;
}

/* PR-HASH: kvm_pr refuses to load on a radix ISA 3.00 host
 * (kvmppc_core_check_processor_compat_pr). */
static inline gboolean
host_can_load_kvm_pr (const HostFacts *h)
{
  return h->mmu != HOST_MMU_RADIX;
}

static inline gboolean
qemu_at_least (const PlanInputs *c, int major, int minor)
{
  /* Unknown QEMU: assume a current one (the rules for new versions are the
   * strict ones). */
  return c->emu == NULL || emulator_version_at_least (c->emu, major, minor);
}

/* MACHINE-TYPES: a cap is set only if this QEMU has it. */
static inline gboolean
has_cap (const PlanInputs *c, const char *cap)
{
  return c->emu == NULL || emulator_has_cap (c->emu, cap);
}

static inline gboolean
machine_at_most (const PlanInputs *c, int major, int minor)
{
  if (c->mach_major == 0)
    return FALSE;
  return c->mach_major < major || (c->mach_major == major && c->mach_minor <= minor);
}

static inline gboolean
machine_at_least (const PlanInputs *c, int major, int minor)
{
  if (c->mach_major == 0)
    return TRUE; /* unknown: treat as current */
  return c->mach_major > major || (c->mach_major == major && c->mach_minor >= minor);
}

static inline const char *
gen_name (int gen)
{
  const char *name = host_generation_name (gen);
  return name != NULL ? name : "unknown";
}

static inline char *
page_name (guint64 size)
{
  return ppcvm_format_size_human (size);
}

static inline void
add_tcg_way (GPtrArray *ways)
{
  reason (ways, "run it emulated instead: --accel tcg (or accel=tcg in [guest]); TCG is much slower");
}

/* The generation of the host's chip, from its PVR; it can be newer than
 * h->generation, the mode the host runs in (an L1 in a compat mode, e.g. a
 * POWER10 showing "POWER9 (architected)"). 0 unknown. */
static inline int
host_chip_generation (const HostFacts *h)
{
  int gen = 0;

  if (h->pvr != 0)
    host_pvr_chip (h->pvr, &gen);
  return MAX (gen, h->generation);
}

/* P9-MIXED: a POWER9 before DD2.2 (Nimbus) or DD1.1 (Cumulus) cannot have
 * some threads of a core in hash mode and some in radix
 * (book3s_hv.c kvmppc_hash_v3_possible). */
static inline gboolean
host_p9_no_mixed_mmu (const HostFacts *h)
{
  guint32 pvr = h->pvr;

  if ((pvr >> 16) != 0x004e)
    return FALSE;
  return ((pvr & 0xe000) == 0 && (pvr & 0xfff) < 0x202) || ((pvr & 0xe000) == 0x2000 && (pvr & 0xfff) < 0x101);
}

static inline int
guest_generation (const PlanInputs *c)
{
  return c->profile->cpu_generation ? c->profile->cpu_generation : c->host->generation;
}
