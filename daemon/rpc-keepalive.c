/* libvirt's keepalive program (virkeepaliveprotocol.x): a client that sends
 * PING gets PONG, both type MESSAGE with an empty body. The server sends no
 * pings of its own: a dead peer shows as a closed socket, and a live one
 * that stops reading is bounded by the output queue (rpc-private.h). */
#include "rpc-private.h"

void
nc_rpc_keepalive_handle(NcRpcClient *client, const NcRpcHeader *msg)
{
  if (msg->proc != NC_RPC_KEEPALIVE_PING)
    return; /* PONG, or a number the program does not define: nothing to say */
  NcRpcHeader h = {
    .prog = NC_RPC_KEEPALIVE_PROGRAM,
    .vers = NC_RPC_KEEPALIVE_VERSION,
    .proc = NC_RPC_KEEPALIVE_PONG,
    .type = NC_RPC_MESSAGE,
    .serial = msg->serial,
    .status = NC_RPC_OK,
  };
  GByteArray *pong = nc_rpc_packet_new(&h);
  nc_rpc_packet_finish(pong);
  nc_rpc_client_send(client, pong);
}
