/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "emulator.h"
#include "util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_object, json_object_put)

#define EMULATOR_NAME "qemu-system-ppc64"
#define ACCEL_SUFFIX "-accel"
#define CPU_SUFFIX "-powerpc64-cpu"
#define CACHE_FORMAT "ppcvm-emulator-cache/1"

/* pseries-rules R1: the first QEMU release that knows each cap. A cap not
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

/* The probe: one batch, every command tagged with an id so that the replies
 * can be matched without a request/response loop. The caps are listed on the
 * abstract "spapr-machine" type because the default machine type is not known
 * before query-machines answers; QEMU 7.2 accepts that (see
 * tests/data/qmp-probe-7.2.txt). A QEMU that refuses it leaves caps NULL and
 * they are derived from the version. */
static const char probe_commands[] =
  "{\"execute\": \"qmp_capabilities\", \"id\": \"negotiate\"}\n"
  "{\"execute\": \"query-machines\", \"id\": \"machines\"}\n"
  "{\"execute\": \"qom-list-types\", \"arguments\": {\"implements\": \"accel\"},"
  " \"id\": \"accel\"}\n"
  "{\"execute\": \"qom-list-properties\", \"arguments\": {\"typename\": \"spapr-machine\"},"
  " \"id\": \"caps\"}\n"
  "{\"execute\": \"quit\", \"id\": \"quit\"}\n";

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

static EmulatorMachine *
machine_new (const char *name, const char *alias, const char *default_cpu, gboolean is_default)
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
                     machine_new (m->name, m->alias, m->default_cpu, m->is_default));
  }
  copy->default_machine = g_strdup (facts->default_machine);
  copy->caps = g_strdupv (facts->caps);
  return copy;
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
  char buf[16];
  guint64 n;

  if (len == 0 || len >= sizeof buf)
    return FALSE;
  memcpy (buf, s, len);
  buf[len] = '\0';
  if (!g_ascii_string_to_unsigned (buf, 10, 0, 9999, &n, NULL))
    return FALSE;
  *ret = (int) n;
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
static char **
strv_from_array (GPtrArray *arr)
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
static void
facts_settle_machines (EmulatorFacts *facts)
{
  EmulatorMachine *pick = NULL;
  g_autofree char *own = g_strdup_printf ("pseries-%d.%d", facts->major, facts->minor);

  g_ptr_array_sort (facts->machines, machine_compare);
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

/* ---- parsing the probe's output ---- */

/* The first non-empty line of TEXT, shortened and made printable. */
static char *
first_line (const char *text, gsize len)
{
  g_autofree char *valid = g_utf8_make_valid (text, (gssize) len);
  g_auto (GStrv) lines = g_strsplit (valid, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    char *line = g_strstrip (lines[i]);
    if (*line == '\0')
      continue;
    if (g_utf8_strlen (line, -1) > 120)
      return g_strdup_printf ("%.*s...", (int) (g_utf8_offset_to_pointer (line, 120) - line), line);
    return g_strdup (line);
  }
  return NULL;
}

static void
json_put (gpointer obj)
{
  json_object_put (obj);
}

static const char *
json_get_string (json_object *obj, const char *key)
{
  json_object *v = NULL;

  if (!json_object_object_get_ex (obj, key, &v) || !json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

static gboolean
json_get_int (json_object *obj, const char *key, int *ret)
{
  json_object *v = NULL;

  if (!json_object_object_get_ex (obj, key, &v) || !json_object_is_type (v, json_type_int))
    return FALSE;
  *ret = json_object_get_int (v);
  return *ret >= 0;
}

static gboolean
probe_fail (GError **error, const char *binary, const char *what, const char *line)
{
  if (line != NULL)
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s did not answer the QMP probe: %s: \"%s\"", binary, what, line);
  else
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s did not answer the QMP probe: %s",
                 binary, what);
  return FALSE;
}

/* The "return" of the reply tagged ID, or NULL with an error. */
static json_object *
reply_return (GHashTable *replies, const char *binary, const char *id, const char *command,
              GError **error)
{
  json_object *reply = g_hash_table_lookup (replies, id), *ret = NULL, *err = NULL;
  const char *desc;

  if (reply == NULL) {
    g_autofree char *what = g_strdup_printf ("the output stops before the reply to %s", command);
    probe_fail (error, binary, what, NULL);
    return NULL;
  }
  if (json_object_object_get_ex (reply, "return", &ret))
    return ret;
  if (json_object_object_get_ex (reply, "error", &err) && (desc = json_get_string (err, "desc")))
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: QMP %s failed: %s", binary,
                 command, desc);
  else
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: malformed QMP reply to %s", binary,
                 command);
  return NULL;
}

