/* OVN networks, in netctl's own XML namespace (network-netctl-ns.h):
 *
 *   <netctl:ovn nb='tcp:192.0.2.1:6641'/>
 *   <netctl:ovn nb='...' uplink='physnet1' uplinkAddress='198.51.100.10/24'
 *               uplinkGateway='198.51.100.1' chassis='host1'/>
 *
 * marks a network as a logical switch on OVN (network-kind.h: the OVN
 * kind) whose northbound database is at nb: one or more OVSDB remotes
 * separated by commas (the members of a clustered NB), each
 * tcp:IPv4:PORT, tcp:[IPv6]:PORT or unix:/absolute/path. ssl: remotes need
 * certificate settings netctl does not have yet and are refused.
 *
 * With <forward mode='nat|route'> the network gets a logical router whose
 * uplink port sits on a switch with a localnet port onto the provider
 * network `uplink` (ovn-bridge-mappings on the gateway chassis), with
 * address uplinkAddress, bound to chassis `chassis`, a default route via
 * uplinkGateway (optional), and for nat an SNAT of the network's subnet to
 * the uplink address. uplink: 1-64 of [A-Za-z0-9_.:-]. chassis: 1 to 8
 * such names separated by single spaces ('host1 host2'), highest priority
 * first, none twice: OVN fails the gateway over to the next one alive.
 *
 * Parse and format are pure and byte-exact: nb is kept as written, once
 * validated (it reaches a socket address, never a command line). */
#pragma once

#include <libxml/tree.h>

#include "network-def.h"
#include "network-parse-priv.h"

G_BEGIN_DECLS

typedef struct {
  char *nb; /* the NB remotes, as written */
  /* the router's uplink (nat/route); NULL: absent. Kept as written. */
  char *uplink;
  char *uplink_address; /* IPv4/prefix */
  char *uplink_gateway; /* IPv4 */
  char *chassis;        /* gateway chassis, as written (space-separated) */
  guint line;
} NcNetctlOvn;

NcNetctlOvn *nc_netctl_ovn_copy(const NcNetctlOvn *ovn);
void nc_netctl_ovn_free(NcNetctlOvn *ovn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNetctlOvn, nc_netctl_ovn_free)

/* Reads <netctl:ovn> among root's children into def->netctl->ovn (making
 * def->netctl when needed), before the namespace's other elements: the
 * network's kind depends on it. FALSE with the error set through ctx. */
gboolean nc_netctl_ovn_parse(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def);
void nc_netctl_ovn_format(GString *buf, const NcNetctlOvn *ovn, guint indent);

/* The definition's OVN marker, NULL when it is not an OVN network. */
const NcNetctlOvn *nc_network_def_ovn(const NcNetworkDef *def);

/* The gateway chassis names, highest priority first (caller frees); NULL
 * when none. */
gchar **nc_netctl_ovn_chassis_list(const NcNetctlOvn *ovn);

/* Whether s is a valid NB remote list (see above); on FALSE *ret_why (static
 * text) says what is wrong. */
gboolean nc_ovn_remotes_valid(const char *s, const char **ret_why);

G_END_DECLS
