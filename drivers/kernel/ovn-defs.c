/* OVN network definitions in NB_Global's external_ids (see ovn-defs.h). */
#include "ovn-defs.h"

#include <errno.h>
#include <string.h>

#include "ovn-nb.h"
#include "ovsdb-rpc.h"

#define NB_DB "OVN_Northbound"
#define DEF_PREFIX "netctl-definition-"
#define VER_PREFIX "netctl-version-"
#define AUTO_PREFIX "netctl-autostart-"

void
nc_ovn_nb_def_free(NcOvnNbDef *d)
{
  if (!d)
    return;
  g_free(d->net_uuid);
  g_free(d->xml);
  g_free(d);
}

/* NB_Global's external_ids (the first row; OVN keeps exactly one). */
static int
read_global(const char *nb, JsonNode **ret_map, char **ret_detail)
{
  g_autoptr(JsonArray) result = NULL;
  int r = nc_ovsdb_transact_db(nb, NB_DB,
                               "[{\"op\":\"select\",\"table\":\"NB_Global\",\"where\":[],"
                               "\"columns\":[\"external_ids\"]}]",
                               NC_OVN_NB_TIMEOUT_MS, &result, ret_detail);
  if (r < 0)
    return r;
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  if (!rows || json_array_get_length(rows) == 0) {
    if (ret_detail)
      *ret_detail = g_strdup("the NB has no NB_Global row (is ovn-northd's database initialised?)");
    return -ENOENT;
  }
  JsonObject *row = json_array_get_object_element(rows, 0);
  JsonNode *map = json_object_get_member(row, "external_ids");
  if (!map)
    return -EPROTO;
  *ret_map = json_node_copy(map);
  return 0;
}

static guint64
parse_version(const char *s)
{
  guint64 v = 0;
  if (!s || !g_ascii_string_to_unsigned(s, 10, 1, G_MAXUINT64 - 1, &v, NULL))
    return 0;
  return v;
}

/* The version of net_uuid's definition in external_ids map `map`. */
static guint64
map_version(JsonNode *map, const char *ver_key)
{
  g_autoptr(JsonObject) row = json_object_new();
  json_object_set_member(row, "external_ids", json_node_copy(map));
  return parse_version(nc_ovsdb_row_map_get(row, "external_ids", ver_key));
}

typedef enum { WRITE_PUT, WRITE_DELETE, WRITE_AUTOSTART } WriteKind;

/* Replaces (PUT: xml) or removes (DELETE) net_uuid's keys, or sets its
 * autostart key (AUTOSTART: xml NULL = off), on condition that the version is
 * still seen_version; each bumps the version. */
static int
write_keys(const char *nb, const char *net_uuid, WriteKind kind, const char *xml,
           guint64 seen_version, guint64 *ret_version, char **ret_detail)
{
  g_autoptr(JsonNode) map = NULL;
  int r = read_global(nb, &map, ret_detail);
  if (r < 0)
    return r;
  g_autofree char *ver_key = g_strconcat(VER_PREFIX, net_uuid, NULL);
  g_autofree char *def_key = g_strconcat(DEF_PREFIX, net_uuid, NULL);
  g_autofree char *auto_key = g_strconcat(AUTO_PREFIX, net_uuid, NULL);
  guint64 now = map_version(map, ver_key);
  if (kind == WRITE_AUTOSTART && (seen_version == 0 || now != seen_version)) {
    *ret_version = now;
    return now ? -ESTALE : -ENOENT; /* not (or no longer) defined there */
  }
  /* Only a first define needs this check here (its wait below compares the
   * whole map); otherwise the wait on the version decides, in the NB. */
  if (seen_version == 0 && now != 0) {
    *ret_version = now;
    return -ESTALE;
  }
  if (kind == WRITE_DELETE && seen_version == 0) {
    *ret_version = 0;
    return 0; /* nothing stored */
  }

  g_autoptr(GString) o = g_string_new("[{\"op\":\"wait\",\"table\":\"NB_Global\",\"timeout\":0,");
  if (seen_version == 0) {
    /* No key to condition on: the whole map as read, so a concurrent first
     * define elsewhere (or any other change in that instant) aborts this. */
    g_autofree char *m = json_to_string(map, FALSE);
    g_string_append_printf(o,
                           "\"where\":[],\"columns\":[\"external_ids\"],\"until\":\"==\","
                           "\"rows\":[{\"external_ids\":%s}]}",
                           m);
  } else {
    g_autofree char *seen = g_strdup_printf("%" G_GUINT64_FORMAT, seen_version);
    gboolean first = TRUE;
    g_string_append(o, "\"where\":[[\"external_ids\",\"includes\",[\"map\",[");
    nc_ovsdb_json_map_pair(o, &first, ver_key, seen);
    g_string_append(o, "]]]],\"columns\":[\"_uuid\"],\"until\":\"!=\",\"rows\":[]}");
  }
  g_string_append(o, ",{\"op\":\"mutate\",\"table\":\"NB_Global\",\"where\":[],\"mutations\":["
                     "[\"external_ids\",\"delete\",[\"set\",[");
  nc_ovsdb_json_str(o, ver_key);
  if (kind != WRITE_PUT) { /* a define keeps the autostart flag */
    g_string_append_c(o, ',');
    nc_ovsdb_json_str(o, auto_key);
  }
  if (kind != WRITE_AUTOSTART) {
    g_string_append_c(o, ',');
    nc_ovsdb_json_str(o, def_key);
  }
  g_string_append(o, "]]]");
  g_autofree char *next = g_strdup_printf("%" G_GUINT64_FORMAT, seen_version + 1);
  if (kind != WRITE_DELETE) {
    gboolean first = TRUE;
    g_string_append(o, ",[\"external_ids\",\"insert\",[\"map\",[");
    nc_ovsdb_json_map_pair(o, &first, ver_key, next);
    /* AUTOSTART: xml is "yes" or NULL (off: no key) */
    nc_ovsdb_json_map_pair(o, &first, kind == WRITE_PUT ? def_key : auto_key, xml);
    g_string_append(o, "]]]");
  }
  g_string_append(o, "]}]");

  g_autoptr(JsonArray) result = NULL;
  g_autofree char *detail = NULL;
  r = nc_ovsdb_transact_db(nb, NB_DB, o->str, NC_OVN_NB_TIMEOUT_MS, &result, &detail);
  if (r == -ETIMEDOUT && detail && g_str_has_prefix(detail, "timed out")) {
    /* The wait failed: someone committed between our read and our write. */
    g_autoptr(JsonNode) again = NULL;
    *ret_version = read_global(nb, &again, NULL) == 0 ? map_version(again, ver_key) : seen_version;
    return -ESTALE;
  }
  if (r < 0) {
    if (ret_detail)
      *ret_detail = g_steal_pointer(&detail);
    return r;
  }
  *ret_version = kind != WRITE_DELETE ? seen_version + 1 : 0;
  return 0;
}

