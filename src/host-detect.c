/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live detection: read the files under a sysroot, call the parsers of host.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host-private.h"
#include "kvm-probe.h"
#include "util.h"
#include "remedies.h"

/* ---- Detection: read files, call the parsers. ---- */

static char *
read_or_null (const char *sysroot, const char *path)
{
  char *contents = NULL;

  if (!ppcvm_read_file (sysroot, path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static gboolean
exists (const char *sysroot, const char *path)
{
  g_autofree char *full = ppcvm_sysroot_path (sysroot, path);
  return g_file_test (full, G_FILE_TEST_EXISTS);
}

static gboolean
is_live (const char *sysroot)
{
  return sysroot == NULL || *sysroot == '\0' || g_str_equal (sysroot, "/");
}

static void
detect_hugepage_sizes (HostFacts *f, const char *sysroot)
{
  g_autofree char *dir = ppcvm_sysroot_path (sysroot, "sys/kernel/mm/hugepages");
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL) {
    guint64 kb;
    g_autofree char *num = NULL;
    HostHugepages *h;
    g_autofree char *nr = NULL, *fr = NULL;
    guint64 v;

    if (!g_str_has_prefix (name, "hugepages-") || !g_str_has_suffix (name, "kB"))
      continue;
    num = g_strndup (name + 10, strlen (name) - 12);
    if (!g_ascii_string_to_unsigned (num, 10, 1, G_MAXUINT64 >> 10, &kb, NULL))
      continue;
    h = host_hugepages_entry (f, kb << 10);
    {
      g_autofree char *p1 = g_build_filename ("sys/kernel/mm/hugepages", name, "nr_hugepages", NULL);
      g_autofree char *p2 = g_build_filename ("sys/kernel/mm/hugepages", name, "free_hugepages", NULL);
      nr = read_or_null (sysroot, p1);
      fr = read_or_null (sysroot, p2);
    }
    if (nr && ppcvm_parse_uint64 (nr, G_MAXINT64, &v, NULL))
      h->total = (gint64) v;
    if (fr && ppcvm_parse_uint64 (fr, G_MAXINT64, &v, NULL))
      h->free = (gint64) v;
  }
  g_array_sort (f->hugepages, host_hugepages_cmp);
}

static void
detect_kvm_access (HostFacts *f, const char *sysroot)
{
  g_autofree char *path = ppcvm_sysroot_path (sysroot, "dev/kvm");

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    f->kvm_device = PPCVM_NO;
    f->kvm_usable = PPCVM_NO;
    f->kvm_usable_reason = g_strdup ("/dev/kvm does not exist: load a KVM module (" PPCVM_FIX_LOAD_KVM_HV ")");
    return;
  }
  f->kvm_device = PPCVM_YES;
  if (is_live (sysroot)) {
    int fd = open (path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
      close (fd);
      f->kvm_usable = PPCVM_YES;
    } else {
      int errsv = errno;
      f->kvm_usable = PPCVM_NO;
      if (errsv == EACCES || errsv == EPERM)
        f->kvm_usable_reason = g_strdup ("/dev/kvm is not accessible to this user: " PPCVM_FIX_KVM_GROUP);
      else
        f->kvm_usable_reason = g_strdup_printf ("/dev/kvm cannot be opened: %s", g_strerror (errsv));
    }
  } else {
    f->kvm_usable = access (path, R_OK | W_OK) == 0 ? PPCVM_YES : PPCVM_NO;
    if (f->kvm_usable == PPCVM_NO)
      f->kvm_usable_reason = g_strdup ("/dev/kvm is not accessible to this user: " PPCVM_FIX_KVM_GROUP);
  }
}

static void
detect_live_user (HostFacts *f)
{
  struct rlimit rl;
  struct group *g;

  if (getrlimit (RLIMIT_MEMLOCK, &rl) == 0)
    f->memlock_limit = rl.rlim_cur == RLIM_INFINITY ? -1 : (gint64) rl.rlim_cur;
  /* The group lookup goes through NSS (nscd connects, nsswitch.conf,
   * /etc/group: most of a warm `ppcvm plan`'s system calls): only worth it
   * on a POWER host whose /dev/kvm is not usable, which is when the advice
   * needs it. Elsewhere only TCG can run a POWER guest. */
  if (f->kvm_usable == PPCVM_YES || !host_is_ppc64 (f))
    return;
  g = getgrnam ("kvm");
  if (g != NULL) {
    gid_t groups[256];
    int n = getgroups (G_N_ELEMENTS (groups), groups);
    f->in_kvm_group = PPCVM_NO;
    if (getegid () == g->gr_gid || getuid () == 0)
      f->in_kvm_group = PPCVM_YES;
    for (int i = 0; i < n; i++)
      if (groups[i] == g->gr_gid)
        f->in_kvm_group = PPCVM_YES;
  }
}

/* Split-core mode (POWER8 PowerNV) and the threads per core the device
 * tree lists: one 4-byte interrupt server number a thread in each CPU node's
 * ibm,ppc-interrupt-server#s (arch/powerpc/kernel/setup-common.c). */
static void
detect_threads (HostFacts *f, const char *sysroot)
{
  g_autofree char *sub = read_or_null (sysroot, "sys/devices/system/cpu/subcores_per_core");
  g_autofree char *cpus = ppcvm_sysroot_path (sysroot, "proc/device-tree/cpus");
  g_autoptr (GDir) dir = g_dir_open (cpus, 0, NULL);
  const char *name;
  guint64 n;

  if (sub != NULL && g_ascii_string_to_unsigned (g_strstrip (sub), 10, 1, 8, &n, NULL))
    f->subcores_per_core = (int) n;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = NULL;
    struct stat st;
    if (!g_str_has_prefix (name, "PowerPC,"))
      continue;
    path = g_build_filename (cpus, name, "ibm,ppc-interrupt-server#s", NULL);
    if (stat (path, &st) == 0 && st.st_size >= 4 && st.st_size % 4 == 0 && st.st_size <= 4 * 8)
      f->threads_per_core = (int) (st.st_size / 4);
    break;
  }
}