static gboolean
parse_machines (EmulatorFacts *facts, json_object *list, const char *binary, GError **error)
{
  if (!json_object_is_type (list, json_type_array))
    return probe_fail (error, binary, "query-machines did not return a list", NULL);
  for (size_t i = 0; i < json_object_array_length (list); i++) {
    json_object *m = json_object_array_get_idx (list, i), *def = NULL;
    const char *name = json_get_string (m, "name");
    const char *cpu = json_get_string (m, "default-cpu-type");
    g_autofree char *cpu_name = NULL;

    if (name == NULL)
      return probe_fail (error, binary, "a machine in query-machines has no name", NULL);
    if (!g_str_has_prefix (name, "pseries"))
      continue;
    if (cpu != NULL && g_str_has_suffix (cpu, CPU_SUFFIX))
      cpu_name = g_strndup (cpu, strlen (cpu) - strlen (CPU_SUFFIX));
    else
      cpu_name = g_strdup (cpu);
    json_object_object_get_ex (m, "is-default", &def);
    g_ptr_array_add (facts->machines,
                     machine_new (name, json_get_string (m, "alias"), cpu_name,
                                  def != NULL && json_object_get_boolean (def)));
  }
  if (facts->machines->len == 0)
    return probe_fail (error, binary,
                       "it has no pseries machine types (is it " EMULATOR_NAME "?)", NULL);
  return TRUE;
}

/* Sorted names in a qom-list-* reply: those ending in SUFFIX, minus the
 * suffix (accelerators, "qtest" left out), or those starting with PREFIX. */
static char **
qom_names (json_object *list, const char *suffix, const char *prefix)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (size_t i = 0; json_object_is_type (list, json_type_array) &&
                     i < json_object_array_length (list); i++) {
    const char *name = json_get_string (json_object_array_get_idx (list, i), "name");
    if (name == NULL)
      continue;
    if (suffix != NULL && g_str_has_suffix (name, suffix) && strlen (name) > strlen (suffix)) {
      g_autofree char *accel = g_strndup (name, strlen (name) - strlen (suffix));
      if (strcmp (accel, "qtest") != 0)
        g_ptr_array_add (names, g_steal_pointer (&accel));
    } else if (prefix != NULL && g_str_has_prefix (name, prefix)) {
      g_ptr_array_add (names, g_strdup (name));
    }
  }
  return strv_from_array (names);
}

EmulatorFacts *
emulator_parse_probe_output (const char *binary, const char *text, GError **error)
{
  g_autoptr (EmulatorFacts) facts = emulator_facts_new ();
  g_autoptr (GHashTable) replies =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, json_put);
  g_auto (GStrv) lines = NULL;
  json_tokener *tok = NULL;
  json_object *greeting = NULL, *qemu = NULL, *list;
  gboolean ok = FALSE;
  guint n_objects = 0;

  g_return_val_if_fail (binary != NULL && text != NULL, NULL);
  lines = g_strsplit (text, "\n", -1);
  tok = json_tokener_new ();
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = g_strstrip (lines[i]);
    json_object *obj, *v = NULL;
    const char *id;

    if (*line == '\0')
      continue;
    json_tokener_reset (tok);
    obj = json_tokener_parse_ex (tok, line, (int) strlen (line));
    if (obj == NULL || json_tokener_get_parse_end (tok) != strlen (line) ||
        !json_object_is_type (obj, json_type_object)) {
      g_autofree char *shown = first_line (line, strlen (line));
      const char *what = json_tokener_get_error (tok) == json_tokener_continue
                           ? "its output is truncated"
                           : "it printed something that is not QMP";
      json_object_put (obj);
      probe_fail (error, binary, what, shown);
      goto out;
    }
    if (n_objects++ == 0) {
      if (!json_object_object_get_ex (obj, "QMP", &v)) {
        g_autofree char *shown = first_line (line, strlen (line));
        json_object_put (obj);
        probe_fail (error, binary, "no QMP greeting", shown);
        goto out;
      }
      greeting = obj;
      continue;
    }
    if (!json_object_object_get_ex (obj, "event", NULL) && (id = json_get_string (obj, "id")))
      g_hash_table_replace (replies, g_strdup (id), json_object_get (obj));
    json_object_put (obj);
  }
  if (greeting == NULL) {
    probe_fail (error, binary, "it printed nothing", NULL);
    goto out;
  }

  facts->path = g_strdup (binary);
  if (!json_object_object_get_ex (json_object_object_get (greeting, "QMP"), "version", &qemu) ||
      !json_object_object_get_ex (qemu, "qemu", &qemu) ||
      !json_get_int (qemu, "major", &facts->major) ||
      !json_get_int (qemu, "minor", &facts->minor) ||
      !json_get_int (qemu, "micro", &facts->micro)) {
    probe_fail (error, binary, "the QMP greeting has no version", NULL);
    goto out;
  }
  facts->version = g_strdup_printf ("%d.%d.%d", facts->major, facts->minor, facts->micro);

  if (!(list = reply_return (replies, binary, "machines", "query-machines", error)) ||
      !parse_machines (facts, list, binary, error))
    goto out;
  if (!(list = reply_return (replies, binary, "accel", "qom-list-types", error)))
    goto out;
  g_strfreev (facts->accelerators);
  facts->accelerators = qom_names (list, ACCEL_SUFFIX, NULL);

  if (!g_hash_table_contains (replies, "caps")) {
    probe_fail (error, binary, "the output stops before the reply to qom-list-properties", NULL);
    goto out;
  }
  /* An error here means this QEMU cannot list an abstract type's
   * properties: leave caps unknown, to be derived from the version. */
  if ((list = reply_return (replies, binary, "caps", "qom-list-properties", NULL)))
    facts->caps = qom_names (list, NULL, "cap-");

  facts_settle_machines (facts);
  ok = TRUE;

