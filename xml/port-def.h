/* The typed model of a libvirt network port (<networkport>, libvirt's
 * virNetworkPortDef): the connection of one guest interface to a network.
 *
 * One NcNetworkPortDef owns everything below it (strings g_malloc'd,
 * sub-elements from network-def.h), so nc_network_port_def_free() or
 * g_autoptr(NcNetworkPortDef) releases it all.
 *
 * The plug says how the guest's device is attached once the network driver
 * has allocated the port: to a bridge (network, bridge), a macvtap link
 * (direct) or a PCI VF (hostdev-pci). Only the fields of the plug type in use
 * are set; the others are zero/NULL.
 *
 * Parse and format reproduce libvirt's XML byte for byte (see
 * virnetworkportxml2xmltest). Parse also refuses names that are unsafe in
 * command arguments and file names (see nc_network_port_def_check). */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

/* Numbering follows libvirt's virNetworkPortPlugType. */
typedef enum {
  NC_PORT_PLUG_NONE = 0, /* no <plug> element is written */
  NC_PORT_PLUG_NETWORK,
  NC_PORT_PLUG_BRIDGE,
  NC_PORT_PLUG_DIRECT,
  NC_PORT_PLUG_HOSTDEV_PCI,
  _NC_PORT_PLUG_MAX,
} NcPortPlugType;

/* libvirt's virNetDevMacVLanModeType: macvtap modes of a direct plug.
 * VEPA is 0 and is written when mode= was absent, as libvirt does. */
typedef enum {
  NC_MACVLAN_MODE_VEPA = 0,
  NC_MACVLAN_MODE_PRIVATE,
  NC_MACVLAN_MODE_BRIDGE,
  NC_MACVLAN_MODE_PASSTHROUGH,
  _NC_MACVLAN_MODE_MAX,
} NcMacvlanMode;

typedef struct {
  guint8 uuid[NC_UUID_LEN];

  /* <owner>: the domain this port belongs to. */
  char *owner_name;
  guint8 owner_uuid[NC_UUID_LEN];

  char *group; /* <group>: portgroup name, NULL when absent */
  NcMac mac;   /* <mac address=> (required) */

  NcVirtualPort *virtualport;        /* NULL when absent */
  NcBandwidth *bandwidth;            /* NULL when absent; classID in bandwidth->class_id */
  NcVlan *vlan;                      /* NULL when absent */
  NcTristate isolated;               /* <port isolated=> */
  NcTristate trust_guest_rx_filters; /* <rxfilters trustGuest=> */

  NcPortPlugType plug_type;
  struct {
    char *brname; /* network, bridge: bridge= (required) */
    NcMacTableManager mac_table_manager;
  } plug_bridge;
  struct {
    char *linkdev; /* direct: dev= (required) */
    NcMacvlanMode mode;
  } plug_direct;
  struct {
    NcTristate managed;
    NcForwardDriverName driver; /* <driver name=>; DEFAULT when absent */
    NcPciAddr addr;             /* <address> (required); connections unused */
  } plug_hostdev_pci;

  /* Where it came from, for error messages (lines are 0 when unknown). */
  char *source_file;
  guint owner_line, group_line, plug_line;
} NcNetworkPortDef;

NcNetworkPortDef *nc_network_port_def_new(void);
void nc_network_port_def_free(NcNetworkPortDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNetworkPortDef, nc_network_port_def_free)

/* Deep copy. Never fails. */
NcNetworkPortDef *nc_network_port_def_copy(const NcNetworkPortDef *def);

typedef enum {
  /* Validate against schemas/networkport.rng before building the model
   * (virNetworkPortCreateXML's VIR_NETWORK_PORT_CREATE_VALIDATE). */
  NC_NETWORK_PORT_PARSE_VALIDATE_SCHEMA = 1 << 0,
} NcNetworkPortParseFlags;

/* Parse a <networkport> document. @filename is only used in messages and may
 * be NULL. Errors: NC_ERROR_XML_ERROR, XML_DETAIL, CONFIG_UNSUPPORTED,
 * INVALID_MAC, XML_INVALID_SCHEMA; messages start with "FILE:LINE: "
 * ("(string)" for a NULL @filename). */
NcNetworkPortDef *nc_network_port_def_parse_string(const char *xml, const char *filename,
                                                   guint flags, GError **error);
NcNetworkPortDef *nc_network_port_def_parse_file(const char *path, guint flags, GError **error);
/* Model from a parsed document's root element (which must be <networkport>). */
NcNetworkPortDef *nc_network_port_def_parse_node(xmlDocPtr doc, xmlNodePtr root,
                                                 const char *filename, GError **error);

/* Checks that parse always applies beyond libvirt's: the owner name, the
 * group name and the plug's device names reach command arguments (ovs-vsctl,
 * ip, tc) and state file names, so they must be plain names. */
gboolean nc_network_port_def_check(const NcNetworkPortDef *def, GError **error);

/* libvirt's virNetworkPortDefFormat. No flags yet (pass 0). Never fails. */
char *nc_network_port_def_format(const NcNetworkPortDef *def, guint flags);

/* -- string tables (port-def.c) -------------------------------------------- */
const char *nc_port_plug_type_to_string(NcPortPlugType v); /* "none","network",... */
int nc_port_plug_type_from_string(const char *s);
const char *nc_macvlan_mode_to_string(NcMacvlanMode v); /* "vepa",... */
int nc_macvlan_mode_from_string(const char *s);

/* For the enum completeness test, like nc_enum_tables(). */
const NcEnumTable *nc_port_enum_tables(gsize *ret_n);

G_END_DECLS
