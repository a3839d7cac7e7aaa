/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "util.h"

/* Which QEMU 7.2 options go through its option parser (QemuOpts: a ',' in a
 * value must be doubled) was checked against qemu-system-ppc64 7.2:
 *   escaped: -name, -drive file=, -chardev path=, -qmp unix:PATH, -object file=
 *   plain:   -mem-path, -kernel, -initrd, -append, -bios, -pidfile
 * Paths reaching -drive are absolute, so the block layer never mistakes a
 * "name:" prefix for a protocol. */

struct QemuArgv {
  GPtrArray *argv; /* of g_free'd char* */
};

QemuArgv *
qemu_argv_new (void)
{
  QemuArgv *a = g_new0 (QemuArgv, 1);

  a->argv = g_ptr_array_new_with_free_func (g_free);
  return a;
}

void
qemu_argv_free (QemuArgv *a)
{
  if (a == NULL)
    return;
  g_ptr_array_unref (a->argv);
  g_free (a);
}

void
qemu_argv_add_arg (QemuArgv *a, const char *arg)
{
  g_return_if_fail (arg != NULL);
  g_ptr_array_add (a->argv, g_strdup (arg));
}

void
qemu_argv_take_arg (QemuArgv *a, char *arg)
{
  g_return_if_fail (arg != NULL);
  g_ptr_array_add (a->argv, arg);
}

void
qemu_argv_add_args (QemuArgv *a, ...)
{
  va_list ap;
  const char *arg;

  va_start (ap, a);
  while ((arg = va_arg (ap, const char *)) != NULL)
    qemu_argv_add_arg (a, arg);
  va_end (ap);
}

void
qemu_argv_add_arg_printf (QemuArgv *a, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  qemu_argv_take_arg (a, g_strdup_vprintf (format, ap));
  va_end (ap);
}

guint
qemu_argv_len (const QemuArgv *a)
{
  return a->argv->len;
}

GStrv
qemu_argv_finish (QemuArgv *a)
{
  GPtrArray *argv = a->argv;

  g_ptr_array_add (argv, NULL);
  g_ptr_array_set_free_func (argv, NULL);
  g_free (a);
  return (GStrv) g_ptr_array_free (argv, FALSE);
}

/* OPTION followed by PREFIX and VALUE, the value QEMU-escaped. */
static void
add_escaped (QemuArgv *a, const char *option, const char *prefix, const char *value,
             const char *suffix)
{
  g_autofree char *esc = ppcvm_qemu_escape (value);

  qemu_argv_add_arg (a, option);
  qemu_argv_add_arg_printf (a, "%s%s%s", prefix, esc, suffix != NULL ? suffix : "");
}

static void
add_boot (QemuArgv *a, const Profile *profile)
{
  if (profile->kernel != NULL)
    qemu_argv_add_args (a, "-kernel", profile->kernel, NULL);
  if (profile->initrd != NULL)
    qemu_argv_add_args (a, "-initrd", profile->initrd, NULL);
  if (profile->append != NULL)
    qemu_argv_add_args (a, "-append", profile->append, NULL);
  if (profile->bios != NULL)
    qemu_argv_add_args (a, "-bios", profile->bios, NULL);
}

/* -drive FILE as a backend only (if=none) named ID, OPTS appended; the
 * device that uses it comes separately, with an id of its own. */
static void
add_drive (QemuArgv *a, const char *file, const char *format, const char *id, gboolean readonly,
           const char *opts)
{
  g_autofree char *esc = ppcvm_qemu_escape (file);
  GString *s = g_string_new ("file=");

  g_string_append (s, esc);
  if (format != NULL)
    g_string_append_printf (s, ",format=%s", format);
  g_string_append_printf (s, ",if=none,id=%s", id);
  if (opts != NULL)
    g_string_append_printf (s, ",%s", opts);
  if (readonly)
    g_string_append (s, ",readonly=on");
  qemu_argv_add_arg (a, "-drive");
  qemu_argv_take_arg (a, g_string_free (s, FALSE));
}

