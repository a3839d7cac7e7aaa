/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm hugepages PROFILE: what the guest needs for hugepage-backed RAM on
 * this host (the planner decides), the commands, or --apply them. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hugepages.h"
#include "output.h"
#include "planner.h"
#include "util.h"

#define DEFAULT_MOUNT_POINT "/dev/hugepages"

static void
print_steps (const char *title, GPtrArray *steps, PlanHugepageKind kind)
{
  gboolean first = TRUE;
  for (guint i = 0; i < steps->len; i++) {
    const PlanHugepageStep *st = g_ptr_array_index (steps, i);
    g_autofree char *l = NULL;
    if (st->kind != kind)
      continue;
    if (first)
      printf ("%s\n", title);
    first = FALSE;
    l = plan_hugepage_step_to_string (st, FALSE);
    printf ("  %s\n", l);
  }
}

/* No hugepages at all: say why. */
static void
print_needs_none (const Profile *profile, const Plan *plan, gboolean apply)
{
  const char *why = plan_decision_reason (plan, "memory-backing");

  if (why == NULL && plan->mem_path)
    why = plan_decision_reason (plan, "mem-path");
  if (why == NULL)
    why = plan->accel == PLAN_ACCEL_TCG ? "under TCG guest RAM is ordinary memory" : plan_decision_reason (plan, "accel");
  printf ("%s needs no hugepages on this host (%s): %s.\nNothing to do%s.\n", profile->id,
          plan_accel_to_string (plan->accel), why, apply ? "; nothing was changed" : "");
}

/* A fixable refusal names the steps but no numbers: plan the host as it will
 * be once hugepages are set up, and read the numbers off that plan (*ready).
 * FALSE when the guest cannot use hugepages here even then. */
static gboolean
plan_with_hugepages (const HostFacts *facts, const Profile *profile, const Plan *plan, const char *mount_point,
                     gboolean apply, Plan **ready_out, GError **error)
{
  PlanSetUp steps;
  g_autoptr (Plan) ready = plan_hugepages_ready (facts, profile, plan, mount_point, &steps);

  if (steps & PLAN_SET_UP_KVM) {
    /* Hugepages alone still leave it refused: what the planner says then. */
    g_autoptr (Plan) alone = plan_build_set_up (facts, profile, PLAN_SET_UP_HUGEPAGES, mount_point);
    g_autofree char *s = output_refusal_text (alone, profile);
    printf ("Hugepages alone do not make %s run here; the planner also says:\n%s", profile->id, s);
    if (ready->status != PLAN_OK || ready->hugepage_size == 0) {
      if (ready->status == PLAN_OK)
        printf ("Once that is fixed, it needs no hugepages.\n");
      return cli_refused (error);
    }
    if (apply) {
      g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_REFUSED,
                           "fix the steps above first; --apply changed nothing");
      return FALSE;
    }
    printf ("\n");
  }
  if (ready->hugepage_size == 0) {
    g_autofree char *s = output_refusal_text (plan, profile);
    fputs (s, stdout);
    return cli_refused (error);
  }
  *ready_out = g_steal_pointer (&ready);
  return TRUE;
}

static void
print_summary (const HostFacts *facts, const Profile *profile, const Plan *need, const char *mount_point)
{
  const HostHugepages *hp = NULL;
  const HostHugetlbfs *mount = host_find_hugetlbfs (facts, need->hugepage_size);
  g_autofree char *hps = ppcvm_format_size_human (need->hugepage_size);
  g_autofree char *mem = ppcvm_format_size_human (profile->memory);

  for (guint i = 0; i < facts->hugepages->len; i++) {
    const HostHugepages *h = &g_array_index (facts->hugepages, HostHugepages, i);
    if (h->size == need->hugepage_size)
      hp = h;
  }
  printf ("Hugepages for %s (%s of RAM under %s)\n", profile->id, mem, plan_accel_to_string (need->accel));
  printf ("  %-10s %s (%s)\n", "page size", hps,
          hp && hp->is_default ? "the host's default hugepage size" : "a hugepage size the host offers");
  printf ("  %-10s %" G_GUINT64_FORMAT " pages (reserve %" G_GUINT64_FORMAT " with headroom)\n", "needed",
          need->hugepages_needed, plan_hugepages_with_headroom (need->hugepages_needed));
  if (hp && hp->free >= 0 && hp->total >= 0)
    printf ("  %-10s %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT "\n", "free now", hp->free, hp->total);
  else
    printf ("  %-10s unknown\n", "free now");
  printf ("  %-10s %s%s\n", "mount", mount ? mount->path : mount_point, mount ? "" : " (not mounted yet)");
}

/* --apply: the runtime steps, as root. */
static gboolean
apply_steps (const Plan *need, const char *mount_point, GPtrArray *cmds, GError **error)
{
  g_autoptr (GPtrArray) steps = NULL;
  gboolean ok, changed = FALSE;

  if (geteuid () != 0) {
    print_steps ("Commands:", cmds, PLAN_HUGEPAGE_RUN);
    g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                         "--apply needs root (it writes /proc/sys/vm/nr_hugepages and mounts hugetlbfs): "
                         "run it with sudo, or run the commands above");
    return FALSE;
  }
  ok = hugepages_apply (need->hugepage_size, need->hugepages_needed, mount_point, &steps, error);
  printf ("Applied (runtime only):\n");
  for (guint i = 0; i < steps->len; i++) {
    const HugepagesStep *st = g_ptr_array_index (steps, i);
    g_autofree char *what = cli_hugepages_step_text (st);
    printf ("  %s: %s\n", st->changed ? "changed" : "unchanged", what);
    changed |= st->changed;
  }
  if (!ok)
    return FALSE;
  if (!changed)
    printf ("Nothing needed changing.\n");
  print_steps ("ppcvm never edits /etc; to keep this after a reboot:", cmds, PLAN_HUGEPAGE_KEEP);
  return TRUE;
}

