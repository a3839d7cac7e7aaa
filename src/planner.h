/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The planner: from host facts, emulator facts and a profile, the fastest
 * configuration that will really boot, or a refusal with the ways out.
 *
 * Every POWER rule lives here, once. plan_build() is a pure function: no I/O,
 * no globals, no clock. Each choice records a one-line reason. */
#pragma once

#include <glib.h>

#include "emulator.h"
#include "host.h"
#include "profile.h"

typedef enum { PLAN_ACCEL_KVM_HV, PLAN_ACCEL_KVM_PR, PLAN_ACCEL_TCG } PlanAccel;
/* The boot firmware: SLOF (QEMU's default) or VOF (-machine x-vof=on). */
typedef enum { PLAN_FIRMWARE_SLOF, PLAN_FIRMWARE_VOF } PlanFirmware;

typedef enum {
  PLAN_OK,
  PLAN_REFUSED_FIXABLE,    /* a setup step the user can do (modprobe, kvm group, hugepages) */
  PLAN_REFUSED_IMPOSSIBLE, /* this host cannot run this guest as asked */
} PlanStatus;

typedef struct {
  char *setting;
  char *value;
  char *reason;
} PlanDecision;

/* A -machine property (cap-htm=off), unescaped. */
typedef struct {
  char *key;
  char *value;
} PlanProp;

typedef struct {
  PlanStatus status;

  PlanAccel accel;
  GuestMmu guest_mmu;
  char *machine;            /* "pseries" or a pinned "pseries-X.Y" */
  GPtrArray *machine_props; /* of PlanProp*, in order */
  char *accel_opts;         /* the -accel value: "kvm", "tcg,thread=multi" */
  char *cpu;                /* the -cpu value, NULL: QEMU's default for the machine */
  guint64 memory;
  char *mem_path;           /* -mem-path directory, NULL: ordinary memory */
  guint64 hugepage_size;    /* bytes, 0 when not hugepage-backed */
  guint64 hugepages_needed;
  gboolean no_vga;          /* never give this guest a VGA device (KVM PR) */
  PlanFirmware firmware;

  GPtrArray *decisions;     /* of PlanDecision* */
  GPtrArray *warnings;      /* of char* */

  GPtrArray *reasons;       /* refusal: of char* */
  GPtrArray *ways_out;      /* refusal: of char*, each a command or an edit */
} Plan;

Plan *plan_build (const HostFacts *host, const EmulatorFacts *emu, const Profile *profile);
void plan_free (Plan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Plan, plan_free)

const char *plan_accel_to_string (PlanAccel accel);  /* "kvm-hv", "kvm-pr", "tcg" */
const char *plan_firmware_to_string (PlanFirmware firmware); /* "slof", "vof" */
/* The -machine value: "pseries,cap-...=...,..." (props QEMU-escaped). */
char *plan_machine_string (const Plan *plan);
/* The value the plan decided for SETTING, or NULL. */
const char *plan_decision_value (const Plan *plan, const char *setting);
/* The reason of that decision, or NULL. */
const char *plan_decision_reason (const Plan *plan, const char *setting);
/* Is KEY a machine property the planner decides from the host's facts (and so
 * one a command line written for another host must not dictate)? */
gboolean plan_is_planned_property (const char *key);
/* Does the plan set machine property KEY (returns its value or NULL)? */
const char *plan_machine_prop (const Plan *plan, const char *key);
/* Append machine property KEY=VALUE (no decision: plan_set_prop() records one). */
void plan_add_machine_prop (Plan *plan, const char *key, const char *value);
void plan_prop_free (PlanProp *prop);

/* Hugepages a guest of MEMORY bytes needs with pages of PAGE_SIZE bytes. */
guint64 plan_hugepages_for (guint64 memory, guint64 page_size);
/* The same with headroom, for the vm.nr_hugepages suggestion. */
guint64 plan_hugepages_with_headroom (guint64 needed);

/* One step of the hugepage setup: a command to run now, or a line that keeps
 * the runtime steps after a reboot. */
typedef enum {
  PLAN_HUGEPAGE_RUN,  /* TEXT is a command for the running kernel */
  PLAN_HUGEPAGE_KEEP, /* TEXT is a line to add to WHERE so WHAT survives a reboot */
} PlanHugepageKind;

typedef struct {
  PlanHugepageKind kind;
  char **argv; /* RUN: the command, run as root; no privilege wrapper in it */
  char *text;  /* KEEP: the line to add */
  char *what;  /* KEEP: "the mount", "the pages" */
  char *where; /* KEEP: "/etc/fstab", "the kernel command line", ... */
} PlanHugepageStep;

void plan_hugepage_step_free (PlanHugepageStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanHugepageStep, plan_hugepage_step_free)
/* The step as one line: the shell command ("sudo sysctl vm.nr_hugepages=272";
 * without "sudo" when AS_ROOT), or "to keep WHAT, add to WHERE: TEXT". */
char *plan_hugepage_step_to_string (const PlanHugepageStep *step, gboolean as_root);

