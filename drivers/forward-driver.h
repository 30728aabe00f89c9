/* One driver per kind of network (xml/network-kind.h), behind one vtable
 * (see ../shared/STYLE.md).
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
#include "network-kind.h"
#include "port-def.h"

G_BEGIN_DECLS

/* -- live state ------------------------------------------------------------ */

typedef struct {
  /* The bridge the driver created (kinds with a bridge of their own), or the
   * host's bridge it found; 0 for kinds without a bridge. */
  int bridge_ifindex;
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
  const char *dev_dir;     /* where macvtap character devices appear (tapN): NULL for /dev */
} NcDriverEnv;

/* -- the vtable --------------------------------------------------------------- */

/* -- ports ---------------------------------------------------------------- */

/* A port's host device when netctl makes it (attach-interface): a persistent
 * TAP an unprivileged VMM can open. Saved beside the port's status. */
typedef struct {
  gboolean create;    /* netctl makes (and later deletes) the device */
  char name[16];      /* IFNAMSIZ: the device's name once made; before, the
                       * requested name or "" for the first free vnet%d */
  int ifindex;        /* 0 until made */
  gint64 owner;       /* uid, -1: root only */
  gint64 group;       /* gid, -1: none */
  guint queues;       /* 0/1: single queue */
  gboolean vnet_hdr;
  guint mtu;          /* 0: the network's (or the bridge's) */
  /* A macvtap (direct networks): its character device, which the VMM
   * opens ("/dev/tap12"); "" for a TAP. */
  char chardev[256];
  guint chardev_major, chardev_minor;
  gboolean chardev_made; /* netctl made the node (no devtmpfs): removed with the port */
  /* passthrough: the uplink's own MAC, put back when the port goes */
  gboolean has_uplink_mac;
  NcMac uplink_mac;
} NcPortDevice;

/* The alias (IFLA_IFALIAS) that marks a device as this port's, so a device
 * someone else made under the same name is never taken over. Caller frees. */
char *nc_port_device_alias(const guint8 port_uuid[NC_UUID_LEN]);

typedef struct {
  NcNetworkKind kind;

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

  /* Ports (guest interfaces) of the running network. The core has merged
   * network, portgroup and port settings into `port` (portgroup.c) and
   * checked what is the core's to check (uuid, MAC clash).
   * port_alloc fills the port's plug and, when dev->create, makes the device
   * and plugs it; on failure nothing is left. NULL: the kind has no ports yet. */
  gboolean (*port_alloc)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                         NcNetworkPortDef *port, NcPortDevice *dev, GError **error);
  /* Undoes port_alloc; a device netctl made is deleted (only when it is still
   * ours: its alias). Keeps going and reports the first failure. */
  gboolean (*port_free)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                        const NcNetworkPortDef *port, NcPortDevice *dev, GError **error);
  /* A port that exists from before: after a netctld restart, or when its
   * network starts again. Plugs the device back in where it is not (a new
   * bridge), recreates a device netctl made that vanished, and updates the
   * plug. FALSE when it cannot (the device name is taken by another). */
  gboolean (*port_adopt)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                         NcNetworkPortDef *port, NcPortDevice *dev, GError **error);
  /* VIR_NETWORK_PORT_CREATE_RECLAIM of a port this daemon does not hold
   * (port-reclaim.c): where a kind's port may be held by another host (OVN),
   * it is taken over here. NULL: port_adopt. */
  gboolean (*port_reclaim)(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                           NcNetworkPortDef *port, NcPortDevice *dev, GError **error);
  /* At daemon start, for every network of the kind (running or not) once the
   * ports on record are loaded (ports: their NcNetworkPortDef*), before any
   * is plugged: what the kind keeps per port beside the port's status file
   * is brought in line with the ports a daemon killed mid-allocation or
   * mid-release left. active: whether the network runs (what only a running
   * network has, such as OVN's logical switch, is looked at only then). Logs
   * what it repairs. May be NULL. */
  void (*ports_recover)(const NcDriverEnv *env, const NcNetworkDef *def, gboolean active,
                        GPtrArray *ports);
  /* At daemon start, a port of a stopped network whose device the kind
   * makes by a character device (a macvtap and its /dev/tapN): the device is
   * kept as the port's, made again (unplugged from nothing: the kind has no
   * bridge) when a detach cut short by a crash took it; *ret_made says so.
   * May be NULL (TAPs: nc_port_tap_readopt). */
  gboolean (*port_keep)(const NcDriverEnv *env, const NcNetworkDef *def, NcNetworkPortDef *port,
                        NcPortDevice *dev, gboolean *ret_made, GError **error);
} NcForwardDriver;

/* The driver for the definition's kind, or NULL with NC_ERROR_NO_SUPPORT
 * ("network 'NAME': macvtap pool networks (forward mode 'vepa') are not
 * supported yet"). */
const NcForwardDriver *nc_forward_driver_for(const NcNetworkDef *def, GError **error);

/* The drivers (drivers.c's table is built from these). */
/* none (isolated), nat, route, open: the managed bridge (virtual.c). */
extern const NcForwardDriver nc_driver_virtual;
/* forward mode bridge with a <bridge name>: the host's Linux bridge (host-bridge.c). */
extern const NcForwardDriver nc_driver_host_bridge;
/* the same with <virtualport type='openvswitch'>: an Open vSwitch bridge (ovs.c). */
extern const NcForwardDriver nc_driver_ovs;
/* vepa, private, passthrough, bridge without a bridge name: macvtap pools (macvtap.c). */
extern const NcForwardDriver nc_driver_macvtap;
/* hostdev: SR-IOV VF pools (hostdev.c). */
extern const NcForwardDriver nc_driver_hostdev;
/* <netctl:ovn>: a logical switch in OVN's northbound database (ovn.c). */
extern const NcForwardDriver nc_driver_ovn;


G_END_DECLS
