/* Parse-time errors: each small invalid document must fail with libvirt's
 * error code and a message that names the file, the line and the problem.
 * Also checks what the parser keeps from valid documents where libvirt's
 * output depends on it, and the model's copy/free/defaults. */
#include <string.h>

#include <glib.h>

#include "nc-error.h"
#include "network-xml.h"

#define HEAD "<network>\n  <name>n</name>\n"
#define TAIL "</network>\n"

typedef struct {
  const char *what;
  const char *xml;
  int code;
  guint line;         /* expected line in "t.xml:LINE:", 0 for none */
  const char *substr; /* must appear in the message */
} ErrCase;

static const ErrCase err_cases[] = {
  /* libxml2 itself */
  { "not xml", "<network><name>n</name>\n<bad></network>\n", NC_ERROR_XML_ERROR, 2,
    "malformed XML" },
  { "empty document", "", NC_ERROR_XML_ERROR, 1, "malformed XML" },
  { "entity declaration",
    "<!DOCTYPE network [<!ENTITY a \"aaaa\">]>\n<network><name>&a;</name></network>\n",
    NC_ERROR_XML_ERROR, 1, "entity declarations are not allowed" },
  { "wrong root", "<domain>\n<name>n</name>\n</domain>\n", NC_ERROR_XML_ERROR, 1,
    "expecting root element <network>" },

  /* identity */
  { "no name", "<network>\n  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n</network>\n",
    NC_ERROR_XML_ERROR, 1, "a <name> element is required" },
  { "slash in name", "<network>\n  <name>a/b</name>\n</network>\n", NC_ERROR_XML_DETAIL, 2,
    "invalid character '/' in network name 'a/b'" },
  { "bad uuid", HEAD "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9</uuid>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "network 'n': <uuid>: malformed uuid '81ff0d90" },
  { "title with newline", HEAD "  <title>a\nb</title>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "cannot contain newlines" },
  { "bad ipv6 attr", "<network ipv6='maybe'>\n  <name>n</name>\n</network>\n", NC_ERROR_XML_ERROR,
    1, "invalid ipv6 setting 'maybe'" },
  { "bad trustGuestRxFilters", "<network trustGuestRxFilters='1'>\n<name>n</name>\n</network>\n",
    NC_ERROR_XML_ERROR, 1, "'1' for attribute 'trustGuestRxFilters'" },

  /* bridge, mac, mtu, domain */
  { "bad delay", HEAD "  <bridge name='br0' delay='-1'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "invalid delay value '-1'" },
  { "bad stp", HEAD "  <bridge name='br0' stp='yes'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "invalid stp value 'yes'" },
  { "bad macTableManager", HEAD "  <bridge macTableManager='switch'/>\n" TAIL, NC_ERROR_XML_ERROR,
    3, "invalid macTableManager setting 'switch'" },
  { "bad mac", HEAD "\n  <mac address='52:54:00:xx:00:01'/>\n" TAIL, NC_ERROR_XML_ERROR, 4,
    "invalid bridge MAC address '52:54:00:xx:00:01'" },
  { "multicast mac", HEAD "  <mac address='01:00:5e:00:00:01'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "invalid multicast bridge MAC address '01:00:5e:00:00:01'" },
  { "bad mtu", HEAD "  <mtu size='big'/>\n" TAIL, NC_ERROR_XML_ERROR, 3, "invalid mtu size 'big'" },
  { "bad localOnly", HEAD "  <domain name='x' localOnly='sure'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "'sure' for attribute 'localOnly'" },

  /* forward */
  { "unknown mode", HEAD "  <forward mode='tunnel'/>\n" TAIL, NC_ERROR_CONFIG_UNSUPPORTED, 3,
    "unknown forwarding type 'tunnel'" },
  { "unknown driver",
    HEAD "  <forward mode='hostdev'>\n    <driver name='xen'/>\n  </forward>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 4, "unknown forward driver name 'xen'" },
  { "interface without dev",
    HEAD "  <forward mode='bridge'>\n    <interface/>\n  </forward>\n" TAIL, NC_ERROR_XML_ERROR, 4,
    "<interface>: missing required attribute 'dev'" },
  { "duplicate interface",
    HEAD "  <forward mode='passthrough'>\n    <interface dev='eth1'/>\n    <interface "
         "dev='eth2'/>\n    <interface dev='eth1'/>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 6, "interface 'eth1' can only be listed once" },
  { "dev mismatch",
    HEAD "  <forward mode='bridge' dev='eth0'>\n    <interface dev='eth1'/>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "<forward dev='eth0'> must match the first <interface dev='eth1'/>" },
  { "dev with pf",
    HEAD "  <forward mode='passthrough' dev='eth0'>\n    <pf dev='eth1'/>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "'dev' attribute cannot be used" },
  { "two pf",
    HEAD "  <forward mode='passthrough'>\n    <pf dev='eth0'/>\n    <pf dev='eth1'/>\n  "
         "</forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "only one <pf> element" },
  { "pf without dev", HEAD "  <forward mode='passthrough'>\n    <pf/>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "<pf>: missing required attribute 'dev'" },
  { "address without type",
    HEAD "  <forward mode='hostdev'>\n    <address domain='0' bus='1' slot='0' function='0'/>\n  "
         "</forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "missing address type" },
  { "address type usb",
    HEAD "  <forward mode='hostdev'>\n    <address type='usb' bus='1'/>\n  </forward>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 4, "unknown address type 'usb'" },
  { "address bad slot",
    HEAD "  <forward mode='hostdev'>\n    <address type='pci' domain='0' bus='1' slot='0x20' "
         "function='0'/>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "slot='0x20'" },
  { "address bad number",
    HEAD "  <forward mode='hostdev'>\n    <address type='pci' domain='0' bus='x1' slot='1' "
         "function='0'/>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "invalid value 'x1' for attribute 'bus'" },
  { "duplicate pci",
    HEAD "  <forward mode='hostdev'>\n"
         "    <address type='pci' domain='0' bus='1' slot='2' function='3'/>\n"
         "    <address type='pci' domain='0x0' bus='0x01' slot='0x02' function='0x3'/>\n"
         "  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "PCI device '0000:01:02.3' can only be listed once" },
  { "nat in route mode", HEAD "  <forward mode='route'>\n    <nat/>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "only allowed when <forward> mode is 'nat', not 'route'" },
  { "two nat", HEAD "  <forward>\n    <nat/>\n    <nat/>\n  </forward>\n" TAIL, NC_ERROR_XML_ERROR,
    5, "only one <nat> element" },
  { "nat address v6",
    HEAD "  <forward mode='nat'>\n    <nat>\n      <address start='::1' end='::2'/>\n    </nat>\n  "
         "</forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "bad IPv4 start address '::1'" },
  { "nat address no end",
    HEAD "  <forward mode='nat'>\n    <nat>\n      <address start='10.0.0.1'/>\n    </nat>\n  "
         "</forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "missing required attribute 'end'" },
  { "nat address reversed",
    HEAD "  <forward mode='nat'>\n    <nat>\n      <address start='10.0.0.9' end='10.0.0.1'/>\n    "
         "</nat>\n  </forward>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "start '10.0.0.9' is after end '10.0.0.1'" },
  { "nat port end < start",
    HEAD "  <forward mode='nat'>\n    <nat>\n      <port start='2000' end='1000'/>\n    </nat>\n  "
         "</forward>\n" TAIL,
    NC_ERROR_XML_DETAIL, 5, "invalid 'end' attribute '1000'" },
  { "nat port too big",
    HEAD "  <forward mode='nat'>\n    <nat>\n      <port start='70000' end='70001'/>\n    </nat>\n "
         " </forward>\n" TAIL,
    NC_ERROR_XML_DETAIL, 5, "invalid 'start' attribute '70000'" },

  /* ip */
  { "ip without address", HEAD "  <ip netmask='255.255.255.0'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "<ip>: missing required attribute 'address'" },
  { "ip bad address", HEAD "  <ip address='192.168.1'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "invalid address '192.168.1'" },
  { "ip bad netmask", HEAD "  <ip address='10.0.0.1' netmask='255.255.0'/>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "invalid netmask '255.255.0'" },
  { "ip netmask and prefix",
    HEAD "  <ip address='10.0.0.1' netmask='255.0.0.0' prefix='8'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "cannot have both a prefix and a netmask" },
  { "ip v6 without family", HEAD "  <ip address='2001:db8::1' prefix='64'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "no family specified for non-IPv4 address '2001:db8::1'" },
  { "ip family mismatch", HEAD "  <ip family='ipv6' address='10.0.0.1'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "family 'ipv6' specified for non-IPv6 address '10.0.0.1'" },
  { "ip unknown family", HEAD "  <ip family='ipx' address='10.0.0.1'/>\n" TAIL, NC_ERROR_XML_ERROR,
    3, "unrecognized family 'ipx'" },
  { "ip v4 prefix 33", HEAD "  <ip address='10.0.0.1' prefix='33'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "invalid IPv4 prefix '33'" },
  { "ip v6 prefix 129", HEAD "  <ip family='ipv6' address='::1' prefix='129'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "invalid IPv6 prefix '129'" },
  { "ip v6 netmask", HEAD "  <ip family='ipv6' address='::1' netmask='255.0.0.0'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "netmask not allowed for IPv6 address '::1'" },
  { "ip netmask v6", HEAD "  <ip address='10.0.0.1' netmask='ffff::'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "(both must be IPv4)" },
  { "ip netmask holes", HEAD "  <ip address='10.0.0.1' netmask='255.0.255.0'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "netmask '255.0.255.0' is not contiguous" },
  { "ip bad prefix", HEAD "  <ip address='10.0.0.1' prefix='twenty'/>\n" TAIL, NC_ERROR_XML_ERROR,
    3, "invalid value 'twenty' for attribute 'prefix'" },
  { "tftp in v6",
    HEAD "  <ip family='ipv6' address='2001:db8::1' prefix='64'>\n    <tftp root='/srv'/>\n  "
         "</ip>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 4, "<tftp>: not supported in an IPv6 <ip>" },
  { "range without start",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <range end='10.0.0.9'/>\n    "
         "</dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "<range>: missing required attribute 'start'" },
  { "range bad end",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <range start='10.0.0.2' "
         "end='10.0.0.x'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "invalid end address '10.0.0.x'" },
  { "lease too short",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <range start='10.0.0.2' "
         "end='10.0.0.9'>\n        <lease expiry='119' unit='seconds'/>\n      </range>\n    "
         "</dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 6, "minimum lease time of 2 minutes" },
  { "lease 1 minute",
    HEAD
    "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <range start='10.0.0.2' "
    "end='10.0.0.9'>\n        <lease expiry='1'/>\n      </range>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 6, "minimum lease time" },
  { "lease bad unit",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <range start='10.0.0.2' "
         "end='10.0.0.9'>\n        <lease expiry='10' unit='days'/>\n      </range>\n    </dhcp>\n "
         " </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 6, "invalid unit 'days'" },
  { "host multicast mac",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <host mac='03:00:00:00:00:01' "
         "ip='10.0.0.5'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "found multicast '03:00:00:00:00:01'" },
  { "host bad mac",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <host mac='00:16:3e:77:e2' "
         "ip='10.0.0.5'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "cannot parse MAC address '00:16:3e:77:e2'" },
  { "host without ip",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <host "
         "mac='00:16:3e:77:e2:ed'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "<host>: missing required attribute 'ip'" },
  { "host without mac or name",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <host ip='10.0.0.5'/>\n    "
         "</dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "must have a mac or name attribute" },
  { "host bad name",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <host name='-x' "
         "ip='10.0.0.5'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "cannot use host name '-x'" },
  { "v6 host with mac",
    HEAD "  <ip family='ipv6' address='2001:db8::1' prefix='64'>\n    <dhcp>\n      <host "
         "mac='00:16:3e:77:e2:ed' name='a' ip='2001:db8::5'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "not allowed in an IPv6 static host" },
  { "v6 host bad id",
    HEAD "  <ip family='ipv6' address='2001:db8::1' prefix='64'>\n    <dhcp>\n      <host "
         "id='0:1:zz' ip='2001:db8::5'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "invalid character 'z' in id '0:1:zz'" },
  { "v6 host no id or name",
    HEAD "  <ip family='ipv6' address='2001:db8::1' prefix='64'>\n    <dhcp>\n      <host "
         "ip='2001:db8::5'/>\n    </dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "must have an id or name attribute" },
  { "bootp without file",
    HEAD "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <bootp server='10.0.0.2'/>\n    "
         "</dhcp>\n  </ip>\n" TAIL,
    NC_ERROR_XML_ERROR, 5, "<bootp>: missing required attribute 'file'" },

  /* route */
  { "route without gateway", HEAD "  <route address='10.1.0.0' prefix='16'/>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "missing required attribute 'gateway'" },
  { "route not network", HEAD "  <route address='10.1.0.1' prefix='16' gateway='10.0.0.2'/>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "address '10.1.0.1' is not a network address" },
  { "route v6 gateway v4",
    HEAD "  <route family='ipv6' address='2001:db8::' prefix='64' gateway='10.0.0.1'/>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "non-IPv6 gateway '10.0.0.1'" },
  { "route metric 0",
    HEAD "  <route address='10.1.0.0' prefix='16' gateway='10.0.0.2' metric='0'/>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "zero is not permitted" },
  { "route both",
    HEAD
    "  <route address='10.1.0.0' prefix='16' netmask='255.255.0.0' gateway='10.0.0.2'/>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "cannot have both a prefix and a netmask" },

  /* dns */
  { "dns disabled with data",
    HEAD "  <dns enable='no'>\n    <txt name='a' value='b'/>\n  </dns>\n" TAIL, NC_ERROR_XML_ERROR,
    3, "extra data in disabled network" },
  { "dns bad enable", HEAD "  <dns enable='off'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "'off' for attribute 'enable'" },
  { "forwarder empty", HEAD "  <dns>\n    <forwarder/>\n  </dns>\n" TAIL, NC_ERROR_XML_ERROR, 4,
    "at least one of addr or domain" },
  { "forwarder bad addr", HEAD "  <dns>\n    <forwarder addr='8.8.8'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "invalid IP address '8.8.8'" },
  { "dns host no ip",
    HEAD "  <dns>\n    <host>\n      <hostname>a</hostname>\n    </host>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "<host>: missing required attribute 'ip'" },
  { "dns host no hostname", HEAD "  <dns>\n    <host ip='10.0.0.1'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "missing <hostname>" },
  { "srv no service", HEAD "  <dns>\n    <srv protocol='tcp'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "missing required attribute 'service'" },
  { "srv bad service", HEAD "  <dns>\n    <srv service='a.b' protocol='tcp'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "invalid character in service 'a.b'" },
  { "srv port without target",
    HEAD "  <dns>\n    <srv service='ldap' protocol='tcp' port='389'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "port attribute not permitted without target" },
  { "srv port 0",
    HEAD "  <dns>\n    <srv service='ldap' protocol='tcp' target='a' port='0'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "invalid port '0'" },
  { "txt with space", HEAD "  <dns>\n    <txt name='a b' value='c'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "prohibited character (space or comma) in name 'a b'" },
  { "txt without value", HEAD "  <dns>\n    <txt name='ab'/>\n  </dns>\n" TAIL, NC_ERROR_XML_DETAIL,
    4, "missing required attribute 'value'" },

  /* shared sub-elements, portgroup, namespace */
  { "vlan without tag", HEAD "  <vlan/>\n" TAIL, NC_ERROR_XML_ERROR, 3, "tag" },
  { "vlan tag too big", HEAD "  <vlan>\n    <tag id='4096'/>\n  </vlan>\n" TAIL, NC_ERROR_XML_ERROR,
    4, "4096" },
  { "virtualport without type", HEAD "  <virtualport/>\n" TAIL, NC_ERROR_XML_ERROR, 3, "type" },
  { "virtualport unknown type", HEAD "  <virtualport type='vmware'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "vmware" },
  { "bandwidth floor on network",
    HEAD "  <bandwidth>\n    <inbound average='10' floor='5'/>\n  </bandwidth>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 4, "floor" },
  { "portgroup without name", HEAD "  <portgroup default='yes'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "<portgroup>: missing required attribute 'name'" },
  { "port isolated bad", HEAD "  <port isolated='true'/>\n" TAIL, NC_ERROR_XML_ERROR, 3, "true" },
  { "dnsmasq option without value",
    "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>\n  <name>n</name>\n"
    "  <dnsmasq:options>\n    <dnsmasq:option/>\n  </dnsmasq:options>\n" TAIL,
    NC_ERROR_XML_ERROR, 4, "missing required attribute 'value'" },

/* Every error is one line (issue 12): a value with an injected newline
 * (&#10; survives attribute normalization), a C1 control (NEL) or any
 * other control character is quoted escaped, never raw. */
#define IP4 "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n"
#define IP4_END "    </dhcp>\n  </ip>\n"
#define INJ "&#10;dhcp-script=/tmp/x"
#define INJ_ESC "\\ndhcp-script=/tmp/x"
  { "newline in mtu", HEAD "  <mtu size='1500" INJ "'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "invalid mtu size '1500" INJ_ESC "'" },
  { "NEL in mtu", HEAD "  <mtu size='1500&#133;x'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "invalid mtu size '1500\\u0085x'" },
  { "tab and CR in mtu", HEAD "  <mtu size='1500&#9;&#13;x'/>\n" TAIL, NC_ERROR_XML_ERROR, 3,
    "invalid mtu size '1500\\t\\rx'" },
  { "newline in dns host ip",
    HEAD "  <dns>\n    <host ip='10.0.0.5" INJ "'><hostname>h</hostname></host>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "invalid IP address '10.0.0.5" INJ_ESC "'" },
  { "newline in srv service",
    HEAD "  <dns>\n    <srv service='ldap" INJ "' protocol='tcp'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "service 'ldap" INJ_ESC "'" },
  { "newline in srv protocol",
    HEAD "  <dns>\n    <srv service='ldap' protocol='tcp" INJ "'/>\n  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "protocol 'tcp" INJ_ESC "'" },
  { "newline in srv port",
    HEAD "  <dns>\n    <srv service='ldap' protocol='tcp' target='t' port='389" INJ "'/>\n"
         "  </dns>\n" TAIL,
    NC_ERROR_XML_DETAIL, 4, "invalid port '389" INJ_ESC "'" },
  { "newline in forwarder addr",
    HEAD "  <dns>\n    <forwarder addr='8.8.8.8" INJ "'/>\n  </dns>\n" TAIL, NC_ERROR_XML_ERROR, 4,
    "invalid IP address '8.8.8.8" INJ_ESC "'" },
  { "newline in dhcp host mac",
    HEAD IP4 "      <host mac='52:54:00:00:00:01" INJ "' ip='10.0.0.5'/>\n" IP4_END TAIL,
    NC_ERROR_XML_ERROR, 5, "cannot parse MAC address '52:54:00:00:00:01" INJ_ESC "'" },
  { "newline in dhcp host ip",
    HEAD IP4 "      <host mac='52:54:00:00:00:01' ip='10.0.0.5" INJ "'/>\n" IP4_END TAIL,
    NC_ERROR_XML_ERROR, 5, "invalid IP address '10.0.0.5" INJ_ESC "'" },
  { "newline in dhcp host id",
    HEAD IP4 "      <host id='01:02" INJ "' ip='10.0.0.5'/>\n" IP4_END TAIL, NC_ERROR_XML_ERROR, 5,
    "invalid character '\\n' in id '01:02" INJ_ESC "'" },
  { "newline in range start",
    HEAD IP4 "      <range start='10.0.0.2" INJ "' end='10.0.0.9'/>\n" IP4_END TAIL,
    NC_ERROR_XML_ERROR, 5, "invalid start address '10.0.0.2" INJ_ESC "'" },
  { "newline in lease expiry",
    HEAD IP4 "      <range start='10.0.0.2' end='10.0.0.9'>\n        <lease expiry='10" INJ
             "'/>\n      </range>\n" IP4_END TAIL,
    NC_ERROR_XML_ERROR, 6, "invalid value '10" INJ_ESC "' for attribute 'expiry'" },
  { "newline in lease unit",
    HEAD IP4 "      <range start='10.0.0.2' end='10.0.0.9'>\n        <lease expiry='10' unit='h" INJ
             "'/>\n      </range>\n" IP4_END TAIL,
    NC_ERROR_XML_ERROR, 6, "invalid unit 'h" INJ_ESC "'" },
  { "newline in bootp server",
    HEAD IP4 "      <bootp file='pxe' server='10.0.0.2" INJ "'/>\n" IP4_END TAIL,
    NC_ERROR_XML_ERROR, 5, "invalid server address '10.0.0.2" INJ_ESC "'" },
  { "newline in forward mode", HEAD "  <forward mode='nat" INJ "'/>\n" TAIL,
    NC_ERROR_CONFIG_UNSUPPORTED, 3, "unknown forwarding type 'nat" INJ_ESC "'" },
  { "newline in ip address", HEAD "  <ip address='10.0.0.1" INJ "' prefix='24'/>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "invalid address '10.0.0.1" INJ_ESC "'" },
  { "newline in the network name",
    "<network>\n  <name>a\nb</name>\n  <uuid>x\ny</uuid>\n</network>\n", NC_ERROR_XML_ERROR, 4,
    "network 'a\\nb': <uuid>: malformed uuid 'x\\ny'" },
  { "newline in a vlan trunk", HEAD "  <vlan trunk='x" INJ "'><tag id='1'/></vlan>\n" TAIL,
    NC_ERROR_XML_ERROR, 3, "trunk='x" INJ_ESC "'" },
#undef IP4
#undef IP4_END
#undef INJ
#undef INJ_ESC
};

/* One line of valid UTF-8: no C0 control (newline...), DEL or C1 control. */
static void
assert_one_line(const char *what, const char *message)
{
  if (!g_utf8_validate(message, -1, NULL))
    g_error("%s: the message is not valid UTF-8: %s", what, message);
  for (const char *p = message; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
      g_error("%s: the message holds control character U+%04X: %s", what, c, message);
  }
}

static void
test_error_case(gconstpointer data)
{
  const ErrCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(c->xml, "t.xml", 0, &error);
  g_autofree char *prefix = NULL;

  if (def)
    g_error("%s: parsed, expected an error containing \"%s\"", c->what, c->substr);
  g_assert_nonnull(error);
  if (error->domain != NC_ERROR || error->code != c->code)
    g_error("%s: error code %d (%s), expected %d (%s): %s", c->what, error->code,
            nc_error_code_to_string(error->code), c->code, nc_error_code_to_string(c->code),
            error->message);
  prefix = c->line ? g_strdup_printf("t.xml:%u: ", c->line) : g_strdup("t.xml: ");
  if (!g_str_has_prefix(error->message, prefix))
    g_error("%s: message does not start with \"%s\": %s", c->what, prefix, error->message);
  if (!strstr(error->message, c->substr))
    g_error("%s: message lacks \"%s\": %s", c->what, c->substr, error->message);
  assert_one_line(c->what, error->message);

  /* The same document through the define-time checks (and the schema):
   * whichever answers, one line. */
  for (guint f = 0; f < 2; f++) {
    g_autoptr(GError) error2 = NULL;
    g_autoptr(NcNetworkDef) def2 = nc_network_def_parse_string(
        c->xml, "t.xml", f == 0 ? NC_NETWORK_PARSE_CHECK : NC_NETWORK_PARSE_STRICT, &error2);
    g_assert_null(def2);
    g_assert_nonnull(error2);
    assert_one_line(c->what, error2->message);
  }
}

static NcNetworkDef *
parse_ok(const char *xml)
{
  g_autoptr(GError) error = NULL;
  NcNetworkDef *def = nc_network_def_parse_string(xml, NULL, 0, &error);

  g_assert_no_error(error);
  g_assert_nonnull(def);
  return def;
}

static void
test_message_prefix(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def
      = nc_network_def_parse_string(HEAD "  <mtu size='x'/>\n" TAIL, NULL, 0, &error);

  g_assert_null(def);
  g_assert_cmpstr(error->message, ==, "(string):3: network 'n': <mtu>: invalid mtu size 'x'");
  g_clear_error(&error);

  nc_xml_set_error(&error, NC_ERROR_XML_ERROR, NULL, 0, NULL, "plain %d", 1);
  g_assert_cmpstr(error->message, ==, "(string): plain 1");
  g_clear_error(&error);
  nc_xml_set_error(&error, NC_ERROR_XML_ERROR, "f.xml", 7, "a'b", "x");
  g_assert_cmpstr(error->message, ==, "f.xml:7: network 'a'b': x");
  g_clear_error(&error);
  /* NULL error is allowed */
  nc_xml_set_error(NULL, NC_ERROR_XML_ERROR, "f.xml", 7, NULL, "x");
}

static void
test_file_errors(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file("/nonexistent/dir/net.xml", 0, &error);

  g_assert_null(def);
  g_assert_error(error, NC_ERROR, NC_ERROR_OPEN_FAILED);
  g_assert_nonnull(strstr(error->message, "/nonexistent/dir/net.xml"));
}

/* What the model keeps where libvirt's output depends on it. */
static void
test_model_faithful(void)
{
  g_autoptr(NcNetworkDef) def
      = parse_ok("<network ipv6='yes' trustGuestRxFilters='no'>\n"
                 "  <name>lab</name>\n"
                 "  <forward mode='nat' dev='eth1'/>\n"
                 "  <bridge name='virbr9' stp='off' delay='2' zone='trusted'/>\n"
                 "  <mtu size='9000'/>\n"
                 "  <domain name='lab.example' localOnly='yes'/>\n"
                 "  <ip address='10.0.0.1' netmask='255.255.255.0'>\n"
                 "    <dhcp>\n"
                 "      <range start='10.0.0.2' end='10.0.0.9'>\n"
                 "        <lease expiry='2' unit='hours'/>\n"
                 "      </range>\n"
                 "      <range start='10.0.0.20' end='10.0.0.29'/>\n"
                 "      <host mac='00:16:3E:77:E2:ED' name='a' ip='10.0.0.5'>\n"
                 "        <lease expiry='0'/>\n"
                 "      </host>\n"
                 "    </dhcp>\n"
                 "  </ip>\n"
                 "  <ip family='ipv6' address='2001:db8::1' prefix='64'/>\n"
                 "  <ip address='172.16.0.1' prefix='0'/>\n"
                 "  <route address='192.168.50.0' prefix='24' gateway='10.0.0.2' metric='5'/>\n"
                 "  <unknown-element/>\n"
                 "</network>\n");
  const NcIpDef *ip0 = g_ptr_array_index(def->ips, 0);
  const NcIpDef *ip1 = g_ptr_array_index(def->ips, 1);
  const NcIpDef *ip2 = g_ptr_array_index(def->ips, 2);
  const NcDhcpRange *r0 = g_ptr_array_index(ip0->ranges, 0);
  const NcDhcpRange *r1 = g_ptr_array_index(ip0->ranges, 1);
  const NcDhcpHost *h0 = g_ptr_array_index(ip0->hosts, 0);
  const NcRouteDef *rt = g_ptr_array_index(def->routes, 0);
  const NcForwardIf *fi = g_ptr_array_index(def->forward.ifs, 0);
  char mac[18];

  g_assert_cmpstr(def->name, ==, "lab");
  g_assert_false(def->has_uuid);
  g_assert_cmpint(def->ipv6, ==, NC_TRISTATE_YES);
  g_assert_cmpint(def->trust_guest_rx_filters, ==, NC_TRISTATE_NO);

  g_assert_true(def->forward.has_element);
  g_assert_true(def->forward.mode_written);
  g_assert_cmpint(def->forward.mode, ==, NC_FORWARD_NAT);
  g_assert_cmpstr(def->forward.dev, ==, "eth1");
  g_assert_cmpuint(def->forward.ifs->len, ==, 1);
  g_assert_cmpstr(fi->dev, ==, "eth1");
  g_assert_cmpuint(def->forward.line, ==, 3);

  g_assert_true(def->bridge.has_element);
  g_assert_cmpstr(def->bridge.name, ==, "virbr9");
  g_assert_cmpstr(def->bridge.zone, ==, "trusted");
  g_assert_cmpint(def->bridge.stp, ==, NC_SWITCH_OFF);
  g_assert_true(def->bridge.has_delay);
  g_assert_cmpuint(def->bridge.delay, ==, 2);
  g_assert_true(def->has_mtu);
  g_assert_cmpuint(def->mtu, ==, 9000);
  g_assert_cmpuint(def->mtu_line, ==, 5);
  g_assert_false(def->has_mac);
  g_assert_cmpstr(def->domain->name, ==, "lab.example");
  g_assert_cmpint(def->domain->local_only, ==, NC_TRISTATE_YES);

  g_assert_cmpuint(def->ips->len, ==, 3);
  g_assert_cmpint(ip0->family_attr, ==, NC_IP_FAMILY_ABSENT);
  g_assert_cmpint(ip0->family, ==, AF_INET);
  g_assert_cmpint(ip0->netmask.family, ==, AF_INET);
  g_assert_false(ip0->has_prefix);
  g_assert_cmpint(nc_ip_def_prefix(ip0), ==, 24);
  g_assert_true(ip0->has_dhcp);
  g_assert_cmpuint(ip0->line, ==, 7);
  g_assert_true(r0->lease.has_lease);
  g_assert_cmpuint(r0->lease.expiry, ==, 2);
  g_assert_cmpint(r0->lease.unit, ==, NC_LEASE_UNIT_HOURS);
  g_assert_cmpuint(r0->line, ==, 9);
  g_assert_false(r1->lease.has_lease);
  g_assert_true(h0->has_mac);
  nc_mac_format(&h0->mac, mac);
  g_assert_cmpstr(mac, ==, "00:16:3e:77:e2:ed");
  g_assert_true(h0->lease.has_lease);
  g_assert_cmpuint(h0->lease.expiry, ==, 0);
  g_assert_cmpint(h0->lease.unit, ==, NC_LEASE_UNIT_ABSENT);

  g_assert_cmpint(ip1->family_attr, ==, NC_IP_FAMILY_IPV6);
  g_assert_cmpint(ip1->family, ==, AF_INET6);
  g_assert_true(ip1->has_prefix);
  g_assert_cmpuint(ip1->prefix, ==, 64);
  g_assert_false(ip1->has_dhcp);
  /* prefix='0' is "not given" for libvirt: class B default */
  g_assert_false(ip2->has_prefix);
  g_assert_cmpint(nc_ip_def_prefix(ip2), ==, 16);

  g_assert_true(nc_network_def_dhcp_ip(def, AF_INET) == ip0);
  g_assert_null(nc_network_def_dhcp_ip(def, AF_INET6));

  g_assert_cmpint(rt->family, ==, AF_INET);
  g_assert_true(rt->has_prefix);
  g_assert_cmpint(nc_route_def_prefix(rt), ==, 24);
  g_assert_true(rt->has_metric);
  g_assert_cmpuint(rt->metric, ==, 5);
}

static void
test_forward_variants(void)
{
  g_autoptr(NcNetworkDef) a = parse_ok(HEAD "  <forward/>\n" TAIL);
  g_autoptr(NcNetworkDef) b = parse_ok(
      HEAD "  <forward mode='hostdev' managed='YES'>\n    <driver name='vfio' model='igb'/>\n"
           "    <pf dev='eth2'/>\n  </forward>\n" TAIL);
  g_autoptr(NcNetworkDef) c
      = parse_ok(HEAD "  <forward mode='passthrough'>\n    <interface dev='eth1'/>\n"
                      "    <interface dev='eth2'/>\n  </forward>\n" TAIL);
  g_autoptr(NcNetworkDef) d = parse_ok(
      HEAD "  <forward mode='nat'>\n    <nat ipv6='yes'>\n      <address start='1.2.3.4' "
           "end='1.2.3.10'/>\n      <port start='500' end='1000'/>\n    </nat>\n  </forward>\n"
           "  <ip address='10.0.0.1' prefix='24'/>\n" TAIL);
  g_autoptr(NcNetworkDef) e = parse_ok(HEAD TAIL);

  g_assert_cmpint(a->forward.mode, ==, NC_FORWARD_NAT);
  g_assert_false(a->forward.mode_written);
  g_assert_null(a->forward.dev);

  g_assert_cmpint(b->forward.mode, ==, NC_FORWARD_HOSTDEV);
  g_assert_cmpint(b->forward.managed, ==, NC_TRISTATE_YES);
  g_assert_cmpint(b->forward.driver_name, ==, NC_FORWARD_DRIVER_VFIO);
  g_assert_cmpstr(b->forward.driver_model, ==, "igb");
  g_assert_cmpstr(b->forward.pf->dev, ==, "eth2");
  g_assert_null(b->forward.dev);

  g_assert_cmpstr(c->forward.dev, ==, "eth1");
  g_assert_cmpuint(c->forward.ifs->len, ==, 2);

  g_assert_true(d->forward.has_nat);
  g_assert_cmpint(d->forward.nat_ipv6, ==, NC_TRISTATE_YES);
  g_assert_cmpint(d->forward.nat_addr_start.family, ==, AF_INET);
  g_assert_cmpuint(d->forward.nat_port_start, ==, 500);
  g_assert_cmpuint(d->forward.nat_port_end, ==, 1000);

  g_assert_false(e->forward.has_element);
  g_assert_cmpint(e->forward.mode, ==, NC_FORWARD_NONE);
}

static void
test_metadata_dnsmasq_copy(void)
{
  g_autoptr(NcNetworkDef) def = parse_ok(
      "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>\n"
      "  <name>n</name>\n"
      "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n"
      "  <title>A title</title>\n"
      "  <description>Some\ntext</description>\n"
      "  <metadata>\n"
      "    <app1:foo xmlns:app1='http://foo.org/'>fooish</app1:foo>\n"
      "    <plain/>\n"
      "    <app1:again xmlns:app1='http://foo.org/'/>\n"
      "    <app2:bar xmlns:app2='http://bar.com/' maman='baz'>barish</app2:bar>\n"
      "  </metadata>\n"
      "  <dns>\n"
      "    <txt name='example' value='example value'/>\n"
      "    <srv service='name' protocol='tcp' domain='test-domain-name' target='.' port='1024' "
      "priority='10' weight='10'/>\n"
      "    <host ip='192.168.122.2'>\n"
      "      <hostname>myhost</hostname>\n"
      "      <hostname>myhostalias</hostname>\n"
      "    </host>\n"
      "    <forwarder domain='example.com' addr='8.8.4.4'/>\n"
      "  </dns>\n"
      "  <portgroup name='engineering' default='yes'>\n"
      "    <vlan trunk='yes'>\n      <tag id='10'/>\n      <tag id='20' nativeMode='untagged'/>\n"
      "    </vlan>\n"
      "  </portgroup>\n"
      "  <dnsmasq:options>\n"
      "    <dnsmasq:option value='foo=bar'/>\n"
      "    <dnsmasq:option value='cname=*.foo.example.com,master.example.com'/>\n"
      "  </dnsmasq:options>\n"
      "</network>\n");
  g_autoptr(NcNetworkDef) copy = NULL;
  xmlNodePtr child;
  guint n = 0;

  g_assert_true(def->has_uuid);
  g_assert_cmpstr(def->title, ==, "A title");
  g_assert_cmpstr(def->description, ==, "Some\ntext");
  g_assert_nonnull(def->metadata);
  for (child = def->metadata->children; child; child = child->next)
    n++;
  g_assert_cmpuint(n, ==, 2); /* <plain/> and the second foo.org element are dropped */
  g_assert_cmpuint(def->dnsmasq_options->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(def->dnsmasq_options, 1), ==,
                  "cname=*.foo.example.com,master.example.com");
  g_assert_cmpuint(def->dns.hosts->len, ==, 1);
  g_assert_cmpuint(((NcDnsHost *)g_ptr_array_index(def->dns.hosts, 0))->hostnames->len, ==, 2);

  copy = nc_network_def_copy(def);
  g_assert_true(copy != def);
  g_assert_cmpstr(copy->name, ==, "n");
  g_assert_true(copy->name != def->name);
  g_assert_cmpmem(copy->uuid, NC_UUID_LEN, def->uuid, NC_UUID_LEN);
  g_assert_nonnull(copy->metadata);
  g_assert_true(copy->metadata != def->metadata);
  g_assert_cmpuint(copy->dnsmasq_options->len, ==, 2);
  g_assert_cmpuint(copy->portgroups->len, ==, 1);
  NcPortGroup *pg = g_ptr_array_index(copy->portgroups, 0);
  g_assert_true(pg->is_default);
  g_assert_cmpuint(pg->vlan->tags->len, ==, 2);
  g_assert_cmpuint(((NcDnsSrv *)g_ptr_array_index(copy->dns.srvs, 0))->port, ==, 1024);

  /* the copy and the original format identically */
  g_autofree char *a = nc_network_def_format(def, 0);
  g_autofree char *b = nc_network_def_format(copy, 0);
  g_assert_cmpstr(a, ==, b);
}

static void
test_fill_defaults(void)
{
  g_autoptr(NcNetworkDef) iso = parse_ok(HEAD TAIL);
  g_autoptr(NcNetworkDef) br
      = parse_ok(HEAD "  <forward mode='bridge'/>\n  <bridge name='br0'/>\n" TAIL);
  g_autoptr(NcNetworkDef) keep
      = parse_ok(HEAD "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid>\n"
                      "  <mac address='52:54:00:01:02:03'/>\n" TAIL);
  char buf[NC_UUID_STRING_LEN], mac[18];

  nc_network_def_fill_defaults(iso);
  g_assert_true(iso->has_uuid);
  g_assert_false(nc_uuid_is_zero(iso->uuid));
  g_assert_true(iso->has_mac);
  g_assert_cmpint(iso->mac.addr[0], ==, 0x52);

  nc_network_def_fill_defaults(br);
  g_assert_true(br->has_uuid);
  g_assert_false(br->has_mac);

  nc_network_def_fill_defaults(keep);
  nc_uuid_format(keep->uuid, buf);
  g_assert_cmpstr(buf, ==, "81ff0d90-c91e-6742-64da-4a736edb9a9b");
  nc_mac_format(&keep->mac, mac);
  g_assert_cmpstr(mac, ==, "52:54:00:01:02:03");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(err_cases); i++) {
    g_autofree char *path = g_strdup_printf("/parse-errors/%s", err_cases[i].what);
    g_strdelimit(path + 1, " ", '-');
    g_test_add_data_func(path, &err_cases[i], test_error_case);
  }
  g_test_add_func("/parse/message-prefix", test_message_prefix);
  g_test_add_func("/parse/file-errors", test_file_errors);
  g_test_add_func("/parse/model-faithful", test_model_faithful);
  g_test_add_func("/parse/forward-variants", test_forward_variants);
  g_test_add_func("/parse/metadata-dnsmasq-copy", test_metadata_dnsmasq_copy);
  g_test_add_func("/parse/fill-defaults", test_fill_defaults);
  return g_test_run();
}
