/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cmdline.h"
#include "import-private.h"
#include "planner.h"
#include "util.h"

/* QEMU 7.2 options that take no argument; every other option takes one. */
static const char *const flag_options[] = {
  "S", "s", "nographic", "enable-kvm", "no-reboot", "no-shutdown", "daemonize", "snapshot",
  "mem-prealloc", "nodefaults", "no-user-config", "full-screen", "usb", "no-quit",
  "preconfig", "only-migratable", "enable-fips", "no-acpi", "no-hpet", "no-fd-bootchk",
  "alt-grab", "ctrl-grab", "win2k-hack", "no-frame", "singlestep", "version", "help", "h",
  "semihosting", "enable-sync-profile", NULL
};



static void
item_free (Item *it)
{
  g_free (it->opt);
  g_free (it->arg);
  g_free (it);
}

void
import_result_free (ImportResult *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->profile, g_key_file_unref);
  g_clear_pointer (&r->kept, g_ptr_array_unref);
  g_clear_pointer (&r->notes, g_ptr_array_unref);
  g_free (r);
}

void G_GNUC_PRINTF (2, 3)
import_note (ArgvImport *c, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (c->r->notes, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

/* ---- QEMU option strings ---- */

/* Read up to an unescaped ',' (",," is a comma) or, when STOP_AT_EQ, '='. */
static char *
read_part (const char **p, gboolean stop_at_eq)
{
  GString *s = g_string_new (NULL);

  while (**p) {
    if (**p == ',') {
      if ((*p)[1] != ',')
        break;
      (*p)++;
    } else if (stop_at_eq && **p == '=') {
      break;
    }
    g_string_append_c (s, **p);
    (*p)++;
  }
  return g_string_free (s, FALSE);
}

GStrv
import_split_opts (const char *s, const char *implied)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  const char *p = s;
  gboolean first = TRUE;

  g_return_val_if_fail (s != NULL, NULL);

  while (*p) {
    const char *q = p;
    char *name = read_part (&q, TRUE);
    if (*q == '=') {
      q++;
      g_ptr_array_add (out, name);
      g_ptr_array_add (out, read_part (&q, FALSE));
    } else if (first && implied != NULL) {
      g_free (name);
      q = p;
      g_ptr_array_add (out, g_strdup (implied));
      g_ptr_array_add (out, read_part (&q, FALSE));
    } else {
      g_ptr_array_add (out, name);
      g_ptr_array_add (out, g_strdup ("on"));
    }
    first = FALSE;
    p = *q == ',' ? q + 1 : q;
  }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* KEY=VALUE pairs of KV (from import_split_opts) back into one option string. */
static void
append_opt (GString *s, const char *key, const char *value)
{
  g_autofree char *esc = ppcvm_qemu_escape (value);

  g_string_append_printf (s, "%s%s=%s", s->len ? "," : "", key, esc);
}

const char *
import_opts_get (char **kv, const char *key)
{
  const char *v = NULL;

  for (int i = 0; kv[i] != NULL; i += 2)
    if (g_str_equal (kv[i], key))
      v = kv[i + 1]; /* the last one wins, as in QEMU */
  return v;
}

/* Are all keys of KV in ALLOWED? */
gboolean
import_opts_only (char **kv, const char *const *allowed)
{
  for (int i = 0; kv[i] != NULL; i += 2)
    if (!g_strv_contains (allowed, kv[i]))
      return FALSE;
  return TRUE;
}

gboolean
import_parse_onoff (const char *v, gboolean *ret)
{
  static const char *const yes[] = { "on", "true", "yes", "1", NULL };
  static const char *const no[] = { "off", "false", "no", "0", NULL };

  if (g_strv_contains (yes, v))
    return *ret = TRUE, TRUE;
  if (g_strv_contains (no, v))
    return *ret = FALSE, TRUE;
  return FALSE;
}

/* ---- helpers ---- */

char *
import_abs_path (ArgvImport *c, const char *path)
{
  return g_canonicalize_filename (path, c->cwd);
}

/* A block layer protocol ("nbd:...", "json:{...}") is not a file. */
gboolean
import_is_protocol (const char *file)
{
  const char *colon = strchr (file, ':');
  const char *slash = strchr (file, '/');

  return colon != NULL && (slash == NULL || colon < slash);
}

static gboolean
is_pseries (const char *m)
{
  if (g_str_equal (m, "pseries"))
    return TRUE;
  return g_str_has_prefix (m, "pseries-") && g_ascii_isdigit (m[8]);
}

/* Options whose whole argument is a file name, and the keys of option
 * strings whose value is one (-drive file=, -chardev path=, -netdev script=). */
static const char *const path_options[] = {
  "", "hda", "hdb", "hdc", "hdd", "fda", "fdb", "sd", "mtdblock", "pflash", "dtb", "L", "pidfile",
  "readconfig", "incoming-file", "option-rom", NULL
};
static const char *const path_keys[] = {
  "file", "path", "filename", "script", "downscript", "logfile", "sock", "romfile", "bootindex-file", NULL
};

/* Relative file names in a kept option, made absolute against the import's
 * directory: [qemu] args must mean the same wherever `ppcvm run` starts.
 * NULL when nothing changes (the option stays exactly as written). */
static char *
absolute_arg (ArgvImport *c, const char *opt, const char *arg)
{
  if (arg == NULL || *arg == '\0')
    return NULL;
  if (g_strv_contains (path_options, opt)) {
    if (g_path_is_absolute (arg) || import_is_protocol (arg))
      return NULL;
    return import_abs_path (c, arg);
  }
  if (strchr (arg, '=') == NULL)
    return NULL;
  {
    g_auto (GStrv) kv = import_split_opts (arg, NULL);
    g_autoptr (GString) s = g_string_new (NULL);
    gboolean changed = FALSE;
    for (int k = 0; kv[k] != NULL; k += 2) {
      g_autofree char *abs = NULL;
      const char *v = kv[k + 1];
      if (g_strv_contains (path_keys, kv[k]) && *v != '\0' && !g_path_is_absolute (v)
          && !import_is_protocol (v) && !g_str_equal (v, "none")) {
        abs = import_abs_path (c, v);
        changed = TRUE;
      }
      if (k == 0 && !g_str_has_prefix (arg, kv[0])) {
        /* an implied first value ("stdio,id=x"): kept as it was */
        return NULL;
      }
      {
        g_autofree char *esc = ppcvm_qemu_escape (abs != NULL ? abs : v);
        g_string_append_printf (s, "%s%s=%s", s->len ? "," : "", kv[k], esc);
      }
    }
    return changed ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
  }
}

void
import_keep (ArgvImport *c, Item *it)
{
  g_autofree char *abs = absolute_arg (c, it->opt, it->arg);
  const char *argv[3] = { NULL, abs != NULL ? abs : it->arg, NULL };
  g_autofree char *opt = g_strconcat ("-", it->opt, NULL);

  if (abs != NULL)
    import_note (c, "-%s%s%s: relative file names made absolute against %s", it->opt, *it->opt ? " " : "",
                 it->arg, c->cwd);

  /* A bare word (an image QEMU reads as -hda) stays bare. */
  argv[0] = *it->opt != '\0' ? opt : argv[1];
  if (*it->opt == '\0')
    argv[1] = NULL;
  g_ptr_array_add (c->r->kept, cmdline_to_shell (argv));
  it->used = TRUE;
}

/* Keep a synthetic option (the rest of one that was partly understood). */
static void
keep_new (ArgvImport *c, const char *opt, const char *arg)
{
  Item it = { (char *) opt, (char *) arg, FALSE };
  import_keep (c, &it);
}

GPtrArray *
import_find_items (ArgvImport *c, const char *opt)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < c->items->len; i++) {
    Item *it = c->items->pdata[i];
    if (!it->used && g_str_equal (it->opt, opt))
      g_ptr_array_add (out, it);
  }
  return out;
}

