/* nc_network_def_update beyond libvirt's own cases: the string tables, the
 * sections libvirt refuses, parentIndex, the checks we add (injection, the
 * subnet, duplicates), and that every refused update leaves the definition
 * exactly as it was (its formatted XML before == after). */
#include <string.h>

#include <glib.h>

#include "nc-error.h"
#include "network-update.h"
#include "network-xml.h"

/* A NAT network with DHCP on the first IPv4 <ip>, a second IPv4 <ip>, an
 * IPv6 <ip>, DNS records and two portgroups (one default). */
static const char base_xml[]
    = "<network>\n"
      "  <name>lab</name>\n"
      "  <uuid>8a4b3b6e-3f5c-4b7e-9d2a-1c0e5f6a7b8c</uuid>\n"
      "  <forward dev='eth0' mode='nat'/>\n"
      "  <bridge name='virbr9' stp='on' delay='0'/>\n"
      "  <dns>\n"
      "    <txt name='example' value='example value'/>\n"
      "    <host ip='192.168.50.2'>\n"
      "      <hostname>gw</hostname>\n"
      "    </host>\n"
      "    <srv service='ldap' protocol='tcp' domain='lab.test' target='ldap.lab.test' "
      "port='389'/>\n"
      "  </dns>\n"
      "  <ip address='192.168.50.1' netmask='255.255.255.0'>\n"
      "    <dhcp>\n"
      "      <range start='192.168.50.100' end='192.168.50.200'/>\n"
      "      <host mac='52:54:00:00:00:01' name='one' ip='192.168.50.11'/>\n"
      "    </dhcp>\n"
      "  </ip>\n"
      "  <ip address='10.9.0.1' prefix='24'/>\n"
      "  <ip family='ipv6' address='fd00:9::1' prefix='64'/>\n"
      "  <portgroup name='engineering' default='yes'/>\n"
      "  <portgroup name='sales'/>\n"
      "</network>\n";

typedef struct {
  NcNetworkDef *def;
  char *before;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->def = nc_network_def_parse_string(base_xml, NULL, NC_NETWORK_PARSE_STRICT, &error);
  g_assert_no_error(error);
  f->before = nc_network_def_format(f->def, 0);
}

static void
teardown(Fixture *f, gconstpointer data)
{
  nc_network_def_free(f->def);
  g_free(f->before);
}

/* The update must fail with @code and a message containing @substr, and the
 * definition must be unchanged. */
static void
refused(Fixture *f, guint command, guint section, int parent, const char *xml, int code,
        const char *substr)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  if (nc_network_def_update(f->def, command, section, parent, xml, &error))
    g_error("update accepted: %s %s %s", nc_network_update_command_to_string(command),
            nc_network_update_section_to_string(section), xml);
  g_assert_nonnull(error);
  if (error->code != code || !strstr(error->message, substr))
    g_error("expected code %d and \"%s\", got code %d: %s", code, substr, error->code,
            error->message);
  after = nc_network_def_format(f->def, 0);
  g_assert_cmpstr(f->before, ==, after);
}

static char *
applied(Fixture *f, guint command, guint section, int parent, const char *xml)
{
  g_autoptr(GError) error = NULL;

  if (!nc_network_def_update(f->def, command, section, parent, xml, &error))
    g_error("update refused: %s", error->message);
  /* the new state is what later refusals must leave alone */
  g_free(f->before);
  f->before = nc_network_def_format(f->def, 0);
  return g_strdup(f->before);
}

static void
assert_contains(const char *text, const char *needle, gboolean present)
{
  if ((strstr(text, needle) != NULL) != present)
    g_error("expected %s\"%s\" in:\n%s", present ? "" : "no ", needle, text);
}

/* -- string tables ---------------------------------------------------------- */

