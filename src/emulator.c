/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "emulator-private.h"
#include "util.h"
#include "util-json.h"

/* docs/rules.md, *Machine types*: the first QEMU release that knows each cap. A cap not
 * listed here is never assumed. */
static const struct {
  const char *cap;
  int major, minor;
} cap_since[] = {
  { "cap-htm", 2, 12 },
  { "cap-vsx", 2, 12 },
  { "cap-dfp", 2, 12 },
  { "cap-cfpc", 2, 12 },
  { "cap-sbbc", 2, 12 },
  { "cap-ibs", 2, 12 },
  { "cap-hpt-max-page-size", 3, 0 },
  { "cap-nested-hv", 3, 1 },
  { "cap-large-decr", 4, 0 },
  { "cap-ccf-assist", 4, 0 },
  { "cap-fwnmi", 5, 0 },
  { "cap-rpt-invalidate", 6, 1 },
  { "cap-ail-mode-3", 8, 1 },
  { "cap-nested-papr", 9, 0 },
  { "cap-dawr1", 10, 0 },
};

/* ---- facts ---- */

static void
machine_free (EmulatorMachine *m)
{
  if (m == NULL)
    return;
  g_free (m->name);
  g_free (m->alias);
  g_free (m->default_cpu);
  g_free (m);
}

EmulatorMachine *
emulator_machine_new (const char *name, const char *alias, const char *default_cpu, gboolean is_default)
{
  EmulatorMachine *m = g_new0 (EmulatorMachine, 1);

  m->name = g_strdup (name);
  m->alias = g_strdup (alias);
  m->default_cpu = g_strdup (default_cpu);
  m->is_default = is_default;
  return m;
}

EmulatorFacts *
emulator_facts_new (void)
{
  EmulatorFacts *facts = g_new0 (EmulatorFacts, 1);

  facts->machines = g_ptr_array_new_with_free_func ((GDestroyNotify) machine_free);
  facts->accelerators = g_new0 (char *, 1);
  return facts;
}

void
emulator_facts_free (EmulatorFacts *facts)
{
  if (facts == NULL)
    return;
  g_free (facts->path);
  g_free (facts->version);
  g_strfreev (facts->accelerators);
  g_clear_pointer (&facts->machines, g_ptr_array_unref);
  g_free (facts->default_machine);
  g_strfreev (facts->caps);
  g_strfreev (facts->data_dirs);
  g_strfreev (facts->firmware);
  g_strfreev (facts->displays);
  g_free (facts);
}

EmulatorFacts *
emulator_facts_copy (const EmulatorFacts *facts)
{
  EmulatorFacts *copy;

  g_return_val_if_fail (facts != NULL, NULL);
  copy = emulator_facts_new ();
  copy->path = g_strdup (facts->path);
  copy->major = facts->major;
  copy->minor = facts->minor;
  copy->micro = facts->micro;
  copy->version = g_strdup (facts->version);
  g_strfreev (copy->accelerators);
  copy->accelerators = g_strdupv (facts->accelerators);
  for (guint i = 0; facts->machines != NULL && i < facts->machines->len; i++) {
    const EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    g_ptr_array_add (copy->machines,
                     emulator_machine_new (m->name, m->alias, m->default_cpu, m->is_default));
  }
  copy->default_machine = g_strdup (facts->default_machine);
  copy->caps = g_strdupv (facts->caps);
  copy->data_dirs = g_strdupv (facts->data_dirs);
  copy->firmware = g_strdupv (facts->firmware);
  copy->displays = g_strdupv (facts->displays);
  return copy;
}

gboolean
emulator_display_missing (const EmulatorFacts *facts, const char *name)
{
  return facts != NULL && facts->displays != NULL && !g_strv_contains ((const char *const *) facts->displays, name);
}

gboolean
emulator_version_at_least (const EmulatorFacts *facts, int major, int minor)
{
  g_return_val_if_fail (facts != NULL, FALSE);
  return facts->major > major || (facts->major == major && facts->minor >= minor);
}

