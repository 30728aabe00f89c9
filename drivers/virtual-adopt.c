/* The managed-bridge driver after a daemon restart (adopt) and for live
 * updates (reconfigure).
 *
 * Adoption must not disturb guests: whatever is in place (the bridge, its
 * addresses, our nftables tables, a dnsmasq that is ours) is only looked at;
 * only what is missing is put back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nc-error.h"
#include "nc-log.h"
#include "nft.h"
#include "virtual-bandwidth.h"
#include "virtual-private.h"

static void
repair_addresses(NcVirtualCtx *ctx)
{
  const NcNetworkDef *def = ctx->def;
  g_autoptr(GArray) addrs = NULL;
  if (def->ips->len == 0
      || nc_addr_list(ctx->env->kernel, AF_UNSPEC, ctx->live->bridge_ifindex, &addrs) < 0)
    return;
  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    int prefix = nc_ip_def_prefix(ip);
    gboolean present = FALSE;
    for (guint j = 0; j < addrs->len && !present; j++) {
      const NcAddrEntry *a = &g_array_index(addrs, NcAddrEntry, j);
      present = nc_sockaddr_equal(&a->addr, &ip->address) && (int)a->prefix == prefix;
    }
    if (present || prefix < 0)
      continue;
    g_autofree char *s = nc_sockaddr_format(&ip->address);
    int r = nc_addr_add(ctx->env->kernel, ctx->live->bridge_ifindex, &ip->address, prefix);
    nc_log_network_name(def->name, r < 0 ? G_LOG_LEVEL_WARNING : G_LOG_LEVEL_MESSAGE,
                        "address %s/%d was missing from bridge '%s'; %s%s", s, prefix,
                        def->bridge.name, r < 0 ? "cannot add it back: " : "added it back",
                        r < 0 ? g_strerror(-r) : "");
  }
}

static gboolean
repair_firewall(NcVirtualCtx *ctx, GError **error)
{
  if (ctx->def->forward.mode == NC_FORWARD_OPEN)
    return TRUE;
  g_autoptr(NcFwRuleset) rs = nc_fw_ruleset_build(ctx->def);
  /* absent, or we cannot tell: re-applying is safe */
  gboolean missing = nc_nft_network_present(ctx->env->kernel, rs) != 1;
  if (!missing) {
    nc_live_state_set(ctx->live, NC_VIRTUAL_KEY_FIREWALL, rs->table);
    return TRUE;
  }
  nc_log_network_name(ctx->def->name, G_LOG_LEVEL_MESSAGE,
                      "its chains in nftables table '%s' were missing; installing them again",
                      rs->table);
  return nc_virtual_firewall_apply(ctx, ctx->def, error);
}

static gboolean
adopt_dnsmasq(NcVirtualCtx *ctx, GError **error)
{
  if (!ctx->has_v4 && !ctx->has_v6)
    return TRUE;
  const char *hint = nc_live_state_get(ctx->live, NC_VIRTUAL_KEY_DNSMASQ_PID);
  pid_t pid_hint = hint ? (pid_t)strtol(hint, NULL, 10) : 0;
  NcDnsmasq *dm = nc_virtual_dnsmasq_get(ctx);
  gboolean ok = nc_dnsmasq_adopt(dm, ctx->def, pid_hint > 0 ? pid_hint : 0, error);
  if (ok) {
    pid_t pid = nc_dnsmasq_get_pid(dm);
    if (pid != pid_hint)
      nc_log_network_name(ctx->def->name, G_LOG_LEVEL_MESSAGE,
                          "dnsmasq was not running; started it again (pid %d)", (int)pid);
    nc_virtual_dnsmasq_started(ctx, dm);
  }
  nc_virtual_dnsmasq_release(ctx, dm);
  return ok;
}

