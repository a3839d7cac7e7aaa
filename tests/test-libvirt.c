/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libvirt domain XML: well-formed, names sanitized, values escaped, and
 * each pseries cap of the plan in its <features> element or in
 * <qemu:commandline>, on the host files (tests/hosts/\*.json). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "host-json.h"
#include "libvirt.h"
#include "planner.h"
#include "testlib.h"
#include "util.h"

/* The XML for PROFILE_TEXT planned on tests/hosts/HOST.json (its qemu's
 * machines and caps; accel=tcg in the profile for TCG), checked for
 * well-formedness. */
static char *
export_with (const char *host, const char *profile_text, const LibvirtOptions *options, GPtrArray *notes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HostFacts) facts = NULL;
  g_autoptr (Profile) p = profile_load_data (profile_text, "/tmp/t.conf", NULL, &error);
  g_autoptr (Plan) plan = NULL;
  g_autoptr (GMarkupParseContext) ctx = NULL;
  static const GMarkupParser parser = { 0 };
  char *xml;

  ck_assert_msg (p != NULL, "%s", error ? error->message : "");
  {
    g_autofree char *path = g_build_filename (g_getenv ("PPCVM_SOURCE_ROOT"), "tests", "hosts", host, NULL);
    g_autofree char *file = g_strconcat (path, ".json", NULL);
    facts = host_facts_load_file (file, &error);
    ck_assert_msg (facts != NULL, "%s: %s", file, error ? error->message : "");
  }
  plan = plan_build (facts, facts->qemu, p);
  ck_assert_msg (plan->status == PLAN_OK, "%s: refused: %s", host,
                 plan->reasons->len ? (char *) plan->reasons->pdata[0] : "");
  xml = libvirt_domain_xml (plan, p, options, notes);
  ctx = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  ck_assert_msg (g_markup_parse_context_parse (ctx, xml, -1, &error)
                   && g_markup_parse_context_end_parse (ctx, &error),
                 "not well-formed: %s\n%s", error->message, xml);
  return xml;
}

static char *
export_for (const char *host, const char *profile_text)
{
  return export_with (host, profile_text, NULL, NULL);
}

static void
expect (const char *xml, const char *fragment, gboolean present)
{
  ck_assert_msg ((strstr (xml, fragment) != NULL) == present, "%s %s in:\n%s",
                 present ? "no" : "unexpected", fragment, xml);
}