static gboolean
disk_is_scsi (const ProfileDisk *d)
{
  return d->interface != NULL && g_str_equal (d->interface, "scsi");
}

/* Rule MIN-DEVICES: under -nodefaults QEMU adds no CD-ROM and no SCSI
 * controller of its own. Each disk and the CD-ROM get an explicit device;
 * SCSI ones share one spapr-vscsi controller (which SLOF boots from). Drive
 * ids are the profile's disk names; device ids are "disk-NAME" and "cd0". */
static void
add_storage (QemuArgv *a, const Plan *plan, const Profile *profile)
{
  const char *boot = plan_decision_value (plan, "boot");

  gboolean scsi = profile->cdrom != NULL;

  for (guint i = 0; profile->disks != NULL && i < profile->disks->len; i++)
    scsi |= disk_is_scsi (profile->disks->pdata[i]);
  if (scsi)
    qemu_argv_add_args (a, "-device", "spapr-vscsi,id=scsi0", NULL);
  if (profile->cdrom != NULL) {
    add_drive (a, profile->cdrom, "raw", "cdrom0", TRUE, "media=cdrom");
    qemu_argv_add_arg (a, "-device");
    qemu_argv_add_arg_printf (a, "scsi-cd,bus=scsi0.0,drive=cdrom0,id=cd0%s",
                              boot == NULL ? "" : g_str_equal (boot, "cdrom") ? ",bootindex=1" : ",bootindex=2");
  }
  for (guint i = 0; profile->disks != NULL && i < profile->disks->len; i++) {
    const ProfileDisk *d = profile->disks->pdata[i];
    const char *iface = d->interface != NULL ? d->interface : "virtio";

    /* Rule BOOT-ORDER: the first disk boots (1), or follows the cdrom (2). */
    g_autofree char *bi = boot != NULL && i == 0 && (g_str_equal (boot, "disk") || g_str_equal (boot, "cdrom"))
                            ? g_strdup_printf (",bootindex=%d", g_str_equal (boot, "disk") ? 1 : 2)
                            : g_strdup ("");

    add_drive (a, d->file, d->format, d->name, d->readonly, NULL);
    qemu_argv_add_arg (a, "-device");
    if (g_str_equal (iface, "nvme"))
      qemu_argv_add_arg_printf (a, "nvme,drive=%s,serial=%s,id=disk-%s%s", d->name, d->name, d->name, bi);
    else if (disk_is_scsi (d))
      qemu_argv_add_arg_printf (a, "scsi-hd,bus=scsi0.0,drive=%s,id=disk-%s%s", d->name, d->name, bi);
    else
      qemu_argv_add_arg_printf (a, "virtio-blk-pci,drive=%s,id=disk-%s%s", d->name, d->name, bi);
  }
}

/* Forwards without a host address would listen on every interface (slirp's
 * default); bind them to loopback instead. */
char *
cmdline_hostfwd (const ProfileForward *fwd)
{
  return g_strdup_printf ("hostfwd=%s:%s:%u-%s:%u", profile_forward_proto_to_string (fwd->proto),
                          fwd->host_addr ? fwd->host_addr : "127.0.0.1", fwd->host_port,
                          fwd->guest_addr ? fwd->guest_addr : "", fwd->guest_port);
}

