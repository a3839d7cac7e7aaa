/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every module: the error domain, fd cleanup,
 * sizes, and file reading relative to a sysroot. */
#pragma once

#include <errno.h>
#include <unistd.h>

#include <glib.h>

#define PPCVM_ERROR (ppcvm_error_quark ())
GQuark ppcvm_error_quark (void);

/* What went wrong, for the caller to act on; the front end (src/cli) maps
 * these to exit statuses in one place. The library never picks a status. */
typedef enum {
  PPCVM_ERROR_FAILED,      /* a runtime failure (I/O, spawn...) */
  PPCVM_ERROR_INVALID,     /* bad input: profile, host file, option value */
  PPCVM_ERROR_NOT_FOUND,   /* no such profile, guest... */
  PPCVM_ERROR_REFUSED,     /* the planner refused the guest */
  PPCVM_ERROR_USAGE,       /* a wrong command line (options, arguments) */
  PPCVM_ERROR_NO_PROGRAM,  /* the program to run (qemu) does not exist */
  PPCVM_ERROR_CANNOT_EXEC, /* the program exists but could not be executed */
} PpcvmError;

/* g_autofd needs GLib 2.76; Debian 12 has 2.74. */
static inline void
ppcvm_close_fdp (int *fdp)
{
  if (fdp != NULL && *fdp >= 0) {
    int errsv = errno;
    close (*fdp);
    errno = errsv;
    *fdp = -1;
  }
}
#define ppcvm_autofd __attribute__ ((cleanup (ppcvm_close_fdp)))

/* Parse a memory size: a number with an optional binary suffix K, M, G or T
 * (KiB, MiB...; "B" after the suffix is accepted). A bare number means MiB,
 * as QEMU's -m does. Fails with PPCVM_ERROR_INVALID on anything else, on 0,
 * and above 16 TiB. */
gboolean ppcvm_parse_size (const char *text, guint64 *ret_bytes, GError **error);
/* The same, with BARE_UNIT bytes for a number without a suffix (1: bytes, as
 * kernel and libvirt sizes are; 0: a suffix is required). */
gboolean ppcvm_parse_size_unit (const char *text, guint64 bare_unit, guint64 *ret_bytes, GError **error);

/* "2G", "1536M", "512K" or a plain byte count: the shortest exact binary form.
 * Returns a newly allocated string. */
char *ppcvm_format_size (guint64 bytes);

/* Human form with one decimal for reports: "2.0 GiB", "64 KiB". */
char *ppcvm_format_size_human (guint64 bytes);

/* Read SYSROOT/PATH (sysroot NULL or "" or "/" means the live system).
 * Returns FALSE with G_FILE_ERROR set when the file cannot be read. */
gboolean ppcvm_read_file (const char *sysroot, const char *path, char **ret_contents,
                          gsize *ret_len, GError **error);

/* Read PATH whole, but never more than MAX bytes: a bigger file (or an
 * endless one such as /dev/zero) fails with PPCVM_ERROR_INVALID "PATH: too
 * large (more than N)". Open/read failures are G_FILE_ERROR as with
 * g_file_get_contents(). A FIFO without writer reads as empty. */
gboolean ppcvm_read_file_max (const char *path, gsize max, char **ret_contents, gsize *ret_len,
                              GError **error);
/* The bounds: profiles and host files (text a person writes or `ppcvm host
 * --json` prints), /proc and /sys files, QMP replies. */
#define PPCVM_READ_MAX_PROFILE (1024 * 1024)
#define PPCVM_READ_MAX_HOST (4 * 1024 * 1024)
#define PPCVM_READ_MAX_PROC (4 * 1024 * 1024)
#define PPCVM_READ_MAX_QMP (16 * 1024 * 1024)

/* The program NAME (no '/') in the absolute directories of $PATH, or NULL.
 * Never the current directory: glib's g_find_program_in_path() searches it
 * for an empty $PATH entry, and anybody may leave a program there. */
char *ppcvm_find_program (const char *name);

/* SYSROOT/PATH as a newly allocated path. */
char *ppcvm_sysroot_path (const char *sysroot, const char *path);

/* Parse an unsigned decimal integer (whole string, surrounding spaces allowed). */
gboolean ppcvm_parse_uint64 (const char *text, guint64 max, guint64 *ret, GError **error);

/* Escape a value for QEMU's option syntax: every ',' becomes ",,". */
char *ppcvm_qemu_escape (const char *value);

/* write(2) all of BUF to FD, retrying on EINTR and short writes. FALSE with
 * errno set when it cannot. */
gboolean ppcvm_write_all (int fd, const void *buf, size_t len);

/* Write CONTENTS to PATH atomically: temporary file, fsync, rename. MODE for the new file. */
gboolean ppcvm_write_file_atomic (const char *path, const char *contents, gssize len, int mode,
                                  GError **error);
