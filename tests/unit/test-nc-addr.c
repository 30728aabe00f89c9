/* nc-addr: IP parse/format and subnet arithmetic, MAC and UUID helpers. */
#include <string.h>

#include <glib.h>

#include "nc-addr.h"

static NcSockAddr
addr(const char *s)
{
  NcSockAddr a = { 0 };
  g_assert_true(nc_sockaddr_parse(s, AF_UNSPEC, &a));
  return a;
}

static void
test_parse_format(void)
{
  const char *good[]
      = { "192.168.122.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "fe80::1:2:3:4" };
  const char *bad[] = { "",         "192.168.1",    "192.168.1.256",    "1.2.3.4 ",
                        " 1.2.3.4", "2001:db8:::1", "host.example.com", "1.2.3.4/24",
                        "::g" };
  NcSockAddr a = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
    g_autofree char *s = NULL;
    a = addr(good[i]);
    s = nc_sockaddr_format(&a);
    g_assert_cmpstr(s, ==, good[i]);
    g_assert_true(nc_sockaddr_is_set(&a));
  }
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    NcSockAddr untouched = { .family = 12345 };
    g_assert_false(nc_sockaddr_parse(bad[i], AF_UNSPEC, &untouched));
    g_assert_cmpint(untouched.family, ==, 12345);
  }
  g_assert_false(nc_sockaddr_parse(NULL, AF_UNSPEC, &a));

  /* family restriction */
  g_assert_false(nc_sockaddr_parse("2001:db8::1", AF_INET, &a));
  g_assert_false(nc_sockaddr_parse("10.0.0.1", AF_INET6, &a));
  g_assert_true(nc_sockaddr_parse("10.0.0.1", AF_INET, &a));
  g_assert_cmpint(a.family, ==, AF_INET);

  /* canonical IPv6 output, like inet_ntop */
  a = addr("2001:0DB8:0000:0000:0000:0000:0000:0001");
  g_autofree char *canon = nc_sockaddr_format(&a);
  g_assert_cmpstr(canon, ==, "2001:db8::1");

  NcSockAddr unset = { 0 };
  g_assert_null(nc_sockaddr_format(&unset));
  g_assert_false(nc_sockaddr_is_set(&unset));
}

static void
test_compare(void)
{
  NcSockAddr a = addr("10.0.0.1"), b = addr("10.0.0.2"), c = addr("10.0.0.1");
  NcSockAddr v6 = addr("::1");

  g_assert_cmpint(nc_sockaddr_compare(&a, &b), <, 0);
  g_assert_cmpint(nc_sockaddr_compare(&b, &a), >, 0);
  g_assert_cmpint(nc_sockaddr_compare(&a, &c), ==, 0);
  g_assert_true(nc_sockaddr_equal(&a, &c));
  g_assert_false(nc_sockaddr_equal(&a, &b));
  g_assert_false(nc_sockaddr_equal(&a, &v6));
}

static void
test_netmask_prefix(void)
{
  NcSockAddr m = addr("255.255.255.0");
  NcSockAddr out;
  g_autofree char *s = NULL;

  g_assert_cmpint(nc_sockaddr_netmask_to_prefix(&m), ==, 24);
  m = addr("255.255.255.255");
  g_assert_cmpint(nc_sockaddr_netmask_to_prefix(&m), ==, 32);
  m = addr("0.0.0.0");
  g_assert_cmpint(nc_sockaddr_netmask_to_prefix(&m), ==, 0);
  m = addr("255.0.255.0");
  g_assert_cmpint(nc_sockaddr_netmask_to_prefix(&m), ==, -1);
  m = addr("255.255.254.0");
  g_assert_cmpint(nc_sockaddr_netmask_to_prefix(&m), ==, 23);

  g_assert_true(nc_sockaddr_prefix_to_netmask(AF_INET, 20, &out));
  s = nc_sockaddr_format(&out);
  g_assert_cmpstr(s, ==, "255.255.240.0");
  g_clear_pointer(&s, g_free);
  g_assert_true(nc_sockaddr_prefix_to_netmask(AF_INET6, 64, &out));
  s = nc_sockaddr_format(&out);
  g_assert_cmpstr(s, ==, "ffff:ffff:ffff:ffff::");
  g_assert_false(nc_sockaddr_prefix_to_netmask(AF_INET, 33, &out));
  g_assert_false(nc_sockaddr_prefix_to_netmask(AF_INET6, 129, &out));
  g_assert_false(nc_sockaddr_prefix_to_netmask(AF_UNSPEC, 8, &out));
}

