/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP client. QEMU ends every message with "\r\n" and never puts a raw
 * newline inside one, so messages are read line by line; each command carries
 * an "id" and only the answer with that id ends the wait (a late answer to a
 * command that timed out is skipped). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmp.h"
#include "util.h"

struct QmpClient {
  int fd;
  GString *buf;     /* bytes read, not yet a complete line */
  GPtrArray *events;
  char *version;
  guint next_id;
};

static void
event_free (gpointer event)
{
  json_object_put (event);
}

QmpClient *
qmp_client_new_fd (int fd)
{
  QmpClient *c = g_new0 (QmpClient, 1);

  c->fd = fd;
  c->buf = g_string_new (NULL);
  c->events = g_ptr_array_new_with_free_func (event_free);
  return c;
}

void
qmp_client_free (QmpClient *c)
{
  if (c == NULL)
    return;
  ppcvm_close_fdp (&c->fd);
  g_string_free (c->buf, TRUE);
  g_ptr_array_unref (c->events);
  g_free (c->version);
  g_free (c);
}

G_DEFINE_QUARK (ppcvm-qmp-error-quark, qmp_error)

QmpError
qmp_error_from_errno (int errsv)
{
  switch (errsv) {
  case ENOENT: return QMP_ERROR_NOT_FOUND;
  case EPIPE:
  case ECONNRESET:
  case ECONNREFUSED: return QMP_ERROR_CLOSED;
  case ETIMEDOUT: return QMP_ERROR_TIMED_OUT;
  default: return QMP_ERROR_IO;
  }
}

static gboolean
io_fail (int errsv, GError **error, const char *what)
{
  g_set_error (error, QMP_ERROR, qmp_error_from_errno (errsv), "QMP %s: %s", what, g_strerror (errsv));
  return FALSE;
}

/* Milliseconds left before DEADLINE (monotonic µs), never negative. */
static int
remaining_ms (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();
  return left <= 0 ? 0 : (int) ((left + 999) / 1000);
}

/* The next message, parsed; NULL with an error on timeout, EOF or garbage. */
static json_object *
read_message (QmpClient *c, gint64 deadline, GError **error)
{
  /* Only a newly read chunk can complete a line: the buffer is not scanned
   * again for every chunk of a long message. */
  gboolean may_have_line = TRUE;

  for (;;) {
    char *nl = may_have_line ? memchr (c->buf->str, '\n', c->buf->len) : NULL;
    char chunk[4096];
    struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
    ssize_t n;
    int r;

    if (nl != NULL) {
      gsize len = (gsize) (nl - c->buf->str);
      g_autofree char *line = g_strndup (c->buf->str, len);
      json_object *msg;

      g_string_erase (c->buf, 0, (gssize) len + 1);
      g_strstrip (line);
      if (*line == '\0')
        continue;
      msg = json_tokener_parse (line);
      if (msg == NULL || !json_object_is_type (msg, json_type_object)) {
        json_object_put (msg);
        g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID, "QMP: not a JSON object: %.80s", line);
        return NULL;
      }
      return msg;
    }

    r = poll (&pfd, 1, remaining_ms (deadline));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      io_fail (errno, error, "poll");
      return NULL;
    }
    if (r == 0) {
      g_set_error (error, QMP_ERROR, QMP_ERROR_TIMED_OUT, "QMP: no answer from qemu in time");
      return NULL;
    }
    n = read (c->fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      io_fail (errno, error, "read");
      return NULL;
    }
    if (n == 0) {
      g_set_error (error, QMP_ERROR, QMP_ERROR_CLOSED, "QMP: qemu closed the connection");
      return NULL;
    }
    g_string_append_len (c->buf, chunk, n);
    may_have_line = memchr (chunk, '\n', (size_t) n) != NULL;
    if (!may_have_line && c->buf->len > PPCVM_READ_MAX_QMP) {
      g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID,
                   "QMP: a message from qemu is too large (over %d MiB without an end)",
                   PPCVM_READ_MAX_QMP / (1024 * 1024));
      return NULL;
    }
  }
}

