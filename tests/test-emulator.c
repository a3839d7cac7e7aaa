/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "emulator-private.h"
#include "testlib.h"
#include "util.h"
#include "util-json.h"

/* A fresh temporary directory per test, also used as $XDG_CACHE_HOME/.. */
static char *tmpdir;

static void
tmpdir_setup (void)
{
  g_autofree char *cache = NULL;

  tmpdir = testlib_tmpdir ("emulator");
  cache = g_build_filename (tmpdir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
}

static void
tmpdir_teardown (void)
{
  testlib_rm_rf (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

/* Write an executable script NAME into tmpdir; returns its path. */
static char *
write_script (const char *name, const char *body, int mode)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);

  ck_assert (g_file_set_contents (path, body, -1, NULL));
  ck_assert_int_eq (g_chmod (path, mode), 0);
  return g_steal_pointer (&path);
}

static char *
facts_string (const EmulatorFacts *facts)
{
  g_autoptr (json_object) obj = emulator_facts_to_json (facts);

  return g_strdup (json_object_to_json_string_ext (obj, JSON_C_TO_STRING_PLAIN));
}

static EmulatorFacts *
facts_from_string (const char *text, GError **error)
{
  g_autoptr (json_object) obj = json_tokener_parse (text);

  ck_assert_msg (obj != NULL, "test JSON does not parse: %s", text);
  return emulator_facts_from_json (obj, error);
}

static EmulatorFacts *
parse_fixture (void)
{
  g_autofree char *text = testlib_read_data ("qmp-probe-7.2.txt");
  g_autoptr (GError) error = NULL;
  EmulatorFacts *facts = emulator_parse_probe_output ("/usr/bin/qemu-system-ppc64", text, &error);

  ck_assert_msg (facts != NULL, "%s", error ? error->message : "?");
  return facts;
}

static const char *
machine_name (const EmulatorFacts *facts, guint i)
{
  return ((const EmulatorMachine *) g_ptr_array_index (facts->machines, i))->name;
}

static int
machine_index (const EmulatorFacts *facts, const char *name)
{
  for (guint i = 0; i < facts->machines->len; i++)
    if (strcmp (machine_name (facts, i), name) == 0)
      return (int) i;
  return -1;
}

/* ---- parsing the recorded probe of QEMU 7.2 ---- */

START_TEST (test_parse_real_72)
{
  g_autoptr (EmulatorFacts) facts = parse_fixture ();
  const char *const accels[] = { "tcg", NULL };
  const char *const present[] = { "cap-htm", "cap-vsx", "cap-dfp", "cap-cfpc", "cap-sbbc",
                                  "cap-ibs", "cap-hpt-max-page-size", "cap-nested-hv",
                                  "cap-ccf-assist", "cap-fwnmi", "cap-large-decr",
                                  "cap-rpt-invalidate", NULL };
  const EmulatorMachine *m;

  ck_assert_str_eq (facts->path, "/usr/bin/qemu-system-ppc64");
  ck_assert_str_eq (facts->version, "7.2.22");
  ck_assert_int_eq (facts->major, 7);
  ck_assert_int_eq (facts->minor, 2);
  ck_assert_int_eq (facts->micro, 22);
  ck_assert (g_strv_equal ((const char *const *) facts->accelerators, accels));

  /* pseries-2.1 .. pseries-7.2, 2.12-sxxm included, nothing else. */
  ck_assert_uint_eq (facts->machines->len, 27);
  ck_assert_str_eq (machine_name (facts, 0), "pseries-2.1");
  ck_assert_str_eq (machine_name (facts, facts->machines->len - 1), "pseries-7.2");
  ck_assert_int_eq (machine_index (facts, "powernv9"), -1);
  ck_assert_int_eq (machine_index (facts, "pseries-2.10"),
                    machine_index (facts, "pseries-2.9") + 1);
  ck_assert_int_eq (machine_index (facts, "pseries-2.12-sxxm"),
                    machine_index (facts, "pseries-2.12") + 1);
  ck_assert_int_eq (machine_index (facts, "pseries-3.0"),
                    machine_index (facts, "pseries-2.12-sxxm") + 1);

  ck_assert_str_eq (facts->default_machine, "pseries-7.2");
  m = emulator_find_machine (facts, "pseries");
  ck_assert_ptr_nonnull (m);
  ck_assert_str_eq (m->name, "pseries-7.2");
  ck_assert_str_eq (m->alias, "pseries");
  ck_assert_str_eq (m->default_cpu, "power9_v2.0");
  ck_assert (m->is_default);
  m = emulator_find_machine (facts, "pseries-2.11");
  ck_assert_str_eq (m->default_cpu, "power8_v2.0");
  ck_assert_ptr_null (m->alias);
  ck_assert (!m->is_default);
  ck_assert_str_eq (emulator_find_machine (facts, "pseries-2.7")->default_cpu, "power7_v2.3");
  ck_assert_str_eq (emulator_find_machine (facts, "pseries-4.0")->default_cpu, "power9_v2.0");

  ck_assert_ptr_nonnull (facts->caps);
  ck_assert_uint_eq (g_strv_length (facts->caps), 12);
  for (guint i = 0; present[i] != NULL; i++)
    ck_assert_msg (g_strv_contains ((const char *const *) facts->caps, present[i]), "%s",
                   present[i]);
  ck_assert (!g_strv_contains ((const char *const *) facts->caps, "cap-ail-mode-3"));
  for (guint i = 1; facts->caps[i] != NULL; i++)
    ck_assert (strcmp (facts->caps[i - 1], facts->caps[i]) < 0);
  /* The probed list wins over the version table. */
  ck_assert (!emulator_has_cap (facts, "cap-ail-mode-3"));
  ck_assert (emulator_has_cap (facts, "cap-rpt-invalidate"));
}
END_TEST

START_TEST (test_parse_events_and_failed_caps)
{
  /* Events anywhere are skipped; a QEMU that cannot list the abstract
   * type's properties leaves caps unknown. */
  const char *text =
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 3}}}}\n"
    "{\"event\": \"X\", \"id\": \"machines\"}\n"
    "{\"return\": {}, \"id\": \"negotiate\"}\n"
    "{\"return\": [{\"name\": \"pseries-3.1\", \"alias\": \"pseries\", \"is-default\": true},"
    " {\"name\": \"pseries-3.0\", \"default-cpu-type\": \"power8_v2.0-powerpc64-cpu\"},"
    " {\"name\": \"mac99\"}], \"id\": \"machines\"}\n"
    "{\"return\": [{\"name\": \"kvm-accel\"}, {\"name\": \"tcg-accel\"},"
    " {\"name\": \"qtest-accel\"}, {\"name\": \"accel\"}], \"id\": \"accel\"}\n"
    "\n"
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"abstract\"}, \"id\": \"caps\"}\n";
  const char *const accels[] = { "kvm", "tcg", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = emulator_parse_probe_output ("qemu", text, &error);

  ck_assert_msg (facts != NULL, "%s", error ? error->message : "?");
  ck_assert_str_eq (facts->version, "3.1.0");
  ck_assert (g_strv_equal ((const char *const *) facts->accelerators, accels));
  ck_assert_uint_eq (facts->machines->len, 2);
  ck_assert_str_eq (machine_name (facts, 0), "pseries-3.0");
  ck_assert_str_eq (emulator_find_machine (facts, "pseries-3.0")->default_cpu, "power8_v2.0");
  ck_assert_ptr_null (emulator_find_machine (facts, "pseries-3.1")->default_cpu);
  ck_assert_str_eq (facts->default_machine, "pseries-3.1");
  ck_assert_ptr_null (facts->caps);
  ck_assert (emulator_has_cap (facts, "cap-nested-hv"));
  ck_assert (!emulator_has_cap (facts, "cap-large-decr"));
}
END_TEST

