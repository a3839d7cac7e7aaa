/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm export --libvirt: the plan as a libvirt domain (formatdomain),
 * valid per libvirt 9.0's schema (virt-xml-validate FILE domain). The pseries
 * caps libvirt has an element for go to <features>; the others, and anything
 * without a libvirt element, to <qemu:commandline>. */
#pragma once

#include <glib.h>

#include "host.h"
#include "planner.h"
#include "profile.h"

typedef struct {
  const char *arch;         /* <type arch=>: "ppc64le" or "ppc64"; NULL: from the host, else ppc64le */
  const char *emulator;     /* <emulator>, NULL: none (libvirt picks) */
  const char *vnc_password; /* the content of vnc-password-file, or NULL */
} LibvirtOptions;

/* A libvirt domain name from NAME: letters, digits, '.', '_', '-' kept, the
 * rest '-'; never empty. Newly allocated. */
char *libvirt_domain_name (const char *name);

/* The domain XML for PLAN (which must be PLAN_OK) and PROFILE; NOTES gets
 * one line per thing that libvirt expresses differently from `ppcvm run`
 * (may be NULL). Newly allocated. */
char *libvirt_domain_xml (const Plan *plan, const Profile *profile, const LibvirtOptions *options,
                          GPtrArray *notes);
