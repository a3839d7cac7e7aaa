/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The OS catalogue: for each POWER distribution and release, where its
 * installer ISO and cloud image are, how to verify them, what its kernel
 * needs (page size, MMU) and which shipped profile it pairs with.
 * One GKeyFile per OS (NAME.conf: an [os] group and [release R] groups),
 * found like profiles: $PPCVM_CATALOGUE_PATH, $XDG_CONFIG_HOME/ppcvm/catalogue,
 * SYSCONFDIR/ppcvm/catalogue, the data dirs; the first NAME.conf wins. */
#pragma once

#include <glib.h>

typedef enum {
  CATALOGUE_MEDIA_ISO,
  CATALOGUE_MEDIA_CLOUD,
} CatalogueMediaKind;

typedef struct {
  CatalogueMediaKind kind;
  char *url;            /* the media URL; its last component may hold '*' globs */
  char *checksum;       /* checksum file: absolute URL or relative to url's dir; {file} */
  GChecksumType checksum_type;
  char *signature;      /* detached signature of the checksum file, or NULL */
  char *signing_key;    /* the expected primary key fingerprint (40 hex), or NULL */
  char *keyring;        /* a system keyring that may hold the key, or NULL */
  char *format;         /* qcow2 or raw (cloud), "raw" for an ISO */
} CatalogueMedia;

typedef struct {
  char *os;             /* the file's base name: "debian" */
  char *os_name;        /* [os] name= */
  char *release;        /* "13" */
  char *id;             /* "debian-13" */
  char *name;           /* [release] name= */
  char *profile;
  guint64 page_size;    /* 4096 or 65536 */
  char **mmu;           /* "radix", "hash" */
  char *source;         /* what the page size and MMU rest on */
  gboolean is_default;  /* the OS's default release */
  char *path;           /* the catalogue file */
  CatalogueMedia *iso;  /* NULL when not published */
  CatalogueMedia *cloud;
} CatalogueEntry;

typedef struct _Catalogue Catalogue;

/* The search directories, in order (a NULL-terminated, newly allocated strv). */
char **catalogue_search_dirs (void);

/* Load every OS file found in DIRS (NULL: catalogue_search_dirs ()). A file
 * that does not parse is an error naming the file, group and key. */
Catalogue *catalogue_load (const char *const *dirs, GError **error);
/* Load one file. */
Catalogue *catalogue_load_file (const char *path, GError **error);
void catalogue_free (Catalogue *catalogue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Catalogue, catalogue_free)

/* Every entry, sorted by OS then in file order. Owned by the catalogue. */
GPtrArray *catalogue_entries (const Catalogue *catalogue);

/* Find "OS" (its default release) or "OS-RELEASE". Unknown OS: NOT_FOUND
 * naming the nearest OS names; unknown release: NOT_FOUND listing the
 * releases. */
const CatalogueEntry *catalogue_lookup (const Catalogue *catalogue, const char *spec,
                                        GError **error);

const char *catalogue_media_kind_name (CatalogueMediaKind kind);
const char *catalogue_checksum_name (GChecksumType type);