static const struct {
  const char *name;
  int lines;        /* keep the fixture's first N lines; -1: use TEXT */
  int cut;          /* then drop this many characters from the end */
  const char *text;
  const char *message;
} malformed[] = {
  { "empty", -1, 0, "", "it printed nothing" },
  { "blank", -1, 0, "\n \n", "it printed nothing" },
  { "garbage", -1, 0, "hello world\n", "not QMP: \"hello world\"" },
  { "json-array", -1, 0, "[1, 2]\n", "not QMP" },
  { "trailing", -1, 0, "{\"QMP\": {}} x\n", "not QMP" },
  { "no-greeting", -1, 0, "{\"return\": {}, \"id\": \"negotiate\"}\n", "no QMP greeting" },
  { "no-version", -1, 0, "{\"QMP\": {\"version\": {}}}\n", "greeting has no version" },
  { "greeting-only", 1, 0, NULL, "before the reply to query-machines" },
  { "truncated-line", 3, 200, NULL, "truncated" },
  { "no-accel", 3, 0, NULL, "before the reply to qom-list-types" },
  { "no-caps", 4, 0, NULL, "before the reply to qom-list-properties" },
  { "machines-error", -1, 0,
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}}}\n"
    "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no such command\"},"
    " \"id\": \"machines\"}\n",
    "QMP query-machines failed: no such command" },
  { "machines-not-list", -1, 0,
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}}}\n"
    "{\"return\": {}, \"id\": \"machines\"}\n",
    "query-machines did not return a list" },
  { "no-pseries", -1, 0,
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}}}\n"
    "{\"return\": [{\"name\": \"pc-q35-7.2\"}], \"id\": \"machines\"}\n",
    "no pseries machine types" },
};

START_TEST (test_parse_malformed)
{
  g_autofree char *fixture = testlib_read_data ("qmp-probe-7.2.txt");
  g_auto (GStrv) lines = g_strsplit (fixture, "\n", -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = NULL;
  g_autofree char *text = NULL;

  if (malformed[_i].lines >= 0) {
    char *saved = lines[malformed[_i].lines];
    lines[malformed[_i].lines] = NULL;
    text = g_strjoinv ("\n", lines);
    lines[malformed[_i].lines] = saved;
    text[strlen (text) - (size_t) malformed[_i].cut] = '\0';
  } else {
    text = g_strdup (malformed[_i].text);
  }
  facts = emulator_parse_probe_output ("/opt/q/qemu-system-ppc64", text, &error);
  ck_assert_msg (facts == NULL, "%s: parsed", malformed[_i].name);
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_FAILED));
  ck_assert_msg (strstr (error->message, "/opt/q/qemu-system-ppc64") != NULL, "%s: %s",
                 malformed[_i].name, error->message);
  ck_assert_msg (strstr (error->message, malformed[_i].message) != NULL, "%s: %s",
                 malformed[_i].name, error->message);
}
END_TEST

/* ---- JSON ---- */

