/* Ports over D-Bus: the port methods of org.libvirt.Network, and
 * org.netctl1.NetworkPort on /org/netctl1/port/_<network uuid>_<port uuid>,
 * a subtree resolved by the uuids in the path, as networks are. */
#include "dbus-private.h"

#include "nc-error.h"
#include "network-check-names.h"

#define PORT_PATH_PREFIX "/org/netctl1/port"
#define PORT_INTERFACE "org.netctl1.NetworkPort"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

static const char *const port_property_names[] = {
  "UUID", "Network", "MAC", "Owner", "OwnerUUID", "Portgroup", "Device", "CharDevice", "Plugged",
};

char *
nc_dbus_port_path(NcPort *port)
{
  NcNetwork *net = nc_port_get_network(port);
  g_autofree char *node = g_strconcat("_", net ? nc_network_get_uuid_string(net) : "", "_",
                                      nc_port_get_uuid_string(port), NULL);
  g_strdelimit(node, "-", '_');
  return g_strconcat(PORT_PATH_PREFIX "/", node, NULL);
}

/* "_<36>_<36>" -> network uuid and port uuid (with dashes), or FALSE. */
static gboolean
node_to_uuids(const char *node, char **ret_net, char **ret_port)
{
  if (!node || strlen(node) != 74 || node[0] != '_' || node[37] != '_')
    return FALSE;
  for (const char *p = node + 1; *p; p++)
    if (!g_ascii_isxdigit(*p) && *p != '_')
      return FALSE;
  *ret_net = g_strdelimit(g_strndup(node + 1, 36), "_", '-');
  *ret_port = g_strdelimit(g_strndup(node + 38, 36), "_", '-');
  return TRUE;
}

static NcPort *
port_from_path(NcDbusFrontend *fe, const char *path, GError **error)
{
  g_autofree char *net_uuid = NULL, *port_uuid = NULL;
  const char *prefix = PORT_PATH_PREFIX "/";
  if (!g_str_has_prefix(path, prefix)
      || !node_to_uuids(path + strlen(prefix), &net_uuid, &port_uuid)) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK_PORT, "no network port at object path '%s'",
                path);
    return NULL;
  }
  /* A port of a network that is gone is a port that is gone. */
  NcNetwork *net = nc_daemon_lookup_by_uuid(fe->daemon, net_uuid, NULL);
  if (!net) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK_PORT,
                "network port %s no longer exists (its network is gone)", port_uuid);
    return NULL;
  }
  return nc_network_port_lookup(net, port_uuid, error);
}

/* The invocation's port, or NULL after replying with the error. */
static NcPort *
lookup_port(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  NcPort *port = port_from_path(fe, g_dbus_method_invocation_get_object_path(inv), &error);
  if (!port)
    nc_dbus_return_error(inv, error);
  return port;
}

static void
return_port(GDBusMethodInvocation *inv, NcPort *port, const GError *error)
{
  if (!port) {
    nc_dbus_return_error(inv, error);
    return;
  }
  g_autofree char *path = nc_dbus_port_path(port);
  g_dbus_method_invocation_return_value(inv, g_variant_new("(o)", path));
}

/* -- methods on org.libvirt.Network ----------------------------------------------- */

void
nc_dbus_network_list_ports(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  guint32 flags;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(u)", &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_PORT_LIST, flags))
    return;
  NcNetwork *net = nc_dbus_network_from_path(fe, g_dbus_method_invocation_get_object_path(inv),
                                             &error);
  if (!net) {
    nc_dbus_return_error(inv, error);
    return;
  }
  g_autoptr(GPtrArray) ports = nc_network_list_ports(net);
  GVariantBuilder paths;
  g_variant_builder_init(&paths, G_VARIANT_TYPE("ao"));
  for (guint i = 0; i < ports->len; i++) {
    g_autofree char *path = nc_dbus_port_path(ports->pdata[i]);
    g_variant_builder_add(&paths, "o", path);
  }
  g_dbus_method_invocation_return_value(inv, g_variant_new("(ao)", &paths));
}

void
nc_dbus_network_port_lookup(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  const char *uuid;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s)", &uuid);
  NcNetwork *net = nc_dbus_network_from_path(fe, g_dbus_method_invocation_get_object_path(inv),
                                             &error);
  NcPort *port = net ? nc_network_port_lookup(net, uuid, &error) : NULL;
  return_port(inv, port, error);
}

