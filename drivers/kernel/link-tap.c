/* Persistent TAP devices and bridge ports (see link-tap.h).
 *
 * The tun driver refuses creation over rtnetlink, so a TAP is made with the
 * ioctls of /dev/net/tun (TUNSETIFF, owner, group, persist) and the fd is
 * closed: the VMM opens the device again by name. Everything else (MAC, MTU,
 * alias, master, up) goes in one RTM_NEWLINK request, which do_setlink()
 * applies in that order: the bridge sees the port's MAC and MTU as it joins.
 * A port is attached with one ioctl sequence and one netlink round trip, and
 * detached with one RTM_DELLINK (nc_link_delete).
 *
 * The tun facts (type, owner, flags) travel in IFLA_INFO_DATA, which libnl
 * does not parse for tun, so replies are read with our own parser
 * (link-reply.h). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include "link-reply.h"
#include "link-tap.h"

#define TUN_PATH "/dev/net/tun"
#define MAX_QUEUES 256 /* the tun driver's MAX_TAP_QUEUES */

/* -- TAP ------------------------------------------------------------------- */

static gboolean
valid_id(gint64 id)
{
  return id == -1 || (id >= 0 && id < G_MAXUINT32);
}

/* TUNSETIFF and the rest on fd; ifr has the name the kernel chose on return.
 * Persist comes last: until then, closing fd removes the device. */
/* Names of a template tried before the kernel's own scan. */
#define TEMPLATE_TRIES 4096

static int
tap_ioctls(int fd, int nl_fd, const NcTapConfig *config, struct ifreq *ifr, int *ret_ifindex)
{
  if (ioctl(fd, TUNSETIFF, ifr) < 0)
    return -errno;
  if (config->owner >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long)config->owner) < 0)
    return -errno;
  if (config->group >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)config->group) < 0)
    return -errno;
  /* Any socket answers SIOCGIFINDEX; the rtnetlink one saves opening one. */
  struct ifreq q = { 0 };
  memcpy(q.ifr_name, ifr->ifr_name, IFNAMSIZ);
  if (ioctl(nl_fd, SIOCGIFINDEX, &q) < 0)
    return -errno;
  /* On a multiqueue device the flag is the device's, whichever queue sets it. */
  if (ioctl(fd, TUNSETPERSIST, 1UL) < 0)
    return -errno;
  *ret_ifindex = q.ifr_ifindex;
  return 0;
}

/* No IPv6 on the port: address generation off (IFLA_INET6_ADDR_GEN_MODE
 * none), so the kernel makes no link-local address and sends nothing of
 * its own (no DAD, RS or MLD) through it; a bridge port's frames never reach
 * its own IPv6 stack anyway. Not the disable_ipv6 sysctl: its write takes
 * RTNL with a trylock and restarts the syscall until it gets it, which spun
 * for up to 180 ms per TAP under contention (any namespace's link change
 * holds RTNL), where this request simply waits its turn. do_setlink()
 * applies IFLA_AF_SPEC after the flags, but the new TAP has no reader, so
 * no carrier, and addrconf runs only once the VMM opens it. */
static int
put_no_ipv6(struct nl_msg *msg)
{
  struct nlattr *spec = nla_nest_start(msg, IFLA_AF_SPEC);
  struct nlattr *inet6 = spec ? nla_nest_start(msg, AF_INET6) : NULL;
  if (!inet6 || nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE) < 0)
    return -ENOMEM;
  nla_nest_end(msg, inet6);
  nla_nest_end(msg, spec);
  return 0;
}

static int
tap_request(NcKernel *kernel, int ifindex, const NcTapConfig *config, gboolean no_ipv6)
{
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(RTM_NEWLINK, NLM_F_ACK, AF_UNSPEC, ifindex,
                                             config->up ? IFF_UP : 0, config->up ? IFF_UP : 0);
  if (!msg || (config->mac && nla_put(msg, IFLA_ADDRESS, NC_MAC_LEN, config->mac->addr) < 0)
      || (config->mtu && nla_put_u32(msg, IFLA_MTU, config->mtu) < 0)
      || (config->alias && nla_put_string(msg, IFLA_IFALIAS, config->alias) < 0)
      || (config->master_ifindex && nla_put_u32(msg, IFLA_MASTER, config->master_ifindex) < 0)
      || (no_ipv6 && put_no_ipv6(msg) < 0))
    return -ENOMEM;
  return nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
}

