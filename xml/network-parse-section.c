/* net-update snippets (libvirt's virNetworkDefUpdateSection): one element, as
 * a string, parsed with the same rules as inside a full <network>. Finding,
 * adding or replacing the entry in a definition is the caller's job. */
#include "network-parse-priv.h"

#include <string.h>

/* Reads the snippet and checks its element name, as
 * virNetworkDefUpdateCheckElementName does. Caller frees the document. */
static xmlDocPtr
read_snippet(const char *xml, const char *element, const char *network_name, GError **error,
             xmlNodePtr *ret_root)
{
  xmlDocPtr doc = nc_xml_read(xml, xml ? strlen(xml) : 0, NULL, error);
  xmlNodePtr root;

  if (!doc)
    return NULL;
  root = xmlDocGetRootElement(doc);
  if (root->ns || !xmlStrEqual(root->name, BAD_CAST element)) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, NULL, (guint)MAX(xmlGetLineNo(root), 0),
                     network_name, "unexpected element <%s>, expecting <%s>", root->name, element);
    xmlFreeDoc(doc);
    return NULL;
  }
  *ret_root = root;
  return doc;
}

#define SNIPPET_BEGIN(element)                                                                     \
  g_auto(NcParseCtx) ctx = { .filename = NULL, .name = network_name, .error = error };             \
  xmlNodePtr root = NULL;                                                                          \
  xmlDocPtr doc = read_snippet(xml, element, network_name, error, &root);                          \
  gboolean ok;                                                                                     \
  if (!doc)                                                                                        \
    return FALSE;

gboolean
nc_network_section_parse_dhcp_host(const char *xml, const NcIpDef *ip, gboolean partial_ok,
                                   const char *network_name, NcDhcpHost **ret_host, GError **error)
{
  SNIPPET_BEGIN("host");
  ok = nc_parse_dhcp_host(&ctx, ip, root, partial_ok, ret_host);
  xmlFreeDoc(doc);
  return ok;
}

gboolean
nc_network_section_parse_dhcp_range(const char *xml, const char *network_name,
                                    NcDhcpRange **ret_range, GError **error)
{
  SNIPPET_BEGIN("range");
  ok = nc_parse_dhcp_range(&ctx, root, ret_range);
  xmlFreeDoc(doc);
  return ok;
}

gboolean
nc_network_section_parse_dns_host(const char *xml, gboolean partial_ok, const char *network_name,
                                  NcDnsHost **ret_host, GError **error)
{
  SNIPPET_BEGIN("host");
  ok = nc_parse_dns_host(&ctx, root, partial_ok, ret_host);
  xmlFreeDoc(doc);
  return ok;
}

gboolean
nc_network_section_parse_dns_srv(const char *xml, gboolean partial_ok, const char *network_name,
                                 NcDnsSrv **ret_srv, GError **error)
{
  SNIPPET_BEGIN("srv");
  ok = nc_parse_dns_srv(&ctx, root, partial_ok, ret_srv);
  xmlFreeDoc(doc);
  return ok;
}

gboolean
nc_network_section_parse_dns_txt(const char *xml, gboolean partial_ok, const char *network_name,
                                 NcDnsTxt **ret_txt, GError **error)
{
  SNIPPET_BEGIN("txt");
  ok = nc_parse_dns_txt(&ctx, root, partial_ok, ret_txt);
  xmlFreeDoc(doc);
  return ok;
}

gboolean
nc_network_section_parse_portgroup(const char *xml, const char *network_name, NcPortGroup **ret_pg,
                                   GError **error)
{
  SNIPPET_BEGIN("portgroup");
  ok = nc_parse_portgroup(&ctx, root, ret_pg);
  xmlFreeDoc(doc);
  return ok;
}

gboolean
nc_network_section_parse_forward_interface(const char *xml, const char *network_name,
                                           NcForwardIf **ret_if, GError **error)
{
  SNIPPET_BEGIN("interface");
  {
    char *dev = nc_parse_prop(root, "dev");

    ok = dev != NULL;
    if (!ok) {
      nc_parse_fail(&ctx, root, NC_ERROR_XML_ERROR,
                    "<interface>: missing required attribute 'dev'");
    } else {
      *ret_if = g_new0(NcForwardIf, 1);
      (*ret_if)->dev = dev;
    }
  }
  xmlFreeDoc(doc);
  return ok;
}