out:
  json_tokener_free (tok);
  json_object_put (greeting);
  return ok ? g_steal_pointer (&facts) : NULL;
}

/* ---- JSON ---- */

static json_object *
json_string_or_null (const char *s)
{
  return s != NULL ? json_object_new_string (s) : NULL;
}

static json_object *
strv_to_json (char **strv)
{
  json_object *arr = json_object_new_array ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_object_array_add (arr, json_object_new_string (strv[i]));
  return arr;
}

json_object *
emulator_facts_to_json (const EmulatorFacts *facts)
{
  json_object *obj, *machines;

  g_return_val_if_fail (facts != NULL, NULL);
  obj = json_object_new_object ();
  json_object_object_add (obj, "path", json_string_or_null (facts->path));
  json_object_object_add (obj, "version", json_string_or_null (facts->version));
  json_object_object_add (obj, "accelerators",
                          facts->accelerators ? strv_to_json (facts->accelerators) : NULL);
  machines = json_object_new_array ();
  for (guint i = 0; i < facts->machines->len; i++) {
    const EmulatorMachine *m = g_ptr_array_index (facts->machines, i);
    json_object *jm = json_object_new_object ();
    json_object_object_add (jm, "name", json_object_new_string (m->name));
    json_object_object_add (jm, "alias", json_string_or_null (m->alias));
    json_object_object_add (jm, "default_cpu", json_string_or_null (m->default_cpu));
    json_object_object_add (jm, "default", json_object_new_boolean (m->is_default));
    json_object_array_add (machines, jm);
  }
  json_object_object_add (obj, "machines", machines);
  json_object_object_add (obj, "default_machine", json_string_or_null (facts->default_machine));
  if (facts->caps != NULL)
    json_object_object_add (obj, "caps", strv_to_json (facts->caps));
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
  return strv_from_array (arr);
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
                       machine_new (json_object_get_string (m), NULL, NULL, FALSE));
      continue;
    }
    if (!json_object_is_type (m, json_type_object))
      return invalid (error, field, "a machine name or an object with \"name\"");
    name = json_get_string (m, "name");
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
                     machine_new (name, alias, cpu, def != NULL && json_object_get_boolean (def)));
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
  facts_settle_machines (facts);
  return g_steal_pointer (&facts);
}

/* ---- finding and probing the binary ---- */

/* PATH must be an executable regular file. */
static gboolean
check_binary (const char *path, GError **error)
{
  struct stat st;

  if (stat (path, &st) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND, "emulator %s: %s", path,
                 errsv == ENOENT ? "not found" : g_strerror (errsv));
    return FALSE;
  }
  if (S_ISDIR (st.st_mode)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "emulator %s: a directory, not a program", path);
    return FALSE;
  }
  if (!S_ISREG (st.st_mode)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "emulator %s: not a regular file", path);
    return FALSE;
  }
  /* access() says yes to root for any file: require an x bit as well. */
  if ((st.st_mode & 0111) == 0 || access (path, X_OK) != 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "emulator %s: not executable", path);
    return FALSE;
  }
  return TRUE;
}

