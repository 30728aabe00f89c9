/* vswitchd's cur_cfg catching up with next_cfg (see ovsdb-applied.h). */
#include "ovsdb-applied.h"

#include <errno.h>

#include "ovsdb-rpc.h"

int
nc_ovsdb_wait_applied(const char *socket, guint timeout_ms, char **ret_detail)
{
  g_autoptr(JsonArray) result = NULL;
  int r = nc_ovsdb_transact(socket,
                            "[{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],"
                            "\"mutations\":[[\"next_cfg\",\"+=\",1]]},"
                            "{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[],"
                            "\"columns\":[\"next_cfg\"]}]",
                            timeout_ms, &result, ret_detail);
  if (r < 0)
    return r;
  JsonArray *rows = nc_ovsdb_result_rows(result, 1);
  if (!rows || json_array_get_length(rows) != 1)
    return -ENOENT; /* no Open_vSwitch row: nobody to wait for */
  gint64 next = json_object_get_int_member(json_array_get_object_element(rows, 0), "next_cfg");
  /* OVSDB holds the "wait" until the row matches or its timeout passes */
  g_autofree char *wait = g_strdup_printf(
      "[{\"op\":\"wait\",\"timeout\":%u,\"table\":\"Open_vSwitch\",\"where\":[],"
      "\"columns\":[\"cur_cfg\"],\"until\":\"==\",\"rows\":[{\"cur_cfg\":%" G_GINT64_FORMAT "}]}]",
      timeout_ms, next);
  g_autoptr(JsonArray) waited = NULL;
  r = nc_ovsdb_transact(socket, wait, timeout_ms + 1000, &waited, ret_detail);
  if (r != -ETIMEDOUT)
    return r;
  /* "==" only: another client's bump may have carried cur_cfg past ours */
  g_autoptr(JsonArray) again = NULL;
  if (nc_ovsdb_transact(socket,
                        "[{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[],"
                        "\"columns\":[\"cur_cfg\"]}]",
                        timeout_ms, &again, NULL)
      < 0)
    return r;
  rows = nc_ovsdb_result_rows(again, 0);
  if (rows && json_array_get_length(rows) == 1
      && json_object_get_int_member(json_array_get_object_element(rows, 0), "cur_cfg") >= next)
    return 0;
  return r;
}
