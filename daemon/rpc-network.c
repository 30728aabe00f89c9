/* Network procedures of the remote program: unpack, call the core, pack. */
#include "nc-addr.h"
#include "nc-error.h"
#include "network-xml.h"
#include "rpc-private.h"

static gboolean
finish(NcXdrIn *in, GError **error)
{
  return nc_xdr_ok(in) ? TRUE : nc_rpc_bad_args(in, error);
}

NcNetwork *
nc_rpc_get_network(NcRpcClient *c, NcXdrIn *in, GError **error)
{
  g_autofree char *name = nc_xdr_get_string(in, NC_RPC_STRING_MAX);
  guint8 uuid[NC_UUID_LEN];
  char buf[NC_UUID_STRING_LEN];

  nc_xdr_get_opaque(in, uuid, sizeof(uuid));
  if (!nc_xdr_ok(in)) {
    nc_rpc_bad_args(in, error);
    return NULL;
  }
  nc_uuid_format(uuid, buf);
  return nc_daemon_lookup_by_uuid(c->server->daemon, buf, error);
}

void
nc_rpc_put_network(GByteArray *out, NcNetwork *net)
{
  nc_xdr_put_string(out, nc_network_get_name(net));
  nc_xdr_put_opaque(out, nc_network_get_uuid(net), NC_UUID_LEN);
}

/* The network argument plus nothing else (most procedures). */
static NcNetwork *
network_only(NcRpcClient *c, NcXdrIn *in, GError **error)
{
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  return net != NULL && finish(in, error) ? net : NULL;
}

/* -- lists ---------------------------------------------------------------------------- */

static guint
count(NcRpcClient *c, guint flags)
{
  g_autoptr(GPtrArray) nets = nc_daemon_list(c->server->daemon, flags);
  return nets->len;
}

static gboolean
num_of_networks(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)in;
  (void)error;
  nc_xdr_put_i32(out, (gint32)count(c, NC_LIST_ACTIVE));
  return TRUE;
}

static gboolean
num_of_defined(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)in;
  (void)error;
  nc_xdr_put_i32(out, (gint32)count(c, NC_LIST_INACTIVE));
  return TRUE;
}

static gboolean
list_names(NcRpcClient *c, NcXdrIn *in, GByteArray *out, guint flags, GError **error)
{
  gint32 maxnames = nc_xdr_get_i32(in);
  if (!finish(in, error))
    return FALSE;
  if (maxnames < 0 || (guint32)maxnames > NC_RPC_NETWORK_LIST_MAX) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "maxnames %d out of range (0..%u)", maxnames,
                NC_RPC_NETWORK_LIST_MAX);
    return FALSE;
  }
  g_autoptr(GPtrArray) nets = nc_daemon_list(c->server->daemon, flags);
  guint n = MIN(nets->len, (guint)maxnames);
  nc_xdr_put_u32(out, n);
  for (guint i = 0; i < n; i++)
    nc_xdr_put_string(out, nc_network_get_name(nets->pdata[i]));
  return TRUE;
}

static gboolean
list_networks(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  return list_names(c, in, out, NC_LIST_ACTIVE, error);
}

static gboolean
list_defined(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  return list_names(c, in, out, NC_LIST_INACTIVE, error);
}

static gboolean
list_all(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  gint32 need_results = nc_xdr_get_i32(in);
  guint32 flags = nc_xdr_get_u32(in);
  if (!finish(in, error) || !nc_operation_check_flags(NC_OP_LIST_NETWORKS, flags, error))
    return FALSE;
  g_autoptr(GPtrArray) nets = nc_daemon_list(c->server->daemon, flags);
  if (nets->len > NC_RPC_NETWORK_LIST_MAX) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "too many networks (%u, the protocol allows %u)",
                nets->len, NC_RPC_NETWORK_LIST_MAX);
    return FALSE;
  }
  if (need_results) {
    nc_xdr_put_u32(out, nets->len);
    for (guint i = 0; i < nets->len; i++)
      nc_rpc_put_network(out, nets->pdata[i]);
  } else {
    nc_xdr_put_u32(out, 0);
  }
  nc_xdr_put_u32(out, nets->len);
  return TRUE;
}

/* -- lookups and definitions ----------------------------------------------------------- */

static gboolean
lookup_by_name(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  g_autofree char *name = nc_xdr_get_string(in, NC_RPC_STRING_MAX);
  if (!finish(in, error))
    return FALSE;
  NcNetwork *net = nc_daemon_lookup_by_name(c->server->daemon, name, error);
  if (net == NULL)
    return FALSE;
  nc_rpc_put_network(out, net);
  return TRUE;
}

static gboolean
lookup_by_uuid(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  guint8 uuid[NC_UUID_LEN];
  char buf[NC_UUID_STRING_LEN];
  nc_xdr_get_opaque(in, uuid, sizeof(uuid));
  if (!finish(in, error))
    return FALSE;
  nc_uuid_format(uuid, buf);
  NcNetwork *net = nc_daemon_lookup_by_uuid(c->server->daemon, buf, error);
  if (net == NULL)
    return FALSE;
  nc_rpc_put_network(out, net);
  return TRUE;
}

