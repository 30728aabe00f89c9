/* Network kinds and their traits (see network-kind.h). */
#include "network-kind.h"
#include "network-netctl-ovn.h"

static const NcNetworkKindTraits traits[_NC_NETWORK_KIND_MAX] = {
  [NC_NETWORK_KIND_MANAGED_BRIDGE] = {
    .kind = NC_NETWORK_KIND_MANAGED_BRIDGE, .description = "managed bridge",
    .own_bridge = TRUE, .uses_bridge = TRUE, .firewall = TRUE, .dnsmasq = TRUE,
    .plug = NC_PORT_PLUG_NETWORK,
  },
  [NC_NETWORK_KIND_HOST_BRIDGE] = {
    .kind = NC_NETWORK_KIND_HOST_BRIDGE, .description = "host bridge",
    .uses_bridge = TRUE, .plug = NC_PORT_PLUG_BRIDGE,
  },
  [NC_NETWORK_KIND_OVS_BRIDGE] = {
    .kind = NC_NETWORK_KIND_OVS_BRIDGE, .description = "Open vSwitch bridge",
    .uses_bridge = TRUE, .plug = NC_PORT_PLUG_BRIDGE, .port_vlan_live = TRUE,
  },
  [NC_NETWORK_KIND_MACVTAP] = {
    .kind = NC_NETWORK_KIND_MACVTAP, .description = "macvtap pool",
    .plug = NC_PORT_PLUG_DIRECT,
  },
  [NC_NETWORK_KIND_HOSTDEV] = {
    .kind = NC_NETWORK_KIND_HOSTDEV, .description = "hostdev pool",
    .plug = NC_PORT_PLUG_HOSTDEV_PCI,
  },
  /* ports are plugged into the host's br-int (the plug names it); OVN does
   * DHCP, the firewall is OVN's ACLs */
  [NC_NETWORK_KIND_OVN] = {
    .kind = NC_NETWORK_KIND_OVN, .description = "OVN logical switch",
    .uses_bridge = TRUE, .plug = NC_PORT_PLUG_BRIDGE,
  },
};

static const char *const kind_strings[_NC_NETWORK_KIND_MAX] = {
  [NC_NETWORK_KIND_MANAGED_BRIDGE] = "managed-bridge",
  [NC_NETWORK_KIND_HOST_BRIDGE] = "host-bridge",
  [NC_NETWORK_KIND_OVS_BRIDGE] = "ovs-bridge",
  [NC_NETWORK_KIND_MACVTAP] = "macvtap",
  [NC_NETWORK_KIND_HOSTDEV] = "hostdev",
  [NC_NETWORK_KIND_OVN] = "ovn",
};

/* libvirt plugs a port through Open vSwitch when its merged virtualport is
 * openvswitch, and that may come from a portgroup alone: such a bridge is
 * an OVS bridge, not a Linux one (a Linux bridge cannot take those ports). */
static gboolean
uses_openvswitch(const NcNetworkDef *def)
{
  if (def->virtualport && def->virtualport->type == NC_VIRTUALPORT_OPENVSWITCH)
    return TRUE;
  for (guint i = 0; def->portgroups && i < def->portgroups->len; i++) {
    const NcPortGroup *pg = def->portgroups->pdata[i];
    if (pg->virtualport && pg->virtualport->type == NC_VIRTUALPORT_OPENVSWITCH)
      return TRUE;
  }
  return FALSE;
}

NcNetworkKind
nc_network_def_kind(const NcNetworkDef *def)
{
  if (nc_network_def_ovn(def))
    return NC_NETWORK_KIND_OVN; /* whatever the forward mode: OVN does it */
  switch (def->forward.mode) {
  case NC_FORWARD_NONE:
  case NC_FORWARD_NAT:
  case NC_FORWARD_ROUTE:
  case NC_FORWARD_OPEN:
    return NC_NETWORK_KIND_MANAGED_BRIDGE;
  case NC_FORWARD_BRIDGE:
    /* libvirt: a bridge name means a bridge the host made; without one the
     * forward devices are macvtap uplinks. */
    if (!def->bridge.name)
      return NC_NETWORK_KIND_MACVTAP;
    return uses_openvswitch(def) ? NC_NETWORK_KIND_OVS_BRIDGE : NC_NETWORK_KIND_HOST_BRIDGE;
  case NC_FORWARD_PRIVATE:
  case NC_FORWARD_VEPA:
  case NC_FORWARD_PASSTHROUGH:
    return NC_NETWORK_KIND_MACVTAP;
  case NC_FORWARD_HOSTDEV:
  case _NC_FORWARD_MAX:
    break;
  }
  return NC_NETWORK_KIND_HOSTDEV;
}

const NcNetworkKindTraits *
nc_network_kind_traits(NcNetworkKind kind)
{
  g_return_val_if_fail((guint)kind < _NC_NETWORK_KIND_MAX, &traits[NC_NETWORK_KIND_HOSTDEV]);
  return &traits[kind];
}

const NcNetworkKindTraits *
nc_network_def_traits(const NcNetworkDef *def)
{
  return &traits[nc_network_def_kind(def)];
}

const char *
nc_network_kind_to_string(NcNetworkKind v)
{
  return (guint)v < _NC_NETWORK_KIND_MAX ? kind_strings[v] : NULL;
}

int
nc_network_kind_from_string(const char *s)
{
  for (int i = 0; s && i < _NC_NETWORK_KIND_MAX; i++)
    if (g_str_equal(kind_strings[i], s))
      return i;
  return -1;
}
