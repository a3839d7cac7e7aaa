/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm get: an OS's installer ISO or cloud image into the cache, verified. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "catalogue.h"
#include "cli.h"
#include "commands.h"
#include "media.h"
#include "output.h"
#include "util.h"

typedef struct {
  gint64 start_us;
  gint64 last_us;
  guint64 last_now;
  gboolean shown;
} Progress;

static void
on_progress (guint64 now, guint64 total, guint64 resumed_from, gpointer data)
{
  Progress *p = data;
  gint64 t = g_get_monotonic_time ();
  double secs, rate;
  g_autofree char *have = NULL;
  g_autofree char *all = NULL;
  g_autofree char *speed = NULL;
  char eta[32] = "";

  if (p->start_us == 0)
    p->start_us = t;
  if (now == p->last_now && p->shown)
    return;
  if (t - p->last_us < 200000 && (total == 0 || now < total))
    return;
  p->last_us = t;
  p->last_now = now;
  secs = (double) (t - p->start_us) / 1e6;
  rate = secs > 0.1 ? (double) (now - resumed_from) / secs : 0;
  have = ppcvm_format_size_human (now);
  all = total ? ppcvm_format_size_human (total) : g_strdup ("?");
  speed = ppcvm_format_size_human ((guint64) rate);
  if (total > now && rate > 1) {
    guint64 left = (guint64) ((double) (total - now) / rate);
    g_snprintf (eta, sizeof eta, "  ETA %" G_GUINT64_FORMAT ":%02" G_GUINT64_FORMAT, left / 60, left % 60);
  }
  fprintf (stderr, "\r  %s / %s  %s/s%s\033[K", have, all, speed, eta);
  p->shown = TRUE;
}

static void
on_note (const char *message, gpointer data)
{
  Progress *p = data;

  if (p->shown) {
    fputc ('\n', stderr);
    p->shown = FALSE;
  }
  cli_message ("%s", message);
}

/* The user's keyrings: $XDG_CONFIG_HOME/ppcvm/keyrings/\*.gpg, then --keyring. */
static GPtrArray *
keyrings (char **extra)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "ppcvm", "keyrings", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *n;

  while (d != NULL && (n = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (n, ".gpg") || g_str_has_suffix (n, ".kbx"))
      g_ptr_array_add (out, g_build_filename (dir, n, NULL));
  for (int i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (out, g_canonicalize_filename (extra[i], NULL));
  g_ptr_array_add (out, NULL);
  return out;
}

static void
print_json (const CatalogueEntry *e, CatalogueMediaKind kind, const MediaResult *r)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "schema", json_object_new_string ("ppcvm-get/1"));
  json_object_object_add (o, "os", json_object_new_string (e->id));
  json_object_object_add (o, "kind", json_object_new_string (catalogue_media_kind_name (kind)));
  json_object_object_add (o, "path", json_object_new_string (r->path));
  json_object_object_add (o, "url", json_object_new_string (r->url));
  json_object_object_add (o, "size", json_object_new_uint64 (r->size));
  json_object_object_add (o, "checksum_type", json_object_new_string (catalogue_checksum_name (r->checksum_type)));
  json_object_object_add (o, "checksum", json_object_new_string (r->checksum));
  json_object_object_add (o, "signature", json_object_new_string (media_signature_name (r->signature)));
  json_object_object_add (o, "signature_detail", json_object_new_string (r->signature_detail));
  json_object_object_add (o, "cached", json_object_new_boolean (r->cached));
  json_object_object_add (o, "profile", json_object_new_string (e->profile));
  cli_print_json (stdout, o);
}

