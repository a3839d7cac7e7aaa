/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Starting a detached guest (`ppcvm run --detach`), the state half: its
 * runtime directory and a 'starting' state.json before qemu exists, the
 * -daemonize command line, and the 'running' state once qemu is up. The
 * caller runs qemu between guest_start_begin() and guest_start_finish().
 * Nothing here prints. */
#pragma once

#include <glib.h>

#include "planner.h"
#include "profile.h"
#include "state.h"

/* Under the state lock (held only for this): refuse a NAME that is already
 * running or starting, then create the guest's directory and save a
 * 'starting' state naming us as its launcher, so that whatever is killed
 * when, `list` finds the guest. Returns the state (every path filled in),
 * or NULL with the error. */
GuestState *guest_start_begin (const char *runtime_dir, const char *name, const Plan *plan,
                               const Profile *profile, GError **error);

/* The -daemonize command line for STATE: QMP and console sockets, pid file
 * and console log in its directory; EXTRA (for qemu) before the log. */
GStrv guest_start_argv (const GuestState *state, const char *binary, const Plan *plan,
                        const Profile *profile, const char *const *extra);

/* qemu did not start: remove the directory (under the lock) unless a qemu
 * of this guest runs after all. */
void guest_start_abort (const char *runtime_dir, const GuestState *state);

/* qemu -daemonize returned 0: make every file 0600, read qemu's pid and
 * identity, and save the 'running' state under the lock. */
gboolean guest_start_finish (const char *runtime_dir, GuestState *state, GError **error);
