/* The OpenFlow side of an Open vSwitch bridge, through ovs-ofctl (run by the
 * spawner, spawn.h; it finds the bridge's management socket as OVS does,
 * $OVS_RUNDIR/BRIDGE.mgmt). Only what OVSDB cannot do: a meter limiting
 * what a guest sends, applied by a flow on its port.
 *
 * Why a meter: OVS's own ingress policing (Interface ingress_policing_rate)
 * is a tc police action, and this kernel has no tc police (measured: no
 * effect); an OpenFlow meter is run by ovs-vswitchd itself on the userspace
 * datapath (10 Mbit/s set, 9.4-9.75 measured).
 *
 * Meter and flow are netctl's: the flow carries cookie NC_OVS_COOKIE |
 * meter id, and only such flows and their meters are ever deleted.
 * Functions return 0 or -errno; ovs-ofctl's complaint in *ret_detail (may
 * be NULL, caller frees). */
#pragma once

#include <glib.h>

#include "spawn.h"

G_BEGIN_DECLS

#define NC_OVS_COOKIE G_GUINT64_CONSTANT(0x6e63000000000000) /* "nc" */

/* Meter `meter_id` (drop above rate_kbps kbit/s, burst_kbit) and the flow
 * `in_port=ofport,actions=meter:ID,NORMAL` (priority 100); replaces both
 * when they exist. */
int nc_ovs_meter_set(NcSpawner *spawner, const char *bridge, guint meter_id, int ofport,
                     guint64 rate_kbps, guint64 burst_kbit, char **ret_detail);
/* Deletes the flow with our cookie for meter_id and the meter; 0 when gone. */
int nc_ovs_meter_del(NcSpawner *spawner, const char *bridge, guint meter_id, char **ret_detail);

G_END_DECLS
