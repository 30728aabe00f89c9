/* <networkport> XML -> NcNetworkPortDef, following libvirt's
 * virNetworkPortDefParseXML: the same elements are required, the same values
 * accepted. Then nc_network_port_def_check refuses unsafe names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nc-error.h"
#include "netdev-parse.h"
#include "network-check-names.h"
#include "network-xml.h"
#include "port-def.h"

/* Messages name no network: a port is parsed before it is tied to one. */
#define port_error(error, code, def, node, ...)                                                    \
  nc_xml_set_error((error), (code), (def)->source_file, node_line(node), NULL, __VA_ARGS__)

static guint
node_line(xmlNodePtr node)
{
  long line = node ? xmlGetLineNo(node) : 0;

  return line > 0 ? (guint)line : 0;
}

static xmlNodePtr
first_child(xmlNodePtr node, const char *name)
{
  if (!node)
    return NULL;
  for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
    if (cur->type == XML_ELEMENT_NODE && g_str_equal((const char *)cur->name, name))
      return cur;
  }
  return NULL;
}

/* Like virXPathString("string(./x)"): the element's text, NULL when the
 * element is absent or the text is empty. */
static char *
element_text(xmlNodePtr node)
{
  xmlChar *content;
  char *ret = NULL;

  if (!node)
    return NULL;
  content = xmlNodeGetContent(node);
  if (content && *content)
    ret = g_strdup((const char *)content);
  xmlFree(content);
  return ret;
}

/* Like virXMLPropString: the attribute whatever its namespace, g_malloc'd;
 * NULL when absent or when @node is NULL. */
static char *
get_prop(xmlNodePtr node, const char *name)
{
  xmlChar *value;
  char *ret;

  if (!node || !(value = xmlGetProp(node, (const xmlChar *)name)))
    return NULL;
  ret = g_strdup((const char *)value);
  xmlFree(value);
  return ret;
}

/* libvirt's virUUIDParse skips white space around the digits. */
static gboolean
parse_uuid(const char *str, guint8 ret_uuid[NC_UUID_LEN])
{
  g_autofree char *copy = g_strstrip(g_strdup(str));

  return nc_uuid_parse(copy, ret_uuid);
}

