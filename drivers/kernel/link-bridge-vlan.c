/* Bridge VLAN filtering over rtnetlink (IFLA_BR_VLAN_FILTERING). */
#include <errno.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link-bridge-vlan.h"
#include "nl-util.h"

int
nc_bridge_set_vlan_filtering(NcKernel *kernel, int ifindex, gboolean on)
{
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
  if (!msg)
    return -ENOMEM;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0)
    return -ENOMEM;
  struct nlattr *linkinfo = nla_nest_start(msg, IFLA_LINKINFO);
  if (!linkinfo || nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0)
    return -ENOMEM;
  struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
  if (!data || nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, on ? 1 : 0) < 0)
    return -ENOMEM;
  nla_nest_end(msg, data);
  nla_nest_end(msg, linkinfo);
  int r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0)
    g_debug("kernel: vlan_filtering on link %d: %s", ifindex, g_strerror(-r));
  return r;
}
