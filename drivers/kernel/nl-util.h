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
