/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The argv builder and cmdline_build() on hand-made plans and profiles. The
 * argument spellings asserted here were checked against qemu-system-ppc64
 * 7.2 (see the comment at the top of src/cmdline.c). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "testlib.h"
#include "util.h"

static void
assert_strv_eq (char **actual, const char *const *expected)
{
  g_autofree char *a = g_strjoinv ("' '", actual);
  g_autofree char *e = g_strjoinv ("' '", (char **) expected);

  ck_assert_msg (g_strv_equal ((const char *const *) actual, expected),
                 "argv differs:\n  got      '%s'\n  expected '%s'", a, e);
}

/* Index of the first OPTION directly followed by VALUE, or -1. */
static int
find_pair (char **argv, const char *option, const char *value)
{
  for (int i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++)
    if (g_str_equal (argv[i], option) && g_str_equal (argv[i + 1], value))
      return i;
  return -1;
}

static int
find_arg (char **argv, const char *arg)
{
  for (int i = 0; argv[i] != NULL; i++)
    if (g_str_equal (argv[i], arg))
      return i;
  return -1;
}

#define assert_pair(argv, opt, val)                                                            \
  do {                                                                                         \
    g_autofree char *_all = g_strjoinv (" ", (argv));                                          \
    ck_assert_msg (find_pair ((argv), (opt), (val)) >= 0, "no '%s' '%s' in: %s", (opt), (val), \
                   _all);                                                                      \
  } while (0)

#define assert_no_arg(argv, arg)                                                               \
  do {                                                                                         \
    g_autofree char *_all = g_strjoinv (" ", (argv));                                          \
    ck_assert_msg (find_arg ((argv), (arg)) < 0, "unexpected '%s' in: %s", (arg), _all);       \
  } while (0)

/* A plan as the planner would make it; the strings are borrowed. */
typedef struct {
  Plan plan;
  GPtrArray *props;
} TestPlan;

static void
test_plan_init (TestPlan *t, const char *accel_opts, const char *cpu, guint64 memory)
{
  memset (t, 0, sizeof *t);
  t->props = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_prop_free);
  t->plan.status = PLAN_OK;
  t->plan.machine = (char *) "pseries";
  t->plan.machine_props = t->props;
  t->plan.accel_opts = (char *) accel_opts;
  t->plan.cpu = (char *) cpu;
  t->plan.memory = memory;
}

static void
test_plan_clear (TestPlan *t)
{
  g_ptr_array_unref (t->props);
}

static Profile *
test_profile (void)
{
  Profile *p = profile_new_defaults ();

  p->id = g_strdup ("test");
  p->name = g_strdup ("test");
  return p;
}

static void
add_disk (Profile *p, const char *name, const char *file, const char *format,
          const char *iface, gboolean ro)
{
  ProfileDisk *d = g_new0 (ProfileDisk, 1);

  d->name = g_strdup (name);
  d->file = g_strdup (file);
  d->format = g_strdup (format);
  d->interface = g_strdup (iface);
  d->readonly = ro;
  g_ptr_array_add (p->disks, d);
}

START_TEST (test_builder)
{
  g_autoptr (QemuArgv) a = qemu_argv_new ();
  g_auto (GStrv) argv = NULL;
  const char *expected[] = { "qemu", "-m", "2G", "-smp", "4", "-name", "x,,y", "taken", NULL };

  ck_assert_uint_eq (qemu_argv_len (a), 0);
  qemu_argv_add_arg (a, "qemu");
  qemu_argv_add_args (a, "-m", "2G", NULL);
  qemu_argv_add_arg (a, "-smp");
  qemu_argv_add_arg_printf (a, "%d", 4);
  qemu_argv_add_args (a, "-name", NULL);
  qemu_argv_take_arg (a, ppcvm_qemu_escape ("x,y"));
  qemu_argv_take_arg (a, g_strdup ("taken"));
  ck_assert_uint_eq (qemu_argv_len (a), 8);
  argv = qemu_argv_finish (g_steal_pointer (&a));
  assert_strv_eq (argv, expected);
}
END_TEST

START_TEST (test_builder_empty)
{
  g_auto (GStrv) argv = qemu_argv_finish (qemu_argv_new ());

  ck_assert_ptr_nonnull (argv);
  ck_assert_ptr_null (argv[0]);
}
END_TEST

