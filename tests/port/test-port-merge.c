/* Port settings from portgroup and network (xml/port-merge.h), as libvirt's
 * networkAllocatePort merges them: the port's own value wins, then its
 * portgroup's (the named one, else the default), then the network's; the
 * network's own <bandwidth> never reaches a port; the kinds' traits table is
 * complete. */
#include <string.h>

#include "nc-error.h"
#include "network-kind.h"
#include "network-xml.h"
#include "port-merge.h"

static const char *const NET_XML
    = "<network>\n"
      "  <name>pg</name>\n"
      "  <forward mode='bridge'/>\n"
      "  <bridge name='ovsbr0'/>\n"
      "  <bandwidth><inbound average='9000'/></bandwidth>\n"
      "  <vlan><tag id='10'/></vlan>\n"
      "  <virtualport type='openvswitch'/>\n"
      "  <portgroup name='web' default='yes' trustGuestRxFilters='yes'>\n"
      "    <vlan><tag id='20'/></vlan>\n"
      "    <bandwidth><inbound average='1000'/></bandwidth>\n"
      "  </portgroup>\n"
      "  <portgroup name='db'>\n"
      "    <virtualport type='openvswitch'><parameters profileid='dbprof'/></virtualport>\n"
      "  </portgroup>\n"
      "</network>\n";

static NcNetworkPortDef *
port(const char *group_xml, const char *extra)
{
  g_autofree char *xml = g_strdup_printf(
      "<networkport>\n  <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"
      "  <owner><name>vm</name><uuid>11111111-2222-3333-4444-666666666666</uuid></owner>\n"
      "%s  <mac address='52:54:00:00:00:01'/>\n%s</networkport>\n",
      group_xml ? group_xml : "", extra ? extra : "");
  g_autoptr(GError) error = NULL;
  NcNetworkPortDef *def = nc_network_port_def_parse_string(xml, NULL, 0, &error);
  g_assert_no_error(error);
  return def;
}

static NcNetworkDef *
network(void)
{
  g_autoptr(GError) error = NULL;
  NcNetworkDef *def = nc_network_def_parse_string(NET_XML, NULL, NC_NETWORK_PARSE_CHECK, &error);
  g_assert_no_error(error);
  return def;
}

static guint
first_tag(const NcVlan *vlan)
{
  g_assert_nonnull(vlan);
  return g_array_index(vlan->tags, NcVlanTag, 0).id;
}

