/* libvirt RPC framing (rpc-packet.h). */
#include <string.h>

#include "nc-error.h"
#include "rpc-packet.h"

#define MIN_PACKET (NC_RPC_MESSAGE_LEN_MAX + NC_RPC_MESSAGE_HEADER_MAX)

gboolean
nc_rpc_frame_length(const guint8 word[4], guint32 *ret_len, GError **error)
{
  guint32 be;
  memcpy(&be, word, 4);
  guint32 len = GUINT32_FROM_BE(be);
  if (len < MIN_PACKET) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "packet length %u is too small (at least %u)", len,
                MIN_PACKET);
    return FALSE;
  }
  if (len > NC_RPC_MESSAGE_MAX) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "packet length %u exceeds the maximum %u", len,
                NC_RPC_MESSAGE_MAX);
    return FALSE;
  }
  *ret_len = len;
  return TRUE;
}

gboolean
nc_rpc_packet_decode(const guint8 *data, gsize len, NcRpcHeader *ret_header, NcXdrIn *ret_body,
                     GError **error)
{
  guint32 framed;
  NcRpcHeader h;
  NcXdrIn in;

  if (len < NC_RPC_MESSAGE_LEN_MAX) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "packet of %zu bytes has no length word", len);
    return FALSE;
  }
  if (!nc_rpc_frame_length(data, &framed, error))
    return FALSE;
  if (framed != len) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "packet length word says %u bytes, got %zu", framed,
                len);
    return FALSE;
  }
  nc_xdr_in_init(&in, data + NC_RPC_MESSAGE_LEN_MAX, len - NC_RPC_MESSAGE_LEN_MAX);
  h.prog = nc_xdr_get_u32(&in);
  h.vers = nc_xdr_get_u32(&in);
  h.proc = nc_xdr_get_i32(&in);
  h.type = nc_xdr_get_u32(&in);
  h.serial = nc_xdr_get_u32(&in);
  h.status = nc_xdr_get_u32(&in);
  if (!nc_xdr_ok(&in)) { /* unreachable after the length check; kept for the fuzzer */
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "packet header: %s", in.why);
    return FALSE;
  }
  if (h.type > NC_RPC_STREAM_HOLE) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "unknown message type %u", h.type);
    return FALSE;
  }
  if (h.status > NC_RPC_CONTINUE) {
    g_set_error(error, NC_ERROR, NC_ERROR_RPC, "unknown message status %u", h.status);
    return FALSE;
  }
  *ret_header = h;
  nc_xdr_in_init(ret_body, in.data + in.pos, in.len - in.pos);
  return TRUE;
}

GByteArray *
nc_rpc_packet_new(const NcRpcHeader *header)
{
  GByteArray *p = g_byte_array_sized_new(128);
  nc_xdr_put_u32(p, 0); /* the length, once known */
  nc_xdr_put_u32(p, header->prog);
  nc_xdr_put_u32(p, header->vers);
  nc_xdr_put_i32(p, header->proc);
  nc_xdr_put_u32(p, header->type);
  nc_xdr_put_u32(p, header->serial);
  nc_xdr_put_u32(p, header->status);
  return p;
}

gboolean
nc_rpc_packet_finish(GByteArray *packet)
{
  if (packet->len > NC_RPC_MESSAGE_MAX)
    return FALSE;
  guint32 be = GUINT32_TO_BE(packet->len);
  memcpy(packet->data, &be, 4);
  return TRUE;
}

