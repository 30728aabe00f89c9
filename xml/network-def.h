/* The typed model of a libvirt network definition (<network>).
 *
 * One NcNetworkDef owns everything below it: strings are g_malloc'd, arrays
 * are GPtrArrays with a free function, so nc_network_def_free() (or
 * g_autoptr(NcNetworkDef)) releases the whole tree.
 *
 * The model keeps what the user wrote where libvirt's output depends on it
 * (netmask vs prefix, a family attribute given or not, a lease unit), so that
 * parse -> format reproduces libvirt's canonical XML byte for byte.
 * "Unset" is spelled explicitly: NC_TRISTATE_ABSENT, AF_UNSPEC, NULL, has_*.
 *
 * Every enum ends with _NC_<X>_MAX and has a string table (network-enums.c);
 * `_from_string` returns -1 for an unknown string. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "nc-addr.h"

G_BEGIN_DECLS

/* -- enums ---------------------------------------------------------------- */

/* yes/no attributes. ABSENT means the attribute was not written. */
typedef enum {
  NC_TRISTATE_ABSENT = 0,
  NC_TRISTATE_YES,
  NC_TRISTATE_NO,
  _NC_TRISTATE_MAX,
} NcTristate;

/* on/off attributes (bridge stp). */
typedef enum {
  NC_SWITCH_ABSENT = 0,
  NC_SWITCH_ON,
  NC_SWITCH_OFF,
  _NC_SWITCH_MAX,
} NcSwitch;

/* Numbering follows libvirt's virNetworkForwardType. NONE is "isolated":
 * no <forward> element; it is never written as a mode. */
typedef enum {
  NC_FORWARD_NONE = 0,
  NC_FORWARD_NAT,
  NC_FORWARD_ROUTE,
  NC_FORWARD_OPEN,
  NC_FORWARD_BRIDGE,
  NC_FORWARD_PRIVATE,
  NC_FORWARD_VEPA,
  NC_FORWARD_PASSTHROUGH,
  NC_FORWARD_HOSTDEV,
  _NC_FORWARD_MAX,
} NcForwardMode;

/* <forward><driver name=> */
typedef enum {
  NC_FORWARD_DRIVER_DEFAULT = 0, /* not written */
  NC_FORWARD_DRIVER_KVM,
  NC_FORWARD_DRIVER_VFIO,
  _NC_FORWARD_DRIVER_MAX,
} NcForwardDriverName;

typedef enum {
  NC_MAC_TABLE_MANAGER_DEFAULT = 0, /* not written */
  NC_MAC_TABLE_MANAGER_KERNEL,
  NC_MAC_TABLE_MANAGER_LIBVIRT,
  _NC_MAC_TABLE_MANAGER_MAX,
} NcMacTableManager;

/* <ip family=> as written. */
typedef enum {
  NC_IP_FAMILY_ABSENT = 0,
  NC_IP_FAMILY_IPV4,
  NC_IP_FAMILY_IPV6,
  _NC_IP_FAMILY_MAX,
} NcIpFamily;

/* <lease unit=> */
typedef enum {
  NC_LEASE_UNIT_ABSENT = 0, /* minutes, attribute not written */
  NC_LEASE_UNIT_SECONDS,
  NC_LEASE_UNIT_MINUTES,
  NC_LEASE_UNIT_HOURS,
  _NC_LEASE_UNIT_MAX,
} NcLeaseUnit;

typedef enum {
  NC_VIRTUALPORT_NONE = 0, /* <virtualport> without type */
  NC_VIRTUALPORT_8021QBG,
  NC_VIRTUALPORT_8021QBH,
  NC_VIRTUALPORT_OPENVSWITCH,
  NC_VIRTUALPORT_MIDONET,
  _NC_VIRTUALPORT_MAX,
} NcVirtualPortType;

typedef enum {
  NC_VLAN_NATIVE_DEFAULT = 0, /* not written */
  NC_VLAN_NATIVE_TAGGED,
  NC_VLAN_NATIVE_UNTAGGED,
  _NC_VLAN_NATIVE_MAX,
} NcVlanNativeMode;

/* -- shared sub-elements (also used by the port model) -------------------- */

typedef struct {
  /* Each field is 0 when absent; libvirt treats 0 as "not set" too. */
  guint64 average;
  guint64 peak;
  guint64 floor;
  guint64 burst;
  gboolean has_average, has_peak, has_floor, has_burst;
} NcBandwidthRate;