/* netctl extension: PortLookupByMAC / PortLookupByDevice (detach-interface). */
static void
port_find(NcDbusFrontend *fe, GDBusMethodInvocation *inv, gboolean by_mac)
{
  g_autoptr(GError) error = NULL;
  const char *key;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s)", &key);
  NcNetwork *net = nc_dbus_network_from_path(fe, g_dbus_method_invocation_get_object_path(inv),
                                             &error);
  NcPort *port = net ? nc_network_port_find(net, by_mac ? key : NULL, by_mac ? NULL : key, &error)
                     : NULL;
  return_port(inv, port, error);
}

void
nc_dbus_network_port_lookup_by_mac(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  port_find(fe, inv, TRUE);
}

void
nc_dbus_network_port_lookup_by_device(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  port_find(fe, inv, FALSE);
}

void
nc_dbus_network_port_create(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  const char *xml;
  guint32 flags;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&su)", &xml, &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_PORT_CREATE, flags))
    return;
  NcNetwork *net = nc_dbus_network_from_path(fe, g_dbus_method_invocation_get_object_path(inv),
                                             &error);
  NcPort *port = net ? nc_network_port_create(net, xml, flags, NULL, &error) : NULL;
  return_port(inv, port, error);
}

/* A caller's dictionary key for an error: escaped (nc_name_escape) and cut
 * at 64 characters, so the message stays one short line. */
static char *
quote_key(const char *key)
{
  /* g_utf8_substring reads past the end of a shorter string: clamp. */
  glong len = g_utf8_strlen(key, -1);
  g_autofree char *cut = g_utf8_substring(key, 0, MIN(len, 64));
  g_autofree char *quoted = nc_name_escape(cut);
  return g_strconcat(quoted, len > 64 ? "..." : "", NULL);
}

/* The device dictionary of PortCreateTap; FALSE with INVALID_ARG for an
 * unknown key or a value of the wrong type. */
static gboolean
tap_from_dict(GVariant *dict, NcTapRequest *tap, GError **error)
{
  *tap = (NcTapRequest){ .owner = -1, .group = -1, .vnet_hdr = TRUE };
  GVariantIter iter;
  const char *key;
  GVariant *value;
  g_variant_iter_init(&iter, dict);
  while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
    const GVariantType *want = NULL;
    if (g_str_equal(key, "target"))
      want = G_VARIANT_TYPE_STRING;
    else if (g_str_equal(key, "owner") || g_str_equal(key, "group"))
      want = G_VARIANT_TYPE_INT64;
    else if (g_str_equal(key, "queues") || g_str_equal(key, "mtu"))
      want = G_VARIANT_TYPE_UINT32;
    else if (g_str_equal(key, "vnet-hdr"))
      want = G_VARIANT_TYPE_BOOLEAN;
    if (!want || !g_variant_is_of_type(value, want)) {
      g_autofree char *quoted = quote_key(key);
      g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                  "PortCreateTap: unknown device key '%s' or wrong type '%s'", quoted,
                  g_variant_get_type_string(value));
      g_variant_unref(value);
      return FALSE;
    }
    if (g_str_equal(key, "target"))
      tap->target = g_variant_get_string(value, NULL); /* lives as long as dict */
    else if (g_str_equal(key, "owner"))
      tap->owner = g_variant_get_int64(value);
    else if (g_str_equal(key, "group"))
      tap->group = g_variant_get_int64(value);
    else if (g_str_equal(key, "queues"))
      tap->queues = g_variant_get_uint32(value);
    else if (g_str_equal(key, "mtu"))
      tap->mtu = g_variant_get_uint32(value);
    else
      tap->vnet_hdr = g_variant_get_boolean(value);
  }
  return TRUE;
}

