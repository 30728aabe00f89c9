/* Semantic checks of <ip> (addresses, prefixes, <dhcp>, <tftp>, <bootp>) and
 * <route>: libvirt's virNetworkIPDefParseXML, virNetworkDHCP*ParseXML,
 * virSocketAddrGetRange, virNetDevIPRouteCreate and the static-route gateway
 * check of virNetworkDefParseXML, plus networkValidate's one-DHCP-per-family
 * rule. */
#include "network-check-priv.h"
#include "network-check-names.h"

static guint
family_bits(int family)
{
  return family == AF_INET6 ? 128 : 32;
}

static const char *
family_name(int family)
{
  return family == AF_INET6 ? "IPv6" : family == AF_INET ? "IPv4" : "unknown";
}

/* libvirt's virNetworkIPDefPrefix: prefix= when non-zero, else netmask=, else
 * the classful default. -1 when none applies or the netmask is not contiguous. */
static int
ip_prefix(const NcIpDef *ip)
{
  if (ip->has_prefix && ip->prefix > 0)
    return ip->prefix <= family_bits(ip->address.family) ? (int)ip->prefix : -1;
  if (nc_sockaddr_is_set(&ip->netmask))
    return nc_sockaddr_netmask_to_prefix(&ip->netmask);
  return nc_sockaddr_default_prefix(&ip->address);
}

gboolean
nc_check_ip_subnet(const NcIpDef *ip, NcSockAddr *ret_net, guint *ret_prefix)
{
  int prefix = ip_prefix(ip);
  NcSockAddr net;

  if (prefix < 0 || !nc_sockaddr_network(&ip->address, (guint)prefix, &net))
    return FALSE;
  *ret_net = net;
  *ret_prefix = (guint)prefix;
  return TRUE;
}

/* -- leases --------------------------------------------------------------- */

static gboolean
check_lease(const NcCheck *c, GError **error, guint line, const char *where, const NcLease *lease)
{
  guint64 mult = 60;

  if (!lease->has_lease || lease->expiry == 0) /* 0 is "infinite" */
    return TRUE;
  switch (lease->unit) {
  case NC_LEASE_UNIT_SECONDS:
    mult = 1;
    break;
  case NC_LEASE_UNIT_ABSENT:
  case NC_LEASE_UNIT_MINUTES:
    mult = 60;
    break;
  case NC_LEASE_UNIT_HOURS:
    mult = 3600;
    break;
  case _NC_LEASE_UNIT_MAX:
    return nc_check_fail(c, error, NC_ERROR_INTERNAL_ERROR, line, "%s<lease>: unknown unit", where);
  }
  /* dnsmasq: "The minimum lease time is two minutes." */
  if (lease->expiry * mult < 120)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, line,
                         "%s<lease expiry='%" G_GUINT64_FORMAT "' unit='%s'>: the minimum lease "
                         "time should be greater than 2 minutes",
                         where, lease->expiry,
                         nc_lease_unit_to_string(lease->unit) ? nc_lease_unit_to_string(lease->unit)
                                                              : "minutes");
  /* dnsmasq keeps lease times in 32 bits; larger values would wrap. */
  if (lease->expiry > G_MAXUINT32 / mult)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, line,
                         "%s<lease expiry='%" G_GUINT64_FORMAT "'>: lease time too long (at most "
                         "%u seconds; use expiry='0' for an infinite lease)",
                         where, lease->expiry, G_MAXUINT32 - 1);
  return TRUE;
}

/* -- <dhcp><range> ---------------------------------------------------------- */

