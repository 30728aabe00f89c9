/* Bridges and ports in OVSDB (see ovsdb.h). Transactions are built as JSON
 * text: every value from outside goes through nc_ovsdb_json_str. */
#include "ovsdb.h"

#include <errno.h>

#include "ovsdb-rpc.h"

char *
nc_ovsdb_default_socket(void)
{
  const char *rundir = g_getenv("OVS_RUNDIR");
  return g_build_filename(rundir && rundir[0] ? rundir : "/var/run/openvswitch", "db.sock", NULL);
}

/* ,["name","==",VALUE] style where clause on one string column. */
static void
where_eq(GString *o, const char *column, const char *value)
{
  g_string_append_printf(o, "\"where\":[[\"%s\",\"==\",", column);
  nc_ovsdb_json_str(o, value);
  g_string_append(o, "]]");
}

/* The pairs that mark a row as netctl's (its network and port). */
static void
mark_pairs(GString *o, gboolean *first, const NcOvsPort *p)
{
  nc_ovsdb_json_map_pair(o, first, "netctl-network", p->network);
  nc_ovsdb_json_map_pair(o, first, "netctl-port", p->port_uuid);
}

static void
mark_map(GString *o, const NcOvsPort *p)
{
  gboolean first = TRUE;
  g_string_append(o, "[\"map\",[");
  mark_pairs(o, &first, p);
  g_string_append(o, "]]");
}

static void
iface_ids(GString *o, const NcOvsPort *p)
{
  gboolean first = TRUE;
  g_string_append(o, "[\"map\",[");
  nc_ovsdb_json_map_pair(o, &first, "attached-mac", p->attached_mac);
  nc_ovsdb_json_map_pair(o, &first, "iface-id", p->iface_id);
  nc_ovsdb_json_map_pair(o, &first, "iface-status", "active");
  nc_ovsdb_json_map_pair(o, &first, "vm-id", p->vm_id);
  mark_pairs(o, &first, p);
  g_string_append(o, "]]");
}

static void
port_ids(GString *o, const NcOvsPort *p)
{
  gboolean first = TRUE;
  g_string_append(o, "[\"map\",[");
  mark_pairs(o, &first, p);
  nc_ovsdb_json_map_pair(o, &first, "netctl-portgroup", p->portgroup);
  nc_ovsdb_json_map_pair(o, &first, "port-profile", p->profileid);
  g_string_append(o, "]]");
}

/* Deletes the QoS and Queue rows marked as the port's (root rows: nothing
 * collects them). */
static void
delete_marked_qos(GString *o, const NcOvsPort *p)
{
  for (int t = 0; t < 2; t++) {
    g_string_append_printf(o, ",{\"op\":\"delete\",\"table\":\"%s\",", t ? "Queue" : "QoS");
    g_string_append(o, "\"where\":[[\"external_ids\",\"includes\",");
    mark_map(o, p);
    g_string_append(o, "]]}");
  }
}

/* Selects COLUMNS (a JSON array's members) of the row of TABLE named NAME;
 * *ret_row is NULL when there is none. ret_res keeps the row alive. */
static int
select_named(const char *socket, const char *table, const char *name, const char *columns,
             JsonArray **ret_res, JsonObject **ret_row, char **ret_detail)
{
  g_autoptr(GString) q = g_string_new(NULL);
  g_string_append_printf(q, "[{\"op\":\"select\",\"table\":\"%s\",", table);
  where_eq(q, "name", name);
  g_string_append_printf(q, ",\"columns\":[%s]}]", columns);
  g_autoptr(JsonArray) res = NULL;
  int r = nc_ovsdb_transact(socket, q->str, NC_OVSDB_TIMEOUT_MS, &res, ret_detail);
  if (r < 0)
    return r;
  JsonArray *rows = nc_ovsdb_result_rows(res, 0);
  *ret_row
      = rows && json_array_get_length(rows) > 0 ? json_array_get_object_element(rows, 0) : NULL;
  *ret_res = g_steal_pointer(&res);
  return 0;
}

