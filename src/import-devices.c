/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm import: drives, network and display options. */
#include "config.h"

#include <string.h>

#include "disk.h"
#include "import-private.h"
#include "util.h"

/* NIC devices that can carry the profile's network (its [network] model=). */
static const char *const nic_models[] = {
  "virtio-net-pci", "virtio-net", "spapr-vlan", "e1000", "e1000e", "rtl8139", "virtio", NULL
};

static void
add_disk (ArgvImport *c, const char *id, const char *file, const char *format, const char *iface,
          gboolean readonly)
{
  g_autofree char *group = NULL;
  g_autofree char *path = import_abs_path (c, file);
  g_autofree char *detected = NULL;

  if (id != NULL && g_ascii_isalpha (id[0])) {
    group = g_strconcat ("disk:", id, NULL);
    for (const char *p = id; *p && group != NULL; p++)
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
        g_clear_pointer (&group, g_free);
  }
  while (group == NULL || g_key_file_has_group (c->r->profile, group)) {
    g_free (group);
    group = g_strdup_printf ("disk:disk%u", c->disks++);
  }
  g_key_file_set_string (c->r->profile, group, "file", path);
  if (format == NULL) {
    /* The profile always states the format (qemu must never guess it from
     * contents the guest writes): detected once, now, by qemu-img. */
    g_autoptr (GError) local = NULL;
    g_autoptr (DiskInfo) info = disk_info (path, NULL, &local);
    if (info != NULL) {
      format = detected = g_strdup (info->format);
      import_note (c, "[%s] format=%s: detected by qemu-img (the command line did not say)", group, format);
    } else {
      import_note (c, "[%s] format=: unknown (%s); set it before use", group, local->message);
    }
  }
  if (format != NULL)
    g_key_file_set_string (c->r->profile, group, "format", format);
  g_key_file_set_string (c->r->profile, group, "interface", iface);
  if (readonly)
    g_key_file_set_boolean (c->r->profile, group, "readonly", TRUE);
}

void
import_do_drives (ArgvImport *c)
{
  static const char *const known[] = { "file", "format", "if", "readonly", "media", "id", NULL };
  static const char *const formats[] = { "raw", "qcow2", "qed", "qcow", "vmdk", "vdi", "vhdx",
                                          "vpc", NULL };
  static const char *const hd[] = { "hda", "hdb", "hdc", "hdd", "", NULL };

  for (guint i = 0; i < c->items->len; i++) {
    Item *it = c->items->pdata[i];
    g_auto (GStrv) kv = NULL;
    const char *file, *format, *iface, *media, *ro;
    gboolean readonly = FALSE;

    if (it->used)
      continue;
    if (g_strv_contains (hd, it->opt)) {
      /* -hda is a drive on the machine's default interface: SCSI on pseries. */
      if (!import_is_protocol (it->arg)) {
        add_disk (c, *it->opt ? it->opt : "hda", it->arg, NULL, "scsi", FALSE);
        it->used = TRUE;
      }
      continue;
    }
    if (!g_str_equal (it->opt, "drive"))
      continue;
    kv = import_split_opts (it->arg, NULL);
    file = import_opts_get (kv, "file");
    format = import_opts_get (kv, "format");
    iface = import_opts_get (kv, "if");
    media = import_opts_get (kv, "media");
    ro = import_opts_get (kv, "readonly");
    if (!import_opts_only (kv, known) || file == NULL || import_is_protocol (file)
        || (format != NULL && !g_strv_contains (formats, format))
        || (ro != NULL && !import_parse_onoff (ro, &readonly)))
      continue;
    if (media != NULL && g_str_equal (media, "cdrom")) {
      if (g_key_file_has_key (c->r->profile, G_BOOT, "cdrom", NULL)
          || (format != NULL && !g_str_equal (format, "raw"))
          || (iface != NULL && !g_str_equal (iface, "scsi")))
        continue;
      {
        g_autofree char *p = import_abs_path (c, file);
        import_set (c, G_BOOT, "cdrom", p);
      }
    } else {
      if (media != NULL && !g_str_equal (media, "disk"))
        continue;
      if (iface == NULL)
        iface = "scsi"; /* pseries' default block interface */
      if (!g_str_equal (iface, "virtio") && !g_str_equal (iface, "scsi"))
        continue;
      add_disk (c, import_opts_get (kv, "id"), file, format, iface, readonly);
    }
    it->used = TRUE;
  }
}

/* ---- network ---- */

typedef struct {
  int mode;           /* NetMode */
  GPtrArray *forwards;
  char *ifname;
  char *model;        /* NULL: virtio-net-pci */
} Net;

