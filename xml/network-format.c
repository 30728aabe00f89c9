/* nc_network_def_format(): the model back to XML, byte for byte what
 * libvirt's virNetworkDefFormatBuf prints (libvirt 9.6 layout, plus the
 * <title>, <description>, <domain register=> and <driver model=> of newer
 * releases). Element and attribute order, single quotes, two-space indent and
 * the few quirks (an <ip> always has an end tag, stp/delay are always written
 * for the bridge-owning modes) all matter: libvirt's tests and tools compare
 * this text byte for byte.
 *
 * <ip> and <route> are in network-format-ip.c, <domain> and <dns> in
 * network-format-dns.c; <bandwidth>, <vlan>,
 * <virtualport> and <port> come from netdev-format.c, shared with ports. */
#include "network-xml.h"
#include "network-format-priv.h"
#include "network-kind.h"
#include "network-netctl-ns.h"
#include "netdev-format.h"

#include <string.h>

#include <libxml/tree.h>

#define DNSMASQ_NS_PREFIX "dnsmasq"
#define DNSMASQ_NS_URI "http://libvirt.org/schemas/network/dnsmasq/1.0"

/* -- shared helpers ------------------------------------------------------- */

static char *
escape(const char *str, gboolean attr)
{
  GString *out = g_string_sized_new(strlen(str) + 16);

  for (const char *p = str; *p; p++) {
    unsigned char c = (unsigned char)*p;

    switch (c) {
    case '<':
      g_string_append(out, "&lt;");
      break;
    case '>':
      g_string_append(out, "&gt;");
      break;
    case '&':
      g_string_append(out, "&amp;");
      break;
    case '"':
      g_string_append(out, "&quot;");
      break;
    case '\'':
      g_string_append(out, "&apos;");
      break;
    case '\r':
      /* a parser turns a raw CR into LF, in text and attributes alike */
      g_string_append(out, "&#13;");
      break;
    case '\n':
    case '\t':
      /* a parser turns raw ones in attribute values into spaces */
      if (attr)
        g_string_append_printf(out, "&#%u;", c);
      else
        g_string_append_c(out, (char)c);
      break;
    default:
      /* XML 1.0 has no way to write these; libvirt drops them too. */
      if (c < 0x20)
        break;
      g_string_append_c(out, (char)c);
      break;
    }
  }
  return g_string_free(out, FALSE);
}

char *
nc_format_escape(const char *str)
{
  return escape(str, FALSE);
}

char *
nc_format_escape_attr(const char *str)
{
  return escape(str, TRUE);
}

void
nc_format_indent(GString *buf, guint indent)
{
  for (guint i = 0; i < indent; i++)
    g_string_append_c(buf, ' ');
}

void
nc_format_attr(GString *buf, const char *name, const char *value)
{
  g_autofree char *escaped = NULL;

  if (!value)
    return;
  escaped = nc_format_escape_attr(value);
  g_string_append_printf(buf, " %s='%s'", name, escaped);
}

void
nc_format_addr_attr(GString *buf, const char *name, const NcSockAddr *addr)
{
  g_autofree char *str = nc_sockaddr_format(addr);

  if (str)
    g_string_append_printf(buf, " %s='%s'", name, str);
}

void
nc_format_text_element(GString *buf, const char *name, const char *text, guint indent)
{
  g_autofree char *escaped = NULL;

  if (!text)
    return;
  escaped = nc_format_escape(text);
  nc_format_indent(buf, indent);
  g_string_append_printf(buf, "<%s>%s</%s>\n", name, escaped, name);
}

/* -- <metadata> ------------------------------------------------------------ */

/* libvirt parses with blanks dropped and lets libxml2 re-indent <metadata>.
 * libxml2 only indents elements whose children hold no text, and whether its
 * parser keeps a blank text node in mixed content depends on its
 * neighbours; so every whitespace-only text node beside an element is
 * removed, which makes the output the same whichever way it was read. */
static void
strip_formatting_blanks(xmlNodePtr node)
{
  gboolean has_element = FALSE;

  for (xmlNodePtr child = node->children; child; child = child->next)
    if (child->type == XML_ELEMENT_NODE)
      has_element = TRUE;

  xmlNodePtr child = node->children;
  while (child) {
    xmlNodePtr next = child->next;

    if (child->type == XML_TEXT_NODE && has_element && xmlIsBlankNode(child)) {
      xmlUnlinkNode(child);
      xmlFreeNode(child);
    } else if (child->type == XML_ELEMENT_NODE) {
      strip_formatting_blanks(child);
    }
    child = next;
  }
}

