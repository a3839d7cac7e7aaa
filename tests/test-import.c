/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm import: QEMU option splitting, each option's profile key, what is
 * dropped and what is kept verbatim (in order), and the errors. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "testlib.h"
#include "util.h"

/* Import ARGS (space-separated words; no quoting needed in these tables)
 * with /w as the working directory. */
static ImportResult *
import_words (const char *words)
{
  g_auto (GStrv) argv = g_strsplit (words, " ", -1);
  g_autoptr (GError) error = NULL;
  ImportResult *r = import_qemu_command ((const char *const *) argv, "/w", &error);

  ck_assert_msg (r != NULL, "%s: %s", words, error ? error->message : "");
  return r;
}

static void
expect_key (ImportResult *r, const char *group, const char *key, const char *want)
{
  g_autofree char *v = g_key_file_get_value (r->profile, group, key, NULL);

  if (want == NULL)
    ck_assert_msg (v == NULL, "[%s] %s=%s, expected no key", group, key, v);
  else
    ck_assert_msg (g_strcmp0 (v, want) == 0, "[%s] %s=%s, expected %s", group, key, v, want);
}

static void
expect_kept (ImportResult *r, const char *const *want)
{
  guint n = want != NULL ? g_strv_length ((char **) want) : 0;

  ck_assert_msg (r->kept->len == n, "%u kept, expected %u", r->kept->len, n);
  for (guint i = 0; i < n; i++)
    ck_assert_str_eq (r->kept->pdata[i], want[i]);
}

