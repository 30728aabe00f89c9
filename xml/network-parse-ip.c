/* <ip> (with <dhcp>, <tftp>) and <route>: what libvirt's
 * virNetworkIPDefParseXML and virNetDevIPRouteParseXML reject at parse time.
 * Subnet membership of ranges, hosts and gateways is a semantic check
 * (network-check.c), not done here. */
#include "network-parse-priv.h"

#include <string.h>

static const char *
family_name(int family)
{
  return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* <lease expiry= unit=>: no lease at all unless expiry= is written. */
static gboolean
parse_lease(NcParseCtx *ctx, xmlNodePtr node, NcLease *ret_lease)
{
  g_autofree char *unit_str = NULL;
  NcLease lease = { 0 };
  gboolean has_expiry = FALSE;
  guint64 seconds;

  if (!nc_parse_uint_attr(ctx, node, "expiry", 0, G_MAXUINT64, FALSE, &has_expiry, &lease.expiry))
    return FALSE;
  if (!has_expiry)
    return TRUE;

  if ((unit_str = nc_parse_prop(node, "unit"))) {
    int u = nc_lease_unit_from_string(unit_str);
    if (u <= 0)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<lease>: invalid unit '%s': expected seconds, minutes or hours",
                           nc_parse_q(ctx, unit_str));
    lease.unit = (NcLeaseUnit)u;
  }

  /* dnsmasq's minimum lease time is two minutes; 0 means infinite. */
  seconds = lease.expiry;
  if (lease.unit == NC_LEASE_UNIT_MINUTES || lease.unit == NC_LEASE_UNIT_ABSENT)
    seconds = lease.expiry < G_MAXUINT64 / 60 ? lease.expiry * 60 : G_MAXUINT64;
  else if (lease.unit == NC_LEASE_UNIT_HOURS)
    seconds = lease.expiry < G_MAXUINT64 / 3600 ? lease.expiry * 3600 : G_MAXUINT64;
  if (lease.expiry > 0 && seconds < 120)
    return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                         "<lease>: expiry '%" G_GUINT64_FORMAT "%s%s' is shorter than the "
                         "minimum lease time of 2 minutes",
                         lease.expiry, unit_str ? " " : "",
                         unit_str ? nc_parse_q(ctx, unit_str) : "");

  lease.has_lease = TRUE;
  *ret_lease = lease;
  return TRUE;
}

gboolean
nc_parse_dhcp_range(NcParseCtx *ctx, xmlNodePtr node, NcDhcpRange **ret_range)
{
  g_autofree NcDhcpRange *range = g_new0(NcDhcpRange, 1);
  g_autofree char *start = nc_parse_prop(node, "start");
  g_autofree char *end = nc_parse_prop(node, "end");
  xmlNodePtr lease;

  range->line = nc_parse_line(node);
  if (!start)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<range>: missing required attribute 'start'");
  if (!nc_sockaddr_parse(start, AF_UNSPEC, &range->start))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<range>: invalid start address '%s'",
                         nc_parse_q(ctx, start));
  if (!end)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<range>: missing required attribute 'end'");
  if (!nc_sockaddr_parse(end, AF_UNSPEC, &range->end))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<range>: invalid end address '%s'",
                         nc_parse_q(ctx, end));

  if ((lease = nc_parse_child(node, "lease")) && !parse_lease(ctx, lease, &range->lease))
    return FALSE;

  *ret_range = g_steal_pointer(&range);
  return TRUE;
}

