/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a profile's groups: typed getters, value checks and one loader
 * per group, with messages that name the file, [group], key and value. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile-private.h"
#include "util.h"

/* A pseries guest needs its real-mode area (RMA) and QEMU's spapr machine
 * refuses a RAM size that is not a multiple of 256 MiB ("Memory size ... is
 * not aligned to 256 MiB"), so one constant serves as floor and step. */
#define MEMORY_STEP (G_GUINT64_CONSTANT (256) << 20)
#define SMP_MAX 2048

static const char *const mmu_names[] = { "radix", "hash", NULL };
static const char *const endian_names[] = { "little", "big", NULL };
static const char *const accel_names[] = { "auto", "kvm", "hv", "pr", "tcg", NULL };
static const char *const display_names[] = { "serial", "none", "vnc", "gtk", NULL };
static const char *const compat_names[] = { "strict", "kernel", NULL };
static const char *const net_names[] = { "user", "none", "tap", "bridge", NULL };
static const char *const firmware_names[] = { "auto", "slof", "vof", NULL };
static const char *const boot_order_names[] = { "auto", "disk", "cdrom", NULL };
static const char *const interface_names[] = { "virtio", "scsi", "nvme", NULL };
static const char *const format_names[] = { "raw", "qcow2", "qed", "qcow", "vmdk", "vdi",
                                            "vhdx", "vpc", NULL };

/* ---- messages ---- */

char *
profile_override_id (const char *group, const char *key)
{
  return g_strconcat (group, "\037", key, NULL);
}

/* "-s group.key=value" when GROUP/KEY came from an override, else the file. */
static const char *
ctx_source (LoadContext *ctx, const char *group, const char *key)
{
  g_autofree char *id = profile_override_id (group, key);
  const char *ov = g_hash_table_lookup (ctx->overrides, id);

  return ov != NULL ? ov : ctx->filename;
}

static gboolean
has_control (const char *s)
{
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* What is wrong with the character C in a title, or NULL. ASCII is decided
 * without the Unicode tables, which a warm plan then never reads. */
static const char *
title_char_problem (gunichar c)
{
  if (c < 0x20 || c == 0x7f)
    return "it contains a control character";
  if (c == '/')
    return "it contains '/'";
  if (c == '=')
    return "it contains '='";
  if (c < 0x80)
    return NULL;
  switch (g_unichar_type (c)) {
  case G_UNICODE_CONTROL:
    return "it contains a control character";
  case G_UNICODE_FORMAT:
    return "it contains an invisible format character (such as U+202E, which reverses the text)";
  case G_UNICODE_LINE_SEPARATOR:
  case G_UNICODE_PARAGRAPH_SEPARATOR:
    return "it contains a line break";
  case G_UNICODE_UNASSIGNED:
  case G_UNICODE_PRIVATE_USE:
  case G_UNICODE_SURROGATE:
    return "it contains an unassigned or private-use character";
  default:
    return NULL;
  }
}

/* What is wrong with TITLE as [guest] name=, or NULL. A title is shown in
 * window titles, launchers and libvirt; it reaches QEMU only as "-name
 * guest=TITLE" with commas doubled, but '=' is refused too, so that no reading
 * of it could ever set another -name sub-option (process=, debug-threads=). */
static const char *
title_problem (const char *title)
{
  if (*title == '\0')
    return "it is empty";
  if (g_utf8_strlen (title, -1) > PROFILE_TITLE_MAX)
    return "it is longer than 128 characters";
  if (title[0] == '-')
    return "it starts with '-'";
  if (g_ascii_isspace (title[0]) || g_ascii_isspace (title[strlen (title) - 1]))
    return "it starts or ends with a space";
  for (const char *p = title; *p; p = g_utf8_next_char (p)) {
    const char *why = title_char_problem (g_utf8_get_char (p));
    if (why != NULL)
      return why;
  }
  return NULL;
}

/* Invisible characters that change how text around them is shown. */
static gboolean
has_format (const char *s)
{
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    if (g_unichar_type (g_utf8_get_char (p)) == G_UNICODE_FORMAT)
      return TRUE;
  return FALSE;
}

/* "SOURCE: [group] key=value: MESSAGE". Always returns FALSE. */
static gboolean G_GNUC_PRINTF (6, 7)
value_error (LoadContext *ctx, const char *group, const char *key, const char *value,
             GError **error, const char *format, ...)
{
  g_autofree char *msg = NULL;
  g_autofree char *shown = NULL;
  const char *hint = "";
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (value == NULL)
    value = "";
  shown = has_control (value) || has_format (value) ? g_strescape (value, NULL) : g_strdup (value);
  /* GKeyFile has no trailing comments: "memory=2G # two gigs" is one value. */
  if (strstr (value, " #") != NULL || strstr (value, "\t#") != NULL)
    hint = " ('#' starts a comment only at the beginning of a line)";
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "%s: [%s] %s=%s: %s%s",
               ctx_source (ctx, group, key), group, key, shown, msg, hint);
  return FALSE;
}

