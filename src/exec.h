/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running qemu: replace the process (exec), or fork it and supervise it
 * (forward signals, pass its stderr through while handing each line to the
 * caller, propagate its exit status). Nothing here prints. */
#pragma once

#include <glib.h>

/* Called for each complete line qemu writes on stderr, without the newline
 * (and without a trailing '\r'); the last unterminated piece is passed at EOF. */
typedef void (*ExecLineFunc) (const char *line, gpointer user_data);

typedef struct {
  int stdin_fd;            /* qemu's stdin; -1 keeps ours (the terminal) */
  int passthrough_fd;      /* qemu's stderr bytes are copied here unchanged, as they
                            * come (no line buffering); -1 drops them */
  ExecLineFunc on_stderr_line;
  gpointer user_data;
} ExecOptions;

/* The exit status for a failed execve with ERRNUM: 127 when the program does
 * not exist, 126 otherwise (EXIT_NOTFOUND/EXIT_NOEXEC in cli.h). */
int exec_status_for_errno (int errnum);

/* The status a shell would report for WAIT_STATUS: the exit code, or 128 +
 * the signal for a signal death (bubblewrap's propagate_exit_status). */
int exec_status_from_wait (int wait_status);

/* execv (ARGV[0], ARGV). Returns only on failure: FALSE with the error
 * (PPCVM_ERROR_NOT_FOUND for ENOENT, else PPCVM_ERROR_FAILED) and
 * *ret_status set by exec_status_for_errno(). */
gboolean exec_replace (char *const *argv, int *ret_status, GError **error);

/* Fork and exec ARGV, wait for it, and return TRUE with *ret_status its
 * propagated exit status (exec_status_from_wait). SIGINT, SIGTERM and SIGHUP
 * sent to us meanwhile are forwarded to the child. If the exec fails (reported
 * back through a close-on-exec pipe), returns FALSE with the error and
 * *ret_status as exec_replace() does. Returns once the child exited and its
 * stderr reached EOF (a -daemonize'd qemu closes it once started). */
gboolean exec_supervise (char *const *argv, const ExecOptions *options, int *ret_status,
                         GError **error);
