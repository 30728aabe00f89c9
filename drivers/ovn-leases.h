/* DHCP leases of an OVN network, as net-dhcp-leases reports them: the
 * addresses OVN's IPAM gave its logical ports (dynamic_addresses) and the
 * static hosts' fixed ones, read from the NB, so every host running netctld
 * against the same NB lists the same leases, whichever host a guest is on.
 * OVN keeps an address for as long as the port exists: expiry_time is 0. */
#pragma once

#include "nc-daemon.h"
#include "network-def.h"

G_BEGIN_DECLS

/* Array of NcDhcpLease* (owned by the array); only mac's when mac is
 * neither NULL nor "". NULL with an error when the NB cannot be read. */
GPtrArray *nc_ovn_leases_read(const NcNetworkDef *def, const char *mac, GError **error);

G_END_DECLS
