/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The planner: every POWER rule, once. Sources for each rule are in
 * docs/rules.md: each rule's id, its QEMU or Linux source (file and
 * function) and the versions it applies to. */
#include "config.h"

#include <string.h>

#include "planner-private.h"
#include "remedies.h"

static void
decision_free (PlanDecision *d)
{
  if (d == NULL)
    return;
  g_free (d->setting);
  g_free (d->value);
  g_free (d->reason);
  g_free (d);
}

static Plan *
plan_new (const Profile *p)
{
  Plan *pl = g_new0 (Plan, 1);

  pl->status = PLAN_OK;
  pl->machine = g_strdup (p->machine ? p->machine : "pseries");
  pl->machine_props = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_prop_free);
  pl->decisions = g_ptr_array_new_with_free_func ((GDestroyNotify) decision_free);
  pl->warnings = g_ptr_array_new_with_free_func (g_free);
  pl->reasons = g_ptr_array_new_with_free_func (g_free);
  pl->ways_out = g_ptr_array_new_with_free_func (g_free);
  pl->memory = p->memory;
  return pl;
}

void
plan_free (Plan *pl)
{
  if (pl == NULL)
    return;
  g_free (pl->machine);
  g_ptr_array_unref (pl->machine_props);
  g_free (pl->accel_opts);
  g_free (pl->cpu);
  g_free (pl->mem_path);
  g_ptr_array_unref (pl->decisions);
  g_ptr_array_unref (pl->warnings);
  g_ptr_array_unref (pl->reasons);
  g_ptr_array_unref (pl->ways_out);
  g_free (pl);
}

static void G_GNUC_PRINTF (4, 0)
decide_v (Plan *pl, const char *setting, const char *value, const char *fmt, va_list ap)
{
  PlanDecision *d = g_new0 (PlanDecision, 1);

  d->setting = g_strdup (setting);
  d->value = g_strdup (value);
  d->reason = g_strdup_vprintf (fmt, ap);
  g_ptr_array_add (pl->decisions, d);
}

void
plan_decide (Plan *pl, const char *setting, const char *value, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  decide_v (pl, setting, value, fmt, ap);
  va_end (ap);
}

