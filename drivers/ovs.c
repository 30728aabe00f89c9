/* Open vSwitch bridge networks: <forward mode='bridge'/><bridge name='ovsbr0'/>
 * <virtualport type='openvswitch'/>. The host owns the OVS bridge; netctl
 * checks it is there and running, and puts guests' ports on it as libvirt
 * does (Interface external_ids iface-id, attached-mac, vm-id, iface-status),
 * marked as netctl's (drivers/kernel/ovsdb.h), with the port's VLANs and its
 * inbound bandwidth.
 *
 * A TAP netctl makes for attach-interface is made unplugged and added to the
 * OVS bridge; a port without a device of ours is plugged by its VMM (as
 * libvirt's QEMU driver runs ovs-vsctl add-port itself), so only the plug
 * and the interfaceid are filled for it.
 *
 * Bandwidth: inbound (to the guest) is a linux-htb QoS row on the port,
 * shaping the port's egress queue. Outbound (from the guest) is an OpenFlow
 * meter on a flow matching the port's in_port (drivers/kernel/ovs-ofctl.h):
 * OVS's own ingress_policing_rate is a tc police action, and this kernel
 * has no tc police (measured: no effect), so it would be silently ignored.
 *
 * Mirrors, NetFlow and sFlow (<netctl:mirror>, ...: ovs-monitor.h) are set
 * at start and adoption, changed live by net-update (reconfigure), updated
 * when a port comes (a mirror selecting by portgroup or name picks it up)
 * and removed at stop; only rows marked as the network's are touched.
 *
 * Stopping the network leaves the ports on the bridge (as the host-bridge
 * driver leaves TAPs on a host bridge); a netctld restart reconciles: ports
 * of ours that vanished are added again (port_adopt), ports marked as this
 * network's that netctl no longer has are removed (adopt). */
#include <errno.h>
#include <string.h>

#include "bridge-port.h"
#include "forward-driver.h"
#include "link-tap.h"
#include "nc-error.h"
#include "network-netctl-ovs.h"
#include "ovs-monitor.h"
#include "ovs-ofctl.h"
#include "ovsdb.h"

static const char *
port_label(const NcNetworkPortDef *port, char buf[static NC_UUID_STRING_LEN])
{
  nc_uuid_format(port->uuid, buf);
  return buf;
}

/* An error from the OVSDB layer, in words for the user. */
static void
set_ovs_error(GError **error, const NcNetworkDef *def, const char *what, int r,
              const char *detail)
{
  g_autofree char *socket = nc_ovsdb_default_socket();
  if (r == -ENOENT || r == -ECONNREFUSED) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': %s: Open vSwitch is not running (cannot connect to its database "
                "at %s: %s); start openvswitch-switch first",
                def->name, what, socket, g_strerror(-r));
    return;
  }
  g_set_error(error, NC_ERROR, r == -ETIMEDOUT ? NC_ERROR_OPERATION_TIMEOUT : NC_ERROR_SYSTEM_ERROR,
              "network '%s': %s: %s", def->name, what, detail ? detail : g_strerror(-r));
}

static gboolean
check_bridge(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_bridge_check(socket, def->bridge.name, &detail);
  if (r == -ENODEV) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': Open vSwitch bridge '%s' does not exist; create it first (for "
                "example `ovs-vsctl add-br %s`)",
                def->name, def->bridge.name, def->bridge.name);
    return FALSE;
  }
  if (r == -EIO) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': Open vSwitch bridge '%s' is not working: %s%s", def->name,
                def->bridge.name, detail ? detail : "error",
                detail && strstr(detail, "'system'")
                    ? "; without the openvswitch kernel module, use the userspace datapath "
                      "(`ovs-vsctl set bridge BRIDGE datapath_type=netdev`)"
                    : "");
    return FALSE;
  }
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("cannot check bridge '%s'", def->bridge.name);
    set_ovs_error(error, def, what, r, detail);
    return FALSE;
  }
  /* The netdev datapath's bridge has a TAP of its name; a system one a
   * kernel device. Neither needs to exist for ports to work. */
  NcLinkInfo info;
  live->bridge_ifindex = nc_link_get_info(env->kernel, def->bridge.name, &info) == 0 ? info.ifindex : 0;
  return TRUE;
}

