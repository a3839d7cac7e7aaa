/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <errno.h>

#include "cli.h"
#include "host-json.h"
#include "util.h"

void
cli_host_options_clear (CliHostOptions *o)
{
  g_clear_pointer (&o->sysroot, g_free);
  g_clear_pointer (&o->host_file, g_free);
  g_clear_pointer (&o->qemu, g_free);
  g_clear_pointer (&o->accel, g_free);
  g_clear_pointer (&o->sets, g_strfreev);
}

GOptionEntry *
cli_option_entries (const GOptionEntry *entries, CliHostOptions *o, CliOptionRows which)
{
  const GOptionEntry host[] = {
    { "host", 0, 0, G_OPTION_ARG_FILENAME, &o->host_file, "Use the host facts in FILE (ppcvm host --json)", "FILE" },
    { "sysroot", 0, 0, G_OPTION_ARG_FILENAME, &o->sysroot, "Read the host's /proc, /sys and /dev under DIR", "DIR" },
    { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &o->qemu, "The qemu-system-ppc64 binary", "PATH" },
  };
  const GOptionEntry overrides[] = {
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &o->sets, "Override a profile key (repeatable)", "GROUP.KEY=VALUE" },
    { "accel", 0, 0, G_OPTION_ARG_STRING, &o->accel, "auto, kvm, hv, pr or tcg", "ACCEL" },
  };
  GArray *all = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  const GOptionEntry *rest = NULL;

  for (const GOptionEntry *e = entries; e->long_name != NULL; e++) {
    if (g_str_equal (e->long_name, G_OPTION_REMAINING))
      rest = e;
    else
      g_array_append_vals (all, e, 1);
  }
  if (which & CLI_OPTIONS_HOST)
    g_array_append_vals (all, host, G_N_ELEMENTS (host));
  if (which & CLI_OPTIONS_OVERRIDES)
    g_array_append_vals (all, overrides, G_N_ELEMENTS (overrides));
  if (rest != NULL)
    g_array_append_vals (all, rest, 1);
  return (GOptionEntry *) g_array_free (all, FALSE);
}

/* The G_OPTION_REMAINING entry of ENTRIES, if any. */
static const GOptionEntry *
remaining_entry (const GOptionEntry *entries)
{
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    if (g_str_equal (e->long_name, G_OPTION_REMAINING))
      return e;
  return NULL;
}

