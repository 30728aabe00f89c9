/* Mirroring and flow export on Open vSwitch networks, in netctl's own XML
 * namespace (network-netctl-ns.h); libvirt has no element for them:
 *
 *   <netctl:mirror name='m0'>
 *     <netctl:select portgroup='web' direction='both'/>   (or port='vnet3', or all='yes')
 *     <netctl:output port='mon0'/>                        (or vlan='999')
 *   </netctl:mirror>
 *   <netctl:netflow activeTimeout='60' engineType='1' engineId='2'>
 *     <netctl:target address='192.0.2.9' port='2055'/>
 *   </netctl:netflow>
 *   <netctl:sflow sampling='64' polling='10' header='128' agent='eth0'>
 *     <netctl:target address='192.0.2.9' port='6343'/>
 *   </netctl:sflow>
 *
 * They map to OVS's Mirror, NetFlow and sFlow tables. direction is
 * libvirt's <bandwidth> sense: inbound is traffic to the guest (OVS's
 * select_dst_port), outbound traffic from it (select_src_port), both when
 * absent. A portgroup selects the network's ports in that group (a port
 * without a group is in the default portgroup), all='yes' every port on
 * the bridge. Targets are IP literals (no name resolution in vswitchd).
 *
 * Only on Open vSwitch networks. Parse and format are pure and byte-exact:
 * values are kept as written, once validated. libvirt's net-update has no
 * section for them; netctl adds its own (network-update.h:
 * NC_NETWORK_SECTION_NETCTL_MIRROR, _NETFLOW, _SFLOW; nc_netctl_ovs_update
 * below), applied live by the OVS driver (drivers/ovs-monitor.h). */
#pragma once

#include <libxml/tree.h>

#include "network-def.h"
#include "network-parse-priv.h"

G_BEGIN_DECLS

typedef enum {
  NC_MIRROR_DIRECTION_DEFAULT = 0, /* absent: both */
  NC_MIRROR_DIRECTION_BOTH,
  NC_MIRROR_DIRECTION_INBOUND,  /* to the guest */
  NC_MIRROR_DIRECTION_OUTBOUND, /* from the guest */
  _NC_MIRROR_DIRECTION_MAX,
} NcMirrorDirection;

const char *nc_mirror_direction_to_string(NcMirrorDirection d); /* NULL for DEFAULT */
int nc_mirror_direction_from_string(const char *s);

typedef struct {
  char *port;      /* a port's device name, or */
  char *portgroup; /* a portgroup of the network, or */
  gboolean all;    /* every port on the bridge */
  NcMirrorDirection direction;
} NcMirrorSelect;

typedef struct {
  char *name;
  GPtrArray *selects; /* NcMirrorSelect, at least one */
  char *output_port;  /* a port on the bridge, or */
  char *output_vlan;  /* a VLAN id 1-4095, as written */
  guint line;
} NcMirror;

typedef struct {
  char *address; /* IPv4 or IPv6 literal, as written */
  gboolean v6;
  char *port; /* 1-65535, as written */
} NcFlowTarget;

/* Unsigned attributes are kept as written (NULL: absent, OVS's default). */
typedef struct {
  GPtrArray *targets;   /* NcFlowTarget, at least one */
  char *active_timeout; /* seconds */
  char *engine_type;    /* 0-255 */
  char *engine_id;      /* 0-255 */
} NcNetflow;

typedef struct {
  GPtrArray *targets;
  char *sampling; /* 1 in N packets */
  char *polling;  /* counter polling interval, seconds */
  char *header;   /* bytes of each sampled packet */
  char *agent;    /* an interface name whose address is the agent's */
} NcSflow;

typedef struct _NcNetctlOvs {
  GPtrArray *mirrors; /* NcMirror, NULL when none */
  NcNetflow *netflow;
  NcSflow *sflow;
} NcNetctlOvs;

NcNetctlOvs *nc_netctl_ovs_copy(const NcNetctlOvs *ovs);
void nc_netctl_ovs_free(NcNetctlOvs *ovs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNetctlOvs, nc_netctl_ovs_free)

/* Reads the mirror/netflow/sflow elements among root's children (def's
 * forward, bridge, virtualport and portgroups already parsed). *ret_ovs is
 * NULL when there are none. FALSE with the error set through ctx. */
gboolean nc_netctl_ovs_parse(NcParseCtx *ctx, xmlNodePtr root, const NcNetworkDef *def,
                             NcNetctlOvs **ret_ovs);
/* Appends the elements at indent. */
void nc_netctl_ovs_format(GString *buf, const NcNetctlOvs *ovs, guint indent);
/* Both NULL, or the same elements. */
gboolean nc_netctl_ovs_equal(const NcNetctlOvs *a, const NcNetctlOvs *b);

/* What must still hold after a change of the rest of the definition
 * (net-update of a portgroup, for instance): an Open vSwitch network, and
 * every portgroup a mirror selects. file may be NULL. */
gboolean nc_netctl_ovs_check(const NcNetworkDef *def, const char *file, GError **error);

/* net-update of netctl's sections (network-update.h's
 * NC_NETWORK_SECTION_NETCTL_*) on def, a working copy that the caller
 * drops on failure (nc_network_def_update). The snippet is the element,
 * with netctl's namespace declared (<netctl:mirror xmlns:netctl='...'>) or
 * without a namespace (<mirror>): the section says whose it is. It is
 * parsed as in a whole definition, and attributes the schema does not
 * allow are refused. Mirrors are found by name: add refuses a name in use,
 * modify and delete a name not there, delete reads only the name
 * (<mirror name='m'/>). NetFlow and sFlow are one per network: add
 * refuses when there is one, modify and delete when there is none, delete
 * reads only the element's name (<netflow/>). Errors: XML_ERROR for a bad
 * snippet, OPERATION_INVALID for a missing or duplicate entry. */
gboolean nc_netctl_ovs_update(NcNetworkDef *def, guint command, guint section, const char *xml,
                              GError **error);

/* The def's (NULL when it has none). */
const NcNetctlOvs *nc_network_def_netctl_ovs(const NcNetworkDef *def);

G_END_DECLS