/* The uuids of the network's ports netctl still has: their status files
 * (state_dir/NETWORK/ports/UUID.xml, daemon/port-status.h). Read here
 * because a network is adopted before its ports are loaded. */
static GHashTable *
known_ports(const NcDriverEnv *env, const NcNetworkDef *def)
{
  GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  if (!env->state_dir)
    return set;
  g_autofree char *dir = g_build_filename(env->state_dir, def->name, "ports", NULL);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    guint8 uuid[NC_UUID_LEN];
    char canonical[NC_UUID_STRING_LEN];
    if (!g_str_has_suffix(name, ".xml"))
      continue;
    g_autofree char *base = g_strndup(name, strlen(name) - 4);
    if (!nc_uuid_parse(base, uuid))
      continue;
    nc_uuid_format(uuid, canonical);
    g_hash_table_add(set, g_strdup(canonical));
  }
  return set;
}

/* Ports marked as this network's whose port netctl no longer has (deleted
 * while netctld was away, or a status file lost) are removed. */
static void
remove_stale_ports(const NcDriverEnv *env, const NcNetworkDef *def)
{
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autoptr(GHashTable) ours = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_list_ports(socket, def->bridge.name, def->name, &ours, &detail);
  if (r < 0) {
    g_warning("network '%s': cannot list its ports on '%s': %s", def->name, def->bridge.name,
              detail ? detail : g_strerror(-r));
    return;
  }
  g_autoptr(GHashTable) known = known_ports(env, def);
  GHashTableIter iter;
  gpointer name, uuid;
  g_hash_table_iter_init(&iter, ours);
  while (g_hash_table_iter_next(&iter, &name, &uuid)) {
    if (g_hash_table_contains(known, uuid))
      continue;
    g_clear_pointer(&detail, g_free);
    r = nc_ovsdb_port_del(socket, name, uuid, &detail);
    if (r < 0)
      g_warning("network '%s': cannot remove stale port %s from '%s': %s", def->name,
                (char *)name, def->bridge.name, detail ? detail : g_strerror(-r));
    else
      g_message("network '%s': port %s (%s) is no longer netctl's; removed from '%s'",
                def->name, (char *)name, (char *)uuid, def->bridge.name);
  }
}

static gboolean
ovs_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  if (!check_bridge(env, def, live, error))
    return FALSE;
  if (!nc_ovs_monitor_apply(def, error)) {
    live->bridge_ifindex = 0;
    return FALSE;
  }
  return TRUE;
}

static gboolean
ovs_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  nc_ovs_monitor_remove(def);
  live->bridge_ifindex = 0;
  return TRUE;
}

static gboolean
ovs_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  if (!check_bridge(env, def, live, error))
    return FALSE;
  remove_stale_ports(env, def);
  g_autoptr(GError) monitor_error = NULL;
  if (!nc_ovs_monitor_apply(def, &monitor_error))
    g_warning("%s", monitor_error->message);
  return TRUE;
}