void
nc_dbus_network_port_create_tap(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = NULL;
  const char *xml;
  guint32 flags;
  NcTapRequest tap;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s@a{sv}u)", &xml, &dict, &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_PORT_CREATE, flags))
    return;
  NcNetwork *net = NULL;
  NcPort *port = NULL;
  if (tap_from_dict(dict, &tap, &error)
      && (net = nc_dbus_network_from_path(fe, g_dbus_method_invocation_get_object_path(inv),
                                          &error)))
    port = nc_network_port_create(net, xml, flags, &tap, &error);
  if (!port) {
    nc_dbus_return_error(inv, error);
    return;
  }
  g_autofree char *path = nc_dbus_port_path(port);
  const char *dev = nc_port_get_device(port);
  g_dbus_method_invocation_return_value(inv, g_variant_new("(os)", path, dev ? dev : ""));
}

/* -- org.netctl1.NetworkPort ------------------------------------------------------- */

static GVariant *
port_property(NcPort *port, const char *name)
{
  const NcNetworkPortDef *def = nc_port_get_def(port);
  if (g_str_equal(name, "UUID"))
    return g_variant_new_string(nc_port_get_uuid_string(port));
  if (g_str_equal(name, "Network")) {
    g_autofree char *path
        = nc_dbus_network_path(nc_network_get_uuid_string(nc_port_get_network(port)));
    return g_variant_new_object_path(path);
  }
  if (g_str_equal(name, "MAC")) {
    char mac[18];
    nc_mac_format(&def->mac, mac);
    return g_variant_new_string(mac);
  }
  if (g_str_equal(name, "Owner"))
    return g_variant_new_string(def->owner_name ? def->owner_name : "");
  if (g_str_equal(name, "OwnerUUID")) {
    char uuid[NC_UUID_STRING_LEN];
    nc_uuid_format(def->owner_uuid, uuid);
    return g_variant_new_string(uuid);
  }
  if (g_str_equal(name, "Portgroup"))
    return g_variant_new_string(def->group ? def->group : "");
  if (g_str_equal(name, "Device")) {
    const char *dev = nc_port_get_device(port);
    return g_variant_new_string(dev ? dev : "");
  }
  if (g_str_equal(name, "CharDevice")) {
    const char *chardev = nc_port_get_chardev(port);
    return g_variant_new_string(chardev ? chardev : "");
  }
  if (g_str_equal(name, "Plugged"))
    return g_variant_new_boolean(nc_port_is_plugged(port));
  return NULL;
}

static void
port_get_xml_desc(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  guint32 flags;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(u)", &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_PORT_GET_XML, flags))
    return;
  NcPort *port = lookup_port(fe, inv);
  if (!port)
    return;
  g_autofree char *xml = nc_port_get_xml(port);
  g_dbus_method_invocation_return_value(inv, g_variant_new("(s)", xml));
}

static void
port_delete(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  guint32 flags;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(u)", &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_PORT_DELETE, flags))
    return;
  NcPort *port = lookup_port(fe, inv);
  if (!port)
    return;
  if (nc_port_delete(port, &error))
    g_dbus_method_invocation_return_value(inv, NULL);
  else
    nc_dbus_return_error(inv, error);
}

/* libvirt's VIR_NETWORK_PORT_BANDWIDTH_* parameter names. */
static const struct {
  const char *name;
  gboolean inbound;
  gsize offset;
} bandwidth_params[] = {
  { "inbound.average", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, average) },
  { "inbound.peak", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, peak) },
  { "inbound.burst", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, burst) },
  { "inbound.floor", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, floor) },
  { "outbound.average", FALSE, G_STRUCT_OFFSET(NcBandwidthRate, average) },
  { "outbound.peak", FALSE, G_STRUCT_OFFSET(NcBandwidthRate, peak) },
  { "outbound.burst", FALSE, G_STRUCT_OFFSET(NcBandwidthRate, burst) },
};

static void
port_get_parameters(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  guint32 flags;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(u)", &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_PORT_GET_PARAMETERS, flags))
    return;
  NcPort *port = lookup_port(fe, inv);
  if (!port)
    return;
  const NcBandwidth *bw = nc_port_get_def(port)->bandwidth;
  GVariantBuilder params;
  g_variant_builder_init(&params, G_VARIANT_TYPE("a{sv}"));
  for (gsize i = 0; i < G_N_ELEMENTS(bandwidth_params); i++) {
    const NcBandwidthRate *rate = !bw ? NULL : bandwidth_params[i].inbound ? bw->in : bw->out;
    guint64 v = rate ? G_STRUCT_MEMBER(guint64, rate, bandwidth_params[i].offset) : 0;
    g_variant_builder_add(&params, "{sv}", bandwidth_params[i].name,
                          g_variant_new_uint32((guint32)MIN(v, G_MAXUINT32)));
  }
  g_dbus_method_invocation_return_value(inv, g_variant_new("(a{sv})", &params));
}