void
plan_warn (Plan *pl, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (pl->warnings, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

void
plan_prop_free (PlanProp *prop)
{
  if (prop == NULL)
    return;
  g_free (prop->key);
  g_free (prop->value);
  g_free (prop);
}

void
plan_add_machine_prop (Plan *pl, const char *key, const char *value)
{
  PlanProp *prop = g_new0 (PlanProp, 1);

  prop->key = g_strdup (key);
  prop->value = g_strdup (value);
  g_ptr_array_add (pl->machine_props, prop);
}

/* A machine property with its decision. */
void
plan_set_prop (Plan *pl, const char *key, const char *value, const char *fmt, ...)
{
  va_list ap;

  plan_add_machine_prop (pl, key, value);
  va_start (ap, fmt);
  decide_v (pl, key, value, fmt, ap);
  va_end (ap);
}

gboolean
plan_is_planned_property (const char *key)
{
  /* Every machine property plan_set_prop() may set from host facts; kvm-type,
   * max-cpu-compat and cap-nested-hv come from profile keys instead. */
  static const char *const planned[] = {
    "cap-hpt-max-page-size", "cap-htm", "cap-cfpc", "cap-sbbc", "cap-ibs", "cap-ccf-assist",
    "cap-large-decr", "cap-fwnmi", "cap-ail-mode-3", "cap-dawr1", "kernel-irqchip", NULL
  };
  return g_strv_contains (planned, key);
}

const char *
plan_machine_prop (const Plan *pl, const char *key)
{
  for (guint i = 0; i < pl->machine_props->len; i++) {
    const PlanProp *prop = g_ptr_array_index (pl->machine_props, i);
    if (g_str_equal (prop->key, key))
      return prop->value;
  }
  return NULL;
}

static const PlanDecision *
find_decision (const Plan *pl, const char *setting)
{
  for (guint i = 0; pl->decisions != NULL && i < pl->decisions->len; i++) {
    const PlanDecision *d = g_ptr_array_index (pl->decisions, i);
    if (g_str_equal (d->setting, setting))
      return d;
  }
  return NULL;
}

const char *
plan_decision_value (const Plan *pl, const char *setting)
{
  const PlanDecision *d = find_decision (pl, setting);
  return d ? d->value : NULL;
}

const char *
plan_decision_reason (const Plan *pl, const char *setting)
{
  const PlanDecision *d = find_decision (pl, setting);
  return d ? d->reason : NULL;
}

char *
plan_machine_string (const Plan *pl)
{
  GString *s = g_string_new (pl->machine);

  for (guint i = 0; i < pl->machine_props->len; i++) {
    const PlanProp *prop = g_ptr_array_index (pl->machine_props, i);
    g_autofree char *val = ppcvm_qemu_escape (prop->value);
    g_string_append_printf (s, ",%s=%s", prop->key, val);
  }
  return g_string_free (s, FALSE);
}

const char *
plan_accel_to_string (PlanAccel accel)
{
  switch (accel) {
  case PLAN_ACCEL_KVM_HV: return "kvm-hv";
  case PLAN_ACCEL_KVM_PR: return "kvm-pr";
  case PLAN_ACCEL_TCG: return "tcg";
  }
  g_assert_not_reached ();
}

const char *
plan_firmware_to_string (PlanFirmware firmware)
{
  return firmware == PLAN_FIRMWARE_VOF ? "vof" : "slof";
}

/* ---- The boot firmware (rule FIRMWARE) ---- */

/* firmware=vof where VOF cannot boot the guest: reasons and ways out into
 * PL; TRUE when it can. */
static gboolean
check_firmware (const PlanInputs *c, Plan *pl)
{
  const Profile *p = c->profile;

  if (p->firmware != FIRMWARE_VOF)
    return TRUE;
  if (p->kernel == NULL) {
    reason (pl->reasons, "firmware=vof boots only a kernel QEMU loads itself (kernel=): VOF has no disk, "
            "CD-ROM or network drivers, so it cannot boot %s", p->cdrom != NULL ? "the CD-ROM"
            : p->disks != NULL && p->disks->len > 0 ? "the disk" : "anything");
    reason (pl->ways_out, "set firmware=slof (or auto) in [boot]: SLOF boots disks, CD-ROMs and the network");
    reason (pl->ways_out, "or set kernel= (and initrd=) to boot a kernel directly with VOF");
    return FALSE;
  }
  if (!qemu_at_least (c, 6, 0)) {
    reason (pl->reasons, "QEMU %s has no Virtual Open Firmware (-machine x-vof=on came with QEMU 6.0)",
            c->emu->version ? c->emu->version : "");
    reason (pl->ways_out, "set firmware=slof (or auto) in [boot]");
    reason (pl->ways_out, "or install QEMU 6.0 or later");
    return FALSE;
  }
  return TRUE;
}

/* SLOF probes every device and boots from them; VOF (QEMU 6.0+) only hands
 * a kernel that QEMU loaded (-kernel) its device tree, which makes a
 * direct-kernel boot 2-3 times faster to the kernel. */
static void
choose_firmware (const PlanInputs *c, Plan *pl)
{
  const Profile *p = c->profile;
  const char *why;

  pl->firmware = PLAN_FIRMWARE_SLOF;
  if (p->firmware == FIRMWARE_VOF) {
    pl->firmware = PLAN_FIRMWARE_VOF;
    why = "the profile asks for VOF (firmware=vof)";
  } else if (p->firmware == FIRMWARE_SLOF) {
    why = "the profile asks for SLOF (firmware=slof)";
  } else if (p->kernel == NULL) {
    why = "no kernel= to boot directly: SLOF boots the disk, CD-ROM or network (VOF has no drivers)";
  } else if (!qemu_at_least (c, 6, 0)) {
    why = "this QEMU has no VOF (QEMU 6.0 and later)";
  } else if (p->bios != NULL) {
    why = "the profile names its own firmware image (bios=)";
  } else if (pl->accel == PLAN_ACCEL_KVM_PR) {
    why = "KVM PR keeps SLOF: VOF is not verified under KVM PR (set firmware=vof to try it)";
  } else {
    pl->firmware = PLAN_FIRMWARE_VOF;
    why = "a direct kernel boot needs no boot firmware: QEMU's Virtual Open Firmware hands the kernel its "
          "device tree without SLOF's device probing (set firmware=slof to keep SLOF)";
  }
  plan_decide (pl, "firmware", plan_firmware_to_string (pl->firmware), "%s", why);
  if (pl->firmware == PLAN_FIRMWARE_VOF)
    plan_add_machine_prop (pl, "x-vof", "on");
}

/* Which device boots (rule BOOT-ORDER): SLOF tries the devices by their
 * bootindex (QEMU's "bootindex" property becomes the device tree's
 * /chosen "qemu,boot-list", which SLOF's boot code walks in order). A
 * kernel= is loaded by QEMU and needs no boot device. With a disk and a
 * cdrom, the disk boots unless [boot] order=cdrom (ppcvm run --install):
 * the install media stays attached, second, until the profile drops it. */
static void
choose_boot_device (const PlanInputs *c, Plan *pl)
{
  const Profile *p = c->profile;
  gboolean disk = p->disks != NULL && p->disks->len > 0;

  if (p->kernel != NULL)
    plan_decide (pl, "boot", "kernel", "kernel= is loaded by QEMU itself: no boot device");
  else if (p->cdrom != NULL && disk && p->boot_order == BOOT_ORDER_CDROM)
    plan_decide (pl, "boot", "cdrom", "[boot] order=cdrom (ppcvm run --install): SLOF boots the install media "
                 "(bootindex 1), the disk [disk:%s] is second", ((ProfileDisk *) p->disks->pdata[0])->name);
  else if (disk)
    plan_decide (pl, "boot", "disk", "SLOF boots the disk [disk:%s] (bootindex 1)%s",
                 ((ProfileDisk *) p->disks->pdata[0])->name,
                 p->cdrom != NULL ? "; the cdrom stays attached, second ('ppcvm run --install' or [boot] "
                                    "order=cdrom boots it first)"
                 : p->boot_order == BOOT_ORDER_CDROM ? "; order=cdrom, but there is no cdrom=" : "");
  else if (p->cdrom != NULL)
    plan_decide (pl, "boot", "cdrom", "SLOF boots the cdrom (bootindex 1): there is no disk");
  else
    plan_decide (pl, "boot", "network", "no kernel=, disk or cdrom: SLOF tries the network");
}

/* Rule FW-FILE: qemu's pseries firmware is a data file, packaged apart
 * from the binary (Debian: qemu-system-data); without it qemu stops with
 * "Could not find LPAR firmware 'slof.bin'" (hw/ppc/spapr.c; vof.bin for
 * VOF). A profile with its own bios= image does not need it. When the file
 * PL's firmware needs is known missing, the reasons and ways out go into
 * REFUSAL. */
static gboolean
firmware_file_present (const PlanInputs *c, const Plan *pl, Plan *refusal)
{
  const char *file = pl->firmware == PLAN_FIRMWARE_VOF ? "vof.bin" : "slof.bin";
  g_autofree char *dirs = NULL;

  if (c->profile->bios != NULL || !emulator_firmware_missing (c->emu, file))
    return TRUE;
  dirs = c->emu->data_dirs ? g_strjoinv (", ", c->emu->data_dirs) : g_strdup ("?");
  reason (refusal->reasons, "qemu's pseries firmware %s is not installed (looked in %s)", file, dirs);
  reason (refusal->ways_out, "install the package that ships %s (Debian, Ubuntu: "
          PPCVM_FIX_INSTALL_FIRMWARE "), or name a firmware image with bios=", file);
  if (pl->firmware == PLAN_FIRMWARE_VOF && !emulator_firmware_missing (c->emu, "slof.bin"))
    reason (refusal->ways_out, "or set firmware=slof in [boot] (slof.bin is installed)");
  return FALSE;
}

int
plan_cpu_model_generation (const char *model)
{
  /* "power9_v2.0", "POWER8", "power10_v2.0", "power7+_v2.1" */
  if (model == NULL)
    return 0;
  return host_generation_from_name (model);
}

/* ---- The accelerators ---- */

static void
attempt_init (Attempt *a)
{
  a->status = PLAN_OK;
  a->reasons = g_ptr_array_new_with_free_func (g_free);
  a->ways = g_ptr_array_new_with_free_func (g_free);
}

static void
attempt_clear (Attempt *a)
{
  g_clear_pointer (&a->reasons, g_ptr_array_unref);
  g_clear_pointer (&a->ways, g_ptr_array_unref);
}

static void
try_tcg (PlanInputs *c, Plan *pl, Attempt *a)
{
  const Profile *p = c->profile;
  int ggen;
  const EmulatorMachine *m = c->emu ? emulator_find_machine (c->emu, pl->machine) : NULL;

  pl->accel = PLAN_ACCEL_TCG;
  pl->accel_opts = g_strdup (p->smp > 1 ? "tcg,thread=multi" : "tcg");
  plan_decide (pl, "accel", "tcg", "%s", p->smp > 1 ? "TCG, one host thread per vCPU" : "TCG");
  if (p->cpu_generation) {
    ggen = p->cpu_generation;
    if (ggen >= 10 && !qemu_at_least (c, 5, 0)) {
      a->status = PLAN_REFUSED_IMPOSSIBLE;
      reason (a->reasons, "this QEMU has no POWER10 CPU model (QEMU 5.0 or later)");
      return;
    }
    pl->cpu = g_strdup (gen_name (ggen));
    plan_decide (pl, "cpu", pl->cpu, "TCG emulates the CPU the profile asks for");
  } else {
    ggen = m ? plan_cpu_model_generation (m->default_cpu) : 0;
    plan_decide (pl, "cpu", m && m->default_cpu ? m->default_cpu : "default",
            "cpu=host under TCG means QEMU's default CPU for %s", m ? m->name : pl->machine);
    if (ggen == 0)
      ggen = 9;
  }
  pl->guest_mmu = (ggen >= 9 && p->mmu == GUEST_MMU_RADIX) ? GUEST_MMU_RADIX : GUEST_MMU_HASH;
  plan_decide (pl, "guest-mmu", host_mmu_to_string (pl->guest_mmu == GUEST_MMU_RADIX ? HOST_MMU_RADIX : HOST_MMU_HASH),
          pl->guest_mmu == GUEST_MMU_RADIX ? "TCG offers radix to a POWER9 or later guest whose kernel supports it"
          : p->mmu == GUEST_MMU_HASH       ? "the guest kernel runs hash only"
                                           : "a guest before POWER9 has only the hashed page table");

  if (p->nested) {
    if (pl->guest_mmu == GUEST_MMU_HASH) {
      plan_warn (pl, "this guest runs hash, so it cannot get nested KVM-HV: only KVM PR can run inside it");
    } else if (!qemu_at_least (c, 7, 0) || !has_cap (c, "cap-nested-hv")) {
      a->status = PLAN_REFUSED_IMPOSSIBLE;
      reason (a->reasons, "TCG emulates nested KVM-HV only from QEMU 7.0; this QEMU is %s",
              c->emu && c->emu->version ? c->emu->version : "older");
      reason (a->ways, "install QEMU 7.0 or later");
      return;
    } else {
      plan_set_prop (pl, "cap-nested-hv", "on", "the guest will run KVM-HV guests of its own; TCG emulates that since QEMU 7.0");
    }
  }
  /* TCG-CAPS: caps TCG cannot provide: turn them off so the console starts clean. */
  if (machine_at_most (c, 2, 11) && ggen >= 8 && has_cap (c, "cap-htm"))
    plan_set_prop (pl, "cap-htm", "off", "machine %s enables transactional memory, which TCG cannot emulate (\"No Transactional Memory support in TCG\")", pl->machine);
  if (machine_at_least (c, 4, 0)) {
    if (has_cap (c, "cap-cfpc"))
      plan_set_prop (pl, "cap-cfpc", "broken", "TCG has no cache-flush mitigation (else a warning at every start)");
    if (has_cap (c, "cap-sbbc"))
      plan_set_prop (pl, "cap-sbbc", "broken", "TCG has no bounds-check mitigation (else a warning at every start)");
    if (has_cap (c, "cap-ibs"))
      plan_set_prop (pl, "cap-ibs", "broken", "TCG has no indirect-branch mitigation (else a warning at every start)");
  }
  if (machine_at_least (c, 5, 0) && has_cap (c, "cap-ccf-assist"))
    plan_set_prop (pl, "cap-ccf-assist", "off", "TCG has no count cache flush assist (else a warning at every start)");
  if (p->mem_path) {
    pl->mem_path = g_strdup (p->mem_path);
    plan_decide (pl, "mem-path", pl->mem_path, "the profile sets mem-path: guest RAM is a file in that directory");
  }
}

static void
copy_attempt (Plan *pl, Attempt *a, const char *label)
{
  for (guint i = 0; i < a->reasons->len; i++) {
    const char *r = g_ptr_array_index (a->reasons, i);
    g_ptr_array_add (pl->reasons, label ? g_strdup_printf ("%s: %s", label, r) : g_strdup (r));
  }
  for (guint i = 0; i < a->ways->len; i++)
    g_ptr_array_add (pl->ways_out, g_strdup (g_ptr_array_index (a->ways, i)));
}

static gboolean
strv_has (GPtrArray *arr, const char *s)
{
  for (guint i = 0; i < arr->len; i++)
    if (g_str_equal (g_ptr_array_index (arr, i), s))
      return TRUE;
  return FALSE;
}

static void
dedup_ways (Plan *pl)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < pl->ways_out->len; i++) {
    const char *w = g_ptr_array_index (pl->ways_out, i);
    if (!strv_has (out, w))
      g_ptr_array_add (out, g_strdup (w));
  }
  g_ptr_array_unref (pl->ways_out);
  pl->ways_out = g_steal_pointer (&out);
}

