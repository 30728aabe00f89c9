/* Ports: one guest interface's place on a network (libvirt's
 * virNetworkPort), kept by the network that owns them.
 *
 * libvirt's rules (bridge_driver.c networkPortCreateXML/networkAllocatePort)
 * unless noted. Beyond libvirt:
 *  - a port's MAC must be unique on its network;
 *  - attach-interface ports: netctl makes the guest's TAP too (NcTapRequest);
 *  - ports survive a stop of their network: the guests' devices are cut off,
 *    and plugged back into the new bridge when the network starts again
 *    (libvirt deletes every port on destroy, stranding running guests);
 *  - port status and the TAPs netctl made survive a netctld restart: a TAP
 *    that vanished meanwhile is made again, one someone else made under the
 *    same name is left alone. */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "bridge-port.h"
#include "hooks.h"
#include "nc-daemon-private.h"
#include "nc-error.h"
#include "nc-log.h"
#include "port-merge.h"
#include "port-reclaim.h"
#include "port-bandwidth.h"
#include "port-status.h"
#include "status.h"

#define MAX_TAP_QUEUES 256 /* the kernel's MAX_TAP_QUEUES */

static NcPort *
port_new(NcNetwork *net, NcNetworkPortDef *def, const NcPortDevice *dev)
{
  NcPort *port = g_new0(NcPort, 1);
  port->ref = 1;
  port->net = net;
  port->def = def;
  nc_uuid_format(def->uuid, port->uuid_str);
  if (dev)
    port->dev = *dev;
  else
    port->dev.owner = port->dev.group = -1;
  return port;
}

NcPort *
nc_port_ref(NcPort *port)
{
  g_atomic_int_inc(&port->ref);
  return port;
}

void
nc_port_unref(NcPort *port)
{
  if (!port || !g_atomic_int_dec_and_test(&port->ref))
    return;
  nc_network_port_def_free(port->def);
  g_free(port);
}

static void
ensure_table(NcNetwork *net)
{
  if (net->ports)
    return;
  net->ports = g_ptr_array_new_with_free_func((GDestroyNotify)nc_port_unref);
  net->port_uuids = g_hash_table_new(g_str_hash, g_str_equal);
}

static void
table_add(NcNetwork *net, NcPort *port)
{
  ensure_table(net);
  g_ptr_array_add(net->ports, port);
  g_hash_table_insert(net->port_uuids, port->uuid_str, port);
}

/* Drops the table's reference; the caller keeps its own. */
static void
table_remove(NcNetwork *net, NcPort *port)
{
  g_hash_table_remove(net->port_uuids, port->uuid_str);
  port->net = NULL;
  g_ptr_array_remove(net->ports, port);
}

void
nc_network_ports_free(NcNetwork *net)
{
  for (guint i = 0; net->ports && i < net->ports->len; i++)
    ((NcPort *)net->ports->pdata[i])->net = NULL;
  g_clear_pointer(&net->port_uuids, g_hash_table_unref);
  g_clear_pointer(&net->ports, g_ptr_array_unref);
}

void
nc_network_ports_count_connections(NcNetwork *net)
{
  net->def->connections = net->active ? nc_network_port_count(net) : 0;
  /* Per <interface> of a pool (macvtap), as libvirt's status shows them:
   * from the plugs of the ports, which their status files keep. */
  GPtrArray *ifs = net->def->forward.ifs;
  for (guint i = 0; ifs && i < ifs->len; i++) {
    NcForwardIf *fi = ifs->pdata[i];
    fi->connections = 0;
    for (guint j = 0; net->active && net->ports && j < net->ports->len; j++) {
      const NcPort *port = net->ports->pdata[j];
      if (port->plugged && port->def->plug_type == NC_PORT_PLUG_DIRECT
          && g_strcmp0(port->def->plug_direct.linkdev, fi->dev) == 0)
        fi->connections++;
    }
  }
}

/* One port more (+1) or less (-1) in the counts: what a full recount would
 * give, without walking every port for each pool interface on every create
 * and delete (9% of what grew from 1 to 1000 macvtap ports, perf). */
