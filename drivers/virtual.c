/* The managed-bridge driver: forward modes none (isolated), nat, route and
 * open. A Linux bridge of our own with the network's addresses, its own
 * nftables tables, IP forwarding, and dnsmasq for DHCP/DNS/RA.
 *
 * start follows libvirt's networkStartNetworkVirtual step for step (see
 * ../shared/research/libvirt-network.md b.3), except that the bridge goes up
 * before its addresses are added: the address and its routes then reach
 * every running dnsmasq (which all follow the host's address and route
 * changes) as one netlink burst, one wake-up each. Each step that leaves
 * something behind has an undo; a failed start runs the undos of the steps
 * done so far, in reverse, and stop runs them all. The undos work from the
 * definition and the live state alone and accept that their object is
 * already gone, so a stop after a crash (a status file written by an earlier
 * daemon, or by libvirt) tears down the same way. Addresses and routes need
 * no undo of their own: they go with the bridge. */
#include <errno.h>

#include "bridge-port.h"
#include "link-bridge-vlan.h"
#include "nc-error.h"
#include "nc-log.h"
#include "nft.h"
#include "virtual-bandwidth.h"
#include "virtual-private.h"

void
nc_virtual_ctx_init(NcVirtualCtx *ctx, const NcDriverEnv *env, const NcNetworkDef *def,
                    NcLiveState *live)
{
  *ctx = (NcVirtualCtx){ .env = env, .def = def, .live = live };
  for (guint i = 0; def->ips && i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip->address.family == AF_INET)
      ctx->has_v4 = TRUE;
    else if (ip->address.family == AF_INET6)
      ctx->has_v6 = TRUE;
  }
}

/* -- checks ---------------------------------------------------------------- */

static gboolean
step_check(NcVirtualCtx *ctx, GError **error)
{
  const NcNetworkDef *def = ctx->def;
  NcKernel *kernel = ctx->env->kernel;
  if (!def->bridge.name) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "network '%s': no bridge name assigned",
                def->name);
    return FALSE;
  }
  /* <outbound> takes a second device name, checked like the bridge's. */
  if (!nc_virtual_bandwidth_check(ctx, error))
    return FALSE;
  int r = nc_link_exists(kernel, def->bridge.name);
  if (r > 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': bridge name '%s' is already used by another network device; "
                "choose another <bridge name=>",
                def->name, def->bridge.name);
    return FALSE;
  }
  if (def->ips->len == 0 && def->routes->len == 0)
    return TRUE;

  g_autoptr(GArray) routes = NULL;
  g_autoptr(GArray) addrs = NULL;
  r = nc_route_list(kernel, AF_UNSPEC, &routes);
  if (r == 0)
    r = nc_addr_list(kernel, AF_UNSPEC, 0, &addrs);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot read the host's routes and addresses: %s", def->name,
                g_strerror(-r));
    return FALSE;
  }
  if (!nc_virtual_check_collisions(def, routes, addrs, 0, error))
    return FALSE;
  if (def->forward.mode != NC_FORWARD_NONE && ctx->has_v6
      && !nc_virtual_check_ipv6_forwarding(kernel, def, routes, error))
    return FALSE;
  return TRUE;
}

/* -- the bridge -------------------------------------------------------------- */

static gboolean
step_bridge(NcVirtualCtx *ctx, GError **error)
{
  const NcNetworkDef *def = ctx->def;
  const char *br = def->bridge.name;
  NcBridgeConfig config = {
    .name = br,
    .mac = def->has_mac ? &def->mac : NULL,
    .mtu = def->has_mtu ? def->mtu : 0,
    .stp = def->bridge.stp != NC_SWITCH_OFF, /* libvirt's default is on */
    .forward_delay = def->bridge.has_delay ? def->bridge.delay * 100 : 0,
  };
  int ifindex = 0;
  /* A destroy just before may still be deleting a bridge of this name. */
  nc_link_wait_deleted(ctx->env->kernel, br);
  int r = nc_bridge_create(ctx->env->kernel, &config, &ifindex);
  if (r == -EEXIST) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': cannot create bridge '%s': a network device with that name "
                "already exists",
                def->name, br);
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot create bridge '%s' (mtu %u, stp %s, delay %u s): %s",
                def->name, br, config.mtu, config.stp ? "on" : "off", config.forward_delay / 100,
                g_strerror(-r));
    return FALSE;
  }
  ctx->live->bridge_ifindex = ifindex;
  return TRUE;
}

