/* Inside the macvtap driver (macvtap.c, macvtap-shim.c). */
#pragma once

#include "forward-driver.h"

G_BEGIN_DECLS

/* The pool's uplink names (a new array, g_free'd names): the <interface>
 * list, or the VF netdevs of the <pf> that start recorded in live ("pool"). */
GPtrArray *nc_macvtap_pool(const NcNetworkDef *def, const NcLiveState *live);
/* Ports on uplink, as counted in live ("conn:DEV"). */
guint nc_macvtap_connections(const NcLiveState *live, const char *uplink);

/* The host shim (netctl's XML namespace, see xml/network-netctl-ns.h): a
 * macvlan in bridge mode on the first uplink with an address, so the host
 * reaches its macvtap guests. Each does nothing without a shim. */
gboolean nc_macvtap_shim_validate(const NcNetworkDef *def, GError **error);
gboolean nc_macvtap_shim_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                               GError **error);
gboolean nc_macvtap_shim_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                              GError **error);
gboolean nc_macvtap_shim_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                               GError **error);

G_END_DECLS
