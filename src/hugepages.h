/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ppcvm hugepages --apply`: the runtime steps that give the live kernel
 * enough free hugepages on a hugetlbfs mount, done idempotently.
 *
 * The planner decides what is needed (plan_build: page size and count); this
 * module only does it and checks that the kernel really did it. It acts on
 * the live kernel (/proc/sys, /sys, mount(2)) and never edits /etc. */
#pragma once

#include <glib.h>

/* What one step of hugepages_apply() found or did. */
typedef enum {
  HUGEPAGES_STEP_POOL,  /* free pages in the pool of the page size */
  HUGEPAGES_STEP_MOUNT, /* the hugetlbfs mount */
  HUGEPAGES_STEP_OWNER, /* the mount point's owner */
  HUGEPAGES_STEP_MODE,  /* the mount point's mode */
} HugepagesStepKind;

typedef struct {
  HugepagesStepKind kind;
  gboolean changed;     /* FALSE: it already was so */
  guint64 page_size;    /* POOL, MOUNT: the hugepage size in bytes */
  char *path;           /* POOL: the setting written, "vm.nr_hugepages" or the sysfs
                         * nr_hugepages file; MOUNT, OWNER, MODE: the mount point */
  guint64 total_before; /* POOL: the pool's size found */
  guint64 total_after;  /* POOL, changed: its size after the write */
  guint64 asked;        /* POOL, changed: the size written */
  guint64 free_pages;   /* POOL: free pages found (unchanged) or after the write */
  guint64 needed;       /* POOL: free pages needed */
  guint32 gid;          /* OWNER: the group given (0: root, there is no kvm group) */
  guint32 old_mode;     /* MODE, changed: the mode found */
} HugepagesStep;

void hugepages_step_free (HugepagesStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HugepagesStep, hugepages_step_free)

/* Make at least NEEDED hugepages of PAGE_SIZE bytes free (raising the pool by
 * NEEDED - free plus plan_hugepages_with_headroom()'s margin when short),
 * then mount hugetlbfs with pagesize=PAGE_SIZE on MOUNT_POINT (created if
 * missing) owned by root:kvm (root:root without a kvm group), mode 1770.
 * Each step is skipped when already so. *RET_STEPS (when RET_STEPS is not
 * NULL) is set to a new array of HugepagesStep*, one per step taken, also on
 * failure. Needs root. Returns FALSE with an error when a step fails or the
 * kernel grants fewer pages than needed (what was changed before stays
 * changed, and is in *RET_STEPS). */
gboolean hugepages_apply (guint64 page_size, guint64 needed, const char *mount_point, GPtrArray **ret_steps,
                          GError **error);

/* The kvm group's gid, or 0 (root) when there is no such group. */
guint32 hugepages_kvm_gid (void);
