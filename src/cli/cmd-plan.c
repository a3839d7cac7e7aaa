/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm plan and ppcvm run: profile + host → plan → argv. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmdline.h"
#include "commands.h"
#include "disk.h"
#include "exec.h"
#include "state.h"
#include "output.h"
#include "planner.h"
#include "preflight.h"
#include "util.h"

typedef struct {
  CliHostOptions host;
  gboolean explain;
  gboolean install;
  gboolean dry_run;
  gboolean detach;
  gboolean exec;
  gboolean force;
  char *name;
  char **rest;
  char **extra; /* run: what followed "--", for qemu */
} PlanOptions;

static void
plan_options_clear (PlanOptions *o)
{
  cli_host_options_clear (&o->host);
  g_clear_pointer (&o->rest, g_strfreev);
  g_clear_pointer (&o->extra, g_strfreev);
  g_clear_pointer (&o->name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PlanOptions, plan_options_clear)

/* Everything up to the argv. A refusal returns FALSE with
 * PPCVM_ERROR_REFUSED and the plan in *ret_plan, for the caller to show. */
static gboolean
prepare (const char *cmd, int argc, char **argv, PlanOptions *o, Profile **ret_profile,
         Plan **ret_plan, GStrv *ret_argv, GError **error)
{
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (Plan) plan = NULL;
  gboolean run = g_str_equal (cmd, "run");
  const GOptionEntry shared[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->host.json, "Print the plan (or refusal) as JSON (schema ppcvm-plan/1)", NULL },
    { "explain", 0, 0, G_OPTION_ARG_NONE, &o->explain, "Print every decision with its reason", NULL },
    { "install", 0, 0, G_OPTION_ARG_NONE, &o->install, "Boot the cdrom (install media) first, the disk second ([boot] order=cdrom)", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &o->force, "Plan (start) even with more memory than the host has", NULL },
  };
  const GOptionEntry run_only[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &o->dry_run, "Print the command as one shell-quoted line instead of running it", NULL },
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &o->detach, "Run in the background with QMP and a console socket (ppcvm list/console/stop)", NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, "The detached guest's name (default: the profile's id)", "NAME" },
    { "exec", 0, 0, G_OPTION_ARG_NONE, &o->exec, "Replace ppcvm with qemu (no supervision), for wrappers", NULL },
  };
  const GOptionEntry rest = { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->rest, NULL, NULL };
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const char *params = run ? "PROFILE [-- EXTRA QEMU ARGS...]" : "PROFILE";
  const char *profile_arg;
  g_autofree char *binary = NULL;
  g_autofree GOptionEntry *all = NULL;

  g_array_append_vals (entries, shared, G_N_ELEMENTS (shared));
  if (run) /* plan never runs anything */
    g_array_append_vals (entries, run_only, G_N_ELEMENTS (run_only));
  g_array_append_val (entries, rest);
  all = cli_option_entries ((GOptionEntry *) entries->data, &o->host, CLI_OPTIONS_HOST | CLI_OPTIONS_OVERRIDES);

  if (!cli_parse_passthrough (cmd, params,
                              run ? "Plan the guest, check everything that can be checked, then run qemu.\n"
                                    "Options may come before or after PROFILE; qemu gets only what follows '--'."
                                  : "Plan the guest: the qemu command line that will boot it, or why it cannot run.",
                              all, &argc, &argv, run ? &o->extra : NULL, error))
    return FALSE;
  if (o->rest == NULL || o->rest[0] == NULL)
    return cli_usage_error (error, "no profile given");
  profile_arg = o->rest[0];
  if (o->rest[1] != NULL) {
    if (run)
      return cli_usage_error (error, "unexpected argument '%s': one profile, then '--' before "
                              "anything for qemu (ppcvm run %s -- %s)", o->rest[1], o->rest[0], o->rest[1]);
    return cli_usage_error (error, "unexpected argument '%s'", o->rest[1]);
  }
  if (run && ((o->detach && o->exec) || (o->name != NULL && !o->detach)))
    return cli_usage_error (error, "%s", o->exec ? "--detach and --exec exclude each other" : "--name needs --detach");
  if (run && o->name != NULL) {
    g_autoptr (GError) local = NULL;
    if (!state_check_guest_name (o->name, &local)) {
      g_autofree char *shown = g_strescape (o->name, NULL);
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "--name %s: %s", shown, local->message);
      return FALSE;
    }
  }
  if (run && o->host.host_file != NULL)
    /* Never execute anything a data file names (its qemu.path). */
    return cli_usage_error (error, "--host describes another machine: 'ppcvm run' runs the guest on this "
                            "one (use 'ppcvm plan --host %s' to see that machine's plan)", o->host.host_file);
  if (o->host.json && o->explain)
    return cli_usage_error (error, "--json and --explain exclude each other");

  profile = cli_load_profile (profile_arg, &o->host, error);
  if (profile == NULL)
    return FALSE;
  /* Without --name, a detached guest is named after the profile's file. */
  if (run && o->detach && o->name == NULL) {
    g_autoptr (GError) local = NULL;
    if (!state_check_guest_name (profile->id, &local)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s: the profile file name %s; name the guest with --name NAME",
                   profile->path != NULL ? profile->path : profile_arg, local->message);
      return FALSE;
    }
  }
  if (o->install) {
    if (profile->cdrom == NULL || profile->disks == NULL || profile->disks->len == 0) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "--install boots the install media onto the disk, but %s has no %s (see 'ppcvm new --iso')",
                   profile->path != NULL ? profile->path : profile_arg,
                   profile->cdrom == NULL ? "[boot] cdrom=" : "[disk:NAME]");
      return FALSE;
    }
    profile->boot_order = BOOT_ORDER_CDROM;
  }
  /* A detached guest on user-mode networking gets its sshd forwarded from a
   * free loopback port (recorded in its state for `ppcvm ssh`), unless the
   * profile forwards one itself or says [ssh] forward=no. */
  if (run && o->detach && !o->dry_run && profile->net_mode == NET_USER && profile->ssh_forward
      && profile_ssh_host_port (profile) == 0) {
    guint port = 0;
    if (!cli_free_loopback_port (&port, error))
      return FALSE;
    g_ptr_array_add (profile->forwards,
                     profile_forward_new (FORWARD_TCP, "127.0.0.1", port, NULL, profile->ssh_port));
  }
  o->host.plan_only = TRUE;
  facts = cli_load_host (&o->host, profile->qemu_binary, run, error);
  if (facts == NULL)
    return FALSE;
  plan = plan_build (facts, facts->qemu, profile);
  preflight_check (plan, facts, facts->qemu, profile, o->force);
  /* Disk images' backing files: shown, and never left for qemu to guess. */
  for (guint i = 0; i < profile->disks->len; i++) {
    const ProfileDisk *d = profile->disks->pdata[i];
    g_autofree char *note = NULL;
    if (!disk_check_backing (d->file, d->format, &note, error)) {
      g_prefix_error (error, "[disk:%s]: ", d->name);
      return FALSE;
    }
    if (note != NULL)
      g_ptr_array_add (plan->warnings, g_strdup_printf ("disk '%s': %s", d->name, note));
  }
  if (plan->status != PLAN_OK) {
    *ret_profile = g_steal_pointer (&profile);
    *ret_plan = g_steal_pointer (&plan);
    return cli_refused (error);
  }
  binary = g_strdup (facts->qemu && facts->qemu->path ? facts->qemu->path : "qemu-system-ppc64");
  *ret_argv = cmdline_build (binary, plan, profile, NULL, (const char *const *) o->extra);
  *ret_profile = g_steal_pointer (&profile);
  *ret_plan = g_steal_pointer (&plan);
  return TRUE;
}

