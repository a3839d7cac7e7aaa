/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Making a new guest's files from downloaded media (`ppcvm new --os`):
 * a qcow2 disk (fresh, or an overlay on a cloud image) with qemu-img, and a
 * cloud-init NoCloud seed (volume label cidata: user-data, meta-data) built
 * with xorriso. */
#pragma once

#include <glib.h>

/* qemu-img create -f qcow2 [-b BACKING -F BACKING_FORMAT] PATH [SIZE].
 * SIZE may be NULL with a backing file (the image's own size). */
gboolean provision_create_disk (const char *path, const char *size, const char *backing,
                                const char *backing_format, GError **error);

/* #cloud-config: HOSTNAME, one USER with passwordless sudo, locked
 * password, and KEYS (OpenSSH public key lines) as authorized keys. */
char *provision_user_data (const char *user, const char *hostname, const char *const *keys);
/* instance-id and local-hostname. */
char *provision_meta_data (const char *instance_id, const char *hostname);

/* The public key lines of FILE (comments and blank lines skipped); fails
 * when FILE holds none. */
char **provision_read_keys (const char *file, GError **error);

/* Write DIR/user-data and DIR/meta-data, and DIR/seed.iso (label cidata)
 * from them with xorriso. */
gboolean provision_build_seed (const char *dir, const char *user_data, const char *meta_data,
                               char **ret_iso, GError **error);