START_TEST (test_json_round_trip)
{
  g_autoptr (EmulatorFacts) facts = parse_fixture ();
  g_autoptr (EmulatorFacts) copy = emulator_facts_copy (facts);
  g_autofree char *text = facts_string (facts);
  g_autofree char *copy_text = facts_string (copy);
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) back = facts_from_string (text, &error);
  g_autofree char *back_text = NULL;

  ck_assert_msg (back != NULL, "%s", error ? error->message : "?");
  back_text = facts_string (back);
  ck_assert_str_eq (back_text, text);
  ck_assert_str_eq (copy_text, text);
  ck_assert (strstr (text, "{\"name\":\"pseries-7.2\",\"alias\":\"pseries\","
                           "\"default_cpu\":\"power9_v2.0\",\"default\":true}") != NULL);
  ck_assert (strstr (text, "\"version\":\"7.2.22\"") != NULL);
  ck_assert (strstr (text, "\"default_machine\":\"pseries-7.2\"") != NULL);
}
END_TEST

START_TEST (test_json_hand_written)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = facts_from_string (
    "{\"version\": \"7.2\", \"machines\": [\"pseries-7.2\", \"pseries-2.12-sxxm\", "
    "\"pseries-2.12\", \"pseries-2.1\"], \"future\": {\"x\": 1}}", &error);
  g_autoptr (EmulatorFacts) bare = NULL;
  g_autoptr (EmulatorFacts) empty_caps = NULL;
  g_autofree char *text = NULL;
  int major = 0, minor = 0;

  ck_assert_msg (facts != NULL, "%s", error ? error->message : "?");
  ck_assert_ptr_null (facts->path);
  ck_assert_str_eq (facts->version, "7.2.0");
  /* No accelerators in the file: unknown, not "TCG only". */
  ck_assert_ptr_null (facts->accelerators);
  ck_assert_ptr_null (facts->caps);
  ck_assert_str_eq (machine_name (facts, 0), "pseries-2.1");
  ck_assert_str_eq (machine_name (facts, 2), "pseries-2.12-sxxm");
  ck_assert_str_eq (facts->default_machine, "pseries-7.2");
  ck_assert_str_eq (emulator_find_machine (facts, "pseries")->name, "pseries-7.2");
  ck_assert (emulator_machine_version (facts, "pseries", &major, &minor));
  ck_assert_int_eq (major, 7);
  ck_assert_int_eq (minor, 2);
  ck_assert (emulator_has_cap (facts, "cap-rpt-invalidate"));
  ck_assert (!emulator_has_cap (facts, "cap-ail-mode-3"));
  /* Unknown caps stay unknown in the output, so they are derived again. */
  text = facts_string (facts);
  ck_assert (strstr (text, "\"caps\"") == NULL);

  bare = facts_from_string ("{\"version\": \"9.0.1\", \"accelerators\": [\"kvm\", \"tcg\"]}",
                            &error);
  ck_assert_msg (bare != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (bare->machines->len, 0);
  ck_assert_ptr_null (bare->default_machine);
  ck_assert_ptr_null (emulator_find_machine (bare, "pseries"));
  ck_assert (!emulator_machine_version (bare, "pseries", &major, &minor));
  ck_assert (emulator_has_accel (bare, "kvm"));
  ck_assert (emulator_has_cap (bare, "cap-nested-papr"));

  /* An empty list is known: QEMU 2.11 has no caps. */
  empty_caps = facts_from_string ("{\"version\": \"2.11.0\", \"caps\": [], \"default_machine\": null}",
                                  &error);
  ck_assert_msg (empty_caps != NULL, "%s", error ? error->message : "?");
  ck_assert_ptr_nonnull (empty_caps->caps);
  ck_assert (!emulator_has_cap (empty_caps, "cap-htm"));
}
END_TEST

static const struct {
  const char *json;
  const char *message;
} wrong_types[] = {
  { "[]", "qemu: expected an object" },
  { "{}", "qemu.version: expected a string like \"7.2.0\"" },
  { "{\"version\": 7}", "qemu.version: expected a string like \"7.2.0\"" },
  { "{\"version\": \"7\"}", "qemu.version: expected a string like \"7.2.0\"" },
  { "{\"version\": \"7.2.x\"}", "qemu.version: expected a string like \"7.2.0\"" },
  { "{\"version\": \"7.2.0.1\"}", "qemu.version: expected a string like \"7.2.0\"" },
  { "{\"version\": \"7.2.0\", \"path\": 1}", "qemu.path: expected a string" },
  { "{\"version\": \"7.2.0\", \"accelerators\": \"tcg\"}", "qemu.accelerators: expected a list of strings" },
  { "{\"version\": \"7.2.0\", \"accelerators\": [\"tcg\", 1]}", "qemu.accelerators: expected a list of strings" },
  { "{\"version\": \"7.2.0\", \"machines\": {}}", "qemu.machines: expected a list" },
  { "{\"version\": \"7.2.0\", \"machines\": [\"pseries-7.2\", 3]}", "qemu.machines[1]: expected a machine name" },
  { "{\"version\": \"7.2.0\", \"machines\": [{\"alias\": \"pseries\"}]}", "qemu.machines[0].name: expected" },
  { "{\"version\": \"7.2.0\", \"machines\": [{\"name\": \"pseries-7.2\", \"alias\": true}]}", "qemu.machines[0].alias: expected a string" },
  { "{\"version\": \"7.2.0\", \"machines\": [{\"name\": \"pseries-7.2\", \"default_cpu\": 9}]}", "qemu.machines[0].default_cpu: expected a string" },
  { "{\"version\": \"7.2.0\", \"machines\": [{\"name\": \"pseries-7.2\", \"default\": \"yes\"}]}", "qemu.machines[0].default: expected true or false" },
  { "{\"version\": \"7.2.0\", \"default_machine\": 3}", "qemu.default_machine: expected a string" },
  { "{\"version\": \"7.2.0\", \"caps\": \"cap-htm\"}", "qemu.caps: expected a list of strings" },
  { "{\"version\": \"7.2.0\", \"caps\": [{}]}", "qemu.caps: expected a list of strings" },
};

