/* This host as an OVN chassis (see ovn-chassis.h). */
#include "ovn-chassis.h"

#include <errno.h>

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
  g_clear_pointer(&c->bridge_dp_type, g_free);
  c->has_bridge = FALSE;
}

static char *
dup_nonempty(const char *s)
{
  return s && s[0] ? g_strdup(s) : NULL;
}

int
nc_ovn_chassis_config_read(const char *socket, const char *bridge, NcOvnChassisConfig *ret,
                           char **ret_detail)
{
  g_autoptr(GString) o = g_string_new("[{\"op\":\"select\",\"table\":\"Open_vSwitch\","
                                      "\"where\":[],\"columns\":[\"external_ids\"]},"
                                      "{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[["
                                      "\"name\",\"==\",");
  nc_ovsdb_json_str(o, bridge);
  g_string_append(o, "]],\"columns\":[\"datapath_type\"]}]");
  g_autoptr(JsonArray) result = NULL;
  int r = nc_ovsdb_transact(socket, o->str, NC_OVN_NB_TIMEOUT_MS, &result, ret_detail);
  if (r < 0)
    return r;
  NcOvnChassisConfig c = { 0 };
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  if (rows && json_array_get_length(rows) > 0) {
    JsonObject *row = json_array_get_object_element(rows, 0);
    c.system_id = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "system-id"));
    c.remote = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-remote"));
    c.encap_type = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-encap-type"));
    c.encap_ip = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-encap-ip"));
    c.dp_type = dup_nonempty(nc_ovsdb_row_map_get(row, "external_ids", "ovn-bridge-datapath-type"));
  }
  rows = nc_ovsdb_result_rows(result, 1);
  if (rows && json_array_get_length(rows) > 0) {
    c.has_bridge = TRUE;
    c.bridge_dp_type
        = g_strdup(nc_ovsdb_row_string(json_array_get_object_element(rows, 0), "datapath_type"));
  }
  *ret = c;
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
