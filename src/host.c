/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "host-private.h"
#include "util.h"

/* PVR version (upper 16 bits) → chip. Sources: the kernel's cputable
 * (arch/powerpc/kernel/cpu_specs_book3s_64.h) and QEMU's cpu-models.h. */
static const struct {
  guint16 version;
  const char *chip;
  int generation; /* 0: not a POWER server generation */
} pvr_table[] = {
  { 0x0039, "PPC970", 0 },
  { 0x003a, "POWER5", 5 },
  { 0x003b, "POWER5+", 5 },
  { 0x003c, "PPC970FX", 0 },
  { 0x003e, "POWER6", 6 },
  { 0x003f, "POWER7", 7 },
  { 0x0044, "PPC970MP", 0 },
  { 0x0045, "PPC970GX", 0 },
  { 0x004a, "POWER7+", 7 },
  { 0x004b, "POWER8E", 8 },
  { 0x004c, "POWER8NVL", 8 },
  { 0x004d, "POWER8", 8 },
  { 0x004e, "POWER9", 9 },
  { 0x004f, "POWER9", 9 }, /* Axone */
  { 0x0070, "Cell", 0 },
  { 0x0080, "POWER10", 10 },
  { 0x0082, "Power11", 11 },
  { 0x0008, "740/750", 0 },
  { 0x7000, "750FX", 0 },
  { 0x7002, "750GX", 0 },
  { 0x000c, "7400", 0 },
  { 0x800c, "7410", 0 },
  { 0x8000, "7450", 0 },
  { 0x8001, "7455", 0 },
  { 0x8002, "7457", 0 },
  { 0x8003, "7447A", 0 },
  { 0x8004, "7448", 0 },
};

const char *
host_pvr_chip (guint32 pvr, int *ret_generation)
{
  guint16 version = pvr >> 16;

  for (gsize i = 0; i < G_N_ELEMENTS (pvr_table); i++) {
    if (pvr_table[i].version == version) {
      if (ret_generation)
        *ret_generation = pvr_table[i].generation;
      return pvr_table[i].chip;
    }
  }
  if (ret_generation)
    *ret_generation = 0;
  return NULL;
}

int
host_generation_from_name (const char *name)
{
  guint64 n;
  g_autofree char *digits = NULL;
  const char *p;

  if (name == NULL || g_ascii_strncasecmp (name, "power", 5) != 0)
    return 0;
  p = name + 5;
  digits = g_strdup (p);
  /* "POWER7+", "POWER8E", "POWER8NVL" */
  for (char *d = digits; *d; d++) {
    if (!g_ascii_isdigit (*d)) {
      *d = '\0';
      break;
    }
  }
  if (!g_ascii_string_to_unsigned (digits, 10, 5, 11, &n, NULL))
    return 0;
  return (int) n;
}

/* The POWER server generations: the name IBM gives them, and QEMU's
 * max-cpu-compat value (QEMU target/ppc/compat.c, compat_table). */
static const struct {
  const char *name, *compat;
} generations[] = {
  [5] = { "POWER5", NULL },       [6] = { "POWER6", "power6" },   [7] = { "POWER7", "power7" },
  [8] = { "POWER8", "power8" },   [9] = { "POWER9", "power9" },   [10] = { "POWER10", "power10" },
  [11] = { "Power11", "power11" },
};

const char *
host_generation_name (int gen)
{
  return gen >= 0 && gen < (int) G_N_ELEMENTS (generations) ? generations[gen].name : NULL;
}

const char *
host_generation_compat (int gen)
{
  return gen >= 0 && gen < (int) G_N_ELEMENTS (generations) ? generations[gen].compat : NULL;
}