START_TEST (test_domain_name)
{
  static const struct { const char *in, *out; } cases[] = {
    { "debian12", "debian12" }, { "my guest", "my-guest" }, { "a/b<c>", "a-b-c" },
    { "", "ppcvm" }, { ".hidden", "hidden" }, { "Név", "nev" }, { "---", "ppcvm" },
    { "ppcvm demo (Debian 12 ppc64el kernel + busybox)", "ppcvm-demo-debian-12-ppc64el-kernel-busybox" },
    { "A very long guest name that goes on and on past the limit", "a-very-long-guest-name-that-goes-on-and-on-past" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *n = libvirt_domain_name (cases[i].in);
    ck_assert_str_eq (n, cases[i].out);
  }
}
END_TEST

START_TEST (test_hosts)
{
  static const struct {
    const char *host, *profile, *present, *absent;
  } cases[] = {
    /* 4 KiB host pages: the HPT page size cap, and hugepage-backed RAM. */
    { "hash-4k", "[guest]\nmmu=hash\npage-size=4K\naccel=hv\n", "<maxpagesize unit='KiB'>4</maxpagesize>", NULL },
    { "hash-4k", "[guest]\nmmu=hash\npage-size=4K\naccel=hv\n", "<page size='16384' unit='KiB'/>", NULL },
    { "hash-4k", "[guest]\nmmu=hash\npage-size=4K\naccel=hv\n", "<qemu:arg value='kvm-type=HV'/>", NULL },
    { "radix-4k", "[guest]\n", "<maxpagesize unit='KiB'>4</maxpagesize>", "<memoryBacking>" },
    { "radix-64k", "[guest]\n", "<cpu mode='host-passthrough' check='none'/>", "<hpt>" },
    { "radix-64k", "[guest]\nnested=true\n", "<nested-hv state='on'/>", NULL },
    { "radix-64k", "[guest]\n", "<domain type='kvm'", "<domain type='qemu'" },
    { "hash-64k", "[guest]\n", "<domain type='kvm'", "<hugepages>" },
    /* One generation older under HV: host-model with the model (max-cpu-compat). */
    { "hash-64k", "[guest]\ncpu=POWER8\naccel=hv\n", "<cpu mode='host-model' check='none'>", "max-cpu-compat" },
    /* No KVM: TCG's caps. */
    { "radix-64k", "[guest]\naccel=tcg\n", "<cfpc value='broken'/>", "<domain type='kvm'" },
    { "radix-64k", "[guest]\naccel=tcg\nmachine=pseries-2.11\ncpu=POWER8\n", "<htm state='off'/>", NULL },
    { "radix-64k", "[guest]\naccel=tcg\ncpu=POWER8\n", "<model fallback='forbid'>POWER8</model>", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *xml = export_for (cases[i].host, cases[i].profile);
    expect (xml, cases[i].present, TRUE);
    if (cases[i].absent != NULL)
      expect (xml, cases[i].absent, FALSE);
  }
}
END_TEST

START_TEST (test_devices_and_escaping)
{
  g_autofree char *xml = export_for (
    "radix-64k", "[guest]\naccel=tcg\nname=a 'b' <c> & d\ndisplay=vnc\nvnc=127.0.0.1:2\n"
          "[boot]\nappend=root=/dev/vda x='1' <y> & z\n"
          "[network]\nmode=bridge\nifname=br0\nmodel=spapr-vlan\n"
          "[qemu]\nargs=-smbios \"type=1,serial=q'<>&\"\n");

  expect (xml, "<name>a-b-c-d</name>", TRUE);
  expect (xml, "<cmdline>root=/dev/vda x=&apos;1&apos; &lt;y&gt; &amp; z</cmdline>", TRUE);
  expect (xml, "<interface type='bridge'>", TRUE);
  expect (xml, "<source bridge='br0'/>", TRUE);
  expect (xml, "<model type='spapr-vlan'/>", TRUE);
  expect (xml, "<graphics type='vnc' port='5902' autoport='no'>", TRUE);
  expect (xml, "<listen type='address' address='127.0.0.1'/>", TRUE);
  expect (xml, "<qemu:arg value='type=1,serial=q&apos;&lt;&gt;&amp;'/>", TRUE);
  expect (xml, "<console type='pty'>", TRUE);
}
END_TEST

/* Port forwards, rendered from the profile's parsed forwards: passt's
 * <portForward> where libvirt takes it, else QEMU's hostfwd= as `ppcvm run`
 * has it (no host address: loopback only, either way). */
START_TEST (test_forwards)
{
  const char *text = "[guest]\naccel=tcg\n[network]\nmode=user\n"
                     "forward=tcp:2222-:22;UDP:0.0.0.0:5353-10.0.2.15:53\n";
  LibvirtOptions passt = { .version = LIBVIRT_VERSION (10, 0, 0), .passt = TRUE };
  LibvirtOptions old = { .version = LIBVIRT_VERSION (9, 0, 0), .passt = TRUE };
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *xml = export_with ("radix-64k", text, &passt, notes);
  g_autofree char *xml_old = export_with ("radix-64k", text, &old, NULL);
  gboolean noted = FALSE;

  expect (xml, "<backend type='passt'/>", TRUE);
  expect (xml, "<portForward proto='tcp' address='127.0.0.1'>\n        <range start='2222' to='22'/>", TRUE);
  expect (xml, "<portForward proto='udp' address='0.0.0.0'>\n        <range start='5353' to='53'/>", TRUE);
  expect (xml, "hostfwd=", FALSE);
  for (guint i = 0; i < notes->len; i++)
    noted |= strstr (notes->pdata[i], "forward udp:0.0.0.0:5353-10.0.2.15:53: passt forwards to the "
                                      "guest's own address; 10.0.2.15 is dropped") != NULL;
  ck_assert_msg (noted, "no note on the dropped guest address");

  expect (xml_old, "<portForward", FALSE);
  expect (xml_old, "<qemu:arg value='user,id=ppcvmnet0,hostfwd=tcp:127.0.0.1:2222-:22,"
                   "hostfwd=udp:0.0.0.0:5353-10.0.2.15:53'/>", TRUE);
}
END_TEST

static Suite *
libvirt_suite (void)
{
  Suite *s = suite_create ("libvirt");
  TCase *tc = tcase_create ("libvirt");

  tcase_add_test (tc, test_domain_name);
  tcase_add_test (tc, test_hosts);
  tcase_add_test (tc, test_devices_and_escaping);
  tcase_add_test (tc, test_forwards);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return testlib_run (libvirt_suite ());
}
