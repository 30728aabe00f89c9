/* netctl output in virsh's layout: tables (vshTable), "Label:  value"
 * lines, error pairs, and JSON for scripts. Everything goes to stdout except
 * errors (stderr). */
#pragma once

#include <glib.h>

#include "commands.h"

/* -- tables: virsh's vshTable ----------------------------------------------- */

typedef struct _NcTable NcTable;

/* Column headers, NULL-terminated. */
NcTable *nc_table_new(const char *header, ...) G_GNUC_NULL_TERMINATED;
void nc_table_free(NcTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcTable, nc_table_free)
/* One cell per column, NULL-terminated. */
void nc_table_add_row(NcTable *table, const char *cell, ...) G_GNUC_NULL_TERMINATED;
/* Every cell starts with a space; columns but the last are padded to the
 * widest cell plus two spaces; a dashes line follows the header. Without the
 * header (virsh -q) widths are those of the rows only. */
char *nc_table_format(NcTable *table, gboolean header);

/* -- plain lines --------------------------------------------------------------- */

/* "%-15s %s\n", as net-info prints. */
void nc_print_field(const char *label, const char *value);
/* Informational messages ("Network x started"), silenced by -q. */
void nc_print_extra(NcCtl *ctl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* "error: <what>" then, when err is not NULL, "error: <err->message>" as
 * virsh reports the libvirt error under its own line. When the daemon could
 * not be reached, only the hint is printed. Returns 1. */
int nc_print_error(const GError *err, const char *what_fmt, ...) G_GNUC_PRINTF(2, 3);

/* The daemon parsed a string and names it "(string)" in "(string):LINE:"
 * messages; the user knows it as `source` (a file whose lines are the
 * string's lines). */
void nc_error_name_source(GError *err, const char *source);

/* -- JSON ------------------------------------------------------------------------ */

/* Appends s as a JSON string literal (quotes included). */
void nc_json_append_string(GString *out, const char *s);

/* Appends a network's info as a JSON object (net-info --json, net-list --json). */
void nc_json_append_net_info(GString *out, const NcNetInfo *info);

/* -- XPath (xpath.c) ------------------------------------------------------------- */

/* Prints the nodes `expr` selects in `xml`, one per line, or wrapped in a
 * <nodes> element. Returns the exit status (1 after an error on stderr). */
int nc_print_xpath(const char *xml, const char *expr, gboolean wrap);

/* -- files ----------------------------------------------------------------------- */

/* Reads a whole file as virsh does, error printed as virsh's
 * "error: Failed to open file 'F': <strerror>". Refuses, with "error: Failed
 * to read file 'F': <why>", what the daemon could not take: more than
 * NC_XML_MAX_DOCUMENT_SIZE (4 MiB; virsh's limit is 10 MiB, libvirtd's 4),
 * a NUL byte, invalid UTF-8 (with its line). NULL on error. */
char *nc_read_file(const char *path);
