/* nc_network_def_update of netctl's sections (netctl-mirror, netctl-netflow,
 * netctl-sflow): add-first/add-last/modify/delete on an OVS network, the
 * formatted result byte for byte, snippets with or without the namespace
 * declared, and every refusal leaving the definition exactly as it was. */
#include <string.h>

#include <glib.h>

#include "nc-error.h"
#include "network-update.h"
#include "network-xml.h"

#define NS "xmlns:netctl='http://netctl.org/schemas/network/1.0'"

static const char base_xml[] = "<network " NS ">\n"
                               "  <name>ovs1</name>\n"
                               "  <uuid>0d6f3c1e-7a3b-4f5e-9c1d-2b3a4c5d6e7f</uuid>\n"
                               "  <forward mode='bridge'/>\n"
                               "  <bridge name='ovsbr0'/>\n"
                               "  <virtualport type='openvswitch'/>\n"
                               "  <portgroup name='web'>\n"
                               "  </portgroup>\n"
                               "  <portgroup name='db'>\n"
                               "  </portgroup>\n"
                               "  <netctl:mirror name='m1'>\n"
                               "    <netctl:select portgroup='web'/>\n"
                               "    <netctl:output port='mon0'/>\n"
                               "  </netctl:mirror>\n"
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

static void
ok(Fixture *f, guint command, guint section, const char *xml)
{
  g_autoptr(GError) error = NULL;
  if (!nc_network_def_update(f->def, command, section, -1, xml, &error))
    g_error("update refused: %s", error->message);
}

static void
refused(Fixture *f, guint command, guint section, const char *xml, int code, const char *substr)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = nc_network_def_format(f->def, 0);
  if (nc_network_def_update(f->def, command, section, -1, xml, &error))
    g_error("update accepted: %s", xml);
  if (error->code != code || !strstr(error->message, substr))
    g_error("expected code %d and \"%s\", got code %d: %s", code, substr, error->code,
            error->message);
  g_assert_null(strchr(error->message, '\n'));
  g_autofree char *after = nc_network_def_format(f->def, 0);
  g_assert_cmpstr(before, ==, after);
}

/* The formatted definition, re-parsed strictly (schema + checks), formats
 * back byte for byte: what is saved is what define takes. */
static char *
formatted(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *xml = nc_network_def_format(f->def, 0);
  g_autoptr(NcNetworkDef) again
      = nc_network_def_parse_string(xml, NULL, NC_NETWORK_PARSE_STRICT, &error);
  g_assert_no_error(error);
  g_autofree char *xml2 = nc_network_def_format(again, 0);
  g_assert_cmpstr(xml, ==, xml2);
  return xml;
}

static void
test_tables(void)
{
  g_assert_cmpint(nc_network_update_section_from_string("netctl-mirror"), ==, 1001);
  g_assert_cmpint(nc_network_update_section_from_string("netctl-netflow"), ==, 1002);
  g_assert_cmpint(nc_network_update_section_from_string("netctl-sflow"), ==, 1003);
  for (guint i = NC_NETWORK_SECTION_NETCTL_FIRST; i < _NC_NETWORK_SECTION_NETCTL_MAX; i++)
    g_assert_cmpint(nc_network_update_section_from_string(nc_network_update_section_to_string(i)),
                    ==, i);
  g_assert_null(nc_network_update_section_to_string(1000));
  g_assert_null(nc_network_update_section_to_string((guint)_NC_NETWORK_SECTION_NETCTL_MAX));
  g_assert_cmpint(nc_network_update_section_from_string("mirror"), ==, -1);
}

