/* The libvirt-protocol front end's listeners: start, stop, accept
 * (rpc-frontend.h). Connections themselves live in rpc-client.c. */
#include <errno.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nc-error.h"
#include "rpc-private.h"
#include "rpc-socket.h"

#define FRONTEND_KEY "rpc"

static void
listener_free(NcRpcListener *l)
{
  if (l->source != NULL) {
    g_source_destroy(l->source);
    g_source_unref(l->source);
  }
  if (l->fd >= 0)
    close(l->fd);
  if (l->owned && l->path != NULL)
    unlink(l->path);
  g_free(l->path);
  g_free(l);
}

typedef struct {
  NcRpcServer *server;
  NcRpcListener *listener;
} AcceptCtx;

static gboolean
accept_ready(int fd, GIOCondition cond, gpointer user_data)
{
  AcceptCtx *ctx = user_data;
  (void)cond;
  /* A bounded number per wake-up, so a connection storm cannot starve the
   * clients already connected. */
  for (int i = 0; i < 64; i++) {
    int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
        g_warning("libvirt socket: accept: %s", g_strerror(errno));
      break;
    }
    if (g_hash_table_size(ctx->server->clients) >= ctx->server->max_clients) {
      g_warning("libvirt socket: refusing a connection: %u clients already",
                ctx->server->max_clients);
      close(cfd);
      continue;
    }
    nc_rpc_client_new(ctx->server, cfd, ctx->listener->readonly);
  }
  return G_SOURCE_CONTINUE;
}

static void
add_listener(NcRpcServer *server, int fd, gboolean readonly, const char *path, gboolean owned)
{
  NcRpcListener *l = g_new0(NcRpcListener, 1);
  l->fd = fd;
  l->readonly = readonly;
  l->path = g_strdup(path);
  l->owned = owned;
  AcceptCtx *ctx = g_new0(AcceptCtx, 1);
  ctx->server = server;
  ctx->listener = l;
  l->source = g_unix_fd_source_new(fd, G_IO_IN);
  g_source_set_callback(l->source, G_SOURCE_FUNC(accept_ready), ctx, g_free);
  g_source_attach(l->source, NULL);
  g_ptr_array_add(server->listeners, l);
}

static gboolean
empty_graveyard(gpointer user_data)
{
  NcRpcServer *server = user_data;
  server->graveyard_idle = 0;
  g_ptr_array_set_size(server->graveyard, 0);
  return G_SOURCE_REMOVE;
}

void
nc_rpc_server_bury(NcRpcServer *server, GSource *source)
{
  g_ptr_array_add(server->graveyard, source);
  if (server->graveyard_idle == 0)
    server->graveyard_idle = g_idle_add(empty_graveyard, server);
}

static void
server_free(NcRpcServer *server)
{
  GHashTableIter it;
  gpointer key;

  /* Queued calls first: they hold their clients' sources. */
  g_clear_pointer(&server->writes, nc_write_queue_free);
  /* Clients first: they point at the server. */
  while (g_hash_table_size(server->clients) > 0) {
    g_hash_table_iter_init(&it, server->clients);
    g_hash_table_iter_next(&it, &key, NULL);
    nc_rpc_client_drop(key, "netctld is stopping");
  }
  if (server->event_handler_id != 0)
    nc_daemon_remove_event_handler(server->daemon, server->event_handler_id);
  g_ptr_array_unref(server->listeners);
  g_hash_table_unref(server->clients);
  if (server->graveyard_idle != 0)
    g_source_remove(server->graveyard_idle);
  g_ptr_array_unref(server->graveyard);
  g_free(server);
}

gboolean
nc_rpc_frontend_start(NcDaemon *daemon, const NcRpcOptions *opts, GError **error)
{
  const NcPaths *paths = nc_daemon_get_paths(daemon);
  NcRpcServer *server = g_new0(NcRpcServer, 1);

  server->daemon = daemon;
  server->listeners = g_ptr_array_new_with_free_func((GDestroyNotify)listener_free);
  server->clients = g_hash_table_new(g_direct_hash, g_direct_equal);
  server->graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)g_source_unref);
  server->writes = nc_write_queue_new("netctld libvirt-protocol changes", paths->batch);
  server->max_clients = opts && opts->max_clients ? opts->max_clients : NC_RPC_MAX_CLIENTS_DEFAULT;
  server->next_client_id = 1;

  g_autoptr(GArray) activated = nc_rpc_socket_take_activated();
  if (activated->len > 0) {
    for (guint i = 0; i < activated->len; i++) {
      NcRpcActivatedSocket *s = &g_array_index(activated, NcRpcActivatedSocket, i);
      add_listener(server, s->fd, s->readonly, NULL, FALSE);
      g_message("libvirt protocol: listening on a %s socket from systemd",
                s->readonly ? "read-only" : "read-write");
    }
  } else {
    static const struct {
      const char *name;
      guint mode;
      gboolean readonly;
    } sockets[] = {
      { NC_RPC_SOCKET_NAME, 0600, FALSE },
      { NC_RPC_SOCKET_RO_NAME, 0666, TRUE },
    };
    if (g_mkdir_with_parents(paths->socket_dir, 0755) < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "cannot create %s: %s",
                  paths->socket_dir, g_strerror(errno));
      server_free(server);
      return FALSE;
    }
    for (guint i = 0; i < G_N_ELEMENTS(sockets); i++) {
      g_autofree char *path = g_build_filename(paths->socket_dir, sockets[i].name, NULL);
      int fd = nc_rpc_socket_listen(path, sockets[i].mode, error);
      if (fd < 0) {
        server_free(server);
        return FALSE;
      }
      add_listener(server, fd, sockets[i].readonly, path, TRUE);
      g_message("libvirt protocol: listening on %s", path);
    }
  }
  server->event_handler_id
      = nc_daemon_add_event_handler(daemon, nc_rpc_events_on_core_event, server, NULL);
  nc_daemon_set_frontend_data(daemon, FRONTEND_KEY, server, (GDestroyNotify)server_free);
  return TRUE;
}

void
nc_rpc_frontend_stop(NcDaemon *daemon)
{
  if (nc_daemon_get_frontend_data(daemon, FRONTEND_KEY) != NULL)
    nc_daemon_set_frontend_data(daemon, FRONTEND_KEY, NULL, NULL);
}