static void
count_port(NcNetwork *net, const NcPort *port, int delta)
{
  if (!net->active)
    return;
  net->def->connections = nc_network_port_count(net);
  if (!port->plugged || port->def->plug_type != NC_PORT_PLUG_DIRECT)
    return;
  GPtrArray *ifs = net->def->forward.ifs;
  for (guint i = 0; ifs && i < ifs->len; i++) {
    NcForwardIf *fi = ifs->pdata[i];
    if (g_strcmp0(port->def->plug_direct.linkdev, fi->dev) == 0) {
      if (delta > 0 || fi->connections > 0)
        fi->connections += delta;
      return;
    }
  }
}

guint
nc_network_port_count(NcNetwork *net)
{
  return net->ports ? net->ports->len : 0;
}

static void
publish(NcNetwork *net, NcPort *port, NcEventKind kind)
{
  NcEvent ev = { .kind = kind, .net = net, .port = port };
  nc_daemon_publish(net->daemon, &ev);
}

static gboolean
has_floor(const NcBandwidth *bw)
{
  return bw && bw->in && bw->in->floor;
}

/* A floor is booked in the network's live state (drivers/port-bandwidth.h),
 * whose class_id bitmap and floor sum the network's status file shows. */
static void
save_floors(NcNetwork *net)
{
  g_autoptr(GError) error = NULL;
  if (net->active
      && !nc_status_save(net->daemon->paths, net->def, &net->live, NC_STATUS_RUNNING, &error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", error->message);
}

/* -- checks ---------------------------------------------------------------------- */

static gboolean
check_usable(NcNetwork *net, const NcForwardDriver **ret_driver, GError **error)
{
  if (!net->daemon) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK, "network '%s' no longer exists",
                net->def->name);
    return FALSE;
  }
  if (!net->active) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID, "network '%s' is not active",
                net->def->name);
    return FALSE;
  }
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, error);
  if (!driver)
    return FALSE;
  if (!driver->port_alloc) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': ports of %s networks are not supported yet", net->def->name,
                nc_network_def_traits(net->def)->description);
    return FALSE;
  }
  *ret_driver = driver;
  return TRUE;
}

static gboolean
check_unique(NcNetwork *net, const NcNetworkPortDef *def, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  if (net->port_uuids && g_hash_table_contains(net->port_uuids, uuid)) {
    g_set_error(error, NC_ERROR, NC_ERROR_NETWORK_PORT_EXIST,
                "network '%s': a port with uuid %s already exists", net->def->name, uuid);
    return FALSE;
  }
  for (guint i = 0; net->ports && i < net->ports->len; i++) {
    NcPort *other = net->ports->pdata[i];
    if (memcmp(&other->def->mac, &def->mac, sizeof def->mac) != 0)
      continue;
    char mac[18];
    nc_mac_format(&def->mac, mac);
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': MAC %s is already used by port %s (owner '%s')", net->def->name,
                mac, other->uuid_str, other->def->owner_name ? other->def->owner_name : "-");
    return FALSE;
  }
  return TRUE;
}

/* A device name we may ask the kernel for: what `ip link` accepts, minus
 * the characters a name must never carry into files and commands. */
static gboolean
check_device_name(const NcNetwork *net, const char *name, GError **error)
{
  gsize len = strlen(name);
  gboolean ok = len > 0 && len < IFNAMSIZ && !g_str_equal(name, ".") && !g_str_equal(name, "..");
  for (const char *p = name; ok && *p; p++)
    ok = g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.';
  if (!ok) {
    g_autofree char *escaped = nc_name_escape(name);
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "network '%s': invalid device name '%s' (1-15 letters, digits, '-', '_', '.')",
                net->def->name, escaped);
  }
  return ok;
}