Item *
import_first_item (ArgvImport *c, const char *opt)
{
  g_autoptr (GPtrArray) all = import_find_items (c, opt);
  return all->len > 0 ? all->pdata[0] : NULL;
}

void
import_set (ArgvImport *c, const char *group, const char *key, const char *value)
{
  g_key_file_set_string (c->r->profile, group, key, value);
}

/* ---- the options ---- */

static gboolean
do_machine (ArgvImport *c, GError **error)
{
  g_autoptr (GPtrArray) items = import_find_items (c, "machine");

  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    g_auto (GStrv) kv = import_split_opts (it->arg, "type");
    g_autoptr (GString) rest = g_string_new (NULL);
    gboolean vof = FALSE;

    for (int k = 0; kv[k] != NULL; k += 2) {
      const char *key = kv[k], *v = kv[k + 1];
      if (g_str_equal (key, "type")) {
        if (!is_pseries (v)) {
          g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                       "-machine %s: ppcvm runs pseries guests only (machine=pseries or "
                       "pseries-X.Y)", v);
          return FALSE;
        }
        import_set (c, G_GUEST, "machine", v);
      } else if (g_str_equal (key, "accel")) {
        c->accel = strchr (v, ':') != NULL ? ACCEL_AUTO
                   : g_str_equal (v, "kvm")  ? ACCEL_KVM
                                             : ACCEL_TCG;
      } else if (g_str_equal (key, "kvm-type")) {
        c->kvm_type_hv = g_ascii_strcasecmp (v, "HV") == 0;
        c->kvm_type_pr = g_ascii_strcasecmp (v, "PR") == 0;
      } else if (g_str_equal (key, "cap-nested-hv") && import_parse_onoff (v, &c->nested)) {
        /* nested= in the profile: the planner sets the cap when it can. */
      } else if (g_str_equal (key, "max-cpu-compat")
                 && plan_cpu_model_generation (v) >= 7 && plan_cpu_model_generation (v) <= 10) {
        c->compat = plan_cpu_model_generation (v);
      } else if (g_str_equal (key, "x-vof") && import_parse_onoff (v, &vof)) {
        /* The firmware is a profile key; auto picks VOF for kernel= boots. */
        import_set (c, G_BOOT, "firmware", vof ? "vof" : "slof");
      } else if (plan_is_planned_property (key)) {
        /* The alias's value was the answer for the host it was written on. */
        import_note (c, "dropped -machine %s=%s: the planner sets it from the host's facts "
                 "(ppcvm plan --explain)", key, v);
      } else {
        append_opt (rest, key, v);
      }
    }
    it->used = TRUE;
    if (rest->len > 0)
      keep_new (c, "machine", rest->str);
  }
  return TRUE;
}

