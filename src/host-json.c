/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "host-json.h"
#include "util.h"
#include "util-json.h"

static json_object *
tri_json (PpcvmTristate t)
{
  return t == PPCVM_UNKNOWN ? NULL : json_object_new_boolean (t == PPCVM_YES);
}

static json_object *
u64_json (guint64 v)
{
  return v ? json_object_new_int64 ((gint64) v) : NULL;
}

/* kvm.caps: what KVM_CHECK_EXTENSION and KVM_PPC_GET_SMMU_INFO said; null
 * when KVM was not probed (not a live ppc64 host, or /dev/kvm unusable). */
static json_object *
kvm_caps_json (const HostKvmProbe *k)
{
  json_object *o;

  if (!k->probed)
    return NULL;
  o = json_object_new_object ();
  json_object_object_add (o, "radix", tri_json (k->radix));
  json_object_object_add (o, "hash_v3", tri_json (k->hash_v3));
  json_object_object_add (o, "htm", tri_json (k->htm));
  json_object_object_add (o, "nested_hv", tri_json (k->nested_hv));
  json_object_object_add (o, "fwnmi", tri_json (k->fwnmi));
  json_object_object_add (o, "ail_mode_3", tri_json (k->ail_mode_3));
  json_object_object_add (o, "rpt_invalidate", tri_json (k->rpt_invalidate));
  json_object_object_add (o, "dawr1", tri_json (k->dawr1));
  json_object_object_add (o, "resize_hpt", tri_json (k->resize_hpt));
  json_object_object_add (o, "large_decr", tri_json (k->large_decr));
  json_object_object_add (o, "page_sizes_real",
                          k->smmu_probed ? json_object_new_boolean (k->page_sizes_real) : NULL);
  return o;
}

/* kvm.cpu_char: the best mitigation cap levels (KVM_PPC_GET_CPU_CHAR). */
static json_object *
kvm_cpu_char_json (const HostKvmProbe *k)
{
  json_object *o;

  if (!k->probed || (k->cfpc == NULL && k->sbbc == NULL && k->ibs == NULL &&
                     k->ccf_assist == PPCVM_UNKNOWN))
    return NULL;
  o = json_object_new_object ();
  json_object_object_add (o, "cfpc", ppcvm_json_string_or_null (k->cfpc));
  json_object_object_add (o, "sbbc", ppcvm_json_string_or_null (k->sbbc));
  json_object_object_add (o, "ibs", ppcvm_json_string_or_null (k->ibs));
  json_object_object_add (o, "ccf_assist", tri_json (k->ccf_assist));
  return o;
}

static json_object *
cpu_json (const HostFacts *f)
{
  json_object *cpu = json_object_new_object ();

  json_object_object_add (cpu, "chip", ppcvm_json_string_or_null (f->cpu_chip));
  json_object_object_add (cpu, "generation",
                          f->generation ? json_object_new_int (f->generation) : NULL);
  json_object_object_add (cpu, "compat", ppcvm_json_string_or_null (f->cpu_compat));
  if (f->pvr) {
    g_autofree char *pvr = g_strdup_printf ("0x%08x", f->pvr);
    json_object_object_add (cpu, "pvr", json_object_new_string (pvr));
  } else {
    json_object_object_add (cpu, "pvr", NULL);
  }
  json_object_object_add (cpu, "count",
                          f->cpu_count >= 0 ? json_object_new_int (f->cpu_count) : NULL);
  if (f->cpus_online->len > 0) {
    json_object *online = json_object_new_array ();
    for (guint i = 0; i < f->cpus_online->len; i++)
      json_object_array_add (online, json_object_new_int (g_array_index (f->cpus_online, int, i)));
    json_object_object_add (cpu, "online", online);
  } else {
    json_object_object_add (cpu, "online", NULL);
  }
  json_object_object_add (cpu, "threads_per_core",
                          f->threads_per_core > 0 ? json_object_new_int (f->threads_per_core) : NULL);
  json_object_object_add (cpu, "subcores_per_core",
                          f->subcores_per_core > 0 ? json_object_new_int (f->subcores_per_core) : NULL);
  json_object_object_add (cpu, "smt",
                          host_smt_online (f) > 0 ? json_object_new_int (host_smt_online (f)) : NULL);
  return cpu;
}

