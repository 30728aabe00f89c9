/* Ports on a Linux bridge (see bridge-port.h).
 *
 * As libvirt's QEMU driver makes a guest's TAP: the TAP's own MAC is the
 * guest's with the first byte 0xfe (so the bridge never takes the guest's
 * address as its own), its MTU the network's, and it is enslaved and up
 * before anyone uses it. Ours carry an alias naming the port, which is how
 * a restarted netctld tells its TAP from a device someone else made under
 * the same name. */
#include <errno.h>
#include <string.h>

#include "bridge-port.h"
#include "link-tagged.h"
#include "link-tap.h"
#include "macmap.h"
#include "nc-error.h"
#include "port-bandwidth.h"
#include "tc.h"

static const char *
port_label(const NcNetworkPortDef *port, char buf[static NC_UUID_STRING_LEN])
{
  nc_uuid_format(port->uuid, buf);
  return buf;
}

static void
fill_plug(const NcNetworkDef *def, const char *bridge, NcNetworkPortDef *port)
{
  port->plug_type = nc_network_def_traits(def)->plug;
  g_free(port->plug_bridge.brname);
  port->plug_bridge.brname = g_strdup(bridge);
  port->plug_bridge.mac_table_manager = def->bridge.mac_table_manager;
}

/* Where a Linux bridge cannot do what the port asks (or its floor does not
 * fit), say so before anything is made. */
static gboolean
check_supported(const NcNetworkDef *def, const NcLiveState *live, const NcNetworkPortDef *port,
                GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  if (port->vlan && port->vlan->tags && port->vlan->tags->len > 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': port %s: VLAN tags need an Open vSwitch bridge or a hostdev "
                "network; a Linux bridge port cannot carry them",
                def->name, port_label(port, uuid));
    return FALSE;
  }
  if (port->virtualport && port->virtualport->type != NC_VIRTUALPORT_NONE) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': port %s: <virtualport type='%s'> is not supported on a Linux bridge",
                def->name, port_label(port, uuid),
                nc_virtualport_type_to_string(port->virtualport->type));
    return FALSE;
  }
  return nc_port_floor_check(def, live, port, error);
}

/* The guest's inbound limit on the TAP's egress (what the bridge sends to
 * the guest), as libvirt's virNetDevBandwidthSet on a TAP. */
static int
apply_bandwidth(const NcDriverEnv *env, const NcNetworkPortDef *port, int ifindex, gboolean fresh)
{
  if (!port->bandwidth || !port->bandwidth->in || !port->bandwidth->in->average)
    return fresh ? 0 : nc_tc_clear_egress(env->kernel, ifindex); /* a new TAP has none */
  const NcBandwidthRate *in = port->bandwidth->in;
  NcTcRate rate = { .average = in->average, .peak = in->peak, .burst = in->burst };
  return fresh ? nc_tc_add_egress_limit(env->kernel, ifindex, &rate)
               : nc_tc_set_egress_limit(env->kernel, ifindex, &rate);
}

/* Isolation and bandwidth of a plugged TAP. */
static gboolean
apply_policy(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
             const NcPortDevice *dev, gboolean fresh, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  int r = 0;
  if (port->isolated == NC_TRISTATE_YES)
    r = nc_bridge_port_set_isolated(env->kernel, dev->ifindex, TRUE);
  if (r < 0) {
    g_set_error(error, NC_ERROR, r == -EOPNOTSUPP ? NC_ERROR_NO_SUPPORT : NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot isolate bridge port %s: %s%s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r),
                r == -EOPNOTSUPP ? " (this kernel has no bridge port isolation, Linux >= 4.18)"
                                 : "");
    return FALSE;
  }
  r = apply_bandwidth(env, port, dev->ifindex, fresh);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot shape %s (sch_htb): %s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r));
    return FALSE;
  }
  return nc_port_outbound_apply(env, def, port, dev, fresh, error);
}

