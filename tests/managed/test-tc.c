/* Pure parts of network-wide <bandwidth>: libvirt's limits as HTB
 * parameters, and the IFB name derived from the bridge's. */
#include <net/if.h>
#include <string.h>

#include "tc.h"

static void
test_inbound(void)
{
  /* libvirt: tc class ... rate 1000kbps ceil 2000kbps burst 256kb */
  NcTcRate in = { .average = 1000, .peak = 2000, .burst = 256 };
  NcTcHtb htb;
  nc_tc_htb_for_inbound(&in, &htb);
  g_assert_cmpuint(htb.rate, ==, 1000000);
  g_assert_cmpuint(htb.ceil, ==, 2000000);
  g_assert_cmpuint(htb.burst, ==, 256 * 1024);
  g_assert_cmpuint(htb.cburst, ==, 0);

  NcTcRate plain = { .average = 500 };
  nc_tc_htb_for_inbound(&plain, &htb);
  g_assert_cmpuint(htb.ceil, ==, 500000);
  g_assert_cmpuint(htb.burst, ==, 0); /* the kernel's default, as tc without "burst" */
}

static void
test_outbound(void)
{
  NcTcHtb htb;
  /* libvirt: police rate 100kbps burst 100kb (one second when absent):
   * both buckets hold the burst, sent at line speed. */
  NcTcRate out = { .average = 100 };
  nc_tc_htb_for_outbound(&out, &htb);
  g_assert_cmpuint(htb.rate, ==, 100000);
  g_assert_cmpuint(htb.ceil, ==, 100000);
  g_assert_cmpuint(htb.burst, ==, 100 * 1024);
  g_assert_cmpuint(htb.cburst, ==, 100 * 1024);

  NcTcRate burst = { .average = 100, .burst = 16 };
  nc_tc_htb_for_outbound(&burst, &htb);
  g_assert_cmpuint(htb.burst, ==, 16 * 1024);
  g_assert_cmpuint(htb.cburst, ==, 16 * 1024);

  /* A peak caps the burst's speed; the sustained rate stays average. */
  NcTcRate peak = { .average = 100, .peak = 300, .burst = 64 };
  nc_tc_htb_for_outbound(&peak, &htb);
  g_assert_cmpuint(htb.rate, ==, 100000);
  g_assert_cmpuint(htb.ceil, ==, 300000);
  g_assert_cmpuint(htb.burst, ==, 64 * 1024);
  g_assert_cmpuint(htb.cburst, ==, 0);

  /* A peak below average means nothing (libvirt ignores outbound peak). */
  NcTcRate low = { .average = 100, .peak = 50 };
  nc_tc_htb_for_outbound(&low, &htb);
  g_assert_cmpuint(htb.ceil, ==, 100000);
  g_assert_cmpuint(htb.cburst, ==, htb.burst);

  /* Bursts beyond what tc can hold (UINT_MAX bytes) are capped, as libvirt. */
  NcTcRate huge = { .average = G_GUINT64_CONSTANT(100000000) };
  nc_tc_htb_for_outbound(&huge, &htb);
  g_assert_cmpuint(htb.burst, ==, (G_MAXUINT32 / 1024) * 1024);
}

static void
test_ifb_name(void)
{
  const char *bridges[] = { "v",
                            "virbr0",
                            "vbr-route",
                            "abcdefghijk",
                            "abcdefghijkl",
                            "abcdefghijklmno",
                            "abcdefXhijklmno",
                            "abcdefghijklmnp" };
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(bridges); i++) {
    g_autofree char *name = nc_ifb_name_for_bridge(bridges[i]);
    g_assert_nonnull(name);
    g_assert_cmpuint(strlen(name), <, IFNAMSIZ);
    g_assert_true(g_str_has_suffix(name, "-ifb"));
    g_assert_cmpstr(name, !=, bridges[i]);
    /* Stable: the next netctld finds the same device. */
    g_autofree char *again = nc_ifb_name_for_bridge(bridges[i]);
    g_assert_cmpstr(name, ==, again);
    g_assert_true(g_hash_table_add(seen, g_steal_pointer(&name)));
  }
  g_hash_table_unref(seen);

  g_autofree char *short_name = nc_ifb_name_for_bridge("virbr0");
  g_assert_cmpstr(short_name, ==, "virbr0-ifb");
  g_autofree char *fits = nc_ifb_name_for_bridge("abcdefghijk");
  g_assert_cmpstr(fits, ==, "abcdefghijk-ifb");
  g_autofree char *longer = nc_ifb_name_for_bridge("abcdefghijklmno");
  g_assert_true(g_str_has_prefix(longer, "abcdef-"));
  g_assert_cmpuint(strlen(longer), ==, IFNAMSIZ - 1);

  g_assert_null(nc_ifb_name_for_bridge(""));
  g_assert_null(nc_ifb_name_for_bridge(NULL));
  g_assert_null(nc_ifb_name_for_bridge("abcdefghijklmnop")); /* 16: not a valid name */

  g_autofree char *a = nc_ifb_alias_for_bridge("virbr0");
  g_autofree char *b = nc_ifb_alias_for_bridge("virbr1");
  g_assert_true(strstr(a, "netctl") && strstr(a, "virbr0"));
  g_assert_cmpstr(a, !=, b);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tc/htb/inbound", test_inbound);
  g_test_add_func("/tc/htb/outbound", test_outbound);
  g_test_add_func("/tc/ifb/name", test_ifb_name);
  return g_test_run();
}
