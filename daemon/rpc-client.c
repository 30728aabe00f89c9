/* One libvirt-protocol connection: non-blocking reads into the packet being
 * assembled, a bounded output queue, and the packet-level checks before
 * dispatch (program, version, type).
 *
 * The client is owned by its GSource (freed in finalize), so dropping a
 * client while one of its own callbacks runs is safe: the memory stays until
 * GLib has left the dispatch; `dead` tells the loops to stop. */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nc-error.h"
#include "nc-log.h"
#include "rpc-private.h"
#include "rpc-socket.h"

#define READ_CHUNK 65536
/* Reads per wake-up: one busy client cannot monopolise the loop. */
#define READS_PER_WAKEUP 8

typedef struct {
  GSource base;
  NcRpcClient *client;
} ClientSource;

static void
client_free(NcRpcClient *c)
{
  GByteArray *p;
  while ((p = g_queue_pop_head(&c->out)) != NULL)
    g_byte_array_unref(p);
  if (c->in != NULL)
    g_byte_array_unref(c->in);
  if (c->callbacks != NULL)
    g_array_unref(c->callbacks);
  g_free(c->uri);
  g_free(c);
}

/* Replies waiting beyond what a well-behaved client leaves unread: stop
 * reading its calls until they drain. */
static gboolean
output_full(const NcRpcClient *c)
{
  return c->out_bytes > NC_RPC_OUTPUT_SOFT_LIMIT
         || c->out.length + c->pending > NC_RPC_OUTPUT_SOFT_PACKETS;
}

/* Changing the watched conditions wakes the main context up (an eventfd
 * write and one more poll), so it is done only when they change: in the
 * common case a reply is written at once and the watch stays G_IO_IN. */
void
nc_rpc_client_update_watch(NcRpcClient *c)
{
  GIOCondition cond = 0;
  if (c->dead)
    return;
  if (!c->closing && !output_full(c))
    cond |= G_IO_IN;
  if (c->out.length > 0)
    cond |= G_IO_OUT;
  if (cond != c->watch_cond) {
    c->watch_cond = cond;
    g_source_modify_unix_fd(c->source, c->fd_tag, cond);
  }
}

static void do_write(NcRpcClient *c);

void
nc_rpc_client_drop(NcRpcClient *c, const char *why)
{
  if (c->dead)
    return;
  c->dead = TRUE;
  g_debug("libvirt protocol: client %" G_GUINT64_FORMAT " (pid %" G_GINT64_FORMAT
          ") disconnected: %s",
          c->id, c->pid, why);
  g_hash_table_remove(c->server->clients, c);
  close(c->fd);
  c->fd = -1;
  /* The client stays readable until the server's graveyard is emptied on
   * the next idle turn: callers up the stack may still look at `dead`. */
  g_source_destroy(c->source);
  nc_rpc_server_bury(c->server, c->source);
}

gboolean
nc_rpc_client_send(NcRpcClient *c, GByteArray *packet)
{
  if (c->dead) {
    g_byte_array_unref(packet);
    return FALSE;
  }
  if (c->out_bytes + packet->len > NC_RPC_OUTPUT_HARD_LIMIT) {
    g_byte_array_unref(packet);
    nc_rpc_client_drop(c, "output queue over its limit (the client does not read)");
    return FALSE;
  }
  g_queue_push_tail(&c->out, packet);
  c->out_bytes += packet->len;
  /* Nothing queued before it: try the socket now (non-blocking). */
  if (c->out.length == 1)
    do_write(c);
  nc_rpc_client_update_watch(c);
  return !c->dead;
}

/* Error reply for a call that never reaches dispatch. */
static void
reply_error(NcRpcClient *c, const NcRpcHeader *h, int code, int domain, const char *detail)
{
  g_autofree char *msg = nc_rpc_error_message(code, detail);
  nc_rpc_client_send(c, nc_rpc_packet_error(h, code, domain, msg));
}

void
nc_rpc_client_handle_packet(NcRpcClient *c, const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  NcRpcHeader h;
  NcXdrIn body;

  if (!nc_rpc_packet_decode(data, len, &h, &body, &error)) {
    nc_rpc_client_drop(c, error->message);
    return;
  }
  if (h.prog == NC_RPC_KEEPALIVE_PROGRAM) {
    if (h.vers == NC_RPC_KEEPALIVE_VERSION && h.type == NC_RPC_MESSAGE)
      nc_rpc_keepalive_handle(c, &h);
    return;
  }
  /* Only calls get answers: answering a stray reply or event could loop. */
  if (h.type != NC_RPC_CALL && h.type != NC_RPC_CALL_WITH_FDS)
    return;
  if (h.prog != NC_RPC_REMOTE_PROGRAM) {
    g_autofree char *why = g_strdup_printf("cannot find program %u version %u", h.prog, h.vers);
    reply_error(c, &h, NC_ERROR_RPC, NC_RPC_FROM_RPC, why);
    return;
  }
  if (h.vers != NC_RPC_REMOTE_VERSION) {
    g_autofree char *why = g_strdup_printf("program %u version %u mismatch (actual %u)", h.prog,
                                           h.vers, NC_RPC_REMOTE_VERSION);
    reply_error(c, &h, NC_ERROR_RPC, NC_RPC_FROM_RPC, why);
    return;
  }
  if (h.type == NC_RPC_CALL_WITH_FDS) {
    reply_error(c, &h, NC_ERROR_NO_SUPPORT, NC_RPC_FROM_RPC,
                "no procedure of this daemon takes file descriptors");
    return;
  }
  if (h.status != NC_RPC_OK) {
    reply_error(c, &h, NC_ERROR_RPC, NC_RPC_FROM_RPC, "a call must have status OK");
    return;
  }
  nc_rpc_dispatch_call(c, &h, &body);
}

