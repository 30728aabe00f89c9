/* Internals of the daemon core, shared by its files (not by front ends).
 *
 * Ownership: the daemon's by_name table owns one reference to each network;
 * by_uuid borrows. A network's `daemon` pointer is cleared when it leaves the
 * registry, which is how nc_network_is_removed() knows. */
#pragma once

#include "forward-driver.h"
#include "nc-daemon.h"
#include "nc-kernel.h"
#include "network-xml.h"

G_BEGIN_DECLS

struct _NcNetwork {
  gint ref;
  NcDaemon *daemon;      /* NULL once removed from the registry */
  NcNetworkDef *def;     /* the live definition when active, else the persistent one */
  NcNetworkDef *new_def; /* active and persistent: the config for the next start */
  char uuid_str[NC_UUID_STRING_LEN];
  gboolean active;
  gboolean persistent;
  gboolean autostart;
  NcLiveState live;
  GPtrArray *ports;       /* of NcPort* (references), creation order */
  GHashTable *port_uuids; /* uuid string -> NcPort* (borrowed) */
  guint64 ovn_version;    /* OVN: the NB definition's version last seen, 0: none (ovn-defs.h) */
};

struct _NcPort {
  gint ref;
  NcNetwork *net;           /* NULL once deleted */
  NcNetworkPortDef *def;    /* as allocated: merged, plug filled in */
  char uuid_str[NC_UUID_STRING_LEN];
  NcPortDevice dev;         /* dev.create: netctl made its TAP */
  gboolean plugged;         /* its device is in the running network */
};

typedef struct {
  guint id;
  NcEventFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} NcEventHandler;

struct _NcDaemon {
  NcPaths *paths;
  NcKernel *kernel;
  NcDriverEnv env;
  char *dev_root; /* env.dev_dir (--dev-root), NULL for /dev */
  gboolean verbose;
  GHashTable *by_name; /* name -> NcNetwork* (owns a reference) */
  GHashTable *by_uuid; /* canonical uuid string -> NcNetwork* (borrowed) */
  GPtrArray *handlers; /* of NcEventHandler* */
  guint last_handler_id;
  guint dispatch_depth; /* > 0 while handlers run: removals are deferred */
  int lock_fd;          /* state_dir/driver.pid, locked while we run */
  GHashTable *frontends; /* key -> FrontendSlot*: nc_daemon_set_frontend_data() */
  struct _NcManaged *managed; /* managed.c's state (drivers' runtime, lease snapshots) */
  char *ovn_nb; /* --ovn-nb: the NB whose OVN definitions this host lists, NULL: none */
  struct _NcOvnNbWatch *ovn_watch; /* the monitor on ovn_nb (ovn-shared.c), NULL: none */
  gboolean ovn_behind; /* a change was refused as stale: the next refresh reads the NB */
};

/* -- ovn-shared.c: OVN definitions kept in the NB ------------------------------ */
/* Publishes an OVN definition to its NB before a define (ovn-defs.h); TRUE
 * for other networks. The loser of a concurrent change gets "changed
 * meanwhile on another host". */
gboolean nc_daemon_ovn_publish(NcDaemon *daemon, NcNetwork *existing, const NcNetworkDef *def,
                               guint64 *ret_version, GError **error);
/* Whether def is kept in --ovn-nb's NB only (no local config file). */
gboolean nc_daemon_ovn_shared(NcDaemon *daemon, const NcNetworkDef *def);
/* Removes an OVN network's definition from its NB before an undefine, on
 * the same version condition as nc_daemon_ovn_publish. */
gboolean nc_daemon_ovn_unpublish(NcDaemon *daemon, NcNetwork *net, GError **error);
/* Adds the networks defined in --ovn-nb's NB that this host does not know
 * yet, refreshes those whose NB version moved, and undefines those another
 * host removed from it. Errors are logged. */
void nc_daemon_ovn_refresh(NcDaemon *daemon);
/* The monitor on --ovn-nb's NB: started once the state is loaded, stopped
 * before the daemon goes. */
void nc_daemon_ovn_watch_start(NcDaemon *daemon);
void nc_daemon_ovn_watch_stop(NcDaemon *daemon);
/* Sets a shared network's autostart flag in the NB, on the version
 * condition of a define ("changed meanwhile" when it moved). */
