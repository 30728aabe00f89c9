/* Logical switches, ports and DHCP options in OVN's NB (see ovn-nb.h).
 * Transactions are built as JSON text: every value from outside goes
 * through nc_ovsdb_json_str. */
#include "ovn-nb.h"

#include <errno.h>
#include <string.h>

#include "ovsdb-rpc.h"

#define NB_DB "OVN_Northbound"

/* ["map",[[k,v],...]] from up to three pairs (NULL values left out). */
static void
map3(GString *o, const char *k1, const char *v1, const char *k2, const char *v2, const char *k3,
     const char *v3)
{
  gboolean first = TRUE;
  g_string_append(o, "[\"map\",[");
  nc_ovsdb_json_map_pair(o, &first, k1, v1);
  nc_ovsdb_json_map_pair(o, &first, k2, v2);
  nc_ovsdb_json_map_pair(o, &first, k3, v3);
  g_string_append(o, "]]");
}

/* "where":[["external_ids","includes",{netctl-uuid: U}]] */
static void
where_mark(GString *o, const char *key, const char *value)
{
  g_string_append(o, "\"where\":[[\"external_ids\",\"includes\",");
  map3(o, key, value, NULL, NULL, NULL, NULL);
  g_string_append(o, "]]");
}

static int
transact(const char *nb, GString *ops, JsonArray **ret_result, char **ret_detail)
{
  return nc_ovsdb_transact_db(nb, NB_DB, ops->str, NC_OVN_NB_TIMEOUT_MS, ret_result, ret_detail);
}

/* Marks of the network's rows. */
static void
marks(GString *o, const NcOvnSwitch *sw)
{
  map3(o, "netctl-network", sw->network, "netctl-uuid", sw->net_uuid, NULL, NULL);
}

/* ,{insert LSP NAME type=router addresses=router options:router-port=RP} */
static void
router_lsp(GString *o, const NcOvnSwitch *sw, const char *uuid_name, const char *name,
           const char *router_port)
{
  g_string_append_printf(o,
                         ",{\"op\":\"insert\",\"table\":\"Logical_Switch_Port\","
                         "\"uuid-name\":\"%s\",\"row\":{\"name\":",
                         uuid_name);
  nc_ovsdb_json_str(o, name);
  g_string_append(o, ",\"type\":\"router\",\"addresses\":\"router\",\"options\":");
  map3(o, "router-port", router_port, NULL, NULL, NULL, NULL);
  g_string_append(o, ",\"external_ids\":");
  marks(o, sw);
  g_string_append(o, "}}");
}

static void
lrp(GString *o, const NcOvnSwitch *sw, const char *uuid_name, const char *name, const char *mac,
    const char *net, const char *net6, gboolean gateway)
{
  g_string_append_printf(o,
                         ",{\"op\":\"insert\",\"table\":\"Logical_Router_Port\","
                         "\"uuid-name\":\"%s\",\"row\":{\"name\":",
                         uuid_name);
  nc_ovsdb_json_str(o, name);
  g_string_append(o, ",\"mac\":");
  nc_ovsdb_json_str(o, mac);
  g_string_append(o, ",\"networks\":[\"set\",[");
  if (net)
    nc_ovsdb_json_str(o, net);
  if (net6) {
    if (net)
      g_string_append_c(o, ',');
    nc_ovsdb_json_str(o, net6);
    /* OVN answers router solicitations (and sends RAs) from this port */
    g_string_append(o, "]],\"ipv6_ra_configs\":[\"map\",[");
    gboolean first = TRUE;
    for (const char *const *kv = sw->ra_configs; kv && kv[0] && kv[1]; kv += 2)
      nc_ovsdb_json_map_pair(o, &first, kv[0], kv[1]);
  }
  g_string_append(o, "]]");
  if (gateway) {
    /* one Gateway_Chassis row per chassis, named gwc0, gwc1... */
    g_string_append(o, ",\"gateway_chassis\":[\"set\",[");
    for (guint i = 0; sw->chassis[i]; i++)
      g_string_append_printf(o, "%s[\"named-uuid\",\"gwc%u\"]", i ? "," : "", i);
    g_string_append(o, "]]");
  }
  g_string_append(o, ",\"external_ids\":");
  marks(o, sw);
  g_string_append(o, "}}");
}

/* The router, its ports, route, SNAT and gateway chassis, and the uplink
 * switch with its localnet port; the inner switch's router port is named
 * "lsprtr" for the switch's insert. Without an uplink (an isolated network
 * with IPv6) only the router and its inside port: OVN's RAs come from a
 * router port. */