char *
profile_join_names (const char *const *names, const char *last_sep)
{
  GString *s = g_string_new (NULL);
  guint n = g_strv_length ((char **) names);

  for (guint i = 0; i < n; i++) {
    if (i > 0)
      g_string_append (s, i + 1 == n ? last_sep : ", ");
    g_string_append (s, names[i]);
  }
  return g_string_free (s, FALSE);
}

/* ---- typed getters: each returns TRUE with *ret untouched when the key is absent ---- */

static gboolean
ctx_get (LoadContext *ctx, const char *group, const char *key, char **ret, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *v = NULL;

  if (!g_key_file_has_key (ctx->kf, group, key, NULL))
    return TRUE;
  v = g_key_file_get_string (ctx->kf, group, key, &local);
  if (v == NULL) {
    g_autofree char *raw = g_key_file_get_value (ctx->kf, group, key, NULL);
    return value_error (ctx, group, key, raw, error, "%s", local->message);
  }
  *ret = g_steal_pointer (&v);
  return TRUE;
}

static gboolean
ctx_get_enum (LoadContext *ctx, const char *group, const char *key, const char *const *names,
              const char *what, int *ret, GError **error)
{
  g_autofree char *v = NULL;
  g_autofree char *accepted = NULL;

  if (!ctx_get (ctx, group, key, &v, error))
    return FALSE;
  if (v == NULL)
    return TRUE;
  for (int i = 0; names[i] != NULL; i++) {
    if (g_ascii_strcasecmp (g_strstrip (v), names[i]) == 0) {
      *ret = i;
      return TRUE;
    }
  }
  accepted = profile_join_names (names, " or ");
  return value_error (ctx, group, key, v, error, "'%s' is not %s (%s)", v, what, accepted);
}

static gboolean
ctx_get_bool (LoadContext *ctx, const char *group, const char *key, gboolean *ret,
              GError **error)
{
  static const char *const yes[] = { "true", "yes", "on", "1", NULL };
  static const char *const no[] = { "false", "no", "off", "0", NULL };
  g_autofree char *v = NULL;

  if (!ctx_get (ctx, group, key, &v, error))
    return FALSE;
  if (v == NULL)
    return TRUE;
  g_strstrip (v);
  for (int i = 0; yes[i] != NULL; i++) {
    if (g_ascii_strcasecmp (v, yes[i]) == 0)
      return *ret = TRUE, TRUE;
    if (g_ascii_strcasecmp (v, no[i]) == 0)
      return *ret = FALSE, TRUE;
  }
  return value_error (ctx, group, key, v, error, "'%s' is not a boolean (true or false)", v);
}

/* An optional string: an empty value means "not set". */
static gboolean
ctx_get_opt (LoadContext *ctx, const char *group, const char *key, char **ret, GError **error)
{
  g_autofree char *v = NULL;

  if (!ctx_get (ctx, group, key, &v, error))
    return FALSE;
  if (v == NULL)
    return TRUE;
  g_free (*ret);
  *ret = *v != '\0' ? g_steal_pointer (&v) : NULL;
  return TRUE;
}

static gboolean
ctx_get_list (LoadContext *ctx, const char *group, const char *key, GStrv *ret, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) v = NULL;

  if (!g_key_file_has_key (ctx->kf, group, key, NULL))
    return TRUE;
  v = g_key_file_get_string_list (ctx->kf, group, key, NULL, &local);
  if (v == NULL && g_error_matches (local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE)) {
    g_autofree char *raw = g_key_file_get_value (ctx->kf, group, key, NULL);
    return value_error (ctx, group, key, raw, error, "%s", local->message);
  }
  g_strfreev (*ret);
  *ret = v != NULL ? g_steal_pointer (&v) : g_new0 (char *, 1);
  return TRUE;
}

typedef enum { PATH_FILE, PATH_DIR, PATH_EXECUTABLE } PathKind;

