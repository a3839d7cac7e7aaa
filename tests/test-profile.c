/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profile parsing: defaults, every key, every invalid value, structure
 * errors, overrides, path resolution and the search order. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "profile.h"
#include "testlib.h"
#include "util.h"

/* The root of HOME, XDG_CACHE_HOME... for the whole run: GLib caches those
 * directories on first use, so they are set once in main(). */
static char *root;
/* A fresh directory per test (checked fixture). */
static char *tmp;
static char *conf; /* tmp/test.conf: the filename profiles are loaded as */

/* Write CONTENTS to DIR/NAME, creating parent directories; returns the path. */
static char *
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  ck_assert_int_eq (g_mkdir_with_parents (parent, 0755), 0);
  ck_assert_msg (g_file_set_contents (path, contents, -1, &error), "%s",
                 error ? error->message : "");
  return g_steal_pointer (&path);
}

static char *
make_dir (const char *dir, const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  ck_assert_int_eq (g_mkdir_with_parents (path, 0755), 0);
  return path;
}

static void
tmp_setup (void)
{
  tmp = testlib_tmpdir ("profile");
  conf = g_build_filename (tmp, "test.conf", NULL);
}

static void
tmp_teardown (void)
{
  testlib_rm_rf (tmp);
  g_clear_pointer (&tmp, g_free);
  g_clear_pointer (&conf, g_free);
  g_unsetenv ("PPCVM_PROFILE_PATH");
}

static Profile *
load_ok (const char *text, const char *const *overrides)
{
  g_autoptr (GError) error = NULL;
  Profile *p = profile_load_data (text, conf, overrides, &error);

  ck_assert_msg (p != NULL, "unexpected error: %s", error ? error->message : "?");
  ck_assert_ptr_null (error);
  return p;
}

/* Loads TEXT expecting failure; returns the message. */
static char *
load_fail (const char *text, const char *const *overrides)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Profile) p = profile_load_data (text, conf, overrides, &error);

  ck_assert_msg (p == NULL, "loaded, but expected an error:\n%s", text);
  ck_assert_ptr_nonnull (error);
  /* A named file that is missing or unreadable is a refusal (exit 3); any
   * other bad value is invalid. */
  if ((strstr (error->message, "does not exist") != NULL || strstr (error->message, "is not readable") != NULL) &&
      strstr (error->message, "[qemu] binary=") == NULL)
    ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_REFUSED));
  else
    ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_INVALID));
  return g_strdup (error->message);
}

#define assert_contains(haystack, needle)                                                     \
  ck_assert_msg (strstr ((haystack), (needle)) != NULL, "'%s' not in message: %s", (needle),   \
                 (haystack))

/* [network] forward=: parsed once into its parts; what is not a forward is
 * NULL (the loader names the key). */
START_TEST (test_forward_parse)
{
  static const struct {
    const char *text;
    ForwardProto proto;
    const char *host_addr;
    guint host_port;
    const char *guest_addr;
    guint guest_port;
  } good[] = {
    { "tcp:2222-:22", FORWARD_TCP, NULL, 2222, NULL, 22 },
    { " UDP:0.0.0.0:5353-10.0.2.15:53 ", FORWARD_UDP, "0.0.0.0", 5353, "10.0.2.15", 53 },
    { "tcp::8080-:80", FORWARD_TCP, NULL, 8080, NULL, 80 },
    { "Tcp:127.0.0.1:65535-10.0.2.15:1", FORWARD_TCP, "127.0.0.1", 65535, "10.0.2.15", 1 },
  };
  static const char *const bad[] = {
    "", "tcp", "tcp:2222", "tcp:2222-22", "icmp:1-:2", "tcp:1.2.3:22-:22", "tcp:70000-:22",
    "tcp:0-:22", "tcp:22-:0", "tcp:22-10.0.2:22", "tcp:a:b:22-:22", "tcp:22-:22:1", "tcp:-1-:22",
    "tcp:22-:+22", "tcp:256.0.0.1:22-:22",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (ProfileForward) f = profile_forward_parse (good[i].text);
    g_autofree char *line = NULL;
    g_autoptr (ProfileForward) again = NULL;
    g_autofree char *line2 = NULL;

    ck_assert_msg (f != NULL, "%s", good[i].text);
    ck_assert_int_eq (f->proto, good[i].proto);
    if (good[i].host_addr)
      ck_assert_str_eq (f->host_addr, good[i].host_addr);
    else
      ck_assert_ptr_null (f->host_addr);
    ck_assert_uint_eq (f->host_port, good[i].host_port);
    if (good[i].guest_addr)
      ck_assert_str_eq (f->guest_addr, good[i].guest_addr);
    else
      ck_assert_ptr_null (f->guest_addr);
    ck_assert_uint_eq (f->guest_port, good[i].guest_port);
    /* The rendered form parses back to the same forward. */
    line = profile_forward_to_string (f);
    again = profile_forward_parse (line);
    ck_assert_ptr_nonnull (again);
    line2 = profile_forward_to_string (again);
    ck_assert_str_eq (line, line2);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (ProfileForward) f = profile_forward_parse (bad[i]);
    ck_assert_msg (f == NULL, "'%s' parsed", bad[i]);
  }
}
END_TEST