START_TEST (test_json_wrong_types)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = facts_from_string (wrong_types[_i].json, &error);

  ck_assert_msg (facts == NULL, "%s: accepted", wrong_types[_i].json);
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_INVALID));
  ck_assert_msg (g_str_has_prefix (error->message, wrong_types[_i].message), "%s: %s",
                 wrong_types[_i].json, error->message);
}
END_TEST

/* ---- rules ---- */

/* MACHINE-TYPES: the first QEMU with each cap (spapr_caps.c
 * capability_table[]), both sides of every boundary. */
static const struct {
  const char *cap;
  const char *version;
  gboolean has;
} cap_rows[] = {
  { "cap-htm", "2.11.0", FALSE },          { "cap-htm", "2.12.0", TRUE },
  { "cap-vsx", "2.11.2", FALSE },          { "cap-vsx", "2.12.0", TRUE },
  { "cap-dfp", "2.12.0", TRUE },           { "cap-cfpc", "2.12.0", TRUE },
  { "cap-sbbc", "2.12.0", TRUE },          { "cap-ibs", "2.11.0", FALSE },
  { "cap-ibs", "2.12.0", TRUE },           { "cap-hpt-max-page-size", "2.12.1", FALSE },
  { "cap-hpt-max-page-size", "3.0.0", TRUE }, { "cap-nested-hv", "3.0.0", FALSE },
  { "cap-nested-hv", "3.1.0", TRUE },      { "cap-large-decr", "3.1.0", FALSE },
  { "cap-large-decr", "4.0.0", TRUE },     { "cap-ccf-assist", "3.1.1", FALSE },
  { "cap-ccf-assist", "4.0.0", TRUE },     { "cap-fwnmi", "4.2.1", FALSE },
  { "cap-fwnmi", "5.0.0", TRUE },          { "cap-rpt-invalidate", "6.0.0", FALSE },
  { "cap-rpt-invalidate", "6.1.0", TRUE }, { "cap-ail-mode-3", "8.0.5", FALSE },
  { "cap-ail-mode-3", "8.1.0", TRUE },     { "cap-nested-papr", "8.2.0", FALSE },
  { "cap-nested-papr", "9.0.0", TRUE },    { "cap-dawr1", "9.2.0", FALSE },
  { "cap-dawr1", "10.0.0", TRUE },         { "cap-dawr1", "11.1.0", TRUE },
  { "htm", "7.2.0", TRUE },                { "cap-no-such-thing", "99.0.0", FALSE },
};

START_TEST (test_has_cap_by_version)
{
  g_autofree char *json = g_strdup_printf ("{\"version\": \"%s\"}", cap_rows[_i].version);
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = facts_from_string (json, &error);

  ck_assert_msg (facts != NULL, "%s", error ? error->message : "?");
  ck_assert_msg (emulator_has_cap (facts, cap_rows[_i].cap) == cap_rows[_i].has, "%s on %s",
                 cap_rows[_i].cap, cap_rows[_i].version);
}
END_TEST

static const struct {
  const char *machine;
  gboolean ok;
  int major, minor;
} machine_rows[] = {
  { "pseries-2.1", TRUE, 2, 1 },   { "pseries-2.12", TRUE, 2, 12 },
  { "pseries-2.12-sxxm", TRUE, 2, 12 }, { "pseries-10.0", TRUE, 10, 0 },
  { "pseries", TRUE, 7, 2 },       { "pseries-", FALSE },
  { "pseries-7", FALSE },          { "pseries-7.", FALSE },
  { "pseries-.2", FALSE },         { "pseries-7.x", FALSE },
  { "pseries-+7.2", FALSE },       { "powernv9", FALSE },
  { "pc-q35-7.2", FALSE },         { "", FALSE },
};

START_TEST (test_machine_version)
{
  g_autoptr (EmulatorFacts) facts = parse_fixture ();
  int major = -1, minor = -1;
  gboolean ok = emulator_machine_version (facts, machine_rows[_i].machine, &major, &minor);

  ck_assert_msg (ok == machine_rows[_i].ok, "%s", machine_rows[_i].machine);
  if (ok) {
    ck_assert_int_eq (major, machine_rows[_i].major);
    ck_assert_int_eq (minor, machine_rows[_i].minor);
  } else {
    ck_assert_int_eq (major, -1); /* ret_ written only on success */
  }
  if (strcmp (machine_rows[_i].machine, "pseries") == 0)
    ck_assert (!emulator_machine_version (NULL, "pseries", &major, &minor));
}
END_TEST

static const struct {
  const char *version;
  int major, minor;
  gboolean at_least;
} version_rows[] = {
  { "7.2.22", 7, 2, TRUE },  { "7.2.22", 7, 3, FALSE }, { "7.2.22", 6, 9, TRUE },
  { "7.2.22", 8, 0, FALSE }, { "10.0.0", 9, 2, TRUE },  { "2.12.0", 2, 12, TRUE },
  { "2.9.0", 2, 12, FALSE }, { "2.12.0", 3, 0, FALSE },
};