/* The Port's VLAN columns, QoS reference (named-uuid "qos" or none) and
 * external_ids, as a row's members. */
static void
port_columns(GString *o, const NcOvsPort *p)
{
  if (p->tag)
    g_string_append_printf(o, "\"tag\":%u,", p->tag);
  else
    g_string_append(o, "\"tag\":[\"set\",[]],");
  g_string_append(o, "\"trunks\":[\"set\",[");
  for (guint i = 0; i < p->n_trunks; i++)
    g_string_append_printf(o, "%s%u", i ? "," : "", p->trunks[i]);
  g_string_append(o, "]],\"vlan_mode\":");
  if (p->vlan_mode)
    nc_ovsdb_json_str(o, p->vlan_mode);
  else
    g_string_append(o, "[\"set\",[]]");
  g_string_append(o, ",\"qos\":");
  g_string_append(o, p->in_max_rate ? "[\"named-uuid\",\"qos\"]" : "[\"set\",[]]");
  g_string_append(o, ",\"external_ids\":");
  port_ids(o, p);
}

/* Deletes the QoS and Queue rows marked as the port's, then inserts new ones
 * (named "qos") when the port has an inbound limit. linux-htb: the only QoS
 * type that shapes here (no tc police; see ovs.c). */
static void
qos_ops(GString *o, const NcOvsPort *p)
{
  delete_marked_qos(o, p);
  if (!p->in_max_rate)
    return;
  g_autofree char *rate = g_strdup_printf("%" G_GUINT64_FORMAT, p->in_max_rate);
  g_autofree char *burst = p->in_burst ? g_strdup_printf("%" G_GUINT64_FORMAT, p->in_burst) : NULL;
  gboolean first = TRUE;
  g_string_append(o, ",{\"op\":\"insert\",\"table\":\"Queue\",\"uuid-name\":\"queue\",\"row\":{"
                     "\"other_config\":[\"map\",[");
  nc_ovsdb_json_map_pair(o, &first, "burst", burst);
  nc_ovsdb_json_map_pair(o, &first, "max-rate", rate);
  g_string_append(o, "]],\"external_ids\":");
  mark_map(o, p);
  g_string_append(o, "}},{\"op\":\"insert\",\"table\":\"QoS\",\"uuid-name\":\"qos\",\"row\":{"
                     "\"type\":\"linux-htb\",\"other_config\":[\"map\",[");
  first = TRUE;
  nc_ovsdb_json_map_pair(o, &first, "max-rate", rate);
  g_string_append(o, "]],\"queues\":[\"map\",[[0,[\"named-uuid\",\"queue\"]]]],\"external_ids\":");
  mark_map(o, p);
  g_string_append(o, "}}");
}

/* The operations removing Port row `uuid` and the QoS rows marked as
 * mark's, as a JSON array. Port and Interface rows go with the bridge's
 * reference (they are not root rows); QoS and Queue rows are, so they are
 * deleted by their mark. The Port's QoS reference goes first: OVSDB checks
 * references before it collects the unreferenced Port. */
static void
del_ops(GString *o, const char *uuid, const NcOvsPort *mark)
{
  g_string_append(o, "[{\"op\":\"update\",\"table\":\"Port\",");
  g_string_append(o, "\"where\":[[\"_uuid\",\"==\",[\"uuid\",");
  nc_ovsdb_json_str(o, uuid);
  g_string_append(o,
                  "]]],\"row\":{\"qos\":[\"set\",[]]}},{\"op\":\"mutate\",\"table\":\"Bridge\",");
  g_string_append(o, "\"where\":[[\"ports\",\"includes\",[\"uuid\",");
  nc_ovsdb_json_str(o, uuid);
  g_string_append(o, "]]],\"mutations\":[[\"ports\",\"delete\",[\"uuid\",");
  nc_ovsdb_json_str(o, uuid);
  g_string_append(o, "]]]}");
  delete_marked_qos(o, mark);
  g_string_append_c(o, ']');
}

