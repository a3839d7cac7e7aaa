/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host detection on every real dump in tests/fixtures/hosts (facts from
 * SOURCES.md), the parsers' edge cases, and the JSON round trip. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "host-json.h"
#include "host.h"
#include "testlib.h"
#include "util.h"

#define NUL_ -2 /* expected null / unknown */

typedef struct {
  const char *fixture;
  const char *chip;      /* NULL: null */
  int generation;        /* 0: null */
  const char *compat;
  guint32 pvr;
  int count;             /* -1: null */
  const char *platform;  /* NULL: null */
  const char *hypervisor;
  const char *mmu;
  guint64 page_size;     /* 0: null */
  guint64 default_hugepage; /* 0: none */
  int kvm_hv;            /* 1 yes, 0 no */
  int kvm_device;
} FixtureFacts;

static const FixtureFacts fixtures[] = {
  { "cell-ps3", "Cell", 0, "Cell Broadband Engine", 0x00701000, 2, "ps3", NULL, NULL, 0, 0, 0, 0 },
  { "power5plus-qemu-pseries-ppc64be", "POWER5+", 5, "POWER5+", 0x003b0201, 1, "pseries", "qemu", "hash", 0, 0, 0, 0 },
  { "power6-powervm-9125-F2A", "POWER6", 6, "POWER6", 0x003e0302, 32, "pseries", "powervm", "hash", 0, 16 << 20, 0, 0 },
  { "power7-powervm-8231-E2B-64cpu", "POWER7", 7, "POWER7", 0x003f0201, 64, "pseries", "powervm", "hash", 0, 0, 0, 0 },
  { "power7-powervm-8233-E8B", "POWER7", 7, "POWER7", 0x003f0201, 16, "pseries", "powervm", "hash", 0, 0, 0, 0 },
  { "power7-powervm-9179-MHB-256cpu", "POWER7", 7, "POWER7", 0x003f0201, 256, "pseries", "powervm", "hash", 0, 16 << 20, 0, 0 },
  { "power8-kvm-guest-architected-16cpu", "POWER8E", 8, "POWER8", 0x004b0201, 16, "pseries", "qemu", "hash", 0, 0, 0, 0 },
  { "power8-kvm-guest-mmu-hash-4cpu", "POWER8E", 8, "POWER8", 0x004b0201, 4, "pseries", "qemu", "hash", 0, 0, 0, 0 },
  { "power8-kvm-guest-raw-4cpu", "POWER8", 8, "POWER8", 0x004d0200, 4, "pseries", "qemu", "hash", 0, 0, 0, 0 },
  { "power8-powervm-8247-22L-16cpu", "POWER8E", 8, "POWER8", 0x004b0201, 16, "pseries", "powervm", "hash", 0, 0, 0, 0 },
  { "power8e-kvm-guest-raw-16cpu", "POWER8E", 8, "POWER8E", 0x004b0201, 16, "pseries", "qemu", "hash", 0, 0, 0, 0 },
  { "power8e-powernv-8247-22L-160cpu", "POWER8E", 8, "POWER8E", 0x004b0201, 160, "powernv", "none", "hash", 0, 0, 0, 0 },
  { "power8e-powernv-8247-22L-mmu-hash", "POWER8E", 8, "POWER8E", 0x004b0201, 20, "powernv", "none", "hash", 0, 0, 0, 0 },
  { "power8e-powernv-8247-22L-smtoff", "POWER8E", 8, "POWER8E", 0x004b0201, 16, "powernv", "none", "hash", 0, 0, 0, 0 },
  { "power8e-powernv-8247-22L-subcores", "POWER8E", 8, "POWER8E", 0x004b0201, 8, "powernv", "none", "hash", 0, 0, 0, 0 },
  { "power9-kvm-guest-radix-16cpu", "POWER9", 9, "POWER9", 0x004e1202, 16, "pseries", "qemu", "radix", 0, 0, 0, 0 },
  { "power9-powernv-9006-12P-radix-EXCERPT", "POWER9", 9, "POWER9", 0x004e1202, 2, "powernv", "none", "radix", 0, 0, 0, 0 },
  { "power9-powervm-9008-22L-hash", "POWER9", 9, "POWER9", 0x004e0202, 160, "pseries", "powervm", "hash", 0, 16 << 20, 0, 0 },
  { "ppc32-powermac-g3-qemu", "740/750", 0, "740/750", 0x00080301, 1, "powermac", NULL, NULL, 0, 0, 0, 0 },
  { "ppc970mp-chrp-8844-AC1", "PPC970MP", 0, "PPC970MP", 0x00440101, 4, NULL, NULL, NULL, 0, 0, 0, 0 },
  { "qemu-tcg-power9-hash-64k-guest", "POWER9", 9, "POWER9", 0x004e1200, 2, "pseries", "qemu", "hash", 65536, 0, 0, 1 },
  { "qemu-tcg-power9-radix-64k-kvmhv-nested", "POWER9", 9, "POWER9", 0x004e1200, 2, "pseries", "qemu", "radix", 65536, 2 << 20, 1, 1 },
};