static char *
expand_path (const char *value, const char *base_dir)
{
  g_autofree char *joined = NULL;
  static const char cache_var[] = "${XDG_CACHE_HOME}";

  if (g_str_equal (value, "~") || g_str_has_prefix (value, "~/"))
    joined = g_build_filename (g_get_home_dir (), value + 1, NULL);
  else if (g_str_has_prefix (value, cache_var)
           && (value[strlen (cache_var)] == '\0' || value[strlen (cache_var)] == '/'))
    joined = g_build_filename (g_get_user_cache_dir (), value + strlen (cache_var), NULL);
  else
    joined = g_strdup (value);
  return g_canonicalize_filename (joined, base_dir);
}

/* An optional path, expanded and made absolute, that must exist as KIND. */
/* A kernel, initrd, firmware image, cdrom or disk the profile names is
 * missing or unreadable: the guest cannot run as asked, a refusal before
 * qemu starts (exit 3, like the planner's), not a malformed profile. */
static gboolean
media_refused (PathKind kind, GError **error)
{
  if (kind == PATH_FILE && error != NULL && *error != NULL)
    (*error)->code = PPCVM_ERROR_REFUSED;
  return FALSE;
}

static gboolean
ctx_get_path (LoadContext *ctx, const char *group, const char *key, PathKind kind, char **ret,
              GError **error)
{
  g_autofree char *v = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = profile_override_id (group, key);
  g_autofree char *cwd = NULL;
  const char *base = ctx->dir;

  if (!ctx_get_opt (ctx, group, key, &v, error))
    return FALSE;
  if (v == NULL)
    return TRUE;
  if (strpbrk (v, "\n\r") != NULL)
    return value_error (ctx, group, key, v, error, "a path cannot contain a line break");
  if (g_hash_table_contains (ctx->overrides, id))
    base = cwd = g_get_current_dir ();
  path = expand_path (v, base);

  switch (kind) {
  case PATH_DIR:
    if (!g_file_test (path, G_FILE_TEST_IS_DIR))
      return value_error (ctx, group, key, v, error, "%s is not a directory", path);
    break;
  case PATH_FILE:
  case PATH_EXECUTABLE: {
    struct stat st;
    if (stat (path, &st) != 0) {
      int errsv = errno;
      if (errsv == ENOENT) {
        value_error (ctx, group, key, v, error, "%s does not exist", path);
        return media_refused (kind, error);
      }
      return value_error (ctx, group, key, v, error, "%s: %s", path,
                          errsv == ELOOP ? "a loop of symbolic links" : g_strerror (errsv));
    }
    if (S_ISDIR (st.st_mode))
      return value_error (ctx, group, key, v, error, "%s is a directory, not a file", path);
    /* qemu opens these as the same user: say so now, not in qemu's words. */
    if (access (path, R_OK) != 0) {
      value_error (ctx, group, key, v, error, "%s is not readable: %s", path, g_strerror (errno));
      return media_refused (kind, error);
    }
    if (kind == PATH_EXECUTABLE && !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
      return value_error (ctx, group, key, v, error, "%s is not executable", path);
    break;
  }
  }
  g_free (*ret);
  *ret = g_steal_pointer (&path);
  return TRUE;
}

/* ---- value parsers ---- */

static gboolean
parse_page_size (const char *text, guint64 *ret)
{
  g_autofree char *s = g_ascii_strdown (text, -1);
  guint64 n;

  g_strstrip (s);
  if (g_str_has_suffix (s, "ib"))
    s[strlen (s) - 2] = '\0';
  else if (g_str_has_suffix (s, "b"))
    s[strlen (s) - 1] = '\0';
  if (!ppcvm_parse_size_unit (s, 1, &n, NULL) || (n != 4096 && n != 65536))
    return FALSE;
  *ret = n;
  return TRUE;
}

/* "host" -> 0, "POWER9"/"power9" -> 9. */
static gboolean
parse_cpu (const char *text, int *ret)
{
  guint64 gen;

  if (g_ascii_strcasecmp (text, "host") == 0)
    return *ret = 0, TRUE;
  if (g_ascii_strncasecmp (text, "power", 5) != 0
      || !g_ascii_string_to_unsigned (text + 5, 10, 7, 10, &gen, NULL))
    return FALSE;
  *ret = (int) gen;
  return TRUE;
}

gboolean
profile_is_word (const char *s, const char *extra)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && strchr (extra, *s) == NULL)
      return FALSE;
  return TRUE;
}

/* "pseries" or "pseries-X.Y" with an optional "-suffix" (pseries-2.12-sxxm). */
static gboolean
machine_is_valid (const char *m)
{
  const char *p;
  int dots = 0;

  if (g_str_equal (m, "pseries"))
    return TRUE;
  if (!g_str_has_prefix (m, "pseries-") || !g_ascii_isdigit (m[8]))
    return FALSE;
  for (p = m + 8; g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])); p++)
    dots += *p == '.';
  if (dots != 1)
    return FALSE;
  return *p == '\0' || (*p == '-' && profile_is_word (p + 1, ""));
}

