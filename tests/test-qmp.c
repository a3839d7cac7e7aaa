/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP client against recorded exchanges with qemu-system-ppc64 7.2
 * (tests/data/qmp-*.txt), replayed by a fake server in a thread: "<-" lines
 * are sent, "->" lines must arrive (compared as JSON), "# EOF" hangs up,
 * "# HOLD" keeps the connection open, silent, until the client closes it. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <glib/gstdio.h>

#include "qmp.h"
#include "testlib.h"
#include "util.h"

typedef struct {
  int fd;         /* server end */
  int listen_fd;  /* when set, accept the connection first */
  char **script;
  char *failure;  /* first mismatch, NULL if none */
  GThread *thread;
} FakeServer;

static char *
read_line (int fd)
{
  GString *s = g_string_new (NULL);
  char c;

  while (read (fd, &c, 1) == 1) {
    if (c == '\n')
      return g_string_free (s, FALSE);
    g_string_append_c (s, c);
  }
  g_string_free (s, TRUE);
  return NULL;
}

/* 17 MiB without a newline, until the client stops reading. */
static void
flood (int fd)
{
  static char chunk[65536];
  gsize sent = 0;

  memset (chunk, 'x', sizeof chunk);
  while (sent < 17 * 1024 * 1024) {
    ssize_t n = send (fd, chunk, sizeof chunk, MSG_NOSIGNAL);
    if (n <= 0)
      return;
    sent += (gsize) n;
  }
}

static gpointer
serve (gpointer data)
{
  FakeServer *f = data;

  if (f->listen_fd >= 0)
    f->fd = accept (f->listen_fd, NULL, NULL);
  if (f->fd >= 0)
    fcntl (f->fd, F_SETFD, FD_CLOEXEC);
  for (char **l = f->script; *l && f->failure == NULL; l++) {
    if (g_str_has_prefix (*l, "<- ")) {
      g_autofree char *out = g_strconcat (*l + 3, "\r\n", NULL);
      if (write (f->fd, out, strlen (out)) != (ssize_t) strlen (out))
        f->failure = g_strdup ("write failed");
    } else if (g_str_has_prefix (*l, "-> ")) {
      g_autofree char *got = read_line (f->fd);
      json_object *want = json_tokener_parse (*l + 3);
      json_object *have = got != NULL ? json_tokener_parse (got) : NULL;
      if (!json_object_equal (want, have))
        f->failure = g_strdup_printf ("expected %s, got %s", *l + 3, got ? got : "EOF");
      json_object_put (want);
      json_object_put (have);
    } else if (g_str_equal (*l, "# HOLD")) {
      g_free (read_line (f->fd)); /* until the client hangs up */
    } else if (g_str_equal (*l, "# EOF")) {
      break;
    } else if (g_str_equal (*l, "# FLOOD")) {
      flood (f->fd); /* a "line" longer than any QMP reply may be */
    }
  }
  ppcvm_close_fdp (&f->fd);
  return NULL;
}

static char **
load_script (const char *name)
{
  g_autofree char *text = testlib_read_data (name);

  return g_strsplit (text, "\n", -1);
}