static char *
fixture_path (const char *name)
{
  const char *dir = g_getenv ("PPCVM_FIXTURES");
  ck_assert_msg (dir != NULL, "PPCVM_FIXTURES is not set");
  return g_build_filename (dir, name, NULL);
}

static void
assert_str_or_null (const char *what, const char *fixture, const char *got, const char *want)
{
  if (want == NULL)
    ck_assert_msg (got == NULL, "%s: %s is '%s', expected null", fixture, what, got);
  else
    ck_assert_msg (got != NULL && g_str_equal (got, want), "%s: %s is '%s', expected '%s'", fixture,
                   what, got ? got : "(null)", want);
}

static void
check_fixture_facts (const FixtureFacts *e, const HostFacts *f)
{
  assert_str_or_null ("cpu.chip", e->fixture, f->cpu_chip, e->chip);
  assert_str_or_null ("cpu.compat", e->fixture, f->cpu_compat, e->compat);
  ck_assert_msg (f->generation == e->generation, "%s: generation %d, expected %d", e->fixture,
                 f->generation, e->generation);
  ck_assert_msg (f->pvr == e->pvr, "%s: pvr %08x, expected %08x", e->fixture, f->pvr, e->pvr);
  ck_assert_msg (f->cpu_count == e->count, "%s: count %d, expected %d", e->fixture, f->cpu_count, e->count);
  assert_str_or_null ("platform", e->fixture, host_platform_to_string (f->platform), e->platform);
  assert_str_or_null ("hypervisor", e->fixture, host_hypervisor_to_string (f->hypervisor), e->hypervisor);
  assert_str_or_null ("mmu", e->fixture, host_mmu_to_string (f->mmu), e->mmu);
  ck_assert_msg (f->page_size == e->page_size, "%s: page size %" G_GUINT64_FORMAT, e->fixture, f->page_size);
  {
    HostHugepages *hp = host_default_hugepages (f);
    if (e->default_hugepage == 0)
      ck_assert_msg (hp == NULL, "%s: unexpected default hugepage size", e->fixture);
    else
      ck_assert_msg (hp != NULL && hp->size == e->default_hugepage, "%s: default hugepage size", e->fixture);
  }
  ck_assert_msg (f->kvm_hv == (e->kvm_hv ? PPCVM_YES : PPCVM_NO), "%s: kvm.hv", e->fixture);
  ck_assert_msg (f->kvm_device == (e->kvm_device ? PPCVM_YES : PPCVM_NO), "%s: kvm.device", e->fixture);
}

START_TEST (test_fixture_row)
{
  const FixtureFacts *e = &fixtures[_i];
  g_autofree char *root = fixture_path (e->fixture);
  g_autoptr (HostFacts) f = host_detect (root);

  check_fixture_facts (e, f);
}
END_TEST

/* The JSON writer and reader agree on every fixture. */
START_TEST (test_fixture_json_round_trip)
{
  const FixtureFacts *e = &fixtures[_i];
  g_autofree char *root = fixture_path (e->fixture);
  g_autoptr (HostFacts) f = host_detect (root);
  g_autoptr (HostFacts) back = NULL;
  g_autoptr (GError) error = NULL;
  json_object *j = host_facts_to_json (f), *j2;
  const char *s1, *s2;

  back = host_facts_from_json (j, &error);
  ck_assert_msg (back != NULL, "%s: %s", e->fixture, error ? error->message : "");
  check_fixture_facts (e, back);
  j2 = host_facts_to_json (back);
  s1 = json_object_to_json_string (j);
  s2 = json_object_to_json_string (j2);
  ck_assert_str_eq (s1, s2);
  json_object_put (j);
  json_object_put (j2);
}
END_TEST

