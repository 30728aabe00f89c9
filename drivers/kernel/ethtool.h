/* Offload settings of a kernel interface, read with the ethtool ioctl
 * (SIOCETHTOOL) in netctld's own network namespace; never by running
 * ethtool. Returns 0 or -errno (-ENODEV: no such interface, -EOPNOTSUPP:
 * the driver does not say). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether TX checksum offload is on (ETHTOOL_GTXCSUM). */
int nc_ethtool_get_tx_csum(const char *ifname, gboolean *ret_on);

G_END_DECLS
