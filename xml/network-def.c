/* Lifetime of the network model: constructors, destructors, deep copy, and the
 * small derived values (effective prefix, DHCP <ip>, define-time defaults). */
#include "network-def.h"
#include "network-kind.h"
#include "network-netctl-ns.h"

#include <string.h>

/* -- shared sub-elements --------------------------------------------------- */

NcBandwidth *
nc_bandwidth_new(void)
{
  return g_new0(NcBandwidth, 1);
}

void
nc_bandwidth_free(NcBandwidth *bw)
{
  if (!bw)
    return;
  g_free(bw->in);
  g_free(bw->out);
  g_free(bw);
}

NcVlan *
nc_vlan_new(void)
{
  NcVlan *vlan = g_new0(NcVlan, 1);
  vlan->tags = g_array_new(FALSE, TRUE, sizeof(NcVlanTag));
  return vlan;
}

void
nc_vlan_free(NcVlan *vlan)
{
  if (!vlan)
    return;
  if (vlan->tags)
    g_array_unref(vlan->tags);
  g_free(vlan);
}

NcVirtualPort *
nc_virtualport_new(void)
{
  return g_new0(NcVirtualPort, 1);
}

void
nc_virtualport_free(NcVirtualPort *vp)
{
  if (!vp)
    return;
  g_free(vp->profileid);
  g_free(vp);
}

NcDomain *
nc_domain_new(void)
{
  return g_new0(NcDomain, 1);
}

void
nc_domain_free(NcDomain *domain)
{
  if (!domain)
    return;
  g_free(domain->name);
  g_free(domain);
}

/* -- <forward> children ------------------------------------------------------ */

void
nc_forward_if_free(NcForwardIf *fi)
{
  if (!fi)
    return;
  g_free(fi->dev);
  g_free(fi);
}

void
nc_pci_addr_free(NcPciAddr *addr)
{
  g_free(addr);
}

static void
forward_pf_free(NcForwardPf *pf)
{
  if (!pf)
    return;
  g_free(pf->dev);
  g_free(pf);
}

/* -- <dns> children ------------------------------------------------------------ */

void
nc_dns_forwarder_free(NcDnsForwarder *f)
{
  if (!f)
    return;
  g_free(f->domain);
  g_free(f);
}

void
nc_dns_txt_free(NcDnsTxt *txt)
{
  if (!txt)
    return;
  g_free(txt->name);
  g_free(txt->value);
  g_free(txt);
}

void
nc_dns_srv_free(NcDnsSrv *srv)
{
  if (!srv)
    return;
  g_free(srv->service);
  g_free(srv->protocol);
  g_free(srv->domain);
  g_free(srv->target);
  g_free(srv);
}

NcDnsHost *
nc_dns_host_new(void)
{
  NcDnsHost *host = g_new0(NcDnsHost, 1);
  host->hostnames = g_ptr_array_new_with_free_func(g_free);
  return host;
}

void
nc_dns_host_free(NcDnsHost *host)
{
  if (!host)
    return;
  if (host->hostnames)
    g_ptr_array_unref(host->hostnames);
  g_free(host);
}

/* -- <ip> ------------------------------------------------------------------------ */

void
nc_dhcp_range_free(NcDhcpRange *range)
{
  g_free(range);
}

void
nc_dhcp_host_free(NcDhcpHost *host)
{
  if (!host)
    return;
  g_free(host->mac_text);
  g_free(host->id);
  g_free(host->name);
  g_free(host);
}

NcIpDef *
nc_ip_def_new(void)
{
  NcIpDef *ip = g_new0(NcIpDef, 1);
  ip->ranges = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dhcp_range_free);
  ip->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dhcp_host_free);
  return ip;
}

void
nc_ip_def_free(NcIpDef *ip)
{
  if (!ip)
    return;
  g_free(ip->tftp_root);
  if (ip->ranges)
    g_ptr_array_unref(ip->ranges);
  if (ip->hosts)
    g_ptr_array_unref(ip->hosts);
  g_free(ip->bootp_file);
  g_free(ip);
}

void
nc_route_def_free(NcRouteDef *route)
{
  g_free(route);
}

void
nc_portgroup_free(NcPortGroup *pg)
{
  if (!pg)
    return;
  g_free(pg->name);
  nc_virtualport_free(pg->virtualport);
  nc_bandwidth_free(pg->bandwidth);
  nc_vlan_free(pg->vlan);
  g_free(pg);
}