static gboolean
ipv4_is_valid (const char *s)
{
  g_auto (GStrv) parts = g_strsplit (s, ".", -1);

  if (g_strv_length (parts) != 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_string_to_unsigned (parts[i], 10, 0, 255, NULL, NULL))
      return FALSE;
  return TRUE;
}

static gboolean
parse_port (const char *s, guint16 *ret)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (s, 10, 1, 65535, &v, NULL))
    return FALSE;
  *ret = (guint16) v;
  return TRUE;
}

/* PROTO:[ADDR:]HOSTPORT-[GUESTADDR]:GUESTPORT; an empty ADDR is none. */
ProfileForward *
profile_forward_parse (const char *text)
{
  g_autofree char *s = g_strstrip (g_strdup (text));
  g_auto (GStrv) sides = g_strsplit (s, "-", 2);
  g_auto (GStrv) host = NULL;
  g_auto (GStrv) guest = NULL;
  g_autoptr (ProfileForward) f = g_new0 (ProfileForward, 1);
  const char *addr = "", *port;

  if (g_strv_length (sides) != 2)
    return NULL;
  host = g_strsplit (sides[0], ":", -1);
  guest = g_strsplit (sides[1], ":", -1);
  if (g_strv_length (host) == 2) {
    port = host[1];
  } else if (g_strv_length (host) == 3) {
    addr = host[1];
    port = host[2];
  } else {
    return NULL;
  }
  if (g_ascii_strcasecmp (host[0], "tcp") == 0)
    f->proto = FORWARD_TCP;
  else if (g_ascii_strcasecmp (host[0], "udp") == 0)
    f->proto = FORWARD_UDP;
  else
    return NULL;
  if ((*addr && !ipv4_is_valid (addr)) || !parse_port (port, &f->host_port))
    return NULL;
  if (g_strv_length (guest) != 2 || (*guest[0] && !ipv4_is_valid (guest[0]))
      || !parse_port (guest[1], &f->guest_port))
    return NULL;
  f->host_addr = *addr ? g_strdup (addr) : NULL;
  f->guest_addr = *guest[0] ? g_strdup (guest[0]) : NULL;
  return g_steal_pointer (&f);
}

/* ADDRESS:DISPLAY, as -vnc takes it: "127.0.0.1:0", ":1", "[::1]:2". */
static gboolean
vnc_is_valid (const char *s)
{
  const char *colon = strrchr (s, ':');

  if (colon == NULL || strpbrk (s, ", \t") != NULL)
    return FALSE;
  return g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535 - 5900, NULL, NULL);
}

/* Only the machine itself can reach a loopback VNC server. Decided on IP
 * literals only (inet_pton: strict dotted quads, plain IPv6): a host name,
 * however much it looks like one ("127.0.0.1.nip.io", "localhost"), is
 * resolved by QEMU to whatever the resolver says, so it counts as reachable
 * from other machines. */
static gboolean
vnc_is_loopback (const char *s)
{
  gsize len = strrchr (s, ':') - s;
  g_autofree char *addr = NULL;
  struct in_addr a4;
  struct in6_addr a6;

  if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
    addr = g_strndup (s + 1, len - 2);
    return inet_pton (AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK (&a6);
  }
  addr = g_strndup (s, len);
  return inet_pton (AF_INET, addr, &a4) == 1 && (ntohl (a4.s_addr) >> 24) == 127;
}

/* ---- groups ---- */

/* The password is the guest console's only lock: nobody else may read it. */
static gboolean
check_password_file (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  struct stat st;

  if (p->vnc_password_file != NULL && stat (p->vnc_password_file, &st) == 0 && (st.st_mode & 0077) != 0) {
    g_autofree char *v = NULL;
    (void) ctx_get_opt (ctx, g, "vnc-password-file", &v, NULL);
    return value_error (ctx, g, "vnc-password-file", v != NULL ? v : p->vnc_password_file, error,
                        "%s is open to other users (mode %04o): make it private with chmod 600 '%s'",
                        p->vnc_password_file, (unsigned) (st.st_mode & 07777), p->vnc_password_file);
  }
  return TRUE;
}

