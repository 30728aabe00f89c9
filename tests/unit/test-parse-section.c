/* net-update snippets: one element parsed alone, with libvirt's relaxed
 * "partial" rules for delete/modify lookups. Snippets are those of libvirt's
 * networkxml2xmlupdatetest. */
#include <string.h>

#include <glib.h>

#include "nc-error.h"
#include "network-xml.h"

static NcIpDef *
ip_of_family(int family)
{
  NcIpDef *ip = nc_ip_def_new();
  g_assert_true(
      nc_sockaddr_parse(family == AF_INET ? "192.168.122.1" : "2001:db8::1", family, &ip->address));
  ip->family = family;
  return ip;
}

static void
assert_error(GError *error, int code, const char *substr)
{
  g_assert_nonnull(error);
  g_assert_cmpint(error->code, ==, code);
  if (!strstr(error->message, substr))
    g_error("message lacks \"%s\": %s", substr, error->message);
}

static void
test_dhcp_host(void)
{
  g_autoptr(NcIpDef) v4 = ip_of_family(AF_INET);
  g_autoptr(NcIpDef) v6 = ip_of_family(AF_INET6);
  g_autoptr(GError) error = NULL;
  NcDhcpHost *host = NULL;

  g_assert_true(nc_network_section_parse_dhcp_host(
      "<host mac=\"00:16:3e:77:f0:0d\" name=\"m.example.com\" ip=\"192.168.122.12\"/>", v4, FALSE,
      "default", &host, &error));
  g_assert_no_error(error);
  g_assert_true(host->has_mac);
  g_assert_cmpstr(host->name, ==, "m.example.com");
  g_clear_pointer(&host, nc_dhcp_host_free);

  /* add needs ip; delete/modify lookups do not */
  g_assert_false(nc_network_section_parse_dhcp_host("<host mac=\"00:16:3e:77:e2:ed\"/>", v4, FALSE,
                                                    "default", &host, &error));
  g_assert_null(host);
  assert_error(error, NC_ERROR_XML_ERROR,
               "network 'default': <host>: missing required attribute 'ip'");
  g_clear_error(&error);
  g_assert_true(nc_network_section_parse_dhcp_host("<host mac=\"00:16:3e:77:e2:ed\"/>", v4, TRUE,
                                                   "default", &host, &error));
  g_clear_pointer(&host, nc_dhcp_host_free);
  g_assert_false(nc_network_section_parse_dhcp_host("<host name='tea'/>", v4, FALSE, "default",
                                                    &host, &error));
  g_clear_error(&error);
  g_assert_true(
      nc_network_section_parse_dhcp_host("<host name='tea'/>", v4, TRUE, "default", &host, &error));
  g_clear_pointer(&host, nc_dhcp_host_free);
  g_assert_false(nc_network_section_parse_dhcp_host("<host/>", v4, TRUE, "default", &host, &error));
  assert_error(error, NC_ERROR_XML_ERROR, "at least one of name, mac or ip");
  g_clear_error(&error);

  /* values are still checked in a lookup */
  g_assert_false(
      nc_network_section_parse_dhcp_host("<host mac='zz'/>", v4, TRUE, "default", &host, &error));
  assert_error(error, NC_ERROR_XML_ERROR, "cannot parse MAC address 'zz'");
  g_clear_error(&error);
  g_assert_false(nc_network_section_parse_dhcp_host(
      "<host mac='00:16:3e:77:e2:ed' name='a' ip='2001:db8::5'/>", v6, FALSE, "default", &host,
      &error));
  assert_error(error, NC_ERROR_XML_ERROR, "not allowed in an IPv6 static host");
  g_clear_error(&error);

  /* wrong element, malformed snippet */
  g_assert_false(nc_network_section_parse_dhcp_host("<range start='1.1.1.1' end='1.1.1.2'/>", v4,
                                                    FALSE, "default", &host, &error));
  assert_error(error, NC_ERROR_XML_ERROR, "unexpected element <range>, expecting <host>");
  g_clear_error(&error);
  g_assert_false(nc_network_section_parse_dhcp_host("<host", v4, FALSE, "default", &host, &error));
  assert_error(error, NC_ERROR_XML_ERROR, "malformed XML");
  g_clear_error(&error);
  g_assert_null(host);
}

