/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ppcvm host --check --fix`: do the safe fixes the checks name (PlanFix,
 * planner.h) on the running system. Hugepages go through hugepages_apply ();
 * the others run one program with an argument vector (no shell). */
#pragma once

#include <glib.h>

#include "planner.h"

/* The command FIX runs (SMT_OFF: ppc64_cpu --smt=off; MODPROBE: modprobe
 * MODULE), its program found in PATH; NULL for the other kinds. When the
 * program is not installed: NULL and an error naming the package that has it. */
GStrv host_fix_argv (const PlanFix *fix, GError **error);

/* Do FIX on the running system (needs root): hugepages with their mount on
 * MOUNT_POINT (*RET_STEPS: hugepages_apply ()'s HugepagesStep*, also on
 * failure), or its command (*RET_STEPS: NULL). FALSE with an error (the
 * program's own output in it) when it fails. */
gboolean host_fix_apply (const PlanFix *fix, const char *mount_point, GPtrArray **ret_steps, GError **error);

/* Does SYSROOT (NULL or "/": the live system) show the running kernel:
 * is its proc/meminfo the running kernel's /proc/meminfo (a link or bind
 * mount), not a copy? The fixes act on the running kernel, so the facts
 * they are read from must be its. */
gboolean host_sysroot_is_running_kernel (const char *sysroot);