static gboolean *
rate_has_field(NcBandwidthRate *rate, gsize offset)
{
  if (offset == G_STRUCT_OFFSET(NcBandwidthRate, average))
    return &rate->has_average;
  if (offset == G_STRUCT_OFFSET(NcBandwidthRate, peak))
    return &rate->has_peak;
  if (offset == G_STRUCT_OFFSET(NcBandwidthRate, burst))
    return &rate->has_burst;
  return &rate->has_floor;
}

static void
port_set_parameters(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = NULL;
  guint32 flags;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(@a{sv}u)", &dict, &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_PORT_SET_PARAMETERS, flags))
    return;
  NcPort *port = lookup_port(fe, inv);
  if (!port)
    return;
  /* libvirt's networkPortSetParameters: the given fields replace the
   * port's; the rest stays. */
  g_autoptr(NcBandwidth) bw = nc_bandwidth_copy(nc_port_get_def(port)->bandwidth);
  if (!bw)
    bw = nc_bandwidth_new();
  GVariantIter iter;
  const char *key;
  GVariant *value;
  g_variant_iter_init(&iter, dict);
  while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
    gsize i;
    for (i = 0; i < G_N_ELEMENTS(bandwidth_params); i++)
      if (g_str_equal(key, bandwidth_params[i].name))
        break;
    if (i == G_N_ELEMENTS(bandwidth_params) || !g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32)) {
      g_variant_unref(value);
      g_autofree char *quoted = quote_key(key);
      g_set_error(&error, NC_ERROR, NC_ERROR_INVALID_ARG,
                  "SetParameters: unknown parameter '%s' or not a uint32", quoted);
      nc_dbus_return_error(inv, error);
      return;
    }
    NcBandwidthRate **slot = bandwidth_params[i].inbound ? &bw->in : &bw->out;
    if (!*slot)
      *slot = g_new0(NcBandwidthRate, 1);
    guint32 v = g_variant_get_uint32(value);
    G_STRUCT_MEMBER(guint64, *slot, bandwidth_params[i].offset) = v;
    *rate_has_field(*slot, bandwidth_params[i].offset) = v != 0;
  }
  /* A direction without an average is no limit. */
  if (bw->in && !bw->in->average && !bw->in->floor)
    g_clear_pointer(&bw->in, g_free);
  if (bw->out && !bw->out->average)
    g_clear_pointer(&bw->out, g_free);
  gboolean empty = !bw->in && !bw->out;
  if (nc_port_set_bandwidth(port, empty ? NULL : bw, &error))
    g_dbus_method_invocation_return_value(inv, NULL);
  else
    nc_dbus_return_error(inv, error);
}

static void
port_properties_get(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  const char *iface, *name;
  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s&s)", &iface, &name);
  NcPort *port = lookup_port(fe, inv);
  if (!port)
    return;
  GVariant *value = port_property(port, name);
  if (!value) {
    g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
                                          "no property '%s' on %s", name, iface);
    return;
  }
  g_dbus_method_invocation_return_value(inv, g_variant_new("(v)", value));
}

static void
port_properties_get_all(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  NcPort *port = lookup_port(fe, inv);
  if (!port)
    return;
  GVariantBuilder props;
  g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
  for (gsize i = 0; i < G_N_ELEMENTS(port_property_names); i++)
    g_variant_builder_add(&props, "{sv}", port_property_names[i],
                          port_property(port, port_property_names[i]));
  g_dbus_method_invocation_return_value(inv, g_variant_new("(a{sv})", &props));
}

static void
port_properties_set(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                                        "the properties of a network port are read-only");
}

static const NcDbusMethod port_methods[] = {
  { "GetXMLDesc", port_get_xml_desc, NC_OP_PORT_GET_XML },
  { "Delete", port_delete, NC_OP_PORT_DELETE },
  { "GetParameters", port_get_parameters, NC_OP_PORT_GET_PARAMETERS },
  { "SetParameters", port_set_parameters, NC_OP_PORT_SET_PARAMETERS },
};

