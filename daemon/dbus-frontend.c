/* The D-Bus front end: bus name, object registration, core events -> signals.
 *
 * One object (/org/netctl1, org.libvirt.Connect) plus one subtree
 * (/org/netctl1/network) that answers for every network path without
 * registering each network: a call is resolved to a network by the uuid in
 * its path, as libvirt-dbus does, so 1000 networks cost nothing here. */
#include "dbus-filter.h"
#include "dbus-private.h"

#include "daemon/dbus/dbus-introspection.h"
#include "nc-error.h"

/* The front end's state hangs off the daemon object (its front-end slot
 * under this key), so the start/stop API needs nothing but the daemon. */
#define FRONTEND_KEY "nc-dbus-frontend"

/* org.freedesktop.DBus.RequestName flags and replies */
#define NAME_FLAG_DO_NOT_QUEUE 4
#define NAME_REPLY_PRIMARY_OWNER 1
#define NAME_REPLY_ALREADY_OWNER 4

typedef struct {
  gboolean active;
  gboolean autostart;
  gboolean persistent;
  char *bridge;
} NetworkProps;

static void
network_props_free(NetworkProps *props)
{
  g_free(props->bridge);
  g_free(props);
}

/* -- errors ------------------------------------------------------------------ */

void
nc_dbus_register_errors(void)
{
  /* The NC_ERROR codes are libvirt's virErrorNumber values, all below 200. */
  for (int code = 0; code < 200; code++) {
    if (nc_error_code_to_string(code) != NULL)
      g_dbus_error_register_error(NC_ERROR, code, nc_error_code_to_dbus_name(code));
  }
}

void
nc_dbus_return_error(GDBusMethodInvocation *inv, const GError *error)
{
  if (error->domain == NC_ERROR)
    g_dbus_method_invocation_return_dbus_error(inv, nc_error_code_to_dbus_name(error->code),
                                               error->message);
  else
    g_dbus_method_invocation_return_dbus_error(
        inv, nc_error_code_to_dbus_name(NC_ERROR_INTERNAL_ERROR), error->message);
}

gboolean
nc_dbus_check_flags(GDBusMethodInvocation *inv, NcOperation op, guint flags)
{
  g_autoptr(GError) error = NULL;
  if (nc_operation_check_flags(op, flags, &error))
    return TRUE;
  nc_dbus_return_error(inv, error);
  return FALSE;
}

/* -- paths ------------------------------------------------------------------- */

char *
nc_dbus_network_path(const char *uuid)
{
  g_autofree char *label = g_strdelimit(g_strdup(uuid), "-", '_');
  return g_strconcat(NC_DBUS_NETWORK_PATH_PREFIX "/_", label, NULL);
}

/* The uuid in a subtree node name "_xxxxxxxx_xxxx_...", or NULL. */
static char *
node_to_uuid(const char *node)
{
  if (node == NULL || node[0] != '_' || strlen(node) != 37)
    return NULL;
  for (const char *p = node + 1; *p; p++)
    if (!g_ascii_isxdigit(*p) && *p != '_')
      return NULL;
  return g_strdelimit(g_strdup(node + 1), "_", '-');
}

NcNetwork *
nc_dbus_network_from_path(NcDbusFrontend *fe, const char *path, GError **error)
{
  const char *prefix = NC_DBUS_NETWORK_PATH_PREFIX "/";
  g_autofree char *uuid = NULL;

  if (g_str_has_prefix(path, prefix))
    uuid = node_to_uuid(path + strlen(prefix));
  if (uuid == NULL) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK, "no network at object path '%s'", path);
    return NULL;
  }
  return nc_daemon_lookup_by_uuid(fe->daemon, uuid, error);
}

/* -- state ------------------------------------------------------------------- */

static void
frontend_clear(NcDbusFrontend *fe)
{
  g_clear_pointer(&fe->connect_info, g_dbus_node_info_unref);
  g_clear_pointer(&fe->network_info, g_dbus_node_info_unref);
  g_clear_pointer(&fe->port_info, g_dbus_node_info_unref);
  g_clear_pointer(&fe->announced, g_hash_table_unref);
  g_clear_pointer(&fe->uids, g_hash_table_unref);
  g_clear_object(&fe->conn);
}

NcDbusFrontend *
nc_dbus_frontend_ref(NcDbusFrontend *fe)
{
  return g_rc_box_acquire(fe);
}

void
nc_dbus_frontend_unref(NcDbusFrontend *fe)
{
  g_rc_box_release_full(fe, (GDestroyNotify)frontend_clear);
}

