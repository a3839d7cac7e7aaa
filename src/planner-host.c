/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the host needs: hugepage setup commands, advice, and what-if
 * planning (the plan once the setup steps are done). */
#include "config.h"

#include <string.h>

#include "cmdline.h"
#include "planner-private.h"
#include "util.h"
#include "remedies.h"

guint64
plan_hugepages_for (guint64 memory, guint64 page_size)
{
  g_return_val_if_fail (page_size > 0, 0);
  return (memory + page_size - 1) / page_size;
}

guint64
plan_hugepages_with_headroom (guint64 needed)
{
  return needed + MAX ((needed + 15) / 16, 8);
}

/* "2M" style for the hugetlbfs pagesize= option. */
static char *
size_name (guint64 bytes)
{
  return ppcvm_format_size (bytes);
}

void
plan_hugepage_step_free (PlanHugepageStep *step)
{
  if (step == NULL)
    return;
  g_strfreev (step->argv);
  g_free (step->text);
  g_free (step->what);
  g_free (step->where);
  g_free (step);
}

char *
plan_hugepage_step_to_string (const PlanHugepageStep *step, gboolean as_root)
{
  g_autofree char *cmd = NULL;

  if (step->kind == PLAN_HUGEPAGE_KEEP)
    return g_strdup_printf ("to keep %s, add to %s: %s", step->what, step->where, step->text);
  cmd = cmdline_to_shell ((const char *const *) step->argv);
  return g_strconcat (as_root ? "" : "sudo ", cmd, NULL);
}

/* A command to run as root, its NULL-terminated arguments. */
static void G_GNUC_NULL_TERMINATED
step_run (GPtrArray *steps, const char *arg0, ...)
{
  PlanHugepageStep *st = g_new0 (PlanHugepageStep, 1);
  GPtrArray *argv = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  st->kind = PLAN_HUGEPAGE_RUN;
  va_start (ap, arg0);
  for (arg = arg0; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  st->argv = (char **) g_ptr_array_free (argv, FALSE);
  g_ptr_array_add (steps, st);
}

static void G_GNUC_PRINTF (4, 5)
step_keep (GPtrArray *steps, const char *what, const char *where, const char *fmt, ...)
{
  PlanHugepageStep *st = g_new0 (PlanHugepageStep, 1);
  va_list ap;

  st->kind = PLAN_HUGEPAGE_KEEP;
  st->what = g_strdup (what);
  st->where = g_strdup (where);
  va_start (ap, fmt);
  st->text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (steps, st);
}

GPtrArray *
plan_hugepage_commands (const HostFacts *host, guint64 page_size, guint64 needed)
{
  return plan_hugepage_commands_at (host, page_size, needed, "/dev/hugepages");
}

GPtrArray *
plan_hugepage_commands_at (const HostFacts *host, guint64 page_size, guint64 needed, const char *mp)
{
  GPtrArray *cmds = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_hugepage_step_free);
  const HostHugepages *hp = host_default_hugepages (host);
  const HostHugetlbfs *mount = host_find_hugetlbfs (host, page_size);
  g_autofree char *ps = size_name (page_size);
  guint64 total, free_now, target;

  g_return_val_if_fail (host_hugepages_is_default (host, page_size), cmds);
  total = hp->total > 0 ? (guint64) hp->total : 0;
  free_now = hp->free > 0 ? (guint64) hp->free : 0;
  target = total + plan_hugepages_with_headroom (needed > free_now ? needed - free_now : 0);
  if (free_now < needed) {
    g_autofree char *setting = g_strdup_printf ("vm.nr_hugepages=%" G_GUINT64_FORMAT, target);
    step_run (cmds, "sysctl", setting, NULL);
  }
  if (mount == NULL) {
    g_autofree char *option = g_strconcat ("pagesize=", ps, NULL);
    g_autofree char *field = host_mount_path_escape (mp);
    step_run (cmds, "mkdir", "-p", mp, NULL);
    step_run (cmds, "mount", "-t", "hugetlbfs", "-o", option, "hugetlbfs", mp, NULL);
    step_run (cmds, "chown", "root:kvm", mp, NULL);
    step_run (cmds, "chmod", "1770", mp, NULL);
    step_keep (cmds, "the mount", "/etc/fstab", "hugetlbfs %s hugetlbfs pagesize=%s,mode=01770,gid=kvm 0 0", field, ps);
  }
  if (free_now < needed)
    step_keep (cmds, "the pages", "/etc/sysctl.d/90-ppcvm-hugepages.conf", "vm.nr_hugepages = %" G_GUINT64_FORMAT, target);
  return cmds;
}

