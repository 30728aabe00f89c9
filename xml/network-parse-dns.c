/* <dns>: forwarders, hosts, SRV and TXT records, as libvirt's
 * virNetworkDNSDefParseXML accepts them. Hostname/injection rules for what
 * reaches dnsmasq live in the checks, not here. */
#include "network-parse-priv.h"

#include <string.h>

/* RFC 2782's 512-byte limit minus overhead, as libvirt. */
#define SRV_SERVICE_MAX (512 - 30)

/* libvirt's sets: everything in /etc/services and /etc/protocols names but
 * '.', which separates the fields of an SRV name. */
#define PROTOCOL_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-+/"
#define SERVICE_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+/*"

static gboolean
parse_forwarder(NcParseCtx *ctx, xmlNodePtr node, NcDnsForwarder **ret_fwd)
{
  g_autofree NcDnsForwarder *fwd = g_new0(NcDnsForwarder, 1);
  g_autofree char *addr = nc_parse_prop(node, "addr");

  fwd->line = nc_parse_line(node);
  if (addr && !nc_sockaddr_parse(addr, AF_UNSPEC, &fwd->addr))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<forwarder>: invalid IP address '%s'",
                         nc_parse_q(ctx, addr));
  fwd->domain = nc_parse_prop(node, "domain");
  if (!addr && !fwd->domain)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<forwarder>: must have at least one of addr or domain");
  *ret_fwd = g_steal_pointer(&fwd);
  return TRUE;
}

gboolean
nc_parse_dns_host(NcParseCtx *ctx, xmlNodePtr node, gboolean partial_ok, NcDnsHost **ret_host)
{
  g_autoptr(NcDnsHost) host = nc_dns_host_new();
  g_autofree char *ip = nc_parse_prop(node, "ip");

  host->line = nc_parse_line(node);
  if (!ip && !partial_ok)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL, "<host>: missing required attribute 'ip'");
  if (ip && !nc_sockaddr_parse(ip, AF_UNSPEC, &host->ip))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL, "<host>: invalid IP address '%s'",
                         nc_parse_q(ctx, ip));

  for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
    g_autofree char *name = NULL;

    if (cur->type != XML_ELEMENT_NODE || cur->ns || strcmp((const char *)cur->name, "hostname"))
      continue;
    /* libvirt skips an empty <hostname/> but rejects whitespace-only text. */
    if (!cur->children)
      continue;
    name = nc_parse_content(cur);
    if (!*name)
      return nc_parse_fail(ctx, cur, NC_ERROR_XML_DETAIL, "<hostname>: empty hostname");
    g_ptr_array_add(host->hostnames, g_steal_pointer(&name));
  }
  if (host->hostnames->len == 0 && !partial_ok)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                         "<host ip='%s'>: missing <hostname> element", nc_parse_q(ctx, ip));
  if (!ip && host->hostnames->len == 0)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                         "<host>: neither an ip attribute nor a <hostname> element");

  *ret_host = g_steal_pointer(&host);
  return TRUE;
}

static gboolean
parse_srv_uint(NcParseCtx *ctx, xmlNodePtr node, const char *service, const char *target,
               const char *attr, guint min, gboolean *ret_has, guint *ret_val)
{
  g_autofree char *str = nc_parse_prop_nonempty(node, attr);
  guint64 val;

  if (!str)
    return TRUE;
  if (!target)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                         "<srv>: %s attribute not permitted without target for service '%s'", attr,
                         nc_parse_q(ctx, service));
  if (!nc_parse_uint_str(str, 10, 65535, &val) || val < min)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                         "<srv>: invalid %s '%s' for service '%s': expected %u to 65535", attr,
                         nc_parse_q(ctx, str), nc_parse_q(ctx, service), min);
  *ret_has = TRUE;
  *ret_val = (guint)val;
  return TRUE;
}

