/* What the daemon core adds for managed-bridge networks (managed.c): the
 * drivers' runtime (supervised dnsmasq processes, lease watches), DHCP
 * leases and their change signals, and libvirt's default network. */
#pragma once

#include "forward-driver.h"
#include "nc-daemon.h"

G_BEGIN_DECLS

/* Creates the drivers' runtime for `daemon` (owned by it until
 * nc_managed_detach) and follows lifecycle events to know the leases each
 * running network has, so a lease change can be signalled as add/old/del. */
NcDriverRuntime *nc_managed_attach(NcDaemon *daemon);
/* Frees the runtime: supervision stops, processes keep running. */
void nc_managed_detach(NcDaemon *daemon);

/* libvirt's packaging, done by the daemon: on the first start with no
 * network defined, define the shipped default network (NAT on virbr0,
 * 192.168.122.0/24) and mark it autostart. A marker in the config directory
 * (.netctl-first-start, written when the default network was defined) makes
 * it happen once, so a default network the admin undefined stays undefined. `xml_path` NULL:
 * $NETCTL_DEFAULT_NETWORK, else the installed $datadir/netctl/networks/default.xml. Failures are
 * logged. */
void nc_managed_install_default_network(NcDaemon *daemon, const char *xml_path);

G_END_DECLS