int
nc_ovn_nb_def_put(const char *nb, const char *net_uuid, const char *xml, guint64 seen_version,
                  guint64 *ret_version, char **ret_detail)
{
  g_return_val_if_fail(xml != NULL, -EINVAL);
  return write_keys(nb, net_uuid, WRITE_PUT, xml, seen_version, ret_version, ret_detail);
}

int
nc_ovn_nb_def_delete(const char *nb, const char *net_uuid, guint64 seen_version,
                     guint64 *ret_version, char **ret_detail)
{
  return write_keys(nb, net_uuid, WRITE_DELETE, NULL, seen_version, ret_version, ret_detail);
}

int
nc_ovn_nb_def_set_autostart(const char *nb, const char *net_uuid, gboolean autostart,
                            guint64 seen_version, guint64 *ret_version, char **ret_detail)
{
  return write_keys(nb, net_uuid, WRITE_AUTOSTART, autostart ? "yes" : NULL, seen_version,
                    ret_version, ret_detail);
}

GPtrArray *
nc_ovn_nb_defs_from_map(JsonNode *map)
{
  g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func((GDestroyNotify)nc_ovn_nb_def_free);
  /* ["map", [[k, v], ...]] */
  JsonArray *outer = map && JSON_NODE_HOLDS_ARRAY(map) ? json_node_get_array(map) : NULL;
  JsonArray *pairs
      = outer && json_array_get_length(outer) == 2 ? json_array_get_array_element(outer, 1) : NULL;
  for (guint i = 0; pairs && i < json_array_get_length(pairs); i++) {
    JsonArray *kv = json_array_get_array_element(pairs, i);
    if (!kv || json_array_get_length(kv) != 2)
      continue;
    const char *k = json_array_get_string_element(kv, 0);
    const char *v = json_array_get_string_element(kv, 1);
    if (!k || !v || !g_str_has_prefix(k, DEF_PREFIX))
      continue;
    NcOvnNbDef *d = g_new0(NcOvnNbDef, 1);
    d->net_uuid = g_strdup(k + strlen(DEF_PREFIX));
    d->xml = g_strdup(v);
    g_autofree char *ver_key = g_strconcat(VER_PREFIX, d->net_uuid, NULL);
    g_autofree char *auto_key = g_strconcat(AUTO_PREFIX, d->net_uuid, NULL);
    d->version = map_version(map, ver_key);
    g_autoptr(JsonObject) row = json_object_new();
    json_object_set_member(row, "external_ids", json_node_copy(map));
    d->autostart = g_strcmp0(nc_ovsdb_row_map_get(row, "external_ids", auto_key), "yes") == 0;
    g_ptr_array_add(defs, d);
  }
  return g_steal_pointer(&defs);
}

int
nc_ovn_nb_def_list(const char *nb, GPtrArray **ret_defs, char **ret_detail)
{
  g_autoptr(JsonNode) map = NULL;
  int r = read_global(nb, &map, ret_detail);
  if (r < 0)
    return r;
  *ret_defs = nc_ovn_nb_defs_from_map(map);
  return 0;
}

int
nc_ovn_nb_active_list(const char *nb, GHashTable **ret_active, char **ret_detail)
{
  g_autoptr(JsonArray) result = NULL;
  int r = nc_ovsdb_transact_db(nb, NB_DB,
                               "[{\"op\":\"select\",\"table\":\"Logical_Switch\",\"where\":[],"
                               "\"columns\":[\"external_ids\"]}]",
                               NC_OVN_NB_TIMEOUT_MS, &result, ret_detail);
  if (r < 0)
    return r;
  g_autoptr(GHashTable) active = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  for (guint i = 0; rows && i < json_array_get_length(rows); i++) {
    const char *mark = nc_ovsdb_row_map_get(json_array_get_object_element(rows, i), "external_ids",
                                            "netctl-uuid");
    if (mark)
      g_hash_table_add(active, g_strdup(mark));
  }
  *ret_active = g_steal_pointer(&active);
  return 0;
}
