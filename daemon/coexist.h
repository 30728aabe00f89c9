/* Coexistence with libvirt's own network daemon (coexist.c).
 *
 * netctld and libvirt's network driver manage the same files
 * (/etc/libvirt/qemu/networks, /run/libvirt/network) and the same bridges,
 * so only one of them may run on a host. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when no libvirt network daemon runs or waits to be socket-activated
 * on this host. Otherwise FALSE with a one-line NC_ERROR_RESOURCE_BUSY error
 * that names the daemon and the command that stops it. Every file looked at
 * is relocated under `root` (NULL or "" for /, as netctld's --root); process
 * liveness is read from the real /proc. Nothing is changed. */
gboolean nc_coexist_check(const char *root, GError **error);

G_END_DECLS
