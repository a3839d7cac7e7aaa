/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmdline.h"
#include "commands.h"
#include "host-fix.h"
#include "host-json.h"
#include "hugepages.h"
#include "output.h"
#include "planner.h"
#include "table.h"

/* The checks of this host (and of PROFILE's plan), with their fixes. */
static GPtrArray *
run_checks (const CliHostOptions *o, const char *profile_arg, HostFacts **ret_facts, Profile **ret_profile,
            GError **error)
{
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Profile) profile = NULL;
  GPtrArray *checks;

  if (profile_arg != NULL) {
    if (!cli_load_profile_and_host (profile_arg, o, &profile, &facts, error))
      return NULL;
  } else if ((facts = cli_load_host (o, NULL, FALSE, error)) == NULL) {
    return NULL;
  }
  checks = plan_host_checks (facts);
  if (profile != NULL) {
    g_autoptr (Plan) plan = plan_build (facts, facts->qemu, profile);
    plan_add_plan_checks (checks, plan);
  }
  plan_checks_set_hugepage_fixes (checks, facts, profile);
  *ret_facts = g_steal_pointer (&facts);
  if (ret_profile)
    *ret_profile = g_steal_pointer (&profile);
  return checks;
}

static gboolean
all_pass (GPtrArray *checks)
{
  gboolean ok = TRUE;
  for (guint i = 0; i < checks->len; i++)
    ok &= ((PlanCheck *) g_ptr_array_index (checks, i))->level == PLAN_CHECK_PASS;
  return ok;
}

static void
print_checks (GPtrArray *checks)
{
  g_autoptr (Table) table = table_new (3);
  g_autofree char *text = NULL;

  table_min_width (table, 0, 4); /* PASS, WARN, FAIL */
  table_min_width (table, 1, 9); /* hugetlbfs */
  for (guint i = 0; i < checks->len; i++) {
    PlanCheck *c = g_ptr_array_index (checks, i);
    g_autofree char *level = g_ascii_strup (plan_check_level_to_string (c->level), -1);
    table_add_row (table, level, c->id, c->text, NULL);
  }
  text = table_to_string (table);
  fputs (text, stdout);
}

static json_object *
checks_to_json (GPtrArray *checks)
{
  json_object *arr = json_object_new_array ();
  for (guint i = 0; i < checks->len; i++) {
    PlanCheck *c = g_ptr_array_index (checks, i);
    json_object *jc = json_object_new_object ();
    json_object_object_add (jc, "id", json_object_new_string (c->id));
    json_object_object_add (jc, "result", json_object_new_string (plan_check_level_to_string (c->level)));
    json_object_object_add (jc, "text", json_object_new_string (c->text));
    if (c->fix.kind != PLAN_FIX_KIND_NONE)
      json_object_object_add (jc, "fix", json_object_new_string (plan_fix_kind_to_string (c->fix.kind)));
    json_object_array_add (arr, jc);
  }
  return arr;
}

/* A fix as the commands it stands for (the edge: the library has actions).
 * One line each; NULL with ERROR when its program is missing. */
static GPtrArray *
fix_commands (const PlanFix *fix, const HostFacts *facts, const char *mount_point, GError **error)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  if (fix->kind == PLAN_FIX_KIND_HUGEPAGES) {
    g_autoptr (GPtrArray) cmds = plan_hugepage_commands_at (facts, fix->page_size, fix->pages, mount_point);
    for (guint i = 0; i < cmds->len; i++) {
      const PlanHugepageStep *st = g_ptr_array_index (cmds, i);
      if (st->kind == PLAN_HUGEPAGE_RUN)
        g_ptr_array_add (lines, plan_hugepage_step_to_string (st, TRUE));
    }
  } else {
    g_auto (GStrv) argv = host_fix_argv (fix, error);
    if (argv == NULL) {
      g_ptr_array_unref (lines);
      return NULL;
    }
    g_ptr_array_add (lines, cmdline_to_shell ((const char *const *) argv));
  }
  return lines;
}

