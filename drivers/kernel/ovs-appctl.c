/* ovs-appctl calls (see ovs-appctl.h). */
#include "ovs-appctl.h"

#include <errno.h>

int
nc_ovs_revalidator_purge(NcSpawner *spawner, char **ret_detail)
{
  const char *rundir = g_getenv("OVS_RUNDIR");
  g_autofree char *ctl = rundir ? g_build_filename(rundir, "ovs-vswitchd.ctl", NULL) : NULL;
  gboolean own_ctl = ctl && g_file_test(ctl, G_FILE_TEST_EXISTS);
  const char *argv[] = { "ovs-appctl",        "--timeout=5", "-t", own_ctl ? ctl : "ovs-vswitchd",
                         "revalidator/purge", NULL };
  int status = 0;
  g_autofree char *err = NULL;
  int r = nc_spawn_sync(spawner, argv, NULL, &status, NULL, &err);
  if (r < 0)
    return r;
  if (status != 0) {
    if (ret_detail) {
      g_free(*ret_detail);
      *ret_detail = g_strdup_printf("ovs-appctl revalidator/purge: %s",
                                    err && err[0] ? g_strstrip(err) : "failed");
    }
    return -EIO;
  }
  return 0;
}