/* name, uuid, the enumerations and the paths. */
static gboolean
guest_basics (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  int mmu = p->mmu, accel = p->accel, display = p->display, endian = p->big_endian, compat = p->compat;

  if (!ctx_get_opt (ctx, g, "name", &p->name, error)
      || !ctx_get_opt (ctx, g, "uuid", &p->uuid, error)
      || !ctx_get_enum (ctx, g, "endian", endian_names, "a byte order", &endian, error)
      || !ctx_get_enum (ctx, g, "mmu", mmu_names, "an MMU mode", &mmu, error)
      || !ctx_get_bool (ctx, g, "nested", &p->nested, error)
      || !ctx_get_enum (ctx, g, "accel", accel_names, "an accelerator", &accel, error)
      || !ctx_get_enum (ctx, g, "display", display_names, "a display", &display, error)
      || !ctx_get_enum (ctx, g, "compat", compat_names, "a compatibility mode", &compat, error)
      || !ctx_get_path (ctx, g, "vnc-password-file", PATH_FILE, &p->vnc_password_file, error)
      || !ctx_get_path (ctx, g, "mem-path", PATH_DIR, &p->mem_path, error))
    return FALSE;
  if (!check_password_file (ctx, g, p, error))
    return FALSE;
  p->mmu = mmu;
  p->accel = accel;
  p->display = display;
  p->big_endian = endian;
  p->compat = compat;
  if (p->uuid != NULL && !g_uuid_string_is_valid (g_strstrip (p->uuid)))
    return value_error (ctx, g, "uuid", p->uuid, error,
                        "'%s' is not a UUID (like 6b1f3c52-0e94-4d7a-9b25-c8417e03d65f)", p->uuid);
  if (p->name != NULL) {
    const char *why = title_problem (p->name);
    if (why != NULL)
      return value_error (ctx, g, "name", p->name, error, "%s (%s)", why, PROFILE_TITLE_RULE);
  }
  return TRUE;
}

/* page-size, cpu and memory. */
static gboolean
guest_sizes (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_autofree char *v = NULL;

  if (!ctx_get (ctx, g, "page-size", &v, error))
    return FALSE;
  if (v != NULL && !parse_page_size (v, &p->page_size))
    return value_error (ctx, g, "page-size", v, error, "'%s' is not a page size (4K or 64K)", v);
  g_clear_pointer (&v, g_free);

  if (!ctx_get (ctx, g, "cpu", &v, error))
    return FALSE;
  if (v != NULL && !parse_cpu (g_strstrip (v), &p->cpu_generation))
    return value_error (ctx, g, "cpu", v, error,
                        "'%s' is not a CPU (host, POWER7, POWER8, POWER9 or POWER10)", v);
  g_clear_pointer (&v, g_free);

  if (!ctx_get (ctx, g, "memory", &v, error))
    return FALSE;
  if (v != NULL) {
    g_autoptr (GError) local = NULL;
    if (!ppcvm_parse_size (v, &p->memory, &local))
      return value_error (ctx, g, "memory", v, error, "%s", local->message);
    if (p->memory < MEMORY_STEP)
      return value_error (ctx, g, "memory", v, error,
                          "a pseries guest needs at least 256M (its real-mode area)");
    if (p->memory % MEMORY_STEP != 0)
      return value_error (ctx, g, "memory", v, error,
                          "'%s' is not a multiple of 256M, which QEMU's pseries machine needs",
                          v);
  }
  g_clear_pointer (&v, g_free);
  return TRUE;
}

/* smp and threads. */
static gboolean
guest_cpus (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_autofree char *v = NULL;

  if (!ctx_get (ctx, g, "smp", &v, error))
    return FALSE;
  if (v != NULL) {
    guint64 n;
    if (!g_ascii_string_to_unsigned (g_strstrip (v), 10, 1, SMP_MAX, &n, NULL))
      return value_error (ctx, g, "smp", v, error, "'%s' is not a CPU count (1 to %d)", v,
                          SMP_MAX);
    p->smp = (guint) n;
  }
  g_clear_pointer (&v, g_free);

  if (!ctx_get (ctx, g, "threads", &v, error))
    return FALSE;
  if (v != NULL) {
    guint64 n;
    if (!g_ascii_string_to_unsigned (g_strstrip (v), 10, 1, 8, &n, NULL) || (n & (n - 1)) != 0)
      return value_error (ctx, g, "threads", v, error,
                          "'%s' is not a number of threads per core (1, 2, 4 or 8)", v);
    p->threads = (guint) n;
  }
  g_clear_pointer (&v, g_free);
  if (p->threads > 1 && p->smp % p->threads != 0) {
    g_autofree char *t = g_strdup_printf ("%u", p->threads);
    return value_error (ctx, g, "threads", t, error,
                        "smp=%u is not a multiple of threads=%u (whole cores only)", p->smp, p->threads);
  }
  return TRUE;
}

