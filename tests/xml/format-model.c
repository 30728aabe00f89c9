/* nc_network_def_format() on models built by hand: the live-only data the
 * parser never produces (connection counts, VFs found under a <pf>), values
 * that need escaping, and the rules that decide whether an element is
 * written at all. No parser involved. */
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>

#include "network-xml.h"

static const guint8 test_uuid[NC_UUID_LEN] = { 0x81, 0xff, 0x0d, 0x90, 0xc9, 0x1e, 0x67, 0x42,
                                               0x64, 0xda, 0x4a, 0x73, 0x6e, 0xdb, 0x9a, 0x9b };
#define UUID_LINE "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n"

static NcNetworkDef *
new_def(const char *name)
{
  NcNetworkDef *def = nc_network_def_new();

  def->name = g_strdup(name);
  def->has_uuid = TRUE;
  memcpy(def->uuid, test_uuid, NC_UUID_LEN);
  return def;
}

static void
add_forward_if(NcNetworkDef *def, const char *dev, guint connections)
{
  NcForwardIf *fi = g_new0(NcForwardIf, 1);

  fi->dev = g_strdup(dev);
  fi->connections = connections;
  g_ptr_array_add(def->forward.ifs, fi);
}

static void
assert_format(const NcNetworkDef *def, guint flags, const char *expected)
{
  g_autofree char *actual = nc_network_def_format(def, flags);

  g_assert_cmpstr(actual, ==, expected);
}

static void
test_isolated_minimal(void)
{
  g_autoptr(NcNetworkDef) def = new_def("lab");

  /* The bridge-owning modes always get stp/delay, libvirt's defaults. */
  assert_format(def, 0,
                "<network>\n"
                "  <name>lab</name>\n" UUID_LINE "  <bridge stp='on' delay='0'/>\n"
                "</network>\n");
}

static void
test_no_uuid(void)
{
  g_autoptr(NcNetworkDef) def = new_def("lab");

  def->has_uuid = FALSE;
  def->forward.mode = NC_FORWARD_BRIDGE;
  def->bridge.name = g_strdup("br0");
  assert_format(def, 0,
                "<network>\n"
                "  <name>lab</name>\n"
                "  <forward mode='bridge'/>\n"
                "  <bridge name='br0'/>\n"
                "</network>\n");
}

static void
test_connections(void)
{
  g_autoptr(NcNetworkDef) def = new_def("direct");

  def->connections = 3;
  def->forward.mode = NC_FORWARD_VEPA;
  add_forward_if(def, "eth1", 2);
  add_forward_if(def, "eth2", 0);
  add_forward_if(def, "eth3", 1);

  assert_format(def, 0,
                "<network connections='3'>\n"
                "  <name>direct</name>\n" UUID_LINE "  <forward dev='eth1' mode='vepa'>\n"
                "    <interface dev='eth1' connections='2'/>\n"
                "    <interface dev='eth2'/>\n"
                "    <interface dev='eth3' connections='1'/>\n"
                "  </forward>\n"
                "</network>\n");
  assert_format(def, NC_NETWORK_FORMAT_INACTIVE,
                "<network>\n"
                "  <name>direct</name>\n" UUID_LINE "  <forward dev='eth1' mode='vepa'>\n"
                "    <interface dev='eth1'/>\n"
                "    <interface dev='eth2'/>\n"
                "    <interface dev='eth3'/>\n"
                "  </forward>\n"
                "</network>\n");
}

static void
test_pf_hides_vfs_when_inactive(void)
{
  g_autoptr(NcNetworkDef) def = new_def("vfs");

  def->forward.mode = NC_FORWARD_PASSTHROUGH;
  def->forward.pf = g_new0(NcForwardPf, 1);
  def->forward.pf->dev = g_strdup("enp1s0");
  add_forward_if(def, "enp1s0v0", 1);
  add_forward_if(def, "enp1s0v1", 0);

  /* No dev= with a <pf>: the VFs are discovered, not configured. */
  assert_format(def, 0,
                "<network>\n"
                "  <name>vfs</name>\n" UUID_LINE "  <forward mode='passthrough'>\n"
                "    <pf dev='enp1s0'/>\n"
                "    <interface dev='enp1s0v0' connections='1'/>\n"
                "    <interface dev='enp1s0v1'/>\n"
                "  </forward>\n"
                "</network>\n");
  assert_format(def, NC_NETWORK_FORMAT_INACTIVE,
                "<network>\n"
                "  <name>vfs</name>\n" UUID_LINE "  <forward mode='passthrough'>\n"
                "    <pf dev='enp1s0'/>\n"
                "  </forward>\n"
                "</network>\n");
}