START_TEST (test_defaults)
{
  g_autoptr (Profile) p = load_ok ("", NULL);

  ck_assert_str_eq (p->id, "test");
  ck_assert_str_eq (p->name, "test");
  ck_assert_ptr_null (p->path);
  ck_assert_int_eq (p->mmu, GUEST_MMU_RADIX);
  ck_assert_uint_eq (p->page_size, 65536);
  ck_assert_int_eq (p->cpu_generation, 0);
  ck_assert_uint_eq (p->memory, G_GUINT64_CONSTANT (2) << 30);
  ck_assert_uint_eq (p->smp, 2);
  ck_assert (!p->nested);
  ck_assert_int_eq (p->accel, ACCEL_AUTO);
  ck_assert_str_eq (p->machine, "pseries");
  ck_assert_int_eq (p->display, DISPLAY_SERIAL);
  ck_assert_ptr_null (p->vnc_listen);
  ck_assert_ptr_null (p->vnc_password_file);
  ck_assert_ptr_null (p->mem_path);
  ck_assert_ptr_null (p->kernel);
  ck_assert_ptr_null (p->append);
  ck_assert_uint_eq (p->disks->len, 0);
  ck_assert_int_eq (p->net_mode, NET_USER);
  ck_assert_uint_eq (p->forwards->len, 0);
  ck_assert_ptr_null (p->net_ifname);
  ck_assert_ptr_null (p->net_model);
  ck_assert_uint_eq (g_strv_length (p->qemu_args), 0);
  ck_assert_ptr_null (p->qemu_binary);

  /* Empty groups change nothing either. */
  profile_free (g_steal_pointer (&p));
  p = load_ok ("# a comment\n[guest]\n[boot]\n[network]\n[qemu]\n", NULL);
  ck_assert_uint_eq (p->memory, G_GUINT64_CONSTANT (2) << 30);
}
END_TEST

