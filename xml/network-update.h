/* net-update: change one entry of a network definition in place, as
 * libvirt's virNetworkDefUpdateSection does (src/conf/network_conf.c).
 *
 * Pure: no I/O, no daemon. The daemon applies it to a copy of the live or
 * persistent definition (nc_network_update); tests apply it to parsed files.
 *
 * Command and section values are libvirt's virNetworkUpdateCommand and
 * virNetworkUpdateSection, so front ends pass the wire values through. */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

typedef enum {
  NC_NETWORK_UPDATE_COMMAND_NONE = 0, /* invalid */
  NC_NETWORK_UPDATE_COMMAND_MODIFY = 1,
  NC_NETWORK_UPDATE_COMMAND_DELETE = 2,
  NC_NETWORK_UPDATE_COMMAND_ADD_LAST = 3,
  NC_NETWORK_UPDATE_COMMAND_ADD_FIRST = 4,
  _NC_NETWORK_UPDATE_COMMAND_MAX,
} NcNetworkUpdateCommand;

typedef enum {
  NC_NETWORK_SECTION_NONE = 0, /* invalid */
  NC_NETWORK_SECTION_BRIDGE = 1,
  NC_NETWORK_SECTION_DOMAIN = 2,
  NC_NETWORK_SECTION_IP = 3,
  NC_NETWORK_SECTION_IP_DHCP_HOST = 4,
  NC_NETWORK_SECTION_IP_DHCP_RANGE = 5,
  NC_NETWORK_SECTION_FORWARD = 6,
  NC_NETWORK_SECTION_FORWARD_INTERFACE = 7,
  NC_NETWORK_SECTION_FORWARD_PF = 8,
  NC_NETWORK_SECTION_PORTGROUP = 9,
  NC_NETWORK_SECTION_DNS_HOST = 10,
  NC_NETWORK_SECTION_DNS_TXT = 11,
  NC_NETWORK_SECTION_DNS_SRV = 12,
  _NC_NETWORK_SECTION_MAX,
} NcNetworkUpdateSection;

/* netctl's own sections, for the elements of its XML namespace on Open
 * vSwitch networks (network-netctl-ovs.h), which libvirt has no section
 * for. Numbered well above libvirt's last (12) so that libvirt may add
 * sections of its own; virsh cannot name them, so the libvirt protocol and
 * D-Bus take them by number (python-libvirt: net.update(cmd, 1001, ...)),
 * netctl's CLI by the names "netctl-mirror", "netctl-netflow",
 * "netctl-sflow". */
typedef enum {
  NC_NETWORK_SECTION_NETCTL_MIRROR = 1001,  /* <netctl:mirror>, found by name */
  NC_NETWORK_SECTION_NETCTL_NETFLOW = 1002, /* <netctl:netflow>, one per network */
  NC_NETWORK_SECTION_NETCTL_SFLOW = 1003,   /* <netctl:sflow>, one per network */
  _NC_NETWORK_SECTION_NETCTL_MAX,
} NcNetworkUpdateNetctlSection;
#define NC_NETWORK_SECTION_NETCTL_FIRST NC_NETWORK_SECTION_NETCTL_MIRROR

/* virNetworkUpdateFlags. CURRENT (0) means live when active, else config. */
typedef enum {
  NC_NETWORK_UPDATE_AFFECT_CURRENT = 0,
  NC_NETWORK_UPDATE_AFFECT_LIVE = 1 << 0,
  NC_NETWORK_UPDATE_AFFECT_CONFIG = 1 << 1,
} NcNetworkUpdateFlags;

/* virsh's names: "none", "modify", "delete", "add-last", "add-first";
 * from_string also takes virsh's synonym "add" (add-last). -1 when unknown
 * (and for "none", which no caller may send). */
const char *nc_network_update_command_to_string(NcNetworkUpdateCommand v);
int nc_network_update_command_from_string(const char *s);
/* "none", "bridge", "domain", "ip", "ip-dhcp-host", "ip-dhcp-range",
 * "forward", "forward-interface", "forward-pf", "portgroup", "dns-host",
 * "dns-txt", "dns-srv", and netctl's "netctl-mirror", "netctl-netflow",
 * "netctl-sflow"; -1 when unknown or "none" (NULL for an unknown value). */
const char *nc_network_update_section_to_string(NcNetworkUpdateSection v);
int nc_network_update_section_from_string(const char *s);

/* Applies one update to @def. @xml is the single element libvirt expects for
 * the section (<host>, <range>, <interface>, <portgroup>, <host>, <txt>,
 * <srv>). @parent_index picks the <ip> for the DHCP sections: its position
 * among all <ip> elements, or -1 for the first <ip> with DHCP entries, else
 * the first IPv4, else the first IPv6 (libvirt's virNetworkIPDefByIndex); the
 * other sections ignore it.
 *
 * Sections: ip-dhcp-host (add, delete, modify), ip-dhcp-range (add, delete),
 * forward-interface (add, delete), portgroup (add, delete, modify), dns-host,
 * dns-txt, dns-srv (add, delete, modify as libvirt >= 10.6, srv modify as
 * newer libvirt), and netctl's mirror, netflow and sflow (add, delete,
 * modify; nc_netctl_ovs_update). bridge, domain, ip, forward and forward-pf are refused with
 * OPERATION_UNSUPPORTED ("can't update 'bridge' section of network 'NAME'"),
 * as libvirt does.
 *
 * After the change: the injection checks (nc_network_def_check_names) on the
 * whole definition; the define-time rules on the added or modified DHCP/DNS
 * entry; for portgroups, the whole semantic check when the definition passed
 * it before. libvirt re-runs no validation after an update, and its own
 * expected results include definitions that define refuses (a NAT network
 * with two forward interfaces), so the whole check is not run for the other
 * sections.
 *
 * TRUE on success. FALSE with @error set (NC_ERROR, libvirt's codes:
 * OPERATION_INVALID for a missing or duplicate entry, OPERATION_UNSUPPORTED
 * for an unsupported section or command, XML_ERROR/XML_DETAIL for a bad
 * snippet); @def is then unchanged. */
gboolean nc_network_def_update(NcNetworkDef *def, guint command, guint section, int parent_index,
                               const char *xml, GError **error);

G_END_DECLS
