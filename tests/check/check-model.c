/* nc_network_def_check on models changed in memory, the way net-update and
 * the D-Bus/libvirt front ends produce them: each case parses a valid base
 * definition without checks, breaks one rule in the model, and expects the
 * check to fail with a message naming the rule. This reaches the rules that
 * the parser already enforces on XML input (and so check-data cannot). */
#include <string.h>

#include <glib.h>

#include "nc-error.h"
#include "network-xml.h"

static const char base_nat[]
    = "<network>\n"
      "  <name>model</name>\n"
      "  <forward mode='nat'/>\n"
      "  <bandwidth>\n"
      "    <inbound average='1000'/>\n"
      "  </bandwidth>\n"
      "  <dns>\n"
      "    <txt name='info' value='x'/>\n"
      "    <srv service='ldap' protocol='tcp' target='dc1' port='389'/>\n"
      "    <host ip='192.168.50.5'>\n"
      "      <hostname>vm1</hostname>\n"
      "    </host>\n"
      "    <forwarder addr='8.8.8.8'/>\n"
      "  </dns>\n"
      "  <ip address='192.168.50.1' netmask='255.255.255.0'>\n"
      "    <dhcp>\n"
      "      <range start='192.168.50.10' end='192.168.50.100'/>\n"
      "      <host mac='52:54:00:00:00:01' name='vm1' ip='192.168.50.5'/>\n"
      "    </dhcp>\n"
      "  </ip>\n"
      "  <ip family='ipv6' address='2001:db8::1' prefix='64'>\n"
      "    <dhcp>\n"
      "      <host id='0:1:2:3' ip='2001:db8::5'/>\n"
      "    </dhcp>\n"
      "  </ip>\n"
      "  <route address='10.20.0.0' prefix='16' gateway='192.168.50.2'/>\n"
      "</network>\n";

static const char base_ovs[] = "<network>\n"
                               "  <name>model</name>\n"
                               "  <forward mode='bridge'/>\n"
                               "  <bridge name='ovsbr0'/>\n"
                               "  <virtualport type='openvswitch'/>\n"
                               "  <vlan trunk='yes'>\n"
                               "    <tag id='42'/>\n"
                               "    <tag id='43'/>\n"
                               "  </vlan>\n"
                               "  <portgroup name='pg1'/>\n"
                               "</network>\n";

static const char base_private[] = "<network>\n"
                                   "  <name>model</name>\n"
                                   "  <forward mode='private'>\n"
                                   "    <interface dev='eth1'/>\n"
                                   "    <interface dev='eth2'/>\n"
                                   "  </forward>\n"
                                   "  <virtualport type='802.1Qbh'>\n"
                                   "    <parameters profileid='prof'/>\n"
                                   "  </virtualport>\n"
                                   "</network>\n";

static const char base_hostdev[]
    = "<network>\n"
      "  <name>model</name>\n"
      "  <forward mode='hostdev' managed='yes'>\n"
      "    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x1'/>\n"
      "  </forward>\n"
      "</network>\n";

static NcIpDef *
ip_at(NcNetworkDef *def, guint i)
{
  return g_ptr_array_index(def->ips, i);
}

/* -- mutations -------------------------------------------------------------- */

static void
m_floor(NcNetworkDef *d)
{
  d->bandwidth->in->has_floor = TRUE;
  d->bandwidth->in->floor = 10;
}

static void
m_peak_no_average(NcNetworkDef *d)
{
  d->bandwidth->in->has_average = FALSE;
  d->bandwidth->in->average = 0;
  d->bandwidth->in->has_peak = TRUE;
  d->bandwidth->in->peak = 10;
  /* floor alone would be "missing average or floor" otherwise. */
  d->bandwidth->in->has_floor = TRUE;
  d->bandwidth->in->floor = 10;
}

static void
m_lease_short(NcNetworkDef *d)
{
  NcDhcpRange *r = g_ptr_array_index(ip_at(d, 0)->ranges, 0);
  r->lease.has_lease = TRUE;
  r->lease.expiry = 119;
  r->lease.unit = NC_LEASE_UNIT_SECONDS;
}

static void
m_lease_one_minute(NcNetworkDef *d)
{
  NcDhcpHost *h = g_ptr_array_index(ip_at(d, 0)->hosts, 0);
  h->lease.has_lease = TRUE;
  h->lease.expiry = 1;
  h->lease.unit = NC_LEASE_UNIT_ABSENT;
}