static void
macmap_update(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
              const NcNetworkPortDef *port, gboolean add)
{
  if (!nc_network_def_traits(def)->dnsmasq || !port->owner_name || !env->dnsmasq_dir)
    return;
  char mac[18];
  nc_mac_format(&port->mac, mac);
  int r = add ? nc_macmap_add(env->dnsmasq_dir, bridge, port->owner_name, mac)
              : nc_macmap_remove(env->dnsmasq_dir, bridge, port->owner_name, mac);
  if (r < 0)
    g_warning("network '%s': cannot %s %s in the MAC map of %s: %s", def->name,
              add ? "record" : "remove", mac, bridge, g_strerror(-r));
}

static guint
tap_mtu(const NcNetworkDef *def, const NcPortDevice *dev)
{
  if (dev->mtu)
    return dev->mtu;
  return def->has_mtu ? def->mtu : 0; /* 0: the kernel's, the bridge adapts */
}

gboolean
nc_port_tap_make(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
                 int bridge_ifindex, NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  NcMac tap_mac = port->mac;
  tap_mac.addr[0] = 0xfe;
  NcTapConfig config = {
    .name = dev->name[0] ? dev->name : "vnet%d",
    .owner = dev->owner,
    .group = dev->group,
    .vnet_hdr = dev->vnet_hdr,
    .queues = dev->queues,
    .mac = &tap_mac,
    .mtu = tap_mtu(def, dev),
    .alias = alias,
    .master_ifindex = bridge_ifindex,
    .up = TRUE,
    /* A bridge port: the host needs no IPv6 link-local on it, and each one
     * lengthens the kernel's IPv6 table walks (measured at 1000 ports). */
    .no_ipv6 = TRUE,
  };
  char name[16] = "";
  int ifindex = 0;
  if (dev->name[0]) /* a detached TAP of that name may still be on its way out */
    nc_link_wait_deleted(env->kernel, dev->name);
  int r = nc_tap_create(env->kernel, &config, name, &ifindex);
  if (r == -EEXIST) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: device '%s' already exists; choose another target",
                def->name, port_label(port, uuid), dev->name);
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot create TAP device '%s': %s", def->name,
                port_label(port, uuid), config.name, g_strerror(-r));
    return FALSE;
  }
  g_strlcpy(dev->name, name, sizeof dev->name);
  dev->ifindex = ifindex;
  return TRUE;
}

int
nc_port_device_delete(const NcDriverEnv *env, const NcNetworkPortDef *port, NcPortDevice *dev,
                      const char *kind)
{
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  int ifindex = 0;
  int r = nc_link_find_tagged(env->kernel, dev->name, kind, alias, &ifindex);
  if (r <= 0)
    return r; /* gone, or someone else's now: not ours to delete */
  /* Deleted off the main loop with other detached devices in one batch. */
  r = nc_link_delete_deferred_device(env->kernel, ifindex, dev->name);
  return r == -ENODEV ? 0 : r;
}

int
nc_port_tap_delete(const NcDriverEnv *env, const NcNetworkPortDef *port, NcPortDevice *dev)
{
  return nc_port_device_delete(env, port, dev, NULL);
}

gboolean
nc_port_device_free(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
                    NcPortDevice *dev, const char *kind, GError **error)
{
  int r = nc_port_device_delete(env, port, dev, kind);
  if (r < 0) {
    char uuid[NC_UUID_STRING_LEN];
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot delete device '%s': %s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r));
    return FALSE;
  }
  dev->ifindex = 0;
  return TRUE;
}

gboolean
nc_port_tap_readopt(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
                    int master_ifindex, NcPortDevice *dev, NcTapInfo *ret_info, gboolean *ret_made,
                    GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  *ret_made = FALSE;
  int r = nc_tap_get_info(env->kernel, dev->name, ret_info);
  if (r == -ENODEV) {
    /* Gone while we were away (or deleted by hand): the guest's VMM, if
     * any, lost it anyway; make it again so a VMM started now finds it. */
    *ret_made = nc_port_tap_make(env, def, port, master_ifindex, dev, error);
    return *ret_made;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot look up device '%s': %s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r));
    return FALSE;
  }
  if (!g_str_equal(ret_info->alias, alias)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: device '%s' is no longer this port's TAP (someone else "
                "made a device of that name); left alone",
                def->name, port_label(port, uuid), dev->name);
    return FALSE;
  }
  dev->ifindex = ret_info->link.ifindex;
  return TRUE;
}

