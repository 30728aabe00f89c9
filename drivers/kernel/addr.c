/* IP addresses on links over rtnetlink: add, delete, list. */
#include <errno.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>

#include "addr.h"
#include "nl-util.h"

typedef struct nl_cache NcNlCache;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNlCache, nl_cache_free)

static gsize
addr_len(const NcSockAddr *addr)
{
  return addr->family == AF_INET ? sizeof addr->u.v4 : sizeof addr->u.v6;
}

static int
addr_request(NcKernel *kernel, int type, int flags, int ifindex, const NcSockAddr *addr,
             guint prefix)
{
  if (ifindex <= 0 || !addr || (addr->family != AF_INET && addr->family != AF_INET6)
      || prefix > (addr->family == AF_INET ? 32u : 128u))
    return -EINVAL;

  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK | flags);
  if (!msg)
    return -ENOMEM;
  struct ifaddrmsg ifa = {
    .ifa_family = addr->family,
    .ifa_prefixlen = prefix,
    .ifa_flags = addr->family == AF_INET6 ? IFA_F_NODAD : 0,
    .ifa_scope = RT_SCOPE_UNIVERSE,
    .ifa_index = ifindex,
  };
  if (nlmsg_append(msg, &ifa, sizeof ifa, NLMSG_ALIGNTO) < 0
      || nla_put(msg, IFA_LOCAL, addr_len(addr), &addr->u) < 0
      || nla_put(msg, IFA_ADDRESS, addr_len(addr), &addr->u) < 0)
    return -ENOMEM;
  if (addr->family == AF_INET && prefix < 31) {
    NcSockAddr bcast;
    if (nc_sockaddr_broadcast(addr, prefix, &bcast)
        && nla_put(msg, IFA_BROADCAST, sizeof bcast.u.v4, &bcast.u.v4) < 0)
      return -ENOMEM;
  }
  return nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
}

int
nc_addr_add(NcKernel *kernel, int ifindex, const NcSockAddr *addr, guint prefix)
{
  int r = addr_request(kernel, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr, prefix);
  if (r < 0)
    g_debug("kernel: adding an address to link %d: %s", ifindex, g_strerror(-r));
  return r;
}

int
nc_addr_delete(NcKernel *kernel, int ifindex, const NcSockAddr *addr, guint prefix)
{
  int r = addr_request(kernel, RTM_DELADDR, 0, ifindex, addr, prefix);
  if (r < 0)
    g_debug("kernel: deleting an address of link %d: %s", ifindex, g_strerror(-r));
  return r;
}

/* nl_addr -> NcSockAddr; FALSE for anything but an IPv4/IPv6 address. */
static gboolean
from_nl_addr(struct nl_addr *a, NcSockAddr *ret)
{
  if (!a)
    return FALSE;
  int family = nl_addr_get_family(a);
  NcSockAddr out = { .family = family };
  if ((family != AF_INET && family != AF_INET6) || nl_addr_get_len(a) != addr_len(&out))
    return FALSE;
  memcpy(&out.u, nl_addr_get_binary_addr(a), addr_len(&out));
  *ret = out;
  return TRUE;
}

int
nc_addr_list(NcKernel *kernel, int family, int ifindex, GArray **ret_addrs)
{
  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;
  g_autoptr(NcNlCache) cache = NULL;
  int r = rtnl_addr_alloc_cache(sock, &cache);
  if (r < 0) {
    r = nc_kernel_nl_result(kernel, r);
    g_debug("kernel: listing addresses: %s", g_strerror(-r));
    return r;
  }

  g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(NcAddrEntry));
  for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    struct rtnl_addr *a = (struct rtnl_addr *)o;
    NcAddrEntry e = { .ifindex = rtnl_addr_get_ifindex(a) };
    if (ifindex > 0 && e.ifindex != ifindex)
      continue;
    /* IFA_LOCAL is the address of the link; IFA_ADDRESS the peer's on
     * point-to-point links. libnl puts IFA_LOCAL in "local". */
    if (!from_nl_addr(rtnl_addr_get_local(a), &e.addr))
      continue;
    if (family != AF_UNSPEC && e.addr.family != family)
      continue;
    e.prefix = rtnl_addr_get_prefixlen(a);
    if (!nc_kernel_ifname(kernel, e.ifindex, e.ifname))
      e.ifname[0] = '\0';
    g_array_append_val(out, e);
  }
  *ret_addrs = g_steal_pointer(&out);
  return 0;
}
