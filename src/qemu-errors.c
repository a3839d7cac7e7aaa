/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The catalogue of QEMU pseries errors (QEMU's own wordings, master and older; docs/rules.md, *Sources*).
 *
 * Each pattern covers the master wording and the older ones: QEMU 5.2 moved
 * most hints ("try cap-X=off") onto a separate "Try appending" line, 7.0
 * renamed "Nested KVM-HV" to "Nested-HV", and <= 5.1 said "kvm" in lower case.
 * The patterns match anywhere in the line, because qemu prefixes its own
 * program name (and sometimes the option: "-machine X: unsupported ..."). */
#include "config.h"

#include "planner.h"
#include "qemu-errors.h"
#include "remedies.h"

static const QemuError catalogue[] = {
  /* HPT-PAGE (spapr_check_pagesize): KVM-HV needs every HPT page size the guest may use to be backed by
   * host-contiguous pages. */
  { "hpt-page-size", "Can't support [0-9]+ kiB guest pages with [0-9]+ kiB host pages",
    "KVM-HV can only give the guest hash page sizes that the memory backing its RAM has; "
    "the guest may use 64 KiB pages but its RAM sits on smaller host pages (a 4 KiB host "
    "kernel, or no hugepages). Fix: add '-machine cap-hpt-max-page-size=4096' (after '--', "
    "or in the profile's [qemu] args) and boot a guest kernel that works with 4 KiB pages, "
    "or back the RAM with hugepages (-s guest.mem-path=DIR on a hugetlbfs mount). "
    "'ppcvm plan --explain PROFILE' shows what the planner chose." },
  { "hpt-min-page-size", "Require at least 4kiB hpt-max-page-size|hpt-max-page-size must be a power of 2",
    "cap-hpt-max-page-size must be a power of two and at least 4096 (4 KiB). "
    "Fix: use cap-hpt-max-page-size=4096 (4 KiB host) or 65536 (the default)." },
  /* HPT-4K-CAP (kvm_check_mmu): runs at every vCPU reset, even with hugepage-backed RAM. */
  { "ci-pages", "KVM can't supply 64kiB CI pages",
    "The host kernel uses 4 KiB base pages, so KVM cannot map 64 KiB cache-inhibited "
    "(device) pages, which the guest CPU model offers by default; hugepages do not help "
    "here. Fix: add '-machine cap-hpt-max-page-size=4096' (after '--' or in the profile's "
    "[qemu] args), or run on a host kernel with 64 KiB pages." },
  { "page-shift", "KVM doesn't support (for )?(base )?page shift",
    "The page sizes of the CPU model do not match what this host's KVM offers (usually an "
    "old machine type or QEMU with a 4 KiB host kernel). Fix: use the default 'pseries' "
    "machine type and cap-hpt-max-page-size=4096, or check 'ppcvm plan --explain PROFILE'." },
  /* VRMA-HUGEPAGES (spapr_setup_hpt): QEMU >= 5.0 under KVM; the ")" really is missing in QEMU's text. */
  { "rma", "Unable to create [0-9]+MiB RMA \\(VRMA only allows",
    "A hash (HPT) guest under KVM needs its Real Mode Area inside the VRMA, which with "
    "RAM on 4 KiB pages is only a quarter of the rounded-up guest memory. Fix: back the "
    "guest RAM with hugepages (-s guest.mem-path=DIR on a hugetlbfs mount; 'ppcvm plan "
    "--explain PROFILE' prints the hugepage commands), or boot the guest radix "
    "(-s guest.mmu=radix) on a radix host, or use a 64 KiB-page host kernel." },
  /* The literal "80ldMiB" is a format bug in QEMU; match either way. */
  { "rma-too-small", "SLOF firmware requires >= [0-9]*l?d?MiB guest RMA",
    "The guest has less memory than the pseries firmware (SLOF) needs for its Real Mode "
    "Area: at least 128 MiB. Fix: give the guest more memory, e.g. -s guest.memory=512M, "
    "and do not pass a smaller '-m' after '--'." },
  { "numa-align", "memory size 0x[0-9a-fA-F]+ is not aligned to [0-9]+ MiB",
    "pseries needs every NUMA node's memory to be a multiple of 256 MiB. Fix: round the "
    "guest memory (or each -numa node's size) to a multiple of 256M." },
  /* MACHINE-TYPES: a cap this QEMU does not know yet. */
  { "cap-unknown", "Property '[^']*\\.cap-[a-z0-9-]+' not found",
    "This QEMU is too old to know that pseries capability (caps appeared between 2.12 and "
    "10.0; 2.11 has none). Fix: remove the cap-... setting from the profile's [qemu] args "
    "or the extra arguments, or install a newer QEMU (--qemu PATH)." },
  { "htm-tcg", "No Transactional Memory support in (TCG|tcg)",
    "TCG cannot emulate POWER8 Transactional Memory, and old machine types (pseries-2.11 "
    "and older) turn cap-htm on. Fix: add '-machine cap-htm=off', or let ppcvm plan the "
    "machine (it sets cap-htm=off for old machine types under TCG)." },
  { "htm-kvm", "KVM implementation does not support Transactional Memory",
    "This host's KVM cannot offer Transactional Memory (POWER9 without TM assist, POWER10, "
    "or a nested host), and the machine type turns cap-htm on (pseries-2.11 and older). "
    "Fix: add '-machine cap-htm=off', or use a newer machine type (-s guest.machine=pseries)." },
  { "spectre-caps",
    "Requested (safe cache|safe bounds check|safe indirect branch) capability level not supported by (KVM|kvm)",
    "The machine asks for a Spectre/Meltdown mitigation level (cap-cfpc, cap-sbbc or "
    "cap-ibs) that this host's firmware and kernel do not report. Fix: append the level "
    "QEMU suggests on the next line ('Try appending -machine cap-cfpc=broken' and so on); "
    "'ppcvm host' shows the host's levels." },
  { "ccf-assist", "Requested count cache flush assist capability level not supported by (KVM|kvm)",
    "The host does not offer the count cache flush assist (firmware-dependent). "
    "Fix: add '-machine cap-ccf-assist=off'." },
  { "large-decr",
    "Large decrementer only supported on POWER9|No large decrementer support|KVM large decrementer size",
    "The large decrementer (on by default for POWER9+ guests, machine >= 4.0) is not "
    "available with this CPU or host kernel. Fix: add '-machine cap-large-decr=off'." },
  { "nested-hv-cpu", "Nested(-HV| KVM-HV) only supported on POWER9",
    "cap-nested-hv=on needs a POWER9 or later guest CPU (and max-cpu-compat >= power9). "
    "Fix: use a POWER9+ CPU (-s guest.cpu=POWER9 under TCG), or drop nested=true." },
  { "nested-hv-kvm",
    "KVM implementation does not support Nested( KVM)?-HV|Error enabling cap-nested-hv with KVM",
    "This host's kvm_hv cannot run nested hypervisors: it needs a POWER9+ host in radix "
    "mode, kvm_hv loaded with nested=Y, and a radix guest. Fix: '" PPCVM_FIX_NESTED_ON "' "
    "(check /sys/module/kvm_hv/parameters/nested), or drop nested=true (-s guest.nested=false)." },
  { "nested-hv-tcg",
    "No Nested KVM-HV support in (TCG|tcg)|TCG does not support nested-HV with SMT|Nested-HV APIs are mutually exclusive",
    "This QEMU cannot give a TCG guest nested HV as asked: before 7.0 TCG has no nested HV "
    "at all, since 8.1 it needs one thread per core, and cap-nested-hv and cap-nested-papr "
    "exclude each other. Fix: upgrade QEMU (--qemu PATH), use '-smp N,threads=1', or "
    "enable only one nested API." },
  { "fwnmi", "FWNMI\\) not supported by (KVM|kvm)",
    "Firmware-assisted NMI (cap-fwnmi, on for machine >= 5.0) needs kvm_hv; KVM PR and old "
    "kernels lack it. Fix: add '-machine cap-fwnmi=off'." },
  { "rpt-invalidate", "H_RPT_INVALIDATE",
    "cap-rpt-invalidate needs KVM on a radix host with H_RPT_INVALIDATE support; TCG has "
    "none. Fix: add '-machine cap-rpt-invalidate=off' (the default)." },
  { "ail-mode-3", "does not support cap-ail-mode-3|only supports cap-ail-mode-3 on POWER8",
    "cap-ail-mode-3 (on by default since QEMU 8.1) needs KVM_CAP_PPC_AIL_MODE_3, which KVM "
    "PR, POWER7 and kernels older than about 5.18 lack. Fix: add '-machine cap-ail-mode-3=off'." },
  { "dawr1", "DAWR1 supported only on POWER10|DAWR1 not supported by (KVM|kvm)|Error enabling cap-dawr1",
    "The second watchpoint register (cap-dawr1, POWER10+) is not available with this CPU or "
    "kernel. Fix: add '-machine cap-dawr1=off'." },
  /* Raised at CAS, i.e. in the middle of the guest's boot. */
  { "mmu-mode", "Guest requested unavailable MMU mode",
    "The guest kernel asked for an MMU mode (radix or hash) that this host cannot give it "
    "under KVM: a hash guest on a radix host without HPT support, or a radix guest on a hash "
    "host. Fix: boot the guest in the other mode (-s guest.mmu=radix, or 'disable_radix' on "
    "its command line for hash), or run it under TCG (--accel tcg); see 'ppcvm plan --explain'." },
  { "hpt-nested", "HPT not supported in nested guests",
    "This host is itself a KVM guest (nested): its kvm_hv runs radix guests only, so a hash "
    "(HPT) guest, or a pre-POWER9 compat CPU, cannot run here. Fix: boot the guest radix "
    "(-s guest.mmu=radix with a POWER9+ CPU), or use KVM PR or TCG (--accel tcg)." },
  { "machine-type", "unsupported machine type",
    "This QEMU does not have that machine type: old pseries-X.Y types are removed over time "
    "(pseries-5.0 is the oldest in 10.2). Fix: use a newer type (-s guest.machine=pseries), "
    "or run an older QEMU (--qemu PATH); 'qemu-system-ppc64 -machine help' lists them." },
  { "cpu-compat",
    "Invalid compatibility mode|Compatibility PVR 0x[0-9a-fA-F]+ not valid for CPU|Unable to set CPU compatibility mode in (KVM|kvm)",
    "max-cpu-compat asks for a level the CPU model (or the host under KVM) cannot provide: "
    "it must not be newer than the CPU. Fix: pick an older or equal generation "
    "(-s guest.cpu=...), or drop max-cpu-compat." },
  { "kvm-type", "Unknown kvm-type specified",
    "The kvm-type machine property takes HV or PR (QEMU <= 5.2 accepts only these exact "
    "upper-case words; 6.0+ also auto, hv, pr). Fix: use kvm-type=HV or PR, or omit it "
    "(--accel kvm chooses)." },
  { "kvm-module", "PPC KVM module is not loaded|ioctl\\(KVM_CREATE_VM\\) failed",
    "The KVM flavour asked for is not loaded on this host: KVM_CREATE_VM fails when kvm_hv "
    "(or kvm_pr) is missing. Fix: '" PPCVM_FIX_LOAD_KVM_HV "' (bare-metal POWER8+, or a radix "
    "nested host) or '" PPCVM_FIX_LOAD_KVM_PR "' (hash hosts only), or run under TCG (--accel tcg); "
    "'ppcvm host' shows what this host can load." },
  { "cpu-host", "only \"-cpu host\" is possible|unable to find CPU model 'host'",
    "Under kvm_hv the guest CPU must be the host's own (-cpu host), and 'host' does not "
    "exist under TCG. Fix: leave the CPU to the planner (remove -cpu from the extra "
    "arguments), or use --accel tcg with a named CPU (-s guest.cpu=POWER9)." },
  { "tcg-threads", "TCG cannot support more than 1 thread/core on a pseries machine",
    "TCG pseries (QEMU <= 8.0) runs one thread per core. Fix: use '-smp N,threads=1' "
    "(cores instead of threads)." },
  /* Rule HV-SMT: kvm_cpu_exec (accel/kvm/kvm-all.c) prints strerror of
   * KVM_RUN; kvmppc_run_core returns EBUSY on POWER7/8 with SMT on. */
  { "kvm-run-busy", "kvm run failed (Device or resource busy|-16)",
    "KVM-HV could not enter the guest: on POWER7 and POWER8 it runs each virtual core on a "
    "whole physical core and refuses while that core's secondary threads are online (SMT "
    "on). Fix: " PPCVM_FIX_SMT_OFF ", then start the guest again; 'ppcvm host' shows the SMT "
    "mode and 'ppcvm host --check' every prerequisite." },
  /* qemu's image locking (since 2.10): a second opener of a disk is refused. */
  { "disk-locked", "Failed to get \"(write|shared|consistent read)\" lock",
    "Another process, most likely another guest, has this disk image open: two guests "
    "writing one disk would destroy its file system, so QEMU refused to start. Fix: stop "
    "the other guest first ('ppcvm list' shows the running ones, 'ppcvm stop NAME' stops "
    "one), or give this guest its own copy of the disk, or mark the disk readonly=true in "
    "both profiles if neither needs to write it." },
};

const QemuError *
qemu_errors_explain (const char *line)
{
  g_return_val_if_fail (line != NULL, NULL);

  /* A handful of patterns over the few lines qemu prints: compiling them on
   * each call keeps this free of cached global state. */
  for (gsize i = 0; i < G_N_ELEMENTS (catalogue); i++) {
    if (g_regex_match_simple (catalogue[i].pattern, line, 0, 0))
      return &catalogue[i];
  }
  return NULL;
}

const QemuError *
qemu_errors_table (gsize *ret_n)
{
  *ret_n = G_N_ELEMENTS (catalogue);
  return catalogue;
}
