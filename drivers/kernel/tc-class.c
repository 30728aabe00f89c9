/* Per-port classes in a bridge's HTB tree (see tc.h), as libvirt's
 * virNetDevBandwidthPlug / Unplug / UpdateRate build them with tc, here
 * over rtnetlink with libnl-route's class, qdisc and u32 objects. */
#include <errno.h>

#include <linux/if_ether.h>
#include <linux/pkt_sched.h>
#include <netlink/route/cls/u32.h>

#include "tc-private.h"

#define ROOT_QDISC TC_HANDLE(1, 0)
#define ROOT_CLASS TC_HANDLE(1, 1)

static gboolean
valid_id(guint id)
{
  /* 1:1 and 1:2 are the network's; the minor number is 16 bits wide. */
  return id > 2 && id <= 0xffff;
}

int
nc_tc_set_class_rate(NcKernel *kernel, int ifindex, guint id, const NcTcHtb *htb)
{
  if (ifindex <= 0 || id < 2 || id > 0xffff || !htb || htb->rate == 0)
    return -EINVAL;
  /* A change keeps the class's leaf qdisc and the filters bound to it. */
  int r = nc_tc_put_htb_class(kernel, ifindex, ROOT_CLASS, TC_HANDLE(1, id), htb->rate,
                              MAX(htb->ceil, htb->rate), htb->burst, htb->cburst,
                              NLM_F_CREATE | NLM_F_REPLACE);
  if (r < 0)
    g_debug("kernel: setting class 1:%x of link %d: %s", id, ifindex, g_strerror(-r));
  return r;
}

static int
delete_filter(NcKernel *kernel, int ifindex, guint id)
{
  g_autoptr(NcRtnlCls) cls = rtnl_cls_alloc();
  if (!cls)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
  rtnl_tc_set_parent(TC_CAST(cls), ROOT_QDISC);
  rtnl_cls_set_prio(cls, (guint16)id);
  rtnl_cls_set_protocol(cls, ETH_P_ALL);
  if (rtnl_tc_set_kind(TC_CAST(cls), "u32") < 0)
    return -ENOMEM;
  struct nl_msg *msg = NULL;
  int built = rtnl_cls_build_delete_request(cls, 0, &msg);
  int r = nc_tc_send_built(kernel, built, &msg);
  return r == -ENOENT || r == -EINVAL ? 0 : r; /* none there */
}

/* Frames whose destination is `mac`, of any protocol, go to class 1:id.
 * u32 offsets count from the network header; the Ethernet header sits
 * before it (destination at -14). libvirt matches IPv4 only (ethertype
 * 0x0800 at -2); IPv6 and ARP to the guest get the floor here too. */
static int
add_filter(NcKernel *kernel, int ifindex, guint id, const guint8 mac[6])
{
  g_autoptr(NcRtnlCls) cls = rtnl_cls_alloc();
  if (!cls)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
  rtnl_tc_set_parent(TC_CAST(cls), ROOT_QDISC);
  rtnl_cls_set_prio(cls, (guint16)id);
  rtnl_cls_set_protocol(cls, ETH_P_ALL);
  guint32 tail = (guint32)mac[2] << 24 | (guint32)mac[3] << 16 | (guint32)mac[4] << 8 | mac[5];
  guint16 head = (guint16)(mac[0] << 8 | mac[1]);
  if (rtnl_tc_set_kind(TC_CAST(cls), "u32") < 0
      || rtnl_u32_add_key_uint32(cls, tail, 0xffffffff, -12, 0) < 0
      || rtnl_u32_add_key_uint16(cls, head, 0xffff, -14, 0) < 0
      || rtnl_u32_set_classid(cls, TC_HANDLE(1, id)) < 0 || rtnl_u32_set_cls_terminal(cls) < 0)
    return -ENOMEM;
  struct nl_msg *msg = NULL;
  int built = rtnl_cls_build_add_request(cls, NLM_F_CREATE | NLM_F_EXCL, &msg);
  return nc_tc_send_built(kernel, built, &msg);
}

static int
put_class(NcKernel *kernel, int ifindex, guint id, const NcTcHtb *htb, int nl_flags)
{
  return nc_tc_put_htb_class(kernel, ifindex, ROOT_CLASS, TC_HANDLE(1, id), htb->rate,
                             MAX(htb->ceil, htb->rate), htb->burst, htb->cburst, nl_flags);
}

static int
plug(NcKernel *kernel, int ifindex, guint id, const guint8 mac[6], const NcTcHtb *htb,
     gboolean booked)
{
  /* A class not booked before is added exclusively first: one that was not
   * there has no filter (unplug deletes the filter before the class), so a
   * new port's class needs no filter deletion, and nothing is read back to
   * know it. A booked one (adoption, a live change) is most likely there:
   * changed in place at once. */
  int r = booked ? -EEXIST : put_class(kernel, ifindex, id, htb, NLM_F_CREATE | NLM_F_EXCL);
  gboolean fresh = r == 0;
  if (r == -EEXIST)
    r = put_class(kernel, ifindex, id, htb, NLM_F_CREATE | NLM_F_REPLACE);
  if (r < 0)
    return r;
  r = nc_tc_put_sfq(kernel, ifindex, TC_HANDLE(1, id), TC_HANDLE(id, 0),
                    NLM_F_CREATE | NLM_F_REPLACE);
  if (r < 0 && r != -ENOENT) /* without sch_sfq the class keeps HTB's FIFO leaf */
    return r;
  /* A class already there gets its filter anew: the MAC may have changed,
   * and a u32 filter cannot be compared cheaply. */
  r = fresh ? 0 : delete_filter(kernel, ifindex, id);
  return r < 0 ? r : add_filter(kernel, ifindex, id, mac);
}

int
nc_tc_plug_class(NcKernel *kernel, int ifindex, guint id, const guint8 mac[6], const NcTcHtb *htb,
                 gboolean booked)
{
  if (ifindex <= 0 || !valid_id(id) || !mac || !htb || htb->rate == 0)
    return -EINVAL;
  int r = plug(kernel, ifindex, id, mac, htb, booked);
  if (r < 0) {
    g_debug("kernel: plugging class 1:%x into link %d: %s", id, ifindex, g_strerror(-r));
    nc_tc_unplug_class(kernel, ifindex, id); /* nothing half-made */
  }
  return r;
}

int
nc_tc_unplug_class(NcKernel *kernel, int ifindex, guint id)
{
  if (ifindex <= 0 || !valid_id(id))
    return -EINVAL;
  /* HTB refuses to delete a class a filter still points at (EBUSY). */
  int r = delete_filter(kernel, ifindex, id);
  if (r < 0)
    return r;
  g_autoptr(NcRtnlClass) cls = rtnl_class_alloc();
  if (!cls)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
  rtnl_tc_set_parent(TC_CAST(cls), ROOT_CLASS);
  rtnl_tc_set_handle(TC_CAST(cls), TC_HANDLE(1, id));
  struct nl_msg *msg = NULL;
  int built = rtnl_class_build_delete_request(cls, &msg);
  r = nc_tc_send_built(kernel, built, &msg);
  if (r == -ENOENT || r == -ENODEV)
    return 0; /* gone with its bridge, or never made */
  if (r < 0)
    g_debug("kernel: deleting class 1:%x of link %d: %s", id, ifindex, g_strerror(-r));
  return r;
}