/* -- dispatch ---------------------------------------------------------------- */

void
nc_dbus_dispatch(NcDbusFrontend *fe, GDBusMethodInvocation *inv, const char *method,
                 const NcDbusMethod *table, gsize n_table)
{
  for (gsize i = 0; i < n_table; i++) {
    if (!g_str_equal(table[i].name, method))
      continue;
    if (nc_operation_info(table[i].op)->changes)
      nc_dbus_access_require_root(fe, inv, table[i].func);
    else
      table[i].func(fe, inv);
    return;
  }
  g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                        "unknown method '%s'", method);
}

/* -- the network subtree ------------------------------------------------------- */

static char **
subtree_enumerate(GDBusConnection *conn, const char *sender, const char *object_path,
                  gpointer user_data)
{
  NcDbusFrontend *fe = user_data;
  g_autoptr(GPtrArray) nets = nc_daemon_list(fe->daemon, 0);
  GPtrArray *nodes = g_ptr_array_new();

  for (guint i = 0; i < nets->len; i++) {
    const char *uuid = nc_network_get_uuid_string(nets->pdata[i]);
    g_ptr_array_add(nodes, g_strconcat("_", uuid, NULL));
    g_strdelimit(g_ptr_array_index(nodes, nodes->len - 1), "-", '_');
  }
  g_ptr_array_add(nodes, NULL);
  return (char **)g_ptr_array_free(nodes, FALSE);
}

/* Any well-formed node has the interface, whether or not its network exists
 * right now (libvirt-dbus does the same): calls on a vanished network then
 * get org.netctl.Error.NoNetwork instead of a generic "no such interface". */
static GDBusInterfaceInfo **
subtree_introspect(GDBusConnection *conn, const char *sender, const char *object_path,
                   const char *node, gpointer user_data)
{
  NcDbusFrontend *fe = user_data;
  g_autofree char *uuid = node_to_uuid(node);
  GDBusInterfaceInfo **ifaces;

  if (uuid == NULL)
    return NULL;
  ifaces = g_new0(GDBusInterfaceInfo *, 2);
  ifaces[0] = g_dbus_interface_info_ref(fe->network_info->interfaces[0]);
  return ifaces;
}

static const GDBusInterfaceVTable *
subtree_dispatch(GDBusConnection *conn, const char *sender, const char *object_path,
                 const char *interface_name, const char *node, gpointer *out_user_data,
                 gpointer user_data)
{
  g_autofree char *uuid = node_to_uuid(node);

  if (uuid == NULL || g_strcmp0(interface_name, NC_DBUS_NETWORK_INTERFACE) != 0)
    return NULL;
  *out_user_data = user_data;
  return &nc_dbus_network_vtable;
}

static const GDBusSubtreeVTable subtree_vtable = {
  .enumerate = subtree_enumerate,
  .introspect = subtree_introspect,
  .dispatch = subtree_dispatch,
};

/* -- events -> signals ----------------------------------------------------------- */

void
nc_dbus_emit_refresh(NcDbusFrontend *fe, NcNetwork *net)
{
  g_autofree char *path = nc_dbus_network_path(nc_network_get_uuid_string(net));

  g_dbus_connection_emit_signal(fe->conn, NULL, path, NC_DBUS_NETWORK_INTERFACE, "Refresh", NULL,
                                NULL);
}

/* PropertiesChanged with the properties whose values differ from those
 * last announced (all of them the first time a network changes). */
static void
emit_properties_changed(NcDbusFrontend *fe, NcNetwork *net, const char *path, gboolean removed)
{
  const char *uuid = nc_network_get_uuid_string(net);
  NetworkProps *old = g_hash_table_lookup(fe->announced, uuid);
  NetworkProps *now = g_new0(NetworkProps, 1);
  GVariantBuilder changed;
  gboolean any = FALSE;

  now->active = !removed && nc_network_is_active(net);
  now->persistent = !removed && nc_network_is_persistent(net);
  now->autostart = !removed && nc_network_get_autostart(net);
  now->bridge = g_strdup(nc_network_get_bridge_name(net) ? nc_network_get_bridge_name(net) : "");

  g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
#define CHANGED_BOOL(field, prop)                                                                  \
  if (old == NULL || old->field != now->field) {                                                   \
    g_variant_builder_add(&changed, "{sv}", prop, g_variant_new_boolean(now->field));              \
    any = TRUE;                                                                                    \
  }
  CHANGED_BOOL(active, "Active")
  CHANGED_BOOL(autostart, "Autostart")
  CHANGED_BOOL(persistent, "Persistent")
#undef CHANGED_BOOL
  if (old == NULL || !g_str_equal(old->bridge, now->bridge)) {
    g_variant_builder_add(&changed, "{sv}", "BridgeName", g_variant_new_string(now->bridge));
    any = TRUE;
  }

  if (any)
    g_dbus_connection_emit_signal(
        fe->conn, NULL, path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
        g_variant_new("(sa{sv}as)", NC_DBUS_NETWORK_INTERFACE, &changed, NULL), NULL);
  else
    g_variant_builder_clear(&changed);

  if (removed) {
    g_hash_table_remove(fe->announced, uuid);
    network_props_free(now);
  } else {
    g_hash_table_replace(fe->announced, g_strdup(uuid), now);
  }
}