START_TEST (test_every_key)
{
  g_autofree char *kernel = write_file (tmp, "boot/vmlinux", "k");
  g_autofree char *initrd = write_file (tmp, "boot/initrd.cpio", "i");
  g_autofree char *fw = write_file (tmp, "boot/slof.bin", "f");
  g_autofree char *iso = write_file (tmp, "install.iso", "c");
  g_autofree char *img = write_file (tmp, "root.qcow2", "d");
  g_autofree char *data = write_file (tmp, "data.img", "d");
  g_autofree char *pw = write_file (tmp, "vnc.pw", "secret");
  ck_assert_int_eq (chmod (pw, 0600), 0); /* a group-readable one is refused */
  g_autofree char *mem = make_dir (tmp, "hugepages");
  g_autofree char *qemu = write_file (tmp, "bin/qemu", "#!/bin/sh\n");
  g_autoptr (Profile) p = NULL;
  const ProfileDisk *d;
  const char *text =
    "[guest]\n"
    "name=Void Linux ppc64le\n"
    "mmu=hash\n"
    "page-size=4K\n"
    "cpu=POWER9\n"
    "memory=4G\n"
    "smp=8\n"
    "nested=true\n"
    "accel=pr\n"
    "machine=pseries-2.12-sxxm\n"
    "display=vnc\n"
    "vnc=0.0.0.0:3\n"
    "vnc-password-file=vnc.pw\n"
    "mem-path=hugepages\n"
    "[boot]\n"
    "kernel=boot/vmlinux\n"
    "initrd=boot/initrd.cpio\n"
    "append=console=hvc0 root=/dev/vda rw\n"
    "firmware=SLOF\n"
    "bios=boot/slof.bin\n"
    "cdrom=install.iso\n"
    "[disk:root]\n"
    "file=root.qcow2\n"
    "format=qcow2\n"
    "interface=scsi\n"
    "readonly=false\n"
    "[disk:data-2]\n"
    "file=data.img\n"
    "format=raw\n"
    "readonly=yes\n"
    "[network]\n"
    "mode=bridge\n"
    "forward=tcp:2222-:22;UDP:0.0.0.0:5353-10.0.2.15:53;tcp::8080-:80;\n"
    "ifname=br0\n"
    "model=spapr-vlan\n"
    "[qemu]\n"
    "args=-S;-d int;-D '/tmp/qemu log'\n"
    "binary=bin/qemu\n";

  g_chmod (qemu, 0755);
  p = load_ok (text, NULL);
  ck_assert_str_eq (p->name, "Void Linux ppc64le");
  ck_assert_int_eq (p->mmu, GUEST_MMU_HASH);
  ck_assert_uint_eq (p->page_size, 4096);
  ck_assert_int_eq (p->cpu_generation, 9);
  ck_assert_uint_eq (p->memory, G_GUINT64_CONSTANT (4) << 30);
  ck_assert_uint_eq (p->smp, 8);
  ck_assert (p->nested);
  ck_assert_int_eq (p->accel, ACCEL_PR);
  ck_assert_str_eq (p->machine, "pseries-2.12-sxxm");
  ck_assert_int_eq (p->display, DISPLAY_VNC);
  ck_assert_str_eq (p->vnc_listen, "0.0.0.0:3");
  ck_assert_str_eq (p->vnc_password_file, pw);
  ck_assert_str_eq (p->mem_path, mem);
  ck_assert_str_eq (p->kernel, kernel);
  ck_assert_str_eq (p->initrd, initrd);
  ck_assert_str_eq (p->append, "console=hvc0 root=/dev/vda rw");
  ck_assert_int_eq (p->firmware, FIRMWARE_SLOF);
  ck_assert_str_eq (p->bios, fw);
  ck_assert_str_eq (p->cdrom, iso);

  ck_assert_uint_eq (p->disks->len, 2);
  d = p->disks->pdata[0];
  ck_assert_str_eq (d->name, "root");
  ck_assert_str_eq (d->file, img);
  ck_assert_str_eq (d->format, "qcow2");
  ck_assert_str_eq (d->interface, "scsi");
  ck_assert (!d->readonly);
  d = p->disks->pdata[1];
  ck_assert_str_eq (d->name, "data-2");
  ck_assert_str_eq (d->file, data);
  ck_assert_str_eq (d->format, "raw");
  ck_assert_ptr_null (d->interface);
  ck_assert (d->readonly);

  ck_assert_int_eq (p->net_mode, NET_BRIDGE);
  ck_assert_uint_eq (p->forwards->len, 3);
  {
    const char *const want[] = { "tcp:2222-:22", "udp:0.0.0.0:5353-10.0.2.15:53", "tcp:8080-:80" };
    for (guint i = 0; i < 3; i++) {
      g_autofree char *f = profile_forward_to_string (p->forwards->pdata[i]);
      ck_assert_str_eq (f, want[i]);
    }
  }
  ck_assert_str_eq (p->net_ifname, "br0");
  ck_assert_str_eq (p->net_model, "spapr-vlan");

  ck_assert_uint_eq (g_strv_length (p->qemu_args), 5);
  ck_assert_str_eq (p->qemu_args[0], "-S");
  ck_assert_str_eq (p->qemu_args[1], "-d");
  ck_assert_str_eq (p->qemu_args[2], "int");
  ck_assert_str_eq (p->qemu_args[3], "-D");
  ck_assert_str_eq (p->qemu_args[4], "/tmp/qemu log");
  ck_assert_str_eq (p->qemu_binary, qemu);
}
END_TEST