gboolean
cli_parse_passthrough (const char *cmd, const char *params, const char *summary, GOptionEntry *entries,
                       int *argc, char ***argv, char ***ret_passthrough, GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (params);
  g_autoptr (GError) local = NULL;
  g_autofree char *prg = g_strdup_printf ("ppcvm %s", cmd);
  g_autofree char **before = NULL;
  const GOptionEntry *rem = remaining_entry (entries);
  int n_before = *argc, n = *argc, bc;
  char **bv;

  /* GNU conventions, done here rather than by GOption (which keeps or drops
   * a "--" depending on what surrounds it): options and positionals mix
   * freely up to the first "--"; everything after it is never an option. */
  for (int i = 1; i < n; i++)
    if (g_str_equal ((*argv)[i], "--")) {
      n_before = i;
      break;
    }
  before = g_new0 (char *, n_before + 1);
  memcpy (before, *argv, n_before * sizeof (char *));

  g_set_prgname (prg);
  g_option_context_set_summary (ctx, summary);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_strict_posix (ctx, FALSE);
  bc = n_before;
  bv = before;
  {
    if (!g_option_context_parse (ctx, &bc, &bv, &local)) {
      if (ret_passthrough != NULL && g_error_matches (local, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION)) {
        const char *msg = local->message;
        const char *opt = strrchr (msg, ' ');
        opt = opt != NULL ? opt + 1 : msg;
        if (g_str_equal (cmd, "run"))
          cli_usage_error (error, "unknown option '%s'. ppcvm hands qemu only what follows '--'; to pass it to "
                           "qemu: ppcvm run PROFILE -- %s", opt, opt);
        else
          cli_usage_error (error, "unknown option '%s'. The qemu command line goes after '--': "
                           "ppcvm %s [OPTIONS] -- qemu-system-ppc64 ARGS...", opt, cmd);
      } else {
        cli_usage_error (error, "%s", local->message);
      }
      return FALSE;
    }
  }
  {
      /* What GOption left (argv[0] and, for commands without a
       * G_OPTION_REMAINING entry, the positionals), then what follows "--"
       * unless it is passed through: back into the caller's argv, which
       * it cannot outgrow. */
      g_autoptr (GPtrArray) out = g_ptr_array_new ();
      for (int i = 0; i < bc; i++)
        g_ptr_array_add (out, bv[i]);
      if (ret_passthrough != NULL) {
        *ret_passthrough = n_before < n ? g_strdupv (*argv + n_before + 1) : g_new0 (char *, 1);
      } else if (n_before < n && rem != NULL) {
        char ***rest = rem->arg_data;
        g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
        if (*rest != NULL)
          g_strv_builder_addv (b, (const char **) *rest);
        for (int i = n_before + 1; i < n; i++)
          g_strv_builder_add (b, (*argv)[i]);
        g_strfreev (*rest);
        *rest = g_strv_builder_end (b);
      } else {
        for (int i = n_before + 1; i < n; i++)
          g_ptr_array_add (out, (*argv)[i]);
      }
      for (guint i = 0; i < out->len; i++)
        (*argv)[i] = out->pdata[i];
      (*argv)[out->len] = NULL;
      *argc = (int) out->len;
  }
  return TRUE;
}

gboolean
cli_parse (const char *cmd, const char *params, const char *summary, GOptionEntry *entries, int *argc,
           char ***argv, GError **error)
{
  return cli_parse_passthrough (cmd, params, summary, entries, argc, argv, NULL, error);
}

guint
cli_probe_timeout_ms (void)
{
  const char *env = g_getenv ("PPCVM_PROBE_TIMEOUT");
  guint64 secs;

  if (env && g_ascii_string_to_unsigned (env, 10, 1, 3600, &secs, NULL))
    return (guint) secs * 1000;
  return PROBE_TIMEOUT_MS;
}

HostFacts *
cli_load_host (const CliHostOptions *o, const char *profile_qemu, gboolean require_qemu, GError **error)
{
  g_autoptr (HostFacts) facts = NULL;
  const char *qemu = o->qemu ? o->qemu : profile_qemu;

  if (o->host_file && o->sysroot) {
    cli_usage_error (error, "--host and --sysroot exclude each other");
    return NULL;
  }
  if (o->host_file) {
    facts = host_facts_load_file (o->host_file, error);
    if (facts == NULL)
      return NULL;
    if (facts->qemu && qemu == NULL)
      return g_steal_pointer (&facts);
  } else {
    if (o->sysroot && !g_file_test (o->sysroot, G_FILE_TEST_IS_DIR)) {
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "--sysroot %s: not a directory", o->sysroot);
      return NULL;
    }
    facts = o->plan_only ? host_detect_for_plan (o->sysroot) : host_detect (o->sysroot);
  }

  {
    g_autoptr (GError) local = NULL;
    g_autofree char *bin = emulator_find_binary (qemu, &local);
    if (bin == NULL) {
      if (qemu || require_qemu) {
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
      }
    } else {
      EmulatorFacts *e = emulator_probe (bin, cli_probe_timeout_ms (), error);
      if (e == NULL)
        return NULL;
      /* Probed here for another host (--host, --sysroot): which accelerators
       * this machine's qemu has says nothing about that host's. */
      if (o->host_file || o->sysroot)
        g_clear_pointer (&e->accelerators, g_strfreev);
      emulator_facts_free (facts->qemu);
      facts->qemu = e;
    }
  }
  return g_steal_pointer (&facts);
}

