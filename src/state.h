/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Detached guests' runtime state: one private directory per guest under
 * $XDG_RUNTIME_DIR/ppcvm/NAME/ (or /tmp/ppcvm-UID/NAME/) holding qemu's QMP
 * and console sockets, its pid file, the console log and state.json.
 *
 * A guest is alive only if its pid is alive AND that process is a qemu whose
 * command line names the guest's QMP socket: a recycled pid never counts.
 * Nothing here prints. */
#pragma once

#include <sys/types.h>

#include <glib.h>
#include "util-json.h"

#define STATE_FILE "state.json"
#define STATE_QMP "qmp.sock"
#define STATE_CONSOLE "console.sock"
#define STATE_CONSOLE_LOG "console.log"
#define STATE_PID "qemu.pid"

typedef enum {
  GUEST_RUNNING,   /* qemu runs and is provably this guest's */
  GUEST_STARTING,  /* `ppcvm run --detach` is starting it (its launcher lives) */
  GUEST_UNKNOWN,   /* a qemu of this guest runs, but state.json is missing,
                    * damaged or belongs elsewhere (see `problem`) */
} GuestStatus;

typedef struct {
  char *name;
  char *dir;            /* the guest's runtime directory */
  GuestStatus status;
  char *problem;        /* GUEST_UNKNOWN: what is wrong with the state */
  pid_t pid;            /* qemu's pid; 0 while not known (starting) */
  guint64 pid_start;    /* its start time (/proc/PID/stat field 22), 0 if unknown */
  char *exe;            /* its /proc/PID/exe, or NULL */
  pid_t launcher_pid;   /* the `ppcvm run --detach` that starts it */
  guint64 launcher_start;
  char *accel;          /* "tcg", "kvm-hv", "kvm-pr" */
  guint64 memory;       /* bytes */
  guint ssh_port;       /* the loopback port forwarded to the guest's sshd, 0: none */
  char *profile;        /* the profile's path, or NULL */
  char **disks;         /* the disk (and cdrom) files it was started with; NULL: none known */
  gint64 started;       /* Unix time, seconds */
  char *qmp_socket;
  char *console_socket;
  char *console_log;
} GuestState;

/* A state for guest NAME in RUNTIME_DIR with every path filled in. */
GuestState *guest_state_new (const char *runtime_dir, const char *name);
void guest_state_free (GuestState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestState, guest_state_free)

/* The state as JSON (schema of state.json; a new reference). */
json_object *guest_state_to_json (const GuestState *state);

/* Write STATE->dir/state.json atomically (mode 0600). */
gboolean guest_state_save (const GuestState *state, GError **error);

/* Read DIR/state.json. NULL with G_FILE_ERROR_NOENT when there is none, or
 * PPCVM_ERROR_INVALID when it cannot be parsed or names another guest than
 * DIR's. Socket and log paths are always DIR's, never taken from the file. */
GuestState *guest_state_load (const char *dir, GError **error);

/* NAME can name an existing guest's directory: non-empty, at most 64 bytes,
 * no '/', not starting with '.' (a guest from before the name rule may have
 * any other character: list shows it escaped, stop reaches it).
 * PPCVM_ERROR_INVALID otherwise. */
gboolean state_validate_name (const char *name, GError **error);

/* The rule for a new guest's name (--name, or the profile's id by default):
 * 1 to STATE_NAME_MAX ASCII letters, digits, '.', '_' and '-', starting with
 * a letter or a digit. It becomes a directory, socket paths and a QEMU id;
 * it never needs quoting or escaping. PPCVM_ERROR_INVALID otherwise, with
 * the name (escaped) and the rule. */
#define STATE_NAME_MAX 64
#define STATE_NAME_RULE                                                                            \
  "a guest name is 1 to 64 ASCII letters, digits, '.', '_' and '-', starting with a letter or a "  \
  "digit"
gboolean state_check_guest_name (const char *name, GError **error);

/* The directory that holds every guest: $XDG_RUNTIME_DIR/ppcvm, else
 * $TMPDIR/ppcvm-UID ($TMPDIR: /tmp by default). Created 0700 when missing; refused (PPCVM_ERROR_FAILED) if
 * it exists but is not a directory owned by us, or others can enter it.
 * Returns a newly allocated path. */
char *state_runtime_dir (GError **error);

/* Take the lock that serialises starting, checking and cleaning guests in
 * RUNTIME_DIR. It is only ever held for short sections (never while qemu
 * starts); a wait longer than STATE_LOCK_TIMEOUT_S (PPCVM_LOCK_TIMEOUT
 * seconds if set) fails. Returns the lock's fd (close it to unlock) or -1
 * with an error. */
#define STATE_LOCK_TIMEOUT_S 10
int state_lock (const char *runtime_dir, GError **error);

/* Is PID alive and a qemu whose /proc/PID/cmdline names QMP_SOCKET? */
gboolean state_pid_is_guest (pid_t pid, const char *qmp_socket);

/* PID's start time (/proc/PID/stat field 22, clock ticks since boot); 0 when
 * PID is gone or a zombie. */
guint64 state_pid_start_time (pid_t pid);

/* Fill STATE->pid_start and STATE->exe from /proc for STATE->pid. */
void guest_state_record_identity (GuestState *state);

/* The guest's qemu if one runs whose command line names DIR's QMP socket:
 * the pid file's pid if it is that qemu, else any such process in /proc.
 * 0 when provably none runs; -1 when /proc cannot tell. */
pid_t state_find_qemu (const char *dir);

/* Remove DIR unless a qemu of that guest still runs. */
gboolean state_remove_if_gone (const char *dir, GError **error);

/* Read a pid file (qemu's -pidfile). */
gboolean state_read_pid_file (const char *path, pid_t *ret_pid, GError **error);

/* Is the guest in STATE running (state_pid_is_guest on its pid)? */
gboolean guest_state_alive (const GuestState *state);

/* Remove a guest's directory and the files ppcvm and qemu put there. */
gboolean state_remove_guest_dir (const char *dir, GError **error);

/* The guest NAME: running, starting, or of unknown state (a qemu naming its
 * socket runs but its state.json is unusable). Its directory is removed only
 * when its qemu is provably gone (and no launcher is starting it); then, and
 * when there is none, NULL with PPCVM_ERROR_NOT_FOUND. Call under state_lock. */
GuestState *state_find_guest (const char *runtime_dir, const char *name, GError **error);
/* state_find_guest () in state_runtime_dir (), under state_lock (taken and
 * released here); the directory in *RET_RUNTIME (unless NULL) on success. */
GuestState *state_lookup_guest (const char *name, char **ret_runtime, GError **error);

/* Every guest state_find_guest() finds (GuestState*, sorted by name).
 * Call under state_lock. */
GPtrArray *state_list_guests (const char *runtime_dir, GError **error);
