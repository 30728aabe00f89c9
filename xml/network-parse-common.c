/* Parser plumbing shared by the network-parse*.c files: located errors,
 * attribute and child access, numbers, yes/no attributes. The sub-elements
 * shared with the port model (<bandwidth>, <vlan>, <virtualport>) are parsed
 * by netdev-parse.c. */
#include "network-parse-priv.h"

#include <errno.h>
#include <string.h>

#include "network-check-names.h"

gboolean
nc_parse_fail(NcParseCtx *ctx, xmlNodePtr node, int code, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  nc_xml_set_error(ctx->error, code, ctx->filename, nc_parse_line(node), ctx->name, "%s", msg);
  return FALSE;
}

void
nc_parse_ctx_clear(NcParseCtx *ctx)
{
  g_clear_pointer(&ctx->quoted, g_ptr_array_unref);
}

const char *
nc_parse_q(NcParseCtx *ctx, const char *value)
{
  if (!ctx->quoted)
    ctx->quoted = g_ptr_array_new_with_free_func(g_free);
  char *escaped = nc_name_escape(value);
  g_ptr_array_add(ctx->quoted, escaped);
  return escaped;
}

guint
nc_parse_line(xmlNodePtr node)
{
  long line;

  if (!node)
    return 0;
  line = xmlGetLineNo(node);
  return line > 0 ? (guint)line : 0;
}

char *
nc_parse_prop(xmlNodePtr node, const char *name)
{
  xmlChar *val;
  char *ret;

  if (!node)
    return NULL;
  val = xmlGetNoNsProp(node, BAD_CAST name);
  if (!val)
    return NULL;
  ret = g_strdup((const char *)val);
  xmlFree(val);
  return ret;
}

char *
nc_parse_prop_nonempty(xmlNodePtr node, const char *name)
{
  char *val = nc_parse_prop(node, name);

  if (val && !*val)
    g_clear_pointer(&val, g_free);
  return val;
}

char *
nc_parse_content(xmlNodePtr node)
{
  xmlChar *val;
  char *ret;

  if (!node)
    return NULL;
  val = xmlNodeGetContent(node);
  ret = g_strdup(val ? (const char *)val : "");
  xmlFree(val);
  return ret;
}

static gboolean
is_plain_element(xmlNodePtr node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && !node->ns && strcmp((const char *)node->name, name) == 0;
}

xmlNodePtr
nc_parse_child(xmlNodePtr node, const char *name)
{
  for (xmlNodePtr cur = node ? node->children : NULL; cur; cur = cur->next)
    if (is_plain_element(cur, name))
      return cur;
  return NULL;
}

GPtrArray *
nc_parse_children(xmlNodePtr node, const char *name)
{
  GPtrArray *arr = g_ptr_array_new();

  for (xmlNodePtr cur = node ? node->children : NULL; cur; cur = cur->next)
    if (is_plain_element(cur, name))
      g_ptr_array_add(arr, cur);
  return arr;
}

gboolean
nc_parse_uint_str(const char *str, int base, guint64 max, guint64 *ret_val)
{
  char *end = NULL;
  guint64 val;

  /* strtoull would accept leading blanks and a minus sign (wrapping the
   * value); refuse both. */
  if (!str || !g_ascii_isdigit(*str))
    return FALSE;
  errno = 0;
  val = g_ascii_strtoull(str, &end, base);
  if (errno != 0 || end == str || *end != '\0' || val > max)
    return FALSE;
  *ret_val = val;
  return TRUE;
}

gboolean
nc_parse_uint_attr(NcParseCtx *ctx, xmlNodePtr node, const char *attr, int base, guint64 max,
                   gboolean required, gboolean *ret_present, guint64 *ret_val)
{
  g_autofree char *str = nc_parse_prop(node, attr);
  guint64 val;

  if (!str) {
    if (required)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<%s>: missing required attribute '%s'",
                           node->name, attr);
    if (ret_present)
      *ret_present = FALSE;
    return TRUE;
  }
  if (!nc_parse_uint_str(str, base, max, &val))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<%s>: invalid value '%s' for attribute '%s': expected an integer "
                         "from 0 to %" G_GUINT64_FORMAT,
                         node->name, nc_parse_q(ctx, str), attr, max);
  if (ret_present)
    *ret_present = TRUE;
  *ret_val = val;
  return TRUE;
}

gboolean
nc_parse_tristate_attr(NcParseCtx *ctx, xmlNodePtr node, const char *attr, NcTristate *ret_val)
{
  g_autofree char *str = nc_parse_prop(node, attr);
  int v;

  if (!str) {
    *ret_val = NC_TRISTATE_ABSENT;
    return TRUE;
  }
  v = nc_tristate_from_string(str);
  if (v <= 0)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<%s>: invalid value '%s' for attribute '%s': expected 'yes' or 'no'",
                         node->name, nc_parse_q(ctx, str), attr);
  *ret_val = (NcTristate)v;
  return TRUE;
}
