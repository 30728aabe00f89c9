/* netctl's own XML namespace in <network> (beyond libvirt), declared as
 * xmlns:netctl='http://netctl.org/schemas/network/1.0' on <network>:
 *
 *   <netctl:host-shim dev='mvshim0' address='192.0.2.250' prefix='24'/>
 *
 * on a macvtap network (vepa/bridge/private) makes a macvlan in bridge mode
 * named dev on the pool's first uplink, with that address, so the host
 * reaches its macvtap guests (the kernel never passes frames between a
 * macvtap and its uplink's own host stack).
 *
 * Parse and format are pure and byte-exact: what parse reads, format writes
 * back the same. The network parser and formatter call the hooks below;
 * elements of other namespaces are not ours. */
#pragma once

#include <libxml/tree.h>

#include "network-def.h"
#include "network-netctl-ovn.h"
#include "network-netctl-ovs.h"
#include "network-parse-priv.h"

G_BEGIN_DECLS

#define NC_NETCTL_NS_URI "http://netctl.org/schemas/network/1.0"
#define NC_NETCTL_NS_PREFIX "netctl"

typedef struct {
  char *dev;           /* the shim's name (an interface name) */
  NcSockAddr address;  /* its address */
  guint prefix;
  guint line;
} NcHostShim;

struct _NcNetctlExt {
  NcHostShim *host_shim; /* NULL when absent */
  NcNetctlOvn *ovn;      /* <netctl:ovn> (network-netctl-ovn.h); NULL: not an OVN network */
  NcNetctlOvs *ovs;      /* mirrors, NetFlow, sFlow (network-netctl-ovs.h); NULL: none */
};

NcNetctlExt *nc_netctl_ext_copy(const NcNetctlExt *ext);
void nc_netctl_ext_free(NcNetctlExt *ext);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNetctlExt, nc_netctl_ext_free)

/* Reads netctl's elements among root's children into def->netctl (left
 * NULL when there are none). FALSE with the error set through ctx for a bad
 * one ("FILE:LINE: network 'NAME': <netctl:host-shim>: ..."). */
gboolean nc_netctl_ext_parse(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def);
/* TRUE when format will write something (the namespace is declared then). */
gboolean nc_netctl_ext_used(const NcNetctlExt *ext);
/* Appends the elements at indent. */
void nc_netctl_ext_format(GString *buf, const NcNetctlExt *ext, guint indent);

/* The shim's device name, NULL without a shim. */
const char *nc_network_def_host_shim_name(const NcNetworkDef *def);

G_END_DECLS