static void
print_refusal (const Plan *plan, const Profile *profile, gboolean json, FILE *out)
{
  if (json) {
    cli_print_json (out, output_plan_json (plan, profile, NULL));
  } else {
    g_autofree char *s = output_refusal_text (plan, profile);
    fputs (s, out);
  }
}

gboolean
cmd_plan (int argc, char **argv, GError **error)
{
  g_auto (PlanOptions) o = { 0 };
  g_autoptr (Profile) profile = NULL;
  g_autoptr (Plan) plan = NULL;
  g_auto (GStrv) qargv = NULL;

  if (!prepare ("plan", argc, argv, &o, &profile, &plan, &qargv, error)) {
    if (plan != NULL)
      print_refusal (plan, profile, o.host.json, stdout);
    return FALSE;
  }
  if (o.host.json) {
    cli_print_json (stdout, output_plan_json (plan, profile, (const char *const *) qargv));
  } else if (o.explain) {
    g_autofree char *s = output_plan_explain (plan, profile, (const char *const *) qargv);
    fputs (s, stdout);
  } else {
    g_autofree char *s = cmdline_to_shell ((const char *const *) qargv);
    cli_print_warnings ("warning", plan->warnings);
    printf ("%s\n", s);
  }
  return TRUE;
}

/* run --json, after qemu: the plan it ran and how it ended (128 + N: signal
 * N), with the status main will exit with when qemu did not start. */
