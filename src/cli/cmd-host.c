/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "host-json.h"
#include "output.h"
#include "planner.h"

/* ppcvm host --check [PROFILE]: every prerequisite, PASS/WARN/FAIL with the
 * fix; exit 0 only when every check passed. */
static gboolean
host_check (const CliHostOptions *o, const char *profile_arg, GError **error)
{
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (GPtrArray) checks = NULL;
  gboolean ok = TRUE;

  if (profile_arg != NULL) {
    if (!cli_load_profile_and_host (profile_arg, o, &profile, &facts, error))
      return FALSE;
  } else if ((facts = cli_load_host (o, NULL, FALSE, error)) == NULL) {
    return FALSE;
  }
  checks = plan_host_checks (facts);
  if (profile != NULL) {
    g_autoptr (Plan) plan = plan_build (facts, facts->qemu, profile);
    plan_add_plan_checks (checks, plan);
  }
  for (guint i = 0; i < checks->len; i++)
    ok &= ((PlanCheck *) g_ptr_array_index (checks, i))->level == PLAN_CHECK_PASS;
  if (o->json) {
    json_object *root = json_object_new_object ();
    json_object *arr = json_object_new_array ();
    json_object_object_add (root, "schema", json_object_new_string ("ppcvm-check/1"));
    json_object_object_add (root, "ok", json_object_new_boolean (ok));
    if (profile != NULL)
      json_object_object_add (root, "profile", json_object_new_string (profile->id ? profile->id : profile_arg));
    for (guint i = 0; i < checks->len; i++) {
      PlanCheck *c = g_ptr_array_index (checks, i);
      json_object *jc = json_object_new_object ();
      json_object_object_add (jc, "id", json_object_new_string (c->id));
      json_object_object_add (jc, "result", json_object_new_string (plan_check_level_to_string (c->level)));
      json_object_object_add (jc, "text", json_object_new_string (c->text));
      json_object_array_add (arr, jc);
    }
    json_object_object_add (root, "checks", arr);
    cli_print_json (stdout, root);
  } else {
    for (guint i = 0; i < checks->len; i++) {
      PlanCheck *c = g_ptr_array_index (checks, i);
      g_autofree char *level = g_ascii_strup (plan_check_level_to_string (c->level), -1);
      printf ("%-4s  %-9s  %s\n", level, c->id, c->text);
    }
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
  gboolean check = FALSE;
  GOptionEntry entries[] = {
    { "check", 0, 0, G_OPTION_ARG_NONE, &check,
      "Check every prerequisite of this host (and of PROFILE's plan): PASS, WARN or FAIL with the fix", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print the facts as JSON (schema ppcvm-host/1)", NULL },
    { NULL }
  };
  g_autofree GOptionEntry *all = cli_option_entries (entries, &o, CLI_OPTIONS_HOST);

  if (!cli_parse ("host", "[--check [PROFILE]]", "Show what this host is: CPU, MMU, page size, KVM, hugepages, qemu.",
                  all, &argc, &argv, error))
    return FALSE;
  if (argc > (check ? 2 : 1))
    return cli_usage_error (error, "unexpected argument '%s'", argv[check ? 2 : 1]);
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
