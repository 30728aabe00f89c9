/* DHCP leases of a managed-bridge network, from the lease database the lease
 * helper keeps (<dnsmasq dir>/<bridge>.status, see lease-file.h), and a
 * watcher that says when they change.
 *
 * Used from the main loop thread. */
#pragma once

#include <glib.h>

#include "nc-daemon.h"
#include "network-def.h"

G_BEGIN_DECLS

/* The bridge's leases as virNetworkGetDHCPLeases reports them: leases expired
 * at `now` (seconds since the epoch) left out, only those of `mac` when mac is
 * neither NULL nor "" (compared without case). The prefix is that of the
 * definition's <ip> of the lease's family whose subnet holds the address (else
 * the first of that family, else 0); def may be NULL. A missing file is no
 * lease; so is a file refused unread (a symlink, FIFO, device, directory,
 * one over 32 MiB or nesting deeper than NC_JSON_MAX_DEPTH), with a warning
 * naming it; an unreadable or corrupt one is NC_ERROR_READ_FAILED naming the
 * file. Hostnames and client ids are valid UTF-8 without control characters.
 * Returns an array of NcDhcpLease* (nc-daemon.h) owning its members. */
GPtrArray *nc_leases_read(const char *dnsmasq_dir, const char *bridge, const NcNetworkDef *def,
                          const char *mac, gint64 now, GError **error);

typedef struct _NcLeaseWatch NcLeaseWatch;
typedef void (*NcLeaseWatchFunc)(gpointer user_data);

/* Calls func from the main loop when the bridge's status file changes (a lease
 * appears, is renewed or released) and when a lease in it expires. Several
 * changes close together give one call. NULL for an unsafe bridge name or
 * when the directory cannot be watched. */
NcLeaseWatch *nc_lease_watch_new(const char *dnsmasq_dir, const char *bridge, NcLeaseWatchFunc func,
                                 gpointer user_data);
void nc_lease_watch_free(NcLeaseWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcLeaseWatch, nc_lease_watch_free)

G_END_DECLS