/* Make PL a refusal with STATUS (fixable or impossible): its reasons and
 * ways out stay, the ways out once each. Returns PL. */
static Plan *
refuse (Plan *pl, PlanStatus status)
{
  pl->status = status;
  dedup_ways (pl);
  return pl;
}

typedef void (*TryFunc) (PlanInputs *c, Plan *pl, Attempt *a);

/* UNKNOWN-PAGE, UNKNOWN-GEN: a fact the host facts lack is planned at its
 * conservative value, and the plan says so. A shallow copy in *EFF: only
 * these two fields differ. */
static const HostFacts *
assume_unknown (const HostFacts *host, HostFacts *eff, gboolean *page_assumed, gboolean *gen_assumed)
{
  if (host->page_size != 0 && !(host->generation == 0 && host->mmu == HOST_MMU_RADIX))
    return host;
  *eff = *host;
  if (eff->page_size == 0) {
    eff->page_size = KIB4;
    *page_assumed = TRUE;
  }
  if (eff->generation == 0 && eff->mmu == HOST_MMU_RADIX) {
    eff->generation = 9;
    *gen_assumed = TRUE;
  }
  return eff;
}

static void
warn_assumed (Plan *pl, gboolean page_assumed, gboolean gen_assumed)
{
  if (page_assumed)
    plan_warn (pl, "the host page size is unknown (page_size): planned as for 4 KiB pages, which every host accepts (cap-hpt-max-page-size=4096 under KVM; a hash guest with larger pages is not run under KVM-HV; rule UNKNOWN-PAGE)");
  if (gen_assumed)
    plan_warn (pl, "the host CPU generation is unknown (no PVR): it runs radix, so it is POWER9 or later; planned as POWER9 (rule UNKNOWN-GEN)");
}

