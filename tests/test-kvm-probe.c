/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The KVM probe's pure parts as tables: KVM_PPC_GET_CPU_CHAR bits → the cap
 * levels QEMU accepts, ibm,dec-bits, the host JSON both ways, and what the
 * planner derives from a probed nested L1 (the caps the real L1 needs). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "emulator.h"
#include "host-json.h"
#include "host.h"
#include "kvm-probe.h"
#include "planner.h"
#include "profile.h"
#include "testlib.h"

#define C(x) KVM_PROBE_CHAR_##x
#define B(x) KVM_PROBE_BEHAV_##x
/* What a pseries kernel reports as known (arch/powerpc/kvm/powerpc.c). */
#define ALL_CHAR (C (SPEC_BAR_ORI31) | C (BCCTRL_SERIALISED) | C (L1D_FLUSH_ORI30) | C (L1D_FLUSH_TRIG2) | \
                  C (L1D_THREAD_PRIV) | C (COUNT_CACHE_DIS) | C (BCCTR_FLUSH_ASSIST))
#define ALL_BEHAV (B (FAVOUR_SECURITY) | B (L1D_FLUSH_PR) | B (BNDS_CHK_SPEC_BAR) | B (FLUSH_COUNT_CACHE))

static const struct {
  const char *what;
  KvmCpuChar in;
  gboolean power8;
  const char *cfpc, *sbbc, *ibs;
  gboolean ccf;
} char_rows[] = {
  { "nothing known (all masks clear)", { 0, 0, 0, 0 }, FALSE, "broken", "broken", "broken", FALSE },
  { "every mitigation needed, none available",
    { 0, B (L1D_FLUSH_PR) | B (BNDS_CHK_SPEC_BAR) | B (FLUSH_COUNT_CACHE), ALL_CHAR, ALL_BEHAV },
    FALSE, "broken", "broken", "workaround", FALSE },
  { "POWER9 DD2.2 firmware: flushes available, count cache disabled",
    { C (SPEC_BAR_ORI31) | C (L1D_FLUSH_ORI30) | C (L1D_FLUSH_TRIG2) | C (L1D_THREAD_PRIV) | C (COUNT_CACHE_DIS),
      B (FAVOUR_SECURITY) | B (L1D_FLUSH_PR) | B (BNDS_CHK_SPEC_BAR), ALL_CHAR, ALL_BEHAV },
    FALSE, "workaround", "workaround", "fixed-ccd", FALSE },
  { "POWER9 DD2.3: count cache flush with the assist instruction",
    { C (SPEC_BAR_ORI31) | C (L1D_FLUSH_ORI30) | C (L1D_THREAD_PRIV) | C (BCCTR_FLUSH_ASSIST),
      B (L1D_FLUSH_PR) | B (BNDS_CHK_SPEC_BAR) | B (FLUSH_COUNT_CACHE), ALL_CHAR, ALL_BEHAV },
    FALSE, "workaround", "workaround", "workaround", TRUE },
  { "L1D flush without thread-private L1D: broken off POWER8",
    { C (L1D_FLUSH_ORI30), B (L1D_FLUSH_PR) | B (BNDS_CHK_SPEC_BAR), ALL_CHAR, ALL_BEHAV },
    FALSE, "broken", "broken", "fixed-na", FALSE },
  { "the same on a POWER8 host: workaround",
    { C (L1D_FLUSH_ORI30), B (L1D_FLUSH_PR) | B (BNDS_CHK_SPEC_BAR), ALL_CHAR, ALL_BEHAV },
    TRUE, "workaround", "broken", "fixed-na", FALSE },
  { "fixed hardware, bcctr serialised",
    { C (BCCTRL_SERIALISED), 0, ALL_CHAR, ALL_BEHAV }, FALSE, "fixed", "fixed", "fixed-ibs", FALSE },
  { "fixed hardware, count cache disabled and bcctr serialised",
    { C (BCCTRL_SERIALISED) | C (COUNT_CACHE_DIS), 0, ALL_CHAR, ALL_BEHAV }, FALSE, "fixed", "fixed", "fixed-ccd", FALSE },
  { "bits outside the masks count for nothing",
    { ALL_CHAR, ALL_BEHAV, 0, 0 }, FALSE, "broken", "broken", "broken", FALSE },
  { "behaviour unknown, characters known: no 'fixed' claim",
    { C (SPEC_BAR_ORI31) | C (L1D_FLUSH_TRIG2) | C (L1D_THREAD_PRIV), 0, ALL_CHAR, 0 },
    FALSE, "workaround", "workaround", "broken", FALSE },
};