gboolean
emulator_has_cap (const EmulatorFacts *facts, const char *cap)
{
  g_autofree char *full = NULL;

  g_return_val_if_fail (facts != NULL && cap != NULL, FALSE);
  full = g_str_has_prefix (cap, "cap-") ? g_strdup (cap) : g_strconcat ("cap-", cap, NULL);
  if (facts->caps != NULL)
    return g_strv_contains ((const char *const *) facts->caps, full);
  for (gsize i = 0; i < G_N_ELEMENTS (cap_since); i++)
    if (strcmp (cap_since[i].cap, full) == 0)
      return emulator_version_at_least (facts, cap_since[i].major, cap_since[i].minor);
  return FALSE;
}

gboolean
emulator_firmware_missing (const EmulatorFacts *facts, const char *name)
{
  return facts != NULL && facts->firmware != NULL && !g_strv_contains ((const char *const *) facts->firmware, name);
}

gboolean
emulator_has_accel (const EmulatorFacts *facts, const char *accel)
{
  g_return_val_if_fail (facts != NULL && accel != NULL, FALSE);
  return facts->accelerators != NULL &&
         g_strv_contains ((const char *const *) facts->accelerators, accel);
}

const EmulatorMachine *
emulator_find_machine (const EmulatorFacts *facts, const char *name)
{
  g_return_val_if_fail (facts != NULL && name != NULL, NULL);
  for (guint i = 0; i < facts->machines->len; i++) {
    const EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    if (strcmp (m->name, name) == 0)
      return m;
  }
  for (guint i = 0; i < facts->machines->len; i++) {
    const EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    if (m->alias != NULL && strcmp (m->alias, name) == 0)
      return m;
  }
  /* Hand-written host files list bare names, without the alias. */
  if (strcmp (name, "pseries") == 0 && facts->default_machine != NULL &&
      strcmp (facts->default_machine, "pseries") != 0)
    return emulator_find_machine (facts, facts->default_machine);
  return NULL;
}

/* Whole-string unsigned decimal of at most LEN bytes of S. */
static gboolean
parse_small_uint (const char *s, gsize len, int *ret)
{
  int n = 0;

  /* 0 to 9999: digits only, no sign or space. */
  if (len == 0 || len >= 16)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
    n = n * 10 + (s[i] - '0');
    if (n > 9999)
      return FALSE;
  }
  *ret = n;
  return TRUE;
}

/* "pseries-2.12-sxxm" → 2, 12, "-sxxm"; "pseries-7.2" → 7, 2, "". */
static gboolean
parse_pseries_name (const char *name, int *ret_major, int *ret_minor, const char **ret_suffix)
{
  const char *p, *dot, *end;
  int major, minor;

  if (!g_str_has_prefix (name, "pseries-"))
    return FALSE;
  p = name + strlen ("pseries-");
  dot = strchr (p, '.');
  if (dot == NULL)
    return FALSE;
  end = strchr (dot, '-');
  if (end == NULL)
    end = dot + strlen (dot);
  if (!parse_small_uint (p, (gsize) (dot - p), &major) ||
      !parse_small_uint (dot + 1, (gsize) (end - dot - 1), &minor))
    return FALSE;
  *ret_major = major;
  *ret_minor = minor;
  if (ret_suffix != NULL)
    *ret_suffix = end;
  return TRUE;
}

gboolean
emulator_machine_version (const EmulatorFacts *facts, const char *machine, int *ret_major,
                          int *ret_minor)
{
  int major, minor;

  g_return_val_if_fail (machine != NULL, FALSE);
  if (strcmp (machine, "pseries") == 0) {
    const EmulatorMachine *m = facts != NULL ? emulator_find_machine (facts, machine) : NULL;
    if (m == NULL || strcmp (m->name, "pseries") == 0)
      return FALSE;
    machine = m->name;
  }
  if (!parse_pseries_name (machine, &major, &minor, NULL))
    return FALSE;
  *ret_major = major;
  *ret_minor = minor;
  return TRUE;
}

/* Versioned pseries types in version order (2.1 < 2.10 < 2.12 < 2.12-sxxm
 * < 3.0), then any other name alphabetically. */
static int
machine_compare (gconstpointer a, gconstpointer b)
{
  const EmulatorMachine *ma = *(EmulatorMachine *const *) a;
  const EmulatorMachine *mb = *(EmulatorMachine *const *) b;
  int amaj, amin, bmaj, bmin;
  const char *asuf, *bsuf;
  gboolean av = parse_pseries_name (ma->name, &amaj, &amin, &asuf);
  gboolean bv = parse_pseries_name (mb->name, &bmaj, &bmin, &bsuf);

  if (av != bv)
    return av ? -1 : 1;
  if (!av)
    return strcmp (ma->name, mb->name);
  if (amaj != bmaj)
    return amaj < bmaj ? -1 : 1;
  if (amin != bmin)
    return amin < bmin ? -1 : 1;
  return strcmp (asuf, bsuf);
}

