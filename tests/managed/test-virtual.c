/* Pure parts of the managed-bridge driver: the collision checks against
 * made-up route and address tables, and the live-update classifier. */
#include <linux/rtnetlink.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc-error.h"
#include "network-xml.h"
#include "virtual-private.h"

static NcNetworkDef *
parse(const char *xml)
{
  g_autoptr(GError) error = NULL;
  NcNetworkDef *def = nc_network_def_parse_string(xml, NULL, NC_NETWORK_PARSE_CHECK, &error);
  g_assert_no_error(error);
  return def;
}

static void
add_route(GArray *routes, const char *dev, int ifindex, const char *dst, guint prefix,
          guint8 protocol)
{
  NcRouteEntry e
      = { .ifindex = ifindex, .prefix = prefix, .protocol = protocol, .type = RTN_UNICAST };
  g_strlcpy(e.ifname, dev, sizeof e.ifname);
  g_assert_true(nc_sockaddr_parse(dst, AF_UNSPEC, &e.dst));
  g_array_append_val(routes, e);
}

static void
add_addr(GArray *addrs, const char *dev, int ifindex, const char *addr, guint prefix)
{
  NcAddrEntry e = { .ifindex = ifindex, .prefix = prefix };
  g_strlcpy(e.ifname, dev, sizeof e.ifname);
  g_assert_true(nc_sockaddr_parse(addr, AF_UNSPEC, &e.addr));
  g_array_append_val(addrs, e);
}

static const char *NAT = "<network><name>lab</name><forward mode='nat'/><bridge name='virbr9'/>"
                         "<ip address='192.168.122.1' prefix='24'/>"
                         "<ip family='ipv6' address='fd00:1::1' prefix='64'/>"
                         "<route address='10.20.0.0' prefix='16' gateway='192.168.122.2'/>"
                         "</network>";