static gboolean
check_range(const NcCheck *c, GError **error, const NcIpDef *ip, const NcSockAddr *net,
            guint prefix, const NcDhcpRange *r)
{
  g_autofree char *s = nc_check_addr(&r->start);
  g_autofree char *e = nc_check_addr(&r->end);
  g_autofree char *n = nc_check_addr(net);
  guint line = r->line ? r->line : ip->line;
  const guint8 *sb, *eb;
  gsize same;

  if (!nc_sockaddr_is_set(&r->start) || !nc_sockaddr_is_set(&r->end))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><range>: missing 'start' or 'end' attribute");
  if (r->start.family != r->end.family || r->start.family != ip->address.family)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><range start='%s' end='%s'>: mismatch of address family with "
                         "network %s/%u",
                         s, e, n, prefix);
  if (!nc_sockaddr_in_subnet(&r->start, net, prefix)
      || !nc_sockaddr_in_subnet(&r->end, net, prefix))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><range start='%s' end='%s'>: range is not entirely within "
                         "network %s/%u",
                         s, e, n, prefix);
  if (r->start.family == AF_INET) {
    NcSockAddr bcast;

    if (nc_sockaddr_equal(&r->start, net))
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                           "<dhcp><range start='%s' end='%s'>: start of range is the network "
                           "address of %s/%u",
                           s, e, n, prefix);
    if (nc_sockaddr_broadcast(net, prefix, &bcast) && nc_sockaddr_equal(&r->end, &bcast))
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                           "<dhcp><range start='%s' end='%s'>: end of range is the broadcast "
                           "address of %s/%u",
                           s, e, n, prefix);
  }

  /* libvirt's legacy size rule: all but the last 16 bits must be equal. */
  if (r->start.family == AF_INET) {
    sb = (const guint8 *)&r->start.u.v4;
    eb = (const guint8 *)&r->end.u.v4;
    same = 2;
  } else {
    sb = r->start.u.v6.s6_addr;
    eb = r->end.u.v6.s6_addr;
    same = 14;
  }
  if (memcmp(sb, eb, same) != 0)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><range start='%s' end='%s'>: range is too large (> 65535)", s, e);
  if (nc_sockaddr_compare(&r->start, &r->end) > 0)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><range start='%s' end='%s'>: range is reversed (start is after "
                         "end)",
                         s, e);
  return check_lease(c, error, line, "<dhcp><range>", &r->lease);
}

/* -- <dhcp><host> ------------------------------------------------------------ */

static gboolean
check_dhcp_host(const NcCheck *c, GError **error, const NcIpDef *ip, const NcSockAddr *net,
                guint prefix, const NcDhcpHost *h)
{
  guint line = h->line ? h->line : ip->line;
  gboolean v6 = ip->address.family == AF_INET6;
  char mac[18] = "";

  if (h->has_mac)
    nc_mac_format(&h->mac, mac);

  if (h->has_mac && v6)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host mac='%s'>: invalid to specify a MAC address in an IPv6 "
                         "static host definition; use id= (a DUID) or name=",
                         mac);
  if (h->has_mac && nc_mac_is_multicast(&h->mac))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host mac='%s'>: expected unicast mac address, found multicast",
                         mac);
  if (h->id) {
    gsize ok = strspn(h->id, "0123456789abcdefABCDEF:");
    if (h->id[ok]) {
      g_autofree char *id = nc_name_escape(h->id);
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                           "<dhcp><host id='%s'>: invalid character in id (only hex digits and "
                           "':' are allowed)",
                           id);
    }
  }
  if (h->name && !g_ascii_isalnum(h->name[0])) {
    g_autofree char *name = nc_name_escape(h->name);
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host name='%s'>: cannot use host name: it must start with a "
                         "letter or digit",
                         name);
  }
  if (v6 && !(h->id || h->name))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host>: static host definition in an IPv6 network must have an "
                         "id or name attribute");
  if (!v6 && !(h->has_mac || h->name))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host>: static host definition in an IPv4 network must have a "
                         "mac or name attribute");
  if (!nc_sockaddr_is_set(&h->ip))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host>: missing IP address in static host definition");
  if (h->ip.family != ip->address.family) {
    g_autofree char *a = nc_check_addr(&h->ip);
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host ip='%s'>: %s address in the <dhcp> of an %s <ip>", a,
                         family_name(h->ip.family), family_name(ip->address.family));
  }
  /* Stricter than libvirt: dnsmasq ignores a host outside every range's
   * subnet, so the guest would silently get no fixed address. */
  if (!nc_sockaddr_in_subnet(&h->ip, net, prefix)) {
    g_autofree char *a = nc_check_addr(&h->ip);
    g_autofree char *n = nc_check_addr(net);
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "<dhcp><host ip='%s'>: address is outside the network %s/%u", a, n,
                         prefix);
  }
  return check_lease(c, error, line, "<dhcp><host>", &h->lease);
}

/* -- <ip> -------------------------------------------------------------------- */