static void
router_ops(GString *o, const NcOvnSwitch *sw, const char *name)
{
  g_autofree char *int_port = g_strconcat(name, "-int", NULL);
  g_autofree char *ext_port = g_strconcat(name, "-ext", NULL);
  g_autofree char *rtr = g_strconcat(name, "-rtr", NULL);
  g_autofree char *ext_rtr = g_strconcat(name, "-ext-rtr", NULL);
  g_autofree char *localnet = g_strconcat(name, "-uplink", NULL);
  router_lsp(o, sw, "lsprtr", rtr, int_port);
  lrp(o, sw, "lrpint", int_port, sw->int_mac, sw->int_net, sw->int_net6, FALSE);
  if (!sw->uplink) {
    g_string_append(o, ",{\"op\":\"insert\",\"table\":\"Logical_Router\",\"row\":{\"name\":");
    nc_ovsdb_json_str(o, name);
    g_string_append(o, ",\"ports\":[\"named-uuid\",\"lrpint\"],\"external_ids\":");
    marks(o, sw);
    g_string_append(o, "}}");
    return;
  }
  /* OVN's failover: the chassis alive with the highest priority is the
   * gateway; the last named gets 1, as a single one always did. */
  guint n = g_strv_length((char **)sw->chassis);
  for (guint i = 0; i < n; i++) {
    g_autofree char *gwc = g_strconcat(ext_port, "-", sw->chassis[i], NULL);
    g_string_append_printf(o,
                           ",{\"op\":\"insert\",\"table\":\"Gateway_Chassis\",\"uuid-name\":"
                           "\"gwc%u\",\"row\":{\"name\":",
                           i);
    nc_ovsdb_json_str(o, gwc);
    g_string_append(o, ",\"chassis_name\":");
    nc_ovsdb_json_str(o, sw->chassis[i]);
    g_string_append_printf(o, ",\"priority\":%u,\"external_ids\":", n - i);
    marks(o, sw);
    g_string_append(o, "}}");
  }
  lrp(o, sw, "lrpext", ext_port, sw->ext_mac, sw->ext_net, NULL, TRUE);
  if (sw->gateway) {
    g_string_append(o, ",{\"op\":\"insert\",\"table\":\"Logical_Router_Static_Route\","
                       "\"uuid-name\":\"route\",\"row\":{\"ip_prefix\":\"0.0.0.0/0\","
                       "\"nexthop\":");
    nc_ovsdb_json_str(o, sw->gateway);
    g_string_append(o, ",\"external_ids\":");
    marks(o, sw);
    g_string_append(o, "}}");
  }
  if (sw->snat_ip) {
    g_string_append(o, ",{\"op\":\"insert\",\"table\":\"NAT\",\"uuid-name\":\"nat\","
                       "\"row\":{\"type\":\"snat\",\"external_ip\":");
    nc_ovsdb_json_str(o, sw->snat_ip);
    g_string_append(o, ",\"logical_ip\":");
    nc_ovsdb_json_str(o, sw->snat_subnet);
    g_string_append(o, ",\"external_ids\":");
    marks(o, sw);
    g_string_append(o, "}}");
  }
  g_string_append(o, ",{\"op\":\"insert\",\"table\":\"Logical_Router\",\"row\":{\"name\":");
  nc_ovsdb_json_str(o, name);
  g_string_append(o, ",\"ports\":[\"set\",[[\"named-uuid\",\"lrpint\"],[\"named-uuid\","
                     "\"lrpext\"]]]");
  if (sw->gateway)
    g_string_append(o, ",\"static_routes\":[\"named-uuid\",\"route\"]");
  if (sw->snat_ip)
    g_string_append(o, ",\"nat\":[\"named-uuid\",\"nat\"]");
  g_string_append(o, ",\"external_ids\":");
  marks(o, sw);
  g_string_append(o, "}}");
  /* the uplink switch: the router's port and the localnet port */
  router_lsp(o, sw, "lspext", ext_rtr, ext_port);
  g_string_append(o, ",{\"op\":\"insert\",\"table\":\"Logical_Switch_Port\",\"uuid-name\":"
                     "\"lspnet\",\"row\":{\"name\":");
  nc_ovsdb_json_str(o, localnet);
  g_string_append(o, ",\"type\":\"localnet\",\"addresses\":\"unknown\",\"options\":");
  map3(o, "network_name", sw->uplink, NULL, NULL, NULL, NULL);
  g_string_append(o, ",\"external_ids\":");
  marks(o, sw);
  g_string_append(o, "}},{\"op\":\"insert\",\"table\":\"Logical_Switch\",\"row\":{\"name\":");
  nc_ovsdb_json_str(o, ext_port);
  g_string_append(o, ",\"ports\":[\"set\",[[\"named-uuid\",\"lspext\"],[\"named-uuid\","
                     "\"lspnet\"]]],\"external_ids\":");
  map3(o, "netctl-network", sw->network, "netctl-uplink-of", sw->net_uuid, NULL, NULL);
  g_string_append(o, "}}");
}