/* Accepted spellings of one value each: page sizes, CPUs, memory. */
START_TEST (test_spellings)
{
  static const struct {
    const char *line;
    guint64 page, memory;
    int cpu;
  } cases[] = {
    { "page-size=4K", 4096, 0, -1 },       { "page-size=4k", 4096, 0, -1 },
    { "page-size=4096", 4096, 0, -1 },     { "page-size=4KiB", 4096, 0, -1 },
    { "page-size=64K", 65536, 0, -1 },     { "page-size=65536", 65536, 0, -1 },
    { "page-size=64KiB", 65536, 0, -1 },   { "cpu=host", 0, 0, 0 },
    { "cpu=POWER7", 0, 0, 7 },             { "cpu=power8", 0, 0, 8 },
    { "cpu=Power10", 0, 0, 10 },           { "memory=256M", 0, 256 << 20, -1 },
    { "memory=1024", 0, 1 << 30, -1 },     { "memory=1536M", 0, 1536u << 20, -1 },
    { "memory=1T", 0, G_GUINT64_CONSTANT (1) << 40, -1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *text = g_strdup_printf ("[guest]\n%s\n", cases[i].line);
    g_autoptr (Profile) p = load_ok (text, NULL);
    if (cases[i].page)
      ck_assert_uint_eq (p->page_size, cases[i].page);
    if (cases[i].memory)
      ck_assert_uint_eq (p->memory, cases[i].memory);
    if (cases[i].cpu >= 0)
      ck_assert_int_eq (p->cpu_generation, cases[i].cpu);
  }
}
END_TEST

/* Every invalid value: the message names the file, [group], key=value and
 * what would be accepted. */
static const struct {
  const char *group, *key, *value, *expect;
} invalid[] = {
  { "guest", "name", "a/b", "'/'" },
  { "guest", "mmu", "flat", "radix or hash" },
  { "guest", "page-size", "16K", "4K or 64K" },
  { "guest", "page-size", "", "4K or 64K" },
  { "guest", "cpu", "POWER6", "host, POWER7, POWER8, POWER9 or POWER10" },
  { "guest", "cpu", "power11", "POWER10" },
  { "guest", "cpu", "x86", "POWER10" },
  { "guest", "memory", "2X", "'2X' is not a size (" },
  { "guest", "memory", "0", "zero" },
  { "guest", "memory", "128M", "at least 256M" },
  { "guest", "memory", "300M", "multiple of 256M" },
  { "guest", "memory", "2G # two gigs", "beginning of a line" },
  { "guest", "smp", "0", "1 to 2048" },
  { "guest", "smp", "2049", "1 to 2048" },
  { "guest", "smp", "two", "1 to 2048" },
  { "guest", "nested", "maybe", "true or false" },
  { "guest", "accel", "kvm-xx", "auto, kvm, hv, pr or tcg" },
  { "guest", "machine", "q35", "pseries or pseries-X.Y" },
  { "guest", "machine", "pseries-2", "pseries-X.Y" },
  { "guest", "machine", "pseries-2.12-", "pseries-X.Y" },
  { "guest", "machine", "pseries-2.x", "pseries-X.Y" },
  { "guest", "display", "sdl", "serial, none, vnc or gtk" },
  { "guest", "vnc", "localhost", "ADDRESS:DISPLAY" },
  { "guest", "vnc", "127.0.0.1:0,password=on", "ADDRESS:DISPLAY" },
  { "guest", "vnc-password-file", "no-such.pw", "does not exist" },
  { "guest", "mem-path", "no-such-dir", "not a directory" },
  { "boot", "kernel", "no-such-vmlinux", "does not exist" },
  { "boot", "kernel", "a\\nb", "line break" },
  { "boot", "kernel", "subdir", "is a directory" },
  { "boot", "initrd", "no-such-initrd", "does not exist" },
  { "boot", "bios", "~/no-such-fw", "does not exist" },
  { "boot", "firmware", "uefi", "is not a firmware (auto, slof or vof)" },
  { "boot", "firmware", "/usr/share/qemu/slof.bin", "a firmware image file goes in bios=PATH" },
  { "boot", "cdrom", "${XDG_CACHE_HOME}/no-such.iso", "does not exist" },
  { "disk:d", "file", "no-such.img", "does not exist" },
  { "disk:d", "format", "qcow3", "raw, qcow2" },
  { "disk:d", "interface", "ide", "virtio, scsi or nvme" },
  { "disk:d", "readonly", "perhaps", "true or false" },
  { "network", "mode", "slirp", "user, none, tap or bridge" },
  { "network", "mode", "tap", "needs ifname=" },
  { "network", "forward", "tcp:2222", "PROTO:[ADDR:]HOSTPORT-[GUESTADDR]:GUESTPORT" },
  { "network", "forward", "tcp:2222-:22;icmp:1-:2", "'icmp:1-:2' is not a port forward" },
  { "network", "forward", "tcp:1.2.3:22-:22", "is not a port forward" },
  { "network", "forward", "tcp:70000-:22", "is not a port forward" },
  { "network", "forward", "tcp:22-10.0.2:22", "is not a port forward" },
  { "network", "ifname", "a-very-long-interface", "up to 15" },
  { "network", "model", "virtio,x=1", "NIC model" },
  { "qemu", "args", "-append 'unterminated", "-append 'unterminated" },
  { "qemu", "binary", "./no-such-qemu", "does not exist" },
  { "qemu", "binary", "qemu system", "program name" },
};

START_TEST (test_invalid_value)
{
  g_autofree char *text = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *where = NULL;
  g_autofree char *kv = NULL;
  const char *disk_file = g_str_has_prefix (invalid[_i].group, "disk:")
                            && !g_str_equal (invalid[_i].key, "file") ? "file=ok.img\n" : "";

  g_free (write_file (tmp, "ok.img", ""));
  g_free (make_dir (tmp, "subdir"));
  text = g_strdup_printf ("[%s]\n%s%s=%s\n", invalid[_i].group, disk_file, invalid[_i].key,
                          invalid[_i].value);
  msg = load_fail (text, NULL);
  where = g_strdup_printf ("%s: [%s] ", conf, invalid[_i].group);
  kv = g_strdup_printf ("%s=%s", invalid[_i].key, invalid[_i].value);
  assert_contains (msg, where);
  assert_contains (msg, kv);
  assert_contains (msg, invalid[_i].expect);
}
END_TEST

START_TEST (test_name_control_chars)
{
  g_autofree char *msg = load_fail ("[guest]\nname=evil\\tname\n", NULL);

  assert_contains (msg, "[guest] name=evil\\tname");
  assert_contains (msg, "it contains a control character");
}
END_TEST

static const struct {
  const char *text, *expect[3];
} structure[] = {
  { "[guest]\ncolour=red\n", { "[guest] unknown key 'colour'", "accepted: name, mmu", NULL } },
  { "[gpu]\nx=1\n", { "unknown group [gpu]", "[disk:NAME]", NULL } },
  { "[guest]\nname[de]=Gast\n", { "unknown key 'name[de]'", NULL } },
  { "[disk:my disk]\nfile=x\n", { "[disk:my disk]", "not a disk name", NULL } },
  { "[disk:1st]\nfile=x\n", { "'1st' is not a disk name", NULL } },
  { "[disk:]\nfile=x\n", { "not a disk name", NULL } },
  { "[disk:root]\nformat=raw\n", { "[disk:root] file=", "needs file=", NULL } },
  { "[disk:root]\nfile=/dev/null\n", { "[disk:root] format= is missing", "qemu-img info /dev/null", NULL } },
  { "[network]\nport=22\n", { "accepted: mode, forward, ifname, model", NULL } },
  { "[guest]\nmemory=1G\nsmp=1\nmemory=2G\n",
    { ":4: [guest] duplicate key 'memory' (first at line 2)", NULL } },
  { "[guest]\nsmp=1\n[boot]\n\n[guest]\nmemory=1G\n",
    { ":5: duplicate group [guest] (first at line 1)", NULL } },
  { "[guest]\n  memory = 1G\nmemory=2G\n", { ":3: [guest] duplicate key 'memory'", NULL } },
  { "hello world\n", { "not a profile", NULL } },
  { "memory=1G\n", { "not a profile", NULL } },
  { "[guest]\nname=caf\xc3\n", { ":2: not a profile", "not UTF-8", NULL } },
  { "[guest]\n\xff\xfe\n", { "not UTF-8", NULL } },
};

START_TEST (test_structure)
{
  g_autofree char *msg = load_fail (structure[_i].text, NULL);

  assert_contains (msg, conf);
  for (int i = 0; structure[_i].expect[i] != NULL; i++)
    assert_contains (msg, structure[_i].expect[i]);
}
END_TEST

START_TEST (test_comments_are_not_duplicates)
{
  g_autoptr (Profile) p = load_ok ("[guest]\nmemory=1G\n#memory=2G\n# [guest]\n", NULL);

  ck_assert_uint_eq (p->memory, G_GUINT64_CONSTANT (1) << 30);
}
END_TEST

START_TEST (test_load_file)
{
  g_autofree char *path = write_file (tmp, "sub/my-guest.conf", "[guest]\nsmp=4\n");
  g_autofree char *bin = write_file (tmp, "binary.conf", "\x7f" "ELF\x02\x01\x01\xff\xfe\n");
  g_autofree char *missing = g_build_filename (tmp, "missing.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (Profile) p = profile_load (path, NULL, &error);
  g_autoptr (Profile) q = NULL;

  ck_assert_ptr_nonnull (p);
  ck_assert_str_eq (p->path, path);
  ck_assert_str_eq (p->id, "my-guest");
  ck_assert_str_eq (p->name, "my-guest");
  ck_assert_uint_eq (p->smp, 4);

  q = profile_load (bin, NULL, &error);
  ck_assert_ptr_null (q);
  assert_contains (error->message, bin);
  assert_contains (error->message, "not UTF-8");
  g_clear_error (&error);

  q = profile_load (missing, NULL, &error);
  ck_assert_ptr_null (q);
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND));
  assert_contains (error->message, missing);
}
END_TEST

