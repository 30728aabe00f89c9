/* Pure parts of per-port bandwidth (drivers/port-bandwidth.h): admission
 * control of floors, the status file's class_id bitmap and floor sum from
 * the bookings in a network's live state, and the per-port IFB name. */
#include <net/if.h>
#include <string.h>

#include "nc-error.h"
#include "network-xml.h"
#include "port-bandwidth.h"
#include "port-def.h"
#include "tc.h"

static NcNetworkDef *
network(const char *forward, const char *bandwidth)
{
  g_autofree char *xml = g_strdup_printf("<network><name>q</name>%s<bridge name='qbr0'/>%s"
                                         "<ip address='10.0.0.1' prefix='24'/></network>",
                                         forward, bandwidth);
  g_autoptr(GError) error = NULL;
  NcNetworkDef *def = nc_network_def_parse_string(xml, NULL, 0, &error);
  g_assert_no_error(error);
  return def;
}

static NcNetworkPortDef *
port(guint n, const char *bandwidth)
{
  g_autofree char *xml = g_strdup_printf(
      "<networkport><uuid>5eed0000-0000-4000-8000-0000000000%02x</uuid>"
      "<owner><name>g</name><uuid>c0ffee00-0000-4000-8000-000000000001</uuid></owner>"
      "<mac address='52:54:00:00:00:%02x'/>%s</networkport>",
      n, n, bandwidth);
  g_autoptr(GError) error = NULL;
  NcNetworkPortDef *def = nc_network_port_def_parse_string(xml, NULL, 0, &error);
  g_assert_no_error(error);
  return def;
}

static void
test_bitmap(void)
{
  NcLiveState live;
  nc_live_state_init(&live);
  g_autofree char *empty = nc_port_floor_class_bitmap(&live);
  g_assert_cmpstr(empty, ==, "0-2"); /* libvirt's, for a network without floors */
  g_assert_cmpuint(nc_port_floor_sum(&live), ==, 0);
  nc_live_state_set(&live, "floor:a", "3 100");
  nc_live_state_set(&live, "floor:b", "5 20");
  nc_live_state_set(&live, "floor:c", "6 7");
  nc_live_state_set(&live, "floor:bad", "2 5");   /* the network's own id: ignored */
  nc_live_state_set(&live, "floor:junk", "x 5");  /* not a booking */
  nc_live_state_set(&live, "dnsmasq-pid", "7 7"); /* another driver's key */
  g_autofree char *bitmap = nc_port_floor_class_bitmap(&live);
  g_assert_cmpstr(bitmap, ==, "0-3,5-6");
  g_assert_cmpuint(nc_port_floor_sum(&live), ==, 127);
  nc_live_state_destroy(&live);
}

static void
test_admission(void)
{
  g_autoptr(NcNetworkDef) shaped = network("", "<bandwidth><inbound average='250'/></bandwidth>");
  g_autoptr(NcNetworkDef) plain = network("", "");
  g_autoptr(NcNetworkDef) host = network("<forward mode='bridge'/>", "");
  g_autoptr(NcNetworkPortDef) none = port(1, "");
  g_autoptr(NcNetworkPortDef) f200 = port(2, "<bandwidth><inbound floor='200'/></bandwidth>");
  g_autoptr(NcNetworkPortDef) f100 = port(3, "<bandwidth><inbound floor='100'/></bandwidth>");
  NcLiveState live;
  nc_live_state_init(&live);
  g_autoptr(GError) error = NULL;

  g_assert_true(nc_port_floor_check(plain, &live, none, &error)); /* no floor: nothing to check */
  g_assert_true(nc_port_floor_check(shaped, &live, f200, &error));
  g_assert_no_error(error);
  g_assert_false(nc_port_floor_check(plain, &live, f200, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED);
  g_assert_nonnull(strstr(error->message, "needs the network to have <bandwidth><inbound"));
  g_clear_error(&error);
  g_assert_false(nc_port_floor_check(host, &live, f200, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED);
  g_clear_error(&error);

  /* port 2 holds 200 of 250: 100 more does not fit; port 2 itself may
   * change its own floor (its booking is not counted twice). */
  nc_live_state_set(&live, "floor:5eed0000-0000-4000-8000-000000000002", "3 200");
  g_assert_false(nc_port_floor_check(shaped, &live, f100, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
  g_assert_nonnull(strstr(error->message, "floor 100 kB/s does not fit"));
  g_assert_nonnull(strstr(error->message, "(50 left)"));
  g_assert_null(strchr(error->message, '\n'));
  g_clear_error(&error);
  g_assert_true(nc_port_floor_check(shaped, &live, f200, &error));
  g_assert_no_error(error);
  nc_live_state_destroy(&live);
}

static void
test_prune(void)
{
  g_autoptr(NcNetworkDef) shaped = network("", "<bandwidth><inbound average='250'/></bandwidth>");
  NcLiveState live;
  nc_live_state_init(&live); /* bridge_ifindex 0: the kernel is not touched */
  nc_live_state_set(&live, "floor:5eed0000-0000-4000-8000-000000000001", "3 100");
  nc_live_state_set(&live, "floor:5eed0000-0000-4000-8000-000000000002", "4 50");
  nc_live_state_set(&live, "dnsmasq-pid", "7");
  g_autoptr(GHashTable) ports = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_add(ports, (gpointer) "5eed0000-0000-4000-8000-000000000002");
  NcDriverEnv env = { 0 };
  g_assert_cmpuint(nc_port_floor_prune(&env, shaped, &live, ports), ==, 1);
  g_assert_cmpuint(nc_port_floor_sum(&live), ==, 50);
  g_autofree char *bitmap = nc_port_floor_class_bitmap(&live);
  g_assert_cmpstr(bitmap, ==, "0-2,4");
  g_assert_cmpstr(nc_live_state_get(&live, "dnsmasq-pid"), ==, "7");
  g_assert_cmpuint(nc_port_floor_prune(&env, shaped, &live, NULL), ==, 1);
  g_assert_cmpuint(nc_port_floor_sum(&live), ==, 0);
  nc_live_state_destroy(&live);
}

static void
test_ifb_name(void)
{
  g_autofree char *a = nc_ifb_name_for_port("5eed0000-0000-4000-8000-000000000001");
  g_autofree char *b = nc_ifb_name_for_port("5eed0000-0000-4000-8000-000000000002");
  g_assert_true(g_str_has_prefix(a, "ncifb-"));
  g_assert_cmpuint(strlen(a), <, IFNAMSIZ);
  g_assert_cmpstr(a, !=, b);
  g_assert_null(nc_ifb_name_for_port(""));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/port-bandwidth/bitmap", test_bitmap);
  g_test_add_func("/port-bandwidth/admission", test_admission);
  g_test_add_func("/port-bandwidth/prune", test_prune);
  g_test_add_func("/port-bandwidth/ifb-name", test_ifb_name);
  return g_test_run();
}
