/* OVN definitions kept in the NB (drivers/kernel/ovn-defs.h): a define of an
 * OVN network writes it there first, and a netctld started with --ovn-nb
 * lists what any host defined. The NB is the only copy another host has:
 * nothing is replicated by netctl. */
#include <errno.h>
#include <string.h>

#include "nc-daemon-private.h"
#include "nc-error.h"
#include "nc-log.h"
#include "network-netctl-ovn.h"
#include "network-xml.h"
#include "ovn-defs.h"

gboolean
nc_daemon_ovn_publish(NcDaemon *daemon, NcNetwork *existing, const NcNetworkDef *def,
                      guint64 *ret_version, GError **error)
{
  (void)daemon;
  const NcNetctlOvn *ovn = nc_network_def_ovn(def);
  if (!ovn)
    return TRUE;
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  g_autofree char *xml = nc_network_def_format(def, NC_NETWORK_FORMAT_INACTIVE);
  guint64 seen = existing ? existing->ovn_version : 0, now = 0;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_def_put(ovn->nb, uuid, xml, seen, &now, &detail);
  if (r == -ESTALE) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s' changed meanwhile on another host (NB version %" G_GUINT64_FORMAT
                ", this host saw %" G_GUINT64_FORMAT "): list it again and retry",
                def->name, now, seen);
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': cannot store the definition in the OVN NB %s: %s", def->name,
                ovn->nb, detail ? detail : g_strerror(-r));
    return FALSE;
  }
  *ret_version = now;
  return TRUE;
}

void
nc_daemon_ovn_refresh(NcDaemon *daemon)
{
  g_autoptr(GPtrArray) defs = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_def_list(daemon->ovn_nb, &defs, &detail);
  if (r < 0) {
    g_warning("OVN NB %s: cannot list the shared definitions: %s", daemon->ovn_nb,
              detail ? detail : g_strerror(-r));
    return;
  }
  for (guint i = 0; i < defs->len; i++) {
    NcOvnNbDef *d = defs->pdata[i];
    guint8 raw[NC_UUID_LEN];
    if (!nc_uuid_parse(d->net_uuid, raw))
      continue;
    NcNetwork *net = nc_registry_find_uuid(daemon, raw);
    if (net && net->ovn_version >= d->version)
      continue; /* known, and not changed since */
    g_autoptr(GError) error = NULL;
    if (!nc_daemon_adopt_shared_xml(daemon, d->xml, d->version, &error))
      g_warning("OVN NB %s: definition %s skipped: %s", daemon->ovn_nb, d->net_uuid,
                error->message);
  }
}
