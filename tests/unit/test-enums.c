/* Every enum string table is complete and round-trips, and the strings are
 * libvirt's spelling. */
#include <string.h>

#include <glib.h>

#include "network-def.h"
#include "network-netctl-ovs.h"
#include "port-def.h"

/* Values that are never written (absent/default), so have no string. */
static gboolean
may_be_unnamed(const char *table, int v)
{
  /* NcForwardMode's 0 is "none", which libvirt does have a string for. */
  if (strcmp(table, "NcForwardMode") == 0)
    return FALSE;
  return v == 0;
}

static void
check_tables(const NcEnumTable *tables, gsize n)
{
  for (gsize t = 0; t < n; t++) {
    const NcEnumTable *tab = &tables[t];
    g_assert_cmpint(tab->max, >, 1);
    for (int v = 0; v < tab->max; v++) {
      const char *s = tab->strings[v];
      if (!s) {
        if (!may_be_unnamed(tab->name, v))
          g_error("%s value %d has no string", tab->name, v);
        continue;
      }
      /* no duplicates */
      for (int w = v + 1; w < tab->max; w++)
        if (tab->strings[w] && strcmp(tab->strings[w], s) == 0)
          g_error("%s: '%s' appears twice", tab->name, s);
    }
  }
}

/* Both models' tables, so a new enum cannot miss the check. */
static void
test_tables_complete(void)
{
  gsize n = 0, n_port = 0;
  const NcEnumTable *tables = nc_enum_tables(&n);
  const NcEnumTable *port_tables = nc_port_enum_tables(&n_port);

  g_assert_cmpuint(n, ==, 9);
  g_assert_cmpuint(n_port, >=, 2);
  check_tables(tables, n);
  check_tables(port_tables, n_port);
}

typedef const char *(*ToString)(int v);
typedef int (*FromString)(const char *s);

static void
check_roundtrip(const char *name, int max, ToString to, FromString from)
{
  for (int v = 0; v < max; v++) {
    const char *s = to(v);
    if (!s)
      continue;
    if (from(s) != v)
      g_error("%s: from_string(to_string(%d) = '%s') = %d", name, v, s, from(s));
  }
  g_assert_null(to(max));
  g_assert_null(to(-1));
  g_assert_cmpint(from("no-such-value"), ==, -1);
  g_assert_cmpint(from(NULL), ==, -1);
  g_assert_cmpint(from(""), ==, -1);
}

#define ROUNDTRIP(prefix, max)                                                                     \
  check_roundtrip(#prefix, max, (ToString)(void (*)(void))prefix##_to_string, prefix##_from_string)

static void
test_roundtrip(void)
{
  ROUNDTRIP(nc_tristate, _NC_TRISTATE_MAX);
  ROUNDTRIP(nc_switch, _NC_SWITCH_MAX);
  ROUNDTRIP(nc_forward_mode, _NC_FORWARD_MAX);
  ROUNDTRIP(nc_forward_driver_name, _NC_FORWARD_DRIVER_MAX);
  ROUNDTRIP(nc_mac_table_manager, _NC_MAC_TABLE_MANAGER_MAX);
  ROUNDTRIP(nc_ip_family, _NC_IP_FAMILY_MAX);
  ROUNDTRIP(nc_lease_unit, _NC_LEASE_UNIT_MAX);
  ROUNDTRIP(nc_virtualport_type, _NC_VIRTUALPORT_MAX);
  ROUNDTRIP(nc_vlan_native_mode, _NC_VLAN_NATIVE_MAX);
  ROUNDTRIP(nc_mirror_direction, _NC_MIRROR_DIRECTION_MAX);
}

static void
test_libvirt_spelling(void)
{
  const char *modes[]
      = { "none", "nat", "route", "open", "bridge", "private", "vepa", "passthrough", "hostdev" };

  g_assert_cmpint(G_N_ELEMENTS(modes), ==, _NC_FORWARD_MAX);
  for (int i = 0; i < _NC_FORWARD_MAX; i++)
    g_assert_cmpstr(nc_forward_mode_to_string(i), ==, modes[i]);

  g_assert_cmpstr(nc_tristate_to_string(NC_TRISTATE_YES), ==, "yes");
  g_assert_cmpstr(nc_tristate_to_string(NC_TRISTATE_NO), ==, "no");
  g_assert_null(nc_tristate_to_string(NC_TRISTATE_ABSENT));
  g_assert_cmpint(nc_tristate_from_string("absent"), ==, -1);
  g_assert_cmpint(nc_tristate_from_string("YES"), ==, -1); /* case-sensitive, like libvirt */
  g_assert_cmpstr(nc_switch_to_string(NC_SWITCH_ON), ==, "on");
  g_assert_cmpstr(nc_switch_to_string(NC_SWITCH_OFF), ==, "off");
  g_assert_cmpstr(nc_forward_driver_name_to_string(NC_FORWARD_DRIVER_KVM), ==, "kvm");
  g_assert_cmpstr(nc_forward_driver_name_to_string(NC_FORWARD_DRIVER_VFIO), ==, "vfio");
  g_assert_cmpint(nc_forward_driver_name_from_string("default"), ==, -1);
  g_assert_cmpstr(nc_mac_table_manager_to_string(NC_MAC_TABLE_MANAGER_KERNEL), ==, "kernel");
  g_assert_cmpstr(nc_mac_table_manager_to_string(NC_MAC_TABLE_MANAGER_LIBVIRT), ==, "libvirt");
  g_assert_cmpstr(nc_ip_family_to_string(NC_IP_FAMILY_IPV4), ==, "ipv4");
  g_assert_cmpstr(nc_ip_family_to_string(NC_IP_FAMILY_IPV6), ==, "ipv6");
  g_assert_cmpstr(nc_lease_unit_to_string(NC_LEASE_UNIT_SECONDS), ==, "seconds");
  g_assert_cmpstr(nc_lease_unit_to_string(NC_LEASE_UNIT_MINUTES), ==, "minutes");
  g_assert_cmpstr(nc_lease_unit_to_string(NC_LEASE_UNIT_HOURS), ==, "hours");
  g_assert_cmpstr(nc_virtualport_type_to_string(NC_VIRTUALPORT_8021QBG), ==, "802.1Qbg");
  g_assert_cmpstr(nc_virtualport_type_to_string(NC_VIRTUALPORT_8021QBH), ==, "802.1Qbh");
  g_assert_cmpstr(nc_virtualport_type_to_string(NC_VIRTUALPORT_OPENVSWITCH), ==, "openvswitch");
  g_assert_cmpstr(nc_virtualport_type_to_string(NC_VIRTUALPORT_MIDONET), ==, "midonet");
  g_assert_cmpstr(nc_vlan_native_mode_to_string(NC_VLAN_NATIVE_TAGGED), ==, "tagged");
  g_assert_cmpstr(nc_vlan_native_mode_to_string(NC_VLAN_NATIVE_UNTAGGED), ==, "untagged");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/enums/tables-complete", test_tables_complete);
  g_test_add_func("/enums/roundtrip", test_roundtrip);
  g_test_add_func("/enums/libvirt-spelling", test_libvirt_spelling);
  return g_test_run();
}
