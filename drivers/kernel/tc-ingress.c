/* A link's ingress redirected to another link's egress (see tc.h), with
 * libnl-route's u32 classifier and mirred action. */
#include <errno.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/cls/u32.h>

#include "tc-private.h"

/* The ingress qdisc's handle, ffff:; its filters hang from it. Written out:
 * TC_HANDLE(0xffff, 0) shifts a signed int into its sign bit. */
#define INGRESS_HANDLE ((guint32)0xffff0000u)

static int
add_ingress_qdisc(NcKernel *kernel, int ifindex)
{
  g_autoptr(NcRtnlQdisc) q = rtnl_qdisc_alloc();
  if (!q)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
  rtnl_tc_set_parent(TC_CAST(q), TC_H_INGRESS);
  rtnl_tc_set_handle(TC_CAST(q), INGRESS_HANDLE);
  if (rtnl_tc_set_kind(TC_CAST(q), "ingress") < 0)
    return -ENOMEM;
  struct nl_msg *msg = NULL;
  int built = rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, &msg);
  return nc_tc_send_built(kernel, built, &msg);
}

/* u32 with one key of mask 0 at offset 0: matches every packet. With
 * target 0 the filter has no action (used to tell a missing u32 from a
 * missing mirred). */
static int
add_match_all(NcKernel *kernel, int ifindex, guint16 prio, int target)
{
  g_autoptr(NcRtnlCls) cls = rtnl_cls_alloc();
  if (!cls)
    return -ENOMEM;
  rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
  rtnl_tc_set_parent(TC_CAST(cls), INGRESS_HANDLE);
  rtnl_cls_set_protocol(cls, ETH_P_ALL);
  rtnl_cls_set_prio(cls, prio);
  if (rtnl_tc_set_kind(TC_CAST(cls), "u32") < 0 || rtnl_u32_add_key_uint32(cls, 0, 0, 0, 0) < 0
      || rtnl_u32_set_cls_terminal(cls) < 0)
    return -ENOMEM;
  if (target > 0) {
    g_autoptr(NcRtnlAct) act = rtnl_act_alloc();
    if (!act || rtnl_tc_set_kind(TC_CAST(act), "mirred") < 0
        || rtnl_mirred_set_action(act, TCA_EGRESS_REDIR) < 0
        || rtnl_mirred_set_policy(act, TC_ACT_STOLEN) < 0
        || rtnl_mirred_set_ifindex(act, (guint32)target) < 0 || rtnl_u32_add_action(cls, act) < 0)
      return -ENOMEM;
  }
  struct nl_msg *msg = NULL;
  int built = rtnl_cls_build_add_request(cls, NLM_F_CREATE | NLM_F_EXCL, &msg);
  return nc_tc_send_built(kernel, built, &msg);
}

static int
redirect(NcKernel *kernel, int ifindex, int target, const char **ret_missing)
{
  int r = add_ingress_qdisc(kernel, ifindex);
  if (r == -ENOENT)
    *ret_missing = "the ingress qdisc (CONFIG_NET_SCH_INGRESS)";
  if (r < 0)
    return r;
  r = add_match_all(kernel, ifindex, 1, target);
  if (r != -ENOENT)
    return r;
  /* The kernel says ENOENT for a missing classifier and a missing action
   * alike: a filter without the action tells which. */
  *ret_missing = add_match_all(kernel, ifindex, 2, 0) == -ENOENT
                     ? "the u32 classifier (CONFIG_NET_CLS_U32)"
                     : "the mirred action (CONFIG_NET_ACT_MIRRED)";
  return r;
}

int
nc_tc_redirect_ingress(NcKernel *kernel, int ifindex, int target_ifindex, const char **ret_missing)
{
  if (ifindex <= 0 || target_ifindex <= 0)
    return -EINVAL;
  const char *missing = NULL;
  int r = redirect(kernel, ifindex, target_ifindex, &missing);
  if (r < 0) {
    g_debug("kernel: redirecting the ingress of link %d to link %d: %s%s%s", ifindex,
            target_ifindex, g_strerror(-r), missing ? "; missing: " : "", missing ? missing : "");
    nc_tc_clear_ingress(kernel, ifindex); /* its filters go with it */
  }
  if (ret_missing)
    *ret_missing = missing;
  return r;
}

int
nc_tc_clear_ingress(NcKernel *kernel, int ifindex)
{
  return nc_tc_delete_qdisc(kernel, ifindex, TC_H_INGRESS);
}

int
nc_tc_get_ingress_redirect(NcKernel *kernel, int ifindex, int *ret_target)
{
  int err = 0;
  g_autoptr(NcRtnlQdisc) q = nc_tc_get_qdisc(kernel, ifindex, TC_H_INGRESS, &err);
  if (!q) {
    if (err == 0)
      *ret_target = 0;
    return err;
  }
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;
  g_autoptr(NcNlCache) cache = NULL;
  int r = rtnl_cls_alloc_cache(sock, ifindex, INGRESS_HANDLE, &cache);
  if (r < 0) {
    r = nc_kernel_nl_result(kernel, r);
    g_debug("kernel: listing the ingress filters of link %d: %s", ifindex, g_strerror(-r));
    return r;
  }
  int target = 0;
  for (struct nl_object *o = nl_cache_get_first(cache); o && !target; o = nl_cache_get_next(o)) {
    struct rtnl_cls *cls = (struct rtnl_cls *)o;
    const char *kind = rtnl_tc_get_kind(TC_CAST(cls));
    if (!kind || !g_str_equal(kind, "u32"))
      continue;
    for (struct rtnl_act *act = rtnl_u32_get_action(cls); act && !target;
         act = rtnl_act_next(act)) {
      const char *akind = rtnl_tc_get_kind(TC_CAST(act));
      if (akind && g_str_equal(akind, "mirred") && rtnl_mirred_get_action(act) == TCA_EGRESS_REDIR)
        target = (int)rtnl_mirred_get_ifindex(act);
    }
  }
  *ret_target = target;
  return 0;
}
