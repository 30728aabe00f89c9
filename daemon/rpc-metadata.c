/* Network metadata procedures (libvirt 9.7: NETWORK_SET_METADATA and
 * NETWORK_GET_METADATA) and the metadata-change event they cause. */
#include "nc-error.h"
#include "rpc-private.h"

static gboolean
set_metadata(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)out;
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  gint32 type = nc_xdr_get_i32(in);
  g_autofree char *metadata = nc_xdr_get_opt_string(in, NC_RPC_STRING_MAX);
  g_autofree char *key = nc_xdr_get_opt_string(in, NC_RPC_STRING_MAX);
  g_autofree char *uri = nc_xdr_get_opt_string(in, NC_RPC_STRING_MAX);
  guint32 flags = nc_xdr_get_u32(in);
  if (net == NULL)
    return FALSE;
  if (!nc_xdr_ok(in))
    return nc_rpc_bad_args(in, error);
  if (type < 0 || type >= _NC_NETWORK_METADATA_MAX) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "unknown metadata type %d", type);
    return FALSE;
  }
  g_autoptr(NcNetwork) ref = nc_network_ref(net);
  if (!nc_network_set_metadata(ref, type, metadata, key, uri, flags, error))
    return FALSE;
  nc_rpc_events_metadata_changed(c->server, ref, type,
                                 type == NC_NETWORK_METADATA_ELEMENT ? uri : NULL);
  return TRUE;
}

static gboolean
get_metadata(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcNetwork *net = nc_rpc_get_network(c, in, error);
  gint32 type = nc_xdr_get_i32(in);
  g_autofree char *uri = nc_xdr_get_opt_string(in, NC_RPC_STRING_MAX);
  guint32 flags = nc_xdr_get_u32(in);
  if (net == NULL)
    return FALSE;
  if (!nc_xdr_ok(in))
    return nc_rpc_bad_args(in, error);
  if (type < 0 || type >= _NC_NETWORK_METADATA_MAX) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "unknown metadata type %d", type);
    return FALSE;
  }
  g_autofree char *value = nc_network_get_metadata(net, type, uri, flags, error);
  if (value == NULL)
    return FALSE;
  nc_xdr_put_string(out, value);
  return TRUE;
}

const NcRpcProc nc_rpc_metadata_procs[] = {
  { NC_PROC_NETWORK_SET_METADATA, "virNetworkSetMetadata", set_metadata, -1, NC_RPC_CHANGES },
  { NC_PROC_NETWORK_GET_METADATA, "virNetworkGetMetadata", get_metadata, NC_OP_GET_XML, 0 },
};
const gsize nc_rpc_metadata_n_procs = G_N_ELEMENTS(nc_rpc_metadata_procs);