static void
test_mirror(Fixture *f, gconstpointer data)
{
  /* without a namespace: the section says whose it is */
  ok(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_NETCTL_MIRROR,
     "<mirror name='m2'><select port='vnet3' direction='inbound'/><output vlan='99'/></mirror>");
  /* with it declared */
  ok(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, NC_NETWORK_SECTION_NETCTL_MIRROR,
     "<netctl:mirror " NS " name='m0'><netctl:select all='yes'/>"
     "<netctl:output port='mon1'/></netctl:mirror>");
  /* the prefix declared, the children without it: still netctl's */
  ok(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_NETCTL_MIRROR,
     "<netctl:mirror " NS " name='m3'><select all='yes'/><output port='mon3'/></netctl:mirror>");
  ok(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_NETCTL_MIRROR,
     "<netctl:mirror " NS " name='m3'/>");
  g_autofree char *xml = formatted(f);
  const char *expect = "  <netctl:mirror name='m0'>\n"
                       "    <netctl:select all='yes'/>\n"
                       "    <netctl:output port='mon1'/>\n"
                       "  </netctl:mirror>\n"
                       "  <netctl:mirror name='m1'>\n"
                       "    <netctl:select portgroup='web'/>\n"
                       "    <netctl:output port='mon0'/>\n"
                       "  </netctl:mirror>\n"
                       "  <netctl:mirror name='m2'>\n"
                       "    <netctl:select port='vnet3' direction='inbound'/>\n"
                       "    <netctl:output vlan='99'/>\n"
                       "  </netctl:mirror>\n"
                       "</network>\n";
  g_assert_true(g_str_has_suffix(xml, expect));
  ok(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, NC_NETWORK_SECTION_NETCTL_MIRROR,
     "<mirror name='m1'><select portgroup='db' direction='outbound'/><output port='mon0'/>"
     "</mirror>");
  g_autofree char *xml2 = formatted(f);
  g_assert_nonnull(strstr(xml2, "  <netctl:mirror name='m1'>\n"
                                "    <netctl:select portgroup='db' direction='outbound'/>\n"));
  g_assert_true(strstr(xml2, "name='m0'") < strstr(xml2, "name='m1'"));
  /* delete needs the name only */
  ok(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_NETCTL_MIRROR, "<mirror name='m0'/>");
  ok(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_NETCTL_MIRROR, "<mirror name='m2'/>");
  ok(f, NC_NETWORK_UPDATE_COMMAND_DELETE, NC_NETWORK_SECTION_NETCTL_MIRROR, "<mirror name='m1'/>");
  /* nothing of netctl's left: no namespace declared either */
  g_autofree char *xml3 = formatted(f);
  g_assert_null(strstr(xml3, "netctl"));
  g_assert_true(g_str_has_prefix(xml3, "<network>\n"));
  /* and the first one back: the namespace again */
  ok(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, NC_NETWORK_SECTION_NETCTL_MIRROR,
     "<mirror name='m1'><select portgroup='web'/><output port='mon0'/></mirror>");
  g_autofree char *xml4 = formatted(f);
  g_assert_cmpstr(xml4, ==, f->before);
}

static void
test_mirror_refused(Fixture *f, gconstpointer data)
{
  guint add = NC_NETWORK_UPDATE_COMMAND_ADD_LAST, sec = NC_NETWORK_SECTION_NETCTL_MIRROR;
  refused(f, add, sec, "<mirror name='m1'><select all='yes'/><output port='x'/></mirror>",
          NC_ERROR_OPERATION_INVALID,
          "network 'ovs1': there is an existing mirror entry that matches "
          "\"<netctl:mirror name='m1'>\"");
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, sec,
          "<mirror name='zz'><select all='yes'/><output port='x'/></mirror>",
          NC_ERROR_OPERATION_INVALID, "couldn't find a mirror entry matching");
  refused(f, NC_NETWORK_UPDATE_COMMAND_DELETE, sec, "<mirror name='zz'/>",
          NC_ERROR_OPERATION_INVALID, "couldn't find a mirror entry matching");
  refused(f, NC_NETWORK_UPDATE_COMMAND_DELETE, sec, "<mirror/>", NC_ERROR_XML_ERROR,
          "missing name=''");
  refused(f, add, sec, "<mirror name='m2'><select portgroup='nosuch'/><output port='x'/></mirror>",
          NC_ERROR_XML_ERROR, "the network has no portgroup 'nosuch'");
  refused(f, add, sec, "<mirror name='m2'><select all='yes'/></mirror>", NC_ERROR_XML_ERROR,
          "needs a <netctl:output>");
  refused(f, add, sec, "<mirror name='m2'><select all='yes'/><output port='a;b'/></mirror>",
          NC_ERROR_XML_ERROR, "invalid port='a;b'");
  refused(f, add, sec,
          "<mirror name='m2' color='red'><select all='yes'/><output port='x'/></mirror>",
          NC_ERROR_XML_ERROR, "unknown attribute 'color' on <netctl:mirror>");
  refused(f, add, sec, "<mirror name='m2'><select all='yes' bogus='1'/><output port='x'/></mirror>",
          NC_ERROR_XML_ERROR, "unknown attribute 'bogus' on <netctl:select>");
  refused(f, add, sec, "<portgroup name='m2'/>", NC_ERROR_XML_ERROR,
          "unexpected element <portgroup>, expecting <netctl:mirror>");
  refused(f, add, sec,
          "<x:mirror xmlns:x='urn:other' name='m2'><x:select all='yes'/><x:output port='a'/>"
          "</x:mirror>",
          NC_ERROR_XML_ERROR, "unexpected element <mirror>");
  refused(f, add, sec, "<mirror name='m2'", NC_ERROR_XML_ERROR, "");
  /* hostile values: refused in one line (refused() checks for no newline) */
  refused(f, add, sec, "<mirror name='a&#10;b'><select all='yes'/><output port='x'/></mirror>",
          NC_ERROR_XML_ERROR, "invalid name=");
  refused(f, add, sec,
          "<mirror name='m2'><select all='yes'><select all='yes'/></select>"
          "<output port='x'/></mirror>",
          NC_ERROR_XML_ERROR, "unexpected <select> inside <select>");
  refused(f, add, sec, "<mirror name='m2'><select all='yes'/><output port='x'/><bogus/></mirror>",
          NC_ERROR_XML_ERROR, "unexpected <bogus>");
  refused(f, 7, sec, "<mirror name='m2'/>", NC_ERROR_OPERATION_UNSUPPORTED,
          "unrecognized network update command code 7");
}