int
nc_ovn_nb_switch_create(const char *nb, const NcOvnSwitch *sw, char **ret_detail)
{
  g_autofree char *name = g_strconcat("netctl-", sw->network, NULL);
  g_autoptr(GString) o = g_string_new("[{\"op\":\"wait\",\"table\":\"Logical_Switch\","
                                      "\"timeout\":0,");
  where_mark(o, "netctl-uuid", sw->net_uuid);
  g_string_append(o, ",\"columns\":[\"name\"],\"until\":\"==\",\"rows\":[]}");
  /* nor a switch of that name (another network's, or anyone's) */
  g_string_append(o, ",{\"op\":\"wait\",\"table\":\"Logical_Switch\",\"timeout\":0,"
                     "\"where\":[[\"name\",\"==\",");
  nc_ovsdb_json_str(o, name);
  g_string_append(o, "]],\"columns\":[\"name\"],\"until\":\"==\",\"rows\":[]}");
  if (sw->dhcp_cidr) {
    g_string_append(o, ",{\"op\":\"insert\",\"table\":\"DHCP_Options\",\"row\":{\"cidr\":");
    nc_ovsdb_json_str(o, sw->dhcp_cidr);
    g_string_append(o, ",\"options\":[\"map\",[");
    gboolean first = TRUE;
    for (const char *const *kv = sw->dhcp_options; kv && kv[0] && kv[1]; kv += 2)
      nc_ovsdb_json_map_pair(o, &first, kv[0], kv[1]);
    g_string_append(o, "]],\"external_ids\":");
    map3(o, "netctl-network", sw->network, "netctl-uuid", sw->net_uuid, NULL, NULL);
    g_string_append(o, "}}");
  }
  if (sw->dhcp6_cidr) {
    g_string_append(o, ",{\"op\":\"insert\",\"table\":\"DHCP_Options\",\"row\":{\"cidr\":");
    nc_ovsdb_json_str(o, sw->dhcp6_cidr);
    g_string_append(o, ",\"options\":[\"map\",[");
    gboolean first = TRUE;
    for (const char *const *kv = sw->dhcp6_options; kv && kv[0] && kv[1]; kv += 2)
      nc_ovsdb_json_map_pair(o, &first, kv[0], kv[1]);
    g_string_append(o, "]],\"external_ids\":");
    marks(o, sw);
    g_string_append(o, "}}");
  }
  gboolean router = sw->uplink || sw->int_net6;
  if (router)
    router_ops(o, sw, name);
  gboolean dns = sw->dns_records && sw->dns_records[0];
  if (dns) {
    g_string_append(o, ",{\"op\":\"insert\",\"table\":\"DNS\",\"uuid-name\":\"dns\","
                       "\"row\":{\"records\":[\"map\",[");
    gboolean first = TRUE;
    for (const char *const *kv = sw->dns_records; kv[0] && kv[1]; kv += 2)
      nc_ovsdb_json_map_pair(o, &first, kv[0], kv[1]);
    g_string_append(o, "]],\"external_ids\":");
    marks(o, sw);
    g_string_append(o, "}}");
  }
  g_string_append(o, ",{\"op\":\"insert\",\"table\":\"Logical_Switch\",\"row\":{\"name\":");
  nc_ovsdb_json_str(o, name);
  if (router)
    g_string_append(o, ",\"ports\":[\"named-uuid\",\"lsprtr\"]");
  if (dns)
    g_string_append(o, ",\"dns_records\":[\"named-uuid\",\"dns\"]");
  g_string_append(o, ",\"other_config\":");
  map3(o, "subnet", sw->subnet, "exclude_ips", sw->exclude_ips, "ipv6_prefix", sw->ipv6_prefix);
  g_string_append(o, ",\"external_ids\":");
  map3(o, "netctl-network", sw->network, "netctl-uuid", sw->net_uuid, NULL, NULL);
  g_string_append(o, "}}]");
  g_autofree char *detail = NULL;
  int r = transact(nb, o, NULL, &detail);
  /* the wait's "timed out": the condition failed, not the connection */
  if (r == -ETIMEDOUT && detail)
    r = -EEXIST;
  if (r < 0 && ret_detail)
    *ret_detail = g_steal_pointer(&detail);
  return r;
}

