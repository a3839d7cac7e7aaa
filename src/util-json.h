/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json-c helpers shared by every module that reads or writes JSON: the
 * autoptr cleanup and typed member getters. */
#pragma once

#include <glib.h>
#include <json-c/json.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_object, json_object_put)

/* OBJ's member KEY (borrowed), or NULL when OBJ is NULL or not an object, or
 * has no KEY, or KEY is null. */
json_object *ppcvm_json_get (json_object *obj, const char *key);
/* Member KEY when it is a string, else NULL (borrowed from OBJ). */
const char *ppcvm_json_get_string (json_object *obj, const char *key);
/* Member KEY when it is an integer: TRUE and *RET, else FALSE. */
gboolean ppcvm_json_get_int64 (json_object *obj, const char *key, gint64 *ret);
/* A string, or JSON null for NULL (a new reference). */
json_object *ppcvm_json_string_or_null (const char *s);
/* An array of the strings of a NULL-terminated STRV (empty for NULL). */
json_object *ppcvm_json_strv (const char *const *strv);
/* An array of the strings in ARR. */
json_object *ppcvm_json_ptr_strings (GPtrArray *arr);