static int
str_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Sort and de-duplicate an array of g_free'd strings; return a strv. */
char **
emulator_strv_from_array (GPtrArray *arr)
{
  g_ptr_array_sort (arr, str_compare);
  for (guint i = 1; i < arr->len;) {
    if (strcmp (g_ptr_array_index (arr, i - 1), g_ptr_array_index (arr, i)) == 0)
      g_ptr_array_remove_index (arr, i);
    else
      i++;
  }
  g_ptr_array_set_free_func (arr, NULL);
  g_ptr_array_add (arr, NULL);
  return (char **) g_ptr_array_free (arr, FALSE);
}

/* Choose the default machine when the input did not say: the one marked
 * default, the one aliased "pseries", pseries-MAJOR.MINOR, the newest. */
void
emulator_facts_settle_machines (EmulatorFacts *facts)
{
  EmulatorMachine *pick = NULL;
  g_autofree char *own = g_strdup_printf ("pseries-%d.%d", facts->major, facts->minor);

  /* Facts from the cache were stored sorted: checking costs a tenth of the
   * sort (machine_compare parses both names). */
  for (guint i = 1; i < facts->machines->len; i++) {
    if (machine_compare (&facts->machines->pdata[i - 1], &facts->machines->pdata[i]) > 0) {
      g_ptr_array_sort (facts->machines, machine_compare);
      break;
    }
  }
  if (facts->default_machine != NULL || facts->machines->len == 0)
    return;
  for (guint i = 0; i < facts->machines->len && pick == NULL; i++) {
    EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    if (m->is_default)
      pick = m;
  }
  for (guint i = 0; i < facts->machines->len && pick == NULL; i++) {
    EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    if (g_strcmp0 (m->alias, "pseries") == 0 || strcmp (m->name, own) == 0)
      pick = m;
  }
  if (pick == NULL) {
    EmulatorMachine *last = g_ptr_array_index (facts->machines, facts->machines->len - 1);
    if (g_str_has_prefix (last->name, "pseries-"))
      pick = last;
  }
  if (pick != NULL) {
    pick->is_default = TRUE;
    facts->default_machine = g_strdup (pick->name);
  }
}

static gboolean
set_version (EmulatorFacts *facts, const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ".", -1);
  guint n = g_strv_length (parts);
  int v[3] = { 0, 0, 0 };

  if (n < 2 || n > 3)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!parse_small_uint (parts[i], strlen (parts[i]), &v[i]))
      return FALSE;
  facts->major = v[0];
  facts->minor = v[1];
  facts->micro = v[2];
  g_free (facts->version);
  facts->version = g_strdup_printf ("%d.%d.%d", v[0], v[1], v[2]);
  return TRUE;
}

/* ---- JSON ---- */

json_object *
emulator_facts_to_json (const EmulatorFacts *facts)
{
  json_object *obj, *machines;

  g_return_val_if_fail (facts != NULL, NULL);
  obj = json_object_new_object ();
  json_object_object_add (obj, "path", ppcvm_json_string_or_null (facts->path));
  json_object_object_add (obj, "version", ppcvm_json_string_or_null (facts->version));
  json_object_object_add (obj, "accelerators",
                          facts->accelerators ? ppcvm_json_strv ((const char *const *) facts->accelerators) : NULL);
  machines = json_object_new_array ();
  for (guint i = 0; i < facts->machines->len; i++) {
    const EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    json_object *jm = json_object_new_object ();
    json_object_object_add (jm, "name", json_object_new_string (m->name));
    json_object_object_add (jm, "alias", ppcvm_json_string_or_null (m->alias));
    json_object_object_add (jm, "default_cpu", ppcvm_json_string_or_null (m->default_cpu));
    json_object_object_add (jm, "default", json_object_new_boolean (m->is_default));
    json_object_array_add (machines, jm);
  }
  json_object_object_add (obj, "machines", machines);
  json_object_object_add (obj, "default_machine", ppcvm_json_string_or_null (facts->default_machine));
  if (facts->caps != NULL)
    json_object_object_add (obj, "caps", ppcvm_json_strv ((const char *const *) facts->caps));
  if (facts->data_dirs != NULL)
    json_object_object_add (obj, "data_dirs", ppcvm_json_strv ((const char *const *) facts->data_dirs));
  if (facts->firmware != NULL)
    json_object_object_add (obj, "firmware", ppcvm_json_strv ((const char *const *) facts->firmware));
  if (facts->displays != NULL)
    json_object_object_add (obj, "displays", ppcvm_json_strv ((const char *const *) facts->displays));
  return obj;
}