static gboolean
undo_bridge(NcVirtualCtx *ctx, GError **error)
{
  const NcNetworkDef *def = ctx->def;
  const char *br = def->bridge.name;
  int ifindex = ctx->live->bridge_ifindex;
  NcLinkInfo info;

  /* Without a recorded ifindex (a status file from libvirt, or a start cut
   * short), delete the device by name only when it is a bridge. */
  if (ifindex <= 0 && br && nc_link_get_info(ctx->env->kernel, br, &info) == 0
      && g_str_equal(info.kind, "bridge"))
    ifindex = info.ifindex;
  if (ifindex <= 0)
    return TRUE;
  /* Off the main loop: the kernel's unregistering takes tens of ms. */
  int r = nc_link_delete_deferred(ctx->env->kernel, ifindex, br ? br : "?");
  if (r < 0 && r != -ENODEV) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot delete bridge '%s' (ifindex %d): %s", def->name,
                br ? br : "?", ifindex, g_strerror(-r));
    return FALSE;
  }
  ctx->live->bridge_ifindex = 0;
  return TRUE;
}

/* libvirt's networkSetIPv6Sysctls: IPv6 off on a bridge that has no IPv6
 * address (unless ipv6='yes' asks for guest-to-guest IPv6), and never
 * autoconfigured from a guest's router advertisement. A kernel without IPv6
 * has no such files, which is fine. */
static gboolean
step_ipv6_sysctls(NcVirtualCtx *ctx, GError **error)
{
  const char *br = ctx->def->bridge.name;
  gboolean enable = ctx->has_v6 || ctx->def->ipv6 == NC_TRISTATE_YES;
  const char *names[] = { "disable_ipv6", "accept_ra", "autoconf" };
  const char *values[] = { enable ? "0" : "1", "0", "0" };
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *key = nc_sysctl_iface_key("ipv6", br, names[i]);
    int r = key ? nc_sysctl_write(ctx->env->kernel, key, values[i]) : -EINVAL;
    if (r == -ENOENT && i == 0)
      return TRUE;
    if (r < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot set net.ipv6.conf.%s.%s to %s: %s", ctx->def->name, br,
                  names[i], values[i], g_strerror(-r));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
step_addresses(NcVirtualCtx *ctx, GError **error)
{
  const NcNetworkDef *def = ctx->def;
  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    int prefix = nc_ip_def_prefix(ip);
    int r = prefix < 0
                ? -EINVAL
                : nc_addr_add(ctx->env->kernel, ctx->live->bridge_ifindex, &ip->address, prefix);
    if (r < 0) {
      g_autofree char *a = nc_sockaddr_format(&ip->address);
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot add address %s/%d (<ip>, line %u) to bridge '%s': %s",
                  def->name, a, prefix, ip->line, def->bridge.name, g_strerror(-r));
      return FALSE;
    }
  }
  return TRUE;
}

/* libvirt's networkStartHandleMACTableManagerMode. */
static gboolean
step_mac_table(NcVirtualCtx *ctx, GError **error)
{
  if (ctx->def->bridge.mac_table_manager != NC_MAC_TABLE_MANAGER_LIBVIRT)
    return TRUE;
  int r = nc_bridge_set_vlan_filtering(ctx->env->kernel, ctx->live->bridge_ifindex, TRUE);
  if (r == -EOPNOTSUPP || r == -EINVAL) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': <bridge macTableManager='libvirt'> needs bridge VLAN filtering, "
                "which this kernel lacks (CONFIG_BRIDGE_VLAN_FILTERING); remove the attribute",
                ctx->def->name);
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot turn on VLAN filtering on bridge '%s': %s", ctx->def->name,
                ctx->def->bridge.name, g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

