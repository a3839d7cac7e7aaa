/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands. Each returns TRUE, or FALSE with the error that main()
 * prints and maps to the exit status (cli_exit_status). */
#pragma once

#include "planner.h"

typedef gboolean (*CmdFunc) (int argc, char **argv, GError **error);
/* run and stop: *ret_status is qemu's status (run) or how the guest ended
 * (stop: EXIT_STOP_*), when they return TRUE. */
typedef gboolean (*CmdStatusFunc) (int argc, char **argv, int *ret_status, GError **error);

gboolean cmd_host (int argc, char **argv, GError **error);
gboolean cmd_plan (int argc, char **argv, GError **error);
gboolean cmd_run (int argc, char **argv, int *ret_status, GError **error);
gboolean cmd_list (int argc, char **argv, GError **error);
gboolean cmd_stop (int argc, char **argv, int *ret_status, GError **error);
gboolean cmd_console (int argc, char **argv, GError **error);
gboolean cmd_profiles (int argc, char **argv, GError **error);
gboolean cmd_new (int argc, char **argv, GError **error);
gboolean cmd_matrix (int argc, char **argv, GError **error);
gboolean cmd_hugepages (int argc, char **argv, GError **error);
gboolean cmd_desktop (int argc, char **argv, GError **error);
gboolean cmd_import (int argc, char **argv, GError **error);
gboolean cmd_export (int argc, char **argv, GError **error);
gboolean cmd_get (int argc, char **argv, GError **error);
gboolean cmd_os (int argc, char **argv, GError **error);
gboolean cmd_ssh (int argc, char **argv, GError **error);
gboolean cmd_snapshot (int argc, char **argv, GError **error);
gboolean cmd_rm (int argc, char **argv, GError **error);

/* The two ways `run` starts qemu (cmd-guests.c). TRUE with *ret_status
 * qemu's exit status (supervised; detached: 0 once the guest is set up, or
 * qemu's failure status; *RET_PID the guest's qemu), or FALSE with the error when qemu did not start.
 * Supervised: fork, forward signals, explain known errors.
 * Detached: qemu -daemonize with QMP, console and state under the runtime dir. */
gboolean run_supervised (char **argv, int *ret_status, GError **error);
gboolean run_detached (const char *name, const Plan *plan, const Profile *profile, const char *binary,
                       const char *const *extra, int *ret_pid, int *ret_status, GError **error);
/* ppcvm get's download options, shared with `new --os` (cmd-get.c). */
#include "catalogue.h"
#include "media.h"

typedef struct {
  char *base_url;
  char **keyrings;
  int timeout;
  int retries;
  gboolean quiet;
} CliGetOptions;

#define CLI_GET_OPTION_ENTRIES(g) \
  { "base-url", 0, 0, G_OPTION_ARG_STRING, &(g).base_url, \
    "Fetch from URL instead of each catalogue entry's server, keeping the path ($PPCVM_BASE_URL)", "URL" }, \
  { "keyring", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &(g).keyrings, \
    "Also look for signing keys in this gpg keyring (repeatable)", "FILE" }, \
  { "timeout", 0, 0, G_OPTION_ARG_INT, &(g).timeout, \
    "Give up when no data arrives for S seconds (default 60)", "S" }, \
  { "retries", 0, 0, G_OPTION_ARG_INT, &(g).retries, \
    "Resume a dropped download up to N times (default 3)", "N" }, \
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &(g).quiet, "No progress or notes on stderr", NULL }

gboolean cli_get_options_check (const CliGetOptions *g, GError **error);
void cli_get_options_clear (CliGetOptions *g);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliGetOptions, cli_get_options_clear)

MediaResult *cli_get_media (const char *spec, int want, const CliGetOptions *g,
                            const CatalogueEntry **ret_entry, Catalogue **ret_catalogue,
                            CatalogueMediaKind *ret_kind, GError **error);

/* `new --os`, after the profile text is made (with the media as --iso or
 * --image): for a cloud image, build the cloud-init NoCloud seed in
 * $XDG_DATA_HOME/ppcvm/disks/NAME.seed/ and make it the cdrom, with the
 * [cloud-init] keys used; a header comment says what was verified
 * (cmd-new-os.c). */
gboolean cli_new_os_finish (const char *name, const char *src_path, const CatalogueEntry *e,
                            const MediaResult *r, CatalogueMediaKind kind, const char *ssh_key_file,
                            gboolean force, char **text, GError **error);
