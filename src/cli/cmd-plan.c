/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm plan: profile + host → plan → argv; the preparation `run` shares. */
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
#include "output.h"
#include "planner.h"
#include "preflight.h"
#include "state.h"
#include "util.h"

void
cli_plan_options_clear (CliPlanOptions *o)
{
  cli_host_options_clear (&o->host);
  g_clear_pointer (&o->rest, g_strfreev);
}

/* A detached guest on user-mode networking gets its sshd forwarded from a
 * free loopback port (recorded in its state for `ppcvm ssh`), unless the
 * profile forwards one itself or says [ssh] forward=no. */
static gboolean
add_ssh_forward (Profile *profile, GError **error)
{
  guint port = 0;

  if (profile->net_mode != NET_USER || !profile->ssh_forward || profile_ssh_host_port (profile) != 0)
    return TRUE;
  if (!cli_free_loopback_port (&port, error))
    return FALSE;
  g_ptr_array_add (profile->forwards, profile_forward_new (FORWARD_TCP, "127.0.0.1", port, NULL, profile->ssh_port));
  return TRUE;
}

gboolean
cli_plan_prepare (const char *profile_arg, CliPlanOptions *o, const CliPrepareFlags *flags,
                  const char *const *extra, Profile **ret_profile, Plan **ret_plan, GStrv *ret_argv,
                  GError **error)
{
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (Plan) plan = NULL;
  g_autofree char *binary = NULL;

  if (o->host.json && o->explain)
    return cli_usage_error (error, "--json and --explain exclude each other");

  profile = cli_load_profile (profile_arg, &o->host, error);
  if (profile == NULL)
    return FALSE;
  /* Without --name, a detached guest is named after the profile's file. */
  if (flags->name_from_profile) {
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
  if (flags->forward_ssh && !add_ssh_forward (profile, error))
    return FALSE;
  o->host.plan_only = TRUE;
  facts = cli_load_host (&o->host, profile->qemu_binary, flags->require_qemu, error);
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
  *ret_argv = cmdline_build (binary, plan, profile, NULL, extra);
  *ret_profile = g_steal_pointer (&profile);
  *ret_plan = g_steal_pointer (&plan);
  return TRUE;
}

void
cli_print_refusal (const Plan *plan, const Profile *profile, gboolean json, FILE *out)
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
  g_auto (CliPlanOptions) o = { 0 };
  g_autoptr (Profile) profile = NULL;
  g_autoptr (Plan) plan = NULL;
  g_auto (GStrv) qargv = NULL;
  const CliPrepareFlags flags = { .require_qemu = FALSE, .forward_ssh = FALSE }; /* plan never runs anything */
  GOptionEntry entries[] = { CLI_PLAN_OPTION_ENTRIES (o), CLI_PLAN_REST_ENTRY (o), { NULL } };
  g_autofree GOptionEntry *all = cli_option_entries (entries, &o.host, CLI_OPTIONS_HOST | CLI_OPTIONS_OVERRIDES);

  if (!cli_parse_passthrough ("plan", "PROFILE",
                              "Plan the guest: the qemu command line that will boot it, or why it cannot run.",
                              all, &argc, &argv, NULL, error))
    return FALSE;
  if (o.rest == NULL || o.rest[0] == NULL)
    return cli_usage_error (error, "no profile given");
  if (o.rest[1] != NULL)
    return cli_usage_error (error, "unexpected argument '%s'", o.rest[1]);
  if (!cli_plan_prepare (o.rest[0], &o, &flags, NULL, &profile, &plan, &qargv, error)) {
    if (plan != NULL)
      cli_print_refusal (plan, profile, o.host.json, stdout);
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
