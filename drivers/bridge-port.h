/* Ports of networks whose guests plug into a Linux bridge (the managed
 * bridge and the host's bridge): the plug, the TAP netctl makes for
 * attach-interface, its isolation flag and inbound bandwidth, and the MAC
 * map libvirt's NSS module reads. Shared by the drivers of both kinds. */
#pragma once

#include "forward-driver.h"
#include "link-tap.h"

G_BEGIN_DECLS

/* port_alloc for a bridge kind. bridge: the network's bridge; live: the
 * network's live state (its bridge's ifindex, the floors booked in it,
 * port-bandwidth.h). */
gboolean nc_bridge_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                              NcLiveState *live, NcNetworkPortDef *port, NcPortDevice *dev,
                              GError **error);
gboolean nc_bridge_port_free(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                             NcLiveState *live, const NcNetworkPortDef *port, NcPortDevice *dev,
                             GError **error);
gboolean nc_bridge_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                              NcLiveState *live, NcNetworkPortDef *port, NcPortDevice *dev,
                              GError **error);

/* The TAP of an attach-interface port, shared by every kind whose ports are
 * TAPs (Linux bridges, Open vSwitch): named dev->name or the first free
 * vnet%d, owned as dev says, the guest's MAC with 0xfe first (as libvirt's),
 * the network's MTU, IPv6 off, the port's alias, up, and enslaved to
 * master_ifindex (0: none, OVS plugs it itself). dev->name and ifindex are
 * set. */
gboolean nc_port_tap_make(const NcDriverEnv *env, const NcNetworkDef *def,
                          const NcNetworkPortDef *port, int master_ifindex, NcPortDevice *dev,
                          GError **error);
/* Deletes it (deferred, in a batch) when it is still the port's (its alias):
 * 0, or -errno. */
int nc_port_tap_delete(const NcDriverEnv *env, const NcNetworkPortDef *port, NcPortDevice *dev);
/* At adoption, the TAP netctl made for port: made again when it vanished
 * while netctld was away (*ret_made; on master_ifindex, 0: none), else found
 * by its alias (dev->ifindex, *ret_info). FALSE with a one-line error when it
 * cannot be looked up or its name is now another device's (left alone). */
gboolean nc_port_tap_readopt(const NcDriverEnv *env, const NcNetworkDef *def,
                             const NcNetworkPortDef *port, int master_ifindex, NcPortDevice *dev,
                             NcTapInfo *ret_info, gboolean *ret_made, GError **error);
/* The same for any device netctl made for a port (a macvtap too), when it
 * is also of kind (NULL: any). */
int nc_port_device_delete(const NcDriverEnv *env, const NcNetworkPortDef *port, NcPortDevice *dev,
                          const char *kind);
/* nc_port_device_delete for a port that goes: FALSE with the error that
 * names the network, the port and the device; dev->ifindex 0 when gone. */
gboolean nc_port_device_free(const NcDriverEnv *env, const NcNetworkDef *def,
                             const NcNetworkPortDef *port, NcPortDevice *dev, const char *kind,
                             GError **error);

G_END_DECLS