static void
test_tables(void)
{
  for (int i = 0; i < _NC_NETWORK_UPDATE_COMMAND_MAX; i++) {
    const char *s = nc_network_update_command_to_string(i);
    g_assert_nonnull(s);
    g_assert_cmpint(nc_network_update_command_from_string(s), ==, i == 0 ? -1 : i);
  }
  for (int i = 0; i < _NC_NETWORK_SECTION_MAX; i++) {
    const char *s = nc_network_update_section_to_string(i);
    g_assert_nonnull(s);
    g_assert_cmpint(nc_network_update_section_from_string(s), ==, i == 0 ? -1 : i);
  }
  g_assert_null(nc_network_update_command_to_string(_NC_NETWORK_UPDATE_COMMAND_MAX));
  g_assert_null(nc_network_update_section_to_string(_NC_NETWORK_SECTION_MAX));
  /* virsh's spellings and values */
  g_assert_cmpint(nc_network_update_command_from_string("add"), ==, 3);
  g_assert_cmpint(nc_network_update_command_from_string("add-first"), ==, 4);
  g_assert_cmpint(nc_network_update_command_from_string("delete"), ==, 2);
  g_assert_cmpint(nc_network_update_command_from_string("modify"), ==, 1);
  g_assert_cmpint(nc_network_update_section_from_string("ip-dhcp-host"), ==, 4);
  g_assert_cmpint(nc_network_update_section_from_string("dns-srv"), ==, 12);
  g_assert_cmpint(nc_network_update_command_from_string("Add"), ==, -1);
  g_assert_cmpint(nc_network_update_section_from_string(""), ==, -1);
  g_assert_cmpint(nc_network_update_section_from_string(NULL), ==, -1);
}

/* -- what libvirt refuses ------------------------------------------------------ */

static void
test_unsupported(Fixture *f, gconstpointer data)
{
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_BRIDGE, -1, "<bridge name='x'/>",
          NC_ERROR_OPERATION_UNSUPPORTED, "network 'lab': can't update 'bridge' section");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_DOMAIN, -1, "<domain name='x'/>",
          NC_ERROR_OPERATION_UNSUPPORTED, "can't update 'domain' section");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP, -1,
          "<ip address='10.1.0.1'/>", NC_ERROR_OPERATION_UNSUPPORTED, "can't update 'ip' section");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_FORWARD, -1,
          "<forward mode='route'/>", NC_ERROR_OPERATION_UNSUPPORTED,
          "can't update 'forward' section");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_FORWARD_PF, -1,
          "<pf dev='eth1'/>", NC_ERROR_OPERATION_UNSUPPORTED, "can't update 'forward pf' section");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, 0, -1, "<host/>", NC_ERROR_OPERATION_UNSUPPORTED,
          "unrecognized section");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, 13, -1, "<host/>", NC_ERROR_OPERATION_UNSUPPORTED,
          "unrecognized section");
  refused(f, 0, NC_NETWORK_SECTION_DNS_TXT, -1, "<txt name='a' value='b'/>",
          NC_ERROR_OPERATION_UNSUPPORTED, "unrecognized network update command code 0");
  refused(f, 5, NC_NETWORK_SECTION_DNS_TXT, -1, "<txt name='a' value='b'/>",
          NC_ERROR_OPERATION_UNSUPPORTED, "unrecognized network update command code 5");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
          "<range start='192.168.50.10' end='192.168.50.20'/>", NC_ERROR_OPERATION_UNSUPPORTED,
          "dhcp ranges cannot be modified");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_FORWARD_INTERFACE, -1,
          "<interface dev='eth0'/>", NC_ERROR_OPERATION_UNSUPPORTED,
          "forward interface entries cannot be modified");
  /* the snippet's element must be the section's */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<range start='192.168.50.10' end='192.168.50.20'/>", NC_ERROR_XML_ERROR,
          "unexpected element <range>, expecting <host>");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_DNS_TXT, -1, "<txt",
          NC_ERROR_XML_ERROR, "malformed XML");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_DNS_TXT, -1, "",
          NC_ERROR_XML_ERROR, "");
}

/* -- injection: what define refuses, update refuses ------------------------------ */

