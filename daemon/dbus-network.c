/* org.libvirt.Network on /org/netctl1/network/_<uuid>: lifecycle methods,
 * XML, update, leases and properties of one network.
 *
 * Properties are served through method_call (the vtable has no
 * get_property/set_property), so Get/GetAll on a vanished network report
 * NoNetwork and Set goes through the same asynchronous access check as the
 * methods. Each handler resolves its network from the object path at the
 * moment it runs: a network may vanish between the call and an access check. */
#include "dbus-private.h"

#include "nc-error.h"
#include "network-xml.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

static const char *const property_names[] = {
  "Active", "Autostart", "BridgeName", "Name", "Persistent", "UUID",
};

GVariant *
nc_dbus_network_property(NcNetwork *net, const char *name)
{
  if (g_str_equal(name, "Active"))
    return g_variant_new_boolean(nc_network_is_active(net));
  if (g_str_equal(name, "Autostart"))
    return g_variant_new_boolean(nc_network_get_autostart(net));
  if (g_str_equal(name, "BridgeName")) {
    const char *bridge = nc_network_get_bridge_name(net);
    return g_variant_new_string(bridge ? bridge : "");
  }
  if (g_str_equal(name, "Name"))
    return g_variant_new_string(nc_network_get_name(net));
  if (g_str_equal(name, "Persistent"))
    return g_variant_new_boolean(nc_network_is_persistent(net));
  if (g_str_equal(name, "UUID"))
    return g_variant_new_string(nc_network_get_uuid_string(net));
  return NULL;
}

/* The invocation's network, or NULL after replying with the error. */
static NcNetwork *
lookup(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net
      = nc_dbus_network_from_path(fe, g_dbus_method_invocation_get_object_path(inv), &error);

  if (net == NULL)
    nc_dbus_return_error(inv, error);
  return net;
}

typedef struct {
  GDBusMethodInvocation *inv;
  GVariant *value;
} HeldReply;

static void
send_held(gpointer data, const GError *commit_error)
{
  HeldReply *h = data;

  if (commit_error != NULL)
    nc_dbus_return_error(h->inv, commit_error);
  else /* takes its own reference: value is not floating any more */
    g_dbus_method_invocation_return_value(h->inv, h->value);
  if (h->value != NULL)
    g_variant_unref(h->value);
  g_free(h);
}

void
nc_dbus_reply_durable(NcDbusFrontend *fe, GDBusMethodInvocation *inv, GVariant *value)
{
  HeldReply *h = g_new0(HeldReply, 1);
  h->inv = inv;
  h->value = value != NULL ? g_variant_ref_sink(value) : NULL;
  nc_write_queue_reply(fe->writes, send_held, h);
}

/* Callers must compute `ok` before the call: argument evaluation order would
 * otherwise let `error` be read before the core sets it. */
static void
reply_done(NcDbusFrontend *fe, GDBusMethodInvocation *inv, gboolean ok, const GError *error)
{
  if (ok)
    nc_dbus_reply_durable(fe, inv, NULL);
  else
    nc_dbus_return_error(inv, error);
}

static void
network_create(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = lookup(fe, inv);

  if (net != NULL) {
    gboolean ok = nc_network_start(net, &error);
    reply_done(fe, inv, ok, error);
  }
}

static void
network_destroy(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = lookup(fe, inv);

  if (net != NULL) {
    gboolean ok = nc_network_destroy(net, &error);
    reply_done(fe, inv, ok, error);
  }
}

static void
network_undefine(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = lookup(fe, inv);

  if (net != NULL) {
    gboolean ok = nc_network_undefine(net, &error);
    reply_done(fe, inv, ok, error);
  }
}

static void
network_update(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetwork) net = NULL;
  guint32 command, section, flags;
  gint32 parent_index;
  const char *xml;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(uui&su)", &command, &section,
                &parent_index, &xml, &flags);
  net = lookup(fe, inv);
  if (net == NULL)
    return;
  nc_network_ref(net); /* the update's events must not free it under us */
  if (!nc_network_update(net, command, section, parent_index, xml, flags, &error)) {
    nc_dbus_return_error(inv, error);
    return;
  }
  /* Refresh (re-read the XML) follows from the core's UPDATED event. */
  nc_dbus_reply_durable(fe, inv, NULL);
}

static void
network_get_xml_desc(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autofree char *xml = NULL;
  NcNetwork *net;
  guint32 flags;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(u)", &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_GET_XML, flags))
    return;
  net = lookup(fe, inv);
  if (net == NULL)
    return;
  xml = nc_network_get_xml(net, (flags & NC_NETWORK_XML_INACTIVE) ? NC_NETWORK_FORMAT_INACTIVE : 0);
  if (xml == NULL) {
    g_dbus_method_invocation_return_dbus_error(
        inv, nc_error_code_to_dbus_name(NC_ERROR_INTERNAL_ERROR),
        "GetXMLDesc: the network has no definition to format");
    return;
  }
  g_dbus_method_invocation_return_value(inv, g_variant_new("(s)", xml));
}

