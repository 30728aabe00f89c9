/* Per-port <bandwidth> on Linux bridges beyond the TAP's inbound HTB
 * (bridge-port.c): what the guest sends (<outbound>), shaped on an IFB of
 * the port's own, and the guaranteed minimum of <inbound floor=>, a class
 * of the network's HTB tree on its bridge (libvirt's networkPlugBandwidth).
 *
 * Floors are booked in the network's NcLiveState, one entry per floored
 * port ("floor:UUID" -> "ID FLOOR": its class 1:ID and floor in kB/s), so
 * the bookkeeping is saved in the network's status file and comes back
 * with it after a netctld restart; the class id is also the port's
 * <bandwidth classID=> (its status file), as libvirt keeps it.
 *
 * gboolean + GError (NC_ERROR), messages naming the network and port. */
#pragma once

#include "forward-driver.h"

G_BEGIN_DECLS

/* The guest's <outbound> on a TAP netctl made (dev->create, dev->ifindex
 * set): the TAP's ingress redirected to IFB ncifb-HASH (alias: the port's
 * device alias) with HTB on it; with no <outbound>, what an earlier one
 * left is removed (not looked for when `fresh`: a TAP just made). Idempotent:
 * used at plug, adoption and live change. */
gboolean nc_port_outbound_apply(const NcDriverEnv *env, const NcNetworkDef *def,
                                const NcNetworkPortDef *port, const NcPortDevice *dev,
                                gboolean fresh, GError **error);
/* Deletes the port's IFB (deferred) when it has <outbound>; the TAP's
 * redirect goes with the TAP. Quiet. */
void nc_port_outbound_remove(const NcDriverEnv *env, const NcNetworkPortDef *port,
                             const NcPortDevice *dev);

/* Admission control only: FALSE when the port's floor cannot be granted
 * (the network has no bridge of its own, no <inbound average=>, or the
 * floor does not fit beside the others). Nothing changes. */
gboolean nc_port_floor_check(const NcNetworkDef *def, const NcLiveState *live,
                             const NcNetworkPortDef *port, GError **error);
/* Makes the kernel and the booking match the port's floor: plugs its class
 * (allocating an id), changes its rate, or unplugs it when the floor went;
 * the default class 1:2 gets what the floors leave. Sets
 * port->bandwidth->class_id. On failure the earlier state is kept. */
gboolean nc_port_floor_apply(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                             NcNetworkPortDef *port, GError **error);
/* Gives the port's class back; quiet. */
void nc_port_floor_release(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                           const NcNetworkPortDef *port);

/* Drops the bookings (and their classes) of ports not in port_uuids (canonical
 * uuid strings; NULL: none): what a daemon killed between deleting a port
 * and saving the network's status left. Returns how many. */
guint nc_port_floor_prune(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                          GHashTable *port_uuids);

/* For the network status file: the class ids in use as libvirt's bitmap
 * ("0-2" are the network's own; "0-2,4-5") and the sum of floors (kB/s).
 * Pure. */
char *nc_port_floor_class_bitmap(const NcLiveState *live);
guint64 nc_port_floor_sum(const NcLiveState *live);

G_END_DECLS