static gboolean
check_ip_address(const NcCheck *c, GError **error, const NcIpDef *ip)
{
  g_autofree char *a = nc_check_addr(&ip->address);
  int family = ip->address.family;

  if (!nc_sockaddr_is_set(&ip->address))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, ip->line,
                         "<ip>: missing required address attribute");

  switch (ip->family_attr) {
  case NC_IP_FAMILY_ABSENT:
  case NC_IP_FAMILY_IPV4:
    if (family != AF_INET)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip address='%s'>: %s family specified for non-IPv4 address%s", a,
                           ip->family_attr == NC_IP_FAMILY_IPV4 ? "ipv4" : "no",
                           ip->family_attr == NC_IP_FAMILY_IPV4 ? "" : " (add family='ipv6')");
    if (nc_sockaddr_is_set(&ip->netmask)) {
      g_autofree char *m = nc_check_addr(&ip->netmask);
      if (ip->netmask.family != AF_INET)
        return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                             "<ip address='%s' netmask='%s'>: invalid netmask (both must be "
                             "IPv4)",
                             a, m);
      if (ip->has_prefix && ip->prefix > 0)
        return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                             "<ip address='%s'>: cannot have both a prefix and a netmask", a);
      if (nc_sockaddr_netmask_to_prefix(&ip->netmask) < 0)
        return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                             "<ip address='%s' netmask='%s'>: netmask is not contiguous", a, m);
    } else if (ip->has_prefix && ip->prefix > 32) {
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip address='%s' prefix='%u'>: invalid IPv4 prefix (0-32)", a,
                           ip->prefix);
    }
    break;
  case NC_IP_FAMILY_IPV6:
    if (family != AF_INET6)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip family='ipv6' address='%s'>: family 'ipv6' specified for "
                           "non-IPv6 address",
                           a);
    if (nc_sockaddr_is_set(&ip->netmask))
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip address='%s'>: netmask not allowed for IPv6 address; use "
                           "prefix=",
                           a);
    if (ip->has_prefix && ip->prefix > 128)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip address='%s' prefix='%u'>: invalid IPv6 prefix (0-128)", a,
                           ip->prefix);
    break;
  case _NC_IP_FAMILY_MAX:
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, ip->line,
                         "<ip address='%s'>: unrecognized family", a);
  }
  if (ip_prefix(ip) < 0)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                         "<ip address='%s'>: cannot determine the network prefix of a class "
                         "D/E address; add prefix= or netmask=",
                         a);
  return TRUE;
}

static gboolean
check_ip(const NcCheck *c, GError **error, const NcIpDef *ip)
{
  NcSockAddr net;
  guint prefix;
  gboolean v4;

  if (!check_ip_address(c, error, ip))
    return FALSE;
  v4 = ip->address.family == AF_INET;
  if (!nc_check_ip_subnet(ip, &net, &prefix))
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                         "<ip>: invalid network prefix");

  if (ip->tftp_root && !v4)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                         "<ip>: unsupported <tftp> element in an IPv6 element");
  if ((ip->bootp_file || nc_sockaddr_is_set(&ip->bootp_server)) && !v4)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                         "<ip>: unsupported <bootp> element in an IPv6 element");
  if (nc_sockaddr_is_set(&ip->bootp_server) && !ip->bootp_file)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, ip->line,
                         "<dhcp><bootp>: missing required file attribute");
  if (nc_sockaddr_is_set(&ip->bootp_server) && ip->bootp_server.family != AF_INET) {
    g_autofree char *s = nc_check_addr(&ip->bootp_server);
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, ip->line,
                         "<dhcp><bootp server='%s'>: the boot server must be an IPv4 address", s);
  }

  /* The reverse zone of the subnet can only be named on a label boundary
   * (libvirt fails later, when dnsmasq is configured). */
  if (ip->local_ptr == NC_TRISTATE_YES) {
    guint step = v4 ? 8 : 4;
    if (prefix == 0 || prefix >= family_bits(ip->address.family) || prefix % step != 0) {
      g_autofree char *a = nc_check_addr(&ip->address);
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip address='%s' localPtr='yes'>: PTR domain for %s network with "
                           "prefix %u cannot be automatically created (the prefix must be a "
                           "multiple of %u)",
                           a, family_name(ip->address.family), prefix, step);
    }
  }

  for (guint i = 0; ip->ranges && i < ip->ranges->len; i++)
    if (!check_range(c, error, ip, &net, prefix, g_ptr_array_index(ip->ranges, i)))
      return FALSE;
  for (guint i = 0; ip->hosts && i < ip->hosts->len; i++)
    if (!check_dhcp_host(c, error, ip, &net, prefix, g_ptr_array_index(ip->hosts, i)))
      return FALSE;
  return TRUE;
}

