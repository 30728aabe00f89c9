/* The table of drivers by network kind, and the live state they record. */
#include "forward-driver.h"
#include "nc-error.h"
#include "nc-addr.h"

/* Indexed by NcNetworkKind. NULL: the kind has no driver yet. */
static const NcForwardDriver *const drivers[_NC_NETWORK_KIND_MAX] = {
  [NC_NETWORK_KIND_MANAGED_BRIDGE] = &nc_driver_virtual,
  [NC_NETWORK_KIND_HOST_BRIDGE] = &nc_driver_host_bridge,
  [NC_NETWORK_KIND_OVS_BRIDGE] = &nc_driver_ovs,
  [NC_NETWORK_KIND_MACVTAP] = &nc_driver_macvtap,
  [NC_NETWORK_KIND_HOSTDEV] = &nc_driver_hostdev,
  [NC_NETWORK_KIND_OVN] = &nc_driver_ovn,
};

const NcForwardDriver *
nc_forward_driver_for(const NcNetworkDef *def, GError **error)
{
  NcNetworkKind kind = nc_network_def_kind(def);
  const NcForwardDriver *driver = drivers[kind];
  if (!driver) {
    const char *s = nc_forward_mode_to_string(def->forward.mode);
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': %s networks (forward mode '%s') are not supported yet", def->name,
                nc_network_kind_traits(kind)->description, s ? s : "?");
    return NULL;
  }
  return driver;
}

char *
nc_port_device_alias(const guint8 port_uuid[NC_UUID_LEN])
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port_uuid, uuid);
  return g_strconcat("netctl-port:", uuid, NULL);
}

/* -- NcLiveState -------------------------------------------------------------- */

void
nc_live_state_init(NcLiveState *live)
{
  live->bridge_ifindex = 0;
  live->data = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void
nc_live_state_clear(NcLiveState *live)
{
  live->bridge_ifindex = 0;
  if (live->data)
    g_hash_table_remove_all(live->data);
}

void
nc_live_state_destroy(NcLiveState *live)
{
  live->bridge_ifindex = 0;
  g_clear_pointer(&live->data, g_hash_table_unref);
}

void
nc_live_state_copy(NcLiveState *dst, const NcLiveState *src)
{
  nc_live_state_clear(dst);
  dst->bridge_ifindex = src->bridge_ifindex;
  GHashTableIter iter;
  gpointer k, v;
  g_hash_table_iter_init(&iter, src->data);
  while (g_hash_table_iter_next(&iter, &k, &v))
    g_hash_table_insert(dst->data, g_strdup(k), g_strdup(v));
}

void
nc_live_state_set(NcLiveState *live, const char *key, const char *value)
{
  if (value)
    g_hash_table_insert(live->data, g_strdup(key), g_strdup(value));
  else
    g_hash_table_remove(live->data, key);
}

const char *
nc_live_state_get(const NcLiveState *live, const char *key)
{
  return g_hash_table_lookup(live->data, key);
}