START_TEST (test_split_opts)
{
  static const struct {
    const char *in, *implied, *out; /* out: key=value|key=value... */
  } cases[] = {
    { "pseries-2.11,cap-htm=off,accel=kvm", "type", "type=pseries-2.11|cap-htm=off|accel=kvm" },
    { "file=a,,b.img,format=raw", NULL, "file=a,b.img|format=raw" },
    { "file=x,,", NULL, "file=x," },
    { "user,hostfwd=tcp::22-:22,hostfwd=udp::53-:53", "type",
      "type=user|hostfwd=tcp::22-:22|hostfwd=udp::53-:53" },
    { "4", "cpus", "cpus=4" },
    { "size=2G,slots=2", "size", "size=2G|slots=2" },
    { "cdrom,readonly", NULL, "cdrom=on|readonly=on" },
    { "", "type", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (GStrv) kv = import_split_opts (cases[i].in, cases[i].implied);
    g_autoptr (GString) s = g_string_new (NULL);
    for (int k = 0; kv[k] != NULL; k += 2)
      g_string_append_printf (s, "%s%s=%s", k ? "|" : "", kv[k], kv[k + 1]);
    ck_assert_msg (g_str_equal (s->str, cases[i].out), "%s: got %s, expected %s", cases[i].in,
                   s->str, cases[i].out);
  }
}
END_TEST

START_TEST (test_guest_keys)
{
  g_autoptr (ImportResult) r = import_words (
    "qemu-system-ppc64 -M pseries-2.11,cap-htm=off,accel=kvm,kvm-type=HV,ic-mode=xics "
    "-cpu power9_v2.2 -m size=4G -smp 8 -name vm1 -mem-path hp");

  expect_key (r, "guest", "machine", "pseries-2.11");
  expect_key (r, "guest", "accel", "hv");
  expect_key (r, "guest", "cpu", "POWER9");
  expect_key (r, "guest", "memory", "4G");
  expect_key (r, "guest", "smp", "8");
  expect_key (r, "guest", "name", "vm1");
  expect_key (r, "guest", "mem-path", "/w/hp");
  expect_key (r, "qemu", "binary", NULL);
  expect_kept (r, (const char *[]){ "-machine ic-mode=xics", NULL });
  ck_assert_uint_eq (r->notes->len, 2); /* cap-htm dropped; no display option */
}
END_TEST

START_TEST (test_accel)
{
  static const struct { const char *args, *accel; } cases[] = {
    { "-enable-kvm", "kvm" },
    { "-accel kvm", "kvm" },
    { "-accel tcg,thread=multi", "tcg" },
    { "-accel kvm -accel tcg", "auto" },
    { "-machine pseries,accel=kvm:tcg", "auto" },
    { "-machine pseries,accel=kvm,kvm-type=PR", "pr" },
    { "-m 1G", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *words = g_strdup_printf ("qemu-system-ppc64 %s", cases[i].args);
    g_autoptr (ImportResult) r = import_words (words);
    expect_key (r, "guest", "accel", cases[i].accel);
  }
}
END_TEST

START_TEST (test_cpu)
{
  static const struct { const char *args, *cpu; gboolean kept; } cases[] = {
    { "-cpu POWER8", "POWER8", FALSE },
    { "-cpu host", "host", FALSE },
    { "-cpu host -machine pseries,max-cpu-compat=power9", "POWER9", FALSE },
    { "-machine pseries,max-cpu-compat=power8", "POWER8", FALSE },
    { "-cpu power10", "POWER10", FALSE },
    { "-cpu 970", NULL, TRUE },
    { "-cpu max", NULL, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *words = g_strdup_printf ("qemu-system-ppc64 %s -nographic", cases[i].args);
    g_autoptr (ImportResult) r = import_words (words);
    expect_key (r, "guest", "cpu", cases[i].cpu);
    ck_assert_uint_eq (r->kept->len, cases[i].kept ? 1 : 0);
  }
}
END_TEST

START_TEST (test_memory_smp)
{
  g_autoptr (ImportResult) a = import_words ("qemu-system-ppc64 -m 2048 -smp cpus=4,threads=2");
  g_autoptr (ImportResult) b = import_words ("qemu-system-ppc64 -smp sockets=2,cores=4");
  g_autoptr (ImportResult) c = import_words ("qemu-system-ppc64 -m 1000");
  g_autoptr (ImportResult) d = import_words ("qemu-system-ppc64 -nographic");

  expect_key (a, "guest", "memory", "2G"); /* a bare -m number is MiB */
  expect_key (a, "guest", "smp", "4");
  expect_kept (a, (const char *[]){ "-smp threads=2", NULL });
  expect_key (b, "guest", "smp", "8");
  expect_key (c, "guest", "memory", NULL); /* not a multiple of 256M: kept as is */
  expect_kept (c, (const char *[]){ "-m 1000", NULL });
  expect_key (d, "guest", "memory", "512M"); /* QEMU's pseries defaults */
  expect_key (d, "guest", "smp", "1");
}
END_TEST

START_TEST (test_boot_and_disks)
{
  g_autoptr (ImportResult) r = import_words (
    "/opt/q/qemu-system-ppc64 -machine pseries,x-vof=on -kernel vmlinux -initrd /b/initrd -bios slof.bin "
    "-drive file=a,,b.qcow2,format=qcow2,if=virtio,id=root "
    "-drive file=ro.img,if=scsi,readonly=on -drive file=c.iso,media=cdrom "
    "-drive file=x.img,if=none,id=x -drive file=nbd:host:10809 -hdb old.img bare.img");

  expect_key (r, "boot", "kernel", "/w/vmlinux");
  expect_key (r, "boot", "initrd", "/b/initrd");
  expect_key (r, "boot", "bios", "/w/slof.bin");
  expect_key (r, "boot", "firmware", "vof"); /* -machine x-vof=on */
  expect_key (r, "boot", "cdrom", "/w/c.iso");
  expect_key (r, "disk:root", "file", "/w/a,b.qcow2");
  expect_key (r, "disk:root", "format", "qcow2");
  expect_key (r, "disk:root", "interface", "virtio");
  expect_key (r, "disk:disk0", "file", "/w/ro.img");
  expect_key (r, "disk:disk0", "interface", "scsi");
  expect_key (r, "disk:disk0", "readonly", "true");
  expect_key (r, "disk:hdb", "interface", "scsi");
  expect_key (r, "disk:hda", "file", "/w/bare.img");
  expect_key (r, "qemu", "binary", "/opt/q/qemu-system-ppc64");
  /* Kept, with its relative file name made absolute (run starts anywhere). */
  expect_kept (r, (const char *[]){ "-drive file=/w/x.img,if=none,id=x", "-drive file=nbd:host:10809", NULL });
}
END_TEST

START_TEST (test_network)
{
  static const struct {
    const char *args, *mode, *forward, *ifname, *model;
    guint kept;
  } cases[] = {
    { "-netdev user,id=n,hostfwd=tcp::2222-:22 -device virtio-net-pci,netdev=n", "user",
      "tcp:0.0.0.0:2222-:22;", NULL, NULL, 0 },
    { "-nic user,model=virtio,hostfwd=tcp:127.0.0.1:80-:80", "user", "tcp:127.0.0.1:80-:80;",
      NULL, NULL, 0 },
    { "-nic user", "user", NULL, NULL, "spapr-vlan", 0 },
    { "-net nic,model=e1000 -net user", "user", NULL, NULL, "e1000", 0 },
    { "-nic none", "none", NULL, NULL, NULL, 0 },
    { "-net none", "none", NULL, NULL, NULL, 0 },
    { "-nic tap,ifname=tap0,script=no,downscript=no", "tap", NULL, "tap0", "spapr-vlan", 0 },
    { "-netdev bridge,id=b,br=br1 -device spapr-vlan,netdev=b", "bridge", NULL, "br1",
      "spapr-vlan", 0 },
    { "-m 1G", "user", NULL, NULL, "spapr-vlan", 0 },  /* QEMU's default NIC */
    { "-nodefaults", "none", NULL, NULL, NULL, 0 }, /* dropped: ppcvm's plan has none anyway */
    /* A MAC address has no key: both kept, and no NIC of the profile's own. */
    { "-netdev user,id=n -device virtio-net-pci,netdev=n,mac=52:54:00:12:34:56", "none", NULL,
      NULL, NULL, 2 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *words = g_strdup_printf ("qemu-system-ppc64 -nographic %s", cases[i].args);
    g_autoptr (ImportResult) r = import_words (words);
    expect_key (r, "network", "mode", cases[i].mode);
    expect_key (r, "network", "forward", cases[i].forward);
    expect_key (r, "network", "ifname", cases[i].ifname);
    expect_key (r, "network", "model", cases[i].model);
    ck_assert_msg (r->kept->len == cases[i].kept, "%s: %u kept", cases[i].args, r->kept->len);
  }
}
END_TEST

START_TEST (test_display)
{
  static const struct { const char *args, *display, *vnc; guint kept; } cases[] = {
    { "-nographic", "serial", NULL, 0 },
    { "-nographic -serial mon:stdio -vga none", "serial", NULL, 0 },
    { "-display none -serial mon:stdio", "serial", NULL, 0 },
    { "-display none", "none", NULL, 0 },
    { "-display none -serial null -monitor none", "none", NULL, 0 },
    { "-vnc 127.0.0.1:1", "vnc", "127.0.0.1:1", 0 },
    { "-display gtk -vga std", "gtk", NULL, 0 },
    { "-display sdl", NULL, NULL, 1 },
    { "-nographic -monitor stdio", "serial", NULL, 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *words = g_strdup_printf ("qemu-system-ppc64 %s", cases[i].args);
    g_autoptr (ImportResult) r = import_words (words);
    expect_key (r, "guest", "display", cases[i].display);
    expect_key (r, "guest", "vnc", cases[i].vnc);
    ck_assert_msg (r->kept->len == cases[i].kept, "%s: %u kept", cases[i].args, r->kept->len);
  }
}
END_TEST

START_TEST (test_verbatim_order_and_data)
{
  const char *argv[] = { "qemu-system-ppc64", "-S", "-boot", "order=d", "-append", "a b;c",
                         "-device", "virtio-rng-pci", "-rtc", "base=utc,clock=host", "-nographic",
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (ImportResult) r = import_qemu_command (argv, "/w", &error);
  g_autofree char *data = NULL;
  g_autoptr (GKeyFile) back = g_key_file_new ();
  g_auto (GStrv) args = NULL;

  ck_assert_ptr_nonnull (r);
  expect_kept (r, (const char *[]){ "-S", "-boot order=d", "-device virtio-rng-pci",
                                    "-rtc base=utc,clock=host", NULL });
  data = import_result_to_data (r, "qemu-system-ppc64 -S\n-boot x");
  ck_assert (g_str_has_prefix (data, "# Imported by ppcvm import from:\n#   qemu-system-ppc64 -S -boot x\n"));
  ck_assert (g_key_file_load_from_data (back, data, -1, 0, NULL));
  args = g_key_file_get_string_list (back, "qemu", "args", NULL, NULL);
  ck_assert_uint_eq (g_strv_length (args), 4);
  ck_assert_str_eq (args[3], "-rtc base=utc,clock=host");
  {
    g_autofree char *append = g_key_file_get_string (back, "boot", "append", NULL);
    ck_assert_str_eq (append, "a b;c");
  }
}
END_TEST

START_TEST (test_errors)
{
  static const char *const bad[] = { "qemu-system-ppc64 -M powernv9", "qemu-system-ppc64 -m",
                                     "qemu-system-ppc64 -machine mac99" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (GStrv) argv = g_strsplit (bad[i], " ", -1);
    g_autoptr (GError) error = NULL;
    g_autoptr (ImportResult) r = import_qemu_command ((const char *const *) argv, "/w", &error);
    ck_assert_msg (r == NULL, "%s imported", bad[i]);
    ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_INVALID));
  }
}
END_TEST

static Suite *
import_suite (void)
{
  Suite *s = suite_create ("import");
  TCase *tc = tcase_create ("import");

  tcase_add_test (tc, test_split_opts);
  tcase_add_test (tc, test_guest_keys);
  tcase_add_test (tc, test_accel);
  tcase_add_test (tc, test_cpu);
  tcase_add_test (tc, test_memory_smp);
  tcase_add_test (tc, test_boot_and_disks);
  tcase_add_test (tc, test_network);
  tcase_add_test (tc, test_display);
  tcase_add_test (tc, test_verbatim_order_and_data);
  tcase_add_test (tc, test_errors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return testlib_run (import_suite ());
}
