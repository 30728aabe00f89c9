/* Internals of the managed-bridge driver (virtual*.c), shared by its files
 * and by tests/managed: the pure checks and the reconfigure classifier. */
#pragma once

#include <glib.h>

#include "addr.h"
#include "dnsmasq.h"
#include "forward-driver.h"
#include "leases.h"
#include "route.h"

G_BEGIN_DECLS

/* -- runtime.c: what a running network keeps between calls ----------------- */

typedef struct {
  NcDnsmasq *dnsmasq;  /* NULL until dnsmasq is started or adopted */
  NcLeaseWatch *watch; /* NULL when the network has no DHCP */
} NcVirtualRun;

/* The dnsmasq version-check cache shared by every network; NULL when
 * runtime is NULL. */
NcDnsmasqProbe *nc_driver_runtime_dnsmasq_probe(NcDriverRuntime *runtime);
NcPidWatch *nc_driver_runtime_pid_watch(NcDriverRuntime *runtime);
/* The run of a network, or NULL. runtime may be NULL. */
NcVirtualRun *nc_driver_runtime_lookup(NcDriverRuntime *runtime, const char *name);
/* Creates it when missing. */
NcVirtualRun *nc_driver_runtime_ensure(NcDriverRuntime *runtime, const char *name);
/* Frees the run (supervision stops; processes are left alone). */
void nc_driver_runtime_remove(NcDriverRuntime *runtime, const char *name);
/* Watches BRIDGE.status for the run, calling the runtime's lease callback
 * with `name` once at once, then on each change. No-op when already watched
 * or when the callback is NULL. */
void nc_driver_runtime_watch_leases(NcDriverRuntime *runtime, const char *name,
                                    const char *dnsmasq_dir, const char *bridge);

/* -- virtual.c: the start steps, shared with adoption ---------------------- */

/* One start of a network: what every step reads and writes. */
typedef struct {
  const NcDriverEnv *env;
  const NcNetworkDef *def;
  NcLiveState *live;
  gboolean has_v4, has_v6; /* <ip> addresses of each family */
} NcVirtualCtx;

void nc_virtual_ctx_init(NcVirtualCtx *ctx, const NcDriverEnv *env, const NcNetworkDef *def,
                         NcLiveState *live);

/* The vtable entries (virtual.c, virtual-adopt.c). */
gboolean nc_virtual_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                          GError **error);
gboolean nc_virtual_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                         GError **error);
gboolean nc_virtual_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                          GError **error);
gboolean nc_virtual_reconfigure(const NcDriverEnv *env, const NcNetworkDef *old_def,
                                const NcNetworkDef *new_def, NcLiveState *live, GError **error);

/* The network's nftables tables (none for open mode), then a warning when
 * another firewall will drop what they accept. */
gboolean nc_virtual_firewall_apply(NcVirtualCtx *ctx, const NcNetworkDef *def, GError **error);
gboolean nc_virtual_forwarding_apply(NcVirtualCtx *ctx, GError **error);
/* Adds the <route>s; a failure is logged and skipped, as libvirt does. */
void nc_virtual_routes_apply(NcVirtualCtx *ctx);
/* The supervised dnsmasq of the run (created when missing). */
NcDnsmasq *nc_virtual_dnsmasq_get(NcVirtualCtx *ctx);
/* Frees the dnsmasq object when there is no runtime to keep it. */
void nc_virtual_dnsmasq_release(NcVirtualCtx *ctx, NcDnsmasq *dnsmasq);
/* Records the pid of dnsmasq in the live state; watches the leases. */
void nc_virtual_dnsmasq_started(NcVirtualCtx *ctx, NcDnsmasq *dnsmasq);

/* The live state keys of this driver. */
#define NC_VIRTUAL_KEY_FIREWALL "firewall" /* our table name, when applied */
#define NC_VIRTUAL_KEY_DNSMASQ_PID "dnsmasq-pid"

/* -- virtual-checks.c ---------------------------------------------------- */

/* libvirt's networkCheckRouteCollision, for both families and a little
 * stricter: FALSE (OPERATION_FAILED, naming the device, the route and the
 * <ip> or <route>) when a host route in `routes` (main table) on a device
 * other than `own_ifindex`
 *  - is for the same subnet as one of the network's <ip>s or <route>s, or
 *  - lies inside one of the network's <ip> subnets (it would take part of
 *    the guests' addresses away from the bridge);
 * or when an address in `addrs` on another device equals an <ip> address.
 * Default routes and IPv6 link-local routes never collide. */
gboolean nc_virtual_check_collisions(const NcNetworkDef *def, GArray *routes /* NcRouteEntry */,
                                     GArray *addrs /* NcAddrEntry */, int own_ifindex,
                                     GError **error);

/* libvirt's virNetDevIPCheckIPv6Forwarding: turning on IPv6 forwarding makes
 * the kernel ignore router advertisements on interfaces whose accept_ra is
 * not 2, which would drop the host's own RA-learnt routes. FALSE
 * (OPERATION_FAILED, naming the interfaces) when a route in `routes` came
 * from an RA (RTPROT_RA) on such an interface. Reads accept_ra through
 * `kernel`. */
gboolean nc_virtual_check_ipv6_forwarding(NcKernel *kernel, const NcNetworkDef *def, GArray *routes,
                                          GError **error);

/* -- virtual-reconfigure.c ------------------------------------------------- */

typedef enum {
  NC_VIRTUAL_CHANGE_NONE = 0,
  NC_VIRTUAL_CHANGE_DNSMASQ_HOSTS = 1 << 0,   /* DHCP or DNS hosts: rewrite files + SIGHUP */
  NC_VIRTUAL_CHANGE_DNSMASQ_RESTART = 1 << 1, /* ranges, txt, srv...: restart dnsmasq */
  NC_VIRTUAL_CHANGE_FIREWALL = 1 << 2,        /* forward, ip: re-apply the firewall */
  NC_VIRTUAL_CHANGE_OTHER = 1 << 3,           /* needs a restart of the network */
} NcVirtualChange;

/* What changed from old_def to new_def, as a mask of NcVirtualChange. When
 * OTHER is set, *ret_what (when not NULL) names the first such change
 * ("the bridge", "the MTU", ...), static string. */
guint nc_virtual_classify_change(const NcNetworkDef *old_def, const NcNetworkDef *new_def,
                                 const char **ret_what);

G_END_DECLS
