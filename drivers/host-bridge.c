/* Host bridge networks: <forward mode='bridge'/><bridge name='br0'/> on a
 * Linux bridge the host owns. netctl never creates, changes or deletes that
 * bridge; it only checks it is there and plugs ports into it. No dnsmasq,
 * no firewall: the host's network is the guests' network.
 *
 * Stopping the network leaves the guests' TAPs where they are (libvirt does
 * the same: the bridge is not ours to take them out of). */
#include <errno.h>

#include "bridge-port.h"
#include "nc-error.h"

/* The host's bridge: its ifindex, or FALSE with an error saying what to do. */
static gboolean
find_bridge(const NcDriverEnv *env, const NcNetworkDef *def, int *ret_ifindex, GError **error)
{
  NcLinkInfo info;
  int r = nc_link_get_info(env->kernel, def->bridge.name, &info);
  if (r == -ENODEV) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': host bridge '%s' does not exist; create it first (for example "
                "`ip link add %s type bridge`, or in the host's network configuration)",
                def->name, def->bridge.name, def->bridge.name);
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot look up host bridge '%s': %s", def->name, def->bridge.name,
                g_strerror(-r));
    return FALSE;
  }
  if (!g_str_equal(info.kind, "bridge")) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': device '%s' is not a Linux bridge (its kind is '%s')", def->name,
                def->bridge.name, info.kind[0] ? info.kind : "none");
    return FALSE;
  }
  *ret_ifindex = info.ifindex;
  return TRUE;
}

static gboolean
host_bridge_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                  GError **error)
{
  return find_bridge(env, def, &live->bridge_ifindex, error);
}

static gboolean
host_bridge_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                 GError **error)
{
  live->bridge_ifindex = 0;
  return TRUE;
}

/* The bridge may have been recreated while we were away: follow it by name. */
static gboolean
host_bridge_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                  GError **error)
{
  return find_bridge(env, def, &live->bridge_ifindex, error);
}

/* Nothing of ours runs for it: any change takes effect with the next port. */
static gboolean
host_bridge_reconfigure(const NcDriverEnv *env, const NcNetworkDef *old_def,
                        const NcNetworkDef *new_def, NcLiveState *live, GError **error)
{
  if (g_strcmp0(old_def->bridge.name, new_def->bridge.name) != 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': the bridge of a running network cannot change; use --config, then "
                "restart the network",
                old_def->name);
    return FALSE;
  }
  return TRUE;
}

static gboolean
host_bridge_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                       NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  return nc_bridge_port_alloc(env, def, def->bridge.name, live, port, dev, error);
}

static gboolean
host_bridge_port_free(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                      const NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  return nc_bridge_port_free(env, def, def->bridge.name, live, port, dev, error);
}

static gboolean
host_bridge_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                       NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  return nc_bridge_port_adopt(env, def, def->bridge.name, live, port, dev, error);
}

const NcForwardDriver nc_driver_host_bridge = {
  .kind = NC_NETWORK_KIND_HOST_BRIDGE,
  .validate = NULL,
  .start = host_bridge_start,
  .stop = host_bridge_stop,
  .adopt = host_bridge_adopt,
  .reconfigure = host_bridge_reconfigure,
  .port_alloc = host_bridge_port_alloc,
  .port_free = host_bridge_port_free,
  .port_adopt = host_bridge_port_adopt,
};