START_TEST (test_nested_fixture_details)
{
  g_autofree char *root = fixture_path ("qemu-tcg-power9-radix-64k-kvmhv-nested");
  g_autoptr (HostFacts) f = host_detect (root);

  ck_assert_str_eq (f->kernel, "6.1.0-50-powerpc64le");
  ck_assert_int_eq (f->kvm_hv_nested, PPCVM_YES);
  ck_assert_int_eq (f->kvm_pr, PPCVM_NO);
  ck_assert_int_eq (f->kvm_usable, PPCVM_YES);
  ck_assert_uint_eq (f->hugepages->len, 2);
  ck_assert_uint_eq (g_array_index (f->hugepages, HostHugepages, 0).size, 2 << 20);
  ck_assert_int_eq (g_array_index (f->hugepages, HostHugepages, 0).total, 0);
  ck_assert_uint_eq (g_array_index (f->hugepages, HostHugepages, 1).size, G_GUINT64_CONSTANT (1) << 30);
  ck_assert (!g_array_index (f->hugepages, HostHugepages, 1).is_default);
  ck_assert_uint_eq (f->hugetlbfs->len, 0);
  ck_assert_uint_eq (f->mem_total, G_GUINT64_CONSTANT (2036096) << 10);
  ck_assert_uint_eq (f->mem_available, G_GUINT64_CONSTANT (1957440) << 10);
  ck_assert (host_is_ppc64 (f));
  ck_assert_int_eq (host_kernel_version (f), 6001);
}
END_TEST

START_TEST (test_hash_guest_has_no_kvm_hv)
{
  g_autofree char *root = fixture_path ("qemu-tcg-power9-hash-64k-guest");
  g_autoptr (HostFacts) f = host_detect (root);

  ck_assert_int_eq (f->kvm_hv, PPCVM_NO);
  ck_assert_int_eq (f->kvm_hv_nested, PPCVM_UNKNOWN);
  ck_assert_uint_eq (f->hugepages->len, 0);
}
END_TEST

/* ---- Parser edge cases ---- */

START_TEST (test_cpuinfo_messy)
{
  /* spaces instead of TABs, no final newline, CRs, unknown lines */
  g_autoptr (HostFacts) f = host_facts_new ();
  host_parse_cpuinfo (f, "processor       : 0\r\ncpu             : POWER10 (raw), altivec supported\n"
                         "revision        : 2.0 (pvr 0080 0200)\n\ngarbage line without colon\n"
                         "platform : PowerNV\nMMU\t\t: Radix");
  ck_assert_str_eq (f->cpu_chip, "POWER10");
  ck_assert_int_eq (f->generation, 10);
  ck_assert_int_eq (f->mmu, HOST_MMU_RADIX);
  ck_assert_int_eq (f->platform, HOST_PLATFORM_POWERNV);
  ck_assert_int_eq (f->hypervisor, HOST_HV_NONE);
  ck_assert_int_eq (f->cpu_count, 1);
}
END_TEST

START_TEST (test_cpuinfo_empty_and_x86)
{
  g_autoptr (HostFacts) f = host_facts_new ();
  g_autoptr (HostFacts) g = host_facts_new ();
  host_parse_cpuinfo (f, "");
  ck_assert_ptr_null (f->cpu_chip);
  ck_assert_int_eq (f->cpu_count, -1);
  ck_assert_int_eq (f->mmu, HOST_MMU_UNKNOWN);
  host_parse_cpuinfo (g, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon\n"
                         "processor\t: 1\nvendor_id\t: GenuineIntel\n");
  ck_assert_ptr_null (g->cpu_chip);
  ck_assert_int_eq (g->cpu_count, 2);
  ck_assert_int_eq (g->generation, 0);
  ck_assert (!host_is_ppc64 (g));
}
END_TEST

START_TEST (test_cpuinfo_bad_pvr)
{
  g_autoptr (HostFacts) f = host_facts_new ();
  host_parse_cpuinfo (f, "processor : 0\ncpu : POWER9\nrevision : 2.2 (pvr zzzz 1202)\n");
  ck_assert_uint_eq (f->pvr, 0);
  ck_assert_ptr_null (f->cpu_chip);
  ck_assert_int_eq (f->generation, 9); /* from the mode name */
}
END_TEST

