/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What qemu says on the QMP socket, hostile: the greeting, replies and
 * events of a whole session come from the fuzzer through a socketpair. */
#include "config.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "qmp.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean init;
  int sv[2];
  g_autoptr (QmpClient) c = NULL;
  g_autoptr (GError) error = NULL;

  if (!init) {
    signal (SIGPIPE, SIG_IGN); /* the fake qemu end is closed early */
    init = TRUE;
  }
  if (size > 100000 || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return 0;
  if (size > 0 && write (sv[1], data, size) != (ssize_t) size) {
    close (sv[0]);
    close (sv[1]);
    return 0;
  }
  close (sv[1]);
  c = qmp_client_new_fd (sv[0]);
  if (qmp_client_handshake (c, 50, &error)) {
    json_object *r = qmp_client_execute (c, "query-status", NULL, 50, &error);
    json_object_put (r);
    g_clear_error (&error);
    r = qmp_client_wait_event (c, "SHUTDOWN", 50, &error);
    json_object_put (r);
  }
  return 0;
}
