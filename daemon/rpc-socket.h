/* Listening sockets for the libvirt-protocol front end: made at a path, or
 * taken from systemd (LISTEN_FDS). Not shared outside rpc-*.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A non-blocking, close-on-exec listening unix socket at `path` with file
 * mode `mode`. A stale socket file (nobody listening) is replaced; a live
 * one is RESOURCE_BUSY. Returns the fd or -1. */
int nc_rpc_socket_listen(const char *path, guint mode, GError **error);

typedef struct {
  int fd;
  gboolean readonly;
} NcRpcActivatedSocket;

/* The unix listening sockets systemd passed to this process (LISTEN_PID is
 * ours), made non-blocking and close-on-exec; LISTEN_* are unset so children
 * do not inherit them. A socket is read-only when its LISTEN_FDNAMES entry
 * or its path ends in "-ro". Empty array when not socket-activated. */
GArray *nc_rpc_socket_take_activated(void);

/* The peer's uid and pid (SO_PEERCRED); FALSE when unknown. */
gboolean nc_rpc_socket_peer(int fd, gint64 *ret_uid, gint64 *ret_pid);

G_END_DECLS
