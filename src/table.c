/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "table.h"

#include <stdarg.h>

#define RESET "\033[0m"

typedef struct {
  char **cells;   /* NULL for a free line */
  char *line;     /* the free line */
  char **styles;  /* NULL, or one start sequence (or NULL) per cell */
} TableRow;

struct _Table {
  guint columns;
  guint *min_width;
  gboolean *right;
  GPtrArray *rows; /* TableRow */
};

static void
table_row_free (TableRow *row)
{
  if (row->styles != NULL) {
    /* One per cell, with holes: not a NULL-terminated vector. */
    for (guint i = 0; row->cells[i] != NULL; i++)
      g_free (row->styles[i]);
    g_free (row->styles);
  }
  g_strfreev (row->cells);
  g_free (row->line);
  g_free (row);
}

Table *
table_new (guint columns)
{
  Table *t = g_new0 (Table, 1);

  g_return_val_if_fail (columns > 0, NULL);
  t->columns = columns;
  t->min_width = g_new0 (guint, columns);
  t->right = g_new0 (gboolean, columns);
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) table_row_free);
  return t;
}

void
table_free (Table *t)
{
  if (t == NULL)
    return;
  g_ptr_array_unref (t->rows);
  g_free (t->min_width);
  g_free (t->right);
  g_free (t);
}

void
table_align_right (Table *t, guint column)
{
  g_return_if_fail (column < t->columns);
  t->right[column] = TRUE;
}

void
table_min_width (Table *t, guint column, guint width)
{
  g_return_if_fail (column < t->columns);
  t->min_width[column] = width;
}

void
table_take_row (Table *t, char **cells)
{
  TableRow *row;

  g_return_if_fail (cells != NULL && g_strv_length (cells) == t->columns);
  row = g_new0 (TableRow, 1);
  row->cells = cells;
  g_ptr_array_add (t->rows, row);
}

void
table_add_row (Table *t, const char *first, ...)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *cell = first; cell != NULL; cell = va_arg (ap, const char *))
    g_strv_builder_add (b, cell);
  va_end (ap);
  table_take_row (t, g_strv_builder_end (b));
}

/* The last row with cells, or NULL. */
static TableRow *
last_row (const Table *t)
{
  for (guint i = t->rows->len; i > 0; i--) {
    TableRow *row = g_ptr_array_index (t->rows, i - 1);
    if (row->cells != NULL)
      return row;
  }
  return NULL;
}

void
table_style_cell (Table *t, guint column, const char *start)
{
  TableRow *row = last_row (t);

  g_return_if_fail (row != NULL && column < t->columns);
  if (row->styles == NULL)
    row->styles = g_new0 (char *, t->columns);
  g_free (row->styles[column]);
  row->styles[column] = g_strdup (start);
}

void
table_add_line (Table *t, const char *line)
{
  TableRow *row = g_new0 (TableRow, 1);

  row->line = g_strdup (line);
  g_ptr_array_add (t->rows, row);
}

/* Each column's width: its widest cell (in characters) or its minimum. */
static guint *
column_widths (const Table *t)
{
  guint *width = g_memdup2 (t->min_width, t->columns * sizeof *width);

  for (guint r = 0; r < t->rows->len; r++) {
    const TableRow *row = g_ptr_array_index (t->rows, r);
    for (guint c = 0; row->cells != NULL && c < t->columns; c++)
      width[c] = MAX (width[c], (guint) g_utf8_strlen (row->cells[c], -1));
  }
  return width;
}

static void
append_spaces (GString *s, guint n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (s, ' ');
}

static void
append_row (GString *s, const Table *t, const TableRow *row, const guint *width)
{
  for (guint c = 0; c < t->columns; c++) {
    const char *cell = row->cells[c];
    const char *style = row->styles != NULL ? row->styles[c] : NULL;
    gboolean last = c + 1 == t->columns;
    guint len = (guint) g_utf8_strlen (cell, -1);
    guint pad = last || len >= width[c] ? 0 : width[c] - len;

    g_string_append (s, style != NULL ? style : "");
    if (t->right[c])
      append_spaces (s, pad);
    g_string_append (s, cell);
    if (!t->right[c])
      append_spaces (s, pad);
    g_string_append (s, style != NULL ? RESET : "");
    g_string_append (s, last ? "\n" : "  ");
  }
}

char *
table_to_string (const Table *t)
{
  GString *s = g_string_new (NULL);
  g_autofree guint *width = column_widths (t);

  for (guint r = 0; r < t->rows->len; r++) {
    const TableRow *row = g_ptr_array_index (t->rows, r);
    if (row->cells != NULL)
      append_row (s, t, row, width);
    else
      g_string_append_printf (s, "%s\n", row->line);
  }
  return g_string_free (s, FALSE);
}