START_TEST (test_cpu_char_levels)
{
  KvmCpuCharLevels lv;

  kvm_probe_cpu_char_levels (&char_rows[_i].in, char_rows[_i].power8, &lv);
  ck_assert_msg (g_str_equal (lv.cfpc, char_rows[_i].cfpc), "%s: cfpc %s", char_rows[_i].what, lv.cfpc);
  ck_assert_msg (g_str_equal (lv.sbbc, char_rows[_i].sbbc), "%s: sbbc %s", char_rows[_i].what, lv.sbbc);
  ck_assert_msg (g_str_equal (lv.ibs, char_rows[_i].ibs), "%s: ibs %s", char_rows[_i].what, lv.ibs);
  ck_assert_msg (lv.ccf_assist == char_rows[_i].ccf, "%s: ccf_assist %d", char_rows[_i].what, lv.ccf_assist);
}
END_TEST

START_TEST (test_dec_bits)
{
  static const guint8 be56[] = { 0, 0, 0, 56 };
  static const guint8 be32[] = { 0, 0, 0, 32 };
  static const guint8 big[] = { 0x01, 0, 0, 0 };

  ck_assert_int_eq (kvm_probe_parse_dec_bits (be56, 4), 56);
  ck_assert_int_eq (kvm_probe_parse_dec_bits (be32, 4), 32);
  ck_assert_int_eq (kvm_probe_parse_dec_bits (big, 4), 0x01000000);
  ck_assert_int_eq (kvm_probe_parse_dec_bits (be56, 3), -1);
  ck_assert_int_eq (kvm_probe_parse_dec_bits (NULL, 0), -1);
}
END_TEST

/* Not ppc64, or no /dev/kvm: nothing is touched. */
START_TEST (test_run_without_kvm)
{
  g_autoptr (HostFacts) h = host_facts_new ();

  ck_assert (!kvm_probe_run ("/nonexistent/kvm", "/nonexistent", 0, &h->kvm_probe));
  ck_assert (!h->kvm_probe.probed);
  ck_assert_int_eq (h->kvm_probe.radix, PPCVM_UNKNOWN);
  ck_assert_ptr_null (h->kvm_probe.cfpc);
}
END_TEST

/* A nested L1 as the probe sees it: pSeries POWER9 radix under KVM. */
static HostFacts *
probed_l1 (guint64 page_size)
{
  HostFacts *h = host_facts_new ();
  HostKvmProbe *k = &h->kvm_probe;

  h->arch = g_strdup ("ppc64le");
  h->kernel = g_strdup ("6.1.0-50-powerpc64le");
  h->cpu_chip = g_strdup ("POWER9");
  h->cpu_compat = g_strdup ("POWER9");
  h->pvr = 0x004e1202;
  h->generation = 9;
  h->cpu_count = 2;
  h->platform = HOST_PLATFORM_PSERIES;
  h->hypervisor = HOST_HV_QEMU;
  h->mmu = HOST_MMU_RADIX;
  h->page_size = page_size;
  h->kvm_device = h->kvm_usable = h->kvm_hv = h->kvm_hv_nested = PPCVM_YES;
  h->kvm_pr = PPCVM_NO;
  h->mem_total = G_GUINT64_CONSTANT (4) << 30;
  k->probed = TRUE;
  k->radix = PPCVM_YES;
  k->hash_v3 = PPCVM_NO;
  k->htm = PPCVM_NO;
  k->nested_hv = PPCVM_NO;
  k->fwnmi = k->ail_mode_3 = k->rpt_invalidate = k->resize_hpt = k->large_decr = PPCVM_YES;
  k->dawr1 = PPCVM_NO;
  k->smmu_probed = TRUE;
  k->page_sizes_real = TRUE;
  k->cfpc = g_strdup ("broken");
  k->sbbc = g_strdup ("broken");
  k->ibs = g_strdup ("broken");
  k->ccf_assist = PPCVM_NO;
  return h;
}