/* Which of KVM-HV, KVM PR and TCG the profile's accel= allows. */
static void
wanted_accels (int accel, gboolean want[3])
{
  switch (accel) {
  case ACCEL_AUTO: want[0] = want[1] = want[2] = TRUE; break;
  case ACCEL_KVM: want[0] = want[1] = TRUE; break;
  case ACCEL_HV: want[0] = TRUE; break;
  case ACCEL_PR: want[1] = TRUE; break;
  case ACCEL_TCG: want[2] = TRUE; break;
  }
}

/* MACHINE-TYPES: the machine type must exist in this QEMU (pinned versions disappear:
 * pseries-2.x is gone in QEMU 10). FALSE with the reason in RESULT. */
static gboolean
machine_exists (const EmulatorFacts *emu, Plan *result)
{
  const EmulatorMachine *oldest;

  if (!emu || !emu->machines || emu->machines->len == 0 || emulator_find_machine (emu, result->machine) != NULL)
    return TRUE;
  oldest = g_ptr_array_index (emu->machines, 0);
  reason (result->reasons, "QEMU %s has no machine type %s (its oldest pseries is %s)",
          emu->version ? emu->version : "", result->machine, oldest->name);
  reason (result->ways_out, "use machine=pseries (the newest), or one this QEMU has: %s .. %s",
          oldest->name, emu->default_machine ? emu->default_machine : "pseries");
  return FALSE;
}

