/* What a network and its portgroups give a port (libvirt's
 * networkAllocatePort): the port's own setting wins, then its portgroup's
 * (the one it names, else the network's default portgroup), then the
 * network's. Pure; the daemon calls it before the driver sees the port. */
#pragma once

#include "network-def.h"
#include "port-def.h"

G_BEGIN_DECLS

/* The portgroup called `name`, or the default one when name is NULL; NULL
 * when there is none. Borrowed from net. */
const NcPortGroup *nc_network_def_find_portgroup(const NcNetworkDef *net, const char *name);

/* Fills port's virtualport, bandwidth, vlan, trustGuestRxFilters and
 * isolated from its portgroup and the network where the port leaves them
 * out. INVALID_NETWORK_PORT when the port names a portgroup the network
 * does not have. */
gboolean nc_network_port_merge(const NcNetworkDef *net, NcNetworkPortDef *port, GError **error);

G_END_DECLS