static void
net_clear (Net *n)
{
  g_clear_pointer (&n->forwards, g_ptr_array_unref);
  g_clear_pointer (&n->ifname, g_free);
  g_clear_pointer (&n->model, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Net, net_clear)

/* A hostfwd= value as a profile forward. slirp reads an empty host address
 * as every interface; the profile reads it as loopback, so it is spelled out. */
static char *
forward_from_hostfwd (ArgvImport *c, const char *fwd)
{
  g_autofree char *f = *fwd == ':' ? g_strconcat ("tcp", fwd, NULL) : g_strdup (fwd);
  char *colon = strchr (f, ':');

  if (colon != NULL && colon[1] == ':') {
    import_note (c, "hostfwd=%s listens on every interface: kept as forward=%.*s:0.0.0.0%s "
             "(drop 0.0.0.0 to listen on 127.0.0.1 only)", fwd, (int) (colon - f), f, colon + 1);
    return g_strdup_printf ("%.*s:0.0.0.0%s", (int) (colon - f), f, colon + 1);
  }
  return g_steal_pointer (&f);
}

/* The backend part of -netdev / -nic / -net (TYPE,k=v...): TRUE when every
 * key is one the profile can say. EXTRA are keys the caller handles. */
static gboolean
net_backend (ArgvImport *c, char **kv, const char *const *extra, Net *n)
{
  const char *type = import_opts_get (kv, "type");

  for (int k = 0; kv[k] != NULL; k += 2) {
    const char *key = kv[k];
    if (g_str_equal (key, "type") || g_str_equal (key, "id") || g_strv_contains (extra, key))
      continue;
    if (g_str_equal (type, "user") && g_str_equal (key, "hostfwd"))
      continue;
    if (g_str_equal (type, "tap") && (g_str_equal (key, "ifname") || g_str_equal (key, "script")
                                      || g_str_equal (key, "downscript")))
      continue;
    if (g_str_equal (type, "bridge") && g_str_equal (key, "br"))
      continue;
    return FALSE;
  }
  if (g_str_equal (type, "user")) {
    n->mode = NET_USER;
    n->forwards = g_ptr_array_new_with_free_func (g_free);
    for (int k = 0; kv[k] != NULL; k += 2)
      if (g_str_equal (kv[k], "hostfwd"))
        g_ptr_array_add (n->forwards, forward_from_hostfwd (c, kv[k + 1]));
  } else if (g_str_equal (type, "tap")) {
    const char *s = import_opts_get (kv, "script"), *d = import_opts_get (kv, "downscript");
    if (import_opts_get (kv, "ifname") == NULL)
      return FALSE;
    if (s == NULL || d == NULL || !g_str_equal (s, "no") || !g_str_equal (d, "no"))
      import_note (c, "the profile runs the tap backend with script=no,downscript=no (set the "
               "interface up before starting the guest)");
    n->mode = NET_TAP;
    n->ifname = g_strdup (import_opts_get (kv, "ifname"));
  } else if (g_str_equal (type, "bridge")) {
    const char *br = import_opts_get (kv, "br");
    n->mode = NET_BRIDGE;
    n->ifname = g_strdup (br != NULL ? br : "br0"); /* QEMU's default bridge */
  } else {
    return FALSE;
  }
  return TRUE;
}

static char *
nic_model (const char *m)
{
  /* The short names of -net nic,model= and -nic model=. */
  if (m == NULL)
    return g_strdup ("spapr-vlan"); /* pseries' default NIC */
  if (g_str_equal (m, "virtio") || g_str_equal (m, "virtio-net"))
    return g_strdup ("virtio-net-pci");
  return g_strdup (m);
}

/* -nic TYPE[,model=M,...] */
static gboolean
try_nic (ArgvImport *c, Net *n)
{
  static const char *const extra[] = { "model", NULL };
  Item *it = import_first_item (c, "nic");
  g_auto (GStrv) kv = NULL;

  if (it == NULL)
    return FALSE;
  kv = import_split_opts (it->arg, "type");
  if (g_strcmp0 (import_opts_get (kv, "type"), "none") == 0) {
    n->mode = NET_NONE;
  } else {
    if (!net_backend (c, kv, extra, n))
      return FALSE;
    n->model = nic_model (import_opts_get (kv, "model"));
  }
  it->used = TRUE;
  return TRUE;
}

/* -netdev TYPE,id=ID + -device MODEL,netdev=ID */
static gboolean
try_netdev (ArgvImport *c, Net *n)
{
  static const char *const dev_keys[] = { "driver", "netdev", "id", NULL };
  static const char *const none[] = { NULL };
  g_autoptr (GPtrArray) netdevs = import_find_items (c, "netdev");
  g_autoptr (GPtrArray) devices = import_find_items (c, "device");

  for (guint i = 0; i < netdevs->len; i++) {
    Item *nd = netdevs->pdata[i];
    g_auto (GStrv) kv = import_split_opts (nd->arg, "type");
    const char *id = import_opts_get (kv, "id");

    for (guint j = 0; id != NULL && j < devices->len; j++) {
      Item *dev = devices->pdata[j];
      g_auto (GStrv) dkv = import_split_opts (dev->arg, "driver");
      if (g_strcmp0 (import_opts_get (dkv, "netdev"), id) != 0)
        continue;
      if (!import_opts_only (dkv, dev_keys) || !g_strv_contains (nic_models, import_opts_get (dkv, "driver")))
        return FALSE;
      if (!net_backend (c, kv, none, n)) {
        net_clear (n);
        return FALSE;
      }
      n->model = nic_model (import_opts_get (dkv, "driver"));
      nd->used = dev->used = TRUE;
      return TRUE;
    }
  }
  return FALSE;
}

/* -net nic[,model=M] -net TYPE,... (the legacy pair) */
static gboolean
try_net (ArgvImport *c, Net *n)
{
  static const char *const nic_keys[] = { "type", "model", NULL };
  static const char *const none[] = { NULL };
  g_autoptr (GPtrArray) nets = import_find_items (c, "net");
  Item *nic = NULL, *back = NULL;
  g_auto (GStrv) nkv = NULL;
  g_auto (GStrv) bkv = NULL;

  if (nets->len == 1) {
    g_auto (GStrv) kv = import_split_opts (((Item *) nets->pdata[0])->arg, "type");
    if (g_strcmp0 (import_opts_get (kv, "type"), "none") != 0)
      return FALSE;
    n->mode = NET_NONE;
    ((Item *) nets->pdata[0])->used = TRUE;
    return TRUE;
  }
  if (nets->len != 2)
    return FALSE;
  for (guint i = 0; i < 2; i++) {
    Item *it = nets->pdata[i];
    g_auto (GStrv) kv = import_split_opts (it->arg, "type");
    if (g_strcmp0 (import_opts_get (kv, "type"), "nic") == 0)
      nic = it, nkv = g_steal_pointer (&kv);
    else
      back = it, bkv = g_steal_pointer (&kv);
  }
  if (nic == NULL || back == NULL || !import_opts_only (nkv, nic_keys) || !net_backend (c, bkv, none, n))
    return FALSE;
  n->model = nic_model (import_opts_get (nkv, "model"));
  nic->used = back->used = TRUE;
  return TRUE;
}

void
import_do_network (ArgvImport *c)
{
  g_auto (Net) n = { NET_USER, NULL, NULL, NULL };
  static const char *const net_opts[] = { "nic", "netdev", "net", NULL };
  gboolean any = FALSE;

  for (guint i = 0; i < c->items->len; i++)
    any |= g_strv_contains (net_opts, ((Item *) c->items->pdata[i])->opt);
  if (!any) {
    /* QEMU's default: a user-mode spapr-vlan NIC, unless -nodefaults. */
    gboolean nodefaults = FALSE; /* used or not: the display has dropped it */
    for (guint i = 0; i < c->items->len; i++)
      nodefaults |= g_str_equal (((Item *) c->items->pdata[i])->opt, "nodefaults");
    if (nodefaults) {
      n.mode = NET_NONE;
    } else {
      n.model = g_strdup ("spapr-vlan");
    }
  } else if (!try_nic (c, &n) && !try_netdev (c, &n) && !try_net (c, &n)) {
    /* Kept verbatim; -nic none keeps the profile from adding a NIC of its own. */
    net_clear (&n);
    n.mode = NET_NONE;
  }
  import_set (c, G_NET, "mode", (const char *[]){ "user", "none", "tap", "bridge" }[n.mode]);
  if (n.forwards != NULL && n.forwards->len > 0)
    g_key_file_set_string_list (c->r->profile, G_NET, "forward",
                                (const char *const *) n.forwards->pdata, n.forwards->len);
  if (n.ifname != NULL)
    import_set (c, G_NET, "ifname", n.ifname);
  if (n.model != NULL && !g_str_equal (n.model, "virtio-net-pci") && n.mode != NET_NONE)
    import_set (c, G_NET, "model", n.model);
}

/* ---- display ---- */

static gboolean
arg_is (ArgvImport *c, const char *opt, const char *value)
{
  Item *it = import_first_item (c, opt);
  return it != NULL && g_str_equal (it->arg, value);
}

static void
use (ArgvImport *c, const char *opt, const char *value)
{
  g_autoptr (GPtrArray) items = import_find_items (c, opt);

  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    if (value == NULL || (it->arg != NULL && g_str_equal (it->arg, value)))
      it->used = TRUE;
  }
}

