/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Preflight: what a plan asks of this machine, checked before qemu starts,
 * so that qemu never dies of it ("Cannot allocate memory", "Display 'gtk' is
 * not available", "-append only allowed with -kernel option"). The planner
 * stays pure; these checks read files and the host's free memory. */
#pragma once

#include <glib.h>

#include "emulator.h"
#include "host.h"
#include "planner.h"
#include "profile.h"

/* Check PLAN (PLAN_OK) for PROFILE on HOST with EMU (NULL: unknown). A
 * problem qemu would die of turns the plan into a refusal (status
 * PLAN_REFUSED_FIXABLE, reasons and ways out, each fix in words); one the
 * guest may survive is a warning in plan->warnings. FORCE turns the refusals
 * a user may know better about (memory above the host's total) into
 * warnings. Nothing is printed. */
void preflight_check (Plan *plan, const HostFacts *host, const EmulatorFacts *emu, const Profile *profile,
                      gboolean force);