GByteArray *
nc_rpc_packet_error(const NcRpcHeader *call, int code, int domain, const char *message)
{
  NcRpcHeader h = *call;
  h.type = NC_RPC_REPLY;
  h.status = NC_RPC_ERROR;
  GByteArray *p = nc_rpc_packet_new(&h);
  nc_xdr_put_i32(p, code);
  nc_xdr_put_i32(p, domain);
  nc_xdr_put_opt_string(p, message);
  nc_xdr_put_i32(p, NC_RPC_ERR_LEVEL_ERROR);
  nc_xdr_put_u32(p, 0);   /* dom: none */
  nc_xdr_put_u32(p, 0);   /* str1 */
  nc_xdr_put_u32(p, 0);   /* str2 */
  nc_xdr_put_u32(p, 0);   /* str3 */
  nc_xdr_put_i32(p, -1);  /* int1 */
  nc_xdr_put_i32(p, -1);  /* int2 */
  nc_xdr_put_u32(p, 0);   /* net: none */
  nc_rpc_packet_finish(p);
  return p;
}

/* libvirt's virErrorMsg wording for the codes in nc-error.h ("%s" = detail). */
static const struct {
  int code;
  const char *format;
} prefixes[] = {
  { NC_ERROR_INTERNAL_ERROR, "internal error: %s" },
  { NC_ERROR_NO_MEMORY, "out of memory: %s" },
  { NC_ERROR_NO_SUPPORT, "this function is not supported by the connection driver: %s" },
  { NC_ERROR_INVALID_ARG, "invalid argument: %s" },
  { NC_ERROR_OPERATION_FAILED, "operation failed: %s" },
  { NC_ERROR_XML_ERROR, "XML error: %s" },
  { NC_ERROR_OPERATION_DENIED, "operation forbidden: %s" },
  { NC_ERROR_OPEN_FAILED, "failed to open configuration file %s" },
  { NC_ERROR_READ_FAILED, "failed to read configuration file %s" },
  { NC_ERROR_PARSE_FAILED, "failed to parse configuration file %s" },
  { NC_ERROR_WRITE_FAILED, "failed to write configuration file: %s" },
  { NC_ERROR_XML_DETAIL, "%s" },
  { NC_ERROR_INVALID_NETWORK, "invalid network pointer in %s" },
  { NC_ERROR_NETWORK_EXIST, "%s" },
  { NC_ERROR_SYSTEM_ERROR, "%s" },
  { NC_ERROR_RPC, "%s" },
  { NC_ERROR_NO_NETWORK, "Network not found: %s" },
  { NC_ERROR_INVALID_MAC, "invalid MAC address: %s" },
  { NC_ERROR_OPERATION_INVALID, "Requested operation is not valid: %s" },
  { NC_ERROR_CONFIG_UNSUPPORTED, "unsupported configuration: %s" },
  { NC_ERROR_OPERATION_TIMEOUT, "Timed out during operation: %s" },
  { NC_ERROR_HOOK_SCRIPT_FAILED, "Hook script execution failed: %s" },
  { NC_ERROR_ARGUMENT_UNSUPPORTED, "argument unsupported: %s" },
  { NC_ERROR_OPERATION_UNSUPPORTED, "Operation not supported: %s" },
  { NC_ERROR_RESOURCE_BUSY, "resource busy: %s" },
  { NC_ERROR_ACCESS_DENIED, "access denied: %s" },
  { NC_ERROR_XML_INVALID_SCHEMA, "XML document failed to validate against schema: %s" },
  { NC_ERROR_INVALID_NETWORK_PORT, "Invalid network port pointer: %s" },
  { NC_ERROR_NETWORK_PORT_EXIST, "%s" },
  { NC_ERROR_NO_NETWORK_PORT, "network port not found: %s" },
  { NC_ERROR_NO_NETWORK_METADATA, "metadata not found: %s" },
};

char *
nc_rpc_error_message(int code, const char *detail)
{
  for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++) {
    if (prefixes[i].code != code)
      continue;
    const char *hole = strstr(prefixes[i].format, "%s");
    gsize n = hole - prefixes[i].format;
    /* The core's message may already carry libvirt's prefix. */
    if (n > 0 && strncmp(detail, prefixes[i].format, n) == 0)
      return g_strdup(detail);
    return g_strdup_printf("%.*s%s%s", (int)n, prefixes[i].format, detail, hole + 2);
  }
  return g_strdup(detail);
}