static void
test_injection(Fixture *f, gconstpointer data)
{
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<host mac='52:54:00:00:00:09' name='evil&#10;dhcp-option=3,1.2.3.4' "
          "ip='192.168.50.9'/>",
          NC_ERROR_XML_ERROR, "evil\\ndhcp-option");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<host mac='52:54:00:00:00:01' name='one,ignore' ip='192.168.50.11'/>",
          NC_ERROR_XML_ERROR, "one,ignore");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, NC_NETWORK_SECTION_DNS_TXT, -1,
          "<txt name='t' value='a&#10;address=/example.com/6.6.6.6'/>", NC_ERROR_XML_ERROR, "<txt");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_DNS_TXT, -1,
          "<txt name='example' value='x&#13;y'/>", NC_ERROR_XML_ERROR, "<txt");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_DNS_HOST, -1,
          "<host ip='192.168.50.3'><hostname>a&#10;b</hostname></host>", NC_ERROR_XML_ERROR,
          "a\\nb");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_DNS_SRV, -1,
          "<srv service='x' protocol='tcp' target='a,b' port='1'/>", NC_ERROR_XML_ERROR, "a,b");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_FORWARD_INTERFACE, -1,
          "<interface dev='../../etc'/>", NC_ERROR_XML_ERROR, "../../etc");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_PORTGROUP, -1,
          "<portgroup name='p&#10;q'/>", NC_ERROR_XML_ERROR, "p\\nq");
}

/* -- DHCP ---------------------------------------------------------------------- */

static void
test_dhcp_host(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  /* outside the subnet: refused (stricter than libvirt: dnsmasq would ignore it) */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<host mac='52:54:00:00:00:02' ip='192.168.51.2'/>", NC_ERROR_XML_ERROR,
          "address is outside the network 192.168.50.0/24");
  /* wrong family for the <ip> */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<host name='v6' ip='fd00:9::5'/>", NC_ERROR_OPERATION_INVALID,
          "the address family of a host entry IP must match");
  /* duplicates of a MAC, a name or an address */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<host mac='52:54:00:00:00:01' ip='192.168.50.12'/>", NC_ERROR_OPERATION_INVALID,
          "there is an existing dhcp host entry");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<host name='one' ip='192.168.50.12'/>", NC_ERROR_OPERATION_INVALID,
          "there is an existing dhcp host entry");
  /* parentIndex out of range, and pointing at an <ip> of the other family */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, 3,
          "<host mac='52:54:00:00:00:02' ip='192.168.50.2'/>", NC_ERROR_OPERATION_INVALID,
          "no <ip> element found at index 3");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, 2,
          "<host mac='52:54:00:00:00:02' ip='192.168.50.2'/>", NC_ERROR_XML_ERROR,
          "is not allowed in an IPv6 static host");
  /* DHCP on a second IPv4 <ip> while the first has it */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, 1,
          "<host mac='52:54:00:00:00:02' ip='10.9.0.2'/>", NC_ERROR_OPERATION_INVALID,
          "dhcp is supported only for a single IPv4 address on each network");

  /* add-first with parentIndex -1 goes to the <ip> that has DHCP */
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
                "<host mac='52:54:00:00:00:02' name='two' ip='192.168.50.12'/>");
  assert_contains(out,
                  "<range start='192.168.50.100' end='192.168.50.200'/>\n"
                  "      <host mac='52:54:00:00:00:02' name='two' ip='192.168.50.12'/>\n"
                  "      <host mac='52:54:00:00:00:01' name='one' ip='192.168.50.11'/>\n",
                  TRUE);
  g_clear_pointer(&out, g_free);

  /* modify may not take another entry's MAC (stricter than libvirt) */
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
          "<host mac='52:54:00:00:00:01' name='two' ip='192.168.50.13'/>",
          NC_ERROR_OPERATION_INVALID, "there is an existing dhcp host entry");
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
                "<host mac='52:54:00:00:00:02' name='two' ip='192.168.50.13'/>");
  assert_contains(out, "<host mac='52:54:00:00:00:02' name='two' ip='192.168.50.13'/>", TRUE);
  g_clear_pointer(&out, g_free);

  /* delete by name only */
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
                "<host name='two'/>");
  assert_contains(out, "name='two'", FALSE);
  g_clear_pointer(&out, g_free);

  /* a DHCPv6 host on the IPv6 <ip>, chosen by parentIndex 2 */
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, 2,
                "<host id='0:3:0:1:52:54:0:0:0:5' ip='fd00:9::5'/>");
  assert_contains(out,
                  "  <ip family='ipv6' address='fd00:9::1' prefix='64'>\n"
                  "    <dhcp>\n"
                  "      <host id='0:3:0:1:52:54:0:0:0:5' ip='fd00:9::5'/>\n"
                  "    </dhcp>\n",
                  TRUE);
}