Profile *
cli_load_profile (const char *arg, const CliHostOptions *o, GError **error)
{
  g_autofree char *path = profile_find (arg, error);
  g_autoptr (GPtrArray) sets = g_ptr_array_new_with_free_func (g_free);

  if (path == NULL)
    return NULL;
  for (char **s = o->sets; s && *s; s++)
    g_ptr_array_add (sets, g_strdup (*s));
  if (o->accel)
    g_ptr_array_add (sets, g_strdup_printf ("guest.accel=%s", o->accel));
  g_ptr_array_add (sets, NULL);
  return profile_load (path, (const char *const *) sets->pdata, error);
}

gboolean
cli_load_profile_and_host (const char *profile_arg, const CliHostOptions *o, Profile **ret_profile,
                           HostFacts **ret_facts, GError **error)
{
  g_autoptr (Profile) profile = cli_load_profile (profile_arg, o, error);
  g_autoptr (HostFacts) facts = NULL;

  if (profile == NULL || (facts = cli_load_host (o, profile->qemu_binary, FALSE, error)) == NULL)
    return FALSE;
  *ret_profile = g_steal_pointer (&profile);
  *ret_facts = g_steal_pointer (&facts);
  return TRUE;
}

gboolean
cli_usage_error (GError **error, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_propagate_error (error, g_error_new_valist (PPCVM_ERROR, PPCVM_ERROR_USAGE, fmt, ap));
  va_end (ap);
  return FALSE;
}

gboolean
cli_errno_error (GError **error, int errsv, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *what = NULL;

  va_start (ap, fmt);
  what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: %s", what, g_strerror (errsv));
  return FALSE;
}

gboolean
cli_refused (GError **error)
{
  g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_REFUSED, "");
  return FALSE;
}

int
cli_exit_status (const GError *error, gboolean launches)
{
  if (error->domain == PPCVM_ERROR) {
    switch ((PpcvmError) error->code) {
    case PPCVM_ERROR_USAGE:
      return EXIT_USAGE;
    case PPCVM_ERROR_REFUSED:
      return EXIT_REFUSED;
    case PPCVM_ERROR_NO_PROGRAM:
      if (launches)
        return EXIT_NOTFOUND;
      break;
    case PPCVM_ERROR_CANNOT_EXEC:
      if (launches)
        return EXIT_NOEXEC;
      break;
    default:
      break;
    }
  }
  return launches ? EXIT_LAUNCH : EXIT_ERROR;
}

void
cli_print_error (const char *cmd, const GError *error)
{
  g_autofree char *shown = cli_shown_message (error->message);

  if (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_USAGE))
    fprintf (stderr, "ppcvm: error: %s. See 'ppcvm %s%s--help'\n", shown, cmd ? cmd : "", cmd ? " " : "");
  else if (*shown != '\0')
    fprintf (stderr, "ppcvm: error: %s\n", shown);
}

void
cli_message (const char *fmt, ...)
{
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  va_list ap;

  va_start (ap, fmt);
  text = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  shown = cli_shown_message (text);
  fprintf (stderr, "ppcvm: %s\n", shown);
}

gboolean
cli_free_loopback_port (guint *ret_port, GError **error)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0
      || getsockname (fd, (struct sockaddr *) &addr, &len) != 0) {
    int errsv = errno;
    if (fd >= 0)
      close (fd);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot find a free port on 127.0.0.1 for SSH: %s",
                 g_strerror (errsv));
    return FALSE;
  }
  close (fd);
  *ret_port = ntohs (addr.sin_port);
  return TRUE;
}

void
cli_print_warnings (const char *label, GPtrArray *warnings)
{
  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, "ppcvm: %s: %s\n", label, (const char *) g_ptr_array_index (warnings, i));
}

/* A character that must not reach a terminal raw: a control character (C0,
 * DEL, C1) or an invisible format character (U+202E, which reverses the
 * text, ...). ASCII is decided without the Unicode tables. */