static gboolean
guest_machine_vnc (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_autofree char *v = NULL;

  if (!ctx_get (ctx, g, "machine", &v, error))
    return FALSE;
  if (v != NULL) {
    if (!machine_is_valid (g_strstrip (v)))
      return value_error (ctx, g, "machine", v, error,
                          "'%s' is not a machine type (pseries or pseries-X.Y, e.g. "
                          "pseries-7.2)", v);
    g_free (p->machine);
    p->machine = g_steal_pointer (&v);
  }

  if (!ctx_get_opt (ctx, g, "vnc", &v, error))
    return FALSE;
  if (v != NULL) {
    if (!vnc_is_valid (g_strstrip (v)))
      return value_error (ctx, g, "vnc", v, error,
                          "'%s' is not a VNC listen address (ADDRESS:DISPLAY, e.g. "
                          "127.0.0.1:0)", v);
    /* Anyone on the network could take over the guest's console. */
    if (!vnc_is_loopback (v) && p->vnc_password_file == NULL)
      return value_error (ctx, g, "vnc", v, error,
                          "a VNC display reachable from other machines needs a password: set "
                          "vnc-password-file=FILE, or listen on 127.0.0.1");
    g_free (p->vnc_listen);
    p->vnc_listen = g_steal_pointer (&v);
  }
  return TRUE;
}

gboolean
profile_load_guest (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  return guest_basics (ctx, g, p, error) && guest_sizes (ctx, g, p, error) && guest_cpus (ctx, g, p, error)
         && guest_machine_vnc (ctx, g, p, error);
}

gboolean
profile_load_boot (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_autofree char *fw = NULL;
  int firmware = p->firmware;

  if (!ctx_get_opt (ctx, g, "firmware", &fw, error))
    return FALSE;
  /* firmware= once named an image file; that is bios= now. */
  if (fw != NULL && strchr (fw, '/') != NULL)
    return value_error (ctx, g, "firmware", fw, error,
                        "'%s' is not a firmware (auto, slof or vof); a firmware image file goes in "
                        "bios=PATH", fw);
  if (!ctx_get_enum (ctx, g, "firmware", firmware_names, "a firmware", &firmware, error))
    return FALSE;
  p->firmware = firmware;
  {
    int order = p->boot_order;
    if (!ctx_get_enum (ctx, g, "order", boot_order_names, "a boot order", &order, error))
      return FALSE;
    p->boot_order = order;
  }
  return ctx_get_path (ctx, g, "kernel", PATH_FILE, &p->kernel, error)
         && ctx_get_path (ctx, g, "initrd", PATH_FILE, &p->initrd, error)
         && ctx_get_opt (ctx, g, "append", &p->append, error)
         && ctx_get_path (ctx, g, "bios", PATH_FILE, &p->bios, error)
         && ctx_get_path (ctx, g, "cdrom", PATH_FILE, &p->cdrom, error);
}

gboolean
profile_load_disk (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_autoptr (ProfileDisk) d = g_new0 (ProfileDisk, 1);
  g_autofree char *accepted = NULL;
  int iface = 0;

  d->name = g_strdup (g + strlen ("disk:"));
  if (!ctx_get_path (ctx, g, "file", PATH_FILE, &d->file, error)
      || !ctx_get_opt (ctx, g, "format", &d->format, error)
      || !ctx_get_enum (ctx, g, "interface", interface_names, "a disk interface", &iface, error)
      || !ctx_get_bool (ctx, g, "readonly", &d->readonly, error))
    return FALSE;
  if (d->file == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s: [%s] file=: a disk needs file= (the image or block device)",
                 ctx_source (ctx, g, "file"), g);
    return FALSE;
  }
  if (g_key_file_has_key (ctx->kf, g, "interface", NULL))
    d->interface = g_strdup (interface_names[iface]);
  if (d->format == NULL) {
    gboolean plain = strspn (d->file, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-")
                     == strlen (d->file);
    g_autofree char *quoted = plain ? g_strdup (d->file) : g_shell_quote (d->file);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID,
                 "%s: [%s] format= is missing: qemu would guess the format from the image's contents, "
                 "which the guest writes; 'qemu-img info %s' tells it: add format=raw (or qcow2...)",
                 ctx_source (ctx, g, "format"), g, quoted);
    return FALSE;
  }
  if (!g_strv_contains (format_names, g_strstrip (d->format))) {
    accepted = profile_join_names (format_names, " or ");
    return value_error (ctx, g, "format", d->format, error, "'%s' is not a disk format (%s)",
                        d->format, accepted);
  }
  {
    struct stat st;
    /* One image twice: qemu's lock would refuse it as if another guest had it. */
    for (guint i = 0; i < p->disks->len && stat (d->file, &st) == 0; i++) {
      const ProfileDisk *o = p->disks->pdata[i];
      struct stat ost;
      if (stat (o->file, &ost) == 0 && ost.st_dev == st.st_dev && ost.st_ino == st.st_ino
          && !(o->readonly && d->readonly))
        return value_error (ctx, g, "file", d->file, error, "the same image as [disk:%s]: a disk can be "
                            "attached once (or read-only in both)", o->name);
    }
  }
  g_ptr_array_add (p->disks, g_steal_pointer (&d));
  return TRUE;
}