START_TEST (test_version_compare)
{
  g_autofree char *json = g_strdup_printf ("{\"version\": \"%s\"}", version_rows[_i].version);
  g_autoptr (EmulatorFacts) facts = facts_from_string (json, NULL);

  ck_assert_ptr_nonnull (facts);
  ck_assert_msg (emulator_version_at_least (facts, version_rows[_i].major, version_rows[_i].minor) ==
                   version_rows[_i].at_least,
                 "%s >= %d.%d", version_rows[_i].version, version_rows[_i].major,
                 version_rows[_i].minor);
}
END_TEST

START_TEST (test_find_machine)
{
  g_autoptr (EmulatorFacts) facts = parse_fixture ();

  ck_assert_str_eq (emulator_find_machine (facts, "pseries-2.12-sxxm")->name, "pseries-2.12-sxxm");
  ck_assert_str_eq (emulator_find_machine (facts, "pseries")->name, "pseries-7.2");
  ck_assert_ptr_null (emulator_find_machine (facts, "pseries-8.0"));
  ck_assert_ptr_null (emulator_find_machine (facts, "powernv9"));
  ck_assert (emulator_has_accel (facts, "tcg"));
  ck_assert (!emulator_has_accel (facts, "kvm"));
  ck_assert (!emulator_has_accel (facts, "qtest"));
}
END_TEST

/* ---- finding the binary ---- */

START_TEST (test_find_binary)
{
  g_autofree char *exe = write_script ("qemu-system-ppc64", "#!/bin/sh\nexit 0\n", 0755);
  g_autofree char *plain = write_script ("plain", "not a program\n", 0644);
  g_autofree char *missing = g_build_filename (tmpdir, "missing", NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;
  struct {
    const char *path;
    const char *problem;
  } bad[] = {
    { missing, "not found" },
    { plain, "not executable" },
    { tmpdir, "a directory" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree char *r = emulator_find_binary (bad[i].path, &error);
    ck_assert_ptr_null (r);
    ck_assert_msg (strstr (error->message, bad[i].path) && strstr (error->message, bad[i].problem),
                   "%s", error->message);
    g_clear_error (&error);
  }
  found = emulator_find_binary (exe, &error);
  ck_assert_str_eq (found, exe);
  g_clear_pointer (&found, g_free);

  g_setenv ("PATH", tmpdir, TRUE);
  found = emulator_find_binary (NULL, &error);
  ck_assert_str_eq (found, exe);
  g_setenv ("PATH", "/nonexistent-ppcvm", TRUE);
  g_clear_pointer (&found, g_free);
  found = emulator_find_binary (NULL, &error);
  g_setenv ("PATH", old_path, TRUE);
  ck_assert_ptr_null (found);
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_NO_PROGRAM));
  ck_assert_str_eq (error->message,
                    "qemu-system-ppc64 not found on PATH: sudo apt-get install qemu-system-ppc "
                    "(or pass --qemu PATH)");
}
END_TEST

/* ---- fake emulators ---- */

static const struct {
  const char *name;
  const char *body;
  const char *message;
} fakes[] = {
  { "garbage-exit1", "#!/bin/sh\necho 'this is not qemu'\nexit 1\n",
    "exited with status 1 during the probe: this is not qemu" },
  { "stderr-exit1", "#!/bin/sh\necho 'qemu: unsupported machine type' >&2\nexit 1\n",
    "exited with status 1 during the probe: qemu: unsupported machine type" },
  { "garbage-exit0", "#!/bin/sh\necho 'hello world'\n", "not QMP: \"hello world\"" },
  { "silent", "#!/bin/sh\nexit 0\n", "it printed nothing" },
  { "segv", "#!/bin/sh\nkill -SEGV $$\n", "was killed by signal 11" },
  { "greeting-then-exit",
    "#!/bin/sh\necho '{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}}}'\n",
    "stops before the reply to query-machines" },
};

START_TEST (test_fake_emulator)
{
  g_autofree char *path = write_script (fakes[_i].name, fakes[_i].body, 0755);
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = emulator_probe (path, 5000, &error);

  ck_assert_msg (facts == NULL, "%s: probe succeeded", fakes[_i].name);
  ck_assert_msg (strstr (error->message, path) != NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, fakes[_i].message) != NULL, "%s: %s", fakes[_i].name,
                 error->message);
}
END_TEST

START_TEST (test_fake_timeout)
{
  g_autofree char *path = write_script ("sleeper", "#!/bin/sh\nsleep 30\n", 0755);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  g_autoptr (EmulatorFacts) facts = emulator_probe_uncached (path, 500, &error);
  gint64 elapsed = g_get_monotonic_time () - start;
  g_autofree char *expected =
    g_strdup_printf ("qemu-system-ppc64 did not answer the probe within 0.5 s: %s", path);

  ck_assert_ptr_null (facts);
  ck_assert_str_eq (error->message, expected);
  ck_assert_msg (elapsed < 3 * G_USEC_PER_SEC, "took %" G_GINT64_FORMAT " us", elapsed);
}
END_TEST

