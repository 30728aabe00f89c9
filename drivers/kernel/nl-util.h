/* libnl types with GLib cleanup, for the kernel layer only. */
#pragma once

#include <glib.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/link.h>

typedef struct nl_msg NcNlMsg;
typedef struct rtnl_link NcRtnlLink;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNlMsg, nlmsg_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcRtnlLink, rtnl_link_put)

typedef struct _NcKernel NcKernel;
/* link.c: the link named `name` as the kernel holds it (*ret_link: a new
 * reference). -EINVAL for a name that cannot be a link's, -ENODEV when
 * there is none, another -errno on failure. */
int nc_link_lookup(NcKernel *kernel, const char *name, NcRtnlLink **ret_link);