static gboolean
device_from_request(NcNetwork *net, const NcTapRequest *tap, NcPortDevice *dev, GError **error)
{
  memset(dev, 0, sizeof *dev);
  dev->owner = dev->group = -1;
  if (!tap)
    return TRUE;
  if (tap->target && !check_device_name(net, tap->target, error))
    return FALSE;
  if (tap->queues > MAX_TAP_QUEUES) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "network '%s': %u queues asked; a TAP has 1 to %d", net->def->name, tap->queues,
                MAX_TAP_QUEUES);
    return FALSE;
  }
  /* uid/gid: -1 for none, else what fits a uid_t that is not (uid_t)-1 */
  if (tap->owner < -1 || tap->owner > (gint64)G_MAXUINT32 - 1 || tap->group < -1
      || tap->group > (gint64)G_MAXUINT32 - 1) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "network '%s': TAP owner %" G_GINT64_FORMAT " / group %" G_GINT64_FORMAT
                " out of range (-1 for none, 0-4294967294)",
                net->def->name, tap->owner, tap->group);
    return FALSE;
  }
  if (tap->mtu && (tap->mtu < 68 || tap->mtu > 65535)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "network '%s': MTU %u is out of range (68-65535)", net->def->name, tap->mtu);
    return FALSE;
  }
  dev->create = TRUE;
  /* A TAP with neither owner nor group may be opened by anyone who can open
   * /dev/net/tun (mode 0666 on most hosts): without one, it is root's. */
  if (tap->owner < 0 && tap->group < 0)
    dev->owner = 0;
  else
    dev->owner = tap->owner;
  if (tap->target)
    g_strlcpy(dev->name, tap->target, sizeof dev->name);
  dev->group = tap->group;
  dev->queues = tap->queues;
  dev->vnet_hdr = tap->vnet_hdr;
  dev->mtu = tap->mtu;
  return TRUE;
}

/* -- create / delete ---------------------------------------------------------------- */

NcPort *
nc_network_port_create_def(NcNetwork *net, NcNetworkPortDef *def_in, guint flags,
                           const NcTapRequest *tap, GError **error)
{
  g_autoptr(NcNetworkPortDef) def = def_in;
  const NcForwardDriver *driver = NULL;
  NcPortDevice dev;
  NcPort *reclaimed = NULL;
  gboolean reclaim = (flags & NC_PORT_CREATE_RECLAIM) != 0;

  if (!nc_operation_check_flags(NC_OP_PORT_CREATE, flags, error)
      || !check_usable(net, &driver, error)
      || !nc_port_reclaim_check(net, def, flags, tap != NULL, &reclaimed, error))
    return NULL;
  if (reclaimed)
    return reclaimed;
  if (!check_unique(net, def, error) || !device_from_request(net, tap, &dev, error))
    return NULL;
  NcDaemon *daemon = net->daemon;
  if (!nc_network_port_merge(net->def, def, error))
    return NULL;
  if (!(reclaim ? nc_port_reclaim_plug(net, driver, def, &dev, error)
                : driver->port_alloc(&daemon->env, net->def, &net->live, def, &dev, error)))
    return NULL;

  NcPort *port = port_new(net, g_steal_pointer(&def), &dev);
  port->plugged = TRUE;
  table_add(net, port);
  count_port(net, port, +1);

  g_autoptr(GError) step_error = NULL;
  if (!nc_port_status_save(daemon->paths, net->def->name, port->def, &port->dev, &step_error)
      || !nc_hooks_network(daemon->paths, net->def, port->def, NC_HOOK_OP_PORT_CREATED,
                           NC_HOOK_SUBOP_BEGIN, &step_error)) {
    g_autoptr(NcPort) hold = nc_port_ref(port);
    driver->port_free(&daemon->env, net->def, &net->live, port->def, &port->dev, NULL);
    nc_port_status_delete(daemon->paths, net->def->name, port->uuid_str);
    table_remove(net, port);
    count_port(net, port, -1);
    g_propagate_error(error, g_steal_pointer(&step_error));
    return NULL;
  }
  if (has_floor(port->def->bandwidth))
    save_floors(net);
  char mac[18];
  nc_mac_format(&port->def->mac, mac);
  nc_log_network(net, G_LOG_LEVEL_INFO, "port %s %s (MAC %s, owner '%s'%s%s)", port->uuid_str,
                 reclaim ? "reclaimed" : "created", mac,
                 port->def->owner_name ? port->def->owner_name : "-",
                 port->dev.create ? ", device " : "", port->dev.create ? port->dev.name : "");
  publish(net, port, NC_EVENT_PORT_CREATED);
  return port;
}