static gboolean
send_message (QmpClient *c, json_object *msg, GError **error)
{
  const char *text = json_object_to_json_string_ext (msg, JSON_C_TO_STRING_PLAIN);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  const char *p = line;
  size_t left = strlen (line);

  while (left > 0) {
    /* MSG_NOSIGNAL: a qemu that is gone must give EPIPE, not kill us. */
    ssize_t n = send (c->fd, p, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return io_fail (errno, error, "write");
    p += n;
    left -= (size_t) n;
  }
  return TRUE;
}

QmpClient *
qmp_client_connect (const char *path, int timeout_ms, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  ppcvm_autofd int fd = -1;
  g_autoptr (QmpClient) c = NULL;

  if (strlen (path) >= sizeof addr.sun_path) {
    g_set_error (error, QMP_ERROR, QMP_ERROR_IO, "QMP socket path too long: %s", path);
    return NULL;
  }
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    io_fail (errno, error, "socket");
    return NULL;
  }
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
    int errsv = errno;
    g_set_error (error, QMP_ERROR, qmp_error_from_errno (errsv), "cannot connect to %s: %s", path,
                 g_strerror (errsv));
    return NULL;
  }
  c = qmp_client_new_fd (fd);
  fd = -1;
  if (!qmp_client_handshake (c, timeout_ms, error))
    return NULL;
  return g_steal_pointer (&c);
}

gboolean
qmp_client_handshake (QmpClient *c, int timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  json_object *greeting = read_message (c, deadline, error);
  json_object *qmp = NULL, *v = NULL;
  g_autoptr (json_object) ret = NULL;

  if (greeting == NULL)
    return FALSE;
  if (!json_object_object_get_ex (greeting, "QMP", &qmp)) {
    json_object_put (greeting);
    g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID, "QMP: no greeting from qemu");
    return FALSE;
  }
  if (json_object_object_get_ex (qmp, "version", &v) && json_object_object_get_ex (v, "qemu", &v)) {
    json_object *ma = NULL, *mi = NULL, *mc = NULL;
    json_object_object_get_ex (v, "major", &ma);
    json_object_object_get_ex (v, "minor", &mi);
    json_object_object_get_ex (v, "micro", &mc);
    g_free (c->version);
    c->version = g_strdup_printf ("%d.%d.%d", json_object_get_int (ma), json_object_get_int (mi),
                                  json_object_get_int (mc));
  }
  json_object_put (greeting);
  ret = qmp_client_execute (c, "qmp_capabilities", NULL, remaining_ms (deadline), error);
  return ret != NULL;
}

const char *
qmp_client_version (QmpClient *c)
{
  return c->version;
}

json_object *
qmp_client_execute (QmpClient *c, const char *command, json_object *arguments, int timeout_ms,
                    GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr (json_object) cmd = json_object_new_object ();
  g_autofree char *id = g_strdup_printf ("ppcvm-%u", ++c->next_id);

  json_object_object_add (cmd, "execute", json_object_new_string (command));
  if (arguments != NULL)
    json_object_object_add (cmd, "arguments", json_object_get (arguments));
  json_object_object_add (cmd, "id", json_object_new_string (id));
  if (!send_message (c, cmd, error))
    return NULL;

  for (;;) {
    g_autoptr (json_object) msg = read_message (c, deadline, error);
    json_object *v = NULL;

    if (msg == NULL)
      return NULL;
    if (json_object_object_get_ex (msg, "event", NULL)) {
      g_ptr_array_add (c->events, g_steal_pointer (&msg));
      continue;
    }
    if (!json_object_object_get_ex (msg, "id", &v) || !json_object_is_type (v, json_type_string)
        || !g_str_equal (json_object_get_string (v), id))
      continue; /* an answer to someone else's (or a timed-out) command */
    if (json_object_object_get_ex (msg, "return", &v))
      return json_object_get (v);
    if (json_object_object_get_ex (msg, "error", &v)) {
      json_object *desc = NULL;
      json_object_object_get_ex (v, "desc", &desc);
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "QMP %s: %s", command,
                   desc != NULL ? json_object_get_string (desc) : "failed");
      return NULL;
    }
    g_set_error (error, QMP_ERROR, QMP_ERROR_INVALID, "QMP %s: an answer without return or error",
                 command);
    return NULL;
  }
}

static json_object *
take_event (QmpClient *c, const char *name)
{
  for (guint i = 0; i < c->events->len; i++) {
    json_object *e = c->events->pdata[i], *v = NULL;
    if (json_object_object_get_ex (e, "event", &v) && g_str_equal (json_object_get_string (v), name)) {
      json_object *ret = json_object_get (e);
      g_ptr_array_remove_index (c->events, i);
      return ret;
    }
  }
  return NULL;
}

json_object *
qmp_client_wait_event (QmpClient *c, const char *name, int timeout_ms, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  json_object *e = take_event (c, name);

  while (e == NULL) {
    json_object *msg = read_message (c, deadline, error);
    if (msg == NULL)
      return NULL;
    if (json_object_object_get_ex (msg, "event", NULL))
      g_ptr_array_add (c->events, msg);
    else
      json_object_put (msg);
    e = take_event (c, name);
  }
  return e;
}

GPtrArray *
qmp_client_events (QmpClient *c)
{
  return c->events;
}
