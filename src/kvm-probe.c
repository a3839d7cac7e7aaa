/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kvm-probe.h"
#include "util.h"

/* Capability numbers (include/uapi/linux/kvm.h); fallbacks for old headers. */
#ifndef KVM_CAP_CHECK_EXTENSION_VM
#define KVM_CAP_CHECK_EXTENSION_VM 105
#endif
#ifndef KVM_CAP_PPC_HTM
#define KVM_CAP_PPC_HTM 132
#endif
#ifndef KVM_CAP_SPAPR_RESIZE_HPT
#define KVM_CAP_SPAPR_RESIZE_HPT 133
#endif
#ifndef KVM_CAP_PPC_MMU_RADIX
#define KVM_CAP_PPC_MMU_RADIX 134
#endif
#ifndef KVM_CAP_PPC_MMU_HASH_V3
#define KVM_CAP_PPC_MMU_HASH_V3 135
#endif
#ifndef KVM_CAP_PPC_FWNMI
#define KVM_CAP_PPC_FWNMI 146
#endif
#ifndef KVM_CAP_PPC_GET_CPU_CHAR
#define KVM_CAP_PPC_GET_CPU_CHAR 151
#endif
#ifndef KVM_CAP_PPC_NESTED_HV
#define KVM_CAP_PPC_NESTED_HV 160
#endif
#ifndef KVM_CAP_PPC_DAWR1
#define KVM_CAP_PPC_DAWR1 194
#endif
#ifndef KVM_CAP_PPC_RPT_INVALIDATE
#define KVM_CAP_PPC_RPT_INVALIDATE 202
#endif
#ifndef KVM_CAP_PPC_AIL_MODE_3
#define KVM_CAP_PPC_AIL_MODE_3 210
#endif

/* struct kvm_ppc_smmu_info (include/uapi/linux/kvm.h), declared here so the
 * size is fixed whatever the headers: u64 flags, u32 slb_size, u16 data_keys,
 * u16 instr_keys, then 8 segment sizes of (u32 page_shift, u32 slb_enc,
 * 8 x (u32 page_shift, u32 pte_enc)). */
typedef struct {
  guint64 flags;
  guint32 slb_size;
  guint16 data_keys, instr_keys;
  struct {
    guint32 page_shift, slb_enc;
    struct {
      guint32 page_shift, pte_enc;
    } enc[8];
  } sps[8];
} KvmSmmuInfo;
G_STATIC_ASSERT (sizeof (KvmSmmuInfo) == 16 + 8 * (8 + 8 * 8));
G_STATIC_ASSERT (sizeof (KvmCpuChar) == 32);

#define KVM_PROBE_PAGE_SIZES_REAL 0x1

/* The ioctl numbers as the powerpc kernel computes them: powerpc's _IOC
 * layout differs from x86's (3 direction bits at 29, read = 2, 13 size bits),
 * so the generic _IOR of a non-powerpc build would be wrong. This code only
 * runs on ppc64, but it must build everywhere. */
#if defined(__powerpc__) || defined(__powerpc64__)
#define PPC_IOR(nr, type) _IOR (KVMIO, nr, type)
#else
#define PPC_IOR(nr, type) ((2UL << 29) | ((unsigned long) sizeof (type) << 16) | (KVMIO << 8) | (nr))
#endif
#define PROBE_KVM_PPC_GET_SMMU_INFO PPC_IOR (0xa6, KvmSmmuInfo)
#define PROBE_KVM_PPC_GET_CPU_CHAR PPC_IOR (0xb1, KvmCpuChar)

/* ---- Pure ---- */

/* The masked bits that are set, and those the host says are clear. */
#define HAS(word, mask, bit) (((word) & (mask) & (bit)) != 0)
#define LACKS(word, mask, bit) ((~(word) & (mask) & (bit)) != 0)