START_TEST (test_fake_unrunnable)
{
  g_autofree char *plain = write_script ("plain", "#!/bin/sh\nexit 0\n", 0644);
  g_autofree char *missing = g_build_filename (tmpdir, "missing", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = emulator_probe (missing, 5000, &error);

  ck_assert_ptr_null (facts);
  ck_assert_msg (strstr (error->message, missing) && strstr (error->message, "not found"), "%s",
                 error->message);
  g_clear_error (&error);
  facts = emulator_probe (plain, 5000, &error);
  ck_assert_ptr_null (facts);
  ck_assert_msg (strstr (error->message, plain) != NULL, "%s", error->message);
  g_clear_error (&error);
  facts = emulator_probe (tmpdir, 5000, &error);
  ck_assert_ptr_null (facts);
  ck_assert_msg (strstr (error->message, tmpdir) != NULL, "%s", error->message);
}
END_TEST

/* ---- the real emulator and the cache ---- */

static char *
real_qemu (void)
{
  const char *env = g_getenv ("PPCVM_QEMU");
  char *path = env != NULL && *env ? g_strdup (env) : g_find_program_in_path ("qemu-system-ppc64");

  ck_assert_msg (path != NULL, "qemu-system-ppc64 is not installed: install qemu-system-ppc "
                               "or set PPCVM_QEMU");
  return path;
}

START_TEST (test_real_probe)
{
  g_autofree char *qemu = real_qemu ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = emulator_probe_uncached (qemu, 10000, &error);

  ck_assert_msg (facts != NULL, "%s", error ? error->message : "?");
  ck_assert_str_eq (facts->path, qemu);
  ck_assert (emulator_has_accel (facts, "tcg"));
  ck_assert_ptr_nonnull (facts->default_machine);
  ck_assert_ptr_nonnull (emulator_find_machine (facts, "pseries"));
  ck_assert_ptr_nonnull (facts->caps);
  ck_assert (emulator_has_cap (facts, "cap-htm"));
  /* The recording must match what the installed 7.2.22 says today. */
  if (strcmp (facts->version, "7.2.22") == 0) {
    g_autoptr (EmulatorFacts) recorded = parse_fixture ();
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_free (recorded->path);
    recorded->path = g_strdup (qemu);
    /* Not part of the QMP recording: `-L help` and the files there, and
     * `-display help` ("none" is always built in). */
    recorded->data_dirs = g_strdupv (facts->data_dirs);
    recorded->firmware = g_strdupv (facts->firmware);
    recorded->displays = g_strdupv (facts->displays);
    ck_assert_ptr_nonnull (facts->displays);
    ck_assert (!emulator_display_missing (facts, "none"));
    ck_assert_ptr_nonnull (facts->data_dirs);
    ck_assert_ptr_nonnull (facts->firmware);
    a = facts_string (facts);
    b = facts_string (recorded);
    ck_assert_str_eq (a, b);
  }
}
END_TEST

/* A cold probe starts qemu three times: the QMP session, `-L help` and
 * `-display help`. */
#define PROBE_RUNS 3

static guint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

/* The only cache file in $XDG_CACHE_HOME/ppcvm. */
static char *
cache_file (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("XDG_CACHE_HOME"), "ppcvm", NULL);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;
  guint n = 0;

  ck_assert_ptr_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL) {
    n++;
    if (g_str_has_prefix (name, "emulator-") && g_str_has_suffix (name, ".gvariant"))
      found = g_build_filename (dir, name, NULL);
  }
  g_dir_close (d);
  ck_assert_uint_eq (n, 1);
  ck_assert_ptr_nonnull (found);
  return found;
}

/* The cache's GVariant form: a round trip keeps every fact but the firmware
 * (looked up again on load); damaged bytes never crash the reader and give
 * either nothing or facts that still hold together. */