START_TEST (test_tcg_defaults)
{
  TestPlan t;
  g_autoptr (Profile) p = test_profile ();
  g_auto (GStrv) argv = NULL;
  const char *expected[] = {
    "qemu-system-ppc64",
    "-name", "guest=test",
    "-machine", "pseries,cap-htm=off",
    "-accel", "tcg,thread=multi",
    "-cpu", "POWER9",
    "-nodefaults",
    "-m", "2G",
    "-smp", "2",
    "-netdev", "user,id=net0",
    "-device", "virtio-net-pci,netdev=net0,id=nic0,romfile=",
    "-chardev", "stdio,id=con0,mux=on",
    "-mon", "chardev=con0",
    "-device", "spapr-vty,chardev=con0,id=vty0",
    "-display", "none",
    NULL,
  };

  test_plan_init (&t, "tcg,thread=multi", "POWER9", G_GUINT64_CONSTANT (2) << 30);
  plan_add_machine_prop (&t.plan, "cap-htm", "off");
  argv = cmdline_build ("qemu-system-ppc64", &t.plan, p, NULL, NULL);
  assert_strv_eq (argv, expected);
  test_plan_clear (&t);
}
END_TEST

START_TEST (test_kvm_hugepages)
{
  TestPlan t;
  g_autoptr (Profile) p = test_profile ();
  g_auto (GStrv) argv = NULL;
  const char *expected[] = {
    "/usr/bin/qemu-system-ppc64",
    "-name", "guest=hash guest",
    "-machine", "pseries-7.2,cap-hpt-max-page-size=65536,max-cpu-compat=power9",
    "-accel", "kvm",
    "-nodefaults",
    "-m", "1536M",
    "-smp", "4",
    "-mem-path", "/dev/hugepages/ppcvm, test",
    "-kernel", "/srv/a,b/vmlinux",
    "-initrd", "/srv/a,b/initrd",
    "-append", "console=hvc0 root=/dev/vda,x",
    "-drive", "file=/srv/root.img,format=raw,if=none,id=root",
    "-device", "virtio-blk-pci,drive=root,id=disk-root",
    "-chardev", "stdio,id=con0,mux=on",
    "-mon", "chardev=con0",
    "-device", "spapr-vty,chardev=con0,id=vty0",
    "-display", "none",
    NULL,
  };

  test_plan_init (&t, "kvm", NULL, G_GUINT64_CONSTANT (1536) << 20);
  t.plan.machine = (char *) "pseries-7.2";
  t.plan.accel = PLAN_ACCEL_KVM_HV;
  t.plan.guest_mmu = GUEST_MMU_HASH;
  t.plan.mem_path = (char *) "/dev/hugepages/ppcvm, test";
  t.plan.hugepage_size = 16 << 20;
  plan_add_machine_prop (&t.plan, "cap-hpt-max-page-size", "65536");
  plan_add_machine_prop (&t.plan, "max-cpu-compat", "power9");
  g_free (p->name);
  p->name = g_strdup ("hash guest");
  p->smp = 4;
  p->kernel = g_strdup ("/srv/a,b/vmlinux");
  p->initrd = g_strdup ("/srv/a,b/initrd");
  p->append = g_strdup ("console=hvc0 root=/dev/vda,x");
  p->net_mode = NET_NONE;
  add_disk (p, "root", "/srv/root.img", "raw", NULL, FALSE);

  argv = cmdline_build ("/usr/bin/qemu-system-ppc64", &t.plan, p, NULL, NULL);
  assert_strv_eq (argv, expected);
  test_plan_clear (&t);
}
END_TEST

/* KVM PR must never get a VGA device, whatever the display. */
START_TEST (test_no_vga)
{
  static const GuestDisplay displays[] = { DISPLAY_SERIAL, DISPLAY_NONE, DISPLAY_VNC,
                                           DISPLAY_GTK };

  for (gsize i = 0; i < G_N_ELEMENTS (displays); i++) {
    TestPlan t;
    g_autoptr (Profile) p = test_profile ();
    g_auto (GStrv) argv = NULL;

    test_plan_init (&t, "kvm", NULL, 1 << 30);
    t.plan.accel = PLAN_ACCEL_KVM_PR;
    t.plan.no_vga = TRUE;
    p->display = displays[i];
    argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);
    assert_pair (argv, "-device", "spapr-vty,chardev=con0,id=vty0");
    for (int j = 0; argv[j] != NULL; j++)
      ck_assert_msg (!g_str_has_prefix (argv[j], "VGA,") && !g_str_has_prefix (argv[j], "usb-"),
                     "display %d: %s", displays[i], argv[j]);
    ck_assert_int_ge (find_arg (argv, "-nodefaults"), 0);
    test_plan_clear (&t);
  }
}
END_TEST

#define USB_INPUT "-device", "qemu-xhci,id=usb0", "-device", "usb-kbd,bus=usb0.0,id=kbd0", \
                  "-device", "usb-tablet,bus=usb0.0,id=tablet0"