START_TEST (test_meminfo_and_mounts)
{
  g_autoptr (HostFacts) f = host_facts_new ();
  host_parse_meminfo (f, "MemTotal:  1000 kB\nHugePages_Total:    1100\nHugePages_Free:     1024\n"
                         "Hugepagesize:       2048 kB");
  ck_assert_uint_eq (f->mem_total, 1000 << 10);
  ck_assert_uint_eq (f->hugepages->len, 1);
  ck_assert_int_eq (host_default_hugepages (f)->total, 1100);
  ck_assert_int_eq (host_default_hugepages (f)->free, 1024);
  {
    /* Blanks around keys, spaces for tabs, "KB", bad values, a last line
     * without its newline. */
    g_autoptr (HostFacts) g = host_facts_new ();
    host_parse_meminfo (g, "MemFree: 1 kB\n\n  MemAvailable :  \t 3 KB \nMemTotal: lots kB\nMem\n"
                           "HugePages_Total: -1\nHugePages_Free: 7 pages\nHuge: 1\nHugepagesize:\t64 kB");
    ck_assert_uint_eq (g->mem_available, 3 << 10);
    ck_assert_uint_eq (g->mem_total, 0);
    ck_assert_uint_eq (g->hugepages->len, 1);
    ck_assert_uint_eq (host_default_hugepages (g)->size, 64 << 10);
    ck_assert_int_eq (host_default_hugepages (g)->total, -1);
    ck_assert_int_eq (host_default_hugepages (g)->free, 7);
  }
  host_parse_mounts (f, "proc /proc proc rw 0 0\n"
                        "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n"
                        "none /mnt/huge\\040pages hugetlbfs ro,relatime 0 0\n"
                        "none /mnt/g hugetlbfs rw,pagesize=1024M 0 0\n"
                        "short line\n");
  ck_assert_uint_eq (f->hugetlbfs->len, 3);
  {
    HostHugetlbfs *m0 = g_ptr_array_index (f->hugetlbfs, 0);
    HostHugetlbfs *m1 = g_ptr_array_index (f->hugetlbfs, 1);
    HostHugetlbfs *m2 = g_ptr_array_index (f->hugetlbfs, 2);
    ck_assert_str_eq (m0->path, "/dev/hugepages");
    ck_assert_uint_eq (m0->page_size, 2 << 20);
    ck_assert_int_eq (m0->writable, PPCVM_YES);
    ck_assert_str_eq (m1->path, "/mnt/huge pages");
    ck_assert_uint_eq (m1->page_size, 2 << 20); /* the default size */
    ck_assert_int_eq (m1->writable, PPCVM_NO);
    ck_assert_uint_eq (m2->page_size, G_GUINT64_CONSTANT (1) << 30);
  }
  ck_assert_ptr_nonnull (host_find_hugetlbfs (f, 2 << 20));
  {
    /* What the fstab advice writes, /proc/mounts reads back. */
    const char *odd = "/mnt/a b\tc\\d\ne";
    g_autofree char *field = host_mount_path_escape (odd);
    g_autofree char *line = g_strdup_printf ("hugetlbfs %s hugetlbfs rw,pagesize=2M 0 0\n", field);
    g_autoptr (HostFacts) g = host_facts_new ();
    ck_assert_str_eq (field, "/mnt/a\\040b\\011c\\134d\\012e");
    host_parse_mounts (g, line);
    ck_assert_uint_eq (g->hugetlbfs->len, 1);
    ck_assert_str_eq (((HostHugetlbfs *) g_ptr_array_index (g->hugetlbfs, 0))->path, odd);
  }
}
END_TEST

START_TEST (test_smaps_modules_version)
{
  ck_assert_uint_eq (host_parse_smaps_page_size ("10000-2000 r-xp\nSize: 4 kB\nKernelPageSize:        4 kB\n"), 4096);
  ck_assert_uint_eq (host_parse_smaps_page_size ("KernelPageSize: 64 kB"), 65536);
  ck_assert_uint_eq (host_parse_smaps_page_size ("nothing here"), 0);
  ck_assert_uint_eq (host_parse_smaps_page_size ("KernelPageSize: junk\nKernelPageSize: 64 kB\n"), 65536);
  ck_assert (host_parse_modules_has ("kvm_pr 1 0 - Live\nkvm 5 1 kvm_pr, Live", "kvm_pr"));
  ck_assert (!host_parse_modules_has ("kvm_pr_x 1 0 - Live\n", "kvm_pr"));
  ck_assert (!host_parse_modules_has ("kvm 5 1 kvm_hv, Live\n", "kvm_hv"));
  {
    g_autofree char *v = host_parse_version ("Linux version 6.12.107+deb13-powerpc64le (x) #1");
    g_autofree char *n = host_parse_version ("garbage");
    ck_assert_str_eq (v, "6.12.107+deb13-powerpc64le");
    ck_assert_ptr_null (n);
  }
}
END_TEST

