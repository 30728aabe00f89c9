/* Network-wide <bandwidth> for the managed-bridge driver; see
 * virtual-bandwidth.h and drivers/kernel/tc.h. */
#include <errno.h>

#include "nc-error.h"
#include "nc-log.h"
#include "tc.h"
#include "virtual-bandwidth.h"

static const NcBandwidthRate *
inbound(const NcVirtualCtx *ctx)
{
  const NcBandwidth *bw = ctx->def->bandwidth;
  return bw && bw->in && bw->in->average ? bw->in : NULL;
}

static const NcBandwidthRate *
outbound(const NcVirtualCtx *ctx)
{
  const NcBandwidth *bw = ctx->def->bandwidth;
  return bw && bw->out && bw->out->average ? bw->out : NULL;
}

static NcTcRate
tc_rate(const NcBandwidthRate *r)
{
  return (NcTcRate){ .average = r->average, .peak = r->peak, .burst = r->burst };
}

/* The IFB of this network, by name and alias; NULL name for a bridge name
 * too long to derive one from (cannot happen for a valid bridge). */
typedef struct {
  char *name;
  char *alias;
} Ifb;

static void
ifb_clear(Ifb *ifb)
{
  g_free(ifb->name);
  g_free(ifb->alias);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Ifb, ifb_clear)

static void
ifb_init(Ifb *ifb, const NcVirtualCtx *ctx)
{
  ifb->name = nc_ifb_name_for_bridge(ctx->def->bridge.name);
  ifb->alias = nc_ifb_alias_for_bridge(ctx->def->bridge.name);
}

/* With br_netfilter calling iptables for bridged traffic, IPv4/IPv6
 * PREROUTING (conntrack included) runs at the bridge, before the bridge's
 * ingress; mirred then clears the packet's conntrack entry on its way to
 * the IFB, and the IP layer skips PREROUTING for a packet the bridge
 * already took through it. The guests' packets leave untracked: no
 * masquerade, and the "established" rules drop the replies. Refusing beats
 * a network that looks up and forwards nothing. */
static gboolean
check_br_netfilter(NcVirtualCtx *ctx, GError **error)
{
  NcForwardMode mode = ctx->def->forward.mode;
  if (mode != NC_FORWARD_NAT && mode != NC_FORWARD_ROUTE)
    return TRUE;
  const char *keys[] = { ctx->has_v4 ? "net/bridge/bridge-nf-call-iptables" : NULL,
                         ctx->has_v6 ? "net/bridge/bridge-nf-call-ip6tables" : NULL };
  for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
    g_autofree char *value = NULL;
    if (!keys[i] || nc_sysctl_read(ctx->env->kernel, keys[i], &value) < 0
        || !g_str_equal(value, "1"))
      continue; /* no br_netfilter (ENOENT), or off */
    g_autofree char *dotted = g_strdelimit(g_strdup(keys[i]), "/", '.');
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': <bandwidth><outbound> on a %s network cannot work with %s=1: "
                "br_netfilter then loses the connection tracking of what the guests send "
                "through the shaping IFB device, so %s; set %s=0 (sysctl -w) or remove "
                "<outbound>",
                ctx->def->name, mode == NC_FORWARD_NAT ? "NAT" : "routed", dotted,
                mode == NC_FORWARD_NAT ? "NAT would fail" : "replies would be dropped", dotted);
    return FALSE;
  }
  return TRUE;
}

gboolean
nc_virtual_bandwidth_check(NcVirtualCtx *ctx, GError **error)
{
  if (!outbound(ctx))
    return TRUE;
  if (!check_br_netfilter(ctx, error))
    return FALSE;
  g_auto(Ifb) ifb = { 0 };
  ifb_init(&ifb, ctx);
  int r = ifb.name ? nc_link_exists(ctx->env->kernel, ifb.name) : -EINVAL;
  if (r == 0)
    return TRUE;
  if (r > 0)
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': <bandwidth><outbound> needs the device name '%s' (an IFB for "
                "bridge '%s'), which another network device already has; delete that device "
                "or choose another <bridge name=>",
                ctx->def->name, ifb.name, ctx->def->bridge.name);
  else
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot look up device '%s' for <bandwidth><outbound>: %s",
                ctx->def->name, ifb.name ? ifb.name : "?", g_strerror(-r));
  return FALSE;
}