static gboolean
invalid (GError **error, const char *field, const char *expected)
{
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "qemu.%s: expected %s", field, expected);
  return FALSE;
}

/* An optional string member: absent and null give NULL. */
static gboolean
opt_string (json_object *obj, const char *key, const char *field, const char **ret,
            GError **error)
{
  json_object *v = NULL;

  *ret = NULL;
  if (!json_object_object_get_ex (obj, key, &v) || v == NULL)
    return TRUE;
  if (!json_object_is_type (v, json_type_string))
    return invalid (error, field, "a string");
  *ret = json_object_get_string (v);
  return TRUE;
}

static char **
strv_from_json (json_object *v, const char *field, GError **error)
{
  GPtrArray *arr;

  if (!json_object_is_type (v, json_type_array)) {
    invalid (error, field, "a list of strings");
    return NULL;
  }
  arr = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; i < json_object_array_length (v); i++) {
    json_object *s = json_object_array_get_idx (v, i);
    if (!json_object_is_type (s, json_type_string)) {
      g_ptr_array_unref (arr);
      invalid (error, field, "a list of strings");
      return NULL;
    }
    g_ptr_array_add (arr, g_strdup (json_object_get_string (s)));
  }
  return emulator_strv_from_array (arr);
}

static gboolean
machines_from_json (EmulatorFacts *facts, json_object *v, GError **error)
{
  if (!json_object_is_type (v, json_type_array))
    return invalid (error, "machines", "a list of machine names or objects");
  for (size_t i = 0; i < json_object_array_length (v); i++) {
    json_object *m = json_object_array_get_idx (v, i), *def = NULL;
    g_autofree char *field = g_strdup_printf ("machines[%zu]", i);
    const char *name, *alias, *cpu;

    if (json_object_is_type (m, json_type_string)) {
      g_ptr_array_add (facts->machines,
                       emulator_machine_new (json_object_get_string (m), NULL, NULL, FALSE));
      continue;
    }
    if (!json_object_is_type (m, json_type_object))
      return invalid (error, field, "a machine name or an object with \"name\"");
    name = ppcvm_json_get_string (m, "name");
    if (name == NULL || *name == '\0') {
      g_autofree char *f = g_strconcat (field, ".name", NULL);
      return invalid (error, f, "a machine name like \"pseries-7.2\"");
    }
    {
      g_autofree char *f_alias = g_strconcat (field, ".alias", NULL);
      g_autofree char *f_cpu = g_strconcat (field, ".default_cpu", NULL);
      if (!opt_string (m, "alias", f_alias, &alias, error) ||
          !opt_string (m, "default_cpu", f_cpu, &cpu, error))
        return FALSE;
    }
    if (json_object_object_get_ex (m, "default", &def) && def != NULL &&
        !json_object_is_type (def, json_type_boolean)) {
      g_autofree char *f = g_strconcat (field, ".default", NULL);
      return invalid (error, f, "true or false");
    }
    g_ptr_array_add (facts->machines,
                     emulator_machine_new (name, alias, cpu, def != NULL && json_object_get_boolean (def)));
  }
  return TRUE;
}

