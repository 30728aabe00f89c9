/* Our own <networkport> cases (tests/port/data):
 *   good/NAME.xml     must parse and format to good/NAME.out.xml, or to
 *                     itself when there is no .out.xml; the output must
 *                     parse again (with schema validation when
 *                     networkport.rng exists) to the same text.
 *   bad/NAME.xml      must be refused with the error code, line and message
 *                     fragment listed in bad_cases[] below; every file in
 *                     bad/ must be listed.
 * Plus the string tables, copy and parse_file. */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "nc-error.h"
#include "port-def.h"
#include "text-diff.h"

static char *data_dir;
static guint parse_flags;

typedef struct {
  const char *name;
  int code;
  guint line;           /* 0: any line, but one must be given */
  const char *fragment; /* must appear in the message */
} BadCase;

static const BadCase bad_cases[] = {
  { "bad-root", NC_ERROR_XML_ERROR, 1, "unknown root element <network> for a network port" },
  { "missing-uuid", NC_ERROR_XML_ERROR, 1, "<networkport>: missing <uuid>" },
  { "bad-uuid", NC_ERROR_XML_ERROR, 2,
    "<uuid>: cannot parse '5d744f21-ba4a-4d6e-bdb2-30a35ff3207' as a UUID" },
  { "missing-owner-name", NC_ERROR_XML_ERROR, 3, "<owner>: missing <name>" },
  { "missing-owner", NC_ERROR_XML_ERROR, 1, "<networkport>: missing <owner>" },
  { "missing-owner-uuid", NC_ERROR_XML_ERROR, 3, "<owner>: missing <uuid>" },
  { "bad-owner-uuid", NC_ERROR_XML_ERROR, 5, "cannot parse 'not-a-uuid' as a UUID" },
  { "missing-mac", NC_ERROR_XML_ERROR, 1, "missing <mac address=>" },
  { "bad-mac", NC_ERROR_INVALID_MAC, 7, "<mac>: invalid address='52:54:00:zz:35:93'" },
  { "bad-plug-type", NC_ERROR_XML_ERROR, 8, "<plug>: unknown type='tap'" },
  { "plug-bridge-no-bridge", NC_ERROR_XML_ERROR, 8, "<plug type='bridge'>: missing bridge=" },
  { "plug-network-bad-mactbl", NC_ERROR_XML_ERROR, 8, "invalid macTableManager='default'" },
  { "plug-direct-no-dev", NC_ERROR_XML_ERROR, 8, "<plug type='direct'>: missing dev=" },
  { "plug-direct-bad-mode", NC_ERROR_XML_ERROR, 8, "<plug>: invalid mode='802.1Qbg'" },
  { "plug-hostdev-no-address", NC_ERROR_XML_ERROR, 8, "missing <address>" },
  { "plug-hostdev-bad-driver", NC_ERROR_XML_ERROR, 9, "<driver>: invalid name='xen'" },
  { "plug-hostdev-bad-managed", NC_ERROR_XML_ERROR, 8, "<plug>: invalid managed='true'" },
  { "plug-hostdev-bad-slot", NC_ERROR_XML_ERROR, 9, "slot='0x20', must be <= 0x1F" },
  { "plug-hostdev-bad-bus", NC_ERROR_XML_ERROR, 9, "<address>: invalid bus='-1'" },
  { "inject-bridge", NC_ERROR_XML_ERROR, 8, "<plug>: bridge 'br0;reboot'" },
  { "long-bridge", NC_ERROR_XML_ERROR, 8, "<plug>: bridge 'virbr0123456789x'" },
  { "inject-direct-dev", NC_ERROR_XML_ERROR, 8, "<plug>: dev '../../etc'" },
  { "option-direct-dev", NC_ERROR_XML_ERROR, 8, "<plug>: dev 'eth 0'" },
  { "inject-owner-slash", NC_ERROR_XML_ERROR, 3, "<owner>: <name> '../../etc/passwd'" },
  { "inject-owner-newline", NC_ERROR_XML_ERROR, 3, "<owner>: <name> 'guest1\\nevil'" },
  { "inject-group", NC_ERROR_XML_ERROR, 8, "<group> 'web\\t1'" },
  { "bandwidth-outbound-floor", NC_ERROR_CONFIG_UNSUPPORTED, 10,
    "<outbound>: floor= is only allowed in <inbound>" },
  { "bandwidth-peak-no-average", NC_ERROR_CONFIG_UNSUPPORTED, 9,
    "<inbound>: peak= and burst= need an average= attribute" },
  { "bandwidth-no-rate", NC_ERROR_XML_DETAIL, 9, "<inbound>: needs an average= or a floor=" },
  { "bandwidth-bad-average", NC_ERROR_XML_ERROR, 9, "<inbound>: invalid average='12kb'" },
  { "bandwidth-bad-classid", NC_ERROR_XML_ERROR, 8, "<bandwidth>: invalid classID='-3'" },
  { "vlan-tag-too-large", NC_ERROR_XML_ERROR, 9, "vlan tag id 4096 too large (maximum 4095)" },
  { "vlan-no-tag", NC_ERROR_XML_ERROR, 8, "each <vlan> must have at least one <tag id='n'/>" },
  { "vlan-trunk-no-multi", NC_ERROR_XML_ERROR, 8,
    "<vlan>: invalid trunk='no': trunk='yes' is required for more than one vlan tag" },
  { "vlan-double-native", NC_ERROR_XML_ERROR, 10, "<tag>: duplicate native vlan setting" },
  { "vlan-bad-native", NC_ERROR_XML_ERROR, 9, "<tag>: invalid nativeMode='default'" },
  { "vlan-missing-id", NC_ERROR_XML_ERROR, 9, "<tag>: missing required id=" },
  { "virtualport-bad-type", NC_ERROR_CONFIG_UNSUPPORTED, 8,
    "<virtualport>: unknown type 'vmware'" },
  { "virtualport-extra", NC_ERROR_XML_ERROR, 8,
    "<virtualport>: parameter profileid= is not supported with type='802.1Qbg'" },
  { "virtualport-managerid-range", NC_ERROR_XML_ERROR, 9,
    "<parameters>: managerid='256' is out of range (maximum 255)" },
  { "virtualport-bad-interfaceid", NC_ERROR_XML_ERROR, 9,
    "<parameters>: cannot parse interfaceid='xyz' as a uuid" },
  { "virtualport-profileid-quote", NC_ERROR_XML_ERROR, 9, "contains a quote" },
  { "rxfilters-bad", NC_ERROR_XML_ERROR, 8, "<rxfilters>: invalid trustGuest='maybe'" },
  { "port-isolated-bad", NC_ERROR_XML_ERROR, 8, "<port>: invalid isolated='true'" },
  { "malformed", NC_ERROR_XML_ERROR, 0, "malformed XML" },
};

