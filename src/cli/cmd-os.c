/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm os: the catalogue of POWER distributions (catalogue.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "catalogue.h"
#include "cli.h"
#include "commands.h"
#include "output.h"
#include "util-json.h"
#include "table.h"

static json_object *
media_json (const CatalogueMedia *m)
{
  json_object *o;

  if (m == NULL)
    return NULL;
  o = json_object_new_object ();
  json_object_object_add (o, "url", json_object_new_string (m->url));
  json_object_object_add (o, "checksum", json_object_new_string (m->checksum));
  json_object_object_add (o, "checksum_type",
                          json_object_new_string (catalogue_checksum_name (m->checksum_type)));
  json_object_object_add (o, "signature", ppcvm_json_string_or_null (m->signature));
  json_object_object_add (o, "signing_key",
                          ppcvm_json_string_or_null (m->signing_key));
  json_object_object_add (o, "keyring", ppcvm_json_string_or_null (m->keyring));
  json_object_object_add (o, "format", json_object_new_string (m->format));
  return o;
}

static void
print_json (GPtrArray *entries)
{
  json_object *root = json_object_new_object ();
  json_object *arr = json_object_new_array ();

  json_object_object_add (root, "schema", json_object_new_string ("ppcvm-os/1"));
  for (guint i = 0; i < entries->len; i++) {
    const CatalogueEntry *e = entries->pdata[i];
    json_object *o = json_object_new_object ();
    json_object_object_add (o, "id", json_object_new_string (e->id));
    json_object_object_add (o, "os", json_object_new_string (e->os));
    json_object_object_add (o, "os_name", json_object_new_string (e->os_name));
    json_object_object_add (o, "release", json_object_new_string (e->release));
    json_object_object_add (o, "default", json_object_new_boolean (e->is_default));
    json_object_object_add (o, "name", json_object_new_string (e->name));
    json_object_object_add (o, "profile", json_object_new_string (e->profile));
    json_object_object_add (o, "page_size", json_object_new_uint64 (e->page_size));
    json_object_object_add (o, "mmu", ppcvm_json_strv ((const char *const *) e->mmu));
    json_object_object_add (o, "source", json_object_new_string (e->source));
    json_object_object_add (o, "iso", media_json (e->iso));
    json_object_object_add (o, "cloud", media_json (e->cloud));
    json_object_object_add (o, "path", json_object_new_string (e->path));
    json_object_array_add (arr, o);
  }
  json_object_object_add (root, "os", arr);
  cli_print_json (stdout, root);
}

static const char *
verification (const CatalogueMedia *m)
{
  if (m == NULL)
    return "";
  if (m->signing_key != NULL)
    return "signed";
  return catalogue_checksum_name (m->checksum_type);
}

/* Where E comes from and its media, under its row (--verbose). */
static void
add_details (Table *table, const CatalogueEntry *e)
{
  const struct { const char *label; const CatalogueMedia *m; } media[] = {
    { "iso:  ", e->iso }, { "cloud:", e->cloud },
  };
  g_autofree char *source = g_strdup_printf ("    source: %s", e->source);
  g_autofree char *file = g_strdup_printf ("    file:   %s", e->path);

  table_add_line (table, source);
  for (gsize i = 0; i < G_N_ELEMENTS (media); i++) {
    const CatalogueMedia *m = media[i].m;
    g_autofree char *line = NULL;
    if (m == NULL)
      continue;
    line = g_strdup_printf ("    %s  %s\n            %s (%s)%s%s", media[i].label, m->url, m->checksum,
                            catalogue_checksum_name (m->checksum_type), m->signature ? ", signed: " : "",
                            m->signature ? m->signature : "");
    table_add_line (table, line);
  }
  table_add_line (table, file);
}

static void
print_text (GPtrArray *entries, gboolean verbose)
{
  g_autoptr (Table) table = table_new (7);
  g_autofree char *text = NULL;

  table_add_row (table, "OS", "PAGE", "MMU", "ISO", "CLOUD", "PROFILE", "NAME", NULL);
  table_min_width (table, 2, 10); /* radix/hash */
  table_min_width (table, 3, 6);  /* sha256, signed */
  table_min_width (table, 4, 6);
  for (guint i = 0; i < entries->len; i++) {
    const CatalogueEntry *e = entries->pdata[i];
    g_autofree char *id = g_strconcat (e->id, e->is_default ? "*" : "", NULL);
    g_autofree char *mmu = g_strjoinv ("/", e->mmu);
    table_add_row (table, id, e->page_size == 65536 ? "64K" : "4K", mmu, e->iso ? verification (e->iso) : "-",
                   e->cloud ? verification (e->cloud) : "-", e->profile, e->name, NULL);
    if (verbose)
      add_details (table, e);
  }
  text = table_to_string (table);
  fputs (text, stdout);
  printf ("\n* the default release: 'ppcvm get OS' takes it. ISO/CLOUD: how the media is verified "
          "(signed: checksum file signature checked with gpgv; sha256/sha512: checksum only).\n");
}

gboolean
cmd_os (int argc, char **argv, GError **error)
{
  gboolean json = FALSE, verbose = FALSE, names = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (schema ppcvm-os/1)", NULL },
    { "names", 0, 0, G_OPTION_ARG_NONE, &names, "Print only the OS-RELEASE names, one per line", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Show URLs, checksum files and sources", NULL },
    { NULL },
  };
  g_autoptr (Catalogue) cat = NULL;
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();
  GPtrArray *all;

  if (!cli_parse ("os", "[OS[-RELEASE]]",
                  "List the catalogue of POWER operating systems: install media, cloud images, "
                  "page size, MMU and the profile each pairs with.\n"
                  "Search order: $PPCVM_CATALOGUE_PATH, $XDG_CONFIG_HOME/ppcvm/catalogue, "
                  "/etc/ppcvm/catalogue, the data dirs; the first NAME.conf found wins.",
                  entries, &argc, &argv, error))
    return FALSE;
  if (argc > 2)
    return cli_usage_error (error, "unexpected argument '%s'", argv[2]);
  if (json && names)
    return cli_usage_error (error, "--json and --names exclude each other");
  cat = catalogue_load (NULL, error);
  if (cat == NULL)
    return FALSE;
  all = catalogue_entries (cat);
  if (argc == 2) {
    const CatalogueEntry *e = catalogue_lookup (cat, argv[1], error);
    if (e == NULL)
      return FALSE;
    /* "debian" lists every Debian release, "debian-12" that one. */
    for (guint i = 0; i < all->len; i++) {
      const CatalogueEntry *x = all->pdata[i];
      if (x == e || (g_str_equal (argv[1], e->os) && g_str_equal (x->os, e->os)))
        g_ptr_array_add (shown, (gpointer) x);
    }
    verbose = TRUE;
  } else {
    for (guint i = 0; i < all->len; i++)
      g_ptr_array_add (shown, all->pdata[i]);
  }
  if (names) {
    for (guint i = 0; i < shown->len; i++)
      printf ("%s\n", ((const CatalogueEntry *) shown->pdata[i])->id);
  } else if (json)
    print_json (shown);
  else
    print_text (shown, verbose);
  return TRUE;
}
