/* tc over rtnetlink with libnl-route's qdisc and class objects: see tc.h. */
#include <errno.h>

#include <linux/pkt_sched.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/qdisc/sfq.h>

#include "tc-private.h"

int
nc_tc_send_built(NcKernel *kernel, int built, struct nl_msg **msg)
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

static guint32
kib_to_bytes(guint64 kib)
{
  return (guint32)MIN(kib, G_MAXUINT32 / 1024) * 1024;
}

void
nc_tc_htb_for_inbound(const NcTcRate *in, NcTcHtb *ret_htb)
{
  *ret_htb = (NcTcHtb){
    .rate = in->average * 1000,
    .ceil = (in->peak ? in->peak : in->average) * 1000,
    .burst = kib_to_bytes(in->burst),
  };
}

void
nc_tc_htb_for_outbound(const NcTcRate *out, NcTcHtb *ret_htb)
{
  /* libvirt: police rate average, burst `burst` KiB or one second of
   * average. A class sends while both its buckets hold tokens: with ceil =
   * rate the burst needs both at full size to pass at line speed, as
   * police lets it; with a peak, the ceil bucket stays small so the burst
   * goes at peak. The sustained rate is average either way (the root
   * class 1:1 cannot borrow beyond it). */
  guint32 burst = kib_to_bytes(out->burst ? out->burst : out->average);
  gboolean peak = out->peak > out->average;
  *ret_htb = (NcTcHtb){
    .rate = out->average * 1000,
    .ceil = (peak ? out->peak : out->average) * 1000,
    .burst = burst,
    .cburst = peak ? 0 : burst,
  };
}

int
nc_tc_put_htb_class(NcKernel *kernel, int ifindex, guint32 parent, guint32 handle,
                    guint64 rate_bytes, guint64 ceil_bytes, guint32 burst_bytes,
                    guint32 cburst_bytes, int nl_flags)
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
      || (burst_bytes && rtnl_htb_set_rbuffer(cls, burst_bytes) < 0)
      || (cburst_bytes && rtnl_htb_set_cbuffer(cls, cburst_bytes) < 0))
    return -ENOMEM;
  struct nl_msg *msg = NULL;
  int built = rtnl_class_build_add_request(cls, nl_flags, &msg);
  return nc_tc_send_built(kernel, built, &msg);
}

int
nc_tc_put_sfq(NcKernel *kernel, int ifindex, guint32 parent, guint32 handle, int nl_flags)
{
  g_autoptr(NcRtnlQdisc) sfq = rtnl_qdisc_alloc();
  if (!sfq)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(sfq), ifindex);
  rtnl_tc_set_parent(TC_CAST(sfq), parent);
  rtnl_tc_set_handle(TC_CAST(sfq), handle);
  if (rtnl_tc_set_kind(TC_CAST(sfq), "sfq") < 0)
    return -ENOMEM;
  rtnl_sfq_set_perturb(sfq, 10);
  struct nl_msg *msg = NULL;
  int built = rtnl_qdisc_build_add_request(sfq, nl_flags, &msg);
  return nc_tc_send_built(kernel, built, &msg);
}

static int
set_htb(NcKernel *kernel, int ifindex, const NcTcHtb *htb, gboolean fresh)
{
  g_autoptr(NcRtnlQdisc) root = rtnl_qdisc_alloc();
  if (!root)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(root), ifindex);
  rtnl_tc_set_parent(TC_CAST(root), TC_H_ROOT);
  rtnl_tc_set_handle(TC_CAST(root), TC_HANDLE(1, 0));
  if (rtnl_tc_set_kind(TC_CAST(root), "htb") < 0 || rtnl_htb_set_defcls(root, TC_HANDLE(1, 2)) < 0)
    return -ENOMEM;
  /* An HTB root cannot be replaced in place (htb has no change operation:
   * the kernel answers EINVAL) and the classes are added exclusively, so a
   * tree already there (a live change, a TAP plugged back in) goes first,
   * as libvirt's virNetDevBandwidthSet deletes it first. A link just made
   * has the kernel's default qdisc, which the replace below takes over. */
  int r = fresh ? 0 : nc_tc_clear_egress(kernel, ifindex);
  if (r < 0)
    return r;
  struct nl_msg *msg = NULL;
  int built = rtnl_qdisc_build_add_request(root, NLM_F_CREATE | NLM_F_REPLACE, &msg);
  r = nc_tc_send_built(kernel, built, &msg);
  if (r < 0)
    return r;

  r = nc_tc_put_htb_class(kernel, ifindex, TC_HANDLE(1, 0), TC_HANDLE(1, 1), htb->rate, htb->ceil,
                          0, 0, NLM_F_CREATE | NLM_F_EXCL);
  if (r < 0)
    return r;
  r = nc_tc_put_htb_class(kernel, ifindex, TC_HANDLE(1, 1), TC_HANDLE(1, 2), htb->rate, htb->ceil,
                          htb->burst, htb->cburst, NLM_F_CREATE | NLM_F_EXCL);
  if (r < 0)
    return r;

  r = nc_tc_put_sfq(kernel, ifindex, TC_HANDLE(1, 2), TC_HANDLE(2, 0), NLM_F_CREATE | NLM_F_EXCL);
  if (r == -ENOENT) {
    /* A kernel without sch_sfq: the class keeps HTB's plain FIFO leaf.
     * The limit holds; only fairness between flows is lost. */
    g_debug("kernel: no sfq qdisc on link %d; HTB's default leaf stays", ifindex);
    return 0;
  }
  return r;
}

