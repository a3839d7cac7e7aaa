/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The matrix: the host files (tests/hosts/NAME.json), one per host kind of
 * the Void Linux PPC compatibility table, give that table's verdicts, every row is exactly plan_build()'s answer for its guest, and the
 * JSON and text forms carry the same rows. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "host-json.h"
#include "matrix.h"
#include "planner.h"
#include "profile.h"
#include "testlib.h"

static HostFacts *
load_host (const char *name)
{
  const char *root = g_getenv ("PPCVM_SOURCE_ROOT");
  g_autofree char *file = g_strdup_printf ("%s.json", name);
  g_autofree char *path = g_build_filename (root, "tests", "hosts", file, NULL);
  g_autoptr (GError) error = NULL;
  HostFacts *h = host_facts_load_file (path, &error);

  ck_assert_msg (h != NULL, "%s: %s", path, error ? error->message : "");
  ck_assert_msg (h->qemu != NULL, "%s has no qemu object", path);
  return h;
}

static char *
verdicts (GPtrArray *rows)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < rows->len; i++) {
    const MatrixRow *r = g_ptr_array_index (rows, i);
    g_string_append_printf (s, "%s%s", i ? " " : "", matrix_verdict_to_string (r->verdict));
  }
  return g_string_free (s, FALSE);
}

/* Rows: radix 64K, radix 4K, HPT 64K, HPT 4K at the host's generation; the
 * same one older; nested radix; nested PR; an older CPU. The first four
 * follow the Void table (an HPT host runs every guest hash, so its
 * radix rows are the table's HPT lines; 64K on a 4K HPT host is KVM PR). */
static const struct {
  const char *host;
  const char *verdicts;
} hosts[] = {
  { "radix-4k", "hv hv tcg hv tcg hv tcg hv hv hv tcg" },
  { "hash-4k", "pr hv pr hv pr hv pr hv pr hv pr" },
  { "radix-64k", "hv hv hv hv hv hv hv hv hv hv tcg" },
  { "hash-64k", "hv hv hv hv hv hv hv hv tcg hv pr" },
  { "l1-radix", "hv hv tcg tcg tcg tcg tcg tcg hv tcg tcg" },
  { "l1-hash", "pr pr pr pr pr pr pr pr tcg pr pr" },
};

START_TEST (test_void_hosts)
{
  g_autoptr (HostFacts) h = load_host (hosts[_i].host);
  g_autoptr (GPtrArray) rows = matrix_build (h, h->qemu);
  g_autofree char *got = verdicts (rows);

  ck_assert_msg (g_str_equal (got, hosts[_i].verdicts), "%s: '%s', expected '%s'", hosts[_i].host, got,
                 hosts[_i].verdicts);
}
END_TEST

/* Each row is what plan_build says for a default profile of that kind. */
START_TEST (test_rows_are_plans)
{
  g_autoptr (HostFacts) h = load_host (hosts[_i].host);
  g_autoptr (GPtrArray) rows = matrix_build (h, h->qemu);

  for (guint i = 0; i < rows->len; i++) {
    const MatrixRow *r = g_ptr_array_index (rows, i);
    g_autoptr (Profile) p = profile_new_defaults ();
    g_autoptr (Plan) pl = NULL;
    g_autofree char *m = NULL;

    p->mmu = r->mmu;
    p->page_size = r->page_size;
    p->nested = r->nested;
    p->cpu_generation = r->generation == h->generation ? 0 : r->generation;
    pl = plan_build (h, h->qemu, p);
    ck_assert_int_eq (pl->status, PLAN_OK);
    m = plan_machine_string (pl);
    ck_assert_str_eq (r->machine, m);
    ck_assert_int_eq (r->verdict, pl->accel == PLAN_ACCEL_KVM_HV   ? MATRIX_HV
                                  : pl->accel == PLAN_ACCEL_KVM_PR ? MATRIX_PR
                                                                   : MATRIX_TCG);
    ck_assert_msg (r->reason && *r->reason, "%s row %u: no reason", hosts[_i].host, i);
    ck_assert (r->fix == NULL && r->fix_steps == NULL);
  }
}
END_TEST

START_TEST (test_blocked_without_hugepages)
{
  g_autoptr (HostFacts) h = load_host ("radix-4k");
  g_autoptr (GPtrArray) rows = NULL;
  const MatrixRow *r;

  g_ptr_array_set_size (h->hugetlbfs, 0);
  g_array_index (h->hugepages, HostHugepages, 0).total = 0;
  g_array_index (h->hugepages, HostHugepages, 0).free = 0;
  rows = matrix_build (h, h->qemu);
  r = g_ptr_array_index (rows, 3);
  ck_assert_int_eq (r->verdict, MATRIX_BLOCKED);
  ck_assert (r->machine == NULL);
  ck_assert_ptr_nonnull (strstr (r->fix, "sudo sysctl vm.nr_hugepages=1088"));
  ck_assert (g_strv_contains ((const char *const *) r->fix_steps,
                              "sudo mount -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages"));
  ck_assert_ptr_nonnull (strstr (r->reason, "1024 pages of 2 MiB needed, 0 free"));
  /* Radix guests are not affected. */
  ck_assert_int_eq (((MatrixRow *) g_ptr_array_index (rows, 0))->verdict, MATRIX_HV);
}
END_TEST

