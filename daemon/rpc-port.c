/* Network port procedures of the remote program (virNetworkPort*): what
 * libvirt's hypervisor drivers call for every guest interface on a network. */
#include <string.h>

#include "nc-addr.h"
#include "nc-error.h"
#include "rpc-private.h"

static gboolean
finish(NcXdrIn *in, GError **error)
{
  return nc_xdr_ok(in) ? TRUE : nc_rpc_bad_args(in, error);
}

/* remote_nonnull_network_port: the network, then the port's uuid. */
static NcPort *
get_port(NcRpcClient *c, NcXdrIn *in, GError **error)
{
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  guint8 uuid[NC_UUID_LEN];
  char buf[NC_UUID_STRING_LEN];

  nc_xdr_get_opaque(in, uuid, sizeof(uuid));
  if (net == NULL)
    return NULL;
  if (!nc_xdr_ok(in)) {
    nc_rpc_bad_args(in, error);
    return NULL;
  }
  nc_uuid_format(uuid, buf);
  return nc_network_port_lookup(net, buf, error);
}

static void
put_port(GByteArray *out, NcPort *port)
{
  nc_rpc_put_network(out, nc_port_get_network(port));
  nc_xdr_put_opaque(out, nc_port_get_def(port)->uuid, NC_UUID_LEN);
}

static gboolean
check_flags(NcOperation op, guint32 flags, GError **error)
{
  return nc_operation_check_flags(op, flags, error);
}

static gboolean
list_all_ports(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  gint32 need_results = nc_xdr_get_i32(in);
  guint32 flags = nc_xdr_get_u32(in);
  if (net == NULL || !finish(in, error) || !check_flags(NC_OP_PORT_LIST, flags, error))
    return FALSE;
  g_autoptr(GPtrArray) ports = nc_network_list_ports(net);
  if (ports->len > NC_RPC_NETWORK_PORT_LIST_MAX) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "too many ports (%u, the protocol allows %u)",
                ports->len, NC_RPC_NETWORK_PORT_LIST_MAX);
    return FALSE;
  }
  nc_xdr_put_u32(out, need_results ? ports->len : 0);
  for (guint i = 0; need_results && i < ports->len; i++)
    put_port(out, ports->pdata[i]);
  nc_xdr_put_u32(out, ports->len);
  return TRUE;
}

static gboolean
lookup_by_uuid(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcPort *port = get_port(c, in, error);
  if (port == NULL || !finish(in, error))
    return FALSE;
  put_port(out, port);
  return TRUE;
}

static gboolean
create_xml(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  g_autofree char *xml = nc_xdr_get_string(in, NC_RPC_STRING_MAX);
  guint32 flags = nc_xdr_get_u32(in);
  if (net == NULL || !finish(in, error) || !check_flags(NC_OP_PORT_CREATE, flags, error))
    return FALSE;
  /* RECLAIM and VALIDATE go to the core as they are (NC_PORT_CREATE_*). */
  NcPort *port = nc_network_port_create(net, xml, flags, NULL, error);
  if (port == NULL)
    return FALSE;
  put_port(out, port);
  return TRUE;
}

static gboolean
get_xml_desc(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcPort *port = get_port(c, in, error);
  guint32 flags = nc_xdr_get_u32(in);
  if (port == NULL || !finish(in, error) || !check_flags(NC_OP_PORT_GET_XML, flags, error))
    return FALSE;
  g_autofree char *xml = nc_port_get_xml(port);
  nc_xdr_put_string(out, xml);
  return TRUE;
}

static gboolean
port_delete(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcPort *port = get_port(c, in, error);
  guint32 flags = nc_xdr_get_u32(in);
  if (port == NULL || !finish(in, error) || !check_flags(NC_OP_PORT_DELETE, flags, error))
    return FALSE;
  g_autoptr(NcPort) ref = nc_port_ref(port);
  return nc_port_delete(ref, error);
}

/* libvirt's VIR_NETWORK_PORT_BANDWIDTH_* parameters, in its order. */
static const struct {
  const char *field;
  gboolean inbound;
  gsize offset; /* of the value in NcBandwidthRate */
  gsize has_offset;
} bandwidth_params[] = {
  { "inbound.average", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, average),
    G_STRUCT_OFFSET(NcBandwidthRate, has_average) },
  { "inbound.peak", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, peak),
    G_STRUCT_OFFSET(NcBandwidthRate, has_peak) },
  { "inbound.floor", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, floor),
    G_STRUCT_OFFSET(NcBandwidthRate, has_floor) },
  { "inbound.burst", TRUE, G_STRUCT_OFFSET(NcBandwidthRate, burst),
    G_STRUCT_OFFSET(NcBandwidthRate, has_burst) },
  { "outbound.average", FALSE, G_STRUCT_OFFSET(NcBandwidthRate, average),
    G_STRUCT_OFFSET(NcBandwidthRate, has_average) },
  { "outbound.peak", FALSE, G_STRUCT_OFFSET(NcBandwidthRate, peak),
    G_STRUCT_OFFSET(NcBandwidthRate, has_peak) },
  { "outbound.burst", FALSE, G_STRUCT_OFFSET(NcBandwidthRate, burst),
    G_STRUCT_OFFSET(NcBandwidthRate, has_burst) },
};

