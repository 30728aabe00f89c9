/* Dispatch of remote-program calls: find the procedure, check that the
 * connection is open and may make the call, run it, reply.
 *
 * Access: a procedure changes state when its core operation says so
 * (nc_operation_info()->changes) or its entry is marked NC_RPC_CHANGES. Such
 * a call is refused on a read-only connection (the -ro socket, or opened with
 * VIR_CONNECT_RO) and from any peer whose SO_PEERCRED uid is not 0. */
#include "nc-error.h"
#include "rpc-private.h"

static const struct {
  const NcRpcProc *procs;
  const gsize *n;
} tables[] = {
  { nc_rpc_connect_procs, &nc_rpc_connect_n_procs },
  { nc_rpc_network_procs, &nc_rpc_network_n_procs },
  { nc_rpc_port_procs, &nc_rpc_port_n_procs },
  { nc_rpc_event_procs, &nc_rpc_event_n_procs },
  { nc_rpc_metadata_procs, &nc_rpc_metadata_n_procs },
};

const NcRpcProc *
nc_rpc_proc_lookup(gint32 proc)
{
  for (guint t = 0; t < G_N_ELEMENTS(tables); t++)
    for (gsize i = 0; i < *tables[t].n; i++)
      if (tables[t].procs[i].proc == proc)
        return &tables[t].procs[i];
  return NULL;
}

gboolean
nc_rpc_proc_changes(const NcRpcProc *p)
{
  if (p->flags & NC_RPC_CHANGES)
    return TRUE;
  return p->op >= 0 && nc_operation_info((NcOperation)p->op)->changes;
}

gboolean
nc_rpc_bad_args(NcXdrIn *in, GError **error)
{
  g_set_error(error, NC_ERROR, NC_ERROR_RPC, "cannot decode the call's arguments: %s",
              in->why ? in->why : "malformed");
  return FALSE;
}

static void
reply_gerror(NcRpcClient *c, const NcRpcHeader *call, const GError *error, int domain)
{
  int code = error->domain == NC_ERROR ? error->code : NC_ERROR_INTERNAL_ERROR;
  g_autofree char *msg = nc_rpc_error_message(code, error->message);
  nc_rpc_client_send(c, nc_rpc_packet_error(call, code, domain, msg));
}

/* FALSE (with the error to reply) when the client may not make this call. */
static gboolean
check_access(NcRpcClient *c, const NcRpcProc *p, GError **error)
{
  if (!c->opened && !(p->flags & NC_RPC_BEFORE_OPEN)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "connection not open");
    return FALSE;
  }
  if (!nc_rpc_proc_changes(p))
    return TRUE;
  if (c->readonly) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_DENIED,
                "read only access prevents %s", p->name);
    return FALSE;
  }
  if (c->uid != 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_ACCESS_DENIED,
                "'%s' changes networks and requires root (caller uid %" G_GINT64_FORMAT ")",
                p->name, c->uid);
    return FALSE;
  }
  return TRUE;
}

/* A change's reply held by the write queue until the definitions it wrote
 * are durable (store.h's group commit); a reference to the client's source
 * keeps the client. */
typedef struct {
  GSource *source;
  NcRpcClient *client;
  NcRpcHeader call;
  GByteArray *packet;
} HeldReply;

static void
send_held(gpointer data, const GError *commit_error)
{
  HeldReply *h = data;

  if (!h->client->dead) {
    if (commit_error != NULL)
      reply_gerror(h->client, &h->call, commit_error, NC_RPC_FROM_NETWORK);
    else
      nc_rpc_client_send(h->client, g_steal_pointer(&h->packet));
    if (!h->client->dead)
      nc_rpc_client_update_watch(h->client);
  }
  if (h->packet != NULL)
    g_byte_array_unref(h->packet);
  g_source_unref(h->source);
  g_free(h);
}

/* Sends now, or after the group's commit when run as a queued change. */
static void
reply_durable(NcRpcClient *c, const NcRpcHeader *call, GByteArray *packet)
{
  HeldReply *h = g_new0(HeldReply, 1);
  h->source = g_source_ref(c->source);
  h->client = c;
  h->call = *call;
  h->packet = packet;
  nc_write_queue_reply(c->server->writes, send_held, h);
}

