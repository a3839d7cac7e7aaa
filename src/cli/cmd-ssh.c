/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm ssh NAME [-- CMD...]: wait (bounded) until the detached guest's sshd
 * answers on its forwarded loopback port, then exec the system ssh. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "exec.h"
#include "state.h"
#include "util.h"

#define SSH_WAIT_S 120
#define PROGRESS_S 10
#define CONSOLE_TAIL 15

/* Does an SSH server answer on 127.0.0.1:PORT within TIMEOUT_MS? slirp
 * accepts a connection whether or not the guest listens, then resets it, so
 * only the server's identification line ("SSH-2.0-...") counts. */
static gboolean
sshd_answers (guint port, int timeout_ms)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((guint16) port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  ppcvm_autofd int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  char buf[256];
  gsize got = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    return FALSE;
  while (got < 4) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
    ssize_t n;
    if (left <= 0 || poll (&p, 1, (int) left) <= 0)
      return FALSE;
    n = read (fd, buf + got, sizeof buf - got);
    if (n <= 0)
      return FALSE;
    got += (gsize) n;
  }
  return memcmp (buf, "SSH-", 4) == 0;
}

/* The last lines of the guest's console log, for the error. */
static void
print_console_tail (const GuestState *s)
{
  g_autofree char *data = NULL;
  g_auto (GStrv) lines = NULL;
  guint n, from;

  if (s->console_log == NULL || !g_file_get_contents (s->console_log, &data, NULL, NULL))
    return;
  g_strdelimit (data, "\r", ' ');
  lines = g_strsplit (data, "\n", -1);
  n = g_strv_length (lines);
  while (n > 0 && *g_strstrip (lines[n - 1]) == '\0')
    n--;
  from = n > CONSOLE_TAIL ? n - CONSOLE_TAIL : 0;
  fprintf (stderr, "ppcvm: the last lines of its console (%s):\n", s->console_log);
  for (guint i = from; i < n; i++)
    fprintf (stderr, "    %s\n", lines[i]);
}

/* Until S's sshd answers: FALSE when the guest stops or TIMEOUT seconds
 * pass (with its console's last lines), progress every PROGRESS_S. */
static gboolean
wait_for_sshd (const GuestState *s, int timeout, GError **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 next_progress = start + (gint64) PROGRESS_S * G_USEC_PER_SEC;

  for (;;) {
    gint64 now;
    /* Patient: under TCG a forked sshd may take seconds to greet, and each
     * probe given up early leaves it one more unauthenticated client. */
    if (sshd_answers (s->ssh_port, 15000))
      return TRUE;
    if (!guest_state_alive (s)) {
      print_console_tail (s);
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "guest '%s' stopped before its sshd answered", s->name);
      return FALSE;
    }
    now = g_get_monotonic_time ();
    if (now - start >= (gint64) timeout * G_USEC_PER_SEC) {
      print_console_tail (s);
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "no sshd answered on 127.0.0.1:%u (guest '%s') within %d s",
                   s->ssh_port, s->name, timeout);
      return FALSE;
    }
    if (now >= next_progress) {
      fprintf (stderr, "ppcvm: waiting for the sshd of '%s' on 127.0.0.1:%u (%d s of %d)\n", s->name, s->ssh_port,
               (int) ((now - start) / G_USEC_PER_SEC), timeout);
      next_progress = now + (gint64) PROGRESS_S * G_USEC_PER_SEC;
    }
    g_usleep (G_USEC_PER_SEC / 2);
  }
}