/* -- the network ------------------------------------------------------------------ */

static void
dns_init(NcDns *dns)
{
  dns->forwarders = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dns_forwarder_free);
  dns->txts = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dns_txt_free);
  dns->srvs = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dns_srv_free);
  dns->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dns_host_free);
}

NcNetworkDef *
nc_network_def_new(void)
{
  NcNetworkDef *def = g_new0(NcNetworkDef, 1);

  def->forward.ifs = g_ptr_array_new_with_free_func((GDestroyNotify)nc_forward_if_free);
  def->forward.addrs = g_ptr_array_new_with_free_func((GDestroyNotify)nc_pci_addr_free);
  dns_init(&def->dns);
  def->ips = g_ptr_array_new_with_free_func((GDestroyNotify)nc_ip_def_free);
  def->routes = g_ptr_array_new_with_free_func((GDestroyNotify)nc_route_def_free);
  def->portgroups = g_ptr_array_new_with_free_func((GDestroyNotify)nc_portgroup_free);
  def->dnsmasq_options = g_ptr_array_new_with_free_func(g_free);
  return def;
}

static void
ptr_array_clear(GPtrArray **arr)
{
  g_clear_pointer(arr, g_ptr_array_unref);
}

void
nc_network_def_free(NcNetworkDef *def)
{
  if (!def)
    return;

  g_free(def->name);
  g_free(def->title);
  g_free(def->description);
  if (def->metadata) {
    /* The copy lives in its own private document (see the parser), or is a
     * bare node without one. */
    if (def->metadata->doc && def->metadata->doc->children == def->metadata)
      xmlFreeDoc(def->metadata->doc);
    else
      xmlFreeNode(def->metadata);
  }

  g_free(def->forward.dev);
  g_free(def->forward.driver_model);
  forward_pf_free(def->forward.pf);
  ptr_array_clear(&def->forward.ifs);
  ptr_array_clear(&def->forward.addrs);

  g_free(def->bridge.name);
  g_free(def->bridge.zone);
  nc_domain_free(def->domain);

  ptr_array_clear(&def->dns.forwarders);
  ptr_array_clear(&def->dns.txts);
  ptr_array_clear(&def->dns.srvs);
  ptr_array_clear(&def->dns.hosts);

  nc_vlan_free(def->vlan);
  nc_bandwidth_free(def->bandwidth);
  ptr_array_clear(&def->ips);
  ptr_array_clear(&def->routes);
  nc_virtualport_free(def->virtualport);
  ptr_array_clear(&def->portgroups);
  ptr_array_clear(&def->dnsmasq_options);
  g_clear_pointer(&def->netctl, nc_netctl_ext_free);
  g_free(def->source_file);
  g_free(def);
}

/* -- deep copy --------------------------------------------------------------------- */

NcBandwidth *
nc_bandwidth_copy(const NcBandwidth *src)
{
  NcBandwidth *bw;

  if (!src)
    return NULL;
  bw = g_memdup2(src, sizeof(*src));
  bw->in = src->in ? g_memdup2(src->in, sizeof(*src->in)) : NULL;
  bw->out = src->out ? g_memdup2(src->out, sizeof(*src->out)) : NULL;
  return bw;
}

NcVlan *
nc_vlan_copy(const NcVlan *src)
{
  NcVlan *vlan;

  if (!src)
    return NULL;
  vlan = nc_vlan_new();
  vlan->trunk = src->trunk;
  vlan->line = src->line;
  if (src->tags)
    g_array_append_vals(vlan->tags, src->tags->data, src->tags->len);
  return vlan;
}

NcVirtualPort *
nc_virtualport_copy(const NcVirtualPort *src)
{
  NcVirtualPort *vp;

  if (!src)
    return NULL;
  vp = g_memdup2(src, sizeof(*src));
  vp->profileid = g_strdup(src->profileid);
  return vp;
}

static gpointer
forward_if_copy(gconstpointer p, gpointer unused)
{
  const NcForwardIf *src = p;
  NcForwardIf *fi = g_memdup2(src, sizeof(*src));
  fi->dev = g_strdup(src->dev);
  return fi;
}

static gpointer
plain_copy_pci(gconstpointer p, gpointer unused)
{
  return g_memdup2(p, sizeof(NcPciAddr));
}

static gpointer
plain_copy_range(gconstpointer p, gpointer unused)
{
  return g_memdup2(p, sizeof(NcDhcpRange));
}