/* The transaction inserting the port; *ret_port_op: the index of the Port
 * insert in its result (whose "uuid" is the Port's _uuid). */
static char *
insert_ops(const NcOvsPort *p, guint *ret_port_op)
{
  g_autoptr(GString) o = g_string_new("[");
  /* Fails the whole transaction when the bridge is not there (a port
   * inserted without a bridge would vanish, its QoS rows would not). */
  g_string_append(o, "{\"op\":\"wait\",\"timeout\":0,\"table\":\"Bridge\",");
  where_eq(o, "name", p->bridge);
  g_string_append(o, ",\"columns\":[\"name\"],\"until\":\"==\",\"rows\":[{\"name\":");
  nc_ovsdb_json_str(o, p->bridge);
  g_string_append(o, "}]}");
  qos_ops(o, p);
  g_string_append(o, ",{\"op\":\"insert\",\"table\":\"Interface\",\"uuid-name\":\"iface\","
                     "\"row\":{\"name\":");
  nc_ovsdb_json_str(o, p->name);
  g_string_append(o, ",\"external_ids\":");
  iface_ids(o, p);
  g_string_append(o, "}},{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"port\","
                     "\"row\":{\"name\":");
  nc_ovsdb_json_str(o, p->name);
  g_string_append(o, ",\"interfaces\":[\"named-uuid\",\"iface\"],");
  port_columns(o, p);
  g_string_append(o, "}},{\"op\":\"mutate\",\"table\":\"Bridge\",");
  where_eq(o, "name", p->bridge);
  g_string_append(
      o, ",\"mutations\":[[\"ports\",\"insert\",[\"set\",[[\"named-uuid\",\"port\"]]]]]}]");
  /* wait, 2 QoS deletes, [Queue, QoS inserts], Interface, Port */
  *ret_port_op = 3 + (p->in_max_rate ? 2 : 0) + 1;
  return g_string_free(g_steal_pointer(&o), FALSE);
}

/* A port of that name exists: ours on this bridge is brought up to date. */
static int
update_port(const char *socket, const NcOvsPort *p, char **ret_uuid, char **ret_detail)
{
  g_autoptr(GString) q = g_string_new("[{\"op\":\"select\",\"table\":\"Port\",");
  where_eq(q, "name", p->name);
  g_string_append(q, ",\"columns\":[\"_uuid\",\"external_ids\"]},"
                     "{\"op\":\"select\",\"table\":\"Bridge\",");
  where_eq(q, "name", p->bridge);
  g_string_append(q, ",\"columns\":[\"ports\"]}]");
  g_autoptr(JsonArray) res = NULL;
  int r = nc_ovsdb_transact(socket, q->str, NC_OVSDB_TIMEOUT_MS, &res, ret_detail);
  if (r < 0)
    return r;
  JsonArray *ports = nc_ovsdb_result_rows(res, 0);
  JsonArray *bridges = nc_ovsdb_result_rows(res, 1);
  if (!ports || json_array_get_length(ports) == 0)
    return -EAGAIN; /* gone in between: insert again */
  if (!bridges || json_array_get_length(bridges) == 0)
    return -ENODEV;
  JsonObject *row = json_array_get_object_element(ports, 0);
  const char *uuid = nc_ovsdb_row_uuid(row, "_uuid");
  if (g_strcmp0(nc_ovsdb_row_map_get(row, "external_ids", "netctl-port"), p->port_uuid) != 0
      || !uuid
      || !nc_ovsdb_row_set_has_uuid(json_array_get_object_element(bridges, 0), "ports", uuid))
    return -EEXIST;

  g_autoptr(GString) o = g_string_new("[{\"op\":\"update\",\"table\":\"Port\",");
  where_eq(o, "name", p->name);
  /* No QoS reference while its old rows are deleted below. */
  g_string_append(o, ",\"row\":{\"qos\":[\"set\",[]]}}");
  qos_ops(o, p);
  g_string_append(o, ",{\"op\":\"update\",\"table\":\"Port\",");
  where_eq(o, "name", p->name);
  g_string_append(o, ",\"row\":{");
  port_columns(o, p);
  g_string_append(o, "}},{\"op\":\"update\",\"table\":\"Interface\",");
  where_eq(o, "name", p->name);
  g_string_append(o, ",\"row\":{\"external_ids\":");
  iface_ids(o, p);
  g_string_append(o, "}}]");
  r = nc_ovsdb_transact(socket, o->str, NC_OVSDB_TIMEOUT_MS, NULL, ret_detail);
  if (r == 0)
    *ret_uuid = g_strdup(uuid);
  return r;
}

