/* This host as an OVN chassis (see ovn-chassis.h). */
#include "ovn-chassis.h"

#include <errno.h>
#include <string.h>

#include "nc-error.h"
#include "ovn-nb.h"
#include "ovsdb-rpc.h"

void
nc_ovn_chassis_config_clear(NcOvnChassisConfig *c)
{
  g_clear_pointer(&c->system_id, g_free);
  g_clear_pointer(&c->remote, g_free);
  g_clear_pointer(&c->encap_type, g_free);
  g_clear_pointer(&c->encap_ip, g_free);
  g_clear_pointer(&c->dp_type, g_free);
  g_clear_pointer(&c->bridge, g_free);
  g_clear_pointer(&c->bridge_dp_type, g_free);
  c->has_bridge = FALSE;
}

static char *
dup_nonempty(const char *s)
{
  return s && s[0] ? g_strdup(s) : NULL;
}

/* A name OVS and the kernel take for a bridge, safe in a plug and a
 * command line: 1-15 letters, digits, '-', '_', '.', not "." or "..". */
static gboolean
bridge_name_ok(const char *name)
{
  gsize len = strlen(name);
  gboolean ok = len > 0 && len < 16 && !g_str_equal(name, ".") && !g_str_equal(name, "..");
  for (const char *p = name; ok && *p; p++)
    ok = g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.';
  return ok;
}

int
nc_ovn_chassis_config_read(const char *socket, NcOvnChassisConfig *ret, char **ret_detail)
{
  /* every bridge (a host has few): the integration bridge's name is known
   * only from the first row, and one transaction is one round trip */
  static const char ops[] = "[{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[],"
                            "\"columns\":[\"external_ids\"]},{\"op\":\"select\",\"table\":"
                            "\"Bridge\",\"where\":[],\"columns\":[\"name\",\"datapath_type\"]}]";
  g_autoptr(JsonArray) result = NULL;
  int r = nc_ovsdb_transact(socket, ops, NC_OVN_NB_TIMEOUT_MS, &result, ret_detail);
  if (r < 0)
    return r;
  g_auto(NcOvnChassisConfig) c = { 0 };
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  if (rows && json_array_get_length(rows) > 0) {
    JsonObject *row = json_array_get_object_element(rows, 0);
    c.system_id = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "system-id"));
    c.remote = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-remote"));
    c.encap_type = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-encap-type"));
    c.encap_ip = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-encap-ip"));
    c.dp_type = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-bridge-datapath-type"));
    c.bridge = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-bridge"));
  }
  if (!c.bridge)
    c.bridge = g_strdup(NC_OVN_DEFAULT_BRIDGE);
  if (!bridge_name_ok(c.bridge)) {
    if (ret_detail) {
      g_autofree char *escaped = nc_name_escape(c.bridge);
      *ret_detail = g_strdup_printf("external_ids:ovn-bridge='%s' is not a bridge name (1-15 "
                                    "letters, digits, '-', '_', '.')",
                                    escaped);
    }
    return -EINVAL;
  }
  rows = nc_ovsdb_result_rows(result, 1);
  for (guint i = 0; rows && i < json_array_get_length(rows); i++) {
    JsonObject *row = json_array_get_object_element(rows, i);
    if (g_strcmp0(nc_ovsdb_row_string(row, "name"), c.bridge) != 0)
      continue;
    c.has_bridge = TRUE;
    c.bridge_dp_type = g_strdup(nc_ovsdb_row_string(row, "datapath_type"));
  }
  *ret = c;
  memset(&c, 0, sizeof c);
  return 0;
}

int
nc_ovn_chassis_registered(const char *sb, const char *system_id, gboolean *ret_registered,
                          char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[{\"op\":\"select\",\"table\":\"Chassis\",\"where\":[["
                                      "\"name\",\"==\",");
  nc_ovsdb_json_str(o, system_id);
  g_string_append(o, "]],\"columns\":[\"name\",\"encaps\"]}]");
  g_autoptr(JsonArray) result = NULL;
  int r = nc_ovsdb_transact_db(sb, "OVN_Southbound", o->str, NC_OVN_NB_TIMEOUT_MS, &result,
                               ret_detail);
  if (r < 0)
    return r;
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  *ret_registered = rows && json_array_get_length(rows) > 0;
  return 0;
}
