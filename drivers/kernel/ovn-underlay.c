/* The OVS side of this host's OVN underlay (see ovn-underlay.h). */
#include "ovn-underlay.h"

#include <string.h>

#include "ovn-nb.h"
#include "ovsdb-rpc.h"

void
nc_ovn_underlay_clear(NcOvnUnderlay *u)
{
  g_clear_pointer(&u->ifaces, g_ptr_array_unref);
  u->userspace_tso = FALSE;
}

int
nc_ovn_underlay_read(const char *socket, const char *bridge, NcOvnUnderlay *ret, char **ret_detail)
{
  /* one transaction: the bridge's ports, every port's interfaces, every
   * interface's name and type; joined here (a few rows) */
  g_autoptr(GString) o = g_string_new("[{\"op\":\"select\",\"table\":\"Open_vSwitch\","
                                      "\"where\":[],\"columns\":[\"other_config\"]},"
                                      "{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[["
                                      "\"name\",\"==\",");
  nc_ovsdb_json_str(o, bridge ? bridge : "");
  g_string_append(o, "]],\"columns\":[\"ports\"]},"
                     "{\"op\":\"select\",\"table\":\"Port\",\"where\":[],"
                     "\"columns\":[\"_uuid\",\"interfaces\"]},"
                     "{\"op\":\"select\",\"table\":\"Interface\",\"where\":[],"
                     "\"columns\":[\"_uuid\",\"name\",\"type\"]}]");
  g_autoptr(JsonArray) result = NULL;
  int r = nc_ovsdb_transact(socket, o->str, NC_OVN_NB_TIMEOUT_MS, &result, ret_detail);
  if (r < 0)
    return r;
  NcOvnUnderlay u = { 0 };
  JsonArray *rows = nc_ovsdb_result_rows(result, 0);
  if (rows && json_array_get_length(rows) > 0) {
    const char *tso = nc_ovsdb_row_map_get(json_array_get_object_element(rows, 0), "other_config",
                                           "userspace-tso-enable");
    u.userspace_tso = g_strcmp0(tso, "true") == 0;
  }
  rows = nc_ovsdb_result_rows(result, 1);
  JsonObject *br = bridge && rows && json_array_get_length(rows) > 0
                       ? json_array_get_object_element(rows, 0)
                       : NULL;
  JsonArray *ports = nc_ovsdb_result_rows(result, 2);
  JsonArray *ifaces = nc_ovsdb_result_rows(result, 3);
  if (br) {
    u.ifaces = g_ptr_array_new_with_free_func(g_free);
    for (guint p = 0; ports && p < json_array_get_length(ports); p++) {
      JsonObject *port = json_array_get_object_element(ports, p);
      if (!nc_ovsdb_row_set_has_uuid(br, "ports", nc_ovsdb_row_uuid(port, "_uuid")))
        continue;
      for (guint i = 0; ifaces && i < json_array_get_length(ifaces); i++) {
        JsonObject *iface = json_array_get_object_element(ifaces, i);
        const char *type = nc_ovsdb_row_string(iface, "type");
        const char *name = nc_ovsdb_row_string(iface, "name");
        if (nc_ovsdb_row_set_has_uuid(port, "interfaces", nc_ovsdb_row_uuid(iface, "_uuid")) && name
            && (!type || !type[0] || g_str_equal(type, "internal")))
          g_ptr_array_add(u.ifaces, g_strdup(name));
      }
    }
  }
  *ret = u;
  return 0;
}