/* The steps that give this host HUGEPAGES_NEEDED free pages of PAGE_SIZE
 * bytes on a writable hugetlbfs mount (the runtime commands, then the lines
 * that make them permanent): a newly allocated array of PlanHugepageStep*.
 * PAGE_SIZE is the host's default hugepage size, the one plans back RAM with
 * (VRMA-HUGEPAGES), whose pool is the sysctl vm.nr_hugepages. */
GPtrArray *plan_hugepage_commands (const HostFacts *host, guint64 page_size, guint64 needed);
/* The same with the mount at MOUNT_POINT instead of /dev/hugepages. */
GPtrArray *plan_hugepage_commands_at (const HostFacts *host, guint64 page_size, guint64 needed,
                                      const char *mount_point);
/* The generation of a QEMU CPU model name ("power9_v2.0", "POWER8"), 0 if none. */
int plan_cpu_model_generation (const char *model);

/* What-if planning: the setup steps a refusal names, as if done. */
typedef enum {
  PLAN_SET_UP_HUGEPAGES = 1 << 0, /* the default hugepages free and mounted */
  PLAN_SET_UP_KVM = 1 << 1,       /* /dev/kvm usable, kvm_hv (nested) and kvm_pr loaded */
} PlanSetUp;

/* A copy of HOST as it will be once STEPS are done (a missing hugetlbfs
 * mount appears at MOUNT_POINT). Only the facts change; pure. */
HostFacts *plan_host_set_up (const HostFacts *host, PlanSetUp steps, const char *mount_point);
/* plan_build() on that host, with its emulator: the plan once STEPS are done. */
Plan *plan_build_set_up (const HostFacts *host, const Profile *profile, PlanSetUp steps,
                         const char *mount_point);

/* Setup problems this host has for running guests, each "problem: fix".
 * Pure, like plan_build; a newly allocated array of strings. */
GPtrArray *plan_host_advice (const HostFacts *host);

/* Host readiness (`ppcvm host --check`): every prerequisite the planner
 * knows, each passed, warned about or failed, with the fix in its text.
 * plan_host_advice () is the text of those that did not pass. */
typedef enum { PLAN_CHECK_PASS, PLAN_CHECK_WARN, PLAN_CHECK_FAIL } PlanCheckLevel;
/* The fix of a check that did not pass, as an action (`host --check --fix`
 * applies the safe kinds; the text of the check says the rest). */
typedef enum {
  PLAN_FIX_KIND_NONE,      /* passed */
  PLAN_FIX_KIND_MANUAL,    /* not safe to do unasked (kvm group, kernel parameters,
                            * packages, reloading a module): shown, not applied */
  PLAN_FIX_KIND_HUGEPAGES, /* reserve pages, mount hugetlbfs, own it (hugepages_apply) */
  PLAN_FIX_KIND_SMT_OFF,   /* ppc64_cpu --smt=off */
  PLAN_FIX_KIND_MODPROBE,  /* modprobe MODULE */
} PlanFixKind;
typedef struct {
  PlanFixKind kind;
  char *module;       /* MODPROBE: "kvm_hv", "kvm_pr" */
  guint64 page_size;  /* HUGEPAGES: bytes */
  guint64 pages;      /* HUGEPAGES: free pages needed (0: the mount only) */
} PlanFix;
typedef struct {
  char *id;             /* "qemu", "firmware", "power", "kvm-hv", "kvm-pr", "dev-kvm", "smt", ... */
  PlanCheckLevel level;
  char *text;
  PlanFix fix;
} PlanCheck;
void plan_check_free (PlanCheck *check);
GPtrArray *plan_host_checks (const HostFacts *host);  /* of PlanCheck* */
/* The checks of PLAN for its profile: one per refusal reason or warning. */
void plan_add_plan_checks (GPtrArray *checks, const Plan *plan);
const char *plan_check_level_to_string (PlanCheckLevel level);  /* "pass", "warn", "fail" */
/* Set the hugepage fixes of CHECKS for PROFILE (NULL: the host alone): the
 * pages its plan needs once set up, as `ppcvm hugepages` computes them;
 * without a profile only the mount (how many pages is the profile's). */
void plan_checks_set_hugepage_fixes (GPtrArray *checks, const HostFacts *host, const Profile *profile);
/* The distinct safe fixes of CHECKS (PlanFix*, owned by CHECKS): one
 * hugepages action for the most pages asked, one modprobe per module. */
GPtrArray *plan_checks_safe_fixes (GPtrArray *checks);
gboolean plan_fix_is_safe (const PlanFix *fix);
const char *plan_fix_kind_to_string (PlanFixKind kind);  /* "none", "manual", "hugepages", "smt-off", "modprobe" */
/* When PLAN (PROFILE's plan on HOST) is a fixable refusal: the plan once
 * hugepages are set up (mounted on MOUNT_POINT), or, when that still does
 * not run, once KVM is set up too; *RET_STEPS says which. Its
 * hugepage_size and hugepages_needed are what PROFILE needs when it is
 * PLAN_OK with a hugepage_size (`ppcvm hugepages`, `host --check --fix`).
 * NULL for a plan that is not a fixable refusal. */
Plan *plan_hugepages_ready (const HostFacts *host, const Profile *profile, const Plan *plan,
                            const char *mount_point, PlanSetUp *ret_steps);

/* The fixes the planner names are in remedies.h. */