static void
emit_dhcp_lease_changed(NcDbusFrontend *fe, NcNetwork *net, const char *action,
                        const NcDhcpLease *lease)
{
  g_autofree char *path = nc_dbus_network_path(nc_network_get_uuid_string(net));
#define S(x) ((x) ? (x) : "")
  g_dbus_connection_emit_signal(fe->conn, NULL, path, NC_DBUS_NETWORK_INTERFACE, "DHCPLeaseChanged",
                                g_variant_new("(s(sxisssuss))", action, S(lease->iface),
                                              lease->expiry_time, lease->type, S(lease->mac),
                                              S(lease->iaid), S(lease->ipaddr), lease->prefix,
                                              S(lease->hostname), S(lease->clientid)),
                                NULL);
#undef S
}

static void
on_network_event(NcDaemon *daemon, const NcEvent *ev, gpointer user_data)
{
  NcDbusFrontend *fe = user_data;
  NcNetwork *net = ev->net;

  if (fe->stopped)
    return;
  switch (ev->kind) {
  case NC_EVENT_NETWORK_LIFECYCLE:
  case NC_EVENT_NETWORK_PROPERTIES:
    break;
  case NC_EVENT_NETWORK_UPDATED:
    nc_dbus_emit_refresh(fe, net);
    return;
  case NC_EVENT_DHCP_LEASE:
    emit_dhcp_lease_changed(fe, net, ev->lease_action, ev->lease);
    return;
  case NC_EVENT_PORT_CREATED:
  case NC_EVENT_PORT_DELETED:
    nc_dbus_emit_port_event(fe, ev);
    return;
  }

  g_autofree char *path = nc_dbus_network_path(nc_network_get_uuid_string(net));
  gboolean lifecycle = ev->kind == NC_EVENT_NETWORK_LIFECYCLE;
  /* The core tells us before it drops a network: an inactive one undefined,
   * a transient one stopped. */
  gboolean removed = nc_network_is_removed(net)
                     || (lifecycle && ev->lifecycle == NC_NETWORK_EVENT_UNDEFINED
                         && !nc_network_is_active(net))
                     || (lifecycle && ev->lifecycle == NC_NETWORK_EVENT_STOPPED
                         && !nc_network_is_persistent(net));
  if (lifecycle)
    g_dbus_connection_emit_signal(fe->conn, NULL, NC_DBUS_CONNECT_PATH, NC_DBUS_CONNECT_INTERFACE,
                                  "NetworkEvent",
                                  g_variant_new("(oi)", path, (gint32)ev->lifecycle), NULL);
  emit_properties_changed(fe, net, path, removed);
  if (!removed)
    nc_dbus_emit_refresh(fe, net);
}

/* -- start / stop ----------------------------------------------------------------- */

static void
frontend_shutdown(NcDbusFrontend *fe)
{
  fe->stopped = TRUE;
  if (fe->event_handler_id != 0)
    nc_daemon_remove_event_handler(fe->daemon, fe->event_handler_id);
  fe->event_handler_id = 0;
  if (fe->conn != NULL) {
    if (fe->connect_reg_id != 0)
      g_dbus_connection_unregister_object(fe->conn, fe->connect_reg_id);
    if (fe->subtree_reg_id != 0)
      g_dbus_connection_unregister_subtree(fe->conn, fe->subtree_reg_id);
    if (fe->port_reg_id != 0)
      g_dbus_connection_unregister_subtree(fe->conn, fe->port_reg_id);
    if (!g_dbus_connection_is_closed(fe->conn)) {
      g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
          fe->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
          "ReleaseName", g_variant_new("(s)", NC_DBUS_NAME), NULL, G_DBUS_CALL_FLAGS_NONE, 1000,
          NULL, NULL);
      g_dbus_connection_flush_sync(fe->conn, NULL, NULL);
    }
  }
  fe->connect_reg_id = fe->subtree_reg_id = fe->port_reg_id = 0;
  /* Pending changes are answered "shutting down" (fe->stopped is set). */
  g_clear_pointer(&fe->writes, nc_write_queue_free);
  fe->daemon = NULL;
  nc_dbus_frontend_unref(fe);
}

