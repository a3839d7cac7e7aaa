/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec and supervise: the fork/exec model of foot's spawn.c (errno back
 * through an O_CLOEXEC pipe), signals forwarded with g_unix_signal_source,
 * the child reaped with a child watch, and the exit status propagated as
 * bubblewrap does. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "exec.h"
#include "util.h"

int
exec_status_from_wait (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return 255;
}

static gboolean
exec_fail (const char *path, int errnum, GError **error)
{
  g_set_error (error, PPCVM_ERROR,
               errnum == ENOENT || errnum == ENOTDIR ? PPCVM_ERROR_NO_PROGRAM : PPCVM_ERROR_CANNOT_EXEC,
               "cannot execute %s: %s", path, g_strerror (errnum));
  return FALSE;
}

gboolean
exec_replace (char *const *argv, GError **error)
{
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);

  execv (argv[0], argv);
  return exec_fail (argv[0], errno, error);
}

typedef struct {
  GMainLoop *loop;
  GPid pid;
  gboolean exited;
  int wait_status;
  int err_fd; /* read end of qemu's stderr, -1 at EOF */
  GString *line;
  const ExecOptions *options;
  int interrupted;     /* the first INT/TERM/HUP handled by on_interrupt, or 0 */
  GSource *grace;      /* the wait before SIGTERM, then before SIGKILL */
  gboolean terminated; /* SIGTERM sent */
} Supervisor;

static void
maybe_quit (Supervisor *s)
{
  if (s->exited && s->err_fd < 0)
    g_main_loop_quit (s->loop);
}


static void
emit_line (Supervisor *s)
{
  if (s->line->len > 0 && s->line->str[s->line->len - 1] == '\r')
    g_string_truncate (s->line, s->line->len - 1);
  if (s->options->on_stderr_line != NULL)
    s->options->on_stderr_line (s->line->str, s->options->user_data);
  g_string_truncate (s->line, 0);
}

/* Pass the bytes through at once (the user must see a prompt or a partial
 * line immediately), then hand complete lines to the caller. Returns FALSE at
 * EOF or on a read error. */
static gboolean
drain_stderr (Supervisor *s)
{
  char buf[4096];
  ssize_t n;

  n = read (s->err_fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return TRUE;
  if (n <= 0) {
    if (s->line->len > 0)
      emit_line (s);
    return FALSE;
  }
  if (s->options->passthrough_fd >= 0)
    (void) ppcvm_write_all (s->options->passthrough_fd, buf, (size_t) n); /* stderr gone: keep supervising */
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] == '\n')
      emit_line (s);
    else
      g_string_append_c (s->line, buf[i]);
  }
  return TRUE;
}

static gboolean
on_stderr (int fd, GIOCondition cond, gpointer user_data)
{
  Supervisor *s = user_data;

  if (drain_stderr (s))
    return G_SOURCE_CONTINUE;
  close (s->err_fd);
  s->err_fd = -1;
  maybe_quit (s);
  return G_SOURCE_REMOVE;
}

static void
on_child_exit (GPid pid, int wait_status, gpointer user_data)
{
  Supervisor *s = user_data;

  s->exited = TRUE;
  s->wait_status = wait_status;
  maybe_quit (s);
}

typedef struct {
  int signum;
  Supervisor *s;
} SignalForward;

static void set_grace (Supervisor *s, guint ms);

/* The interrupted child had its time: SIGTERM (qemu: an orderly quit), then
 * SIGKILL. */
static gboolean
on_grace_over (gpointer user_data)
{
  Supervisor *s = user_data;

  g_clear_pointer (&s->grace, g_source_unref);
  if (s->exited)
    return G_SOURCE_REMOVE;
  if (!s->terminated) {
    s->terminated = TRUE;
    kill (s->pid, SIGTERM);
    set_grace (s, EXEC_KILL_GRACE_MS);
  } else {
    kill (s->pid, SIGKILL);
  }
  return G_SOURCE_REMOVE;
}

static void
set_grace (Supervisor *s, guint ms)
{
  if (s->grace != NULL) {
    g_source_destroy (s->grace);
    g_source_unref (s->grace);
  }
  s->grace = g_timeout_source_new (ms);
  g_source_set_callback (s->grace, on_grace_over, s, NULL);
  g_source_attach (s->grace, g_main_loop_get_context (s->loop));
}

static gboolean
forward_signal (gpointer user_data)
{
  const SignalForward *f = user_data;
  Supervisor *s = f->s;

  if (s->pid <= 0 || s->exited)
    return G_SOURCE_CONTINUE;
  if (s->options->on_interrupt == NULL) {
    kill (s->pid, f->signum);
  } else if (s->interrupted == 0) {
    s->interrupted = f->signum;
    set_grace (s, s->options->on_interrupt (f->signum, s->options->user_data) ? s->options->interrupt_grace_ms : 0);
  } else if (!s->terminated) {
    set_grace (s, 0); /* asked twice: stop waiting */
  }
  return G_SOURCE_CONTINUE;
}

