/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The planner as tables: every row of the Void Linux PPC compatibility
 * table (4 host kinds × guest kinds, and the nested rows), the rules of
 * docs/rules.md (each row's comment names the rule ids it checks),
 * refusals; and each TCG plan's argv accepted by the real qemu-system-ppc64
 * (dumpdtb builds the machine and exits). */
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cmdline.h"
#include "emulator.h"
#include "host-json.h"
#include "qmp.h" /* the json_object autoptr */
#include "host.h"
#include "planner.h"
#include "profile.h"
#include "remedies.h"
#include "testlib.h"
#include "util.h"

#define MiB (G_GUINT64_CONSTANT (1) << 20)
#define GiB (G_GUINT64_CONSTANT (1) << 30)

/* ---- Hosts ---- */

typedef enum {
  H_RADIX_4K,       /* POWER9 PowerNV radix, 4 KiB pages (Void default) */
  H_RADIX_4K_HP,    /* the same with 2 MiB hugepages reserved and mounted */
  H_HASH_4K,        /* POWER8 PowerNV, 4 KiB pages, 16 MiB hugepages reserved and mounted */
  H_HASH_4K_NOHP,   /* the same, nothing reserved */
  H_RADIX_64K,      /* POWER9 PowerNV radix, 64 KiB pages */
  H_HASH_64K,       /* POWER9 PowerNV booted with disable_radix, 64 KiB pages */
  H_L1_RADIX_64K,   /* a radix POWER9 KVM guest with kvm_hv (nested HV) */
  H_L1_RADIX_4K,    /* the same with a 4 KiB-page kernel */
  H_L1_HASH,        /* a hash POWER9 KVM guest with kvm_pr */
  H_P7_HASH,        /* POWER7 PowerNV (hash only), 64 KiB pages, kvm_hv and kvm_pr */
  H_L1_HASH_P10,    /* a hash KVM guest on POWER10 (PVR 0080 0200), kvm_pr */
  H_L1_RADIX_P10_C9, /* a radix KVM guest on POWER10 in POWER9 compat mode ("POWER9 (architected)") */
  H_HASH_64K_NOMIT, /* H_HASH_64K whose KVM probe reports no mitigations, no assist, no HTM */
  H_HASH_64K_CCD,   /* H_HASH_64K, probe: count cache disabled (ibs fixed-ccd), no assist */
  H_RADIX_64K_CCD,  /* H_RADIX_64K, the same probe */
  H_P10_RADIX,      /* POWER10 PowerNV radix, 64 KiB pages, probed: no DAWR1 */
  H_POWERVM_P10,    /* a radix POWER10 PowerVM LPAR with kvm_hv (nested API v2) */
  H_P9_DD21_RADIX,  /* POWER9 Nimbus DD2.1 (PVR 004e 0201) PowerNV radix, 64 KiB pages */
  H_UNPROBED_64K,   /* H_RADIX_64K as a host file without the KVM probe (kvm.caps null) */
  H_X86,
} HostKind;

/* A KVM probe as `ppcvm host` records it on a live POWER host: every cap
 * present but those named, mitigation levels as given. */
static void
set_probe (HostFacts *h, const char *cfpc, const char *sbbc, const char *ibs, PpcvmTristate ccf)
{
  HostKvmProbe *k = &h->kvm_probe;

  k->probed = TRUE;
  k->radix = h->mmu == HOST_MMU_RADIX ? PPCVM_YES : PPCVM_NO;
  k->hash_v3 = k->htm = k->nested_hv = k->fwnmi = k->ail_mode_3 = k->rpt_invalidate = PPCVM_YES;
  k->dawr1 = h->generation >= 10 ? PPCVM_YES : PPCVM_NO;
  k->resize_hpt = k->large_decr = PPCVM_YES;
  k->smmu_probed = TRUE;
  k->page_sizes_real = TRUE;
  /* Callable again on a host make_host already probed. */
  g_free (k->cfpc);
  g_free (k->sbbc);
  g_free (k->ibs);
  k->cfpc = g_strdup (cfpc);
  k->sbbc = g_strdup (sbbc);
  k->ibs = g_strdup (ibs);
  k->ccf_assist = ccf;
}

static void
add_hugepages (HostFacts *h, guint64 size, gint64 total, gint64 free_pages, gboolean def)
{
  HostHugepages hp = { size, total, free_pages, def };
  g_array_append_val (h->hugepages, hp);
}

static void
add_mount (HostFacts *h, const char *path, guint64 size)
{
  HostHugetlbfs *m = g_new0 (HostHugetlbfs, 1);
  m->path = g_strdup (path);
  m->page_size = size;
  m->writable = PPCVM_YES;
  g_ptr_array_add (h->hugetlbfs, m);
}

static HostFacts *
make_host (HostKind kind)
{
  HostFacts *h = host_facts_new ();

  h->arch = g_strdup ("ppc64le");
  h->kernel = g_strdup ("6.1.0-50-powerpc64le");
  h->cpu_count = 16;
  h->kvm_device = h->kvm_usable = PPCVM_YES;
  h->kvm_hv = PPCVM_YES;
  h->kvm_pr = PPCVM_NO;
  h->kvm_hv_nested = PPCVM_YES;
  h->platform = HOST_PLATFORM_POWERNV;
  h->hypervisor = HOST_HV_NONE;
  h->generation = 9;
  h->cpu_chip = g_strdup ("POWER9");
  h->pvr = 0x004e1202;
  h->mem_total = 64 * GiB;

  switch (kind) {
  case H_RADIX_4K:
  case H_RADIX_4K_HP:
    h->mmu = HOST_MMU_RADIX;
    h->page_size = 4096;
    add_hugepages (h, 2 * MiB, kind == H_RADIX_4K_HP ? 4096 : 0, kind == H_RADIX_4K_HP ? 4096 : 0, TRUE);
    add_hugepages (h, GiB, 0, 0, FALSE);
    if (kind == H_RADIX_4K_HP)
      add_mount (h, "/dev/hugepages", 2 * MiB);
    break;
  case H_HASH_4K:
  case H_HASH_4K_NOHP:
    h->generation = 8;
    g_free (h->cpu_chip);
    h->cpu_chip = g_strdup ("POWER8E");
    h->pvr = 0x004b0201;
    h->mmu = HOST_MMU_HASH;
    h->page_size = 4096;
    h->kvm_pr = PPCVM_YES;
    h->kvm_hv_nested = PPCVM_UNKNOWN;
    add_hugepages (h, 16 * MiB, kind == H_HASH_4K ? 512 : 0, kind == H_HASH_4K ? 512 : 0, TRUE);
    if (kind == H_HASH_4K)
      add_mount (h, "/dev/hugepages", 16 * MiB);
    break;
  case H_RADIX_64K:
    h->mmu = HOST_MMU_RADIX;
    h->page_size = 65536;
    add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    break;
  case H_HASH_64K:
    h->mmu = HOST_MMU_HASH;
    h->page_size = 65536;
    h->kvm_pr = PPCVM_YES;
    add_hugepages (h, 16 * MiB, 0, 0, TRUE);
    break;
  case H_L1_RADIX_64K:
  case H_L1_RADIX_4K:
    h->platform = HOST_PLATFORM_PSERIES;
    h->hypervisor = HOST_HV_KVM;
    h->mmu = HOST_MMU_RADIX;
    h->page_size = kind == H_L1_RADIX_4K ? 4096 : 65536;
    add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    break;
  case H_L1_HASH:
    h->platform = HOST_PLATFORM_PSERIES;
    h->hypervisor = HOST_HV_KVM;
    h->mmu = HOST_MMU_HASH;
    h->page_size = 65536;
    h->kvm_hv = PPCVM_NO;
    h->kvm_pr = PPCVM_YES;
    h->kvm_hv_nested = PPCVM_UNKNOWN;
    break;
  case H_P7_HASH:
    h->generation = 7;
    g_free (h->cpu_chip);
    h->cpu_chip = g_strdup ("POWER7");
    h->pvr = 0x003f0201;
    h->mmu = HOST_MMU_HASH;
    h->page_size = 65536;
    h->kvm_pr = PPCVM_YES;
    h->kvm_hv_nested = PPCVM_UNKNOWN;
    add_hugepages (h, 16 * MiB, 0, 0, TRUE);
    break;
  case H_L1_HASH_P10:
  case H_L1_RADIX_P10_C9:
    g_free (h->cpu_chip);
    h->cpu_chip = g_strdup ("POWER10");
    h->pvr = 0x00800200;
    h->platform = HOST_PLATFORM_PSERIES;
    h->hypervisor = HOST_HV_KVM;
    h->page_size = 65536;
    if (kind == H_L1_HASH_P10) {
      h->generation = 10;
      h->mmu = HOST_MMU_HASH;
      h->kvm_hv = PPCVM_NO;
      h->kvm_pr = PPCVM_YES;
      h->kvm_hv_nested = PPCVM_UNKNOWN;
    } else {
      h->generation = 9;
      h->cpu_compat = g_strdup ("POWER9");
      h->mmu = HOST_MMU_RADIX;
      add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    }
    break;
  case H_HASH_64K_NOMIT:
  case H_HASH_64K_CCD:
    h->mmu = HOST_MMU_HASH;
    h->page_size = 65536;
    h->kvm_pr = PPCVM_YES;
    add_hugepages (h, 16 * MiB, 0, 0, TRUE);
    if (kind == H_HASH_64K_NOMIT) {
      set_probe (h, "broken", "broken", "broken", PPCVM_NO);
      h->kvm_probe.htm = PPCVM_NO;
    } else {
      set_probe (h, "workaround", "workaround", "fixed-ccd", PPCVM_NO);
    }
    break;
  case H_RADIX_64K_CCD:
    h->mmu = HOST_MMU_RADIX;
    h->page_size = 65536;
    add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    set_probe (h, "workaround", "workaround", "fixed-ccd", PPCVM_NO);
    break;
  case H_P10_RADIX:
    h->generation = 10;
    g_free (h->cpu_chip);
    h->cpu_chip = g_strdup ("POWER10");
    h->pvr = 0x00800200;
    h->mmu = HOST_MMU_RADIX;
    h->page_size = 65536;
    add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    set_probe (h, "fixed", "fixed", "fixed-na", PPCVM_YES);
    h->kvm_probe.dawr1 = PPCVM_NO;
    break;
  case H_POWERVM_P10:
    h->generation = 10;
    g_free (h->cpu_chip);
    h->cpu_chip = g_strdup ("POWER10");
    h->pvr = 0x00800200;
    h->platform = HOST_PLATFORM_PSERIES;
    h->hypervisor = HOST_HV_POWERVM;
    h->mmu = HOST_MMU_RADIX;
    h->page_size = 65536;
    add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    break;
  case H_P9_DD21_RADIX:
    h->pvr = 0x004e0201;
    h->mmu = HOST_MMU_RADIX;
    h->page_size = 65536;
    add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    set_probe (h, "workaround", "workaround", "workaround", PPCVM_YES);
    h->kvm_probe.hash_v3 = h->kvm_probe.ail_mode_3 = PPCVM_NO; /* what its kernel answers */
    break;
  case H_X86:
    g_free (h->arch);
    h->arch = g_strdup ("x86_64");
    g_clear_pointer (&h->cpu_chip, g_free);
    h->pvr = 0;
    h->generation = 0;
    h->platform = HOST_PLATFORM_UNKNOWN;
    h->hypervisor = HOST_HV_UNKNOWN;
    h->mmu = HOST_MMU_UNKNOWN;
    h->page_size = 4096;
    h->kvm_hv = PPCVM_NO;
    break;
  case H_UNPROBED_64K:
    h->mmu = HOST_MMU_RADIX;
    h->page_size = 65536;
    add_hugepages (h, 2 * MiB, 0, 0, TRUE);
    break;
  }
  /* A live POWER host's KVM is probed (`ppcvm host --json` records it): all
   * there, but HTM in a KVM guest; H_UNPROBED_64K and the ones probed above
   * keep theirs. */
  if (kind != H_X86 && kind != H_UNPROBED_64K && !h->kvm_probe.probed) {
    set_probe (h, "workaround", "workaround", "workaround", PPCVM_YES);
    if (h->platform == HOST_PLATFORM_PSERIES)
      h->kvm_probe.htm = PPCVM_NO;
  }
  return h;
}

/* ---- Emulators ---- */

/* A hand-described QEMU: version, pseries machines from OLDEST to the
 * version's own, caps derived from the version (caps NULL). */
static EmulatorFacts *
qemu_version (int major, int minor, const char *oldest_machine)
{
  EmulatorFacts *e = emulator_facts_new ();
  int omaj, omin;

  e->major = major;
  e->minor = minor;
  e->version = g_strdup_printf ("%d.%d.0", major, minor);
  e->path = g_strdup ("/usr/bin/qemu-system-ppc64");
  g_strfreev (e->accelerators);
  e->accelerators = g_strsplit ("tcg,kvm", ",", -1);
  e->default_machine = g_strdup_printf ("pseries-%d.%d", major, minor);
  ck_assert (emulator_machine_version (NULL, oldest_machine, &omaj, &omin));
  for (int ma = omaj; ma <= major; ma++) {
    for (int mi = (ma == omaj ? omin : 0); mi <= (ma == major ? minor : 12); mi++) {
      EmulatorMachine *m;
      if (ma == 2 && mi == 0)
        continue;
      if (ma >= 3 && mi > 2)
        break;
      m = g_new0 (EmulatorMachine, 1);
      m->name = g_strdup_printf ("pseries-%d.%d", ma, mi);
      m->is_default = ma == major && mi == minor;
      m->alias = m->is_default ? g_strdup ("pseries") : NULL;
      m->default_cpu = g_strdup (ma >= 4 ? "power9_v2.0" : ma == 3 || mi >= 8 ? "power8_v2.0" : "power7_v2.3");
      g_ptr_array_add (e->machines, m);
    }
  }
  return e;
}

/* ---- Guests ---- */

typedef struct {
  GuestMmu mmu;
  guint64 page;
  int cpu;           /* 0 host */
  gboolean nested;
  AccelRequest accel;
  const char *machine;
  guint64 memory;
  CompatMode compat;
} GuestSpec;

static Profile *
make_profile (const GuestSpec *g)
{
  Profile *p = profile_new_defaults ();

  p->id = g_strdup ("test");
  p->name = g_strdup ("test guest");
  p->mmu = g->mmu;
  p->page_size = g->page ? g->page : 65536;
  p->cpu_generation = g->cpu;
  p->nested = g->nested;
  p->accel = g->accel;
  if (g->machine) {
    g_free (p->machine);
    p->machine = g_strdup (g->machine);
  }
  if (g->memory)
    p->memory = g->memory;
  p->compat = g->compat;
  return p;
}

#define R GUEST_MMU_RADIX
#define H GUEST_MMU_HASH
#define K4 4096
#define K64 65536

/* Expected outcome. status: PLAN_OK or a refusal. accel: for OK plans.
 * props: machine properties that must be there ("k=v" list, ';'-separated);
 * absent: properties that must not be there. mem_path: expected or NULL. */
typedef struct {
  const char *name;
  HostKind host;
  GuestSpec guest;
  PlanStatus status;
  PlanAccel accel;
  GuestMmu mmu;
  const char *props;
  const char *absent;
  const char *mem_path;
  const char *text; /* must appear in a reason / way out / warning / decision's reason */
  const char *cpu;  /* the -cpu value, when the row checks it */
  const char *notext; /* must appear nowhere in the plan */
} Row;

/* The Void Linux PPC compatibility table (docs/rules.md, "The table"). */
static const Row void_rows[] = {
  /* Radix host, 4 KiB pages (Void default on POWER9 and newer) */
  /* HV-MMU, HPT-4K-CAP, KVM-TYPE */
  { "radix4k: radix guest 64K -> HV", H_RADIX_4K, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV;cap-hpt-max-page-size=4096", "max-cpu-compat;cap-nested-hv", NULL, NULL },
  /* HV-MMU, HPT-4K-CAP */
  { "radix4k: radix guest 4K -> HV", H_RADIX_4K, { R, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV;cap-hpt-max-page-size=4096", NULL, NULL, NULL },
  /* VRMA-HUGEPAGES */
  { "radix4k: HPT guest 4K -> HV on hugepages", H_RADIX_4K_HP, { H, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV;cap-hpt-max-page-size=4096", NULL, "/dev/hugepages", NULL },
  /* VRMA-HUGEPAGES */
  { "radix4k: HPT guest 4K, no hugepages -> fix", H_RADIX_4K, { H, K4 }, PLAN_REFUSED_FIXABLE, 0, 0,
    NULL, NULL, NULL, "sudo sysctl vm.nr_hugepages=1088" },
  /* HPT-PAGE */
  { "radix4k: HPT guest 64K -> not with KVM", H_RADIX_4K_HP, { H, K64, .accel = ACCEL_KVM }, PLAN_REFUSED_IMPOSSIBLE,
    0, 0, NULL, NULL, NULL, "page size must not exceed the host's" },
  /* HPT-PAGE */
  { "radix4k: HPT guest 64K, auto -> TCG", H_RADIX_4K_HP, { H, K64 }, PLAN_OK, PLAN_ACCEL_TCG, H,
    NULL, "kvm-type", NULL, "KVM cannot run this guest here" },
  /* HPT host, 4 KiB pages (Void default on POWER8 and older) */
  /* VRMA-HUGEPAGES, HPT-4K-CAP */
  { "hash4k: HPT guest 4K -> HV on hugepages", H_HASH_4K, { H, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV;cap-hpt-max-page-size=4096", NULL, "/dev/hugepages", NULL },
  /* HV-MMU, VRMA-HUGEPAGES */
  { "hash4k: radix-capable 4K guest runs hash under HV", H_HASH_4K, { R, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "cap-hpt-max-page-size=4096", NULL, "/dev/hugepages", NULL },
  /* VRMA-HUGEPAGES */
  { "hash4k: HPT guest 4K, nothing reserved -> fix", H_HASH_4K_NOHP, { H, K4 }, PLAN_REFUSED_FIXABLE, 0, 0,
    NULL, NULL, NULL, "mount -t hugetlbfs -o pagesize=16M hugetlbfs /dev/hugepages" },
  /* HPT-PAGE, PR-HASH, PR-CAPS-OFF */
  { "hash4k: HPT guest 64K -> KVM PR", H_HASH_4K, { H, K64 }, PLAN_OK, PLAN_ACCEL_KVM_PR, H,
    "kvm-type=PR;cap-hpt-max-page-size=4096;cap-fwnmi=off", "cap-large-decr;cap-ccf-assist",
    "/dev/hugepages", NULL },
  /* PR-HASH, KVM-TYPE */
  { "hash4k: KVM PR asked", H_HASH_4K, { H, K4, .accel = ACCEL_PR }, PLAN_OK, PLAN_ACCEL_KVM_PR, H,
    "kvm-type=PR", "kernel-irqchip", "/dev/hugepages", NULL },
  /* HV-GEN */
  { "hash4k: POWER7 guest (one older) -> HV compat", H_HASH_4K, { H, K4, .cpu = 7 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "max-cpu-compat=power7", NULL, "/dev/hugepages", NULL },
  /* HV-GEN, PR-HASH */
  { "hash4k: POWER6 guest -> KVM PR", H_HASH_4K, { H, K4, .cpu = 6 }, PLAN_OK, PLAN_ACCEL_KVM_PR, H,
    "kvm-type=PR", "max-cpu-compat", "/dev/hugepages", NULL },
  /* Radix host, 64 KiB pages */
  { "radix64k: radix guest 64K -> HV", H_RADIX_64K, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV", "cap-hpt-max-page-size", NULL, NULL },
  { "radix64k: radix guest 4K -> HV", H_RADIX_64K, { R, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV", "cap-hpt-max-page-size", NULL, NULL },
  /* HV-MMU */
  { "radix64k: HPT guest 64K -> HV", H_RADIX_64K, { H, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV", "cap-hpt-max-page-size", NULL, NULL },
  { "radix64k: HPT guest 4K -> HV", H_RADIX_64K, { H, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV", "cap-hpt-max-page-size", NULL, NULL },
  /* HPT host, 64 KiB pages */
  { "hash64k: HPT guest 64K -> HV", H_HASH_64K, { H, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV", "cap-hpt-max-page-size", NULL, NULL },
  { "hash64k: HPT guest 4K -> HV", H_HASH_64K, { H, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV", NULL, NULL, NULL },
  /* HV-MMU */
  { "hash64k: radix-capable guest runs hash", H_HASH_64K, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV", NULL, NULL, NULL },
  /* PR-CAPS-OFF */
  { "hash64k: KVM PR", H_HASH_64K, { H, K64, .accel = ACCEL_PR }, PLAN_OK, PLAN_ACCEL_KVM_PR, H,
    "kvm-type=PR;kernel-irqchip=off;cap-large-decr=off", "cap-hpt-max-page-size;cap-ail-mode-3", NULL, NULL },
  /* Nested: a radix guest (4K or 64K pages) running radix guests under nested HV */
  /* HV-LOAD */
  { "radix L1 64K: radix guest 64K -> nested HV", H_L1_RADIX_64K, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV", "cap-hpt-max-page-size", NULL, NULL },
  { "radix L1 4K: radix guest 64K -> nested HV + cap", H_L1_RADIX_4K, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV;cap-hpt-max-page-size=4096", NULL, NULL, NULL },
  { "radix L1 4K: radix guest 4K -> nested HV + cap", H_L1_RADIX_4K, { R, K4 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "cap-hpt-max-page-size=4096", NULL, NULL, NULL },
  /* NESTED-L1-RADIX */
  { "radix L1: hash guest refused by HV", H_L1_RADIX_64K, { H, K64, .accel = ACCEL_HV }, PLAN_REFUSED_IMPOSSIBLE,
    0, 0, NULL, NULL, NULL, "HPT not supported in nested guests" },
  /* NESTED-L1-RADIX */
  { "radix L1: POWER8 guest refused by HV", H_L1_RADIX_64K, { R, K64, .cpu = 8, .accel = ACCEL_HV },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "radix guests only" },
  /* PR-HASH */
  { "radix L1: kvm_pr cannot help (radix)", H_L1_RADIX_64K, { H, K64, .accel = ACCEL_PR }, PLAN_REFUSED_IMPOSSIBLE,
    0, 0, NULL, NULL, NULL, "disable_radix" },
  /* PR-CAPS (cap-htm under any KVM) */
  { "radix L1 4K: pinned pseries-2.11 -> cap-htm=off", H_L1_RADIX_4K, { R, K64, .machine = "pseries-2.11" },
    PLAN_OK, PLAN_ACCEL_KVM_HV, R, "cap-htm=off;cap-hpt-max-page-size=4096", NULL, NULL, NULL },
  /* Nested: an HPT guest (4K or 64K) can only run KVM PR */
  /* PR-HASH */
  { "hash L1: guest -> KVM PR", H_L1_HASH, { H, K64 }, PLAN_OK, PLAN_ACCEL_KVM_PR, H, "kvm-type=PR", NULL,
    NULL, NULL },
  /* HV-LOAD */
  { "hash L1: HV refused", H_L1_HASH, { R, K64, .accel = ACCEL_HV }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL,
    NULL, NULL, "nested hypervisor on a radix POWER9" },
};

static const Row rule_rows[] = {
  /* PR-HASH, NESTED-PR-L1 */
  { "radix host, PR asked: both ways out", H_RADIX_64K, { H, K64, .accel = ACCEL_PR }, PLAN_REFUSED_IMPOSSIBLE,
    0, 0, NULL, NULL, NULL, "HPT guest (mmu=hash) with kvm_pr loaded inside it" },
  /* NESTED-HV */
  { "nested radix guest -> cap-nested-hv", H_RADIX_64K, { R, K64, .nested = TRUE }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "cap-nested-hv=on", NULL, NULL, NULL },
  /* NESTED-HV */
  { "nested hash guest -> warning", H_RADIX_64K, { H, K64, .nested = TRUE }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    NULL, "cap-nested-hv", NULL, "only KVM PR can run inside it" },
  /* HV-GEN, HV-MMU */
  { "POWER8 guest on POWER9 -> compat, hash", H_RADIX_64K, { R, K64, .cpu = 8 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "max-cpu-compat=power8", NULL, NULL, NULL },
  /* HV-GEN */
  { "POWER7 guest on POWER9, kvm -> refused", H_RADIX_64K, { R, K64, .cpu = 7, .accel = ACCEL_KVM },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "one older" },
  /* HV-GEN */
  { "POWER7 guest on POWER9, auto -> TCG", H_RADIX_64K, { R, K64, .cpu = 7 }, PLAN_OK, PLAN_ACCEL_TCG, H,
    NULL, NULL, NULL, "KVM cannot run this guest here" },
  /* HV-GEN */
  { "POWER10 guest on POWER9 -> refused for HV", H_RADIX_64K, { R, K64, .cpu = 10, .accel = ACCEL_HV },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "POWER10 guest on a POWER9 host" },
  /* TCG-CAPS */
  { "x86 -> TCG, clean caps", H_X86, { R, K64 }, PLAN_OK, PLAN_ACCEL_TCG, R,
    "cap-cfpc=broken;cap-sbbc=broken;cap-ibs=broken;cap-ccf-assist=off", "kvm-type;cap-hpt-max-page-size", NULL, NULL },
  /* HV-LOAD */
  { "x86, kvm asked -> refused", H_X86, { R, K64, .accel = ACCEL_KVM }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL,
    NULL, "not a 64-bit POWER machine" },
  { "x86, POWER8 -> TCG hash", H_X86, { R, K64, .cpu = 8 }, PLAN_OK, PLAN_ACCEL_TCG, H, NULL, NULL, NULL, NULL },
  /* TCG-CAPS */
  { "x86, pseries-2.11 -> cap-htm=off", H_X86, { R, K64, .machine = "pseries-2.11" }, PLAN_OK, PLAN_ACCEL_TCG, H,
    "cap-htm=off", "cap-cfpc", NULL, NULL },
  /* NESTED-HV */
  { "x86, nested radix -> cap-nested-hv under TCG", H_X86, { R, K64, .nested = TRUE }, PLAN_OK, PLAN_ACCEL_TCG, R,
    "cap-nested-hv=on", NULL, NULL, NULL },
  /* MACHINE-TYPES */
  { "x86, unknown machine type", H_X86, { R, K64, .machine = "pseries-1.0" }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL,
    NULL, NULL, "has no machine type pseries-1.0" },
};

/* Issue 17: plans QEMU or KVM would refuse on real POWER hosts. Each row
 * names the rule id of docs/rules.md it checks. */
static const Row truth_rows[] = {
  /* PR-GEN: KVM PR runs the guest's unprivileged code natively. */
  { "PR-GEN: POWER9 guest on POWER8, PR asked -> refused", H_HASH_4K, { H, K4, .cpu = 9, .accel = ACCEL_PR },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "kvmppc_exit_pr_progint" },
  { "PR-GEN: POWER9 guest on POWER8, auto -> TCG", H_HASH_4K, { H, K4, .cpu = 9 }, PLAN_OK, PLAN_ACCEL_TCG, H,
    NULL, "kvm-type", NULL, "illegal-instruction" },
  { "PR-GEN: POWER8 guest on POWER7, auto -> TCG", H_P7_HASH, { H, K64, .cpu = 8 }, PLAN_OK, PLAN_ACCEL_TCG, H,
    NULL, "kvm-type", NULL, "illegal-instruction" },
  { "PR-GEN: POWER6 guest on POWER7 -> HV compat", H_P7_HASH, { H, K64, .cpu = 6 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "max-cpu-compat=power6", NULL, NULL, NULL },
  { "PR-GEN: POWER5 guest on POWER7 -> PR", H_P7_HASH, { H, K64, .cpu = 5 }, PLAN_OK, PLAN_ACCEL_KVM_PR, H,
    "kvm-type=PR", NULL, NULL, NULL, "POWER5" },
  /* PR-MAXGEN: no POWER10 or later vCPU under KVM PR. */
  { "PR-MAXGEN: hash L1 on POWER10, cpu=host -> PR as POWER9", H_L1_HASH_P10, { H, K64 }, PLAN_OK,
    PLAN_ACCEL_KVM_PR, H, "kvm-type=PR", NULL, NULL, "1TiB segments", "POWER9" },
  { "PR-MAXGEN: hash L1 on POWER10, cpu=POWER10, PR asked -> refused", H_L1_HASH_P10,
    { H, K64, .cpu = 10, .accel = ACCEL_PR }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "kvmppc_set_pvr_pr" },
  { "PR-MAXGEN: hash L1 on POWER10, cpu=POWER10, auto -> TCG", H_L1_HASH_P10, { H, K64, .cpu = 10 }, PLAN_OK,
    PLAN_ACCEL_TCG, H, NULL, "kvm-type", NULL, "1TiB segments" },
  /* HV-L1-COMPAT: an L1 in a compat mode passes it on to its guests. */
  { "HV-L1-COMPAT: radix L1 on POWER10 in POWER9 mode -> max-cpu-compat=power9", H_L1_RADIX_P10_C9, { R, K64 },
    PLAN_OK, PLAN_ACCEL_KVM_HV, R, "kvm-type=HV;max-cpu-compat=power9", NULL, NULL, "kvmppc_set_arch_compat", "host" },
  { "HV-L1-COMPAT: the same, POWER10 guest -> refused", H_L1_RADIX_P10_C9, { R, K64, .cpu = 10, .accel = ACCEL_HV },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "POWER10 guest on a POWER9 host" },
  { "HV-L1-COMPAT: a POWER9 L1 in its own mode -> no compat", H_L1_RADIX_64K, { R, K64 }, PLAN_OK,
    PLAN_ACCEL_KVM_HV, R, "kvm-type=HV", "max-cpu-compat", NULL, NULL, "host" },
  /* PR-CAPS: KVM_PPC_GET_CPU_CHAR and KVM_CAP_PPC_HTM answer under PR too,
   * and QEMU's checks of them are fatal under any KVM. */
  { "PR-CAPS: PR on a host without mitigations -> broken levels", H_HASH_64K_NOMIT, { H, K64, .accel = ACCEL_PR },
    PLAN_OK, PLAN_ACCEL_KVM_PR, H, "kvm-type=PR;cap-cfpc=broken;cap-sbbc=broken;cap-ibs=broken;cap-ccf-assist=off",
    NULL, NULL, NULL },
  { "PR-CAPS: PR, pseries-2.11, host without HTM -> cap-htm=off", H_HASH_64K_NOMIT,
    { H, K64, .accel = ACCEL_PR, .machine = "pseries-2.11" }, PLAN_OK, PLAN_ACCEL_KVM_PR, H, "kvm-type=PR;cap-htm=off",
    "cap-cfpc", NULL, "KVM_CAP_PPC_HTM" },
  { "PR-CAPS: HV, the same host -> the same levels", H_HASH_64K_NOMIT, { H, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV;cap-cfpc=broken;cap-sbbc=broken;cap-ibs=broken;cap-ccf-assist=off", NULL, NULL, NULL },
  /* CCF-ASSIST: with the count cache disabled, QEMU accepts cap-ccf-assist=on
   * without the assist. */
  { "CCF-ASSIST: HV, count cache disabled -> QEMU's default (on)", H_RADIX_64K_CCD, { R, K64 }, PLAN_OK,
    PLAN_ACCEL_KVM_HV, R, "kvm-type=HV", "cap-ccf-assist;cap-ibs", NULL, "cap_ccf_assist_apply" },
  { "CCF-ASSIST: PR, count cache disabled -> QEMU's default (on)", H_HASH_64K_CCD, { H, K64, .accel = ACCEL_PR },
    PLAN_OK, PLAN_ACCEL_KVM_PR, H, "kvm-type=PR", "cap-ccf-assist;cap-ibs", NULL, "fixed-ccd" },
  /* NESTED-V2: kvm_hv on PowerVM (nested API v2) cannot nest further. */
  { "NESTED-V2: PowerVM LPAR, nested guest, HV asked -> refused", H_POWERVM_P10,
    { R, K64, .nested = TRUE, .accel = ACCEL_HV }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "kvmhv_enable_nested" },
  { "NESTED-V2: PowerVM LPAR, nested guest, auto -> TCG", H_POWERVM_P10, { R, K64, .nested = TRUE }, PLAN_OK,
    PLAN_ACCEL_TCG, R, "cap-nested-hv=on", "kvm-type", NULL, "nested API v2" },
  { "NESTED-V2: PowerVM LPAR, plain radix guest -> HV", H_POWERVM_P10, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV", "cap-nested-hv", NULL, NULL },
  /* P9-MIXED: a radix POWER9 before DD2.2 cannot run hash guests. */
  { "P9-MIXED: DD2.1 radix host, hash guest, HV asked -> refused", H_P9_DD21_RADIX, { H, K64, .accel = ACCEL_HV },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "kvmppc_hash_v3_possible" },
  { "P9-MIXED: DD2.1 radix host, POWER8 guest, auto -> TCG", H_P9_DD21_RADIX, { R, K64, .cpu = 8 }, PLAN_OK,
    PLAN_ACCEL_TCG, H, NULL, "kvm-type", NULL, "kvmppc_hash_v3_possible" },
  { "P9-MIXED: DD2.1 radix host, radix guest -> HV", H_P9_DD21_RADIX, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV", NULL, NULL, NULL },
  /* NESTED-PR-L1: the nested-PR route is offered only where the planner
   * would plan it one level down. */
  { "NESTED-PR-L1: radix 64K host, PR asked -> the route is offered", H_RADIX_64K, { H, K64, .accel = ACCEL_PR },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "with kvm_pr loaded inside it" },
  { "NESTED-PR-L1: radix 4K host, PR asked -> no route, and why", H_RADIX_4K_HP, { H, K4, .accel = ACCEL_PR },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "would not work here either", NULL, "with kvm_pr loaded inside it" },
  { "NESTED-PR-L1: radix L1, hash guest -> no HPT-guest route", H_L1_RADIX_64K, { H, K64, .accel = ACCEL_HV },
    PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "HPT not supported in nested guests", NULL, "nested PR trick" },
  { "NESTED-PR-L1: radix 4K host, nested HPT L1 -> warned PR cannot run inside", H_RADIX_4K_HP,
    { H, K4, .nested = TRUE }, PLAN_OK, PLAN_ACCEL_KVM_HV, H, "cap-hpt-max-page-size=4096", NULL, "/dev/hugepages",
    "KVM PR inside it could not start a guest" },
  { "NESTED-PR-L1: radix 64K host, nested HPT L1 -> no such warning", H_RADIX_64K, { H, K64, .nested = TRUE }, PLAN_OK,
    PLAN_ACCEL_KVM_HV, H, NULL, NULL, NULL, "only KVM PR can run inside it", NULL, "could not start a guest" },
  /* COMPAT-KERNEL: strict plans say what the kernel allows; compat=kernel
   * plans it, with a warning that it is untested. */
  { "COMPAT-KERNEL: strict, POWER7 on POWER9 -> refused, naming compat=kernel", H_RADIX_64K,
    { R, K64, .cpu = 7, .accel = ACCEL_HV }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "compat=kernel" },
  { "COMPAT-KERNEL: kernel, POWER7 on POWER9 -> HV compat power7, warned", H_RADIX_64K,
    { R, K64, .cpu = 7, .accel = ACCEL_HV, .compat = COMPAT_KERNEL }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV;max-cpu-compat=power7", NULL, NULL, "untested" },
  { "COMPAT-KERNEL: kernel, POWER8 on a PowerVM POWER10 -> refused (nested API v2 levels)", H_POWERVM_P10,
    { R, K64, .cpu = 8, .accel = ACCEL_HV, .compat = COMPAT_KERNEL }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL,
    "PowerVM" },
  { "COMPAT-KERNEL: strict, 64K hash guest on 4K -> refused, naming compat=kernel", H_RADIX_4K_HP,
    { H, K64, .accel = ACCEL_HV }, PLAN_REFUSED_IMPOSSIBLE, 0, 0, NULL, NULL, NULL, "compat=kernel" },
  { "COMPAT-KERNEL: kernel, 64K hash guest on 4K -> HV with 4 KiB hash pages, warned", H_RADIX_4K_HP,
    { H, K64, .accel = ACCEL_HV, .compat = COMPAT_KERNEL }, PLAN_OK, PLAN_ACCEL_KVM_HV, H,
    "kvm-type=HV;cap-hpt-max-page-size=4096", NULL, "/dev/hugepages", "htab_init_page_sizes" },
  { "CCF-ASSIST: PR, probed with the assist -> QEMU's default", H_HASH_64K, { H, K64, .accel = ACCEL_PR }, PLAN_OK,
    PLAN_ACCEL_KVM_PR, H, "kvm-type=PR", "cap-ccf-assist", NULL, NULL },
  /* UNKNOWN-FACTS: an unknown fact gets the conservative choice and a
   * warning that names it. */
  { "UNKNOWN-CAPS: not probed -> off, and said so", H_UNPROBED_64K, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV;cap-large-decr=off;cap-fwnmi=off;cap-ccf-assist=off", "cap-cfpc", NULL, "was not probed" },
  { "UNKNOWN-CAPS: probed -> QEMU's defaults", H_RADIX_64K, { R, K64 }, PLAN_OK, PLAN_ACCEL_KVM_HV, R,
    "kvm-type=HV", "cap-large-decr;cap-fwnmi;cap-ccf-assist", NULL, NULL, NULL, "was not probed" },
};

static void
check_props (const Row *r, const Plan *pl)
{
  if (r->props) {
    g_auto (GStrv) want = g_strsplit (r->props, ";", -1);
    for (char **w = want; *w; w++) {
      g_auto (GStrv) kv = g_strsplit (*w, "=", 2);
      const char *got = plan_machine_prop (pl, kv[0]);
      ck_assert_msg (got != NULL, "%s: no %s in the plan", r->name, kv[0]);
      if (kv[1])
        ck_assert_msg (g_str_equal (got, kv[1]), "%s: %s=%s, expected %s", r->name, kv[0], got, kv[1]);
    }
  }
  if (r->absent) {
    g_auto (GStrv) no = g_strsplit (r->absent, ";", -1);
    for (char **n = no; *n; n++)
      ck_assert_msg (plan_machine_prop (pl, *n) == NULL, "%s: unexpected %s=%s", r->name, *n,
                     plan_machine_prop (pl, *n));
  }
}

static gboolean
any_contains (GPtrArray *arr, const char *text)
{
  for (guint i = 0; i < arr->len; i++)
    if (strstr (g_ptr_array_index (arr, i), text))
      return TRUE;
  return FALSE;
}

static gboolean
any_decision_contains (const Plan *pl, const char *text)
{
  for (guint i = 0; i < pl->decisions->len; i++) {
    const PlanDecision *d = g_ptr_array_index (pl->decisions, i);
    if (strstr (d->reason, text))
      return TRUE;
  }
  return FALSE;
}

static char *
dump_plan (const Plan *pl)
{
  GString *s = g_string_new (NULL);
  g_autofree char *m = plan_machine_string (pl);
  g_string_append_printf (s, "status=%d accel=%s machine=%s\n", pl->status, plan_accel_to_string (pl->accel), m);
  for (guint i = 0; i < pl->reasons->len; i++)
    g_string_append_printf (s, " reason: %s\n", (char *) g_ptr_array_index (pl->reasons, i));
  for (guint i = 0; i < pl->ways_out->len; i++)
    g_string_append_printf (s, " way: %s\n", (char *) g_ptr_array_index (pl->ways_out, i));
  for (guint i = 0; i < pl->warnings->len; i++)
    g_string_append_printf (s, " warning: %s\n", (char *) g_ptr_array_index (pl->warnings, i));
  for (guint i = 0; i < pl->decisions->len; i++) {
    const PlanDecision *d = g_ptr_array_index (pl->decisions, i);
    g_string_append_printf (s, " decision: %s=%s: %s\n", d->setting, d->value, d->reason);
  }
  return g_string_free (s, FALSE);
}

/* Rule PCI-ROM: with a NIC of each PCI model and a VNC display, every PCI
 * device of the argv has romfile= (no x86 option ROM is loaded on pseries). */
static void
check_no_pci_roms (const char *name, const Plan *pl, Profile *p)
{
  const char *const models[] = { NULL, "e1000", "rtl8139", "spapr-vlan" };
  GuestDisplay display = p->display;
  NetMode mode = p->net_mode;
  char *model = p->net_model;

  p->display = DISPLAY_VNC;
  p->net_mode = NET_USER;
  for (guint m = 0; m < G_N_ELEMENTS (models); m++) {
    g_auto (GStrv) argv = NULL;
    gboolean vga = FALSE;

    p->net_model = (char *) models[m];
    argv = cmdline_build ("qemu", pl, p, NULL, NULL);
    for (int i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++) {
      const char *dev = argv[i + 1];
      if (g_str_equal (argv[i], "-vga"))
        ck_assert_msg (g_str_equal (dev, "none"), "%s: -vga %s loads vgabios", name, dev);
      if (!g_str_equal (argv[i], "-device"))
        continue;
      vga |= g_str_has_prefix (dev, "VGA,");
      /* Devices that have no option ROM to load (no romfile default). */
      if (g_str_has_prefix (dev, "spapr-") || g_str_has_prefix (dev, "nvme,") ||
          g_str_has_prefix (dev, "usb-") || g_str_has_prefix (dev, "qemu-xhci,") ||
          g_str_has_prefix (dev, "scsi-") || g_str_has_prefix (dev, "virtio-blk-pci,"))
        continue;
      ck_assert_msg (strstr (dev, ",romfile=") != NULL, "%s: -device %s without romfile=", name, dev);
    }
    ck_assert_msg (vga == !pl->no_vga, "%s: VGA device %s", name, vga ? "present" : "missing");
  }
  p->display = display;
  p->net_mode = mode;
  p->net_model = model;
}

static void
run_row (const Row *r, EmulatorFacts *emu)
{
  g_autoptr (HostFacts) h = make_host (r->host);
  g_autoptr (Profile) p = make_profile (&r->guest);
  g_autoptr (Plan) pl = plan_build (h, emu, p);
  g_autofree char *dump = dump_plan (pl);

  ck_assert_msg (pl->status == r->status, "%s: status %d, expected %d\n%s", r->name, pl->status, r->status, dump);
  if (r->status == PLAN_OK) {
    ck_assert_msg (pl->accel == r->accel, "%s: accel %s\n%s", r->name, plan_accel_to_string (pl->accel), dump);
    ck_assert_msg (pl->guest_mmu == r->mmu, "%s: guest mmu %s\n%s", r->name, profile_mmu_to_string (pl->guest_mmu), dump);
    check_props (r, pl);
    if (r->mem_path)
      ck_assert_msg (pl->mem_path && g_str_equal (pl->mem_path, r->mem_path), "%s: mem_path %s\n%s", r->name,
                     pl->mem_path, dump);
    else
      ck_assert_msg (pl->mem_path == NULL, "%s: unexpected mem_path %s", r->name, pl->mem_path);
    ck_assert_msg (pl->decisions->len > 0, "%s: no decisions", r->name);
    /* Every property the planner sets from the host is on the list that
     * `ppcvm import` uses to drop an alias's stale values. */
    for (guint i = 0; i < pl->machine_props->len; i++) {
      const char *key = ((const PlanProp *) g_ptr_array_index (pl->machine_props, i))->key;
      ck_assert_msg (plan_is_planned_property (key) || g_str_equal (key, "kvm-type") ||
                         g_str_equal (key, "max-cpu-compat") || g_str_equal (key, "cap-nested-hv") ||
                         g_str_equal (key, "x-vof"),
                     "%s: %s is set by the planner but not in plan_is_planned_property()", r->name, key);
    }
    for (guint i = 0; i < pl->decisions->len; i++) {
      PlanDecision *d = g_ptr_array_index (pl->decisions, i);
      ck_assert_msg (d->reason && *d->reason, "%s: decision %s has no reason", r->name, d->setting);
    }
    if (pl->accel == PLAN_ACCEL_KVM_PR)
      ck_assert_msg (pl->no_vga, "%s: a PR guest must get no VGA", r->name);
    check_no_pci_roms (r->name, pl, p);
  } else {
    ck_assert_msg (pl->reasons->len > 0, "%s: a refusal without reasons", r->name);
    ck_assert_msg (pl->ways_out->len > 0, "%s: a refusal without ways out", r->name);
  }
  if (r->notext)
    ck_assert_msg (!any_contains (pl->reasons, r->notext) && !any_contains (pl->ways_out, r->notext) &&
                       !any_contains (pl->warnings, r->notext) && !any_decision_contains (pl, r->notext),
                   "%s: '%s' in the plan\n%s", r->name, r->notext, dump);
  if (r->cpu)
    ck_assert_msg (pl->cpu && g_str_equal (pl->cpu, r->cpu), "%s: -cpu %s, expected %s\n%s", r->name, pl->cpu,
                   r->cpu, dump);
  if (r->text)
    ck_assert_msg (any_contains (pl->reasons, r->text) || any_contains (pl->ways_out, r->text) ||
                       any_contains (pl->warnings, r->text) || any_decision_contains (pl, r->text),
                   "%s: '%s' not in the plan\n%s", r->name, r->text, dump);
}

START_TEST (test_void_table)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  run_row (&void_rows[_i], emu);
}
END_TEST

START_TEST (test_rules)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  run_row (&rule_rows[_i], emu);
}
END_TEST

START_TEST (test_truth)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  run_row (&truth_rows[_i], emu);
}
END_TEST

/* ---- Rules that depend on the QEMU version ---- */

/* MACHINE-TYPES: pseries-2.x is gone in QEMU 10. */
START_TEST (test_qemu10_has_no_pseries2)
{
  g_autoptr (EmulatorFacts) emu = qemu_version (10, 0, "pseries-3.0");
  g_autoptr (HostFacts) h = make_host (H_L1_RADIX_4K);
  GuestSpec g = { R, K64, .machine = "pseries-2.11" };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = plan_build (h, emu, p);

  ck_assert_int_eq (pl->status, PLAN_REFUSED_IMPOSSIBLE);
  ck_assert (any_contains (pl->reasons, "no machine type pseries-2.11"));
  ck_assert (any_contains (pl->ways_out, "machine=pseries"));
}
END_TEST

/* Rule FIRMWARE: VOF for direct kernel boots on QEMU 6.0+, SLOF for
 * everything VOF cannot boot; firmware=vof there is refused with the way out. */
typedef struct {
  const char *name;
  HostKind host;
  AccelRequest accel;
  int qemu_major;          /* 0: the recorded 7.2 */
  gboolean kernel, cdrom, bios;
  FirmwareRequest firmware;
  PlanStatus status;
  PlanFirmware expected;
  const char *text;        /* in the firmware decision, or in a reason / way out */
} FirmwareRow;

static const FirmwareRow firmware_rows[] = {
  { "TCG kernel boot -> VOF", H_X86, ACCEL_AUTO, 0, TRUE, FALSE, FALSE, FIRMWARE_AUTO, PLAN_OK,
    PLAN_FIRMWARE_VOF, "direct kernel boot" },
  { "KVM-HV kernel boot -> VOF", H_RADIX_64K, ACCEL_AUTO, 0, TRUE, FALSE, FALSE, FIRMWARE_AUTO, PLAN_OK,
    PLAN_FIRMWARE_VOF, "direct kernel boot" },
  { "kernel and CD-ROM -> VOF (the kernel drives the CD-ROM)", H_X86, ACCEL_AUTO, 0, TRUE, TRUE, FALSE,
    FIRMWARE_AUTO, PLAN_OK, PLAN_FIRMWARE_VOF, NULL },
  { "firmware=slof keeps SLOF", H_X86, ACCEL_AUTO, 0, TRUE, FALSE, FALSE, FIRMWARE_SLOF, PLAN_OK,
    PLAN_FIRMWARE_SLOF, "firmware=slof" },
  { "CD-ROM boot -> SLOF", H_X86, ACCEL_AUTO, 0, FALSE, TRUE, FALSE, FIRMWARE_AUTO, PLAN_OK,
    PLAN_FIRMWARE_SLOF, "VOF has no drivers" },
  { "QEMU 5.2 -> SLOF", H_X86, ACCEL_AUTO, 5, TRUE, FALSE, FALSE, FIRMWARE_AUTO, PLAN_OK,
    PLAN_FIRMWARE_SLOF, "QEMU 6.0" },
  { "bios= -> SLOF", H_X86, ACCEL_AUTO, 0, TRUE, FALSE, TRUE, FIRMWARE_AUTO, PLAN_OK, PLAN_FIRMWARE_SLOF,
    "bios=" },
  { "KVM PR -> SLOF", H_HASH_64K, ACCEL_PR, 0, TRUE, FALSE, FALSE, FIRMWARE_AUTO, PLAN_OK,
    PLAN_FIRMWARE_SLOF, "KVM PR" },
  { "firmware=vof, KVM PR -> VOF as asked", H_HASH_64K, ACCEL_PR, 0, TRUE, FALSE, FALSE, FIRMWARE_VOF,
    PLAN_OK, PLAN_FIRMWARE_VOF, "firmware=vof" },
  { "firmware=vof, CD-ROM only -> refused", H_X86, ACCEL_AUTO, 0, FALSE, TRUE, FALSE, FIRMWARE_VOF,
    PLAN_REFUSED_IMPOSSIBLE, 0, "firmware=slof" },
  { "firmware=vof, QEMU 5.2 -> refused", H_X86, ACCEL_AUTO, 5, TRUE, FALSE, FALSE, FIRMWARE_VOF,
    PLAN_REFUSED_IMPOSSIBLE, 0, "QEMU 6.0" },
};

START_TEST (test_firmware)
{
  const FirmwareRow *r = &firmware_rows[_i];
  g_autoptr (EmulatorFacts) emu = r->qemu_major ? qemu_version (r->qemu_major, 2, "pseries-2.1") : testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (r->host);
  GuestSpec g = { r->host == H_HASH_64K ? H : R, K64, .accel = r->accel };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;
  g_autofree char *dump = NULL;

  p->firmware = r->firmware;
  if (r->kernel)
    p->kernel = g_strdup ("/boot/vmlinux");
  if (r->cdrom)
    p->cdrom = g_strdup ("/iso/install.iso");
  if (r->bios)
    p->bios = g_strdup ("/fw/slof.bin");
  pl = plan_build (h, emu, p);
  dump = dump_plan (pl);
  ck_assert_msg (pl->status == r->status, "%s: status %d\n%s", r->name, pl->status, dump);
  if (r->status != PLAN_OK) {
    ck_assert_msg (any_contains (pl->reasons, r->text) || any_contains (pl->ways_out, r->text),
                   "%s: '%s' not in the refusal\n%s", r->name, r->text, dump);
    ck_assert_msg (any_contains (pl->ways_out, "firmware=slof"), "%s: no way out\n%s", r->name, dump);
    return;
  }
  ck_assert_msg (pl->firmware == r->expected, "%s: firmware %s\n%s", r->name,
                 plan_firmware_to_string (pl->firmware), dump);
  ck_assert_str_eq (plan_decision_value (pl, "firmware"), plan_firmware_to_string (r->expected));
  if (r->text)
    ck_assert_msg (strstr (plan_decision_reason (pl, "firmware"), r->text) != NULL, "%s: reason '%s'", r->name,
                   plan_decision_reason (pl, "firmware"));
  if (r->expected == PLAN_FIRMWARE_VOF)
    ck_assert_str_eq (plan_machine_prop (pl, "x-vof"), "on");
  else
    ck_assert_ptr_null (plan_machine_prop (pl, "x-vof"));
}
END_TEST

/* UNKNOWN-CAPS: cap-ail-mode-3 under KVM-HV on a kernel that predates it. */
START_TEST (test_ail_mode_3_old_kernel)
{
  g_autoptr (EmulatorFacts) emu = qemu_version (8, 2, "pseries-2.1");
  g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;
  g_autoptr (Plan) pl2 = NULL;

  g_free (h->kernel);
  h->kernel = g_strdup ("5.15.0-91-generic");
  h->kvm_probe.probed = FALSE; /* the kernel version is all there is */
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-ail-mode-3"), "off");
  /* A new kernel keeps QEMU's default; QEMU 7.2 has no such cap. */
  g_free (h->kernel);
  h->kernel = g_strdup ("6.1.0-50-powerpc64le");
  pl2 = plan_build (h, emu, p);
  ck_assert_ptr_null (plan_machine_prop (pl2, "cap-ail-mode-3"));
}
END_TEST

/* PR-CAPS-OFF: KVM PR has no AIL mode 3. */
START_TEST (test_pr_ail_mode_3)
{
  g_autoptr (EmulatorFacts) emu = qemu_version (8, 2, "pseries-2.1");
  g_autoptr (HostFacts) h = make_host (H_HASH_64K);
  GuestSpec g = { H, K64, .accel = ACCEL_PR };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = plan_build (h, emu, p);

  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-ail-mode-3"), "off");
  ck_assert_str_eq (plan_machine_prop (pl, "cap-fwnmi"), "off");
}
END_TEST

/* QEMU-PRE-5.0: no VRMA check, so no hugepages. */
START_TEST (test_pre_5_0_needs_no_hugepages)
{
  g_autoptr (EmulatorFacts) emu = qemu_version (4, 2, "pseries-2.1");
  g_autoptr (HostFacts) h = make_host (H_RADIX_4K);
  GuestSpec g = { H, K4 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = plan_build (h, emu, p);

  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_ptr_null (pl->mem_path);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-hpt-max-page-size"), "4096");
}
END_TEST

/* MACHINE-TYPES: no cap-hpt-max-page-size before QEMU 3.0 (HPT-4K-CAP). */
START_TEST (test_no_cap_before_3_0)
{
  g_autoptr (EmulatorFacts) emu = qemu_version (2, 12, "pseries-2.1");
  g_autoptr (HostFacts) h = make_host (H_RADIX_4K);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = plan_build (h, emu, p);

  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_ptr_null (plan_machine_prop (pl, "cap-hpt-max-page-size"));
}
END_TEST

/* NESTED-HV: TCG emulates cap-nested-hv from QEMU 7.0. */
START_TEST (test_tcg_nested_needs_7_0)
{
  g_autoptr (EmulatorFacts) emu = qemu_version (6, 2, "pseries-2.1");
  g_autoptr (HostFacts) h = make_host (H_X86);
  GuestSpec g = { R, K64, .nested = TRUE };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = plan_build (h, emu, p);

  ck_assert_int_eq (pl->status, PLAN_REFUSED_IMPOSSIBLE);
  ck_assert (any_contains (pl->reasons, "QEMU 7.0"));
}
END_TEST

/* PR-CAPS: POWER10 has no HTM (cap-htm under any KVM). */
START_TEST (test_power10_host_htm)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
  GuestSpec g = { R, K64, .machine = "pseries-2.11" };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;

  h->generation = 10;
  h->kvm_probe.probed = FALSE; /* the rule for a host file without the probe */
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-htm"), "off");
}
END_TEST

/* DAWR1: QEMU 10.0 turns cap-dawr1 on for POWER10+ CPUs; KVM must have
 * KVM_CAP_PPC_DAWR1. */
START_TEST (test_dawr1)
{
  g_autoptr (EmulatorFacts) emu = qemu_version (10, 0, "pseries-3.0");
  g_autoptr (EmulatorFacts) emu72 = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_P10_RADIX);
  GuestSpec g = { R, K64 };
  GuestSpec g9 = { R, K64, .cpu = 9 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Profile) p9 = make_profile (&g9);
  g_autoptr (Plan) pl = plan_build (h, emu, p);
  g_autoptr (Plan) pl9 = plan_build (h, emu, p9);
  g_autoptr (Plan) pl72 = plan_build (h, emu72, p);
  g_autoptr (Plan) yes = NULL;

  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_int_eq (pl->accel, PLAN_ACCEL_KVM_HV);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-dawr1"), "off");
  ck_assert_ptr_nonnull (strstr (plan_decision_reason (pl, "cap-dawr1"), "KVM_CAP_PPC_DAWR1"));
  /* A POWER9 guest (max-cpu-compat=power9) has the cap off by default. */
  ck_assert_str_eq (plan_machine_prop (pl9, "max-cpu-compat"), "power9");
  ck_assert_ptr_null (plan_machine_prop (pl9, "cap-dawr1"));
  /* QEMU 7.2 has no cap-dawr1. */
  ck_assert_ptr_null (plan_machine_prop (pl72, "cap-dawr1"));
  /* A host KVM with DAWR1 keeps QEMU's default. */
  h->kvm_probe.dawr1 = PPCVM_YES;
  yes = plan_build (h, emu, p);
  ck_assert_ptr_null (plan_machine_prop (yes, "cap-dawr1"));
}
END_TEST

/* P9-MIXED: which POWER9 PVRs can mix hash and radix (Nimbus >= DD2.2,
 * Cumulus >= DD1.1); the probe's KVM_CAP_PPC_MMU_HASH_V3 has the last word;
 * and AIL mode 3 (QEMU >= 8.1) is off on the old ones. */
START_TEST (test_p9_mixed_mode)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (EmulatorFacts) emu82 = qemu_version (8, 2, "pseries-2.1");
  static const struct { guint32 pvr; PlanStatus status; } pvrs[] = {
    { 0x004e1202, PLAN_OK }, { 0x004e0202, PLAN_OK }, { 0x004e1203, PLAN_OK }, { 0x004e2101, PLAN_OK },
    { 0x004e0201, PLAN_REFUSED_IMPOSSIBLE }, { 0x004e1201, PLAN_REFUSED_IMPOSSIBLE },
    { 0x004e0100, PLAN_REFUSED_IMPOSSIBLE }, { 0x004e2100, PLAN_REFUSED_IMPOSSIBLE },
  };
  GuestSpec g = { H, K64, .accel = ACCEL_HV };
  GuestSpec gr = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Profile) pr = make_profile (&gr);

  for (gsize i = 0; i < G_N_ELEMENTS (pvrs); i++) {
    g_autoptr (HostFacts) h = make_host (H_P9_DD21_RADIX);
    g_autoptr (Plan) pl = NULL;
    h->pvr = pvrs[i].pvr;
    h->kvm_probe.probed = FALSE; /* the PVR table alone */
    pl = plan_build (h, emu, p);
    ck_assert_msg (pl->status == pvrs[i].status, "PVR %08x: status %d", pvrs[i].pvr, pl->status);
  }
  /* The kernel's own answer wins over the PVR table, both ways. */
  {
    g_autoptr (HostFacts) h = make_host (H_P9_DD21_RADIX);
    g_autoptr (HostFacts) h2 = make_host (H_RADIX_64K);
    g_autoptr (Plan) pl = NULL;
    g_autoptr (Plan) pl2 = NULL;
    set_probe (h, "workaround", "workaround", "workaround", PPCVM_YES);
    pl = plan_build (h, emu, p);
    ck_assert_int_eq (pl->status, PLAN_OK);
    set_probe (h2, "workaround", "workaround", "workaround", PPCVM_YES);
    h2->kvm_probe.hash_v3 = PPCVM_NO;
    pl2 = plan_build (h2, emu, p);
    ck_assert_int_eq (pl2->status, PLAN_REFUSED_IMPOSSIBLE);
    ck_assert (any_contains (pl2->reasons, "KVM_CAP_PPC_MMU_HASH_V3"));
  }
  /* AIL mode 3 under QEMU >= 8.1: off on DD2.1, QEMU's default on DD2.2. */
  {
    g_autoptr (HostFacts) h = make_host (H_P9_DD21_RADIX);
    g_autoptr (HostFacts) h22 = make_host (H_RADIX_64K);
    g_autoptr (Plan) pl = NULL;
    g_autoptr (Plan) pl22 = NULL;
    h->kvm_probe.probed = FALSE;
    h22->kvm_probe.probed = FALSE;
    pl = plan_build (h, emu82, pr);
    pl22 = plan_build (h22, emu82, pr);
    ck_assert_int_eq (pl->status, PLAN_OK);
    ck_assert_str_eq (plan_machine_prop (pl, "cap-ail-mode-3"), "off");
    ck_assert_ptr_null (plan_machine_prop (pl22, "cap-ail-mode-3"));
  }
}
END_TEST

/* UNKNOWN-PAGE, UNKNOWN-GEN, QEMU-CPU, SXXM: unknown facts are not
 * treated as known. */
START_TEST (test_unknown_facts)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  GuestSpec gr = { R, K64 };
  GuestSpec gh = { H, K64, .accel = ACCEL_HV };
  g_autoptr (Profile) pr = make_profile (&gr);
  g_autoptr (Profile) ph = make_profile (&gh);

  /* UNKNOWN-PAGE: planned as 4 KiB: the cap, and no 64 KiB hash guest. */
  {
    g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
    g_autoptr (Plan) pl = NULL;
    g_autoptr (Plan) plh = NULL;
    h->page_size = 0;
    pl = plan_build (h, emu, pr);
    ck_assert_int_eq (pl->status, PLAN_OK);
    ck_assert_str_eq (plan_machine_prop (pl, "cap-hpt-max-page-size"), "4096");
    ck_assert (any_contains (pl->warnings, "page size is unknown"));
    plh = plan_build (h, emu, ph);
    ck_assert_int_eq (plh->status, PLAN_REFUSED_IMPOSSIBLE);
    ck_assert (any_contains (plh->reasons, "page size must not exceed"));
  }
  /* UNKNOWN-GEN: a radix host is POWER9 or later: a radix guest, no hugepages. */
  {
    g_autoptr (HostFacts) h = make_host (H_RADIX_4K_HP);
    g_autoptr (Plan) pl = NULL;
    h->generation = 0;
    h->pvr = 0;
    g_clear_pointer (&h->cpu_chip, g_free);
    pl = plan_build (h, emu, pr);
    ck_assert_int_eq (pl->status, PLAN_OK);
    ck_assert_int_eq (pl->accel, PLAN_ACCEL_KVM_HV);
    ck_assert_int_eq (pl->guest_mmu, GUEST_MMU_RADIX);
    ck_assert_ptr_null (pl->mem_path);
    ck_assert (any_contains (pl->warnings, "generation is unknown"));
  }
  /* QEMU-CPU: -cpu host needs a QEMU that knows the host's chip. */
  {
    g_autoptr (EmulatorFacts) e42 = qemu_version (4, 2, "pseries-2.1");
    g_autoptr (EmulatorFacts) e91 = qemu_version (9, 1, "pseries-2.1");
    g_autoptr (EmulatorFacts) e92 = qemu_version (9, 2, "pseries-3.0");
    g_autoptr (HostFacts) h = make_host (H_P10_RADIX);
    g_autoptr (Plan) a = NULL;
    g_autoptr (Plan) b = NULL;
    g_autoptr (Plan) c = NULL;
    g_autoptr (Plan) d = NULL;
    pr->accel = ACCEL_HV;
    a = plan_build (h, e42, pr);
    ck_assert_int_eq (a->status, PLAN_REFUSED_IMPOSSIBLE);
    ck_assert (any_contains (a->reasons, "QEMU 5.0"));
    b = plan_build (h, e91, pr);
    ck_assert_int_eq (b->status, PLAN_OK);
    h->generation = 11;
    h->pvr = 0x00820200;
    c = plan_build (h, e91, pr);
    ck_assert_int_eq (c->status, PLAN_REFUSED_IMPOSSIBLE);
    ck_assert (any_contains (c->reasons, "QEMU 9.2"));
    d = plan_build (h, e92, pr);
    ck_assert_int_eq (d->status, PLAN_OK);
    pr->accel = ACCEL_AUTO;
  }
  /* SXXM: pseries-2.12-sxxm defaults to workaround/workaround/fixed-ccd. */
  {
    g_autoptr (HostFacts) h = make_host (H_HASH_64K_NOMIT);
    g_autoptr (HostFacts) h2 = make_host (H_RADIX_64K);
    g_autoptr (Plan) pl = NULL;
    g_autoptr (Plan) pl2 = NULL;
    g_autoptr (Plan) pl3 = NULL;
    g_free (pr->machine);
    pr->machine = g_strdup ("pseries-2.12-sxxm");
    pl = plan_build (h, emu, pr);
    ck_assert_int_eq (pl->status, PLAN_OK);
    ck_assert_str_eq (plan_machine_prop (pl, "cap-cfpc"), "broken");
    ck_assert_str_eq (plan_machine_prop (pl, "cap-ibs"), "broken");
    /* A host whose best ibs level is workaround: below fixed-ccd. */
    pl2 = plan_build (h2, emu, pr);
    ck_assert_int_eq (pl2->status, PLAN_OK);
    ck_assert_str_eq (plan_machine_prop (pl2, "cap-ibs"), "workaround");
    ck_assert_ptr_null (plan_machine_prop (pl2, "cap-cfpc"));
    /* Plain pseries-2.12 defaults to broken: nothing to lower. */
    g_free (pr->machine);
    pr->machine = g_strdup ("pseries-2.12");
    pl3 = plan_build (h, emu, pr);
    ck_assert_ptr_null (plan_machine_prop (pl3, "cap-cfpc"));
    ck_assert_ptr_null (plan_machine_prop (pl3, "cap-ibs"));
  }
}
END_TEST

/* ---- Setup steps: refuse with the fix, never fall back silently ---- */

/* HV-LOAD: kvm_hv not loaded is a setup step. */
START_TEST (test_fixable_kvm_hv_not_loaded)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;

  h->kvm_hv = PPCVM_NO;
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->ways_out, "sudo modprobe kvm_hv"));
  ck_assert (any_contains (pl->ways_out, "--accel tcg"));
}
END_TEST

/* HV-LOAD: /dev/kvm not usable is a setup step. */
START_TEST (test_fixable_devkvm_permission)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;

  h->kvm_usable = PPCVM_NO;
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->ways_out, "usermod -aG kvm"));
}
END_TEST

/* NESTED-HV: kvm_hv nested=0 is a setup step. */
START_TEST (test_fixable_nested_param_off)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
  GuestSpec g = { R, K64, .nested = TRUE };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;

  h->kvm_hv_nested = PPCVM_NO;
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->ways_out, "kvm_hv nested=1"));
}
END_TEST

/* VRMA-HUGEPAGES: the setup steps are structs: the runtime commands first,
 * then what keeps them after a reboot, each rendered as one line. */
START_TEST (test_hugepage_steps)
{
  g_autoptr (HostFacts) h = make_host (H_RADIX_4K_HP);
  g_autoptr (GPtrArray) steps = NULL;
  static const struct {
    PlanHugepageKind kind;
    const char *line;
  } want[] = {
    { PLAN_HUGEPAGE_RUN, "sudo sysctl vm.nr_hugepages=2114" },
    { PLAN_HUGEPAGE_RUN, "sudo mkdir -p '/mnt/h p'" },
    { PLAN_HUGEPAGE_RUN, "sudo mount -t hugetlbfs -o pagesize=2M hugetlbfs '/mnt/h p'" },
    { PLAN_HUGEPAGE_RUN, "sudo chown root:kvm '/mnt/h p'" },
    { PLAN_HUGEPAGE_RUN, "sudo chmod 1770 '/mnt/h p'" },
    { PLAN_HUGEPAGE_KEEP, "to keep the mount, add to /etc/fstab: hugetlbfs /mnt/h\\040p hugetlbfs "
                          "pagesize=2M,mode=01770,gid=kvm 0 0" },
    { PLAN_HUGEPAGE_KEEP, "to keep the pages, add to /etc/sysctl.d/90-ppcvm-hugepages.conf: "
                          "vm.nr_hugepages = 2114" },
  };

  g_array_index (h->hugepages, HostHugepages, 0).total = 1000;
  g_array_index (h->hugepages, HostHugepages, 0).free = 1000;
  g_ptr_array_set_size (h->hugetlbfs, 0);
  steps = plan_hugepage_commands_at (h, 2 * MiB, 2048, "/mnt/h p");
  ck_assert_uint_eq (steps->len, G_N_ELEMENTS (want));
  for (guint i = 0; i < steps->len; i++) {
    const PlanHugepageStep *st = g_ptr_array_index (steps, i);
    g_autofree char *line = plan_hugepage_step_to_string (st, FALSE);
    g_autofree char *as_root = plan_hugepage_step_to_string (st, TRUE);
    ck_assert_int_eq (st->kind, want[i].kind);
    ck_assert_str_eq (line, want[i].line);
    /* As root (host --check --fix), the same command without sudo. */
    ck_assert_str_eq (as_root, st->kind == PLAN_HUGEPAGE_RUN ? want[i].line + strlen ("sudo ") : want[i].line);
  }
  /* A command is its argv, without a privilege wrapper; a kept line names
   * its file apart from the line itself. */
  ck_assert_str_eq (((PlanHugepageStep *) steps->pdata[1])->argv[2], "/mnt/h p");
  ck_assert_ptr_null (((PlanHugepageStep *) steps->pdata[1])->argv[3]);
  ck_assert_str_eq (((PlanHugepageStep *) steps->pdata[5])->where, "/etc/fstab");
  ck_assert_str_eq (((PlanHugepageStep *) steps->pdata[6])->text, "vm.nr_hugepages = 2114");
}
END_TEST

/* VRMA-HUGEPAGES: how many hugepages to reserve. */
START_TEST (test_hugepage_counts)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_4K_HP);
  GuestSpec g = { H, K4, .memory = 4 * GiB };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;

  /* 2048 pages needed, 1000 free of 1000: reserve 1000 + 1048 + headroom */
  g_array_index (h->hugepages, HostHugepages, 0).total = 1000;
  g_array_index (h->hugepages, HostHugepages, 0).free = 1000;
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->reasons, "2048 pages of 2 MiB needed, 1000 free"));
  ck_assert (any_contains (pl->ways_out, "sudo sysctl vm.nr_hugepages=2114"));
  ck_assert (!any_contains (pl->ways_out, "mount -t hugetlbfs")); /* already mounted */

  g_array_index (h->hugepages, HostHugepages, 0).free = 2048;
  plan_free (g_steal_pointer (&pl));
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_uint_eq (pl->hugepages_needed, 2048);
  ck_assert_uint_eq (pl->hugepage_size, 2 * MiB);
}
END_TEST

START_TEST (test_profile_mem_path_forced)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_X86);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;

  p->mem_path = g_strdup ("/tmp/guest-ram");
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_str_eq (pl->mem_path, "/tmp/guest-ram");
}
END_TEST

START_TEST (test_unknown_emulator)
{
  g_autoptr (HostFacts) h = make_host (H_RADIX_4K);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = plan_build (h, NULL, p);

  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-hpt-max-page-size"), "4096");
}
END_TEST

/* Rule FW-FILE: slof.bin missing from qemu's data dirs is a fixable
 * refusal naming the file and the package; known present, unknown, or a
 * profile with its own firmware image plan as usual. */
START_TEST (test_firmware_missing)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_X86);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;
  const char *const only_vof[] = { "vof.bin", NULL };
  const char *const both[] = { "slof.bin", "vof.bin", NULL };
  const char *const dirs[] = { "/usr/share/qemu", NULL };

  emu->data_dirs = g_strdupv ((char **) dirs);
  emu->firmware = g_strdupv ((char **) only_vof);
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->reasons, "slof.bin is not installed (looked in /usr/share/qemu)"));
  ck_assert (any_contains (pl->ways_out, "apt-get install qemu-system-data"));
  g_clear_pointer (&pl, plan_free);

  p->bios = g_strdup ("/opt/fw/slof-custom.bin");
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  g_clear_pointer (&pl, plan_free);
  g_clear_pointer (&p->bios, g_free);

  /* A direct kernel boot runs VOF: vof.bin is the file it needs. */
  p->kernel = g_strdup ("/boot/vmlinux");
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_int_eq (pl->firmware, PLAN_FIRMWARE_VOF);
  g_clear_pointer (&pl, plan_free);
  g_strfreev (emu->firmware);
  emu->firmware = g_strdupv ((char **) (const char *const[]){ "slof.bin", NULL });
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->reasons, "vof.bin is not installed"));
  ck_assert (any_contains (pl->ways_out, "firmware=slof"));
  g_clear_pointer (&pl, plan_free);
  g_clear_pointer (&p->kernel, g_free);

  g_strfreev (emu->firmware);
  emu->firmware = g_strdupv ((char **) both);
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  g_clear_pointer (&pl, plan_free);

  g_clear_pointer (&emu->firmware, g_strfreev);
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
}
END_TEST

/* Rule HV-SMT on the three real POWER8 PowerNV dumps: all eight threads
 * online (refused, with the fix), SMT off (KVM-HV), split-core mode
 * (libvirt's "subcores2" case: 2 subcores of 4 threads; KVM-HV with guest
 * cores of at most 4 threads). */
static HostFacts *
power8_fixture (const char *name, int subcores)
{
  g_autofree char *dir = g_build_filename (g_getenv ("PPCVM_FIXTURES"), name, NULL);
  HostFacts *h = host_detect (dir);

  g_free (h->arch);
  h->arch = g_strdup ("ppc64le");
  h->page_size = 64 * 1024;
  h->kvm_device = h->kvm_usable = h->kvm_hv = PPCVM_YES;
  h->kvm_pr = PPCVM_NO;
  if (subcores)
    h->subcores_per_core = subcores;
  return h;
}

START_TEST (test_power8_smt)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  GuestSpec g = { H, K64, .cpu = 8 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (HostFacts) on = power8_fixture ("power8e-powernv-8247-22L-160cpu", 0);
  g_autoptr (HostFacts) off = power8_fixture ("power8e-powernv-8247-22L-smtoff", 0);
  g_autoptr (HostFacts) split = power8_fixture ("power8e-powernv-8247-22L-subcores", 2);
  g_autoptr (Plan) pl = NULL;

  p->accel = ACCEL_HV;
  ck_assert_int_eq (on->threads_per_core, 8);
  ck_assert_int_eq (host_smt_online (on), 8);
  pl = plan_build (on, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->reasons, "runs SMT8"));
  ck_assert (any_contains (pl->ways_out, "ppc64_cpu --smt=off"));
  g_clear_pointer (&pl, plan_free);
  /* auto: the setup step is named, not a silent fall to PR or TCG. */
  p->accel = ACCEL_AUTO;
  pl = plan_build (on, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  g_clear_pointer (&pl, plan_free);

  p->accel = ACCEL_HV;
  ck_assert_int_eq (host_smt_online (off), 1);
  pl = plan_build (off, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_int_eq (pl->accel, PLAN_ACCEL_KVM_HV);
  ck_assert_str_eq (plan_decision_value (pl, "smt"), "off");
  g_clear_pointer (&pl, plan_free);

  ck_assert_int_eq (host_threads_per_subcore (split), 4);
  p->smp = 8;
  p->threads = 4;
  pl = plan_build (split, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_int_eq (pl->accel, PLAN_ACCEL_KVM_HV);
  g_clear_pointer (&pl, plan_free);
  p->threads = 8;
  pl = plan_build (split, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_IMPOSSIBLE);
  ck_assert (any_contains (pl->reasons, "subcore here has 4 threads"));
  ck_assert (any_contains (pl->ways_out, "threads=4 or fewer"));
  g_clear_pointer (&pl, plan_free);
  /* Unsplit, SMT off: a guest core may use all eight threads. */
  pl = plan_build (off, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  g_clear_pointer (&pl, plan_free);
  /* PR runs one thread per core. */
  p->accel = ACCEL_PR;
  off->kvm_pr = PPCVM_YES;
  pl = plan_build (off, emu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_IMPOSSIBLE);
  ck_assert (any_contains (pl->reasons, "one thread per guest core"));
}
END_TEST

/* host --check's fixes: the action each check carries (what --fix applies
 * and what it only shows), merged into one action per change. */
static const PlanCheck *
find_check (GPtrArray *checks, const char *id)
{
  for (guint i = 0; i < checks->len; i++)
    if (g_str_equal (((PlanCheck *) g_ptr_array_index (checks, i))->id, id))
      return g_ptr_array_index (checks, i);
  ck_abort_msg ("no check %s", id);
  return NULL;
}

START_TEST (test_check_fixes)
{
  g_autoptr (HostFacts) on = power8_fixture ("power8e-powernv-8247-22L-160cpu", 0);
  g_autoptr (HostFacts) h = make_host (H_HASH_4K_NOHP);
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  GuestSpec g = { H, K4, .cpu = 8, .accel = ACCEL_HV, .memory = 512 * MiB };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (GPtrArray) checks = NULL, fixes = NULL;
  g_autoptr (Plan) pl = NULL;
  const PlanCheck *c;

  /* SMT8 POWER8, kvm_hv not loaded: ppc64_cpu and modprobe; kvm group shown only. */
  on->kvm_hv = PPCVM_NO;
  on->kvm_usable = PPCVM_NO;
  on->in_kvm_group = PPCVM_NO;
  checks = plan_host_checks (on);
  ck_assert_int_eq (find_check (checks, "smt")->fix.kind, PLAN_FIX_KIND_SMT_OFF);
  c = find_check (checks, "kvm-hv");
  ck_assert_int_eq (c->fix.kind, PLAN_FIX_KIND_MODPROBE);
  ck_assert_str_eq (c->fix.module, "kvm_hv");
  ck_assert_int_eq (find_check (checks, "dev-kvm")->fix.kind, PLAN_FIX_KIND_MANUAL);
  ck_assert_int_eq (find_check (checks, "power")->fix.kind, PLAN_FIX_KIND_NONE);
  ck_assert_str_eq (find_check (checks, "kvm-pr")->fix.module, "kvm_pr");
  fixes = plan_checks_safe_fixes (checks); /* smt, kvm_hv, kvm_pr */
  ck_assert_uint_eq (fixes->len, 3);
  g_clear_pointer (&fixes, g_ptr_array_unref);
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* POWER8 with 4 KiB pages, no hugepages: the mount alone without a
   * profile; with one, the pages its plan needs, one action for all rows. */
  h->qemu = emulator_facts_copy (emu);
  checks = plan_host_checks (h);
  plan_checks_set_hugepage_fixes (checks, h, NULL);
  c = find_check (checks, "hugetlbfs");
  ck_assert_int_eq (c->fix.kind, PLAN_FIX_KIND_HUGEPAGES);
  ck_assert_uint_eq (c->fix.page_size, 16 * MiB);
  ck_assert_uint_eq (c->fix.pages, 0);
  ck_assert_int_eq (find_check (checks, "hugepages")->fix.kind, PLAN_FIX_KIND_MANUAL);
  g_clear_pointer (&checks, g_ptr_array_unref);
  checks = plan_host_checks (h);
  pl = plan_build (h, h->qemu, p);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  plan_add_plan_checks (checks, pl);
  plan_checks_set_hugepage_fixes (checks, h, p);
  c = find_check (checks, "plan");
  ck_assert_int_eq (c->fix.kind, PLAN_FIX_KIND_HUGEPAGES);
  ck_assert_uint_eq (c->fix.pages, 32);
  ck_assert_uint_eq (find_check (checks, "hugepages")->fix.pages, 32);
  /* The hugepage rows merge into one action; SMT (not known here) is the other. */
  fixes = plan_checks_safe_fixes (checks);
  ck_assert_uint_eq (fixes->len, 2);
  ck_assert_int_eq (((PlanFix *) g_ptr_array_index (fixes, 0))->kind, PLAN_FIX_KIND_SMT_OFF);
  ck_assert_int_eq (((PlanFix *) g_ptr_array_index (fixes, 1))->kind, PLAN_FIX_KIND_HUGEPAGES);
  ck_assert_uint_eq (((PlanFix *) g_ptr_array_index (fixes, 1))->pages, 32);
}
END_TEST

/* POWER9 and later: no SMT requirement, even with every thread online. */
START_TEST (test_power9_smt_free)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;

  h->threads_per_core = 4;
  for (int i = 0; i < 16; i++)
    g_array_append_val (h->cpus_online, i);
  p->smp = 8;
  p->threads = 8;
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_int_eq (pl->accel, PLAN_ACCEL_KVM_HV);
  ck_assert_ptr_null (plan_decision_value (pl, "smt"));
}
END_TEST

START_TEST (test_machine_string_escapes)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_4K);
  GuestSpec g = { R, K64 };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = plan_build (h, emu, p);
  g_autofree char *m = NULL;

  plan_add_machine_prop (pl, "x-test", "a,b");
  m = plan_machine_string (pl);
  ck_assert_str_eq (m, "pseries,kvm-type=HV,cap-hpt-max-page-size=4096,x-test=a,,b");
}
END_TEST

/* HV-LOAD, PR-HASH, VRMA-HUGEPAGES, MEMLOCK: host advice. */
START_TEST (test_host_advice)
{
  g_autoptr (HostFacts) h = make_host (H_HASH_4K_NOHP);
  g_autoptr (GPtrArray) adv = NULL;

  h->kvm_hv = PPCVM_NO;
  h->kvm_pr = PPCVM_NO;
  h->memlock_limit = 8 << 20;
  adv = plan_host_advice (h);
  ck_assert (any_contains (adv, "sudo modprobe kvm_hv"));
  ck_assert (any_contains (adv, "sudo modprobe kvm_pr"));
  ck_assert (any_contains (adv, "ulimit -l"));
  ck_assert (any_contains (adv, "no hugetlbfs mount"));
}
END_TEST

/* HV-LOAD, NESTED-HV: a fix reads the same wherever it is given: in the
 * plan's ways out and in the host advice (ppcvm host, host --check). */
START_TEST (test_remedies_same_everywhere)
{
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (HostFacts) h = make_host (H_RADIX_64K);
  GuestSpec g = { R, K64, .nested = TRUE };
  g_autoptr (Profile) p = make_profile (&g);
  g_autoptr (Plan) pl = NULL;
  g_autoptr (GPtrArray) adv = NULL;

  h->kvm_usable = PPCVM_NO;
  g_clear_pointer (&h->kvm_usable_reason, g_free);
  h->kvm_hv_nested = PPCVM_NO;
  pl = plan_build (h, emu, p);
  adv = plan_host_advice (h);
  ck_assert_int_eq (pl->status, PLAN_REFUSED_FIXABLE);
  ck_assert (any_contains (pl->ways_out, PPCVM_FIX_KVM_GROUP));
  ck_assert (any_contains (adv, PPCVM_FIX_KVM_GROUP));
  ck_assert (any_contains (pl->ways_out, PPCVM_FIX_NESTED_ON));
  ck_assert (any_contains (adv, PPCVM_FIX_NESTED_ON));
  ck_assert (any_contains (pl->ways_out, PPCVM_FIX_NESTED_KEEP));
  ck_assert (any_contains (adv, PPCVM_FIX_NESTED_KEEP));
}
END_TEST

/* ---- Every TCG plan is accepted by the real qemu-system-ppc64 ---- */

static const GuestSpec tcg_guests[] = {
  { R, K64 },
  { H, K64 },
  { R, K4, .cpu = 8 },
  { R, K64, .cpu = 7 },
  { R, K64, .cpu = 9, .nested = TRUE },
  { R, K64, .cpu = 10 },
  { R, K64, .machine = "pseries-2.11" },
  { R, K64, .machine = "pseries-2.12" },
  { R, K64, .machine = "pseries-4.2" },
  { R, K64, .machine = "pseries-5.0", .cpu = 8 },
  { H, K64, .machine = "pseries-2.1" },
};

START_TEST (test_tcg_argv_accepted_by_qemu)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *bin = emulator_find_binary (NULL, &error);
  g_autoptr (EmulatorFacts) emu = NULL;
  g_autoptr (HostFacts) h = make_host (H_X86);
  g_autoptr (Profile) p = make_profile (&tcg_guests[_i]);
  g_autoptr (Plan) pl = NULL;
  g_auto (GStrv) argv = NULL;
  g_autofree char *dir = testlib_tmpdir ("dtb");
  g_autofree char *dtb = g_build_filename (dir, "guest.dtb", NULL);
  g_autofree char *dumparg = g_strdup_printf ("dumpdtb=%s", dtb);
  g_autofree char *out = NULL, *err = NULL, *fdt = NULL;
  gsize fdt_len = 0;
  const char *extra[] = { "-machine", dumparg, NULL };
  int status = -1;

  ck_assert_msg (bin != NULL, "qemu-system-ppc64 is needed: %s", error ? error->message : "");
  emu = emulator_probe (bin, 20000, &error);
  ck_assert_msg (emu != NULL, "%s", error ? error->message : "");
  p->memory = 512 * MiB;
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  argv = cmdline_build (bin, pl, p, NULL, extra);
  ck_assert (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "qemu refused the plan (%s):\n%s",
                 g_strjoinv (" ", argv), err);
  ck_assert_msg (g_file_get_contents (dtb, &fdt, &fdt_len, NULL), "no dtb dumped");
  /* Rule MIN-DEVICES: the guest sees its console and no device QEMU would
   * have added by default (the CD-ROM's spapr-vscsi controller, a VGA). */
  ck_assert_msg (memmem (fdt, fdt_len, "vty@", 4) != NULL, "no vty in the device tree");
  ck_assert_msg (memmem (fdt, fdt_len, "v-scsi@", 7) == NULL, "a default v-scsi controller: %s",
                 g_strjoinv (" ", argv));
  ck_assert_msg (memmem (fdt, fdt_len, "vga@", 4) == NULL, "a default VGA");
  /* The console starts clean: no "TCG doesn't support requested feature". */
  ck_assert_msg (strstr (err, "warning") == NULL, "qemu warned for %s:\n%s", g_strjoinv (" ", argv), err);
  testlib_rm_rf (dir);
}
END_TEST

/* host_facts_copy: the copy says the same, and changing it leaves the
 * original as it was. */
START_TEST (test_host_facts_copy)
{
  for (HostKind k = H_RADIX_4K; k <= H_X86; k++) {
    g_autoptr (HostFacts) h = make_host (k);
    g_autoptr (HostFacts) c = NULL;
    g_autoptr (json_object) hj = NULL;
    g_autoptr (json_object) cj = NULL;

    h->qemu = testlib_qemu_72 ();
    h->kvm_usable_reason = g_strdup ("a reason");
    g_free (h->kvm_probe.cfpc); /* make_host probes: set_probe filled it */
    h->kvm_probe.cfpc = g_strdup ("workaround");
    c = host_facts_copy (h);
    hj = host_facts_to_json (h);
    cj = host_facts_to_json (c);
    ck_assert_str_eq (json_object_to_json_string (cj), json_object_to_json_string (hj));
    ck_assert_ptr_ne (c->qemu, h->qemu);
    ck_assert_ptr_ne (c->arch, h->arch);
    ck_assert_ptr_ne (c->kvm_probe.cfpc, h->kvm_probe.cfpc);
    ck_assert_ptr_ne (c->hugepages, h->hugepages);
    ck_assert_ptr_ne (c->hugetlbfs, h->hugetlbfs);
    ck_assert_ptr_ne (c->cpus_online, h->cpus_online);
    if (c->hugetlbfs->len > 0) {
      HostHugetlbfs *m = g_ptr_array_index (c->hugetlbfs, 0);
      ck_assert_ptr_ne (m, g_ptr_array_index (h->hugetlbfs, 0));
      g_free (m->path);
      m->path = g_strdup ("/elsewhere");
      ck_assert_str_ne (((HostHugetlbfs *) g_ptr_array_index (h->hugetlbfs, 0))->path, "/elsewhere");
    }
  }
}
END_TEST

/* What-if planning (ppcvm hugepages): the refusal's setup steps as if done,
 * on a copy; the host's own facts stay as they are. */
START_TEST (test_plan_set_up)
{
  g_autoptr (HostFacts) h = make_host (H_RADIX_4K);
  g_autoptr (HostFacts) kvm_off = make_host (H_RADIX_64K);
  GuestSpec hpt = { H, K4 };
  GuestSpec radix = { R, K64 };
  g_autoptr (Profile) p = make_profile (&hpt);
  g_autoptr (Profile) pr = make_profile (&radix);
  g_autoptr (Plan) before = NULL;
  g_autoptr (Plan) hp = NULL;
  g_autoptr (Plan) none = NULL;
  g_autoptr (Plan) kvm = NULL;
  guint mounts = h->hugetlbfs->len;

  h->qemu = testlib_qemu_72 ();
  before = plan_build (h, h->qemu, p);
  ck_assert_int_eq (before->status, PLAN_REFUSED_FIXABLE);
  hp = plan_build_set_up (h, p, PLAN_SET_UP_HUGEPAGES, "/mnt/huge");
  ck_assert_int_eq (hp->status, PLAN_OK);
  ck_assert_int_eq (hp->accel, PLAN_ACCEL_KVM_HV);
  ck_assert_uint_eq (hp->hugepage_size, 2 * MiB);
  ck_assert_uint_gt (hp->hugepages_needed, 0);
  ck_assert_str_eq (hp->mem_path, "/mnt/huge");
  /* The host itself is unchanged: no mount appeared, no pages. */
  ck_assert_uint_eq (h->hugetlbfs->len, mounts);
  ck_assert_int_eq (g_array_index (h->hugepages, HostHugepages, 0).free, 0);
  /* Other steps do not make hugepages appear. */
  none = plan_build_set_up (h, p, PLAN_SET_UP_KVM, "/mnt/huge");
  ck_assert_int_eq (none->status, PLAN_REFUSED_FIXABLE);

  kvm_off->qemu = testlib_qemu_72 ();
  kvm_off->kvm_hv = PPCVM_NO;
  kvm = plan_build_set_up (kvm_off, pr, PLAN_SET_UP_KVM, "/dev/hugepages");
  ck_assert_int_eq (kvm->status, PLAN_OK);
  ck_assert_int_eq (kvm->accel, PLAN_ACCEL_KVM_HV);
  ck_assert_int_eq (kvm_off->kvm_hv, PPCVM_NO);
}
END_TEST

static Suite *
plan_suite (void)
{
  Suite *s = suite_create ("plan");
  TCase *voidtab = tcase_create ("void-table");
  TCase *rules = tcase_create ("rules");
  TCase *qemu = tcase_create ("qemu");
  TCase *truth = tcase_create ("truth");

  tcase_add_loop_test (voidtab, test_void_table, 0, G_N_ELEMENTS (void_rows));
  suite_add_tcase (s, voidtab);

  tcase_add_loop_test (rules, test_rules, 0, G_N_ELEMENTS (rule_rows));
  tcase_add_test (rules, test_qemu10_has_no_pseries2);
  tcase_add_test (rules, test_ail_mode_3_old_kernel);
  tcase_add_test (rules, test_pr_ail_mode_3);
  tcase_add_test (rules, test_pre_5_0_needs_no_hugepages);
  tcase_add_test (rules, test_no_cap_before_3_0);
  tcase_add_test (rules, test_tcg_nested_needs_7_0);
  tcase_add_test (rules, test_power10_host_htm);
  tcase_add_test (truth, test_dawr1);
  tcase_add_test (truth, test_p9_mixed_mode);
  tcase_add_test (truth, test_unknown_facts);
  tcase_add_test (rules, test_fixable_kvm_hv_not_loaded);
  tcase_add_test (rules, test_fixable_devkvm_permission);
  tcase_add_test (rules, test_fixable_nested_param_off);
  tcase_add_test (rules, test_hugepage_counts);
  tcase_add_test (rules, test_profile_mem_path_forced);
  tcase_add_test (rules, test_unknown_emulator);
  tcase_add_test (rules, test_power8_smt);
  tcase_add_test (rules, test_check_fixes);
  tcase_add_test (rules, test_power9_smt_free);
  tcase_add_test (rules, test_firmware_missing);
  tcase_add_loop_test (rules, test_firmware, 0, G_N_ELEMENTS (firmware_rows));
  tcase_add_test (rules, test_machine_string_escapes);
  tcase_add_test (rules, test_host_advice);
  tcase_add_test (rules, test_remedies_same_everywhere);
  tcase_add_test (rules, test_hugepage_steps);
  tcase_add_test (rules, test_host_facts_copy);
  tcase_add_test (rules, test_plan_set_up);
  suite_add_tcase (s, rules);

  tcase_add_loop_test (truth, test_truth, 0, G_N_ELEMENTS (truth_rows));
  suite_add_tcase (s, truth);

  tcase_set_timeout (qemu, 60);
  tcase_add_loop_test (qemu, test_tcg_argv_accepted_by_qemu, 0, G_N_ELEMENTS (tcg_guests));
  suite_add_tcase (s, qemu);
  return s;
}

int
main (void)
{
  return testlib_run (plan_suite ());
}
