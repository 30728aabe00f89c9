/* tc over rtnetlink with libnl-route's qdisc and class objects: see tc.h. */
#include <errno.h>

#include <linux/pkt_sched.h>
#include <netlink/route/class.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/qdisc/sfq.h>
#include <netlink/route/tc.h>

#include "nl-util.h"
#include "tc.h"

typedef struct rtnl_qdisc NcRtnlQdisc;
typedef struct rtnl_class NcRtnlClass;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcRtnlQdisc, rtnl_qdisc_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcRtnlClass, rtnl_class_put)

/* Sends what a libnl build_*_request made (msg is set by it, so it is read
 * only after the call). */
static int
send_built(NcKernel *kernel, int built, struct nl_msg **msg)
{
  if (built < 0) {
    g_clear_pointer(msg, nlmsg_free);
    return -ENOMEM;
  }
  return nc_kernel_nl_request(kernel, g_steal_pointer(msg));
}

/* HTB's quantum (bytes a class may send in a round): the kernel derives it
 * from rate / r2q (10) and complains outside 1000..200000 bytes; keep it
 * there, and at least one full-size frame. */
static guint32
quantum_for(guint64 rate_bytes)
{
  return (guint32)CLAMP(rate_bytes / 10, 1514, 200000);
}

static int
add_htb_class(NcKernel *kernel, int ifindex, guint32 parent, guint32 handle, guint64 rate_bytes,
              guint64 ceil_bytes, guint32 burst_bytes)
{
  g_autoptr(NcRtnlClass) cls = rtnl_class_alloc();
  if (!cls)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
  rtnl_tc_set_parent(TC_CAST(cls), parent);
  rtnl_tc_set_handle(TC_CAST(cls), handle);
  if (rtnl_tc_set_kind(TC_CAST(cls), "htb") < 0 || rtnl_htb_set_rate64(cls, rate_bytes) < 0
      || rtnl_htb_set_ceil64(cls, ceil_bytes) < 0
      || rtnl_htb_set_quantum(cls, quantum_for(rate_bytes)) < 0
      || (burst_bytes && rtnl_htb_set_rbuffer(cls, burst_bytes) < 0))
    return -ENOMEM;
  struct nl_msg *msg = NULL;
  int built = rtnl_class_build_add_request(cls, NLM_F_CREATE | NLM_F_EXCL, &msg);
  return send_built(kernel, built, &msg);
}

static int
set_egress(NcKernel *kernel, int ifindex, const NcTcRate *rate)
{
  guint64 avg = rate->average * 1000;
  guint64 ceil = (rate->peak ? rate->peak : rate->average) * 1000;
  guint32 burst = (guint32)MIN(rate->burst * 1024, G_MAXUINT32);

  g_autoptr(NcRtnlQdisc) root = rtnl_qdisc_alloc();
  if (!root)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(root), ifindex);
  rtnl_tc_set_parent(TC_CAST(root), TC_H_ROOT);
  rtnl_tc_set_handle(TC_CAST(root), TC_HANDLE(1, 0));
  if (rtnl_tc_set_kind(TC_CAST(root), "htb") < 0 || rtnl_htb_set_defcls(root, TC_HANDLE(1, 2)) < 0)
    return -ENOMEM;
  struct nl_msg *msg = NULL;
  int built = rtnl_qdisc_build_add_request(root, NLM_F_CREATE | NLM_F_REPLACE, &msg);
  int r = send_built(kernel, built, &msg);
  if (r < 0)
    return r;

  r = add_htb_class(kernel, ifindex, TC_HANDLE(1, 0), TC_HANDLE(1, 1), avg, ceil, 0);
  if (r < 0)
    return r;
  r = add_htb_class(kernel, ifindex, TC_HANDLE(1, 1), TC_HANDLE(1, 2), avg, ceil, burst);
  if (r < 0)
    return r;

  g_autoptr(NcRtnlQdisc) sfq = rtnl_qdisc_alloc();
  if (!sfq)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(sfq), ifindex);
  rtnl_tc_set_parent(TC_CAST(sfq), TC_HANDLE(1, 2));
  rtnl_tc_set_handle(TC_CAST(sfq), TC_HANDLE(2, 0));
  if (rtnl_tc_set_kind(TC_CAST(sfq), "sfq") < 0)
    return -ENOMEM;
  rtnl_sfq_set_perturb(sfq, 10);
  built = rtnl_qdisc_build_add_request(sfq, NLM_F_CREATE | NLM_F_EXCL, &msg);
  r = send_built(kernel, built, &msg);
  if (r == -ENOENT) {
    /* A kernel without sch_sfq: the class keeps HTB's plain FIFO leaf.
     * The limit holds; only fairness between flows is lost. */
    g_debug("kernel: no sfq qdisc on link %d; HTB's default leaf stays", ifindex);
    return 0;
  }
  return r;
}

int
nc_tc_set_egress_limit(NcKernel *kernel, int ifindex, const NcTcRate *rate)
{
  if (ifindex <= 0 || !rate || rate->average == 0)
    return -EINVAL;
  int r = set_egress(kernel, ifindex, rate);
  if (r < 0) {
    g_debug("kernel: shaping link %d: %s", ifindex, g_strerror(-r));
    nc_tc_clear_egress(kernel, ifindex); /* no half-built tree */
  }
  return r;
}

int
nc_tc_clear_egress(NcKernel *kernel, int ifindex)
{
  g_autoptr(NcRtnlQdisc) root = rtnl_qdisc_alloc();
  if (!root)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(root), ifindex);
  rtnl_tc_set_parent(TC_CAST(root), TC_H_ROOT);
  struct nl_msg *msg = NULL;
  int built = rtnl_qdisc_build_delete_request(root, &msg);
  int r = send_built(kernel, built, &msg);
  /* Nothing to delete: the kernel's default qdisc is not ours to remove. */
  if (r == -ENOENT || r == -EINVAL)
    return 0;
  return r;
}
