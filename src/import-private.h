/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What import.c (the command, machine, CPU, memory, boot) and
 * import-devices.c (drives, network, display) share. Not a public API. */
#pragma once

#include <glib.h>

#include "import.h"
#include "profile.h"

#define G_GUEST "guest"
#define G_BOOT "boot"
#define G_NET "network"

typedef struct {
  char *opt;  /* without the leading dashes */
  char *arg;  /* NULL for a flag */
  gboolean used;
} Item;

/* One qemu command line being turned into a profile: its items and what
 * they have said so far. */
typedef struct {
  ImportResult *r;
  GPtrArray *items; /* of Item* */
  const char *cwd;
  int accel;        /* -1: not given; else an AccelRequest */
  gboolean kvm_type_pr, kvm_type_hv, nested;
  int compat;       /* max-cpu-compat generation, 0: none */
  guint disks;
} ArgvImport;

void import_note (ArgvImport *c, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
const char *import_opts_get (char **kv, const char *key);
gboolean import_opts_only (char **kv, const char *const *allowed);
gboolean import_parse_onoff (const char *v, gboolean *ret);
char *import_abs_path (ArgvImport *c, const char *path);
gboolean import_is_protocol (const char *file);
/* Keep IT verbatim in [qemu] args (and say so). */
void import_keep (ArgvImport *c, Item *it);
/* The unused items for OPT, in order (a container: the items stay C's). */
GPtrArray *import_find_items (ArgvImport *c, const char *opt);
Item *import_first_item (ArgvImport *c, const char *opt);
void import_set (ArgvImport *c, const char *group, const char *key, const char *value);

void import_do_drives (ArgvImport *c);
void import_do_network (ArgvImport *c);
void import_do_display (ArgvImport *c);