EmulatorFacts *
emulator_facts_from_json (json_object *obj, GError **error)
{
  g_autoptr (EmulatorFacts) facts = emulator_facts_new ();
  json_object *v = NULL;
  const char *s;

  if (!json_object_is_type (obj, json_type_object)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "qemu: expected an object");
    return NULL;
  }
  if (!opt_string (obj, "path", "path", &s, error))
    return NULL;
  facts->path = g_strdup (s);
  if (!json_object_object_get_ex (obj, "version", &v) ||
      !json_object_is_type (v, json_type_string) ||
      !set_version (facts, json_object_get_string (v))) {
    invalid (error, "version", "a string like \"7.2.0\"");
    return NULL;
  }
  if (json_object_object_get_ex (obj, "accelerators", &v) && v != NULL) {
    g_strfreev (facts->accelerators);
    if (!(facts->accelerators = strv_from_json (v, "accelerators", error)))
      return NULL;
  } else {
    /* Unknown: a host file written by hand. The planner then does not
     * second-guess KVM on a POWER host. */
    g_clear_pointer (&facts->accelerators, g_strfreev);
  }
  if (json_object_object_get_ex (obj, "machines", &v) && v != NULL &&
      !machines_from_json (facts, v, error))
    return NULL;
  if (!opt_string (obj, "default_machine", "default_machine", &s, error))
    return NULL;
  facts->default_machine = g_strdup (s);
  if (json_object_object_get_ex (obj, "caps", &v) && v != NULL &&
      !(facts->caps = strv_from_json (v, "caps", error)))
    return NULL;
  if (json_object_object_get_ex (obj, "data_dirs", &v) && v != NULL &&
      !(facts->data_dirs = strv_from_json (v, "data_dirs", error)))
    return NULL;
  if (json_object_object_get_ex (obj, "firmware", &v) && v != NULL &&
      !(facts->firmware = strv_from_json (v, "firmware", error)))
    return NULL;
  if (json_object_object_get_ex (obj, "displays", &v) && v != NULL &&
      !(facts->displays = strv_from_json (v, "displays", error)))
    return NULL;
  emulator_facts_settle_machines (facts);
  return g_steal_pointer (&facts);
}


/* ---- GVariant (the cache) ---- */

/* A list of N strings (N < 0: STRV is NULL-terminated) as one byte string,
 * each followed by a NUL. Read back with a single lookup, where "as" costs
 * a GVariant instance per string: a warm start reads about a hundred. */
static GVariant *
strings_to_bytes (const char *const *strv, gssize n)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();

  for (gssize i = 0; n < 0 ? strv[i] != NULL : i < n; i++)
    g_byte_array_append (buf, (const guint8 *) strv[i], (guint) strlen (strv[i]) + 1);
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, buf->data, buf->len, 1);
}

/* NULL (unknown) as nothing, else the list. */
static GVariant *
maybe_strings (char **strv)
{
  return g_variant_new_maybe (G_VARIANT_TYPE_BYTESTRING,
                              strv != NULL ? strings_to_bytes ((const char *const *) strv, -1) : NULL);
}

GVariant *
emulator_facts_to_variant (const EmulatorFacts *facts)
{
  guint n = facts->machines->len;
  g_autofree const char **names = g_new0 (const char *, n + 1);
  g_autofree const char **aliases = g_new0 (const char *, n + 1);
  g_autofree const char **cpus = g_new0 (const char *, n + 1);
  g_autofree guint8 *defaults = g_new0 (guint8, n + 1);

  g_return_val_if_fail (facts->version != NULL && facts->default_machine != NULL, NULL);
  /* Column by column; "" is "none". */
  for (guint i = 0; i < n; i++) {
    const EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    names[i] = m->name;
    aliases[i] = m->alias != NULL ? m->alias : "";
    cpus[i] = m->default_cpu != NULL ? m->default_cpu : "";
    defaults[i] = m->is_default;
  }
  /* The path and the firmware are not stored: the firmware belongs to
   * another package, and is looked up again on every load. */
  return g_variant_new ("(s@may@ay@ay@ay@ays@may@may@may)", facts->version,
                        maybe_strings (facts->accelerators), strings_to_bytes (names, n),
                        strings_to_bytes (aliases, n), strings_to_bytes (cpus, n),
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, defaults, n, 1),
                        facts->default_machine, maybe_strings (facts->caps),
                        maybe_strings (facts->data_dirs), maybe_strings (facts->displays));
}

/* Child I of V, "ay" or "may", as the bytes of a list of strings, each
 * followed by a NUL: TRUE with *RET_CHILD NULL for nothing (an empty list
 * has a child, and *RET_DATA may be NULL for it); FALSE when the bytes do
 * not end with a NUL. *RET_CHILD holds the bytes. */
