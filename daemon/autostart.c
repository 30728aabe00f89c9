/* Autostart, once per boot: like libvirt's virDriverShouldAutostart, a marker
 * file in the (tmpfs) state directory says it was done since boot, so a
 * restarted daemon does not start networks an admin stopped on purpose. */
#include <errno.h>
#include <string.h>

#include "nc-daemon-private.h"
#include "nc-log.h"
#include "store.h"

/* OVN networks shared through --ovn-nb: their autostart flag and active
 * state are the NB's, not this boot's, so every netctld that starts starts
 * those not active (the NB's condition on the switch makes one of them),
 * even when this host did its own autostart since boot. */
static void
start_shared(NcDaemon *daemon)
{
  g_autoptr(GPtrArray) list = nc_daemon_list(daemon, NC_LIST_AUTOSTART | NC_LIST_INACTIVE);
  for (guint i = 0; i < list->len; i++) {
    NcNetwork *net = list->pdata[i];
    g_autoptr(GError) error = NULL;
    if (nc_daemon_ovn_shared(daemon, net->def) && !nc_network_start(net, &error))
      nc_log_network(net, G_LOG_LEVEL_WARNING, "autostart (OVN NB) failed: %s", error->message);
  }
}

void
nc_autostart_run(NcDaemon *daemon)
{
  g_autofree char *marker = g_build_filename(daemon->paths->state_dir, "autostarted", NULL);
  if (g_file_test(marker, G_FILE_TEST_EXISTS)) {
    g_debug("autostart: already done since boot (%s exists)", marker);
    start_shared(daemon);
    return;
  }
  g_autoptr(GError) error = NULL;
  if (!nc_store_write_atomic(marker, "", 0, 0600, &error)) {
    /* Without the marker the next daemon would autostart again; still
     * better than not starting what the admin asked for. */
    g_warning("autostart: %s", error->message);
    g_clear_error(&error);
  }

  g_autoptr(GPtrArray) list = nc_daemon_list(daemon, NC_LIST_AUTOSTART | NC_LIST_INACTIVE);
  for (guint i = 0; i < list->len; i++) {
    NcNetwork *net = list->pdata[i];
    if (!nc_network_start(net, &error)) {
      nc_log_network(net, G_LOG_LEVEL_WARNING, "autostart failed: %s", error->message);
      g_clear_error(&error);
    }
  }
}
