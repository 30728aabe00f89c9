/* Ports of networks whose guests plug into a Linux bridge (the managed
 * bridge and the host's bridge): the plug, the TAP netctl makes for
 * attach-interface, its isolation flag and inbound bandwidth, and the MAC
 * map libvirt's NSS module reads. Shared by the drivers of both kinds. */
#pragma once

#include "forward-driver.h"

G_BEGIN_DECLS

/* port_alloc for a bridge kind. bridge/bridge_ifindex: the network's bridge. */
gboolean nc_bridge_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                              int bridge_ifindex, NcNetworkPortDef *port, NcPortDevice *dev,
                              GError **error);
gboolean nc_bridge_port_free(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                             const NcNetworkPortDef *port, NcPortDevice *dev, GError **error);
gboolean nc_bridge_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                              int bridge_ifindex, NcNetworkPortDef *port, NcPortDevice *dev,
                              GError **error);

G_END_DECLS