static void
test_subnet(void)
{
  NcSockAddr a = addr("192.168.122.77"), net, bc;
  g_autofree char *n = NULL, *b = NULL, *n6 = NULL;

  g_assert_true(nc_sockaddr_network(&a, 24, &net));
  n = nc_sockaddr_format(&net);
  g_assert_cmpstr(n, ==, "192.168.122.0");
  g_assert_true(nc_sockaddr_broadcast(&a, 24, &bc));
  b = nc_sockaddr_format(&bc);
  g_assert_cmpstr(b, ==, "192.168.122.255");

  NcSockAddr in = addr("192.168.122.200"), out = addr("192.168.123.1");
  g_assert_true(nc_sockaddr_in_subnet(&in, &a, 24));
  g_assert_false(nc_sockaddr_in_subnet(&out, &a, 24));
  g_assert_true(nc_sockaddr_in_subnet(&out, &a, 16));
  NcSockAddr v6 = addr("2001:db8:ac10:fe01::1");
  g_assert_false(nc_sockaddr_in_subnet(&v6, &a, 0));

  g_assert_true(nc_sockaddr_network(&v6, 48, &net));
  n6 = nc_sockaddr_format(&net);
  g_assert_cmpstr(n6, ==, "2001:db8:ac10::");
  g_assert_false(nc_sockaddr_broadcast(&v6, 64, &bc)); /* no broadcast in IPv6 */
  g_assert_false(nc_sockaddr_network(&a, 33, &net));
}

static void
test_range_size(void)
{
  NcSockAddr s = addr("192.168.122.2"), e = addr("192.168.122.254");
  g_assert_cmpint(nc_sockaddr_range_size(&s, &e), ==, 253);
  g_assert_cmpint(nc_sockaddr_range_size(&s, &s), ==, 1);
  g_assert_cmpint(nc_sockaddr_range_size(&e, &s), ==, -1);

  s = addr("0.0.0.0");
  e = addr("255.255.255.255");
  g_assert_cmpint(nc_sockaddr_range_size(&s, &e), ==, G_GINT64_CONSTANT(4294967296));

  s = addr("2001:db8::1");
  e = addr("2001:db8::ff");
  g_assert_cmpint(nc_sockaddr_range_size(&s, &e), ==, 255);
  /* crossing the 64-bit boundary */
  s = addr("2001:db8:0:0:ffff:ffff:ffff:fffe");
  e = addr("2001:db8:0:1::1");
  g_assert_cmpint(nc_sockaddr_range_size(&s, &e), ==, 4);
  /* too large */
  s = addr("2001:db8::");
  e = addr("2001:db9::");
  g_assert_cmpint(nc_sockaddr_range_size(&s, &e), ==, -1);
  /* mixed families */
  s = addr("10.0.0.1");
  g_assert_cmpint(nc_sockaddr_range_size(&s, &e), ==, -1);
}

static void
test_multicast_default_prefix(void)
{
  NcSockAddr a;

  a = addr("224.0.0.1");
  g_assert_true(nc_sockaddr_is_multicast(&a));
  a = addr("239.255.255.255");
  g_assert_true(nc_sockaddr_is_multicast(&a));
  g_assert_cmpint(nc_sockaddr_default_prefix(&a), ==, -1); /* class D */
  a = addr("223.255.255.255");
  g_assert_false(nc_sockaddr_is_multicast(&a));
  a = addr("ff02::1");
  g_assert_true(nc_sockaddr_is_multicast(&a));
  a = addr("fe80::1");
  g_assert_false(nc_sockaddr_is_multicast(&a));

  a = addr("10.24.10.1");
  g_assert_cmpint(nc_sockaddr_default_prefix(&a), ==, 8);
  a = addr("172.16.0.1");
  g_assert_cmpint(nc_sockaddr_default_prefix(&a), ==, 16);
  a = addr("192.168.1.1");
  g_assert_cmpint(nc_sockaddr_default_prefix(&a), ==, 24);
  a = addr("0.0.0.0");
  g_assert_cmpint(nc_sockaddr_default_prefix(&a), ==, 0);
  a = addr("2001:db8::1");
  g_assert_cmpint(nc_sockaddr_default_prefix(&a), ==, 64);
  a = addr("::");
  g_assert_cmpint(nc_sockaddr_default_prefix(&a), ==, 0);
}

