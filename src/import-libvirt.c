/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm import of a libvirt domain XML: the inverse of libvirt.c. What a
 * profile key holds goes there; the pseries caps are dropped (the planner
 * decides them for the host that runs the guest); every other difference is
 * a note. */
#include "config.h"

#include <string.h>

#include "cmdline.h"
#include "import.h"
#include "libvirt.h"
#include "planner.h"
#include "util.h"

#define G_GUEST "guest"

typedef struct {
  char *target, *file, *format, *bus, *device;
  gboolean readonly, block;
} XDisk;

static void
xdisk_free (XDisk *d)
{
  g_free (d->target);
  g_free (d->file);
  g_free (d->format);
  g_free (d->bus);
  g_free (d->device);
  g_free (d);
}

typedef struct {
  ImportResult *r;
  GPtrArray *path;   /* element names, outermost first */
  GString *text;
  gboolean ppcvm_ns; /* inside ppcvm's <metadata> */
  char *domain_type, *name, *title, *uuid, *arch, *machine, *memory_unit;
  char *memory, *vcpu, *kernel, *initrd, *cmdline, *loader;
  char *cpu_mode, *cpu_model;
  GHashTable *meta;       /* ppcvm:guest attributes */
  GHashTable *disk_names; /* file -> [disk:NAME] */
  GPtrArray *disks;       /* of XDisk* */
  XDisk *disk;            /* being parsed */
  char *net_type, *net_model, *net_source, *net_rom;
  gboolean net_rom_off, net_passt, has_net;
  GPtrArray *forwards;    /* profile forward= values */
  char *fwd_proto, *fwd_addr;
  gboolean vnc;
  char *vnc_port, *vnc_autoport, *vnc_listen;
  gboolean vnc_passwd;
  GPtrArray *qemu_args;
} Parse;

