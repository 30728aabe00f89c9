/* The daemon core: the registry of networks and their lifecycle.
 *
 * Front ends (D-Bus, libvirt protocol) unpack a request, check access, and call
 * one of these functions; all policy lives here. Everything runs on the GLib
 * main loop thread; none of these functions is thread-safe.
 *
 * Conventions: functions returning gboolean/pointers set a GError in the
 * NC_ERROR domain on failure (codes = libvirt's virErrorNumber: NO_NETWORK for
 * an unknown name/uuid, OPERATION_INVALID for "already active"/"not active",
 * NETWORK_EXIST for a name/uuid clash, XML_ERROR etc. from parsing). Returned
 * NcNetwork pointers are borrowed from the registry: valid until the network
 * is removed (undefine of an inactive network, destroy of a transient one);
 * take a reference with nc_network_ref() to keep one across main-loop turns. */
#pragma once

#include <glib.h>

#include "network-def.h"
#include "port-def.h"

G_BEGIN_DECLS

typedef struct _NcDaemon NcDaemon;
typedef struct _NcNetwork NcNetwork;

/* -- paths ---------------------------------------------------------------- */

/* Every path the daemon reads or writes, relocated under --root when given.
 * Without a root: libvirt's layout, so netctld can replace libvirt's daemon. */
typedef struct {
  char *root;          /* "" or the --root directory */
  char *config_dir;    /* /etc/libvirt/qemu/networks */
  char *autostart_dir; /* /etc/libvirt/qemu/networks/autostart */
  char *state_dir;     /* /run/libvirt/network (status XML, pid files, autostarted marker) */
  char *dnsmasq_dir;   /* /var/lib/libvirt/dnsmasq */
  char *socket_dir;    /* /run/libvirt (virtnetworkd-sock...) */
  char *hooks_dir;     /* /etc/libvirt/hooks (network, network.d/: drivers/kernel/hook.h) */
  /* Owned; the definitions' group commit (store.h), open only while the
   * write queue runs a slice of changes. */
  struct _NcStoreBatch *batch;
} NcPaths;

NcPaths *nc_paths_new(const char *root /* NULL or "" for the default layout */);
void nc_paths_free(NcPaths *paths);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcPaths, nc_paths_free)

/* -- daemon object ---------------------------------------------------------- */

typedef struct {
  const char *root;       /* --root, or NULL */
  gboolean verbose;
  gboolean no_autostart;  /* tests: skip autostart on load */
  const char *proc_root;  /* NULL for /proc (sysctls); tests may point elsewhere */
  const char *sys_root;   /* NULL for /sys (--sysfs-root: SR-IOV, PCI, macvtap char devices) */
  const char *dev_root;   /* NULL for /dev: where macvtap tapN nodes are (--dev-root) */
  gboolean no_default_network;     /* tests: never define the default network */
  const char *default_network_xml; /* NULL: the installed default.xml (managed.h) */
  const char *ovn_nb; /* NULL, or the OVN NB remotes whose shared definitions are listed */
} NcDaemonOptions;

/* Locks state_dir/driver.pid (RESOURCE_BUSY when another daemon holds it),
 * loads persistent definitions and status files, adopts running networks,
 * then starts autostart networks (once per boot). Bad files are logged and
 * skipped, never fatal. */
NcDaemon *nc_daemon_new(const NcDaemonOptions *opts, GError **error);
/* Leaves running networks running (like libvirt); frees memory only. */
void nc_daemon_free(NcDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDaemon, nc_daemon_free)

const NcPaths *nc_daemon_get_paths(NcDaemon *daemon);

/* -- front-end state ------------------------------------------------------- */

/* A front end (D-Bus, libvirt protocol) keeps its state on the daemon object,
 * one slot per key, so nothing is global. Setting a key replaces (and
 * destroys) what it held; data NULL empties it. Slots still set are destroyed
 * first thing in nc_daemon_free(), while the daemon is whole (a destroy
 * function may remove its event handlers). `key` is copied. */
void nc_daemon_set_frontend_data(NcDaemon *daemon, const char *key, gpointer data,
                                 GDestroyNotify destroy);
/* The data under `key`, or NULL. */
gpointer nc_daemon_get_frontend_data(NcDaemon *daemon, const char *key);

/* -- lifecycle events --------------------------------------------------------- */

/* Values are libvirt's VIR_NETWORK_EVENT_* */
typedef enum {
  NC_NETWORK_EVENT_DEFINED = 0,
  NC_NETWORK_EVENT_UNDEFINED = 1,
  NC_NETWORK_EVENT_STARTED = 2,
  NC_NETWORK_EVENT_STOPPED = 3,
  _NC_NETWORK_EVENT_MAX,
} NcNetworkEvent;
const char *nc_network_event_to_string(NcNetworkEvent ev); /* "Defined", ... as virsh prints */

