/* VLAN filtering on a Linux bridge (link-bridge-vlan.c): what libvirt's
 * macTableManager='libvirt' turns on, so that the bridge forwards to a port
 * only the MACs registered for it.
 *
 * Kernel-layer conventions (nc-kernel.h): 0 or -errno, debug logging only. */
#pragma once

#include "nc-kernel.h"

G_BEGIN_DECLS

/* -EOPNOTSUPP (or what the kernel says) when the kernel was built without
 * bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING). */
int nc_bridge_set_vlan_filtering(NcKernel *kernel, int ifindex, gboolean on);

G_END_DECLS