static void
do_accel (ArgvImport *c)
{
  g_autoptr (GPtrArray) items = import_find_items (c, "accel");
  Item *kvm = import_first_item (c, "enable-kvm");

  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    g_auto (GStrv) kv = import_split_opts (it->arg, "accel");
    const char *a = import_opts_get (kv, "accel");
    int want = a != NULL && g_str_equal (a, "kvm") ? ACCEL_KVM : ACCEL_TCG;

    /* Several -accel options are tried in order: kvm, then tcg = auto. */
    c->accel = c->accel >= 0 && c->accel != want ? ACCEL_AUTO : want;
    for (int k = 0; kv[k] != NULL; k += 2)
      if (!g_str_equal (kv[k], "accel") && !g_str_equal (kv[k], "thread"))
        import_note (c, "dropped -accel %s=%s: the profile has no key for it", kv[k], kv[k + 1]);
    it->used = TRUE;
  }
  if (kvm != NULL) {
    c->accel = c->accel == ACCEL_TCG ? ACCEL_AUTO : ACCEL_KVM;
    kvm->used = TRUE;
  }
  if (c->kvm_type_hv)
    c->accel = ACCEL_HV;
  else if (c->kvm_type_pr)
    c->accel = ACCEL_PR;
  if (c->accel >= 0)
    import_set (c, G_GUEST, "accel", profile_accel_to_string (c->accel));
}

static void
do_cpu (ArgvImport *c)
{
  Item *it = import_first_item (c, "cpu");
  int gen = 0;

  if (it != NULL) {
    if (g_ascii_strcasecmp (it->arg, "host") == 0) {
      gen = 0;
    } else {
      gen = plan_cpu_model_generation (it->arg);
      if (gen < 7 || gen > 10 || strchr (it->arg, ',') != NULL)
        return; /* kept verbatim */
    }
    it->used = TRUE;
  }
  if (gen == 0 && c->compat > 0)
    gen = c->compat;
  if (gen > 0) {
    g_autofree char *v = g_strdup_printf ("POWER%d", gen);
    import_set (c, G_GUEST, "cpu", v);
  } else if (it != NULL) {
    import_set (c, G_GUEST, "cpu", "host");
  }
}