NcPort *
nc_network_port_create(NcNetwork *net, const char *xml, guint flags, const NcTapRequest *tap,
                       GError **error)
{
  if (!xml) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "no port XML given");
    return NULL;
  }
  guint parse_flags = (flags & NC_PORT_CREATE_VALIDATE) ? NC_NETWORK_PORT_PARSE_VALIDATE_SCHEMA : 0;
  NcNetworkPortDef *def = nc_network_port_def_parse_string(xml, NULL, parse_flags, error);
  if (!def)
    return NULL;
  return nc_network_port_create_def(net, def, flags, tap, error);
}

/* Releases what the driver allocated and forgets the port. */
static void
release(NcNetwork *net, NcPort *port)
{
  NcDaemon *daemon = net->daemon;
  g_autoptr(GError) error = NULL;
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, NULL);
  if (driver && driver->port_free
      && !driver->port_free(&daemon->env, net->def, &net->live, port->def, &port->dev, &error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "port %s: %s", port->uuid_str, error->message);
  nc_port_status_delete(daemon->paths, net->def->name, port->uuid_str);
}

gboolean
nc_port_delete(NcPort *port, GError **error)
{
  NcNetwork *net = port->net;
  if (!net || !net->daemon) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK_PORT, "network port %s no longer exists",
                port->uuid_str);
    return FALSE;
  }
  g_autoptr(NcNetwork) hold_net = nc_network_ref(net);
  g_autoptr(NcPort) hold = nc_port_ref(port);
  release(net, port);
  if (has_floor(port->def->bandwidth))
    save_floors(net);
  table_remove(net, port);
  count_port(net, port, -1);
  g_autoptr(GError) hook_error = NULL;
  if (!nc_hooks_network(net->daemon->paths, net->def, port->def, NC_HOOK_OP_PORT_DELETED,
                        NC_HOOK_SUBOP_BEGIN, &hook_error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", hook_error->message); /* libvirt ignores it */
  nc_log_network(net, G_LOG_LEVEL_INFO, "port %s deleted", port->uuid_str);
  port->net = net; /* readable by the handlers */
  publish(net, port, NC_EVENT_PORT_DELETED);
  port->net = NULL;
  return TRUE;
}

/* -- lookup and accessors ------------------------------------------------------------ */

NcPort *
nc_network_port_lookup(NcNetwork *net, const char *uuid, GError **error)
{
  guint8 raw[NC_UUID_LEN];
  char canonical[NC_UUID_STRING_LEN];
  NcPort *port = NULL;
  if (uuid && nc_uuid_parse(uuid, raw)) {
    nc_uuid_format(raw, canonical);
    port = net->port_uuids ? g_hash_table_lookup(net->port_uuids, canonical) : NULL;
  }
  if (!port) {
    g_autofree char *escaped = nc_name_escape(uuid ? uuid : "");
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK_PORT,
                "network '%s' has no port with uuid '%s'", net->def->name, escaped);
  }
  return port;
}

NcPort *
nc_network_port_find(NcNetwork *net, const char *mac, const char *device, GError **error)
{
  NcMac want;
  gboolean by_mac = mac != NULL;
  if (by_mac && !nc_mac_parse(mac, &want)) {
    g_autofree char *escaped = nc_name_escape(mac);
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_MAC, "invalid MAC address '%s'", escaped);
    return NULL;
  }
  for (guint i = 0; net->ports && i < net->ports->len; i++) {
    NcPort *port = net->ports->pdata[i];
    if (by_mac ? memcmp(&port->def->mac, &want, sizeof want) == 0
               : device && g_strcmp0(nc_port_get_device(port), device) == 0)
      return port;
  }
  g_autofree char *escaped = nc_name_escape(by_mac ? mac : device ? device : "");
  g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK_PORT, "network '%s' has no port with %s '%s'",
              net->def->name, by_mac ? "MAC" : "device", escaped);
  return NULL;
}

