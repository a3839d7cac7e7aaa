/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QEMU error catalogue against the real messages: the master wordings
 * and older variants QEMU printed for each rule (src/qemu-errors.c cites the
 * docs/rules.md id), and the lines
 * captured on a nested POWER9 host with 4 KiB pages
 * (tools/nested-kvm-4k/sample-markers.txt). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-errors.h"
#include "testlib.h"

static const struct {
  const char *line;
  const char *id; /* NULL: no explanation */
} cases[] = {
  /* sample-markers.txt, QEMU 7.2 and 10.0 on the nested 4 KiB host */
  { "qemu-system-ppc64: Can't support 64 kiB guest pages with 4 kiB host pages with this KVM implementation", "hpt-page-size" },
  { "qemu-system-ppc64: KVM can't supply 64kiB CI pages, which guest expects", "ci-pages" },
  { "qemu-system-ppc64: HPT not supported in nested guests", "hpt-nested" },
  { "qemu-system-ppc64: KVM implementation does not support Transactional Memory", "htm-kvm" },
  { "qemu-system-ppc64: Requested safe cache capability level not supported by KVM", "spectre-caps" },
  { "qemu-system-ppc64: unsupported machine type: \"pseries-2.11\"", "machine-type" },
  { "qemu-system-ppc64: unsupported machine type: \"pseries-2.12\"", "machine-type" },
  { "qemu-system-ppc64: warning: Many guests require at least 64kiB hpt-max-page-size", NULL },
  { "qemu-system-ppc64: warning: kernel_irqchip allowed but unavailable: IRQ_XIVE capability must be present for KVM", NULL },
  { "Try appending -machine cap-htm=off", NULL },
  { "Try appending -machine cap-cfpc=broken", NULL },
  /* qemu's image locking, the wording of QEMU 2.10 to 10.x */
  { "qemu-system-ppc64: -drive file=/srv/disk.img,format=raw,if=virtio,id=root: Failed to get \"write\" lock", "disk-locked" },
  { "Is another process using the image [/srv/disk.img]?", NULL },
  /* HPT-PAGE, HPT-4K-CAP, VRMA-HUGEPAGES, MACHINE-TYPES: QEMU's own wordings */
  { "qemu-system-ppc64: Can't support 16384 kiB guest pages with 64 kiB host pages with this KVM implementation", "hpt-page-size" },
  { "qemu-system-ppc64: Require at least 4kiB hpt-max-page-size", "hpt-min-page-size" },
  { "qemu-system-ppc64: cap-hpt-max-page-size must be a power of 2", "hpt-min-page-size" },
  { "qemu-system-ppc64: KVM doesn't support for base page shift 34", "page-shift" },
  { "qemu-system-ppc64: KVM doesn't support page shift 24/16", "page-shift" },
  { "qemu-system-ppc64: Unable to create 2048MiB RMA (VRMA only allows 512MiB", "rma" },
  { "qemu-system-ppc64: pSeries SLOF firmware requires >= 80ldMiB guest RMA (Real Mode Area memory)", "rma-too-small" },
  { "qemu-system-ppc64: pSeries SLOF firmware requires >= 128MiB guest RMA (Real Mode Area memory)", "rma-too-small" },
  { "qemu-system-ppc64: Node 0 memory size 0x10000000 is not aligned to 256 MiB", "numa-align" },
  { "qemu-system-ppc64: Property 'pseries-2.11-machine.cap-htm' not found", "cap-unknown" },
  { "qemu-system-ppc64: No Transactional Memory support in TCG", "htm-tcg" },
  { "qemu-system-ppc64: No Transactional Memory support in TCG, try cap-htm=off", "htm-tcg" },
  { "qemu-system-ppc64: No Transactional Memory support in TCG, try appending -machine cap-htm=off", "htm-tcg" },
  { "qemu-system-ppc64: KVM implementation does not support Transactional Memory, try cap-htm=off", "htm-kvm" },
  { "qemu-system-ppc64: Requested safe bounds check capability level not supported by KVM", "spectre-caps" },
  { "qemu-system-ppc64: Requested safe indirect branch capability level not supported by KVM", "spectre-caps" },
  { "qemu-system-ppc64: Requested safe cache capability level not supported by kvm, try cap-cfpc=broken", "spectre-caps" },
  { "qemu-system-ppc64: warning: TCG doesn't support requested feature, cap-cfpc=workaround", NULL },
  { "qemu-system-ppc64: warning: TCG doesn't support requested feature, cap-ccf-assist=on", NULL },
  { "qemu-system-ppc64: Requested count cache flush assist capability level not supported by KVM", "ccf-assist" },
  { "qemu-system-ppc64: Large decrementer only supported on POWER9, try -cpu POWER9", "large-decr" },
  { "qemu-system-ppc64: No large decrementer support, try appending -machine cap-large-decr=off", "large-decr" },
  { "qemu-system-ppc64: KVM large decrementer size (64) differs to model (56)", "large-decr" },
  { "qemu-system-ppc64: Nested-HV only supported on POWER9 and later", "nested-hv-cpu" },
  { "qemu-system-ppc64: Nested KVM-HV only supported on POWER9", "nested-hv-cpu" },
  { "qemu-system-ppc64: KVM implementation does not support Nested-HV", "nested-hv-kvm" },
  { "qemu-system-ppc64: KVM implementation does not support Nested KVM-HV", "nested-hv-kvm" },
  { "qemu-system-ppc64: Error enabling cap-nested-hv with KVM", "nested-hv-kvm" },
  { "qemu-system-ppc64: No Nested KVM-HV support in TCG", "nested-hv-tcg" },
  { "qemu-system-ppc64: No Nested KVM-HV support in tcg, try cap-nested-hv=off", "nested-hv-tcg" },
  { "qemu-system-ppc64: TCG does not support nested-HV with SMT", "nested-hv-tcg" },
  { "qemu-system-ppc64: Nested-HV APIs are mutually exclusive", "nested-hv-tcg" },
  { "qemu-system-ppc64: Firmware Assisted Non-Maskable Interrupts(FWNMI) not supported by KVM.", "fwnmi" },
  { "qemu-system-ppc64: No H_RPT_INVALIDATE support in TCG", "rpt-invalidate" },
  { "qemu-system-ppc64: H_RPT_INVALIDATE only supported on Radix", "rpt-invalidate" },
  { "qemu-system-ppc64: KVM implementation does not support H_RPT_INVALIDATE", "rpt-invalidate" },
  { "qemu-system-ppc64: KVM implementation does not support cap-ail-mode-3", "ail-mode-3" },
  { "qemu-system-ppc64: TCG only supports cap-ail-mode-3 on POWER8 and later CPUs", "ail-mode-3" },
  { "qemu-system-ppc64: DAWR1 supported only on POWER10 and later CPUs", "dawr1" },
  { "qemu-system-ppc64: DAWR1 not supported by KVM.", "dawr1" },
  { "qemu-system-ppc64: Error enabling cap-dawr1 with KVM.", "dawr1" },
  { "qemu-system-ppc64: Guest requested unavailable MMU mode (radix).", "mmu-mode" },
  { "qemu-system-ppc64: Guest requested unavailable MMU mode (hash).", "mmu-mode" },
  { "qemu-system-ppc64: Invalid compatibility mode \"power11\"", "cpu-compat" },
  { "qemu-system-ppc64: Compatibility PVR 0x0f000006 not valid for CPU", "cpu-compat" },
  { "qemu-system-ppc64: Unable to set CPU compatibility mode in KVM: Invalid argument", "cpu-compat" },
  { "qemu-system-ppc64: Unknown kvm-type specified 'bogus'", "kvm-type" },
  { "qemu-system-ppc64: ioctl(KVM_CREATE_VM) failed: Invalid argument", "kvm-module" },
  { "qemu-system-ppc64: ioctl(KVM_CREATE_VM) failed: 22 Invalid argument", "kvm-module" },
  { "qemu-system-ppc64: PPC KVM module is not loaded. Try modprobe kvm_hv.", "kvm-module" },
  { "qemu-system-ppc64: PPC KVM module is not loaded. Try modprobe kvm_pr.", "kvm-module" },
  { "qemu-system-ppc64: Register sync failed... If you're using kvm-hv.ko, only \"-cpu host\" is possible", "cpu-host" },
  { "qemu-system-ppc64: unable to find CPU model 'host'", "cpu-host" },
  { "qemu-system-ppc64: TCG cannot support more than 1 thread/core on a pseries machine", "tcg-threads" },
  /* older spelling of the machine error, with the option in front */
  { "qemu-system-ppc64: -machine pseries-2.1: unsupported machine type", "machine-type" },
  { "error: kvm run failed Device or resource busy", "kvm-run-busy" },
  /* ordinary output is left alone */
  { "qemu-system-ppc64: terminating on signal 15 from pid 1234 (ppcvm)", NULL },
  { "PPCVM-GUEST: mmu=Radix", NULL },
  { "", NULL },
};

