/* netctl output in virsh's layout; see output.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nc-error.h"
#include "network-xml.h"
#include "output.h"

struct _NcTable {
  guint ncols;
  GPtrArray *rows; /* of GStrv; row 0 is the header */
};

/* Control characters would let a name rewrite the terminal: show them as
 * \xNN, as virsh's vshTableSafeEncode does. */
static char *
safe_cell(const char *s)
{
  GString *out = g_string_new(NULL);

  for (const char *p = s ? s : ""; *p != '\0'; p++) {
    if ((guchar)*p < 0x20 || *p == 0x7f)
      g_string_append_printf(out, "\\x%02x", (guchar)*p);
    else
      g_string_append_c(out, *p);
  }
  return g_string_free(out, FALSE);
}

/* Terminal columns taken by s (double-width characters count two). */
static gsize
display_width(const char *s)
{
  gsize w = 0;

  if (!g_utf8_validate(s, -1, NULL))
    return strlen(s);
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_iszerowidth(c))
      continue;
    w += g_unichar_iswide(c) ? 2 : 1;
  }
  return w;
}

static GStrv
collect(const char *first, va_list ap, guint *ret_n)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new();
  guint n = 0;

  for (const char *c = first; c != NULL; c = va_arg(ap, const char *), n++) {
    g_autofree char *cell = safe_cell(c);
    g_strv_builder_add(b, cell);
  }
  *ret_n = n;
  return g_strv_builder_end(b);
}

NcTable *
nc_table_new(const char *header, ...)
{
  NcTable *table = g_new0(NcTable, 1);
  va_list ap;

  table->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
  va_start(ap, header);
  g_ptr_array_add(table->rows, collect(header, ap, &table->ncols));
  va_end(ap);
  return table;
}

void
nc_table_free(NcTable *table)
{
  if (table == NULL)
    return;
  g_ptr_array_unref(table->rows);
  g_free(table);
}

void
nc_table_add_row(NcTable *table, const char *cell, ...)
{
  va_list ap;
  guint n;
  GStrv row;

  va_start(ap, cell);
  row = collect(cell, ap, &n);
  va_end(ap);
  g_return_if_fail(n == table->ncols);
  g_ptr_array_add(table->rows, row);
}

static void
format_row(GString *out, GStrv row, const gsize *widths, guint ncols)
{
  for (guint i = 0; i < ncols; i++) {
    g_string_append_c(out, ' ');
    g_string_append(out, row[i]);
    if (i + 1 < ncols)
      for (gsize j = display_width(row[i]); j < widths[i] + 2; j++)
        g_string_append_c(out, ' ');
  }
  g_string_append_c(out, '\n');
}

char *
nc_table_format(NcTable *table, gboolean header)
{
  g_autofree gsize *widths = g_new0(gsize, table->ncols);
  GString *out = g_string_new(NULL);

  for (guint r = header ? 0 : 1; r < table->rows->len; r++) {
    GStrv row = g_ptr_array_index(table->rows, r);
    for (guint i = 0; i < table->ncols; i++)
      widths[i] = MAX(widths[i], display_width(row[i]));
  }
  if (header) {
    format_row(out, g_ptr_array_index(table->rows, 0), widths, table->ncols);
    for (guint i = 0; i < table->ncols; i++)
      for (gsize j = 0; j < widths[i] + 3; j++)
        g_string_append_c(out, '-');
    g_string_append_c(out, '\n');
  }
  for (guint r = 1; r < table->rows->len; r++)
    format_row(out, g_ptr_array_index(table->rows, r), widths, table->ncols);
  return g_string_free(out, FALSE);
}

void
nc_print_field(const char *label, const char *value)
{
  printf("%-15s %s\n", label, value);
}

void
nc_print_extra(NcCtl *ctl, const char *fmt, ...)
{
  va_list ap;

  if (ctl->quiet)
    return;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
}

int
nc_print_error(const GError *err, const char *what_fmt, ...)
{
  va_list ap;
  g_autofree char *what = NULL;

  /* stdout first, so an error lands after the output that preceded it. */
  fflush(stdout);
  if (err != NULL && g_error_matches(err, NC_ERROR, NC_ERROR_RPC)) {
    g_printerr("error: %s\n", err->message);
    return 1;
  }
  if (what_fmt != NULL) {
    va_start(ap, what_fmt);
    what = g_strdup_vprintf(what_fmt, ap);
    va_end(ap);
    /* It quotes the user's arguments: escaped (the one escaping of user
     * values), so the line stays one line and nothing reaches the terminal
     * as a command. The callers' own text has no character it changes. */
    g_autofree char *line = nc_name_escape(what);
    g_printerr("error: %s\n", line);
  }
  if (err != NULL)
    g_printerr("error: %s\n", err->message);
  return 1;
}