static void
test_forward_dev_without_interfaces(void)
{
  g_autoptr(NcNetworkDef) def = new_def("nat");

  def->forward.mode = NC_FORWARD_NAT;
  def->forward.dev = g_strdup("eth0");
  assert_format(def, 0,
                "<network>\n"
                "  <name>nat</name>\n" UUID_LINE "  <forward dev='eth0' mode='nat'>\n"
                "    <interface dev='eth0'/>\n"
                "  </forward>\n"
                "  <bridge stp='on' delay='0'/>\n"
                "</network>\n");
}

static void
test_hostdev_addresses(void)
{
  g_autoptr(NcNetworkDef) def = new_def("hd");
  NcPciAddr *addr = g_new0(NcPciAddr, 1);

  def->forward.mode = NC_FORWARD_HOSTDEV;
  def->forward.driver_model = g_strdup("vfio-pci-igb");
  addr->domain = 0;
  addr->bus = 3;
  addr->slot = 0x10;
  addr->function = 7;
  g_ptr_array_add(def->forward.addrs, addr);

  /* managed='no' is written when not 'yes', as libvirt does. */
  assert_format(def, 0,
                "<network>\n"
                "  <name>hd</name>\n" UUID_LINE "  <forward mode='hostdev' managed='no'>\n"
                "    <driver model='vfio-pci-igb'/>\n"
                "    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' "
                "function='0x7'/>\n"
                "  </forward>\n"
                "</network>\n");
}

static void
test_driver_model_alone_keeps_xml_well_formed(void)
{
  g_autoptr(NcNetworkDef) def = new_def("hd");

  def->forward.mode = NC_FORWARD_HOSTDEV;
  def->forward.managed = NC_TRISTATE_YES;
  def->forward.driver_model = g_strdup("m");
  assert_format(def, 0,
                "<network>\n"
                "  <name>hd</name>\n" UUID_LINE "  <forward mode='hostdev' managed='yes'>\n"
                "    <driver model='m'/>\n"
                "  </forward>\n"
                "</network>\n");
}

static void
test_escaping(void)
{
  g_autoptr(NcNetworkDef) def = new_def("a'b\"c<d>&e\x01");

  def->title = g_strdup("T & <t>");
  def->description = g_strdup("line one\nline 'two'");
  def->forward.mode = NC_FORWARD_BRIDGE;
  def->bridge.name = g_strdup("br\"0");
  g_ptr_array_add(def->dnsmasq_options, g_strdup("txt-record=x,'y'&\"z\""));

  /* Text after an embedded newline is not re-indented, as in libvirt. */
  assert_format(def, 0,
                "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>\n"
                "  <name>a&apos;b&quot;c&lt;d&gt;&amp;e</name>\n" UUID_LINE
                "  <title>T &amp; &lt;t&gt;</title>\n"
                "  <description>line one\nline &apos;two&apos;</description>\n"
                "  <forward mode='bridge'/>\n"
                "  <bridge name='br&quot;0'/>\n"
                "  <dnsmasq:options>\n"
                "    <dnsmasq:option value='txt-record=x,&apos;y&apos;&amp;&quot;z&quot;'/>\n"
                "  </dnsmasq:options>\n"
                "</network>\n");
}

