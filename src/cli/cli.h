/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every subcommand shares: option parsing, host facts from the live
 * system, --sysroot or --host, and the exit statuses. A subcommand returns
 * FALSE with a GError; main() prints it ("ppcvm: error: ...", with the
 * "See 'ppcvm CMD --help'" hint for PPCVM_ERROR_USAGE) and maps it to the
 * exit status, in one place (cli_exit_status). */
#pragma once

#include <glib.h>

#include <json-c/json.h>
#include <stdio.h>

#include "host.h"
#include "hugepages.h"
#include "profile.h"
#include "util.h"

enum {
  EXIT_OK = 0,
  EXIT_ERROR = 1,     /* ppcvm failed (bad input, I/O) */
  EXIT_USAGE = 2,     /* wrong command line */
  EXIT_REFUSED = 3,   /* the planner refused the guest */
  /* stop: how the guest ended. 0 (EXIT_STOP_POWERDOWN) = it powered off
   * after QMP system_powerdown within --timeout; without --force stop never
   * cuts the power: 1 = error (no such guest, QMP unreachable, or still
   * running after --timeout). --force cuts it: 4 = QMP quit ended qemu,
   * 5 = only SIGKILL did. */
  EXIT_STOP_POWERDOWN = 0,
  EXIT_STOP_QUIT = 4,      /* --force only */
  EXIT_STOP_KILLED = 5,
  EXIT_LAUNCH = 125,  /* run: ppcvm failed before qemu started */
  EXIT_NOEXEC = 126,  /* run: qemu could not be executed */
  EXIT_NOTFOUND = 127 /* run: qemu was not found */
};

#define PROBE_TIMEOUT_MS 20000
/* PPCVM_PROBE_TIMEOUT (seconds) if set and sane, else PROBE_TIMEOUT_MS. */
guint cli_probe_timeout_ms (void);

/* Host selection shared by host, plan, run, matrix, hugepages. */
typedef struct {
  char *sysroot;
  char *host_file;
  char *qemu;
  char *accel;
  char **sets;
  gboolean json;
  gboolean plan_only; /* plan, run: detect only the facts the planner reads (host_detect_for_plan) */
} CliHostOptions;

void cli_host_options_clear (CliHostOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliHostOptions, cli_host_options_clear)

/* The option rows several commands share, as ppcvm(1) OPTIONS groups them. */
typedef enum {
  CLI_OPTIONS_HOST = 1 << 0,      /* "Host selection": --host, --sysroot, --qemu */
  CLI_OPTIONS_OVERRIDES = 1 << 1, /* "Profile overrides": -s/--set, --accel */
} CliOptionRows;

/* ENTRIES (up to its NULL row), then the shared rows WHICH names, filled in
 * O, then ENTRIES' G_OPTION_REMAINING row if it has one: the one definition
 * of those rows, for cli_parse. Free with g_free. */
GOptionEntry *cli_option_entries (const GOptionEntry *entries, CliHostOptions *o, CliOptionRows which);

/* Parse ARGC/ARGV with ENTRIES (plus --help), GNU style: options and
 * positionals (G_OPTION_REMAINING) mix up to the first "--"; what follows it
 * is positionals too. Returns FALSE with PPCVM_ERROR_USAGE (main adds "See
 * 'ppcvm CMD --help'"). ARGC/ARGV are left as they were. */
gboolean cli_parse (const char *cmd, const char *params, const char *summary, GOptionEntry *entries,
                    int *argc, char ***argv, GError **error);
/* The same, but what follows "--" goes to *RET_PASSTHROUGH (never NULL on
 * success) untouched, and an unknown option before "--" is refused with how
 * to pass it after "--" (run: to qemu). */
gboolean cli_parse_passthrough (const char *cmd, const char *params, const char *summary,
                                GOptionEntry *entries, int *argc, char ***argv, char ***ret_passthrough,
                                GError **error);

/* Host facts as the options say: --host FILE (its qemu object, else the
 * local emulator), else detection under --sysroot or live, with the emulator
 * probed (--qemu, else $PATH; none found is not an error unless --qemu named
 * one or REQUIRE_QEMU). */
HostFacts *cli_load_host (const CliHostOptions *o, const char *profile_qemu, gboolean require_qemu,
                          GError **error);

/* Load a profile by name or path with -s overrides and --accel. */
Profile *cli_load_profile (const char *arg, const CliHostOptions *o, GError **error);

/* Both of the above for PROFILE_ARG. */
gboolean cli_load_profile_and_host (const char *profile_arg, const CliHostOptions *o,
                                    Profile **ret_profile, HostFacts **ret_facts, GError **error);

/* Set a PPCVM_ERROR_USAGE error (main adds "See 'ppcvm CMD --help'") and
 * return FALSE. */
gboolean cli_usage_error (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* TEXT as it may reach a terminal on one line (a name, a table cell):
 * control characters, invisible format characters (U+202E...) and bytes
 * that are not UTF-8 as octal escapes ("\033"); everything else as it is.
 * A new string. */
char *cli_shown (const char *text);
/* The same for a message, which keeps its newlines and tabs. cli_print_error
 * and cli_message show every message through it, so that a name or path
 * from a hostile file or directory never reaches the terminal raw. */
char *cli_shown_message (const char *text);
/* Set a PPCVM_ERROR_FAILED error with errno's text and return FALSE. */
gboolean cli_errno_error (GError **error, int errsv, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
/* The refusal has been shown as the command's output: exit status 3, and
 * nothing more printed (a PPCVM_ERROR_REFUSED error with an empty message). */
gboolean cli_refused (GError **error);

/* The exit status for ERROR (ppcvm(1) EXIT STATUS). LAUNCHES: the command
 * starts qemu (run), whose own failures have statuses of their own. */
int cli_exit_status (const GError *error, gboolean launches);
/* Print ERROR for command CMD (NULL: ppcvm itself) as main does. */
void cli_print_error (const char *cmd, const GError *error);

/* "ppcvm: MSG" on stderr: progress and notes, not errors. */
void cli_message (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

/* A TCP port on 127.0.0.1 that nothing listens on now (bound and released). */
gboolean cli_free_loopback_port (guint *ret_port, GError **error);
/* "ppcvm: warning: MSG" on stderr for each string in WARNINGS. */
void cli_print_warnings (const char *label, GPtrArray *warnings);

/* Print OBJ to OUT, pretty, with a final newline, and drop the reference:
 * what every --json output does. */
void cli_print_json (FILE *out, json_object *obj);

/* What one step of hugepages_apply () found or did, as one line:
 * "vm.nr_hugepages 0 -> 272 (asked 272); 272 16 MiB hugepages free now". */
char *cli_hugepages_step_text (const HugepagesStep *step);