static void
do_memory (ArgvImport *c)
{
  Item *it = import_first_item (c, "m");
  g_auto (GStrv) kv = NULL;
  g_autoptr (GString) rest = g_string_new (NULL);
  const char *size;
  guint64 bytes;

  if (it == NULL) {
    import_set (c, G_GUEST, "memory", "512M"); /* QEMU's pseries default */
    return;
  }
  kv = import_split_opts (it->arg, "size");
  size = import_opts_get (kv, "size");
  if (size == NULL || !ppcvm_parse_size (size, &bytes, NULL) || bytes % (256 << 20) != 0)
    return; /* kept verbatim */
  {
    g_autofree char *v = ppcvm_format_size (bytes);
    import_set (c, G_GUEST, "memory", v);
  }
  for (int k = 0; kv[k] != NULL; k += 2)
    if (!g_str_equal (kv[k], "size"))
      append_opt (rest, kv[k], kv[k + 1]);
  it->used = TRUE;
  if (rest->len > 0) /* QEMU merges repeated -m options */
    keep_new (c, "m", rest->str);
}

static void
do_smp (ArgvImport *c)
{
  Item *it = import_first_item (c, "smp");
  g_auto (GStrv) kv = NULL;
  g_autoptr (GString) rest = g_string_new (NULL);
  const char *cpus;
  guint64 n = 1;

  if (it == NULL) {
    import_set (c, G_GUEST, "smp", "1");
    return;
  }
  kv = import_split_opts (it->arg, "cpus");
  cpus = import_opts_get (kv, "cpus");
  if (cpus != NULL) {
    if (!g_ascii_string_to_unsigned (cpus, 10, 1, 2048, &n, NULL))
      return;
  } else {
    /* Only a topology: QEMU multiplies it out. */
    static const char *const topo[] = { "sockets", "dies", "cores", "threads", NULL };
    for (int t = 0; topo[t] != NULL; t++) {
      const char *v = import_opts_get (kv, topo[t]);
      guint64 x;
      if (v != NULL && !g_ascii_string_to_unsigned (v, 10, 1, 2048, &x, NULL))
        return;
      n *= v != NULL ? x : 1;
    }
  }
  {
    g_autofree char *v = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
    import_set (c, G_GUEST, "smp", v);
  }
  for (int k = 0; kv[k] != NULL; k += 2)
    if (!g_str_equal (kv[k], "cpus"))
      append_opt (rest, kv[k], kv[k + 1]);
  it->used = TRUE;
  if (rest->len > 0) /* QEMU merges repeated -smp options */
    keep_new (c, "smp", rest->str);
}

static void
do_path (ArgvImport *c, const char *opt, const char *group, const char *key)
{
  Item *it = import_first_item (c, opt);
  g_autofree char *p = NULL;

  if (it == NULL)
    return;
  p = import_abs_path (c, it->arg);
  import_set (c, group, key, p);
  it->used = TRUE;
}

static void
do_simple (ArgvImport *c)
{
  Item *it;

  do_path (c, "kernel", G_BOOT, "kernel");
  do_path (c, "initrd", G_BOOT, "initrd");
  do_path (c, "bios", G_BOOT, "bios");
  do_path (c, "cdrom", G_BOOT, "cdrom");
  do_path (c, "mem-path", G_GUEST, "mem-path");
  if ((it = import_first_item (c, "append")) != NULL) {
    import_set (c, G_BOOT, "append", it->arg);
    it->used = TRUE;
  }
  if ((it = import_first_item (c, "name")) != NULL) {
    g_auto (GStrv) kv = import_split_opts (it->arg, "guest");
    static const char *const only[] = { "guest", NULL };
    const char *name = import_opts_get (kv, "guest");
    if (name != NULL && import_opts_only (kv, only) && strchr (name, '/') == NULL) {
      import_set (c, G_GUEST, "name", name);
      it->used = TRUE;
    }
  }
}

/* ---- the command ---- */

static gboolean
split_items (ArgvImport *c, const char *const *argv, GError **error)
{
  for (int i = 0; argv[i] != NULL; i++) {
    const char *a = argv[i];
    Item *it = g_new0 (Item, 1);

    g_ptr_array_add (c->items, it);
    if (a[0] != '-' || a[1] == '\0') {
      it->opt = g_strdup ("");  /* a bare image, as -hda */
      it->arg = g_strdup (a);
      continue;
    }
    it->opt = g_strdup (a + (a[1] == '-' ? 2 : 1));
    if (g_str_equal (it->opt, "M"))
      g_free (it->opt), it->opt = g_strdup ("machine");
    if (g_strv_contains (flag_options, it->opt))
      continue;
    if (argv[i + 1] == NULL) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: the option needs a value", a);
      return FALSE;
    }
    it->arg = g_strdup (argv[++i]);
  }
  return TRUE;
}

