/* OVN's northbound database (OVN_Northbound), through the same OVSDB
 * JSON-RPC client as Open vSwitch's (ovsdb-rpc.h): the one module that
 * reaches it.
 *
 * Everything netctl creates in the NB carries its marks in external_ids:
 * netctl-uuid (the network's uuid) and netctl-network (its name) on the
 * Logical_Switch, its DHCP_Options, the router and its rows, netctl-uuid
 * and netctl-port (the port's uuid) on each Logical_Switch_Port; the
 * uplink switch of a router is marked netctl-uplink-of (so a port is never
 * added to it). Rows are found and removed by
 * these marks only: nothing without them is changed.
 *
 * `nb` is the validated remote list of <netctl:ovn nb=>. Functions return 0
 * or -errno (kernel-layer convention); where the NB said why, the reason
 * is in *ret_detail (caller frees, may be NULL). Every call is bounded by
 * NC_OVN_NB_TIMEOUT_MS. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NC_OVN_NB_TIMEOUT_MS 10000

typedef struct {
  const char *network;  /* netctl-network mark, and the switch's name after "netctl-" */
  const char *net_uuid; /* netctl-uuid mark */
  /* OVN's IPAM: other_config subnet / exclude_ips / ipv6_prefix ("fd00::",
   * EUI-64 addresses); NULL: none */
  const char *subnet;
  const char *exclude_ips;
  const char *ipv6_prefix;
  /* DHCPv4: cidr NULL for none; options are key, value pairs, NULL-ended */
  const char *dhcp_cidr;
  const char *const *dhcp_options;
  /* DHCPv6 (a second DHCP_Options row): as above, IPv6 cidr */
  const char *dhcp6_cidr;
  const char *const *dhcp6_options;
  /* IPv6 router advertisements: the router's inside port also has
   * int_net6 ("fd00::1/64") and these ipv6_ra_configs pairs (NULL-ended).
   * With int_net6 but no uplink the router has that port only. */
  const char *int_net6;
  const char *const *ra_configs;
  /* forward nat/route: a logical router netctl-NAME between the switch
   * (port MAC int_mac, networks int_net "10.0.0.1/24") and an uplink switch
   * netctl-NAME-ext (port ext_mac, ext_net) whose localnet port reaches the
   * provider network `uplink`, that port bound to the gateway chassis
   * `chassis` (NULL-ended, highest priority first, at least one: OVN fails
   * over to the next alive). NULL uplink: no router. */
  const char *uplink;
  const char *const *chassis;
  const char *int_mac, *int_net;
  const char *ext_mac, *ext_net;
  const char *gateway; /* default route's next hop, NULL: none */
  const char *snat_ip; /* nat: SNAT of snat_subnet to it; NULL: none (route) */
  const char *snat_subnet;
  /* OVN's DNS responder: hostname, "IP IP..." pairs, NULL-ended; NULL or
   * empty: none */
  const char *const *dns_records;
} NcOvnSwitch;

/* Creates the switch and its DHCP_Options in one transaction, on condition
 * that no switch carries this network's netctl-uuid or the switch's name
 * (netctl-NAME) yet: -EEXIST then (nc_ovn_nb_switch_find tells which). */
int nc_ovn_nb_switch_create(const char *nb, const NcOvnSwitch *sw, char **ret_detail);

/* Deletes, in one transaction, the switch (with its ports), the
 * DHCP_Options and any port carrying the network's netctl-uuid. 0 also
 * when there was nothing. */
int nc_ovn_nb_switch_delete(const char *nb, const char *net_uuid, char **ret_detail);

/* The uuids (NB row uuids) of the network's switch and DHCP_Options (NULL
 * when it has none); -ENOENT when there is no switch. Caller frees. */
int nc_ovn_nb_switch_find(const char *nb, const char *net_uuid, char **ret_switch, char **ret_dhcp,
                          char **ret_detail);
/* The same with its DHCPv6 options row too (ret_dhcp: the IPv4 one). */
int nc_ovn_nb_switch_find2(const char *nb, const char *net_uuid, char **ret_switch, char **ret_dhcp,
                           char **ret_dhcp6, char **ret_detail);

typedef struct {
  const char *net_uuid;
  const char *port_uuid;     /* the port's name in OVN (and iface-id on the host) */
  const char *addresses;     /* "MAC dynamic" or "MAC IP" */
  const char *port_security; /* "MAC" */
  const char *dhcp;          /* DHCP_Options row uuid, NULL: none */
  const char *dhcp6;         /* its DHCPv6 one, NULL: none */
  const char *chassis;       /* requested-chassis, NULL: any */
} NcOvnPort;

/* Adds the port to the network's switch. -EEXIST: a port of that name
 * exists; -ENOENT: the network has no switch. */
int nc_ovn_nb_port_add(const char *nb, const NcOvnPort *port, char **ret_detail);
/* Deletes the port named port_uuid when it carries net_uuid's mark and,
 * when chassis is not NULL, is requested on that chassis (a port that
 * moved to another host, see claim, is left to that host). 0 also when
 * there is none. */
int nc_ovn_nb_port_del(const char *nb, const char *net_uuid, const char *port_uuid,
                       const char *chassis, char **ret_detail);
/* Moves the network's existing port port_uuid with that MAC (addresses'
 * first word) to chassis (requested-chassis): a guest migrating. -ENOENT
 * when there is no such port of this network with that MAC. */
int nc_ovn_nb_port_claim(const char *nb, const char *net_uuid, const char *port_uuid,
                         const char *mac, const char *chassis, char **ret_detail);

/* The network's port port_uuid (carrying its marks): its requested-chassis
 * in *ret_chassis (NULL: none; caller frees). -ENOENT when the network has
 * no such port. */
int nc_ovn_nb_port_find(const char *nb, const char *net_uuid, const char *port_uuid,
                        char **ret_chassis, char **ret_detail);

/* The network's guest ports (carrying its netctl-uuid and a netctl-port
 * mark): *ret_ports maps the port's uuid to its requested-chassis ("" when
 * none; caller unrefs). */
int nc_ovn_nb_port_list(const char *nb, const char *net_uuid, GHashTable **ret_ports,
                        char **ret_detail);

/* The addresses OVN gave the network's ports: for each port, "MAC IP..."
 * (an IPv4 and/or an IPv6 address) from its dynamic_addresses (OVN's
 * IPAM), else its fixed "MAC IP..." address; ports without one are left
 * out. *ret_addresses is
 * an array of strings (caller unrefs). */
int nc_ovn_nb_port_addresses(const char *nb, const char *net_uuid, GPtrArray **ret_addresses,
                             char **ret_detail);

G_END_DECLS