void
plan_check_free (PlanCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->id);
  g_free (check->text);
  g_free (check->fix.module);
  g_free (check);
}

const char *
plan_check_level_to_string (PlanCheckLevel level)
{
  static const char *const names[] = { "pass", "warn", "fail" };
  return names[level];
}

static PlanCheck * G_GNUC_PRINTF (4, 5)
check (GPtrArray *checks, const char *id, PlanCheckLevel level, const char *fmt, ...)
{
  PlanCheck *c = g_new0 (PlanCheck, 1);
  va_list ap;

  va_start (ap, fmt);
  c->text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  c->id = g_strdup (id);
  c->level = level;
  c->fix.kind = level == PLAN_CHECK_PASS ? PLAN_FIX_KIND_NONE : PLAN_FIX_KIND_MANUAL;
  g_ptr_array_add (checks, c);
  return c;
}

static void
set_fix_modprobe (PlanCheck *c, const char *module)
{
  c->fix.kind = PLAN_FIX_KIND_MODPROBE;
  c->fix.module = g_strdup (module);
}

static void
check_hugepages (GPtrArray *checks, const HostFacts *h, gboolean hv_possible)
{
  const HostHugepages *hp;

  if (!(h->page_size > 0 && h->page_size < KIB64 && (hv_possible || h->mmu == HOST_MMU_HASH)))
    return;
  hp = host_default_hugepages (h);
  if (hp == NULL)
    return;
  if (host_find_hugetlbfs (h, hp->size) == NULL) {
    g_autofree char *ps = size_name (hp->size);
    PlanCheck *c = check (checks, "hugetlbfs", PLAN_CHECK_WARN, "no hugetlbfs mount: hash guests on this 4 KiB-page host need hugepage-backed RAM: sudo mount -t hugetlbfs -o pagesize=%s hugetlbfs /dev/hugepages (ppcvm hugepages PROFILE computes the rest)",
           ps);
    /* The mount needs no count; the pages do (plan_checks_set_hugepage_fixes). */
    c->fix.kind = PLAN_FIX_KIND_HUGEPAGES;
    c->fix.page_size = hp->size;
  } else {
    check (checks, "hugetlbfs", PLAN_CHECK_PASS, "a hugetlbfs mount for hash guests' RAM");
  }
  if (hp->free == 0) {
    g_autofree char *hps = ppcvm_format_size_human (hp->size);
    check (checks, "hugepages", PLAN_CHECK_WARN, "no free %s hugepages: hash guests on this 4 KiB-page host need their RAM in them: ppcvm hugepages PROFILE says how many (sudo sysctl vm.nr_hugepages=N)",
           hps);
  }
}

/* Rule HV-SMT as a host check: the same facts plan_try_hv reads. */
static void
check_smt (GPtrArray *checks, const HostFacts *h)
{
  if (!host_hv_needs_smt_off (h))
    return;
  switch (host_secondary_threads_online (h)) {
  case PPCVM_YES:
    check (checks, "smt", PLAN_CHECK_FAIL, "KVM-HV on %s needs the secondary threads of every core offline, and this host runs SMT%d: %s",
           gen_name (h->generation), host_smt_online (h), PPCVM_FIX_SMT_OFF)->fix.kind = PLAN_FIX_KIND_SMT_OFF;
    break;
  case PPCVM_NO:
    check (checks, "smt", PLAN_CHECK_PASS, "secondary threads offline (SMT off), as KVM-HV on %s needs", gen_name (h->generation));
    break;
  case PPCVM_UNKNOWN:
    check (checks, "smt", PLAN_CHECK_WARN, "KVM-HV on %s needs the secondary threads offline, and ppcvm cannot tell whether they are: %s",
           gen_name (h->generation), PPCVM_FIX_SMT_OFF)->fix.kind = PLAN_FIX_KIND_SMT_OFF;
    break;
  }
}