static void
m_dhcp6_mac(NcNetworkDef *d)
{
  NcDhcpHost *h = g_ptr_array_index(ip_at(d, 1)->hosts, 0);
  h->has_mac = TRUE;
  nc_mac_parse("52:54:00:00:00:02", &h->mac);
}

static void
m_dhcp_id_char(NcNetworkDef *d)
{
  NcDhcpHost *h = g_ptr_array_index(ip_at(d, 1)->hosts, 0);
  g_free(h->id);
  h->id = g_strdup("0:1:x");
}

static void
m_dhcp_no_ip(NcNetworkDef *d)
{
  NcDhcpHost *h = g_ptr_array_index(ip_at(d, 0)->hosts, 0);
  memset(&h->ip, 0, sizeof(h->ip));
}

static void
m_dhcp_host_outside(NcNetworkDef *d)
{
  NcDhcpHost *h = g_ptr_array_index(ip_at(d, 0)->hosts, 0);
  nc_sockaddr_parse("192.168.51.5", AF_INET, &h->ip);
}

static void
m_range_outside(NcNetworkDef *d)
{
  NcDhcpRange *r = g_ptr_array_index(ip_at(d, 0)->ranges, 0);
  nc_sockaddr_parse("192.168.51.200", AF_INET, &r->end);
}

static void
m_range_reversed(NcNetworkDef *d)
{
  NcDhcpRange *r = g_ptr_array_index(ip_at(d, 0)->ranges, 0);
  nc_sockaddr_parse("192.168.50.5", AF_INET, &r->end);
}

static void
m_tftp_v6(NcNetworkDef *d)
{
  ip_at(d, 1)->tftp_root = g_strdup("/srv/tftp");
}

static void
m_bootp_v6(NcNetworkDef *d)
{
  ip_at(d, 1)->bootp_file = g_strdup("pxe.0");
}

static void
m_prefix_33(NcNetworkDef *d)
{
  NcIpDef *ip = ip_at(d, 0);
  memset(&ip->netmask, 0, sizeof(ip->netmask));
  ip->has_prefix = TRUE;
  ip->prefix = 33;
}

static void
m_family_mismatch(NcNetworkDef *d)
{
  ip_at(d, 0)->family_attr = NC_IP_FAMILY_IPV6;
}

static void
m_second_v4_dhcp(NcNetworkDef *d)
{
  NcIpDef *ip = nc_ip_def_new();
  NcDhcpRange *r = g_new0(NcDhcpRange, 1);

  nc_sockaddr_parse("192.168.60.1", AF_INET, &ip->address);
  ip->family = AF_INET;
  ip->has_prefix = TRUE;
  ip->prefix = 24;
  nc_sockaddr_parse("192.168.60.10", AF_INET, &r->start);
  nc_sockaddr_parse("192.168.60.20", AF_INET, &r->end);
  g_ptr_array_add(ip->ranges, r);
  g_ptr_array_add(d->ips, ip);
}

static void
m_route_gateway(NcNetworkDef *d)
{
  NcRouteDef *r = g_ptr_array_index(d->routes, 0);
  nc_sockaddr_parse("10.9.9.9", AF_INET, &r->gateway);
}

static void
m_route_metric_zero(NcNetworkDef *d)
{
  NcRouteDef *r = g_ptr_array_index(d->routes, 0);
  r->has_metric = TRUE;
  r->metric = 0;
}

static void
m_dns_host_no_names(NcNetworkDef *d)
{
  NcDnsHost *h = g_ptr_array_index(d->dns.hosts, 0);
  g_ptr_array_set_size(h->hostnames, 0);
}

static void
m_dns_hostname_newline(NcNetworkDef *d)
{
  NcDnsHost *h = g_ptr_array_index(d->dns.hosts, 0);
  g_ptr_array_add(h->hostnames, g_strdup("vm2\naddn-hosts=/etc/shadow"));
}

static void
m_srv_no_service(NcNetworkDef *d)
{
  NcDnsSrv *s = g_ptr_array_index(d->dns.srvs, 0);
  g_clear_pointer(&s->service, g_free);
}