ImportResult *
import_qemu_command (const char *const *argv, const char *cwd, GError **error)
{
  g_autoptr (ImportResult) r = g_new0 (ImportResult, 1);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autofree char *here = cwd != NULL ? g_strdup (cwd) : g_get_current_dir ();
  ArgvImport c = { NULL, items, here, -1, FALSE, FALSE, FALSE, 0, 0 };
  const char *binary = NULL;

  g_return_val_if_fail (argv != NULL, NULL);

  r->profile = g_key_file_new ();
  r->kept = g_ptr_array_new_with_free_func (g_free);
  r->notes = g_ptr_array_new_with_free_func (g_free);
  c.r = r;
  if (argv[0] != NULL && argv[0][0] != '-') {
    g_autofree char *base = g_path_get_basename (argv[0]);
    binary = argv[0];
    argv++;
    /* qemu-system-ppc64, qemu-kvm (/usr/libexec on some distributions):
     * anything else (a libvirt XML file, a script) is not a qemu command. */
    if (!g_str_has_prefix (base, "qemu")) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s: not a qemu binary. import reads a qemu-system-ppc64 command line (the binary, then "
                   "its options) after '--'; a libvirt domain XML file is given without '--'", binary);
      return NULL;
    }
  }
  if (!split_items (&c, argv, error))
    return NULL;

  /* The groups in the order of ppcvm-profile(5). */
  import_set (&c, G_GUEST, "machine", "pseries");
  if (!do_machine (&c, error))
    return NULL;
  do_accel (&c);
  do_cpu (&c);
  do_memory (&c);
  do_smp (&c);
  if (c.nested)
    g_key_file_set_boolean (r->profile, G_GUEST, "nested", TRUE);
  do_simple (&c);
  import_do_display (&c);
  import_do_drives (&c);
  import_do_network (&c);

  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    if (!it->used)
      import_keep (&c, it);
  }
  if (r->kept->len > 0)
    g_key_file_set_string_list (r->profile, "qemu", "args", (const char *const *) r->kept->pdata,
                                r->kept->len);
  if (binary != NULL) {
    g_autofree char *base = g_path_get_basename (binary);
    if (strchr (binary, '/') != NULL) {
      g_autofree char *p = import_abs_path (&c, binary);
      g_key_file_set_string (r->profile, "qemu", "binary", p);
    } else if (!g_str_equal (base, "qemu-system-ppc64")) {
      g_key_file_set_string (r->profile, "qemu", "binary", binary);
    }
  }
  return g_steal_pointer (&r);
}

/* The first line of qemu's stderr that is an error (not "warning:" or
 * "info:"), without the "qemu-system-ppc64: " prefix. */
static char *
qemu_error_line (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (int i = 0; lines[i] != NULL; i++) {
    const char *l = lines[i];
    const char *q = strstr (l, "qemu"); /* after a -msg timestamp=on stamp */
    const char *colon = q != NULL ? strstr (q, ": ") : NULL;
    if (*l == '\0' || strstr (l, "warning:") != NULL || strstr (l, "info:") != NULL)
      continue;
    if (colon != NULL && strchr (q, ' ') == colon + 1)
      l = colon + 2;
    return g_strdup (l);
  }
  return g_strdup ("(qemu said nothing)");
}

/* One dry start with the options of KEPT that are not in SKIP; NULL when
 * qemu accepts them, else qemu's error line. */