/* Serialised like libvirt's virXMLFormatMetadata: libxml2's xmlNodeDump with
 * indentation, so the children keep their own namespace declarations and
 * double quotes. */
static void
format_metadata(GString *buf, xmlNodePtr metadata, guint indent)
{
  xmlDocPtr doc;
  xmlNodePtr copy;
  xmlBufferPtr xbuf;
  int old_indent_output;
  const char *content;

  /* libvirt keeps <metadata> only when it has an element inside. */
  if (!metadata || !xmlFirstElementChild(metadata))
    return;

  /* Work on a private copy: the model is const and may share a document. */
  doc = xmlNewDoc(BAD_CAST "1.0");
  copy = xmlDocCopyNode(metadata, doc, 1);
  if (!copy) {
    xmlFreeDoc(doc);
    return;
  }
  xmlDocSetRootElement(doc, copy);
  strip_formatting_blanks(copy);

  xbuf = xmlBufferCreate();
  /* Thread-local in libxml2; restored right after, as libvirt does. */
  old_indent_output = xmlIndentTreeOutput;
  xmlIndentTreeOutput = 1;
  if (xmlNodeDump(xbuf, doc, copy, (int)(indent / 2), 1) >= 0) {
    content = (const char *)xmlBufferContent(xbuf);
    /* Newer libxml2 indents the first line as well; we indent it ourselves. */
    while (*content == ' ')
      content++;
    nc_format_indent(buf, indent);
    g_string_append(buf, content);
    g_string_append_c(buf, '\n');
  }
  xmlIndentTreeOutput = old_indent_output;
  xmlBufferFree(xbuf);
  xmlFreeDoc(doc);
}

/* -- <forward> ------------------------------------------------------------- */

static void
format_nat(GString *buf, const NcForward *fwd, guint indent)
{
  gboolean has_addr
      = nc_sockaddr_is_set(&fwd->nat_addr_start) || nc_sockaddr_is_set(&fwd->nat_addr_end);
  gboolean has_port = fwd->nat_port_start || fwd->nat_port_end;

  if (!has_addr && !has_port && fwd->nat_ipv6 == NC_TRISTATE_ABSENT)
    return;

  nc_format_indent(buf, indent);
  g_string_append(buf, "<nat");
  nc_format_attr(buf, "ipv6", nc_tristate_to_string(fwd->nat_ipv6));
  if (!has_addr && !has_port) {
    g_string_append(buf, "/>\n");
    return;
  }
  g_string_append(buf, ">\n");

  /* As libvirt: an end address is only written together with a start. */
  if (nc_sockaddr_is_set(&fwd->nat_addr_start)) {
    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<address");
    nc_format_addr_attr(buf, "start", &fwd->nat_addr_start);
    nc_format_addr_attr(buf, "end", &fwd->nat_addr_end);
    g_string_append(buf, "/>\n");
  }
  if (has_port) {
    nc_format_indent(buf, indent + 2);
    g_string_append_printf(buf, "<port start='%u'", fwd->nat_port_start);
    if (fwd->nat_port_end)
      g_string_append_printf(buf, " end='%u'", fwd->nat_port_end);
    g_string_append(buf, "/>\n");
  }

  nc_format_indent(buf, indent);
  g_string_append(buf, "</nat>\n");
}

/* libvirt's virPCIDeviceAddressFormat, function in its odd '0x%d' form. */
static void
format_pci_addr(GString *buf, const NcPciAddr *addr, guint indent)
{
  nc_format_indent(buf, indent);
  g_string_append_printf(buf,
                         "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                         "function='0x%u'/>\n",
                         addr->domain, addr->bus, addr->slot, addr->function);
}

static void
format_forward_interface(GString *buf, const char *dev, guint connections, guint flags,
                         guint indent)
{
  nc_format_indent(buf, indent);
  g_string_append(buf, "<interface");
  nc_format_attr(buf, "dev", dev);
  if (!(flags & NC_NETWORK_FORMAT_INACTIVE) && connections > 0)
    g_string_append_printf(buf, " connections='%u'", connections);
  g_string_append(buf, "/>\n");
}

