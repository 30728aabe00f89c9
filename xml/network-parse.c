/* Network XML -> model. The pipeline is
 *   nc_xml_read -> [RelaxNG schema] -> model from the DOM -> [semantic checks]
 * The model step raises what libvirt's virNetworkDefParseXML rejects at parse
 * time (malformed values, missing attributes, unknown enum values); like
 * libvirt it ignores unknown elements, which the schema rejects when asked. */
#include "network-netctl-ns.h"
#include "network-parse-priv.h"

#include <string.h>

#define DNSMASQ_NS "http://libvirt.org/schemas/network/dnsmasq/1.0"

/* libvirt's virXMLNodeSanitizeNamespaces: keep only namespaced children of
 * <metadata>, and only the first child per namespace. */
static void
sanitize_metadata(xmlNodePtr metadata)
{
  xmlNodePtr child = metadata->children;

  while (child) {
    xmlNodePtr next = child->next;

    if (child->type != XML_ELEMENT_NODE || !child->ns || !child->ns->href) {
      xmlUnlinkNode(child);
      xmlFreeNode(child);
      child = next;
      continue;
    }
    for (xmlNodePtr other = child->next; other;) {
      xmlNodePtr after = other->next;
      if (other->ns && other->ns->href && xmlStrEqual(other->ns->href, child->ns->href)) {
        xmlUnlinkNode(other);
        xmlFreeNode(other);
      }
      other = after;
    }
    child = child->next;
  }
}

/* A namespace name with a control character cannot be written back (libxml2
 * prints it raw, and a newline would read back as a space): refuse it. No
 * real namespace URI has one. */
static xmlNodePtr
find_bad_namespace(xmlNodePtr node)
{
  for (; node; node = node->next) {
    if (node->type != XML_ELEMENT_NODE)
      continue;
    for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next)
      for (const xmlChar *p = ns->href; p && *p; p++)
        if (*p < 0x20)
          return node;
    xmlNodePtr bad = find_bad_namespace(node->children);
    if (bad)
      return bad;
  }
  return NULL;
}

static gboolean
parse_dnsmasq_options(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def)
{
  for (xmlNodePtr opts = root->children; opts; opts = opts->next) {
    if (opts->type != XML_ELEMENT_NODE || !opts->ns
        || !xmlStrEqual(opts->ns->href, BAD_CAST DNSMASQ_NS)
        || !xmlStrEqual(opts->name, BAD_CAST "options"))
      continue;
    for (xmlNodePtr opt = opts->children; opt; opt = opt->next) {
      char *value;

      if (opt->type != XML_ELEMENT_NODE || !opt->ns
          || !xmlStrEqual(opt->ns->href, BAD_CAST DNSMASQ_NS)
          || !xmlStrEqual(opt->name, BAD_CAST "option"))
        continue;
      if (!(value = nc_parse_prop(opt, "value")))
        return nc_parse_fail(ctx, opt, NC_ERROR_XML_ERROR,
                             "<dnsmasq:option>: missing required attribute 'value'");
      g_ptr_array_add(def->dnsmasq_options, value);
    }
  }
  return TRUE;
}