/* Off POWER only TCG can run a POWER guest, and the planner and preflight
 * read nothing of the host but its architecture (kvm_host_ok refuses KVM on
 * it alone) and its memory (check_memory): the CPU, device-tree, hugepage,
 * mount, module and /dev/kvm facts are for KVM and `ppcvm host`. Reading
 * them was most of a warm `ppcvm plan` on x86 (bench/plan-warm.sh). */
HostFacts *
host_detect_for_plan (const char *sysroot)
{
  g_autoptr (HostFacts) f = NULL;
  g_autofree char *meminfo = NULL;
  struct utsname u;

  if (!is_live (sysroot) || uname (&u) != 0 || g_str_equal (u.machine, "ppc64le")
      || g_str_equal (u.machine, "ppc64"))
    return host_detect (sysroot);
  f = host_facts_new ();
  f->arch = g_strdup (u.machine);
  f->kernel = g_strdup (u.release);
  f->page_size = (guint64) sysconf (_SC_PAGESIZE);
  meminfo = read_or_null (sysroot, "proc/meminfo");
  host_parse_meminfo (f, meminfo);
  return g_steal_pointer (&f);
}

/* Hypervisor evidence beyond cpuinfo: QEMU creates the hypervisor node only
 * under KVM; PowerVM sets ibm,partition-name and ibm,powervm-partition. */
static void
detect_hypervisor (HostFacts *f, const char *sysroot)
{
  g_autofree char *compat = NULL;

  if (f->platform != HOST_PLATFORM_PSERIES)
    return;
  compat = read_or_null (sysroot, "proc/device-tree/hypervisor/compatible");
  if (compat && strstr (compat, "linux,kvm"))
    f->hypervisor = HOST_HV_KVM;
  else if (exists (sysroot, "proc/device-tree/ibm,powervm-partition") ||
           exists (sysroot, "proc/device-tree/ibm,partition-name") ||
           exists (sysroot, "proc/device-tree/ibm,fw-net-version"))
    f->hypervisor = HOST_HV_POWERVM;
  else if (f->hypervisor == HOST_HV_UNKNOWN) {
    g_autofree char *model = read_or_null (sysroot, "proc/device-tree/model");
    if (model && strstr (model, "emulated by qemu"))
      f->hypervisor = HOST_HV_QEMU;
  }
}