START_TEST (test_not_power)
{
  g_autoptr (HostFacts) h = host_facts_new ();
  g_autoptr (GPtrArray) rows = NULL;

  h->arch = g_strdup ("x86_64");
  h->page_size = 4096;
  rows = matrix_build (h, NULL);
  ck_assert_uint_eq (rows->len, 11);
  for (guint i = 0; i < rows->len; i++) {
    const MatrixRow *r = g_ptr_array_index (rows, i);
    ck_assert_int_eq (r->verdict, MATRIX_TCG);
    ck_assert_ptr_nonnull (strstr (r->reason, "not POWER"));
  }
  /* Unknown generation: counted from POWER9 (QEMU's default CPU). */
  ck_assert_int_eq (((MatrixRow *) g_ptr_array_index (rows, 0))->generation, 9);
  ck_assert_int_eq (((MatrixRow *) g_ptr_array_index (rows, 10))->generation, 7);
}
END_TEST

START_TEST (test_json_and_text)
{
  g_autoptr (HostFacts) h = load_host ("radix-4k");
  g_autoptr (GPtrArray) rows = matrix_build (h, h->qemu);
  json_object *j = matrix_to_json (rows);
  json_object *arr, *row, *guest, *v;
  g_autofree char *plain = matrix_to_text (h, rows, FALSE);
  g_autofree char *colour = matrix_to_text (h, rows, TRUE);

  ck_assert (json_object_object_get_ex (j, "schema", &v));
  ck_assert_str_eq (json_object_get_string (v), "ppcvm-matrix/1");
  ck_assert (json_object_object_get_ex (j, "rows", &arr));
  ck_assert_uint_eq (json_object_array_length (arr), rows->len);
  row = json_object_array_get_idx (arr, 2);
  ck_assert (json_object_object_get_ex (row, "guest", &guest));
  ck_assert (json_object_object_get_ex (guest, "mmu", &v));
  ck_assert_str_eq (json_object_get_string (v), "hash");
  ck_assert (json_object_object_get_ex (guest, "page_size", &v));
  ck_assert_int_eq (json_object_get_int64 (v), 65536);
  ck_assert (json_object_object_get_ex (guest, "generation", &v));
  ck_assert_int_eq (json_object_get_int (v), 9);
  ck_assert (json_object_object_get_ex (guest, "nested", &v));
  ck_assert (!json_object_get_boolean (v));
  ck_assert (json_object_object_get_ex (row, "verdict", &v));
  ck_assert_str_eq (json_object_get_string (v), "tcg");
  ck_assert (json_object_object_get_ex (row, "fix", &v) && v == NULL);
  json_object_put (j);

  ck_assert_ptr_null (strchr (plain, '\033'));
  ck_assert_ptr_nonnull (strstr (plain, "radix guest, 64 KiB pages                 POWER9  HV        pseries,kvm-type=HV,cap-hpt-max-page-size=4096\n"));
  ck_assert_ptr_nonnull (strstr (plain, "HPT guest, 4 KiB pages                    POWER9  HV        pseries,kvm-type=HV,cap-hpt-max-page-size=4096 -mem-path /dev/hugepages\n"));
  ck_assert_ptr_nonnull (strstr (colour, "\033[32mHV      \033[0m"));
  ck_assert_ptr_nonnull (strstr (colour, "\033[33mTCG only\033[0m"));
}
END_TEST

static Suite *
matrix_suite (void)
{
  Suite *s = suite_create ("matrix");
  TCase *voidtab = tcase_create ("void-table");
  TCase *form = tcase_create ("form");

  tcase_add_loop_test (voidtab, test_void_hosts, 0, G_N_ELEMENTS (hosts));
  tcase_add_loop_test (voidtab, test_rows_are_plans, 0, G_N_ELEMENTS (hosts));
  tcase_add_test (voidtab, test_blocked_without_hugepages);
  tcase_add_test (voidtab, test_not_power);
  tcase_add_test (form, test_json_and_text);
  suite_add_tcase (s, voidtab);
  suite_add_tcase (s, form);
  return s;
}

int
main (void)
{
  return testlib_run (matrix_suite ());
}