/* Where the Interface is `name` and, with port_uuid, marked as that port's
 * (a wait sent with an insert that failed, the name being someone else's,
 * then matches nothing and answers at once). */
static void
where_iface(GString *o, const char *name, const char *port_uuid)
{
  where_eq(o, "name", name);
  if (!port_uuid)
    return;
  NcOvsPort mark = { .port_uuid = port_uuid };
  g_string_truncate(o, o->len - 1); /* the where's closing bracket */
  g_string_append(o, ",[\"external_ids\",\"includes\",");
  mark_map(o, &mark);
  g_string_append(o, "]]");
}

/* The transaction waiting (up to timeout_ms) until vswitchd has tried to
 * open the interface (its ofport is set: a number, or -1 on failure), then
 * reading its error and ofport. */
static char *
wait_ops(const char *name, const char *port_uuid, int timeout_ms)
{
  g_autoptr(GString) o = g_string_new(NULL);
  g_string_append_printf(o, "[{\"op\":\"wait\",\"timeout\":%d,\"table\":\"Interface\",",
                         timeout_ms);
  where_iface(o, name, port_uuid);
  g_string_append(
      o, ",\"columns\":[\"ofport\"],\"until\":\"!=\",\"rows\":[{\"ofport\":[\"set\",[]]}]},"
         "{\"op\":\"select\",\"table\":\"Interface\",");
  where_iface(o, name, port_uuid);
  g_string_append(o, ",\"columns\":[\"error\",\"ofport\"]}]");
  return g_string_free(g_steal_pointer(&o), FALSE);
}

/* The outcome of wait_ops: -EIO with the interface's `error` column as the
 * detail when vswitchd failed to open it, -ETIMEDOUT with TIMEOUT_DETAIL
 * when it did not try; *ret_ofport (may be NULL) its OpenFlow port. */
static int
wait_outcome(int r, JsonArray *res, const char *timeout_detail, int *ret_ofport, char **ret_detail)
{
  if (r == -ETIMEDOUT && ret_detail) {
    g_free(*ret_detail);
    *ret_detail = g_strdup(timeout_detail);
  }
  if (r < 0)
    return r;
  JsonArray *rows = nc_ovsdb_result_rows(res, 1);
  if (!rows || json_array_get_length(rows) == 0)
    return 0;
  JsonObject *row = json_array_get_object_element(rows, 0);
  const char *err = nc_ovsdb_row_string(row, "error");
  if (err[0]) {
    if (ret_detail) {
      g_free(*ret_detail);
      *ret_detail = g_strdup(err);
    }
    return -EIO;
  }
  JsonNode *n = json_object_get_member(row, "ofport");
  if (ret_ofport && n && json_node_get_value_type(n) == G_TYPE_INT64)
    *ret_ofport = (int)json_node_get_int(n);
  return 0;
}

static int
wait_interface(const char *socket, const char *name, const char *port_uuid, int timeout_ms,
               const char *timeout_detail, int *ret_ofport, char **ret_detail)
{
  g_autofree char *ops = wait_ops(name, port_uuid, timeout_ms);
  g_autoptr(JsonArray) res = NULL;
  int r = nc_ovsdb_transact(socket, ops, NC_OVSDB_TIMEOUT_MS, &res, ret_detail);
  return wait_outcome(r, res, timeout_detail, ret_ofport, ret_detail);
}

