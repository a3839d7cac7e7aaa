/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "util-json.h"

json_object *
ppcvm_json_get (json_object *obj, const char *key)
{
  json_object *v = NULL;

  if (obj == NULL || !json_object_is_type (obj, json_type_object) || !json_object_object_get_ex (obj, key, &v))
    return NULL;
  return v;
}

const char *
ppcvm_json_get_string (json_object *obj, const char *key)
{
  json_object *v = ppcvm_json_get (obj, key);

  return v != NULL && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

gboolean
ppcvm_json_get_int64 (json_object *obj, const char *key, gint64 *ret)
{
  json_object *v = ppcvm_json_get (obj, key);

  if (v == NULL || !json_object_is_type (v, json_type_int))
    return FALSE;
  *ret = json_object_get_int64 (v);
  return TRUE;
}

json_object *
ppcvm_json_string_or_null (const char *s)
{
  return s != NULL ? json_object_new_string (s) : NULL;
}

json_object *
ppcvm_json_strv (const char *const *strv)
{
  json_object *arr = json_object_new_array ();

  for (gsize i = 0; strv != NULL && strv[i] != NULL; i++)
    json_object_array_add (arr, json_object_new_string (strv[i]));
  return arr;
}

json_object *
ppcvm_json_ptr_strings (GPtrArray *arr)
{
  json_object *a = json_object_new_array ();

  for (guint i = 0; i < arr->len; i++)
    json_object_array_add (a, json_object_new_string (g_ptr_array_index (arr, i)));
  return a;
}
