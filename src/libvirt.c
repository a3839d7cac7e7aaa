/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "libvirt.h"
#include "util.h"

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* ---- a small XML writer: every attribute and text goes through
 * g_markup_escape_text, elements are closed from a stack ---- */

typedef struct {
  GString *s;
  GPtrArray *open; /* of char*: the element names to close */
} Xml;

static void
xml_indent (Xml *x)
{
  for (guint i = 0; i < x->open->len; i++)
    g_string_append (x->s, "  ");
}

/* <TAG NAME='VALUE'...: pairs up to NULL; a NULL value skips its attribute. */
static void
xml_start (Xml *x, const char *tag, va_list ap)
{
  const char *name;

  xml_indent (x);
  g_string_append_printf (x->s, "<%s", tag);
  while ((name = va_arg (ap, const char *)) != NULL) {
    const char *value = va_arg (ap, const char *);
    g_autofree char *esc = NULL;
    if (value == NULL)
      continue;
    esc = g_markup_escape_text (value, -1);
    g_string_append_printf (x->s, " %s='%s'", name, esc);
  }
}

static void G_GNUC_NULL_TERMINATED
xml_open (Xml *x, const char *tag, ...)
{
  va_list ap;

  va_start (ap, tag);
  xml_start (x, tag, ap);
  va_end (ap);
  g_string_append (x->s, ">\n");
  g_ptr_array_add (x->open, g_strdup (tag));
}

static void G_GNUC_NULL_TERMINATED
xml_empty (Xml *x, const char *tag, ...)
{
  va_list ap;

  va_start (ap, tag);
  xml_start (x, tag, ap);
  va_end (ap);
  g_string_append (x->s, "/>\n");
}

/* <TAG attrs...>TEXT</TAG> */
static void G_GNUC_NULL_TERMINATED
xml_text (Xml *x, const char *tag, const char *text, ...)
{
  va_list ap;
  g_autofree char *esc = g_markup_escape_text (text, -1);

  va_start (ap, text);
  xml_start (x, tag, ap);
  va_end (ap);
  g_string_append_printf (x->s, ">%s</%s>\n", esc, tag);
}

static void
xml_close (Xml *x)
{
  g_autofree char *tag = NULL;

  g_return_if_fail (x->open->len > 0);
  tag = g_ptr_array_steal_index (x->open, x->open->len - 1);
  xml_indent (x);
  g_string_append_printf (x->s, "</%s>\n", tag);
}

static void
xml_comment (Xml *x, const char *text)
{
  /* "--" cannot appear in a comment. */
  g_autofree char *safe = g_strdup (text);
  for (char *p = strstr (safe, "--"); p != NULL; p = strstr (p, "--"))
    p[1] = '=';
  xml_indent (x);
  g_string_append_printf (x->s, "<!-- %s -->\n", safe);
}

/* ---- the domain ---- */

typedef struct {
  Xml x;
  const Plan *plan;
  const Profile *profile;
  const LibvirtOptions *opts;
  GPtrArray *notes;
  GPtrArray *qemu_args; /* for <qemu:commandline> */
} Ctx;

