/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "cmdline.h"
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

/* One domain XML being written from a plan. */
typedef struct {
  Xml x;
  const Plan *plan;
  const Profile *profile;
  const LibvirtOptions *opts;
  GPtrArray *notes;
  GPtrArray *qemu_args; /* for <qemu:commandline> */
  guint version;        /* the target libvirt */
  char *version_str;
  GPtrArray *comments;  /* for <qemu:commandline>: why each group is there */
} DomainBuild;

static void G_GNUC_PRINTF (2, 3)
note (DomainBuild *c, const char *fmt, ...)
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
  g_autofree char *ascii = g_str_to_ascii (name != NULL ? name : "", "C");
  GString *slug = g_string_new (NULL);

  for (const char *p = ascii; *p; p++) {
    if (g_ascii_isalnum (*p))
      g_string_append_c (slug, g_ascii_tolower (*p));
    else if (slug->len > 0 && slug->str[slug->len - 1] != '-')
      g_string_append_c (slug, '-');
  }
  if (slug->len > 48)
    g_string_truncate (slug, 48);
  while (slug->len > 0 && slug->str[slug->len - 1] == '-')
    g_string_truncate (slug, slug->len - 1);
  if (slug->len == 0)
    g_string_assign (slug, "ppcvm");
  return g_string_free (slug, FALSE);
}

char *
libvirt_domain_uuid (const Profile *profile)
{
  /* ppcvm's namespace for name-based UUIDs (random, fixed forever). */
  static const guint8 ns[16] = { 0x6b, 0x1f, 0x3c, 0x52, 0x0e, 0x94, 0x4d, 0x7a,
                                 0x9b, 0x25, 0xc8, 0x41, 0x7e, 0x03, 0xd6, 0x5f };
  g_autoptr (GChecksum) sha = NULL;
  guint8 d[20];
  gsize len = sizeof d;

  if (profile->uuid != NULL)
    return g_ascii_strdown (profile->uuid, -1);
  sha = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sha, ns, sizeof ns);
  g_checksum_update (sha, (const guchar *) (profile->id != NULL ? profile->id : ""), -1);
  g_checksum_get_digest (sha, d, &len);
  d[6] = (d[6] & 0x0f) | 0x50; /* version 5 */
  d[8] = (d[8] & 0x3f) | 0x80; /* RFC 4122 variant */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10],
                          d[11], d[12], d[13], d[14], d[15]);
}

gboolean
libvirt_parse_version (const char *s, guint *ret, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (s != NULL ? s : "", ".", -1);
  guint n = g_strv_length (parts);
  guint64 v[3] = { 0, 0, 0 };

  if (n < 2 || n > 3)
    goto bad;
  for (guint i = 0; i < n; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, 999, &v[i], NULL))
      goto bad;
  *ret = LIBVIRT_VERSION ((guint) v[0], (guint) v[1], (guint) v[2]);
  return TRUE;
bad:
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
               "'%s' is not a libvirt version (MAJOR.MINOR or MAJOR.MINOR.MICRO, e.g. 9.0)", s);
  return FALSE;
}

char *
libvirt_version_string (guint version)
{
  return g_strdup_printf ("%u.%u.%u", version / 1000000, version / 1000 % 1000, version % 1000);
}

gboolean
libvirt_query_version (const char *uri, guint *ret, GError **error)
{
  const char *local[] = { "virsh", "--version", NULL };
  const char *remote[] = { "virsh", "-c", uri, "version", "--daemon", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *v;
  int status;

  if (!g_spawn_sync (NULL, (char **) (uri != NULL ? remote : local), NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out, &err,
                     &status, &local_error)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "cannot run virsh to learn the libvirt version (%s): install libvirt-clients, "
                 "or say which libvirt will run the guest with --libvirt-version X.Y",
                 local_error->message);
    return FALSE;
  }
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "virsh%s%s version failed: %s",
                 uri != NULL ? " -c " : "", uri != NULL ? uri : "", g_strstrip (err));
    return FALSE;
  }
  v = out;
  if (uri != NULL) {
    /* "Running against daemon: 9.0.0" */
    const char *line = strstr (out, "Running against daemon:");
    if (line == NULL) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                   "virsh -c %s version --daemon did not name the daemon's version", uri);
      return FALSE;
    }
    char *nl = strchr (line, '\n');
    if (nl != NULL)
      *nl = '\0';
    v = line + strlen ("Running against daemon:");
  }
  {
    g_autofree char *copy = g_strstrip (g_strdup (v));
    return libvirt_parse_version (copy, ret, error);
  }
}

