/* The D-Bus front end of netctld: bus name org.netctl1 on the system bus
 * (DBUS_SYSTEM_BUS_ADDRESS is honoured), libvirt-dbus's org.libvirt.Connect
 * at /org/netctl1 and org.libvirt.Network at
 * /org/netctl1/network/_<uuid with '_' for '-'>. Interfaces: daemon/dbus/.
 *
 * The front end unpacks calls, checks the caller (any local user may read,
 * only uid 0 may change anything), calls the core (nc-daemon.h) and replies;
 * core events become NetworkEvent / PropertiesChanged / Refresh signals. */
#pragma once

#include <gio/gio.h>

#include "nc-daemon.h"

G_BEGIN_DECLS

#define NC_DBUS_NAME "org.netctl1"
#define NC_DBUS_CONNECT_PATH "/org/netctl1"
#define NC_DBUS_NETWORK_PATH_PREFIX "/org/netctl1/network"
#define NC_DBUS_CONNECT_INTERFACE "org.libvirt.Connect"
#define NC_DBUS_NETWORK_INTERFACE "org.libvirt.Network"

/* Connects to the system bus, registers the objects and takes the bus name
 * synchronously, so the daemon is reachable when this returns (systemd
 * Type=dbus). Fails when there is no bus or the name is already owned (another
 * netctld running). The front end's state is tied to `daemon`; call
 * nc_dbus_frontend_stop() before nc_daemon_free(). If the bus goes away later,
 * the process gets SIGTERM (GLib's exit-on-close). */
gboolean nc_dbus_frontend_start(NcDaemon *daemon, GError **error);
/* Releases the name and unregisters everything; a no-op when not started. */
void nc_dbus_frontend_stop(NcDaemon *daemon);

/* Maps every NC_ERROR code to its D-Bus name (nc_error_code_to_dbus_name) in
 * both directions, so a client gets NC_ERROR errors back from GDBus calls
 * (use g_dbus_error_strip_remote_error() for the bare message). Idempotent;
 * clients call it too. */
void nc_dbus_register_errors(void);

/* "/org/netctl1/network/_<uuid>" for a uuid string with dashes. Caller frees. */
char *nc_dbus_network_path(const char *uuid);

G_END_DECLS