void
kvm_probe_cpu_char_levels (const KvmCpuChar *c, gboolean power8_host, KvmCpuCharLevels *ret_levels)
{
  guint64 ch = c->character, chm = c->character_mask;
  guint64 be = c->behaviour, bem = c->behaviour_mask;

  g_return_if_fail (ret_levels != NULL);

  /* cap-cfpc (safe cache): fixed when no L1D flush is needed on privilege
   * change; workaround when the flush instructions exist and, except on
   * POWER8, the L1D is thread-private. */
  if (LACKS (be, bem, KVM_PROBE_BEHAV_L1D_FLUSH_PR))
    ret_levels->cfpc = "fixed";
  else if ((power8_host || HAS (ch, chm, KVM_PROBE_CHAR_L1D_THREAD_PRIV)) &&
           HAS (ch, chm, KVM_PROBE_CHAR_L1D_FLUSH_ORI30 | KVM_PROBE_CHAR_L1D_FLUSH_TRIG2))
    ret_levels->cfpc = "workaround";
  else
    ret_levels->cfpc = "broken";

  /* cap-sbbc (safe bounds check): fixed when no speculation barrier is
   * needed, workaround when ori 31,31,0 is one. */
  if (LACKS (be, bem, KVM_PROBE_BEHAV_BNDS_CHK_SPEC_BAR))
    ret_levels->sbbc = "fixed";
  else if (HAS (ch, chm, KVM_PROBE_CHAR_SPEC_BAR_ORI31))
    ret_levels->sbbc = "workaround";
  else
    ret_levels->sbbc = "broken";

  /* cap-ibs (indirect branch speculation): not affected when no count cache
   * flush is needed and neither hardware fix is reported; else the flush
   * (workaround), the count cache disabled (fixed-ccd), bcctr serialised
   * (fixed-ibs). The order is QEMU's. */
  if (LACKS (be, bem, KVM_PROBE_BEHAV_FLUSH_COUNT_CACHE) &&
      LACKS (ch, chm, KVM_PROBE_CHAR_COUNT_CACHE_DIS) &&
      LACKS (ch, chm, KVM_PROBE_CHAR_BCCTRL_SERIALISED))
    ret_levels->ibs = "fixed-na";
  else if (HAS (be, bem, KVM_PROBE_BEHAV_FLUSH_COUNT_CACHE))
    ret_levels->ibs = "workaround";
  else if (HAS (ch, chm, KVM_PROBE_CHAR_COUNT_CACHE_DIS))
    ret_levels->ibs = "fixed-ccd";
  else if (HAS (ch, chm, KVM_PROBE_CHAR_BCCTRL_SERIALISED))
    ret_levels->ibs = "fixed-ibs";
  else
    ret_levels->ibs = "broken";

  ret_levels->ccf_assist = HAS (ch, chm, KVM_PROBE_CHAR_BCCTR_FLUSH_ASSIST);
}

int
kvm_probe_parse_dec_bits (const void *data, gsize len)
{
  guint32 be;

  if (data == NULL || len != sizeof be)
    return -1;
  /* Device-tree cells are big-endian whatever the CPU's byte order. */
  memcpy (&be, data, sizeof be);
  return (int) MIN (GUINT32_FROM_BE (be), (guint32) G_MAXINT);
}

/* ---- Live ---- */

typedef struct {
  int fd;
} Fd;

static void
fd_clear (Fd *f)
{
  if (f->fd >= 0)
    close (f->fd);
  f->fd = -1;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fd, fd_clear)

static int
xioctl (int fd, unsigned long req, void *arg)
{
  int r;
  do
    r = ioctl (fd, req, arg);
  while (r < 0 && errno == EINTR);
  return r;
}

/* As QEMU's kvm_vm_check_extension: the VM fd when the kernel answers
 * there (KVM_CAP_CHECK_EXTENSION_VM), else the system fd. */
static PpcvmTristate
check_ext (int sysfd, int vmfd, gboolean on_vm, long cap)
{
  int r;

  do
    r = ioctl (on_vm ? vmfd : sysfd, KVM_CHECK_EXTENSION, cap);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return PPCVM_UNKNOWN;
  return r > 0 ? PPCVM_YES : PPCVM_NO;
}

/* ibm,dec-bits of the first cpu node that has it; -1 if none; -2 if the
 * cpus directory cannot be read. */
static int
read_dec_bits (const char *dt_cpus)
{
  g_autoptr (GDir) d = g_dir_open (dt_cpus, 0, NULL);
  const char *name;

  if (d == NULL)
    return -2;
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dt_cpus, name, "ibm,dec-bits", NULL);
    g_autofree char *data = NULL;
    gsize len;
    if (g_file_get_contents (path, &data, &len, NULL))
      return kvm_probe_parse_dec_bits (data, len);
  }
  return -1;
}

