/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ppcvm hugepages --apply`: the runtime steps that give the live kernel
 * enough free hugepages on a hugetlbfs mount, done idempotently.
 *
 * The planner decides what is needed (plan_build: page size and count); this
 * module only does it and checks that the kernel really did it. It acts on
 * the live kernel (/proc/sys, /sys, mount(2)) and never edits /etc. */
#pragma once

#include <glib.h>

/* Make at least NEEDED hugepages of PAGE_SIZE bytes free (raising the pool by
 * NEEDED - free plus plan_hugepages_with_headroom()'s margin when short),
 * then mount hugetlbfs with pagesize=PAGE_SIZE on MOUNT_POINT (created if
 * missing) owned by root:kvm (root:root without a kvm group), mode 1770.
 * Each step is skipped when already so. Appends one line per step to LOG,
 * "changed: ..." or "unchanged: ...". Needs root. Returns FALSE with an error
 * when a step fails or the kernel grants fewer pages than needed (what was
 * changed before stays changed, and is in LOG). */
gboolean hugepages_apply (guint64 page_size, guint64 needed, const char *mount_point, GPtrArray *log,
                          GError **error);

/* The kvm group's gid, or 0 (root) when there is no such group. */
guint32 hugepages_kvm_gid (void);