gboolean
cmd_hugepages (int argc, char **argv, GError **error)
{
  g_auto (CliHostOptions) o = { 0 };
  g_auto (GStrv) rest = NULL;
  g_autofree char *mount_point = NULL;
  gboolean apply = FALSE;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Plan) plan = NULL;
  g_autoptr (Plan) ready = NULL;
  g_autoptr (GPtrArray) cmds = NULL;
  const Plan *need;
  GOptionEntry entries[] = {
    { "apply", 0, 0, G_OPTION_ARG_NONE, &apply, "Do the runtime steps on this machine (root; never edits /etc)", NULL },
    { "mount-point", 0, 0, G_OPTION_ARG_FILENAME, &mount_point, "The hugetlbfs mount to create (default " DEFAULT_MOUNT_POINT ")", "DIR" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL }
  };
  g_autofree GOptionEntry *all = cli_option_entries (entries, &o, CLI_OPTIONS_HOST | CLI_OPTIONS_OVERRIDES);

  if (!cli_parse ("hugepages", "PROFILE",
                  "What the guest needs for hugepage-backed RAM on this host: page size, pages, the mount,\n"
                  "and the commands that set it up (or --apply them: root, runtime steps only).",
                  all, &argc, &argv, error))
    return FALSE;
  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    return cli_usage_error (error, "%s%s",
             rest && rest[0] ? "unexpected argument " : "no profile given",
             rest && rest[0] ? rest[1] : "");
  if (mount_point == NULL)
    mount_point = g_strdup (DEFAULT_MOUNT_POINT);
  else if (!g_path_is_absolute (mount_point)) {
    g_autofree char *abs = g_canonicalize_filename (mount_point, NULL);
    g_free (mount_point);
    mount_point = g_steal_pointer (&abs);
  }
  if (!cli_load_profile_and_host (rest[0], &o, &profile, &facts, error))
    return FALSE;

  plan = plan_build (facts, facts->qemu, profile);
  if (plan->status == PLAN_REFUSED_IMPOSSIBLE) {
    g_autofree char *s = output_refusal_text (plan, profile);
    fputs (s, stdout);
    return cli_refused (error);
  }
  if (plan->status == PLAN_OK && plan->hugepage_size == 0) {
    print_needs_none (profile, plan, apply);
    return TRUE;
  }
  need = plan;
  if (plan->status == PLAN_REFUSED_FIXABLE) {
    if (!plan_with_hugepages (facts, profile, plan, mount_point, apply, &ready, error))
      return FALSE;
    need = ready;
  }
  print_summary (facts, profile, need, mount_point);
  if (plan->status == PLAN_OK) {
    printf ("Nothing to do: the host has them (-mem-path %s)%s.\n", plan->mem_path,
            apply ? "; nothing was changed" : "");
    return TRUE;
  }
  cmds = plan_hugepage_commands_at (facts, need->hugepage_size, need->hugepages_needed, mount_point);
  if (!apply) {
    print_steps ("Commands:", cmds, PLAN_HUGEPAGE_RUN);
    print_steps ("To keep them after a reboot:", cmds, PLAN_HUGEPAGE_KEEP);
    return TRUE;
  }
  return apply_steps (need, mount_point, cmds, error);
}