static void
print_run_json (const Plan *plan, const Profile *profile, char **qargv, gboolean ok, int status,
                const GError *error)
{
  json_object *j = output_plan_json (plan, profile, (const char *const *) qargv);

  json_object_object_add (j, "exit_status", json_object_new_int (ok ? status : cli_exit_status (error, TRUE)));
  cli_print_json (stdout, j);
}

gboolean
cmd_run (int argc, char **argv, int *ret_status, GError **error)
{
  g_auto (PlanOptions) o = { 0 };
  g_autoptr (Profile) profile = NULL;
  g_autoptr (Plan) plan = NULL;
  g_auto (GStrv) qargv = NULL;
  gboolean ok;

  if (!prepare ("run", argc, argv, &o, &profile, &plan, &qargv, error)) {
    if (plan != NULL)
      print_refusal (plan, profile, o.host.json, o.host.json ? stdout : stderr);
    return FALSE;
  }
  if (!o.host.json)
    cli_print_warnings ("warning", plan->warnings);
  if (o.explain) {
    g_autofree char *s = output_plan_explain (plan, profile, (const char *const *) qargv);
    fputs (s, stderr);
  }
  if (o.dry_run) {
    if (o.host.json) {
      cli_print_json (stdout, output_plan_json (plan, profile, (const char *const *) qargv));
    } else {
      g_autofree char *s = cmdline_to_shell ((const char *const *) qargv);
      printf ("%s\n", s);
    }
    return TRUE;
  }
  if (o.detach) {
    int pid = 0;
    ok = run_detached (o.name, plan, profile, qargv[0], (const char *const *) o.extra, &pid, ret_status, error);
    if (o.host.json) {
      json_object *j = output_plan_json (plan, profile, (const char *const *) qargv);
      gboolean started = ok && *ret_status == EXIT_OK;
      json_object_object_add (j, "detached", json_object_new_boolean (started));
      json_object_object_add (j, "name", json_object_new_string (o.name ? o.name : profile->id));
      json_object_object_add (j, "pid", started ? json_object_new_int (pid) : NULL);
      json_object_object_add (j, "exit_status", json_object_new_int (ok ? *ret_status : cli_exit_status (*error, TRUE)));
      cli_print_json (stdout, j);
    }
    return ok;
  }
  if (o.exec) {
    if (o.host.json) /* nothing runs after qemu: the plan, then qemu */
      cli_print_json (stdout, output_plan_json (plan, profile, (const char *const *) qargv));
    fflush (stdout);
    fflush (stderr);
    return exec_replace (qargv, error);
  }
  ok = run_supervised (qargv, ret_status, error);
  if (o.host.json)
    print_run_json (plan, profile, qargv, ok, *ret_status, ok ? NULL : *error);
  return ok;
}
