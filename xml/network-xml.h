/* Network XML: parse (libxml2 -> RelaxNG -> model -> semantic checks) and
 * format (model -> libvirt's canonical XML).
 *
 * Errors are NC_ERROR codes; messages have the form
 *   "FILE:LINE: network 'NAME': <element>: what is wrong"
 * (FILE is "(string)" for in-memory input). */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

typedef enum {
  /* Validate against schemas/network.rng before building the model. */
  NC_NETWORK_PARSE_VALIDATE_SCHEMA = 1 << 0,
  /* Run the semantic checks (network_conf.c + bridge_driver's networkValidate
   * rules, plus our injection checks). Without it only structure is checked. */
  NC_NETWORK_PARSE_CHECK = 1 << 1,
} NcNetworkParseFlags;

#define NC_NETWORK_PARSE_STRICT (NC_NETWORK_PARSE_VALIDATE_SCHEMA | NC_NETWORK_PARSE_CHECK)

typedef enum {
  /* virNetworkGetXMLDesc's VIR_NETWORK_XML_INACTIVE: no live-only data. */
  NC_NETWORK_FORMAT_INACTIVE = 1 << 0,
} NcNetworkFormatFlags;

/* filename is only used in messages; may be NULL. */
NcNetworkDef *nc_network_def_parse_string(const char *xml, const char *filename,
                                          guint flags, GError **error);
NcNetworkDef *nc_network_def_parse_file(const char *path, guint flags, GError **error);
/* Model from an already-parsed document's root; used by the two above and by
 * status files that embed a <network>. */
NcNetworkDef *nc_network_def_parse_node(xmlDocPtr doc, xmlNodePtr root,
                                        const char *filename, GError **error);

/* net-update snippets (network-parse-section.c): one element as a string,
 * checked for its name (<host>, <range>, <srv>, <txt>, <portgroup>,
 * <interface>) and parsed with the rules of a full document. partial_ok is
 * for delete/modify lookups, where libvirt relaxes the required attributes.
 * A DHCP host needs the <ip> it belongs to (its family decides the rules).
 * TRUE with the new element in ret_*, or FALSE with error set. */
gboolean nc_network_section_parse_dhcp_host(const char *xml, const NcIpDef *ip,
                                            gboolean partial_ok, const char *network_name,
                                            NcDhcpHost **ret_host, GError **error);
gboolean nc_network_section_parse_dhcp_range(const char *xml, const char *network_name,
                                             NcDhcpRange **ret_range, GError **error);
gboolean nc_network_section_parse_dns_host(const char *xml, gboolean partial_ok,
                                           const char *network_name, NcDnsHost **ret_host,
                                           GError **error);
gboolean nc_network_section_parse_dns_srv(const char *xml, gboolean partial_ok,
                                          const char *network_name, NcDnsSrv **ret_srv,
                                          GError **error);
gboolean nc_network_section_parse_dns_txt(const char *xml, gboolean partial_ok,
                                          const char *network_name, NcDnsTxt **ret_txt,
                                          GError **error);
gboolean nc_network_section_parse_portgroup(const char *xml, const char *network_name,
                                            NcPortGroup **ret_pg, GError **error);
gboolean nc_network_section_parse_forward_interface(const char *xml, const char *network_name,
                                                    NcForwardIf **ret_if, GError **error);

/* Canonical XML, as libvirt's virNetworkDefFormat prints it. Never fails. */
char *nc_network_def_format(const NcNetworkDef *def, guint flags);

/* Semantic checks (network-check.c). */
gboolean nc_network_def_check(const NcNetworkDef *def, GError **error);

/* RelaxNG validation (schema.c). The schemas are looked up in $NETCTL_SCHEMA_DIR,
 * then the installed directory, then the source tree; loaded once and cached. */
gboolean nc_schema_validate(xmlDocPtr doc, const char *schema_file /* "network.rng" */,
                            const char *filename, GError **error);

/* The largest XML document any parser accepts, in bytes: libvirt's own cap
 * on strings of its RPC protocol (VIR_NET_MESSAGE_STRING_MAX, 4 MiB), so
 * every definition libvirt takes is taken here too, and a hostile client
 * cannot make the daemon parse (and hold a DOM of) 20 MB. Refused before
 * parsing, with NC_ERROR_XML_ERROR. The CLI refuses bigger files before
 * sending them. */
#define NC_XML_MAX_DOCUMENT_SIZE (4 * 1024 * 1024)

/* Shared by the parsers: read a whole document with safe libxml2 options
 * (no network, no entity expansion, no DTD loading). Refuses, before or
 * while parsing: documents over NC_XML_MAX_DOCUMENT_SIZE, any entity
 * declaration (the parser stops at the first one, so a "billion laughs" or
 * an external entity is never expanded or fetched), nesting deeper than
 * libxml2's 256 levels. */
xmlDocPtr nc_xml_read(const char *xml, gsize len, const char *filename, GError **error);

/* Build a located error: "FILE:LINE: network 'NAME': " + message. */
void nc_xml_set_error(GError **error, int code, const char *filename, guint line,
                      const char *network_name, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

G_END_DECLS