HostFacts *
host_facts_new (void)
{
  HostFacts *f = g_new0 (HostFacts, 1);

  f->cpu_count = -1;
  f->kvm_device = f->kvm_usable = f->kvm_hv = f->kvm_pr = f->kvm_hv_nested = PPCVM_UNKNOWN;
  f->kvm_probe.radix = f->kvm_probe.hash_v3 = f->kvm_probe.htm = f->kvm_probe.nested_hv =
      f->kvm_probe.fwnmi = f->kvm_probe.ail_mode_3 = f->kvm_probe.rpt_invalidate =
          f->kvm_probe.dawr1 = f->kvm_probe.resize_hpt = f->kvm_probe.large_decr =
              f->kvm_probe.ccf_assist = PPCVM_UNKNOWN;
  f->hugepages = g_array_new (FALSE, TRUE, sizeof (HostHugepages));
  f->hugetlbfs = g_ptr_array_new_with_free_func ((GDestroyNotify) host_hugetlbfs_free);
  f->cpus_online = g_array_new (FALSE, FALSE, sizeof (int));
  f->memlock_limit = -2;
  f->in_kvm_group = PPCVM_UNKNOWN;
  return f;
}

void
host_hugetlbfs_free (HostHugetlbfs *m)
{
  if (m == NULL)
    return;
  g_free (m->path);
  g_free (m);
}

void
host_facts_free (HostFacts *f)
{
  if (f == NULL)
    return;
  g_free (f->arch);
  g_free (f->kernel);
  g_free (f->cpu_chip);
  g_free (f->cpu_compat);
  g_free (f->kvm_usable_reason);
  g_free (f->kvm_probe.cfpc);
  g_free (f->kvm_probe.sbbc);
  g_free (f->kvm_probe.ibs);
  g_array_unref (f->hugepages);
  g_ptr_array_unref (f->hugetlbfs);
  g_array_unref (f->cpus_online);
  emulator_facts_free (f->qemu);
  g_free (f);
}

HostFacts *
host_facts_copy (const HostFacts *f)
{
  HostFacts *c;

  g_return_val_if_fail (f != NULL, NULL);
  c = g_memdup2 (f, sizeof *f);
  c->arch = g_strdup (f->arch);
  c->kernel = g_strdup (f->kernel);
  c->cpu_chip = g_strdup (f->cpu_chip);
  c->cpu_compat = g_strdup (f->cpu_compat);
  c->kvm_usable_reason = g_strdup (f->kvm_usable_reason);
  c->kvm_probe.cfpc = g_strdup (f->kvm_probe.cfpc);
  c->kvm_probe.sbbc = g_strdup (f->kvm_probe.sbbc);
  c->kvm_probe.ibs = g_strdup (f->kvm_probe.ibs);
  c->hugepages = g_array_copy (f->hugepages);
  c->cpus_online = g_array_copy (f->cpus_online);
  c->hugetlbfs = g_ptr_array_new_with_free_func ((GDestroyNotify) host_hugetlbfs_free);
  for (guint i = 0; i < f->hugetlbfs->len; i++) {
    const HostHugetlbfs *m = g_ptr_array_index (f->hugetlbfs, i);
    HostHugetlbfs *mc = g_memdup2 (m, sizeof *m);
    mc->path = g_strdup (m->path);
    g_ptr_array_add (c->hugetlbfs, mc);
  }
  c->qemu = f->qemu != NULL ? emulator_facts_copy (f->qemu) : NULL;
  return c;
}

/* Split "key<ws>: value" at the first ':'; both sides stripped. The kernel
 * prints TABs, but some dumps turned them into spaces. */
static gboolean
split_key_value (char *line, char **ret_key, char **ret_value)
{
  char *colon = strchr (line, ':');

  if (colon == NULL)
    return FALSE;
  *colon = '\0';
  *ret_key = g_strstrip (line);
  *ret_value = g_strstrip (colon + 1);
  return TRUE;
}

/* "2.1 (pvr 004b 0201)" → 0x004b0201 */
static guint32
parse_revision_pvr (const char *value)
{
  const char *p = strstr (value, "pvr");
  guint64 hi, lo;
  g_auto (GStrv) words = NULL;

  if (p == NULL)
    return 0;
  p += 3;
  words = g_strsplit_set (p, " \t)", -1);
  hi = lo = G_MAXUINT64;
  for (char **w = words; *w; w++) {
    if (**w == '\0')
      continue;
    if (hi == G_MAXUINT64) {
      if (!g_ascii_string_to_unsigned (*w, 16, 0, 0xffff, &hi, NULL))
        return 0;
    } else {
      if (!g_ascii_string_to_unsigned (*w, 16, 0, 0xffff, &lo, NULL))
        return 0;
      return (guint32) ((hi << 16) | lo);
    }
  }
  return 0;
}

