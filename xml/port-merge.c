/* Port settings from portgroup and network (see port-merge.h). */
#include "port-merge.h"

#include "nc-error.h"
#include "network-check-names.h"

const NcPortGroup *
nc_network_def_find_portgroup(const NcNetworkDef *net, const char *name)
{
  for (guint i = 0; net->portgroups && i < net->portgroups->len; i++) {
    const NcPortGroup *pg = net->portgroups->pdata[i];
    if (name ? g_str_equal(pg->name, name) : pg->is_default)
      return pg;
  }
  return NULL;
}

static gboolean
vlan_present(const NcVlan *vlan)
{
  return vlan && vlan->tags && vlan->tags->len > 0;
}

gboolean
nc_network_port_merge(const NcNetworkDef *net, NcNetworkPortDef *port, GError **error)
{
  const NcPortGroup *pg = nc_network_def_find_portgroup(net, port->group);
  if (port->group && !pg) {
    g_autofree char *name = nc_name_escape(port->group);
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_NETWORK_PORT,
                "network '%s' has no portgroup '%s'", net->name, name);
    return FALSE;
  }

  if (!port->virtualport) {
    const NcVirtualPort *vp = pg && pg->virtualport ? pg->virtualport : net->virtualport;
    port->virtualport = nc_virtualport_copy(vp);
  }
  /* The network's own <bandwidth> shapes the whole network (its bridge), not
   * each port, so only a portgroup's reaches the port. */
  if (!port->bandwidth && pg && pg->bandwidth)
    port->bandwidth = nc_bandwidth_copy(pg->bandwidth);
  if (!vlan_present(port->vlan)) {
    const NcVlan *vlan = pg && vlan_present(pg->vlan) ? pg->vlan : net->vlan;
    if (vlan_present(vlan)) {
      g_clear_pointer(&port->vlan, nc_vlan_free);
      port->vlan = nc_vlan_copy(vlan);
    }
  }
  if (port->trust_guest_rx_filters == NC_TRISTATE_ABSENT) {
    if (pg && pg->trust_guest_rx_filters != NC_TRISTATE_ABSENT)
      port->trust_guest_rx_filters = pg->trust_guest_rx_filters;
    else
      port->trust_guest_rx_filters = net->trust_guest_rx_filters;
  }
  if (port->isolated == NC_TRISTATE_ABSENT)
    port->isolated = net->port_isolated;
  return TRUE;
}