START_TEST (test_overrides)
{
  g_autofree char *img = write_file (tmp, "x.img", "");
  g_autofree char *ov_disk = g_strdup_printf ("disk:root.file=%s", img);
  const char *ovs[] = { "guest.memory=4G", "guest.name=override.name", ov_disk,
                        "disk:extra.file=x.img", "disk:root.format=raw", "disk:extra.format=raw",
                        /* one image twice: read-only in both */
                        "disk:root.readonly=true", "disk:extra.readonly=true",
                        "qemu.args=-S;-d int", "network.mode=none",
                        NULL };
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr (Profile) p = NULL;
  ProfileDisk *d;

  /* Relative paths in overrides are relative to the current directory. */
  ck_assert_int_eq (chdir (tmp), 0);
  p = load_ok ("[guest]\nmemory=2X\n[disk:root]\nfile=/nonexistent.img\n", ovs);
  ck_assert_int_eq (chdir (cwd), 0);

  ck_assert_uint_eq (p->memory, G_GUINT64_CONSTANT (4) << 30);
  ck_assert_str_eq (p->name, "override.name");
  ck_assert_uint_eq (p->disks->len, 2);
  d = p->disks->pdata[0];
  ck_assert_str_eq (d->name, "root");
  ck_assert_str_eq (d->file, img);
  d = p->disks->pdata[1];
  ck_assert_str_eq (d->name, "extra");
  ck_assert_str_eq (d->file, img);
  ck_assert_uint_eq (g_strv_length (p->qemu_args), 3);
  ck_assert_str_eq (p->qemu_args[2], "int");
  ck_assert_int_eq (p->net_mode, NET_NONE);
}
END_TEST

