/* Reclaimed ports (see port-reclaim.h). As libvirt's networkPortCreateXML
 * and networkNotifyPort: the guest's device exists already, so nothing is
 * allocated; the port is taken in with the plug it has, which must be one
 * this network gives. */
#include <string.h>

#include "nc-error.h"
#include "nc-log.h"
#include "port-reclaim.h"

/* The plug as one comparable, quotable text. Device names were checked by
 * the parser (nc_network_port_def_check). */
static char *
plug_describe(const NcNetworkPortDef *def)
{
  const char *type = nc_port_plug_type_to_string(def->plug_type);
  switch (def->plug_type) {
  case NC_PORT_PLUG_NETWORK:
  case NC_PORT_PLUG_BRIDGE:
    return g_strdup_printf("<plug type='%s' bridge='%s'/>", type,
                           def->plug_bridge.brname ? def->plug_bridge.brname : "");
  case NC_PORT_PLUG_DIRECT:
    return g_strdup_printf("<plug type='%s' dev='%s' mode='%s'/>", type,
                           def->plug_direct.linkdev ? def->plug_direct.linkdev : "",
                           nc_macvlan_mode_to_string(def->plug_direct.mode));
  case NC_PORT_PLUG_HOSTDEV_PCI: {
    const NcPciAddr *a = &def->plug_hostdev_pci.addr;
    return g_strdup_printf("<plug type='%s'> of VF %04x:%02x:%02x.%x", type, a->domain, a->bus,
                           a->slot, a->function);
  }
  case NC_PORT_PLUG_NONE:
  case _NC_PORT_PLUG_MAX:
    break;
  }
  return g_strdup("no <plug>");
}

/* A device only one guest can hold: a VF, or a passthrough uplink. */
static gboolean
plug_is_exclusive(const NcNetworkPortDef *def)
{
  return def->plug_type == NC_PORT_PLUG_HOSTDEV_PCI
         || (def->plug_type == NC_PORT_PLUG_DIRECT
             && def->plug_direct.mode == NC_MACVLAN_MODE_PASSTHROUGH);
}

static char *
port_summary(const NcNetworkPortDef *def)
{
  char mac[18], owner[NC_UUID_STRING_LEN];
  nc_mac_format(&def->mac, mac);
  nc_uuid_format(def->owner_uuid, owner);
  g_autofree char *plug = plug_describe(def);
  return g_strdup_printf("MAC %s, owner '%s' (%s), %s", mac,
                         def->owner_name ? def->owner_name : "-", owner, plug);
}

/* The uuid is registered: the same port (a repeated reclaim) is returned,
 * another one under that uuid is refused. */
static gboolean
match_existing(NcNetwork *net, NcPort *existing, const NcNetworkPortDef *def, NcPort **ret_existing,
               GError **error)
{
  const NcNetworkPortDef *have = existing->def;
  g_autofree char *had = port_summary(have);
  g_autofree char *asked = port_summary(def);
  if (memcmp(&have->mac, &def->mac, sizeof def->mac) != 0
      || memcmp(have->owner_uuid, def->owner_uuid, NC_UUID_LEN) != 0
      || g_strcmp0(have->owner_name, def->owner_name) != 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_NETWORK_PORT_EXIST,
                "network '%s': port %s exists with %s; the reclaim gives %s", net->def->name,
                existing->uuid_str, had, asked);
    return FALSE;
  }
  g_autofree char *plug_had = plug_describe(have);
  g_autofree char *plug_asked = plug_describe(def);
  if (!g_str_equal(plug_had, plug_asked)) {
    g_set_error(error, NC_ERROR, NC_ERROR_NETWORK_PORT_EXIST,
                "network '%s': port %s exists with %s; the reclaim gives %s", net->def->name,
                existing->uuid_str, plug_had, plug_asked);
    return FALSE;
  }
  nc_log_network(net, G_LOG_LEVEL_INFO, "port %s reclaimed: registered already (%s)",
                 existing->uuid_str, had);
  *ret_existing = existing;
  return TRUE;
}

/* Before anything is touched: the plug's kind and bridge are the network's,
 * and no other port holds a device only one guest can have. */
