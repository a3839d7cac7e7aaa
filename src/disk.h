/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest disk images through qemu-img: create (qcow2, or a qcow2 overlay on a
 * downloaded image with an explicit backing format), inspect, and internal
 * snapshots of a disk no qemu has open. Formats are always explicit: nothing
 * is left for qemu to guess. Nothing here prints. */
#pragma once

#include <glib.h>

typedef struct {
  char *format;          /* what qemu-img detects: "qcow2", "raw"... */
  guint64 virtual_size;  /* bytes */
  char *backing;         /* the backing file, or NULL */
  char *full_backing;    /* ...resolved against the image's directory */
  char *backing_format;  /* its format as recorded in the image, or NULL
                          * (then qemu would guess it from its contents) */
  GPtrArray *snapshots;  /* of DiskSnapshot*, oldest first (qcow2 only) */
} DiskInfo;

typedef struct {
  char *tag;
  guint64 vm_state_size; /* bytes of saved RAM: a snapshot of a running guest */
  gint64 date;           /* Unix time, seconds */
} DiskSnapshot;

void disk_info_free (DiskInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskInfo, disk_info_free)

/* qemu-img: $PPCVM_QEMU_IMG if set, else from $PATH. NULL with
 * PPCVM_ERROR_NOT_FOUND (and the package to install) when absent. */
char *disk_qemu_img (GError **error);

/* What qemu-img says about PATH (read-only, without taking its lock, so it
 * works while a guest runs). FORMAT NULL: detect; else force it. */
DiskInfo *disk_info (const char *path, const char *format, GError **error);

/* The backing file of PATH (an image of FORMAT): none is fine (TRUE, *RET_NOTE
 * NULL); one with an explicit backing format is TRUE with *RET_NOTE saying
 * so; one without is refused (PPCVM_ERROR_INVALID, with the qemu-img command
 * that records it). An image qemu-img cannot read is TRUE with the reason in
 * *RET_NOTE (qemu will say more). raw images are not inspected. */
gboolean disk_check_backing (const char *path, const char *format, char **ret_note, GError **error);

/* Create PATH: a qcow2 image of SIZE bytes or, with BACKING, a qcow2 overlay
 * on BACKING (format BACKING_FORMAT, an absolute path) of SIZE bytes (0: the
 * backing file's size). The image is made under a temporary name next to
 * PATH and renamed into place only when complete: an existing PATH is
 * replaced only with REPLACE, and a failure leaves nothing behind. */
gboolean disk_create (const char *path, guint64 size, const char *backing, const char *backing_format,
                      gboolean replace, GError **error);

/* Internal snapshots of a qcow2 disk no qemu has open (qemu-img snapshot,
 * which takes the image's lock: a running guest's disk is refused by
 * qemu-img itself). OP is 'c' create, 'a' apply (revert), 'd' delete. */
gboolean disk_snapshot (const char *path, char op, const char *tag, GError **error);

/* A snapshot tag: 1..64 letters, digits, '.', '_', '-', not all digits
 * (qemu takes a number as a snapshot id). */
gboolean disk_snapshot_tag_is_valid (const char *tag);
