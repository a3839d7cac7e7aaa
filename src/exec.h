/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running qemu: replace the process (exec), or fork it and supervise it
 * (forward signals, pass its stderr through while handing each line to the
 * caller, propagate its exit status). Nothing here prints. */
#pragma once

#include <glib.h>

/* Called for each complete line qemu writes on stderr, without the newline
 * (and without a trailing '\r'); the last unterminated piece is passed at EOF. */
typedef void (*ExecLineFunc) (const char *line, gpointer user_data);

/* Called once when SIGINT, SIGTERM or SIGHUP reaches us (with
 * ExecOptions.on_interrupt set): ask the child to end (e.g. a guest power
 * down). FALSE: it could not be asked, do not wait for it. */
typedef gboolean (*ExecInterruptFunc) (int signum, gpointer user_data);

typedef struct {
  int stdin_fd;            /* qemu's stdin; -1 keeps ours (the terminal) */
  int inherit_fd;          /* > 2: an fd the child inherits (close-on-exec cleared
                            * in the child only); -1 or 0: none */
  gboolean die_with_parent; /* the child gets PR_SET_PDEATHSIG (SIGKILL): it never
                             * outlives us, however we end */
  /* NULL: INT/TERM/HUP are forwarded to the child. Else the first one calls
   * ON_INTERRUPT, waits up to INTERRUPT_GRACE_MS for the child to end, then
   * sends it SIGTERM and, EXEC_KILL_GRACE_MS later, SIGKILL (a second signal
   * skips the wait); the status is then 128 + that first signal. */
  ExecInterruptFunc on_interrupt;
  guint interrupt_grace_ms;
  int passthrough_fd;      /* qemu's stderr bytes are copied here unchanged, as they
                            * come (no line buffering); -1 drops them */
  ExecLineFunc on_stderr_line;
  gpointer user_data;
} ExecOptions;

/* The status a shell would report for WAIT_STATUS: the exit code, or 128 +
 * the signal for a signal death (bubblewrap's propagate_exit_status). */
int exec_status_from_wait (int wait_status);

/* execv (ARGV[0], ARGV). Returns only on failure: FALSE with the error
 * (PPCVM_ERROR_NO_PROGRAM when ARGV[0] does not exist, else
 * PPCVM_ERROR_CANNOT_EXEC). */
gboolean exec_replace (char *const *argv, GError **error);

/* After SIGTERM, how long an interrupted child gets before SIGKILL. */
#define EXEC_KILL_GRACE_MS 5000

/* Fork and exec ARGV, wait for it, and return TRUE with *ret_status its
 * propagated exit status (exec_status_from_wait), or 128 + the signal when
 * OPTIONS->on_interrupt handled one. SIGINT, SIGTERM and SIGHUP sent to us
 * meanwhile are forwarded to the child (or handled, see on_interrupt). If the exec fails (reported
 * back through a close-on-exec pipe), returns FALSE with the error as
 * exec_replace() does; FALSE with PPCVM_ERROR_FAILED if it cannot fork. Returns once the child exited and its
 * stderr reached EOF (a -daemonize'd qemu closes it once started). */
gboolean exec_supervise (char *const *argv, const ExecOptions *options, int *ret_status,
                         GError **error);