gboolean
nc_virtual_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  const char *br = def->bridge.name;
  if (!br) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "network '%s': no bridge name assigned",
                def->name);
    return FALSE;
  }
  NcLinkInfo info;
  int r = nc_link_get_info(env->kernel, br, &info);
  if (r == -ENODEV) {
    /* Nothing to keep: clear what is left (firewall, dnsmasq) and start over. */
    nc_log_network_name(def->name, G_LOG_LEVEL_MESSAGE,
                        "bridge '%s' is missing after the restart; starting the network again", br);
    nc_virtual_stop(env, def, live, NULL);
    nc_live_state_clear(live);
    return nc_virtual_start(env, def, live, error);
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot look up bridge '%s': %s", def->name, br, g_strerror(-r));
    return FALSE;
  }
  if (!g_str_equal(info.kind, "bridge")) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': device '%s' exists but is a '%s' device, not a bridge", def->name,
                br, info.kind[0] ? info.kind : "plain");
    return FALSE;
  }
  if (live->bridge_ifindex > 0 && live->bridge_ifindex != info.ifindex) {
    /* We create bridges with the definition's MAC: another MAC means someone
     * else's bridge took the name, and it is not ours to take over. */
    if (def->has_mac && memcmp(info.mac.addr, def->mac.addr, NC_MAC_LEN) != 0) {
      char have[18], want[18];
      nc_mac_format(&info.mac, have);
      nc_mac_format(&def->mac, want);
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                  "network '%s': bridge '%s' was replaced while netctld was down by a bridge "
                  "that is not ours (MAC %s, ours is %s); leaving it alone",
                  def->name, br, have, want);
      return FALSE;
    }
    nc_log_network_name(def->name, G_LOG_LEVEL_WARNING,
                        "bridge '%s' was re-created while netctld was down (ifindex %d, was %d); "
                        "adopting it",
                        br, info.ifindex, live->bridge_ifindex);
  }
  live->bridge_ifindex = info.ifindex;

  NcVirtualCtx ctx;
  nc_virtual_ctx_init(&ctx, env, def, live);
  repair_addresses(&ctx);
  if (!info.up) {
    nc_log_network_name(def->name, G_LOG_LEVEL_MESSAGE, "bridge '%s' was down; bringing it up", br);
    r = nc_link_set_up(env->kernel, info.ifindex, TRUE);
    if (r < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot bring up bridge '%s': %s", def->name, br, g_strerror(-r));
      return FALSE;
    }
  }
  nc_virtual_routes_apply(&ctx); /* EEXIST for those in place: untouched */
  return repair_firewall(&ctx, error) && nc_virtual_forwarding_apply(&ctx, error)
         && adopt_dnsmasq(&ctx, error) && nc_virtual_bandwidth_repair(&ctx, error);
}

/* -- live updates ---------------------------------------------------------------------- */

gboolean
nc_virtual_reconfigure(const NcDriverEnv *env, const NcNetworkDef *old_def,
                       const NcNetworkDef *new_def, NcLiveState *live, GError **error)
{
  const char *what = NULL;
  guint change = nc_virtual_classify_change(old_def, new_def, &what);
  if (change & NC_VIRTUAL_CHANGE_OTHER) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': %s cannot change while the network runs; restart the network "
                "(net-destroy, then net-start) to apply it",
                new_def->name, what);
    return FALSE;
  }
  NcVirtualCtx ctx;
  nc_virtual_ctx_init(&ctx, env, new_def, live);
  if ((change & NC_VIRTUAL_CHANGE_FIREWALL) && new_def->forward.mode != NC_FORWARD_OPEN
      && !nc_virtual_firewall_apply(&ctx, new_def, error))
    return FALSE;
  if (!(change & (NC_VIRTUAL_CHANGE_DNSMASQ_HOSTS | NC_VIRTUAL_CHANGE_DNSMASQ_RESTART)))
    return TRUE;

  /* nc_dnsmasq_apply rewrites the files and picks SIGHUP (hosts only) or a
   * restart (anything in the configuration file). */
  NcDnsmasq *dm = nc_virtual_dnsmasq_get(&ctx);
  gboolean ok = TRUE;
  if (nc_dnsmasq_get_pid(dm) == 0) {
    const char *hint = nc_live_state_get(live, NC_VIRTUAL_KEY_DNSMASQ_PID);
    ok = nc_dnsmasq_adopt(dm, old_def, hint ? (pid_t)strtol(hint, NULL, 10) : 0, error);
  }
  if (ok)
    ok = nc_dnsmasq_apply(dm, new_def, error);
  if (ok)
    nc_virtual_dnsmasq_started(&ctx, dm);
  nc_virtual_dnsmasq_release(&ctx, dm);
  return ok;
}
