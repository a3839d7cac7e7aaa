/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small synchronous QMP client (json-c over a unix socket): read the
 * greeting, negotiate capabilities, execute commands, collect the events that
 * arrive meanwhile. Every wait has a timeout. */
#pragma once

#include <glib.h>
#include "util-json.h"

/* Errors of the conversation itself; a QMP error reply is PPCVM_ERROR_FAILED. */
#define QMP_ERROR (qmp_error_quark ())
GQuark qmp_error_quark (void);
typedef enum {
  QMP_ERROR_IO,        /* a socket error (the message has strerror) */
  QMP_ERROR_NOT_FOUND, /* no socket at that path */
  QMP_ERROR_TIMED_OUT,
  QMP_ERROR_CLOSED,    /* qemu hung up */
  QMP_ERROR_INVALID,   /* qemu sent something that is not QMP */
} QmpError;
/* The QmpError for an errno. */
QmpError qmp_error_from_errno (int errsv);

typedef struct QmpClient QmpClient;

/* Wrap a connected stream FD (taken over: closed by qmp_client_free). No I/O. */
QmpClient *qmp_client_new_fd (int fd);
void qmp_client_free (QmpClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QmpClient, qmp_client_free)

/* Connect to the unix socket PATH and run qmp_client_handshake(). NULL with
 * an error (QMP_ERROR_TIMED_OUT, or the errno as a QMP_ERROR) on failure. */
QmpClient *qmp_client_connect (const char *path, int timeout_ms, GError **error);

/* Read the {"QMP": ...} greeting and send qmp_capabilities. */
gboolean qmp_client_handshake (QmpClient *client, int timeout_ms, GError **error);

/* The greeting's QEMU version as "MAJOR.MINOR.MICRO", or NULL before the
 * handshake. Owned by the client. */
const char *qmp_client_version (QmpClient *client);

/* Execute COMMAND with ARGUMENTS (borrowed; NULL for none) and wait up to
 * TIMEOUT_MS for its answer. Events that arrive first are collected. Returns
 * the "return" value (a new reference; for "{}" an empty object), or NULL with
 * an error: the QMP error's "desc" (PPCVM_ERROR_FAILED), QMP_ERROR_TIMED_OUT,
 * or QMP_ERROR_CLOSED when qemu hangs up first (as it may after
 * "quit"). */
json_object *qmp_client_execute (QmpClient *client, const char *command, json_object *arguments,
                                 int timeout_ms, GError **error);

/* Wait up to TIMEOUT_MS for the event NAME (or one already collected) and
 * return it (a new reference), or NULL with an error as above. */
json_object *qmp_client_wait_event (QmpClient *client, const char *name, int timeout_ms,
                                    GError **error);

/* The events collected so far (json_object*, owned by the client), oldest first. */
GPtrArray *qmp_client_events (QmpClient *client);