START_TEST (test_variant_round_trip_and_damage)
{
  g_autoptr (EmulatorFacts) facts = parse_fixture ();
  g_autoptr (EmulatorFacts) back = NULL;
  g_autoptr (GVariant) v = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  gsize size;
  guint accepted = 0;

  g_clear_pointer (&facts->firmware, g_strfreev);
  v = g_variant_ref_sink (emulator_facts_to_variant (facts));
  ck_assert (g_variant_is_normal_form (v));
  back = emulator_facts_from_variant (v);
  ck_assert_ptr_nonnull (back);
  g_free (back->path);
  back->path = g_strdup (facts->path);
  want = facts_string (facts);
  got = facts_string (back);
  ck_assert_str_eq (got, want);

  /* A list that is known and empty stays empty, not unknown (NULL: caps
   * derived from the version, displays not probed). */
  {
    g_autoptr (EmulatorFacts) none = parse_fixture ();
    g_autoptr (EmulatorFacts) none_back = NULL;
    g_autoptr (GVariant) none_v = NULL;

    g_strfreev (none->caps);
    none->caps = g_new0 (char *, 1);
    g_strfreev (none->displays);
    none->displays = g_new0 (char *, 1);
    none_v = g_variant_ref_sink (emulator_facts_to_variant (none));
    none_back = emulator_facts_from_variant (none_v);
    ck_assert_ptr_nonnull (none_back);
    ck_assert_ptr_nonnull (none_back->caps);
    ck_assert_ptr_null (none_back->caps[0]);
    ck_assert_ptr_nonnull (none_back->displays);
    ck_assert_ptr_null (none_back->displays[0]);
  }

  size = g_variant_get_size (v);
  for (gsize i = 0; i < size; i++) {
    g_autofree guint8 *bytes = g_memdup2 (g_variant_get_data (v), size);
    g_autoptr (GVariant) damaged = NULL;
    g_autoptr (EmulatorFacts) f = NULL;

    bytes[i] ^= 0xff;
    damaged = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (EMULATOR_FACTS_VARIANT_TYPE), bytes,
                                                           size, FALSE, NULL, NULL));
    f = emulator_facts_from_variant (damaged);
    if (f == NULL)
      continue;
    accepted++;
    ck_assert_uint_gt (f->machines->len, 0);
    ck_assert_ptr_nonnull (emulator_find_machine (f, f->default_machine));
    ck_assert_ptr_nonnull (f->version);
  }
  /* A flipped byte inside a machine or cap name still reads: the check is
   * that nothing breaks, not that every change is caught. */
  ck_assert_uint_lt (accepted, size);

  /* The machine table's columns (names, aliases, default CPUs, default
   * flags) must hold as many rows each: one more or one less is refused. */
  for (gsize column = 2; column <= 5; column++) {
    for (int more = 0; more <= 1; more++) {
      gsize n = g_variant_n_children (v);
      g_autofree GVariant **children = g_new0 (GVariant *, n);
      g_autoptr (GVariant) bad = NULL;
      g_autoptr (EmulatorFacts) f = NULL;
      gsize len = 0;
      const guint8 *data;
      g_autoptr (GVariant) old = g_variant_get_child_value (v, column);

      for (gsize i = 0; i < n; i++)
        children[i] = i == column ? NULL : g_variant_get_child_value (v, i);
      data = g_variant_get_fixed_array (old, &len, 1);
      if (more) {
        g_autofree guint8 *longer = g_malloc0 (len + 2);
        memcpy (longer, data, len);
        longer[len] = column == 5 ? 0 : 'x';
        children[column] = g_variant_ref_sink (
            g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, longer, len + (column == 5 ? 1 : 2), 1));
      } else {
        /* Without the last row: a column of strings ends at the NUL
         * before its last string. */
        gsize cut = len - 1;
        while (column != 5 && cut > 0 && data[cut - 1] != 0)
          cut--;
        children[column] = g_variant_ref_sink (
            g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, column == 5 ? len - 1 : cut, 1));
      }
      bad = g_variant_ref_sink (g_variant_new_tuple (children, n));
      for (gsize i = 0; i < n; i++)
        g_variant_unref (children[i]);
      f = emulator_facts_from_variant (bad);
      ck_assert_msg (f == NULL, "column %zu with a row %s was accepted", column, more ? "more" : "less");
    }
  }
}
END_TEST

START_TEST (test_real_cache)
{
  g_autofree char *qemu = real_qemu ();
  g_autofree char *count = g_build_filename (tmpdir, "runs", NULL);
  g_autofree char *body = NULL;
  g_autofree char *wrapper = NULL;
  g_autofree char *cold_text = NULL;
  g_autofree char *warm_text = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) cold = NULL;
  g_autoptr (EmulatorFacts) warm = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GVariant) stored = NULL;
  g_autoptr (GVariant) key = NULL;
  g_autoptr (GVariant) facts = NULL;
  const char *format = NULL;
  gsize len = 0;
  g_autofree char *quoted_count = g_shell_quote (count);
  g_autofree char *quoted_qemu = g_shell_quote (qemu);
  struct utimbuf times;
  struct stat st, st2;

  /* The wrapper counts its runs: a cache hit must not start it. */
  body = g_strdup_printf ("#!/bin/sh\necho run >> %s\nexec %s \"$@\"\n", quoted_count, quoted_qemu);
  wrapper = write_script ("qemu-wrapper", body, 0755);

  cold = emulator_probe (wrapper, 10000, &error);
  ck_assert_msg (cold != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (count_lines (count), 1 * PROBE_RUNS);
  cache = cache_file ();
  ck_assert_int_eq (g_stat (cache, &st), 0);
  ck_assert_int_eq (st.st_mode & 0777, 0600);

  warm = emulator_probe (wrapper, 10000, &error);
  ck_assert_msg (warm != NULL, "%s", error ? error->message : "?");
  ck_assert_uint_eq (count_lines (count), 1 * PROBE_RUNS);
  cold_text = facts_string (cold);
  warm_text = facts_string (warm);
  ck_assert_str_eq (warm_text, cold_text);
  ck_assert_int_eq (g_stat (cache, &st2), 0);
  ck_assert_int_eq (st2.st_mtim.tv_sec, st.st_mtim.tv_sec);
  ck_assert_int_eq (st2.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
  g_clear_pointer (&warm, emulator_facts_free);

  /* A changed mtime invalidates. */
  times.actime = times.modtime = time (NULL) - 1000;
  ck_assert_int_eq (utime (wrapper, &times), 0);
  warm = emulator_probe (wrapper, 10000, &error);
  ck_assert_ptr_nonnull (warm);
  ck_assert_uint_eq (count_lines (count), 2 * PROBE_RUNS);
  g_clear_pointer (&warm, emulator_facts_free);
  warm = emulator_probe (wrapper, 10000, &error);
  ck_assert_uint_eq (count_lines (count), 2 * PROBE_RUNS);
  g_clear_pointer (&warm, emulator_facts_free);

  /* A corrupt file is not trusted, and is rewritten. */
  ck_assert (g_file_get_contents (cache, &contents, &len, NULL));
  ck_assert (g_file_set_contents (cache, contents, (gssize) len / 2, NULL));
  warm = emulator_probe (wrapper, 10000, &error);
  ck_assert_ptr_nonnull (warm);
  ck_assert_uint_eq (count_lines (count), 3 * PROBE_RUNS);
  g_clear_pointer (&warm, emulator_facts_free);
  g_clear_pointer (&contents, g_free);
  ck_assert (g_file_get_contents (cache, &contents, &len, NULL));
  bytes = g_bytes_new (contents, len);
  stored = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (EMULATOR_CACHE_TYPE), bytes, FALSE));
  ck_assert (g_variant_is_normal_form (stored));
  g_variant_get (stored, "(&s@" EMULATOR_CACHE_KEY_TYPE "@" EMULATOR_FACTS_VARIANT_TYPE ")", &format, &key, &facts);
  ck_assert_str_eq (format, EMULATOR_CACHE_FORMAT);

  /* A well-formed file with unusable facts is not trusted either: a
   * version that is not one, and a default machine that is not listed. */
  for (guint i = 0; i < 2; i++) {
    GVariant *children[10];
    guint changed = i == 0 ? 0 : 6; /* the version, the default machine */
    g_autoptr (GVariant) bad = NULL;

    ck_assert_uint_eq (g_variant_n_children (facts), G_N_ELEMENTS (children));
    for (guint c = 0; c < G_N_ELEMENTS (children); c++)
      children[c] = g_variant_get_child_value (facts, c);
    g_variant_unref (children[changed]);
    children[changed] = g_variant_new_string (i == 0 ? "seven" : "pseries-0.1");
    bad = g_variant_ref_sink (g_variant_new ("(s@" EMULATOR_CACHE_KEY_TYPE "@" EMULATOR_FACTS_VARIANT_TYPE ")", format, key,
                                             g_variant_new_tuple (children, G_N_ELEMENTS (children))));
    /* The tuple took its own references; the new string was floating. */
    for (guint c = 0; c < G_N_ELEMENTS (children); c++)
      if (c != changed)
        g_variant_unref (children[c]);
    ck_assert (g_file_set_contents (cache, g_variant_get_data (bad), (gssize) g_variant_get_size (bad),
                                    NULL));
    warm = emulator_probe (wrapper, 10000, &error);
    ck_assert_ptr_nonnull (warm);
    ck_assert_uint_eq (count_lines (count), (4 + i) * PROBE_RUNS);
    g_free (warm_text);
    warm_text = facts_string (warm);
    ck_assert_str_eq (warm_text, cold_text);
    g_clear_pointer (&warm, emulator_facts_free);
  }
  /* The rewritten file is used again. */
  warm = emulator_probe (wrapper, 10000, &error);
  ck_assert_uint_eq (count_lines (count), 5 * PROBE_RUNS);
}
END_TEST

