/* libvirt RPC framing: a 4-byte big-endian length (counting itself), the
 * 24-byte header, then the XDR body. Pure functions: no sockets here.
 *
 * nc_rpc_packet_decode is what the fuzz target (tests/fuzz/fuzz-rpc-packet.c)
 * feeds; the server reads a length word, checks it with nc_rpc_frame_length,
 * waits for the rest and decodes the same way. */
#pragma once

#include <glib.h>

#include "rpc-protocol.h"
#include "rpc-xdr.h"

G_BEGIN_DECLS

typedef struct {
  guint32 prog;
  guint32 vers;
  gint32 proc;
  guint32 type;   /* NcRpcType */
  guint32 serial;
  guint32 status; /* NcRpcStatus */
} NcRpcHeader;

/* The total packet length from its first 4 bytes. FALSE (NC_ERROR_RPC)
 * when it cannot hold a header or exceeds NC_RPC_MESSAGE_MAX. */
gboolean nc_rpc_frame_length(const guint8 word[4], guint32 *ret_len, GError **error);

/* A whole packet (length word included): checks the length word against
 * `len`, decodes the header, and leaves `body` on the XDR body. Types and
 * statuses outside the protocol are refused here; the program, version and
 * procedure are left to the dispatcher, which answers them with an error. */
gboolean nc_rpc_packet_decode(const guint8 *data, gsize len, NcRpcHeader *ret_header,
                              NcXdrIn *ret_body, GError **error);

/* A new packet with a length placeholder and `header`; append the body with
 * nc_xdr_put_*, then nc_rpc_packet_finish. */
GByteArray *nc_rpc_packet_new(const NcRpcHeader *header);
/* Writes the length word. FALSE when the packet exceeds NC_RPC_MESSAGE_MAX. */
gboolean nc_rpc_packet_finish(GByteArray *packet);

/* A reply with status ERROR and a remote_error body: code (virErrorNumber),
 * domain (virErrorDomain), message, level ERROR, no object. `call` gives
 * prog/vers/proc/serial. */
GByteArray *nc_rpc_packet_error(const NcRpcHeader *call, int code, int domain,
                                const char *message);

/* libvirt's message for an error code: its virErrorMsg prefix followed by
 * `detail` ("Network not found: no network with matching name 'x'"), as
 * libvirt's daemon sends it and virsh prints it. */
char *nc_rpc_error_message(int code, const char *detail);

G_END_DECLS
