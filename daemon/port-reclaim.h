/* VIR_NETWORK_PORT_CREATE_RECLAIM: a hypervisor daemon that restarted (or
 * whose network daemon lost its ports) registers its running guests' ports
 * again, each with the <plug> its guest already has.
 *
 * libvirt's rules: a reclaim needs a plug, and a plug is given only with
 * RECLAIM. Beyond libvirt (which refuses a second create of the same uuid):
 * reclaiming a port that is still registered with the same MAC, owner and
 * plug returns it as it is; one that differs is refused, naming the
 * difference. */
#pragma once

#include "nc-daemon-private.h"

G_BEGIN_DECLS

/* Checks the flags against the plug and, for RECLAIM, the plug against the
 * network. TRUE to go on; *ret_existing is then the registered port a
 * matching reclaim stands for (the create returns it, nothing changes), or
 * left NULL. `makes_device`: the caller asked netctl to make the guest's
 * device, which a reclaim cannot (the guest has it). */
gboolean nc_port_reclaim_check(NcNetwork *net, const NcNetworkPortDef *def, guint flags,
                               gboolean makes_device, NcPort **ret_existing, GError **error);

/* Takes a reclaimed port into the running network: the driver's port_adopt
 * (the device exists; it is counted, recorded, plugged back where it is
 * not), then the plug must still be the guest's; else undone and FALSE. */
gboolean nc_port_reclaim_plug(NcNetwork *net, const NcForwardDriver *driver, NcNetworkPortDef *def,
                              NcPortDevice *dev, GError **error);

G_END_DECLS