START_TEST (test_json_round_trip)
{
  g_autoptr (HostFacts) h = probed_l1 (65536);
  g_autoptr (HostFacts) back = NULL;
  g_autoptr (GError) error = NULL;
  json_object *j = host_facts_to_json (h);
  json_object *kvm, *caps, *cc, *v;

  ck_assert (json_object_object_get_ex (j, "kvm", &kvm));
  ck_assert (json_object_object_get_ex (kvm, "caps", &caps));
  ck_assert (json_object_object_get_ex (caps, "radix", &v) && json_object_get_boolean (v));
  ck_assert (json_object_object_get_ex (caps, "page_sizes_real", &v) && json_object_get_boolean (v));
  ck_assert (json_object_object_get_ex (kvm, "cpu_char", &cc));
  ck_assert (json_object_object_get_ex (cc, "cfpc", &v));
  ck_assert_str_eq (json_object_get_string (v), "broken");

  back = host_facts_from_json (j, &error);
  json_object_put (j);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  ck_assert (back->kvm_probe.probed);
  ck_assert_int_eq (back->kvm_probe.radix, PPCVM_YES);
  ck_assert_int_eq (back->kvm_probe.htm, PPCVM_NO);
  ck_assert_int_eq (back->kvm_probe.dawr1, PPCVM_NO);
  ck_assert_int_eq (back->kvm_probe.large_decr, PPCVM_YES);
  ck_assert (back->kvm_probe.smmu_probed && back->kvm_probe.page_sizes_real);
  ck_assert_str_eq (back->kvm_probe.ibs, "broken");
  ck_assert_int_eq (back->kvm_probe.ccf_assist, PPCVM_NO);
}
END_TEST

START_TEST (test_json_unprobed)
{
  g_autoptr (HostFacts) h = host_facts_new ();
  g_autoptr (HostFacts) back = NULL;
  g_autoptr (GError) error = NULL;
  json_object *j = host_facts_to_json (h);
  json_object *kvm, *v = (json_object *) 1;

  ck_assert (json_object_object_get_ex (j, "kvm", &kvm));
  ck_assert (json_object_object_get_ex (kvm, "caps", &v) && v == NULL);
  ck_assert (json_object_object_get_ex (kvm, "cpu_char", &v) && v == NULL);
  back = host_facts_from_json (j, &error);
  json_object_put (j);
  ck_assert (back != NULL);
  ck_assert (!back->kvm_probe.probed);
  ck_assert_ptr_null (back->kvm_probe.cfpc);
}
END_TEST

START_TEST (test_json_bad_level)
{
  g_autoptr (GError) error = NULL;
  json_object *j = json_tokener_parse (
      "{\"schema\":\"" HOST_JSON_SCHEMA "\",\"kvm\":{\"cpu_char\":{\"cfpc\":\"fixed-ccd\"}}}");
  HostFacts *h = host_facts_from_json (j, &error);

  json_object_put (j);
  ck_assert_ptr_null (h);
  ck_assert (strstr (error->message, "kvm.cpu_char.cfpc") != NULL);
}
END_TEST

/* ---- What the planner derives from the probe ---- */

static char *tmpdir;

static void
setup_tmpdir (void)
{
  g_autofree char *k = NULL, *i = NULL;

  tmpdir = testlib_tmpdir ("kvm-probe");
  k = g_build_filename (tmpdir, "vmlinux", NULL);
  i = g_build_filename (tmpdir, "initrd.cpio", NULL);
  ck_assert (g_file_set_contents (k, "", 0, NULL) && g_file_set_contents (i, "", 0, NULL));
}