static gboolean
ovs_reconfigure(const NcDriverEnv *env, const NcNetworkDef *old_def, const NcNetworkDef *new_def,
                NcLiveState *live, GError **error)
{
  if (g_strcmp0(old_def->bridge.name, new_def->bridge.name) != 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': the bridge of a running network cannot change; use --config, then "
                "restart the network",
                old_def->name);
    return FALSE;
  }
  /* a portgroup's virtualport may be all that made it OVS (network-kind.c) */
  if (nc_network_def_kind(new_def) != NC_NETWORK_KIND_OVS_BRIDGE) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': the change would make it a %s, not an Open vSwitch network, while "
                "it runs; use --config, then restart the network",
                old_def->name, nc_network_def_traits(new_def)->description);
    return FALSE;
  }
  /* net-update's netctl-mirror/-netflow/-sflow sections (network-update.h):
   * the same one OVSDB transaction as start, refused (nothing changed) as
   * start would be, e.g. for a mirror whose output port is not there; then
   * in effect for traffic already flowing when the call returns. */
  if (!nc_netctl_ovs_equal(nc_network_def_netctl_ovs(old_def), nc_network_def_netctl_ovs(new_def)))
    return nc_ovs_monitor_update(new_def, error);
  return TRUE;
}

/* -- ports ----------------------------------------------------------------------- */

/* OVS's VLAN columns from <vlan>, as libvirt's virNetDevOpenvswitchConstructVlans:
 * one tag without trunk='yes' is an access port; otherwise the tags are
 * trunks and a tag with nativeMode is the native VLAN. */
static void
vlan_columns(const NcVlan *vlan, NcOvsPort *p, GArray *trunks)
{
  if (!vlan || !vlan->tags || vlan->tags->len == 0)
    return;
  if (vlan->tags->len == 1 && vlan->trunk != NC_TRISTATE_YES) {
    p->tag = g_array_index(vlan->tags, NcVlanTag, 0).id;
    return;
  }
  p->vlan_mode = "trunk";
  for (guint i = 0; i < vlan->tags->len; i++) {
    const NcVlanTag *t = &g_array_index(vlan->tags, NcVlanTag, i);
    g_array_append_val(trunks, t->id);
    switch (t->native_mode) {
    case NC_VLAN_NATIVE_TAGGED:
      p->tag = t->id;
      p->vlan_mode = "native-tagged";
      break;
    case NC_VLAN_NATIVE_UNTAGGED:
      p->tag = t->id;
      p->vlan_mode = "native-untagged";
      break;
    case NC_VLAN_NATIVE_DEFAULT:
    case _NC_VLAN_NATIVE_MAX:
      break;
    }
  }
  p->trunks = (const guint *)trunks->data;
  p->n_trunks = trunks->len;
}

static gboolean
check_port(const NcNetworkDef *def, const NcNetworkPortDef *port, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  if (port->virtualport && port->virtualport->type != NC_VIRTUALPORT_OPENVSWITCH) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': port %s: <virtualport type='%s'> does not fit an Open vSwitch "
                "bridge (type='openvswitch')",
                def->name, port_label(port, uuid),
                nc_virtualport_type_to_string(port->virtualport->type));
    return FALSE;
  }
  if (port->bandwidth && port->bandwidth->in && port->bandwidth->in->floor) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': port %s: 'floor' is supported only on networks with a Linux "
                "bridge",
                def->name, port_label(port, uuid));
    return FALSE;
  }
  return TRUE;
}

/* libvirt gives an openvswitch port an interfaceid when it has none; kept
 * in the port (its XML and status) so it stays the same across restarts. */
static void
fill_port(const NcNetworkDef *def, NcNetworkPortDef *port)
{
  port->plug_type = NC_PORT_PLUG_BRIDGE;
  g_free(port->plug_bridge.brname);
  port->plug_bridge.brname = g_strdup(def->bridge.name);
  port->plug_bridge.mac_table_manager = def->bridge.mac_table_manager;
  if (!port->virtualport) {
    port->virtualport = nc_virtualport_new();
    port->virtualport->type = NC_VIRTUALPORT_OPENVSWITCH;
  }
  if (!port->virtualport->has_interfaceid) {
    nc_uuid_generate(port->virtualport->interfaceid);
    port->virtualport->has_interfaceid = TRUE;
  }
}

/* The key in the network's live data keeping the OVS Port row's _uuid of a
 * port netctl put on the bridge, so its detach is one transaction. Lost or
 * stale (a restart, someone re-adding the port), the detach finds the port
 * by name instead. Caller frees. */