/* "POWER8 (architected), altivec supported" → "POWER8";
 * "Cell Broadband Engine, altivec supported" → "Cell Broadband Engine". */
static char *
cpu_mode_name (const char *value)
{
  size_t n = strcspn (value, "(,");
  g_autofree char *s = g_strndup (value, n);
  return g_strdup (g_strstrip (s));
}

/* The chip, threads per core and generation from the PVR and the compat
 * mode. */
static void
set_chip (HostFacts *f)
{
  if (f->pvr != 0) {
    int gen = 0;
    const char *chip = host_pvr_chip (f->pvr, &gen);
    g_free (f->cpu_chip);
    f->cpu_chip = g_strdup (chip);
    /* Threads per core are the chip's (rule HV-SMT): POWER7 SMT4, POWER8
     * SMT8; the device tree says it for others (host-detect.c). */
    if (f->threads_per_core == 0 && (gen == 7 || gen == 8))
      f->threads_per_core = gen == 7 ? 4 : 8;
    /* The generation the host runs at: its compat mode where it has one. */
    f->generation = gen;
    if (gen > 0 && f->cpu_compat) {
      int cgen = host_generation_from_name (f->cpu_compat);
      if (cgen > 0)
        f->generation = cgen;
    }
  } else if (f->cpu_compat) {
    f->generation = host_generation_from_name (f->cpu_compat);
  }
}

/* The platform line of /proc/cpuinfo, and the hypervisor its MODEL (or
 * machine) line names. */
static void
set_platform (HostFacts *f, const char *platform, const char *model)
{
  if (platform) {
    if (g_ascii_strcasecmp (platform, "PowerNV") == 0)
      f->platform = HOST_PLATFORM_POWERNV;
    else if (g_ascii_strcasecmp (platform, "pSeries") == 0)
      f->platform = HOST_PLATFORM_PSERIES;
    else if (g_ascii_strcasecmp (platform, "PowerMac") == 0)
      f->platform = HOST_PLATFORM_POWERMAC;
    else if (g_ascii_strcasecmp (platform, "PS3") == 0)
      f->platform = HOST_PLATFORM_PS3;
    else
      f->platform = HOST_PLATFORM_OTHER;
  }

  if (f->platform == HOST_PLATFORM_POWERNV) {
    f->hypervisor = HOST_HV_NONE;
  } else if (f->platform == HOST_PLATFORM_PSERIES) {
    if (model && strstr (model, "emulated by qemu"))
      f->hypervisor = HOST_HV_QEMU;
    else if (model && (g_str_has_prefix (model, "IBM,") || g_str_has_prefix (model, "CHRP IBM,")))
      f->hypervisor = HOST_HV_POWERVM;
  }
}

void
host_parse_cpuinfo (HostFacts *f, const char *text)
{
  g_auto (GStrv) lines = NULL;
  int processors = 0;
  char *model = NULL, *machine = NULL, *platform = NULL;

  if (text == NULL)
    return;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++) {
    char *key, *value;
    if (!split_key_value (*l, &key, &value))
      continue;
    if (g_str_equal (key, "processor")) {
      guint64 n;
      processors++;
      if (g_ascii_string_to_unsigned (value, 10, 0, 1 << 20, &n, NULL)) {
        int cpu = (int) n;
        g_array_append_val (f->cpus_online, cpu);
      }
    } else if (g_str_equal (key, "cpu")) {
      if (f->cpu_compat == NULL && *value)
        f->cpu_compat = cpu_mode_name (value);
    } else if (g_str_equal (key, "revision")) {
      if (f->pvr == 0)
        f->pvr = parse_revision_pvr (value);
    } else if (g_str_equal (key, "platform")) {
      platform = value;
    } else if (g_str_equal (key, "model")) {
      model = value;
    } else if (g_str_equal (key, "machine")) {
      machine = value;
    } else if (g_str_equal (key, "MMU")) {
      if (g_ascii_strcasecmp (value, "radix") == 0)
        f->mmu = HOST_MMU_RADIX;
      else if (g_ascii_strcasecmp (value, "hash") == 0)
        f->mmu = HOST_MMU_HASH;
    }
  }
  if (processors > 0)
    f->cpu_count = processors;

  set_chip (f);
  set_platform (f, platform, model ? model : machine);

  /* Chips before POWER9 only have the hashed page table. */
  if (f->mmu == HOST_MMU_UNKNOWN && f->generation > 0 && f->generation < 9)
    f->mmu = HOST_MMU_HASH;
}