#define VC_CONSOLE "-chardev", "vc,id=con0", "-chardev", "vc,id=mon0", "-mon", "chardev=mon0", \
                   "-device", "spapr-vty,chardev=con0,id=vty0"

/* Rule MIN-DEVICES: each display's console and devices, all explicit. */
static const struct {
  GuestDisplay display;
  const char *vnc, *pw;
  const char *expected[32];
} displays[] = {
  { DISPLAY_SERIAL, NULL, NULL,
    { "-nodefaults", "-m", "1G", "-smp", "2", "-chardev", "stdio,id=con0,mux=on", "-mon", "chardev=con0",
      "-device", "spapr-vty,chardev=con0,id=vty0", "-display", "none", NULL } },
  { DISPLAY_NONE, NULL, NULL,
    { "-nodefaults", "-m", "1G", "-smp", "2", "-chardev", "null,id=con0", "-device",
      "spapr-vty,chardev=con0,id=vty0", "-display", "none", NULL } },
  { DISPLAY_VNC, NULL, NULL,
    { "-nodefaults", "-m", "1G", "-smp", "2", VC_CONSOLE, "-device", "VGA,id=vga0,romfile=", USB_INPUT,
      "-vnc", "127.0.0.1:0", NULL } },
  { DISPLAY_VNC, "0.0.0.0:3", "/etc/vnc,pw",
    { "-nodefaults", "-m", "1G", "-smp", "2", VC_CONSOLE, "-device", "VGA,id=vga0,romfile=", USB_INPUT,
      "-object", "secret,id=vncpw,file=/etc/vnc,,pw", "-vnc", "0.0.0.0:3,password-secret=vncpw", NULL } },
  { DISPLAY_GTK, NULL, NULL,
    { "-nodefaults", "-m", "1G", "-smp", "2", VC_CONSOLE, "-device", "VGA,id=vga0,romfile=", USB_INPUT,
      "-display", "gtk", NULL } },
};

START_TEST (test_display)
{
  TestPlan t;
  g_autoptr (Profile) p = test_profile ();
  g_auto (GStrv) argv = NULL;
  g_autofree char *all = NULL;
  g_autofree char *want = NULL;

  test_plan_init (&t, "tcg", NULL, 1 << 30);
  p->net_mode = NET_NONE;
  p->display = displays[_i].display;
  p->vnc_listen = g_strdup (displays[_i].vnc);
  p->vnc_password_file = g_strdup (displays[_i].pw);
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);

  /* The device options end the command line here (no runtime, no args). */
  all = g_strjoinv (" ", argv);
  want = g_strjoinv (" ", (char **) displays[_i].expected);
  ck_assert_msg (g_str_has_suffix (all, want), "'%s' does not end with '%s'", all, want);
  assert_no_arg (argv, "-vga");
  assert_no_arg (argv, "-serial");
  assert_no_arg (argv, "-monitor");
  test_plan_clear (&t);
}
END_TEST

/* A ',' in a value would start a new QEMU option: "a,format=raw.img" must
 * not turn into a second format= property. */
START_TEST (test_comma_escaping)
{
  TestPlan t;
  g_autoptr (Profile) p = test_profile ();
  g_auto (GStrv) argv = NULL;

  test_plan_init (&t, "tcg", NULL, 1 << 30);
  g_free (p->name);
  p->name = g_strdup ("web,debug-threads=on");
  p->cdrom = g_strdup ("/isos/x,y.iso");
  add_disk (p, "root", "/img/a,format=raw.img", "qcow2", NULL, FALSE);
  add_disk (p, "seed", "/img/seed,ro.img", NULL, "scsi", TRUE);
  add_disk (p, "fast", "/img/n,v.img", "raw", "nvme", FALSE);
  p->net_mode = NET_TAP;
  p->net_ifname = g_strdup ("tap0");
  p->net_model = g_strdup ("spapr-vlan");
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);

  assert_pair (argv, "-name", "guest=web,,debug-threads=on");
  /* Rule MIN-DEVICES: one spapr-vscsi for the CD-ROM and the SCSI disk,
   * every drive a backend (if=none) used by a device with an id. */
  assert_pair (argv, "-device", "spapr-vscsi,id=scsi0");
  assert_pair (argv, "-drive", "file=/isos/x,,y.iso,format=raw,if=none,id=cdrom0,media=cdrom,readonly=on");
  assert_pair (argv, "-device", "scsi-cd,bus=scsi0.0,drive=cdrom0,id=cd0");
  assert_pair (argv, "-drive", "file=/img/a,,format=raw.img,format=qcow2,if=none,id=root");
  assert_pair (argv, "-device", "virtio-blk-pci,drive=root,id=disk-root");
  assert_pair (argv, "-drive", "file=/img/seed,,ro.img,if=none,id=seed,readonly=on");
  assert_pair (argv, "-device", "scsi-hd,bus=scsi0.0,drive=seed,id=disk-seed");
  assert_pair (argv, "-drive", "file=/img/n,,v.img,format=raw,if=none,id=fast");
  assert_pair (argv, "-device", "nvme,drive=fast,serial=fast,id=disk-fast");
  assert_pair (argv, "-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no");
  assert_pair (argv, "-device", "spapr-vlan,netdev=net0,id=nic0");
  /* Disks keep their profile order, after their controller. */
  ck_assert_int_lt (find_pair (argv, "-device", "spapr-vscsi,id=scsi0"),
                    find_pair (argv, "-device", "scsi-cd,bus=scsi0.0,drive=cdrom0,id=cd0"));
  ck_assert_int_lt (find_pair (argv, "-drive", "file=/img/a,,format=raw.img,format=qcow2,"
                                               "if=none,id=root"),
                    find_pair (argv, "-drive", "file=/img/seed,,ro.img,if=none,id=seed,readonly=on"));
  test_plan_clear (&t);
}
END_TEST