gboolean
nc_check_ips(const NcCheck *c, GError **error)
{
  const GPtrArray *ips = c->def->ips;
  gboolean v4dhcp = FALSE, v6dhcp = FALSE;

  for (guint i = 0; ips && i < ips->len; i++) {
    const NcIpDef *ip = g_ptr_array_index(ips, i);
    gboolean dhcp = (ip->ranges && ip->ranges->len) || (ip->hosts && ip->hosts->len);
    gboolean *seen = ip->address.family == AF_INET6 ? &v6dhcp : &v4dhcp;

    if (!check_ip(c, error, ip))
      return FALSE;
    if (!dhcp)
      continue;
    if (*seen)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip>: multiple %s dhcp sections found -- dhcp is supported only for "
                           "a single %s address on each network",
                           family_name(ip->address.family), family_name(ip->address.family));
    *seen = TRUE;
  }
  return TRUE;
}

/* -- <route> ----------------------------------------------------------------- */

static gboolean
check_route(const NcCheck *c, GError **error, const NcRouteDef *r)
{
  g_autofree char *a = nc_check_addr(&r->address);
  g_autofree char *gw = nc_check_addr(&r->gateway);
  gboolean want_v6 = r->family_attr == NC_IP_FAMILY_IPV6;
  int want = want_v6 ? AF_INET6 : AF_INET;
  const char *fam = want_v6 ? "ipv6" : r->family_attr == NC_IP_FAMILY_IPV4 ? "ipv4" : "no";
  NcSockAddr test;
  guint prefix = 0;

  if (!nc_sockaddr_is_set(&r->address))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                         "<route>: missing required address attribute");
  if (!nc_sockaddr_is_set(&r->gateway))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                         "<route address='%s'>: missing required gateway attribute", a);
  if (r->family_attr == _NC_IP_FAMILY_MAX)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                         "<route address='%s'>: unrecognized family", a);
  if (r->address.family != want)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                         "<route address='%s'>: %s family specified for non-%s address", a, fam,
                         family_name(want));
  if (r->gateway.family != want)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                         "<route gateway='%s'>: %s family specified for non-%s gateway", gw, fam,
                         family_name(want));

  if (nc_sockaddr_is_set(&r->netmask)) {
    g_autofree char *m = nc_check_addr(&r->netmask);
    int p;

    if (want_v6)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                           "<route address='%s'>: specifying netmask invalid for IPv6 address", a);
    if (r->netmask.family != AF_INET)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                           "<route address='%s' netmask='%s'>: invalid netmask (both must be "
                           "IPv4)",
                           a, m);
    if (r->has_prefix)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                           "<route address='%s'>: route definition cannot have both a prefix "
                           "and a netmask",
                           a);
    p = nc_sockaddr_netmask_to_prefix(&r->netmask);
    if (p < 0)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                           "<route address='%s' netmask='%s'>: netmask is not contiguous", a, m);
    prefix = (guint)p;
  } else if (r->has_prefix) {
    if (r->prefix > family_bits(want))
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                           "<route address='%s' prefix='%u'>: invalid prefix, must be 0 - %u", a,
                           r->prefix, family_bits(want));
    prefix = r->prefix;
  }
  if (r->has_metric && r->metric == 0)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                         "<route address='%s' metric='0'>: metric must be greater than 0", a);

  if (!nc_sockaddr_network(&r->address, prefix, &test) || !nc_sockaddr_equal(&test, &r->address))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, r->line,
                         "<route address='%s'>: address is not a network address for prefix %u", a,
                         prefix);

  /* The gateway must be directly reachable from the bridge. */
  for (guint j = 0; c->def->ips && j < c->def->ips->len; j++) {
    const NcIpDef *ip = g_ptr_array_index(c->def->ips, j);
    NcSockAddr net;
    guint ipprefix;

    if (ip->address.family == r->gateway.family && nc_check_ip_subnet(ip, &net, &ipprefix)
        && nc_sockaddr_in_subnet(&r->gateway, &net, ipprefix))
      return TRUE;
  }
  return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, r->line,
                       "<route gateway='%s'>: unreachable static route gateway: it is not in "
                       "the subnet of any <ip> of the network",
                       gw);
}

gboolean
nc_check_routes(const NcCheck *c, GError **error)
{
  const GPtrArray *routes = c->def->routes;

  for (guint i = 0; routes && i < routes->len; i++)
    if (!check_route(c, error, g_ptr_array_index(routes, i)))
      return FALSE;
  return TRUE;
}
