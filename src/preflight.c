/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preflight.h"
#include "util.h"

static void
refuse (Plan *plan, const char *reason, const char *const *ways)
{
  plan->status = PLAN_REFUSED_FIXABLE;
  g_ptr_array_add (plan->reasons, g_strdup (reason));
  for (; ways != NULL && *ways != NULL; ways++)
    if (!g_ptr_array_find_with_equal_func (plan->ways_out, *ways, g_str_equal, NULL))
      g_ptr_array_add (plan->ways_out, g_strdup (*ways));
}

/* Guest RAM: qemu allocates all of it up front when it is hugepage-backed,
 * and lazily otherwise, but a size above what the host has ends in "Cannot
 * allocate memory" (the kernel's overcommit heuristic refuses the mapping)
 * or in the OOM killer. Hugepage-backed RAM comes from the reserved pool,
 * which the planner has already checked. */
static void
check_memory (Plan *plan, const HostFacts *host, gboolean force)
{
  g_autofree char *mem = ppcvm_format_size_human (plan->memory);
  gboolean from_pool = plan->hugepage_size > 0 && plan->mem_path != NULL;

  if (host == NULL || host->mem_total == 0 || from_pool)
    return;
  if (plan->memory > host->mem_total) {
    g_autofree char *total = ppcvm_format_size_human (host->mem_total);
    g_autofree char *reason = g_strdup_printf (
        "the guest asks for %s of memory, more than this host has in all (%s): qemu would fail with "
        "\"Cannot allocate memory\", or the guest would be killed when it uses it", mem, total);
    g_autofree char *way_less = g_strdup_printf (
        "give the guest less memory: -s guest.memory=SIZE (at most %s), or set [guest] memory= in the profile",
        total);
    const char *ways[] = { way_less,
                           "back it with reserved hugepages: -s guest.mem-path=DIR on a hugetlbfs mount "
                           "(see 'ppcvm hugepages PROFILE')",
                           "start it anyway with --force (swap or overcommit may let it run)", NULL };
    if (force) {
      g_ptr_array_add (plan->warnings, g_strdup_printf ("%s (--force: starting anyway)", reason));
      return;
    }
    refuse (plan, reason, ways);
    return;
  }
  if (host->mem_available > 0 && plan->memory > host->mem_available) {
    g_autofree char *avail = ppcvm_format_size_human (host->mem_available);
    g_ptr_array_add (plan->warnings, g_strdup_printf (
        "the guest asks for %s of memory, more than this host has available now (%s): the host may swap, "
        "or kill the guest when it uses it; give it less with -s guest.memory=SIZE", mem, avail));
  }
}

/* Under KVM each vCPU is a host thread that wants a hardware thread; more
 * vCPUs than those time-share (TCG does anyway). */
static void
check_vcpus (Plan *plan, const HostFacts *host, const Profile *profile)
{
  guint threads;

  if (host == NULL || plan->accel == PLAN_ACCEL_TCG)
    return;
  threads = host->cpus_online != NULL && host->cpus_online->len > 0 ? host->cpus_online->len
            : host->cpu_count > 0 ? (guint) host->cpu_count : 0;
  if (threads == 0)
    return;
  if (profile->smp > threads)
    g_ptr_array_add (plan->warnings, g_strdup_printf (
        "the guest has %u vCPUs but the host has %u hardware threads online: under KVM they time-share "
        "and the guest runs slower than with %u; set -s guest.smp=%u", profile->smp, threads, threads, threads));
}

/* The -display backend the profile's display= needs must be built into this
 * qemu (or its module installed). */
static void
check_display (Plan *plan, const EmulatorFacts *emu, const Profile *profile)
{
  const char *backend = profile->display == DISPLAY_GTK ? "gtk" : NULL;
  g_autofree char *have = NULL;
  g_autofree char *reason = NULL;

  if (backend == NULL || !emulator_display_missing (emu, backend))
    return;
  have = g_strjoinv (", ", emu->displays);
  reason = g_strdup_printf ("display=%s needs qemu's %s display, which %s does not have (its displays: %s)",
                            profile_display_to_string (profile->display), backend,
                            emu->path != NULL ? emu->path : "this qemu", have);
  {
    const char *ways[] = { "install the module that provides it: sudo apt install qemu-system-gui (Debian, "
                           "Ubuntu); qemu-ui-gtk (Fedora, openSUSE)",
                           "use a display this qemu has: -s guest.display=vnc (a VNC viewer on "
                           "127.0.0.1:5900) or -s guest.display=serial (the console in the terminal)", NULL };
    refuse (plan, reason, ways);
  }
}

/* A disk qemu opens read-write must be writable by this user: qemu would
 * otherwise stop with "Could not open ... Permission denied". An image
 * without any write permission bit (0444) is read-only by intent: refused
 * too, also for root, whom access() would let write it. */
static void
check_disks (Plan *plan, const Profile *profile)
{
  for (guint i = 0; profile->disks != NULL && i < profile->disks->len; i++) {
    const ProfileDisk *d = g_ptr_array_index (profile->disks, i);
    struct stat st;
    g_autofree char *why = NULL;
    if (d->readonly)
      continue;
    if (access (d->file, W_OK) != 0)
      why = g_strdup (g_strerror (errno));
    else if (stat (d->file, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0222) == 0)
      why = g_strdup_printf ("its mode %04o has no write permission", (unsigned) (st.st_mode & 07777));
    if (why == NULL)
      continue;
    {
      g_autofree char *reason = g_strdup_printf ("[disk:%s] file=%s is not writable by this user (%s), and the "
                                                 "guest writes to it", d->name, d->file, why);
      g_autofree char *chmod = g_strdup_printf ("make it writable: chmod u+w '%s' (or fix its owner, or "
                                                "the directory's)", d->file);
      g_autofree char *ro = g_strdup_printf ("if the guest only reads it: set readonly=true in [disk:%s]",
                                             d->name);
      const char *ways[] = { chmod, ro, NULL };
      refuse (plan, reason, ways);
    }
  }
}

/* -append is the command line of the kernel qemu loads with -kernel; qemu
 * refuses it alone ("-append only allowed with -kernel option"). */
static void
check_append (Plan *plan, const Profile *profile)
{
  if (profile->append == NULL || profile->kernel != NULL)
    return;
  {
    const char *ways[] = { "boot a kernel file: set [boot] kernel=FILE (with initrd= if it needs one)",
                           "or remove [boot] append= (the firmware boots the disk's or CD's own kernel with "
                           "its own command line: edit it in the guest's bootloader)", NULL };
    refuse (plan,
            "[boot] append= is a kernel command line, but the profile has no [boot] kernel= for it "
            "(qemu refuses -append without -kernel)", ways);
  }
}

void
preflight_check (Plan *plan, const HostFacts *host, const EmulatorFacts *emu, const Profile *profile,
                 gboolean force)
{
  g_return_if_fail (plan != NULL && profile != NULL);

  if (plan->status != PLAN_OK)
    return;
  check_append (plan, profile);
  check_memory (plan, host, force);
  check_vcpus (plan, host, profile);
  check_display (plan, emu, profile);
  check_disks (plan, profile);
}