static void G_GNUC_PRINTF (2, 3)
note (Ctx *c, const char *fmt, ...)
{
  va_list ap;

  if (c->notes == NULL)
    return;
  va_start (ap, fmt);
  g_ptr_array_add (c->notes, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

char *
libvirt_domain_name (const char *name)
{
  g_autofree char *s = g_strdup (name != NULL ? name : "");

  for (char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      *p = '-';
  /* libvirt refuses names starting with '.' in some drivers; avoid it. */
  if (*s == '\0' || *s == '.')
    return g_strconcat ("ppcvm", s, NULL);
  return g_steal_pointer (&s);
}

/* "4096", "64k", "16M" (QEMU size syntax, bare = bytes) -> KiB, 0 if not. */
static guint64
size_kib (const char *v)
{
  g_autofree char *s = g_ascii_strdown (v, -1);
  guint64 mult = 1, n;
  gsize len = strlen (s);

  if (len > 0 && strchr ("kmg", s[len - 1]) != NULL) {
    mult = s[len - 1] == 'k' ? 1024 : s[len - 1] == 'm' ? 1 << 20 : 1 << 30;
    s[len - 1] = '\0';
  }
  if (!g_ascii_string_to_unsigned (s, 10, 1, G_MAXUINT32, &n, NULL))
    return 0;
  return n * mult / 1024;
}

static void
add_features (Ctx *c)
{
  static const char *const state_caps[] = { "cap-htm", "htm", "cap-nested-hv", "nested-hv",
                                            "cap-ccf-assist", "ccf-assist", NULL };
  static const char *const value_caps[] = { "cap-cfpc", "cfpc", "cap-sbbc", "sbbc", "cap-ibs",
                                            "ibs", NULL };
  const Plan *pl = c->plan;
  Xml *x = &c->x;

  xml_open (x, "features", NULL);
  for (guint i = 0; i < pl->machine_props->len; i++) {
    const char *kv = pl->machine_props->pdata[i];
    const char *eq = strchr (kv, '=');
    g_autofree char *key = g_strndup (kv, eq - kv);
    const char *v = eq + 1;
    gboolean done = FALSE;

    for (int k = 0; state_caps[k] != NULL && !done; k += 2)
      if (g_str_equal (key, state_caps[k])) {
        xml_empty (x, state_caps[k + 1], "state", g_str_equal (v, "on") ? "on" : "off", NULL);
        done = TRUE;
      }
    for (int k = 0; value_caps[k] != NULL && !done; k += 2)
      if (g_str_equal (key, value_caps[k])) {
        xml_empty (x, value_caps[k + 1], "value", v, NULL);
        done = TRUE;
      }
    if (!done && g_str_equal (key, "cap-hpt-max-page-size") && size_kib (v) > 0) {
      g_autofree char *kib = g_strdup_printf ("%" G_GUINT64_FORMAT, size_kib (v));
      xml_open (x, "hpt", NULL);
      xml_text (x, "maxpagesize", kib, "unit", "KiB", NULL);
      xml_close (x);
      done = TRUE;
    }
    /* The CPU element says it (host-model with a model, on pseries). */
    if (!done && g_str_equal (key, "max-cpu-compat"))
      done = TRUE;
    if (!done) {
      /* No libvirt element: kvm-type, cap-large-decr, cap-fwnmi... QEMU
       * merges a second -machine into the one libvirt writes. */
      g_ptr_array_add (c->qemu_args, g_strdup ("-machine"));
      g_ptr_array_add (c->qemu_args, g_strdup (kv));
    }
  }
  xml_close (x);
}

static int
compat_generation (const Plan *pl)
{
  const char *v = plan_machine_prop (pl, "max-cpu-compat");
  return v != NULL ? plan_cpu_model_generation (v) : 0;
}

static void
add_cpu (Ctx *c)
{
  const Plan *pl = c->plan;
  Xml *x = &c->x;
  int compat = compat_generation (pl);

  if (pl->cpu == NULL)
    return; /* QEMU's default for the machine */
  if (compat > 0) {
    g_autofree char *model = g_strdup_printf ("POWER%d", compat);
    xml_open (x, "cpu", "mode", "host-model", "check", "none", NULL);
    xml_text (x, "model", model, "fallback", "forbid", NULL);
    xml_close (x);
  } else if (g_str_equal (pl->cpu, "host")) {
    xml_empty (x, "cpu", "mode", "host-passthrough", "check", "none", NULL);
  } else {
    xml_open (x, "cpu", "mode", "custom", "match", "exact", "check", "none", NULL);
    xml_text (x, "model", pl->cpu, "fallback", "forbid", NULL);
    xml_close (x);
  }
}

static void
add_os (Ctx *c)
{
  const Profile *p = c->profile;
  Xml *x = &c->x;

  xml_open (x, "os", NULL);
  xml_text (x, "type", "hvm", "arch", c->opts->arch, "machine", c->plan->machine, NULL);
  if (p->firmware != NULL)
    xml_text (x, "loader", p->firmware, NULL);
  if (p->kernel != NULL)
    xml_text (x, "kernel", p->kernel, NULL);
  if (p->initrd != NULL)
    xml_text (x, "initrd", p->initrd, NULL);
  if (p->append != NULL)
    xml_text (x, "cmdline", p->append, NULL);
  xml_close (x);
}

static void
add_memory (Ctx *c)
{
  const Plan *pl = c->plan;
  Xml *x = &c->x;
  g_autofree char *kib = g_strdup_printf ("%" G_GUINT64_FORMAT, pl->memory / 1024);

  xml_text (x, "memory", kib, "unit", "KiB", NULL);
  if (pl->hugepage_size > 0 && pl->mem_path != NULL) {
    g_autofree char *page = g_strdup_printf ("%" G_GUINT64_FORMAT, pl->hugepage_size / 1024);
    xml_open (x, "memoryBacking", NULL);
    xml_open (x, "hugepages", NULL);
    xml_empty (x, "page", "size", page, "unit", "KiB", NULL);
    xml_close (x);
    xml_close (x);
  } else if (pl->mem_path != NULL) {
    note (c, "mem-path %s: libvirt backs guest RAM with files in its memory_backing_dir "
             "(qemu.conf), not in that directory", pl->mem_path);
    xml_open (x, "memoryBacking", NULL);
    xml_empty (x, "source", "type", "file", NULL);
    xml_close (x);
  }
}

/* "vda", "sdb"... "vdaa" for index 26. */
static char *
disk_dev (const char *prefix, guint index)
{
  GString *s = g_string_new (NULL);

  do {
    g_string_prepend_c (s, (char) ('a' + index % 26));
    index /= 26;
  } while (index-- > 0);
  g_string_prepend (s, prefix);
  return g_string_free (s, FALSE);
}

static void
add_disk (Ctx *c, const char *file, const char *device, const char *format, const char *bus,
          guint *counter, gboolean readonly)
{
  Xml *x = &c->x;
  struct stat st;
  gboolean block = stat (file, &st) == 0 && S_ISBLK (st.st_mode);
  g_autofree char *dev = disk_dev (g_str_equal (bus, "virtio") ? "vd" : "sd", (*counter)++);

  xml_open (x, "disk", "type", block ? "block" : "file", "device", device, NULL);
  xml_empty (x, "driver", "name", "qemu", "type", format, NULL);
  xml_empty (x, "source", block ? "dev" : "file", file, NULL);
  xml_empty (x, "target", "dev", dev, "bus", bus, NULL);
  if (readonly)
    xml_empty (x, "readonly", NULL);
  xml_close (x);
}

static void
add_disks (Ctx *c)
{
  const Profile *p = c->profile;
  guint vd = 0, sd = 0;

  if (p->cdrom != NULL)
    add_disk (c, p->cdrom, "cdrom", "raw", "scsi", &sd, TRUE);
  for (guint i = 0; p->disks != NULL && i < p->disks->len; i++) {
    const ProfileDisk *d = p->disks->pdata[i];
    const char *iface = d->interface != NULL ? d->interface : "virtio";
    const char *format = d->format;

    if (g_str_equal (iface, "nvme")) {
      g_autofree char *esc = ppcvm_qemu_escape (d->file);
      /* libvirt 9.0 has no NVMe disk bus. */
      g_ptr_array_add (c->qemu_args, g_strdup ("-drive"));
      g_ptr_array_add (c->qemu_args,
                       g_strdup_printf ("file=%s%s%s,if=none,id=%s%s", esc, format ? ",format=" : "",
                                        format ? format : "", d->name, d->readonly ? ",readonly=on" : ""));
      g_ptr_array_add (c->qemu_args, g_strdup ("-device"));
      g_ptr_array_add (c->qemu_args, g_strdup_printf ("nvme,drive=%s,serial=%s", d->name, d->name));
      continue;
    }
    if (format == NULL) {
      /* libvirt never lets QEMU probe a format (a guest could fake one). */
      format = g_str_has_suffix (d->file, ".qcow2") ? "qcow2" : "raw";
      note (c, "[disk:%s] has no format=: libvirt does not probe, the XML says %s", d->name, format);
    }
    add_disk (c, d->file, "disk", format, iface, g_str_equal (iface, "virtio") ? &vd : &sd, d->readonly);
  }
}

static const char *
nic_model (const Profile *p)
{
  if (p->net_model == NULL || g_str_equal (p->net_model, "virtio-net-pci"))
    return "virtio";
  return p->net_model;
}

/* PROTO:[ADDR:]HOSTPORT-[GUESTADDR]:GUESTPORT as a passt <portForward>. */
static void
add_forward (Ctx *c, const char *fwd)
{
  g_auto (GStrv) sides = g_strsplit (fwd, "-", 2);
  g_auto (GStrv) host = NULL;
  g_auto (GStrv) guest = NULL;
  const char *addr = "127.0.0.1";
  const char *port;

  if (g_strv_length (sides) != 2)
    return;
  host = g_strsplit (sides[0], ":", -1);
  guest = g_strsplit (sides[1], ":", -1);
  if (g_strv_length (host) < 2 || g_strv_length (guest) != 2)
    return;
  port = host[g_strv_length (host) - 1];
  /* Like `ppcvm run`: no address is loopback only. */
  if (g_strv_length (host) == 3 && *host[1] != '\0')
    addr = host[1];
  if (*guest[0] != '\0')
    note (c, "forward %s: passt forwards to the guest's own address; %s is dropped", fwd, guest[0]);
  xml_open (&c->x, "portForward", "proto", host[0], "address", addr, NULL);
  xml_empty (&c->x, "range", "start", port, "to", guest[1], NULL);
  xml_close (&c->x);
}

static void
add_network (Ctx *c)
{
  const Profile *p = c->profile;
  Xml *x = &c->x;
  gboolean forwards = p->forwards != NULL && p->forwards[0] != NULL;

  switch (p->net_mode) {
  case NET_NONE:
    return;
  case NET_USER:
    xml_open (x, "interface", "type", "user", NULL);
    if (forwards) {
      /* Only the passt backend (libvirt 9.0) forwards ports; it needs the
       * passt package on the host. */
      xml_empty (x, "backend", "type", "passt", NULL);
      for (int i = 0; p->forwards[i] != NULL; i++)
        add_forward (c, p->forwards[i]);
    }
    break;
  case NET_TAP:
    xml_open (x, "interface", "type", "ethernet", NULL);
    xml_empty (x, "target", "dev", p->net_ifname, "managed", "no", NULL);
    break;
  case NET_BRIDGE:
    xml_open (x, "interface", "type", "bridge", NULL);
    xml_empty (x, "source", "bridge", p->net_ifname, NULL);
    break;
  }
  xml_empty (x, "model", "type", nic_model (p), NULL);
  xml_close (x);
}

static void
add_display (Ctx *c)
{
  const Profile *p = c->profile;
  Xml *x = &c->x;
  g_autofree char *addr = NULL;
  g_autofree char *port = NULL;

  /* pseries: libvirt puts this console on the spapr-vty (hvc0). */
  xml_open (x, "console", "type", "pty", NULL);
  xml_empty (x, "target", "type", "serial", NULL);
  xml_close (x);
  if (p->display != DISPLAY_VNC && p->display != DISPLAY_GTK)
    return;
  if (p->display == DISPLAY_GTK)
    note (c, "display=gtk: a libvirt guest has no window of its own; the XML offers VNC on "
             "127.0.0.1 (virt-viewer, virt-manager)");
  if (p->display == DISPLAY_VNC && p->vnc_listen != NULL) {
    const char *colon = strrchr (p->vnc_listen, ':');
    guint64 n = 0;
    addr = g_strndup (p->vnc_listen, colon - p->vnc_listen);
    if (addr[0] == '[') { /* [::1] */
      memmove (addr, addr + 1, strlen (addr));
      addr[strlen (addr) - 1] = '\0';
    }
    if (*addr == '\0')
      g_free (addr), addr = g_strdup ("0.0.0.0");
    g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535 - 5900, &n, NULL);
    port = g_strdup_printf ("%" G_GUINT64_FORMAT, 5900 + n);
  } else {
    addr = g_strdup ("127.0.0.1");
  }
  xml_open (x, "graphics", "type", "vnc", "port", port != NULL ? port : "-1", "autoport",
            port != NULL ? "no" : "yes", "passwd", c->opts->vnc_password, NULL);
  xml_empty (x, "listen", "type", "address", "address", addr, NULL);
  xml_close (x);
  xml_open (x, "video", NULL);
  xml_empty (x, "model", "type", c->plan->no_vga ? "none" : "vga", NULL);
  xml_close (x);
}

char *
libvirt_domain_xml (const Plan *plan, const Profile *profile, const LibvirtOptions *options,
                    GPtrArray *notes)
{
  LibvirtOptions defaults = { 0 };
  Ctx c = { { NULL, NULL }, plan, profile, options != NULL ? options : &defaults, notes, NULL };
  Xml *x = &c.x;
  g_autofree char *name = libvirt_domain_name (profile->name != NULL ? profile->name : profile->id);
  g_autofree char *vcpu = g_strdup_printf ("%u", profile->smp);
  g_autofree char *desc = NULL;
  g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) qargs = g_ptr_array_new_with_free_func (g_free);
  LibvirtOptions o;

  g_return_val_if_fail (plan != NULL && plan->status == PLAN_OK, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  o = *c.opts;
  if (o.arch == NULL)
    o.arch = "ppc64le";
  c.opts = &o;
  x->s = g_string_new (NULL);
  x->open = open;
  c.qemu_args = qargs;

  xml_open (x, "domain", "type", plan->accel == PLAN_ACCEL_TCG ? "qemu" : "kvm", "xmlns:qemu",
            QEMU_NS, NULL);
  xml_text (x, "name", name, NULL);
  desc = g_strdup_printf ("Exported by ppcvm %s from profile %s (%s, %s guest MMU)", PPCVM_VERSION,
                          profile->path != NULL ? profile->path : profile->id,
                          plan_accel_to_string (plan->accel), profile_mmu_to_string (plan->guest_mmu));
  xml_text (x, "description", desc, NULL);
  add_memory (&c);
  xml_text (x, "vcpu", vcpu, "placement", "static", NULL);
  add_os (&c);
  add_features (&c);
  add_cpu (&c);
  xml_open (x, "devices", NULL);
  if (o.emulator != NULL)
    xml_text (x, "emulator", o.emulator, NULL);
  add_disks (&c);
  add_network (&c);
  add_display (&c);
  /* `ppcvm run` gives the guest no balloon either. */
  xml_empty (x, "memballoon", "model", "none", NULL);
  xml_close (x);

  for (int i = 0; profile->qemu_args != NULL && profile->qemu_args[i] != NULL; i++)
    g_ptr_array_add (qargs, g_strdup (profile->qemu_args[i]));
  if (qargs->len > 0) {
    xml_comment (x, "what libvirt has no element for, passed to QEMU as is");
    xml_open (x, "qemu:commandline", NULL);
    for (guint i = 0; i < qargs->len; i++)
      xml_empty (x, "qemu:arg", "value", (char *) qargs->pdata[i], NULL);
    xml_close (x);
  }
  xml_close (x);
  g_assert (open->len == 0);
  return g_string_free (x->s, FALSE);
}
