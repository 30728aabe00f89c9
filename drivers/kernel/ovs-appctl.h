/* ovs-vswitchd's own commands, through ovs-appctl (the spawner). Returns 0
 * or -errno (-EIO with ovs-appctl's message in *ret_detail). */
#pragma once

#include "spawn.h"

G_BEGIN_DECLS

/* Drops the datapath's cached flows so the next packets are translated
 * again. Needed after a live mirror change: vswitchd 3.1 (netdev
 * datapath, measured) keeps forwarding a steady flow with the actions it
 * cached before the Mirror row changed, without the copies, for as long as
 * packets keep it alive. Costs every bridge one upcall per flow.
 * The daemon is found as ovs-appctl finds it, except that a control socket
 * $OVS_RUNDIR/ovs-vswitchd.ctl (a vswitchd started with --unixctl there) is
 * preferred. */
int nc_ovs_revalidator_purge(NcSpawner *spawner, char **ret_detail);

G_END_DECLS