static char *
ovs_uuid_key(const NcNetworkPortDef *port)
{
  char uuid[NC_UUID_STRING_LEN];
  return g_strconcat("ovs-port-", port_label(port, uuid), NULL);
}

/* Puts the port on the bridge; *ret_ofport: its OpenFlow port number (-1:
 * unknown). */
static gboolean
add_to_bridge(const NcNetworkDef *def, NcLiveState *live, const NcNetworkPortDef *port,
              const char *device, int *ret_ofport, GError **error)
{
  char uuid[NC_UUID_STRING_LEN], iface_id[NC_UUID_STRING_LEN], vm_id[NC_UUID_STRING_LEN];
  char mac[18];
  nc_uuid_format(port->uuid, uuid);
  nc_uuid_format(port->virtualport->interfaceid, iface_id);
  nc_uuid_format(port->owner_uuid, vm_id);
  nc_mac_format(&port->mac, mac);
  g_autoptr(GArray) trunks = g_array_new(FALSE, FALSE, sizeof(guint));
  NcOvsPort p = {
    .bridge = def->bridge.name,
    .name = device,
    .network = def->name,
    .port_uuid = uuid,
    .iface_id = iface_id,
    .attached_mac = mac,
    .vm_id = nc_uuid_is_zero(port->owner_uuid) ? NULL : vm_id,
    .profileid = port->virtualport->profileid,
    .portgroup = nc_ovs_port_group(def, port),
  };
  vlan_columns(port->vlan, &p, trunks);
  const NcBandwidthRate *in = port->bandwidth ? port->bandwidth->in : NULL;
  if (in && in->average) {
    /* kB (1000 bytes) per second, as tc's kbps; OVS counts bits. */
    p.in_max_rate = in->average * 8000;
    p.in_burst = in->burst * 8000;
  }
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *detail = NULL;
  g_autofree char *ovs_uuid = NULL;
  *ret_ofport = -1;
  int r = nc_ovsdb_port_add_full(socket, &p, &ovs_uuid, ret_ofport, &detail);
  if (r == 0) {
    g_autofree char *key = ovs_uuid_key(port);
    nc_live_state_set(live, key, ovs_uuid);
  }
  if (r == -EEXIST) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: Open vSwitch already has a port '%s' that is not this "
                "port's; choose another target",
                def->name, uuid, device);
    return FALSE;
  }
  if (r == -ENODEV) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: Open vSwitch bridge '%s' no longer exists", def->name,
                uuid, def->bridge.name);
    return FALSE;
  }
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("port %s: cannot add '%s' to Open vSwitch bridge '%s'",
                                            uuid, device, def->bridge.name);
    set_ovs_error(error, def, what, r, detail);
    return FALSE;
  }
  return TRUE;
}

static int
remove_from_bridge(NcLiveState *live, const NcNetworkPortDef *port, const char *device,
                   char **ret_detail)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *key = ovs_uuid_key(port);
  int r = nc_ovsdb_port_del_uuid(socket, device, uuid, nc_live_state_get(live, key), ret_detail);
  if (r == 0)
    nc_live_state_set(live, key, NULL);
  return r;
}

static const NcBandwidthRate *
outbound(const NcNetworkPortDef *port)
{
  const NcBandwidthRate *out = port->bandwidth ? port->bandwidth->out : NULL;
  return out && out->average ? out : NULL;
}

/* The guest's outbound limit: a meter numbered after its OpenFlow port (one
 * per port on a bridge) and the flow sending its traffic through it. With
 * `set` FALSE, removes them. ofport: the port's number when the caller
 * knows it (from the add), -1: read from OVSDB. */