/* What the core publishes. Front ends (and anything else: tests, the
 * lease watcher) subscribe; the core never calls a front end. */
typedef struct _NcPort NcPort;
typedef struct _NcDhcpLease NcDhcpLease;
typedef enum {
  NC_EVENT_NETWORK_LIFECYCLE,  /* .lifecycle says which */
  NC_EVENT_NETWORK_PROPERTIES, /* a property that is no lifecycle event (autostart) */
  NC_EVENT_NETWORK_UPDATED,    /* net-update changed its definition (no lifecycle event, as libvirt) */
  NC_EVENT_DHCP_LEASE,         /* .lease_action ("add", "old", "del", dnsmasq's words), .lease */
  NC_EVENT_PORT_CREATED,       /* .port */
  NC_EVENT_PORT_DELETED,       /* .port (still readable during the call) */
} NcEventKind;

typedef struct {
  NcEventKind kind;
  NcNetwork *net;             /* always set */
  NcNetworkEvent lifecycle;   /* NC_EVENT_NETWORK_LIFECYCLE */
  const char *lease_action;   /* NC_EVENT_DHCP_LEASE */
  const NcDhcpLease *lease;   /* NC_EVENT_DHCP_LEASE */
  NcPort *port;               /* NC_EVENT_PORT_* */
} NcEvent;

/* Called after the change is done. `event->net` is valid for the duration of
 * the call (for UNDEFINED / STOPPED-transient it is about to be removed).
 * Persistence changes come as DEFINED (now persistent) / UNDEFINED (now
 * transient if still active). Handlers may add or remove handlers; a handler
 * removed during a dispatch is not called again. */
typedef void (*NcEventFunc)(NcDaemon *daemon, const NcEvent *event, gpointer user_data);
guint nc_daemon_add_event_handler(NcDaemon *daemon, NcEventFunc func, gpointer user_data,
                                  GDestroyNotify notify);
void nc_daemon_remove_event_handler(NcDaemon *daemon, guint id);

/* -- registry ------------------------------------------------------------------- */

/* virConnectListAllNetworks flags */
typedef enum {
  NC_LIST_INACTIVE = 1 << 0,
  NC_LIST_ACTIVE = 1 << 1,
  NC_LIST_PERSISTENT = 1 << 2,
  NC_LIST_TRANSIENT = 1 << 3,
  NC_LIST_AUTOSTART = 1 << 4,
  NC_LIST_NO_AUTOSTART = 1 << 5,
} NcListFlags;

/* Networks matching the libvirt filter semantics (within each pair of flags,
 * none set = no filter), sorted by name. Array of borrowed NcNetwork*. */
GPtrArray *nc_daemon_list(NcDaemon *daemon, guint flags);

NcNetwork *nc_daemon_lookup_by_name(NcDaemon *daemon, const char *name, GError **error);
/* uuid as a string in any form nc_uuid_parse accepts */
NcNetwork *nc_daemon_lookup_by_uuid(NcDaemon *daemon, const char *uuid, GError **error);

/* virNetworkDefineXMLFlags flags */
typedef enum {
  NC_DEFINE_VALIDATE = 1 << 0, /* schema validation (we always run semantic checks) */
} NcDefineFlags;

/* define: persistent (new, or replaces the inactive/persistent config of an
 * existing one with the same name and uuid; while it runs, the new config waits
 * for the next start). Generates uuid, MAC, bridge name; when redefining, a
 * missing uuid/MAC/bridge name is taken from the existing network (libvirt
 * would refuse the uuid and pick a new bridge). The config file is written
 * before anything changes in memory. Emits DEFINED. */
NcNetwork *nc_daemon_define_xml(NcDaemon *daemon, const char *xml, guint flags, GError **error);
/* create: transient, started at once; nothing left behind if start fails.
 * Over an inactive persistent network of the same name/uuid, starts that one
 * with this definition (its config stays for the next start), as libvirt.
 * OPERATION_INVALID when a network of that name is active. Emits STARTED. */
NcNetwork *nc_daemon_create_xml(NcDaemon *daemon, const char *xml, guint flags, GError **error);

/* NO_SUPPORT ("forward mode 'nat' is not supported yet") for a mode without a
 * driver. Emits STARTED. */
