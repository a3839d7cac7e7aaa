/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The OS catalogue: every shipped file parses, each entry pairs with a
 * shipped profile of the same page size, lookups by OS and OS-RELEASE, the
 * "did you mean" on unknown names, and malformed files name file/group/key. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "catalogue.h"
#include "profile.h"
#include "testlib.h"
#include "util.h"

static Catalogue *
shipped (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("PPCVM_SOURCE_ROOT"), "catalogue", NULL);
  const char *dirs[] = { dir, NULL };
  g_autoptr (GError) error = NULL;
  Catalogue *c = catalogue_load (dirs, &error);

  ck_assert_msg (c != NULL, "%s", error ? error->message : "");
  return c;
}

START_TEST (test_shipped_parse_and_pair)
{
  g_autoptr (Catalogue) c = shipped ();
  GPtrArray *all = catalogue_entries (c);
  const char *need[] = { "debian-12", "debian-13", "ubuntu-24.04", "fedora-42", "opensuse-tumbleweed",
                         "opensuse-leap-15.6", "almalinux-9", "rocky-9", "alpine-3.22",
                         "void-ppc64le", "void-ppc64", "freebsd-14.3" };
  g_autofree char *pdir = g_build_filename (g_getenv ("PPCVM_SOURCE_ROOT"), "profiles", NULL);

  ck_assert_uint_ge (all->len, G_N_ELEMENTS (need));
  for (gsize i = 0; i < G_N_ELEMENTS (need); i++) {
    g_autoptr (GError) error = NULL;
    ck_assert_msg (catalogue_lookup (c, need[i], &error) != NULL, "%s: %s", need[i],
                   error ? error->message : "");
  }
  for (guint i = 0; i < all->len; i++) {
    const CatalogueEntry *e = all->pdata[i];
    g_autofree char *file = g_strconcat (e->profile, ".conf", NULL);
    g_autofree char *path = g_build_filename (pdir, file, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (Profile) p = profile_load (path, NULL, &error);

    /* The paired profile is shipped, and states the same kernel page size. */
    ck_assert_msg (p != NULL, "%s: profile %s: %s", e->id, e->profile, error ? error->message : "");
    ck_assert_msg (p->page_size == e->page_size, "%s: page size %" G_GUINT64_FORMAT
                   " but profile %s says %" G_GUINT64_FORMAT, e->id, e->page_size, e->profile,
                   p->page_size);
    ck_assert_msg (e->iso != NULL || e->cloud != NULL, "%s has no media", e->id);
    ck_assert_msg (g_str_has_prefix (e->iso ? e->iso->url : e->cloud->url, "https://"),
                   "%s: not HTTPS", e->id);
  }
}
END_TEST

START_TEST (test_lookup)
{
  g_autoptr (Catalogue) c = shipped ();
  g_autoptr (GError) error = NULL;
  const CatalogueEntry *e;

  e = catalogue_lookup (c, "debian", &error);
  ck_assert_ptr_nonnull (e);
  ck_assert (e->is_default);
  ck_assert_str_eq (e->os, "debian");
  e = catalogue_lookup (c, "debian-12", &error);
  ck_assert_ptr_nonnull (e);
  ck_assert_str_eq (e->release, "12");
  ck_assert_uint_eq (e->page_size, 65536);
  ck_assert_str_eq (e->iso->signing_key, "DF9B9C49EAA9298432589D76DA87E80D6294BE9B");
  ck_assert_int_eq (e->iso->checksum_type, G_CHECKSUM_SHA512);
  e = catalogue_lookup (c, "opensuse-leap-15.6", &error);
  ck_assert_ptr_nonnull (e);
  ck_assert_str_eq (e->release, "leap-15.6");

  ck_assert_ptr_null (catalogue_lookup (c, "debain", &error));
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND));
  ck_assert_msg (strstr (error->message, "did you mean debian") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (catalogue_lookup (c, "debian-11", &error));
  ck_assert_msg (strstr (error->message, "no release '11' of debian") != NULL &&
                 strstr (error->message, "debian-12") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (catalogue_lookup (c, "windows", &error));
  ck_assert_msg (strstr (error->message, "debian") != NULL, "%s", error->message);
}
END_TEST

static const struct {
  const char *text;
  const char *expect; /* in the error */
} bad[] = {
  { "[release 1]\nname=x\n", "[os]: missing group" },
  { "[os]\nname=X\ndefault=1\n", "no [release NAME] group" },
  { "[os]\nname=X\ndefault=2\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "iso-url=https://h/x.iso\niso-checksum=S\niso-checksum-type=sha256\n",
    "[os] default: '2' is not one of" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=16K\nmmu=radix\nsource=s\n"
    "iso-url=https://h/x.iso\niso-checksum=S\niso-checksum-type=sha256\n",
    "[release 1] page-size: '16K'" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "iso-url=https://h/x.iso\niso-checksum=S\niso-checksum-type=md5\n",
    "[release 1] iso-checksum-type: 'md5'" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "iso-url=ftp://h/x.iso\niso-checksum=S\niso-checksum-type=sha256\n",
    "[release 1] iso-url: 'ftp://h/x.iso' is not" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "iso-url=https://h/x.iso\niso-checksum=S\niso-checksum-type=sha256\niso-sig=S.sign\n",
    "[release 1] iso-sig: unknown key" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "iso-url=https://h/x.iso\niso-checksum=S\niso-checksum-type=sha256\niso-signature=S.sign\n"
    "iso-signing-key=1234\n",
    "iso-signing-key: '1234' is not a key fingerprint" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "iso-url=https://h/x-*.iso\niso-checksum={file}.sha256\niso-checksum-type=sha256\n",
    "{file} needs a literal file name" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n",
    "neither iso-url nor cloud-url" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix;segments\nsource=s\n"
    "cloud-url=https://h/x.img\ncloud-checksum=S\ncloud-checksum-type=sha256\n",
    "mmu: 'segments'" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "cloud-checksum=S\n",
    "cloud-checksum: set without cloud-url" },
  { "[os]\nname=X\ndefault=1\n[release 1]\nname=x\nprofile=p\npage-size=4K\nmmu=radix\nsource=s\n"
    "iso-url=https://h/x.iso\niso-checksum=S\niso-checksum-type=sha256\n[release 1]\nname=y\n",
    "" /* GKeyFile merges duplicate groups; must still parse or fail cleanly */ },
  { "not a key file\n", "testos.conf" },
};

START_TEST (test_bad_files)
{
  g_autofree char *dir = testlib_tmpdir ("cat");
  g_autofree char *path = g_build_filename (dir, "testos.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (Catalogue) c = NULL;

  ck_assert (g_file_set_contents (path, bad[_i].text, -1, NULL));
  c = catalogue_load_file (path, &error);
  if (*bad[_i].expect == '\0') {
    /* Either outcome is fine; it must not crash. */
  } else {
    ck_assert_msg (c == NULL, "case %d parsed", _i);
    ck_assert_msg (strstr (error->message, bad[_i].expect) != NULL, "case %d: '%s' lacks '%s'", _i,
                   error->message, bad[_i].expect);
    ck_assert_msg (strstr (error->message, path) != NULL, "case %d: no file name in '%s'", _i,
                   error->message);
  }
  testlib_rm_rf (dir);
}
END_TEST

START_TEST (test_user_file_wins)
{
  g_autofree char *dir = testlib_tmpdir ("cat");
  g_autofree char *path = g_build_filename (dir, "debian.conf", NULL);
  g_autofree char *shipped_dir = g_build_filename (g_getenv ("PPCVM_SOURCE_ROOT"), "catalogue", NULL);
  const char *dirs[] = { dir, shipped_dir, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (Catalogue) c = NULL;
  const CatalogueEntry *e;

  ck_assert (g_file_set_contents (path,
                                  "[os]\nname=My Debian\ndefault=sid\n[release sid]\nname=sid\n"
                                  "profile=debian13-ppc64el\npage-size=4K\nmmu=radix\nsource=me\n"
                                  "iso-url=https://example.org/d.iso\niso-checksum=SUMS\n"
                                  "iso-checksum-type=sha256\n", -1, NULL));
  c = catalogue_load (dirs, &error);
  ck_assert_msg (c != NULL, "%s", error ? error->message : "");
  e = catalogue_lookup (c, "debian", &error);
  ck_assert_ptr_nonnull (e);
  ck_assert_str_eq (e->release, "sid");
  ck_assert_ptr_null (catalogue_lookup (c, "debian-12", &error));
  ck_assert_ptr_nonnull (catalogue_lookup (c, "fedora", NULL));
  testlib_rm_rf (dir);
}
END_TEST

static Suite *
catalogue_suite (void)
{
  Suite *s = suite_create ("catalogue");
  TCase *tc = tcase_create ("catalogue");

  tcase_add_test (tc, test_shipped_parse_and_pair);
  tcase_add_test (tc, test_lookup);
  tcase_add_loop_test (tc, test_bad_files, 0, G_N_ELEMENTS (bad));
  tcase_add_test (tc, test_user_file_wins);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return testlib_run (catalogue_suite ());
}
