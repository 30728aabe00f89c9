/* The table of forward-mode drivers, and the live state they record. */
#include "forward-driver.h"
#include "nc-error.h"

/* Indexed by NcForwardMode. NULL: the mode has no driver yet. */
static const NcForwardDriver *const drivers[_NC_FORWARD_MAX] = {
  [NC_FORWARD_NONE] = &nc_driver_virtual,
  [NC_FORWARD_NAT] = &nc_driver_virtual,
  [NC_FORWARD_ROUTE] = &nc_driver_virtual,
  [NC_FORWARD_OPEN] = &nc_driver_virtual,
  [NC_FORWARD_BRIDGE] = NULL,
  [NC_FORWARD_PRIVATE] = NULL,
  [NC_FORWARD_VEPA] = NULL,
  [NC_FORWARD_PASSTHROUGH] = NULL,
  [NC_FORWARD_HOSTDEV] = NULL,
};

const NcForwardDriver *
nc_forward_driver_for(const NcNetworkDef *def, GError **error)
{
  NcForwardMode mode = def->forward.mode;
  const NcForwardDriver *driver = (guint)mode < _NC_FORWARD_MAX ? drivers[mode] : NULL;
  if (!driver) {
    const char *s = nc_forward_mode_to_string(mode);
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': forward mode '%s' is not supported yet", def->name, s ? s : "?");
    return NULL;
  }
  return driver;
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