static void
teardown_tmpdir (void)
{
  testlib_rm_rf (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static Profile *
l2_profile (const char *extra)
{
  g_autofree char *text = g_strdup_printf (
      "[guest]\nname=l2\nmmu=radix\npage-size=64K\nmemory=512M\nsmp=1\naccel=kvm\n%s"
      "[boot]\nkernel=%s/vmlinux\ninitrd=%s/initrd.cpio\n[network]\nmode=none\n",
      extra ? extra : "", tmpdir, tmpdir);
  g_autofree char *file = g_build_filename (tmpdir, "l2.conf", NULL);
  g_autoptr (GError) error = NULL;
  Profile *p = profile_load_data (text, file, NULL, &error);

  ck_assert_msg (p != NULL, "%s", error ? error->message : "");
  return p;
}

START_TEST (test_plan_nested_l1_caps)
{
  g_autoptr (HostFacts) h = probed_l1 (65536);
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (Profile) p = l2_profile (NULL);
  g_autoptr (Plan) pl = plan_build (h, emu, p);

  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_int_eq (pl->accel, PLAN_ACCEL_KVM_HV);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-cfpc"), "broken");
  ck_assert_str_eq (plan_machine_prop (pl, "cap-sbbc"), "broken");
  ck_assert_str_eq (plan_machine_prop (pl, "cap-ibs"), "broken");
  ck_assert_str_eq (plan_machine_prop (pl, "cap-ccf-assist"), "off");
  ck_assert_ptr_null (plan_machine_prop (pl, "cap-hpt-max-page-size"));
}
END_TEST

START_TEST (test_plan_nested_l1_4k_htm)
{
  g_autoptr (HostFacts) h = probed_l1 (4096);
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (Profile) p = l2_profile ("machine=pseries-2.11\n");
  g_autoptr (Plan) pl = plan_build (h, emu, p);

  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_str_eq (plan_machine_prop (pl, "cap-htm"), "off");
  /* pseries-2.11's defaults are already "broken": nothing to add. */
  ck_assert_ptr_null (plan_machine_prop (pl, "cap-cfpc"));
}
END_TEST

/* Facts without the probe (a --host file from before, a sysroot): the plan
 * keeps QEMU's mitigation defaults, turns off the caps it cannot know
 * (UNKNOWN-CAPS in docs/rules.md) and says so. */
START_TEST (test_plan_unprobed_unchanged)
{
  g_autoptr (HostFacts) h = probed_l1 (65536);
  g_autoptr (EmulatorFacts) emu = testlib_qemu_72 ();
  g_autoptr (Profile) p = l2_profile (NULL);
  g_autoptr (Plan) pl = NULL;

  h->kvm_probe.probed = FALSE;
  pl = plan_build (h, emu, p);
  ck_assert_int_eq (pl->status, PLAN_OK);
  ck_assert_ptr_null (plan_machine_prop (pl, "cap-cfpc"));
  ck_assert_str_eq (plan_machine_prop (pl, "cap-ccf-assist"), "off");
  ck_assert_str_eq (plan_machine_prop (pl, "cap-fwnmi"), "off");
  ck_assert_uint_gt (pl->warnings->len, 0);
  ck_assert_ptr_nonnull (strstr (g_ptr_array_index (pl->warnings, pl->warnings->len - 1), "was not probed"));
}
END_TEST

static Suite *
kvm_probe_suite (void)
{
  Suite *s = suite_create ("kvm-probe");
  TCase *tc = tcase_create ("cpu-char");

  tcase_add_loop_test (tc, test_cpu_char_levels, 0, G_N_ELEMENTS (char_rows));
  tcase_add_test (tc, test_dec_bits);
  tcase_add_test (tc, test_run_without_kvm);
  suite_add_tcase (s, tc);
  tc = tcase_create ("json");
  tcase_add_test (tc, test_json_round_trip);
  tcase_add_test (tc, test_json_unprobed);
  tcase_add_test (tc, test_json_bad_level);
  suite_add_tcase (s, tc);
  tc = tcase_create ("plan");
  tcase_add_checked_fixture (tc, setup_tmpdir, teardown_tmpdir);
  tcase_add_test (tc, test_plan_nested_l1_caps);
  tcase_add_test (tc, test_plan_nested_l1_4k_htm);
  tcase_add_test (tc, test_plan_unprobed_unchanged);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return testlib_run (kvm_probe_suite ());
}