static int
tap_configure(NcKernel *kernel, int ifindex, const NcTapConfig *config)
{
  if (!config->mac && !config->mtu && !config->alias && !config->master_ifindex && !config->up
      && !config->no_ipv6)
    return 0;
  int r = tap_request(kernel, ifindex, config, config->no_ipv6);
  /* No IPv6 in this kernel, or an MTU below IPv6's minimum: no IPv6 device
   * to configure, which is what was asked. */
  if (r == -EAFNOSUPPORT && config->no_ipv6)
    r = tap_request(kernel, ifindex, config, FALSE);
  return r;
}

int
nc_tap_create(NcKernel *kernel, const NcTapConfig *config, char *ret_name, int *ret_ifindex)
{
  const char *name = config->name;
  if (!name || !*name || strlen(name) >= IFNAMSIZ || !valid_id(config->owner)
      || !valid_id(config->group) || config->master_ifindex < 0 || config->queues > MAX_QUEUES
      || (config->alias && strlen(config->alias) >= NC_LINK_ALIAS_SIZE))
    return -EINVAL;
  /* Only "PREFIX%d" is a template: a '%' anywhere else is refused below. */
  gboolean template = g_str_has_suffix(name, "%d") && strchr(name, '%') == name + strlen(name) - 2;
  if (!template && strchr(name, '%'))
    return -EINVAL;

  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;

  int fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int r = -errno;
    g_debug("kernel: opening " TUN_PATH ": %s", g_strerror(-r));
    return r;
  }
  struct ifreq ifr = { 0 };
  int ifindex = 0;
  int r = -EBUSY;
  /* A template is numbered here, not by the kernel: its "first free"
   * scans every link of the namespace (dev_prep_valid_name, 7% of netctld's
   * profile with 1000 ports). As libvirt's virNetDevGenerateName, the
   * number after the last one given, skipping taken names (EBUSY under
   * IFF_TUN_EXCL); the kernel's scan only if none of a run is free. */
  guint *next = nc_kernel_tap_name_counter(kernel);
  for (guint attempt = 0; r == -EBUSY && attempt <= TEMPLATE_TRIES; attempt++) {
    memset(&ifr, 0, sizeof ifr);
    if (template && attempt < TEMPLATE_TRIES) {
      g_autofree char *prefix = g_strndup(name, strlen(name) - 2);
      g_snprintf(ifr.ifr_name, IFNAMSIZ, "%s%u", prefix, *next);
      *next = *next >= G_MAXINT ? 0 : *next + 1;
    } else {
      g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
    }
    /* IFF_TUN_EXCL: an existing device of that name is refused (EBUSY),
     * not attached to. */
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL | (config->vnet_hdr ? IFF_VNET_HDR : 0)
                    | (config->queues > 1 ? IFF_MULTI_QUEUE : 0);
    r = tap_ioctls(fd, nl_socket_get_fd(sock), config, &ifr, &ifindex);
    if (!template)
      break;
  }
  close(fd);
  if (r == -EBUSY && !template)
    r = -EEXIST;
  if (r < 0) {
    g_debug("kernel: creating TAP %s: %s", name, g_strerror(-r));
    return r;
  }

  r = tap_configure(kernel, ifindex, config);
  if (r < 0) {
    g_debug("kernel: configuring TAP %s: %s", ifr.ifr_name, g_strerror(-r));
    nc_link_delete(kernel, ifindex);
    return r;
  }
  g_strlcpy(ret_name, ifr.ifr_name, IF_NAMESIZE);
  *ret_ifindex = ifindex;
  return 0;
}

int
nc_tap_get_info(NcKernel *kernel, const char *name, NcTapInfo *ret_info)
{
  NcLinkAttrs link;
  NcTapInfo info = { .owner = -1, .group = -1 };
  int r = nc_link_reply_get_named(kernel, name, "TAP ", &link, &info.link);
  if (r < 0)
    return r;
  info.is_tap = g_str_equal(link.kind, "tun") && link.tun_type == IFF_TAP;
  info.master_ifindex = link.master;
  g_strlcpy(info.alias, link.alias, sizeof info.alias);
  if (info.is_tap) {
    info.owner = link.tun_owner;
    info.group = link.tun_group;
    info.vnet_hdr = link.tun_vnet_hdr;
    info.multi_queue = link.tun_multi_queue;
    info.persist = link.tun_persist;
  }
  *ret_info = info;
  return 0;
}

