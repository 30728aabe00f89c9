/* Canonical XML of <domain> and <dns>, as libvirt's virNetworkDefFormatBuf
 * and virNetworkDNSDefFormat print them. */
#include "network-format-priv.h"

void
nc_format_domain(GString *buf, const NcDomain *domain, guint indent)
{
  if (!domain || !domain->name)
    return;
  nc_format_indent(buf, indent);
  g_string_append(buf, "<domain");
  nc_format_attr(buf, "name", domain->name);
  nc_format_attr(buf, "localOnly", nc_tristate_to_string(domain->local_only));
  nc_format_attr(buf, "register", nc_tristate_to_string(domain->register_));
  g_string_append(buf, "/>\n");
}

static void
format_dns_children(GString *buf, const NcDns *dns, guint indent)
{
  for (guint i = 0; i < nc_format_len(dns->forwarders); i++) {
    const NcDnsForwarder *f = g_ptr_array_index(dns->forwarders, i);

    nc_format_indent(buf, indent);
    g_string_append(buf, "<forwarder");
    nc_format_attr(buf, "domain", f->domain);
    nc_format_addr_attr(buf, "addr", &f->addr);
    g_string_append(buf, "/>\n");
  }

  for (guint i = 0; i < nc_format_len(dns->txts); i++) {
    const NcDnsTxt *txt = g_ptr_array_index(dns->txts, i);

    nc_format_indent(buf, indent);
    g_string_append(buf, "<txt");
    nc_format_attr(buf, "name", txt->name);
    nc_format_attr(buf, "value", txt->value);
    g_string_append(buf, "/>\n");
  }

  for (guint i = 0; i < nc_format_len(dns->srvs); i++) {
    const NcDnsSrv *srv = g_ptr_array_index(dns->srvs, i);

    /* libvirt silently skips an incomplete record. */
    if (!srv->service || !srv->protocol)
      continue;
    nc_format_indent(buf, indent);
    g_string_append(buf, "<srv");
    nc_format_attr(buf, "service", srv->service);
    nc_format_attr(buf, "protocol", srv->protocol);
    nc_format_attr(buf, "domain", srv->domain);
    nc_format_attr(buf, "target", srv->target);
    /* 0 means unset to libvirt, whether written or not. */
    if (srv->port)
      g_string_append_printf(buf, " port='%u'", srv->port);
    if (srv->priority)
      g_string_append_printf(buf, " priority='%u'", srv->priority);
    if (srv->weight)
      g_string_append_printf(buf, " weight='%u'", srv->weight);
    g_string_append(buf, "/>\n");
  }

  for (guint i = 0; i < nc_format_len(dns->hosts); i++) {
    const NcDnsHost *host = g_ptr_array_index(dns->hosts, i);

    nc_format_indent(buf, indent);
    g_string_append(buf, "<host");
    nc_format_addr_attr(buf, "ip", &host->ip);
    g_string_append(buf, ">\n");
    for (guint j = 0; j < nc_format_len(host->hostnames); j++)
      nc_format_text_element(buf, "hostname", g_ptr_array_index(host->hostnames, j), indent + 2);
    nc_format_indent(buf, indent);
    g_string_append(buf, "</host>\n");
  }
}

void
nc_format_dns(GString *buf, const NcDns *dns, guint indent)
{
  gboolean has_children = nc_format_len(dns->forwarders) || nc_format_len(dns->txts)
                          || nc_format_len(dns->srvs) || nc_format_len(dns->hosts);

  /* An empty <dns/> carries nothing and libvirt drops it. */
  if (dns->enable == NC_TRISTATE_ABSENT && dns->forward_plain_names == NC_TRISTATE_ABSENT
      && !has_children)
    return;

  nc_format_indent(buf, indent);
  g_string_append(buf, "<dns");
  nc_format_attr(buf, "enable", nc_tristate_to_string(dns->enable));
  nc_format_attr(buf, "forwardPlainNames", nc_tristate_to_string(dns->forward_plain_names));
  if (!has_children) {
    g_string_append(buf, "/>\n");
    return;
  }
  g_string_append(buf, ">\n");
  format_dns_children(buf, dns, indent + 2);
  nc_format_indent(buf, indent);
  g_string_append(buf, "</dns>\n");
}