/* The ids of the checks FIX fixes, "smt", "hugetlbfs, hugepages, plan". */
static char *
fix_ids (GPtrArray *checks, const PlanFix *fix)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < checks->len; i++) {
    PlanCheck *c = g_ptr_array_index (checks, i);
    gboolean same = c->fix.kind == fix->kind &&
                    (fix->kind != PLAN_FIX_KIND_MODPROBE || g_str_equal (c->fix.module, fix->module)) &&
                    (fix->kind != PLAN_FIX_KIND_HUGEPAGES || c->fix.page_size == fix->page_size);
    if (same && !strstr (s->str, c->id))
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", c->id);
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* --fix: show the safe fixes and the others, apply the safe ones, check
 * again. Exit 0 only when every check passes afterwards. With --json, one
 * ppcvm-check/1 object: "checks" and "ok" as they are afterwards, "before",
 * "fixes" (each with what it did) and "not_applied". */
/* One fix as --fix --json shows it; "applied" until it is. */
static json_object *
fix_to_json (const PlanFix *fix, const char *ids, GPtrArray *lines, const char *mount_point)
{
  g_auto (GStrv) idv = g_strsplit (ids, ", ", -1);
  json_object *jids = json_object_new_array (), *jcmds = json_object_new_array ();
  json_object *jf = json_object_new_object ();

  json_object_object_add (jf, "kind", json_object_new_string (plan_fix_kind_to_string (fix->kind)));
  for (guint j = 0; idv[j]; j++)
    json_object_array_add (jids, json_object_new_string (idv[j]));
  json_object_object_add (jf, "checks", jids);
  if (fix->kind == PLAN_FIX_KIND_MODPROBE)
    json_object_object_add (jf, "module", json_object_new_string (fix->module));
  if (fix->kind == PLAN_FIX_KIND_HUGEPAGES) {
    json_object_object_add (jf, "page_size", json_object_new_uint64 (fix->page_size));
    json_object_object_add (jf, "pages", json_object_new_uint64 (fix->pages));
    json_object_object_add (jf, "mount_point", json_object_new_string (mount_point));
  }
  for (guint j = 0; lines && j < lines->len; j++)
    json_object_array_add (jcmds, json_object_new_string (g_ptr_array_index (lines, j)));
  json_object_object_add (jf, "commands", jcmds);
  json_object_object_add (jf, "applied", json_object_new_boolean (FALSE));
  return jf;
}

/* The checks --fix leaves to the user: listed (text), or into JMANUAL. */
static void
show_manual (GPtrArray *checks, json_object *jmanual)
{
  gboolean first = TRUE;

  for (guint i = 0; i < checks->len; i++) {
    PlanCheck *c = g_ptr_array_index (checks, i);
    if (c->fix.kind != PLAN_FIX_KIND_MANUAL)
      continue;
    if (jmanual != NULL) {
      json_object_array_add (jmanual, json_object_new_string (c->id));
      continue;
    }
    if (first)
      printf ("Not applied by --fix (see the check for what to do):\n");
    first = FALSE;
    printf ("  %s\n", c->id);
  }
}

/* Apply one fix; what it changed printed (JF NULL) or recorded in JF. */
static gboolean
apply_fix (PlanFix *fix, const HostFacts *facts, const char *mount_point, json_object *jf)
{
  gboolean text = jf == NULL;
  json_object *jsteps = text ? NULL : json_object_new_array ();
  g_autoptr (GPtrArray) steps = NULL;
  g_autoptr (GError) local = NULL;
  gboolean done = host_fix_apply (fix, mount_point, &steps, &local);

  for (guint j = 0; steps && j < steps->len; j++) {
    const HugepagesStep *st = g_ptr_array_index (steps, j);
    g_autofree char *what = cli_hugepages_step_text (st);
    if (text) {
      printf ("  %s: %s\n", st->changed ? "changed" : "unchanged", what);
    } else {
      json_object *js = json_object_new_object ();
      json_object_object_add (js, "changed", json_object_new_boolean (st->changed));
      json_object_object_add (js, "what", json_object_new_string (what));
      json_object_array_add (jsteps, js);
    }
  }
  if (text && done && fix->kind != PLAN_FIX_KIND_HUGEPAGES) {
    g_autoptr (GPtrArray) cmd = fix_commands (fix, facts, mount_point, NULL);
    printf ("  changed: ran %s\n", cmd ? (char *) g_ptr_array_index (cmd, 0) : plan_fix_kind_to_string (fix->kind));
  }
  if (text && !done)
    printf ("  failed: %s\n", local->message);
  if (!text) {
    json_object_object_add (jf, "applied", json_object_new_boolean (done));
    if (steps != NULL)
      json_object_object_add (jf, "steps", jsteps);
    else
      json_object_put (jsteps);
    if (!done)
      json_object_object_add (jf, "error", json_object_new_string (local->message));
  }
  return done;
}

static gboolean
host_fix (const CliHostOptions *o, const char *profile_arg, const char *mount_point, GError **error)
{
  g_autoptr (HostFacts) facts = NULL, after_facts = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (GPtrArray) checks = NULL, after = NULL, fixes = NULL;
  g_autoptr (GPtrArray) runnable = g_ptr_array_new ();
  g_autoptr (GPtrArray) jrunnable = g_ptr_array_new ();
  json_object *root = NULL, *jfixes = NULL, *jmanual = NULL;
  gboolean failed = FALSE, text = !o->json, ok;

  if ((checks = run_checks (o, profile_arg, &facts, &profile, error)) == NULL)
    return FALSE;
  if (text) {
    print_checks (checks);
    printf ("\nFixes --fix applies:\n");
  } else {
    root = json_object_new_object ();
    json_object_object_add (root, "schema", json_object_new_string ("ppcvm-check/1"));
    if (profile != NULL)
      json_object_object_add (root, "profile", json_object_new_string (profile->id ? profile->id : profile_arg));
    json_object_object_add (root, "before", checks_to_json (checks));
    json_object_object_add (root, "fixes", jfixes = json_object_new_array ());
    json_object_object_add (root, "not_applied", jmanual = json_object_new_array ());
  }
  fixes = plan_checks_safe_fixes (checks);
  if (text && fixes->len == 0)
    printf ("  none\n");
  for (guint i = 0; i < fixes->len; i++) {
    PlanFix *fix = g_ptr_array_index (fixes, i);
    g_autoptr (GError) local = NULL;
    g_autofree char *ids = fix_ids (checks, fix);
    g_autoptr (GPtrArray) lines = fix_commands (fix, facts, mount_point, &local);
    json_object *jf = NULL;

    if (!text)
      json_object_array_add (jfixes, jf = fix_to_json (fix, ids, lines, mount_point));
    if (lines == NULL) {
      if (text)
        printf ("  %s: cannot apply: %s\n", ids, local->message);
      else
        json_object_object_add (jf, "error", json_object_new_string (local->message));
      failed = TRUE;
      continue;
    }
    for (guint j = 0; text && j < lines->len; j++)
      printf ("  %s: %s\n", ids, (char *) g_ptr_array_index (lines, j));
    g_ptr_array_add (runnable, fix);
    g_ptr_array_add (jrunnable, jf);
  }
  show_manual (checks, jmanual);
  if (text && runnable->len > 0)
    printf ("\nApplying:\n");
  for (guint i = 0; i < runnable->len; i++) {
    PlanFix *fix = g_ptr_array_index (runnable, i);
    json_object *jf = g_ptr_array_index (jrunnable, i);

    failed |= !apply_fix (fix, facts, mount_point, jf);
  }
  if ((after = run_checks (o, profile_arg, &after_facts, NULL, error)) == NULL) {
    if (root)
      json_object_put (root);
    return FALSE;
  }
  ok = all_pass (after);
  if (text) {
    printf ("\nChecked again:\n");
    print_checks (after);
  } else {
    json_object_object_add (root, "ok", json_object_new_boolean (ok));
    json_object_object_add (root, "checks", checks_to_json (after));
    cli_print_json (stdout, root);
  }
  if (!ok) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s", failed ? "a fix failed (above)" : "");
    return FALSE;
  }
  return TRUE;
}