static const struct {
  const char *override, *expect[3];
} bad_overrides[] = {
  { "guest.memory=2X", { "-s guest.memory=2X: [guest] memory=2X: '2X' is not a size", NULL } },
  { "guest.smp=0", { "-s guest.smp=0: [guest] smp=0:", "1 to 2048", NULL } },
  { "guest.colour=red", { "-s guest.colour=red: [guest] unknown key 'colour'", NULL } },
  { "gpu.x=1", { "-s gpu.x=1: unknown group [gpu]", NULL } },
  { "memory=4G", { "-s memory=4G: expected GROUP.KEY=VALUE", NULL } },
  { "guest.memory", { "-s guest.memory: expected GROUP.KEY=VALUE", NULL } },
  { "guest.=1", { "expected GROUP.KEY=VALUE", NULL } },
  { "disk:bad name.file=x", { "-s disk:bad name.file=x: [disk:bad name]", "disk name", NULL } },
  { "boot.kernel=no-such-file", { "-s boot.kernel=no-such-file: [boot] kernel=", NULL } },
};

START_TEST (test_bad_override)
{
  const char *ovs[] = { bad_overrides[_i].override, NULL };
  g_autofree char *msg = load_fail ("[guest]\nsmp=1\n", ovs);

  for (int i = 0; bad_overrides[_i].expect[i] != NULL; i++)
    assert_contains (msg, bad_overrides[_i].expect[i]);
  ck_assert_msg (strstr (msg, conf) == NULL, "override error names the file: %s", msg);
}
END_TEST