static gboolean
step_up(NcVirtualCtx *ctx, GError **error)
{
  int r = nc_link_set_up(ctx->env->kernel, ctx->live->bridge_ifindex, TRUE);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot bring up bridge '%s': %s", ctx->def->name,
                ctx->def->bridge.name, g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

void
nc_virtual_routes_apply(NcVirtualCtx *ctx)
{
  const NcNetworkDef *def = ctx->def;
  for (guint i = 0; i < def->routes->len; i++) {
    const NcRouteDef *rt = def->routes->pdata[i];
    int prefix = nc_route_def_prefix(rt);
    if (!nc_sockaddr_is_set(&rt->gateway) || prefix < 0)
      continue;
    int r = nc_route_add(ctx->env->kernel, ctx->live->bridge_ifindex, &rt->address, prefix,
                         &rt->gateway, rt->has_metric ? rt->metric : 0);
    if (r < 0 && r != -EEXIST) {
      g_autofree char *a = nc_sockaddr_format(&rt->address);
      g_autofree char *gw = nc_sockaddr_format(&rt->gateway);
      nc_log_network_name(def->name, G_LOG_LEVEL_WARNING,
                          "cannot add <route address='%s' prefix='%d' gateway='%s'> (line %u) "
                          "on bridge '%s': %s; the network runs without it",
                          a, prefix, gw, rt->line, def->bridge.name, g_strerror(-r));
    }
  }
}

static gboolean
step_routes(NcVirtualCtx *ctx, GError **error)
{
  nc_virtual_routes_apply(ctx);
  return TRUE;
}

/* -- firewall -------------------------------------------------------------------- */

gboolean
nc_virtual_firewall_apply(NcVirtualCtx *ctx, const NcNetworkDef *def, GError **error)
{
  g_autoptr(NcFwRuleset) rs = nc_fw_ruleset_build(def);
  if (nc_fw_ruleset_is_empty(rs)) {
    /* open mode: no rules; a table left from a mode change goes. */
    if (nc_live_state_get(ctx->live, NC_VIRTUAL_KEY_FIREWALL)) {
      int r = nc_nft_delete_with(ctx->env->kernel, rs->bridge);
      if (r < 0) {
        g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                    "network '%s': cannot delete its chains from nftables table '%s': %s",
                    def->name, rs->table, g_strerror(-r));
        return FALSE;
      }
      nc_live_state_set(ctx->live, NC_VIRTUAL_KEY_FIREWALL, NULL);
    }
    return TRUE;
  }
  g_autofree char *detail = NULL;
  int r = nc_nft_apply_full(ctx->env->kernel, rs, &detail);
  if (r < 0 && detail != NULL) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot install its firewall rules (nftables table '%s'): %s",
                def->name, rs->table, detail);
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot install its firewall rules (nftables table '%s'): %s%s",
                def->name, rs->table, g_strerror(-r),
                r == -EPROTONOSUPPORT || r == -ENOENT ? " (is nf_tables available?)" : "");
    return FALSE;
  }
  nc_live_state_set(ctx->live, NC_VIRTUAL_KEY_FIREWALL, rs->table);

  /* A drop policy elsewhere (Docker, ufw, firewalld) defeats our accept
   * rules: say so, with the fix, instead of leaving guests mysteriously
   * offline. An isolated network forwards nothing anyway. */
  if (def->forward.mode == NC_FORWARD_NAT || def->forward.mode == NC_FORWARD_ROUTE) {
    g_autoptr(GPtrArray) findings = NULL;
    if (nc_nft_find_forward_blockers(ctx->env->kernel, &findings) == 0) {
      g_autofree char *advice = nc_nft_blocker_advice(def->bridge.name, findings);
      if (advice)
        nc_log_network_name(def->name, G_LOG_LEVEL_WARNING, "%s", advice);
    }
  }
  return TRUE;
}

static gboolean
step_firewall(NcVirtualCtx *ctx, GError **error)
{
  if (ctx->def->forward.mode == NC_FORWARD_OPEN)
    return TRUE;
  return nc_virtual_firewall_apply(ctx, ctx->def, error);
}

static gboolean
undo_firewall(NcVirtualCtx *ctx, GError **error)
{
  /* Open networks have no table unless the live state says one was left. */
  if (ctx->def->forward.mode == NC_FORWARD_OPEN
      && !nc_live_state_get(ctx->live, NC_VIRTUAL_KEY_FIREWALL))
    return TRUE;
  int r = nc_nft_delete_with(ctx->env->kernel, ctx->def->bridge.name);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot delete its chains from nftables table '%s': %s",
                ctx->def->name, NC_FW_TABLE, g_strerror(-r));
    return FALSE;
  }
  nc_live_state_set(ctx->live, NC_VIRTUAL_KEY_FIREWALL, NULL);
  return TRUE;
}