static json_object *
kvm_json (const HostFacts *f)
{
  json_object *kvm = json_object_new_object ();

  json_object_object_add (kvm, "device", tri_json (f->kvm_device));
  json_object_object_add (kvm, "usable", tri_json (f->kvm_usable));
  if (f->kvm_usable_reason)
    json_object_object_add (kvm, "usable_reason", json_object_new_string (f->kvm_usable_reason));
  json_object_object_add (kvm, "hv", tri_json (f->kvm_hv));
  json_object_object_add (kvm, "pr", tri_json (f->kvm_pr));
  json_object_object_add (kvm, "hv_nested", tri_json (f->kvm_hv_nested));
  json_object_object_add (kvm, "caps", kvm_caps_json (&f->kvm_probe));
  json_object_object_add (kvm, "cpu_char", kvm_cpu_char_json (&f->kvm_probe));
  return kvm;
}

static json_object *
hugepages_json (const HostFacts *f)
{
  json_object *hp = json_object_new_array ();

  for (guint i = 0; i < f->hugepages->len; i++) {
    const HostHugepages *h = &g_array_index (f->hugepages, HostHugepages, i);
    json_object *e = json_object_new_object ();
    json_object_object_add (e, "size", json_object_new_int64 ((gint64) h->size));
    json_object_object_add (e, "total", h->total >= 0 ? json_object_new_int64 (h->total) : NULL);
    json_object_object_add (e, "free", h->free >= 0 ? json_object_new_int64 (h->free) : NULL);
    json_object_object_add (e, "default", json_object_new_boolean (h->is_default));
    json_object_array_add (hp, e);
  }
  return hp;
}

static json_object *
hugetlbfs_json (const HostFacts *f)
{
  json_object *fs = json_object_new_array ();

  for (guint i = 0; i < f->hugetlbfs->len; i++) {
    const HostHugetlbfs *m = g_ptr_array_index (f->hugetlbfs, i);
    json_object *e = json_object_new_object ();
    json_object_object_add (e, "path", json_object_new_string (m->path));
    json_object_object_add (e, "page_size", u64_json (m->page_size));
    json_object_object_add (e, "writable", tri_json (m->writable));
    json_object_array_add (fs, e);
  }
  return fs;
}

json_object *
host_facts_to_json (const HostFacts *f)
{
  json_object *o = json_object_new_object ();
  json_object *mem = json_object_new_object ();
  json_object *user = json_object_new_object ();

  json_object_object_add (o, "schema", json_object_new_string (HOST_JSON_SCHEMA));
  json_object_object_add (o, "arch", ppcvm_json_string_or_null (f->arch));
  json_object_object_add (o, "kernel", ppcvm_json_string_or_null (f->kernel));
  json_object_object_add (o, "cpu", cpu_json (f));

  json_object_object_add (o, "platform", ppcvm_json_string_or_null (host_platform_to_string (f->platform)));
  json_object_object_add (o, "hypervisor", ppcvm_json_string_or_null (host_hypervisor_to_string (f->hypervisor)));
  json_object_object_add (o, "mmu", ppcvm_json_string_or_null (host_mmu_to_string (f->mmu)));
  json_object_object_add (o, "page_size", u64_json (f->page_size));
  json_object_object_add (o, "kvm", kvm_json (f));
  json_object_object_add (o, "hugepages", hugepages_json (f));
  json_object_object_add (o, "hugetlbfs", hugetlbfs_json (f));

  json_object_object_add (mem, "total", u64_json (f->mem_total));
  json_object_object_add (mem, "available", u64_json (f->mem_available));
  json_object_object_add (o, "memory", mem);

  json_object_object_add (user, "memlock_limit",
                          f->memlock_limit >= 0 ? json_object_new_int64 (f->memlock_limit)
                          : f->memlock_limit == -1 ? json_object_new_string ("unlimited")
                                                   : NULL);
  json_object_object_add (user, "kvm_group", tri_json (f->in_kvm_group));
  json_object_object_add (o, "user", user);

  json_object_object_add (o, "qemu", f->qemu ? emulator_facts_to_json (f->qemu) : NULL);
  return o;
}

/* ---- Reader ---- */

typedef struct {
  GError **error;
  gboolean failed;
} Reader;