static void
source_destroy_unref (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

/* In the child between fork and exec: async-signal-safe calls only. */
static void G_GNUC_NORETURN
child_exec (char *const *argv, const ExecOptions *options, pid_t parent, int err_w, int errno_w)
{
  sigset_t none;
  int stdin_fd = options->stdin_fd;

  /* SIGKILL, not SIGTERM: the guarantee must hold whatever qemu's state
   * (SIGTERM only pauses a -no-shutdown qemu); the orderly path is the
   * supervisor's on_interrupt. If the parent died before the prctl, we were
   * reparented already: nobody is left to supervise us. */
  if (options->die_with_parent) {
    if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0)
      goto fail;
    if (getppid () != parent)
      _exit (128 + SIGKILL);
  }
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
  if (options->inherit_fd > STDERR_FILENO && fcntl (options->inherit_fd, F_SETFD, 0) < 0)
    goto fail;
  if (stdin_fd >= 0 && dup2 (stdin_fd, STDIN_FILENO) < 0)
    goto fail;
  if (dup2 (err_w, STDERR_FILENO) < 0)
    goto fail;
  execv (argv[0], argv);
fail:
  {
    int errsv = errno;
    (void) !write (errno_w, &errsv, sizeof errsv);
  }
  _exit (127);
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };

/* Install the forwarders before the fork: a SIGTERM that arrives while
 * qemu starts must not kill us and leave qemu running. The handler only
 * wakes the loop; the kill happens in the loop, once the pid is known. */
static void
attach_forwarders (Supervisor *s, GMainContext *ctx, SignalForward *fwd, GPtrArray *sig_sources)
{
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded); i++) {
    GSource *src = g_unix_signal_source_new (forwarded[i]);
    fwd[i] = (SignalForward) { .signum = forwarded[i], .s = s };
    g_source_set_callback (src, forward_signal, &fwd[i], NULL);
    g_source_attach (src, ctx);
    g_ptr_array_add (sig_sources, src);
  }
}

/* Relay qemu's stderr and wait for it to exit (s->wait_status). */
static void
run_until_exit (Supervisor *s, GMainContext *ctx)
{
  g_autoptr (GSource) err_source = NULL;
  g_autoptr (GSource) child_source = NULL;

  g_unix_set_fd_nonblocking (s->err_fd, TRUE, NULL);
  err_source = g_unix_fd_source_new (s->err_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (err_source, (GSourceFunc) (void (*) (void)) on_stderr, s, NULL);
  g_source_attach (err_source, ctx);
  child_source = g_child_watch_source_new (s->pid);
  g_source_set_callback (child_source, (GSourceFunc) (void (*) (void)) on_child_exit, s, NULL);
  g_source_attach (child_source, ctx);

  g_main_loop_run (s->loop);

  g_source_destroy (err_source);
  g_source_destroy (child_source);
  if (s->grace != NULL) {
    g_source_destroy (s->grace);
    g_source_unref (s->grace);
  }
  ppcvm_close_fdp (&s->err_fd);
  g_string_free (s->line, TRUE);
}

gboolean
exec_supervise (char *const *argv, const ExecOptions *options, int *ret_status, GError **error)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (ctx, FALSE);
  g_autoptr (GPtrArray) sig_sources = g_ptr_array_new_with_free_func (source_destroy_unref);
  SignalForward fwd[G_N_ELEMENTS (forwarded)];
  Supervisor s = { .loop = loop, .pid = -1, .err_fd = -1, .options = options };
  int err_pipe[2] = { -1, -1 }, errno_pipe[2] = { -1, -1 };
  ppcvm_autofd int errno_r = -1;
  ppcvm_autofd int err_w = -1;
  int child_errno = 0;
  pid_t parent;
  ssize_t n;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (!g_unix_open_pipe (err_pipe, FD_CLOEXEC, NULL) || !g_unix_open_pipe (errno_pipe, FD_CLOEXEC, NULL)) {
    int errsv = errno;
    ppcvm_close_fdp (&err_pipe[0]);
    ppcvm_close_fdp (&err_pipe[1]);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create a pipe: %s", g_strerror (errsv));
    return FALSE;
  }
  s.err_fd = err_pipe[0];
  err_w = err_pipe[1];
  errno_r = errno_pipe[0];

  attach_forwarders (&s, ctx, fwd, sig_sources);

  s.line = g_string_new (NULL);
  parent = getpid ();
  s.pid = fork ();
  if (s.pid < 0) {
    int errsv = errno;
    ppcvm_close_fdp (&errno_pipe[1]);
    ppcvm_close_fdp (&s.err_fd);
    g_string_free (s.line, TRUE);
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot fork: %s", g_strerror (errsv));
    return FALSE;
  }
  if (s.pid == 0)
    child_exec (argv, options, parent, err_w, errno_pipe[1]);

  close (errno_pipe[1]);
  ppcvm_close_fdp (&err_w);
  /* EOF: the exec succeeded (the pipe closed on exec); else the errno. */
  do
    n = read (errno_r, &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);

  run_until_exit (&s, ctx);

  if (n == sizeof child_errno)
    return exec_fail (argv[0], child_errno, error);
  *ret_status = s.interrupted != 0 ? 128 + s.interrupted : exec_status_from_wait (s.wait_status);
  return TRUE;
}
