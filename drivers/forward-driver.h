/* One driver per forward mode, behind one vtable (see ../shared/STYLE.md).
 *
 * The daemon core calls these; drivers call drivers/kernel/ (never libnl
 * themselves). Every entry returns TRUE, or FALSE with a GError in NC_ERROR
 * whose message names the network.
 *
 * What a started network needs to be adopted or torn down after a daemon
 * restart is kept in an NcLiveState, which the core saves in the network's
 * status file (state_dir/NAME.xml) after every start and reloads on restart. */
#pragma once

#include <glib.h>

#include "nc-kernel.h"
#include "network-def.h"
#include "port-def.h"

G_BEGIN_DECLS

/* -- live state ------------------------------------------------------------ */

typedef struct {
  int bridge_ifindex; /* the bridge the driver created, 0 when none */
  /* Driver-specific facts (key -> value, both strings), saved verbatim in the
   * status file: dnsmasq pid, firewall handles, ... */
  GHashTable *data;
} NcLiveState;

void nc_live_state_init(NcLiveState *live);    /* empty, with its table */
void nc_live_state_clear(NcLiveState *live);   /* back to empty */
void nc_live_state_destroy(NcLiveState *live); /* frees the table */
void nc_live_state_copy(NcLiveState *dst, const NcLiveState *src);
void nc_live_state_set(NcLiveState *live, const char *key, const char *value /* NULL removes */);
const char *nc_live_state_get(const NcLiveState *live, const char *key);

/* -- the environment a driver works in -------------------------------------- */

/* What drivers keep between calls for running networks (a supervised
 * dnsmasq, a lease watch), owned by the daemon (runtime.c). Freeing it stops
 * supervising but leaves every network running, for the next daemon. */
typedef struct _NcDriverRuntime NcDriverRuntime;
/* Called from the main loop when the DHCP leases of a network may have
 * changed. */
typedef void (*NcLeaseChangedFunc)(const char *network_name, gpointer user_data);
NcDriverRuntime *nc_driver_runtime_new(NcLeaseChangedFunc lease_changed, gpointer user_data);
void nc_driver_runtime_free(NcDriverRuntime *runtime);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDriverRuntime, nc_driver_runtime_free)

typedef struct {
  NcKernel *kernel;
  const char *state_dir;   /* status XML, pid files */
  const char *dnsmasq_dir; /* dnsmasq configuration and lease files */
  NcDriverRuntime *runtime; /* NULL: nothing is supervised (dnsmasq still runs) */
} NcDriverEnv;

/* -- the vtable --------------------------------------------------------------- */

typedef struct {
  NcForwardMode mode;

  /* Extra checks of a definition at define/create time, beyond the XML
   * layer's semantic checks. May be NULL. */
  gboolean (*validate)(const NcNetworkDef *def, GError **error);

  /* Brings the network up from nothing. On failure, everything done so far
   * is undone and `live` is left empty. */
  gboolean (*start)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                    GError **error);

  /* Tears down what start created, using `live` (it may come from a status
   * file written by an earlier daemon). Keeps going after a failed step and
   * reports the first failure. */
  gboolean (*stop)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                   GError **error);

  /* After a daemon restart: check the running network against `live` and the
   * kernel, leave what is in place untouched and repair only what is missing.
   * Updates `live` (e.g. a recreated bridge's ifindex). FALSE when the network
   * cannot be brought back; the core then stops it and marks it inactive. */
  gboolean (*adopt)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                    GError **error);

  /* Live update from old_def to new_def. FALSE with NC_ERROR_OPERATION_UNSUPPORTED
   * when the change needs a restart. May be NULL (never live-updatable). */
  gboolean (*reconfigure)(const NcDriverEnv *env, const NcNetworkDef *old_def,
                          const NcNetworkDef *new_def, NcLiveState *live, GError **error);

  /* Ports (guest interfaces) of the network. May be NULL until ports land. */
  gboolean (*port_alloc)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                         NcNetworkPortDef *port, GError **error);
  gboolean (*port_free)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                        NcNetworkPortDef *port, GError **error);
} NcForwardDriver;

/* The driver for the definition's forward mode, or NULL with
 * NC_ERROR_NO_SUPPORT ("network 'NAME': forward mode 'nat' is not supported yet"). */
const NcForwardDriver *nc_forward_driver_for(const NcNetworkDef *def, GError **error);

/* The drivers (drivers.c's table is built from these). */
/* none (isolated), nat, route, open: the managed bridge (virtual.c). */
extern const NcForwardDriver nc_driver_virtual;


G_END_DECLS