gboolean
profile_load_network (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_auto (GStrv) fwds = NULL;
  int mode = p->net_mode;

  if (!ctx_get_enum (ctx, g, "mode", net_names, "a network mode", &mode, error)
      || !ctx_get_opt (ctx, g, "ifname", &p->net_ifname, error)
      || !ctx_get_opt (ctx, g, "model", &p->net_model, error)
      || !ctx_get_path (ctx, g, "rom", PATH_FILE, &p->net_rom, error)
      || !ctx_get_list (ctx, g, "forward", &fwds, error))
    return FALSE;
  p->net_mode = mode;

  if (fwds != NULL) {
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) profile_forward_free);
    for (int i = 0; fwds[i] != NULL; i++) {
      ProfileForward *f;
      if (*g_strstrip (fwds[i]) == '\0')
        continue;
      f = profile_forward_parse (fwds[i]);
      if (f == NULL) {
        g_autofree char *raw = g_key_file_get_value (ctx->kf, g, "forward", NULL);
        return value_error (ctx, g, "forward", raw, error,
                            "'%s' is not a port forward (PROTO:[ADDR:]HOSTPORT-[GUESTADDR]:"
                            "GUESTPORT, PROTO tcp or udp, e.g. tcp:2222-:22)", fwds[i]);
      }
      g_ptr_array_add (out, f);
    }
    g_ptr_array_unref (p->forwards);
    p->forwards = g_steal_pointer (&out);
  }
  if (p->net_ifname != NULL
      && (strlen (p->net_ifname) > 15 || !profile_is_word (p->net_ifname, "_.-")))
    return value_error (ctx, g, "ifname", p->net_ifname, error,
                        "'%s' is not an interface name (up to 15 letters, digits, '_', '.' "
                        "or '-')", p->net_ifname);
  if (p->net_model != NULL && !profile_is_word (p->net_model, "_-"))
    return value_error (ctx, g, "model", p->net_model, error,
                        "'%s' is not a NIC model (e.g. virtio-net-pci, spapr-vlan, e1000)",
                        p->net_model);
  if ((p->net_mode == NET_TAP || p->net_mode == NET_BRIDGE) && p->net_ifname == NULL) {
    g_autofree char *m = g_key_file_get_value (ctx->kf, g, "mode", NULL);
    return value_error (ctx, g, "mode", m, error, "mode=%s needs ifname= (the %s)",
                        net_names[p->net_mode],
                        p->net_mode == NET_TAP ? "tap interface" : "bridge");
  }
  return TRUE;
}

