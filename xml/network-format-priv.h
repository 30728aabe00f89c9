/* Helpers shared by the files of the network formatter (network-format*.c).
 * Not for use outside the formatter.
 *
 * Every function appends to a GString. Element writers take the indent of
 * their own first line; children get indent + 2, as libvirt's auto-indenting
 * virBuffer gives them. */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

/* @str escaped for XML text and attribute values the way libvirt's
 * virBufferEscapeString escapes (& < > ' "); control characters that XML 1.0
 * forbids are dropped. Caller frees. */
char *nc_format_escape(const char *str);
/* The same for attribute values, where raw newlines and tabs would read back
 * as spaces: those become character references. */
char *nc_format_escape_attr(const char *str);

/* Length of a model array; the parser may leave an empty one NULL. */
static inline guint
nc_format_len(const GPtrArray *array)
{
  return array ? array->len : 0;
}

/* `indent` spaces. */
void nc_format_indent(GString *buf, guint indent);

/* " name='value'" with the value escaped; nothing when value is NULL. */
void nc_format_attr(GString *buf, const char *name, const char *value);

/* " name='1.2.3.4'"; nothing when the address is unset. */
void nc_format_addr_attr(GString *buf, const char *name, const NcSockAddr *addr);

/* <name>escaped text</name> on one line; nothing when text is NULL. */
void nc_format_text_element(GString *buf, const char *name, const char *text, guint indent);

/* <domain> and <dns>; nothing when absent or empty (network-format-dns.c). */
void nc_format_domain(GString *buf, const NcDomain *domain, guint indent);
void nc_format_dns(GString *buf, const NcDns *dns, guint indent);

/* <ip> with its <tftp> and <dhcp>, and <route> (network-format-ip.c). */
void nc_format_ip(GString *buf, const NcIpDef *ip, guint indent);
void nc_format_route(GString *buf, const NcRouteDef *route, guint indent);

G_END_DECLS
