/* Checks a managed-bridge network must pass before anything is created:
 * subnet collisions with the host's routes and addresses, and the IPv6
 * forwarding trap. Pure functions over route and address lists, so tests
 * can feed them made-up tables. */
#include <errno.h>
#include <linux/rtnetlink.h>

#include "nc-error.h"
#include "virtual-private.h"

static gboolean
is_link_local6(const NcSockAddr *a)
{
  return a->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a->u.v6);
}

static gboolean
same_subnet(const NcSockAddr *a, guint a_prefix, const NcSockAddr *b, guint b_prefix)
{
  if (a->family != b->family || a_prefix != b_prefix)
    return FALSE;
  return nc_sockaddr_in_subnet(a, b, b_prefix);
}

static char *
describe(const NcSockAddr *addr, guint prefix)
{
  g_autofree char *s = nc_sockaddr_format(addr);
  return g_strdup_printf("%s/%u", s ? s : "?", prefix);
}

static gboolean
route_collides(const NcNetworkDef *def, const NcRouteEntry *rt, GError **error)
{
  g_autofree char *host = describe(&rt->dst, rt->prefix);
  const char *dev = rt->ifname[0] ? rt->ifname : "(no device)";

  for (guint i = 0; def->ips && i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    int prefix = nc_ip_def_prefix(ip);
    if (prefix < 0 || ip->address.family != rt->dst.family)
      continue;
    NcSockAddr net;
    if (!nc_sockaddr_network(&ip->address, prefix, &net))
      continue;
    g_autofree char *ours = describe(&net, prefix);
    g_autofree char *given = nc_sockaddr_format(&ip->address);
    if (same_subnet(&rt->dst, rt->prefix, &net, prefix)) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                  "network '%s': its subnet %s (<ip address='%s'>) is already in use by "
                  "interface %s (route %s); pick another subnet or remove that route",
                  def->name, ours, given, dev, host);
      return TRUE;
    }
    if ((guint)prefix < rt->prefix && nc_sockaddr_in_subnet(&rt->dst, &net, prefix)) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                  "network '%s': the host route %s on interface %s lies inside its subnet %s "
                  "(<ip address='%s'>) and would take those addresses away from the bridge; "
                  "pick another subnet or remove that route",
                  def->name, host, dev, ours, given);
      return TRUE;
    }
  }
  for (guint i = 0; def->routes && i < def->routes->len; i++) {
    const NcRouteDef *r = def->routes->pdata[i];
    int prefix = nc_route_def_prefix(r);
    NcSockAddr net;
    if (prefix < 0 || r->address.family != rt->dst.family
        || !nc_sockaddr_network(&r->address, prefix, &net))
      continue;
    if (same_subnet(&rt->dst, rt->prefix, &net, prefix)) {
      g_autofree char *ours = describe(&net, prefix);
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                  "network '%s': its <route address='%s'> conflicts with the host route %s on "
                  "interface %s",
                  def->name, ours, host, dev);
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
nc_virtual_check_collisions(const NcNetworkDef *def, GArray *routes, GArray *addrs, int own_ifindex,
                            GError **error)
{
  for (guint i = 0; routes && i < routes->len; i++) {
    const NcRouteEntry *rt = &g_array_index(routes, NcRouteEntry, i);
    if (rt->prefix == 0 || (own_ifindex > 0 && rt->ifindex == own_ifindex)
        || is_link_local6(&rt->dst) || rt->type == RTN_MULTICAST)
      continue;
    if (route_collides(def, rt, error))
      return FALSE;
  }
  for (guint i = 0; addrs && i < addrs->len; i++) {
    const NcAddrEntry *a = &g_array_index(addrs, NcAddrEntry, i);
    if (own_ifindex > 0 && a->ifindex == own_ifindex)
      continue;
    for (guint j = 0; def->ips && j < def->ips->len; j++) {
      const NcIpDef *ip = def->ips->pdata[j];
      if (!nc_sockaddr_equal(&ip->address, &a->addr))
        continue;
      g_autofree char *s = nc_sockaddr_format(&a->addr);
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                  "network '%s': its address %s (<ip address='%s'>) is already assigned to "
                  "interface %s",
                  def->name, s, s, a->ifname[0] ? a->ifname : "?");
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
nc_virtual_check_ipv6_forwarding(NcKernel *kernel, const NcNetworkDef *def, GArray *routes,
                                 GError **error)
{
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; routes && i < routes->len; i++) {
    const NcRouteEntry *rt = &g_array_index(routes, NcRouteEntry, i);
    if (rt->dst.family != AF_INET6 || rt->protocol != RTPROT_RA || !rt->ifname[0])
      continue;
    gboolean seen = FALSE;
    for (guint j = 0; j < bad->len && !seen; j++)
      seen = g_str_equal(bad->pdata[j], rt->ifname);
    if (seen)
      continue;
    g_autofree char *key = nc_sysctl_iface_key("ipv6", rt->ifname, "accept_ra");
    g_autofree char *value = NULL;
    if (!key || nc_sysctl_read(kernel, key, &value) < 0)
      continue;
    if (!g_str_equal(value, "2"))
      g_ptr_array_add(bad, g_strdup(rt->ifname));
  }
  if (bad->len == 0)
    return TRUE;
  g_ptr_array_add(bad, NULL);
  g_autofree char *list = g_strjoinv(", ", (char **)bad->pdata);
  g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
              "network '%s': enabling IPv6 forwarding would make the kernel drop the routes "
              "that router advertisements gave interface(s) %s; set "
              "net.ipv6.conf.<interface>.accept_ra=2 on them first",
              def->name, list);
  return FALSE;
}