gboolean nc_network_start(NcNetwork *net, GError **error);
/* Stops it; a transient network is removed from the registry afterwards.
 * Teardown failures are logged, not returned: the network is inactive
 * afterwards either way. Emits STOPPED (never UNDEFINED). */
gboolean nc_network_destroy(NcNetwork *net, GError **error);
/* Removes the persistent config and autostart link; an active network keeps
 * running as a transient one. Emits UNDEFINED. */
gboolean nc_network_undefine(NcNetwork *net, GError **error);
gboolean nc_network_set_autostart(NcNetwork *net, gboolean autostart, GError **error);

/* virNetworkUpdate. command/section values are libvirt's; flags AFFECT_LIVE=1,
 * AFFECT_CONFIG=2. Not every section is supported by every driver yet. */
gboolean nc_network_update(NcNetwork *net, guint command, guint section, int parent_index,
                           const char *xml, guint flags, GError **error);

/* -- network accessors ------------------------------------------------------------ */

NcNetwork *nc_network_ref(NcNetwork *net);
void nc_network_unref(NcNetwork *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNetwork, nc_network_unref)

const char *nc_network_get_name(NcNetwork *net);
/* "xxxxxxxx-xxxx-..." */
const char *nc_network_get_uuid_string(NcNetwork *net);
const guint8 *nc_network_get_uuid(NcNetwork *net);
gboolean nc_network_is_active(NcNetwork *net);
gboolean nc_network_is_persistent(NcNetwork *net);
gboolean nc_network_get_autostart(NcNetwork *net);
/* NULL when the network has no bridge (macvtap/hostdev pools). */
const char *nc_network_get_bridge_name(NcNetwork *net);
/* The live definition when active, else the persistent one; with
 * NC_NETWORK_FORMAT_INACTIVE the persistent (next-boot) one. Caller frees. */
char *nc_network_get_xml(NcNetwork *net, guint format_flags);
/* Borrowed; the live def when active, else the persistent one. */
const NcNetworkDef *nc_network_get_def(NcNetwork *net);
/* Removed from the registry (a handle kept with nc_network_ref after
 * undefine/transient destroy). Calls on it fail with NO_NETWORK. */
gboolean nc_network_is_removed(NcNetwork *net);

/* virNetworkGetMetadata / virNetworkSetMetadata (network-metadata.c). Values
 * are libvirt's virNetworkMetadataType; flags are NC_NETWORK_UPDATE_FLAGS
 * (0 = current). ELEMENT takes the namespace `uri` and, to set, the prefix
 * `key`; NULL/"" metadata removes. Get fails NO_NETWORK_METADATA when absent.
 * A change is saved like nc_network_update's; no lifecycle event. */
typedef enum {
  NC_NETWORK_METADATA_DESCRIPTION = 0,
  NC_NETWORK_METADATA_TITLE = 1,
  NC_NETWORK_METADATA_ELEMENT = 2,
  _NC_NETWORK_METADATA_MAX,
} NcNetworkMetadataType;
char *nc_network_get_metadata(NcNetwork *net, NcNetworkMetadataType type, const char *uri,
                              guint flags, GError **error);
gboolean nc_network_set_metadata(NcNetwork *net, NcNetworkMetadataType type, const char *metadata,
                                 const char *key, const char *uri, guint flags, GError **error);

/* -- operations ------------------------------------------------------------------ */

/* libvirt's flag values the core takes. */
#define NC_NETWORK_XML_INACTIVE 1u       /* VIR_NETWORK_XML_INACTIVE */
#define NC_NETWORK_UPDATE_FLAGS 3u       /* VIR_NETWORK_UPDATE_AFFECT_LIVE | _CONFIG */
#define NC_PORT_CREATE_RECLAIM (1u << 0) /* VIR_NETWORK_PORT_CREATE_RECLAIM */
#define NC_PORT_CREATE_VALIDATE (1u << 1) /* VIR_NETWORK_PORT_CREATE_VALIDATE */

/* Every call a front end can make, so each front end classifies and checks
 * it the same way (operations.c). */
typedef enum {
  NC_OP_LIST_NETWORKS,
  NC_OP_LOOKUP_NETWORK,
  NC_OP_DEFINE_NETWORK,
  NC_OP_CREATE_NETWORK,
  NC_OP_GET_PROPERTY,
  NC_OP_SET_AUTOSTART,
  NC_OP_START,
  NC_OP_DESTROY,
  NC_OP_UNDEFINE,
  NC_OP_UPDATE,
  NC_OP_GET_XML,
  NC_OP_GET_DHCP_LEASES,
  NC_OP_PORT_CREATE,
  NC_OP_PORT_LOOKUP,
  NC_OP_PORT_LIST,
  NC_OP_PORT_GET_XML,
  NC_OP_PORT_DELETE,
  NC_OP_PORT_GET_PARAMETERS,
  NC_OP_PORT_SET_PARAMETERS,
  _NC_OP_MAX,
} NcOperation;