static void
test_flows(Fixture *f, gconstpointer data)
{
  guint nf = NC_NETWORK_SECTION_NETCTL_NETFLOW, sf = NC_NETWORK_SECTION_NETCTL_SFLOW;
  refused(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, nf,
          "<netflow><target address='127.0.0.1' port='2055'/></netflow>",
          NC_ERROR_OPERATION_INVALID, "the network has no <netctl:netflow>");
  refused(f, NC_NETWORK_UPDATE_COMMAND_DELETE, sf, "<sflow/>", NC_ERROR_OPERATION_INVALID,
          "the network has no <netctl:sflow>");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, nf, "<netflow/>", NC_ERROR_XML_ERROR,
          "needs at least one <netctl:target");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, nf,
          "<netflow engineId='300'><target address='127.0.0.1' port='2055'/></netflow>",
          NC_ERROR_XML_ERROR, "invalid engineId='300'");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, sf,
          "<sflow><target address='collector.example' port='6343'/></sflow>", NC_ERROR_XML_ERROR,
          "invalid address='collector.example'");
  ok(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, nf,
     "<netflow activeTimeout='1'><target address='127.0.0.1' port='2055'/></netflow>");
  ok(f, NC_NETWORK_UPDATE_COMMAND_ADD_FIRST, sf,
     "<netctl:sflow " NS " sampling='64'><netctl:target address='::1' port='6343'/>"
     "</netctl:sflow>");
  refused(f, NC_NETWORK_UPDATE_COMMAND_ADD_LAST, nf,
          "<netflow><target address='127.0.0.1' port='2056'/></netflow>",
          NC_ERROR_OPERATION_INVALID, "there is already a <netctl:netflow> (one per network)");
  ok(f, NC_NETWORK_UPDATE_COMMAND_MODIFY, nf,
     "<netflow engineType='7' engineId='9'><target address='127.0.0.1' port='2056'/></netflow>");
  g_autofree char *xml = formatted(f);
  g_assert_true(g_str_has_suffix(xml, "  <netctl:netflow engineType='7' engineId='9'>\n"
                                      "    <netctl:target address='127.0.0.1' port='2056'/>\n"
                                      "  </netctl:netflow>\n"
                                      "  <netctl:sflow sampling='64'>\n"
                                      "    <netctl:target address='::1' port='6343'/>\n"
                                      "  </netctl:sflow>\n"
                                      "</network>\n"));
  ok(f, NC_NETWORK_UPDATE_COMMAND_DELETE, nf, "<netflow/>");
  ok(f, NC_NETWORK_UPDATE_COMMAND_DELETE, sf, "<netctl:sflow " NS "/>");
  g_autofree char *xml2 = formatted(f);
  g_assert_cmpstr(xml2, ==, f->before);
}

/* Only Open vSwitch networks have them, as define says. */
static void
test_not_ovs(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def
      = nc_network_def_parse_string("<network><name>iso</name><bridge name='virbr7'/></network>",
                                    NULL, NC_NETWORK_PARSE_STRICT, &error);
  g_assert_no_error(error);
  g_assert_false(nc_network_def_update(def, NC_NETWORK_UPDATE_COMMAND_ADD_LAST,
                                       NC_NETWORK_SECTION_NETCTL_NETFLOW, -1,
                                       "<netflow><target address='127.0.0.1' port='2055'/>"
                                       "</netflow>",
                                       &error));
  g_assert_nonnull(strstr(error->message, "only Open vSwitch networks"));
  g_assert_null(def->netctl);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/update-ovs/tables", test_tables);
  g_test_add("/update-ovs/mirror", Fixture, NULL, setup, test_mirror, teardown);
  g_test_add("/update-ovs/mirror-refused", Fixture, NULL, setup, test_mirror_refused, teardown);
  g_test_add("/update-ovs/flows", Fixture, NULL, setup, test_flows, teardown);
  g_test_add_func("/update-ovs/not-ovs", test_not_ovs);
  return g_test_run();
}