static void
network_get_dhcp_leases(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leases = NULL;
  GVariantBuilder builder;
  const char *mac;
  guint32 flags;
  NcNetwork *net;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&su)", &mac, &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_GET_DHCP_LEASES, flags))
    return;
  net = lookup(fe, inv);
  if (net == NULL)
    return;
  leases = nc_network_get_dhcp_leases(net, mac[0] ? mac : NULL, &error);
  if (leases == NULL) {
    nc_dbus_return_error(inv, error);
    return;
  }
  g_variant_builder_init(&builder, G_VARIANT_TYPE("a(sxisssuss)"));
#define S(x) ((x) ? (x) : "")
  for (guint i = 0; i < leases->len; i++) {
    const NcDhcpLease *l = leases->pdata[i];
    g_variant_builder_add(&builder, "(sxisssuss)", S(l->iface), l->expiry_time, l->type, S(l->mac),
                          S(l->iaid), S(l->ipaddr), l->prefix, S(l->hostname), S(l->clientid));
  }
#undef S
  g_dbus_method_invocation_return_value(inv, g_variant_new("(a(sxisssuss))", &builder));
}

/* -- properties ----------------------------------------------------------------- */

static void
properties_get(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  const char *iface, *name;
  GVariant *value;
  NcNetwork *net;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s&s)", &iface, &name);
  net = lookup(fe, inv);
  if (net == NULL)
    return;
  value = nc_dbus_network_property(net, name);
  if (value == NULL) {
    g_autofree char *qname = nc_name_escape(name);
    g_autofree char *qiface = nc_name_escape(iface);
    g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
                                          "no property '%s' on %s", qname, qiface);
    return;
  }
  g_dbus_method_invocation_return_value(inv, g_variant_new("(v)", value));
}

static void
properties_get_all(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  GVariantBuilder props;
  NcNetwork *net = lookup(fe, inv);

  if (net == NULL)
    return;
  g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
  for (gsize i = 0; i < G_N_ELEMENTS(property_names); i++)
    g_variant_builder_add(&props, "{sv}", property_names[i],
                          nc_dbus_network_property(net, property_names[i]));
  g_dbus_method_invocation_return_value(inv, g_variant_new("(a{sv})", &props));
}

/* GLib has already checked that the property exists, is writable and has the
 * right type; Autostart is the only writable one. */
static void
properties_set(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = NULL;
  const char *iface, *name;
  NcNetwork *net;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s&sv)", &iface, &name, &value);
  if (!g_str_equal(name, "Autostart") || !g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN)) {
    g_autofree char *qname = nc_name_escape(name);
    g_autofree char *qiface = nc_name_escape(iface);
    g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                                          "property '%s' of %s cannot be set", qname, qiface);
    return;
  }
  net = lookup(fe, inv);
  if (net != NULL) {
    gboolean ok = nc_network_set_autostart(net, g_variant_get_boolean(value), &error);
    reply_done(fe, inv, ok, error);
  }
}

static const NcDbusMethod network_methods[] = {
  { "GetXMLDesc", network_get_xml_desc, NC_OP_GET_XML },
  { "GetDHCPLeases", network_get_dhcp_leases, NC_OP_GET_DHCP_LEASES },
  { "Create", network_create, NC_OP_START },
  { "Destroy", network_destroy, NC_OP_DESTROY },
  { "Undefine", network_undefine, NC_OP_UNDEFINE },
  { "Update", network_update, NC_OP_UPDATE },
  { "ListPorts", nc_dbus_network_list_ports, NC_OP_PORT_LIST },
  { "PortLookupByUUID", nc_dbus_network_port_lookup, NC_OP_PORT_LOOKUP },
  { "PortLookupByMAC", nc_dbus_network_port_lookup_by_mac, NC_OP_PORT_LOOKUP },
  { "PortLookupByDevice", nc_dbus_network_port_lookup_by_device, NC_OP_PORT_LOOKUP },
  { "PortCreateXML", nc_dbus_network_port_create, NC_OP_PORT_CREATE },
  { "PortCreateTap", nc_dbus_network_port_create_tap, NC_OP_PORT_CREATE },
};

static const NcDbusMethod property_methods[] = {
  { "Get", properties_get, NC_OP_GET_PROPERTY },
  { "GetAll", properties_get_all, NC_OP_GET_PROPERTY },
  { "Set", properties_set, NC_OP_SET_AUTOSTART },
};

static void
network_method_call(GDBusConnection *conn, const char *sender, const char *object_path,
                    const char *interface_name, const char *method_name, GVariant *parameters,
                    GDBusMethodInvocation *inv, gpointer user_data)
{
  if (g_str_equal(interface_name, PROPERTIES_INTERFACE))
    nc_dbus_dispatch(user_data, inv, method_name, property_methods, G_N_ELEMENTS(property_methods));
  else
    nc_dbus_dispatch(user_data, inv, method_name, network_methods, G_N_ELEMENTS(network_methods));
}

const GDBusInterfaceVTable nc_dbus_network_vtable = {
  .method_call = network_method_call,
};
