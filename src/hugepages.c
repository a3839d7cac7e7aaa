/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm hugepages --apply: reserve, mount, own, check. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "host.h"
#include "hugepages.h"
#include "planner.h"
#include "util.h"

#define HUGEPAGE_MODE 01770

void
hugepages_step_free (HugepagesStep *step)
{
  if (step == NULL)
    return;
  g_free (step->path);
  g_free (step);
}

static HugepagesStep *
log_step (GPtrArray *log, HugepagesStepKind kind, gboolean changed, const char *path)
{
  HugepagesStep *st = g_new0 (HugepagesStep, 1);

  st->kind = kind;
  st->changed = changed;
  st->path = g_strdup (path);
  g_ptr_array_add (log, st);
  return st;
}

static gboolean
read_count (const char *path, guint64 *ret, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s", local->message);
    return FALSE;
  }
  if (!ppcvm_parse_uint64 (g_strstrip (text), G_MAXINT64, ret, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: %s", path, local->message);
    return FALSE;
  }
  return TRUE;
}

/* A plain write(2) (not an atomic rename): /proc and /sys files. */
static gboolean
write_count (const char *path, guint64 value, GError **error)
{
  ppcvm_autofd int fd = open (path, O_WRONLY | O_CLOEXEC);
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", value);
  ssize_t n;

  if (fd < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot open %s: %s", path, g_strerror (errsv));
    return FALSE;
  }
  n = write (fd, text, strlen (text));
  if (n < 0 || (size_t) n != strlen (text)) {
    int errsv = n < 0 ? errno : EIO;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot write %" G_GUINT64_FORMAT " to %s: %s",
                 value, path, g_strerror (errsv));
    return FALSE;
  }
  return TRUE;
}

/* The live kernel's hugepage facts (meminfo for the default size, mounts). */
static HostFacts *
live_facts (void)
{
  HostFacts *f = host_facts_new ();
  g_autofree char *meminfo = NULL, *mounts = NULL;

  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL))
    host_parse_meminfo (f, meminfo);
  if (g_file_get_contents ("/proc/self/mounts", &mounts, NULL, NULL))
    host_parse_mounts (f, mounts);
  return f;
}

guint32
hugepages_kvm_gid (void)
{
  struct group *g = getgrnam ("kvm");
  return g ? (guint32) g->gr_gid : 0;
}

/* Step 1: enough free pages in the pool of PAGE_SIZE. */
static gboolean
apply_pool (guint64 page_size, guint64 needed, GPtrArray *log, GError **error)
{
  g_autoptr (HostFacts) live = live_facts ();
  g_autofree char *dir = host_hugepages_dir (page_size);
  g_autofree char *nr_path = g_build_filename (dir, "nr_hugepages", NULL);
  g_autofree char *free_path = g_build_filename (dir, "free_hugepages", NULL);
  g_autofree char *hps = ppcvm_format_size_human (page_size);
  gboolean is_default = host_hugepages_is_default (live, page_size);
  /* The default size has the sysctl (what the printed commands use). */
  const char *write_path = is_default ? "/proc/sys/vm/nr_hugepages" : nr_path;
  guint64 nr, free_pages, target, nr_after, free_after;
  HugepagesStep *st;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "this kernel offers no %s hugepages (%s does not exist)", hps, dir);
    return FALSE;
  }
  if (!read_count (nr_path, &nr, error) || !read_count (free_path, &free_pages, error))
    return FALSE;
  if (free_pages >= needed) {
    st = log_step (log, HUGEPAGES_STEP_POOL, FALSE, nr_path);
    st->page_size = page_size;
    st->total_before = nr;
    st->free_pages = free_pages;
    st->needed = needed;
    return TRUE;
  }
  target = nr + plan_hugepages_with_headroom (needed - free_pages);
  if (!write_count (write_path, target, error))
    return FALSE;
  if (!read_count (nr_path, &nr_after, error) || !read_count (free_path, &free_after, error))
    return FALSE;
  st = log_step (log, HUGEPAGES_STEP_POOL, TRUE, is_default ? "vm.nr_hugepages" : nr_path);
  st->page_size = page_size;
  st->total_before = nr;
  st->total_after = nr_after;
  st->asked = target;
  st->free_pages = free_after;
  st->needed = needed;
  if (free_after < needed) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "the kernel granted only %" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT " %s hugepages asked for: %" G_GUINT64_FORMAT " free, %" G_GUINT64_FORMAT " needed "
                 "(not enough free contiguous memory; free some memory and run again, or reserve them at boot: hugepagesz=%s hugepages=%" G_GUINT64_FORMAT ")",
                 nr_after, target, hps, free_after, needed, hps, target);
    return FALSE;
  }
  return TRUE;
}