static void
m_srv_no_target(NcNetworkDef *d)
{
  NcDnsSrv *s = g_ptr_array_index(d->dns.srvs, 0);
  g_clear_pointer(&s->target, g_free);
}

static void
m_txt_no_value(NcNetworkDef *d)
{
  NcDnsTxt *t = g_ptr_array_index(d->dns.txts, 0);
  g_clear_pointer(&t->value, g_free);
}

static void
m_txt_value_newline(NcNetworkDef *d)
{
  NcDnsTxt *t = g_ptr_array_index(d->dns.txts, 0);
  g_free(t->value);
  t->value = g_strdup("x\ndhcp-script=/tmp/evil");
}

static void
m_forwarder_empty(NcNetworkDef *d)
{
  NcDnsForwarder *f = g_ptr_array_index(d->dns.forwarders, 0);
  memset(&f->addr, 0, sizeof(f->addr));
}

static void
m_dns_disabled(NcNetworkDef *d)
{
  d->dns.enable = NC_TRISTATE_NO;
}

static void
m_name_newline(NcNetworkDef *d)
{
  g_free(d->name);
  d->name = g_strdup("model\nx");
}

static void
m_name_dotdot(NcNetworkDef *d)
{
  g_free(d->name);
  d->name = g_strdup("..");
}

static void
m_title_newline(NcNetworkDef *d)
{
  d->title = g_strdup("a\nb");
}

static void
m_domain_no_name(NcNetworkDef *d)
{
  d->domain = nc_domain_new();
}

static void
m_nat_in_route(NcNetworkDef *d)
{
  d->forward.mode = NC_FORWARD_ROUTE;
  d->forward.has_nat = TRUE;
}

static void
m_nat_addr_reversed(NcNetworkDef *d)
{
  d->forward.has_nat = TRUE;
  nc_sockaddr_parse("10.0.0.9", AF_INET, &d->forward.nat_addr_start);
  nc_sockaddr_parse("10.0.0.1", AF_INET, &d->forward.nat_addr_end);
}

static void
m_nat_port_reversed(NcNetworkDef *d)
{
  d->forward.has_nat = TRUE;
  d->forward.nat_port_start = 2000;
  d->forward.nat_port_end = 1000;
}

static void
m_two_forward_ifs(NcNetworkDef *d)
{
  for (int i = 0; i < 2; i++) {
    NcForwardIf *fi = g_new0(NcForwardIf, 1);
    fi->dev = g_strdup_printf("eth%d", i);
    g_ptr_array_add(d->forward.ifs, fi);
  }
}

static void
m_vlan_big(NcNetworkDef *d)
{
  g_array_index(d->vlan->tags, NcVlanTag, 0).id = 4096;
}

static void
m_vlan_trunk_no(NcNetworkDef *d)
{
  d->vlan->trunk = NC_TRISTATE_NO;
}

static void
m_vlan_two_native(NcNetworkDef *d)
{
  g_array_index(d->vlan->tags, NcVlanTag, 0).native_mode = NC_VLAN_NATIVE_TAGGED;
  g_array_index(d->vlan->tags, NcVlanTag, 1).native_mode = NC_VLAN_NATIVE_UNTAGGED;
}

static void
m_vlan_linux_bridge(NcNetworkDef *d)
{
  d->virtualport->type = NC_VIRTUALPORT_8021QBG;
}

static void
m_portgroup_dup(NcNetworkDef *d)
{
  NcPortGroup *pg = g_new0(NcPortGroup, 1);
  pg->name = g_strdup("pg1");
  g_ptr_array_add(d->portgroups, pg);
}

static void
m_portgroup_two_default(NcNetworkDef *d)
{
  NcPortGroup *pg = g_new0(NcPortGroup, 1);
  pg->name = g_strdup("pg2");
  pg->is_default = TRUE;
  ((NcPortGroup *)g_ptr_array_index(d->portgroups, 0))->is_default = TRUE;
  g_ptr_array_add(d->portgroups, pg);
}

static void
m_portgroup_no_name(NcNetworkDef *d)
{
  NcPortGroup *pg = g_ptr_array_index(d->portgroups, 0);
  g_clear_pointer(&pg->name, g_free);
}

static void
m_vport_extra(NcNetworkDef *d)
{
  d->virtualport->has_managerid = TRUE;
  d->virtualport->managerid = 3;
}