/* "1234 kB" (or a bare number) → bytes. */
static gboolean
parse_kb_value (const char *value, guint64 *ret)
{
  const char *num = value + strspn (value, " \t");
  gsize len = strcspn (num, " \t");
  const char *unit = num + len + strspn (num + len, " \t");
  g_autofree char *digits = g_strndup (num, len);
  guint64 n;

  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64 >> 10, &n, NULL))
    return FALSE;
  if (g_ascii_strncasecmp (unit, "kB", 2) == 0 && strcspn (unit, " \t") == 2)
    n <<= 10;
  *ret = n;
  return TRUE;
}

HostHugepages *
host_hugepages_entry (HostFacts *f, guint64 size)
{
  HostHugepages e = { .size = size, .total = -1, .free = -1, .is_default = FALSE };

  for (guint i = 0; i < f->hugepages->len; i++) {
    HostHugepages *h = &g_array_index (f->hugepages, HostHugepages, i);
    if (h->size == size)
      return h;
  }
  g_array_append_val (f->hugepages, e);
  return &g_array_index (f->hugepages, HostHugepages, f->hugepages->len - 1);
}

gint
host_hugepages_cmp (gconstpointer a, gconstpointer b)
{
  const HostHugepages *x = a, *y = b;
  return x->size < y->size ? -1 : x->size > y->size;
}

void
host_parse_meminfo (HostFacts *f, const char *text)
{
  guint64 hp_size = 0;
  gint64 hp_total = -1, hp_free = -1;

  if (text == NULL)
    return;
  /* Line by line in place: only the lines starting with Mem or Huge (the
   * five keys read below are among them) are copied and parsed.
   * /proc/meminfo has ~50, and splitting them all was a tenth of a warm
   * plan's instructions. */
  for (const char *next = text; *next != '\0';) {
    const char *line = next, *end = strchr (line, '\n');
    gsize len = end != NULL ? (gsize) (end - line) : strlen (line);
    g_autofree char *copy = NULL;
    char *key, *value;
    guint64 v;

    next = line + len + (end != NULL);
    while (len > 0 && g_ascii_isspace (*line))
      line++, len--;
    if (strncmp (line, "Mem", 3) != 0 && strncmp (line, "Huge", 4) != 0)
      continue;
    copy = g_strndup (line, len);
    if (!split_key_value (copy, &key, &value) || !parse_kb_value (value, &v))
      continue;
    if (g_str_equal (key, "MemTotal"))
      f->mem_total = v;
    else if (g_str_equal (key, "MemAvailable"))
      f->mem_available = v;
    else if (g_str_equal (key, "Hugepagesize"))
      hp_size = v;
    else if (g_str_equal (key, "HugePages_Total"))
      hp_total = (gint64) v;
    else if (g_str_equal (key, "HugePages_Free"))
      hp_free = (gint64) v;
  }
  if (hp_size > 0) {
    HostHugepages *h;
    for (guint i = 0; i < f->hugepages->len; i++)
      g_array_index (f->hugepages, HostHugepages, i).is_default = FALSE;
    h = host_hugepages_entry (f, hp_size);
    h->is_default = TRUE;
    if (hp_total >= 0)
      h->total = hp_total;
    if (hp_free >= 0)
      h->free = hp_free;
    g_array_sort (f->hugepages, host_hugepages_cmp);
  }
}