void
nc_rpc_client_feed(NcRpcClient *c, const guint8 *buf, gsize len)
{
  g_autoptr(GError) error = NULL;

  while (len > 0 && !c->dead) {
    if (c->in_need == 0) {
      gsize take = MIN(len, 4 - c->in->len);
      g_byte_array_append(c->in, buf, take);
      buf += take;
      len -= take;
      if (c->in->len < 4)
        return;
      if (!nc_rpc_frame_length(c->in->data, &c->in_need, &error)) {
        nc_rpc_client_drop(c, error->message);
        return;
      }
      continue;
    }
    gsize take = MIN(len, c->in_need - c->in->len);
    g_byte_array_append(c->in, buf, take);
    buf += take;
    len -= take;
    if (c->in->len < c->in_need)
      return;
    nc_rpc_client_handle_packet(c, c->in->data, c->in->len);
    if (c->dead)
      return;
    /* Do not keep a large packet's buffer for the small ones that follow. */
    if (c->in->len > NC_RPC_MESSAGE_INITIAL) {
      g_byte_array_unref(c->in);
      c->in = g_byte_array_sized_new(NC_RPC_MESSAGE_INITIAL);
    } else {
      g_byte_array_set_size(c->in, 0);
    }
    c->in_need = 0;
  }
}

static void
do_read(NcRpcClient *c)
{
  guint8 buf[READ_CHUNK];

  for (int i = 0; i < READS_PER_WAKEUP; i++) {
    if (c->dead || c->closing || output_full(c))
      return;
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0) {
      nc_rpc_client_drop(c, c->in->len > 0 ? "closed mid-packet" : "closed");
      return;
    }
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        nc_rpc_client_drop(c, g_strerror(errno));
      return;
    }
    nc_rpc_client_feed(c, buf, (gsize)n);
    /* A short read emptied the socket: asking again would only get EAGAIN
     * (one more syscall per call); poll says when more comes. */
    if ((gsize)n < sizeof(buf))
      return;
  }
}

static void
do_write(NcRpcClient *c)
{
  GByteArray *p;

  while (!c->dead && (p = g_queue_peek_head(&c->out)) != NULL) {
    ssize_t n = send(c->fd, p->data + c->out_offset, p->len - c->out_offset,
                     MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        nc_rpc_client_drop(c, g_strerror(errno));
      return;
    }
    c->out_offset += (gsize)n;
    if (c->out_offset < p->len)
      return;
    g_queue_pop_head(&c->out);
    c->out_bytes -= p->len;
    c->out_offset = 0;
    g_byte_array_unref(p);
  }
  if (!c->dead && c->closing && c->out.length == 0)
    nc_rpc_client_drop(c, "connection closed by the client (CONNECT_CLOSE)");
}

static gboolean
client_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
  NcRpcClient *c = ((ClientSource *)source)->client;
  GIOCondition rev = g_source_query_unix_fd(source, c->fd_tag);

  (void)callback;
  (void)user_data;
  if (rev & G_IO_OUT)
    do_write(c);
  if (!c->dead && (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    do_read(c);
  if (!c->dead && (rev & (G_IO_HUP | G_IO_ERR)) && !(rev & G_IO_IN))
    nc_rpc_client_drop(c, "hung up");
  if (!c->dead) {
    /* Replies queued by this round's calls go out at once when they fit. */
    if (c->out.length > 0)
      do_write(c);
    nc_rpc_client_update_watch(c);
  }
  return G_SOURCE_CONTINUE;
}

static void
client_finalize(GSource *source)
{
  client_free(((ClientSource *)source)->client);
}

static GSourceFuncs client_funcs = {
  .dispatch = client_dispatch,
  .finalize = client_finalize,
};

NcRpcClient *
nc_rpc_client_new(NcRpcServer *server, int fd, gboolean readonly_socket)
{
  NcRpcClient *c = g_new0(NcRpcClient, 1);

  c->server = server;
  c->id = server->next_client_id++;
  c->fd = fd;
  c->readonly_socket = readonly_socket;
  c->uid = -1;
  c->pid = -1;
  nc_rpc_socket_peer(fd, &c->uid, &c->pid);
  c->readonly = readonly_socket;
  c->in = g_byte_array_sized_new(NC_RPC_MESSAGE_INITIAL);
  c->callbacks = g_array_new(FALSE, FALSE, sizeof(NcRpcCallback));
  c->next_callback_id = 0;
  g_queue_init(&c->out);

  c->source = g_source_new(&client_funcs, sizeof(ClientSource));
  ((ClientSource *)c->source)->client = c;
  /* GLib blocks a source that may not recurse for each dispatch by taking
   * its fd out of the poll set and putting it back, and each of the two
   * wakes the main context (2 eventfd writes, 1 read per call: strace of
   * a numOfNetworks loop). Nothing in netctld iterates the main context
   * from inside a dispatch (sync spawns and D-Bus calls use their own), so
   * the client's dispatch is never re-entered. */
  g_source_set_can_recurse(c->source, TRUE);
  g_source_set_name(c->source, "netctld libvirt client");
  c->watch_cond = G_IO_IN;
  c->fd_tag = g_source_add_unix_fd(c->source, fd, G_IO_IN);
  g_source_attach(c->source, NULL);
  g_hash_table_add(server->clients, c);
  g_debug("libvirt protocol: client %" G_GUINT64_FORMAT " connected (uid %" G_GINT64_FORMAT
          ", pid %" G_GINT64_FORMAT ", %s socket)",
          c->id, c->uid, c->pid, readonly_socket ? "read-only" : "read-write");
  return c;
}
