/* ovs-appctl calls (see ovs-appctl.h). */
#include "ovs-appctl.h"

int
nc_ovs_revalidator_purge(NcSpawner *spawner, char **ret_detail)
{
  const char *rundir = g_getenv("OVS_RUNDIR");
  g_autofree char *ctl = rundir ? g_build_filename(rundir, "ovs-vswitchd.ctl", NULL) : NULL;
  gboolean own_ctl = ctl && g_file_test(ctl, G_FILE_TEST_EXISTS);
  const char *argv[] = { "ovs-appctl",        "--timeout=5", "-t", own_ctl ? ctl : "ovs-vswitchd",
                         "revalidator/purge", NULL };
  return nc_spawn_check(spawner, argv, "ovs-appctl revalidator/purge", ret_detail);
}