typedef struct {
  NcBandwidthRate *in;  /* NULL when <inbound> is absent */
  NcBandwidthRate *out; /* NULL when <outbound> is absent */
  guint class_id;       /* <bandwidth classID=> (live status only) */
  guint line;          /* source line of the element, 0 when unknown */
} NcBandwidth;

typedef struct {
  guint id;
  NcVlanNativeMode native_mode;
} NcVlanTag;

typedef struct {
  NcTristate trunk;     /* <vlan trunk=> */
  GArray *tags;         /* of NcVlanTag */
  guint line;          /* source line of the element, 0 when unknown */
} NcVlan;

typedef struct {
  NcVirtualPortType type;
  /* 802.1Qbg */
  gboolean has_managerid, has_typeid, has_typeidversion, has_instanceid;
  guint managerid;
  guint typeid;
  guint typeidversion;
  guint8 instanceid[NC_UUID_LEN];
  /* 802.1Qbh and openvswitch */
  char *profileid;
  /* openvswitch and midonet */
  gboolean has_interfaceid;
  guint8 interfaceid[NC_UUID_LEN];
  guint line;          /* source line of the element, 0 when unknown */
} NcVirtualPort;

/* -- <forward> ------------------------------------------------------------ */

typedef struct {
  char *dev;          /* <interface dev=> */
  guint connections;  /* live only; written when > 0 and not inactive */
  guint line;          /* source line of the element, 0 when unknown */
} NcForwardIf;

typedef struct {
  guint domain, bus, slot, function;
  guint connections;
  guint line;          /* source line of the element, 0 when unknown */
} NcPciAddr;

typedef struct {
  char *dev;
  guint connections;
  guint line;          /* source line of the element, 0 when unknown */
} NcForwardPf;

typedef struct {
  NcForwardMode mode;
  gboolean has_element;    /* a <forward> element was written */
  gboolean mode_written;   /* mode= given (otherwise it defaulted to nat) */
  char *dev;               /* <forward dev=>, else the first <interface dev> (libvirt's
                            * effective dev; ifs[0] holds it too); NULL with a <pf> */
  NcTristate managed;      /* hostdev only */
  NcForwardDriverName driver_name;
  char *driver_model;      /* <driver model=> (libvirt >= 10) */
  NcForwardPf *pf;         /* at most one <pf> */
  GPtrArray *ifs;          /* of NcForwardIf */
  GPtrArray *addrs;        /* of NcPciAddr */
  /* <nat> */
  gboolean has_nat;
  NcTristate nat_ipv6;
  NcSockAddr nat_addr_start, nat_addr_end; /* AF_UNSPEC when absent */
  guint nat_port_start, nat_port_end;      /* 0 when absent */
  guint line;          /* source line of the element, 0 when unknown */
} NcForward;

/* -- <bridge>, <domain>, <dns> -------------------------------------------- */

typedef struct {
  gboolean has_element;
  char *name;
  char *zone;
  NcSwitch stp;
  gboolean has_delay;
  guint delay;
  NcMacTableManager mac_table_manager;
  guint line;          /* source line of the element, 0 when unknown */
} NcBridge;

typedef struct {
  char *name;
  NcTristate local_only;
  NcTristate register_; /* <domain register=> (libvirt >= 10.x) */
  guint line;          /* source line of the element, 0 when unknown */
} NcDomain;

typedef struct {
  NcSockAddr addr; /* AF_UNSPEC when only a domain is given */
  char *domain;
  guint line;          /* source line of the element, 0 when unknown */
} NcDnsForwarder;

typedef struct {
  char *name;
  char *value;
  guint line;          /* source line of the element, 0 when unknown */
} NcDnsTxt;

typedef struct {
  char *service;
  char *protocol;
  char *domain;
  char *target;
  guint port, priority, weight;
  gboolean has_port, has_priority, has_weight;
  guint line;          /* source line of the element, 0 when unknown */
} NcDnsSrv;

typedef struct {
  NcSockAddr ip;
  GPtrArray *hostnames; /* of char* */
  guint line;          /* source line of the element, 0 when unknown */
} NcDnsHost;

typedef struct {
  gboolean has_element;
  NcTristate enable;
  NcTristate forward_plain_names;
  GPtrArray *forwarders; /* of NcDnsForwarder */
  GPtrArray *txts;       /* of NcDnsTxt */
  GPtrArray *srvs;       /* of NcDnsSrv */
  GPtrArray *hosts;      /* of NcDnsHost */
  guint line;          /* source line of the element, 0 when unknown */
} NcDns;

