/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ask KVM what it can do, the way QEMU does: KVM_CREATE_VM, then
 * KVM_CHECK_EXTENSION on the VM fd, KVM_PPC_GET_SMMU_INFO and
 * KVM_PPC_GET_CPU_CHAR, plus ibm,dec-bits from the host device tree.
 *
 * The translation of KVM_PPC_GET_CPU_CHAR into cap levels is a pure
 * function (kvm_probe_cpu_char_levels), tested with table rows; the live
 * probe (kvm_probe_run) only does ioctls and calls it. */
#pragma once

#include <glib.h>

#include "host.h"

/* struct kvm_ppc_cpu_char (arch/powerpc/include/uapi/asm/kvm.h), which the
 * x86 headers lack. Same layout: four u64s. */
typedef struct {
  guint64 character;
  guint64 behaviour;
  guint64 character_mask;
  guint64 behaviour_mask;
} KvmCpuChar;

/* The H_GET_CPU_CHARACTERISTICS bits (same values as KVM_PPC_CPU_CHAR_*). */
#define KVM_PROBE_CHAR_SPEC_BAR_ORI31 (1ULL << 63)
#define KVM_PROBE_CHAR_BCCTRL_SERIALISED (1ULL << 62)
#define KVM_PROBE_CHAR_L1D_FLUSH_ORI30 (1ULL << 61)
#define KVM_PROBE_CHAR_L1D_FLUSH_TRIG2 (1ULL << 60)
#define KVM_PROBE_CHAR_L1D_THREAD_PRIV (1ULL << 59)
#define KVM_PROBE_CHAR_COUNT_CACHE_DIS (1ULL << 56)
#define KVM_PROBE_CHAR_BCCTR_FLUSH_ASSIST (1ULL << 54)
#define KVM_PROBE_BEHAV_FAVOUR_SECURITY (1ULL << 63)
#define KVM_PROBE_BEHAV_L1D_FLUSH_PR (1ULL << 62)
#define KVM_PROBE_BEHAV_BNDS_CHK_SPEC_BAR (1ULL << 61)
#define KVM_PROBE_BEHAV_FLUSH_COUNT_CACHE (1ULL << 58)

/* The best level of each mitigation cap that QEMU would accept under this
 * KVM. Strings are static: cfpc and sbbc "broken" | "workaround" | "fixed";
 * ibs "broken" | "workaround" | "fixed-ibs" | "fixed-ccd" | "fixed-na".
 * ccf_assist: the host offers the count cache flush assist instruction. */
typedef struct {
  const char *cfpc;
  const char *sbbc;
  const char *ibs;
  gboolean ccf_assist;
} KvmCpuCharLevels;

/* Pure. POWER8_HOST: QEMU does not require L1D_THREAD_PRIV on POWER8
 * (kvmppc_power8_host). */
void kvm_probe_cpu_char_levels (const KvmCpuChar *c, gboolean power8_host, KvmCpuCharLevels *ret_levels);

/* Pure: the ibm,dec-bits property (one big-endian u32) as a number, or -1
 * when DATA is not exactly 4 bytes. */
int kvm_probe_parse_dec_bits (const void *data, gsize len);

/* The live probe. Fills PROBE (probed = TRUE) when the machine is ppc64 and
 * DEVKVM opens and KVM_CREATE_VM succeeds; otherwise leaves it untouched
 * and returns FALSE. DT_CPUS is the device-tree cpus directory
 * (/proc/device-tree/cpus) for ibm,dec-bits. PVR picks the POWER8 rule.
 * Never prints; the strings it stores in PROBE are owned by PROBE. */
gboolean kvm_probe_run (const char *devkvm, const char *dt_cpus, guint32 pvr, HostKvmProbe *probe);
