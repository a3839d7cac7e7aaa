/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the host is: facts read from /proc, /sys and /dev (live or under a
 * sysroot), or loaded from a `ppcvm host --json` file.
 *
 * Parsing is pure functions over text (host_parse_*), so every real dump in
 * the fixtures can be tested; host_detect() only reads files and calls them.
 * A fact that cannot be known stays unknown (NULL, 0 or PPCVM_UNKNOWN): it is
 * never guessed. */
#pragma once

#include <glib.h>

#include "emulator.h"

/* A boolean fact that may be unknown. */
typedef enum {
  PPCVM_UNKNOWN = -1,
  PPCVM_NO = 0,
  PPCVM_YES = 1,
} PpcvmTristate;

typedef enum {
  HOST_MMU_UNKNOWN = 0,
  HOST_MMU_RADIX,
  HOST_MMU_HASH,
} HostMmu;

typedef enum {
  HOST_PLATFORM_UNKNOWN = 0,
  HOST_PLATFORM_POWERNV,
  HOST_PLATFORM_PSERIES,
  HOST_PLATFORM_POWERMAC,
  HOST_PLATFORM_PS3,
  HOST_PLATFORM_OTHER,
} HostPlatform;

typedef enum {
  HOST_HV_UNKNOWN = 0,
  HOST_HV_NONE,     /* bare metal */
  HOST_HV_KVM,      /* proven: device-tree hypervisor node, compatible linux,kvm */
  HOST_HV_QEMU,     /* a QEMU pseries guest, KVM or TCG */
  HOST_HV_POWERVM,
} HostHypervisor;

typedef struct {
  guint64 size;       /* bytes */
  gint64 total;       /* -1: unknown */
  gint64 free;        /* -1: unknown */
  gboolean is_default;
} HostHugepages;

typedef struct {
  char *path;
  guint64 page_size;  /* bytes; 0 unknown */
  PpcvmTristate writable;
} HostHugetlbfs;

/* What the KVM probe (KVM_CREATE_VM + KVM_CHECK_EXTENSION...) found. Only
 * filled on a ppc64 host where /dev/kvm opens; `probed` FALSE otherwise. */
typedef struct {
  gboolean probed;
  PpcvmTristate radix, hash_v3, htm, nested_hv, fwnmi, ail_mode_3, rpt_invalidate, dawr1,
      resize_hpt, large_decr;
  gboolean smmu_probed;
  gboolean page_sizes_real; /* KVM_PPC_PAGE_SIZES_REAL: backing pages must be contiguous */
  /* KVM_PPC_GET_CPU_CHAR, as the best cap level each mitigation can have,
   * NULL when not probed: "broken" | "workaround" | "fixed" ... */
  char *cfpc, *sbbc, *ibs;
  PpcvmTristate ccf_assist;
} HostKvmProbe;

typedef struct {
  char *arch;          /* uname machine: ppc64le, ppc64, x86_64...; NULL unknown */
  char *kernel;        /* kernel release, e.g. 6.1.0-50-powerpc64le */

  char *cpu_chip;      /* POWER9, POWER8E, PPC970MP, Cell... from the PVR */
  char *cpu_compat;    /* the mode the kernel reports, e.g. POWER8 for "POWER8 (architected)" */
  guint32 pvr;         /* 0: unknown */
  int generation;      /* 5..11; 0: not a POWER server CPU or unknown */
  int cpu_count;       /* -1: unknown */
  /* SMT (rule HV-SMT). The online CPUs are /proc/cpuinfo's processor
   * numbers; threads per core come from the device tree's
   * ibm,ppc-interrupt-server#s, else the generation (POWER7 4, POWER8 8). */
  GArray *cpus_online;     /* of int, ascending; empty: unknown */
  int threads_per_core;    /* 0: unknown */
  int subcores_per_core;   /* 1, or 2/4 in POWER8 split-core mode; 0: unknown */

  HostPlatform platform;
  HostHypervisor hypervisor;
  HostMmu mmu;
  guint64 page_size;   /* 0: unknown */

  PpcvmTristate kvm_device, kvm_usable, kvm_hv, kvm_pr, kvm_hv_nested;
  char *kvm_usable_reason; /* why /dev/kvm is not usable, with the fix */
  HostKvmProbe kvm_probe;

  GArray *hugepages;       /* of HostHugepages */
  GPtrArray *hugetlbfs;    /* of HostHugetlbfs* */

  guint64 mem_total, mem_available;  /* bytes; 0 unknown */
  gint64 memlock_limit;    /* bytes; -1 unlimited; -2 unknown */
  PpcvmTristate in_kvm_group;

  EmulatorFacts *qemu;     /* NULL: no emulator found */
  /* A new pointer here needs its line in host_facts_free and host_facts_copy. */
} HostFacts;