static gboolean
is_ppc64 (void)
{
  struct utsname u;
  return uname (&u) == 0 && g_str_has_prefix (u.machine, "ppc64");
}

gboolean
kvm_probe_run (const char *devkvm, const char *dt_cpus, guint32 pvr, HostKvmProbe *probe)
{
  g_auto (Fd) sys = { -1 };
  g_auto (Fd) vm = { -1 };
  gboolean on_vm;
  KvmSmmuInfo smmu;
  KvmCpuChar cc;
  int gen = 0, dec;

  g_return_val_if_fail (probe != NULL, FALSE);
  /* Only a ppc64 kernel has these ioctls; elsewhere don't even open. */
  if (!is_ppc64 ())
    return FALSE;
  sys.fd = open (devkvm, O_RDWR | O_CLOEXEC);
  if (sys.fd < 0)
    return FALSE;
  /* Type 0: the kernel picks HV when kvm_hv is loaded, else PR (KVM-TYPE;
   * Linux powerpc.c kvm_arch_init_vm) —
   * what QEMU does for kvm-type=auto. */
  do
    vm.fd = ioctl (sys.fd, KVM_CREATE_VM, 0UL);
  while (vm.fd < 0 && errno == EINTR);
  if (vm.fd < 0)
    return FALSE;

  probe->probed = TRUE;
  on_vm = ioctl (sys.fd, KVM_CHECK_EXTENSION, (long) KVM_CAP_CHECK_EXTENSION_VM) > 0;
  probe->radix = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_MMU_RADIX);
  probe->hash_v3 = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_MMU_HASH_V3);
  probe->htm = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_HTM);
  probe->nested_hv = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_NESTED_HV);
  probe->fwnmi = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_FWNMI);
  probe->ail_mode_3 = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_AIL_MODE_3);
  probe->rpt_invalidate = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_RPT_INVALIDATE);
  probe->dawr1 = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_DAWR1);
  probe->resize_hpt = check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_SPAPR_RESIZE_HPT);

  memset (&smmu, 0, sizeof smmu);
  if (xioctl (vm.fd, PROBE_KVM_PPC_GET_SMMU_INFO, &smmu) == 0) {
    probe->smmu_probed = TRUE;
    probe->page_sizes_real = (smmu.flags & KVM_PROBE_PAGE_SIZES_REAL) != 0;
  }

  /* QEMU assumes "broken" for all three when the kernel has no
   * KVM_PPC_GET_CPU_CHAR or it fails (kvmppc_get_cpu_characteristics). */
  memset (&cc, 0, sizeof cc);
  if (check_ext (sys.fd, vm.fd, on_vm, KVM_CAP_PPC_GET_CPU_CHAR) == PPCVM_YES &&
      xioctl (vm.fd, PROBE_KVM_PPC_GET_CPU_CHAR, &cc) == 0) {
    KvmCpuCharLevels lv;
    host_pvr_chip (pvr, &gen);
    kvm_probe_cpu_char_levels (&cc, gen == 8, &lv);
    g_free (probe->cfpc);
    g_free (probe->sbbc);
    g_free (probe->ibs);
    probe->cfpc = g_strdup (lv.cfpc);
    probe->sbbc = g_strdup (lv.sbbc);
    probe->ibs = g_strdup (lv.ibs);
    probe->ccf_assist = lv.ccf_assist ? PPCVM_YES : PPCVM_NO;
  } else {
    g_free (probe->cfpc);
    g_free (probe->sbbc);
    g_free (probe->ibs);
    probe->cfpc = g_strdup ("broken");
    probe->sbbc = g_strdup ("broken");
    probe->ibs = g_strdup ("broken");
    probe->ccf_assist = PPCVM_NO;
  }

  /* Large decrementer: QEMU needs ibm,dec-bits in the host device tree,
   * equal to the CPU model's 56 bits (POWER9 and later). */
  dec = read_dec_bits (dt_cpus);
  if (dec >= 0)
    probe->large_decr = dec == 56 ? PPCVM_YES : PPCVM_NO;
  else if (dec == -1)
    probe->large_decr = PPCVM_NO;
  return TRUE;
}
