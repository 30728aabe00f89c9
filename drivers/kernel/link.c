/* Generic link operations over rtnetlink: look up, up/down, MTU, delete. */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/route/link.h>

#include "nc-kernel.h"
#include "nl-util.h"

int
nc_link_lookup(NcKernel *kernel, const char *name, NcRtnlLink **ret_link)
{
  if (!name || !*name || strlen(name) >= IFNAMSIZ)
    return -EINVAL;

  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;

  int r = rtnl_link_get_kernel(sock, 0, name, ret_link);
  if (r < 0) {
    r = nc_kernel_nl_result(kernel, r);
    if (r != -ENODEV)
      g_debug("kernel: looking up link %s: %s", name, g_strerror(-r));
    return r;
  }
  return 0;
}

int
nc_link_get_info(NcKernel *kernel, const char *name, NcLinkInfo *ret_info)
{
  g_autoptr(NcRtnlLink) link = NULL;
  int r = nc_link_lookup(kernel, name, &link);
  if (r < 0)
    return r;

  NcLinkInfo info = { 0 };
  info.ifindex = rtnl_link_get_ifindex(link);
  const char *kind = rtnl_link_get_type(link);
  if (kind)
    g_strlcpy(info.kind, kind, sizeof info.kind);
  struct nl_addr *addr = rtnl_link_get_addr(link);
  if (addr && nl_addr_get_len(addr) == NC_MAC_LEN)
    memcpy(info.mac.addr, nl_addr_get_binary_addr(addr), NC_MAC_LEN);
  info.mtu = rtnl_link_get_mtu(link);
  info.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
  *ret_info = info;
  return 0;
}

int
nc_link_exists(NcKernel *kernel, const char *name)
{
  NcLinkInfo info;
  int r = nc_link_get_info(kernel, name, &info);
  if (r == -ENODEV)
    return 0;
  return r < 0 ? r : 1;
}

/* An RTM_NEWLINK/RTM_DELLINK request addressed to an existing ifindex. */
static struct nl_msg *
link_msg(int type, int ifindex, unsigned flags, unsigned change)
{
  struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK);
  if (!msg)
    return NULL;
  struct ifinfomsg ifi = {
    .ifi_family = AF_UNSPEC,
    .ifi_index = ifindex,
    .ifi_flags = flags,
    .ifi_change = change,
  };
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0) {
    nlmsg_free(msg);
    return NULL;
  }
  return msg;
}

int
nc_link_set_up(NcKernel *kernel, int ifindex, gboolean up)
{
  struct nl_msg *msg = link_msg(RTM_NEWLINK, ifindex, up ? IFF_UP : 0, IFF_UP);
  if (!msg)
    return -ENOMEM;
  int r = nc_kernel_nl_request(kernel, msg);
  if (r < 0)
    g_debug("kernel: setting link %d %s: %s", ifindex, up ? "up" : "down", g_strerror(-r));
  return r;
}

int
nc_link_set_mtu(NcKernel *kernel, int ifindex, guint mtu)
{
  g_autoptr(NcNlMsg) msg = link_msg(RTM_NEWLINK, ifindex, 0, 0);
  if (!msg || nla_put_u32(msg, IFLA_MTU, mtu) < 0)
    return -ENOMEM;
  int r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0)
    g_debug("kernel: setting the MTU of link %d to %u: %s", ifindex, mtu, g_strerror(-r));
  return r;
}

int
nc_link_delete(NcKernel *kernel, int ifindex)
{
  if (ifindex <= 0)
    return -EINVAL;
  struct nl_msg *msg = link_msg(RTM_DELLINK, ifindex, 0, 0);
  if (!msg)
    return -ENOMEM;
  int r = nc_kernel_nl_request(kernel, msg);
  if (r < 0)
    g_debug("kernel: deleting link %d: %s", ifindex, g_strerror(-r));
  return r;
}

