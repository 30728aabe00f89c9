/* The libvirt-protocol front end of netctld: libvirt's RPC (remote and
 * keepalive programs) on virtnetworkd's sockets, so unmodified virsh,
 * python-libvirt, virt-manager and libvirt's hypervisor drivers use netctld
 * through network:///system.
 *
 * Sockets (NcPaths.socket_dir, /run/libvirt or under --root):
 *   virtnetworkd-sock     mode 0600: read-write for root (SO_PEERCRED uid 0
 *                         is checked again for every changing call);
 *   virtnetworkd-sock-ro  mode 0666: read-only procedures only.
 * Under systemd socket activation (LISTEN_PID/LISTEN_FDS) the sockets given
 * are used instead; a name ending in "-ro" (LISTEN_FDNAMES or the socket's
 * path) marks the read-only one.
 *
 * Like the D-Bus front end it unpacks, checks access, calls the core and
 * replies; its state hangs off the daemon (nc_daemon_set_frontend_data). */
#pragma once

#include "nc-daemon.h"

G_BEGIN_DECLS

#define NC_RPC_SOCKET_NAME "virtnetworkd-sock"
#define NC_RPC_SOCKET_RO_NAME "virtnetworkd-sock-ro"

typedef struct {
  guint max_clients; /* 0: the default (1024) */
} NcRpcOptions;

/* Starts listening. FALSE when a socket cannot be made (RESOURCE_BUSY when
 * another daemon listens on it). */
gboolean nc_rpc_frontend_start(NcDaemon *daemon, const NcRpcOptions *opts, GError **error);
/* Closes every connection and socket; a no-op when not started. */
void nc_rpc_frontend_stop(NcDaemon *daemon);

G_END_DECLS