static gpointer
plain_copy_route(gconstpointer p, gpointer unused)
{
  return g_memdup2(p, sizeof(NcRouteDef));
}

static gpointer
dns_forwarder_copy(gconstpointer p, gpointer unused)
{
  const NcDnsForwarder *src = p;
  NcDnsForwarder *f = g_memdup2(src, sizeof(*src));
  f->domain = g_strdup(src->domain);
  return f;
}

static gpointer
dns_txt_copy(gconstpointer p, gpointer unused)
{
  const NcDnsTxt *src = p;
  NcDnsTxt *t = g_memdup2(src, sizeof(*src));
  t->name = g_strdup(src->name);
  t->value = g_strdup(src->value);
  return t;
}

static gpointer
dns_srv_copy(gconstpointer p, gpointer unused)
{
  const NcDnsSrv *src = p;
  NcDnsSrv *s = g_memdup2(src, sizeof(*src));
  s->service = g_strdup(src->service);
  s->protocol = g_strdup(src->protocol);
  s->domain = g_strdup(src->domain);
  s->target = g_strdup(src->target);
  return s;
}

static gpointer
str_copy(gconstpointer p, gpointer unused)
{
  return g_strdup(p);
}

static gpointer
dns_host_copy(gconstpointer p, gpointer unused)
{
  const NcDnsHost *src = p;
  NcDnsHost *h = g_memdup2(src, sizeof(*src));
  h->hostnames = g_ptr_array_copy(src->hostnames, str_copy, NULL);
  g_ptr_array_set_free_func(h->hostnames, g_free);
  return h;
}

static gpointer
dhcp_host_copy(gconstpointer p, gpointer unused)
{
  const NcDhcpHost *src = p;
  NcDhcpHost *h = g_memdup2(src, sizeof(*src));
  h->mac_text = g_strdup(src->mac_text);
  h->id = g_strdup(src->id);
  h->name = g_strdup(src->name);
  return h;
}

static gpointer
ip_copy(gconstpointer p, gpointer unused)
{
  const NcIpDef *src = p;
  NcIpDef *ip = g_memdup2(src, sizeof(*src));
  ip->tftp_root = g_strdup(src->tftp_root);
  ip->bootp_file = g_strdup(src->bootp_file);
  ip->ranges = g_ptr_array_copy(src->ranges, plain_copy_range, NULL);
  g_ptr_array_set_free_func(ip->ranges, (GDestroyNotify)nc_dhcp_range_free);
  ip->hosts = g_ptr_array_copy(src->hosts, dhcp_host_copy, NULL);
  g_ptr_array_set_free_func(ip->hosts, (GDestroyNotify)nc_dhcp_host_free);
  return ip;
}

static gpointer
portgroup_copy(gconstpointer p, gpointer unused)
{
  const NcPortGroup *src = p;
  NcPortGroup *pg = g_memdup2(src, sizeof(*src));
  pg->name = g_strdup(src->name);
  pg->virtualport = nc_virtualport_copy(src->virtualport);
  pg->bandwidth = nc_bandwidth_copy(src->bandwidth);
  pg->vlan = nc_vlan_copy(src->vlan);
  return pg;
}

/* Copy an array, keeping the destination's free function. */
static void
array_copy_into(GPtrArray **dst, const GPtrArray *src, GCopyFunc func)
{
  for (guint i = 0; src && i < src->len; i++)
    g_ptr_array_add(*dst, func(g_ptr_array_index(src, i), NULL));
}