static void
check_kvm (GPtrArray *checks, const HostFacts *h, gboolean hv_possible)
{
  if (hv_possible && h->kvm_hv != PPCVM_YES)
    set_fix_modprobe (check (checks, "kvm-hv", PLAN_CHECK_FAIL, "kvm_hv is not loaded: " PPCVM_FIX_LOAD_KVM_HV "%s%s",
           h->platform == HOST_PLATFORM_PSERIES ? " (in a guest it loads only when its host enabled cap-nested-hv=on)" : "",
           !host_can_load_kvm_pr (h) ? "; kvm_pr cannot load on this radix host (only with disable_radix)" : ""),
                      "kvm_hv");
  else if (hv_possible)
    check (checks, "kvm-hv", PLAN_CHECK_PASS, "kvm_hv is loaded");
  if (h->mmu == HOST_MMU_HASH && h->kvm_pr != PPCVM_YES)
    set_fix_modprobe (check (checks, "kvm-pr", PLAN_CHECK_WARN, "kvm_pr is not loaded (KVM PR runs any older POWER or PowerPC CPU on this hash host): " PPCVM_FIX_LOAD_KVM_PR),
                      "kvm_pr");
  if (h->kvm_device == PPCVM_YES && h->kvm_usable == PPCVM_NO && h->kvm_usable_reason)
    check (checks, "dev-kvm", PLAN_CHECK_FAIL, "%s", h->kvm_usable_reason);
  else if (h->in_kvm_group == PPCVM_NO && h->kvm_usable != PPCVM_YES)
    check (checks, "dev-kvm", PLAN_CHECK_FAIL, "you are not in the kvm group: " PPCVM_FIX_KVM_GROUP);
  else if (h->kvm_device == PPCVM_YES && h->kvm_usable == PPCVM_NO)
    check (checks, "dev-kvm", PLAN_CHECK_FAIL, "/dev/kvm is not usable by this user: " PPCVM_FIX_KVM_GROUP);
  else if (h->kvm_usable == PPCVM_YES)
    check (checks, "dev-kvm", PLAN_CHECK_PASS, "/dev/kvm is usable");
  if (h->platform == HOST_PLATFORM_POWERNV && h->mmu == HOST_MMU_RADIX && h->generation >= 9 &&
      h->kvm_hv == PPCVM_YES && h->kvm_hv_nested == PPCVM_NO)
    check (checks, "nested", PLAN_CHECK_WARN, "kvm_hv's nested parameter is off, so guests cannot run KVM guests of their own: " PPCVM_FIX_NESTED_ON " (to keep it: " PPCVM_FIX_NESTED_KEEP ")");
  /* MEMLOCK: KVM-HV locks the hashed page table: about 1/64 of guest RAM. */
  if ((hv_possible || h->kvm_pr == PPCVM_YES) && h->memlock_limit >= 0 &&
      h->memlock_limit < (gint64) (64 << 20)) {
    g_autofree char *lim = ppcvm_format_size_human ((guint64) h->memlock_limit);
    check (checks, "memlock", PLAN_CHECK_WARN, "the locked-memory limit (ulimit -l) is %s: a hash guest's page table needs about 1/64 of its RAM (32 MiB for 2 GiB): raise it with ulimit -l or a memlock line in /etc/security/limits.d/",
           lim);
  }
}

