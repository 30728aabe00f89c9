/* Semantic checks of <dns> and <domain>: libvirt's virNetworkDNSDefParseXML and
 * the record parsers it calls. Character-level injection checks of the same
 * values are in network-check-names.c. */
#include "network-check-priv.h"
#include "network-check-names.h"

/* libvirt's DNS_RECORD_LENGTH_SRV: 512 minus the overhead named in RFC 2782. */
#define SRV_SERVICE_MAX (512 - 30)

/* libvirt's PROTOCOL_CHARS and SERVICE_CHARS: what /etc/services and
 * /etc/protocols use, minus '.', the SRV field separator. */
#define ALNUM_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define PROTOCOL_CHARS ALNUM_CHARS "-+/"
#define SERVICE_CHARS ALNUM_CHARS "_-+/*"

static gsize
len(const GPtrArray *a)
{
  return a ? a->len : 0;
}

static gboolean
check_srv(const NcCheck *c, GError **error, const NcDnsSrv *srv, guint line)
{
  g_autofree char *service = nc_name_escape(srv->service);
  g_autofree char *protocol = nc_name_escape(srv->protocol);

  if (!srv->service)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv>: missing required service attribute");
  if (strlen(srv->service) > SRV_SERVICE_MAX)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv service='%s'>: service attribute is too long, limit is %d "
                         "bytes",
                         service, SRV_SERVICE_MAX);
  if (strspn(srv->service, SERVICE_CHARS) < strlen(srv->service))
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv service='%s'>: invalid character in service attribute",
                         service);
  if (!srv->protocol)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv service='%s'>: missing required protocol attribute", service);
  if (strspn(srv->protocol, PROTOCOL_CHARS) < strlen(srv->protocol))
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv service='%s' protocol='%s'>: invalid character in protocol "
                         "attribute",
                         service, protocol);

  /* Without a target the record is only "this service exists": dnsmasq
   * takes no port, priority or weight then. */
  if (!srv->target) {
    const char *attr = srv->has_port       ? "port"
                       : srv->has_priority ? "priority"
                       : srv->has_weight   ? "weight"
                                           : NULL;
    if (attr)
      return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                           "<dns><srv service='%s'>: DNS SRV %s attribute not permitted without "
                           "target",
                           service, attr);
  }
  if (srv->has_port && (srv->port < 1 || srv->port > 65535))
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv service='%s' port='%u'>: invalid DNS SRV port attribute "
                         "(1-65535)",
                         service, srv->port);
  if (srv->has_priority && srv->priority > 65535)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv service='%s' priority='%u'>: invalid DNS SRV priority "
                         "attribute (0-65535)",
                         service, srv->priority);
  if (srv->has_weight && srv->weight > 65535)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><srv service='%s' weight='%u'>: invalid DNS SRV weight attribute "
                         "(0-65535)",
                         service, srv->weight);
  return TRUE;
}

static gboolean
check_txt(const NcCheck *c, GError **error, const NcDnsTxt *txt, guint line)
{
  g_autofree char *name = nc_name_escape(txt->name);

  if (!txt->name)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><txt>: missing required name attribute");
  /* dnsmasq's txt-record=NAME,VALUE: the first comma ends the name. */
  if (strcspn(txt->name, " ,") != strlen(txt->name))
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><txt name='%s'>: prohibited character in DNS TXT record name "
                         "(space or comma)",
                         name);
  if (!txt->value)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><txt name='%s'>: missing required value attribute", name);
  return TRUE;
}

static gboolean
check_host(const NcCheck *c, GError **error, const NcDnsHost *host, guint line)
{
  if (!nc_sockaddr_is_set(&host->ip))
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><host>: missing IP address in DNS HOST record");
  if (len(host->hostnames) == 0) {
    g_autofree char *ip = nc_check_addr(&host->ip);
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "<dns><host ip='%s'>: missing hostname in DNS HOST record", ip);
  }
  for (guint i = 0; i < host->hostnames->len; i++) {
    const char *hn = g_ptr_array_index(host->hostnames, i);
    if (!hn || !*hn) {
      g_autofree char *ip = nc_check_addr(&host->ip);
      return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                           "<dns><host ip='%s'>: empty <hostname> in DNS HOST record", ip);
    }
  }
  return TRUE;
}

gboolean
nc_check_dns(const NcCheck *c, GError **error)
{
  const NcDns *dns = &c->def->dns;
  const NcDomain *domain = c->def->domain;

  if (domain && (!domain->name || !*domain->name))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, domain->line,
                         "<domain>: missing required name attribute");

  if (dns->enable == NC_TRISTATE_NO
      && (len(dns->forwarders) || len(dns->hosts) || len(dns->srvs) || len(dns->txts)))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, dns->line,
                         "<dns enable='no'>: extra data in disabled network: a disabled DNS "
                         "server can have no <forwarder>, <host>, <srv> or <txt>");

  for (guint i = 0; i < len(dns->forwarders); i++) {
    const NcDnsForwarder *f = g_ptr_array_index(dns->forwarders, i);
    if (!nc_sockaddr_is_set(&f->addr) && !f->domain)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, f->line ? f->line : dns->line,
                           "<dns><forwarder>: invalid forwarder element, must contain at least "
                           "one of addr or domain");
  }
  for (guint i = 0; i < len(dns->hosts); i++) {
    const NcDnsHost *h = g_ptr_array_index(dns->hosts, i);
    if (!check_host(c, error, h, h->line ? h->line : dns->line))
      return FALSE;
  }
  for (guint i = 0; i < len(dns->srvs); i++) {
    const NcDnsSrv *s = g_ptr_array_index(dns->srvs, i);
    if (!check_srv(c, error, s, s->line ? s->line : dns->line))
      return FALSE;
  }
  for (guint i = 0; i < len(dns->txts); i++) {
    const NcDnsTxt *t = g_ptr_array_index(dns->txts, i);
    if (!check_txt(c, error, t, t->line ? t->line : dns->line))
      return FALSE;
  }
  return TRUE;
}