#define PORT_WAIT_MS (NC_OVSDB_TIMEOUT_MS - 1000)
#define PORT_WAIT_DETAIL "ovs-vswitchd did not take the port up in time (is it running?)"

/* The insert and the wait for vswitchd sent together: one round trip. A
 * wait after an insert that failed matches no interface of this port's
 * unless it is already there (then it is brought up to date and waited for
 * anyway), so it never holds a refused add. Returns the insert's outcome (-EEXIST: the name is
 * taken) or the wait's. *ret_fresh: the port was inserted. */
static int
insert_and_wait(const char *socket, const NcOvsPort *p, gboolean *ret_fresh, char **ret_uuid,
                int *ret_ofport, char **ret_detail)
{
  guint port_op;
  g_autofree char *ins = insert_ops(p, &port_op);
  g_autofree char *wait = wait_ops(p->name, p->port_uuid, PORT_WAIT_MS);
  NcOvsdbRequest reqs[2] = { { .ops = ins }, { .ops = wait } };
  int r = nc_ovsdb_transact_many(socket, reqs, 2, NC_OVSDB_TIMEOUT_MS);
  *ret_fresh = r == 0 && reqs[0].r == 0;
  if (r == 0 && reqs[0].r < 0) {
    r = reqs[0].r;
    if (ret_detail)
      *ret_detail = g_steal_pointer(&reqs[0].detail);
  } else if (r == 0) {
    JsonNode *n = port_op < json_array_get_length(reqs[0].result)
                      ? json_array_get_element(reqs[0].result, port_op)
                      : NULL;
    const char *uuid = n && JSON_NODE_HOLDS_OBJECT(n)
                           ? nc_ovsdb_row_uuid(json_node_get_object(n), "uuid")
                           : NULL;
    *ret_uuid = g_strdup(uuid);
    if (ret_detail && reqs[1].detail)
      *ret_detail = g_steal_pointer(&reqs[1].detail);
    r = wait_outcome(reqs[1].r, reqs[1].result, PORT_WAIT_DETAIL, ret_ofport, ret_detail);
  }
  nc_ovsdb_request_clear(&reqs[0]);
  nc_ovsdb_request_clear(&reqs[1]);
  return r;
}

int
nc_ovsdb_port_add_full(const char *socket, const NcOvsPort *port, char **ret_ovs_uuid,
                       int *ret_ofport, char **ret_detail)
{
  gboolean fresh = FALSE;
  g_autofree char *uuid = NULL;
  int ofport = -1;
  int r = insert_and_wait(socket, port, &fresh, &uuid, &ofport, ret_detail);
  gboolean waited = r != -EEXIST;
  for (int tries = 0; r == -EEXIST && tries < 3; tries++) {
    if (ret_detail)
      g_clear_pointer(ret_detail, g_free);
    g_clear_pointer(&uuid, g_free);
    r = update_port(socket, port, &uuid, ret_detail);
    if (r == -EAGAIN) {
      r = insert_and_wait(socket, port, &fresh, &uuid, &ofport, ret_detail);
      waited = r != -EEXIST;
    }
  }
  if (r == -EAGAIN)
    r = -EBUSY;
  if (r == 0 && !waited)
    r = wait_interface(socket, port->name, port->port_uuid, PORT_WAIT_MS, PORT_WAIT_DETAIL, &ofport,
                       ret_detail);
  if (r < 0) {
    if (fresh)
      nc_ovsdb_port_del_uuid(socket, port->name, port->port_uuid, uuid, NULL);
    return r;
  }
  if (ret_ovs_uuid)
    *ret_ovs_uuid = g_steal_pointer(&uuid);
  if (ret_ofport)
    *ret_ofport = ofport;
  return 0;
}