/* -chardev stdio,id=ID[,mux=on,signal=off] with -serial chardev:ID (and
 * -mon chardev=ID): the console on the terminal, spelled out. */
static gboolean
chardev_stdio_serial (ArgvImport *c, Item **ret_chardev, Item **ret_serial, Item **ret_mon)
{
  Item *serial = import_first_item (c, "serial");
  g_autoptr (GPtrArray) chardevs = import_find_items (c, "chardev");

  *ret_chardev = *ret_serial = *ret_mon = NULL;
  if (serial == NULL || !g_str_has_prefix (serial->arg, "chardev:"))
    return FALSE;
  for (guint i = 0; i < chardevs->len; i++) {
    Item *cd = chardevs->pdata[i];
    g_auto (GStrv) kv = import_split_opts (cd->arg, "backend");
    static const char *const ok[] = { "backend", "id", "mux", "signal", NULL };
    const char *id = import_opts_get (kv, "id");
    if (id == NULL || !g_str_equal (id, serial->arg + strlen ("chardev:")))
      continue;
    if (g_strcmp0 (import_opts_get (kv, "backend"), "stdio") != 0 || !import_opts_only (kv, ok))
      return FALSE;
    *ret_chardev = cd;
    *ret_serial = serial;
    {
      g_autoptr (GPtrArray) mons = import_find_items (c, "mon");
      g_autofree char *want = g_strdup_printf ("chardev=%s", id);
      for (guint m = 0; m < mons->len; m++) {
        Item *mon = mons->pdata[m];
        if (g_str_has_prefix (mon->arg, want)
            && (mon->arg[strlen (want)] == '\0' || mon->arg[strlen (want)] == ','))
          *ret_mon = mon;
      }
    }
    return TRUE;
  }
  return FALSE;
}