static void
test_dhcp_range(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
          "<range start='192.168.50.20' end='192.168.50.10'/>", NC_ERROR_XML_ERROR,
          "range is reversed");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
          "<range start='192.168.50.100' end='192.168.50.200'/>", NC_ERROR_OPERATION_INVALID,
          "there is an existing dhcp range entry");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
          "<range start='fd00:9::10' end='fd00:9::20'/>", NC_ERROR_OPERATION_INVALID,
          "the address family of a dhcp range must match");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
          "<range start='192.168.50.10' end='192.168.50.20'><lease expiry='1'/></range>",
          NC_ERROR_CONFIG_UNSUPPORTED, "minimum lease time");

  out = applied(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                "<range start='192.168.50.10' end='192.168.50.20'/>");
  assert_contains(out,
                  "<range start='192.168.50.100' end='192.168.50.200'/>\n"
                  "      <range start='192.168.50.10' end='192.168.50.20'/>\n",
                  TRUE);
  g_clear_pointer(&out, g_free);
  /* deleting every range and host drops <dhcp> */
  g_free(applied(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.50.10' end='192.168.50.20'/>"));
  g_free(applied(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_IP_DHCP_RANGE, -1,
                 "<range start='192.168.50.100' end='192.168.50.200'/>"));
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_IP_DHCP_HOST, -1,
                "<host mac='52:54:00:00:00:01'/>");
  assert_contains(out, "<dhcp>", FALSE);
  g_clear_pointer(&out, g_free);
  /* now the second IPv4 <ip> may get DHCP */
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_RANGE, 1,
                "<range start='10.9.0.10' end='10.9.0.20'/>");
  assert_contains(out, "<range start='10.9.0.10' end='10.9.0.20'/>", TRUE);
}

/* -- forward interfaces, portgroups ------------------------------------------------ */

static void
test_forward_interface(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_FORWARD_INTERFACE, -1,
          "<interface dev='eth0'/>", NC_ERROR_OPERATION_INVALID,
          "there is an existing interface entry");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_FORWARD_INTERFACE, -1,
          "<interface/>", NC_ERROR_XML_ERROR, "'dev'");
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, NC_NETWORK_SECTION_FORWARD_INTERFACE, -1,
                "<interface dev='eth1'/>");
  assert_contains(out,
                  "  <forward dev='eth1' mode='nat'>\n"
                  "    <interface dev='eth1'/>\n"
                  "    <interface dev='eth0'/>\n"
                  "  </forward>\n",
                  TRUE);
  g_clear_pointer(&out, g_free);
  g_free(applied(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_FORWARD_INTERFACE, -1,
                 "<interface dev='eth1'/>"));
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_FORWARD_INTERFACE, -1,
                "<interface dev='eth0'/>");
  assert_contains(out, "  <forward mode='nat'/>\n", TRUE);
}

static void
test_portgroup(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_PORTGROUP, -1,
          "<portgroup name='support' default='yes'/>", NC_ERROR_OPERATION_INVALID,
          "a different portgroup entry is already set as the default");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_PORTGROUP, -1,
          "<portgroup name='sales' default='yes'/>", NC_ERROR_OPERATION_INVALID,
          "a different portgroup entry is already set as the default");
  /* what define refuses in a NAT network: a VLAN, an Open vSwitch port */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_PORTGROUP, -1,
          "<portgroup name='v'><vlan><tag id='42'/></vlan></portgroup>",
          NC_ERROR_CONFIG_UNSUPPORTED, "vlan tags are not supported");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_PORTGROUP, -1,
          "<portgroup name='o'><virtualport type='openvswitch'/></portgroup>",
          NC_ERROR_CONFIG_UNSUPPORTED, "not supported for network which uses IP forwarding");

  /* the default may stay default when modified */
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_PORTGROUP, -1,
                "<portgroup name='engineering' default='yes'>"
                "<bandwidth><inbound average='1000'/></bandwidth></portgroup>");
  assert_contains(out, "<inbound average='1000'/>", TRUE);
  g_clear_pointer(&out, g_free);
  g_free(applied(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_PORTGROUP, -1,
                 "<portgroup name='engineering'/>"));
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, NC_NETWORK_SECTION_PORTGROUP, -1,
                "<portgroup name='support' default='yes'/>");
  assert_contains(out,
                  "  <portgroup name='support' default='yes'>\n  </portgroup>\n"
                  "  <portgroup name='sales'>\n",
                  TRUE);
}

