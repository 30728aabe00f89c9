/* Internal to the network XML parser (network-parse*.c).
 *
 * Every function that can fail returns FALSE (or NULL) with the error set
 * through nc_parse_fail(), which names the file, the element's line and the
 * network. Out-parameters are left untouched on failure. */
#pragma once

#include <libxml/tree.h>

#include "network-def.h"
#include "network-xml.h"
#include "nc-error.h"
#include "netdev-parse.h"

G_BEGIN_DECLS

typedef struct {
  const char *filename; /* NULL for a string */
  const char *name;     /* the network's name once known, escaped, for messages */
  GError **error;
  GPtrArray *quoted; /* what nc_parse_q() returned; owned */
} NcParseCtx;

/* Frees what nc_parse_q() returned: declare contexts g_auto(NcParseCtx). */
void nc_parse_ctx_clear(NcParseCtx *ctx);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NcParseCtx, nc_parse_ctx_clear)

/* A user's value for an error message, escaped by nc_name_escape() (control
 * characters and backslashes), so every message stays one line whatever the
 * document held. Owned by ctx, valid until it is cleared. */
const char *nc_parse_q(NcParseCtx *ctx, const char *value);

/* Sets the located error "FILE:LINE: network 'NAME': <message>" using the
 * line of `node` (may be NULL). Always returns FALSE. */
gboolean nc_parse_fail(NcParseCtx *ctx, xmlNodePtr node, int code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

guint nc_parse_line(xmlNodePtr node);

/* Attribute without a namespace, g_malloc'd; NULL when absent. The _nonempty
 * variant also maps "" to NULL, as libvirt's XPath string() lookups do. */
char *nc_parse_prop(xmlNodePtr node, const char *name);
char *nc_parse_prop_nonempty(xmlNodePtr node, const char *name);
/* Text content of an element, g_malloc'd; NULL when the element is NULL. */
char *nc_parse_content(xmlNodePtr node);

/* Element children without a namespace, by name (libvirt's "./name"). */
xmlNodePtr nc_parse_child(xmlNodePtr node, const char *name);
/* Borrowed nodes, in document order; never NULL. */
GPtrArray *nc_parse_children(xmlNodePtr node, const char *name);

/* Unsigned integer attribute. base 0 accepts 0x.. hex like strtoul. An absent
 * attribute leaves *ret_val alone and sets *ret_present FALSE (ret_present may
 * be NULL). When `required`, absence is an error. */
gboolean nc_parse_uint_attr(NcParseCtx *ctx, xmlNodePtr node, const char *attr, int base,
                            guint64 max, gboolean required, gboolean *ret_present,
                            guint64 *ret_val);
/* Parse a whole string as an unsigned integer (no sign, no spaces). */
gboolean nc_parse_uint_str(const char *str, int base, guint64 max, guint64 *ret_val);
/* yes/no attribute; ABSENT when not written. */
gboolean nc_parse_tristate_attr(NcParseCtx *ctx, xmlNodePtr node, const char *attr,
                                NcTristate *ret_val);

/* -- pieces of <network> (network-parse-ip.c, -dns.c, -forward.c) ------------- */
gboolean nc_parse_ip(NcParseCtx *ctx, xmlNodePtr node, NcIpDef **ret_ip);
gboolean nc_parse_route(NcParseCtx *ctx, xmlNodePtr node, NcRouteDef **ret_route);
gboolean nc_parse_dns(NcParseCtx *ctx, xmlNodePtr node, NcDns *dns);
gboolean nc_parse_forward(NcParseCtx *ctx, xmlNodePtr node, NcForward *fwd);
gboolean nc_parse_portgroup(NcParseCtx *ctx, xmlNodePtr node, NcPortGroup **ret_pg);
gboolean nc_parse_dhcp_range(NcParseCtx *ctx, xmlNodePtr node, NcDhcpRange **ret_range);
/* partial_ok: a net-update lookup key (delete/modify), where libvirt relaxes the
 * required attributes; the values given are still checked. */
gboolean nc_parse_dhcp_host(NcParseCtx *ctx, const NcIpDef *ip, xmlNodePtr node,
                            gboolean partial_ok, NcDhcpHost **ret_host);
gboolean nc_parse_dns_host(NcParseCtx *ctx, xmlNodePtr node, gboolean partial_ok,
                           NcDnsHost **ret_host);
gboolean nc_parse_dns_srv(NcParseCtx *ctx, xmlNodePtr node, gboolean partial_ok,
                          NcDnsSrv **ret_srv);
gboolean nc_parse_dns_txt(NcParseCtx *ctx, xmlNodePtr node, gboolean partial_ok,
                          NcDnsTxt **ret_txt);

G_END_DECLS