/* kvm_hv and kvm_pr loaded, and kvm_hv's nested parameter. */
static void
detect_kvm_modules (HostFacts *f, const char *sysroot)
{
  g_autofree char *modules = read_or_null (sysroot, "proc/modules");
  g_autofree char *nested = NULL;
  gboolean have_modules = modules != NULL;

  f->kvm_hv = (exists (sysroot, "sys/module/kvm_hv") ||
               (have_modules && host_parse_modules_has (modules, "kvm_hv")))
                  ? PPCVM_YES
                  : PPCVM_NO;
  f->kvm_pr = (exists (sysroot, "sys/module/kvm_pr") ||
               (have_modules && host_parse_modules_has (modules, "kvm_pr")))
                  ? PPCVM_YES
                  : PPCVM_NO;
  nested = read_or_null (sysroot, "sys/module/kvm_hv/parameters/nested");
  if (nested) {
    g_strstrip (nested);
    if (g_str_equal (nested, "Y") || g_str_equal (nested, "1"))
      f->kvm_hv_nested = PPCVM_YES;
    else if (g_str_equal (nested, "N") || g_str_equal (nested, "0"))
      f->kvm_hv_nested = PPCVM_NO;
  }
}

HostFacts *
host_detect (const char *sysroot)
{
  g_autoptr (HostFacts) f = host_facts_new ();
  g_autofree char *cpuinfo = NULL, *meminfo = NULL, *mounts = NULL;
  g_autofree char *version = NULL;

  cpuinfo = read_or_null (sysroot, "proc/cpuinfo");
  if (cpuinfo == NULL)
    cpuinfo = read_or_null (sysroot, "proc/cpuinfo.excerpt");
  host_parse_cpuinfo (f, cpuinfo);

  detect_threads (f, sysroot);
  meminfo = read_or_null (sysroot, "proc/meminfo");
  detect_hugepage_sizes (f, sysroot);
  host_parse_meminfo (f, meminfo);
  mounts = read_or_null (sysroot, "proc/mounts");
  host_parse_mounts (f, mounts);

  if (is_live (sysroot)) {
    struct utsname u;
    if (uname (&u) == 0) {
      f->arch = g_strdup (u.machine);
      f->kernel = g_strdup (u.release);
    }
    f->page_size = (guint64) sysconf (_SC_PAGESIZE);
    for (guint i = 0; i < f->hugetlbfs->len; i++) {
      HostHugetlbfs *m = g_ptr_array_index (f->hugetlbfs, i);
      if (m->writable != PPCVM_NO)
        m->writable = access (m->path, W_OK) == 0 ? PPCVM_YES : PPCVM_NO;
    }
  } else {
    g_autofree char *smaps = read_or_null (sysroot, "proc/self/smaps");
    g_autofree char *arch = read_or_null (sysroot, "proc/sys/kernel/arch");
    f->page_size = host_parse_smaps_page_size (smaps);
    if (arch && *g_strstrip (arch))
      f->arch = g_strdup (arch);
  }
  if (f->kernel == NULL) {
    g_autofree char *osrelease = read_or_null (sysroot, "proc/sys/kernel/osrelease");
    if (osrelease && *g_strstrip (osrelease))
      f->kernel = g_strdup (osrelease);
  }
  if (f->kernel == NULL) {
    version = read_or_null (sysroot, "proc/version");
    f->kernel = host_parse_version (version);
  }

  detect_hypervisor (f, sysroot);
  detect_kvm_modules (f, sysroot);
  detect_kvm_access (f, sysroot);
  if (is_live (sysroot))
    detect_live_user (f);
  /* Ask KVM itself, as QEMU will (kvm-probe.h). Live POWER hosts only: a
   * sysroot has no kernel to ask, and other machines skip it at no cost. */
  if (is_live (sysroot) && f->kvm_usable == PPCVM_YES && host_is_ppc64 (f))
    kvm_probe_run ("/dev/kvm", "/proc/device-tree/cpus", f->pvr, &f->kvm_probe);

  return g_steal_pointer (&f);
}