/* -- bridge ports -------------------------------------------------------------- */

int
nc_link_set_master(NcKernel *kernel, int ifindex, int master_ifindex, gboolean up)
{
  if (ifindex <= 0 || master_ifindex < 0)
    return -EINVAL;
  g_autoptr(NcNlMsg) msg
      = nc_link_reply_msg(RTM_NEWLINK, NLM_F_ACK, AF_UNSPEC, ifindex, up ? IFF_UP : 0, IFF_UP);
  if (!msg || nla_put_u32(msg, IFLA_MASTER, master_ifindex) < 0)
    return -ENOMEM;
  int r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0)
    g_debug("kernel: setting the master of link %d to %d: %s", ifindex, master_ifindex,
            g_strerror(-r));
  return r;
}

int
nc_bridge_port_get_isolated(NcKernel *kernel, int ifindex, gboolean *ret_isolated)
{
  if (ifindex <= 0)
    return -EINVAL;
  NcLinkAttrs link;
  int r = nc_link_reply_get(kernel, ifindex, NULL, &link);
  if (r < 0)
    return r;
  /* The bridge reports its ports' flags in IFLA_INFO_SLAVE_DATA. */
  if (!g_str_equal(link.slave_kind, "bridge") || link.isolated < 0)
    return -EOPNOTSUPP;
  *ret_isolated = link.isolated != 0;
  return 0;
}

int
nc_bridge_port_set_isolated(NcKernel *kernel, int ifindex, gboolean isolated)
{
  if (ifindex <= 0)
    return -EINVAL;
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(RTM_SETLINK, NLM_F_ACK, AF_BRIDGE, ifindex, 0, 0);
  if (!msg)
    return -ENOMEM;
  /* Without NLA_F_NESTED the bridge reads IFLA_PROTINFO as the old u8 port state. */
  struct nlattr *protinfo = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED);
  if (!protinfo || nla_put_u8(msg, IFLA_BRPORT_ISOLATED, isolated ? 1 : 0) < 0)
    return -ENOMEM;
  nla_nest_end(msg, protinfo);
  int r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r == 0 && isolated) {
    /* A kernel before 4.18 ignores the attribute without an error. */
    gboolean now = FALSE;
    r = nc_bridge_port_get_isolated(kernel, ifindex, &now);
    if (r == 0 && !now)
      r = -EOPNOTSUPP;
  }
  if (r < 0)
    g_debug("kernel: setting link %d %s: %s", ifindex, isolated ? "isolated" : "not isolated",
            g_strerror(-r));
  return r;
}

typedef struct {
  int bridge;
  GPtrArray *names;
} PortList;

static void
add_port(const NcLinkAttrs *link, gpointer data)
{
  PortList *list = data;
  if (link->master == list->bridge && link->name[0])
    g_ptr_array_add(list->names, g_strdup(link->name));
}

int
nc_bridge_list_ports(NcKernel *kernel, int bridge_ifindex, GPtrArray **ret_names)
{
  if (bridge_ifindex <= 0)
    return -EINVAL;
  /* The bridge family's dump: every bridge port of the namespace, each in a
   * short message (name, master, port flags), where the generic dump
   * filtered by IFLA_MASTER sends each port's full link (inet6 settings,
   * linkinfo): 2-3x faster with 1000 ports on the bridge. */
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(RTM_GETLINK, NLM_F_DUMP, AF_BRIDGE, 0, 0, 0);
  if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
    return -ENOMEM;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  PortList list = { .bridge = bridge_ifindex, .names = names };
  int r = nc_link_reply_query(kernel, g_steal_pointer(&msg), add_port, &list);
  if (r < 0) {
    g_debug("kernel: listing the ports of bridge %d: %s", bridge_ifindex, g_strerror(-r));
    return r;
  }
  *ret_names = g_steal_pointer(&names);
  return 0;
}