static gboolean
child_bytes (GVariant *v, gsize i, GVariant **ret_child, const char **ret_data, gsize *ret_len)
{
  g_autoptr (GVariant) child = g_variant_get_child_value (v, i);

  *ret_data = NULL;
  *ret_len = 0;
  *ret_child = g_variant_is_of_type (child, G_VARIANT_TYPE_BYTESTRING) ? g_variant_ref (child)
                                                                       : g_variant_get_maybe (child);
  if (*ret_child == NULL)
    return TRUE;
  *ret_data = g_variant_get_fixed_array (*ret_child, ret_len, 1);
  return *ret_len == 0 || (*ret_data)[*ret_len - 1] == '\0';
}

/* Child I of V as a NULL-terminated list of strings (see child_bytes). */
static gboolean
child_strings (GVariant *v, gsize i, char ***ret)
{
  g_autoptr (GVariant) child = NULL;
  g_autoptr (GPtrArray) list = NULL;
  const char *data;
  gsize len;

  *ret = NULL;
  if (!child_bytes (v, i, &child, &data, &len))
    return FALSE;
  if (child == NULL)
    return TRUE;
  list = g_ptr_array_new_with_free_func (g_free);
  for (gsize off = 0; off < len; off += strlen (data + off) + 1)
    g_ptr_array_add (list, g_strdup (data + off));
  g_ptr_array_add (list, NULL);
  *ret = (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
  return TRUE;
}

static const char *
child_string (GVariant *v, gsize i, GVariant **ret_child)
{
  *ret_child = g_variant_get_child_value (v, i);
  return g_variant_get_string (*ret_child, NULL);
}

/* The machine table: three columns of N strings each ("" is none) and N
 * default flags, walked together without copying the columns first. */
static gboolean
machines_from_variant (EmulatorFacts *facts, GVariant *v)
{
  g_autoptr (GVariant) defaults = g_variant_get_child_value (v, 5);
  g_autoptr (GVariant) names_v = NULL, aliases_v = NULL, cpus_v = NULL;
  const char *names, *aliases, *cpus;
  gsize n = 0, names_len, aliases_len, cpus_len, a = 0, b = 0, c = 0;
  const guint8 *is_default = g_variant_get_fixed_array (defaults, &n, 1);

  if (!child_bytes (v, 2, &names_v, &names, &names_len) ||
      !child_bytes (v, 3, &aliases_v, &aliases, &aliases_len) ||
      !child_bytes (v, 4, &cpus_v, &cpus, &cpus_len) || n == 0)
    return FALSE;
  for (gsize i = 0; i < n; i++) {
    if (a >= names_len || b >= aliases_len || c >= cpus_len || names[a] == '\0')
      return FALSE;
    g_ptr_array_add (facts->machines,
                     emulator_machine_new (names + a, aliases[b] != '\0' ? aliases + b : NULL,
                                           cpus[c] != '\0' ? cpus + c : NULL, is_default[i] != 0));
    a += strlen (names + a) + 1;
    b += strlen (aliases + b) + 1;
    c += strlen (cpus + c) + 1;
  }
  /* No strings left over in any column. */
  return a == names_len && b == aliases_len && c == cpus_len;
}

EmulatorFacts *
emulator_facts_from_variant (GVariant *v)
{
  g_autoptr (EmulatorFacts) facts = emulator_facts_new ();
  g_autoptr (GVariant) version = NULL, def = NULL;
  const char *default_machine;

  g_return_val_if_fail (g_variant_is_of_type (v, G_VARIANT_TYPE (EMULATOR_FACTS_VARIANT_TYPE)), NULL);
  g_clear_pointer (&facts->accelerators, g_strfreev);
  if (!set_version (facts, child_string (v, 0, &version)) || !child_strings (v, 1, &facts->accelerators) ||
      !machines_from_variant (facts, v))
    return NULL;
  default_machine = child_string (v, 6, &def);
  if (emulator_find_machine (facts, default_machine) == NULL || !child_strings (v, 7, &facts->caps) ||
      !child_strings (v, 8, &facts->data_dirs) || !child_strings (v, 9, &facts->displays))
    return NULL;
  facts->default_machine = g_strdup (default_machine);
  emulator_facts_settle_machines (facts);
  return g_steal_pointer (&facts);
}