static gboolean
request_name(GDBusConnection *conn, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
      conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
      g_variant_new("(su)", NC_DBUS_NAME, NAME_FLAG_DO_NOT_QUEUE), G_VARIANT_TYPE("(u)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &local);
  guint32 result;

  if (reply == NULL) {
    g_dbus_error_strip_remote_error(local);
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "cannot own D-Bus name '%s' on the system bus: %s", NC_DBUS_NAME, local->message);
    return FALSE;
  }
  g_variant_get(reply, "(u)", &result);
  if (result != NAME_REPLY_PRIMARY_OWNER && result != NAME_REPLY_ALREADY_OWNER) {
    g_set_error(error, NC_ERROR, NC_ERROR_RESOURCE_BUSY,
                "D-Bus name '%s' is already owned on the system bus: is another netctld running?",
                NC_DBUS_NAME);
    return FALSE;
  }
  return TRUE;
}

static gboolean
frontend_setup(NcDbusFrontend *fe, GError **error)
{
  fe->conn = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
  if (fe->conn == NULL) {
    g_prefix_error(error, "cannot connect to the system bus: ");
    return FALSE;
  }
  nc_dbus_filter_install(fe->conn); /* before any object: names quoted escaped */
  fe->connect_info = g_dbus_node_info_new_for_xml(nc_dbus_connect_xml, error);
  if (fe->connect_info == NULL)
    return FALSE;
  fe->network_info = g_dbus_node_info_new_for_xml(nc_dbus_network_xml, error);
  if (fe->network_info == NULL)
    return FALSE;
  fe->port_info = g_dbus_node_info_new_for_xml(nc_dbus_port_xml, error);
  if (fe->port_info == NULL)
    return FALSE;

  fe->connect_reg_id = g_dbus_connection_register_object(
      fe->conn, NC_DBUS_CONNECT_PATH, fe->connect_info->interfaces[0], &nc_dbus_connect_vtable,
      nc_dbus_frontend_ref(fe), (GDestroyNotify)nc_dbus_frontend_unref, error);
  if (fe->connect_reg_id == 0)
    return FALSE;
  fe->subtree_reg_id = g_dbus_connection_register_subtree(
      fe->conn, NC_DBUS_NETWORK_PATH_PREFIX, &subtree_vtable,
      G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES, nc_dbus_frontend_ref(fe),
      (GDestroyNotify)nc_dbus_frontend_unref, error);
  if (fe->subtree_reg_id == 0)
    return FALSE;
  fe->port_reg_id = nc_dbus_port_register(fe, error);
  if (fe->port_reg_id == 0)
    return FALSE;
  fe->event_handler_id
      = nc_daemon_add_event_handler(fe->daemon, on_network_event, nc_dbus_frontend_ref(fe),
                                    (GDestroyNotify)nc_dbus_frontend_unref);

  /* Last, so that clients that see the name also find the objects. */
  return request_name(fe->conn, error);
}

gboolean
nc_dbus_frontend_start(NcDaemon *daemon, GError **error)
{
  NcDbusFrontend *fe;

  g_return_val_if_fail(daemon != NULL, FALSE);
  if (nc_daemon_get_frontend_data(daemon, FRONTEND_KEY) != NULL) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "the D-Bus front end is already started");
    return FALSE;
  }
  nc_dbus_register_errors();

  fe = g_rc_box_new0(NcDbusFrontend);
  fe->daemon = daemon;
  fe->writes = nc_write_queue_new("netctld D-Bus changes", nc_daemon_get_paths(daemon)->batch);
  fe->uids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  fe->announced
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)network_props_free);
  if (!frontend_setup(fe, error)) {
    frontend_shutdown(fe);
    return FALSE;
  }
  nc_daemon_set_frontend_data(daemon, FRONTEND_KEY, fe, (GDestroyNotify)frontend_shutdown);
  g_info("D-Bus: serving %s on the system bus", NC_DBUS_NAME);
  return TRUE;
}

void
nc_dbus_frontend_stop(NcDaemon *daemon)
{
  nc_daemon_set_frontend_data(daemon, FRONTEND_KEY, NULL, NULL);
}