char *
emulator_find_binary (const char *path, GError **error)
{
  char *found;

  if (path != NULL)
    return check_binary (path, error) ? g_canonicalize_filename (path, NULL) : NULL;
  found = g_find_program_in_path (EMULATOR_NAME);
  if (found == NULL)
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND,
                 EMULATOR_NAME " not found on PATH: install qemu-system-ppc "
                 "(apt-get install qemu-system-ppc) or pass --qemu PATH");
  return found;
}

/* Enough for any real answer (7.2 prints 12 KB); a flood is cut here. */
#define PROBE_MAX_OUTPUT (4 << 20)

/* Its own process group, so that a timeout also kills whatever a wrapper
 * script started: a grandchild holding our pipes would keep them open. */
static void
probe_child_setup (gpointer data)
{
  setpgid (0, 0);
}

/* The commands go through a socket, not a pipe: a child that exits without
 * reading (a wrong binary) must not kill us with SIGPIPE, and MSG_NOSIGNAL
 * avoids that without touching the process-wide signal disposition. They fit
 * in the socket buffer, so this never blocks; the shutdown gives the child
 * EOF after "quit". */
static void
probe_write_commands (int fd)
{
  const char *p = probe_commands;
  size_t left = strlen (probe_commands);

  while (left > 0) {
    ssize_t n = send (fd, p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break; /* the child is gone: its exit status tells the story */
    p += n;
    left -= (size_t) n;
  }
  shutdown (fd, SHUT_WR);
}

/* Read FDS to EOF and reap PID, until DEADLINE (monotonic µs). Plain poll()
 * and waitpid() rather than GSubprocess: no helper threads, so nothing for
 * valgrind to report and nothing left running after we return. */
static gboolean
probe_collect (GPid pid, int fds[2], GString *out[2], gint64 deadline, int *ret_status)
{
  struct pollfd pfd[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLIN, 0 } };
  int open = 2;

  while (open > 0) {
    gint64 left = (deadline - g_get_monotonic_time () + 999) / 1000;
    int n;

    if (left <= 0)
      return FALSE;
    n = poll (pfd, 2, (int) MIN (left, G_MAXINT));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return FALSE;
    for (int i = 0; i < 2; i++) {
      char buf[8192];
      ssize_t got;

      if (pfd[i].fd < 0 || pfd[i].revents == 0)
        continue;
      got = read (pfd[i].fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (got <= 0) {
        pfd[i].fd = -1;
        open--;
      } else if (out[i]->len < PROBE_MAX_OUTPUT) {
        g_string_append_len (out[i], buf, got);
      }
    }
  }
  /* Output closed: the child is exiting. Reap it, still within the deadline. */
  for (;;) {
    pid_t r = waitpid (pid, ret_status, WNOHANG);
    if (r == pid)
      return TRUE;
    if (r < 0 && errno != EINTR)
      return FALSE;
    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    g_usleep (1000);
  }
}

static char *
string_first_line (GString *s)
{
  return s->len > 0 ? first_line (s->str, s->len) : NULL;
}

EmulatorFacts *
emulator_probe_uncached (const char *binary, guint timeout_ms, GError **error)
{
  const char *argv[] = { binary, "-machine", "none", "-nodefaults", "-no-user-config",
                         "-display", "none", "-qmp", "stdio", "-S", NULL };
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GString) err = g_string_new (NULL);
  g_autofree char *said = NULL;
  ppcvm_autofd int sock = -1;
  ppcvm_autofd int child_sock = -1;
  ppcvm_autofd int out_fd = -1;
  ppcvm_autofd int err_fd = -1;
  gint64 deadline;
  GPid pid = 0;
  int sv[2], status = 0;

  g_return_val_if_fail (binary != NULL, NULL);
  if (!check_binary (binary, error))
    return NULL;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot probe %s: socketpair: %s",
                 binary, g_strerror (errsv));
    return NULL;
  }
  sock = sv[0];
  child_sock = sv[1];
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES,
                                         probe_child_setup, NULL, child_sock, -1, -1, NULL, NULL,
                                         0, &pid, NULL, &out_fd, &err_fd, error)) {
    g_prefix_error (error, "cannot probe %s: ", binary);
    return NULL;
  }
  ppcvm_close_fdp (&child_sock);
  probe_write_commands (sock);

  {
    int fds[2] = { out_fd, err_fd };
    GString *bufs[2] = { out, err };
    if (!probe_collect (pid, fds, bufs, deadline, &status)) {
      kill (-pid, SIGKILL);
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                   EMULATOR_NAME " did not answer the probe within %g s: %s",
                   timeout_ms / 1000.0, binary);
      return NULL;
    }
  }

  said = string_first_line (err);
  if (said == NULL)
    said = string_first_line (out);
  if (WIFSIGNALED (status)) {
    int sig = WTERMSIG (status);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s was killed by signal %d (%s) during the probe%s%s", binary, sig,
                 g_strsignal (sig), said != NULL ? ": " : "", said != NULL ? said : "");
    return NULL;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "%s exited with status %d during the probe: %s", binary, WEXITSTATUS (status),
                 said != NULL ? said : "(it printed nothing)");
    return NULL;
  }
  return emulator_parse_probe_output (binary, out->str, error);
}

