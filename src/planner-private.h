/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by planner.c (the rules) and planner-host.c (hugepage commands,
 * host advice). Not part of the module's contract. */
#pragma once

#include "planner.h"

#define KIB4 G_GUINT64_CONSTANT (4096)
#define KIB64 G_GUINT64_CONSTANT (65536)

static inline void G_GNUC_PRINTF (2, 3)
reason (GPtrArray *arr, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (arr, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}
