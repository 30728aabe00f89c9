/* DHCP leases of OVN networks from the NB (see ovn-leases.h). */
#include "ovn-leases.h"

#include <errno.h>
#include <string.h>

#include "nc-addr.h"
#include "nc-error.h"
#include "network-netctl-ovn.h"
#include "ovn-nb.h"

/* The static host's name for that MAC, NULL when none. */
static const char *
host_name(const NcIpDef *ip, const NcMac *mac)
{
  for (guint i = 0; ip->hosts && i < ip->hosts->len; i++) {
    const NcDhcpHost *h = ip->hosts->pdata[i];
    if (h->has_mac && memcmp(h->mac.addr, mac->addr, NC_MAC_LEN) == 0)
      return h->name;
  }
  return NULL;
}

GPtrArray *
nc_ovn_leases_read(const NcNetworkDef *def, const char *mac, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  const NcIpDef *ip = NULL, *ip6 = NULL;
  for (guint i = 0; def->ips && i < def->ips->len; i++) {
    const NcIpDef *d = def->ips->pdata[i];
    if (d->family == AF_INET && !ip)
      ip = d;
    else if (d->family == AF_INET6 && !ip6)
      ip6 = d;
  }
  g_autoptr(GPtrArray) leases = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dhcp_lease_free);
  if (!ip && !ip6)
    return g_steal_pointer(&leases);
  g_autoptr(GPtrArray) addresses = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_port_addresses(nc_network_def_ovn(def)->nb, uuid, &addresses, &detail);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': cannot read its addresses from OVN's northbound database at "
                "'%s': %s",
                def->name, nc_network_def_ovn(def)->nb, detail ? detail : g_strerror(-r));
    return NULL;
  }
  NcMac want;
  gboolean filter = mac && mac[0] && nc_mac_parse(mac, &want);
  for (guint i = 0; i < addresses->len; i++) {
    g_auto(GStrv) parts = g_strsplit(addresses->pdata[i], " ", -1);
    NcMac m;
    if (!parts[0] || !nc_mac_parse(parts[0], &m))
      continue;
    if (filter && memcmp(m.addr, want.addr, NC_MAC_LEN) != 0)
      continue;
    char mtext[18];
    nc_mac_format(&m, mtext);
    /* "MAC [IPv4] [IPv6]": one lease per address of a family the network has */
    for (guint k = 1; parts[k]; k++) {
      NcSockAddr a;
      if (!nc_sockaddr_parse(parts[k], AF_UNSPEC, &a))
        continue;
      const NcIpDef *of = a.family == AF_INET ? ip : ip6;
      if (!of)
        continue;
      NcDhcpLease *l = g_new0(NcDhcpLease, 1);
      l->iface = g_strconcat("netctl-", def->name, NULL);
      l->expiry_time = 0;
      l->type = a.family == AF_INET6 ? 1 : 0;
      l->mac = g_strdup(mtext);
      l->ipaddr = nc_sockaddr_format(&a);
      l->prefix = (guint)MAX(nc_ip_def_prefix(of), 0);
      l->hostname = g_strdup(ip ? host_name(ip, &m) : NULL);
      g_ptr_array_add(leases, l);
    }
  }
  return g_steal_pointer(&leases);
}
