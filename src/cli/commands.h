/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands; each returns the process exit status. */
#pragma once

#include "planner.h"

int cmd_host (int argc, char **argv);
int cmd_plan (int argc, char **argv);
int cmd_run (int argc, char **argv);
int cmd_list (int argc, char **argv);
int cmd_stop (int argc, char **argv);
int cmd_console (int argc, char **argv);
int cmd_profiles (int argc, char **argv);
int cmd_new (int argc, char **argv);
int cmd_matrix (int argc, char **argv);
int cmd_hugepages (int argc, char **argv);
int cmd_desktop (int argc, char **argv);
int cmd_import (int argc, char **argv);
int cmd_export (int argc, char **argv);
int cmd_os (int argc, char **argv);

/* The two ways `run` starts qemu (cmd-guests.c); they return the exit status.
 * Supervised: fork, forward signals, explain known errors, qemu's status.
 * Detached: qemu -daemonize with QMP, console and state under the runtime dir;
 * *RET_PID is the guest's qemu on success. */
int run_supervised (char **argv);
int run_detached (const char *name, const Plan *plan, const Profile *profile, const char *binary,
                  const char *const *extra, int *ret_pid);
