/* The shared sub-element parsers and formatters (netdev-parse.c,
 * netdev-format.c) in the contexts the port cases do not reach: a network's
 * <bandwidth> (no classID, no floor), a network's <virtualport> (type
 * required), typeless virtualports, native VLAN output, and messages that
 * name the network. */
#include <string.h>

#include <glib.h>
#include <libxml/parser.h>

#include "nc-error.h"
#include "netdev-format.h"
#include "netdev-parse.h"

static xmlNodePtr
root_of(const char *xml, xmlDocPtr *ret_doc)
{
  xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, XML_PARSE_NONET);

  g_assert_nonnull(doc);
  *ret_doc = doc;
  return xmlDocGetRootElement(doc);
}

static void
test_bandwidth_network_context(void)
{
  xmlDocPtr doc;
  xmlNodePtr node;
  NcBandwidth *bw = NULL;
  g_autoptr(GError) error = NULL;

  node = root_of("<bandwidth classID='3'>\n  <inbound average='1'/>\n</bandwidth>\n", &doc);
  g_assert_false(nc_bandwidth_parse(node, 0, "net.xml", "lab", &bw, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_XML_DETAIL);
  g_assert_true(
      g_str_has_prefix(error->message, "net.xml:1: network 'lab': <bandwidth>: classID="));
  g_assert_null(bw);
  g_clear_error(&error);
  xmlFreeDoc(doc);

  node = root_of("<bandwidth>\n  <inbound average='1' floor='2'/>\n</bandwidth>\n", &doc);
  g_assert_false(nc_bandwidth_parse(node, 0, "net.xml", "lab", &bw, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED);
  g_assert_true(g_str_has_prefix(error->message, "net.xml:2: network 'lab': <inbound>: floor="));
  g_clear_error(&error);
  g_assert_true(
      nc_bandwidth_parse(node, NC_BANDWIDTH_PARSE_ALLOW_FLOOR, "net.xml", "lab", &bw, &error));
  g_assert_no_error(error);
  g_assert_nonnull(bw);
  g_assert_true(bw->in->has_floor && bw->in->has_average && !bw->in->has_peak);
  g_assert_cmpuint(bw->line, ==, 1);
  nc_bandwidth_free(bw);
  xmlFreeDoc(doc);

  /* Zero values are not written, as in libvirt; a direction with neither
   * average nor floor is dropped, and the second <outbound> is ignored. */
  node = root_of("<bandwidth><inbound average='0' floor='0'/><outbound average='5' peak='0'/>"
                 "<outbound average='9'/></bandwidth>",
                 &doc);
  g_assert_true(nc_bandwidth_parse(node, NC_BANDWIDTH_PARSE_ALLOW_FLOOR, NULL, NULL, &bw, &error));
  g_assert_null(bw->in);
  g_assert_true(bw->out->has_peak && bw->out->peak == 0);
  {
    g_autoptr(GString) out = g_string_new(NULL);

    nc_bandwidth_format(out, bw, 4);
    g_assert_cmpstr(out->str, ==,
                    "    <bandwidth>\n"
                    "      <outbound average='5'/>\n"
                    "    </bandwidth>\n");
  }
  nc_bandwidth_free(bw);
  xmlFreeDoc(doc);

  /* Only zero rates: no bandwidth at all, so the output reads back the same
   * (libvirt writes an empty <bandwidth> here, which reads back as none). */
  node = root_of("<bandwidth classID='7'><inbound floor='0'/></bandwidth>", &doc);
  bw = GINT_TO_POINTER(1);
  g_assert_true(
      nc_bandwidth_parse(node, NC_BANDWIDTH_PARSE_ALLOW_FLOOR | NC_BANDWIDTH_PARSE_ALLOW_CLASS_ID,
                         NULL, NULL, &bw, &error));
  g_assert_null(bw);
  xmlFreeDoc(doc);
}

static void
test_virtualport_network_context(void)
{
  xmlDocPtr doc;
  xmlNodePtr node;
  NcVirtualPort *vp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new(NULL);

  node = root_of("<virtualport>\n<parameters profileid='p1' managerid='2' "
                 "interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>",
                 &doc);
  g_assert_false(
      nc_virtualport_parse(node, NC_VIRTUALPORT_PARSE_REQUIRE_TYPE, "n.xml", "lab", &vp, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_XML_ERROR);
  g_assert_true(strstr(error->message, "missing required type="));
  g_clear_error(&error);

  /* A portgroup's typeless virtualport keeps every parameter. */
  g_assert_true(nc_virtualport_parse(node, 0, "n.xml", "lab", &vp, &error));
  nc_virtualport_format(out, vp, 2);
  g_assert_cmpstr(out->str, ==,
                  "  <virtualport>\n"
                  "    <parameters managerid='2' "
                  "interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' profileid='p1'/>\n"
                  "  </virtualport>\n");
  nc_virtualport_free(vp);
  xmlFreeDoc(doc);

  /* type='none' is not a type one can write. */
  node = root_of("<virtualport type='none'/>", &doc);
  g_assert_false(nc_virtualport_parse(node, 0, NULL, NULL, &vp, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED);
  g_clear_error(&error);
  xmlFreeDoc(doc);

  /* A typed one without parameters is written as an empty element. */
  node = root_of("<virtualport type='openvswitch'><parameters profileid=''/></virtualport>", &doc);
  g_assert_true(
      nc_virtualport_parse(node, NC_VIRTUALPORT_PARSE_REQUIRE_TYPE, NULL, NULL, &vp, &error));
  g_assert_null(vp->profileid);
  g_string_truncate(out, 0);
  nc_virtualport_format(out, vp, 2);
  g_assert_cmpstr(out->str, ==, "  <virtualport type='openvswitch'/>\n");
  nc_virtualport_free(vp);
  xmlFreeDoc(doc);

  /* profileid has at most 39 characters (libvirt's 40-byte buffer). */
  node = root_of("<virtualport type='802.1Qbh'><parameters "
                 "profileid='0123456789012345678901234567890123456789'/></virtualport>",
                 &doc);
  g_assert_false(nc_virtualport_parse(node, 0, NULL, NULL, &vp, &error));
  g_assert_true(strstr(error->message, "too long"));
  g_clear_error(&error);
  xmlFreeDoc(doc);
}

static void
test_vlan_native(void)
{
  xmlDocPtr doc;
  xmlNodePtr node;
  NcVlan *vlan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new(NULL);

  /* A repeated id is refused (libvirt would write the native mode on both
   * copies and then refuse its own output). */
  node
      = root_of("<vlan><tag id='5' nativeMode='tagged'/><tag id='6'/>\n<tag id='5'/></vlan>", &doc);
  g_assert_false(nc_vlan_parse(node, "n.xml", NULL, &vlan, &error));
  g_assert_cmpstr(error->message, ==, "n.xml:2: <tag>: vlan tag id 5 is listed twice");
  g_clear_error(&error);
  xmlFreeDoc(doc);

  node = root_of("<vlan><tag id='6'/><tag id='5' nativeMode='untagged'/></vlan>", &doc);
  g_assert_true(nc_vlan_parse(node, NULL, NULL, &vlan, &error));
  g_assert_cmpint(vlan->trunk, ==, NC_TRISTATE_YES);
  nc_vlan_format(out, vlan, 2);
  g_assert_cmpstr(out->str, ==,
                  "  <vlan trunk='yes'>\n"
                  "    <tag id='6'/>\n"
                  "    <tag id='5' nativeMode='untagged'/>\n"
                  "  </vlan>\n");
  nc_vlan_free(vlan);
  xmlFreeDoc(doc);

  node = root_of("<vlan trunk='no'><tag id='5' nativeMode='untagged'/></vlan>", &doc);
  g_assert_false(nc_vlan_parse(node, "n.xml", "lab", &vlan, &error));
  g_assert_cmpstr(error->message, ==,
                  "n.xml:1: network 'lab': <vlan>: trunk='no' is not allowed with a native "
                  "vlan id");
  g_clear_error(&error);
  xmlFreeDoc(doc);

  node = root_of("<vlan trunk='maybe'><tag id='5'/></vlan>", &doc);
  g_assert_false(nc_vlan_parse(node, NULL, NULL, &vlan, &error));
  g_assert_true(strstr(error->message, "invalid trunk='maybe': must be yes or no"));
  g_clear_error(&error);
  xmlFreeDoc(doc);
}

static void
test_port_options_and_nulls(void)
{
  xmlDocPtr doc;
  xmlNodePtr node;
  NcTristate v = NC_TRISTATE_YES;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new(NULL);

  g_assert_true(nc_port_options_parse(NULL, NULL, NULL, &v, &error));
  g_assert_cmpint(v, ==, NC_TRISTATE_ABSENT);
  node = root_of("<port isolated='yes'/>", &doc);
  g_assert_true(nc_port_options_parse(node, NULL, NULL, &v, &error));
  g_assert_cmpint(v, ==, NC_TRISTATE_YES);
  xmlFreeDoc(doc);

  nc_bandwidth_format(out, NULL, 2);
  nc_vlan_format(out, NULL, 2);
  nc_virtualport_format(out, NULL, 2);
  nc_port_options_format(out, NC_TRISTATE_ABSENT, 2);
  g_assert_cmpstr(out->str, ==, "");
  nc_port_options_format(out, NC_TRISTATE_YES, 2);
  g_assert_cmpstr(out->str, ==, "  <port isolated='yes'/>\n");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/netdev/bandwidth", test_bandwidth_network_context);
  g_test_add_func("/netdev/virtualport", test_virtualport_network_context);
  g_test_add_func("/netdev/vlan", test_vlan_native);
  g_test_add_func("/netdev/port-options", test_port_options_and_nulls);
  return g_test_run();
}