gboolean
nc_bridge_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                     NcLiveState *live, NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  if (!check_supported(def, live, port, error))
    return FALSE;
  fill_plug(def, bridge, port);
  gboolean made = dev && dev->create;
  if (made && !nc_port_tap_make(env, def, port, live->bridge_ifindex, dev, error))
    return FALSE;
  if ((made && !apply_policy(env, def, port, dev, TRUE, error))
      || !nc_port_floor_apply(env, def, live, port, error)) {
    if (made) {
      nc_port_outbound_remove(env, port, dev);
      nc_port_tap_delete(env, port, dev);
      dev->ifindex = 0;
    }
    return FALSE;
  }
  macmap_update(env, def, bridge, port, TRUE);
  return TRUE;
}

gboolean
nc_bridge_port_free(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                    NcLiveState *live, const NcNetworkPortDef *port, NcPortDevice *dev,
                    GError **error)
{
  if (bridge)
    macmap_update(env, def, bridge, port, FALSE);
  nc_port_floor_release(env, def, live, port);
  if (!dev || !dev->create || !dev->name[0])
    return TRUE;
  nc_port_outbound_remove(env, port, dev);
  return nc_port_device_free(env, def, port, dev, NULL, error);
}

/* The guest's TAP of a port netctl did not make (libvirt's QEMU driver made
 * it): when its bridge was replaced (the network restarted), it is a TAP
 * with the guest's MAC, first byte 0xfe (0xfa for a guest MAC starting with
 * 0xfe, as libvirt does), on no bridge. Plugged in when found; going beyond
 * libvirt, which strands such guests until they are restarted. */
static gboolean
replug_vmm_tap(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
               int bridge_ifindex, const NcNetworkPortDef *port)
{
  NcMac tap_mac = port->mac;
  tap_mac.addr[0] = port->mac.addr[0] == 0xfe ? 0xfa : 0xfe;
  NcLinkInfo info;
  char name[16];
  if (nc_link_find_unplugged_tap(env->kernel, &tap_mac, &info, name) < 0)
    return TRUE; /* plugged already, or the guest is gone: nothing to do */
  char uuid[NC_UUID_STRING_LEN];
  int r = nc_link_set_master(env->kernel, info.ifindex, bridge_ifindex, TRUE);
  if (r < 0)
    g_warning("network '%s': port %s: cannot plug the guest's TAP %s into %s: %s", def->name,
              port_label(port, uuid), name, bridge, g_strerror(-r));
  else
    g_message("network '%s': port %s: the guest's TAP %s plugged into %s again", def->name,
              port_label(port, uuid), name, bridge);
  return TRUE;
}

/* The TAP's part of adoption; the floor is the bridge's (adopt below). */
static gboolean
adopt_tap(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge, int bridge_ifindex,
          NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  if (!dev || !dev->create || !dev->name[0])
    return replug_vmm_tap(env, def, bridge, bridge_ifindex, port);

  NcTapInfo info;
  gboolean made = FALSE;
  if (!nc_port_tap_readopt(env, def, port, bridge_ifindex, dev, &info, &made, error))
    return FALSE;
  if (made)
    return apply_policy(env, def, port, dev, TRUE, error);
  if (info.master_ifindex != bridge_ifindex || !info.link.up) {
    int r = nc_link_set_master(env->kernel, dev->ifindex, bridge_ifindex, TRUE);
    if (r < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': port %s: cannot plug '%s' into bridge '%s': %s", def->name,
                  port_label(port, uuid), dev->name, bridge, g_strerror(-r));
      return FALSE;
    }
  }
  /* Also what the port says now (a new bandwidth, isolation), and what a
   * restarted bridge forgot (isolation is a bridge port's flag). */
  return apply_policy(env, def, port, dev, FALSE, error);
}

gboolean
nc_bridge_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, const char *bridge,
                     NcLiveState *live, NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  fill_plug(def, bridge, port);
  macmap_update(env, def, bridge, port, TRUE);
  /* The floor first: a live change it refuses leaves the TAP as it was. */
  return nc_port_floor_apply(env, def, live, port, error)
         && adopt_tap(env, def, bridge, live->bridge_ifindex, port, dev, error);
}