NcNetworkDef *
nc_network_def_copy(const NcNetworkDef *src)
{
  NcNetworkDef *def;

  if (!src)
    return NULL;

  def = nc_network_def_new();
  /* Scalars first, then replace every owned pointer with a copy. */
  {
    NcNetworkDef fresh = *def;
    *def = *src;
    def->forward.ifs = fresh.forward.ifs;
    def->forward.addrs = fresh.forward.addrs;
    def->dns.forwarders = fresh.dns.forwarders;
    def->dns.txts = fresh.dns.txts;
    def->dns.srvs = fresh.dns.srvs;
    def->dns.hosts = fresh.dns.hosts;
    def->ips = fresh.ips;
    def->routes = fresh.routes;
    def->portgroups = fresh.portgroups;
    def->dnsmasq_options = fresh.dnsmasq_options;
  }

  def->name = g_strdup(src->name);
  def->title = g_strdup(src->title);
  def->description = g_strdup(src->description);
  def->metadata = nc_network_def_metadata_copy(src->metadata);

  def->forward.dev = g_strdup(src->forward.dev);
  def->forward.driver_model = g_strdup(src->forward.driver_model);
  if (src->forward.pf) {
    def->forward.pf = g_memdup2(src->forward.pf, sizeof(*src->forward.pf));
    def->forward.pf->dev = g_strdup(src->forward.pf->dev);
  }
  array_copy_into(&def->forward.ifs, src->forward.ifs, forward_if_copy);
  array_copy_into(&def->forward.addrs, src->forward.addrs, plain_copy_pci);

  def->bridge.name = g_strdup(src->bridge.name);
  def->bridge.zone = g_strdup(src->bridge.zone);
  if (src->domain) {
    def->domain = g_memdup2(src->domain, sizeof(*src->domain));
    def->domain->name = g_strdup(src->domain->name);
  }

  array_copy_into(&def->dns.forwarders, src->dns.forwarders, dns_forwarder_copy);
  array_copy_into(&def->dns.txts, src->dns.txts, dns_txt_copy);
  array_copy_into(&def->dns.srvs, src->dns.srvs, dns_srv_copy);
  array_copy_into(&def->dns.hosts, src->dns.hosts, dns_host_copy);

  def->vlan = nc_vlan_copy(src->vlan);
  def->bandwidth = nc_bandwidth_copy(src->bandwidth);
  array_copy_into(&def->ips, src->ips, ip_copy);
  array_copy_into(&def->routes, src->routes, plain_copy_route);
  def->virtualport = nc_virtualport_copy(src->virtualport);
  array_copy_into(&def->portgroups, src->portgroups, portgroup_copy);
  array_copy_into(&def->dnsmasq_options, src->dnsmasq_options, str_copy);
  def->netctl = nc_netctl_ext_copy(src->netctl);
  def->source_file = g_strdup(src->source_file);
  return def;
}

/* A <metadata> copy that owns its own document, so it outlives the parsed
 * document and keeps its namespace declarations. Freed by nc_network_def_free. */
xmlNodePtr
nc_network_def_metadata_copy(xmlNodePtr metadata)
{
  xmlDocPtr doc;
  xmlNodePtr copy;

  if (!metadata)
    return NULL;
  doc = xmlNewDoc(BAD_CAST "1.0");
  copy = xmlDocCopyNode(metadata, doc, 1);
  if (!copy) {
    xmlFreeDoc(doc);
    return NULL;
  }
  xmlDocSetRootElement(doc, copy);
  return copy;
}

/* -- derived values ------------------------------------------------------------------ */

static int
effective_prefix(const NcSockAddr *address, const NcSockAddr *netmask, gboolean has_prefix,
                 guint prefix)
{
  /* libvirt's virSocketAddrGetIPPrefix: prefix > 0 wins, then the netmask,
   * then the class default (IPv4) or 64 (IPv6). */
  if (has_prefix && prefix > 0)
    return (int)prefix;
  if (nc_sockaddr_is_set(netmask))
    return nc_sockaddr_netmask_to_prefix(netmask);
  if (nc_sockaddr_is_set(address))
    return nc_sockaddr_default_prefix(address);
  return -1;
}

int
nc_ip_def_prefix(const NcIpDef *ip)
{
  return effective_prefix(&ip->address, &ip->netmask, ip->has_prefix, ip->prefix);
}

int
nc_route_def_prefix(const NcRouteDef *route)
{
  /* A route's prefix='0' is a real prefix (a default route), unlike <ip>'s. */
  if (route->has_prefix)
    return (int)route->prefix;
  return effective_prefix(&route->address, &route->netmask, FALSE, 0);
}

const NcIpDef *
nc_network_def_dhcp_ip(const NcNetworkDef *def, int family)
{
  for (guint i = 0; def->ips && i < def->ips->len; i++) {
    const NcIpDef *ip = g_ptr_array_index(def->ips, i);
    if (ip->address.family != family)
      continue;
    if (ip->ranges->len > 0 || ip->hosts->len > 0)
      return ip;
  }
  return NULL;
}

void
nc_network_def_fill_defaults(NcNetworkDef *def)
{
  if (!def->has_uuid) {
    nc_uuid_generate(def->uuid);
    def->has_uuid = TRUE;
  }

  if (nc_network_def_traits(def)->own_bridge && !def->has_mac) {
    nc_mac_generate(&def->mac);
    def->has_mac = TRUE;
  }
}