static void
m_vport_profile_long(NcNetworkDef *d)
{
  g_free(d->virtualport->profileid);
  d->virtualport->profileid = g_strnfill(40, 'p');
}

static void
m_vport_none_type(NcNetworkDef *d)
{
  d->virtualport->type = NC_VIRTUALPORT_NONE;
}

static void
m_pf_and_ifs(NcNetworkDef *d)
{
  d->forward.pf = g_new0(NcForwardPf, 1);
  d->forward.pf->dev = g_strdup("eth0");
}

static void
m_if_duplicate(NcNetworkDef *d)
{
  NcForwardIf *fi = g_ptr_array_index(d->forward.ifs, 1);
  g_free(fi->dev);
  fi->dev = g_strdup("eth1");
}

static void
m_if_dev_injection(NcNetworkDef *d)
{
  NcForwardIf *fi = g_ptr_array_index(d->forward.ifs, 1);
  g_free(fi->dev);
  fi->dev = g_strdup("eth2\ninterface=lo");
}

static void
m_mtu_private(NcNetworkDef *d)
{
  d->has_mtu = TRUE;
  d->mtu = 9000;
}

static void
m_pci_duplicate(NcNetworkDef *d)
{
  NcPciAddr *a = g_new0(NcPciAddr, 1);
  *a = *(NcPciAddr *)g_ptr_array_index(d->forward.addrs, 0);
  g_ptr_array_add(d->forward.addrs, a);
}

static void
m_hostdev_interface(NcNetworkDef *d)
{
  NcForwardIf *fi = g_new0(NcForwardIf, 1);
  fi->dev = g_strdup("eth0");
  g_ptr_array_set_size(d->forward.addrs, 0);
  g_ptr_array_add(d->forward.ifs, fi);
}

static void
m_hostdev_bandwidth_pg(NcNetworkDef *d)
{
  NcPortGroup *pg = g_new0(NcPortGroup, 1);
  pg->name = g_strdup("pg");
  pg->bandwidth = nc_bandwidth_new();
  pg->bandwidth->out = g_new0(NcBandwidthRate, 1);
  pg->bandwidth->out->has_average = TRUE;
  pg->bandwidth->out->average = 10;
  g_ptr_array_add(d->portgroups, pg);
}

static void
m_dnsmasq_option_newline(NcNetworkDef *d)
{
  g_ptr_array_add(d->dnsmasq_options, g_strdup("log-queries\ndhcp-script=/tmp/x"));
}

typedef struct {
  const char *name;
  const char *base;
  void (*mutate)(NcNetworkDef *def);
  const char *expect;
} Case;