static void
test_collisions(void)
{
  g_autoptr(NcNetworkDef) def = parse(NAT);
  g_autoptr(GArray) routes = g_array_new(FALSE, TRUE, sizeof(NcRouteEntry));
  g_autoptr(GArray) addrs = g_array_new(FALSE, TRUE, sizeof(NcAddrEntry));
  g_autoptr(GError) error = NULL;

  /* What every host has never collides: default routes, broader routes,
   * link-local, unrelated subnets. */
  add_route(routes, "eth0", 2, "0.0.0.0", 0, RTPROT_DHCP);
  add_route(routes, "eth0", 2, "192.168.0.0", 16, RTPROT_KERNEL);
  add_route(routes, "eth0", 2, "fe80::", 64, RTPROT_KERNEL);
  add_route(routes, "eth0", 2, "10.0.0.0", 24, RTPROT_KERNEL);
  add_addr(addrs, "eth0", 2, "192.168.1.10", 16);
  g_assert_true(nc_virtual_check_collisions(def, routes, addrs, 0, &error));
  g_assert_no_error(error);

  /* libvirt's case: the same subnet on another device. */
  g_autoptr(GArray) r1 = g_array_copy(routes);
  add_route(r1, "wlan0", 3, "192.168.122.0", 24, RTPROT_KERNEL);
  g_assert_false(nc_virtual_check_collisions(def, r1, addrs, 0, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED);
  g_assert_nonnull(strstr(error->message, "192.168.122.0/24"));
  g_assert_nonnull(strstr(error->message, "wlan0"));
  g_clear_error(&error);
  /* ... unless the device is our own bridge (adoption). */
  g_assert_true(nc_virtual_check_collisions(def, r1, addrs, 3, &error));

  /* A narrower route inside the subnet would steal guests' addresses. */
  g_autoptr(GArray) r2 = g_array_copy(routes);
  add_route(r2, "tun0", 4, "192.168.122.128", 25, RTPROT_STATIC);
  g_assert_false(nc_virtual_check_collisions(def, r2, addrs, 0, &error));
  g_assert_nonnull(strstr(error->message, "192.168.122.128/25"));
  g_clear_error(&error);

  /* IPv6 too (libvirt checks IPv4 only). */
  g_autoptr(GArray) r3 = g_array_copy(routes);
  add_route(r3, "eth1", 5, "fd00:1::", 64, RTPROT_KERNEL);
  g_assert_false(nc_virtual_check_collisions(def, r3, addrs, 0, &error));
  g_assert_nonnull(strstr(error->message, "fd00:1::/64"));
  g_clear_error(&error);

  /* A <route> for a subnet the host already routes. */
  g_autoptr(GArray) r4 = g_array_copy(routes);
  add_route(r4, "vpn0", 6, "10.20.0.0", 16, RTPROT_STATIC);
  g_assert_false(nc_virtual_check_collisions(def, r4, addrs, 0, &error));
  g_assert_nonnull(strstr(error->message, "<route address='10.20.0.0/16'>"));
  g_clear_error(&error);

  /* Our address already on another device. */
  g_autoptr(GArray) a1 = g_array_copy(addrs);
  add_addr(a1, "eth2", 7, "192.168.122.1", 32);
  g_assert_false(nc_virtual_check_collisions(def, routes, a1, 0, &error));
  g_assert_nonnull(strstr(error->message, "eth2"));
  g_clear_error(&error);
}

static void
test_ipv6_forwarding(void)
{
  /* accept_ra read from a fake /proc. */
  g_autoptr(GError) error = NULL;
  g_autofree char *proc = g_dir_make_tmp("netctl-managed-proc-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *dir = g_build_filename(proc, "sys/net/ipv6/conf/eth0", NULL);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  g_autofree char *file = g_build_filename(dir, "accept_ra", NULL);
  g_assert_true(g_file_set_contents(file, "1\n", -1, NULL));

  g_autoptr(NcKernel) kernel = nc_kernel_new(proc, NULL);
  g_autoptr(NcNetworkDef) def = parse(NAT);
  g_autoptr(GArray) routes = g_array_new(FALSE, TRUE, sizeof(NcRouteEntry));
  add_route(routes, "eth0", 2, "2001:db8::", 64, RTPROT_KERNEL);
  g_assert_true(nc_virtual_check_ipv6_forwarding(kernel, def, routes, &error));

  add_route(routes, "eth0", 2, "::", 0, RTPROT_RA);
  g_assert_false(nc_virtual_check_ipv6_forwarding(kernel, def, routes, &error));
  g_assert_nonnull(strstr(error->message, "eth0"));
  g_assert_nonnull(strstr(error->message, "accept_ra=2"));
  g_clear_error(&error);

  g_assert_true(g_file_set_contents(file, "2\n", -1, NULL));
  g_assert_true(nc_virtual_check_ipv6_forwarding(kernel, def, routes, &error));

  g_unlink(file);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", proc);
  g_assert_cmpint(system(cmd), ==, 0);
}

static const char *BASE
    = "<network><name>lab</name><forward mode='nat'/><bridge name='virbr9'/>"
      "<mac address='52:54:00:01:02:03'/>"
      "<dns><host ip='192.168.122.7'><hostname>printer</hostname></host>%s</dns>"
      "<ip address='192.168.122.1' prefix='24'><dhcp>"
      "<range start='192.168.122.%s' end='192.168.122.254'/>"
      "<host mac='52:54:00:00:00:01' ip='192.168.122.%s'/></dhcp></ip>%s</network>";

static NcNetworkDef *
variant(const char *txt, const char *range_start, const char *host, const char *tail)
{
  g_autofree char *xml = g_strdup_printf(BASE, txt, range_start, host, tail);
  return parse(xml);
}

static void
test_classify(void)
{
  g_autoptr(NcNetworkDef) a = variant("", "2", "10", "");
  const char *what = NULL;
  g_assert_cmpuint(nc_virtual_classify_change(a, a, &what), ==, NC_VIRTUAL_CHANGE_NONE);

  /* A DHCP host: hosts file + SIGHUP (no firewall change). */
  g_autoptr(NcNetworkDef) b = variant("", "2", "11", "");
  g_assert_cmpuint(nc_virtual_classify_change(a, b, NULL), ==, NC_VIRTUAL_CHANGE_DNSMASQ_HOSTS);

  /* A range or a TXT record: dnsmasq restarts. */
  g_autoptr(NcNetworkDef) c = variant("", "3", "10", "");
  g_assert_true(nc_virtual_classify_change(a, c, NULL) & NC_VIRTUAL_CHANGE_DNSMASQ_RESTART);
  g_assert_false(nc_virtual_classify_change(a, c, NULL) & NC_VIRTUAL_CHANGE_OTHER);
  g_autoptr(NcNetworkDef) d = variant("<txt name='x' value='y'/>", "2", "10", "");
  g_assert_cmpuint(nc_virtual_classify_change(a, d, NULL), ==, NC_VIRTUAL_CHANGE_DNSMASQ_RESTART);

  /* A static route: a restart of the network. */
  g_autoptr(NcNetworkDef) e
      = variant("", "2", "10", "<route address='10.9.0.0' prefix='16' gateway='192.168.122.9'/>");
  g_assert_true(nc_virtual_classify_change(a, e, &what) & NC_VIRTUAL_CHANGE_OTHER);
  g_assert_cmpstr(what, ==, "the static <route>s");
}

static void
test_classify_forward(void)
{
  g_autoptr(NcNetworkDef) a
      = parse("<network><name>lab</name><forward mode='nat'/><bridge name='virbr9'/>"
              "<ip address='192.168.122.1' prefix='24'/></network>");
  g_autoptr(NcNetworkDef) b
      = parse("<network><name>lab</name><forward mode='nat' dev='eth1'/><bridge name='virbr9'/>"
              "<ip address='192.168.122.1' prefix='24'/></network>");
  g_assert_cmpuint(nc_virtual_classify_change(a, b, NULL), ==, NC_VIRTUAL_CHANGE_FIREWALL);

  g_autoptr(NcNetworkDef) c
      = parse("<network><name>lab</name><forward mode='route'/><bridge name='virbr9'/>"
              "<ip address='192.168.122.1' prefix='24'/></network>");
  const char *what = NULL;
  g_assert_true(nc_virtual_classify_change(a, c, &what) & NC_VIRTUAL_CHANGE_OTHER);
  g_assert_cmpstr(what, ==, "the forward mode");

  g_autoptr(NcNetworkDef) d
      = parse("<network><name>lab</name><forward mode='nat'/><bridge name='virbr9'/>"
              "<mtu size='9000'/><ip address='192.168.122.1' prefix='24'/></network>");
  g_assert_true(nc_virtual_classify_change(a, d, &what) & NC_VIRTUAL_CHANGE_OTHER);
  g_assert_cmpstr(what, ==, "the MTU");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/virtual/collisions", test_collisions);
  g_test_add_func("/virtual/ipv6-forwarding", test_ipv6_forwarding);
  g_test_add_func("/virtual/classify", test_classify);
  g_test_add_func("/virtual/classify-forward", test_classify_forward);
  return g_test_run();
}