static char *
dry_start (const char *binary, const char *dir, const char *machine, const char *memory, GPtrArray *kept,
           GHashTable *skip)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char *err = NULL;
  int status = 0;

  /* Bounded: qemu exits after the dump, `timeout` makes sure. */
  g_ptr_array_add (argv, (char *) "timeout");
  g_ptr_array_add (argv, (char *) "30");
  g_ptr_array_add (argv, (char *) binary);
  g_ptr_array_add (argv, (char *) "-machine");
  g_ptr_array_add (argv, (char *) machine);
  g_ptr_array_add (argv, (char *) "-accel");
  g_ptr_array_add (argv, (char *) "tcg");
  g_ptr_array_add (argv, (char *) "-nodefaults");
  g_ptr_array_add (argv, (char *) "-display");
  g_ptr_array_add (argv, (char *) "none");
  /* The profile's memory: -numa and memory backends are judged against it. */
  if (memory != NULL) {
    g_ptr_array_add (argv, (char *) "-m");
    g_ptr_array_add (argv, (char *) memory);
  }
  for (guint i = 0; i < kept->len; i++) {
    char **w = NULL;
    if (g_hash_table_contains (skip, kept->pdata[i]) || !g_shell_parse_argv (kept->pdata[i], NULL, &w, NULL))
      continue;
    g_ptr_array_add (words, w);
    /* Those that change how qemu runs, not what it builds. */
    if (g_str_equal (w[0], "-daemonize") || g_str_equal (w[0], "-S") || g_str_equal (w[0], "-s"))
      continue;
    for (int k = 0; w[k] != NULL; k++)
      g_ptr_array_add (argv, w[k]);
  }
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                     NULL, NULL, &err, &status, NULL))
    return NULL;
  if (g_spawn_check_wait_status (status, NULL))
    return NULL;
  return qemu_error_line (err);
}

GPtrArray *
import_check_kept (ImportResult *r, const char *binary)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) skip = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *dir = NULL;
  g_autofree char *dtb = NULL;
  g_autofree char *machine = NULL;
  g_autofree char *memory = NULL;

  g_return_val_if_fail (r != NULL && binary != NULL, out);
  memory = g_key_file_get_string (r->profile, "guest", "memory", NULL);
  dir = g_dir_make_tmp ("ppcvm-import-XXXXXX", NULL);
  if (dir == NULL)
    return out;
  dtb = g_build_filename (dir, "check.dtb", NULL);
  machine = g_strdup_printf ("pseries,dumpdtb=%s", dtb);
  /* All together (a -device names a -drive's id); qemu names the option it
   * refuses ("-net nic,vlan=0: Invalid parameter 'vlan'"): set it aside and
   * try the rest again. */
  for (guint round = 0; round <= r->kept->len; round++) {
    g_autofree char *msg = dry_start (binary, dir, machine, memory, r->kept, skip);
    const char *culprit = NULL;
    if (msg == NULL)
      break;
    /* "-net nic,vlan=0: Invalid parameter", or "-realtime: invalid option" */
    for (guint i = 0; i < r->kept->len && culprit == NULL; i++) {
      const char *k = r->kept->pdata[i];
      g_autofree char *prefix = g_strconcat (k, ": ", NULL);
      g_autofree char *name = g_strndup (k, strcspn (k, " "));
      g_autofree char *name_prefix = g_strconcat (name, ": ", NULL);
      if (!g_hash_table_contains (skip, k) && (g_str_has_prefix (msg, prefix) || g_str_has_prefix (msg, name_prefix)))
        culprit = k;
    }
    if (culprit == NULL) {
      /* not one option's fault: said once, and nothing is dropped */
      g_ptr_array_add (out, g_strdup_printf ("%s: kept; fix the [qemu] args before starting", msg));
      break;
    }
    g_ptr_array_add (out, g_strdup_printf ("%s: not carried over", msg));
    g_hash_table_add (skip, (gpointer) culprit);
  }
  g_unlink (dtb);
  g_rmdir (dir);
  /* Not carried over: the profile must plan what qemu accepts. */
  if (g_hash_table_size (skip) > 0) {
    for (guint i = r->kept->len; i-- > 0;)
      if (g_hash_table_contains (skip, r->kept->pdata[i]))
        g_ptr_array_remove_index (r->kept, i);
    if (r->kept->len > 0)
      g_key_file_set_string_list (r->profile, "qemu", "args", (const char *const *) r->kept->pdata, r->kept->len);
    else
      g_key_file_remove_key (r->profile, "qemu", "args", NULL);
  }
  return out;
}

char *
import_result_to_data (const ImportResult *r, const char *original)
{
  g_autofree char *data = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *line = NULL;

  g_return_val_if_fail (r != NULL, NULL);

  data = g_key_file_to_data (r->profile, NULL, NULL);
  if (original == NULL)
    return g_steal_pointer (&data);
  /* One comment line, whatever the command holds. */
  line = g_strdelimit (g_strdup (original), "\n\r", ' ');
  comment = g_strdup_printf ("# Imported by ppcvm import from:\n#   %s\n"
                             "# See ppcvm-profile(5) for every key.\n\n", line);
  return g_strconcat (comment, data, NULL);
}