void
nc_error_name_source(GError *err, const char *source)
{
  const char *placeholder = "(string):";

  if (err != NULL && g_str_has_prefix(err->message, placeholder)) {
    char *msg = g_strconcat(source, err->message + strlen(placeholder) - 1, NULL);
    g_free(err->message);
    err->message = msg;
  }
}

void
nc_json_append_string(GString *out, const char *s)
{
  g_string_append_c(out, '"');
  for (const char *p = s ? s : ""; *p != '\0'; p++) {
    switch (*p) {
    case '"':
      g_string_append(out, "\\\"");
      break;
    case '\\':
      g_string_append(out, "\\\\");
      break;
    case '\n':
      g_string_append(out, "\\n");
      break;
    case '\t':
      g_string_append(out, "\\t");
      break;
    case '\r':
      g_string_append(out, "\\r");
      break;
    default:
      if ((guchar)*p < 0x20)
        g_string_append_printf(out, "\\u%04x", (guchar)*p);
      else
        g_string_append_c(out, *p);
    }
  }
  g_string_append_c(out, '"');
}

static void read_file_error(const char *path, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
read_file_error(const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *why = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_autofree char *q = nc_name_escape(path);
  fflush(stdout);
  g_printerr("error: Failed to read file '%s': %s\n", q, why);
}

/* What the daemon can take: a D-Bus string is UTF-8 without NUL (GLib
 * would abort on anything else), and the daemon refuses documents over
 * NC_XML_MAX_DOCUMENT_SIZE; say so here, naming the place, instead. */
static gboolean
check_document(const char *path, const GString *buf)
{
  const char *end = NULL;
  const char *nul = memchr(buf->str, '\0', buf->len);

  if (nul) {
    read_file_error(path,
                    "it contains a NUL byte (offset %" G_GSIZE_FORMAT "); network XML is text",
                    (gsize)(nul - buf->str));
    return FALSE;
  }
  if (!g_utf8_validate(buf->str, buf->len, &end)) {
    guint line = 1;
    for (const char *p = buf->str; p < end; p++)
      line += *p == '\n';
    read_file_error(path,
                    "line %u: not valid UTF-8 (byte 0x%02x at offset %" G_GSIZE_FORMAT
                    "); network XML must be UTF-8",
                    line, (guchar)*end, (gsize)(end - buf->str));
    return FALSE;
  }
  return TRUE;
}

char *
nc_read_file(const char *path)
{
  FILE *f = fopen(path, "re");
  g_autoptr(GString) buf = NULL;
  char chunk[8192];
  size_t n;

  if (f == NULL) {
    int saved = errno;
    g_autofree char *q = nc_name_escape(path);
    fflush(stdout);
    g_printerr("error: Failed to open file '%s': %s\n", q, g_strerror(saved));
    return NULL;
  }
  buf = g_string_new(NULL);
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
    g_string_append_len(buf, chunk, n);
    if (buf->len > NC_XML_MAX_DOCUMENT_SIZE) {
      fclose(f);
      read_file_error(path,
                      "file too large (more than %d bytes, the 4 MiB a network "
                      "definition may have)",
                      NC_XML_MAX_DOCUMENT_SIZE);
      return NULL;
    }
  }
  if (ferror(f)) {
    int saved = errno;
    fclose(f);
    read_file_error(path, "%s", g_strerror(saved));
    return NULL;
  }
  if (!check_document(path, buf)) {
    fclose(f);
    return NULL;
  }
  fclose(f);
  return g_string_free(g_steal_pointer(&buf), FALSE);
}

void
nc_json_append_net_info(GString *out, const NcNetInfo *info)
{
  g_string_append(out, "{\"name\": ");
  nc_json_append_string(out, info->name);
  g_string_append(out, ", \"uuid\": ");
  nc_json_append_string(out, info->uuid);
  g_string_append_printf(out, ", \"active\": %s, \"persistent\": %s, \"autostart\": %s",
                         info->active ? "true" : "false", info->persistent ? "true" : "false",
                         info->autostart ? "true" : "false");
  g_string_append(out, ", \"bridge\": ");
  if (info->bridge[0] != '\0')
    nc_json_append_string(out, info->bridge);
  else
    g_string_append(out, "null");
  g_string_append_c(out, '}');
}