static gboolean
check_plug(NcNetwork *net, const NcNetworkPortDef *def, const char *uuid, GError **error)
{
  const NcNetworkKindTraits *traits = nc_network_def_traits(net->def);
  g_autofree char *asked = plug_describe(def);
  if (def->plug_type != traits->plug) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: the guest has %s, but ports of %s networks have "
                "<plug type='%s'>; not reclaimed",
                net->def->name, uuid, asked, traits->description,
                nc_port_plug_type_to_string(traits->plug));
    return FALSE;
  }
  /* A network without a bridge name of its own (OVN: each host's
   * integration bridge) has its driver's port_reclaim check the bridge. */
  if ((def->plug_type == NC_PORT_PLUG_NETWORK || def->plug_type == NC_PORT_PLUG_BRIDGE)
      && net->def->bridge.name && g_strcmp0(def->plug_bridge.brname, net->def->bridge.name) != 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: the guest is plugged into bridge '%s', the network's "
                "bridge is '%s'; not reclaimed",
                net->def->name, uuid, def->plug_bridge.brname,
                net->def->bridge.name ? net->def->bridge.name : "");
    return FALSE;
  }
  for (guint i = 0; plug_is_exclusive(def) && net->ports && i < net->ports->len; i++) {
    NcPort *other = net->ports->pdata[i];
    g_autofree char *theirs = plug_describe(other->def);
    if (g_str_equal(theirs, asked)) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                  "network '%s': port %s: %s is held by port %s (owner '%s'); not reclaimed",
                  net->def->name, uuid, asked, other->uuid_str,
                  other->def->owner_name ? other->def->owner_name : "-");
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
nc_port_reclaim_check(NcNetwork *net, const NcNetworkPortDef *def, guint flags,
                      gboolean makes_device, NcPort **ret_existing, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  gboolean reclaim = (flags & NC_PORT_CREATE_RECLAIM) != 0;
  if (reclaim && def->plug_type == NC_PORT_PLUG_NONE) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "network '%s': port %s: a reclaimed port needs the <plug> its guest has",
                net->def->name, uuid);
    return FALSE;
  }
  if (!reclaim && def->plug_type != NC_PORT_PLUG_NONE) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "network '%s': port %s: <plug> is given only to reclaim a running guest's port "
                "(VIR_NETWORK_PORT_CREATE_RECLAIM); the network chooses the plug of a new one",
                net->def->name, uuid);
    return FALSE;
  }
  if (!reclaim)
    return TRUE;
  if (makes_device) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "network '%s': port %s: a reclaimed port's device is its guest's; netctl makes "
                "none for it",
                net->def->name, uuid);
    return FALSE;
  }
  NcPort *existing = net->port_uuids ? g_hash_table_lookup(net->port_uuids, uuid) : NULL;
  if (existing)
    return match_existing(net, existing, def, ret_existing, error);
  return check_plug(net, def, uuid, error);
}

gboolean
nc_port_reclaim_plug(NcNetwork *net, const NcForwardDriver *driver, NcNetworkPortDef *def,
                     NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  gboolean (*take)(const NcDriverEnv *, const NcNetworkDef *, NcLiveState *, NcNetworkPortDef *,
                   NcPortDevice *, GError **)
      = driver->port_reclaim ? driver->port_reclaim : driver->port_adopt;
  if (!take) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': port %s: ports of this network cannot be reclaimed", net->def->name,
                uuid);
    return FALSE;
  }
  g_autofree char *asked = plug_describe(def);
  NcDriverEnv *env = &net->daemon->env;
  if (!take(env, net->def, &net->live, def, dev, error))
    return FALSE;
  /* A macvtap pool gives a port whose uplink left the pool another one: a
   * running guest cannot move, so that is a refusal here. */
  g_autofree char *got = plug_describe(def);
  if (!g_str_equal(asked, got)) {
    driver->port_free(env, net->def, &net->live, def, dev, NULL);
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: the guest has %s, the network would give it %s; not "
                "reclaimed",
                net->def->name, uuid, asked, got);
    return FALSE;
  }
  return TRUE;
}