gboolean
profile_load_qemu (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_auto (GStrv) args = NULL;
  g_autofree char *binary = NULL;

  if (!ctx_get_list (ctx, g, "args", &args, error) || !ctx_get_opt (ctx, g, "binary", &binary, error))
    return FALSE;
  if (args != NULL) {
    /* Each element is split into words with shell quoting (no expansion), so
     * "args=-S;-d int" gives -S -d int. */
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
    for (int i = 0; args[i] != NULL; i++) {
      g_auto (GStrv) words = NULL;
      g_autoptr (GError) local = NULL;
      if (*g_strstrip (args[i]) == '\0')
        continue;
      if (!g_shell_parse_argv (args[i], NULL, &words, &local)) {
        g_autofree char *raw = g_key_file_get_value (ctx->kf, g, "args", NULL);
        return value_error (ctx, g, "args", raw, error, "'%s': %s", args[i], local->message);
      }
      for (int j = 0; words[j] != NULL; j++)
        g_ptr_array_add (out, g_steal_pointer (&words[j]));
    }
    g_ptr_array_add (out, NULL);
    g_strfreev (p->qemu_args);
    p->qemu_args = (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
  }
  if (binary != NULL && strchr (binary, '/') == NULL) {
    /* A bare name is looked up in $PATH by whoever runs it. */
    if (!profile_is_word (binary, "_.-"))
      return value_error (ctx, g, "binary", binary, error, "'%s' is not a program name", binary);
    g_free (p->qemu_binary);
    p->qemu_binary = g_steal_pointer (&binary);
    return TRUE;
  }
  return ctx_get_path (ctx, g, "binary", PATH_EXECUTABLE, &p->qemu_binary, error);
}

const char *
profile_mmu_to_string (GuestMmu mmu)
{
  g_return_val_if_fail ((guint) mmu < G_N_ELEMENTS (mmu_names) - 1, "?");
  return mmu_names[mmu];
}

const char *
profile_accel_to_string (AccelRequest a)
{
  g_return_val_if_fail ((guint) a < G_N_ELEMENTS (accel_names) - 1, "?");
  return accel_names[a];
}

gboolean
profile_accel_from_string (const char *s, AccelRequest *ret)
{
  g_return_val_if_fail (s != NULL, FALSE);

  for (int i = 0; accel_names[i] != NULL; i++) {
    if (g_ascii_strcasecmp (s, accel_names[i]) == 0) {
      *ret = (AccelRequest) i;
      return TRUE;
    }
  }
  if (g_ascii_strcasecmp (s, "kvm-hv") == 0)
    return *ret = ACCEL_HV, TRUE;
  if (g_ascii_strcasecmp (s, "kvm-pr") == 0)
    return *ret = ACCEL_PR, TRUE;
  return FALSE;
}

const char *
profile_display_to_string (GuestDisplay d)
{
  g_return_val_if_fail ((guint) d < G_N_ELEMENTS (display_names) - 1, "?");
  return display_names[d];
}

/* [cloud-init]: a user and host name for the seed (a name cloud-init and
 * useradd accept), and a public key file. */
gboolean
profile_load_cloud_init (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;

  if (!ctx_get (ctx, g, "user", &user, error) || !ctx_get (ctx, g, "hostname", &host, error) ||
      !ctx_get_path (ctx, g, "ssh-key", PATH_FILE, &p->ci_ssh_key, error))
    return FALSE;
  if (user != NULL) {
    g_strstrip (user);
    if (!(g_ascii_islower (user[0]) || user[0] == '_') || strlen (user) > 32 || !profile_is_word (user, "_-"))
      return value_error (ctx, g, "user", user, error,
                          "'%s' is not a user name (a lower-case letter or '_', then letters, digits, "
                          "'_' or '-', up to 32)", user);
    for (const char *c = user; *c; c++)
      if (g_ascii_isupper (*c))
        return value_error (ctx, g, "user", user, error, "'%s' is not a user name (lower case only)", user);
    g_free (p->ci_user);
    p->ci_user = g_steal_pointer (&user);
  }
  if (host != NULL) {
    g_strstrip (host);
    if (!g_ascii_isalnum (host[0]) || strlen (host) > 63 || !profile_is_word (host, "-"))
      return value_error (ctx, g, "hostname", host, error,
                          "'%s' is not a host name (letters, digits and '-', up to 63)", host);
    g_free (p->ci_hostname);
    p->ci_hostname = g_steal_pointer (&host);
  }
  return TRUE;
}

gboolean
profile_load_ssh (LoadContext *ctx, const char *g, Profile *p, GError **error)
{
  g_autofree char *port = NULL;

  if (!ctx_get_opt (ctx, g, "user", &p->ssh_user, error)
      || !ctx_get_path (ctx, g, "identity", PATH_FILE, &p->ssh_identity, error)
      || !ctx_get_opt (ctx, g, "port", &port, error)
      || !ctx_get_bool (ctx, g, "forward", &p->ssh_forward, error))
    return FALSE;
  if (p->ssh_user != NULL && (*g_strstrip (p->ssh_user) == '\0' || !profile_is_word (p->ssh_user, "._-")
                              || p->ssh_user[0] == '-'))
    return value_error (ctx, g, "user", p->ssh_user, error,
                        "'%s' is not a user name (letters, digits, '.', '_', '-'; not starting with '-')",
                        p->ssh_user);
  if (port != NULL) {
    guint64 v = 0;
    if (!g_ascii_string_to_unsigned (g_strstrip (port), 10, 1, 65535, &v, NULL))
      return value_error (ctx, g, "port", port, error, "'%s' is not a port (1-65535)", port);
    p->ssh_port = (guint) v;
  }
  return TRUE;
}

const char *
profile_firmware_to_string (FirmwareRequest f)
{
  return firmware_names[f];
}