static gboolean
define_or_create(NcRpcClient *c, NcXdrIn *in, GByteArray *out, gboolean with_flags,
                 gboolean create, GError **error)
{
  g_autofree char *xml = nc_xdr_get_string(in, NC_RPC_STRING_MAX);
  guint32 flags = with_flags ? nc_xdr_get_u32(in) : 0;
  NcOperation op = create ? NC_OP_CREATE_NETWORK : NC_OP_DEFINE_NETWORK;
  if (!finish(in, error) || !nc_operation_check_flags(op, flags, error))
    return FALSE;
  NcNetwork *net = create ? nc_daemon_create_xml(c->server->daemon, xml, flags, error)
                          : nc_daemon_define_xml(c->server->daemon, xml, flags, error);
  if (net == NULL)
    return FALSE;
  nc_rpc_put_network(out, net);
  return TRUE;
}

static gboolean
define_xml(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  return define_or_create(c, in, out, FALSE, FALSE, error);
}

static gboolean
define_xml_flags(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  return define_or_create(c, in, out, TRUE, FALSE, error);
}

static gboolean
create_xml(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  return define_or_create(c, in, out, FALSE, TRUE, error);
}

static gboolean
create_xml_flags(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  return define_or_create(c, in, out, TRUE, TRUE, error);
}

/* -- lifecycle -------------------------------------------------------------------------------- */

static gboolean
network_start(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcNetwork *net = network_only(c, in, error);
  return net != NULL && nc_network_start(net, error);
}

static gboolean
network_destroy(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcNetwork *net = network_only(c, in, error);
  return net != NULL && nc_network_destroy(net, error);
}

static gboolean
network_undefine(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcNetwork *net = network_only(c, in, error);
  return net != NULL && nc_network_undefine(net, error);
}

static gboolean
set_autostart(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  gint32 autostart = nc_xdr_get_i32(in);
  return net != NULL && finish(in, error) && nc_network_set_autostart(net, autostart != 0, error);
}

static gboolean
update(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  guint32 command = nc_xdr_get_u32(in);
  guint32 section = nc_xdr_get_u32(in);
  gint32 parent_index = nc_xdr_get_i32(in);
  g_autofree char *xml = nc_xdr_get_string(in, NC_RPC_STRING_MAX);
  guint32 flags = nc_xdr_get_u32(in);
  if (net == NULL || !finish(in, error) || !nc_operation_check_flags(NC_OP_UPDATE, flags, error))
    return FALSE;
  g_autoptr(NcNetwork) ref = nc_network_ref(net);
  return nc_network_update(ref, command, section, parent_index, xml, flags, error);
}

/* -- properties ------------------------------------------------------------------------------------ */

static gboolean
get_xml_desc(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  guint32 flags = nc_xdr_get_u32(in);
  if (net == NULL || !finish(in, error) || !nc_operation_check_flags(NC_OP_GET_XML, flags, error))
    return FALSE;
  g_autofree char *xml
      = nc_network_get_xml(net, (flags & NC_NETWORK_XML_INACTIVE) ? NC_NETWORK_FORMAT_INACTIVE : 0);
  if (xml == NULL) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR,
                "network '%s' has no definition to format", nc_network_get_name(net));
    return FALSE;
  }
  nc_xdr_put_string(out, xml);
  return TRUE;
}

static gboolean
get_bridge_name(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = network_only(c, in, error);
  if (net == NULL)
    return FALSE;
  const char *bridge = nc_network_get_bridge_name(net);
  if (bridge == NULL) {
    /* libvirt's wording */
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR,
                "network '%s' does not have a bridge name.", nc_network_get_name(net));
    return FALSE;
  }
  nc_xdr_put_string(out, bridge);
  return TRUE;
}

static gboolean
get_autostart(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = network_only(c, in, error);
  if (net == NULL)
    return FALSE;
  nc_xdr_put_i32(out, nc_network_get_autostart(net));
  return TRUE;
}

static gboolean
is_active(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = network_only(c, in, error);
  if (net == NULL)
    return FALSE;
  nc_xdr_put_i32(out, nc_network_is_active(net));
  return TRUE;
}

static gboolean
is_persistent(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = network_only(c, in, error);
  if (net == NULL)
    return FALSE;
  nc_xdr_put_i32(out, nc_network_is_persistent(net));
  return TRUE;
}

