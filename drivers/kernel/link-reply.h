/* Our own reader of rtnetlink link messages (RTM_NEWLINK), for the kernel
 * layer only: libnl parses neither tun's nor macvlan's IFLA_INFO_DATA the
 * way link-tap.c and link-macvtap.c need. One parser and one request loop
 * for both.
 *
 * Conventions as in nc-kernel.h: 0 or -errno, debug logs at most. */
#pragma once

#include <net/if.h>

#include "nc-kernel.h"
#include "nl-util.h"

G_BEGIN_DECLS

#define NC_LINK_ALIAS_SIZE 256 /* the kernel's IFALIASZ, with the NUL */

/* What we read of one link message; absent attributes stay 0 / "" (and -1
 * where said). */
typedef struct {
  int ifindex;
  guint flags; /* ifi_flags */
  char name[IF_NAMESIZE];
  NcMac mac;
  guint mtu;
  int master; /* IFLA_MASTER */
  int link;   /* IFLA_LINK: a macvtap's uplink */
  guint32 group; /* IFLA_GROUP */
  char alias[NC_LINK_ALIAS_SIZE];
  char kind[32];
  char slave_kind[32];
  /* kind "tun" */
  int tun_type;                /* IFF_TUN / IFF_TAP, 0 when not tun */
  gint64 tun_owner, tun_group; /* -1 when absent */
  gboolean tun_vnet_hdr, tun_multi_queue, tun_persist;
  /* kind "macvtap" / "macvlan": MACVLAN_MODE_* */
  guint32 macvlan_mode;
  int isolated; /* IFLA_BRPORT_ISOLATED of a bridge port, -1 when absent */
} NcLinkAttrs;

typedef void (*NcLinkFunc)(const NcLinkAttrs *link, gpointer data);

/* Sends msg (ownership taken) and hands every link message of the reply (a
 * GET's answer, a dump, or a NEWLINK's echo) to func (may be NULL). Reads
 * until the acknowledgement or the NLMSG_DONE of a dump, so nothing is left
 * unread on the shared socket. */
int nc_link_reply_query(NcKernel *kernel, struct nl_msg *msg, NcLinkFunc func, gpointer data);
/* An NcLinkFunc that copies the link into data (an NcLinkAttrs). */
void nc_link_reply_copy(const NcLinkAttrs *link, gpointer data);

/* A link request: type (RTM_GETLINK, RTM_NEWLINK, RTM_SETLINK), NLM_F_REQUEST
 * and flags, an ifinfomsg with family, ifindex, ifi_flags and ifi_change.
 * NULL when out of memory. */
struct nl_msg *nc_link_reply_msg(int type, int flags, int family, int ifindex, guint ifi_flags,
                                 guint change);

/* One link by ifindex (name NULL) or by name: RTM_GETLINK without stats.
 * -ENODEV when absent. */
int nc_link_reply_get(NcKernel *kernel, int ifindex, const char *name, NcLinkAttrs *ret_link);
/* The same by name (checked: -EINVAL for one no link can have), with its
 * NcLinkInfo filled from it; what (a "TAP ", "") words the debug log of a
 * failure other than -ENODEV. */
int nc_link_reply_get_named(NcKernel *kernel, const char *name, const char *what,
                            NcLinkAttrs *ret_link, NcLinkInfo *ret_info);

G_END_DECLS