/* "4096", "64k", "16M" (QEMU size syntax, bare = bytes) -> KiB, 0 if not. */
static guint64
size_kib (const char *v)
{
  guint64 bytes;

  return ppcvm_parse_size_unit (v, 1, &bytes, NULL) ? bytes / 1024 : 0;
}

/* The pseries caps libvirt has a <features> element for, and the libvirt
 * release that added it (formatdomain.rst "Since"); on an older libvirt the
 * cap goes to <qemu:commandline> like those it has none for. */
static const struct {
  const char *key, *element;
  enum { FEAT_STATE, FEAT_VALUE, FEAT_HPT } kind;
  guint since;
} features[] = {
  { "cap-hpt-max-page-size", "hpt", FEAT_HPT, LIBVIRT_VERSION (3, 10, 0) },
  { "cap-htm", "htm", FEAT_STATE, LIBVIRT_VERSION (4, 6, 0) },
  { "cap-nested-hv", "nested-hv", FEAT_STATE, LIBVIRT_VERSION (4, 10, 0) },
  { "cap-ccf-assist", "ccf-assist", FEAT_STATE, LIBVIRT_VERSION (5, 9, 0) },
  { "cap-cfpc", "cfpc", FEAT_VALUE, LIBVIRT_VERSION (6, 3, 0) },
  { "cap-sbbc", "sbbc", FEAT_VALUE, LIBVIRT_VERSION (6, 3, 0) },
  { "cap-ibs", "ibs", FEAT_VALUE, LIBVIRT_VERSION (6, 3, 0) },
};