gboolean
nc_parse_dhcp_host(NcParseCtx *ctx, const NcIpDef *ip, xmlNodePtr node, gboolean partial_ok,
                   NcDhcpHost **ret_host)
{
  g_autoptr(NcDhcpHost) host = g_new0(NcDhcpHost, 1);
  g_autofree char *mac = nc_parse_prop(node, "mac");
  g_autofree char *id = nc_parse_prop(node, "id");
  g_autofree char *name = nc_parse_prop(node, "name");
  g_autofree char *addr = nc_parse_prop(node, "ip");
  xmlNodePtr lease;

  host->line = nc_parse_line(node);
  if (mac) {
    if (ip->family == AF_INET6)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<host>: a MAC address ('%s') is not allowed in an IPv6 static host",
                           nc_parse_q(ctx, mac));
    if (!nc_mac_parse(mac, &host->mac))
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<host>: cannot parse MAC address '%s'",
                           nc_parse_q(ctx, mac));
    if (nc_mac_is_multicast(&host->mac))
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<host>: expected a unicast MAC address, found multicast '%s'",
                           nc_parse_q(ctx, mac));
    host->has_mac = TRUE;
    /* as written, without the trailing blanks the parser tolerates: the
     * text goes to a dnsmasq hosts file line */
    host->mac_text = g_strndup(mac, strspn(mac, "0123456789abcdefABCDEF:"));
  }

  if (id) {
    gsize ok = strspn(id, "0123456789abcdefABCDEF:");
    if (id[ok])
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<host>: invalid character '%s' in id '%s'",
                           nc_parse_q(ctx, (const char[]){ id[ok], '\0' }), nc_parse_q(ctx, id));
  }

  if (name && !g_ascii_isalnum(name[0]))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<host>: cannot use host name '%s': it must start with a letter or digit",
                         nc_parse_q(ctx, name));

  if (addr && !nc_sockaddr_parse(addr, AF_UNSPEC, &host->ip))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<host>: invalid IP address '%s'",
                         nc_parse_q(ctx, addr));

  if (partial_ok) {
    /* a lookup key for delete/modify: any one attribute will do */
    if (!mac && !name && !addr)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<host>: at least one of name, mac or ip must be given");
  } else if (ip->family == AF_INET6) {
    if (!id && !name)
      return nc_parse_fail(
          ctx, node, NC_ERROR_XML_ERROR,
          "<host>: a static host in an IPv6 <ip> must have an id or name attribute");
  } else if (!mac && !name) {
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<host>: a static host in an IPv4 <ip> must have a mac or name attribute");
  }
  if (!addr && !partial_ok)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<host>: missing required attribute 'ip'");

  if ((lease = nc_parse_child(node, "lease")) && !parse_lease(ctx, lease, &host->lease))
    return FALSE;

  host->id = g_steal_pointer(&id);
  host->name = g_steal_pointer(&name);
  *ret_host = g_steal_pointer(&host);
  return TRUE;
}

static gboolean
parse_dhcp(NcParseCtx *ctx, xmlNodePtr node, NcIpDef *ip)
{
  g_autoptr(GPtrArray) ranges = nc_parse_children(node, "range");
  g_autoptr(GPtrArray) hosts = nc_parse_children(node, "host");
  xmlNodePtr bootp = nc_parse_child(node, "bootp");

  ip->has_dhcp = TRUE;
  for (guint i = 0; i < ranges->len; i++) {
    NcDhcpRange *range = NULL;
    if (!nc_parse_dhcp_range(ctx, g_ptr_array_index(ranges, i), &range))
      return FALSE;
    g_ptr_array_add(ip->ranges, range);
  }
  for (guint i = 0; i < hosts->len; i++) {
    NcDhcpHost *host = NULL;
    if (!nc_parse_dhcp_host(ctx, ip, g_ptr_array_index(hosts, i), FALSE, &host))
      return FALSE;
    g_ptr_array_add(ip->hosts, host);
  }

  /* libvirt ignores <bootp> in an IPv6 <ip>. */
  if (bootp && ip->family == AF_INET) {
    g_autofree char *file = nc_parse_prop(bootp, "file");
    g_autofree char *server = nc_parse_prop(bootp, "server");

    if (!file)
      return nc_parse_fail(ctx, bootp, NC_ERROR_XML_ERROR,
                           "<bootp>: missing required attribute 'file'");
    if (server && !nc_sockaddr_parse(server, AF_UNSPEC, &ip->bootp_server))
      return nc_parse_fail(ctx, bootp, NC_ERROR_XML_ERROR, "<bootp>: invalid server address '%s'",
                           nc_parse_q(ctx, server));
    ip->bootp_file = g_steal_pointer(&file);
  }
  return TRUE;
}