/* -- <ip> ------------------------------------------------------------------ */

typedef struct {
  gboolean has_lease;
  guint64 expiry;   /* in `unit`; 0 means infinite */
  NcLeaseUnit unit;
} NcLease;

typedef struct {
  NcSockAddr start, end;
  NcLease lease;
  guint line;          /* source line of the element, 0 when unknown */
} NcDhcpRange;

typedef struct {
  gboolean has_mac;
  NcMac mac;
  char *mac_text; /* the MAC as written (libvirt echoes its case and form) */
  char *id;       /* DHCPv6 DUID */
  char *name;
  NcSockAddr ip; /* AF_UNSPEC when absent */
  NcLease lease;
  guint line;          /* source line of the element, 0 when unknown */
} NcDhcpHost;

typedef struct {
  NcIpFamily family_attr; /* family= as written */
  int family;             /* effective: AF_INET or AF_INET6 */
  NcSockAddr address;
  NcSockAddr netmask;     /* AF_UNSPEC unless netmask= was written */
  gboolean has_prefix;
  guint prefix;           /* as written when has_prefix */
  NcTristate local_ptr;
  char *tftp_root;
  gboolean has_dhcp;      /* a <dhcp> element was written */
  GPtrArray *ranges;      /* of NcDhcpRange */
  GPtrArray *hosts;       /* of NcDhcpHost */
  char *bootp_file;
  NcSockAddr bootp_server; /* AF_UNSPEC when absent */
  guint line;          /* source line of the element, 0 when unknown */
} NcIpDef;

/* -- <route> --------------------------------------------------------------- */

typedef struct {
  NcIpFamily family_attr;
  int family;
  NcSockAddr address;
  NcSockAddr netmask;
  gboolean has_prefix;
  guint prefix;
  NcSockAddr gateway;
  gboolean has_metric;
  guint metric;
  guint line;          /* source line of the element, 0 when unknown */
} NcRouteDef;

/* netctl's XML namespace (network-netctl-ns.h). */
typedef struct _NcNetctlExt NcNetctlExt;

/* -- <portgroup> ----------------------------------------------------------- */

typedef struct {
  char *name;
  gboolean is_default;
  NcTristate trust_guest_rx_filters;
  NcVirtualPort *virtualport;
  NcBandwidth *bandwidth;
  NcVlan *vlan;
  guint line;          /* source line of the element, 0 when unknown */
} NcPortGroup;

/* -- <network> ------------------------------------------------------------- */

typedef struct {
  /* identity */
  char *name;
  gboolean has_uuid;      /* uuid was given (or generated by nc_network_def_fill_defaults) */
  guint8 uuid[NC_UUID_LEN];
  char *title;
  char *description;
  xmlNodePtr metadata;    /* deep copy of <metadata>, owned; NULL when absent */

  /* <network> attributes */
  NcTristate ipv6;                   /* ipv6='yes' (stored by libvirt as ipv6nogw) */
  NcTristate trust_guest_rx_filters;
  guint connections;                 /* live only */

  NcForward forward;
  NcBridge bridge;
  gboolean has_mtu;
  guint mtu;
  gboolean has_mac;
  NcMac mac;
  NcDomain *domain;       /* NULL when absent */
  NcDns dns;
  NcVlan *vlan;
  NcBandwidth *bandwidth;
  NcTristate port_isolated; /* <port isolated=> */

  GPtrArray *ips;         /* of NcIpDef */
  GPtrArray *routes;      /* of NcRouteDef */
  NcVirtualPort *virtualport;
  GPtrArray *portgroups;  /* of NcPortGroup */

  GPtrArray *dnsmasq_options; /* of char*: <dnsmasq:option value=> in order */
  NcNetctlExt *netctl;        /* netctl's own namespace (network-netctl-ns.h), NULL: none */

  /* where it came from, for error messages */
  char *source_file;      /* file name, or NULL for a string */
  guint mtu_line, mac_line, vlan_line, port_line;
} NcNetworkDef;

/* Allocates an empty definition with every array created. */
NcNetworkDef *nc_network_def_new(void);
void nc_network_def_free(NcNetworkDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNetworkDef, nc_network_def_free)

/* Deep copy (via format + parse is fine, but this is direct). */
NcNetworkDef *nc_network_def_copy(const NcNetworkDef *def);

