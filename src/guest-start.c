/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmdline.h"
#include "guest-start.h"
#include "util.h"

static gboolean
check_socket_path (const char *path, GError **error)
{
  struct sockaddr_un addr;

  if (strlen (path) < sizeof addr.sun_path)
    return TRUE;
  g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
               "socket path %s is longer than a unix socket allows; use a shorter --name "
               "or XDG_RUNTIME_DIR", path);
  return FALSE;
}

/* S's state, from the plan and the profile: what `list` shows. */
static void
fill_starting (GuestState *s, const Plan *plan, const Profile *profile)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  s->status = GUEST_STARTING;
  s->launcher_pid = getpid ();
  s->launcher_start = state_pid_start_time (s->launcher_pid);
  s->accel = g_strdup (plan_accel_to_string (plan->accel));
  s->memory = plan->memory;
  s->profile = g_strdup (profile->path);
  s->ssh_port = profile_ssh_host_port (profile);
  for (guint i = 0; profile->disks != NULL && i < profile->disks->len; i++)
    g_strv_builder_add (b, ((ProfileDisk *) g_ptr_array_index (profile->disks, i))->file);
  if (profile->cdrom != NULL)
    g_strv_builder_add (b, profile->cdrom);
  s->disks = g_strv_builder_end (b);
  s->started = g_get_real_time () / G_USEC_PER_SEC;
}

GuestState *
guest_start_begin (const char *runtime, const char *name, const Plan *plan, const Profile *profile,
                   GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GuestState) s = NULL;
  g_autoptr (GuestState) running = NULL;
  ppcvm_autofd int lock = -1;

  if (name == NULL || !state_check_guest_name (name, error))
    return NULL;
  s = guest_state_new (runtime, name);
  if (!check_socket_path (s->qmp_socket, error) || !check_socket_path (s->console_socket, error))
    return NULL;

  if ((lock = state_lock (runtime, error)) < 0)
    return NULL;
  running = state_find_guest (runtime, name, &local);
  if (running != NULL) {
    if (running->pid > 0)
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                   "a guest named '%s' is already %s (pid %d); stop it with 'ppcvm stop %s' "
                   "or pick another --name", name, running->status == GUEST_STARTING ? "starting" : "running",
                   (int) running->pid, name);
    else
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED,
                   "a guest named '%s' is being started (by ppcvm pid %d); pick another --name",
                   name, (int) running->launcher_pid);
    return NULL;
  }
  if (!g_error_matches (local, PPCVM_ERROR, PPCVM_ERROR_NOT_FOUND)) {
    g_propagate_error (error, g_steal_pointer (&local));
    return NULL;
  }
  if (mkdir (s->dir, 0700) != 0) {
    int errsv = errno;
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "cannot create %s: %s", s->dir, g_strerror (errsv));
    return NULL;
  }
  fill_starting (s, plan, profile);
  if (!guest_state_save (s, error)) {
    state_remove_guest_dir (s->dir, NULL);
    return NULL;
  }
  return g_steal_pointer (&s);
}

GStrv
guest_start_argv (const GuestState *s, const char *binary, const Plan *plan, const Profile *profile,
                  const char *const *extra)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *pid_file = g_build_filename (s->dir, STATE_PID, NULL);
  CmdlineRuntime rt = { .qmp_socket = s->qmp_socket, .console_socket = s->console_socket,
                        .pid_file = pid_file, .daemonize = TRUE };

  for (int i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (extra[i]));
  /* cmdline_build names the console chardev con0; -set adds a log of
   * everything the guest printed, whether or not a console is attached. */
  g_ptr_array_add (args, g_strdup ("-set"));
  g_ptr_array_add (args, g_strdup_printf ("chardev.con0.logfile=%s", s->console_log));
  g_ptr_array_add (args, NULL);
  return cmdline_build (binary, plan, profile, &rt, (const char *const *) args->pdata);
}

void
guest_start_abort (const char *runtime, const GuestState *s)
{
  ppcvm_autofd int lock = state_lock (runtime, NULL); /* held by its cleanup around the removal */

  (void) lock;
  state_remove_if_gone (s->dir, NULL);
}

gboolean
guest_start_finish (const char *runtime, GuestState *s, GError **error)
{
  g_autofree char *pid_file = g_build_filename (s->dir, STATE_PID, NULL);
  const char *files[] = { s->qmp_socket, s->console_socket, s->console_log, pid_file };
  ppcvm_autofd int lock = -1;

  /* qemu's -daemonize sets umask 027 for what it creates later; the
   * directory is 0700 anyway, but keep every file 0600 as promised. */
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    chmod (files[i], 0600);
  if (!state_read_pid_file (pid_file, &s->pid, error))
    return FALSE;
  guest_state_record_identity (s);
  s->status = GUEST_RUNNING;
  if ((lock = state_lock (runtime, error)) < 0)
    return FALSE;
  return guest_state_save (s, error);
}