static void
test_mac(void)
{
  NcMac mac = { { 0 } };
  char buf[18];
  const char *bad[] = { "",
                        "52:54:00:aa:bb",
                        "52:54:00:aa:bb:cc:dd",
                        "52-54-00-aa-bb-cc",
                        "52:54:00:aa:bb:ccc",
                        "52:54:00:aa:bb:gg",
                        " 52:54:00:aa:bb:cc",
                        "+2:54:00:aa:bb:cc",
                        "52:54::aa:bb:cc",
                        "525400aabbcc",
                        "52:54:00:aa:bb:cc x" };

  g_assert_true(nc_mac_parse("52:54:00:AA:bB:0c", &mac));
  nc_mac_format(&mac, buf);
  g_assert_cmpstr(buf, ==, "52:54:00:aa:bb:0c");
  /* single-digit groups, as virMacAddrParse accepts */
  g_assert_true(nc_mac_parse("0:1:2:3:4:5", &mac));
  nc_mac_format(&mac, buf);
  g_assert_cmpstr(buf, ==, "00:01:02:03:04:05");
  /* trailing blank ends the address */
  g_assert_true(nc_mac_parse("12:34:56:78:9A:BC ", &mac));

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    NcMac untouched = { { 1, 2, 3, 4, 5, 6 } };
    if (nc_mac_parse(bad[i], &untouched))
      g_error("MAC '%s' should not parse", bad[i]);
    g_assert_cmpint(untouched.addr[0], ==, 1);
  }

  g_assert_true(nc_mac_parse("01:00:5e:00:00:01", &mac));
  g_assert_true(nc_mac_is_multicast(&mac));
  g_assert_true(nc_mac_parse("52:54:00:00:00:01", &mac));
  g_assert_false(nc_mac_is_multicast(&mac));
  g_assert_true(nc_mac_parse("00:00:00:00:00:00", &mac));
  g_assert_true(nc_mac_is_zero(&mac));

  for (int i = 0; i < 50; i++) {
    nc_mac_generate(&mac);
    g_assert_cmpint(mac.addr[0], ==, 0x52);
    g_assert_cmpint(mac.addr[1], ==, 0x54);
    g_assert_cmpint(mac.addr[2], ==, 0x00);
    g_assert_false(nc_mac_is_multicast(&mac));
  }
}

static void
test_uuid(void)
{
  guint8 u[NC_UUID_LEN], v[NC_UUID_LEN];
  char buf[NC_UUID_STRING_LEN];
  const char *bad[] = { "",
                        "81ff0d90-c91e-6742-64da-4a736edb9a9",
                        "81ff0d90-c91e-6742-64da-4a736edb9a9bb",
                        "81ff0d90-c91e-6742-64da-4a736edb9a9g",
                        "8-1ff0d90c91e674264da4a736edb9a9b",
                        "81ff0d90-c91e-6742-64da-4a736edb9a9b x" };

  g_assert_true(nc_uuid_parse("81ff0d90-c91e-6742-64da-4a736edb9a9b", u));
  nc_uuid_format(u, buf);
  g_assert_cmpstr(buf, ==, "81ff0d90-c91e-6742-64da-4a736edb9a9b");
  /* libvirt's liberal forms: no dashes, spaces, upper case, surrounding blanks */
  g_assert_true(nc_uuid_parse("  81FF0D90C91E674264DA4A736EDB9A9B\n", v));
  g_assert_cmpmem(u, NC_UUID_LEN, v, NC_UUID_LEN);
  g_assert_true(nc_uuid_parse("81 ff 0d 90 c9 1e 67 42 64 da 4a 73 6e db 9a 9b", v));
  g_assert_cmpmem(u, NC_UUID_LEN, v, NC_UUID_LEN);

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    memset(v, 0xaa, sizeof(v));
    if (nc_uuid_parse(bad[i], v))
      g_error("UUID '%s' should not parse", bad[i]);
    g_assert_cmpint(v[0], ==, 0xaa);
  }

  memset(v, 0, sizeof(v));
  g_assert_true(nc_uuid_is_zero(v));
  nc_uuid_generate(u);
  nc_uuid_generate(v);
  g_assert_false(nc_uuid_is_zero(u));
  g_assert_true(memcmp(u, v, NC_UUID_LEN) != 0);
  g_assert_cmpint(u[6] >> 4, ==, 4);      /* version 4 */
  g_assert_cmpint(u[8] & 0xc0, ==, 0x80); /* RFC 4122 variant */
  nc_uuid_format(u, buf);
  g_assert_true(nc_uuid_parse(buf, v));
  g_assert_cmpmem(u, NC_UUID_LEN, v, NC_UUID_LEN);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/nc-addr/parse-format", test_parse_format);
  g_test_add_func("/nc-addr/compare", test_compare);
  g_test_add_func("/nc-addr/netmask-prefix", test_netmask_prefix);
  g_test_add_func("/nc-addr/subnet", test_subnet);
  g_test_add_func("/nc-addr/range-size", test_range_size);
  g_test_add_func("/nc-addr/multicast-default-prefix", test_multicast_default_prefix);
  g_test_add_func("/nc-addr/mac", test_mac);
  g_test_add_func("/nc-addr/uuid", test_uuid);
  return g_test_run();
}
