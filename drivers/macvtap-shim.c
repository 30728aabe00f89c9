/* The host shim of a macvtap network (see macvtap-private.h and
 * xml/network-netctl-ns.h).
 *
 * The kernel hands a frame from a macvtap guest to the other macvlan/
 * macvtap devices of the same uplink (bridge mode) or to the wire, never to
 * the uplink's own host stack: the host cannot reach its guests through the
 * uplink. A macvlan of the host on the same uplink, in the guests' mode,
 * is one more member of that group: with an address in the guests' subnet
 * the host and its guests talk. netctl makes it at start (down first, up
 * once addressed), tags it with an alias naming the network, and deletes
 * it at stop; adoption makes it again when it vanished.
 *
 * Only bridge-mode networks get one: in vepa mode the frames would have to
 * come back from the switch (a reflective relay netctl cannot check), in
 * private mode nothing may talk to the guests, and in passthrough mode the
 * uplink is the guest's. */
#include <errno.h>

#include "addr.h"
#include "link-macvtap.h"
#include "macvtap-private.h"
#include "nc-error.h"
#include "network-netctl-ns.h"

static const NcHostShim *
shim_of(const NcNetworkDef *def)
{
  return def->netctl ? def->netctl->host_shim : NULL;
}

static char *
shim_alias(const NcNetworkDef *def)
{
  return g_strconcat("netctl-shim:", def->name, NULL);
}

gboolean
nc_macvtap_shim_validate(const NcNetworkDef *def, GError **error)
{
  const NcHostShim *shim = shim_of(def);
  if (!shim || def->forward.mode == NC_FORWARD_BRIDGE)
    return TRUE;
  g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
              "network '%s': <netctl:host-shim> needs forward mode 'bridge' (its guests talk to "
              "each other and to the shim on the uplink); forward mode '%s' %s",
              def->name, nc_forward_mode_to_string(def->forward.mode),
              def->forward.mode == NC_FORWARD_VEPA
                  ? "sends every frame to the switch, which would have to send it back"
              : def->forward.mode == NC_FORWARD_PRIVATE ? "lets nothing talk to the guests"
                                                        : "gives the whole uplink to one guest");
  return FALSE;
}

/* The shim when it is ours: its ifindex, 0 when absent, -1 when the name is
 * another device's. */
static int
find_shim(const NcDriverEnv *env, const NcNetworkDef *def, const NcHostShim *shim)
{
  NcMacvtapInfo info;
  int r = nc_macvtap_get_info(env->kernel, shim->dev, &info);
  if (r < 0)
    return 0;
  g_autofree char *alias = shim_alias(def);
  return info.is_macvlan && g_str_equal(info.alias, alias) ? info.link.ifindex : -1;
}

static gboolean
make_shim(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  const NcHostShim *shim = shim_of(def);
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  const char *uplink = pool->len ? pool->pdata[0] : NULL;
  NcLinkInfo up;
  int r = uplink ? nc_link_get_info(env->kernel, uplink, &up) : -ENODEV;
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': host shim '%s': uplink '%s': %s", def->name, shim->dev,
                uplink ? uplink : "(none)", g_strerror(-r));
    return FALSE;
  }
  g_autofree char *alias = shim_alias(def);
  NcMacvtapConfig config = {
    .name = shim->dev,
    .macvlan = TRUE,
    .link_ifindex = up.ifindex,
    .mode = NC_MACVTAP_MODE_BRIDGE,
    .mtu = up.mtu,
    .alias = alias,
    .up = FALSE,
  };
  char name[16];
  int ifindex = 0;
  r = nc_macvtap_create(env->kernel, &config, name, &ifindex);
  if (r < 0) {
    g_set_error(error, NC_ERROR, r == -EEXIST ? NC_ERROR_OPERATION_INVALID : NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot create the host shim '%s' on '%s': %s", def->name,
                shim->dev, uplink,
                r == -EEXIST ? "a device of that name exists; choose another dev="
                             : g_strerror(-r));
    return FALSE;
  }
  r = nc_addr_add(env->kernel, ifindex, &shim->address, shim->prefix);
  if (r == 0)
    r = nc_link_set_up(env->kernel, ifindex, TRUE);
  if (r < 0) {
    g_autofree char *addr = nc_sockaddr_format(&shim->address);
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot give the host shim '%s' the address %s/%u: %s", def->name,
                shim->dev, addr, shim->prefix, g_strerror(-r));
    nc_link_delete(env->kernel, ifindex);
    return FALSE;
  }
  return TRUE;
}

gboolean
nc_macvtap_shim_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                      GError **error)
{
  return !shim_of(def) || make_shim(env, def, live, error);
}

gboolean
nc_macvtap_shim_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                     GError **error)
{
  const NcHostShim *shim = shim_of(def);
  if (!shim)
    return TRUE;
  int ifindex = find_shim(env, def, shim);
  int r = ifindex > 0 ? nc_link_delete(env->kernel, ifindex) : 0;
  if (r < 0 && r != -ENODEV) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot delete the host shim '%s': %s", def->name, shim->dev,
                g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

gboolean
nc_macvtap_shim_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                      GError **error)
{
  const NcHostShim *shim = shim_of(def);
  if (!shim)
    return TRUE;
  int ifindex = find_shim(env, def, shim);
  if (ifindex > 0)
    return TRUE; /* in place: left as it is */
  if (ifindex < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': device '%s' is no longer the network's host shim (someone else "
                "made a device of that name); left alone",
                def->name, shim->dev);
    return FALSE;
  }
  return make_shim(env, def, live, error);
}
