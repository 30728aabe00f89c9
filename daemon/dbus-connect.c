/* org.libvirt.Connect at /org/netctl1: list, look up, define and create
 * networks. Each handler unpacks, calls the core and replies. */
#include "dbus-private.h"

#include "nc-error.h"

static void
return_network(NcDbusFrontend *fe, GDBusMethodInvocation *inv, NcNetwork *net, const GError *error)
{
  g_autofree char *path = NULL;

  if (net == NULL) {
    nc_dbus_return_error(inv, error);
    return;
  }
  path = nc_dbus_network_path(nc_network_get_uuid_string(net));
  nc_dbus_reply_durable(fe, inv, g_variant_new("(o)", path));
}

static void
list_networks(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nets = NULL;
  GVariantBuilder paths;
  guint32 flags;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(u)", &flags);
  if (!nc_dbus_check_flags(inv, NC_OP_LIST_NETWORKS, flags))
    return;
  nets = nc_daemon_list(fe->daemon, flags);
  g_variant_builder_init(&paths, G_VARIANT_TYPE("ao"));
  for (guint i = 0; i < nets->len; i++) {
    g_autofree char *path = nc_dbus_network_path(nc_network_get_uuid_string(nets->pdata[i]));
    g_variant_builder_add(&paths, "o", path);
  }
  g_dbus_method_invocation_return_value(inv, g_variant_new("(ao)", &paths));
}

/* The four define/create members share one shape: xml [, flags] -> o. */
static void
define_or_create(NcDbusFrontend *fe, GDBusMethodInvocation *inv, gboolean create,
                 gboolean with_flags)
{
  g_autoptr(GError) error = NULL;
  const char *xml;
  guint32 flags = 0;
  NcNetwork *net = NULL;

  if (with_flags)
    g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&su)", &xml, &flags);
  else
    g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s)", &xml);

  if (!nc_dbus_check_flags(inv, create ? NC_OP_CREATE_NETWORK : NC_OP_DEFINE_NETWORK, flags))
    return;
  net = create ? nc_daemon_create_xml(fe->daemon, xml, flags, &error)
               : nc_daemon_define_xml(fe->daemon, xml, flags, &error);
  return_network(fe, inv, net, error);
}

static void
network_define_xml(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  define_or_create(fe, inv, FALSE, FALSE);
}

static void
network_define_xml_flags(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  define_or_create(fe, inv, FALSE, TRUE);
}

static void
network_create_xml(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  define_or_create(fe, inv, TRUE, FALSE);
}

static void
network_create_xml_flags(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  define_or_create(fe, inv, TRUE, TRUE);
}

static void
network_lookup_by_name(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  const char *name;
  NcNetwork *net;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s)", &name);
  net = nc_daemon_lookup_by_name(fe->daemon, name, &error);
  return_network(fe, inv, net, error);
}

static void
network_lookup_by_uuid(NcDbusFrontend *fe, GDBusMethodInvocation *inv)
{
  g_autoptr(GError) error = NULL;
  const char *uuid;
  NcNetwork *net;

  g_variant_get(g_dbus_method_invocation_get_parameters(inv), "(&s)", &uuid);
  net = nc_daemon_lookup_by_uuid(fe->daemon, uuid, &error);
  return_network(fe, inv, net, error);
}

static const NcDbusMethod connect_methods[] = {
  { "ListNetworks", list_networks, NC_OP_LIST_NETWORKS },
  { "NetworkLookupByName", network_lookup_by_name, NC_OP_LOOKUP_NETWORK },
  { "NetworkLookupByUUID", network_lookup_by_uuid, NC_OP_LOOKUP_NETWORK },
  { "NetworkDefineXML", network_define_xml, NC_OP_DEFINE_NETWORK },
  { "NetworkDefineXMLFlags", network_define_xml_flags, NC_OP_DEFINE_NETWORK },
  { "NetworkCreateXML", network_create_xml, NC_OP_CREATE_NETWORK },
  { "NetworkCreateXMLFlags", network_create_xml_flags, NC_OP_CREATE_NETWORK },
};

static void
connect_method_call(GDBusConnection *conn, const char *sender, const char *object_path,
                    const char *interface_name, const char *method_name, GVariant *parameters,
                    GDBusMethodInvocation *inv, gpointer user_data)
{
  nc_dbus_dispatch(user_data, inv, method_name, connect_methods, G_N_ELEMENTS(connect_methods));
}

const GDBusInterfaceVTable nc_dbus_connect_vtable = {
  .method_call = connect_method_call,
};
