/* SPDX-License-Identifier: GPL-2.0-or-later */
/* argv for qemu: built, never a shell string. Values go through QEMU's
 * option escaping (a ',' in a value is doubled). */
#pragma once

#include <glib.h>

#include "planner.h"
#include "profile.h"

typedef struct QemuArgv QemuArgv;

QemuArgv *qemu_argv_new (void);
void qemu_argv_free (QemuArgv *argv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QemuArgv, qemu_argv_free)
void qemu_argv_add_arg (QemuArgv *argv, const char *arg);
void qemu_argv_take_arg (QemuArgv *argv, char *arg);
void qemu_argv_add_args (QemuArgv *argv, ...) G_GNUC_NULL_TERMINATED;
void qemu_argv_add_arg_printf (QemuArgv *argv, const char *format, ...) G_GNUC_PRINTF (2, 3);
guint qemu_argv_len (const QemuArgv *argv);
/* Appends NULL and returns the strv; the builder is freed. */
GStrv qemu_argv_finish (QemuArgv *argv);

/* The launcher's plumbing for a detached or supervised guest; NULL for the
 * self-contained command line that `plan` prints. */
typedef struct {
  const char *qmp_socket;     /* -qmp unix:PATH,server=on,wait=off */
  const char *console_socket; /* serial console on a unix socket instead of stdio */
  const char *pid_file;
  gboolean daemonize;
  int qmp_fd;                 /* > 2: a QMP monitor on this connected socket (the
                               * supervised foreground guest's, for a powerdown) */
} CmdlineRuntime;

/* The full argv: BINARY first, the plan's machine, then the profile's boot,
 * disks, network and display, RUNTIME plumbing, the profile's [qemu] args and
 * EXTRA last. */
GStrv cmdline_build (const char *binary, const Plan *plan, const Profile *profile,
                     const CmdlineRuntime *runtime, const char *const *extra);

/* One shell-quoted line (g_shell_quote per word), for display and pasting. */
char *cmdline_to_shell (const char *const *argv);

/* The -netdev user suboption for profile forward FWD (tcp:2222-:22):
 * "hostfwd=tcp:127.0.0.1:2222-:22" (no host address: loopback only). */
char *cmdline_hostfwd (const ProfileForward *fwd);
