/* Network events over the libvirt protocol: registration per connection
 * (CONNECT_NETWORK_EVENT_REGISTER_ANY / DEREGISTER_ANY) and delivery of the
 * core's lifecycle events, and of metadata changes, as MESSAGE packets
 * (serial 1, status OK, as libvirt's daemon sends them). */
#include <string.h>

#include "nc-error.h"
#include "rpc-private.h"

static gboolean
register_any(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  NcRpcCallback cb = { 0 };
  g_autofree char *name = NULL;

  cb.event_id = nc_xdr_get_i32(in);
  cb.has_network = nc_xdr_get_bool(in);
  if (cb.has_network) {
    name = nc_xdr_get_string(in, NC_RPC_STRING_MAX);
    nc_xdr_get_opaque(in, cb.uuid, sizeof(cb.uuid));
  }
  if (!nc_xdr_ok(in))
    return nc_rpc_bad_args(in, error);
  if (cb.event_id != NC_RPC_NETWORK_EVENT_ID_LIFECYCLE
      && cb.event_id != NC_RPC_NETWORK_EVENT_ID_METADATA_CHANGE) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "unsupported network event ID %d",
                cb.event_id);
    return FALSE;
  }
  if (c->callbacks->len >= NC_RPC_MAX_CALLBACKS) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "too many event callbacks on this connection (%d)", NC_RPC_MAX_CALLBACKS);
    return FALSE;
  }
  cb.id = c->next_callback_id++;
  g_array_append_val(c->callbacks, cb);
  nc_xdr_put_i32(out, cb.id);
  return TRUE;
}

static gboolean
deregister_any(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  gint32 id = nc_xdr_get_i32(in);
  (void)out;
  if (!nc_xdr_ok(in))
    return nc_rpc_bad_args(in, error);
  for (guint i = 0; i < c->callbacks->len; i++) {
    if (g_array_index(c->callbacks, NcRpcCallback, i).id == id) {
      g_array_remove_index(c->callbacks, i);
      return TRUE;
    }
  }
  g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "network event callback %d not registered",
              id);
  return FALSE;
}

const NcRpcProc nc_rpc_event_procs[] = {
  { NC_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY, "virConnectNetworkEventRegisterAny", register_any,
    NC_OP_LIST_NETWORKS, 0 },
  { NC_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY, "virConnectNetworkEventDeregisterAny",
    deregister_any, NC_OP_LIST_NETWORKS, 0 },
};
const gsize nc_rpc_event_n_procs = G_N_ELEMENTS(nc_rpc_event_procs);

/* -- delivery ------------------------------------------------------------------------ */

typedef void (*BodyFunc)(GByteArray *out, gpointer data);

/* Sends proc's message to every callback of `event_id` that wants `net`. */
static void
broadcast(NcRpcServer *server, NcNetwork *net, int event_id, gint32 proc, BodyFunc body,
          gpointer data)
{
  /* Sending may drop a client (overflow): walk a snapshot. */
  GList *clients = g_hash_table_get_keys(server->clients);
  const guint8 *uuid = nc_network_get_uuid(net);

  for (GList *l = clients; l != NULL; l = l->next) {
    NcRpcClient *c = l->data;
    for (guint j = 0; !c->dead && c->opened && j < c->callbacks->len; j++) {
      const NcRpcCallback *cb = &g_array_index(c->callbacks, NcRpcCallback, j);
      if (cb->event_id != event_id
          || (cb->has_network && memcmp(cb->uuid, uuid, NC_RPC_UUID_LEN) != 0))
        continue;
      NcRpcHeader h = {
        .prog = NC_RPC_REMOTE_PROGRAM,
        .vers = NC_RPC_REMOTE_VERSION,
        .proc = proc,
        .type = NC_RPC_MESSAGE,
        .serial = 1,
        .status = NC_RPC_OK,
      };
      GByteArray *p = nc_rpc_packet_new(&h);
      nc_xdr_put_i32(p, cb->id);
      nc_rpc_put_network(p, net);
      body(p, data);
      nc_rpc_packet_finish(p);
      nc_rpc_client_send(c, p);
    }
  }
  g_list_free(clients);
}

static void
lifecycle_body(GByteArray *out, gpointer data)
{
  nc_xdr_put_i32(out, GPOINTER_TO_INT(data)); /* event */
  nc_xdr_put_i32(out, 0);                     /* detail: always 0 for networks */
}

void
nc_rpc_events_on_core_event(NcDaemon *daemon, const NcEvent *event, gpointer user_data)
{
  (void)daemon;
  if (event->kind != NC_EVENT_NETWORK_LIFECYCLE)
    return;
  broadcast(user_data, event->net, NC_RPC_NETWORK_EVENT_ID_LIFECYCLE,
            NC_PROC_NETWORK_EVENT_LIFECYCLE, lifecycle_body, GINT_TO_POINTER(event->lifecycle));
}

typedef struct {
  int type;
  const char *nsuri;
} MetadataChange;

static void
metadata_body(GByteArray *out, gpointer data)
{
  const MetadataChange *m = data;
  nc_xdr_put_i32(out, m->type);
  nc_xdr_put_opt_string(out, m->nsuri);
}

void
nc_rpc_events_metadata_changed(NcRpcServer *server, NcNetwork *net, int type, const char *nsuri)
{
  MetadataChange m = { type, nsuri };
  broadcast(server, net, NC_RPC_NETWORK_EVENT_ID_METADATA_CHANGE,
            NC_PROC_NETWORK_EVENT_CALLBACK_METADATA_CHANGE, metadata_body, &m);
}
