/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Getting an OS's media into the cache: the checksum file (and its
 * signature, checked with gpgv), the media resumed from a .part file, the
 * checksum always verified before the file is named as complete. */
#pragma once

#include <glib.h>

#include "catalogue.h"
#include "download.h"

typedef enum {
  MEDIA_SIGNATURE_VERIFIED,      /* gpgv: a good signature by the catalogue's key */
  MEDIA_SIGNATURE_NOT_PUBLISHED, /* the catalogue lists no signature */
  MEDIA_SIGNATURE_NO_KEY,        /* no fingerprint in the catalogue, or key in no keyring */
  MEDIA_SIGNATURE_NO_GPGV,       /* gpgv is not installed */
} MediaSignature;

typedef struct {
  char *path;           /* the verified file in the cache */
  char *url;
  char *file;
  char *checksum;       /* hex */
  GChecksumType checksum_type;
  MediaSignature signature;
  char *signature_detail; /* the key that signed, or why not checked */
  gboolean cached;      /* it was there already (and verified again) */
  guint64 size;
} MediaResult;

void media_result_free (MediaResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MediaResult, media_result_free)

typedef struct {
  const char *cache_dir;   /* files go to CACHE_DIR/OS-RELEASE/ */
  const char *base_url;    /* replaces each URL's scheme://host[:port], or NULL */
  const char *const *keyrings; /* extra keyrings for gpgv (the catalogue's come too) */
  guint retries;           /* resumed attempts after a dropped transfer */
  DownloadOptions download;
  /* Told each step ("checksum file", "resuming at N"...), for the user. */
  void (*note) (const char *message, gpointer user_data);
  gpointer note_data;
} MediaOptions;

/* URL with its scheme://host[:port] replaced by BASE (its path kept). */
char *media_rebase_url (const char *url, const char *base);

/* Parse a checksum file (GNU "HASH  FILE", "HASH *FILE" and BSD
 * "TYPE (FILE) = HASH" lines; other lines skipped) into basename -> hex. */
GHashTable *media_parse_checksums (const char *text, GChecksumType type);

/* The file PATTERN ('*' globs) names among the checksum file's entries: the
 * literal name, or the highest (version order) match. NULL with an error
 * naming CHECKSUM_URL when none. */
char *media_resolve_name (GHashTable *sums, const char *pattern, const char *checksum_url,
                          GError **error);

/* Check SIGNATURE over DATA with gpgv and KEYRINGS: the primary key
 * fingerprint that made a good signature must be FINGERPRINT. A bad
 * signature or another key fails; an unavailable key or gpgv is not an
 * error: *RET_STATE says so. */
gboolean media_verify_signature (GBytes *data, GBytes *signature, const char *fingerprint,
                                 const char *const *keyrings, MediaSignature *ret_state,
                                 char **ret_detail, GError **error);

/* Hash of a file, hex. */
char *media_file_checksum (const char *path, GChecksumType type, guint64 *ret_size, GError **error);

/* Get ENTRY's KIND media as the options say. */
MediaResult *media_get (const CatalogueEntry *entry, CatalogueMediaKind kind,
                        const MediaOptions *options, GError **error);

const char *media_signature_name (MediaSignature s);