static gboolean
apply_meter(const NcNetworkDef *def, const NcNetworkPortDef *port, const char *device,
            int ofport, gboolean set, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *socket = nc_ovsdb_default_socket();
  int r = 0;
  if (ofport <= 0)
    r = nc_ovsdb_interface_ofport(socket, device, &ofport);
  if (r < 0 || ofport <= 0)
    return !set; /* not on the bridge: nothing to remove; add_to_bridge said why */
  g_autoptr(NcSpawner) spawner = nc_spawner_new();
  g_autofree char *detail = NULL;
  const NcBandwidthRate *out = outbound(port);
  if (set) {
    /* kB/s -> kbit/s; burst in kB, default one second of average as tc's
     * HTB (a tenth of a second measured half the rate for TCP: the drop
     * band's losses make it back off too often) */
    guint64 burst = (out->burst ? out->burst : out->average) * 8;
    r = nc_ovs_meter_set(spawner, def->bridge.name, (guint)ofport, ofport, out->average * 8,
                         burst, &detail);
  } else {
    r = nc_ovs_meter_del(spawner, def->bridge.name, (guint)ofport, &detail);
  }
  if (r < 0 && set) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot limit what '%s' sends (OpenFlow meter): %s",
                def->name, port_label(port, uuid), device, detail ? detail : g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

static gboolean
ovs_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
               NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  if (!check_port(def, port, error))
    return FALSE;
  fill_port(def, port);
  if (!dev || !dev->create)
    return TRUE; /* the VMM adds its own device to the bridge */
  if (!nc_port_tap_make(env, def, port, 0, dev, error))
    return FALSE;
  int ofport;
  if (!add_to_bridge(def, live, port, dev->name, &ofport, error)
      || (outbound(port) && !apply_meter(def, port, dev->name, ofport, TRUE, error))) {
    remove_from_bridge(live, port, dev->name, NULL);
    nc_port_tap_delete(env, port, dev);
    dev->ifindex = 0;
    return FALSE;
  }
  nc_ovs_monitor_port_added(def);
  return TRUE;
}

static gboolean
ovs_port_free(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
              const NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  if (!dev || !dev->create || !dev->name[0])
    return TRUE;
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *detail = NULL;
  if (outbound(port))
    apply_meter(def, port, dev->name, -1, FALSE, NULL);
  int r = remove_from_bridge(live, port, dev->name, &detail);
  int r2 = nc_port_tap_delete(env, port, dev);
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("port %s: cannot remove '%s' from Open vSwitch",
                                            port_label(port, uuid), dev->name);
    set_ovs_error(error, def, what, r, detail);
    return FALSE;
  }
  if (r2 < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot delete device '%s': %s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r2));
    return FALSE;
  }
  dev->ifindex = 0;
  return TRUE;
}

static gboolean
ovs_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
               NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  if (!check_port(def, port, error))
    return FALSE;
  fill_port(def, port);
  if (!dev || !dev->create || !dev->name[0])
    return TRUE;
  NcTapInfo info;
  gboolean made = FALSE;
  if (!nc_port_tap_readopt(env, def, port, 0, dev, &info, &made, error))
    return FALSE;
  if (!made && !info.link.up)
    nc_link_set_up(env->kernel, dev->ifindex, TRUE);
  /* Added again when it vanished, brought up to date when it is there (a
   * meter removed when the port no longer asks for one). */
  int ofport;
  if (!add_to_bridge(def, live, port, dev->name, &ofport, error)
      || !apply_meter(def, port, dev->name, ofport, outbound(port) != NULL, error))
    return FALSE;
  nc_ovs_monitor_port_added(def);
  return TRUE;
}

const NcForwardDriver nc_driver_ovs = {
  .kind = NC_NETWORK_KIND_OVS_BRIDGE,
  .validate = NULL,
  .start = ovs_start,
  .stop = ovs_stop,
  .adopt = ovs_adopt,
  .reconfigure = ovs_reconfigure,
  .port_alloc = ovs_port_alloc,
  .port_free = ovs_port_free,
  .port_adopt = ovs_port_adopt,
};