gboolean nc_daemon_ovn_set_autostart(NcDaemon *daemon, NcNetwork *net, gboolean autostart,
                                     GError **error);
/* network.c: a shared OVN network started (active) or destroyed on another
 * host: this host follows, with the lifecycle event of a local change. */
void nc_network_follow_shared(NcNetwork *net, gboolean active);
/* network.c: registers a definition read from the NB (no local config file). */
NcNetwork *nc_daemon_adopt_shared_xml(NcDaemon *daemon, const char *xml, guint64 version,
                                      GError **error);

/* -- registry.c -------------------------------------------------------------- */
NcNetwork *nc_network_new(NcDaemon *daemon, NcNetworkDef *def /* owned */);
void nc_registry_add(NcDaemon *daemon, NcNetwork *net /* reference taken */);
/* Drops the registry's reference; `net` stays valid while the caller holds one. */
void nc_registry_remove(NcDaemon *daemon, NcNetwork *net);
NcNetwork *nc_registry_find_name(NcDaemon *daemon, const char *name);
NcNetwork *nc_registry_find_uuid(NcDaemon *daemon, const guint8 uuid[NC_UUID_LEN]);
void nc_event_handler_free(gpointer handler);
/* Calls every handler with `event`. */
void nc_daemon_publish(NcDaemon *daemon, const NcEvent *event);
/* nc_daemon_publish of a NETWORK_LIFECYCLE event. */
void nc_daemon_emit_lifecycle(NcDaemon *daemon, NcNetwork *net, NcNetworkEvent event);
/* nc_daemon_publish of an event with only a kind and a network. */
void nc_daemon_emit_simple(NcDaemon *daemon, NcNetwork *net, NcEventKind kind);

/* -- bridge-names.c ------------------------------------------------------------ */
/* Gives def a bridge name when it has none or a "%d" template, skipping names
 * of other networks and existing devices; checks a fixed name is not used by
 * another network. `prefer` (may be NULL) is tried first: the name the network
 * being redefined already has. */
gboolean nc_bridge_name_assign(NcDaemon *daemon, NcNetworkDef *def, const char *prefer,
                               GError **error);
/* The other network (not named `self`) whose bridge is `bridge`, or NULL. */
NcNetwork *nc_bridge_name_user(NcDaemon *daemon, const char *bridge, const char *self);

/* -- network.c ---------------------------------------------------------------------- */
/* Starts `net` (inactive). live_def (owned, may be NULL) replaces the
 * definition for this run: create over an inactive persistent network. */
gboolean nc_network_start_internal(NcNetwork *net, NcNetworkDef *live_def, GError **error);
/* Makes a running network known after a restart: status def, live state. */
void nc_network_set_active_from_status(NcNetwork *net, NcNetworkDef *live_def /* owned */,
                                       const NcLiveState *live);

/* -- port.c ------------------------------------------------------------------------------ */
/* After the network started (or was adopted): loads its ports on first use
 * and plugs each one back in. Failures are logged per port. */
void nc_network_ports_plug_all(NcNetwork *net);
/* The network stopped: its ports stay, unplugged. Returns the names of the
 * devices cut off (NULL when none), for the log. Caller frees. */
char *nc_network_ports_unplug_all(NcNetwork *net);
/* The network leaves the registry: every port is released and forgotten. */
void nc_network_ports_delete_all(NcNetwork *net);
/* Loads the ports a previous daemon recorded, without plugging. */
void nc_network_ports_load(NcNetwork *net);
void nc_network_ports_free(NcNetwork *net);
/* The connection count of a running network follows its ports. */
void nc_network_ports_count_connections(NcNetwork *net);

/* -- port-vlan.c ----------------------------------------------------------------------- */
/* After net-update changed a portgroup live: its ports whose VLAN came from
 * it get the new one (definition, status, device). Failures are logged. */
void nc_network_ports_update_vlans(NcNetwork *net, const NcNetworkDef *old_def);

/* -- autostart.c ----------------------------------------------------------------------- */
/* Starts the autostart networks once per boot (marker state_dir/autostarted). */
void nc_autostart_run(NcDaemon *daemon);

G_END_DECLS