static gboolean
apply_inbound(NcVirtualCtx *ctx, GError **error)
{
  NcTcRate rate = tc_rate(inbound(ctx));
  int r = nc_tc_set_egress_limit(ctx->env->kernel, ctx->live->bridge_ifindex, &rate);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot shape bridge '%s' to <inbound average='%" G_GUINT64_FORMAT
                "'>: %s%s",
                ctx->def->name, ctx->def->bridge.name, rate.average, g_strerror(-r),
                r == -ENOENT ? " (is the sch_htb kernel module available?)" : "");
    return FALSE;
  }
  return TRUE;
}

static gboolean
create_ifb(NcVirtualCtx *ctx, const Ifb *ifb, int *ret_ifindex, GError **error)
{
  int r = nc_ifb_create(ctx->env->kernel, ifb->name, ifb->alias, ret_ifindex);
  if (r == -EOPNOTSUPP)
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': <bandwidth><outbound> needs an IFB device, and this kernel has no "
                "ifb driver (CONFIG_IFB); remove <outbound> to start the network",
                ctx->def->name);
  else if (r == -EEXIST)
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': cannot create IFB '%s' for <bandwidth><outbound>: a network "
                "device with that name already exists",
                ctx->def->name, ifb->name);
  else if (r < 0)
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot create IFB '%s' for <bandwidth><outbound>: %s",
                ctx->def->name, ifb->name, g_strerror(-r));
  return r == 0;
}

static gboolean
shape_ifb(NcVirtualCtx *ctx, const Ifb *ifb, int ifindex, GError **error)
{
  NcTcRate rate = tc_rate(outbound(ctx));
  NcTcHtb htb;
  nc_tc_htb_for_outbound(&rate, &htb);
  int r = nc_tc_set_htb(ctx->env->kernel, ifindex, &htb);
  if (r < 0) {
    g_set_error(error, NC_ERROR, r == -ENOENT ? NC_ERROR_NO_SUPPORT : NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot shape IFB '%s' to <outbound average='%" G_GUINT64_FORMAT
                "'>: %s%s",
                ctx->def->name, ifb->name, rate.average, g_strerror(-r),
                r == -ENOENT ? " (is the sch_htb kernel module available?)" : "");
    return FALSE;
  }
  return TRUE;
}

static gboolean
redirect_bridge(NcVirtualCtx *ctx, const Ifb *ifb, int ifindex, GError **error)
{
  const char *missing = NULL;
  int r = nc_tc_redirect_ingress(ctx->env->kernel, ctx->live->bridge_ifindex, ifindex, &missing);
  if (r < 0 && missing)
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': <bandwidth><outbound> needs %s, which this kernel lacks; remove "
                "<outbound> to start the network",
                ctx->def->name, missing);
  else if (r < 0)
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot redirect what bridge '%s' receives to IFB '%s': %s",
                ctx->def->name, ctx->def->bridge.name, ifb->name, g_strerror(-r));
  return r == 0;
}

gboolean
nc_virtual_bandwidth_apply(NcVirtualCtx *ctx, GError **error)
{
  if (inbound(ctx) && !apply_inbound(ctx, error))
    return FALSE;
  if (!outbound(ctx))
    return TRUE;
  g_auto(Ifb) ifb = { 0 };
  ifb_init(&ifb, ctx);
  int ifindex = 0;
  /* The IFB shapes before anything is sent to it. */
  if (create_ifb(ctx, &ifb, &ifindex, error) && shape_ifb(ctx, &ifb, ifindex, error)
      && redirect_bridge(ctx, &ifb, ifindex, error))
    return TRUE;
  nc_virtual_bandwidth_undo(ctx, NULL);
  return FALSE;
}