/* -- DNS ------------------------------------------------------------------------- */

static void
test_dns(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  out = applied(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_DNS_TXT, -1,
                "<txt name='example' value='new value'/>");
  assert_contains(out, "<txt name='example' value='new value'/>", TRUE);
  g_clear_pointer(&out, g_free);
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_DNS_TXT, -1,
          "<txt name='example'/>", NC_ERROR_OPERATION_INVALID,
          "missing value of modifying DNS TXT record");

  /* another name for an address already listed: add refuses, modify replaces */
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_DNS_HOST, -1,
          "<host ip='192.168.50.2'><hostname>router</hostname></host>", NC_ERROR_OPERATION_INVALID,
          "there is already at least one DNS HOST record");
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_DNS_HOST, -1,
                "<host ip='192.168.50.2'><hostname>router</hostname></host>");
  assert_contains(out, "<hostname>router</hostname>", TRUE);
  assert_contains(out, "<hostname>gw</hostname>", FALSE);
  g_clear_pointer(&out, g_free);
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_DNS_HOST, -1,
          "<host ip='192.168.50.2'/>", NC_ERROR_XML_DETAIL, "missing hostname");
  /* several addresses may share a name (libvirt >= 10.6) */
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_DNS_HOST, -1,
                "<host ip='192.168.50.3'><hostname>router</hostname></host>");
  g_clear_pointer(&out, g_free);
  refused(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_DNS_HOST, -1,
          "<host><hostname>router</hostname></host>", NC_ERROR_OPERATION_INVALID,
          "multiple matching DNS HOST records");

  /* SRV modify: the record matching service/protocol/domain/target is replaced */
  out = applied(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_DNS_SRV, -1,
                "<srv service='ldap' protocol='tcp' domain='lab.test' target='ldap.lab.test' "
                "port='636' priority='5'/>");
  assert_contains(out,
                  "<srv service='ldap' protocol='tcp' domain='lab.test' target='ldap.lab.test' "
                  "port='636' priority='5'/>",
                  TRUE);
  g_clear_pointer(&out, g_free);
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_DNS_SRV, -1,
          "<srv service='ldap' protocol='tcp' port='1'/>", NC_ERROR_XML_DETAIL,
          "not permitted without target");
}

static void
test_dns_disabled(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def
      = nc_network_def_parse_string("<network><name>quiet</name><dns enable='no'/>"
                                    "<ip address='192.168.60.1' prefix='24'/></network>",
                                    NULL, NC_NETWORK_PARSE_STRICT, &error);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_no_error(error);
  before = nc_network_def_format(def, 0);
  g_assert_false(nc_network_def_update(def, NC_NETWORK_UPDATE_COMMAND_ADD_LAST,
                                       NC_NETWORK_SECTION_DNS_TXT, -1, "<txt name='a' value='b'/>",
                                       &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_XML_ERROR);
  g_assert_nonnull(strstr(error->message, "extra data in disabled network"));
  after = nc_network_def_format(def, 0);
  g_assert_cmpstr(before, ==, after);
  g_clear_error(&error);
  /* no second <ip> to add a DHCP host to */
  g_assert_false(nc_network_def_update(
      def, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_IP_DHCP_HOST, 1,
      "<host mac='52:54:00:00:00:02' ip='192.168.60.2'/>", &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
  g_assert_nonnull(strstr(error->message, "no <ip> element found at index 1"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/update/tables", test_tables);
  g_test_add("/update/unsupported", Fixture, NULL, setup, test_unsupported, teardown);
  g_test_add("/update/injection", Fixture, NULL, setup, test_injection, teardown);
  g_test_add("/update/dhcp-host", Fixture, NULL, setup, test_dhcp_host, teardown);
  g_test_add("/update/dhcp-range", Fixture, NULL, setup, test_dhcp_range, teardown);
  g_test_add("/update/forward-interface", Fixture, NULL, setup, test_forward_interface, teardown);
  g_test_add("/update/portgroup", Fixture, NULL, setup, test_portgroup, teardown);
  g_test_add("/update/dns", Fixture, NULL, setup, test_dns, teardown);
  g_test_add_func("/update/dns-disabled", test_dns_disabled);
  return g_test_run();
}