GPtrArray *
plan_host_checks (const HostFacts *h)
{
  GPtrArray *checks = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_check_free);
  gboolean hv_possible = host_can_load_kvm_hv (h);

  if (h->qemu == NULL)
    check (checks, "qemu", PLAN_CHECK_FAIL, "qemu-system-ppc64 was not found: " PPCVM_FIX_INSTALL_QEMU " (or pass --qemu PATH)");
  else
    check (checks, "qemu", PLAN_CHECK_PASS, "qemu-system-ppc64 %s", h->qemu->version ? h->qemu->version : "(version unknown)");
  /* Rule FW-FILE, as plan_build checks it. */
  if (emulator_firmware_missing (h->qemu, "slof.bin"))
    check (checks, "firmware", PLAN_CHECK_FAIL, "qemu's pseries firmware slof.bin is not installed: " PPCVM_FIX_INSTALL_FIRMWARE);
  else if (h->qemu != NULL && h->qemu->firmware != NULL)
    check (checks, "firmware", PLAN_CHECK_PASS, "qemu's pseries firmware (slof.bin) is installed");
  if (!host_is_ppc64 (h)) {
    check (checks, "power", PLAN_CHECK_WARN, "this host is %s, not POWER: POWER guests run emulated under TCG (slow); KVM needs a POWER host",
           h->arch ? h->arch : "not known to be POWER");
    return checks;
  }
  check (checks, "power", PLAN_CHECK_PASS, "a POWER host (%s)", gen_name (h->generation));
  check_kvm (checks, h, hv_possible);
  check_smt (checks, h);
  check_hugepages (checks, h, hv_possible);
  return checks;
}

void
plan_add_plan_checks (GPtrArray *checks, const Plan *pl)
{
  if (pl->status == PLAN_OK) {
    check (checks, "plan", PLAN_CHECK_PASS, "the profile runs under %s", plan_accel_to_string (pl->accel));
  } else {
    g_autoptr (GString) ways = g_string_new (NULL);
    for (guint i = 0; i < pl->ways_out->len; i++)
      g_string_append_printf (ways, "%s%s", i ? "; " : "", (char *) g_ptr_array_index (pl->ways_out, i));
    for (guint i = 0; i < pl->reasons->len; i++)
      check (checks, "plan", PLAN_CHECK_FAIL, "%s%s%s", (char *) g_ptr_array_index (pl->reasons, i),
             ways->len > 0 ? ". Ways out: " : "", ways->str);
  }
  for (guint i = 0; i < pl->warnings->len; i++)
    check (checks, "plan", PLAN_CHECK_WARN, "%s", (char *) g_ptr_array_index (pl->warnings, i));
}

gboolean
plan_fix_is_safe (const PlanFix *fix)
{
  return fix->kind == PLAN_FIX_KIND_HUGEPAGES || fix->kind == PLAN_FIX_KIND_SMT_OFF ||
         fix->kind == PLAN_FIX_KIND_MODPROBE;
}

const char *
plan_fix_kind_to_string (PlanFixKind kind)
{
  static const char *const names[] = { "none", "manual", "hugepages", "smt-off", "modprobe" };
  return names[kind];
}

Plan *
plan_hugepages_ready (const HostFacts *host, const Profile *profile, const Plan *plan, const char *mount_point,
                      PlanSetUp *ret_steps)
{
  Plan *ready;

  *ret_steps = 0;
  if (plan->status != PLAN_REFUSED_FIXABLE)
    return NULL;
  *ret_steps = PLAN_SET_UP_HUGEPAGES;
  ready = plan_build_set_up (host, profile, *ret_steps, mount_point);
  if (ready->status != PLAN_OK) {
    plan_free (ready);
    *ret_steps |= PLAN_SET_UP_KVM;
    ready = plan_build_set_up (host, profile, *ret_steps, mount_point);
  }
  return ready;
}