static void
add_features (DomainBuild *c)
{
  const Plan *pl = c->plan;
  Xml *x = &c->x;

  xml_open (x, "features", NULL);
  for (guint i = 0; i < pl->machine_props->len; i++) {
    const PlanProp *prop = pl->machine_props->pdata[i];
    const char *key = prop->key, *v = prop->value;
    g_autofree char *escaped = ppcvm_qemu_escape (v);
    g_autofree char *kv = g_strdup_printf ("%s=%s", key, escaped); /* as -machine takes it */
    gboolean done = FALSE;

    /* The CPU element says it (host-model with a model, on pseries). */
    if (g_str_equal (key, "max-cpu-compat"))
      continue;
    for (guint k = 0; k < G_N_ELEMENTS (features) && !done; k++) {
      if (!g_str_equal (key, features[k].key))
        continue;
      if (c->version < features[k].since) {
        g_autofree char *need = libvirt_version_string (features[k].since);
        note (c, "%s: libvirt %s has no <%s> (it came in %s); passed to QEMU as -machine %s",
              key, c->version_str, features[k].element, need, kv);
        break;
      }
      switch (features[k].kind) {
      case FEAT_STATE:
        xml_empty (x, features[k].element, "state", g_str_equal (v, "on") ? "on" : "off", NULL);
        done = TRUE;
        break;
      case FEAT_VALUE:
        xml_empty (x, features[k].element, "value", v, NULL);
        done = TRUE;
        break;
      case FEAT_HPT:
        if (size_kib (v) > 0) {
          g_autofree char *kib = g_strdup_printf ("%" G_GUINT64_FORMAT, size_kib (v));
          xml_open (x, "hpt", NULL);
          xml_text (x, "maxpagesize", kib, "unit", "KiB", NULL);
          xml_close (x);
          done = TRUE;
        }
        break;
      }
    }
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
add_cpu (DomainBuild *c)
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
add_os (DomainBuild *c)
{
  const Profile *p = c->profile;
  Xml *x = &c->x;

  xml_open (x, "os", NULL);
  xml_text (x, "type", "hvm", "arch", c->opts->arch, "machine", c->plan->machine, NULL);
  if (p->bios != NULL)
    xml_text (x, "loader", p->bios, NULL);
  if (p->kernel != NULL)
    xml_text (x, "kernel", p->kernel, NULL);
  if (p->initrd != NULL)
    xml_text (x, "initrd", p->initrd, NULL);
  if (p->append != NULL)
    xml_text (x, "cmdline", p->append, NULL);
  xml_close (x);
}

static void
add_memory (DomainBuild *c)
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
add_disk (DomainBuild *c, const char *file, const char *device, const char *format, const char *bus,
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
add_disks (DomainBuild *c)
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

/* A profile forward as a passt <portForward>. */
static void
add_forward (DomainBuild *c, const ProfileForward *fwd)
{
  g_autofree char *start = g_strdup_printf ("%u", fwd->host_port);
  g_autofree char *to = g_strdup_printf ("%u", fwd->guest_port);

  if (fwd->guest_addr != NULL) {
    g_autofree char *s = profile_forward_to_string (fwd);
    note (c, "forward %s: passt forwards to the guest's own address; %s is dropped", s, fwd->guest_addr);
  }
  /* Like `ppcvm run`: no address is loopback only. */
  xml_open (&c->x, "portForward", "proto", profile_forward_proto_to_string (fwd->proto), "address",
            fwd->host_addr ? fwd->host_addr : "127.0.0.1", NULL);
  xml_empty (&c->x, "range", "start", start, "to", to, NULL);
  xml_close (&c->x);
}

/* Port forwards where libvirt's passt backend is missing or unusable: the
 * network `ppcvm run` gives the guest (QEMU's user network with hostfwd=),
 * passed to QEMU as is. */
static void
add_network_passthrough (DomainBuild *c)
{
  const Profile *p = c->profile;
  g_autoptr (GString) netdev = g_string_new ("user,id=ppcvmnet0");
  const char *model = p->net_model != NULL ? p->net_model : "virtio-net-pci";
  g_autofree char *why = NULL;

  for (guint i = 0; i < p->forwards->len; i++) {
    g_autofree char *f = cmdline_hostfwd (g_ptr_array_index (p->forwards, i));
    g_string_append_printf (netdev, ",%s", f);
  }
  if (c->version < LIBVIRT_VERSION_PASST)
    why = g_strdup_printf ("libvirt %s forwards ports only with passt, which works from libvirt "
                           "9.2.0", c->version_str);
  else
    why = g_strdup ("libvirt forwards ports only with passt, and the passt program is not "
                    "installed (apt-get install passt)");
  xml_comment (&c->x, "The network with port forwards is in <qemu:commandline> below");
  g_ptr_array_add (c->comments,
                   g_strdup_printf ("The network: %s; so QEMU's user network with hostfwd=, as "
                                    "`ppcvm run` has it", why));
  note (c, "port forwards: %s; the XML passes QEMU's user network with hostfwd= through "
           "<qemu:commandline> (virsh domiflist will not list it)", why);
  g_ptr_array_add (c->qemu_args, g_strdup ("-netdev"));
  g_ptr_array_add (c->qemu_args, g_strdup (netdev->str));
  g_ptr_array_add (c->qemu_args, g_strdup ("-device"));
  if (g_str_equal (model, "spapr-vlan")) {
    g_ptr_array_add (c->qemu_args, g_strdup ("spapr-vlan,netdev=ppcvmnet0"));
  } else {
    g_autofree char *rom = ppcvm_qemu_escape (p->net_rom != NULL ? p->net_rom : "");
    g_ptr_array_add (c->qemu_args, g_strdup_printf ("%s,netdev=ppcvmnet0,romfile=%s", model, rom));
  }
}

static void
add_network (DomainBuild *c)
{
  const Profile *p = c->profile;
  Xml *x = &c->x;
  gboolean forwards = p->forwards->len > 0;

  switch (p->net_mode) {
  case NET_NONE:
    return;
  case NET_USER:
    if (forwards && !(c->version >= LIBVIRT_VERSION_PASST && c->opts->passt)) {
      add_network_passthrough (c);
      return;
    }
    xml_open (x, "interface", "type", "user", NULL);
    if (forwards) {
      xml_empty (x, "backend", "type", "passt", NULL);
      for (guint i = 0; i < p->forwards->len; i++)
        add_forward (c, g_ptr_array_index (p->forwards, i));
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
  /* Rule PCI-ROM: no option ROM on pseries unless the profile names one. */
  if (!g_str_equal (nic_model (p), "spapr-vlan")) {
    if (p->net_rom != NULL)
      xml_empty (x, "rom", "file", p->net_rom, NULL);
    else
      xml_empty (x, "rom", "enabled", "no", NULL);
  }
  xml_close (x);
}

static void
add_display (DomainBuild *c)
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

/* What the domain's elements cannot say about the profile, for `ppcvm
 * import` (libvirt keeps <metadata> as it is). */
static void
add_metadata (DomainBuild *c)
{
  const Profile *p = c->profile;
  Xml *x = &c->x;
  g_autofree char *cpu = p->cpu_generation > 0 ? g_strdup_printf ("POWER%d", p->cpu_generation)
                                               : g_strdup ("host");

  xml_open (x, "metadata", NULL);
  xml_open (x, "ppcvm:profile", "xmlns:ppcvm", LIBVIRT_PPCVM_NS, NULL);
  xml_empty (x, "ppcvm:guest", "mmu", profile_mmu_to_string (p->mmu), "page-size",
             p->page_size == 4096 ? "4K" : "64K", "cpu", cpu, "nested", p->nested ? "true" : "false",
             "accel", profile_accel_to_string (p->accel), "display",
             profile_display_to_string (p->display), NULL);
  for (guint i = 0; p->disks != NULL && i < p->disks->len; i++) {
    const ProfileDisk *d = p->disks->pdata[i];
    xml_empty (x, "ppcvm:disk", "name", d->name, "file", d->file, NULL);
  }
  xml_close (x);
  xml_close (x);
}

char *
libvirt_domain_xml (const Plan *plan, const Profile *profile, const LibvirtOptions *options,
                    GPtrArray *notes)
{
  LibvirtOptions defaults = { 0 };
  DomainBuild c = { { NULL, NULL }, plan, profile, options != NULL ? options : &defaults, notes,
                    NULL, 0, NULL, NULL };
  Xml *x = &c.x;
  g_autofree char *name = libvirt_domain_name (profile->name != NULL ? profile->name : profile->id);
  g_autofree char *uuid = NULL;
  g_autofree char *version_str = NULL;
  g_autoptr (GPtrArray) comments = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *vcpu = g_strdup_printf ("%u", profile->smp);
  g_autofree char *desc = NULL;
  g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) qargs = g_ptr_array_new_with_free_func (g_free);
  LibvirtOptions o;

  g_return_val_if_fail (plan != NULL && plan->status == PLAN_OK, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  o = *c.opts;
  if (o.arch == NULL)
    o.arch = profile->big_endian ? "ppc64" : "ppc64le";
  c.opts = &o;
  c.version = o.version != 0 ? o.version : LIBVIRT_VERSION_DEFAULT;
  c.version_str = version_str = libvirt_version_string (c.version);
  c.comments = comments;
  uuid = o.uuid != NULL ? g_strdup (o.uuid) : libvirt_domain_uuid (profile);
  x->s = g_string_new (NULL);
  x->open = open;
  c.qemu_args = qargs;

  xml_open (x, "domain", "type", plan->accel == PLAN_ACCEL_TCG ? "qemu" : "kvm", "xmlns:qemu",
            QEMU_NS, NULL);
  xml_text (x, "name", name, NULL);
  xml_text (x, "uuid", uuid, NULL);
  desc = g_strdup_printf ("Exported by ppcvm %s from profile %s (%s, %s guest MMU) for libvirt %s",
                          PPCVM_VERSION, profile->path != NULL ? profile->path : profile->id,
                          plan_accel_to_string (plan->accel), profile_mmu_to_string (plan->guest_mmu),
                          version_str);
  xml_text (x, "description", desc, NULL);
  if (profile->name != NULL)
    xml_text (x, "title", profile->name, NULL);
  add_metadata (&c);
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
    for (guint i = 0; i < comments->len; i++)
      xml_comment (x, comments->pdata[i]);
    xml_comment (x, "What libvirt has no element for, passed to QEMU as is");
    xml_open (x, "qemu:commandline", NULL);
    for (guint i = 0; i < qargs->len; i++)
      xml_empty (x, "qemu:arg", "value", (char *) qargs->pdata[i], NULL);
    xml_close (x);
  }
  xml_close (x);
  g_assert (open->len == 0);
  return g_string_free (x->s, FALSE);
}