static gboolean
fail (Reader *r, const char *field, const char *expected)
{
  if (!r->failed)
    g_set_error (r->error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: expected %s", field, expected);
  r->failed = TRUE;
  return FALSE;
}

static char *
read_str (Reader *r, json_object *obj, const char *key, const char *field)
{
  json_object *v = ppcvm_json_get (obj, key);
  if (v == NULL)
    return NULL;
  if (!json_object_is_type (v, json_type_string)) {
    fail (r, field, "a string or null");
    return NULL;
  }
  return g_strdup (json_object_get_string (v));
}

static gint64
read_int (Reader *r, json_object *obj, const char *key, const char *field, gint64 unknown)
{
  json_object *v = ppcvm_json_get (obj, key);
  if (v == NULL)
    return unknown;
  if (!json_object_is_type (v, json_type_int) || json_object_get_int64 (v) < 0) {
    fail (r, field, "a non-negative integer or null");
    return unknown;
  }
  return json_object_get_int64 (v);
}

/* A count or size from MIN to MAX (and a power of two when POW2): anything
 * else would wrap when narrowed, or mean nothing any host has. */
static gint64
read_range (Reader *r, json_object *obj, const char *key, const char *field, gint64 unknown, gint64 min,
            gint64 max, gboolean pow2)
{
  json_object *v = ppcvm_json_get (obj, key);
  gint64 n;

  if (v == NULL)
    return unknown;
  n = json_object_get_int64 (v);
  /* json-c saturates integers beyond int64 at INT64_MAX/MIN: out of range too. */
  if (!json_object_is_type (v, json_type_int) || n < min || n > max || (pow2 && (n & (n - 1)) != 0)) {
    if (!r->failed)
      g_set_error (r->error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                   "%s: expected %s from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " or null (got %s)", field,
                   pow2 ? "a power of two" : "an integer", min, max, json_object_to_json_string (v));
    r->failed = TRUE;
    return unknown;
  }
  return n;
}

#define PAGE_MIN 4096
#define PAGE_MAX (G_GINT64_CONSTANT (1) << 34) /* 16G, POWER's largest hugepage */
#define COUNT_MAX (1 << 20)                    /* as cpus_online */
#define MEMORY_MAX (G_GINT64_CONSTANT (1) << 52)

static PpcvmTristate
read_tri (Reader *r, json_object *obj, const char *key, const char *field)
{
  json_object *v = ppcvm_json_get (obj, key);
  if (v == NULL)
    return PPCVM_UNKNOWN;
  if (!json_object_is_type (v, json_type_boolean)) {
    fail (r, field, "true, false or null");
    return PPCVM_UNKNOWN;
  }
  return json_object_get_boolean (v) ? PPCVM_YES : PPCVM_NO;
}

static json_object *
read_obj (Reader *r, json_object *obj, const char *key, const char *field)
{
  json_object *v = ppcvm_json_get (obj, key);
  if (v && !json_object_is_type (v, json_type_object)) {
    fail (r, field, "an object or null");
    return NULL;
  }
  return v;
}

/* A mitigation level as QEMU spells it, or fail. */
static char *
read_level (Reader *r, json_object *obj, const char *key, const char *field,
            const char *const *allowed, const char *expected)
{
  g_autofree char *v = read_str (r, obj, key, field);

  if (v && !g_strv_contains (allowed, v)) {
    fail (r, field, expected);
    return NULL;
  }
  return g_steal_pointer (&v);
}

/* kvm.caps and kvm.cpu_char; absent or null leave the probe unprobed, so
 * older files and other hosts plan exactly as before. */
static void
read_kvm_probe (Reader *r, json_object *kvm, HostKvmProbe *k)
{
  static const char *const safe[] = { "broken", "workaround", "fixed", NULL };
  static const char *const ibs[] = { "broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na", NULL };
  json_object *caps = read_obj (r, kvm, "caps", "kvm.caps");
  json_object *cc = read_obj (r, kvm, "cpu_char", "kvm.cpu_char");
  PpcvmTristate real;

  if (caps) {
    k->probed = TRUE;
    k->radix = read_tri (r, caps, "radix", "kvm.caps.radix");
    k->hash_v3 = read_tri (r, caps, "hash_v3", "kvm.caps.hash_v3");
    k->htm = read_tri (r, caps, "htm", "kvm.caps.htm");
    k->nested_hv = read_tri (r, caps, "nested_hv", "kvm.caps.nested_hv");
    k->fwnmi = read_tri (r, caps, "fwnmi", "kvm.caps.fwnmi");
    k->ail_mode_3 = read_tri (r, caps, "ail_mode_3", "kvm.caps.ail_mode_3");
    k->rpt_invalidate = read_tri (r, caps, "rpt_invalidate", "kvm.caps.rpt_invalidate");
    k->dawr1 = read_tri (r, caps, "dawr1", "kvm.caps.dawr1");
    k->resize_hpt = read_tri (r, caps, "resize_hpt", "kvm.caps.resize_hpt");
    k->large_decr = read_tri (r, caps, "large_decr", "kvm.caps.large_decr");
    real = read_tri (r, caps, "page_sizes_real", "kvm.caps.page_sizes_real");
    k->smmu_probed = real != PPCVM_UNKNOWN;
    k->page_sizes_real = real == PPCVM_YES;
  }
  if (cc) {
    k->probed = TRUE;
    k->cfpc = read_level (r, cc, "cfpc", "kvm.cpu_char.cfpc", safe,
                          "\"broken\", \"workaround\", \"fixed\" or null");
    k->sbbc = read_level (r, cc, "sbbc", "kvm.cpu_char.sbbc", safe,
                          "\"broken\", \"workaround\", \"fixed\" or null");
    k->ibs = read_level (r, cc, "ibs", "kvm.cpu_char.ibs", ibs,
                         "\"broken\", \"workaround\", \"fixed-ibs\", \"fixed-ccd\", \"fixed-na\" or null");
    k->ccf_assist = read_tri (r, cc, "ccf_assist", "kvm.cpu_char.ccf_assist");
  }
}

static void
read_cpu_online (Reader *r, json_object *cpu, HostFacts *f)
{
  json_object *arr = ppcvm_json_get (cpu, "online");

  if (arr != NULL && !json_object_is_type (arr, json_type_array))
    fail (r, "cpu.online", "an array of CPU numbers, or null");
  for (size_t i = 0; arr != NULL && json_object_is_type (arr, json_type_array) && i < json_object_array_length (arr) && !r->failed; i++) {
    json_object *e = json_object_array_get_idx (arr, i);
    int n;
    if (!json_object_is_type (e, json_type_int) || json_object_get_int64 (e) < 0 ||
        json_object_get_int64 (e) > (1 << 20) ||
        (f->cpus_online->len > 0 && json_object_get_int (e) <= g_array_index (f->cpus_online, int, f->cpus_online->len - 1))) {
      fail (r, "cpu.online", "ascending CPU numbers");
      break;
    }
    n = json_object_get_int (e);
    g_array_append_val (f->cpus_online, n);
  }
}

static void
read_cpu (Reader *r, json_object *root, HostFacts *f)
{
  g_autofree char *pvr = NULL;
  json_object *cpu = read_obj (r, root, "cpu", "cpu");

  f->cpu_chip = read_str (r, cpu, "chip", "cpu.chip");
  f->cpu_compat = read_str (r, cpu, "compat", "cpu.compat");
  f->generation = (int) read_range (r, cpu, "generation", "cpu.generation", 0, 0, 99, FALSE);
  if (f->generation != 0 && (f->generation < 5 || f->generation > 11))
    fail (r, "cpu.generation", "a POWER generation from 5 to 11, or null");
  f->cpu_count = (int) read_range (r, cpu, "count", "cpu.count", -1, 0, COUNT_MAX, FALSE);
  f->threads_per_core = (int) read_range (r, cpu, "threads_per_core", "cpu.threads_per_core", 0, 0, 64, FALSE);
  if (f->threads_per_core > 8)
    fail (r, "cpu.threads_per_core", "1 to 8, or null");
  f->subcores_per_core = (int) read_range (r, cpu, "subcores_per_core", "cpu.subcores_per_core", 0, 0, 64, FALSE);
  if (f->subcores_per_core > 4)
    fail (r, "cpu.subcores_per_core", "1, 2 or 4, or null");
  read_cpu_online (r, cpu, f);
  pvr = read_str (r, cpu, "pvr", "cpu.pvr");
  if (pvr) {
    guint64 v;
    const char *p = g_str_has_prefix (pvr, "0x") ? pvr + 2 : pvr;
    if (!g_ascii_string_to_unsigned (p, 16, 0, G_MAXUINT32, &v, NULL))
      fail (r, "cpu.pvr", "a hexadecimal PVR like \"0x004e1202\"");
    else
      f->pvr = (guint32) v;
  }
}

/* platform, hypervisor and mmu: one of the names ppcvm host writes. */
static void
read_kinds (Reader *r, json_object *root, HostFacts *f)
{
  g_autofree char *platform = NULL, *hv = NULL, *mmu = NULL;

  platform = read_str (r, root, "platform", "platform");
  if (platform) {
    static const HostPlatform all[] = { HOST_PLATFORM_POWERNV, HOST_PLATFORM_PSERIES,
                                        HOST_PLATFORM_POWERMAC, HOST_PLATFORM_PS3,
                                        HOST_PLATFORM_OTHER };
    for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
      if (g_str_equal (platform, host_platform_to_string (all[i])))
        f->platform = all[i];
    if (f->platform == HOST_PLATFORM_UNKNOWN)
      fail (r, "platform", "one of powernv, pseries, powermac, ps3, other or null");
  }
  hv = read_str (r, root, "hypervisor", "hypervisor");
  if (hv) {
    static const HostHypervisor all[] = { HOST_HV_NONE, HOST_HV_KVM, HOST_HV_QEMU, HOST_HV_POWERVM };
    for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
      if (g_str_equal (hv, host_hypervisor_to_string (all[i])))
        f->hypervisor = all[i];
    if (f->hypervisor == HOST_HV_UNKNOWN)
      fail (r, "hypervisor", "one of none, kvm, qemu, powervm or null");
  }
  mmu = read_str (r, root, "mmu", "mmu");
  if (mmu) {
    if (g_str_equal (mmu, "radix"))
      f->mmu = HOST_MMU_RADIX;
    else if (g_str_equal (mmu, "hash"))
      f->mmu = HOST_MMU_HASH;
    else
      fail (r, "mmu", "\"radix\", \"hash\" or null");
  }
}

static void
read_hugepages (Reader *r, json_object *root, HostFacts *f)
{
  json_object *arr;

  arr = ppcvm_json_get (root, "hugepages");
  if (arr && !json_object_is_type (arr, json_type_array))
    fail (r, "hugepages", "an array");
  else if (arr) {
    for (size_t i = 0; i < json_object_array_length (arr) && !r->failed; i++) {
      json_object *e = json_object_array_get_idx (arr, i);
      HostHugepages h;
      if (!json_object_is_type (e, json_type_object)) {
        fail (r, "hugepages[]", "objects");
        break;
      }
      h.size = (guint64) read_range (r, e, "size", "hugepages[].size", 0, PAGE_MIN, PAGE_MAX, TRUE);
      h.total = read_range (r, e, "total", "hugepages[].total", -1, 0, MEMORY_MAX / PAGE_MIN, FALSE);
      h.free = read_range (r, e, "free", "hugepages[].free", -1, 0, MEMORY_MAX / PAGE_MIN, FALSE);
      h.is_default = read_tri (r, e, "default", "hugepages[].default") == PPCVM_YES;
      if (h.size == 0)
        fail (r, "hugepages[].size", "a page size in bytes");
      else
        g_array_append_val (f->hugepages, h);
    }
  }
}

static void
read_hugetlbfs (Reader *r, json_object *root, HostFacts *f)
{
  json_object *arr;

  arr = ppcvm_json_get (root, "hugetlbfs");
  if (arr && !json_object_is_type (arr, json_type_array))
    fail (r, "hugetlbfs", "an array");
  else if (arr) {
    for (size_t i = 0; i < json_object_array_length (arr) && !r->failed; i++) {
      json_object *e = json_object_array_get_idx (arr, i);
      HostHugetlbfs *m = g_new0 (HostHugetlbfs, 1);
      m->path = read_str (r, e, "path", "hugetlbfs[].path");
      m->page_size = (guint64) read_range (r, e, "page_size", "hugetlbfs[].page_size", 0, PAGE_MIN, PAGE_MAX, TRUE);
      m->writable = read_tri (r, e, "writable", "hugetlbfs[].writable");
      if (m->path == NULL && !r->failed)
        fail (r, "hugetlbfs[].path", "a path");
      if (r->failed)
        host_hugetlbfs_free (m);
      else
        g_ptr_array_add (f->hugetlbfs, m);
    }
  }
}

static void
read_user (Reader *r, json_object *root, HostFacts *f)
{
  json_object *user;

  user = read_obj (r, root, "user", "user");
  if (user) {
    json_object *ml = ppcvm_json_get (user, "memlock_limit");
    if (ml && json_object_is_type (ml, json_type_string) &&
        g_str_equal (json_object_get_string (ml), "unlimited"))
      f->memlock_limit = -1;
    else
      f->memlock_limit = read_int (r, user, "memlock_limit", "user.memlock_limit", -2);
    f->in_kvm_group = read_tri (r, user, "kvm_group", "user.kvm_group");
  }
}

HostFacts *
host_facts_from_json (json_object *root, GError **error)
{
  g_autoptr (HostFacts) f = host_facts_new ();
  Reader r = { error, FALSE };
  g_autofree char *schema = NULL;
  json_object *kvm, *mem, *qemu;

  if (root == NULL || !json_object_is_type (root, json_type_object)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "expected a JSON object");
    return NULL;
  }
  schema = read_str (&r, root, "schema", "schema");
  if (!r.failed && (schema == NULL || !g_str_equal (schema, HOST_JSON_SCHEMA))) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "schema is %s%s%s, expected \"" HOST_JSON_SCHEMA "\" (the output of ppcvm host --json)",
                 schema ? "\"" : "", schema ? schema : "missing", schema ? "\"" : "");
    return NULL;
  }
  f->arch = read_str (&r, root, "arch", "arch");
  f->kernel = read_str (&r, root, "kernel", "kernel");

  read_cpu (&r, root, f);

  read_kinds (&r, root, f);
  f->page_size = (guint64) read_range (&r, root, "page_size", "page_size", 0, PAGE_MIN, PAGE_MAX, TRUE);

  kvm = read_obj (&r, root, "kvm", "kvm");
  f->kvm_device = read_tri (&r, kvm, "device", "kvm.device");
  f->kvm_usable = read_tri (&r, kvm, "usable", "kvm.usable");
  f->kvm_usable_reason = read_str (&r, kvm, "usable_reason", "kvm.usable_reason");
  f->kvm_hv = read_tri (&r, kvm, "hv", "kvm.hv");
  f->kvm_pr = read_tri (&r, kvm, "pr", "kvm.pr");
  f->kvm_hv_nested = read_tri (&r, kvm, "hv_nested", "kvm.hv_nested");
  read_kvm_probe (&r, kvm, &f->kvm_probe);

  read_hugepages (&r, root, f);
  read_hugetlbfs (&r, root, f);

  mem = read_obj (&r, root, "memory", "memory");
  f->mem_total = (guint64) read_range (&r, mem, "total", "memory.total", 0, 0, MEMORY_MAX, FALSE);
  f->mem_available = (guint64) read_range (&r, mem, "available", "memory.available", 0, 0, MEMORY_MAX, FALSE);

  read_user (&r, root, f);

  if (r.failed)
    return NULL;

  qemu = ppcvm_json_get (root, "qemu");
  if (qemu) {
    g_autoptr (GError) local = NULL;
    f->qemu = emulator_facts_from_json (qemu, &local);
    if (f->qemu == NULL) {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  }
  return g_steal_pointer (&f);
}