void
plan_checks_set_hugepage_fixes (GPtrArray *checks, const HostFacts *h, const Profile *profile)
{
  g_autoptr (Plan) ready = NULL;

  if (profile != NULL) {
    g_autoptr (Plan) plan = plan_build (h, h->qemu, profile);
    PlanSetUp steps;
    ready = plan_hugepages_ready (h, profile, plan, "/dev/hugepages", &steps);
    if (ready != NULL && (ready->status != PLAN_OK || ready->hugepage_size == 0))
      g_clear_pointer (&ready, plan_free);
  }
  for (guint i = 0; i < checks->len; i++) {
    PlanCheck *c = g_ptr_array_index (checks, i);
    gboolean hp = g_str_equal (c->id, "hugetlbfs") || g_str_equal (c->id, "hugepages");

    if (c->level == PLAN_CHECK_PASS || !(hp || (g_str_equal (c->id, "plan") && c->level == PLAN_CHECK_FAIL)))
      continue;
    if (ready != NULL) {
      c->fix.kind = PLAN_FIX_KIND_HUGEPAGES;
      c->fix.page_size = ready->hugepage_size;
      c->fix.pages = ready->hugepages_needed;
    } else if (g_str_equal (c->id, "hugepages")) {
      c->fix.kind = PLAN_FIX_KIND_MANUAL; /* how many is the profile's to say */
    }
  }
}

GPtrArray *
plan_checks_safe_fixes (GPtrArray *checks)
{
  GPtrArray *fixes = g_ptr_array_new ();

  for (guint i = 0; i < checks->len; i++) {
    PlanFix *fix = &((PlanCheck *) g_ptr_array_index (checks, i))->fix;
    gboolean dup = FALSE;

    if (!plan_fix_is_safe (fix))
      continue;
    for (guint j = 0; j < fixes->len && !dup; j++) {
      PlanFix *f = g_ptr_array_index (fixes, j);
      if (f->kind != fix->kind)
        continue;
      if (fix->kind == PLAN_FIX_KIND_HUGEPAGES && f->page_size == fix->page_size) {
        dup = TRUE;
        if (fix->pages > f->pages)
          fixes->pdata[j] = fix;
      } else if (fix->kind == PLAN_FIX_KIND_MODPROBE) {
        dup = g_str_equal (f->module, fix->module);
      } else if (fix->kind == PLAN_FIX_KIND_SMT_OFF) {
        dup = TRUE;
      }
    }
    if (!dup)
      g_ptr_array_add (fixes, fix);
  }
  return fixes;
}

/* What `ppcvm host` advises: the text of every check that did not pass. */
GPtrArray *
plan_host_advice (const HostFacts *h)
{
  g_autoptr (GPtrArray) checks = plan_host_checks (h);
  GPtrArray *adv = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < checks->len; i++) {
    PlanCheck *c = g_ptr_array_index (checks, i);
    if (c->level != PLAN_CHECK_PASS)
      g_ptr_array_add (adv, g_strdup (c->text));
  }
  return adv;
}

HostFacts *
plan_host_set_up (const HostFacts *host, PlanSetUp steps, const char *mount_point)
{
  HostFacts *f = host_facts_copy (host);
  HostHugepages *def = host_default_hugepages (f);

  if ((steps & PLAN_SET_UP_HUGEPAGES) && def != NULL) {
    def->total = def->free = G_GINT64_CONSTANT (1) << 40;
    if (host_find_hugetlbfs (f, def->size) == NULL) {
      HostHugetlbfs *m = g_new0 (HostHugetlbfs, 1);
      m->path = g_strdup (mount_point);
      m->page_size = def->size;
      m->writable = PPCVM_YES;
      g_ptr_array_add (f->hugetlbfs, m);
    }
  }
  if (steps & PLAN_SET_UP_KVM) {
    f->kvm_device = f->kvm_usable = f->in_kvm_group = PPCVM_YES;
    f->kvm_hv = f->kvm_pr = f->kvm_hv_nested = PPCVM_YES;
  }
  return f;
}

Plan *
plan_build_set_up (const HostFacts *host, const Profile *profile, PlanSetUp steps, const char *mount_point)
{
  g_autoptr (HostFacts) ready = plan_host_set_up (host, steps, mount_point);

  return plan_build (ready, ready->qemu, profile);
}