static const Case cases[] = {
  { "floor", base_nat, m_floor, "floor attribute is not supported" },
  { "peak-no-average", base_nat, m_peak_no_average, "require 'average'" },
  { "lease-119s", base_nat, m_lease_short, "minimum lease time" },
  { "lease-1min", base_nat, m_lease_one_minute, "minimum lease time" },
  { "dhcp6-host-mac", base_nat, m_dhcp6_mac, "MAC address in an IPv6" },
  { "dhcp-host-id-char", base_nat, m_dhcp_id_char, "invalid character in id" },
  { "dhcp-host-no-ip", base_nat, m_dhcp_no_ip, "missing IP address" },
  { "dhcp-host-outside", base_nat, m_dhcp_host_outside, "outside the network 192.168.50.0/24" },
  { "range-outside", base_nat, m_range_outside, "not entirely within network 192.168.50.0/24" },
  { "range-reversed", base_nat, m_range_reversed, "reversed" },
  { "tftp-v6", base_nat, m_tftp_v6, "<tftp> element in an IPv6" },
  { "bootp-v6", base_nat, m_bootp_v6, "<bootp> element in an IPv6" },
  { "prefix-33", base_nat, m_prefix_33, "invalid IPv4 prefix" },
  { "family-mismatch", base_nat, m_family_mismatch, "non-IPv6 address" },
  { "second-v4-dhcp", base_nat, m_second_v4_dhcp, "multiple IPv4 dhcp sections" },
  { "route-gateway", base_nat, m_route_gateway, "unreachable static route gateway" },
  { "route-metric-zero", base_nat, m_route_metric_zero, "metric must be greater than 0" },
  { "dns-host-no-names", base_nat, m_dns_host_no_names, "missing hostname" },
  { "dns-hostname-newline", base_nat, m_dns_hostname_newline,
    "host name 'vm2\\naddn-hosts=/etc/shadow'" },
  { "srv-no-service", base_nat, m_srv_no_service, "missing required service" },
  { "srv-no-target", base_nat, m_srv_no_target, "port attribute not permitted without target" },
  { "txt-no-value", base_nat, m_txt_no_value, "missing required value" },
  { "txt-value-newline", base_nat, m_txt_value_newline, "'x\\ndhcp-script=/tmp/evil'" },
  { "forwarder-empty", base_nat, m_forwarder_empty, "at least one of addr or domain" },
  { "dns-disabled", base_nat, m_dns_disabled, "extra data in disabled network" },
  { "name-newline", base_nat, m_name_newline, "network 'model\\nx'" },
  { "name-dotdot", base_nat, m_name_dotdot, "starts with '.'" },
  { "title-newline", base_nat, m_title_newline, "title can't contain newlines" },
  { "domain-no-name", base_nat, m_domain_no_name, "<domain>: missing required name" },
  { "nat-in-route", base_nat, m_nat_in_route, "<nat> element can only be used" },
  { "nat-addr-reversed", base_nat, m_nat_addr_reversed, "start is after end" },
  { "nat-port-reversed", base_nat, m_nat_port_reversed, "invalid port range" },
  { "two-forward-ifs", base_nat, m_two_forward_ifs, "only one is supported" },
  { "dnsmasq-option-newline", base_nat, m_dnsmasq_option_newline, "control character" },
  { "vlan-4096", base_ovs, m_vlan_big, "vlan tag id too large" },
  { "vlan-trunk-no", base_ovs, m_vlan_trunk_no, "trunk='yes' is required" },
  { "vlan-two-native", base_ovs, m_vlan_two_native, "duplicate native vlan setting" },
  { "vlan-not-ovs", base_ovs, m_vlan_linux_bridge, "vlan tags are not supported" },
  { "portgroup-dup", base_ovs, m_portgroup_dup, "same name" },
  { "portgroup-two-default", base_ovs, m_portgroup_two_default, "(pg1 and pg2)" },
  { "portgroup-no-name", base_ovs, m_portgroup_no_name, "missing required name" },
  { "vport-none-type", base_ovs, m_vport_none_type, "missing required virtualport type" },
  { "vport-extra", base_private, m_vport_extra, "extra managerid specified for 802.1Qbh" },
  { "vport-profile-long", base_private, m_vport_profile_long, "profileid parameter too long" },
  { "pf-and-ifs", base_private, m_pf_and_ifs, "mutually exclusive" },
  { "if-duplicate", base_private, m_if_duplicate, "can only be listed once" },
  { "if-dev-injection", base_private, m_if_dev_injection, "'eth2\\ninterface=lo'" },
  { "mtu-private", base_private, m_mtu_private, "mtu size only allowed" },
  { "pci-duplicate", base_hostdev, m_pci_duplicate, "can only be listed once" },
  { "hostdev-interface", base_hostdev, m_hostdev_interface, "listed by PCI address" },
  { "hostdev-portgroup-bandwidth", base_hostdev, m_hostdev_bandwidth_pg, "<bandwidth>" },
};

static void
test_case(gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GError) err = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(c->base, "model.xml", 0, &err);

  g_assert_no_error(err);
  /* The base itself is valid. */
  g_assert_true(nc_network_def_check(def, &err));
  g_assert_no_error(err);

  c->mutate(def);
  g_assert_false(nc_network_def_check(def, &err));
  g_assert_nonnull(err);
  g_test_message("%s: %s", c->name, err->message);
  g_assert_true(err->domain == NC_ERROR);
  /* Messages are one line, whatever the values contain. */
  g_assert_null(strchr(err->message, '\n'));
  if (!strstr(err->message, c->expect)) {
    g_test_message("expected \"%s\"", c->expect);
    g_test_fail();
  }
  g_assert_true(g_str_has_prefix(err->message, "model.xml"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = g_strdup_printf("/check-model/%s", cases[i].name);
    g_test_add_data_func(path, &cases[i], test_case);
  }
  return g_test_run();
}