static char *
read_data(const char *sub, const char *file)
{
  g_autofree char *path = g_build_filename(data_dir, sub, file, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, &error))
    g_error("%s", error->message);
  return text;
}

static void
assert_same_text(const char *what, const char *expected, const char *actual)
{
  if (strcmp(expected, actual) != 0) {
    g_autoptr(GString) diff = g_string_new(NULL);

    text_diff_append(diff, expected, actual, 12, "  ");
    g_error("%s: output differs:\n%s", what, diff->str);
  }
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
test_good(gconstpointer data)
{
  const char *file = data;
  g_autofree char *in = read_data("good", file);
  g_autofree char *stem = g_strndup(file, strlen(file) - strlen(".xml"));
  g_autofree char *out_name = g_strconcat(stem, ".out.xml", NULL);
  g_autofree char *out_path = g_build_filename(data_dir, "good", out_name, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkPortDef) def = NULL;
  g_autoptr(NcNetworkPortDef) def2 = NULL;
  g_autoptr(NcNetworkPortDef) copy = NULL;
  g_autofree char *copied = NULL;

  expected = g_file_test(out_path, G_FILE_TEST_EXISTS) ? read_data("good", out_name) : g_strdup(in);
  /* The input may use what the parser accepts beyond the schema (as libvirt's
   * parser does); the canonical output must satisfy the schema too. */
  def = nc_network_port_def_parse_string(in, file, 0, &error);
  if (!def)
    g_error("%s: %s", file, error->message);
  actual = nc_network_port_def_format(def, 0);
  assert_same_text(file, expected, actual);

  /* What we write, we read back to the same text. */
  def2 = nc_network_port_def_parse_string(actual, "(output)", parse_flags, &error);
  if (!def2)
    g_error("%s: output does not parse: %s", file, error->message);
  again = nc_network_port_def_format(def2, 0);
  assert_same_text(file, actual, again);

  copy = nc_network_port_def_copy(def);
  copied = nc_network_port_def_format(copy, 0);
  assert_same_text(file, actual, copied);
}

static void
test_bad(gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *file = g_strconcat(c->name, ".xml", NULL);
  g_autofree char *in = read_data("bad", file);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkPortDef) def = NULL;
  g_autofree char *prefix = NULL;

  /* Without schema validation: the parser's own checks are under test. */
  def = nc_network_port_def_parse_string(in, file, 0, &error);
  if (def)
    g_error("%s: accepted, expected an error containing \"%s\"", file, c->fragment);
  g_assert_true(error->domain == NC_ERROR);
  if (error->code != c->code)
    g_error("%s: error code %d (%s), expected %d: %s", file, error->code,
            nc_error_code_to_string(error->code), c->code, error->message);
  if (c->line)
    prefix = g_strdup_printf("%s:%u: ", file, c->line);
  else
    prefix = g_strdup_printf("%s:", file);
  if (!g_str_has_prefix(error->message, prefix) || !strstr(error->message, c->fragment))
    g_error("%s: message \"%s\"\n  expected prefix \"%s\" and \"%s\"", file, error->message, prefix,
            c->fragment);
  if (!c->line) {
    const char *p = error->message + strlen(prefix);

    g_assert_true(g_ascii_isdigit(*p) && atoi(p) > 0);
  }
}

