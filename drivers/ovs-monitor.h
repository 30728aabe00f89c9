/* An Open vSwitch network's mirrors and flow export (<netctl:mirror>,
 * <netctl:netflow>, <netctl:sflow>; xml/network-netctl-ovs.h) on its
 * bridge, through drivers/kernel/ovsdb-monitor.h. Used by ovs.c. */
#pragma once

#include "network-def.h"
#include "port-def.h"

G_BEGIN_DECLS

/* Makes the network's Mirror/NetFlow/sFlow rows what def says (none: ours
 * removed). FALSE with an error naming the network. */
gboolean nc_ovs_monitor_apply(const NcNetworkDef *def, GError **error);
/* The same for a live change (net-update), then waits (bounded by
 * NC_OVS_MONITOR_APPLY_WAIT_MS) until ovs-vswitchd has applied it, so
 * that it holds when the call returns; a wait that runs out is logged. */
#define NC_OVS_MONITOR_APPLY_WAIT_MS 5000
gboolean nc_ovs_monitor_update(const NcNetworkDef *def, GError **error);
/* The same after a port came or came back: only when a mirror selects
 * ports by name or portgroup; a failure is logged (the port itself is
 * fine). */
void nc_ovs_monitor_port_added(const NcNetworkDef *def);
/* Drops the network's rows (destroy); a failure is logged. */
void nc_ovs_monitor_remove(const NcNetworkDef *def);

/* The portgroup a port is in: its own, else the network's default; NULL. */
const char *nc_ovs_port_group(const NcNetworkDef *def, const NcNetworkPortDef *port);

G_END_DECLS