START_TEST (test_pvr_table)
{
  int gen;
  ck_assert_str_eq (host_pvr_chip (0x004a0201, &gen), "POWER7+");
  ck_assert_int_eq (gen, 7);
  ck_assert_str_eq (host_pvr_chip (0x004c0100, &gen), "POWER8NVL");
  ck_assert_str_eq (host_pvr_chip (0x00820200, &gen), "Power11");
  ck_assert_int_eq (gen, 11);
  ck_assert_str_eq (host_pvr_chip (0x70000100, &gen), "750FX");
  ck_assert_int_eq (gen, 0);
  ck_assert_ptr_null (host_pvr_chip (0x12340000, &gen));
  ck_assert_int_eq (host_generation_from_name ("POWER7+"), 7);
  ck_assert_int_eq (host_generation_from_name ("power9_v2.2"), 9);
  ck_assert_int_eq (host_generation_from_name ("Power11"), 11);
  ck_assert_int_eq (host_generation_from_name ("PPC970MP"), 0);
  ck_assert_int_eq (host_generation_from_name ("POWER"), 0);
  /* One generation table: names and QEMU's max-cpu-compat values. */
  ck_assert_str_eq (host_generation_name (5), "POWER5");
  ck_assert_str_eq (host_generation_name (9), "POWER9");
  ck_assert_str_eq (host_generation_name (11), "Power11");
  ck_assert_ptr_null (host_generation_name (4));
  ck_assert_ptr_null (host_generation_name (0));
  ck_assert_ptr_null (host_generation_name (12));
  ck_assert_ptr_null (host_generation_name (-1));
  ck_assert_ptr_null (host_generation_compat (5));
  ck_assert_str_eq (host_generation_compat (6), "power6");
  ck_assert_str_eq (host_generation_compat (10), "power10");
  ck_assert_str_eq (host_generation_compat (11), "power11");
  ck_assert_ptr_null (host_generation_compat (12));
  for (int g = 5; g <= 11; g++)
    ck_assert_int_eq (host_generation_from_name (host_generation_name (g)), g);
}
END_TEST

/* One size parser: a number with K, M, G or T (and an optional B); what a
 * bare number means is the caller's (MiB for memory=, bytes for the kernel's
 * and libvirt's sizes, nothing for --disk-size). */
START_TEST (test_parse_size)
{
  static const struct {
    const char *text;
    guint64 bare_unit;
    gboolean ok;
    guint64 bytes;
  } rows[] = {
    { "2G", 1 << 20, TRUE, G_GUINT64_CONSTANT (2) << 30 },
    { " 1536m ", 1 << 20, TRUE, G_GUINT64_CONSTANT (1536) << 20 },
    { "512", 1 << 20, TRUE, G_GUINT64_CONSTANT (512) << 20 },
    { "512", 1, TRUE, 512 },
    { "4096B", 1, FALSE, 0 }, /* B only after a suffix */
    { "64kB", 1, TRUE, 65536 },
    { "2048k", 1, TRUE, 2 << 20 },
    { "16T", 1, TRUE, G_GUINT64_CONSTANT (16) << 40 },
    { "20G", 0, TRUE, G_GUINT64_CONSTANT (20) << 30 },
    { "20", 0, FALSE, 0 },
    { "20B", 0, FALSE, 0 },
    { "17T", 1, FALSE, 0 },
    { "1P", 1, FALSE, 0 },
    { "0", 1, FALSE, 0 },
    { "", 1, FALSE, 0 },
    { "B", 1, FALSE, 0 },
    { "-1M", 1, FALSE, 0 },
    { "2 G", 1, FALSE, 0 },
    { "2Mx", 1, FALSE, 0 },
    { "2MiB", 1, FALSE, 0 },
    { "0x10", 1, FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (GError) error = NULL;
    guint64 bytes = 0;
    gboolean ok = ppcvm_parse_size_unit (rows[i].text, rows[i].bare_unit, &bytes, &error);
    ck_assert_msg (ok == rows[i].ok, "'%s' (bare unit %" G_GUINT64_FORMAT "): %s", rows[i].text,
                   rows[i].bare_unit, ok ? "accepted" : error->message);
    if (ok)
      ck_assert_uint_eq (bytes, rows[i].bytes);
    else
      ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_INVALID));
  }
}
END_TEST