/* Step 2: a hugetlbfs mount with PAGE_SIZE pages on MOUNT_POINT. */
static gboolean
apply_mount (guint64 page_size, const char *mount_point, GPtrArray *log, GError **error)
{
  g_autoptr (HostFacts) live = live_facts ();
  g_autofree char *opts = NULL, *ps = ppcvm_format_size (page_size);
  g_autofree char *parent = g_path_get_dirname (mount_point);
  struct stat st, pst;

  for (guint i = 0; i < live->hugetlbfs->len; i++) {
    const HostHugetlbfs *m = g_ptr_array_index (live->hugetlbfs, i);
    if (!g_str_equal (m->path, mount_point))
      continue;
    if (m->page_size != page_size) {
      g_autofree char *has = ppcvm_format_size (m->page_size);
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                   "%s is already a hugetlbfs mount with %s pages, not %s: unmount it or pass --mount-point DIR",
                   mount_point, has, ps);
      return FALSE;
    }
    log_step (log, HUGEPAGES_STEP_MOUNT, FALSE, mount_point)->page_size = page_size;
    return TRUE;
  }
  if (g_mkdir_with_parents (mount_point, 0755) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", mount_point, g_strerror (errsv));
    return FALSE;
  }
  /* Something else (not hugetlbfs) mounted there: never mount over it. */
  if (stat (mount_point, &st) == 0 && stat (parent, &pst) == 0 && st.st_dev != pst.st_dev) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s is a mount point of another file system: pass --mount-point DIR", mount_point);
    return FALSE;
  }
  opts = g_strdup_printf ("pagesize=%s", ps);
  if (mount ("hugetlbfs", mount_point, "hugetlbfs", MS_NOSUID | MS_NODEV, opts) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "mount -t hugetlbfs -o %s hugetlbfs %s: %s", opts,
                 mount_point, g_strerror (errsv));
    return FALSE;
  }
  log_step (log, HUGEPAGES_STEP_MOUNT, TRUE, mount_point)->page_size = page_size;
  return TRUE;
}

/* Step 3: root:kvm, mode 1770 (the Void Linux PPC guide's chown and chmod). */
static gboolean
apply_owner (const char *mount_point, GPtrArray *log, GError **error)
{
  guint32 gid = hugepages_kvm_gid ();
  struct stat st;

  if (stat (mount_point, &st) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: %s", mount_point, g_strerror (errsv));
    return FALSE;
  }
  if (st.st_uid == 0 && st.st_gid == gid) {
    log_step (log, HUGEPAGES_STEP_OWNER, FALSE, mount_point)->gid = gid;
  } else if (chown (mount_point, 0, gid) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "chown root:%u %s: %s", gid, mount_point, g_strerror (errsv));
    return FALSE;
  } else {
    log_step (log, HUGEPAGES_STEP_OWNER, TRUE, mount_point)->gid = gid;
  }
  if ((st.st_mode & 07777) == HUGEPAGE_MODE) {
    log_step (log, HUGEPAGES_STEP_MODE, FALSE, mount_point);
  } else if (chmod (mount_point, HUGEPAGE_MODE) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "chmod 1770 %s: %s", mount_point, g_strerror (errsv));
    return FALSE;
  } else {
    log_step (log, HUGEPAGES_STEP_MODE, TRUE, mount_point)->old_mode = st.st_mode & 07777;
  }
  return TRUE;
}

gboolean
hugepages_apply (guint64 page_size, guint64 needed, const char *mount_point, GPtrArray **ret_steps,
                 GError **error)
{
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func ((GDestroyNotify) hugepages_step_free);
  g_autofree char *abs = NULL;
  gboolean ok;

  g_return_val_if_fail (page_size > 0 && mount_point != NULL, FALSE);
  /* /proc/mounts names canonical paths. */
  abs = g_canonicalize_filename (mount_point, NULL);
  ok = apply_pool (page_size, needed, log, error) && apply_mount (page_size, abs, log, error) &&
       apply_owner (abs, log, error);
  if (ret_steps != NULL)
    *ret_steps = g_steal_pointer (&log);
  return ok;
}
