/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ppcvm host --check --fix: the safe fixes, done. */
#include "config.h"

#include <sys/stat.h>

#include "host-fix.h"
#include "hugepages.h"
#include "remedies.h"
#include "util.h"

GStrv
host_fix_argv (const PlanFix *fix, GError **error)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *prog = NULL;
  const char *name, *package;

  switch (fix->kind) {
  case PLAN_FIX_KIND_SMT_OFF:
    name = "ppc64_cpu";
    package = PPCVM_PACKAGE_PPC64_CPU;
    break;
  case PLAN_FIX_KIND_MODPROBE:
    name = "modprobe";
    package = "kmod";
    break;
  default:
    return NULL;
  }
  prog = g_find_program_in_path (name);
  if (prog == NULL) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_NO_PROGRAM, "%s is not installed (not found in PATH): install %s",
                 name, package);
    return NULL;
  }
  g_strv_builder_add (b, prog);
  if (fix->kind == PLAN_FIX_KIND_SMT_OFF)
    g_strv_builder_add (b, "--smt=off");
  else
    g_strv_builder_add (b, fix->module);
  return g_strv_builder_end (b);
}

static gboolean
run_argv (char **argv, GError **error)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) local = NULL;
  int status;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &local)) {
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s: %s", argv[0], local->message);
    return FALSE;
  }
  if (!g_spawn_check_wait_status (status, &local)) {
    g_autofree char *said = g_strstrip (g_strconcat (out ? out : "", " ", err ? err : "", NULL));
    g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_FAILED, "%s %s: %s%s%s", argv[0], argv[1], local->message,
                 *said ? ": " : "", said);
    return FALSE;
  }
  return TRUE;
}

gboolean
host_fix_apply (const PlanFix *fix, const char *mount_point, GPtrArray **ret_steps, GError **error)
{
  g_auto (GStrv) argv = NULL;

  g_return_val_if_fail (fix != NULL && mount_point != NULL && ret_steps != NULL, FALSE);
  *ret_steps = NULL;
  if (fix->kind == PLAN_FIX_KIND_HUGEPAGES)
    return hugepages_apply (fix->page_size, fix->pages, mount_point, ret_steps, error);
  argv = host_fix_argv (fix, error);
  if (argv == NULL) {
    if (error != NULL && *error == NULL)
      g_set_error (error, PPCVM_ERROR, PPCVM_ERROR_INVALID, "ppcvm does not apply a %s fix",
                   plan_fix_kind_to_string (fix->kind));
    return FALSE;
  }
  return run_argv (argv, error);
}

gboolean
host_sysroot_is_running_kernel (const char *sysroot)
{
  g_autofree char *path = NULL;
  struct stat a, b;

  if (sysroot == NULL || *sysroot == '\0' || g_str_equal (sysroot, "/"))
    return TRUE;
  path = ppcvm_sysroot_path (sysroot, "proc/meminfo");
  return stat (path, &a) == 0 && stat ("/proc/meminfo", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