int
nc_ovsdb_port_add(const char *socket, const NcOvsPort *port, char **ret_detail)
{
  return nc_ovsdb_port_add_full(socket, port, NULL, NULL, ret_detail);
}

/* Deletes the Port row `uuid` (marked as port_uuid's) with its QoS rows in
 * one transaction. -ESTALE when that row is gone or not ours (the
 * transaction's first step fails, nothing changes). */
static int
del_by_uuid(const char *socket, const char *uuid, const char *port_uuid, char **ret_detail)
{
  NcOvsPort mark = { .port_uuid = port_uuid };
  g_autoptr(GString) o = g_string_new("[{\"op\":\"wait\",\"timeout\":0,\"table\":\"Port\","
                                      "\"where\":[[\"_uuid\",\"==\",[\"uuid\",");
  nc_ovsdb_json_str(o, uuid);
  g_string_append(o, "]],[\"external_ids\",\"includes\",");
  mark_map(o, &mark);
  g_string_append(o, "]],\"columns\":[\"_uuid\"],\"until\":\"==\",\"rows\":[{\"_uuid\":[\"uuid\",");
  nc_ovsdb_json_str(o, uuid);
  g_string_append(o, "]}]}");
  /* the ops of del_ops after the opening bracket */
  g_autoptr(GString) rest = g_string_new(NULL);
  del_ops(rest, uuid, &mark);
  g_string_append_c(o, ',');
  g_string_append_len(o, rest->str + 1, (gssize)rest->len - 1);
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_transact(socket, o->str, NC_OVSDB_TIMEOUT_MS, NULL, &detail);
  if (r == -ETIMEDOUT && detail && g_str_has_prefix(detail, "timed out"))
    return -ESTALE; /* the wait above: not that row, or not ours */
  if (ret_detail)
    *ret_detail = g_steal_pointer(&detail);
  return r;
}

int
nc_ovsdb_port_del_uuid(const char *socket, const char *name, const char *port_uuid,
                       const char *ovs_uuid, char **ret_detail)
{
  if (ovs_uuid) {
    int r = del_by_uuid(socket, ovs_uuid, port_uuid, ret_detail);
    if (r != -ESTALE)
      return r;
  }
  return nc_ovsdb_port_del(socket, name, port_uuid, ret_detail);
}

int
nc_ovsdb_port_del(const char *socket, const char *name, const char *port_uuid, char **ret_detail)
{
  g_autoptr(JsonArray) res = NULL;
  JsonObject *row;
  int r = select_named(socket, "Port", name, "\"_uuid\",\"external_ids\"", &res, &row, ret_detail);
  if (r < 0 || row == NULL)
    return r;
  const char *uuid = nc_ovsdb_row_uuid(row, "_uuid");
  const char *network = nc_ovsdb_row_map_get(row, "external_ids", "netctl-network");
  if (!uuid || g_strcmp0(nc_ovsdb_row_map_get(row, "external_ids", "netctl-port"), port_uuid) != 0)
    return 0; /* not ours */
  NcOvsPort mark = { .network = network, .port_uuid = port_uuid };
  g_autoptr(GString) o = g_string_new(NULL);
  del_ops(o, uuid, &mark);
  return nc_ovsdb_transact(socket, o->str, NC_OVSDB_TIMEOUT_MS, NULL, ret_detail);
}

int
nc_ovsdb_interface_ofport(const char *socket, const char *name, int *ret_ofport)
{
  g_autoptr(JsonArray) res = NULL;
  JsonObject *row;
  int r = select_named(socket, "Interface", name, "\"ofport\"", &res, &row, NULL);
  if (r < 0)
    return r;
  if (row == NULL)
    return -ENODEV;
  JsonNode *n = json_object_get_member(row, "ofport");
  if (!n || json_node_get_value_type(n) != G_TYPE_INT64)
    return -ENODEV; /* ["set", []]: not opened yet */
  *ret_ofport = (int)json_node_get_int(n);
  return 0;
}