/* A client connected to a fake server over a socketpair. */
static QmpClient *
start (FakeServer *f, char **script)
{
  int sv[2];

  ck_assert_int_eq (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  *f = (FakeServer) { .fd = sv[1], .listen_fd = -1, .script = script };
  f->thread = g_thread_new ("fake-qmp", serve, f);
  return qmp_client_new_fd (sv[0]);
}

static void
finish (FakeServer *f, QmpClient *c)
{
  qmp_client_free (c);
  g_thread_join (f->thread);
  ck_assert_msg (f->failure == NULL, "fake QMP server: %s", f->failure);
  g_strfreev (f->script);
}

static const char *
get_str (json_object *o, const char *key)
{
  json_object *v = NULL;
  return json_object_object_get_ex (o, key, &v) ? json_object_get_string (v) : NULL;
}

START_TEST (test_status_over_socket)
{
  g_autofree char *dir = testlib_tmpdir ("qmp");
  g_autofree char *path = g_build_filename (dir, "qmp.sock", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_autoptr (GError) error = NULL;
  g_autoptr (json_object) ret = NULL;
  FakeServer f = { .fd = -1, .script = load_script ("qmp-status-7.2.txt") };
  QmpClient *c;

  f.listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  ck_assert_int_eq (bind (f.listen_fd, (struct sockaddr *) &addr, sizeof addr), 0);
  ck_assert_int_eq (listen (f.listen_fd, 1), 0);
  f.thread = g_thread_new ("fake-qmp", serve, &f);

  c = qmp_client_connect (path, 2000, &error);
  ck_assert_msg (c != NULL, "connect: %s", error ? error->message : "");
  ck_assert_str_eq (qmp_client_version (c), "7.2.22");

  ret = qmp_client_execute (c, "query-status", NULL, 2000, &error);
  ck_assert_msg (ret != NULL, "query-status: %s", error ? error->message : "");
  ck_assert_str_eq (get_str (ret, "status"), "prelaunch");
  g_clear_pointer (&ret, json_object_put);

  ret = qmp_client_execute (c, "no-such-command", NULL, 2000, &error);
  ck_assert_ptr_null (ret);
  ck_assert (g_error_matches (error, PPCVM_ERROR, PPCVM_ERROR_FAILED));
  ck_assert_ptr_nonnull (strstr (error->message, "has not been found"));
  g_clear_error (&error);

  /* quit: the SHUTDOWN event arrives before the answer and is kept. */
  ret = qmp_client_execute (c, "quit", NULL, 2000, &error);
  ck_assert_msg (ret != NULL, "quit: %s", error ? error->message : "");
  ck_assert_int_eq (json_object_object_length (ret), 0);
  ck_assert_uint_eq (qmp_client_events (c)->len, 1);
  ck_assert_str_eq (get_str (qmp_client_events (c)->pdata[0], "event"), "SHUTDOWN");

  finish (&f, c);
  close (f.listen_fd);
  testlib_rm_rf (dir);
}
END_TEST

START_TEST (test_powerdown)
{
  FakeServer f;
  QmpClient *c = start (&f, load_script ("qmp-powerdown-7.2.txt"));
  g_autoptr (GError) error = NULL;
  g_autoptr (json_object) ret = NULL;
  g_autoptr (json_object) ev = NULL;
  json_object *data = NULL, *guest = NULL;

  ck_assert_msg (qmp_client_handshake (c, 2000, &error), "handshake: %s", error ? error->message : "");
  ret = qmp_client_execute (c, "system_powerdown", NULL, 2000, &error);
  ck_assert_msg (ret != NULL, "system_powerdown: %s", error ? error->message : "");
  ck_assert_uint_eq (qmp_client_events (c)->len, 1);
  ck_assert_str_eq (get_str (qmp_client_events (c)->pdata[0], "event"), "POWERDOWN");

  ev = qmp_client_wait_event (c, "SHUTDOWN", 2000, &error);
  ck_assert_msg (ev != NULL, "SHUTDOWN: %s", error ? error->message : "");
  ck_assert (json_object_object_get_ex (ev, "data", &data));
  ck_assert (json_object_object_get_ex (data, "guest", &guest));
  ck_assert (json_object_get_boolean (guest));
  ck_assert_str_eq (get_str (data, "reason"), "guest-shutdown");

  /* qemu is gone: the next command sees the hang-up. */
  g_clear_pointer (&ret, json_object_put);
  ret = qmp_client_execute (c, "quit", NULL, 2000, &error);
  ck_assert_ptr_null (ret);
  ck_assert (g_error_matches (error, QMP_ERROR, QMP_ERROR_CLOSED));
  finish (&f, c);
}
END_TEST

/* The greeting of the recording, then silence. */
static char **
greeting_then (const char *const *rest)
{
  g_auto (GStrv) rec = load_script ("qmp-status-7.2.txt");
  g_autoptr (GPtrArray) out = g_ptr_array_new ();

  for (char **l = rec; *l; l++)
    if (g_str_has_prefix (*l, "<- {\"QMP\"")) {
      g_ptr_array_add (out, g_strdup (*l));
      break;
    }
  for (; rest && *rest; rest++)
    g_ptr_array_add (out, g_strdup (*rest));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

START_TEST (test_timeout)
{
  const char *const rest[] = { "-> {\"execute\": \"qmp_capabilities\", \"id\": \"ppcvm-1\"}", "# HOLD", NULL };
  FakeServer f;
  QmpClient *c = start (&f, greeting_then (rest));
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  ck_assert (!qmp_client_handshake (c, 200, &error));
  ck_assert_msg (g_error_matches (error, QMP_ERROR, QMP_ERROR_TIMED_OUT), "%s", error->message);
  ck_assert_int_lt (g_get_monotonic_time () - t0, G_USEC_PER_SEC);
  finish (&f, c);
}
END_TEST

/* An answer with another id (a command that timed out earlier) and events
 * are skipped; only the matching id ends the wait. */
START_TEST (test_skips_foreign_answers)
{
  const char *const rest[] = {
    "-> {\"execute\": \"qmp_capabilities\", \"id\": \"ppcvm-1\"}",
    "<- {\"return\": {}, \"id\": \"ppcvm-1\"}",
    "-> {\"execute\": \"query-status\", \"id\": \"ppcvm-2\"}",
    "<- {\"return\": {\"status\": \"stale\"}, \"id\": \"other\"}",
    "<- {\"timestamp\": {\"seconds\": 1, \"microseconds\": 0}, \"event\": \"RESUME\"}",
    "<- {\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, \"id\": \"ppcvm-2\"}",
    "# EOF", NULL
  };
  FakeServer f;
  QmpClient *c = start (&f, greeting_then (rest));
  g_autoptr (GError) error = NULL;
  g_autoptr (json_object) ret = NULL;

  ck_assert_msg (qmp_client_handshake (c, 2000, &error), "%s", error ? error->message : "");
  ret = qmp_client_execute (c, "query-status", NULL, 2000, &error);
  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (get_str (ret, "status"), "running");
  ck_assert_uint_eq (qmp_client_events (c)->len, 1);
  finish (&f, c);
}
END_TEST

START_TEST (test_garbage_and_no_greeting)
{
  const char *const script[] = { "<- {\"return\": {}}", "# HOLD", NULL };
  FakeServer f;
  QmpClient *c = start (&f, g_strdupv ((char **) script));
  g_autoptr (GError) error = NULL;

  ck_assert (!qmp_client_handshake (c, 2000, &error));
  ck_assert (g_error_matches (error, QMP_ERROR, QMP_ERROR_INVALID));
  finish (&f, c);
}
END_TEST

/* A reply without end is refused once it passes PPCVM_READ_MAX_QMP, not
 * buffered until the deadline (or memory) runs out. */
START_TEST (test_reply_too_large)
{
  const char *const script[] = { "# FLOOD", "# HOLD", NULL };
  FakeServer f;
  QmpClient *c = start (&f, g_strdupv ((char **) script));
  g_autoptr (GError) error = NULL;

  ck_assert (!qmp_client_handshake (c, 20000, &error));
  ck_assert_msg (g_error_matches (error, QMP_ERROR, QMP_ERROR_INVALID), "%s", error->message);
  ck_assert_msg (strstr (error->message, "too large") != NULL, "%s", error->message);
  finish (&f, c);
}
END_TEST

START_TEST (test_connect_missing)
{
  g_autoptr (GError) error = NULL;
  QmpClient *c = qmp_client_connect ("/nonexistent/ppcvm/qmp.sock", 200, &error);

  ck_assert_ptr_null (c);
  ck_assert (g_error_matches (error, QMP_ERROR, QMP_ERROR_NOT_FOUND));
}
END_TEST

static Suite *
qmp_suite (void)
{
  Suite *s = suite_create ("qmp");
  TCase *tc = tcase_create ("recorded");

  tcase_add_test (tc, test_status_over_socket);
  tcase_add_test (tc, test_powerdown);
  tcase_add_test (tc, test_timeout);
  tcase_add_test (tc, test_skips_foreign_answers);
  tcase_add_test (tc, test_garbage_and_no_greeting);
  tcase_add_test (tc, test_reply_too_large);
  tcase_add_test (tc, test_connect_missing);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return testlib_run (qmp_suite ());
}
