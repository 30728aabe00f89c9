/* What a live update of a managed-bridge network touches: the classifier
 * behind the driver's reconfigure. Each part is judged by what it produces,
 * not by which XML changed: the firewall by its ruleset, dnsmasq by its
 * configuration and its hosts files; whatever else differs needs a restart. */
#include <string.h>

#include "dnsmasq-conf.h"
#include "firewall-rules.h"
#include "network-xml.h"
#include "virtual-private.h"

static gboolean
firewall_differs(const NcNetworkDef *a, const NcNetworkDef *b)
{
  g_autoptr(NcFwRuleset) ra = nc_fw_ruleset_build(a);
  g_autoptr(NcFwRuleset) rb = nc_fw_ruleset_build(b);
  g_autofree char *da = nc_fw_ruleset_dump(ra);
  g_autofree char *db = nc_fw_ruleset_dump(rb);
  return g_strcmp0(da, db) != 0;
}

static guint
dnsmasq_changes(const NcNetworkDef *a, const NcNetworkDef *b)
{
  NcDnsmasqConfOptions opts = { .dnsmasq_dir = "/", .pid_file = NULL };
  g_auto(NcDnsmasqConf) ca = { 0 };
  g_auto(NcDnsmasqConf) cb = { 0 };
  if (!nc_dnsmasq_conf_build(a, &opts, &ca, NULL) || !nc_dnsmasq_conf_build(b, &opts, &cb, NULL))
    return NC_VIRTUAL_CHANGE_OTHER; /* cannot tell: be safe */
  guint mask = 0;
  if (ca.needed != cb.needed || g_strcmp0(ca.conf, cb.conf) != 0)
    mask |= NC_VIRTUAL_CHANGE_DNSMASQ_RESTART;
  if (g_strcmp0(ca.hostsfile, cb.hostsfile) != 0 || g_strcmp0(ca.addnhosts, cb.addnhosts) != 0)
    mask |= NC_VIRTUAL_CHANGE_DNSMASQ_HOSTS;
  return mask;
}

/* Clears everything the firewall and dnsmasq cover, and what has no live
 * effect on the bridge (portgroups only matter when a port is allocated). */
static void
neutralize(NcNetworkDef *def)
{
  for (guint i = 0; def->ips && i < def->ips->len; i++) {
    NcIpDef *ip = def->ips->pdata[i];
    g_ptr_array_set_size(ip->ranges, 0);
    g_ptr_array_set_size(ip->hosts, 0);
    g_clear_pointer(&ip->tftp_root, g_free);
    g_clear_pointer(&ip->bootp_file, g_free);
    ip->bootp_server.family = AF_UNSPEC;
    ip->has_dhcp = FALSE;
    ip->local_ptr = NC_TRISTATE_ABSENT;
  }
  g_ptr_array_set_size(def->dns.forwarders, 0);
  g_ptr_array_set_size(def->dns.txts, 0);
  g_ptr_array_set_size(def->dns.srvs, 0);
  g_ptr_array_set_size(def->dns.hosts, 0);
  def->dns.has_element = FALSE;
  def->dns.enable = NC_TRISTATE_ABSENT;
  def->dns.forward_plain_names = NC_TRISTATE_ABSENT;
  g_clear_pointer(&def->domain, nc_domain_free);
  g_ptr_array_set_size(def->dnsmasq_options, 0);
  g_ptr_array_set_size(def->portgroups, 0);
  /* The forward element only feeds the firewall (judged by its ruleset),
   * except for the mode, which also decides IP forwarding. */
  g_ptr_array_set_size(def->forward.ifs, 0);
  g_clear_pointer(&def->forward.dev, g_free);
  def->forward.has_nat = FALSE;
  def->forward.nat_ipv6 = NC_TRISTATE_ABSENT;
  def->forward.nat_addr_start.family = def->forward.nat_addr_end.family = AF_UNSPEC;
  def->forward.nat_port_start = def->forward.nat_port_end = 0;
  def->connections = 0;
  g_clear_pointer(&def->title, g_free);
  g_clear_pointer(&def->description, g_free);
}

static const char *
first_other_change(const NcNetworkDef *a, const NcNetworkDef *b)
{
  if (g_strcmp0(a->bridge.name, b->bridge.name) != 0 || a->bridge.stp != b->bridge.stp
      || a->bridge.delay != b->bridge.delay
      || a->bridge.mac_table_manager != b->bridge.mac_table_manager)
    return "the <bridge> element";
  if (a->has_mtu != b->has_mtu || a->mtu != b->mtu)
    return "the MTU";
  if (a->has_mac != b->has_mac || memcmp(&a->mac, &b->mac, sizeof a->mac) != 0)
    return "the bridge MAC address";
  if (a->forward.mode != b->forward.mode)
    return "the forward mode";
  if (a->ips->len != b->ips->len)
    return "the <ip> addresses";
  for (guint i = 0; i < a->ips->len; i++) {
    const NcIpDef *x = a->ips->pdata[i], *y = b->ips->pdata[i];
    if (!nc_sockaddr_equal(&x->address, &y->address) || nc_ip_def_prefix(x) != nc_ip_def_prefix(y))
      return "the <ip> addresses";
  }
  if (a->routes->len != b->routes->len)
    return "the static <route>s";
  if ((a->bandwidth != NULL) != (b->bandwidth != NULL))
    return "the <bandwidth>";
  return "a setting that cannot change while the network runs";
}

guint
nc_virtual_classify_change(const NcNetworkDef *old_def, const NcNetworkDef *new_def,
                           const char **ret_what)
{
  guint mask = 0;
  if (firewall_differs(old_def, new_def))
    mask |= NC_VIRTUAL_CHANGE_FIREWALL;
  mask |= dnsmasq_changes(old_def, new_def);

  g_autoptr(NcNetworkDef) a = nc_network_def_copy(old_def);
  g_autoptr(NcNetworkDef) b = nc_network_def_copy(new_def);
  neutralize(a);
  neutralize(b);
  g_autofree char *xa = nc_network_def_format(a, 0);
  g_autofree char *xb = nc_network_def_format(b, 0);
  if (g_strcmp0(xa, xb) != 0) {
    mask |= NC_VIRTUAL_CHANGE_OTHER;
    if (ret_what)
      *ret_what = first_other_change(a, b);
  }
  return mask;
}
