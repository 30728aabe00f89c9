/* Meters and flows through ovs-ofctl (see ovs-ofctl.h). */
#include "ovs-ofctl.h"

#include <errno.h>

static int
ofctl(NcSpawner *spawner, const char *cmd, const char *bridge, const char *arg, char **ret_detail)
{
  const char *argv[] = { "ovs-ofctl", "-O", "OpenFlow13", cmd, bridge, arg, NULL };
  g_autofree char *what = g_strdup_printf("ovs-ofctl %s %s", cmd, bridge);
  return nc_spawn_check(spawner, argv, what, ret_detail);
}

int
nc_ovs_meter_set(NcSpawner *spawner, const char *bridge, guint meter_id, int ofport,
                 guint64 rate_kbps, guint64 burst_kbit, char **ret_detail)
{
  g_autofree char *meter = g_strdup_printf(
      "meter=%u,kbps,burst,band=type=drop,rate=%" G_GUINT64_FORMAT ",burst_size=%" G_GUINT64_FORMAT,
      meter_id, rate_kbps, burst_kbit);
  int r = ofctl(spawner, "add-meter", bridge, meter, NULL);
  if (r == -EIO) /* there already (a restart): replace it */
    r = ofctl(spawner, "mod-meter", bridge, meter, ret_detail);
  if (r < 0)
    return r;
  g_autofree char *flow = g_strdup_printf(
      "cookie=0x%" G_GINT64_MODIFIER "x,priority=100,in_port=%d,actions=meter:%u,NORMAL",
      NC_OVS_COOKIE | meter_id, ofport, meter_id);
  return ofctl(spawner, "add-flow", bridge, flow, ret_detail);
}

int
nc_ovs_meter_del(NcSpawner *spawner, const char *bridge, guint meter_id, char **ret_detail)
{
  g_autofree char *cookie = g_strdup_printf("cookie=0x%" G_GINT64_MODIFIER "x/-1",
                                            NC_OVS_COOKIE | meter_id);
  g_autofree char *meter = g_strdup_printf("meter=%u", meter_id);
  int r = ofctl(spawner, "del-flows", bridge, cookie, ret_detail);
  int r2 = ofctl(spawner, "del-meter", bridge, meter, ret_detail);
  return r < 0 ? r : r2;
}
