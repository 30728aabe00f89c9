/* The ethtool ioctl (see ethtool.h). */
#include "ethtool.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int
nc_ethtool_get_tx_csum(const char *ifname, gboolean *ret_on)
{
  if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ)
    return -EINVAL;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  struct ethtool_value v = { .cmd = ETHTOOL_GTXCSUM };
  struct ifreq ifr = { 0 };
  g_strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
  ifr.ifr_data = (void *)&v;
  int r = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
  close(fd);
  if (r == 0)
    *ret_on = v.data != 0;
  return r;
}