static void
test_range_interface_portgroup(void)
{
  g_autoptr(GError) error = NULL;
  NcDhcpRange *range = NULL;
  NcForwardIf *fi = NULL;
  NcPortGroup *pg = NULL;

  g_assert_true(nc_network_section_parse_dhcp_range(
      "<range start='192.168.122.10' end='192.168.122.100'/>", "n", &range, &error));
  g_assert_cmpint(range->start.family, ==, AF_INET);
  g_clear_pointer(&range, nc_dhcp_range_free);
  g_assert_false(
      nc_network_section_parse_dhcp_range("<range start='10.0.0.1'/>", "n", &range, &error));
  assert_error(error, NC_ERROR_XML_ERROR, "missing required attribute 'end'");
  g_clear_error(&error);

  g_assert_true(
      nc_network_section_parse_forward_interface("<interface dev='eth47'/>", "n", &fi, &error));
  g_assert_cmpstr(fi->dev, ==, "eth47");
  g_clear_pointer(&fi, nc_forward_if_free);
  g_assert_false(nc_network_section_parse_forward_interface("<interface/>", "n", &fi, &error));
  assert_error(error, NC_ERROR_XML_ERROR, "missing required attribute 'dev'");
  g_clear_error(&error);

  g_assert_true(nc_network_section_parse_portgroup(
      "<portgroup name='alice'>\n  <vlan trunk='yes'>\n    <tag id='888'/>\n    <tag id='808'/>\n"
      "  </vlan>\n  <virtualport>\n    <parameters profileid='alice-profile'/>\n  </virtualport>\n"
      "</portgroup>",
      "n", &pg, &error));
  g_assert_cmpstr(pg->name, ==, "alice");
  g_assert_cmpuint(pg->vlan->tags->len, ==, 2);
  g_assert_cmpstr(pg->virtualport->profileid, ==, "alice-profile");
  g_clear_pointer(&pg, nc_portgroup_free);
}

static void
test_dns(void)
{
  g_autoptr(GError) error = NULL;
  NcDnsHost *host = NULL;
  NcDnsSrv *srv = NULL;
  NcDnsTxt *txt = NULL;
  const char *gateway = "<host>\n    <hostname>gateway</hostname>\n</host>";

  g_assert_false(nc_network_section_parse_dns_host(gateway, FALSE, "n", &host, &error));
  assert_error(error, NC_ERROR_XML_DETAIL, "missing required attribute 'ip'");
  g_clear_error(&error);
  g_assert_true(nc_network_section_parse_dns_host(gateway, TRUE, "n", &host, &error));
  g_assert_cmpuint(host->hostnames->len, ==, 1);
  g_assert_false(nc_sockaddr_is_set(&host->ip));
  g_clear_pointer(&host, nc_dns_host_free);
  g_assert_false(
      nc_network_section_parse_dns_host("<host protocol='name'/>", TRUE, "n", &host, &error));
  assert_error(error, NC_ERROR_XML_DETAIL, "neither an ip attribute nor a <hostname>");
  g_clear_error(&error);
  g_assert_true(nc_network_section_parse_dns_host(
      "<host ip='f0:0d::f0:0d'>\n  <hostname>pudding</hostname>\n</host>", FALSE, "n", &host,
      &error));
  g_clear_pointer(&host, nc_dns_host_free);

  g_assert_false(
      nc_network_section_parse_dns_srv("<srv service='name'/>", FALSE, "n", &srv, &error));
  assert_error(error, NC_ERROR_XML_DETAIL, "missing required attribute 'protocol'");
  g_clear_error(&error);
  g_assert_true(nc_network_section_parse_dns_srv("<srv service='name'/>", TRUE, "n", &srv, &error));
  g_clear_pointer(&srv, nc_dns_srv_free);
  g_assert_true(nc_network_section_parse_dns_srv("<srv protocol='tcp'/>", TRUE, "n", &srv, &error));
  g_assert_null(srv->service);
  g_clear_pointer(&srv, nc_dns_srv_free);
  g_assert_true(nc_network_section_parse_dns_srv(
      "<srv service='name' protocol='tcp' domain='donkey' target='.' port='404' priority='10' "
      "weight='10'/>",
      FALSE, "n", &srv, &error));
  g_assert_cmpuint(srv->port, ==, 404);
  g_clear_pointer(&srv, nc_dns_srv_free);

  g_assert_false(
      nc_network_section_parse_dns_txt("<txt name='snowman'/>", FALSE, "n", &txt, &error));
  g_clear_error(&error);
  g_assert_true(nc_network_section_parse_dns_txt("<txt name='snowman'/>", TRUE, "n", &txt, &error));
  g_clear_pointer(&txt, nc_dns_txt_free);
  /* the name is required even in a lookup, as in libvirt */
  g_assert_false(nc_network_section_parse_dns_txt("<txt value='water'/>", TRUE, "n", &txt, &error));
  assert_error(error, NC_ERROR_XML_DETAIL, "missing required attribute 'name'");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/section/dhcp-host", test_dhcp_host);
  g_test_add_func("/section/range-interface-portgroup", test_range_interface_portgroup);
  g_test_add_func("/section/dns", test_dns);
  return g_test_run();
}