typedef struct {
  const char *name; /* for messages */
  gboolean changes; /* changes state: front ends require privilege */
  guint flags;      /* the flags it accepts */
} NcOperationInfo;

const NcOperationInfo *nc_operation_info(NcOperation op);
/* INVALID_ARG "NAME: unsupported flags (0x..)" for a flag the call does not know. */
gboolean nc_operation_check_flags(NcOperation op, guint flags, GError **error);

/* -- ports ------------------------------------------------------------------------- */

/* A port: one guest interface's place on a network (libvirt's virNetworkPort).
 * Owned by its network; ports outlive a stop of their network (the guest's
 * device is plugged back in when it starts again) and a netctld restart.
 * Returned pointers are borrowed like networks'; nc_port_ref to keep one. */

/* What attach-interface asks for beyond the port: a TAP netctl makes. */
typedef struct {
  const char *target; /* the device name; NULL: the first free vnet%d */
  gint64 owner;       /* uid that may open it, -1: root only */
  gint64 group;       /* gid, -1: none */
  guint queues;       /* 0 or 1: single queue; 2..256 multiqueue */
  gboolean vnet_hdr;
  guint mtu;          /* 0: the network's */
} NcTapRequest;

/* virNetworkPortCreateXML. The network must be active. A port's XML must
 * carry its uuid (as libvirt's); its MAC must not be another port's; its portgroup
 * must exist; network, portgroup and port settings are merged (port wins).
 * tap != NULL: netctl also makes the port's TAP and plugs it in. Emits
 * PORT_CREATED. Flags: NC_PORT_CREATE_*. */
NcPort *nc_network_port_create(NcNetwork *net, const char *xml, guint flags,
                               const NcTapRequest *tap, GError **error);
/* The same from a model (owned). */
NcPort *nc_network_port_create_def(NcNetwork *net, NcNetworkPortDef *def, guint flags,
                                   const NcTapRequest *tap, GError **error);
NcPort *nc_network_port_lookup(NcNetwork *net, const char *uuid, GError **error);
/* The port with guest MAC `mac` (any spelling), or else whose device netctl
 * made is `device`; NO_NETWORK_PORT when none. */
NcPort *nc_network_port_find(NcNetwork *net, const char *mac, const char *device,
                             GError **error);
/* Array of borrowed NcPort*, in creation order. */
GPtrArray *nc_network_list_ports(NcNetwork *net);
guint nc_network_port_count(NcNetwork *net);
/* Releases the port (and deletes the TAP netctl made for it). Emits PORT_DELETED. */
gboolean nc_port_delete(NcPort *port, GError **error);

NcPort *nc_port_ref(NcPort *port);
void nc_port_unref(NcPort *port);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcPort, nc_port_unref)
NcNetwork *nc_port_get_network(NcPort *port);
const char *nc_port_get_uuid_string(NcPort *port);
const NcNetworkPortDef *nc_port_get_def(NcPort *port);
/* libvirt's port XML. Caller frees. */
char *nc_port_get_xml(NcPort *port);
/* The TAP netctl made for it, NULL when the guest's device is someone else's. */
const char *nc_port_get_device(NcPort *port);
/* The character device of the macvtap netctl made for it ("/dev/tap12"),
 * NULL for a TAP or a device someone else made. */
const char *nc_port_get_chardev(NcPort *port);
/* TRUE while its device is plugged in (its network runs). */
gboolean nc_port_is_plugged(NcPort *port);
/* virNetworkPortSetParameters for bandwidth: `bandwidth` NULL clears it. */
gboolean nc_port_set_bandwidth(NcPort *port, const NcBandwidth *bandwidth, GError **error);

/* DHCP leases of a network whose kind runs dnsmasq (empty for others). */
struct _NcDhcpLease {
  char *iface;
  gint64 expiry_time;
  int type; /* 0 = IPv4, 1 = IPv6 */
  char *mac;
  char *iaid;
  char *ipaddr;
  guint prefix;
  char *hostname;
  char *clientid;
};
void nc_dhcp_lease_free(NcDhcpLease *lease);
/* mac NULL or "" = all. Array of NcDhcpLease* (owned by the array). */
GPtrArray *nc_network_get_dhcp_leases(NcNetwork *net, const char *mac, GError **error);

G_END_DECLS