static void
format_forward(GString *buf, const NcForward *fwd, guint flags, guint indent)
{
  guint n_ifs = nc_format_len(fwd->ifs);
  guint n_addrs = nc_format_len(fwd->addrs);
  const char *dev = NULL;
  /* libvirt turns <forward dev='X'> without <interface> children into one
   * <interface dev='X'/>; the model may keep it only as forward.dev. */
  gboolean dev_as_interface = FALSE;
  gboolean short_form;

  if (fwd->mode == NC_FORWARD_NONE)
    return;

  if (!fwd->pf) {
    if (n_ifs > 0)
      dev = ((const NcForwardIf *)g_ptr_array_index(fwd->ifs, 0))->dev;
    else if (fwd->dev && n_addrs == 0) {
      dev = fwd->dev;
      dev_as_interface = TRUE;
    }
  }

  nc_format_indent(buf, indent);
  g_string_append(buf, "<forward");
  nc_format_attr(buf, "dev", dev);
  nc_format_attr(buf, "mode", nc_forward_mode_to_string(fwd->mode));
  if (fwd->mode == NC_FORWARD_HOSTDEV)
    nc_format_attr(buf, "managed", fwd->managed == NC_TRISTATE_YES ? "yes" : "no");

  /* libvirt's list leaves out <driver model=> alone, which would print an
   * open element with a child; we count it so the output stays well formed. */
  short_form = !(n_ifs || n_addrs || dev_as_interface || fwd->pf
                 || nc_sockaddr_is_set(&fwd->nat_addr_start)
                 || nc_sockaddr_is_set(&fwd->nat_addr_end) || fwd->nat_port_start
                 || fwd->nat_port_end || fwd->driver_name != NC_FORWARD_DRIVER_DEFAULT
                 || fwd->driver_model || fwd->nat_ipv6 != NC_TRISTATE_ABSENT);
  if (short_form) {
    g_string_append(buf, "/>\n");
    return;
  }
  g_string_append(buf, ">\n");

  if (fwd->driver_name != NC_FORWARD_DRIVER_DEFAULT || fwd->driver_model) {
    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<driver");
    nc_format_attr(buf, "name", nc_forward_driver_name_to_string(fwd->driver_name));
    nc_format_attr(buf, "model", fwd->driver_model);
    g_string_append(buf, "/>\n");
  }

  if (fwd->mode == NC_FORWARD_NAT)
    format_nat(buf, fwd, indent + 2);

  if (fwd->pf) {
    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<pf");
    nc_format_attr(buf, "dev", fwd->pf->dev);
    g_string_append(buf, "/>\n");
  }

  /* With a <pf>, the interfaces are the VFs found at start-up: live data. */
  if (!fwd->pf || !(flags & NC_NETWORK_FORMAT_INACTIVE)) {
    for (guint i = 0; i < n_ifs; i++) {
      const NcForwardIf *fi = g_ptr_array_index(fwd->ifs, i);

      format_forward_interface(buf, fi->dev, fi->connections, flags, indent + 2);
    }
    if (dev_as_interface)
      format_forward_interface(buf, fwd->dev, 0, flags, indent + 2);
    for (guint i = 0; i < n_addrs; i++)
      format_pci_addr(buf, g_ptr_array_index(fwd->addrs, i), indent + 2);
  }

  nc_format_indent(buf, indent);
  g_string_append(buf, "</forward>\n");
}

/* -- <bridge> ---------------------------------------------------------------- */

static void
format_bridge(GString *buf, const NcNetworkDef *def, guint indent)
{
  const NcBridge *br = &def->bridge;
  /* the kind's trait: an OVN network (forward mode none) has no bridge */
  gboolean owned = nc_network_def_traits(def)->own_bridge;

  if (!owned && !br->name && br->mac_table_manager == NC_MAC_TABLE_MANAGER_DEFAULT)
    return;

  nc_format_indent(buf, indent);
  g_string_append(buf, "<bridge");
  nc_format_attr(buf, "name", br->name);
  nc_format_attr(buf, "zone", br->zone);
  /* libvirt's defaults (stp on, delay 0) are written out for the modes where
   * it creates the bridge itself. */
  if (owned)
    g_string_append_printf(buf, " stp='%s' delay='%u'", br->stp == NC_SWITCH_OFF ? "off" : "on",
                           br->has_delay ? br->delay : 0);
  nc_format_attr(buf, "macTableManager", nc_mac_table_manager_to_string(br->mac_table_manager));
  g_string_append(buf, "/>\n");
}

/* -- <portgroup>, dnsmasq options ------------------------------------------ */