int
nc_link_retire(NcKernel *kernel, int ifindex, const char *new_name, guint32 group)
{
  if (!new_name || strlen(new_name) >= IFNAMSIZ)
    return -EINVAL;
  g_autoptr(NcNlMsg) msg = link_msg(RTM_NEWLINK, ifindex, 0, IFF_UP);
  if (!msg || nla_put_string(msg, IFLA_IFNAME, new_name) < 0
      || nla_put_u32(msg, IFLA_GROUP, group) < 0)
    return -ENOMEM;
  int r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r == -EBUSY) {
    /* Kernels that apply the new name before the flags refuse to rename a
     * link that is still up: down first, then the rest. */
    r = nc_link_set_up(kernel, ifindex, FALSE);
    g_autoptr(NcNlMsg) again = r < 0 ? NULL : link_msg(RTM_NEWLINK, ifindex, 0, 0);
    if (again && nla_put_string(again, IFLA_IFNAME, new_name) == 0
        && nla_put_u32(again, IFLA_GROUP, group) == 0)
      r = nc_kernel_nl_request(kernel, g_steal_pointer(&again));
    else if (r == 0)
      r = -ENOMEM;
  }
  if (r < 0)
    g_debug("kernel: renaming link %d to %s: %s", ifindex, new_name, g_strerror(-r));
  return r;
}

int
nc_link_set_group(NcKernel *kernel, int ifindex, guint32 group)
{
  g_autoptr(NcNlMsg) msg = link_msg(RTM_NEWLINK, ifindex, 0, 0);
  if (!msg || nla_put_u32(msg, IFLA_GROUP, group) < 0)
    return -ENOMEM;
  return nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
}

int
nc_link_list_by_alias_prefix(NcKernel *kernel, const char *prefix, GPtrArray **ret_names,
                             GArray **ret_ifindexes, GPtrArray **ret_aliases)
{
  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;
  struct nl_cache *cache = NULL;
  int r = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
  if (r < 0)
    return nc_kernel_nl_result(kernel, r);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *aliases = g_ptr_array_new_with_free_func(g_free);
  GArray *ifindexes = g_array_new(FALSE, FALSE, sizeof(int));
  for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    struct rtnl_link *link = (struct rtnl_link *)o;
    const char *alias = rtnl_link_get_ifalias(link);
    if (!alias || !g_str_has_prefix(alias, prefix))
      continue;
    int ifindex = rtnl_link_get_ifindex(link);
    g_ptr_array_add(names, g_strdup(rtnl_link_get_name(link)));
    g_ptr_array_add(aliases, g_strdup(alias));
    g_array_append_val(ifindexes, ifindex);
  }
  nl_cache_free(cache);
  *ret_names = names;
  *ret_ifindexes = ifindexes;
  *ret_aliases = aliases;
  return 0;
}

int
nc_link_find_unplugged_tap(NcKernel *kernel, const NcMac *mac, NcLinkInfo *ret_info,
                           char *ret_name)
{
  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;
  struct nl_cache *cache = NULL;
  int r = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
  if (r < 0)
    return nc_kernel_nl_result(kernel, r);
  r = -ENODEV;
  for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    struct rtnl_link *link = (struct rtnl_link *)o;
    struct nl_addr *addr = rtnl_link_get_addr(link);
    const char *kind = rtnl_link_get_type(link);
    if (!kind || !g_str_equal(kind, "tun") || rtnl_link_get_master(link) != 0 || !addr
        || nl_addr_get_len(addr) != NC_MAC_LEN
        || memcmp(nl_addr_get_binary_addr(addr), mac->addr, NC_MAC_LEN) != 0)
      continue;
    NcLinkInfo info = { 0 };
    info.ifindex = rtnl_link_get_ifindex(link);
    g_strlcpy(info.kind, kind, sizeof info.kind);
    info.mac = *mac;
    info.mtu = rtnl_link_get_mtu(link);
    info.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
    *ret_info = info;
    g_strlcpy(ret_name, rtnl_link_get_name(link), IFNAMSIZ);
    r = 0;
    break;
  }
  nl_cache_free(cache);
  return r;
}
