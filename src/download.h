/* SPDX-License-Identifier: GPL-2.0-or-later */
/* HTTP(S) downloads with libcurl: small files into memory, media into a
 * .part file that a later call resumes (Range). Proxies come from the
 * environment (http_proxy, https_proxy, no_proxy), as libcurl reads them. */
#pragma once

#include <glib.h>

/* NOW and TOTAL count the whole file (a resumed part included); TOTAL is 0
 * when the server does not say. RESUMED_FROM is where this transfer began. */
typedef void (*DownloadProgressFunc) (guint64 now, guint64 total, guint64 resumed_from,
                                      gpointer user_data);

typedef struct {
  guint connect_timeout_s; /* 0: 30 s */
  guint stall_timeout_s;   /* abort when nothing arrives for this long; 0: 60 s */
  DownloadProgressFunc progress;
  gpointer user_data;
} DownloadOptions;

/* TRUE when ppcvm was built with libcurl. */
gboolean download_available (void);

/* GET URL into *RET (at most MAX_BYTES). HTTP errors (404...) fail with
 * PPCVM_ERROR_NOT_FOUND for 404/410, PPCVM_ERROR_FAILED otherwise. */
gboolean download_to_bytes (const char *url, gsize max_bytes, const DownloadOptions *options,
                            GBytes **ret, GError **error);

/* GET URL into PART_PATH, appending from its current size with a Range
 * request when it exists (a server that ignores Range restarts it). On
 * failure the part file is kept for the next call to resume. */
gboolean download_to_file (const char *url, const char *part_path, const DownloadOptions *options,
                           GError **error);