static void
format_portgroup(GString *buf, const NcPortGroup *pg, guint indent)
{
  nc_format_indent(buf, indent);
  g_string_append(buf, "<portgroup");
  nc_format_attr(buf, "name", pg->name);
  if (pg->is_default)
    g_string_append(buf, " default='yes'");
  nc_format_attr(buf, "trustGuestRxFilters", nc_tristate_to_string(pg->trust_guest_rx_filters));
  g_string_append(buf, ">\n");
  nc_vlan_format(buf, pg->vlan, indent + 2);
  nc_virtualport_format(buf, pg->virtualport, indent + 2);
  nc_bandwidth_format(buf, pg->bandwidth, indent + 2);
  nc_format_indent(buf, indent);
  g_string_append(buf, "</portgroup>\n");
}

static void
format_dnsmasq_options(GString *buf, const GPtrArray *options, guint indent)
{
  if (nc_format_len(options) == 0)
    return;
  nc_format_indent(buf, indent);
  g_string_append(buf, "<" DNSMASQ_NS_PREFIX ":options>\n");
  for (guint i = 0; i < options->len; i++) {
    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<" DNSMASQ_NS_PREFIX ":option");
    nc_format_attr(buf, "value", g_ptr_array_index(options, i));
    g_string_append(buf, "/>\n");
  }
  nc_format_indent(buf, indent);
  g_string_append(buf, "</" DNSMASQ_NS_PREFIX ":options>\n");
}

/* -- <network> ------------------------------------------------------------- */

static void
format_network_start(GString *buf, const NcNetworkDef *def, guint flags)
{
  g_string_append(buf, "<network");
  /* The namespace is declared only when it is used. */
  if (nc_format_len(def->dnsmasq_options) > 0)
    g_string_append(buf, " xmlns:" DNSMASQ_NS_PREFIX "='" DNSMASQ_NS_URI "'");
  if (nc_netctl_ext_used(def->netctl))
    g_string_append(buf, " xmlns:" NC_NETCTL_NS_PREFIX "='" NC_NETCTL_NS_URI "'");
  if (!(flags & NC_NETWORK_FORMAT_INACTIVE) && def->connections > 0)
    g_string_append_printf(buf, " connections='%u'", def->connections);
  /* libvirt stores ipv6= as a boolean: 'no' is the default and not written. */
  if (def->ipv6 == NC_TRISTATE_YES)
    g_string_append(buf, " ipv6='yes'");
  nc_format_attr(buf, "trustGuestRxFilters", nc_tristate_to_string(def->trust_guest_rx_filters));
  g_string_append(buf, ">\n");
}

char *
nc_network_def_format(const NcNetworkDef *def, guint flags)
{
  GString *buf = g_string_sized_new(1024);
  const guint in = 2;

  format_network_start(buf, def, flags);

  nc_format_text_element(buf, "name", def->name, in);
  if (def->has_uuid) {
    char uuid[NC_UUID_STRING_LEN];

    nc_uuid_format(def->uuid, uuid);
    nc_format_text_element(buf, "uuid", uuid, in);
  }
  nc_format_text_element(buf, "title", def->title, in);
  nc_format_text_element(buf, "description", def->description, in);
  format_metadata(buf, def->metadata, in);

  format_forward(buf, &def->forward, flags, in);
  format_bridge(buf, def, in);
  if (def->has_mtu && def->mtu > 0) {
    nc_format_indent(buf, in);
    g_string_append_printf(buf, "<mtu size='%u'/>\n", def->mtu);
  }
  if (def->has_mac) {
    char mac[18];

    nc_mac_format(&def->mac, mac);
    nc_format_indent(buf, in);
    g_string_append_printf(buf, "<mac address='%s'/>\n", mac);
  }
  nc_format_domain(buf, def->domain, in);
  nc_format_dns(buf, &def->dns, in);
  nc_vlan_format(buf, def->vlan, in);
  nc_bandwidth_format(buf, def->bandwidth, in);
  nc_port_options_format(buf, def->port_isolated, in);

  for (guint i = 0; i < nc_format_len(def->ips); i++)
    nc_format_ip(buf, g_ptr_array_index(def->ips, i), in);
  for (guint i = 0; i < nc_format_len(def->routes); i++)
    nc_format_route(buf, g_ptr_array_index(def->routes, i), in);
  nc_virtualport_format(buf, def->virtualport, in);
  for (guint i = 0; i < nc_format_len(def->portgroups); i++)
    format_portgroup(buf, g_ptr_array_index(def->portgroups, i), in);
  format_dnsmasq_options(buf, def->dnsmasq_options, in);
  nc_netctl_ext_format(buf, def->netctl, in);

  g_string_append(buf, "</network>\n");
  return g_string_free(buf, FALSE);
}
