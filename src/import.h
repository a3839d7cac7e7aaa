/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm import: a qemu-system-ppc64 command line (what people keep in
 * aliases and scripts) turned into a profile, the inverse of cmdline.c.
 * What has a profile key goes there; caps the planner computes itself are
 * dropped; everything else is kept verbatim, in order, in [qemu] args. */
#pragma once

#include <glib.h>

typedef struct {
  GKeyFile *profile;  /* the profile, written with g_key_file_set_* */
  GPtrArray *kept;    /* of char*: each option kept verbatim, as shell words */
  GPtrArray *notes;   /* of char*: dropped or changed settings, one line each */
} ImportResult;

/* Import ARGV (the qemu binary first, or the first option). Relative paths
 * are made absolute against CWD (NULL: the current directory). Fails with
 * PPCVM_ERROR_INVALID for a command that is not a pseries guest or an
 * option missing its value. */
ImportResult *import_qemu_command (const char *const *argv, const char *cwd, GError **error);
void import_result_free (ImportResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportResult, import_result_free)

/* Try the options of R->kept with the qemu at BINARY: a dry start of a
 * pseries machine (TCG, no default devices) that dumps its device tree and
 * exits, so that qemu parses and applies them without booting anything.
 * Returns qemu's error for each option it refuses, which names it ("-net
 * nic,vlan=0: Invalid parameter 'vlan'"; a file that is not here), and
 * takes those options out of R (kept and [qemu] args): they are not carried
 * over. Empty when qemu accepts them all. */
GPtrArray *import_check_kept (ImportResult *r, const char *binary);

/* The profile text, with ORIGINAL (the command, shell-quoted) as a comment. */
char *import_result_to_data (const ImportResult *result, const char *original);

/* QEMU option syntax ("k=v,k2=v2", ",," for a comma in a value): split S into
 * alternating keys and values, a newly allocated strv. A first item without
 * '=' is the value of IMPLIED (when not NULL); a later bare "flag" gets the
 * value "on". */
GStrv import_split_opts (const char *s, const char *implied);

/* Import a libvirt domain XML (DATA, read from FILENAME): name, uuid,
 * memory, vCPUs, os (kernel, machine, arch), disks, cdrom, the interface
 * and its forwards, VNC, ppcvm's <metadata> from `ppcvm export`. The
 * pseries caps are the planner's; every difference is a note. */
ImportResult *import_libvirt_xml (const char *data, const char *filename, GError **error);
/* Does DATA hold a libvirt domain (its first element <domain>)? */
gboolean import_is_libvirt_xml (const char *data);