static gboolean
parse_identity(NcNetworkPortDef *def, xmlNodePtr root, GError **error)
{
  xmlNodePtr uuid_node = first_child(root, "uuid");
  xmlNodePtr owner = first_child(root, "owner");
  xmlNodePtr owner_uuid_node = first_child(owner, "uuid");
  xmlNodePtr group = first_child(root, "group");
  xmlNodePtr mac_node = first_child(root, "mac");
  g_autofree char *uuid = element_text(uuid_node);
  g_autofree char *owner_uuid = element_text(owner_uuid_node);
  g_autofree char *mac = get_prop(mac_node, "address");

  if (!uuid) {
    port_error(error, NC_ERROR_XML_ERROR, def, uuid_node ? uuid_node : root,
               "<networkport>: missing <uuid>: a network port needs a UUID");
    return FALSE;
  }
  if (!parse_uuid(uuid, def->uuid)) {
    g_autofree char *q = nc_name_escape(uuid);
    port_error(error, NC_ERROR_XML_ERROR, def, uuid_node, "<uuid>: cannot parse '%s' as a UUID", q);
    return FALSE;
  }

  def->owner_line = node_line(owner ? owner : root);
  def->owner_name = element_text(first_child(owner, "name"));
  if (!owner) {
    port_error(error, NC_ERROR_XML_ERROR, def, root,
               "<networkport>: missing <owner>: a network port needs its owner's name and UUID");
    return FALSE;
  }
  if (!def->owner_name) {
    port_error(error, NC_ERROR_XML_ERROR, def, owner,
               "<owner>: missing <name>: a network port needs its owner's name");
    return FALSE;
  }
  if (!owner_uuid) {
    port_error(error, NC_ERROR_XML_ERROR, def, owner,
               "<owner>: missing <uuid>: a network port needs its owner's UUID");
    return FALSE;
  }
  if (!parse_uuid(owner_uuid, def->owner_uuid)) {
    g_autofree char *q = nc_name_escape(owner_uuid);
    port_error(error, NC_ERROR_XML_ERROR, def, owner_uuid_node,
               "<owner>: <uuid>: cannot parse '%s' as a UUID", q);
    return FALSE;
  }

  def->group = element_text(group);
  def->group_line = node_line(group);

  if (!mac) {
    port_error(error, NC_ERROR_XML_ERROR, def, mac_node ? mac_node : root,
               "<networkport>: missing <mac address=>: a network port needs a MAC address");
    return FALSE;
  }
  if (!nc_mac_parse(mac, &def->mac)) {
    g_autofree char *q = nc_name_escape(mac);
    port_error(error, NC_ERROR_INVALID_MAC, def, mac_node,
               "<mac>: invalid address='%s' (expected six hex bytes like 52:54:00:12:34:56)", q);
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_netdev(NcNetworkPortDef *def, xmlNodePtr root, GError **error)
{
  const char *file = def->source_file;
  xmlNodePtr node;

  /* libvirt's order: virtualport (before mac), bandwidth, vlan, port,
   * rxfilters. The identity part runs first here; its checks are independent. */
  if ((node = first_child(root, "virtualport"))
      && !nc_virtualport_parse(node, 0, file, NULL, &def->virtualport, error))
    return FALSE;
  /* Whether floor= can be honoured depends on the network; like libvirt,
   * accept it here and let port allocation decide. */
  if ((node = first_child(root, "bandwidth"))
      && !nc_bandwidth_parse(node,
                             NC_BANDWIDTH_PARSE_ALLOW_FLOOR | NC_BANDWIDTH_PARSE_ALLOW_CLASS_ID,
                             file, NULL, &def->bandwidth, error))
    return FALSE;
  if ((node = first_child(root, "vlan")) && !nc_vlan_parse(node, file, NULL, &def->vlan, error))
    return FALSE;
  if (!nc_port_options_parse(first_child(root, "port"), file, NULL, &def->isolated, error))
    return FALSE;
  return nc_netdev_prop_tristate(first_child(root, "rxfilters"), "trustGuest", file, NULL,
                                 &def->trust_guest_rx_filters, error);
}

/* virPCIDeviceAddressParseXML: numbers in C notation; an all-zero address is
 * accepted, any other must have bus <= 0xff, slot <= 0x1f, function <= 7. */
static gboolean
parse_pci_field(const NcNetworkPortDef *def, xmlNodePtr node, const char *attr, guint *ret_value,
                GError **error)
{
  g_autofree char *str = get_prop(node, attr);
  char *end = NULL;
  unsigned long long value;

  if (!str)
    return TRUE;
  errno = 0;
  value = strtoull(str, &end, 0);
  if (strchr(str, '-') || errno != 0 || end == str || *end != '\0' || value > G_MAXUINT) {
    g_autofree char *q = nc_name_escape(str);
    port_error(error, NC_ERROR_XML_ERROR, def, node,
               "<address>: invalid %s='%s': expected a non-negative integer", attr, q);
    return FALSE;
  }
  *ret_value = (guint)value;
  return TRUE;
}

static gboolean
parse_pci_address(const NcNetworkPortDef *def, xmlNodePtr node, NcPciAddr *ret_addr, GError **error)
{
  NcPciAddr addr = { 0 };
  g_autofree char *multi = get_prop(node, "multifunction");

  addr.line = node_line(node);
  if (!parse_pci_field(def, node, "domain", &addr.domain, error)
      || !parse_pci_field(def, node, "bus", &addr.bus, error)
      || !parse_pci_field(def, node, "slot", &addr.slot, error)
      || !parse_pci_field(def, node, "function", &addr.function, error))
    return FALSE;
  /* multifunction= is read (and must be on/off) but not kept, as in libvirt. */
  if (multi && nc_switch_from_string(multi) <= NC_SWITCH_ABSENT) {
    g_autofree char *q = nc_name_escape(multi);
    port_error(error, NC_ERROR_XML_ERROR, def, node,
               "<address>: invalid multifunction='%s': expected 'on' or 'off'", q);
    return FALSE;
  }
  if (addr.domain || addr.bus || addr.slot) {
    if (addr.bus > 0xff) {
      port_error(error, NC_ERROR_XML_ERROR, def, node,
                 "<address>: invalid PCI address bus='0x%x', must be <= 0xFF", addr.bus);
      return FALSE;
    }
    if (addr.slot > 0x1f) {
      port_error(error, NC_ERROR_XML_ERROR, def, node,
                 "<address>: invalid PCI address slot='0x%x', must be <= 0x1F", addr.slot);
      return FALSE;
    }
    if (addr.function > 7) {
      port_error(error, NC_ERROR_XML_ERROR, def, node,
                 "<address>: invalid PCI address function='0x%x', must be <= 7", addr.function);
      return FALSE;
    }
  }
  *ret_addr = addr;
  return TRUE;
}

static gboolean
parse_plug_bridge(NcNetworkPortDef *def, xmlNodePtr plug, GError **error)
{
  g_autofree char *macmgr = get_prop(plug, "macTableManager");

  if (!(def->plug_bridge.brname = get_prop(plug, "bridge"))) {
    port_error(error, NC_ERROR_XML_ERROR, def, plug,
               "<plug type='%s'>: missing bridge= (the bridge the port is attached to)",
               nc_port_plug_type_to_string(def->plug_type));
    return FALSE;
  }
  if (macmgr) {
    int mgr = nc_mac_table_manager_from_string(macmgr);

    if (mgr <= NC_MAC_TABLE_MANAGER_DEFAULT) {
      g_autofree char *q = nc_name_escape(macmgr);
      port_error(error, NC_ERROR_XML_ERROR, def, plug,
                 "<plug>: invalid macTableManager='%s' (expected 'kernel' or 'libvirt')", q);
      return FALSE;
    }
    def->plug_bridge.mac_table_manager = mgr;
  }
  return TRUE;
}

static gboolean
parse_plug_direct(NcNetworkPortDef *def, xmlNodePtr plug, GError **error)
{
  g_autofree char *mode = get_prop(plug, "mode");

  if (!(def->plug_direct.linkdev = get_prop(plug, "dev"))) {
    port_error(error, NC_ERROR_XML_ERROR, def, plug,
               "<plug type='direct'>: missing dev= (the link device of the macvtap)");
    return FALSE;
  }
  if (mode) {
    int m = nc_macvlan_mode_from_string(mode);

    if (m < 0) {
      g_autofree char *q = nc_name_escape(mode);
      port_error(error, NC_ERROR_XML_ERROR, def, plug,
                 "<plug>: invalid mode='%s' (expected vepa, private, bridge or passthrough)", q);
      return FALSE;
    }
    def->plug_direct.mode = m;
  }
  return TRUE;
}

static gboolean
parse_plug_hostdev_pci(NcNetworkPortDef *def, xmlNodePtr plug, GError **error)
{
  xmlNodePtr driver_node = first_child(plug, "driver");
  xmlNodePtr address = first_child(plug, "address");
  g_autofree char *driver = get_prop(driver_node, "name");

  if (!nc_netdev_prop_tristate(plug, "managed", def->source_file, NULL,
                               &def->plug_hostdev_pci.managed, error))
    return FALSE;
  /* libvirt reads the name with XPath, where an empty value is no value. */
  if (driver && *driver) {
    int d = nc_forward_driver_name_from_string(driver);

    if (d <= NC_FORWARD_DRIVER_DEFAULT) {
      g_autofree char *q = nc_name_escape(driver);
      port_error(error, NC_ERROR_XML_ERROR, def, driver_node,
                 "<driver>: invalid name='%s' (expected 'kvm' or 'vfio')", q);
      return FALSE;
    }
    def->plug_hostdev_pci.driver = d;
  }
  if (!address) {
    port_error(error, NC_ERROR_XML_ERROR, def, plug,
               "<plug type='hostdev-pci'>: missing <address> (the PCI address of the device)");
    return FALSE;
  }
  return parse_pci_address(def, address, &def->plug_hostdev_pci.addr, error);
}

static gboolean
parse_plug(NcNetworkPortDef *def, xmlNodePtr root, GError **error)
{
  xmlNodePtr plug = first_child(root, "plug");
  g_autofree char *type = get_prop(plug, "type");

  if (!plug)
    return TRUE;
  def->plug_line = node_line(plug);
  if (type) {
    int t = nc_port_plug_type_from_string(type);

    if (t < 0) {
      g_autofree char *q = nc_name_escape(type);
      port_error(error, NC_ERROR_XML_ERROR, def, plug,
                 "<plug>: unknown type='%s' (expected none, network, bridge, direct or "
                 "hostdev-pci)",
                 q);
      return FALSE;
    }
    def->plug_type = t;
  }

  switch (def->plug_type) {
  case NC_PORT_PLUG_NONE:
    return TRUE;
  case NC_PORT_PLUG_NETWORK:
  case NC_PORT_PLUG_BRIDGE:
    return parse_plug_bridge(def, plug, error);
  case NC_PORT_PLUG_DIRECT:
    return parse_plug_direct(def, plug, error);
  case NC_PORT_PLUG_HOSTDEV_PCI:
    return parse_plug_hostdev_pci(def, plug, error);
  case _NC_PORT_PLUG_MAX:
    break;
  }
  g_assert_not_reached();
}

NcNetworkPortDef *
nc_network_port_def_parse_node(xmlDocPtr doc, xmlNodePtr root, const char *filename, GError **error)
{
  g_autoptr(NcNetworkPortDef) def = nc_network_port_def_new();

  def->source_file = g_strdup(filename);
  if (!root || root->type != XML_ELEMENT_NODE
      || !g_str_equal((const char *)root->name, "networkport")) {
    port_error(error, NC_ERROR_XML_ERROR, def, root,
               "unknown root element <%s> for a network port (expected <networkport>)",
               root ? (const char *)root->name : "");
    return NULL;
  }
  if (!parse_identity(def, root, error) || !parse_netdev(def, root, error)
      || !parse_plug(def, root, error) || !nc_network_port_def_check(def, error))
    return NULL;
  return g_steal_pointer(&def);
}

NcNetworkPortDef *
nc_network_port_def_parse_string(const char *xml, const char *filename, guint flags, GError **error)
{
  xmlDocPtr doc = nc_xml_read(xml, xml ? strlen(xml) : 0, filename, error);
  NcNetworkPortDef *def = NULL;

  if (!doc)
    return NULL;
  if (!(flags & NC_NETWORK_PORT_PARSE_VALIDATE_SCHEMA)
      || nc_schema_validate(doc, "networkport.rng", filename, error))
    def = nc_network_port_def_parse_node(doc, xmlDocGetRootElement(doc), filename, error);
  xmlFreeDoc(doc);
  return def;
}

NcNetworkPortDef *
nc_network_port_def_parse_file(const char *path, guint flags, GError **error)
{
  g_autofree char *xml = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents(path, &xml, NULL, &local)) {
    g_set_error(error, NC_ERROR, NC_ERROR_READ_FAILED, "cannot read network port file: %s",
                local->message);
    return NULL;
  }
  return nc_network_port_def_parse_string(xml, path, flags, error);
}