/* SSH's argv (NULL-terminated) to log in to S as PROFILE says, running CMD. */
static GPtrArray *
ssh_argv (const char *ssh, const GuestState *s, const Profile *profile, char **cmd)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  /* The port is new at each start, and so may the guest's host key be: its
   * known host lives in the guest's runtime directory, accepted on first use. */
  g_autofree char *known = g_build_filename (s->dir, "known_hosts", NULL);

  g_ptr_array_add (args, g_strdup (ssh));
  g_ptr_array_add (args, g_strdup ("-p"));
  g_ptr_array_add (args, g_strdup_printf ("%u", s->ssh_port));
  g_ptr_array_add (args, g_strdup ("-o"));
  g_ptr_array_add (args, g_strdup_printf ("UserKnownHostsFile=%s", known));
  g_ptr_array_add (args, g_strdup ("-o"));
  g_ptr_array_add (args, g_strdup ("StrictHostKeyChecking=accept-new"));
  g_ptr_array_add (args, g_strdup ("-o"));
  g_ptr_array_add (args, g_strdup_printf ("HostKeyAlias=ppcvm-%s", s->name));
  g_ptr_array_add (args, g_strdup ("-o"));
  g_ptr_array_add (args, g_strdup ("LogLevel=ERROR"));
  if (profile != NULL && profile->ssh_identity != NULL) {
    g_ptr_array_add (args, g_strdup ("-i"));
    g_ptr_array_add (args, g_strdup (profile->ssh_identity));
    g_ptr_array_add (args, g_strdup ("-o"));
    g_ptr_array_add (args, g_strdup ("IdentitiesOnly=yes"));
  }
  /* A cloud image's user is the one its seed created ([cloud-init] user=). */
  if (profile != NULL && (profile->ssh_user != NULL || profile->ci_user != NULL)) {
    g_ptr_array_add (args, g_strdup ("-l"));
    g_ptr_array_add (args, g_strdup (profile->ssh_user != NULL ? profile->ssh_user : profile->ci_user));
  }
  g_ptr_array_add (args, g_strdup ("--"));
  g_ptr_array_add (args, g_strdup ("127.0.0.1"));
  for (int i = 0; cmd != NULL && cmd[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (cmd[i]));
  g_ptr_array_add (args, NULL);
  return args;
}

gboolean
cmd_ssh (int argc, char **argv, GError **error)
{
  int timeout = SSH_WAIT_S;
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait for the guest's sshd (120)", "S" },
    { NULL },
  };
  g_autoptr (GuestState) s = NULL;
  g_autoptr (Profile) profile = NULL;
  g_autoptr (GPtrArray) args = NULL;
  g_auto (GStrv) cmd = NULL;
  g_autofree char *ssh = NULL;

  if (!cli_parse_passthrough ("ssh", "NAME [-- COMMAND...]",
                              "Log in to a detached guest with the system ssh, on the loopback port forwarded to "
                              "its sshd\n(chosen at start, see 'ppcvm list'), as [ssh] user= with [ssh] identity=. "
                              "Waits up to --timeout\nseconds for sshd to answer. Exit status: ssh's, or 1.",
                              entries, &argc, &argv, &cmd, error))
    return FALSE;
  if (argc != 2 || timeout < 0)
    return cli_usage_error (error, "%s",
             timeout < 0 ? "--timeout must not be negative"
                         : argc < 2 ? "give one guest NAME" : "a COMMAND for the guest goes after '--'");
  ssh = g_find_program_in_path ("ssh");
  if (ssh == NULL) {
    g_set_error_literal (error, PPCVM_ERROR, PPCVM_ERROR_NO_PROGRAM,
                         "ssh not found in $PATH (install it: apt-get install openssh-client)");
    return FALSE;
  }
  s = state_lookup_guest (argv[1], NULL, error);
  if (s == NULL)
    return FALSE;
  if (s->ssh_port == 0) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                 "guest '%s' has no SSH port: it was started without user-mode networking, "
                 "or with [ssh] forward=no and no forward to its sshd (forward=tcp:PORT-:22)", s->name);
    return FALSE;
  }
  if (s->profile != NULL) {
    g_autoptr (GError) local = NULL;
    profile = profile_load (s->profile, NULL, &local);
    if (profile == NULL)
      cli_message ("warning: %s; connecting without its [ssh] user and identity", local->message);
  }

  if (!wait_for_sshd (s, timeout, error))
    return FALSE;

  args = ssh_argv (ssh, s, profile, cmd);
  fflush (stdout);
  fflush (stderr);
  return exec_replace ((char *const *) args->pdata, error);
}
