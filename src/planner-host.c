/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the host needs: hugepage setup commands and advice. */
#include "config.h"

#include <string.h>

#include "planner-private.h"
#include "util.h"

guint64
plan_hugepages_for (guint64 memory, guint64 page_size)
{
  g_return_val_if_fail (page_size > 0, 0);
  return (memory + page_size - 1) / page_size;
}

guint64
plan_hugepages_with_headroom (guint64 needed)
{
  return needed + MAX ((needed + 15) / 16, 8);
}

static char *
size_name (guint64 bytes)
{
  return ppcvm_format_size (bytes);
}

/* "2M" style for the hugetlbfs pagesize= option. */
GPtrArray *
plan_hugepage_commands (const HostFacts *host, guint64 page_size, guint64 needed)
{
  return plan_hugepage_commands_at (host, page_size, needed, "/dev/hugepages");
}

GPtrArray *
plan_hugepage_commands_at (const HostFacts *host, guint64 page_size, guint64 needed, const char *mp)
{
  GPtrArray *cmds = g_ptr_array_new_with_free_func (g_free);
  const HostHugepages *def = host_default_hugepages (host);
  const HostHugepages *hp = NULL;
  const HostHugetlbfs *mount = host_find_hugetlbfs (host, page_size);
  g_autofree char *ps = size_name (page_size);
  guint64 total = 0, free_now = 0, target;
  gboolean is_default = def && def->size == page_size;

  for (guint i = 0; i < host->hugepages->len; i++) {
    const HostHugepages *h = &g_array_index (host->hugepages, HostHugepages, i);
    if (h->size == page_size)
      hp = h;
  }
  if (hp && hp->total > 0)
    total = (guint64) hp->total;
  if (hp && hp->free > 0)
    free_now = (guint64) hp->free;
  target = total + plan_hugepages_with_headroom (needed > free_now ? needed - free_now : 0);
  if (free_now < needed) {
    if (is_default)
      reason (cmds, "sudo sysctl vm.nr_hugepages=%" G_GUINT64_FORMAT, target);
    else
      reason (cmds,
              "echo %" G_GUINT64_FORMAT " | sudo tee /sys/kernel/mm/hugepages/hugepages-%" G_GUINT64_FORMAT "kB/nr_hugepages",
              target, page_size >> 10);
  }
  if (mount == NULL) {
    /* Shell-quoted only when it has to be, so the usual path reads plainly. */
    g_autofree char *q = mp[strspn (mp, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+")]
                             ? g_shell_quote (mp) : g_strdup (mp);
    reason (cmds, "sudo mkdir -p %s", q);
    reason (cmds, "sudo mount -t hugetlbfs -o pagesize=%s hugetlbfs %s", ps, q);
    reason (cmds, "sudo chown root:kvm %s", q);
    reason (cmds, "sudo chmod 1770 %s", q);
    reason (cmds, "to keep the mount, add to /etc/fstab: hugetlbfs %s hugetlbfs pagesize=%s,mode=01770,gid=kvm 0 0", mp, ps);
  }
  if (free_now < needed) {
    if (is_default)
      reason (cmds, "to keep the pages, add to /etc/sysctl.d/90-ppcvm-hugepages.conf: vm.nr_hugepages = %" G_GUINT64_FORMAT, target);
    else
      reason (cmds, "to keep the pages, add to the kernel command line: hugepagesz=%s hugepages=%" G_GUINT64_FORMAT, ps, target);
  }
  return cmds;
}

GPtrArray *
plan_host_advice (const HostFacts *h)
{
  GPtrArray *adv = g_ptr_array_new_with_free_func (g_free);
  gboolean power = host_is_ppc64 (h);
  gboolean hv_possible = host_can_load_kvm_hv (h);

  if (h->qemu == NULL)
    reason (adv, "qemu-system-ppc64 was not found: sudo apt-get install qemu-system-ppc (or pass --qemu PATH)");
  if (!power) {
    reason (adv, "this host is %s, not POWER: POWER guests run emulated under TCG (slow); KVM needs a POWER host",
            h->arch ? h->arch : "not known to be POWER");
    return adv;
  }
  if (hv_possible && h->kvm_hv != PPCVM_YES)
    reason (adv, "kvm_hv is not loaded: sudo modprobe kvm_hv%s%s",
            h->platform == HOST_PLATFORM_PSERIES ? " (in a guest it loads only when its host enabled cap-nested-hv=on)" : "",
            !host_can_load_kvm_pr (h) ? "; kvm_pr cannot load on this radix host (only with disable_radix)" : "");
  if (h->mmu == HOST_MMU_HASH && h->kvm_pr != PPCVM_YES)
    reason (adv, "kvm_pr is not loaded (KVM PR runs any older POWER or PowerPC CPU on this hash host): sudo modprobe kvm_pr");
  if (h->kvm_device == PPCVM_YES && h->kvm_usable == PPCVM_NO && h->kvm_usable_reason)
    reason (adv, "%s", h->kvm_usable_reason);
  else if (h->in_kvm_group == PPCVM_NO && h->kvm_usable != PPCVM_YES)
    reason (adv, "you are not in the kvm group: sudo usermod -aG kvm $USER, then log in again");
  else if (h->kvm_device == PPCVM_YES && h->kvm_usable == PPCVM_NO)
    reason (adv, "/dev/kvm is not usable by this user: sudo usermod -aG kvm $USER, then log in again");
  if (h->platform == HOST_PLATFORM_POWERNV && h->mmu == HOST_MMU_RADIX && h->generation >= 9 &&
      h->kvm_hv == PPCVM_YES && h->kvm_hv_nested == PPCVM_NO)
    reason (adv, "kvm_hv's nested parameter is off, so guests cannot run KVM guests of their own: sudo modprobe -r kvm_hv && sudo modprobe kvm_hv nested=1 (keep it: options kvm_hv nested=1 in /etc/modprobe.d/kvm-hv.conf)");
  /* KVM-HV locks the hashed page table: about 1/64 of guest RAM. */
  if ((hv_possible || h->kvm_pr == PPCVM_YES) && h->memlock_limit >= 0 &&
      h->memlock_limit < (gint64) (64 << 20)) {
    g_autofree char *lim = ppcvm_format_size_human ((guint64) h->memlock_limit);
    reason (adv, "the locked-memory limit (ulimit -l) is %s: a hash guest's page table needs about 1/64 of its RAM (32 MiB for 2 GiB): raise it with ulimit -l or a memlock line in /etc/security/limits.d/",
            lim);
  }
  if (h->page_size > 0 && h->page_size < KIB64 && (hv_possible || h->mmu == HOST_MMU_HASH)) {
    const HostHugepages *hp = host_default_hugepages (h);
    if (hp && host_find_hugetlbfs (h, hp->size) == NULL) {
      g_autofree char *ps = size_name (hp->size);
      reason (adv, "no hugetlbfs mount: hash guests on this 4 KiB-page host need hugepage-backed RAM: sudo mount -t hugetlbfs -o pagesize=%s hugetlbfs /dev/hugepages (ppcvm hugepages PROFILE computes the rest)",
              ps);
    }
    if (hp && hp->free == 0) {
      g_autofree char *hps = ppcvm_format_size_human (hp->size);
      reason (adv, "no free %s hugepages: hash guests on this 4 KiB-page host need their RAM in them: ppcvm hugepages PROFILE says how many (sudo sysctl vm.nr_hugepages=N)",
              hps);
    }
  }
  return adv;
}