START_TEST (test_paths)
{
  g_autofree char *odd = write_file (tmp, "dir with, comma/a b,c=d.img", "");
  g_autofree char *home = write_file (g_get_home_dir (), "ppcvm-test-vmlinux", "");
  g_autofree char *cache = write_file (g_get_user_cache_dir (), "ppcvm/test/initrd", "");
  g_autofree char *fw = write_file (tmp, "fw.bin", "");
  g_autoptr (Profile) p = load_ok ("[boot]\n"
                                   "kernel=~/ppcvm-test-vmlinux\n"
                                   "initrd=${XDG_CACHE_HOME}/ppcvm/test/initrd\n"
                                   "bios=./sub/../fw.bin\n"
                                   "[disk:odd]\n"
                                   "file=dir with, comma/a b,c=d.img\n"
                                   "format=raw\n",
                                   NULL);

  ck_assert_str_eq (p->kernel, home);
  ck_assert_str_eq (p->initrd, cache);
  ck_assert_str_eq (p->bios, fw);
  ck_assert_int_eq (p->firmware, FIRMWARE_AUTO);
  ck_assert_str_eq (((ProfileDisk *) p->disks->pdata[0])->file, odd);
  g_remove (home);
  g_remove (cache);
}
END_TEST

/* A path stays a path: the profile's directory, not the current one. */
START_TEST (test_paths_relative_to_profile)
{
  g_autofree char *kernel = write_file (tmp, "guests/vmlinux", "");
  g_autofree char *path = write_file (tmp, "guests/g.conf", "[boot]\nkernel=vmlinux\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (Profile) p = profile_load (path, NULL, &error);

  ck_assert_msg (p != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (p->kernel, kernel);
}
END_TEST

START_TEST (test_find)
{
  g_autofree char *p1 = make_dir (tmp, "p1");
  g_autofree char *p2 = make_dir (tmp, "p2");
  g_autofree char *user = g_build_filename (g_get_user_config_dir (), "ppcvm", "profiles", NULL);
  g_autofree char *in_user = write_file (user, "both.conf", "");
  g_autofree char *in_p2 = write_file (p2, "both.conf", "");
  g_autofree char *only_user = write_file (user, "user-only.conf", "");
  g_autofree char *env = g_strdup_printf ("%s:%s", p1, p2);
  g_autofree char *found = NULL;
  g_autofree char *path_arg = write_file (tmp, "direct.conf", "");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) dirs = NULL;

  g_setenv ("PPCVM_PROFILE_PATH", env, TRUE);

  dirs = profile_search_dirs ();
  ck_assert_str_eq (dirs[0], p1);
  ck_assert_str_eq (dirs[1], p2);
  ck_assert_str_eq (dirs[2], user);
  ck_assert_str_eq (dirs[3], PPCVM_SYSCONFDIR "/profiles");
  ck_assert_str_eq (dirs[g_strv_length (dirs) - 1], PPCVM_SOURCE_PROFILES);

  found = profile_find ("both", &error);
  ck_assert_str_eq (found, in_p2);
  g_free (found);
  found = profile_find ("user-only", &error);
  ck_assert_str_eq (found, only_user);
  g_free (found);
  /* The shipped profiles are found from the source tree, last. */
  found = profile_find ("demo", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert (g_str_has_suffix (found, "/demo.conf"));
  g_free (found);

  /* A '/' or ".conf" makes it a path. */
  found = profile_find (path_arg, &error);
  ck_assert_str_eq (found, path_arg);
  g_free (found);
  found = profile_find ("both.conf", &error);
  ck_assert_ptr_null (found);
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND));
  assert_contains (error->message, "both.conf");
  g_clear_error (&error);

  found = profile_find ("nowhere", &error);
  ck_assert_ptr_null (found);
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND));
  assert_contains (error->message, "nowhere.conf");
  assert_contains (error->message, p1);
  assert_contains (error->message, user);
  assert_contains (error->message, PPCVM_SOURCE_PROFILES);
  g_remove (in_user);
  g_remove (only_user);
}
END_TEST