/* Missing and empty /proc files: nothing crashes, facts stay unknown. */
START_TEST (test_empty_sysroot)
{
  g_autofree char *dir = testlib_tmpdir ("host");
  g_autofree char *proc = g_build_filename (dir, "proc", NULL);
  g_autofree char *cpuinfo = g_build_filename (proc, "cpuinfo", NULL);
  g_autoptr (HostFacts) f = NULL;

  g_mkdir_with_parents (proc, 0700);
  g_file_set_contents (cpuinfo, "", 0, NULL);
  f = host_detect (dir);
  ck_assert_ptr_null (f->cpu_chip);
  ck_assert_ptr_null (f->arch);
  ck_assert_int_eq (f->kvm_device, PPCVM_NO);
  ck_assert_int_eq (f->kvm_hv, PPCVM_NO);
  ck_assert_uint_eq (f->page_size, 0);
  ck_assert (!host_is_ppc64 (f));
  testlib_rm_rf (dir);
}
END_TEST

START_TEST (test_live_detect)
{
  g_autoptr (HostFacts) f = host_detect (NULL);
  ck_assert_ptr_nonnull (f->arch);
  ck_assert_ptr_nonnull (f->kernel);
  ck_assert_uint_ne (f->page_size, 0);
  ck_assert_uint_ne (f->mem_total, 0);
}
END_TEST

/* ---- The JSON reader ---- */

static HostFacts *
from_text (const char *text, GError **error)
{
  json_object *j = json_tokener_parse (text);
  HostFacts *f;
  ck_assert_msg (j != NULL, "bad test JSON: %s", text);
  f = host_facts_from_json (j, error);
  json_object_put (j);
  return f;
}

START_TEST (test_json_minimal_and_unknown_fields)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HostFacts) f = from_text ("{\"schema\": \"ppcvm-host/1\", \"future\": {\"x\": 1}, \"mmu\": \"radix\", "
                                       "\"cpu\": {\"generation\": 9}, \"page_size\": 4096}", &error);
  ck_assert_msg (f != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (f->mmu, HOST_MMU_RADIX);
  ck_assert_int_eq (f->generation, 9);
  ck_assert_int_eq (f->kvm_hv, PPCVM_UNKNOWN);
  ck_assert_ptr_null (f->qemu);
}
END_TEST

static const struct {
  const char *json;
  const char *error;
} bad_json[] = {
  { "{\"schema\": \"ppcvm-plan/1\"}", "expected \"ppcvm-host/1\"" },
  { "{}", "schema is missing" },
  { "{\"schema\": \"ppcvm-host/1\", \"mmu\": \"paged\"}", "mmu: expected" },
  { "{\"schema\": \"ppcvm-host/1\", \"page_size\": \"4k\"}", "page_size: expected" },
  { "{\"schema\": \"ppcvm-host/1\", \"cpu\": {\"generation\": 42}}", "cpu.generation" },
  { "{\"schema\": \"ppcvm-host/1\", \"cpu\": {\"pvr\": \"xyz\"}}", "cpu.pvr" },
  { "{\"schema\": \"ppcvm-host/1\", \"kvm\": {\"hv\": \"yes\"}}", "kvm.hv: expected true, false or null" },
  { "{\"schema\": \"ppcvm-host/1\", \"kvm\": []}", "kvm: expected an object" },
  { "{\"schema\": \"ppcvm-host/1\", \"hugepages\": [{\"size\": -1}]}", "hugepages[].size" },
  { "{\"schema\": \"ppcvm-host/1\", \"hugetlbfs\": [{\"page_size\": 2097152}]}", "hugetlbfs[].path" },
  { "{\"schema\": \"ppcvm-host/1\", \"platform\": \"mainframe\"}", "platform: expected" },
  { "[1, 2]", "expected a JSON object" },
  /* Numbers are range-checked, never narrowed or wrapped (issue 16). */
  { "{\"schema\": \"ppcvm-host/1\", \"page_size\": 1e30}", "page_size: expected a power of two from 4096" },
  { "{\"schema\": \"ppcvm-host/1\", \"page_size\": 12345}", "page_size: expected a power of two" },
  { "{\"schema\": \"ppcvm-host/1\", \"page_size\": 36893488147419103232}", "page_size: expected" },
  { "{\"schema\": \"ppcvm-host/1\", \"cpu\": {\"count\": 1099511627776}}", "cpu.count: expected an integer from 0 to 1048576" },
  { "{\"schema\": \"ppcvm-host/1\", \"cpu\": {\"count\": -5}}", "cpu.count: expected an integer" },
  { "{\"schema\": \"ppcvm-host/1\", \"cpu\": {\"generation\": 8589934601}}", "cpu.generation: expected an integer from 0 to 99" },
  { "{\"schema\": \"ppcvm-host/1\", \"cpu\": {\"threads_per_core\": 4294967297}}", "cpu.threads_per_core: expected" },
  { "{\"schema\": \"ppcvm-host/1\", \"memory\": {\"total\": 9223372036854775807}}", "memory.total: expected" },
  { "{\"schema\": \"ppcvm-host/1\", \"memory\": {\"available\": -1}}", "memory.available: expected" },
  { "{\"schema\": \"ppcvm-host/1\", \"hugepages\": [{\"size\": 2097152, \"total\": 1e300}]}", "hugepages[].total: expected" },
  { "{\"schema\": \"ppcvm-host/1\", \"hugetlbfs\": [{\"path\": \"/h\", \"page_size\": 3000000}]}", "hugetlbfs[].page_size: expected a power of two" },
};

