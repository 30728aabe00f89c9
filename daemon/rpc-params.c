/* remote_typed_param lists (virTypedParameter on the wire). */
#include "nc-error.h"
#include "rpc-private.h"

void
nc_rpc_typed_param_clear(NcRpcTypedParam *p)
{
  g_free(p->field);
  g_free(p->s);
}

GArray *
nc_rpc_get_typed_params(NcXdrIn *in, guint max)
{
  /* field (length word) + type + smallest value: 12 bytes at least */
  guint32 n = nc_xdr_get_array_len(in, max, 12);
  GArray *params = g_array_sized_new(FALSE, TRUE, sizeof(NcRpcTypedParam), n);
  g_array_set_clear_func(params, (GDestroyNotify)nc_rpc_typed_param_clear);
  for (guint32 i = 0; i < n && nc_xdr_ok(in); i++) {
    NcRpcTypedParam p = { 0 };
    p.field = nc_xdr_get_string(in, NC_RPC_TYPED_PARAM_FIELD_MAX);
    p.type = nc_xdr_get_i32(in);
    switch (p.type) {
    case NC_RPC_TYPED_PARAM_INT:
    case NC_RPC_TYPED_PARAM_BOOLEAN:
      p.i = nc_xdr_get_i32(in);
      break;
    case NC_RPC_TYPED_PARAM_UINT:
      p.u = nc_xdr_get_u32(in);
      break;
    case NC_RPC_TYPED_PARAM_LLONG:
      p.i = nc_xdr_get_i64(in);
      break;
    case NC_RPC_TYPED_PARAM_ULLONG:
      p.u = nc_xdr_get_u64(in);
      break;
    case NC_RPC_TYPED_PARAM_DOUBLE:
      p.d = nc_xdr_get_double(in);
      break;
    case NC_RPC_TYPED_PARAM_STRING:
      p.s = nc_xdr_get_string(in, NC_RPC_STRING_MAX);
      break;
    default:
      in->failed = TRUE;
      in->why = "unknown typed parameter type";
      break;
    }
    g_array_append_val(params, p);
  }
  return params;
}

void
nc_rpc_put_typed_param_uint(GByteArray *out, const char *field, guint32 value)
{
  nc_xdr_put_string(out, field);
  nc_xdr_put_i32(out, NC_RPC_TYPED_PARAM_UINT);
  nc_xdr_put_u32(out, value);
}