START_TEST (test_network)
{
  TestPlan t;
  g_autoptr (Profile) p = test_profile ();
  g_auto (GStrv) argv = NULL;
  const char *const fwds[] = { "tcp:2222-:22", "udp:0.0.0.0:5353-10.0.2.15:53",
                               "tcp:8080-10.0.2.15:80" };

  test_plan_init (&t, "tcg", NULL, 1 << 30);
  for (guint i = 0; i < G_N_ELEMENTS (fwds); i++)
    g_ptr_array_add (p->forwards, profile_forward_parse (fwds[i]));
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);
  /* Forwards without an address listen on loopback only. */
  assert_pair (argv, "-netdev",
               "user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,"
               "hostfwd=udp:0.0.0.0:5353-10.0.2.15:53,hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80");
  assert_pair (argv, "-device", "virtio-net-pci,netdev=net0,id=nic0,romfile=");
  g_clear_pointer (&argv, g_strfreev);

  /* Rule PCI-ROM: any PCI model gets no ROM unless rom= names one. */
  p->net_model = g_strdup ("e1000");
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);
  assert_pair (argv, "-device", "e1000,netdev=net0,id=nic0,romfile=");
  g_clear_pointer (&argv, g_strfreev);
  p->net_rom = g_strdup ("/usr/share/qemu/pxe-e1000,x.rom");
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);
  assert_pair (argv, "-device", "e1000,netdev=net0,id=nic0,romfile=/usr/share/qemu/pxe-e1000,,x.rom");
  g_clear_pointer (&argv, g_strfreev);

  p->net_mode = NET_BRIDGE;
  p->net_ifname = g_strdup ("br0");
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);
  assert_pair (argv, "-netdev", "bridge,id=net0,br=br0");
  assert_no_arg (argv, "-nic");
  g_clear_pointer (&argv, g_strfreev);

  p->net_mode = NET_NONE;
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);
  /* -nodefaults: no NIC at all, without -nic none. */
  ck_assert_int_ge (find_arg (argv, "-nodefaults"), 0);
  assert_no_arg (argv, "-nic");
  assert_no_arg (argv, "-netdev");
  for (int i = 0; argv[i] != NULL; i++)
    ck_assert_msg (strstr (argv[i], "netdev=") == NULL, "a NIC: %s", argv[i]);
  test_plan_clear (&t);
}
END_TEST

