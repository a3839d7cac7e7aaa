/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by host.c (the parsers) and host-detect.c (live detection). Not
 * part of the module's contract. */
#pragma once

#include "host.h"

/* The entry of F->hugepages for SIZE, appended (counts unknown) if new. */
HostHugepages *host_hugepages_entry (HostFacts *f, guint64 size);

/* By page size, for g_array_sort. */
gint host_hugepages_cmp (gconstpointer a, gconstpointer b);