static gboolean
dhcp_leases(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  g_autofree char *mac = nc_xdr_get_opt_string(in, NC_RPC_STRING_MAX);
  gint32 need_results = nc_xdr_get_i32(in);
  guint32 flags = nc_xdr_get_u32(in);
  if (net == NULL || !finish(in, error)
      || !nc_operation_check_flags(NC_OP_GET_DHCP_LEASES, flags, error))
    return FALSE;
  g_autoptr(GPtrArray) leases = nc_network_get_dhcp_leases(net, mac, error);
  if (leases == NULL)
    return FALSE;
  guint n = MIN(leases->len, NC_RPC_NETWORK_DHCP_LEASES_MAX);
  nc_xdr_put_u32(out, need_results ? n : 0);
  for (guint i = 0; need_results && i < n; i++) {
    const NcDhcpLease *l = leases->pdata[i];
    nc_xdr_put_string(out, l->iface);
    nc_xdr_put_i64(out, l->expiry_time);
    nc_xdr_put_i32(out, l->type);
    nc_xdr_put_opt_string(out, l->mac);
    nc_xdr_put_opt_string(out, l->iaid);
    nc_xdr_put_string(out, l->ipaddr);
    nc_xdr_put_u32(out, l->prefix);
    nc_xdr_put_opt_string(out, l->hostname);
    nc_xdr_put_opt_string(out, l->clientid);
  }
  nc_xdr_put_u32(out, n);
  return TRUE;
}

#define PROC(num, name, fn, op) { num, name, fn, op, 0 }

const NcRpcProc nc_rpc_network_procs[] = {
  PROC(NC_PROC_CONNECT_NUM_OF_NETWORKS, "virConnectNumOfNetworks", num_of_networks,
       NC_OP_LIST_NETWORKS),
  PROC(NC_PROC_CONNECT_LIST_NETWORKS, "virConnectListNetworks", list_networks,
       NC_OP_LIST_NETWORKS),
  PROC(NC_PROC_CONNECT_NUM_OF_DEFINED_NETWORKS, "virConnectNumOfDefinedNetworks", num_of_defined,
       NC_OP_LIST_NETWORKS),
  PROC(NC_PROC_CONNECT_LIST_DEFINED_NETWORKS, "virConnectListDefinedNetworks", list_defined,
       NC_OP_LIST_NETWORKS),
  PROC(NC_PROC_CONNECT_LIST_ALL_NETWORKS, "virConnectListAllNetworks", list_all,
       NC_OP_LIST_NETWORKS),
  PROC(NC_PROC_NETWORK_LOOKUP_BY_NAME, "virNetworkLookupByName", lookup_by_name,
       NC_OP_LOOKUP_NETWORK),
  PROC(NC_PROC_NETWORK_LOOKUP_BY_UUID, "virNetworkLookupByUUID", lookup_by_uuid,
       NC_OP_LOOKUP_NETWORK),
  PROC(NC_PROC_NETWORK_DEFINE_XML, "virNetworkDefineXML", define_xml, NC_OP_DEFINE_NETWORK),
  PROC(NC_PROC_NETWORK_DEFINE_XML_FLAGS, "virNetworkDefineXMLFlags", define_xml_flags,
       NC_OP_DEFINE_NETWORK),
  PROC(NC_PROC_NETWORK_CREATE_XML, "virNetworkCreateXML", create_xml, NC_OP_CREATE_NETWORK),
  PROC(NC_PROC_NETWORK_CREATE_XML_FLAGS, "virNetworkCreateXMLFlags", create_xml_flags,
       NC_OP_CREATE_NETWORK),
  PROC(NC_PROC_NETWORK_CREATE, "virNetworkCreate", network_start, NC_OP_START),
  PROC(NC_PROC_NETWORK_DESTROY, "virNetworkDestroy", network_destroy, NC_OP_DESTROY),
  PROC(NC_PROC_NETWORK_UNDEFINE, "virNetworkUndefine", network_undefine, NC_OP_UNDEFINE),
  PROC(NC_PROC_NETWORK_SET_AUTOSTART, "virNetworkSetAutostart", set_autostart,
       NC_OP_SET_AUTOSTART),
  PROC(NC_PROC_NETWORK_UPDATE, "virNetworkUpdate", update, NC_OP_UPDATE),
  PROC(NC_PROC_NETWORK_GET_XML_DESC, "virNetworkGetXMLDesc", get_xml_desc, NC_OP_GET_XML),
  PROC(NC_PROC_NETWORK_GET_BRIDGE_NAME, "virNetworkGetBridgeName", get_bridge_name,
       NC_OP_GET_PROPERTY),
  PROC(NC_PROC_NETWORK_GET_AUTOSTART, "virNetworkGetAutostart", get_autostart,
       NC_OP_GET_PROPERTY),
  PROC(NC_PROC_NETWORK_IS_ACTIVE, "virNetworkIsActive", is_active, NC_OP_GET_PROPERTY),
  PROC(NC_PROC_NETWORK_IS_PERSISTENT, "virNetworkIsPersistent", is_persistent,
       NC_OP_GET_PROPERTY),
  PROC(NC_PROC_NETWORK_GET_DHCP_LEASES, "virNetworkGetDHCPLeases", dhcp_leases,
       NC_OP_GET_DHCP_LEASES),
};
const gsize nc_rpc_network_n_procs = G_N_ELEMENTS(nc_rpc_network_procs);