gboolean
nc_parse_ip(NcParseCtx *ctx, xmlNodePtr node, NcIpDef **ret_ip)
{
  g_autoptr(NcIpDef) ip = nc_ip_def_new();
  g_autofree char *family = nc_parse_prop_nonempty(node, "family");
  g_autofree char *address = nc_parse_prop_nonempty(node, "address");
  g_autofree char *netmask = nc_parse_prop_nonempty(node, "netmask");
  gboolean has_prefix = FALSE;
  guint64 prefix = 0;
  xmlNodePtr dhcp, tftp;

  ip->line = nc_parse_line(node);

  if (family) {
    int f = nc_ip_family_from_string(family);
    if (f <= 0)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<ip>: unrecognized family '%s': expected ipv4 or ipv6",
                           nc_parse_q(ctx, family));
    ip->family_attr = (NcIpFamily)f;
  }

  if (!address)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<ip>: missing required attribute 'address'");
  if (!nc_sockaddr_parse(address, AF_UNSPEC, &ip->address))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<ip>: invalid address '%s'",
                         nc_parse_q(ctx, address));
  ip->family = ip->address.family;

  if (netmask && !nc_sockaddr_parse(netmask, AF_UNSPEC, &ip->netmask))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<ip>: invalid netmask '%s'",
                         nc_parse_q(ctx, netmask));

  if (!nc_parse_uint_attr(ctx, node, "prefix", 10, G_MAXUINT, FALSE, &has_prefix, &prefix)
      || !nc_parse_tristate_attr(ctx, node, "localPtr", &ip->local_ptr))
    return FALSE;

  if (ip->family_attr != NC_IP_FAMILY_IPV6) {
    if (ip->family != AF_INET)
      return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                           "<ip>: %s family specified for non-IPv4 address '%s'",
                           family ? "ipv4" : "no", nc_parse_q(ctx, address));
    if (netmask) {
      if (ip->netmask.family != AF_INET)
        return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                             "<ip>: invalid netmask '%s' for address '%s' (both must be IPv4)",
                             nc_parse_q(ctx, netmask), nc_parse_q(ctx, address));
      if (prefix > 0)
        return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                             "<ip>: address '%s' cannot have both a prefix and a netmask",
                             nc_parse_q(ctx, address));
      if (nc_sockaddr_netmask_to_prefix(&ip->netmask) < 0)
        return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                             "<ip>: netmask '%s' is not contiguous", nc_parse_q(ctx, netmask));
    } else if (prefix > 32) {
      return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                           "<ip>: invalid IPv4 prefix '%" G_GUINT64_FORMAT "' (maximum 32)",
                           prefix);
    }
  } else {
    if (ip->family != AF_INET6)
      return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                           "<ip>: family 'ipv6' specified for non-IPv6 address '%s'",
                           nc_parse_q(ctx, address));
    if (netmask)
      return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                           "<ip>: netmask not allowed for IPv6 address '%s'",
                           nc_parse_q(ctx, address));
    if (prefix > 128)
      return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                           "<ip>: invalid IPv6 prefix '%" G_GUINT64_FORMAT "' (maximum 128)",
                           prefix);
  }
  /* libvirt treats prefix='0' as "not given" and does not write it back. */
  ip->has_prefix = has_prefix && prefix > 0;
  ip->prefix = ip->has_prefix ? (guint)prefix : 0;

  if ((dhcp = nc_parse_child(node, "dhcp")) && !parse_dhcp(ctx, dhcp, ip))
    return FALSE;

  if ((tftp = nc_parse_child(node, "tftp"))) {
    if (ip->family != AF_INET)
      return nc_parse_fail(ctx, tftp, NC_ERROR_CONFIG_UNSUPPORTED,
                           "<tftp>: not supported in an %s <ip> element", family_name(ip->family));
    ip->tftp_root = nc_parse_prop_nonempty(tftp, "root");
  }

  *ret_ip = g_steal_pointer(&ip);
  return TRUE;
}