static void
test_attributes_written_only_when_set(void)
{
  g_autoptr(NcNetworkDef) def = new_def("n");

  def->ipv6 = NC_TRISTATE_NO; /* the default: not written */
  def->trust_guest_rx_filters = NC_TRISTATE_NO;
  def->dns.enable = NC_TRISTATE_NO;
  def->bridge.stp = NC_SWITCH_OFF;
  def->bridge.has_delay = TRUE;
  def->bridge.delay = 7;
  def->has_mtu = TRUE;
  def->mtu = 9000;
  def->port_isolated = NC_TRISTATE_YES;
  def->domain = nc_domain_new();
  def->domain->name = g_strdup("example.com");
  def->domain->register_ = NC_TRISTATE_YES;
  def->has_mac = TRUE;
  nc_mac_parse("52:54:00:AB:cd:01", &def->mac);

  assert_format(def, 0,
                "<network trustGuestRxFilters='no'>\n"
                "  <name>n</name>\n" UUID_LINE "  <bridge stp='off' delay='7'/>\n"
                "  <mtu size='9000'/>\n"
                "  <mac address='52:54:00:ab:cd:01'/>\n"
                "  <domain name='example.com' register='yes'/>\n"
                "  <dns enable='no'/>\n"
                "  <port isolated='yes'/>\n"
                "</network>\n");
}

static void
test_metadata_reindented(void)
{
  g_autoptr(NcNetworkDef) def = new_def("m");
  const char *xml = "<metadata>\n"
                    "        <app:a xmlns:app='http://app.example/'>\n"
                    "   <app:b x='1'/>   <app:c>text</app:c>\n"
                    "</app:a>\n"
                    "</metadata>";
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);

  g_assert_nonnull(doc);
  def->metadata = nc_network_def_metadata_copy(xmlDocGetRootElement(doc));
  xmlFreeDoc(doc);
  def->forward.mode = NC_FORWARD_BRIDGE;
  def->bridge.name = g_strdup("br0");

  assert_format(def, 0,
                "<network>\n"
                "  <name>m</name>\n" UUID_LINE "  <metadata>\n"
                "    <app:a xmlns:app=\"http://app.example/\">\n"
                "      <app:b x=\"1\"/>\n"
                "      <app:c>text</app:c>\n"
                "    </app:a>\n"
                "  </metadata>\n"
                "  <forward mode='bridge'/>\n"
                "  <bridge name='br0'/>\n"
                "</network>\n");
}

static void
test_empty_metadata_dropped(void)
{
  g_autoptr(NcNetworkDef) def = new_def("m");
  const char *xml = "<metadata>  </metadata>";
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);

  def->metadata = nc_network_def_metadata_copy(xmlDocGetRootElement(doc));
  xmlFreeDoc(doc);
  assert_format(def, 0,
                "<network>\n"
                "  <name>m</name>\n" UUID_LINE "  <bridge stp='on' delay='0'/>\n"
                "</network>\n");
}

static void
test_ip_without_dhcp_children(void)
{
  g_autoptr(NcNetworkDef) def = new_def("ip");
  NcIpDef *ip = nc_ip_def_new();

  nc_sockaddr_parse("10.0.0.1", AF_INET, &ip->address);
  ip->family = AF_INET;
  ip->has_prefix = TRUE;
  ip->prefix = 24;
  /* A <bootp> without ranges or hosts is not written: libvirt decides on
   * <dhcp> by its ranges and hosts alone. */
  ip->bootp_file = g_strdup("pxelinux.0");
  g_ptr_array_add(def->ips, ip);

  assert_format(def, 0,
                "<network>\n"
                "  <name>ip</name>\n" UUID_LINE "  <bridge stp='on' delay='0'/>\n"
                "  <ip address='10.0.0.1' prefix='24'>\n"
                "  </ip>\n"
                "</network>\n");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/format/isolated-minimal", test_isolated_minimal);
  g_test_add_func("/format/no-uuid", test_no_uuid);
  g_test_add_func("/format/connections", test_connections);
  g_test_add_func("/format/pf-hides-vfs-when-inactive", test_pf_hides_vfs_when_inactive);
  g_test_add_func("/format/forward-dev-without-interfaces", test_forward_dev_without_interfaces);
  g_test_add_func("/format/hostdev-addresses", test_hostdev_addresses);
  g_test_add_func("/format/driver-model-alone", test_driver_model_alone_keeps_xml_well_formed);
  g_test_add_func("/format/escaping", test_escaping);
  g_test_add_func("/format/attributes-only-when-set", test_attributes_written_only_when_set);
  g_test_add_func("/format/metadata-reindented", test_metadata_reindented);
  g_test_add_func("/format/empty-metadata-dropped", test_empty_metadata_dropped);
  g_test_add_func("/format/ip-without-dhcp-children", test_ip_without_dhcp_children);
  return g_test_run();
}