static int
put_htb(NcKernel *kernel, int ifindex, const NcTcHtb *htb, gboolean fresh)
{
  if (ifindex <= 0 || !htb || htb->rate == 0)
    return -EINVAL;
  int r = set_htb(kernel, ifindex, htb, fresh);
  if (r < 0) {
    g_debug("kernel: shaping link %d: %s", ifindex, g_strerror(-r));
    nc_tc_clear_egress(kernel, ifindex); /* no half-built tree */
  }
  return r;
}

int
nc_tc_set_htb(NcKernel *kernel, int ifindex, const NcTcHtb *htb)
{
  return put_htb(kernel, ifindex, htb, FALSE);
}

int
nc_tc_add_htb(NcKernel *kernel, int ifindex, const NcTcHtb *htb)
{
  return put_htb(kernel, ifindex, htb, TRUE);
}

int
nc_tc_set_egress_limit(NcKernel *kernel, int ifindex, const NcTcRate *rate)
{
  if (!rate)
    return -EINVAL;
  NcTcHtb htb;
  nc_tc_htb_for_inbound(rate, &htb);
  return nc_tc_set_htb(kernel, ifindex, &htb);
}

int
nc_tc_add_egress_limit(NcKernel *kernel, int ifindex, const NcTcRate *rate)
{
  if (!rate)
    return -EINVAL;
  NcTcHtb htb;
  nc_tc_htb_for_inbound(rate, &htb);
  return nc_tc_add_htb(kernel, ifindex, &htb);
}

int
nc_tc_delete_qdisc(NcKernel *kernel, int ifindex, guint32 parent)
{
  g_autoptr(NcRtnlQdisc) q = rtnl_qdisc_alloc();
  if (!q)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
  rtnl_tc_set_parent(TC_CAST(q), parent);
  struct nl_msg *msg = NULL;
  int built = rtnl_qdisc_build_delete_request(q, &msg);
  int r = nc_tc_send_built(kernel, built, &msg);
  /* Nothing to delete: the kernel's default qdisc is not ours to remove. */
  if (r == -ENOENT || r == -EINVAL || r == -ENODEV)
    return 0;
  return r;
}

int
nc_tc_clear_egress(NcKernel *kernel, int ifindex)
{
  return nc_tc_delete_qdisc(kernel, ifindex, TC_H_ROOT);
}

struct rtnl_qdisc *
nc_tc_get_qdisc(NcKernel *kernel, int ifindex, guint32 parent, int *ret_err)
{
  *ret_err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, ret_err);
  if (!sock)
    return NULL;
  /* The kernel dumps every link's qdiscs: this is for adoption only. */
  g_autoptr(NcNlCache) cache = NULL;
  int r = rtnl_qdisc_alloc_cache(sock, &cache);
  if (r < 0) {
    *ret_err = nc_kernel_nl_result(kernel, r);
    g_debug("kernel: listing qdiscs: %s", g_strerror(-*ret_err));
    return NULL;
  }
  return rtnl_qdisc_get_by_parent(cache, ifindex, parent);
}

int
nc_tc_has_htb(NcKernel *kernel, int ifindex)
{
  int err = 0;
  g_autoptr(NcRtnlQdisc) root = nc_tc_get_qdisc(kernel, ifindex, TC_H_ROOT, &err);
  if (!root)
    return err;
  const char *kind = rtnl_tc_get_kind(TC_CAST(root));
  return kind && g_str_equal(kind, "htb") && rtnl_tc_get_handle(TC_CAST(root)) == TC_HANDLE(1, 0);
}