static gboolean
get_parameters(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcPort *port = get_port(c, in, error);
  nc_xdr_get_i32(in); /* nparams: the client's room; all 7 always fit in 16 */
  guint32 flags = nc_xdr_get_u32(in);
  if (port == NULL || !finish(in, error)
      || !check_flags(NC_OP_PORT_GET_PARAMETERS, flags, error))
    return FALSE;
  const NcBandwidth *bw = nc_port_get_def(port)->bandwidth;
  nc_xdr_put_u32(out, G_N_ELEMENTS(bandwidth_params));
  for (guint i = 0; i < G_N_ELEMENTS(bandwidth_params); i++) {
    const NcBandwidthRate *rate = bw == NULL ? NULL : bandwidth_params[i].inbound ? bw->in : bw->out;
    guint64 v = rate ? G_STRUCT_MEMBER(guint64, rate, bandwidth_params[i].offset) : 0;
    nc_rpc_put_typed_param_uint(out, bandwidth_params[i].field, (guint32)MIN(v, G_MAXUINT32));
  }
  nc_xdr_put_i32(out, G_N_ELEMENTS(bandwidth_params));
  return TRUE;
}

static gboolean
set_parameters(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcPort *port = get_port(c, in, error);
  g_autoptr(GArray) params = nc_rpc_get_typed_params(in, NC_RPC_NETWORK_PORT_PARAMETERS_MAX);
  guint32 flags = nc_xdr_get_u32(in);
  if (port == NULL || !finish(in, error)
      || !check_flags(NC_OP_PORT_SET_PARAMETERS, flags, error))
    return FALSE;

  g_autoptr(NcBandwidth) bw = nc_bandwidth_new();
  gboolean any = FALSE;
  for (guint i = 0; i < params->len; i++) {
    const NcRpcTypedParam *p = &g_array_index(params, NcRpcTypedParam, i);
    guint j;
    for (j = 0; j < G_N_ELEMENTS(bandwidth_params); j++)
      if (g_str_equal(p->field, bandwidth_params[j].field))
        break;
    if (j == G_N_ELEMENTS(bandwidth_params) || p->type != NC_RPC_TYPED_PARAM_UINT) {
      g_autofree char *q = nc_name_escape(p->field);
      g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                  "parameter '%s' is not a port parameter (or not an unsigned int)", q);
      return FALSE;
    }
    NcBandwidthRate **rate = bandwidth_params[j].inbound ? &bw->in : &bw->out;
    if (*rate == NULL)
      *rate = g_new0(NcBandwidthRate, 1);
    G_STRUCT_MEMBER(guint64, *rate, bandwidth_params[j].offset) = p->u;
    G_STRUCT_MEMBER(gboolean, *rate, bandwidth_params[j].has_offset) = p->u != 0;
    any = any || p->u != 0;
  }
  return nc_port_set_bandwidth(port, any ? bw : NULL, error);
}

#define PROC(num, name, fn, op) { num, name, fn, op, 0 }

const NcRpcProc nc_rpc_port_procs[] = {
  PROC(NC_PROC_NETWORK_LIST_ALL_PORTS, "virNetworkListAllPorts", list_all_ports, NC_OP_PORT_LIST),
  PROC(NC_PROC_NETWORK_PORT_LOOKUP_BY_UUID, "virNetworkPortLookupByUUID", lookup_by_uuid,
       NC_OP_PORT_LOOKUP),
  PROC(NC_PROC_NETWORK_PORT_CREATE_XML, "virNetworkPortCreateXML", create_xml, NC_OP_PORT_CREATE),
  PROC(NC_PROC_NETWORK_PORT_GET_XML_DESC, "virNetworkPortGetXMLDesc", get_xml_desc,
       NC_OP_PORT_GET_XML),
  PROC(NC_PROC_NETWORK_PORT_DELETE, "virNetworkPortDelete", port_delete, NC_OP_PORT_DELETE),
  PROC(NC_PROC_NETWORK_PORT_GET_PARAMETERS, "virNetworkPortGetParameters", get_parameters,
       NC_OP_PORT_GET_PARAMETERS),
  PROC(NC_PROC_NETWORK_PORT_SET_PARAMETERS, "virNetworkPortSetParameters", set_parameters,
       NC_OP_PORT_SET_PARAMETERS),
};
const gsize nc_rpc_port_n_procs = G_N_ELEMENTS(nc_rpc_port_procs);