/* Every file in bad/ has an entry, so a new case cannot go unchecked. */
static void
test_bad_listed(void)
{
  g_autofree char *dir_path = g_build_filename(data_dir, "bad", NULL);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull(dir);
  while ((name = g_dir_read_name(dir))) {
    gboolean listed = FALSE;

    if (!g_str_has_suffix(name, ".xml"))
      continue;
    n++;
    for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
      g_autofree char *file = g_strconcat(bad_cases[i].name, ".xml", NULL);

      listed = listed || g_str_equal(file, name);
    }
    if (!listed)
      g_error("bad/%s has no entry in bad_cases[]", name);
  }
  g_assert_cmpuint(n, ==, G_N_ELEMENTS(bad_cases));
}

static void
test_enum_tables(void)
{
  gsize n = 0;
  const NcEnumTable *tables = nc_port_enum_tables(&n);

  g_assert_cmpuint(n, ==, 2);
  for (gsize t = 0; t < n; t++) {
    for (int i = 0; i < tables[t].max; i++) {
      g_assert_nonnull(tables[t].strings[i]);
      for (int j = i + 1; j < tables[t].max; j++)
        g_assert_cmpstr(tables[t].strings[i], !=, tables[t].strings[j]);
    }
  }
  /* libvirt's spelling (virNetworkPortPlugType, virNetDevMacVLanMode). */
  g_assert_cmpstr(nc_port_plug_type_to_string(NC_PORT_PLUG_HOSTDEV_PCI), ==, "hostdev-pci");
  g_assert_cmpstr(nc_port_plug_type_to_string(NC_PORT_PLUG_NONE), ==, "none");
  g_assert_cmpstr(nc_macvlan_mode_to_string(NC_MACVLAN_MODE_VEPA), ==, "vepa");
  g_assert_cmpstr(nc_macvlan_mode_to_string(NC_MACVLAN_MODE_PASSTHROUGH), ==, "passthrough");
  g_assert_null(nc_port_plug_type_to_string(-1));
  g_assert_cmpint(nc_macvlan_mode_from_string(""), ==, -1);
  g_assert_cmpint(nc_macvlan_mode_from_string("VEPA"), ==, -1);
  for (int i = 0; i < _NC_PORT_PLUG_MAX; i++)
    g_assert_cmpint(nc_port_plug_type_from_string(nc_port_plug_type_to_string(i)), ==, i);
  for (int i = 0; i < _NC_MACVLAN_MODE_MAX; i++)
    g_assert_cmpint(nc_macvlan_mode_from_string(nc_macvlan_mode_to_string(i)), ==, i);
  g_assert_cmpint(nc_port_plug_type_from_string("tap"), ==, -1);
  g_assert_cmpint(nc_port_plug_type_from_string(NULL), ==, -1);
  g_assert_null(nc_port_plug_type_to_string(_NC_PORT_PLUG_MAX));
  g_assert_null(nc_macvlan_mode_to_string(_NC_MACVLAN_MODE_MAX));
}

/* With NC_NETWORK_PORT_PARSE_VALIDATE_SCHEMA a document the schema refuses
 * fails with XML_INVALID_SCHEMA before the parser looks at it. */
