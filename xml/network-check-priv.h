/* Shared by the network-check*.c files only: a small context that knows how
 * to build the located error messages, and the per-area entry points that
 * nc_network_def_check() calls in order.
 *
 * Each nc_check_* returns TRUE when the area is fine, FALSE with @error set. */
#pragma once

#include "nc-error.h"
#include "network-xml.h"

G_BEGIN_DECLS

typedef struct {
  const NcNetworkDef *def;
  const char *file;  /* def->source_file; NULL prints "(string)" */
  char *name;        /* def->name escaped for messages; owned */
  const char *mode;  /* forward mode name ("none" when isolated) */
  GPtrArray *quoted; /* what nc_check_q() returned; owned */
} NcCheck;

void nc_check_init(NcCheck *c, const NcNetworkDef *def);
void nc_check_clear(NcCheck *c);

/* A user's value for an error message, escaped by nc_name_escape() (control
 * characters and backslashes), so every message stays one line. Owned by c,
 * valid until nc_check_clear(). */
const char *nc_check_q(const NcCheck *c, const char *value);

/* Sets @error to "FILE:LINE: network 'NAME': " + the message; returns FALSE
 * so that checks can `return nc_check_fail(...)`. */
gboolean nc_check_fail(const NcCheck *c, GError **error, int code, guint line, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

/* Numeric form of an address for messages; "(none)" when unset. Caller frees. */
char *nc_check_addr(const NcSockAddr *addr);

/* Effective subnet of an <ip>: network address and prefix. FALSE when the
 * prefix cannot be determined (the <ip> check reports that). */
gboolean nc_check_ip_subnet(const NcIpDef *ip, NcSockAddr *ret_net, guint *ret_prefix);

/* network-check-forward.c */
gboolean nc_check_forward(const NcCheck *c, GError **error);
/* virNetworkDefParseXML's switch on the forward type, and the mtu rule. */
gboolean nc_check_mode_parse_rules(const NcCheck *c, GError **error);
/* networkValidate: <mac>, <ip>, <dns>, <domain>, <bandwidth> per mode. */
gboolean nc_check_mode_validate_rules(const NcCheck *c, GError **error);

/* network-check-ip.c */
gboolean nc_check_ips(const NcCheck *c, GError **error);
gboolean nc_check_routes(const NcCheck *c, GError **error);

/* network-check-dns.c */
gboolean nc_check_dns(const NcCheck *c, GError **error);

G_END_DECLS