static const char *
attr (const char **names, const char **values, const char *name)
{
  for (int i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

static gboolean
in (Parse *p, const char *parent)
{
  return p->path->len >= 1 && g_str_equal (p->path->pdata[p->path->len - 1], parent);
}

static void G_GNUC_PRINTF (2, 3)
note (Parse *p, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_ptr_array_add (p->r->notes, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

/* <driver>, <source>, <target> or <readonly> of the current <disk>; FALSE
 * for another element. */
static gboolean
start_disk_child (Parse *p, const char *el, const char **an, const char **av)
{
  if (g_str_equal (el, "driver")) {
    p->disk->format = g_strdup (attr (an, av, "type"));
  } else if (g_str_equal (el, "source")) {
    p->disk->file = g_strdup (attr (an, av, "file") ? attr (an, av, "file") : attr (an, av, "dev"));
  } else if (g_str_equal (el, "target")) {
    p->disk->target = g_strdup (attr (an, av, "dev"));
    p->disk->bus = g_strdup (attr (an, av, "bus"));
  } else if (g_str_equal (el, "readonly")) {
    p->disk->readonly = TRUE;
  } else {
    return FALSE;
  }
  return TRUE;
}

/* An element inside the (first) <interface>. */
static void
start_interface_child (Parse *p, const char *el, const char **an, const char **av)
{
  if (g_str_equal (el, "model"))
    p->net_model = g_strdup (attr (an, av, "type"));
  else if (g_str_equal (el, "source"))
    p->net_source = g_strdup (attr (an, av, "bridge") ? attr (an, av, "bridge") : attr (an, av, "dev"));
  else if (g_str_equal (el, "target") && g_str_equal (p->net_type, "ethernet"))
    p->net_source = g_strdup (attr (an, av, "dev"));
  else if (g_str_equal (el, "backend"))
    p->net_passt = g_strcmp0 (attr (an, av, "type"), "passt") == 0;
  else if (g_str_equal (el, "rom")) {
    p->net_rom = g_strdup (attr (an, av, "file"));
    p->net_rom_off = g_strcmp0 (attr (an, av, "enabled"), "no") == 0;
  } else if (g_str_equal (el, "portForward")) {
    g_free (p->fwd_proto);
    g_free (p->fwd_addr);
    p->fwd_proto = g_strdup (attr (an, av, "proto") ? attr (an, av, "proto") : "tcp");
    p->fwd_addr = g_strdup (attr (an, av, "address"));
  }
}

/* <range start= to= end=> of a <portForward>: one forward. */
static void
start_forward_range (Parse *p, const char **an, const char **av)
{
  const char *start_port = attr (an, av, "start"), *to = attr (an, av, "to");
  const char *addr = p->fwd_addr;

  if (start_port == NULL)
    return;
  if (addr == NULL || g_str_equal (addr, "127.0.0.1"))
    g_ptr_array_add (p->forwards, g_strdup_printf ("%s:%s-:%s", p->fwd_proto, start_port,
                                                   to ? to : start_port));
  else
    g_ptr_array_add (p->forwards, g_strdup_printf ("%s:%s:%s-:%s", p->fwd_proto, addr, start_port,
                                                   to ? to : start_port));
  if (attr (an, av, "end") != NULL)
    note (p, "port range %s-%s: a profile forwards single ports; only %s is imported", start_port,
          attr (an, av, "end"), start_port);
}

static void
start_graphics (Parse *p, const char **an, const char **av)
{
  if (g_strcmp0 (attr (an, av, "type"), "vnc") == 0) {
    p->vnc = TRUE;
    p->vnc_port = g_strdup (attr (an, av, "port"));
    p->vnc_autoport = g_strdup (attr (an, av, "autoport"));
    p->vnc_passwd = attr (an, av, "passwd") != NULL;
    if (attr (an, av, "listen") != NULL)
      p->vnc_listen = g_strdup (attr (an, av, "listen"));
  } else {
    note (p, "<graphics type='%s'>: ppcvm offers VNC or a GTK window; not imported",
          attr (an, av, "type"));
  }
}

static void
start (GMarkupParseContext *ctx, const char *el, const char **an, const char **av, gpointer data,
       GError **error)
{
  Parse *p = data;
  guint depth = p->path->len;

  g_string_truncate (p->text, 0);
  if (depth == 0) {
    if (!g_str_equal (el, "domain")) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "not a libvirt domain: <%s>", el);
      return;
    }
    p->domain_type = g_strdup (attr (an, av, "type"));
  } else if (g_str_equal (el, "ppcvm:profile")) {
    p->ppcvm_ns = g_strcmp0 (attr (an, av, "xmlns:ppcvm"), LIBVIRT_PPCVM_NS) == 0;
  } else if (p->ppcvm_ns && g_str_equal (el, "ppcvm:guest")) {
    for (int i = 0; an[i] != NULL; i++)
      g_hash_table_insert (p->meta, g_strdup (an[i]), g_strdup (av[i]));
  } else if (p->ppcvm_ns && g_str_equal (el, "ppcvm:disk")) {
    if (attr (an, av, "file") && attr (an, av, "name"))
      g_hash_table_insert (p->disk_names, g_strdup (attr (an, av, "file")),
                           g_strdup (attr (an, av, "name")));
  } else if (g_str_equal (el, "type") && in (p, "os")) {
    p->arch = g_strdup (attr (an, av, "arch"));
    p->machine = g_strdup (attr (an, av, "machine"));
  } else if (g_str_equal (el, "memory") && depth == 1) {
    p->memory_unit = g_strdup (attr (an, av, "unit"));
  } else if (g_str_equal (el, "cpu") && depth == 1) {
    p->cpu_mode = g_strdup (attr (an, av, "mode"));
  } else if (g_str_equal (el, "disk") && in (p, "devices")) {
    p->disk = g_new0 (XDisk, 1);
    p->disk->device = g_strdup (attr (an, av, "device"));
    p->disk->block = g_strcmp0 (attr (an, av, "type"), "block") == 0;
  } else if (p->disk != NULL && start_disk_child (p, el, an, av)) {
    /* done */
  } else if (g_str_equal (el, "interface") && in (p, "devices")) {
    if (p->has_net)
      note (p, "a second <interface>: a profile has one NIC; only the first is imported");
    else
      p->net_type = g_strdup (attr (an, av, "type"));
    p->has_net = TRUE;
  } else if (in (p, "interface") && p->net_type != NULL) {
    start_interface_child (p, el, an, av);
  } else if (g_str_equal (el, "range") && in (p, "portForward")) {
    start_forward_range (p, an, av);
  } else if (g_str_equal (el, "graphics") && in (p, "devices")) {
    start_graphics (p, an, av);
  } else if (g_str_equal (el, "listen") && in (p, "graphics") && p->vnc) {
    if (attr (an, av, "address") != NULL) {
      g_free (p->vnc_listen);
      p->vnc_listen = g_strdup (attr (an, av, "address"));
    }
  } else if (g_str_equal (el, "qemu:arg")) {
    g_ptr_array_add (p->qemu_args, g_strdup (attr (an, av, "value") ? attr (an, av, "value") : ""));
  }
  g_ptr_array_add (p->path, g_strdup (el));
}

static void
end (GMarkupParseContext *ctx, const char *el, gpointer data, GError **error)
{
  Parse *p = data;
  g_autofree char *text = g_strstrip (g_strdup (p->text->str));
  guint depth = p->path->len - 1; /* of EL */
  char **slot = NULL;

  if (depth == 1) {
    if (g_str_equal (el, "name"))
      slot = &p->name;
    else if (g_str_equal (el, "title"))
      slot = &p->title;
    else if (g_str_equal (el, "uuid"))
      slot = &p->uuid;
    else if (g_str_equal (el, "memory"))
      slot = &p->memory;
    else if (g_str_equal (el, "vcpu"))
      slot = &p->vcpu;
  } else if (depth == 2 && p->path->len >= 2 && g_str_equal (p->path->pdata[1], "os")) {
    if (g_str_equal (el, "kernel"))
      slot = &p->kernel;
    else if (g_str_equal (el, "initrd"))
      slot = &p->initrd;
    else if (g_str_equal (el, "cmdline"))
      slot = &p->cmdline;
    else if (g_str_equal (el, "loader"))
      slot = &p->loader;
  } else if (g_str_equal (el, "model") && p->path->len >= 2 && g_str_equal (p->path->pdata[1], "cpu")) {
    slot = &p->cpu_model;
  }
  if (slot != NULL) {
    g_free (*slot);
    *slot = g_steal_pointer (&text);
  }
  if (g_str_equal (el, "disk") && p->disk != NULL)
    g_ptr_array_add (p->disks, g_steal_pointer (&p->disk));
  if (g_str_equal (el, "ppcvm:profile"))
    p->ppcvm_ns = FALSE;
  g_free (g_ptr_array_steal_index (p->path, p->path->len - 1));
  g_string_truncate (p->text, 0);
}

static void
text (GMarkupParseContext *ctx, const char *t, gsize len, gpointer data, GError **error)
{
  g_string_append_len (((Parse *) data)->text, t, len);
}

/* hostfwd=tcp:127.0.0.1:2222-:22 -> the profile's tcp:2222-:22 */
static char *
forward_from_hostfwd (const char *h)
{
  g_auto (GStrv) sides = g_strsplit (h, "-", 2);
  g_auto (GStrv) host = NULL;

  if (g_strv_length (sides) != 2)
    return g_strdup (h);
  host = g_strsplit (sides[0], ":", -1);
  if (g_strv_length (host) == 3 && (g_str_equal (host[1], "127.0.0.1") || *host[1] == '\0'))
    return g_strdup_printf ("%s:%s-%s", host[0], host[2], sides[1]);
  return g_strdup (h);
}

static void
set (Parse *p, const char *group, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string (p->r->profile, group, key, value);
}

/* The <qemu:commandline> arguments: -machine caps dropped (the planner's),
 * ppcvm's own user network (id ppcvmnet0) and NVMe drives back to keys,
 * the rest to [qemu] args, one option with its values per item. */
static void
do_qemu_args (Parse *p)
{
  GPtrArray *a = p->qemu_args;
  g_autoptr (GHashTable) nvme = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < a->len; i++) {
    const char *opt = a->pdata[i];
    const char *val = i + 1 < a->len && ((char *) a->pdata[i + 1])[0] != '-' ? a->pdata[i + 1] : NULL;

    if (g_str_equal (opt, "-machine") && val != NULL) {
      g_auto (GStrv) kv = import_split_opts (val, "type");
      for (int k = 0; kv[k] != NULL; k += 2)
        if (!plan_is_planned_property (kv[k]))
          note (p, "-machine %s=%s: not a setting ppcvm plans; dropped", kv[k], kv[k + 1]);
      i++;
    } else if (g_str_equal (opt, "-netdev") && val != NULL && strstr (val, "id=ppcvmnet0") != NULL) {
      g_auto (GStrv) kv = import_split_opts (val, "type");
      for (int k = 0; kv[k] != NULL; k += 2)
        if (g_str_equal (kv[k], "hostfwd"))
          g_ptr_array_add (p->forwards, forward_from_hostfwd (kv[k + 1]));
      p->net_type = g_strdup ("user");
      p->has_net = TRUE;
      i++;
    } else if (g_str_equal (opt, "-device") && val != NULL && strstr (val, "netdev=ppcvmnet0") != NULL) {
      g_auto (GStrv) kv = import_split_opts (val, "driver");
      for (int k = 0; kv[k] != NULL; k += 2) {
        if (g_str_equal (kv[k], "driver"))
          p->net_model = g_strdup (kv[k + 1]);
        else if (g_str_equal (kv[k], "romfile") && *kv[k + 1] != '\0')
          p->net_rom = g_strdup (kv[k + 1]);
      }
      p->net_rom_off = p->net_rom == NULL;
      i++;
    } else if (g_str_equal (opt, "-drive") && val != NULL && strstr (val, "if=none") != NULL
               && i + 3 < a->len && g_str_equal (a->pdata[i + 2], "-device")
               && g_str_has_prefix (a->pdata[i + 3], "nvme,")) {
      g_auto (GStrv) kv = import_split_opts (val, "file");
      XDisk *d = g_new0 (XDisk, 1);
      d->device = g_strdup ("disk");
      d->bus = g_strdup ("nvme");
      for (int k = 0; kv[k] != NULL; k += 2) {
        if (g_str_equal (kv[k], "file"))
          d->file = g_strdup (kv[k + 1]);
        else if (g_str_equal (kv[k], "format"))
          d->format = g_strdup (kv[k + 1]);
        else if (g_str_equal (kv[k], "id"))
          d->target = g_strdup (kv[k + 1]);
        else if (g_str_equal (kv[k], "readonly"))
          d->readonly = g_str_equal (kv[k + 1], "on");
      }
      if (d->file != NULL && d->target != NULL && !g_hash_table_contains (p->disk_names, d->file))
        g_hash_table_insert (p->disk_names, g_strdup (d->file), g_strdup (d->target));
      g_ptr_array_add (p->disks, d);
      i += 3;
    } else {
      g_autoptr (GPtrArray) words = g_ptr_array_new ();
      g_ptr_array_add (words, (char *) opt);
      if (val != NULL) {
        g_ptr_array_add (words, (char *) val);
        i++;
      }
      g_ptr_array_add (words, NULL);
      g_ptr_array_add (p->r->kept, cmdline_to_shell ((const char *const *) words->pdata));
    }
  }
  (void) nvme;
}

static void
do_disks (Parse *p)
{
  guint n = 0;

  for (guint i = 0; i < p->disks->len; i++) {
    XDisk *d = p->disks->pdata[i];
    const char *name;
    g_autofree char *group = NULL;

    if (d->file == NULL)
      continue;
    if (g_strcmp0 (d->device, "cdrom") == 0) {
      if (g_key_file_has_key (p->r->profile, "boot", "cdrom", NULL))
        note (p, "cdrom %s: a profile has one CD-ROM; not imported", d->file);
      else
        set (p, "boot", "cdrom", d->file);
      continue;
    }
    name = g_hash_table_lookup (p->disk_names, d->file);
    group = g_strdup_printf ("disk:%s", name != NULL ? name : d->target != NULL ? d->target : "disk");
    if (g_key_file_has_group (p->r->profile, group))
      group = (g_free (group), g_strdup_printf ("disk:disk%u", n));
    n++;
    set (p, group, "file", d->file);
    set (p, group, "format", d->format);
    if (d->bus != NULL && !g_str_equal (d->bus, "virtio"))
      set (p, group, "interface", d->bus);
    if (d->readonly)
      g_key_file_set_boolean (p->r->profile, group, "readonly", TRUE);
  }
}

static void
do_network (Parse *p)
{
  if (!p->has_net || p->net_type == NULL) {
    set (p, "network", "mode", "none");
    return;
  }
  if (g_str_equal (p->net_type, "user")) {
    set (p, "network", "mode", "user");
    if (p->forwards->len > 0) {
      g_ptr_array_add (p->forwards, NULL);
      g_key_file_set_string_list (p->r->profile, "network", "forward",
                                  (const char *const *) p->forwards->pdata, p->forwards->len - 1);
      g_ptr_array_remove_index (p->forwards, p->forwards->len - 1);
    }
  } else if (g_str_equal (p->net_type, "bridge")) {
    set (p, "network", "mode", "bridge");
    set (p, "network", "ifname", p->net_source);
  } else if (g_str_equal (p->net_type, "ethernet")) {
    set (p, "network", "mode", "tap");
    set (p, "network", "ifname", p->net_source);
  } else {
    note (p, "<interface type='%s'> (a libvirt network): ppcvm has user, tap and bridge networking; "
             "imported as user networking", p->net_type);
    set (p, "network", "mode", "user");
  }
  if (p->net_model != NULL && !g_str_equal (p->net_model, "virtio")
      && !g_str_equal (p->net_model, "virtio-net-pci"))
    set (p, "network", "model", p->net_model);
  if (p->net_rom != NULL)
    set (p, "network", "rom", p->net_rom);
  else if (!p->net_rom_off && p->net_model != NULL && !g_str_equal (p->net_model, "spapr-vlan"))
    note (p, "the NIC's option ROM: libvirt loads QEMU's default one; a ppcvm guest has none on "
             "pseries (SLOF drives virtio-net itself)");
}

/* [guest] name, uuid, endian and machine. */
static void
do_identity (Parse *p)
{
  set (p, G_GUEST, "name", p->title != NULL ? p->title : p->name);
  set (p, G_GUEST, "uuid", p->uuid);
  if (g_strcmp0 (p->arch, "ppc64") == 0)
    set (p, G_GUEST, "endian", "big");
  else if (p->arch != NULL && !g_str_equal (p->arch, "ppc64le"))
    note (p, "arch='%s': not a 64-bit POWER guest; imported as ppc64le", p->arch);
  if (p->machine != NULL && !g_str_equal (p->machine, "pseries")) {
    if (g_str_has_prefix (p->machine, "pseries-"))
      set (p, G_GUEST, "machine", p->machine);
    else
      note (p, "machine='%s': ppcvm runs pseries guests; not imported", p->machine);
  }
}

/* MMU, page size and CPU, which no libvirt element holds: ppcvm's
 * <metadata>, else what the domain says. */
static void
do_guest_meta (Parse *p)
{
  const char *v;

  if ((v = g_hash_table_lookup (p->meta, "mmu")) != NULL)
    set (p, G_GUEST, "mmu", v);
  else
    note (p, "no ppcvm <metadata>: the guest MMU and page size are the profile defaults "
             "(radix, 64K); check them");
  set (p, G_GUEST, "page-size", g_hash_table_lookup (p->meta, "page-size"));
  if ((v = g_hash_table_lookup (p->meta, "cpu")) != NULL)
    set (p, G_GUEST, "cpu", v);
  else if (p->cpu_model != NULL && plan_cpu_model_generation (p->cpu_model) > 0) {
    g_autofree char *cpu = g_strdup_printf ("POWER%d", plan_cpu_model_generation (p->cpu_model));
    set (p, G_GUEST, "cpu", cpu);
  }
}

/* <memory unit=...>: [guest] memory in MiB. */
static void
do_memory (Parse *p)
{
  guint64 n = 0, mult;
  const char *u = p->memory_unit != NULL ? p->memory_unit : "KiB";

  if (p->memory == NULL)
    return;
  mult = g_str_equal (u, "MiB") || g_str_equal (u, "M") ? 1 << 20
       : g_str_equal (u, "GiB") || g_str_equal (u, "G") ? 1 << 30
       : g_str_equal (u, "b") || g_str_equal (u, "bytes") ? 1 : 1024;
  if (g_ascii_string_to_unsigned (p->memory, 10, 1, G_MAXUINT64 / mult, &n, NULL)) {
    g_autofree char *m = g_strdup_printf ("%" G_GUINT64_FORMAT "M", n * mult >> 20);
    set (p, G_GUEST, "memory", m);
  } else {
    note (p, "<memory unit='%s'>%s</memory>: not understood; not imported", u, p->memory);
  }
}

/* [guest] smp, nested and accel. */
static void
do_accel (Parse *p)
{
  const char *v;

  set (p, G_GUEST, "smp", p->vcpu);
  if (g_hash_table_lookup (p->meta, "nested") != NULL
      && g_str_equal (g_hash_table_lookup (p->meta, "nested"), "true"))
    g_key_file_set_boolean (p->r->profile, G_GUEST, "nested", TRUE);
  if ((v = g_hash_table_lookup (p->meta, "accel")) != NULL)
    set (p, G_GUEST, "accel", v);
  else
    set (p, G_GUEST, "accel", g_strcmp0 (p->domain_type, "qemu") == 0 ? "tcg" : "kvm");
}

/* [guest] display and vnc. */
static void
do_display (Parse *p)
{
  const char *v;

  if ((v = g_hash_table_lookup (p->meta, "display")) != NULL)
    set (p, G_GUEST, "display", v);
  else
    set (p, G_GUEST, "display", p->vnc ? "vnc" : "serial");
  if (p->vnc && g_strcmp0 (p->vnc_autoport, "yes") != 0 && p->vnc_port != NULL) {
    guint64 port = 0;
    if (g_ascii_string_to_unsigned (p->vnc_port, 10, 5900, 65535, &port, NULL)) {
      g_autofree char *l = g_strdup_printf ("%s%s%s:%u", p->vnc_listen && strchr (p->vnc_listen, ':') ? "[" : "",
                                            p->vnc_listen ? p->vnc_listen : "127.0.0.1",
                                            p->vnc_listen && strchr (p->vnc_listen, ':') ? "]" : "",
                                            (guint) (port - 5900));
      set (p, G_GUEST, "vnc", l);
    }
  }
  if (p->vnc_passwd)
    note (p, "the VNC password: write it to a file (printf %%s PASSWORD > FILE) and set "
             "[guest] vnc-password-file=FILE");
}

static void
parse_clear (Parse *p)
{
  g_free (p->domain_type), g_free (p->name), g_free (p->title), g_free (p->uuid), g_free (p->arch);
  g_free (p->machine), g_free (p->memory_unit), g_free (p->memory), g_free (p->vcpu);
  g_free (p->kernel), g_free (p->initrd), g_free (p->cmdline), g_free (p->loader);
  g_free (p->cpu_mode), g_free (p->cpu_model), g_free (p->net_type), g_free (p->net_model);
  g_free (p->net_source), g_free (p->net_rom), g_free (p->fwd_proto), g_free (p->fwd_addr);
  g_free (p->vnc_port), g_free (p->vnc_autoport), g_free (p->vnc_listen);
  if (p->disk != NULL)
    xdisk_free (p->disk);
}

ImportResult *
import_libvirt_xml (const char *xml, const char *filename, GError **error)
{
  static const GMarkupParser parser = { start, end, text, NULL, NULL };
  g_autoptr (ImportResult) r = g_new0 (ImportResult, 1);
  g_autoptr (GMarkupParseContext) ctx = NULL;
  g_autoptr (GPtrArray) path = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) buf = g_string_new (NULL);
  g_autoptr (GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) disk_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) disks = g_ptr_array_new_with_free_func ((GDestroyNotify) xdisk_free);
  g_autoptr (GPtrArray) forwards = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) qargs = g_ptr_array_new_with_free_func (g_free);
  Parse p = { 0 };
  gboolean ok;

  r->profile = g_key_file_new ();
  r->kept = g_ptr_array_new_with_free_func (g_free);
  r->notes = g_ptr_array_new_with_free_func (g_free);
  p.r = r;
  p.path = path;
  p.text = buf;
  p.meta = meta;
  p.disk_names = disk_names;
  p.disks = disks;
  p.forwards = forwards;
  p.qemu_args = qargs;
  ctx = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, &p, NULL);
  ok = g_markup_parse_context_parse (ctx, xml, -1, error) && g_markup_parse_context_end_parse (ctx, error);
  if (!ok)
    g_prefix_error (error, "%s: ", filename);
  if (ok && p.name == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: a libvirt domain without <name>", filename);
    ok = FALSE;
  }

  if (ok) {
    do_identity (&p);
    do_guest_meta (&p);
    do_memory (&p);
    do_accel (&p);
    do_display (&p);
    set (&p, "boot", "kernel", p.kernel);
    set (&p, "boot", "initrd", p.initrd);
    set (&p, "boot", "append", p.cmdline);
    set (&p, "boot", "firmware", p.loader);
    do_qemu_args (&p);
    do_disks (&p);
    do_network (&p);
    if (r->kept->len > 0)
      g_key_file_set_string_list (r->profile, "qemu", "args", (const char *const *) r->kept->pdata,
                                  r->kept->len);
  }
  parse_clear (&p);
  return ok ? g_steal_pointer (&r) : NULL;
}

gboolean
import_is_libvirt_xml (const char *data)
{
  const char *s = data;

  /* <?xml ...?>, comments and blank space may come first. */
  for (;;) {
    while (g_ascii_isspace (*s))
      s++;
    if (g_str_has_prefix (s, "<?") || g_str_has_prefix (s, "<!--")) {
      const char *close = g_str_has_prefix (s, "<?") ? "?>" : "-->";
      const char *e = strstr (s, close);
      if (e == NULL)
        return FALSE;
      s = e + strlen (close);
      continue;
    }
    break;
  }
  return g_str_has_prefix (s, "<domain") && (g_ascii_isspace (s[7]) || s[7] == '>');
}