static gboolean
is_hidden (gunichar c)
{
  if (c < 0x80)
    return c < 0x20 || c == 0x7f;
  return g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT;
}

void
cli_print_json (FILE *out, json_object *obj)
{
  int flags = JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;
  const char *text = json_object_to_json_string_ext (obj, flags);
  g_autoptr (GString) s = g_string_sized_new (strlen (text) + 2);

  /* json-c escapes C0 controls only: C1 controls and invisible format
   * characters (U+202E...) from hostile names go out as \uXXXX too. They can
   * only occur inside strings, where the escape means the same. */
  for (const char *p = text; *p; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (c >= 0x80 && is_hidden (c)) {
      if (c > 0xFFFF)
        g_string_append_printf (s, "\\u%04x\\u%04x", 0xD800 + ((c - 0x10000) >> 10), 0xDC00 + ((c - 0x10000) & 0x3FF));
      else
        g_string_append_printf (s, "\\u%04x", c);
    } else {
      g_string_append_len (s, p, g_utf8_next_char (p) - p);
    }
  }
  fprintf (out, "%s\n", s->str);
  json_object_put (obj);
}

/* TEXT with every hidden character (is_hidden: but newline and tab when
 * KEEP_LINES) and every byte that is not UTF-8 as an octal escape. */
static char *
shown (const char *text, gboolean keep_lines)
{
  GString *s = g_string_sized_new (strlen (text));

  for (const char *p = text; *p;) {
    gunichar c = g_utf8_get_char_validated (p, -1);
    gboolean invalid = c == (gunichar) -1 || c == (gunichar) -2;
    const char *next = invalid ? p + 1 : g_utf8_next_char (p);
    gboolean bad = invalid || (is_hidden (c) && !(keep_lines && (c == '\n' || c == '\t')));

    if (!bad)
      g_string_append_len (s, p, next - p);
    for (; bad && p < next; p++)
      g_string_append_printf (s, "\\%03o", (guchar) *p);
    p = next;
  }
  return g_string_free (s, FALSE);
}

char *
cli_shown_message (const char *text)
{
  return shown (text, TRUE);
}

char *
cli_shown (const char *text)
{
  return shown (text, FALSE);
}

char *
cli_hugepages_step_text (const HugepagesStep *st)
{
  g_autofree char *size = ppcvm_format_size (st->page_size);
  g_autofree char *human = ppcvm_format_size_human (st->page_size);
  const char *group = st->gid != 0 ? "kvm" : "root (there is no kvm group)";

  switch (st->kind) {
  case HUGEPAGES_STEP_POOL:
    if (!st->changed)
      return g_strdup_printf ("%" G_GUINT64_FORMAT " %s hugepages free of %" G_GUINT64_FORMAT
                              " (%" G_GUINT64_FORMAT " needed)", st->free_pages, human, st->total_before, st->needed);
    return g_strdup_printf ("%s %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " (asked %" G_GUINT64_FORMAT
                            "); %" G_GUINT64_FORMAT " %s hugepages free now", st->path, st->total_before,
                            st->total_after, st->asked, st->free_pages, human);
  case HUGEPAGES_STEP_MOUNT:
    return st->changed ? g_strdup_printf ("mounted hugetlbfs (pagesize=%s) on %s", size, st->path)
                       : g_strdup_printf ("hugetlbfs (pagesize=%s) is mounted on %s", size, st->path);
  case HUGEPAGES_STEP_OWNER:
    return st->changed ? g_strdup_printf ("chown root:%s %s", group, st->path)
                       : g_strdup_printf ("%s is owned by root:%s", st->path, group);
  case HUGEPAGES_STEP_MODE:
  default:
    return st->changed ? g_strdup_printf ("chmod 1770 %s (was %04o)", st->path, st->old_mode)
                       : g_strdup_printf ("%s has mode 1770", st->path);
  }
}