START_TEST (test_runtime)
{
  TestPlan t;
  g_autoptr (Profile) p = test_profile ();
  g_auto (GStrv) argv = NULL;
  const char *extra[] = { "-d", "guest_errors", NULL };
  CmdlineRuntime rt = {
    .qmp_socket = "/run/user/1000/ppcvm/a,b/qmp.sock",
    .console_socket = "/run/user/1000/ppcvm/a,b/console.sock",
    .pid_file = "/run/user/1000/ppcvm/a,b/qemu.pid",
    .daemonize = TRUE,
  };
  const char *expected_tail[] = {
    "-chardev", "socket,id=con0,path=/run/user/1000/ppcvm/a,,b/console.sock,server=on,wait=off",
    "-device", "spapr-vty,chardev=con0,id=vty0",
    "-display", "none",
    "-chardev", "socket,id=qmp0,path=/run/user/1000/ppcvm/a,,b/qmp.sock,server=on,wait=off",
    "-mon", "chardev=qmp0,mode=control",
    "-pidfile", "/run/user/1000/ppcvm/a,b/qemu.pid",
    "-daemonize",
    "-S",
    "-d", "guest_errors",
    NULL,
  };
  guint n, m = G_N_ELEMENTS (expected_tail) - 1;

  test_plan_init (&t, "tcg", NULL, 1 << 30);
  p->net_mode = NET_NONE;
  g_strfreev (p->qemu_args);
  p->qemu_args = g_strsplit ("-S", " ", -1);
  argv = cmdline_build ("qemu", &t.plan, p, &rt, extra);
  n = g_strv_length (argv);
  ck_assert_uint_ge (n, m);
  assert_strv_eq (argv + n - m, expected_tail);
  assert_no_arg (argv, "-nographic");
  g_clear_pointer (&argv, g_strfreev);

  /* -daemonize without a console socket: QEMU refuses -nographic there. */
  rt.console_socket = NULL;
  argv = cmdline_build ("qemu", &t.plan, p, &rt, NULL);
  assert_no_arg (argv, "-nographic");
  assert_pair (argv, "-chardev", "null,id=con0");
  /* The only monitor is QMP's, on its socket. */
  for (guint i = 0; argv[i] != NULL; i++)
    if (g_str_equal (argv[i], "-mon"))
      ck_assert_str_eq (argv[i + 1], "chardev=qmp0,mode=control");
  assert_pair (argv, "-display", "none");
  g_clear_pointer (&argv, g_strfreev);

  /* Not daemonized, console on stdio. */
  rt.daemonize = FALSE;
  argv = cmdline_build ("qemu", &t.plan, p, &rt, NULL);
  assert_no_arg (argv, "-daemonize");
  assert_pair (argv, "-chardev", "stdio,id=con0,mux=on");
  assert_pair (argv, "-mon", "chardev=con0");
  test_plan_clear (&t);
}
END_TEST

START_TEST (test_shell_round_trip)
{
  const char *words[] = { "qemu-system-ppc64",
                          "-append",
                          "console=hvc0 root=/dev/vda",
                          "-name",
                          "it's \"quoted\" $HOME `x` \\",
                          "",
                          "-drive",
                          "file=/a b,,c.img,if=virtio",
                          "line\nbreak",
                          "*",
                          NULL };
  g_autofree char *line = cmdline_to_shell (words);
  g_auto (GStrv) back = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (g_shell_parse_argv (line, NULL, &back, &error), "%s: %s", line,
                 error ? error->message : "");
  /* g_shell_parse_argv drops nothing: the empty word survives too. */
  assert_strv_eq (back, words);
  /* Plain words stay readable. */
  ck_assert (g_str_has_prefix (line, "qemu-system-ppc64 -append 'console=hvc0 root=/dev/vda'"));
}
END_TEST

START_TEST (test_shell_round_trip_build)
{
  TestPlan t;
  g_autoptr (Profile) p = test_profile ();
  g_auto (GStrv) argv = NULL;
  g_auto (GStrv) back = NULL;
  g_autofree char *line = NULL;

  test_plan_init (&t, "tcg", NULL, 1 << 30);
  p->append = g_strdup ("console=hvc0 init=/bin/sh 'quoted'");
  add_disk (p, "root", "/my disks/a,b.img", NULL, NULL, FALSE);
  argv = cmdline_build ("qemu", &t.plan, p, NULL, NULL);
  line = cmdline_to_shell ((const char *const *) argv);
  ck_assert (g_shell_parse_argv (line, NULL, &back, NULL));
  assert_strv_eq (back, (const char *const *) argv);
  test_plan_clear (&t);
}
END_TEST

static Suite *
argv_suite (void)
{
  Suite *s = suite_create ("argv");
  TCase *tc;

  tc = tcase_create ("builder");
  tcase_add_test (tc, test_builder);
  tcase_add_test (tc, test_builder_empty);
  suite_add_tcase (s, tc);

  tc = tcase_create ("cmdline");
  tcase_add_test (tc, test_tcg_defaults);
  tcase_add_test (tc, test_kvm_hugepages);
  tcase_add_test (tc, test_no_vga);
  tcase_add_loop_test (tc, test_display, 0, G_N_ELEMENTS (displays));
  tcase_add_test (tc, test_comma_escaping);
  tcase_add_test (tc, test_network);
  tcase_add_test (tc, test_runtime);
  suite_add_tcase (s, tc);

  tc = tcase_create ("shell");
  tcase_add_test (tc, test_shell_round_trip);
  tcase_add_test (tc, test_shell_round_trip_build);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  return testlib_run (argv_suite ());
}