START_TEST (test_json_bad)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HostFacts) f = from_text (bad_json[_i].json, &error);
  ck_assert_ptr_null (f);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (strstr (error->message, bad_json[_i].error) != NULL, "'%s' lacks '%s'", error->message,
                 bad_json[_i].error);
}
END_TEST

START_TEST (test_json_file_errors)
{
  g_autofree char *dir = testlib_tmpdir ("hostjson");
  g_autofree char *p = g_build_filename (dir, "h.json", NULL);
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;
  HostFacts *f;

  g_file_set_contents (p, "{\"schema\": \"ppcvm-host/1\", ", -1, NULL);
  f = host_facts_load_file (p, &e1);
  ck_assert_ptr_null (f);
  ck_assert (strstr (e1->message, "h.json: not valid JSON") != NULL);
  g_file_set_contents (p, "{\"schema\": \"ppcvm-host/1\"} trailing", -1, NULL);
  f = host_facts_load_file (p, &e2);
  ck_assert_ptr_null (f);
  ck_assert (strstr (e2->message, "not valid JSON") != NULL);
  g_unlink (p);
  f = host_facts_load_file (p, &e3);
  ck_assert_ptr_null (f);
  ck_assert (strstr (e3->message, "h.json") != NULL);
  g_rmdir (dir);
}
END_TEST

static Suite *
host_suite (void)
{
  Suite *s = suite_create ("host");
  TCase *tc = tcase_create ("fixtures");
  TCase *tp = tcase_create ("parsers");
  TCase *tj = tcase_create ("json");

  tcase_add_loop_test (tc, test_fixture_row, 0, G_N_ELEMENTS (fixtures));
  tcase_add_loop_test (tc, test_fixture_json_round_trip, 0, G_N_ELEMENTS (fixtures));
  tcase_add_test (tc, test_nested_fixture_details);
  tcase_add_test (tc, test_hash_guest_has_no_kvm_hv);
  suite_add_tcase (s, tc);

  tcase_add_test (tp, test_cpuinfo_messy);
  tcase_add_test (tp, test_cpuinfo_empty_and_x86);
  tcase_add_test (tp, test_cpuinfo_bad_pvr);
  tcase_add_test (tp, test_meminfo_and_mounts);
  tcase_add_test (tp, test_parse_size);
  tcase_add_test (tp, test_smaps_modules_version);
  tcase_add_test (tp, test_pvr_table);
  tcase_add_test (tp, test_empty_sysroot);
  tcase_add_test (tp, test_live_detect);
  suite_add_tcase (s, tp);

  tcase_add_test (tj, test_json_minimal_and_unknown_fields);
  tcase_add_loop_test (tj, test_json_bad, 0, G_N_ELEMENTS (bad_json));
  tcase_add_test (tj, test_json_file_errors);
  suite_add_tcase (s, tj);
  return s;
}

int
main (void)
{
  return testlib_run (host_suite ());
}