/* Every shipped profile parses (its boot files are made to exist). */
START_TEST (test_shipped_profiles)
{
  const char *src = g_getenv ("PPCVM_SOURCE_ROOT");
  g_autofree char *dir = g_build_filename (src != NULL ? src : "..", "profiles", NULL);
  g_autofree char *k = write_file (g_get_user_cache_dir (), "ppcvm/demo/vmlinux", "");
  g_autofree char *i = write_file (g_get_user_cache_dir (), "ppcvm/demo/initrd.cpio", "");
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  int n = 0;

  ck_assert_msg (d != NULL, "no %s", dir);
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (Profile) p = NULL;

    if (!g_str_has_suffix (name, ".conf"))
      continue;
    p = profile_load (path, NULL, &error);
    ck_assert_msg (p != NULL, "%s", error ? error->message : "");
    n++;
    if (g_str_equal (name, "demo.conf")) {
      ck_assert_str_eq (p->name, "ppcvm demo (Debian 12 ppc64el kernel + busybox)");
      ck_assert_str_eq (p->kernel, k);
      ck_assert_str_eq (p->initrd, i);
      ck_assert_str_eq (p->append, "console=hvc0 quiet");
      ck_assert_uint_eq (p->memory, G_GUINT64_CONSTANT (1) << 30);
      ck_assert_int_eq (p->display, DISPLAY_SERIAL);
      ck_assert_int_eq (p->net_mode, NET_NONE);
    }
  }
  ck_assert_int_ge (n, 1);
  g_remove (k);
  g_remove (i);
}
END_TEST

START_TEST (test_enum_strings)
{
  AccelRequest a = ACCEL_AUTO;

  ck_assert_str_eq (profile_mmu_to_string (GUEST_MMU_HASH), "hash");
  ck_assert_str_eq (profile_accel_to_string (ACCEL_TCG), "tcg");
  ck_assert_str_eq (profile_display_to_string (DISPLAY_GTK), "gtk");
  ck_assert (profile_accel_from_string ("PR", &a));
  ck_assert_int_eq (a, ACCEL_PR);
  ck_assert (profile_accel_from_string ("kvm-hv", &a));
  ck_assert_int_eq (a, ACCEL_HV);
  ck_assert (!profile_accel_from_string ("xen", &a));
  ck_assert_int_eq (a, ACCEL_HV);
}
END_TEST

static Suite *
profile_suite (void)
{
  Suite *s = suite_create ("profile");
  TCase *tc;

  tc = tcase_create ("values");
  tcase_add_checked_fixture (tc, tmp_setup, tmp_teardown);
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_forward_parse);
  tcase_add_test (tc, test_every_key);
  tcase_add_test (tc, test_spellings);
  tcase_add_loop_test (tc, test_invalid_value, 0, G_N_ELEMENTS (invalid));
  tcase_add_test (tc, test_name_control_chars);
  tcase_add_test (tc, test_enum_strings);
  suite_add_tcase (s, tc);

  tc = tcase_create ("structure");
  tcase_add_checked_fixture (tc, tmp_setup, tmp_teardown);
  tcase_add_loop_test (tc, test_structure, 0, G_N_ELEMENTS (structure));
  tcase_add_test (tc, test_comments_are_not_duplicates);
  tcase_add_test (tc, test_load_file);
  suite_add_tcase (s, tc);

  tc = tcase_create ("overrides");
  tcase_add_checked_fixture (tc, tmp_setup, tmp_teardown);
  tcase_add_test (tc, test_overrides);
  tcase_add_loop_test (tc, test_bad_override, 0, G_N_ELEMENTS (bad_overrides));
  suite_add_tcase (s, tc);

  tc = tcase_create ("paths");
  tcase_add_checked_fixture (tc, tmp_setup, tmp_teardown);
  tcase_add_test (tc, test_paths);
  tcase_add_test (tc, test_paths_relative_to_profile);
  tcase_add_test (tc, test_find);
  tcase_add_test (tc, test_shipped_profiles);
  suite_add_tcase (s, tc);

  return s;
}

int
main (void)
{
  g_autofree char *cache = NULL;
  g_autofree char *config = NULL;
  g_autofree char *data = NULL;
  int status;

  /* Before any GLib call that caches them. */
  root = g_dir_make_tmp ("ppcvm-test-root-XXXXXX", NULL);
  g_assert (root != NULL);
  cache = g_build_filename (root, "cache", NULL);
  config = g_build_filename (root, "config", NULL);
  data = g_build_filename (root, "data", NULL);
  g_setenv ("HOME", root, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_DIRS", data, TRUE);
  g_unsetenv ("PPCVM_PROFILE_PATH");

  status = testlib_run (profile_suite ());
  testlib_rm_rf (root);
  g_free (root);
  return status;
}