HostFacts *
host_facts_load_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  json_tokener *tok;
  json_object *root;
  enum json_tokener_error jerr;
  HostFacts *f;
  g_autoptr (GError) local = NULL;

  if (!ppcvm_read_file_max (path, PPCVM_READ_MAX_HOST, &text, &len, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "cannot read host file: %s",
                 local->message);
    return NULL;
  }
  tok = json_tokener_new ();
  root = json_tokener_parse_ex (tok, text, (int) MIN (len, (gsize) G_MAXINT));
  jerr = json_tokener_get_error (tok);
  if (jerr == json_tokener_success && json_tokener_get_parse_end (tok) < len) {
    /* trailing text after the object: only whitespace is allowed */
    for (size_t i = json_tokener_get_parse_end (tok); i < len; i++)
      if (!g_ascii_isspace (text[i])) {
        jerr = json_tokener_error_parse_unexpected;
        break;
      }
  }
  if (jerr != json_tokener_success || root == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: not valid JSON (%s)", path,
                 jerr == json_tokener_continue ? "truncated" : json_tokener_error_desc (jerr));
    json_tokener_free (tok);
    json_object_put (root);
    return NULL;
  }
  json_tokener_free (tok);
  f = host_facts_from_json (root, &local);
  json_object_put (root);
  if (f == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: %s", path, local->message);
    return NULL;
  }
  return f;
}