static gboolean
parse_identity(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def)
{
  xmlNodePtr name_node = nc_parse_child(root, "name");
  xmlNodePtr uuid_node = nc_parse_child(root, "uuid");
  xmlNodePtr title_node = nc_parse_child(root, "title");
  g_autofree char *uuid = NULL;
  g_autofree char *ipv6 = NULL;

  def->name = nc_parse_content(name_node);
  if (!def->name || !*def->name)
    return nc_parse_fail(ctx, name_node ? name_node : root, NC_ERROR_XML_ERROR,
                         "<network>: missing network name: a <name> element is required");
  if (strchr(def->name, '/'))
    return nc_parse_fail(ctx, name_node, NC_ERROR_XML_DETAIL,
                         "<name>: invalid character '/' in network name '%s'",
                         nc_parse_q(ctx, def->name));
  ctx->name = nc_parse_q(ctx, def->name);

  uuid = nc_parse_content(uuid_node);
  if (uuid && *uuid) {
    if (!nc_uuid_parse(uuid, def->uuid))
      return nc_parse_fail(ctx, uuid_node, NC_ERROR_XML_ERROR, "<uuid>: malformed uuid '%s'",
                           nc_parse_q(ctx, uuid));
    def->has_uuid = TRUE;
  }

  def->title = nc_parse_content(title_node);
  if (def->title && !*def->title)
    g_clear_pointer(&def->title, g_free);
  if (def->title && strchr(def->title, '\n'))
    return nc_parse_fail(ctx, title_node, NC_ERROR_XML_ERROR,
                         "<title>: the network title cannot contain newlines");
  def->description = nc_parse_content(nc_parse_child(root, "description"));
  if (def->description && !*def->description)
    g_clear_pointer(&def->description, g_free);

  if ((ipv6 = nc_parse_prop_nonempty(root, "ipv6"))) {
    if (strcmp(ipv6, "yes") == 0)
      def->ipv6 = NC_TRISTATE_YES;
    else if (strcmp(ipv6, "no") == 0)
      def->ipv6 = NC_TRISTATE_NO;
    else
      return nc_parse_fail(ctx, root, NC_ERROR_XML_ERROR,
                           "<network>: invalid ipv6 setting '%s': expected 'yes' or 'no'",
                           nc_parse_q(ctx, ipv6));
  }
  return nc_parse_tristate_attr(ctx, root, "trustGuestRxFilters", &def->trust_guest_rx_filters);
}

static gboolean
parse_domain(NcParseCtx *ctx, xmlNodePtr node, NcNetworkDef *def)
{
  NcDomain *domain = nc_domain_new();

  domain->line = nc_parse_line(node);
  domain->name = nc_parse_prop(node, "name");
  if (!nc_parse_tristate_attr(ctx, node, "localOnly", &domain->local_only)
      || !nc_parse_tristate_attr(ctx, node, "register", &domain->register_)) {
    nc_domain_free(domain);
    return FALSE;
  }
  /* libvirt keeps nothing of a <domain> without a name. */
  if (domain->name)
    def->domain = domain;
  else
    nc_domain_free(domain);
  return TRUE;
}

static gboolean
parse_bridge(NcParseCtx *ctx, xmlNodePtr node, NcBridge *bridge)
{
  g_autofree char *stp = nc_parse_prop_nonempty(node, "stp");
  g_autofree char *delay = nc_parse_prop_nonempty(node, "delay");
  g_autofree char *mtm = nc_parse_prop_nonempty(node, "macTableManager");

  bridge->has_element = TRUE;
  bridge->line = nc_parse_line(node);
  bridge->name = nc_parse_prop_nonempty(node, "name");
  bridge->zone = nc_parse_prop_nonempty(node, "zone");

  if (stp) {
    int s = nc_switch_from_string(stp);
    if (s <= 0)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<bridge>: invalid stp value '%s': expected 'on' or 'off'",
                           nc_parse_q(ctx, stp));
    bridge->stp = (NcSwitch)s;
  }
  if (delay) {
    guint64 d;
    if (!nc_parse_uint_str(delay, 10, G_MAXUINT, &d))
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<bridge>: invalid delay value '%s': expected seconds as a "
                           "non-negative integer",
                           nc_parse_q(ctx, delay));
    bridge->has_delay = TRUE;
    bridge->delay = (guint)d;
  }
  if (mtm) {
    int m = nc_mac_table_manager_from_string(mtm);
    if (m <= 0)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<bridge>: invalid macTableManager setting '%s': expected kernel or "
                           "libvirt",
                           nc_parse_q(ctx, mtm));
    bridge->mac_table_manager = (NcMacTableManager)m;
  }
  return TRUE;
}