START_TEST (test_real_cache_unwritable)
{
  g_autofree char *qemu = real_qemu ();
  g_autofree char *blocker = g_build_filename (tmpdir, "file", NULL);
  g_autofree char *cache = g_build_filename (blocker, "cache", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (EmulatorFacts) facts = NULL;

  /* A cache directory under a regular file cannot be created, even by root. */
  ck_assert (g_file_set_contents (blocker, "", -1, NULL));
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  facts = emulator_probe (qemu, 10000, &error);
  ck_assert_msg (facts != NULL, "%s", error ? error->message : "?");
  ck_assert_ptr_nonnull (facts->default_machine);
}
END_TEST

static Suite *
emulator_suite (void)
{
  Suite *s = suite_create ("emulator");
  TCase *tc;

  tc = tcase_create ("parse");
  tcase_add_test (tc, test_parse_real_72);
  tcase_add_test (tc, test_parse_events_and_failed_caps);
  tcase_add_loop_test (tc, test_parse_malformed, 0, G_N_ELEMENTS (malformed));
  suite_add_tcase (s, tc);

  tc = tcase_create ("json");
  tcase_add_test (tc, test_json_round_trip);
  tcase_add_test (tc, test_variant_round_trip_and_damage);
  tcase_add_test (tc, test_json_hand_written);
  tcase_add_loop_test (tc, test_json_wrong_types, 0, G_N_ELEMENTS (wrong_types));
  suite_add_tcase (s, tc);

  tc = tcase_create ("rules");
  tcase_add_loop_test (tc, test_has_cap_by_version, 0, G_N_ELEMENTS (cap_rows));
  tcase_add_loop_test (tc, test_machine_version, 0, G_N_ELEMENTS (machine_rows));
  tcase_add_loop_test (tc, test_version_compare, 0, G_N_ELEMENTS (version_rows));
  tcase_add_test (tc, test_find_machine);
  suite_add_tcase (s, tc);

  tc = tcase_create ("find");
  tcase_add_checked_fixture (tc, tmpdir_setup, tmpdir_teardown);
  tcase_add_test (tc, test_find_binary);
  suite_add_tcase (s, tc);

  tc = tcase_create ("fake");
  tcase_add_checked_fixture (tc, tmpdir_setup, tmpdir_teardown);
  tcase_add_loop_test (tc, test_fake_emulator, 0, G_N_ELEMENTS (fakes));
  tcase_add_test (tc, test_fake_timeout);
  tcase_add_test (tc, test_fake_unrunnable);
  suite_add_tcase (s, tc);

  tc = tcase_create ("real");
  tcase_add_checked_fixture (tc, tmpdir_setup, tmpdir_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_real_probe);
  tcase_add_test (tc, test_real_cache);
  tcase_add_test (tc, test_real_cache_unwritable);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return testlib_run (emulator_suite ());
}