/* Runs an allowed call and replies. */
static void
run_call(NcRpcClient *c, const NcRpcProc *p, const NcRpcHeader *call, NcXdrIn *args)
{
  g_autoptr(GError) error = NULL;
  NcRpcHeader h = *call;
  h.type = NC_RPC_REPLY;
  h.status = NC_RPC_OK;
  g_autoptr(GByteArray) reply = nc_rpc_packet_new(&h);
  if (!p->func(c, args, reply, &error)) {
    reply_gerror(c, call, error, NC_RPC_FROM_NETWORK);
    return;
  }
  if (c->dead)
    return;
  if (!nc_rpc_packet_finish(reply)) {
    g_set_error(&error, NC_ERROR, NC_ERROR_RPC, "%s: the reply exceeds the protocol's %u bytes",
                p->name, NC_RPC_MESSAGE_MAX);
    reply_gerror(c, call, error, NC_RPC_FROM_RPC);
    return;
  }
  if (nc_rpc_proc_changes(p) && c->server->writes != NULL) {
    reply_durable(c, call, g_steal_pointer(&reply));
    return;
  }
  nc_rpc_client_send(c, g_steal_pointer(&reply));
}

/* A change waiting its turn on the server's write queue: the call's header
 * and its undecoded arguments (copied: the packet buffer is reused), and a
 * reference to the client's source, which owns the client. */
typedef struct {
  GSource *source;
  NcRpcClient *client;
  const NcRpcProc *proc;
  NcRpcHeader call;
  GBytes *args;
} QueuedCall;

static void
run_queued(gpointer data, gboolean run)
{
  QueuedCall *q = data;
  NcRpcClient *c = q->client;

  c->pending--;
  /* A client gone meanwhile still gets its change made, as with libvirtd
   * (its reply is dropped); a stopping daemon makes none. */
  if (run) {
    gsize len;
    const guint8 *bytes = g_bytes_get_data(q->args, &len);
    NcXdrIn in;
    nc_xdr_in_init(&in, bytes, len);
    run_call(c, q->proc, &q->call, &in);
    if (!c->dead)
      nc_rpc_client_update_watch(c);
  }
  g_bytes_unref(q->args);
  g_source_unref(q->source);
  g_free(q);
}

static void
queue_call(NcRpcClient *c, const NcRpcProc *p, const NcRpcHeader *call, NcXdrIn *args)
{
  if (c->server->writes == NULL) { /* a server made by hand, as in the fuzz target */
    run_call(c, p, call, args);
    return;
  }
  QueuedCall *q = g_new0(QueuedCall, 1);
  q->source = g_source_ref(c->source);
  q->client = c;
  q->proc = p;
  q->call = *call;
  q->args = g_bytes_new(args->data + args->pos, args->len - args->pos);
  c->pending++;
  nc_write_queue_push(c->server->writes, run_queued, q);
}

void
nc_rpc_dispatch_call(NcRpcClient *c, const NcRpcHeader *call, NcXdrIn *args)
{
  g_autoptr(GError) error = NULL;
  const NcRpcProc *p = nc_rpc_proc_lookup(call->proc);

  if (p == NULL) {
    g_set_error(&error, NC_ERROR, NC_ERROR_NO_SUPPORT, "unknown procedure: %d", call->proc);
    reply_gerror(c, call, error, NC_RPC_FROM_RPC);
    return;
  }
  if (!check_access(c, p, &error)) {
    if (nc_rpc_proc_changes(p))
      g_message("libvirt protocol: refused %s from pid %" G_GINT64_FORMAT " (uid %" G_GINT64_FORMAT
                "): %s",
                p->name, c->pid, c->uid, error->message);
    reply_gerror(c, call, error, NC_RPC_FROM_REMOTE);
    return;
  }

  if (nc_rpc_proc_changes(p)) {
    queue_call(c, p, call, args);
    return;
  }
  run_call(c, p, call, args);
}