void
import_do_display (ArgvImport *c)
{
  Item *vnc = import_first_item (c, "vnc");
  const char *display = NULL;
  Item *cd = NULL, *cd_serial = NULL, *cd_mon = NULL;
  gboolean spelled = chardev_stdio_serial (c, &cd, &cd_serial, &cd_mon);
  gboolean stdio_serial = arg_is (c, "serial", "mon:stdio") || arg_is (c, "serial", "stdio") || spelled;
  Item *nodefaults = import_first_item (c, "nodefaults");

  /* ppcvm's command line has no default devices anyway (rule MIN-DEVICES):
   * each device, the console included, comes from the profile. */
  if (nodefaults != NULL) {
    use (c, "nodefaults", NULL);
    import_note (c, "dropped -nodefaults: ppcvm gives the guest only the devices its profile names");
  }

  if (vnc != NULL && strchr (vnc->arg, ',') == NULL && strchr (vnc->arg, ':') != NULL
      && (import_first_item (c, "display") == NULL || arg_is (c, "display", "vnc"))) {
    display = "vnc";
    import_set (c, G_GUEST, "vnc", vnc->arg);
    vnc->used = TRUE;
    use (c, "display", "vnc");
  } else if (import_first_item (c, "nographic") != NULL) {
    display = "serial";
    use (c, "nographic", NULL);
  } else if (arg_is (c, "display", "none")) {
    use (c, "display", "none");
    if (stdio_serial) {
      /* What -nographic is, minus the VGA device. */
      display = "serial";
    } else {
      display = "none";
      use (c, "serial", "null");
      use (c, "monitor", "none");
    }
  } else if (arg_is (c, "display", "gtk")) {
    display = "gtk";
    use (c, "display", "gtk");
  } else if (import_first_item (c, "display") == NULL && vnc == NULL && stdio_serial) {
    display = "serial";
    import_note (c, "no display option: QEMU would open a window as well as the console on the "
             "terminal; the profile keeps the console only (set display=gtk for a window)");
  } else if (import_first_item (c, "display") == NULL && vnc == NULL) {
    import_note (c, "no display option: QEMU would open a window; the profile uses the serial "
             "console on the terminal (set display=gtk for a window)");
  }
  /* The console on the terminal is display=serial: its options are the
   * profile's now (kept, they would claim stdio a second time). */
  if (display != NULL && g_str_equal (display, "serial")) {
    use (c, "serial", "mon:stdio");
    use (c, "serial", "stdio");
    if (spelled) {
      cd->used = cd_serial->used = TRUE;
      if (cd_mon != NULL)
        cd_mon->used = TRUE;
    }
    if (stdio_serial)
      import_note (c, "the console on the terminal (%s) is the profile's display=serial",
                   spelled ? "-chardev stdio with -serial chardev:" : "-serial on stdio");
  }
  if (display != NULL)
    import_set (c, G_GUEST, "display", display);
  /* cmdline.c adds -vga none to every guest without a graphical display, and
   * leaves QEMU's default (std) to those with one. */
  if (display == NULL || g_str_equal (display, "serial") || g_str_equal (display, "none"))
    use (c, "vga", "none");
  else
    use (c, "vga", "std");
}