int
nc_ovn_nb_switch_delete(const char *nb, const char *net_uuid, char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[");
  /* The router's rows (ports, gateway chassis, route, NAT) are not root
   * rows: they go with it. Ports go with their switches; deleted by mark too
   * (a port in a switch being deleted may be; a row still referenced by a
   * row that is only garbage-collected may not). */
  const char *tables[] = { "Logical_Switch", "Logical_Switch",      "Logical_Router",
                           "DHCP_Options",   "Logical_Switch_Port", "DNS" };
  for (guint i = 0; i < G_N_ELEMENTS(tables); i++) {
    g_string_append_printf(o, "%s{\"op\":\"delete\",\"table\":\"%s\",", i ? "," : "", tables[i]);
    where_mark(o, i == 1 ? "netctl-uplink-of" : "netctl-uuid", net_uuid);
    g_string_append_c(o, '}');
  }
  g_string_append_c(o, ']');
  return transact(nb, o, NULL, ret_detail);
}

int
nc_ovn_nb_switch_find(const char *nb, const char *net_uuid, char **ret_switch, char **ret_dhcp,
                      char **ret_detail)
{
  return nc_ovn_nb_switch_find2(nb, net_uuid, ret_switch, ret_dhcp, NULL, ret_detail);
}

int
nc_ovn_nb_switch_find2(const char *nb, const char *net_uuid, char **ret_switch, char **ret_dhcp,
                       char **ret_dhcp6, char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[");
  const char *tables[] = { "Logical_Switch", "DHCP_Options" };
  for (guint i = 0; i < G_N_ELEMENTS(tables); i++) {
    g_string_append_printf(o,
                           "%s{\"op\":\"select\",\"table\":\"%s\",\"columns\":[\"_uuid\","
                           "\"%s\"],",
                           i ? "," : "", tables[i], i ? "cidr" : "name");
    where_mark(o, "netctl-uuid", net_uuid);
    g_string_append_c(o, '}');
  }
  g_string_append_c(o, ']');
  g_autoptr(JsonArray) result = NULL;
  int r = transact(nb, o, &result, ret_detail);
  if (r < 0)
    return r;
  /* the switch, its DHCPv4 and its DHCPv6 options (an IPv6 cidr) */
  const char *uuids[3] = { NULL, NULL, NULL };
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  if (rows && json_array_get_length(rows) > 0)
    uuids[0] = nc_ovsdb_row_uuid(json_array_get_object_element(rows, 0), "_uuid");
  rows = nc_ovsdb_result_rows(result, 1);
  for (guint i = 0; rows && i < json_array_get_length(rows); i++) {
    JsonObject *row = json_array_get_object_element(rows, i);
    guint k = strchr(nc_ovsdb_row_string(row, "cidr"), ':') ? 2 : 1;
    if (!uuids[k])
      uuids[k] = nc_ovsdb_row_uuid(row, "_uuid");
  }
  if (!uuids[0])
    return -ENOENT;
  if (ret_switch)
    *ret_switch = g_strdup(uuids[0]);
  if (ret_dhcp)
    *ret_dhcp = g_strdup(uuids[1]);
  if (ret_dhcp6)
    *ret_dhcp6 = g_strdup(uuids[2]);
  return 0;
}

int
nc_ovn_nb_port_add(const char *nb, const NcOvnPort *p, char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[{\"op\":\"insert\",\"table\":\"Logical_Switch_Port\","
                                      "\"uuid-name\":\"lsp\",\"row\":{\"name\":");
  nc_ovsdb_json_str(o, p->port_uuid);
  g_string_append(o, ",\"addresses\":");
  nc_ovsdb_json_str(o, p->addresses);
  g_string_append(o, ",\"port_security\":");
  nc_ovsdb_json_str(o, p->port_security);
  if (p->dhcp) {
    g_string_append(o, ",\"dhcpv4_options\":[\"uuid\",");
    nc_ovsdb_json_str(o, p->dhcp);
    g_string_append(o, "]");
  }
  if (p->dhcp6) {
    g_string_append(o, ",\"dhcpv6_options\":[\"uuid\",");
    nc_ovsdb_json_str(o, p->dhcp6);
    g_string_append(o, "]");
  }
  g_string_append(o, ",\"options\":");
  map3(o, "requested-chassis", p->chassis, NULL, NULL, NULL, NULL);
  g_string_append(o, ",\"external_ids\":");
  map3(o, "netctl-uuid", p->net_uuid, "netctl-port", p->port_uuid, NULL, NULL);
  g_string_append(o, "}},{\"op\":\"mutate\",\"table\":\"Logical_Switch\",");
  where_mark(o, "netctl-uuid", p->net_uuid);
  g_string_append(o,
                  ",\"mutations\":[[\"ports\",\"insert\",[\"set\",[[\"named-uuid\",\"lsp\"]]]]]}]");
  g_autoptr(JsonArray) result = NULL;
  int r = transact(nb, o, &result, ret_detail);
  if (r < 0)
    return r;
  /* no switch: the mutate matched nothing (and the unreferenced port was
   * garbage-collected with the commit) */
  JsonNode *n = json_array_get_length(result) > 1 ? json_array_get_element(result, 1) : NULL;
  if (!n || !JSON_NODE_HOLDS_OBJECT(n)
      || json_object_get_int_member_with_default(json_node_get_object(n), "count", 0) < 1)
    return -ENOENT;
  return 0;
}

int
nc_ovn_nb_port_del(const char *nb, const char *net_uuid, const char *port_uuid, const char *chassis,
                   char **ret_detail)
{
  /* removing the reference deletes the (non-root) port row. Found by its
   * name (indexed), ours when it carries the mark. */
  g_autoptr(GString) o = g_string_new("[{\"op\":\"select\",\"table\":\"Logical_Switch_Port\","
                                      "\"columns\":[\"_uuid\"],\"where\":[[\"name\",\"==\",");
  nc_ovsdb_json_str(o, port_uuid);
  g_string_append(o, "],[\"external_ids\",\"includes\",");
  map3(o, "netctl-port", port_uuid, NULL, NULL, NULL, NULL);
  if (chassis) {
    g_string_append(o, "],[\"options\",\"includes\",");
    map3(o, "requested-chassis", chassis, NULL, NULL, NULL, NULL);
  }
  g_string_append(o, "]]}]");
  g_autoptr(JsonArray) result = NULL;
  int r = transact(nb, o, &result, ret_detail);
  if (r < 0)
    return r;
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  const char *row = rows && json_array_get_length(rows) > 0
                        ? nc_ovsdb_row_uuid(json_array_get_object_element(rows, 0), "_uuid")
                        : NULL;
  if (!row)
    return 0;
  g_autoptr(GString) m = g_string_new("[{\"op\":\"mutate\",\"table\":\"Logical_Switch\",");
  where_mark(m, "netctl-uuid", net_uuid);
  g_string_append(m, ",\"mutations\":[[\"ports\",\"delete\",[\"set\",[[\"uuid\",");
  nc_ovsdb_json_str(m, row);
  g_string_append(m, "]]]]]}]");
  return transact(nb, m, NULL, ret_detail);
}

/* "MAC IP..." when s is one (a MAC, then an IPv4 or IPv6 address). */
static gboolean
mac_ip(const char *s)
{
  const char *sp = s ? strchr(s, ' ') : NULL;
  return sp && sp - s == 17 && (strchr(sp + 1, '.') != NULL || strchr(sp + 1, ':') != NULL);
}

int
nc_ovn_nb_port_addresses(const char *nb, const char *net_uuid, GPtrArray **ret_addresses,
                         char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[{\"op\":\"select\",\"table\":\"Logical_Switch_Port\","
                                      "\"columns\":[\"addresses\",\"dynamic_addresses\"],");
  where_mark(o, "netctl-uuid", net_uuid);
  g_string_append(o, "}]");
  g_autoptr(JsonArray) result = NULL;
  int r = transact(nb, o, &result, ret_detail);
  if (r < 0)
    return r;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  for (guint i = 0; rows && i < json_array_get_length(rows); i++) {
    JsonObject *row = json_array_get_object_element(rows, i);
    const char *dyn = nc_ovsdb_row_string(row, "dynamic_addresses");
    const char *fixed = nc_ovsdb_row_string(row, "addresses"); /* one address: a string */
    if (mac_ip(dyn))
      g_ptr_array_add(out, g_strdup(dyn));
    else if (mac_ip(fixed) && !strstr(fixed, "dynamic"))
      g_ptr_array_add(out, g_strdup(fixed));
  }
  *ret_addresses = g_steal_pointer(&out);
  return 0;
}

/* The network's logical port named port_uuid (carrying netctl's marks), its
 * columns (a JSON list) read: *ret_row points into *ret_result; -ENOENT when
 * there is none. */
static int
select_port(const char *nb, const char *net_uuid, const char *port_uuid, const char *columns,
            JsonArray **ret_result, JsonObject **ret_row, char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[{\"op\":\"select\",\"table\":\"Logical_Switch_Port\","
                                      "\"columns\":");
  g_string_append_printf(o, "%s,\"where\":[[\"name\",\"==\",", columns);
  nc_ovsdb_json_str(o, port_uuid);
  g_string_append(o, "],[\"external_ids\",\"includes\",");
  map3(o, "netctl-uuid", net_uuid, "netctl-port", port_uuid, NULL, NULL);
  g_string_append(o, "]]}]");
  int r = transact(nb, o, ret_result, ret_detail);
  if (r < 0)
    return r;
  JsonArray *rows = nc_ovsdb_result_rows(*ret_result, 0);
  if (!rows || json_array_get_length(rows) == 0)
    return -ENOENT;
  *ret_row = json_array_get_object_element(rows, 0);
  return 0;
}

int
nc_ovn_nb_port_claim(const char *nb, const char *net_uuid, const char *port_uuid, const char *mac,
                     const char *chassis, char **ret_detail)
{
  g_autoptr(JsonArray) result = NULL;
  JsonObject *row = NULL;
  int r = select_port(nb, net_uuid, port_uuid, "[\"_uuid\",\"addresses\"]", &result, &row,
                      ret_detail);
  if (r < 0)
    return r;
  const char *addresses = nc_ovsdb_row_string(row, "addresses");
  if (g_ascii_strncasecmp(addresses, mac, strlen(mac)) != 0)
    return -ENOENT;
  g_autoptr(GString) m = g_string_new("[{\"op\":\"mutate\",\"table\":\"Logical_Switch_Port\","
                                      "\"where\":[[\"_uuid\",\"==\",[\"uuid\",");
  nc_ovsdb_json_str(m, nc_ovsdb_row_uuid(row, "_uuid"));
  g_string_append(m,
                  "]]],\"mutations\":[[\"options\",\"delete\",[\"set\",[\"requested-chassis\"]]],"
                  "[\"options\",\"insert\",");
  map3(m, "requested-chassis", chassis, NULL, NULL, NULL, NULL);
  g_string_append(m, "]]}]");
  return transact(nb, m, NULL, ret_detail);
}

int
nc_ovn_nb_port_find(const char *nb, const char *net_uuid, const char *port_uuid, char **ret_chassis,
                    char **ret_detail)
{
  g_autoptr(JsonArray) result = NULL;
  JsonObject *row = NULL;
  int r = select_port(nb, net_uuid, port_uuid, "[\"options\"]", &result, &row, ret_detail);
  if (r < 0)
    return r;
  const char *chassis = nc_ovsdb_row_map_get(row, "options", "requested-chassis");
  if (ret_chassis)
    *ret_chassis = chassis && chassis[0] ? g_strdup(chassis) : NULL;
  return 0;
}

int
nc_ovn_nb_port_list(const char *nb, const char *net_uuid, GHashTable **ret_ports, char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[{\"op\":\"select\",\"table\":\"Logical_Switch_Port\","
                                      "\"columns\":[\"external_ids\",\"options\"],");
  where_mark(o, "netctl-uuid", net_uuid);
  g_string_append(o, "}]");
  g_autoptr(JsonArray) result = NULL;
  int r = transact(nb, o, &result, ret_detail);
  if (r < 0)
    return r;
  GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  for (guint i = 0; rows && i < json_array_get_length(rows); i++) {
    JsonObject *row = json_array_get_object_element(rows, i);
    /* a guest's port: the router and localnet ports carry no netctl-port */
    const char *port = nc_ovsdb_row_map_get(row, "external_ids", "netctl-port");
    const char *chassis = nc_ovsdb_row_map_get(row, "options", "requested-chassis");
    if (port && port[0])
      g_hash_table_insert(out, g_strdup(port), g_strdup(chassis ? chassis : ""));
  }
  *ret_ports = out;
  return 0;
}