static void
test_schema_flag(void)
{
  g_autofree char *in = read_data("bad", "bad-plug-type.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkPortDef) def = NULL;

  if (!parse_flags) {
    g_test_skip("networkport.rng not found in $NETCTL_SCHEMA_DIR");
    return;
  }
  def = nc_network_port_def_parse_string(in, "bad-plug-type.xml", parse_flags, &error);
  g_assert_null(def);
  g_assert_error(error, NC_ERROR, NC_ERROR_XML_INVALID_SCHEMA);
  g_assert_true(g_str_has_prefix(error->message, "bad-plug-type.xml:"));
}

static void
test_parse_file(void)
{
  g_autofree char *path = g_build_filename(data_dir, "good", "ovs-network.xml", NULL);
  g_autofree char *missing = g_build_filename(data_dir, "no-such-file.xml", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkPortDef) def = nc_network_port_def_parse_file(path, 0, &error);
  g_autoptr(NcNetworkPortDef) none = NULL;
  char mac[18];

  g_assert_no_error(error);
  g_assert_cmpstr(def->owner_name, ==, "web & db");
  g_assert_cmpstr(def->group, ==, "trunk-ports");
  g_assert_cmpint(def->plug_type, ==, NC_PORT_PLUG_NETWORK);
  g_assert_cmpstr(def->plug_bridge.brname, ==, "ovsbr0");
  g_assert_cmpint(def->plug_bridge.mac_table_manager, ==, NC_MAC_TABLE_MANAGER_KERNEL);
  g_assert_cmpint(def->isolated, ==, NC_TRISTATE_NO);
  g_assert_cmpint(def->trust_guest_rx_filters, ==, NC_TRISTATE_NO);
  g_assert_cmpstr(def->virtualport->profileid, ==, "gold");
  g_assert_cmpuint(def->vlan->tags->len, ==, 2);
  g_assert_cmpstr(def->source_file, ==, path);
  nc_mac_format(&def->mac, mac);
  g_assert_cmpstr(mac, ==, "52:54:00:0a:0b:0c");

  none = nc_network_port_def_parse_file(missing, 0, &error);
  g_assert_null(none);
  g_assert_error(error, NC_ERROR, NC_ERROR_READ_FAILED);
}

static void
test_empty_input(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkPortDef) def = nc_network_port_def_parse_string("", NULL, 0, &error);

  g_assert_null(def);
  g_assert_error(error, NC_ERROR, NC_ERROR_XML_ERROR);
}

int
main(int argc, char **argv)
{
  const char *srcdir = g_getenv("NETCTL_SRCDIR");
  const char *schema_dir = g_getenv("NETCTL_SCHEMA_DIR");
  g_autofree char *schema = NULL;
  g_autofree char *good_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  int ret;

  g_test_init(&argc, &argv, NULL);
  data_dir = g_build_filename(srcdir ? srcdir : ".", "tests", "port", "data", NULL);
  schema = schema_dir ? g_build_filename(schema_dir, "networkport.rng", NULL) : NULL;
  if (schema && g_file_test(schema, G_FILE_TEST_EXISTS))
    parse_flags = NC_NETWORK_PORT_PARSE_VALIDATE_SCHEMA;

  good_dir = g_build_filename(data_dir, "good", NULL);
  dir = g_dir_open(good_dir, 0, NULL);
  g_assert_nonnull(dir);
  while ((name = g_dir_read_name(dir))) {
    if (g_str_has_suffix(name, ".xml") && !g_str_has_suffix(name, ".out.xml"))
      g_ptr_array_add(names, g_strdup(name));
  }
  g_ptr_array_sort(names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *path = g_strdup_printf("/port/good/%s", (char *)names->pdata[i]);

    g_test_add_data_func(path, names->pdata[i], test_good);
  }
  for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
    g_autofree char *path = g_strdup_printf("/port/bad/%s", bad_cases[i].name);

    g_test_add_data_func(path, &bad_cases[i], test_bad);
  }
  g_test_add_func("/port/bad-files-listed", test_bad_listed);
  g_test_add_func("/port/enum-tables", test_enum_tables);
  g_test_add_func("/port/schema-flag", test_schema_flag);
  g_test_add_func("/port/parse-file", test_parse_file);
  g_test_add_func("/port/empty-input", test_empty_input);

  ret = g_test_run();
  g_free(data_dir);
  return ret;
}
