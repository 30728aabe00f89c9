/* The IFB device that shapes what a bridge receives (see tc.h). Ours is
 * told by its kind and its alias, never by its name alone. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>

#include <netlink/socket.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link-reply.h"
#include "nl-util.h"
#include "tc.h"

#define IFB_SUFFIX "-ifb"

/* FNV-1a: fixed forever (g_str_hash may change), so a name computed by one
 * netctld is found by the next. */
static guint32
name_hash(const char *s)
{
  guint32 h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (guchar)*s) * 16777619u;
  return h;
}

char *
nc_ifb_name_for_bridge(const char *bridge)
{
  gsize len = bridge ? strlen(bridge) : 0;
  if (len == 0 || len >= IFNAMSIZ)
    return NULL;
  if (len + strlen(IFB_SUFFIX) < IFNAMSIZ)
    return g_strconcat(bridge, IFB_SUFFIX, NULL);
  /* Bridges that share their first six characters still differ here. */
  guint32 h = name_hash(bridge);
  return g_strdup_printf("%.6s-%04x" IFB_SUFFIX, bridge, (h >> 16) ^ (h & 0xffff));
}

char *
nc_ifb_name_for_port(const char *port_uuid)
{
  if (!port_uuid || !*port_uuid)
    return NULL;
  /* The port's TAP may be renamed or made again under another name; the
   * uuid stays. 32 bits of hash: a clash is told by the alias. */
  return g_strdup_printf("ncifb-%08x", name_hash(port_uuid));
}

char *
nc_ifb_alias_for_bridge(const char *bridge)
{
  return g_strdup_printf("netctl: <bandwidth><outbound> of bridge %s", bridge);
}

static int
set_alias(NcKernel *kernel, int ifindex, const char *alias)
{
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  if (!msg || nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0
      || nla_put_string(msg, IFLA_IFALIAS, alias) < 0)
    return -ENOMEM;
  return nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
}

int
nc_ifb_create(NcKernel *kernel, const char *name, const char *alias, int *ret_ifindex)
{
  if (!name || !*name || strlen(name) >= IFNAMSIZ || !alias)
    return -EINVAL;
  g_autoptr(NcNlMsg) msg
      = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  if (!msg || nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0
      || nla_put_string(msg, IFLA_IFNAME, name) < 0 || nla_put_u32(msg, IFLA_TXQLEN, 1000) < 0)
    return -ENOMEM;
  struct nlattr *linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
  if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, "ifb") < 0)
    return -ENOMEM;
  nla_nest_end(msg, linkinfo);
  int r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0) {
    g_debug("kernel: creating ifb %s: %s", name, g_strerror(-r));
    return r;
  }

  /* The index by ioctl (any socket answers; the rtnetlink one is open):
   * an RTM_GETLINK would make the kernel build the whole link message. */
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &r);
  if (!sock)
    return r;
  struct ifreq q = { 0 };
  g_strlcpy(q.ifr_name, name, sizeof q.ifr_name);
  if (ioctl(nl_socket_get_fd(sock), SIOCGIFINDEX, &q) < 0)
    return -errno; /* deleted under our feet: nothing left to undo */
  /* The kernel takes no alias in a creation request. */
  r = set_alias(kernel, q.ifr_ifindex, alias);
  if (r < 0) {
    g_debug("kernel: setting the alias of ifb %s: %s", name, g_strerror(-r));
    nc_link_delete(kernel, q.ifr_ifindex);
    return r;
  }
  *ret_ifindex = q.ifr_ifindex;
  return 0;
}

int
nc_ifb_lookup(NcKernel *kernel, const char *name, const char *alias, int *ret_ifindex,
              gboolean *ret_up)
{
  if (!name || !*name || strlen(name) >= IFNAMSIZ || !alias)
    return -EINVAL;
  /* Our own reader, without stats: a port's detach asks this each time. */
  NcLinkAttrs link;
  int r = nc_link_reply_get(kernel, 0, name, &link);
  if (r < 0)
    return r;
  if (!g_str_equal(link.kind, "ifb") || !g_str_equal(link.alias, alias))
    return -EEXIST;
  *ret_ifindex = link.ifindex;
  if (ret_up)
    *ret_up = (link.flags & IFF_UP) != 0;
  return 0;
}