static gboolean
parse_mac_mtu(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def)
{
  xmlNodePtr mac_node = nc_parse_child(root, "mac");
  xmlNodePtr mtu_node = nc_parse_child(root, "mtu");
  g_autofree char *mac = nc_parse_prop_nonempty(mac_node, "address");
  g_autofree char *mtu = nc_parse_prop_nonempty(mtu_node, "size");

  if (mac) {
    def->mac_line = nc_parse_line(mac_node);
    if (!nc_mac_parse(mac, &def->mac))
      return nc_parse_fail(ctx, mac_node, NC_ERROR_XML_ERROR,
                           "<mac>: invalid bridge MAC address '%s'", nc_parse_q(ctx, mac));
    if (nc_mac_is_multicast(&def->mac))
      return nc_parse_fail(ctx, mac_node, NC_ERROR_XML_ERROR,
                           "<mac>: invalid multicast bridge MAC address '%s'",
                           nc_parse_q(ctx, mac));
    def->has_mac = TRUE;
  }
  if (mtu) {
    guint64 size;
    def->mtu_line = nc_parse_line(mtu_node);
    if (!nc_parse_uint_str(mtu, 10, G_MAXUINT, &size))
      return nc_parse_fail(ctx, mtu_node, NC_ERROR_XML_ERROR, "<mtu>: invalid mtu size '%s'",
                           nc_parse_q(ctx, mtu));
    /* libvirt treats size='0' as unset */
    def->has_mtu = size > 0;
    def->mtu = (guint)size;
  }
  return TRUE;
}

gboolean
nc_parse_portgroup(NcParseCtx *ctx, xmlNodePtr node, NcPortGroup **ret_pg)
{
  g_autoptr(NcPortGroup) pg = g_new0(NcPortGroup, 1);
  g_autofree char *is_default = nc_parse_prop_nonempty(node, "default");
  xmlNodePtr vp, bw, vlan;

  pg->line = nc_parse_line(node);
  if (!(pg->name = nc_parse_prop_nonempty(node, "name")))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<portgroup>: missing required attribute 'name'");
  pg->is_default = is_default && g_ascii_strcasecmp(is_default, "yes") == 0;
  if (!nc_parse_tristate_attr(ctx, node, "trustGuestRxFilters", &pg->trust_guest_rx_filters))
    return FALSE;
  if ((vp = nc_parse_child(node, "virtualport"))
      && !nc_virtualport_parse(vp, 0, ctx->filename, ctx->name, &pg->virtualport, ctx->error))
    return FALSE;
  if ((bw = nc_parse_child(node, "bandwidth"))
      && !nc_bandwidth_parse(bw, 0, ctx->filename, ctx->name, &pg->bandwidth, ctx->error))
    return FALSE;
  if ((vlan = nc_parse_child(node, "vlan"))
      && !nc_vlan_parse(vlan, ctx->filename, ctx->name, &pg->vlan, ctx->error))
    return FALSE;
  *ret_pg = g_steal_pointer(&pg);
  return TRUE;
}

/* <portgroup>, <ip> and <route>, each in document order. */
static gboolean
parse_lists(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def)
{
  g_autoptr(GPtrArray) pgs = nc_parse_children(root, "portgroup");
  g_autoptr(GPtrArray) ips = nc_parse_children(root, "ip");
  g_autoptr(GPtrArray) routes = nc_parse_children(root, "route");

  for (guint i = 0; i < pgs->len; i++) {
    NcPortGroup *pg = NULL;
    if (!nc_parse_portgroup(ctx, g_ptr_array_index(pgs, i), &pg))
      return FALSE;
    g_ptr_array_add(def->portgroups, pg);
  }
  for (guint i = 0; i < ips->len; i++) {
    NcIpDef *ip = NULL;
    if (!nc_parse_ip(ctx, g_ptr_array_index(ips, i), &ip))
      return FALSE;
    g_ptr_array_add(def->ips, ip);
  }
  for (guint i = 0; i < routes->len; i++) {
    NcRouteDef *route = NULL;
    if (!nc_parse_route(ctx, g_ptr_array_index(routes, i), &route))
      return FALSE;
    g_ptr_array_add(def->routes, route);
  }
  return TRUE;
}

