/* Canonical XML of <ip> (with <tftp> and <dhcp>) and <route>, as libvirt's
 * virNetworkIPDefFormat and virNetDevIPRouteFormat print them. */
#include "network-format-priv.h"

/* <lease expiry='0'/> means infinite and carries no unit; any other expiry is
 * written with its unit, minutes when none was given. */
static void
format_lease(GString *buf, const NcLease *lease, guint indent)
{
  nc_format_indent(buf, indent);
  if (lease->expiry == 0) {
    g_string_append(buf, "<lease expiry='0'/>\n");
    return;
  }
  const char *unit = nc_lease_unit_to_string(lease->unit);
  g_string_append_printf(buf, "<lease expiry='%" G_GUINT64_FORMAT "' unit='%s'/>\n", lease->expiry,
                         unit ? unit : "minutes");
}

/* Ends an element whose attributes are written: "/>" without a lease,
 * otherwise the lease as its only child. */
static void
close_with_lease(GString *buf, const char *name, const NcLease *lease, guint indent)
{
  if (!lease->has_lease) {
    g_string_append(buf, "/>\n");
    return;
  }
  g_string_append(buf, ">\n");
  format_lease(buf, lease, indent + 2);
  nc_format_indent(buf, indent);
  g_string_append_printf(buf, "</%s>\n", name);
}

static void
format_dhcp(GString *buf, const NcIpDef *ip, guint indent)
{
  nc_format_indent(buf, indent);
  g_string_append(buf, "<dhcp>\n");

  for (guint i = 0; i < nc_format_len(ip->ranges); i++) {
    const NcDhcpRange *range = g_ptr_array_index(ip->ranges, i);

    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<range");
    nc_format_addr_attr(buf, "start", &range->start);
    nc_format_addr_attr(buf, "end", &range->end);
    close_with_lease(buf, "range", &range->lease, indent + 2);
  }

  for (guint i = 0; i < nc_format_len(ip->hosts); i++) {
    const NcDhcpHost *host = g_ptr_array_index(ip->hosts, i);

    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<host");
    if (host->has_mac) {
      char mac[18];

      nc_mac_format(&host->mac, mac);
      nc_format_attr(buf, "mac", host->mac_text ? host->mac_text : mac);
    }
    nc_format_attr(buf, "id", host->id);
    nc_format_attr(buf, "name", host->name);
    nc_format_addr_attr(buf, "ip", &host->ip);
    close_with_lease(buf, "host", &host->lease, indent + 2);
  }

  if (ip->bootp_file) {
    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<bootp");
    nc_format_attr(buf, "file", ip->bootp_file);
    nc_format_addr_attr(buf, "server", &ip->bootp_server);
    g_string_append(buf, "/>\n");
  }

  nc_format_indent(buf, indent);
  g_string_append(buf, "</dhcp>\n");
}

void
nc_format_ip(GString *buf, const NcIpDef *ip, guint indent)
{
  nc_format_indent(buf, indent);
  g_string_append(buf, "<ip");
  nc_format_attr(buf, "family", nc_ip_family_to_string(ip->family_attr));
  nc_format_addr_attr(buf, "address", &ip->address);
  nc_format_addr_attr(buf, "netmask", &ip->netmask);
  /* libvirt keeps prefix 0 as "unset" and does not write it. */
  if (ip->has_prefix && ip->prefix > 0)
    g_string_append_printf(buf, " prefix='%u'", ip->prefix);
  nc_format_attr(buf, "localPtr", nc_tristate_to_string(ip->local_ptr));

  /* libvirt (<= 9.x, the conformance reference) always writes a start and an
   * end tag, even for an <ip> without children. */
  g_string_append(buf, ">\n");

  if (ip->tftp_root) {
    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<tftp");
    nc_format_attr(buf, "root", ip->tftp_root);
    g_string_append(buf, "/>\n");
  }

  /* <bootp> alone does not make libvirt write <dhcp>: it only looks at the
   * ranges and hosts. */
  if (nc_format_len(ip->ranges) > 0 || nc_format_len(ip->hosts) > 0)
    format_dhcp(buf, ip, indent + 2);

  nc_format_indent(buf, indent);
  g_string_append(buf, "</ip>\n");
}

void
nc_format_route(GString *buf, const NcRouteDef *route, guint indent)
{
  nc_format_indent(buf, indent);
  g_string_append(buf, "<route");
  nc_format_attr(buf, "family", nc_ip_family_to_string(route->family_attr));
  nc_format_addr_attr(buf, "address", &route->address);
  nc_format_addr_attr(buf, "netmask", &route->netmask);
  if (route->has_prefix)
    g_string_append_printf(buf, " prefix='%u'", route->prefix);
  nc_format_addr_attr(buf, "gateway", &route->gateway);
  if (route->has_metric && route->metric > 0)
    g_string_append_printf(buf, " metric='%u'", route->metric);
  g_string_append(buf, "/>\n");
}
