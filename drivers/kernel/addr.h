/* IP addresses on links, over rtnetlink (addr.c).
 *
 * Kernel-layer conventions (nc-kernel.h): 0 or -errno, debug logging only. */
#pragma once

#include <glib.h>
#include <net/if.h>

#include "nc-kernel.h"

G_BEGIN_DECLS

typedef struct {
  int ifindex;
  char ifname[IF_NAMESIZE]; /* "" when the link vanished meanwhile */
  NcSockAddr addr;
  guint prefix;
} NcAddrEntry;

/* Adds addr/prefix to the link. IPv4 gets its broadcast address (as libvirt
 * sets it); IPv6 is added with IFA_F_NODAD: duplicate detection on a bridge we
 * have just created is pointless, and a tentative address would keep dnsmasq
 * from binding to it until the bridge has carrier. The kernel adds the prefix
 * route itself. -EEXIST when the link already has it. */
int nc_addr_add(NcKernel *kernel, int ifindex, const NcSockAddr *addr, guint prefix);
/* -EADDRNOTAVAIL when the link does not have it. */
int nc_addr_delete(NcKernel *kernel, int ifindex, const NcSockAddr *addr, guint prefix);

/* Every address of `family` (AF_INET, AF_INET6 or AF_UNSPEC for both) on
 * every link, or only on `ifindex` when it is > 0. *ret_addrs: a new array of
 * NcAddrEntry, left untouched on failure. */
int nc_addr_list(NcKernel *kernel, int family, int ifindex, GArray **ret_addrs);

G_END_DECLS
