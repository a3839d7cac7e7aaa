/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one table renderer: rows of cells in aligned columns, two spaces
 * apart, the last column unpadded; free lines (details, fixes) may follow
 * any row. Pure: it builds the string, the caller prints it. */
#pragma once

#include <glib.h>

typedef struct _Table Table;

/* A table of COLUMNS columns (at least one). */
Table *table_new (guint columns);
void table_free (Table *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

/* Right-align COLUMN (numbers); the others are left-aligned. */
void table_align_right (Table *table, guint column);
/* COLUMN is at least WIDTH characters wide. */
void table_min_width (Table *table, guint column, guint width);

/* A row: exactly as many cells (UTF-8, never NULL) as columns, then NULL. */
void table_add_row (Table *table, const char *first, ...) G_GNUC_NULL_TERMINATED;
/* The same, the cells in a vector, which the table takes. */
void table_take_row (Table *table, char **cells);
/* The last row's COLUMN is drawn between START (an escape sequence: a
 * colour) and a reset; its width is the text's alone. */
void table_style_cell (Table *table, guint column, const char *start);
/* LINE under the last row, as it is (not aligned, no newline). */
void table_add_line (Table *table, const char *line);

/* Every row and line, each ending in a newline; "" for an empty table. */
char *table_to_string (const Table *table);
