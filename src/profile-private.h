/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by profile.c (loading, structure, search) and profile-groups.c (the
 * groups' keys and values). Not part of the module's contract. */
#pragma once

#include "profile.h"

typedef struct {
  const char *filename;  /* for messages */
  char *dir;             /* relative paths in the file are relative to this */
  GKeyFile *kf;
  GHashTable *overrides; /* "group\037key" -> "-s group.key=value" */
} LoadContext;

void profile_disk_free (ProfileDisk *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProfileDisk, profile_disk_free)

/* "group\037key", the key of LoadContext.overrides. */
char *profile_override_id (const char *group, const char *key);

/* "a, b or c" (LAST_SEP before the last name). */
char *profile_join_names (const char *const *names, const char *last_sep);

/* S is not empty and has only ASCII letters, digits and characters of EXTRA. */
gboolean profile_is_word (const char *s, const char *extra);

/* One loader per group: read [G] of CTX into P. */
gboolean profile_load_guest (LoadContext *ctx, const char *g, Profile *p, GError **error);
gboolean profile_load_boot (LoadContext *ctx, const char *g, Profile *p, GError **error);
gboolean profile_load_disk (LoadContext *ctx, const char *g, Profile *p, GError **error);
gboolean profile_load_network (LoadContext *ctx, const char *g, Profile *p, GError **error);
gboolean profile_load_qemu (LoadContext *ctx, const char *g, Profile *p, GError **error);
gboolean profile_load_cloud_init (LoadContext *ctx, const char *g, Profile *p, GError **error);
gboolean profile_load_ssh (LoadContext *ctx, const char *g, Profile *p, GError **error);
