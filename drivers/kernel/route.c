/* Routes in the main table over rtnetlink: add, delete, list. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/route/route.h>

#include "nl-util.h"
#include "route.h"

typedef struct nl_cache NcNlCache;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNlCache, nl_cache_free)

static gsize
family_len(int family)
{
  return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

static int
route_request(NcKernel *kernel, int type, int flags, int ifindex, const NcSockAddr *dst,
              guint prefix, const NcSockAddr *gateway, guint metric)
{
  if (ifindex <= 0 || !dst || (dst->family != AF_INET && dst->family != AF_INET6)
      || prefix > (dst->family == AF_INET ? 32u : 128u))
    return -EINVAL;
  gboolean via = gateway && gateway->family != AF_UNSPEC;
  if (via && gateway->family != dst->family)
    return -EINVAL;

  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK | flags);
  if (!msg)
    return -ENOMEM;
  struct rtmsg rtm = {
    .rtm_family = dst->family,
    .rtm_dst_len = prefix,
    .rtm_table = RT_TABLE_MAIN,
    .rtm_protocol = RTPROT_BOOT,
    /* A delete matches any scope with NOWHERE. */
    .rtm_scope = type == RTM_DELROUTE ? RT_SCOPE_NOWHERE
                 : via                ? RT_SCOPE_UNIVERSE
                                      : RT_SCOPE_LINK,
    .rtm_type = RTN_UNICAST,
  };
  NcSockAddr net;
  if (!nc_sockaddr_network(dst, prefix, &net))
    return -EINVAL;
  gsize len = family_len(dst->family);
  if (nlmsg_append(msg, &rtm, sizeof rtm, NLMSG_ALIGNTO) < 0
      || nla_put(msg, RTA_DST, len, &net.u) < 0 || nla_put_u32(msg, RTA_OIF, ifindex) < 0)
    return -ENOMEM;
  if (via && nla_put(msg, RTA_GATEWAY, len, &gateway->u) < 0)
    return -ENOMEM;
  if (metric > 0 && nla_put_u32(msg, RTA_PRIORITY, metric) < 0)
    return -ENOMEM;
  return nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
}

int
nc_route_add(NcKernel *kernel, int ifindex, const NcSockAddr *dst, guint prefix,
             const NcSockAddr *gateway, guint metric)
{
  int r = route_request(kernel, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, dst, prefix,
                        gateway, metric);
  if (r < 0)
    g_debug("kernel: adding a route on link %d: %s", ifindex, g_strerror(-r));
  return r;
}

int
nc_route_delete(NcKernel *kernel, int ifindex, const NcSockAddr *dst, guint prefix,
                const NcSockAddr *gateway, guint metric)
{
  int r = route_request(kernel, RTM_DELROUTE, 0, ifindex, dst, prefix, gateway, metric);
  if (r < 0)
    g_debug("kernel: deleting a route on link %d: %s", ifindex, g_strerror(-r));
  return r;
}

/* A zero-length nl_addr is the all-zero address (libnl's "default"). */
static gboolean
from_nl_addr(struct nl_addr *a, int family, NcSockAddr *ret)
{
  NcSockAddr out = { .family = family };
  if (a && nl_addr_get_len(a) > 0) {
    if (nl_addr_get_family(a) != family || nl_addr_get_len(a) != family_len(family))
      return FALSE;
    memcpy(&out.u, nl_addr_get_binary_addr(a), family_len(family));
  }
  *ret = out;
  return TRUE;
}

/* One family's main table into cache, asked with strict dump checking on
 * (off again right after: libnl's other dump requests, a bare rtgenmsg
 * header, are invalid under it). A libnl code. */
static int
pickup_main_table(struct nl_sock *sock, int family, struct nl_cache *cache)
{
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
  if (!msg)
    return -NLE_NOMEM;
  struct rtmsg rtm = { .rtm_family = family, .rtm_table = RT_TABLE_MAIN };
  if (nlmsg_append(msg, &rtm, sizeof rtm, NLMSG_ALIGNTO) < 0
      || nla_put_u32(msg, RTA_TABLE, RT_TABLE_MAIN) < 0)
    return -NLE_NOMEM;
  int fd = nl_socket_get_fd(sock);
  int on = 1, off = 0;
  if (setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on)) < 0)
    return -NLE_OPNOTSUPP;
  int r = nl_send_auto(sock, msg);
  if (r >= 0)
    r = nl_cache_pickup(sock, cache);
  (void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off));
  return r < 0 ? r : 0;
}

/* The routes of the main table (at least), parsed by libnl into a new route
 * cache. The kernel is asked for that table alone, family by family (an
 * AF_UNSPEC request would also go to MPLS, whose dump refuses a table
 * filter): the local table holds three routes per address, so with 500
 * networks libnl's full dump parsed six times what is listed (~5 ms per
 * start). A kernel without strict checking (before 4.20), or one that
 * refuses the request, gets the full dump; the caller filters anyway.
 * Returns a libnl code. */
static int
dump_main_table(struct nl_sock *sock, int family, struct nl_cache **ret_cache)
{
  struct nl_cache *cache = NULL;
  int r = nl_cache_alloc_name("route/route", &cache);
  if (r < 0)
    return r;
  g_autoptr(NcNlCache) owned = cache;
  const int families[] = { AF_INET, AF_INET6 };
  for (gsize i = 0; i < G_N_ELEMENTS(families) && r == 0; i++) {
    if (family == AF_UNSPEC || family == families[i])
      r = pickup_main_table(sock, families[i], cache);
  }
  if (r < 0) {
    g_debug("kernel: filtered route dump refused (%s), dumping every table", nl_geterror(r));
    g_clear_pointer(&owned, nl_cache_free);
    return rtnl_route_alloc_cache(sock, family, 0, ret_cache);
  }
  *ret_cache = g_steal_pointer(&owned);
  return 0;
}

int
nc_route_list(NcKernel *kernel, int family, GArray **ret_routes)
{
  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;
  g_autoptr(NcNlCache) cache = NULL;
  int r = dump_main_table(sock, family, &cache);
  if (r < 0) {
    r = nc_kernel_nl_result(kernel, r);
    g_debug("kernel: listing routes: %s", g_strerror(-r));
    return r;
  }

  g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(NcRouteEntry));
  for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    struct rtnl_route *rt = (struct rtnl_route *)o;
    int f = rtnl_route_get_family(rt);
    if (rtnl_route_get_table(rt) != RT_TABLE_MAIN || (f != AF_INET && f != AF_INET6)
        || (family != AF_UNSPEC && f != family))
      continue;
    NcRouteEntry e = { 0 };
    struct nl_addr *dst = rtnl_route_get_dst(rt);
    if (!from_nl_addr(dst, f, &e.dst))
      continue;
    e.prefix = dst ? nl_addr_get_prefixlen(dst) : 0;
    e.metric = rtnl_route_get_priority(rt);
    e.protocol = rtnl_route_get_protocol(rt);
    e.type = rtnl_route_get_type(rt);
    /* One next hop is the common case; a multipath route reports its first. */
    if (rtnl_route_get_nnexthops(rt) > 0) {
      struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
      e.ifindex = rtnl_route_nh_get_ifindex(nh);
      struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
      if (!gw || !from_nl_addr(gw, f, &e.gateway))
        e.gateway.family = AF_UNSPEC;
    }
    if (!nc_kernel_ifname(kernel, e.ifindex, e.ifname))
      e.ifname[0] = '\0';
    g_array_append_val(out, e);
  }
  *ret_routes = g_steal_pointer(&out);
  return 0;
}