START_TEST (test_explain)
{
  const char *line = cases[_i].line;
  const QemuError *e = qemu_errors_explain (line);

  if (cases[_i].id == NULL) {
    ck_assert_msg (e == NULL, "'%s' matched %s", line, e ? e->id : "");
    return;
  }
  ck_assert_msg (e != NULL, "'%s' is not explained (want %s)", line, cases[_i].id);
  ck_assert_msg (g_str_equal (e->id, cases[_i].id), "'%s' matched %s, want %s", line, e->id, cases[_i].id);
}
END_TEST

/* Every entry is covered by a real message above, has a valid pattern and a
 * paragraph that names a fix. */
START_TEST (test_table)
{
  gsize n;
  const QemuError *t = qemu_errors_table (&n);

  ck_assert_uint_gt (n, 20);
  for (gsize i = 0; i < n; i++) {
    g_autoptr (GRegex) re = g_regex_new (t[i].pattern, 0, 0, NULL);
    gboolean covered = FALSE;

    ck_assert_msg (re != NULL, "%s: bad pattern", t[i].id);
    ck_assert_msg (strstr (t[i].explanation, "Fix:") != NULL, "%s: no 'Fix:'", t[i].id);
    for (gsize j = 0; j < G_N_ELEMENTS (cases) && !covered; j++)
      covered = cases[j].id != NULL && g_str_equal (cases[j].id, t[i].id);
    ck_assert_msg (covered, "%s has no test message", t[i].id);
    for (gsize j = 0; j < i; j++)
      ck_assert_msg (!g_str_equal (t[i].id, t[j].id), "duplicate id %s", t[i].id);
  }
}
END_TEST

static Suite *
errors_suite (void)
{
  Suite *s = suite_create ("errors");
  TCase *tc = tcase_create ("catalogue");

  tcase_add_loop_test (tc, test_explain, 0, G_N_ELEMENTS (cases));
  tcase_add_test (tc, test_table);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return testlib_run (errors_suite ());
}
