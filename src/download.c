/* SPDX-License-Identifier: GPL-2.0-or-later */
/* download.h with libcurl: a well-kept HTTP library (TLS, proxies from the
 * environment, redirects, Range, timeouts) rather than hand-written HTTP. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "download.h"
#include "util.h"

#ifdef HAVE_LIBCURL
#include <dlfcn.h>

#include <curl/curl.h>

/* libcurl is loaded when a download starts, not linked: it brings some thirty
 * libraries (TLS, HTTP/2, SSH, LDAP, Kerberos...) that every other ppcvm
 * command would load at each start, ~25 ms and 6 MiB (bench/plan-warm.sh).
 * libcurl.so.4 is the ABI these headers describe (stable since 2006). */
static struct {
  CURLcode (*global_init) (long flags);
  CURL *(*easy_init) (void);
  CURLcode (*easy_setopt) (CURL *curl, CURLoption option, ...);
  CURLcode (*easy_perform) (CURL *curl);
  CURLcode (*easy_getinfo) (CURL *curl, CURLINFO info, ...);
  void (*easy_cleanup) (CURL *curl);
  const char *(*easy_strerror) (CURLcode code);
} lib;
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_init lib.easy_init
#define curl_easy_setopt lib.easy_setopt
#define curl_easy_perform lib.easy_perform
#define curl_easy_getinfo lib.easy_getinfo
#define curl_easy_cleanup lib.easy_cleanup
#define curl_easy_strerror lib.easy_strerror

static gboolean
load_libcurl (GError **error)
{
  static gsize once = 0;
  static char *failure = NULL;

  if (g_once_init_enter (&once)) {
    static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };
    void *h = NULL;
    for (gsize i = 0; h == NULL && i < G_N_ELEMENTS (sonames); i++)
      h = dlopen (sonames[i], RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
      failure = g_strdup_printf ("cannot load libcurl.so.4 (%s): install it (Debian: apt-get install libcurl4)",
                                 dlerror ());
    } else {
#define SYM(field, name) (*(void **) &lib.field = dlsym (h, name)) != NULL
      if (SYM (global_init, "curl_global_init") && SYM (easy_init, "curl_easy_init") &&
          SYM (easy_setopt, "curl_easy_setopt") && SYM (easy_perform, "curl_easy_perform") &&
          SYM (easy_getinfo, "curl_easy_getinfo") && SYM (easy_cleanup, "curl_easy_cleanup") &&
          SYM (easy_strerror, "curl_easy_strerror"))
        lib.global_init (CURL_GLOBAL_DEFAULT);
      else
        failure = g_strdup ("libcurl.so.4 lacks curl_easy_* functions: a broken libcurl install?");
#undef SYM
    }
    g_once_init_leave (&once, 1);
  }
  if (failure != NULL) {
    g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, failure);
    return FALSE;
  }
  return TRUE;
}

typedef struct {
  GByteArray *buf;  /* to memory */
  gsize max;
  int fd;           /* to a file */
  int write_errno;
  gboolean too_big;
  gboolean restart; /* the server ignored Range: truncate before the first byte */
  long status;
  guint64 offset;   /* bytes already in the part file */
  const DownloadOptions *options;
  CURL *curl;
} Transfer;

gboolean
download_available (void)
{
  return TRUE;
}


static size_t
on_data (char *ptr, size_t size, size_t nmemb, void *data)
{
  Transfer *t = data;
  size_t len = size * nmemb;

  if (t->buf != NULL) {
    if (t->buf->len + len > t->max) {
      t->too_big = TRUE;
      return 0;
    }
    g_byte_array_append (t->buf, (const guint8 *) ptr, (guint) len);
    return len;
  }
  if (t->status == 0) {
    curl_easy_getinfo (t->curl, CURLINFO_RESPONSE_CODE, &t->status);
    if (t->offset > 0 && t->status == 200) {
      /* Range ignored: the body is the whole file. */
      if (ftruncate (t->fd, 0) < 0 || lseek (t->fd, 0, SEEK_SET) < 0) {
        t->write_errno = errno;
        return 0;
      }
      t->offset = 0;
      t->restart = TRUE;
    }
  }
  if (!ppcvm_write_all (t->fd, ptr, len)) {
    t->write_errno = errno;
    return 0;
  }
  return len;
}

static int
on_progress (void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  Transfer *t = data;

  if (t->options != NULL && t->options->progress != NULL)
    t->options->progress (t->offset + (guint64) dlnow, dltotal > 0 ? t->offset + (guint64) dltotal : 0,
                          t->offset, t->options->user_data);
  return 0;
}