/* Fell back to TCG where KVM cannot run this guest: on a POWER host a
 * warning with what KVM lacks (and what would make it possible); elsewhere
 * the accel decision says POWER guests need TCG there. */
static void
explain_tcg_fallback (const PlanInputs *c, Plan *pl, GPtrArray *impossible, GPtrArray *impossible_ways)
{
  GString *w;

  if (!host_is_ppc64 (c->host)) {
    for (guint j = 0; j < pl->decisions->len; j++) {
      PlanDecision *d = g_ptr_array_index (pl->decisions, j);
      if (g_str_equal (d->setting, "accel")) {
        g_free (d->reason);
        d->reason = g_strdup_printf ("this host is %s, not POWER: only TCG can run a POWER guest%s",
                                     c->host->arch ? c->host->arch : "not POWER",
                                     c->profile->smp > 1 ? " (one host thread per vCPU)" : "");
      }
    }
    return;
  }
  w = g_string_new ("KVM cannot run this guest here, so it runs emulated under TCG (much slower): ");
  for (guint j = 0; j < impossible->len; j++)
    g_string_append_printf (w, "%s%s", j ? "; " : "", (char *) g_ptr_array_index (impossible, j));
  if (impossible_ways->len > 0) {
    g_string_append (w, ". What would make KVM possible: ");
    for (guint j = 0; j < impossible_ways->len; j++)
      g_string_append_printf (w, "%s%s", j ? "; " : "", (char *) g_ptr_array_index (impossible_ways, j));
  }
  g_ptr_array_insert (pl->warnings, 0, g_string_free (w, FALSE));
}