static void
add_network (QemuArgv *a, const Profile *profile)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autofree char *ifname = NULL;
  const char *model;

  switch (profile->net_mode) {
  case NET_NONE:
    return;
  case NET_USER:
    g_string_append (s, "user,id=net0");
    for (guint i = 0; i < profile->forwards->len; i++) {
      g_autofree char *f = cmdline_hostfwd (g_ptr_array_index (profile->forwards, i));
      g_string_append_printf (s, ",%s", f);
    }
    break;
  case NET_TAP:
    ifname = ppcvm_qemu_escape (profile->net_ifname != NULL ? profile->net_ifname : "");
    g_string_append_printf (s, "tap,id=net0,ifname=%s,script=no,downscript=no", ifname);
    break;
  case NET_BRIDGE:
    ifname = ppcvm_qemu_escape (profile->net_ifname != NULL ? profile->net_ifname : "");
    g_string_append_printf (s, "bridge,id=net0,br=%s", ifname);
    break;
  }
  qemu_argv_add_args (a, "-netdev", s->str, NULL);
  model = profile->net_model != NULL ? profile->net_model : "virtio-net-pci";
  /* Rule PCI-ROM: pseries never runs a PCI option ROM (SLOF drives
   * virtio-net and VGA itself), and the x86 ROMs (ipxe-qemu) may be absent:
   * no ROM unless the profile names one. spapr-vlan is a VIO device. */
  if (g_str_equal (model, "spapr-vlan")) {
    qemu_argv_add_args (a, "-device", "spapr-vlan,netdev=net0,id=nic0", NULL);
  } else {
    g_autofree char *rom = ppcvm_qemu_escape (profile->net_rom != NULL ? profile->net_rom : "");
    qemu_argv_add_arg (a, "-device");
    qemu_argv_add_arg_printf (a, "%s,netdev=net0,id=nic0,romfile=%s", model, rom);
  }
}

/* Rule MIN-DEVICES: the console is an explicit spapr-vty (the guest's
 * hvc0) on chardev con0: the socket of a detached guest, stdio (with the
 * monitor multiplexed on it, Ctrl-A c, as -nographic does) in the
 * foreground, a virtual console on graphic displays, else nothing. */
static void
add_console (QemuArgv *a, const Profile *profile, const CmdlineRuntime *runtime)
{
  const char *console = runtime != NULL ? runtime->console_socket : NULL;
  gboolean daemonize = runtime != NULL && runtime->daemonize;

  if (console != NULL) {
    add_escaped (a, "-chardev", "socket,id=con0,path=", console, ",server=on,wait=off");
  } else if (profile->display == DISPLAY_SERIAL && !daemonize) {
    qemu_argv_add_args (a, "-chardev", "stdio,id=con0,mux=on", "-mon", "chardev=con0", NULL);
  } else if (profile->display == DISPLAY_VNC || profile->display == DISPLAY_GTK) {
    qemu_argv_add_args (a, "-chardev", "vc,id=con0", "-chardev", "vc,id=mon0", "-mon", "chardev=mon0",
                        NULL);
  } else {
    qemu_argv_add_args (a, "-chardev", "null,id=con0", NULL);
  }
  qemu_argv_add_args (a, "-device", "spapr-vty,chardev=con0,id=vty0", NULL);
}

static void
add_display (QemuArgv *a, const Plan *plan, const Profile *profile)
{
  gboolean graphic = profile->display == DISPLAY_VNC || profile->display == DISPLAY_GTK;

  /* A graphic guest gets its VGA as an explicit device without the x86 VGA
   * BIOS (rule PCI-ROM), and USB keyboard and tablet for input (-vga would
   * have added USB; -device VGA does not); KVM PR guests never get a VGA. */
  if (graphic && !plan->no_vga)
    qemu_argv_add_args (a, "-device", "VGA,id=vga0,romfile=", "-device", "qemu-xhci,id=usb0",
                        "-device", "usb-kbd,bus=usb0.0,id=kbd0", "-device", "usb-tablet,bus=usb0.0,id=tablet0",
                        NULL);

  switch (profile->display) {
  case DISPLAY_SERIAL:
  case DISPLAY_NONE:
    qemu_argv_add_args (a, "-display", "none", NULL);
    break;
  case DISPLAY_VNC: {
    const char *listen = profile->vnc_listen != NULL ? profile->vnc_listen : "127.0.0.1:0";
    g_autofree char *esc = ppcvm_qemu_escape (listen);
    if (profile->vnc_password_file != NULL) {
      add_escaped (a, "-object", "secret,id=vncpw,file=", profile->vnc_password_file, NULL);
      qemu_argv_add_arg (a, "-vnc");
      qemu_argv_add_arg_printf (a, "%s,password-secret=vncpw", esc);
    } else {
      qemu_argv_add_args (a, "-vnc", esc, NULL);
    }
    break;
  }
  case DISPLAY_GTK:
    qemu_argv_add_args (a, "-display", "gtk", NULL);
    break;
  }
}