/* "2M", "2048k", "1G", "16777216" → bytes, 0 when not a size */
static guint64
parse_pagesize_option (const char *v)
{
  guint64 n;

  return ppcvm_parse_size_unit (v, 1, &n, NULL) ? n : 0;
}

char *
host_mount_path_escape (const char *path)
{
  GString *s = g_string_new (NULL);

  for (const char *p = path; *p; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\\')
      g_string_append_printf (s, "\\%03o", (unsigned char) *p);
    else
      g_string_append_c (s, *p);
  }
  return g_string_free (s, FALSE);
}

/* The reverse of host_mount_path_escape (any \NNN octal is read). */
static char *
unescape_mount_path (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' &&
        p[3] >= '0' && p[3] <= '7') {
      g_string_append_c (out, (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0')));
      p += 3;
    } else {
      g_string_append_c (out, *p);
    }
  }
  return g_string_free (out, FALSE);
}

void
host_parse_mounts (HostFacts *f, const char *text)
{
  g_auto (GStrv) lines = NULL;
  HostHugepages *def = host_default_hugepages (f);

  if (text == NULL)
    return;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_auto (GStrv) w = g_strsplit_set (*l, " \t", -1);
    g_auto (GStrv) opts = NULL;
    HostHugetlbfs *m;

    if (g_strv_length (w) < 4 || !g_str_equal (w[2], "hugetlbfs"))
      continue;
    m = g_new0 (HostHugetlbfs, 1);
    m->path = unescape_mount_path (w[1]);
    m->page_size = def ? def->size : 0;
    m->writable = PPCVM_UNKNOWN;
    opts = g_strsplit (w[3], ",", -1);
    for (char **o = opts; *o; o++) {
      if (g_str_has_prefix (*o, "pagesize="))
        m->page_size = parse_pagesize_option (*o + 9);
      else if (g_str_equal (*o, "ro"))
        m->writable = PPCVM_NO;
      else if (g_str_equal (*o, "rw"))
        m->writable = PPCVM_YES;
    }
    g_ptr_array_add (f->hugetlbfs, m);
  }
}

guint64
host_parse_smaps_page_size (const char *text)
{
  const char *p;

  if (text == NULL)
    return 0;
  for (p = strstr (text, "KernelPageSize:"); p; p = strstr (p + 1, "KernelPageSize:")) {
    guint64 v;
    const char *eol = strchr (p, '\n');
    g_autofree char *line = eol ? g_strndup (p, eol - p) : g_strdup (p);
    char *key, *value;
    if (split_key_value (line, &key, &value) && parse_kb_value (value, &v) && v > 0)
      return v;
  }
  return 0;
}

gboolean
host_parse_modules_has (const char *text, const char *module)
{
  g_auto (GStrv) lines = NULL;
  size_t n = strlen (module);

  if (text == NULL)
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (strncmp (*l, module, n) == 0 && (*l)[n] == ' ')
      return TRUE;
  }
  return FALSE;
}

char *
host_parse_version (const char *text)
{
  const char *p;
  size_t n;

  if (text == NULL || (p = strstr (text, "Linux version ")) == NULL)
    return NULL;
  p += strlen ("Linux version ");
  n = strcspn (p, " \t\n");
  return n > 0 ? g_strndup (p, n) : NULL;
}

HostHugepages *
host_default_hugepages (const HostFacts *f)
{
  for (guint i = 0; i < f->hugepages->len; i++) {
    HostHugepages *h = &g_array_index (f->hugepages, HostHugepages, i);
    if (h->is_default)
      return h;
  }
  return NULL;
}

char *
host_hugepages_dir (guint64 page_size)
{
  return g_strdup_printf ("/sys/kernel/mm/hugepages/hugepages-%" G_GUINT64_FORMAT "kB", page_size >> 10);
}

