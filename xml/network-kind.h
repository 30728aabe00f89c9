/* The kind of a network: what it is on the host, derived once from its
 * definition. The forward mode alone does not say it: mode='bridge' is a
 * host Linux bridge, an Open vSwitch bridge or a macvtap pool depending on
 * <bridge name> and <virtualport type='openvswitch'> (on the network or on any
 * portgroup, as libvirt).
 *
 * What a kind has (a bridge of its own, firewall, dnsmasq, DHCP leases,
 * which plug its ports get) is a row of data here, so no other file tests
 * forward modes to learn it. Pure functions, no kernel. */
#pragma once

#include "network-def.h"
#include "port-def.h"

G_BEGIN_DECLS

typedef enum {
  NC_NETWORK_KIND_MANAGED_BRIDGE = 0, /* none/nat/route/open: netctl's own bridge */
  NC_NETWORK_KIND_HOST_BRIDGE,        /* bridge + <bridge name>: a Linux bridge the host owns */
  NC_NETWORK_KIND_OVS_BRIDGE,         /* the same with an openvswitch virtualport (network or portgroup) */
  NC_NETWORK_KIND_MACVTAP,            /* bridge without a name, private, vepa, passthrough */
  NC_NETWORK_KIND_HOSTDEV,            /* hostdev: a pool of PCI functions */
  NC_NETWORK_KIND_OVN,                /* <netctl:ovn>: a logical switch on OVN */
  _NC_NETWORK_KIND_MAX,
} NcNetworkKind;

typedef struct {
  NcNetworkKind kind;
  const char *description;  /* "managed bridge", for messages and net-info */
  gboolean own_bridge;      /* netctl creates, names, addresses and deletes the bridge */
  gboolean uses_bridge;     /* its ports are plugged into a bridge (its own or the host's) */
  gboolean firewall;        /* netctl writes firewall rules for it */
  gboolean dnsmasq;         /* may run dnsmasq (when it has addresses) and so DHCP leases */
  NcPortPlugType plug;      /* the <plug type> of its ports */
  gboolean port_vlan_live;  /* a port's new VLAN reaches its live device (port_adopt) */
} NcNetworkKindTraits;

NcNetworkKind nc_network_def_kind(const NcNetworkDef *def);
const NcNetworkKindTraits *nc_network_kind_traits(NcNetworkKind kind);
/* nc_network_kind_traits(nc_network_def_kind(def)) */
const NcNetworkKindTraits *nc_network_def_traits(const NcNetworkDef *def);

const char *nc_network_kind_to_string(NcNetworkKind v); /* "managed-bridge", ... */
int nc_network_kind_from_string(const char *s);

G_END_DECLS
