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

/* The namespace of ppcvm's <metadata> in the domain: the profile's keys
 * that no libvirt element holds (mmu, page size, CPU, accel...). */
#define LIBVIRT_PPCVM_NS "urn:x-ppcvm:profile:1"

/* libvirt's version numbers: major * 1000000 + minor * 1000 + micro. */
#define LIBVIRT_VERSION(maj, min, mic) ((maj) * 1000000u + (min) * 1000u + (mic))
/* The oldest libvirt export writes for when it is not told (Debian 12). */
#define LIBVIRT_VERSION_DEFAULT LIBVIRT_VERSION (9, 0, 0)
/* The first libvirt whose passt backend (<backend type='passt'/> with
 * <portForward>) works: 9.0.0 added it, but Debian 12's 9.0.0 daemon
 * rejects the element (libvirt issue 462), 9.1.0 fixed passt start-up
 * errors and 9.2.0 made passt work under AppArmor/SELinux (NEWS.rst). */
#define LIBVIRT_VERSION_PASST LIBVIRT_VERSION (9, 2, 0)

typedef struct {
  const char *arch;         /* <type arch=>: "ppc64le" or "ppc64"; NULL: the profile's endian= */
  const char *emulator;     /* <emulator>, NULL: none (libvirt picks) */
  const char *vnc_password; /* the content of vnc-password-file, or NULL */
  guint version;            /* the target libvirt, LIBVIRT_VERSION (); 0: the default */
  gboolean passt;           /* the passt binary is installed where the guest runs */
  const char *uuid;         /* <uuid>, NULL: libvirt_domain_uuid (profile) */
} LibvirtOptions;

/* The domain name for a profile NAME: a readable slug -- transliterated to
 * ASCII, lower case, every run of other characters than letters and digits
 * one '-', none at either end, at most 48 characters; "ppcvm" if nothing
 * is left. Newly allocated. */
char *libvirt_domain_name (const char *name);

/* The domain UUID of PROFILE: its [guest] uuid= when set, else one derived
 * from the profile's id (its file name without .conf) as an RFC 4122
 * name-based (SHA-1, version 5) UUID, so that every export of the same
 * profile defines the same domain. Newly allocated. */
char *libvirt_domain_uuid (const Profile *profile);

/* "9.0", "9.0.0", "10.1.0" -> LIBVIRT_VERSION (); FALSE with an error. */
gboolean libvirt_parse_version (const char *s, guint *ret, GError **error);
/* "9.2.0" from LIBVIRT_VERSION (). Newly allocated. */
char *libvirt_version_string (guint version);

/* The version of the libvirt that will run the guest: for URI (not NULL)
 * the daemon's, asked with `virsh -c URI version --daemon`; for NULL the
 * local library's (`virsh --version`). */
gboolean libvirt_query_version (const char *uri, guint *ret, GError **error);

/* The domain XML for PLAN (which must be PLAN_OK) and PROFILE; NOTES gets
 * one line per thing that libvirt expresses differently from `ppcvm run`
 * (may be NULL). Newly allocated. */
char *libvirt_domain_xml (const Plan *plan, const Profile *profile, const LibvirtOptions *options,
                          GPtrArray *notes);
