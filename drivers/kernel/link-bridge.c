/* Linux bridges over rtnetlink.
 *
 * STP and the forward delay travel in IFLA_INFO_DATA, which libnl-route has
 * no setters for, so the messages are built by hand. The kernel refuses a
 * forward delay outside 2..30 s while STP is on; the bridge attributes are
 * applied delay first, then STP, so libvirt's default (STP on, delay 0) works
 * just as libvirt's own sysfs writes in that order do. */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nc-kernel.h"
#include "nl-util.h"

static int
put_bridge_data(struct nl_msg *msg, gboolean stp, guint forward_delay)
{
  struct nlattr *linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
  if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
    return -ENOMEM;
  struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
  if (!data || nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, forward_delay) < 0
      || nla_put_u32(msg, IFLA_BR_STP_STATE, stp ? 1 : 0) < 0)
    return -ENOMEM;
  nla_nest_end(msg, data);
  nla_nest_end(msg, linkinfo);
  return 0;
}

int
nc_bridge_create(NcKernel *kernel, const NcBridgeConfig *config, int *ret_ifindex)
{
  if (!config->name || !*config->name || strlen(config->name) >= IFNAMSIZ)
    return -EINVAL;

  g_autoptr(NcNlMsg) msg
      = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  if (!msg)
    return -ENOMEM;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0
      || nla_put_string(msg, IFLA_IFNAME, config->name) < 0)
    return -ENOMEM;
  if (config->mac && nla_put(msg, IFLA_ADDRESS, NC_MAC_LEN, config->mac->addr) < 0)
    return -ENOMEM;
  int r = put_bridge_data(msg, config->stp, config->forward_delay);
  if (r < 0)
    return r;

  r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0) {
    g_debug("kernel: creating bridge %s: %s", config->name, g_strerror(-r));
    return r;
  }

  NcLinkInfo info;
  r = nc_link_get_info(kernel, config->name, &info);
  if (r < 0)
    return r; /* deleted under our feet: nothing left to undo */

  /* Set after creation (not as IFLA_MTU in the request) so the bridge
   * remembers a user-set MTU and keeps it when ports join, as with libvirt. */
  if (config->mtu > 0) {
    r = nc_link_set_mtu(kernel, info.ifindex, config->mtu);
    if (r < 0) {
      nc_link_delete(kernel, info.ifindex);
      return r;
    }
  }
  *ret_ifindex = info.ifindex;
  return 0;
}

int
nc_bridge_set_stp(NcKernel *kernel, int ifindex, gboolean stp, guint forward_delay)
{
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  if (!msg)
    return -ENOMEM;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0)
    return -ENOMEM;
  int r = put_bridge_data(msg, stp, forward_delay);
  if (r < 0)
    return r;
  r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0)
    g_debug("kernel: setting STP on link %d: %s", ifindex, g_strerror(-r));
  return r;
}