static CURL *
easy_new (const char *url, Transfer *t, char *errbuf)
{
  CURL *c = curl_easy_init ();
  const DownloadOptions *o = t->options;
  guint stall = o && o->stall_timeout_s ? o->stall_timeout_s : 60;

  if (c == NULL)
    return NULL;
  t->curl = c;
  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (c, CURLOPT_USERAGENT, "ppcvm/" PPCVM_VERSION);
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, (long) (o && o->connect_timeout_s ? o->connect_timeout_s : 30));
  /* Less than 1 byte/s for STALL seconds: also covers a slow start. */
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_TIME, (long) stall);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, t);
  curl_easy_setopt (c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (c, CURLOPT_XFERINFODATA, t);
  curl_easy_setopt (c, CURLOPT_NOPROGRESS, 0L);
  return c;
}

static gboolean
check_result (CURLcode rc, Transfer *t, const char *url, const char *errbuf, const char *path,
              GError **error)
{
  long status = 0;

  if (rc == CURLE_OK)
    return TRUE;
  curl_easy_getinfo (t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_HTTP_RETURNED_ERROR) {
    g_set_error (error, PPCVM_ERROR, status == 404 || status == 410 ? PPCVM_ERROR_NOT_FOUND : PPCVM_ERROR_FAILED,
                 "%s: HTTP %ld", url, status);
  } else if (rc == CURLE_WRITE_ERROR && t->too_big) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: larger than %" G_GSIZE_FORMAT " bytes",
                 url, t->max);
  } else if (rc == CURLE_WRITE_ERROR && t->write_errno != 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot write %s: %s", path,
                 g_strerror (t->write_errno));
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: %s (timed out)", url,
                 *errbuf ? errbuf : curl_easy_strerror (rc));
  } else {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: %s", url,
                 *errbuf ? errbuf : curl_easy_strerror (rc));
  }
  return FALSE;
}

gboolean
download_to_bytes (const char *url, gsize max_bytes, const DownloadOptions *options, GBytes **ret,
                   GError **error)
{
  Transfer t = { .max = max_bytes, .fd = -1, .options = NULL };
  char errbuf[CURL_ERROR_SIZE] = "";
  CURL *c;
  CURLcode rc;
  gboolean ok;
  DownloadOptions quiet = { 0 };

  if (options != NULL) {
    quiet = *options;
    quiet.progress = NULL;
  }
  t.options = &quiet;
  if (!load_libcurl (error))
    return FALSE;
  t.buf = g_byte_array_new ();
  c = easy_new (url, &t, errbuf);
  if (c == NULL) {
    g_byte_array_unref (t.buf);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "libcurl could not start a transfer");
    return FALSE;
  }
  rc = curl_easy_perform (c);
  ok = check_result (rc, &t, url, errbuf, NULL, error);
  curl_easy_cleanup (c);
  if (!ok) {
    g_byte_array_unref (t.buf);
    return FALSE;
  }
  *ret = g_byte_array_free_to_bytes (t.buf);
  return TRUE;
}

gboolean
download_to_file (const char *url, const char *part_path, const DownloadOptions *options,
                  GError **error)
{
  ppcvm_autofd int fd = open (part_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  Transfer t = { .fd = -1, .options = options };
  char errbuf[CURL_ERROR_SIZE] = "";
  struct stat st;
  CURL *c;
  CURLcode rc;
  gboolean ok;

  if (fd < 0 || fstat (fd, &st) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot open %s: %s", part_path,
                 g_strerror (errsv));
    return FALSE;
  }
  if (!load_libcurl (error))
    return FALSE;
  t.fd = fd;
  t.offset = (guint64) st.st_size;
  c = easy_new (url, &t, errbuf);
  if (c == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "libcurl could not start a transfer");
    return FALSE;
  }
  if (t.offset > 0)
    curl_easy_setopt (c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) t.offset);
  rc = curl_easy_perform (c);
  if (rc == CURLE_HTTP_RETURNED_ERROR && t.offset > 0) {
    long status = 0;
    curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &status);
    if (status == 416) {
      /* The part file already holds the whole file (or more): the
       * checksum decides. */
      curl_easy_cleanup (c);
      return TRUE;
    }
  }
  ok = check_result (rc, &t, url, errbuf, part_path, error);
  curl_easy_cleanup (c);
  if (ok && fsync (fd) < 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot write %s: %s", part_path,
                 g_strerror (errsv));
    return FALSE;
  }
  return ok;
}

#else /* !HAVE_LIBCURL */

gboolean
download_available (void)
{
  return FALSE;
}

static gboolean
no_curl (GError **error)
{
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
               "this ppcvm was built without libcurl (meson -Ddownload=disabled, or libcurl's "
               "development files missing): it cannot download");
  return FALSE;
}

gboolean
download_to_bytes (const char *url, gsize max_bytes, const DownloadOptions *options, GBytes **ret,
                   GError **error)
{
  return no_curl (error);
}

gboolean
download_to_file (const char *url, const char *part_path, const DownloadOptions *options,
                  GError **error)
{
  return no_curl (error);
}
#endif
