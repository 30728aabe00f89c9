/* Routes in the main table, over rtnetlink (route.c).
 *
 * Kernel-layer conventions (nc-kernel.h): 0 or -errno, debug logging only. */
#pragma once

#include <glib.h>
#include <net/if.h>

#include "nc-kernel.h"

G_BEGIN_DECLS

typedef struct {
  int ifindex;              /* output device; 0 for a route without one (blackhole, multipath) */
  char ifname[IF_NAMESIZE]; /* "" when none */
  NcSockAddr dst;           /* AF_INET or AF_INET6; all zero for a default route */
  guint prefix;
  NcSockAddr gateway; /* AF_UNSPEC when none */
  guint metric;
  guint8 protocol; /* RTPROT_* (RTPROT_RA for router-advertised IPv6 routes) */
  guint8 type;     /* RTN_* */
} NcRouteEntry;

/* Adds dst/prefix through `gateway` (NULL or unset: a direct route) on
 * ifindex, with `metric` (0: the kernel's default), protocol "boot" as
 * `ip route add` and libvirt do. -EEXIST when the route exists. */
int nc_route_add(NcKernel *kernel, int ifindex, const NcSockAddr *dst, guint prefix,
                 const NcSockAddr *gateway, guint metric);
/* The same arguments as the add; -ESRCH when there is no such route. */
int nc_route_delete(NcKernel *kernel, int ifindex, const NcSockAddr *dst, guint prefix,
                    const NcSockAddr *gateway, guint metric);

/* The main table's routes of `family` (AF_INET, AF_INET6 or AF_UNSPEC for
 * both). *ret_routes: a new array of NcRouteEntry, left untouched on failure. */
int nc_route_list(NcKernel *kernel, int family, GArray **ret_routes);

G_END_DECLS
