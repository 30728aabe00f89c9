/* Mirrors, NetFlow and sFlow in OVSDB (see ovsdb-monitor.h). Transactions
 * are JSON text; every value from outside goes through nc_ovsdb_json_str or
 * is a number. */
#include "ovsdb-monitor.h"

#include <errno.h>

#include "ovsdb-rpc.h"
#include "ovsdb.h"

typedef struct {
  JsonArray *result; /* owns the rows below */
  JsonObject *bridge;
  JsonArray *mirrors;   /* ours */
  JsonArray *netflows;  /* ours */
  JsonArray *sflows;    /* ours */
  GHashTable *by_name;  /* port name -> Port uuid, ports on the bridge */
  GHashTable *by_group; /* netctl-portgroup -> GPtrArray of Port uuids (this network's) */
} Current;

static void
current_clear(Current *c)
{
  g_clear_pointer(&c->result, json_array_unref);
  g_clear_pointer(&c->by_name, g_hash_table_unref);
  g_clear_pointer(&c->by_group, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Current, current_clear)

static void
mark_where(GString *o, const char *network)
{
  g_string_append(o, "\"where\":[[\"external_ids\",\"includes\",[\"map\",[[\"netctl-network\",");
  nc_ovsdb_json_str(o, network);
  g_string_append(o, "]]]]]");
}

/* Port rows that mirrors may name: ours (for portgroups) when a mirror
 * selects by portgroup, and each port named as a selection or an output.
 * Never every Port: that read grows with the switch (bench/ovs.sh). */
static void
port_selects(GString *q, const NcOvsMonitor *m)
{
  g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
  gboolean groups = FALSE;
  for (guint i = 0; i < m->n_mirrors; i++) {
    const NcOvsMirrorSpec *s = &m->mirrors[i];
    const char *const *lists[] = { s->src_ports, s->dst_ports };
    for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
      for (const char *const *n = lists[l]; n && *n; n++)
        g_hash_table_add(names, (gpointer)*n);
    if (s->output_port)
      g_hash_table_add(names, (gpointer)s->output_port);
    groups |= (s->src_groups && s->src_groups[0]) || (s->dst_groups && s->dst_groups[0]);
  }
  const char *columns = ",\"columns\":[\"_uuid\",\"name\",\"external_ids\"]}";
  if (groups) {
    g_string_append(q, ",{\"op\":\"select\",\"table\":\"Port\",");
    mark_where(q, m->network);
    g_string_append(q, columns);
  }
  GHashTableIter iter;
  gpointer name;
  g_hash_table_iter_init(&iter, names);
  while (g_hash_table_iter_next(&iter, &name, NULL)) {
    g_string_append(q, ",{\"op\":\"select\",\"table\":\"Port\",\"where\":[[\"name\",\"==\",");
    nc_ovsdb_json_str(q, name);
    g_string_append(q, "]]");
    g_string_append(q, columns);
  }
}

static void
add_port_row(Current *c, JsonObject *row, const char *network)
{
  const char *uuid = nc_ovsdb_row_uuid(row, "_uuid");
  if (!uuid || !nc_ovsdb_row_set_has_uuid(c->bridge, "ports", uuid))
    return;
  const char *name = nc_ovsdb_row_string(row, "name");
  if (g_hash_table_contains(c->by_name, name))
    return; /* read twice: by mark and by name */
  g_hash_table_insert(c->by_name, (gpointer)name, (gpointer)uuid);
  const char *group = nc_ovsdb_row_map_get(row, "external_ids", "netctl-portgroup");
  if (!group || g_strcmp0(nc_ovsdb_row_map_get(row, "external_ids", "netctl-network"), network))
    return;
  GPtrArray *list = g_hash_table_lookup(c->by_group, group);
  if (!list)
    g_hash_table_insert(c->by_group, (gpointer)group, list = g_ptr_array_new());
  g_ptr_array_add(list, (gpointer)uuid);
}

static int
read_current(const char *socket, const NcOvsMonitor *m, Current *c, char **ret_detail)
{
  const char *bridge = m->bridge, *network = m->network;
  g_autoptr(GString) q = g_string_new("[{\"op\":\"select\",\"table\":\"Bridge\","
                                      "\"where\":[[\"name\",\"==\",");
  nc_ovsdb_json_str(q, bridge);
  g_string_append(q, "]],\"columns\":[\"_uuid\",\"ports\",\"mirrors\",\"netflow\",\"sflow\"]}");
  static const char *const tables[] = { "Mirror", "NetFlow", "sFlow" };
  for (guint i = 0; i < G_N_ELEMENTS(tables); i++) {
    g_string_append_printf(q, ",{\"op\":\"select\",\"table\":\"%s\",", tables[i]);
    mark_where(q, network);
    g_string_append(q, ",\"columns\":[\"_uuid\",\"external_ids\"]}");
  }
  port_selects(q, m);
  g_string_append_c(q, ']');
  int r = nc_ovsdb_transact(socket, q->str, NC_OVSDB_TIMEOUT_MS, &c->result, ret_detail);
  if (r < 0)
    return r;
  JsonArray *bridges = nc_ovsdb_result_rows(c->result, 0);
  if (!bridges || json_array_get_length(bridges) == 0)
    return -ENODEV;
  c->bridge = json_array_get_object_element(bridges, 0);
  c->mirrors = nc_ovsdb_result_rows(c->result, 1);
  c->netflows = nc_ovsdb_result_rows(c->result, 2);
  c->sflows = nc_ovsdb_result_rows(c->result, 3);
  c->by_name = g_hash_table_new(g_str_hash, g_str_equal);
  c->by_group
      = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
  for (guint k = 4; k < json_array_get_length(c->result); k++) {
    JsonArray *ports = nc_ovsdb_result_rows(c->result, k);
    for (guint i = 0; ports && i < json_array_get_length(ports); i++)
      add_port_row(c, json_array_get_object_element(ports, i), network);
  }
  return 0;
}

/* The uuid of our row in `rows` (at most one for NetFlow/sFlow), or NULL. */
static const char *
first_uuid(JsonArray *rows)
{
  return rows && json_array_get_length(rows) > 0
             ? nc_ovsdb_row_uuid(json_array_get_object_element(rows, 0), "_uuid")
             : NULL;
}

static void
uuid_ref(GString *o, const char *uuid)
{
  g_string_append(o, "[\"uuid\",");
  nc_ovsdb_json_str(o, uuid);
  g_string_append_c(o, ']');
}

/* A set of Port uuids: the named ports and the groups' ports, once each. */
static void
port_set(GString *o, const Current *c, const char *const *names, const char *const *groups)
{
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (const char *const *n = names; n && *n; n++) {
    const char *uuid = g_hash_table_lookup(c->by_name, *n);
    if (uuid)
      g_hash_table_add(seen, (gpointer)uuid);
  }
  for (const char *const *g = groups; g && *g; g++) {
    GPtrArray *list = g_hash_table_lookup(c->by_group, *g);
    for (guint i = 0; list && i < list->len; i++)
      g_hash_table_add(seen, list->pdata[i]);
  }
  g_string_append(o, "[\"set\",[");
  GHashTableIter iter;
  gpointer uuid;
  gboolean first = TRUE;
  g_hash_table_iter_init(&iter, seen);
  while (g_hash_table_iter_next(&iter, &uuid, NULL)) {
    if (!first)
      g_string_append_c(o, ',');
    first = FALSE;
    uuid_ref(o, uuid);
  }
  g_string_append(o, "]]");
}

static void
ids(GString *o, const char *network, const char *mirror)
{
  g_string_append(o, "[\"map\",[[\"netctl-network\",");
  nc_ovsdb_json_str(o, network);
  if (mirror) {
    g_string_append(o, "],[\"netctl-mirror\",");
    nc_ovsdb_json_str(o, mirror);
  }
  g_string_append(o, "]]]");
}

static int
mirror_row(GString *o, const Current *c, const NcOvsMonitor *m, const NcOvsMirrorSpec *s,
           char **ret_detail)
{
  g_string_append(o, "{\"name\":");
  nc_ovsdb_json_str(o, s->name);
  g_string_append_printf(
      o, ",\"select_all\":%s,\"select_src_port\":", s->select_all ? "true" : "false");
  port_set(o, c, s->src_ports, s->src_groups);
  g_string_append(o, ",\"select_dst_port\":");
  port_set(o, c, s->dst_ports, s->dst_groups);
  g_string_append(o, ",\"output_port\":");
  if (s->output_port) {
    const char *uuid = g_hash_table_lookup(c->by_name, s->output_port);
    if (!uuid) {
      if (ret_detail)
        *ret_detail = g_strdup_printf("mirror '%s': output port '%s' is not on bridge '%s'",
                                      s->name, s->output_port, m->bridge);
      return -ENXIO;
    }
    uuid_ref(o, uuid);
  } else {
    g_string_append(o, "[\"set\",[]]");
  }
  if (s->output_vlan)
    g_string_append_printf(o, ",\"output_vlan\":%u", s->output_vlan);
  else
    g_string_append(o, ",\"output_vlan\":[\"set\",[]]");
  g_string_append(o, ",\"external_ids\":");
  ids(o, m->network, s->name);
  g_string_append_c(o, '}');
  return 0;
}

static void
targets(GString *o, const char *const *t)
{
  g_string_append(o, "[\"set\",[");
  for (guint i = 0; t && t[i]; i++) {
    if (i)
      g_string_append_c(o, ',');
    nc_ovsdb_json_str(o, t[i]);
  }
  g_string_append(o, "]]");
}

static void
optional_int(GString *o, const char *column, gint64 v)
{
  if (v >= 0)
    g_string_append_printf(o, ",\"%s\":%" G_GINT64_FORMAT, column, v);
  else
    g_string_append_printf(o, ",\"%s\":[\"set\",[]]", column);
}

static void
netflow_row(GString *o, const NcOvsMonitor *m)
{
  const NcOvsNetflowSpec *nf = m->netflow;
  g_string_append(o, "{\"targets\":");
  targets(o, nf->targets);
  /* active_timeout is not optional in OVS: 0 asks for its default */
  g_string_append_printf(o, ",\"active_timeout\":%" G_GINT64_FORMAT,
                         nf->active_timeout >= 0 ? nf->active_timeout : 0);
  optional_int(o, "engine_type", nf->engine_type);
  optional_int(o, "engine_id", nf->engine_id);
  g_string_append(o, ",\"external_ids\":");
  ids(o, m->network, NULL);
  g_string_append_c(o, '}');
}

static void
sflow_row(GString *o, const NcOvsMonitor *m)
{
  const NcOvsSflowSpec *sf = m->sflow;
  g_string_append(o, "{\"targets\":");
  targets(o, sf->targets);
  optional_int(o, "sampling", sf->sampling);
  optional_int(o, "polling", sf->polling);
  optional_int(o, "header", sf->header);
  g_string_append(o, ",\"agent\":");
  if (sf->agent)
    nc_ovsdb_json_str(o, sf->agent);
  else
    g_string_append(o, "[\"set\",[]]");
  g_string_append(o, ",\"external_ids\":");
  ids(o, m->network, NULL);
  g_string_append_c(o, '}');
}

static void
bridge_op_start(GString *o, const Current *c)
{
  g_string_append(o, ",{\"op\":\"update\",\"table\":\"Bridge\",\"where\":[[\"_uuid\",\"==\",");
  uuid_ref(o, nc_ovsdb_row_uuid(c->bridge, "_uuid"));
  g_string_append(o, "]],\"row\":{");
}

/* NetFlow or sFlow: the bridge's one row of that table. */
static int
single_ops(GString *o, const Current *c, const NcOvsMonitor *m, const char *table,
           const char *column, JsonArray *ours, gboolean wanted,
           void (*row)(GString *, const NcOvsMonitor *), char **ret_detail)
{
  const char *mine = first_uuid(ours);
  const char *current = nc_ovsdb_row_uuid(c->bridge, column);
  if (wanted && current && g_strcmp0(current, mine) != 0) {
    if (ret_detail)
      *ret_detail = g_strdup_printf("bridge '%s' already has a %s configuration that is not "
                                    "netctl's; remove it first (ovs-vsctl clear bridge %s %s)",
                                    m->bridge, table, m->bridge, column);
    return -EBUSY;
  }
  if (wanted && mine && g_strcmp0(current, mine) == 0) {
    g_string_append_printf(o, ",{\"op\":\"update\",\"table\":\"%s\",\"where\":[[\"_uuid\",\"==\",",
                           table);
    uuid_ref(o, mine);
    g_string_append(o, "]],\"row\":");
    row(o, m);
    g_string_append_c(o, '}');
  } else if (wanted) {
    g_string_append_printf(o,
                           ",{\"op\":\"insert\",\"table\":\"%s\",\"uuid-name\":\"%s\","
                           "\"row\":",
                           table, column);
    row(o, m);
    g_string_append_c(o, '}');
    bridge_op_start(o, c);
    g_string_append_printf(o, "\"%s\":[\"named-uuid\",\"%s\"]}}", column, column);
  } else if (mine && g_strcmp0(current, mine) == 0) {
    bridge_op_start(o, c);
    g_string_append_printf(o, "\"%s\":[\"set\",[]]}}", column);
  }
  return 0;
}

static const char *
mirror_uuid(JsonArray *ours, const char *name)
{
  for (guint i = 0; ours && i < json_array_get_length(ours); i++) {
    JsonObject *row = json_array_get_object_element(ours, i);
    if (g_strcmp0(nc_ovsdb_row_map_get(row, "external_ids", "netctl-mirror"), name) == 0)
      return nc_ovsdb_row_uuid(row, "_uuid");
  }
  return NULL;
}

static int
mirror_ops(GString *o, const Current *c, const NcOvsMonitor *m, char **ret_detail)
{
  g_autoptr(GString) add = g_string_new(NULL), drop = g_string_new(NULL);
  for (guint i = 0; i < m->n_mirrors; i++) {
    const NcOvsMirrorSpec *s = &m->mirrors[i];
    const char *uuid = mirror_uuid(c->mirrors, s->name);
    if (uuid) {
      g_string_append(o, ",{\"op\":\"update\",\"table\":\"Mirror\",\"where\":[[\"_uuid\",\"==\",");
      uuid_ref(o, uuid);
      g_string_append(o, "]],\"row\":");
    } else {
      g_string_append_printf(o,
                             ",{\"op\":\"insert\",\"table\":\"Mirror\",\"uuid-name\":\"m%u\","
                             "\"row\":",
                             i);
      g_string_append_printf(add, "%s[\"named-uuid\",\"m%u\"]", add->len ? "," : "", i);
    }
    int r = mirror_row(o, c, m, s, ret_detail);
    if (r < 0)
      return r;
    g_string_append_c(o, '}');
  }
  /* ours that are no longer wanted (and any of ours left over by name) */
  for (guint i = 0; c->mirrors && i < json_array_get_length(c->mirrors); i++) {
    JsonObject *row = json_array_get_object_element(c->mirrors, i);
    const char *name = nc_ovsdb_row_map_get(row, "external_ids", "netctl-mirror");
    const char *uuid = nc_ovsdb_row_uuid(row, "_uuid");
    gboolean wanted = FALSE;
    for (guint j = 0; name && j < m->n_mirrors && !wanted; j++)
      wanted = g_str_equal(m->mirrors[j].name, name)
               && g_strcmp0(mirror_uuid(c->mirrors, name), uuid) == 0;
    if (!wanted && uuid) {
      if (drop->len)
        g_string_append_c(drop, ',');
      uuid_ref(drop, uuid);
    }
  }
  const char *bridge = nc_ovsdb_row_uuid(c->bridge, "_uuid");
  for (int pass = 0; pass < 2; pass++) {
    GString *set = pass ? add : drop;
    if (!set->len)
      continue;
    g_string_append(o, ",{\"op\":\"mutate\",\"table\":\"Bridge\",\"where\":[[\"_uuid\",\"==\",");
    uuid_ref(o, bridge);
    g_string_append_printf(o, "]],\"mutations\":[[\"mirrors\",\"%s\",[\"set\",[%s]]]]}",
                           pass ? "insert" : "delete", set->str);
  }
  return 0;
}

int
nc_ovsdb_monitor_apply(const char *socket, const NcOvsMonitor *m, char **ret_detail)
{
  g_auto(Current) c = { 0 };
  int r = read_current(socket, m, &c, ret_detail);
  if (r < 0)
    return r;
  g_autoptr(GString) o = g_string_new("[{\"op\":\"comment\",\"comment\":\"netctl monitor\"}");
  gsize empty = o->len;
  r = mirror_ops(o, &c, m, ret_detail);
  if (r == 0)
    r = single_ops(o, &c, m, "NetFlow", "netflow", c.netflows, m->netflow != NULL, netflow_row,
                   ret_detail);
  if (r == 0)
    r = single_ops(o, &c, m, "sFlow", "sflow", c.sflows, m->sflow != NULL, sflow_row, ret_detail);
  if (r < 0)
    return r;
  if (o->len == empty)
    return 0; /* nothing of ours, nothing wanted: a network without these elements */
  g_string_append_c(o, ']');
  return nc_ovsdb_transact(socket, o->str, NC_OVSDB_TIMEOUT_MS, NULL, ret_detail);
}

int
nc_ovsdb_monitor_remove(const char *socket, const char *bridge, const char *network,
                        char **ret_detail)
{
  NcOvsMonitor none = { .bridge = bridge, .network = network };
  int r = nc_ovsdb_monitor_apply(socket, &none, ret_detail);
  return r == -ENODEV ? 0 : r;
}