/* Shared with `new --os`: get SPEC's media, saying what was verified. */
MediaResult *
cli_get_media (const char *spec, int want, const CliGetOptions *g, const CatalogueEntry **ret_entry,
               Catalogue **ret_catalogue, CatalogueMediaKind *ret_kind, GError **error)
{
  g_autoptr (Catalogue) cat = catalogue_load (NULL, error);
  g_autoptr (GPtrArray) rings = NULL;
  g_autofree char *cache = NULL;
  const CatalogueEntry *e;
  CatalogueMediaKind kind;
  MediaOptions o = { 0 };
  Progress progress = { 0 };
  MediaResult *r;
  const char *base = g->base_url ? g->base_url : g_getenv ("PPCVM_BASE_URL");

  if (cat == NULL)
    return NULL;
  e = catalogue_lookup (cat, spec, error);
  if (e == NULL)
    return NULL;
  kind = want >= 0 ? (CatalogueMediaKind) want : (e->iso ? CATALOGUE_MEDIA_ISO : CATALOGUE_MEDIA_CLOUD);
  rings = keyrings (g->keyrings);
  cache = g_build_filename (g_get_user_cache_dir (), "ppcvm", "images", NULL);
  o.cache_dir = cache;
  o.base_url = base && *base ? base : NULL;
  o.keyrings = (const char *const *) rings->pdata;
  o.retries = (guint) g->retries;
  o.download.stall_timeout_s = (guint) g->timeout;
  o.download.connect_timeout_s = (guint) MIN (g->timeout, 30);
  if (isatty (STDERR_FILENO) && !g->quiet) {
    o.download.progress = on_progress;
    o.download.user_data = &progress;
  }
  if (!g->quiet) {
    o.note = on_note;
    o.note_data = &progress;
  }
  r = media_get (e, kind, &o, error);
  if (progress.shown)
    fputc ('\n', stderr);
  if (r == NULL)
    return NULL;
  if (r->signature == MEDIA_SIGNATURE_VERIFIED)
    cli_message ("verified: %s %s, and the checksum file's signature: %s",
                 catalogue_checksum_name (r->checksum_type), r->checksum, r->signature_detail);
  else
    cli_message ("checksum only: %s %s matches; signature not checked: %s",
                 catalogue_checksum_name (r->checksum_type), r->checksum, r->signature_detail);
  *ret_entry = e;
  *ret_kind = kind;
  *ret_catalogue = g_steal_pointer (&cat);
  return r;
}

gboolean
cmd_get (int argc, char **argv, GError **error)
{
  gboolean iso = FALSE, cloud = FALSE, json = FALSE;
  g_auto (CliGetOptions) g = { .timeout = 60, .retries = 3 };
  GOptionEntry entries[] = {
    { "iso", 0, 0, G_OPTION_ARG_NONE, &iso, "The installer ISO (the default where published)", NULL },
    { "cloud", 0, 0, G_OPTION_ARG_NONE, &cloud, "The cloud image", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (schema ppcvm-get/1)", NULL },
    CLI_GET_OPTION_ENTRIES (g),
    { NULL },
  };
  g_autoptr (Catalogue) cat = NULL;
  g_autoptr (MediaResult) r = NULL;
  const CatalogueEntry *e = NULL;
  CatalogueMediaKind kind;

  if (!cli_parse ("get", "OS[-RELEASE]",
                  "Download an OS's installer ISO or cloud image (see 'ppcvm os') into "
                  "$XDG_CACHE_HOME/ppcvm/images, resuming an interrupted download, and verify it: "
                  "the checksum always, the checksum file's signature with gpgv where the key is "
                  "available. Prints the file's path.",
                  entries, &argc, &argv, error))
    return FALSE;
  if (argc < 2)
    return cli_usage_error (error, "no OS given (see 'ppcvm os')");
  if (argc > 2)
    return cli_usage_error (error, "unexpected argument '%s'", argv[2]);
  if (iso && cloud)
    return cli_usage_error (error, "--iso and --cloud exclude each other");
  if (!cli_get_options_check (&g, error))
    return FALSE;
  r = cli_get_media (argv[1], iso ? CATALOGUE_MEDIA_ISO : cloud ? CATALOGUE_MEDIA_CLOUD : -1, &g, &e,
                     &cat, &kind, error);
  if (r == NULL)
    return FALSE;
  if (json)
    print_json (e, kind, r);
  else
    printf ("%s\n", r->path);
  return TRUE;
}

gboolean
cli_get_options_check (const CliGetOptions *g, GError **error)
{
  if (g->timeout < 1 || g->timeout > 3600) {
    return cli_usage_error (error, "--timeout %d: not between 1 and 3600 seconds", g->timeout);
  }
  if (g->retries < 0 || g->retries > 100) {
    return cli_usage_error (error, "--retries %d: not between 0 and 100", g->retries);
  }
  if (g->base_url && !g_str_has_prefix (g->base_url, "http://") && !g_str_has_prefix (g->base_url, "https://")) {
    return cli_usage_error (error, "--base-url %s: not an http:// or https:// URL", g->base_url);
  }
  return TRUE;
}

void
cli_get_options_clear (CliGetOptions *g)
{
  g_clear_pointer (&g->base_url, g_free);
  g_clear_pointer (&g->keyrings, g_strfreev);
}