gboolean
host_hugepages_is_default (const HostFacts *f, guint64 page_size)
{
  const HostHugepages *def = host_default_hugepages (f);

  return def != NULL && def->size == page_size;
}

const HostHugetlbfs *
host_find_hugetlbfs (const HostFacts *f, guint64 size)
{
  for (guint i = 0; i < f->hugetlbfs->len; i++) {
    const HostHugetlbfs *m = g_ptr_array_index (f->hugetlbfs, i);
    if (m->page_size == size && m->writable != PPCVM_NO)
      return m;
  }
  return NULL;
}

int
host_threads_per_subcore (const HostFacts *f)
{
  int sub = f->subcores_per_core > 0 ? f->subcores_per_core : 1;

  if (f->threads_per_core <= 0 || f->threads_per_core % sub != 0)
    return 0;
  return f->threads_per_core / sub;
}

/* Online threads of the (sub)core holding each online CPU: CPU numbers are
 * core * threads_per_core + thread (cpu_to_core_id on powerpc). */
static int
smt_scan (const HostFacts *f, gboolean *ret_secondary)
{
  int tps = host_threads_per_subcore (f), most = 0, run = 0, prev = -1;

  *ret_secondary = FALSE;
  if (tps == 0 || f->cpus_online->len == 0)
    return 0;
  for (guint i = 0; i < f->cpus_online->len; i++) {
    int cpu = g_array_index (f->cpus_online, int, i);
    if (cpu % tps != 0)
      *ret_secondary = TRUE;
    run = (prev >= 0 && prev / tps == cpu / tps) ? run + 1 : 1;
    most = MAX (most, run);
    prev = cpu;
  }
  return most;
}

int
host_smt_online (const HostFacts *f)
{
  gboolean secondary;
  return smt_scan (f, &secondary);
}

PpcvmTristate
host_secondary_threads_online (const HostFacts *f)
{
  gboolean secondary;
  if (smt_scan (f, &secondary) == 0)
    return PPCVM_UNKNOWN;
  return secondary ? PPCVM_YES : PPCVM_NO;
}

gboolean
host_is_ppc64 (const HostFacts *f)
{
  if (f->arch)
    return g_str_equal (f->arch, "ppc64le") || g_str_equal (f->arch, "ppc64");
  /* A dump without the arch: a PowerNV or pSeries POWER machine is 64-bit. */
  return f->generation >= 5 &&
         (f->platform == HOST_PLATFORM_POWERNV || f->platform == HOST_PLATFORM_PSERIES);
}

int
host_kernel_version (const HostFacts *f)
{
  guint64 major, minor;
  g_auto (GStrv) parts = NULL;
  char *end;

  if (f->kernel == NULL)
    return 0;
  parts = g_strsplit (f->kernel, ".", 3);
  if (g_strv_length (parts) < 2)
    return 0;
  if (!g_ascii_string_to_unsigned (parts[0], 10, 1, 100, &major, NULL))
    return 0;
  minor = g_ascii_strtoull (parts[1], &end, 10);
  if (end == parts[1] || minor > 999)
    return 0;
  return (int) (major * 1000 + minor);
}

const char *
host_mmu_to_string (HostMmu mmu)
{
  switch (mmu) {
  case HOST_MMU_RADIX: return "radix";
  case HOST_MMU_HASH: return "hash";
  default: return NULL;
  }
}

const char *
host_platform_to_string (HostPlatform p)
{
  switch (p) {
  case HOST_PLATFORM_POWERNV: return "powernv";
  case HOST_PLATFORM_PSERIES: return "pseries";
  case HOST_PLATFORM_POWERMAC: return "powermac";
  case HOST_PLATFORM_PS3: return "ps3";
  case HOST_PLATFORM_OTHER: return "other";
  default: return NULL;
  }
}

const char *
host_hypervisor_to_string (HostHypervisor h)
{
  switch (h) {
  case HOST_HV_NONE: return "none";
  case HOST_HV_KVM: return "kvm";
  case HOST_HV_QEMU: return "qemu";
  case HOST_HV_POWERVM: return "powervm";
  default: return NULL;
  }
}