/* ppcvm host --check [PROFILE]: every prerequisite, PASS/WARN/FAIL with the
 * fix; exit 0 only when every check passed. */
static gboolean
host_check (const CliHostOptions *o, const char *profile_arg, GError **error)
{
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (GPtrArray) checks = NULL;
  gboolean ok;

  if ((checks = run_checks (o, profile_arg, &facts, &profile, error)) == NULL)
    return FALSE;
  ok = all_pass (checks);
  if (o->json) {
    json_object *root = json_object_new_object ();
    json_object_object_add (root, "schema", json_object_new_string ("ppcvm-check/1"));
    json_object_object_add (root, "ok", json_object_new_boolean (ok));
    if (profile != NULL)
      json_object_object_add (root, "profile", json_object_new_string (profile->id ? profile->id : profile_arg));
    json_object_object_add (root, "checks", checks_to_json (checks));
    cli_print_json (stdout, root);
  } else {
    print_checks (checks);
  }
  if (!ok) /* exit 1; the checks above say why */
    g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "");
  return ok;
}

gboolean
cmd_host (int argc, char **argv, GError **error)
{
  g_auto (CliHostOptions) o = { 0 };
  g_autoptr (HostFacts) facts = NULL;
  gboolean check = FALSE, fix = FALSE;
  g_autofree char *mount_point = NULL;
  GOptionEntry entries[] = {
    { "check", 0, 0, G_OPTION_ARG_NONE, &check,
      "Check every prerequisite of this host (and of PROFILE's plan): PASS, WARN or FAIL with the fix", NULL },
    { "fix", 0, 0, G_OPTION_ARG_NONE, &fix,
      "With --check: apply the safe fixes (hugepages, SMT off, kvm modules; root), then check again", NULL },
    { "mount-point", 0, 0, G_OPTION_ARG_FILENAME, &mount_point,
      "With --fix: the hugetlbfs mount to create (default /dev/hugepages)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print the facts as JSON (schema ppcvm-host/1)", NULL },
    { NULL }
  };
  g_autofree GOptionEntry *all = cli_option_entries (entries, &o, CLI_OPTIONS_HOST);

  if (!cli_parse ("host", "[--check [--fix] [PROFILE]]", "Show what this host is: CPU, MMU, page size, KVM, hugepages, qemu.",
                  all, &argc, &argv, error))
    return FALSE;
  if (argc > (check ? 2 : 1))
    return cli_usage_error (error, "unexpected argument '%s'", argv[check ? 2 : 1]);
  if ((fix || mount_point) && !check)
    return cli_usage_error (error, "%s goes with --check: ppcvm host --check --fix [PROFILE]",
                            fix ? "--fix" : "--mount-point");
  if (mount_point && !fix)
    return cli_usage_error (error, "--mount-point goes with --fix");
  if (fix) {
    g_autofree char *mp = NULL;
    if (o.host_file)
      return cli_usage_error (error, "--fix changes this machine, so it checks this machine: not --host FILE");
    if (!host_sysroot_is_running_kernel (o.sysroot)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_REFUSED,
                   "--fix changes the running kernel, and %s is not it (its proc/meminfo is not /proc/meminfo): "
                   "run ppcvm host --check --fix without --sysroot", o.sysroot);
      return FALSE;
    }
    if (geteuid () != 0) {
      g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_REFUSED,
                           "--fix needs root (it reserves hugepages, mounts hugetlbfs, takes SMT threads offline "
                           "and loads kernel modules): run it as root (sudo ppcvm host --check --fix), or run "
                           "ppcvm host --check to see the fixes");
      return FALSE;
    }
    mp = g_canonicalize_filename (mount_point ? mount_point : "/dev/hugepages", NULL);
    return host_fix (&o, argc > 1 ? argv[1] : NULL, mp, error);
  }
  if (check)
    return host_check (&o, argc > 1 ? argv[1] : NULL, error);
  facts = cli_load_host (&o, NULL, FALSE, error);
  if (facts == NULL)
    return FALSE;
  if (o.json) {
    cli_print_json (stdout, host_facts_to_json (facts));
  } else {
    g_autoptr (GPtrArray) advice = plan_host_advice (facts);
    g_autofree char *s = output_host_text (facts, advice);
    fputs (s, stdout);
  }
  return TRUE;
}