NcNetworkDef *
nc_network_def_parse_node(xmlDocPtr doc, xmlNodePtr root, const char *filename, GError **error)
{
  g_autoptr(NcNetworkDef) def = nc_network_def_new();
  g_auto(NcParseCtx) ctx = { .filename = filename, .name = NULL, .error = error };
  xmlNodePtr node;

  if (!root || root->type != XML_ELEMENT_NODE || root->ns
      || !xmlStrEqual(root->name, BAD_CAST "network")) {
    nc_parse_fail(&ctx, root, NC_ERROR_XML_ERROR, "expecting root element <network>, not <%s>",
                  root ? (const char *)root->name : "");
    return NULL;
  }
  def->source_file = g_strdup(filename);

  /* Same order as libvirt, so the first error reported is the same one. */
  if (!parse_identity(&ctx, root, def))
    return NULL;
  if ((node = nc_parse_child(root, "domain")) && !parse_domain(&ctx, node, def))
    return NULL;
  if ((node = nc_parse_child(root, "bandwidth"))
      && !nc_bandwidth_parse(node, 0, filename, ctx.name, &def->bandwidth, error))
    return NULL;
  if ((node = nc_parse_child(root, "vlan"))) {
    def->vlan_line = nc_parse_line(node);
    if (!nc_vlan_parse(node, filename, ctx.name, &def->vlan, error))
      return NULL;
  }
  if ((node = nc_parse_child(root, "port"))) {
    def->port_line = nc_parse_line(node);
    if (!nc_port_options_parse(node, filename, ctx.name, &def->port_isolated, error))
      return NULL;
  }
  if ((node = nc_parse_child(root, "bridge")) && !parse_bridge(&ctx, node, &def->bridge))
    return NULL;
  if (!parse_mac_mtu(&ctx, root, def))
    return NULL;
  if ((node = nc_parse_child(root, "dns")) && !nc_parse_dns(&ctx, node, &def->dns))
    return NULL;
  if ((node = nc_parse_child(root, "virtualport"))
      && !nc_virtualport_parse(node, NC_VIRTUALPORT_PARSE_REQUIRE_TYPE, filename, ctx.name,
                               &def->virtualport, error))
    return NULL;
  if (!parse_lists(&ctx, root, def))
    return NULL;
  if ((node = nc_parse_child(root, "forward")) && !nc_parse_forward(&ctx, node, &def->forward))
    return NULL;

  if ((node = nc_parse_child(root, "metadata"))) {
    xmlNodePtr bad = find_bad_namespace(node->children);
    if (bad)
      return (nc_parse_fail(&ctx, bad, NC_ERROR_XML_ERROR,
                            "<metadata>: namespace name of <%s> contains a control character",
                            (const char *)bad->name),
              NULL);
    def->metadata = nc_network_def_metadata_copy(node);
    if (def->metadata)
      sanitize_metadata(def->metadata);
  }
  if (!parse_dnsmasq_options(&ctx, root, def))
    return NULL;
  if (!nc_netctl_ext_parse(&ctx, root, def))
    return NULL;

  (void)doc;
  return g_steal_pointer(&def);
}

NcNetworkDef *
nc_network_def_parse_string(const char *xml, const char *filename, guint flags, GError **error)
{
  g_autoptr(NcNetworkDef) def = NULL;
  xmlDocPtr doc;

  if (!(doc = nc_xml_read(xml, xml ? strlen(xml) : 0, filename, error)))
    return NULL;
  if (!(flags & NC_NETWORK_PARSE_VALIDATE_SCHEMA)
      || nc_schema_validate(doc, "network.rng", filename, error))
    def = nc_network_def_parse_node(doc, xmlDocGetRootElement(doc), filename, error);
  xmlFreeDoc(doc);
  if (!def)
    return NULL;
  if ((flags & NC_NETWORK_PARSE_CHECK) && !nc_network_def_check(def, error))
    return NULL;
  return g_steal_pointer(&def);
}

NcNetworkDef *
nc_network_def_parse_file(const char *path, guint flags, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents(path, &contents, NULL, &local)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPEN_FAILED, "%s: cannot read network XML: %s", path,
                local->message);
    return NULL;
  }
  return nc_network_def_parse_string(contents, path, flags, error);
}