GStrv
cmdline_build (const char *binary, const Plan *plan, const Profile *profile,
               const CmdlineRuntime *runtime, const char *const *extra)
{
  g_autoptr (QemuArgv) a = qemu_argv_new ();
  const char *name = profile->name != NULL ? profile->name : profile->id;
  g_autofree char *size = NULL;

  g_return_val_if_fail (binary != NULL, NULL);
  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  qemu_argv_add_arg (a, binary);
  if (name != NULL)
    /* guest= spelled out: with the implied key, a title like "process=sshd"
     * would set another sub-option. */
    add_escaped (a, "-name", "guest=", name, NULL);
  qemu_argv_add_arg (a, "-machine");
  qemu_argv_take_arg (a, plan_machine_string (plan));
  if (plan->accel_opts != NULL)
    qemu_argv_add_args (a, "-accel", plan->accel_opts, NULL);
  if (plan->cpu != NULL)
    qemu_argv_add_args (a, "-cpu", plan->cpu, NULL);
  /* Rule MIN-DEVICES: nothing QEMU would add by itself (serial, monitor,
   * NIC, VGA, CD-ROM, USB...); every device below is the profile's. */
  qemu_argv_add_arg (a, "-nodefaults");
  size = ppcvm_format_size (plan->memory);
  qemu_argv_add_args (a, "-m", size, NULL);
  qemu_argv_add_arg (a, "-smp");
  if (profile->threads > 1)
    qemu_argv_add_arg_printf (a, "%u,threads=%u", profile->smp, profile->threads);
  else
    qemu_argv_add_arg_printf (a, "%u", profile->smp);
  if (plan->mem_path != NULL)
    qemu_argv_add_args (a, "-mem-path", plan->mem_path, NULL);

  add_boot (a, profile);
  add_storage (a, plan, profile);
  add_network (a, profile);
  add_console (a, profile, runtime);
  add_display (a, plan, profile);

  if (runtime != NULL) {
    if (runtime->qmp_socket != NULL) {
      /* -chardev path=, not -qmp unix:PATH: there PATH is an implied value,
       * and a '=' in it (a runtime directory such as /run/a=b) would split it. */
      add_escaped (a, "-chardev", "socket,id=qmp0,path=", runtime->qmp_socket, ",server=on,wait=off");
      qemu_argv_add_args (a, "-mon", "chardev=qmp0,mode=control", NULL);
    }
    if (runtime->qmp_fd > 2) {
      qemu_argv_add_arg (a, "-chardev");
      qemu_argv_add_arg_printf (a, "socket,id=ppcvm-qmp,fd=%d", runtime->qmp_fd);
      qemu_argv_add_args (a, "-mon", "chardev=ppcvm-qmp,mode=control", NULL);
    }
    if (runtime->pid_file != NULL)
      qemu_argv_add_args (a, "-pidfile", runtime->pid_file, NULL);
    if (runtime->daemonize)
      qemu_argv_add_arg (a, "-daemonize");
  }

  for (int i = 0; profile->qemu_args != NULL && profile->qemu_args[i] != NULL; i++)
    qemu_argv_add_arg (a, profile->qemu_args[i]);
  for (int i = 0; extra != NULL && extra[i] != NULL; i++)
    qemu_argv_add_arg (a, extra[i]);

  return qemu_argv_finish (g_steal_pointer (&a));
}

/* Words made only of these need no quoting, which keeps the line readable. */
static gboolean
shell_safe (const char *word)
{
  if (*word == '\0')
    return FALSE;
  for (const char *p = word; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_./:=,+@%", *p) == NULL)
      return FALSE;
  return TRUE;
}

char *
cmdline_to_shell (const char *const *argv)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (argv != NULL, NULL);

  for (int i = 0; argv[i] != NULL; i++) {
    if (i > 0)
      g_string_append_c (s, ' ');
    if (shell_safe (argv[i])) {
      g_string_append (s, argv[i]);
    } else {
      g_autofree char *q = g_shell_quote (argv[i]);
      g_string_append (s, q);
    }
  }
  return g_string_free (s, FALSE);
}
