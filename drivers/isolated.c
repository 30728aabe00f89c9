/* Forward mode "none" (an isolated network): a Linux bridge of our own that
 * guests plug into, with no route out and, for now, no addresses.
 *
 * A network of this mode with <ip> elements needs dnsmasq and addresses on
 * the bridge; that belongs to the managed-bridge driver of the NAT issue, so
 * start refuses it with "not supported yet". */
#include <errno.h>

#include "forward-driver.h"
#include "nc-error.h"
#include "nc-log.h"

static gboolean
check_supported(const NcNetworkDef *def, GError **error)
{
  if (def->ips && def->ips->len > 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': an isolated network with <ip> addresses is not supported yet "
                "(it needs dnsmasq); remove the <ip> elements",
                def->name);
    return FALSE;
  }
  if (!def->bridge.name) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "network '%s': no bridge name assigned",
                def->name);
    return FALSE;
  }
  return TRUE;
}

/* libvirt: disable IPv6 on a bridge that has no IPv6 address unless
 * ipv6='yes'; otherwise keep the kernel from autoconfiguring it. A kernel
 * without IPv6 has no such files, which is fine. */
static int
set_ipv6_sysctls(const NcDriverEnv *env, const NcNetworkDef *def)
{
  const char *br = def->bridge.name;
  struct {
    const char *name, *value;
  } settings[2];
  gsize n = 0;
  if (def->ipv6 != NC_TRISTATE_YES) {
    settings[n++] = (typeof(settings[0])){ "disable_ipv6", "1" };
  } else {
    settings[n++] = (typeof(settings[0])){ "accept_ra", "0" };
    settings[n++] = (typeof(settings[0])){ "autoconf", "0" };
  }
  for (gsize i = 0; i < n; i++) {
    g_autofree char *key = nc_sysctl_iface_key("ipv6", br, settings[i].name);
    if (!key)
      return -EINVAL;
    int r = nc_sysctl_write(env->kernel, key, settings[i].value);
    if (r == -ENOENT && i == 0)
      return 0; /* no IPv6 in this kernel */
    if (r < 0)
      return r;
  }
  return 0;
}

static gboolean
isolated_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  if (!check_supported(def, error))
    return FALSE;

  const char *br = def->bridge.name;
  NcBridgeConfig config = {
    .name = br,
    .mac = def->has_mac ? &def->mac : NULL,
    .mtu = def->has_mtu ? def->mtu : 0,
    .stp = def->bridge.stp != NC_SWITCH_OFF, /* libvirt's default is on */
    .forward_delay = def->bridge.has_delay ? def->bridge.delay * 100 : 0,
  };
  int ifindex = 0;
  int r = nc_bridge_create(env->kernel, &config, &ifindex);
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

  const char *step = "set the IPv6 sysctls of";
  r = set_ipv6_sysctls(env, def);
  if (r == 0) {
    step = "bring up";
    r = nc_link_set_up(env->kernel, ifindex, TRUE);
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "network '%s': cannot %s bridge '%s': %s",
                def->name, step, br, g_strerror(-r));
    nc_link_delete(env->kernel, ifindex);
    return FALSE;
  }

  live->bridge_ifindex = ifindex;
  nc_log_network_name(def->name, G_LOG_LEVEL_DEBUG, "bridge '%s' created (ifindex %d)", br,
                      ifindex);
  return TRUE;
}

static gboolean
isolated_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  const char *br = def->bridge.name;
  int ifindex = live->bridge_ifindex;
  NcLinkInfo info;

  /* Without a recorded ifindex (a status file from libvirt, or a start cut
   * short), delete the device by name only when it is a bridge. */
  if (ifindex <= 0 && br && nc_link_get_info(env->kernel, br, &info) == 0
      && g_str_equal(info.kind, "bridge"))
    ifindex = info.ifindex;
  if (ifindex <= 0)
    return TRUE;

  int r = nc_link_delete(env->kernel, ifindex);
  if (r < 0 && r != -ENODEV) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot delete bridge '%s' (ifindex %d): %s", def->name,
                br ? br : "?", ifindex, g_strerror(-r));
    return FALSE;
  }
  live->bridge_ifindex = 0;
  return TRUE;
}

static gboolean
isolated_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  if (!check_supported(def, error))
    return FALSE;

  const char *br = def->bridge.name;
  NcLinkInfo info;
  int r = nc_link_get_info(env->kernel, br, &info);
  if (r == -ENODEV) {
    nc_log_network_name(def->name, G_LOG_LEVEL_MESSAGE,
                        "bridge '%s' is missing after the restart; creating it again", br);
    nc_live_state_clear(live);
    return isolated_start(env, def, live, error);
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
  if (live->bridge_ifindex > 0 && live->bridge_ifindex != info.ifindex)
    nc_log_network_name(def->name, G_LOG_LEVEL_WARNING,
                        "bridge '%s' was replaced while netctld was down (ifindex %d, was %d); "
                        "adopting it",
                        br, info.ifindex, live->bridge_ifindex);
  live->bridge_ifindex = info.ifindex;

  if (!info.up) {
    nc_log_network_name(def->name, G_LOG_LEVEL_MESSAGE, "bridge '%s' was down; bringing it up", br);
    r = nc_link_set_up(env->kernel, info.ifindex, TRUE);
    if (r < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot bring up bridge '%s': %s", def->name, br, g_strerror(-r));
      return FALSE;
    }
  }
  return TRUE;
}

const NcForwardDriver nc_driver_isolated = {
  .mode = NC_FORWARD_NONE,
  .validate = NULL,
  .start = isolated_start,
  .stop = isolated_stop,
  .adopt = isolated_adopt,
  .reconfigure = NULL,
  .port_alloc = NULL,
  .port_free = NULL,
};
