/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands. Each returns TRUE, or FALSE with the error that main()
 * prints and maps to the exit status (cli_exit_status). */
#pragma once

#include <stdio.h>

#include "cli.h"
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

/* What plan and run share (cmd-plan.c): the planning options (with the
 * host and override rows from cli_option_entries), and everything from the
 * profile to qemu's argv. */
typedef struct {
  CliHostOptions host;
  gboolean explain;
  gboolean install;
  gboolean force;
  char **rest; /* the positionals: PROFILE */
} CliPlanOptions;

void cli_plan_options_clear (CliPlanOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliPlanOptions, cli_plan_options_clear)

#define CLI_PLAN_OPTION_ENTRIES(o) \
  { "json", 0, 0, G_OPTION_ARG_NONE, &(o).host.json, "Print the plan (or refusal) as JSON (schema ppcvm-plan/1)", NULL }, \
  { "explain", 0, 0, G_OPTION_ARG_NONE, &(o).explain, "Print every decision with its reason", NULL }, \
  { "install", 0, 0, G_OPTION_ARG_NONE, &(o).install, "Boot the cdrom (install media) first, the disk second ([boot] order=cdrom)", NULL }, \
  { "force", 'f', 0, G_OPTION_ARG_NONE, &(o).force, "Plan (start) even with more memory than the host has", NULL }
#define CLI_PLAN_REST_ENTRY(o) \
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &(o).rest, NULL, NULL }

typedef struct {
  gboolean require_qemu; /* a real qemu-system-ppc64 must be found (run) */
  gboolean forward_ssh;  /* forward a free loopback port to the guest's sshd (a detached run) */
  gboolean name_from_profile; /* the profile's id names a detached guest: check it */
} CliPrepareFlags;

/* Load PROFILE_ARG with O's overrides and the host, plan, preflight, check
 * the disks' backing files and build qemu's argv with EXTRA last. A refusal
 * returns FALSE with PPCVM_ERROR_REFUSED and the plan (and profile) in
 * *RET_PLAN (*RET_PROFILE), for the caller to show (cli_print_refusal). */
gboolean cli_plan_prepare (const char *profile_arg, CliPlanOptions *o, const CliPrepareFlags *flags,
                           const char *const *extra, Profile **ret_profile, Plan **ret_plan, GStrv *ret_argv,
                           GError **error);
void cli_print_refusal (const Plan *plan, const Profile *profile, gboolean json, FILE *out);

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