/* -- IP forwarding ----------------------------------------------------------------- */

/* Written only when not already on: a sysctl write is cheap, but
 * ip_forward=1 resets other per-interface settings each time. Never turned
 * off again, as libvirt: other networks or the host may rely on it. */
static int
ensure_sysctl_on(NcKernel *kernel, const char *key)
{
  g_autofree char *value = NULL;
  if (nc_sysctl_read(kernel, key, &value) == 0 && g_str_equal(value, "1"))
    return 0;
  return nc_sysctl_write(kernel, key, "1");
}

gboolean
nc_virtual_forwarding_apply(NcVirtualCtx *ctx, GError **error)
{
  if (ctx->def->forward.mode == NC_FORWARD_NONE)
    return TRUE;
  const char *keys[] = { ctx->has_v4 ? "net/ipv4/ip_forward" : NULL,
                         ctx->has_v6 ? "net/ipv6/conf/all/forwarding" : NULL };
  for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
    if (!keys[i])
      continue;
    int r = ensure_sysctl_on(ctx->env->kernel, keys[i]);
    if (r < 0) {
      g_autofree char *dotted = g_strdelimit(g_strdup(keys[i]), "/", '.');
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot enable IP forwarding (%s=1): %s", ctx->def->name, dotted,
                  g_strerror(-r));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
step_forwarding(NcVirtualCtx *ctx, GError **error)
{
  return nc_virtual_forwarding_apply(ctx, error);
}

/* -- dnsmasq -------------------------------------------------------------------------- */

NcDnsmasq *
nc_virtual_dnsmasq_get(NcVirtualCtx *ctx)
{
  NcVirtualRun *run
      = ctx->env->runtime ? nc_driver_runtime_ensure(ctx->env->runtime, ctx->def->name) : NULL;
  if (run && run->dnsmasq)
    return run->dnsmasq;
  NcDnsmasqOptions opts = {
    .network_name = ctx->def->name,
    .bridge = ctx->def->bridge.name,
    .dnsmasq_dir = ctx->env->dnsmasq_dir,
    .pid_dir = ctx->env->state_dir,
    .probe = nc_driver_runtime_dnsmasq_probe(ctx->env->runtime),
    .pid_watch = nc_driver_runtime_pid_watch(ctx->env->runtime),
  };
  NcDnsmasq *dm = nc_dnsmasq_new(&opts);
  if (run)
    run->dnsmasq = dm;
  return dm;
}

void
nc_virtual_dnsmasq_release(NcVirtualCtx *ctx, NcDnsmasq *dnsmasq)
{
  if (!nc_driver_runtime_lookup(ctx->env->runtime, ctx->def->name))
    nc_dnsmasq_free(dnsmasq);
}

void
nc_virtual_dnsmasq_started(NcVirtualCtx *ctx, NcDnsmasq *dnsmasq)
{
  pid_t pid = nc_dnsmasq_get_pid(dnsmasq);
  g_autofree char *s = pid > 0 ? g_strdup_printf("%d", (int)pid) : NULL;
  nc_live_state_set(ctx->live, NC_VIRTUAL_KEY_DNSMASQ_PID, s);
  if (pid > 0)
    nc_driver_runtime_watch_leases(ctx->env->runtime, ctx->def->name, ctx->env->dnsmasq_dir,
                                   ctx->def->bridge.name);
}

static gboolean
step_dnsmasq(NcVirtualCtx *ctx, GError **error)
{
  if (!ctx->has_v4 && !ctx->has_v6)
    return TRUE;
  NcDnsmasq *dm = nc_virtual_dnsmasq_get(ctx);
  gboolean ok = nc_dnsmasq_start(dm, ctx->def, error);
  if (ok)
    nc_virtual_dnsmasq_started(ctx, dm);
  nc_virtual_dnsmasq_release(ctx, dm);
  return ok;
}

static gboolean
undo_dnsmasq(NcVirtualCtx *ctx, GError **error)
{
  /* Also for a network without <ip>: files of an earlier definition go. */
  NcDnsmasq *dm = nc_virtual_dnsmasq_get(ctx);
  /* In the daemon (a runtime, a main loop) not waiting for the process to
   * exit: the main loop finishes the stop. */
  gboolean ok = ctx->env->runtime ? nc_dnsmasq_stop_deferred(dm, error)
                                  : nc_dnsmasq_stop(dm, error);
  nc_driver_runtime_remove(ctx->env->runtime, ctx->def->name);
  if (!ctx->env->runtime)
    nc_dnsmasq_free(dm);
  nc_live_state_set(ctx->live, NC_VIRTUAL_KEY_DNSMASQ_PID, NULL);
  return ok;
}

/* -- network-wide bandwidth ------------------------------------------------------------- */

/* libvirt's virNetDevBandwidthSet(bridge, bandwidth, hierarchical, swapped):
 * the network's <inbound> (towards the guests) shapes the bridge's egress,
 * its <outbound> (from the guests) what the bridge receives, through an IFB
 * (virtual-bandwidth.c). The bridge's qdiscs go with the bridge; the undo
 * deletes the IFB. */
static gboolean
step_bandwidth(NcVirtualCtx *ctx, GError **error)
{
  return nc_virtual_bandwidth_apply(ctx, error);
}

static gboolean
undo_bandwidth(NcVirtualCtx *ctx, GError **error)
{
  return nc_virtual_bandwidth_undo(ctx, error);
}

/* -- the sequence --------------------------------------------------------------------- */

typedef struct {
  gboolean (*apply)(NcVirtualCtx *ctx, GError **error);
  gboolean (*undo)(NcVirtualCtx *ctx, GError **error); /* NULL: goes with the bridge */
} Step;

/* libvirt's order (b.3). */
static const Step steps[] = {
  { step_check, NULL },
  { step_bridge, undo_bridge },
  { step_ipv6_sysctls, NULL },
  { step_firewall, undo_firewall },
  { step_mac_table, NULL },
  { step_up, NULL },
  { step_addresses, NULL },
  { step_routes, NULL },
  { step_forwarding, NULL },
  { step_dnsmasq, undo_dnsmasq },
  { step_bandwidth, undo_bandwidth },
};

/* Runs the undos of steps[0..n) in reverse; the first failure goes to error
 * (may be NULL), the others are logged. */
static gboolean
undo_steps(NcVirtualCtx *ctx, gsize n, GError **error)
{
  gboolean ok = TRUE;
  for (gsize i = n; i-- > 0;) {
    if (!steps[i].undo)
      continue;
    g_autoptr(GError) e = NULL;
    if (steps[i].undo(ctx, &e))
      continue;
    if (ok && error)
      *error = g_steal_pointer(&e);
    else
      nc_log_network_name(ctx->def->name, G_LOG_LEVEL_WARNING, "%s", e->message);
    ok = FALSE;
  }
  return ok;
}

gboolean
nc_virtual_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  NcVirtualCtx ctx;
  nc_virtual_ctx_init(&ctx, env, def, live);
  for (gsize i = 0; i < G_N_ELEMENTS(steps); i++) {
    if (steps[i].apply(&ctx, error))
      continue;
    undo_steps(&ctx, i, NULL);
    nc_live_state_clear(live);
    return FALSE;
  }
  nc_log_network_name(def->name, G_LOG_LEVEL_DEBUG, "bridge '%s' up (ifindex %d)", def->bridge.name,
                      live->bridge_ifindex);
  return TRUE;
}

gboolean
nc_virtual_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  NcVirtualCtx ctx;
  nc_virtual_ctx_init(&ctx, env, def, live);
  return undo_steps(&ctx, G_N_ELEMENTS(steps), error);
}

static gboolean
virtual_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                   NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  return nc_bridge_port_alloc(env, def, def->bridge.name, live, port, dev, error);
}

static gboolean
virtual_port_free(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                  const NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  return nc_bridge_port_free(env, def, def->bridge.name, live, port, dev, error);
}

static gboolean
virtual_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                   NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  return nc_bridge_port_adopt(env, def, def->bridge.name, live, port, dev, error);
}

/* One driver for none, nat, route and open (the managed-bridge kind). */
const NcForwardDriver nc_driver_virtual = {
  .kind = NC_NETWORK_KIND_MANAGED_BRIDGE,
  .validate = NULL,
  .start = nc_virtual_start,
  .stop = nc_virtual_stop,
  .adopt = nc_virtual_adopt,
  .reconfigure = nc_virtual_reconfigure,
  .port_alloc = virtual_port_alloc,
  .port_free = virtual_port_free,
  .port_adopt = virtual_port_adopt,
};