HostFacts *host_facts_new (void);
void host_facts_free (HostFacts *facts);
/* A deep copy: changing it leaves FACTS as they are. */
HostFacts *host_facts_copy (const HostFacts *facts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostFacts, host_facts_free)
void host_hugetlbfs_free (HostHugetlbfs *m);

/* ---- Pure parsers: each fills the facts it can find, leaves the rest. ---- */

/* /proc/cpuinfo: chip, pvr, compat, generation, count, platform, mmu and the
 * model-based hypervisor guess. */
void host_parse_cpuinfo (HostFacts *facts, const char *text);
/* /proc/meminfo: memory and the default hugepage size and counts. */
void host_parse_meminfo (HostFacts *facts, const char *text);
/* /proc/mounts: hugetlbfs mounts (page_size from pagesize=, else the default). */
void host_parse_mounts (HostFacts *facts, const char *text);
/* PATH as a field of /proc/mounts or /etc/fstab (fstab(5)): space, tab,
 * newline and backslash as octal escapes ("\040"); host_parse_mounts reads
 * them back. A new string. */
char *host_mount_path_escape (const char *path);
/* /proc/self/smaps: the first KernelPageSize, in bytes; 0 if none. */
guint64 host_parse_smaps_page_size (const char *text);
/* /proc/modules: whether MODULE is listed. */
gboolean host_parse_modules_has (const char *text, const char *module);
/* /proc/version: the kernel release ("Linux version X ..."); NULL if absent. */
char *host_parse_version (const char *text);

/* The chip name and generation for a PVR (upper 16 bits matter); NULL and 0
 * for unknown ones. */
const char *host_pvr_chip (guint32 pvr, int *ret_generation);
/* Generation for a CPU name like "POWER8", "POWER7+", "Power11"; 0 if not one. */
int host_generation_from_name (const char *name);
/* Generation GEN's name ("POWER9", "Power11"), NULL when not 5..11. */
const char *host_generation_name (int gen);
/* Its -machine max-cpu-compat value ("power9"), NULL when QEMU has none
 * (before POWER6, unknown). */
const char *host_generation_compat (int gen);

/* Read everything from SYSROOT (NULL: the live system). Never fails: facts
 * that cannot be read stay unknown. Does not probe the emulator. */
HostFacts *host_detect (const char *sysroot);
/* The facts `plan` and `run` read: on a live host that is not POWER, only
 * the architecture, kernel, page size and memory (the rest stays unknown);
 * elsewhere all of host_detect's. */
HostFacts *host_detect_for_plan (const char *sysroot);

const char *host_mmu_to_string (HostMmu mmu);            /* "radix"/"hash"/NULL */
const char *host_platform_to_string (HostPlatform p);    /* NULL for unknown */
const char *host_hypervisor_to_string (HostHypervisor h);
HostHugepages *host_default_hugepages (const HostFacts *facts);  /* NULL if none */
/* The kernel's pool of hugepages of PAGE_SIZE bytes: its sysfs directory
 * ("/sys/kernel/mm/hugepages/hugepages-16384kB", with nr_hugepages and
 * free_hugepages), and whether it is the default size, whose nr_hugepages is
 * also the sysctl vm.nr_hugepages. */
char *host_hugepages_dir (guint64 page_size);
gboolean host_hugepages_is_default (const HostFacts *facts, guint64 page_size);
/* The first writable hugetlbfs mount with pages of SIZE bytes, or NULL. */
const HostHugetlbfs *host_find_hugetlbfs (const HostFacts *facts, guint64 size);
/* Hardware threads per (sub)core: threads_per_core / subcores_per_core
 * (a missing subcores_per_core counts as 1); 0 when unknown. */
int host_threads_per_subcore (const HostFacts *facts);
/* The most threads online in any (sub)core (the SMT mode); 0 unknown. */
int host_smt_online (const HostFacts *facts);
/* Does any (sub)core have a thread other than its first online? */
PpcvmTristate host_secondary_threads_online (const HostFacts *facts);

/* Is this a POWER host that can run ppc64 KVM at all (arch ppc64/ppc64le)? */
gboolean host_is_ppc64 (const HostFacts *facts);
/* Kernel version as major*1000+minor (e.g. 6001), 0 if unknown. */
int host_kernel_version (const HostFacts *facts);
