/* Shared by the D-Bus front end files (dbus-frontend.c, dbus-access.c,
 * dbus-connect.c, dbus-network.c); not for use outside them. */
#pragma once

#include <gio/gio.h>

#include "dbus-frontend.h"

G_BEGIN_DECLS

/* The front end's state. Reference counted (g_rc_box) because asynchronous
 * access checks may outlive nc_dbus_frontend_stop(); after stop, `stopped`
 * is set and `daemon` must not be touched. */
typedef struct {
  NcDaemon *daemon;
  GDBusConnection *conn;
  GDBusNodeInfo *connect_info;
  GDBusNodeInfo *network_info;
  guint connect_reg_id;
  guint subtree_reg_id;
  guint event_handler_id;
  gboolean stopped;
  /* uuid string -> NetworkProps: the property values last announced, so
   * PropertiesChanged carries only what changed. */
  GHashTable *announced;
} NcDbusFrontend;

NcDbusFrontend *nc_dbus_frontend_ref(NcDbusFrontend *fe);
void nc_dbus_frontend_unref(NcDbusFrontend *fe);

/* A method implementation: owns `inv` and must reply on it. */
typedef void (*NcDbusHandler)(NcDbusFrontend *fe, GDBusMethodInvocation *inv);

typedef struct {
  const char *name;
  NcDbusHandler func;
  gboolean changes; /* needs root */
} NcDbusMethod;

/* Looks `method` up in `table`, checks access for methods that change
 * something, then runs it; an unknown method gets UnknownMethod. */
void nc_dbus_dispatch(NcDbusFrontend *fe, GDBusMethodInvocation *inv, const char *method,
                      const NcDbusMethod *table, gsize n_table);

/* dbus-access.c: runs `func` if the caller is uid 0, else replies
 * org.netctl.Error.AccessDenied and changes nothing. Asynchronous: the
 * caller's uid is asked of the bus (or taken from the peer credentials on a
 * peer-to-peer connection). */
void nc_dbus_access_require_root(NcDbusFrontend *fe, GDBusMethodInvocation *inv,
                                 NcDbusHandler func);

/* Replies with the D-Bus error for `error` (NC_ERROR codes map to
 * org.netctl.Error.*; anything else becomes InternalError). */
void nc_dbus_return_error(GDBusMethodInvocation *inv, const GError *error);

/* dbus-connect.c / dbus-network.c: method tables and vtables. */
extern const GDBusInterfaceVTable nc_dbus_connect_vtable;
extern const GDBusInterfaceVTable nc_dbus_network_vtable;

/* The network an object path names; NO_NETWORK error when there is none. */
NcNetwork *nc_dbus_network_from_path(NcDbusFrontend *fe, const char *path, GError **error);
/* The value of a property of org.libvirt.Network, NULL for an unknown name. */
GVariant *nc_dbus_network_property(NcNetwork *net, const char *name);
void nc_dbus_emit_refresh(NcDbusFrontend *fe, NcNetwork *net);

G_END_DECLS
