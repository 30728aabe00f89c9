/* A portgroup's <vlan> changed by net-update on a running network reaches
 * its ports at once (libvirt leaves a running guest on the old VLAN until
 * it is plugged again): each port of that portgroup whose VLAN came from
 * it (equal to the portgroup's old VLAN, or the network's when the
 * portgroup had none) gets the new one, in its definition, its status file
 * and on its device (the driver's port_adopt applies a port's policy
 * again, as nc_port_set_bandwidth does). A port with a VLAN of its own
 * keeps it. Only on kinds whose traits say port_vlan_live (Open vSwitch).
 */
#include "nc-daemon-private.h"

#include "nc-log.h"
#include "network-kind.h"
#include "netdev-format.h"
#include "port-merge.h"
#include "port-status.h"

static gboolean
vlan_present(const NcVlan *vlan)
{
  return vlan && vlan->tags && vlan->tags->len > 0;
}

/* The VLAN a port of portgroup pg takes from the network (NULL: none). */
static const NcVlan *
effective(const NcNetworkDef *def, const NcPortGroup *pg)
{
  if (pg && vlan_present(pg->vlan))
    return pg->vlan;
  return vlan_present(def->vlan) ? def->vlan : NULL;
}

static gboolean
vlan_equal(const NcVlan *a, const NcVlan *b)
{
  g_autoptr(GString) fa = g_string_new(NULL), fb = g_string_new(NULL);
  if (vlan_present(a))
    nc_vlan_format(fa, a, 0);
  if (vlan_present(b))
    nc_vlan_format(fb, b, 0);
  return g_str_equal(fa->str, fb->str);
}

void
nc_network_ports_update_vlans(NcNetwork *net, const NcNetworkDef *old_def)
{
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, NULL);
  /* only kinds whose port_adopt is known to retag a live port (OVS); a VF's
   * VLAN (hostdev) stays until the port is plugged again, as libvirt */
  if (!driver || !driver->port_adopt || !nc_network_def_traits(net->def)->port_vlan_live)
    return;
  for (guint i = 0; net->ports && i < net->ports->len; i++) {
    NcPort *port = net->ports->pdata[i];
    const NcVlan *before
        = effective(old_def, nc_network_def_find_portgroup(old_def, port->def->group));
    const NcVlan *after
        = effective(net->def, nc_network_def_find_portgroup(net->def, port->def->group));
    if (!port->plugged || vlan_equal(before, after) || !vlan_equal(port->def->vlan, before))
      continue;
    g_autoptr(GError) error = NULL;
    g_autoptr(NcVlan) old = port->def->vlan;
    port->def->vlan = after ? nc_vlan_copy(after) : NULL;
    if (!driver->port_adopt(&net->daemon->env, net->def, &net->live, port->def, &port->dev, &error)
        || !nc_port_status_save(net->daemon->paths, net->def->name, port->def, &port->dev,
                                &error)) {
      nc_log_network(net, G_LOG_LEVEL_WARNING, "port %s keeps its old VLAN: %s", port->uuid_str,
                     error->message);
      nc_vlan_free(port->def->vlan);
      port->def->vlan = g_steal_pointer(&old);
      continue;
    }
    nc_log_network(net, G_LOG_LEVEL_INFO, "port %s: its portgroup's new VLAN applied",
                   port->uuid_str);
  }
}