gboolean
nc_parse_route(NcParseCtx *ctx, xmlNodePtr node, NcRouteDef **ret_route)
{
  g_autofree NcRouteDef *route = g_new0(NcRouteDef, 1);
  g_autofree char *family = nc_parse_prop(node, "family");
  g_autofree char *address = nc_parse_prop(node, "address");
  g_autofree char *netmask = nc_parse_prop(node, "netmask");
  g_autofree char *gateway = nc_parse_prop(node, "gateway");
  guint64 prefix = 0, metric = 0;
  NcSockAddr net;
  guint bits;

  route->line = nc_parse_line(node);
  if (!nc_parse_uint_attr(ctx, node, "prefix", 10, G_MAXUINT, FALSE, &route->has_prefix, &prefix)
      || !nc_parse_uint_attr(ctx, node, "metric", 10, G_MAXUINT, FALSE, &route->has_metric,
                             &metric))
    return FALSE;
  if (route->has_metric && metric == 0)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<route>: invalid metric '0': zero is not permitted");
  route->metric = (guint)metric;

  if (!address)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<route>: missing required attribute 'address'");
  if (!gateway)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<route>: missing required attribute 'gateway'");
  if (!nc_sockaddr_parse(address, AF_UNSPEC, &route->address))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<route>: bad network address '%s'",
                         nc_parse_q(ctx, address));
  if (!nc_sockaddr_parse(gateway, AF_UNSPEC, &route->gateway))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<route>: bad gateway address '%s'",
                         nc_parse_q(ctx, gateway));

  if (family) {
    int f = nc_ip_family_from_string(family);
    if (f <= 0)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<route>: unrecognized family '%s': expected ipv4 or ipv6",
                           nc_parse_q(ctx, family));
    route->family_attr = (NcIpFamily)f;
  }

  if (route->family_attr != NC_IP_FAMILY_IPV6) {
    const char *which = family ? "ipv4" : "no";
    if (route->address.family != AF_INET)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<route>: %s family specified for non-IPv4 address '%s'", which,
                           nc_parse_q(ctx, address));
    if (route->gateway.family != AF_INET)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<route>: %s family specified for non-IPv4 gateway '%s'", which,
                           nc_parse_q(ctx, gateway));
    if (netmask) {
      if (!nc_sockaddr_parse(netmask, AF_UNSPEC, &route->netmask))
        return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<route>: bad netmask '%s'",
                             nc_parse_q(ctx, netmask));
      if (route->netmask.family != AF_INET)
        return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                             "<route>: invalid netmask '%s' for address '%s' (both must be IPv4)",
                             nc_parse_q(ctx, netmask), nc_parse_q(ctx, address));
      if (route->has_prefix)
        return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                             "<route>: cannot have both a prefix and a netmask");
      if (nc_sockaddr_netmask_to_prefix(&route->netmask) < 0)
        return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                             "<route>: netmask '%s' is not contiguous", nc_parse_q(ctx, netmask));
    }
    bits = 32;
  } else {
    if (route->address.family != AF_INET6)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<route>: ipv6 family specified for non-IPv6 address '%s'",
                           nc_parse_q(ctx, address));
    if (netmask)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<route>: netmask not allowed for IPv6 address '%s'",
                           nc_parse_q(ctx, address));
    if (route->gateway.family != AF_INET6)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<route>: ipv6 family specified for non-IPv6 gateway '%s'",
                           nc_parse_q(ctx, gateway));
    bits = 128;
  }
  if (prefix > bits)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<route>: invalid prefix %" G_GUINT64_FORMAT " (must be 0 - %u)", prefix,
                         bits);
  route->prefix = (guint)prefix;
  route->family = route->address.family;

  /* The destination must be a network address. Like libvirt, a missing
   * prefix and netmask means /0, so only 0.0.0.0 or :: pass without one. */
  if (!nc_sockaddr_network(
          &route->address,
          netmask ? (guint)nc_sockaddr_netmask_to_prefix(&route->netmask) : route->prefix, &net)
      || !nc_sockaddr_equal(&net, &route->address))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<route>: address '%s' is not a network address%s",
                         nc_parse_q(ctx, address),
                         netmask || route->has_prefix ? "" : " (give a prefix or netmask)");

  *ret_route = g_steal_pointer(&route);
  return TRUE;
}