gboolean
nc_parse_dns_srv(NcParseCtx *ctx, xmlNodePtr node, gboolean partial_ok, NcDnsSrv **ret_srv)
{
  NcDnsSrv *srv = g_new0(NcDnsSrv, 1);
  const char *service;
  gboolean ok = FALSE;

  srv->line = nc_parse_line(node);
  srv->service = nc_parse_prop(node, "service");
  srv->protocol = nc_parse_prop(node, "protocol");
  srv->domain = nc_parse_prop(node, "domain");
  srv->target = nc_parse_prop(node, "target");

  service = srv->service ? srv->service : "";
  if (!srv->service && !partial_ok) {
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL, "<srv>: missing required attribute 'service'");
  } else if (strlen(service) > SRV_SERVICE_MAX) {
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                  "<srv>: service '%s' is too long (limit is %d bytes)", nc_parse_q(ctx, service),
                  SRV_SERVICE_MAX);
  } else if (strspn(service, SERVICE_CHARS) < strlen(service)) {
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL, "<srv>: invalid character in service '%s'",
                  nc_parse_q(ctx, service));
  } else if (!srv->protocol && !partial_ok) {
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                  "<srv>: missing required attribute 'protocol' for service '%s'",
                  nc_parse_q(ctx, service));
  } else if (srv->protocol && strspn(srv->protocol, PROTOCOL_CHARS) < strlen(srv->protocol)) {
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL, "<srv>: invalid character in protocol '%s'",
                  nc_parse_q(ctx, srv->protocol));
  } else if (parse_srv_uint(ctx, node, service, srv->target, "port", 1, &srv->has_port, &srv->port)
             && parse_srv_uint(ctx, node, service, srv->target, "priority", 0, &srv->has_priority,
                               &srv->priority)
             && parse_srv_uint(ctx, node, service, srv->target, "weight", 0, &srv->has_weight,
                               &srv->weight)) {
    ok = TRUE;
  }

  if (!ok) {
    nc_dns_srv_free(srv);
    return FALSE;
  }
  *ret_srv = srv;
  return TRUE;
}

gboolean
nc_parse_dns_txt(NcParseCtx *ctx, xmlNodePtr node, gboolean partial_ok, NcDnsTxt **ret_txt)
{
  NcDnsTxt *txt = g_new0(NcDnsTxt, 1);
  gboolean ok = FALSE;

  txt->line = nc_parse_line(node);
  txt->name = nc_parse_prop(node, "name");
  txt->value = nc_parse_prop(node, "value");
  if (!txt->name)
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL, "<txt>: missing required attribute 'name'");
  else if (strcspn(txt->name, " ,") != strlen(txt->name))
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                  "<txt>: prohibited character (space or comma) in name '%s'",
                  nc_parse_q(ctx, txt->name));
  else if (!txt->value && !partial_ok)
    nc_parse_fail(ctx, node, NC_ERROR_XML_DETAIL,
                  "<txt>: missing required attribute 'value' in record '%s'",
                  nc_parse_q(ctx, txt->name));
  else
    ok = TRUE;

  if (!ok) {
    nc_dns_txt_free(txt);
    return FALSE;
  }
  *ret_txt = txt;
  return TRUE;
}

gboolean
nc_parse_dns(NcParseCtx *ctx, xmlNodePtr node, NcDns *dns)
{
  g_autoptr(GPtrArray) fwds = nc_parse_children(node, "forwarder");
  g_autoptr(GPtrArray) hosts = nc_parse_children(node, "host");
  g_autoptr(GPtrArray) srvs = nc_parse_children(node, "srv");
  g_autoptr(GPtrArray) txts = nc_parse_children(node, "txt");

  dns->has_element = TRUE;
  dns->line = nc_parse_line(node);
  if (!nc_parse_tristate_attr(ctx, node, "enable", &dns->enable)
      || !nc_parse_tristate_attr(ctx, node, "forwardPlainNames", &dns->forward_plain_names))
    return FALSE;

  for (guint i = 0; i < fwds->len; i++) {
    NcDnsForwarder *fwd = NULL;
    if (!parse_forwarder(ctx, g_ptr_array_index(fwds, i), &fwd))
      return FALSE;
    g_ptr_array_add(dns->forwarders, fwd);
  }
  for (guint i = 0; i < hosts->len; i++) {
    NcDnsHost *host = NULL;
    if (!nc_parse_dns_host(ctx, g_ptr_array_index(hosts, i), FALSE, &host))
      return FALSE;
    g_ptr_array_add(dns->hosts, host);
  }
  for (guint i = 0; i < srvs->len; i++) {
    NcDnsSrv *srv = NULL;
    if (!nc_parse_dns_srv(ctx, g_ptr_array_index(srvs, i), FALSE, &srv))
      return FALSE;
    g_ptr_array_add(dns->srvs, srv);
  }
  for (guint i = 0; i < txts->len; i++) {
    NcDnsTxt *txt = NULL;
    if (!nc_parse_dns_txt(ctx, g_ptr_array_index(txts, i), FALSE, &txt))
      return FALSE;
    g_ptr_array_add(dns->txts, txt);
  }

  if (dns->enable == NC_TRISTATE_NO && (fwds->len || hosts->len || srvs->len || txts->len))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<dns>: extra data in disabled network: enable='no' cannot have "
                         "forwarder, host, srv or txt children");
  return TRUE;
}