Plan *
plan_build (const HostFacts *host, const EmulatorFacts *emu, const Profile *profile)
{
  PlanInputs c = { host, emu, profile, 0, 0 };
  HostFacts eff;
  gboolean page_assumed = FALSE, gen_assumed = FALSE;
  static const struct { PlanAccel accel; TryFunc fn; const char *label; } all[] = {
    { PLAN_ACCEL_KVM_HV, plan_try_hv, "KVM-HV" },
    { PLAN_ACCEL_KVM_PR, plan_try_pr, "KVM PR" },
    { PLAN_ACCEL_TCG, try_tcg, "TCG" },
  };
  gboolean want[3] = { FALSE, FALSE, FALSE };
  g_autoptr (Plan) result = plan_new (profile);
  g_autoptr (GPtrArray) impossible = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) impossible_ways = g_ptr_array_new_with_free_func (g_free);
  gboolean power_host = host_is_ppc64 (host);

  if (power_host)
    c.host = host = assume_unknown (host, &eff, &page_assumed, &gen_assumed);
  wanted_accels (profile->accel, want);
  if (!machine_exists (emu, result))
    return refuse (g_steal_pointer (&result), PLAN_REFUSED_IMPOSSIBLE);
  /* Unknown (e.g. "pseries" with no emulator facts): 0.0, read as current. */
  if (!emulator_machine_version (emu, result->machine, &c.mach_major, &c.mach_minor))
    c.mach_major = c.mach_minor = 0;
  if (!check_firmware (&c, result))
    return refuse (g_steal_pointer (&result), PLAN_REFUSED_IMPOSSIBLE);

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++) {
    g_autoptr (Plan) pl = NULL;
    Attempt a;

    if (!want[i])
      continue;
    pl = plan_new (profile);
    attempt_init (&a);
    all[i].fn (&c, pl, &a);
    if (a.status == PLAN_OK) {
      /* Fell back to TCG on a POWER host where KVM cannot run this guest. */
      if (all[i].accel == PLAN_ACCEL_TCG && impossible->len > 0)
        explain_tcg_fallback (&c, pl, impossible, impossible_ways);
      attempt_clear (&a);
      warn_assumed (pl, page_assumed, gen_assumed);
      choose_firmware (&c, pl);
      choose_boot_device (&c, pl);
      if (!firmware_file_present (&c, pl, result))
        return refuse (g_steal_pointer (&result), PLAN_REFUSED_FIXABLE);
      return g_steal_pointer (&pl);
    }
    if (a.status == PLAN_REFUSED_FIXABLE) {
      g_autoptr (Plan) r = plan_new (profile);
      copy_attempt (r, &a, NULL);
      /* What the guest would need, for `ppcvm hugepages`. */
      r->hugepage_size = pl->hugepage_size;
      r->hugepages_needed = pl->hugepages_needed;
      if (profile->accel == ACCEL_AUTO || profile->accel == ACCEL_KVM)
        add_tcg_way (r->ways_out);
      attempt_clear (&a);
      return refuse (g_steal_pointer (&r), PLAN_REFUSED_FIXABLE);
    }
    for (guint j = 0; j < a.reasons->len; j++)
      g_ptr_array_add (impossible, g_strdup_printf ("%s: %s", all[i].label, (char *) g_ptr_array_index (a.reasons, j)));
    for (guint j = 0; j < a.ways->len; j++)
      if (!strv_has (impossible_ways, g_ptr_array_index (a.ways, j)))
        g_ptr_array_add (impossible_ways, g_strdup (g_ptr_array_index (a.ways, j)));
    attempt_clear (&a);
  }

  /* Nothing asked for can run. */
  for (guint j = 0; j < impossible->len; j++)
    g_ptr_array_add (result->reasons, g_strdup (g_ptr_array_index (impossible, j)));
  for (guint j = 0; j < impossible_ways->len; j++)
    g_ptr_array_add (result->ways_out, g_strdup (g_ptr_array_index (impossible_ways, j)));
  if (!want[2])
    add_tcg_way (result->ways_out);
  return refuse (g_steal_pointer (&result), PLAN_REFUSED_IMPOSSIBLE);
}