GPtrArray *
nc_network_list_ports(NcNetwork *net)
{
  GPtrArray *list = g_ptr_array_new();
  for (guint i = 0; net->ports && i < net->ports->len; i++)
    g_ptr_array_add(list, net->ports->pdata[i]);
  return list;
}

NcNetwork *
nc_port_get_network(NcPort *port)
{
  return port->net;
}

const char *
nc_port_get_uuid_string(NcPort *port)
{
  return port->uuid_str;
}

const NcNetworkPortDef *
nc_port_get_def(NcPort *port)
{
  return port->def;
}

char *
nc_port_get_xml(NcPort *port)
{
  return nc_network_port_def_format(port->def, 0);
}

const char *
nc_port_get_device(NcPort *port)
{
  return port->dev.create && port->dev.name[0] ? port->dev.name : NULL;
}

const char *
nc_port_get_chardev(NcPort *port)
{
  return port->dev.create && port->dev.chardev[0] ? port->dev.chardev : NULL;
}

gboolean
nc_port_is_plugged(NcPort *port)
{
  return port->plugged;
}

gboolean
nc_port_set_bandwidth(NcPort *port, const NcBandwidth *bandwidth, GError **error)
{
  NcNetwork *net = port->net;
  const NcForwardDriver *driver = NULL;
  if (!net) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK_PORT, "network port %s no longer exists",
                port->uuid_str);
    return FALSE;
  }
  if (!check_usable(net, &driver, error))
    return FALSE;
  g_autoptr(NcBandwidth) old = port->def->bandwidth;
  port->def->bandwidth = nc_bandwidth_copy(bandwidth);
  /* Re-adoption applies the port's policy to its device again. */
  if (!driver->port_adopt(&net->daemon->env, net->def, &net->live, port->def, &port->dev, error)
      || !nc_port_status_save(net->daemon->paths, net->def->name, port->def, &port->dev, error)) {
    nc_bandwidth_free(port->def->bandwidth);
    port->def->bandwidth = g_steal_pointer(&old);
    /* What the new one changed before its failure (a floor class, an IFB)
     * goes back to the old one's. */
    driver->port_adopt(&net->daemon->env, net->def, &net->live, port->def, &port->dev, NULL);
    return FALSE;
  }
  if (has_floor(old) || has_floor(port->def->bandwidth))
    save_floors(net);
  return TRUE;
}

/* -- the network's life --------------------------------------------------------------- */

/* A port cut off from its stopped network keeps its device, a TAP or a
 * macvtap (its VMM may hold it; the next start plugs it back). One that
 * vanished while netctld was away (a detach cut short by a crash after the
 * device went) is made again, unplugged, as adoption does for a running
 * network's ports. */