static void
test_default_portgroup(void)
{
  g_autoptr(NcNetworkDef) net = network();
  g_autoptr(NcNetworkPortDef) p = port(NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(nc_network_port_merge(net, p, &error));
  g_assert_cmpuint(first_tag(p->vlan), ==, 20);      /* the default portgroup's */
  g_assert_nonnull(p->bandwidth);                    /* the portgroup's, not the network's */
  g_assert_cmpuint(p->bandwidth->in->average, ==, 1000);
  g_assert_cmpint(p->trust_guest_rx_filters, ==, NC_TRISTATE_YES);
  g_assert_nonnull(p->virtualport);                  /* the network's */
  g_assert_cmpint(p->virtualport->type, ==, NC_VIRTUALPORT_OPENVSWITCH);
}

static void
test_named_portgroup(void)
{
  g_autoptr(NcNetworkDef) net = network();
  g_autoptr(NcNetworkPortDef) p = port("  <group>db</group>\n", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true(nc_network_port_merge(net, p, &error));
  g_assert_cmpuint(first_tag(p->vlan), ==, 10); /* db has none: the network's */
  g_assert_null(p->bandwidth);                  /* neither db nor the port have one */
  g_assert_nonnull(p->virtualport);
  g_autofree char *xml = nc_network_port_def_format(p, 0);
  g_assert_nonnull(strstr(xml, "profileid='dbprof'"));
}

static void
test_port_wins(void)
{
  g_autoptr(NcNetworkDef) net = network();
  g_autoptr(NcNetworkPortDef) p
      = port(NULL, "  <bandwidth><inbound average='5'/></bandwidth>\n"
                   "  <vlan><tag id='30'/></vlan>\n  <rxfilters trustGuest='no'/>\n");
  g_autoptr(GError) error = NULL;
  g_assert_true(nc_network_port_merge(net, p, &error));
  g_assert_cmpuint(first_tag(p->vlan), ==, 30);
  g_assert_cmpuint(p->bandwidth->in->average, ==, 5);
  g_assert_cmpint(p->trust_guest_rx_filters, ==, NC_TRISTATE_NO);
}

static void
test_unknown_portgroup(void)
{
  g_autoptr(NcNetworkDef) net = network();
  g_autoptr(NcNetworkPortDef) p = port("  <group>nosuch</group>\n", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_network_port_merge(net, p, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_INVALID_NETWORK_PORT);
  g_assert_cmpstr(error->message, ==, "network 'pg' has no portgroup 'nosuch'");
  g_assert_null(p->vlan); /* nothing merged */
}

static void
test_isolated_from_network(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) net = nc_network_def_parse_string(
      "<network><name>iso</name><bridge name='ncbr9'/><port isolated='yes'/></network>", NULL,
      NC_NETWORK_PARSE_CHECK, &error);
  g_assert_no_error(error);
  g_autoptr(NcNetworkPortDef) p = port(NULL, NULL);
  g_assert_true(nc_network_port_merge(net, p, &error));
  g_assert_cmpint(p->isolated, ==, NC_TRISTATE_YES);
  g_autoptr(NcNetworkPortDef) q = port(NULL, "  <port isolated='no'/>\n");
  g_assert_true(nc_network_port_merge(net, q, &error));
  g_assert_cmpint(q->isolated, ==, NC_TRISTATE_NO);
}

static void
test_kinds(void)
{
  for (int k = 0; k < _NC_NETWORK_KIND_MAX; k++) {
    const NcNetworkKindTraits *t = nc_network_kind_traits(k);
    g_assert_cmpint(t->kind, ==, k);
    g_assert_nonnull(t->description);
    g_assert_nonnull(nc_network_kind_to_string(k));
    g_assert_cmpint(nc_network_kind_from_string(nc_network_kind_to_string(k)), ==, k);
  }
  static const struct {
    const char *xml;
    NcNetworkKind kind;
  } cases[] = {
    { "<network><name>a</name></network>", NC_NETWORK_KIND_MANAGED_BRIDGE },
    { "<network><name>a</name><forward mode='open'/><bridge name='x1'/></network>",
      NC_NETWORK_KIND_MANAGED_BRIDGE },
    { "<network><name>a</name><forward mode='bridge'/><bridge name='br0'/></network>",
      NC_NETWORK_KIND_HOST_BRIDGE },
    { "<network><name>a</name><forward mode='bridge'/><bridge name='br0'/>"
      "<virtualport type='openvswitch'/></network>",
      NC_NETWORK_KIND_OVS_BRIDGE },
    { "<network><name>a</name><forward mode='bridge'><interface dev='eth0'/></forward></network>",
      NC_NETWORK_KIND_MACVTAP },
    { "<network><name>a</name><forward mode='vepa'><interface dev='eth0'/></forward></network>",
      NC_NETWORK_KIND_MACVTAP },
    { "<network><name>a</name><forward mode='hostdev' managed='yes'><pf dev='eth0'/></forward>"
      "</network>",
      NC_NETWORK_KIND_HOSTDEV },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(cases[i].xml, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpint(nc_network_def_kind(def), ==, cases[i].kind);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/port-merge/default-portgroup", test_default_portgroup);
  g_test_add_func("/port-merge/named-portgroup", test_named_portgroup);
  g_test_add_func("/port-merge/port-wins", test_port_wins);
  g_test_add_func("/port-merge/unknown-portgroup", test_unknown_portgroup);
  g_test_add_func("/port-merge/isolated-from-network", test_isolated_from_network);
  g_test_add_func("/network-kind/traits-and-derivation", test_kinds);
  return g_test_run();
}