/* Sub-element constructors and destructors, for parsers and net-update. */
NcBandwidth *nc_bandwidth_new(void);
/* Deep copies; NULL for NULL (shared with the port model). */
NcBandwidth *nc_bandwidth_copy(const NcBandwidth *src);
NcVlan *nc_vlan_copy(const NcVlan *src);
NcVirtualPort *nc_virtualport_copy(const NcVirtualPort *src);
void nc_bandwidth_free(NcBandwidth *bw);
NcVlan *nc_vlan_new(void);
void nc_vlan_free(NcVlan *vlan);
NcVirtualPort *nc_virtualport_new(void);
void nc_virtualport_free(NcVirtualPort *vp);
NcDomain *nc_domain_new(void);
void nc_domain_free(NcDomain *domain);
void nc_forward_if_free(NcForwardIf *fi);
void nc_pci_addr_free(NcPciAddr *addr);
void nc_dns_forwarder_free(NcDnsForwarder *f);
void nc_dns_txt_free(NcDnsTxt *txt);
void nc_dns_srv_free(NcDnsSrv *srv);
void nc_dns_host_free(NcDnsHost *host);
NcDnsHost *nc_dns_host_new(void);
void nc_dhcp_range_free(NcDhcpRange *range);
void nc_dhcp_host_free(NcDhcpHost *host);
NcIpDef *nc_ip_def_new(void);
void nc_ip_def_free(NcIpDef *ip);
void nc_route_def_free(NcRouteDef *route);
void nc_portgroup_free(NcPortGroup *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcBandwidth, nc_bandwidth_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcVlan, nc_vlan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcVirtualPort, nc_virtualport_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDnsHost, nc_dns_host_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDhcpHost, nc_dhcp_host_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcIpDef, nc_ip_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcPortGroup, nc_portgroup_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDhcpRange, nc_dhcp_range_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcForwardIf, nc_forward_if_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDnsTxt, nc_dns_txt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDnsSrv, nc_dns_srv_free)

/* A copy of a <metadata> element that owns a private document (so it keeps its
 * namespace declarations and outlives the parsed document). The parser stores
 * such a copy in def->metadata; nc_network_def_free releases it. */
xmlNodePtr nc_network_def_metadata_copy(xmlNodePtr metadata);

/* Effective prefix of an <ip> or <route>: prefix=, else netmask=, else the
 * class default (libvirt's virNetworkIPDefPrefix). -1 when undeterminable. */
int nc_ip_def_prefix(const NcIpDef *ip);
int nc_route_def_prefix(const NcRouteDef *route);

/* The first <ip> of a family that has DHCP ranges or hosts, or NULL. */
const NcIpDef *nc_network_def_dhcp_ip(const NcNetworkDef *def, int family);

/* What define does to a parsed definition before it is stored, as libvirt does:
 * generate a UUID when missing; for none/nat/route/open, generate a bridge MAC
 * when missing. (Bridge name allocation needs the registry; the daemon does it.) */
void nc_network_def_fill_defaults(NcNetworkDef *def);

/* none, nat, route, open: the modes whose bridge the daemon names, creates and
 * addresses (network-enums.c; the one place this is decided). */
gboolean nc_forward_mode_has_managed_bridge(NcForwardMode mode);

/* -- string tables (network-enums.c) ------------------------------------------ */
const char *nc_tristate_to_string(NcTristate v);          /* "yes"/"no"; NULL for ABSENT */
int nc_tristate_from_string(const char *s);
const char *nc_switch_to_string(NcSwitch v);              /* "on"/"off" */
int nc_switch_from_string(const char *s);
const char *nc_forward_mode_to_string(NcForwardMode v);   /* "none","nat",... */
int nc_forward_mode_from_string(const char *s);
const char *nc_forward_driver_name_to_string(NcForwardDriverName v);
int nc_forward_driver_name_from_string(const char *s);
const char *nc_mac_table_manager_to_string(NcMacTableManager v);
int nc_mac_table_manager_from_string(const char *s);
const char *nc_ip_family_to_string(NcIpFamily v);
int nc_ip_family_from_string(const char *s);
const char *nc_lease_unit_to_string(NcLeaseUnit v);
int nc_lease_unit_from_string(const char *s);
const char *nc_virtualport_type_to_string(NcVirtualPortType v);
int nc_virtualport_type_from_string(const char *s);
const char *nc_vlan_native_mode_to_string(NcVlanNativeMode v);
int nc_vlan_native_mode_from_string(const char *s);

/* For the completeness test: each table's name, size and entries. */
typedef struct {
  const char *name;
  int max;
  const char *const *strings;
} NcEnumTable;
const NcEnumTable *nc_enum_tables(gsize *ret_n);

G_END_DECLS