gboolean
nc_virtual_bandwidth_undo(NcVirtualCtx *ctx, GError **error)
{
  g_auto(Ifb) ifb = { 0 };
  ifb_init(&ifb, ctx);
  int ifindex = 0;
  if (!ifb.name || nc_ifb_lookup(ctx->env->kernel, ifb.name, ifb.alias, &ifindex, NULL) < 0)
    return TRUE; /* none, or not ours */
  if (ctx->live->bridge_ifindex > 0)
    nc_tc_clear_ingress(ctx->env->kernel, ctx->live->bridge_ifindex);
  int r = nc_link_delete(ctx->env->kernel, ifindex);
  if (r < 0 && r != -ENODEV) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot delete IFB '%s' (ifindex %d): %s", ctx->def->name, ifb.name,
                ifindex, g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

static void
repaired(NcVirtualCtx *ctx, const char *what)
{
  nc_log_network_name(ctx->def->name, G_LOG_LEVEL_MESSAGE, "%s was missing; putting it back", what);
}

static gboolean
repair_outbound(NcVirtualCtx *ctx, GError **error)
{
  NcKernel *kernel = ctx->env->kernel;
  g_auto(Ifb) ifb = { 0 };
  ifb_init(&ifb, ctx);
  int ifindex = 0;
  gboolean up = FALSE;
  int r = ifb.name ? nc_ifb_lookup(kernel, ifb.name, ifb.alias, &ifindex, &up) : -EINVAL;
  if (r == -EEXIST) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': device '%s' is not the IFB netctld made for <bandwidth><outbound>; "
                "leaving it alone",
                ctx->def->name, ifb.name);
    return FALSE;
  }
  if (r == -ENODEV) {
    g_autofree char *what = g_strdup_printf("IFB '%s' for <outbound>", ifb.name);
    repaired(ctx, what);
    if (!create_ifb(ctx, &ifb, &ifindex, error))
      return FALSE;
    up = TRUE;
  } else if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "network '%s': cannot look up IFB '%s': %s",
                ctx->def->name, ifb.name ? ifb.name : "?", g_strerror(-r));
    return FALSE;
  }
  if (!up && (r = nc_link_set_up(kernel, ifindex, TRUE)) < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot bring up IFB '%s': %s", ctx->def->name, ifb.name,
                g_strerror(-r));
    return FALSE;
  }
  if (nc_tc_has_htb(kernel, ifindex) != 1) {
    g_autofree char *what = g_strdup_printf("the HTB qdisc of IFB '%s'", ifb.name);
    repaired(ctx, what);
    if (!shape_ifb(ctx, &ifb, ifindex, error))
      return FALSE;
  }
  int target = 0;
  if (nc_tc_get_ingress_redirect(kernel, ctx->live->bridge_ifindex, &target) == 0
      && target == ifindex)
    return TRUE;
  g_autofree char *what
      = g_strdup_printf("the redirect of bridge '%s' to IFB '%s'", ctx->def->bridge.name, ifb.name);
  repaired(ctx, what);
  nc_tc_clear_ingress(kernel, ctx->live->bridge_ifindex); /* a stale one points elsewhere */
  return redirect_bridge(ctx, &ifb, ifindex, error);
}

gboolean
nc_virtual_bandwidth_repair(NcVirtualCtx *ctx, GError **error)
{
  if (inbound(ctx) && nc_tc_has_htb(ctx->env->kernel, ctx->live->bridge_ifindex) != 1) {
    g_autofree char *what
        = g_strdup_printf("the <inbound> HTB qdisc of bridge '%s'", ctx->def->bridge.name);
    repaired(ctx, what);
    if (!apply_inbound(ctx, error))
      return FALSE;
  }
  return !outbound(ctx) || repair_outbound(ctx, error);
}
