/* What carries this host's OVN tunnels in Open vSwitch's database: the
 * userspace TSO setting and the kernel interfaces of the OVS bridge that
 * holds the encap IP (br-phy in the usual netdev recipe: its underlay NIC
 * and its own internal port). Read-only, through the OVSDB client
 * (ovsdb-rpc.h). Returns 0 or -errno; *ret_detail as ovsdb.h. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean userspace_tso; /* other_config:userspace-tso-enable=true */
  /* names of the bridge's interfaces of type "" (system) or internal;
   * NULL when no OVS bridge has that name */
  GPtrArray *ifaces;
} NcOvnUnderlay;

void nc_ovn_underlay_clear(NcOvnUnderlay *u);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NcOvnUnderlay, nc_ovn_underlay_clear)

/* bridge: the interface holding the encap IP (NULL: interfaces not read). */
int nc_ovn_underlay_read(const char *socket, const char *bridge, NcOvnUnderlay *ret,
                         char **ret_detail);

G_END_DECLS