int
nc_ovsdb_list_ports(const char *socket, const char *bridge, const char *network,
                    GHashTable **ret_ports, char **ret_detail)
{
  g_autoptr(GString) q = g_string_new("[{\"op\":\"select\",\"table\":\"Port\","
                                      "\"where\":[[\"external_ids\",\"includes\",");
  NcOvsPort mark = { .network = network };
  mark_map(q, &mark);
  g_string_append(q, "]],\"columns\":[\"_uuid\",\"name\",\"external_ids\"]},"
                     "{\"op\":\"select\",\"table\":\"Bridge\",");
  where_eq(q, "name", bridge);
  g_string_append(q, ",\"columns\":[\"ports\"]}]");
  g_autoptr(JsonArray) res = NULL;
  int r = nc_ovsdb_transact(socket, q->str, NC_OVSDB_TIMEOUT_MS, &res, ret_detail);
  if (r < 0)
    return r;
  JsonArray *ports = nc_ovsdb_result_rows(res, 0);
  JsonArray *bridges = nc_ovsdb_result_rows(res, 1);
  if (!bridges || json_array_get_length(bridges) == 0)
    return -ENODEV;
  JsonObject *br = json_array_get_object_element(bridges, 0);
  GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; ports && i < json_array_get_length(ports); i++) {
    JsonObject *row = json_array_get_object_element(ports, i);
    const char *uuid = nc_ovsdb_row_uuid(row, "_uuid");
    const char *mark_uuid = nc_ovsdb_row_map_get(row, "external_ids", "netctl-port");
    if (uuid && mark_uuid && nc_ovsdb_row_set_has_uuid(br, "ports", uuid))
      g_hash_table_insert(out, g_strdup(nc_ovsdb_row_string(row, "name")), g_strdup(mark_uuid));
  }
  *ret_ports = out;
  return 0;
}

int
nc_ovsdb_bridge_check(const char *socket, const char *bridge, char **ret_detail)
{
  g_autoptr(JsonArray) res = NULL;
  JsonObject *row;
  int r = select_named(socket, "Bridge", bridge, "\"name\",\"datapath_type\"", &res, &row,
                       ret_detail);
  if (r < 0)
    return r;
  if (row == NULL)
    return -ENODEV;
  g_autofree char *type = g_strdup(nc_ovsdb_row_string(row, "datapath_type"));
  /* vswitchd fills datapath_version once it has opened the bridge's
   * datapath. A bridge whose datapath failed (the default "system" type
   * without the kernel module) keeps it empty, its local interface has no
   * ofport and no error either, and `ovs-vsctl add-br` exited 0: only this
   * tells. */
  g_autoptr(GString) w = g_string_new(NULL);
  g_string_append_printf(w, "[{\"op\":\"wait\",\"timeout\":%d,\"table\":\"Bridge\",",
                         NC_OVSDB_BRIDGE_WAIT_MS);
  where_eq(w, "name", bridge);
  g_string_append(w, ",\"columns\":[\"datapath_version\"],\"until\":\"!=\","
                     "\"rows\":[{\"datapath_version\":\"\"}]}]");
  r = nc_ovsdb_transact(socket, w->str, NC_OVSDB_TIMEOUT_MS, NULL, ret_detail);
  if (r == -ETIMEDOUT) {
    if (ret_detail) {
      g_free(*ret_detail);
      *ret_detail = g_strdup_printf(
          "ovs-vswitchd has not opened its datapath (datapath_type '%s'): ovs-vswitchd is not "
          "running, or it failed to open the datapath (see its log)",
          type[0] ? type : "system");
    }
    return -EIO;
  }
  if (r < 0)
    return r;
  /* Its local interface: an error there (ovs-vsctl exits 0 all the same). */
  return wait_interface(socket, bridge, NULL, NC_OVSDB_BRIDGE_WAIT_MS,
                        "ovs-vswitchd has not opened the bridge's interface (is it running?)", NULL,
                        ret_detail);
}