static void
keep_cut_off_device(NcNetwork *net, NcPort *port)
{
  if (!port->dev.create || !port->dev.name[0])
    return;
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, NULL);
  gboolean made = FALSE;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;
  if (port->dev.chardev[0] || !nc_network_def_traits(net->def)->uses_bridge) {
    if (!driver || !driver->port_keep)
      return;
    ok = driver->port_keep(&net->daemon->env, net->def, port->def, &port->dev, &made, &error);
  } else {
    NcTapInfo info;
    ok = nc_port_tap_readopt(&net->daemon->env, net->def, port->def, 0, &port->dev, &info, &made,
                             &error);
  }
  if (!ok) {
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", error->message);
    return;
  }
  if (!made)
    return;
  nc_log_network(net, G_LOG_LEVEL_MESSAGE, "port %s: its device %s was gone; made again",
                 port->uuid_str, port->dev.name);
  /* What was made again is recorded (a macvtap's new node). */
  if (!nc_port_status_save(net->daemon->paths, net->def->name, port->def, &port->dev, &error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", error->message);
}

void
nc_network_ports_load(NcNetwork *net)
{
  NcDaemon *daemon = net->daemon;
  g_autoptr(GPtrArray) records = nc_port_status_load(daemon->paths, net->def->name);
  for (guint i = 0; i < records->len; i++) {
    NcPortRecord *rec = records->pdata[i];
    char uuid[NC_UUID_STRING_LEN];
    nc_uuid_format(rec->def->uuid, uuid);
    if (net->port_uuids && g_hash_table_contains(net->port_uuids, uuid))
      continue;
    NcPort *port = port_new(net, g_steal_pointer(&rec->def), &rec->dev);
    table_add(net, port);
    if (!net->active)
      keep_cut_off_device(net, port);
  }
}

void
nc_network_ports_plug_all(NcNetwork *net)
{
  NcDaemon *daemon = net->daemon;
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, NULL);
  guint plugged = 0;
  /* Before any port books its floor again: what no port holds any more. */
  gboolean floors = nc_port_floor_prune(&daemon->env, net->def, &net->live, net->port_uuids) > 0;
  for (guint i = 0; net->ports && i < net->ports->len; i++) {
    NcPort *port = net->ports->pdata[i];
    floors = floors || has_floor(port->def->bandwidth);
    g_autoptr(GError) error = NULL;
    if (!driver || !driver->port_adopt) {
      nc_log_network(net, G_LOG_LEVEL_WARNING, "port %s cannot be plugged: no port support",
                     port->uuid_str);
      continue;
    }
    if (!driver->port_adopt(&daemon->env, net->def, &net->live, port->def, &port->dev, &error)) {
      nc_log_network(net, G_LOG_LEVEL_WARNING, "port %s not plugged back: %s", port->uuid_str,
                     error->message);
      port->plugged = FALSE;
      continue;
    }
    port->plugged = TRUE;
    plugged++;
    if (!nc_port_status_save(daemon->paths, net->def->name, port->def, &port->dev, &error))
      nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", error->message);
  }
  nc_network_ports_count_connections(net);
  if (floors)
    save_floors(net);
  if (plugged)
    nc_log_network(net, G_LOG_LEVEL_INFO, "%u port%s plugged in", plugged,
                   plugged == 1 ? "" : "s");
}

char *
nc_network_ports_unplug_all(NcNetwork *net)
{
  g_autoptr(GString) names = NULL;
  for (guint i = 0; net->ports && i < net->ports->len; i++) {
    NcPort *port = net->ports->pdata[i];
    if (!port->plugged)
      continue;
    port->plugged = FALSE;
    if (!names)
      names = g_string_new(NULL);
    else
      g_string_append(names, ", ");
    const char *dev = nc_port_get_device(port);
    g_string_append(names, dev ? dev : port->uuid_str);
  }
  nc_network_ports_count_connections(net);
  return names ? g_string_free(g_steal_pointer(&names), FALSE) : NULL;
}

void
nc_network_ports_delete_all(NcNetwork *net)
{
  if (!net->daemon)
    return;
  if (!net->ports)
    nc_network_ports_load(net); /* recorded by an earlier daemon, not loaded yet */
  while (net->ports && net->ports->len > 0) {
    NcPort *port = net->ports->pdata[net->ports->len - 1];
    g_autoptr(NcPort) hold = nc_port_ref(port);
    release(net, port);
    table_remove(net, port);
    g_autoptr(GError) hook_error = NULL;
    if (!nc_hooks_network(net->daemon->paths, net->def, port->def, NC_HOOK_OP_PORT_DELETED,
                          NC_HOOK_SUBOP_BEGIN, &hook_error))
      nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", hook_error->message);
    port->net = net; /* readable by the handlers */
    publish(net, port, NC_EVENT_PORT_DELETED);
    port->net = NULL;
  }
  nc_port_status_delete_all(net->daemon->paths, net->def->name);
}
