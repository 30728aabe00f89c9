/* Shared by the D-Bus front end files (dbus-frontend.c, dbus-access.c,
 * dbus-connect.c, dbus-network.c); not for use outside them. */
#pragma once

#include <gio/gio.h>

#include "dbus-frontend.h"
#include "write-queue.h"

G_BEGIN_DECLS

/* The front end's state. Reference counted (g_rc_box) because asynchronous
 * access checks may outlive nc_dbus_frontend_stop(); after stop, `stopped`
 * is set and `daemon` must not be touched. */
typedef struct {
  NcDaemon *daemon;
  GDBusConnection *conn;
  GDBusNodeInfo *connect_info;
  GDBusNodeInfo *network_info;
  GDBusNodeInfo *port_info;
  guint port_reg_id;
  guint connect_reg_id;
  guint subtree_reg_id;
  guint event_handler_id;
  gboolean stopped;
  /* uuid string -> NetworkProps: the property values last announced, so
   * PropertiesChanged carries only what changed. */
  GHashTable *announced;
  /* Calls that change state, run in arrival order a slice per main-loop turn
   * (write-queue.h) so reads do not wait behind a burst of them. */
  NcWriteQueue *writes;
  /* unique bus name -> its uid + 1 (GUINT_TO_POINTER), from the bus
   * (dbus-access.c). */
  GHashTable *uids;
} NcDbusFrontend;

NcDbusFrontend *nc_dbus_frontend_ref(NcDbusFrontend *fe);
void nc_dbus_frontend_unref(NcDbusFrontend *fe);

/* A method implementation: owns `inv` and must reply on it. */
typedef void (*NcDbusHandler)(NcDbusFrontend *fe, GDBusMethodInvocation *inv);

typedef struct {
  const char *name;
  NcDbusHandler func;
  NcOperation op; /* the core's operation: whether it needs root, its flags */
} NcDbusMethod;

/* Looks `method` up in `table`, checks access for methods whose operation
 * changes something, then runs it; an unknown method gets UnknownMethod. */
void nc_dbus_dispatch(NcDbusFrontend *fe, GDBusMethodInvocation *inv, const char *method,
                      const NcDbusMethod *table, gsize n_table);

/* dbus-access.c: queues `func` on fe->writes if the caller is uid 0, else
 * replies org.netctl.Error.AccessDenied and changes nothing. Asynchronous:
 * the caller's uid is asked of the bus (or taken from the peer credentials on
 * a peer-to-peer connection). */
void nc_dbus_access_require_root(NcDbusFrontend *fe, GDBusMethodInvocation *inv,
                                 NcDbusHandler func);

/* Checks `flags` against what `op` accepts; FALSE after replying InvalidArg. */
gboolean nc_dbus_check_flags(GDBusMethodInvocation *inv, NcOperation op, guint flags);

/* Replies with the D-Bus error for `error` (NC_ERROR codes map to
 * org.netctl.Error.*; anything else becomes InternalError). */
void nc_dbus_return_error(GDBusMethodInvocation *inv, const GError *error);
/* dbus-network.c: the success reply of a change that may have written a
 * definition (define, undefine, update, autostart): held by fe->writes until
 * the group's writes are durable (store.h's group commit). Takes inv and a
 * floating value (NULL: no return value). */
void nc_dbus_reply_durable(NcDbusFrontend *fe, GDBusMethodInvocation *inv, GVariant *value);

/* dbus-connect.c / dbus-network.c: method tables and vtables. */
extern const GDBusInterfaceVTable nc_dbus_connect_vtable;
extern const GDBusInterfaceVTable nc_dbus_network_vtable;

/* The network an object path names; NO_NETWORK error when there is none. */
NcNetwork *nc_dbus_network_from_path(NcDbusFrontend *fe, const char *path, GError **error);
/* The value of a property of org.libvirt.Network, NULL for an unknown name. */
GVariant *nc_dbus_network_property(NcNetwork *net, const char *name);
void nc_dbus_emit_refresh(NcDbusFrontend *fe, NcNetwork *net);

/* dbus-port.c: ports. Paths "/org/netctl1/port/_<net uuid>_<port uuid>". */
char *nc_dbus_port_path(NcPort *port);
/* Registers the port subtree; 0 with an error on failure. */
guint nc_dbus_port_register(NcDbusFrontend *fe, GError **error);
/* PortCreated / PortDeleted on the network's object. */
void nc_dbus_emit_port_event(NcDbusFrontend *fe, const NcEvent *ev);
/* The port methods of org.libvirt.Network. */
void nc_dbus_network_list_ports(NcDbusFrontend *fe, GDBusMethodInvocation *inv);
void nc_dbus_network_port_lookup(NcDbusFrontend *fe, GDBusMethodInvocation *inv);
void nc_dbus_network_port_lookup_by_mac(NcDbusFrontend *fe, GDBusMethodInvocation *inv);
void nc_dbus_network_port_lookup_by_device(NcDbusFrontend *fe, GDBusMethodInvocation *inv);
void nc_dbus_network_port_create(NcDbusFrontend *fe, GDBusMethodInvocation *inv);
void nc_dbus_network_port_create_tap(NcDbusFrontend *fe, GDBusMethodInvocation *inv);

G_END_DECLS