static const NcDbusMethod port_property_methods[] = {
  { "Get", port_properties_get, NC_OP_GET_PROPERTY },
  { "GetAll", port_properties_get_all, NC_OP_GET_PROPERTY },
  { "Set", port_properties_set, NC_OP_GET_PROPERTY },
};

static void
port_method_call(GDBusConnection *conn, const char *sender, const char *object_path,
                 const char *interface_name, const char *method_name, GVariant *parameters,
                 GDBusMethodInvocation *inv, gpointer user_data)
{
  if (g_str_equal(interface_name, PROPERTIES_INTERFACE))
    nc_dbus_dispatch(user_data, inv, method_name, port_property_methods,
                     G_N_ELEMENTS(port_property_methods));
  else
    nc_dbus_dispatch(user_data, inv, method_name, port_methods, G_N_ELEMENTS(port_methods));
}

static const GDBusInterfaceVTable port_vtable = {
  .method_call = port_method_call,
};

/* -- the port subtree ---------------------------------------------------------------- */

static char **
port_subtree_enumerate(GDBusConnection *conn, const char *sender, const char *object_path,
                       gpointer user_data)
{
  NcDbusFrontend *fe = user_data;
  g_autoptr(GPtrArray) nets = nc_daemon_list(fe->daemon, 0);
  GPtrArray *nodes = g_ptr_array_new();
  for (guint i = 0; i < nets->len; i++) {
    g_autoptr(GPtrArray) ports = nc_network_list_ports(nets->pdata[i]);
    for (guint j = 0; j < ports->len; j++) {
      g_autofree char *path = nc_dbus_port_path(ports->pdata[j]);
      g_ptr_array_add(nodes, g_strdup(path + strlen(PORT_PATH_PREFIX "/")));
    }
  }
  g_ptr_array_add(nodes, NULL);
  return (char **)g_ptr_array_free(nodes, FALSE);
}

static GDBusInterfaceInfo **
port_subtree_introspect(GDBusConnection *conn, const char *sender, const char *object_path,
                        const char *node, gpointer user_data)
{
  NcDbusFrontend *fe = user_data;
  g_autofree char *a = NULL, *b = NULL;
  if (!node_to_uuids(node, &a, &b))
    return NULL;
  GDBusInterfaceInfo **ifaces = g_new0(GDBusInterfaceInfo *, 2);
  ifaces[0] = g_dbus_interface_info_ref(fe->port_info->interfaces[0]);
  return ifaces;
}

static const GDBusInterfaceVTable *
port_subtree_dispatch(GDBusConnection *conn, const char *sender, const char *object_path,
                      const char *interface_name, const char *node, gpointer *out_user_data,
                      gpointer user_data)
{
  g_autofree char *a = NULL, *b = NULL;
  if (!node_to_uuids(node, &a, &b) || g_strcmp0(interface_name, PORT_INTERFACE) != 0)
    return NULL;
  *out_user_data = user_data;
  return &port_vtable;
}

static const GDBusSubtreeVTable port_subtree_vtable = {
  .enumerate = port_subtree_enumerate,
  .introspect = port_subtree_introspect,
  .dispatch = port_subtree_dispatch,
};

guint
nc_dbus_port_register(NcDbusFrontend *fe, GError **error)
{
  return g_dbus_connection_register_subtree(
      fe->conn, PORT_PATH_PREFIX, &port_subtree_vtable,
      G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES, nc_dbus_frontend_ref(fe),
      (GDestroyNotify)nc_dbus_frontend_unref, error);
}

void
nc_dbus_emit_port_event(NcDbusFrontend *fe, const NcEvent *ev)
{
  g_autofree char *net_path = nc_dbus_network_path(nc_network_get_uuid_string(ev->net));
  g_autofree char *port_path = nc_dbus_port_path(ev->port);
  g_dbus_connection_emit_signal(fe->conn, NULL, net_path, NC_DBUS_NETWORK_INTERFACE,
                                ev->kind == NC_EVENT_PORT_CREATED ? "PortCreated" : "PortDeleted",
                                g_variant_new("(o)", port_path), NULL);
}