/* ---- the cache ---- */

/* $XDG_CACHE_HOME is read here on every call, not through
 * g_get_user_cache_dir (), which keeps its first answer for the life of the
 * process. */
static char *
cache_dir (void)
{
  const char *env = g_getenv ("XDG_CACHE_HOME");

  if (env != NULL && g_path_is_absolute (env))
    return g_build_filename (env, "ppcvm", NULL);
  return g_build_filename (g_get_user_cache_dir (), "ppcvm", NULL);
}

/* What must not change for the cached facts to stay true. ctime and inode
 * catch a package upgrade that restores an old mtime. */
static json_object *
cache_key (const char *binary, const struct stat *st)
{
  json_object *key = json_object_new_object ();

  json_object_object_add (key, "ppcvm", json_object_new_string (PPCVM_VERSION));
  json_object_object_add (key, "path", json_object_new_string (binary));
  json_object_object_add (key, "size", json_object_new_int64 ((gint64) st->st_size));
  json_object_object_add (key, "inode", json_object_new_int64 ((gint64) st->st_ino));
  json_object_object_add (key, "mtime_ns",
                          json_object_new_int64 ((gint64) st->st_mtim.tv_sec * 1000000000 +
                                                 st->st_mtim.tv_nsec));
  json_object_object_add (key, "ctime_ns",
                          json_object_new_int64 ((gint64) st->st_ctim.tv_sec * 1000000000 +
                                                 st->st_ctim.tv_nsec));
  return key;
}

/* The cached facts if the file is intact and KEY matches; NULL otherwise.
 * Never an error: a bad cache only costs a probe. */
static EmulatorFacts *
cache_load (const char *path, json_object *key)
{
  g_autofree char *text = NULL;
  g_autoptr (json_object) root = NULL;
  json_object *stored = NULL, *facts = NULL;
  EmulatorFacts *ret;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  root = json_tokener_parse (text);
  if (!json_object_is_type (root, json_type_object) ||
      g_strcmp0 (json_get_string (root, "format"), CACHE_FORMAT) != 0 ||
      !json_object_object_get_ex (root, "key", &stored) || !json_object_equal (stored, key) ||
      !json_object_object_get_ex (root, "facts", &facts))
    return NULL;
  ret = emulator_facts_from_json (facts, NULL);
  if (ret != NULL && (ret->machines->len == 0 || ret->default_machine == NULL)) {
    emulator_facts_free (ret);
    return NULL;
  }
  return ret;
}

static void
cache_store (const char *dir, const char *path, json_object *key, const EmulatorFacts *facts)
{
  g_autoptr (json_object) root = json_object_new_object ();
  const char *text;

  json_object_object_add (root, "format", json_object_new_string (CACHE_FORMAT));
  json_object_object_add (root, "key", json_object_get (key));
  json_object_object_add (root, "facts", emulator_facts_to_json (facts));
  text = json_object_to_json_string_ext (root, JSON_C_TO_STRING_PRETTY |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
  /* Best effort: an unwritable cache only makes the next run slower. */
  if (g_mkdir_with_parents (dir, 0700) == 0)
    ppcvm_write_file_atomic (path, text, -1, 0600, NULL);
}

EmulatorFacts *
emulator_probe (const char *binary, guint timeout_ms, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *dir = cache_dir ();
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr (json_object) key = NULL;
  EmulatorFacts *facts;
  struct stat st;

  g_return_val_if_fail (binary != NULL, NULL);
  if (!check_binary (binary, error) || stat (binary, &st) != 0)
    return NULL;
  g_checksum_update (sum, (const guchar *) binary, -1);
  name = g_strdup_printf ("emulator-%.16s.json", g_checksum_get_string (sum));
  path = g_build_filename (dir, name, NULL);
  key = cache_key (binary, &st);

  facts = cache_load (path, key);
  if (facts != NULL) {
    g_free (facts->path);
    facts->path = g_strdup (binary);
    return facts;
  }
  /* The key was taken before the probe: if the binary changes meanwhile,
   * the next run sees a different stat and probes again. */
  facts = emulator_probe_uncached (binary, timeout_ms, error);
  if (facts != NULL)
    cache_store (dir, path, key, facts);
  return facts;
}
