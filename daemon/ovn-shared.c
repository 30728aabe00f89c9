/* OVN definitions kept in the NB (drivers/kernel/ovn-defs.h): a define of an
 * OVN network writes it there first, and a netctld started with --ovn-nb
 * lists what any host defined. The NB is the only copy another host has:
 * nothing is replicated by netctl.
 *
 * A network shared this way is one thing across hosts: its definition,
 * autostart flag and active state are the NB's. It is active on every host
 * while its logical switch (netctl-uuid mark) exists; a start on any host
 * makes the switch, a destroy on any host removes it. netctld keeps a monitor
 * on the NB (ovn-nb-watch.h) and follows it here: a definition, autostart
 * flag, start or stop made on another host becomes this host's at once, with
 * the same lifecycle events as a local one. While the monitor is down the NB
 * is read on demand (nc_daemon_ovn_refresh) as before. */
#include <errno.h>
#include <string.h>

#include "nc-daemon-private.h"
#include "nc-error.h"
#include "nc-log.h"
#include "network-netctl-ovn.h"
#include "network-xml.h"
#include "ovn-defs.h"
#include "ovn-nb-watch.h"

gboolean
nc_daemon_ovn_shared(NcDaemon *daemon, const NcNetworkDef *def)
{
  const NcNetctlOvn *ovn = nc_network_def_ovn(def);
  return ovn && daemon->ovn_nb && g_str_equal(ovn->nb, daemon->ovn_nb);
}

static void
set_stale_error(GError **error, const char *name, guint64 now, guint64 seen)
{
  g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
              "network '%s' changed meanwhile on another host (NB version %" G_GUINT64_FORMAT
              ", this host saw %" G_GUINT64_FORMAT "): list it again and retry",
              name, now, seen);
}

/* The version this host saw of net's definition: the one it read or wrote,
 * or after a restart without --ovn-nb (which forgets it) the NB's current
 * one when the NB holds exactly this host's copy: nobody changed it since. */
static guint64
seen_version(NcNetwork *net, const char *nb)
{
  if (!net || net->ovn_version)
    return net ? net->ovn_version : 0;
  g_autoptr(GPtrArray) defs = NULL;
  if (nc_ovn_nb_def_list(nb, &defs, NULL) < 0)
    return 0; /* the write that follows says why */
  const NcNetworkDef *mine = net->new_def ? net->new_def : net->def;
  g_autofree char *xml = nc_network_def_format(mine, NC_NETWORK_FORMAT_INACTIVE);
  for (guint i = 0; i < defs->len; i++) {
    NcOvnNbDef *d = defs->pdata[i];
    if (g_str_equal(d->net_uuid, net->uuid_str) && g_str_equal(d->xml, xml))
      return d->version;
  }
  return 0;
}

gboolean
nc_daemon_ovn_publish(NcDaemon *daemon, NcNetwork *existing, const NcNetworkDef *def,
                      guint64 *ret_version, GError **error)
{
  const NcNetctlOvn *ovn = nc_network_def_ovn(def);
  if (!ovn)
    return TRUE;
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  g_autofree char *xml = nc_network_def_format(def, NC_NETWORK_FORMAT_INACTIVE);
  guint64 seen = seen_version(existing, ovn->nb), now = 0;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_def_put(ovn->nb, uuid, xml, seen, &now, &detail);
  if (r == -ESTALE) {
    set_stale_error(error, def->name, now, seen);
    daemon->ovn_behind = TRUE;
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

gboolean
nc_daemon_ovn_unpublish(NcDaemon *daemon, NcNetwork *net, GError **error)
{
  const NcNetworkDef *def = net->new_def ? net->new_def : net->def;
  const NcNetctlOvn *ovn = nc_network_def_ovn(def);
  if (!ovn)
    return TRUE;
  guint64 now = 0, seen = seen_version(net, ovn->nb);
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_def_delete(ovn->nb, net->uuid_str, seen, &now, &detail);
  if (r == -ESTALE) {
    set_stale_error(error, def->name, now, seen);
    daemon->ovn_behind = TRUE;
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': cannot remove the definition from the OVN NB %s: %s", def->name,
                ovn->nb, detail ? detail : g_strerror(-r));
    return FALSE;
  }
  net->ovn_version = 0;
  return TRUE;
}

/* A network this host took from the NB whose definition is gone from it
 * (undefined on another host): undefined here too; a running one stays
 * running as a transient network, as after a local undefine. */
static void
forget_vanished(NcDaemon *daemon, GPtrArray *defs)
{
  g_autoptr(GHashTable) present = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < defs->len; i++)
    g_hash_table_add(present, ((NcOvnNbDef *)defs->pdata[i])->net_uuid);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func((GDestroyNotify)nc_network_unref);
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, daemon->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    NcNetwork *net = value;
    if (net->ovn_version > 0 && net->persistent && !g_hash_table_contains(present, net->uuid_str))
      g_ptr_array_add(gone, nc_network_ref(net));
  }
  for (guint i = 0; i < gone->len; i++) {
    NcNetwork *net = gone->pdata[i];
    net->persistent = FALSE;
    net->autostart = FALSE;
    net->ovn_version = 0;
    g_clear_pointer(&net->new_def, nc_network_def_free);
    nc_log_network(net, G_LOG_LEVEL_INFO, "undefined in the OVN NB by another host");
    nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_UNDEFINED);
    if (!net->active)
      nc_registry_remove(daemon, net);
  }
}

/* A running network this host knows whose switch came or went in the NB
 * (started or destroyed on another host), and autostart: when the flag was
 * just set, a network that is not active is started (the NB's condition on
 * the switch makes one switch however many hosts do it). */
static void
follow_active(NcDaemon *daemon, GHashTable *flags_before,
              gboolean (*has_switch)(gpointer, const char *), gpointer ctx)
{
  g_autoptr(GPtrArray) nets = g_ptr_array_new_with_free_func((GDestroyNotify)nc_network_unref);
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, daemon->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    NcNetwork *net = value;
    if (nc_daemon_ovn_shared(daemon, net->new_def ? net->new_def : net->def))
      g_ptr_array_add(nets, nc_network_ref(net));
  }
  for (guint i = 0; i < nets->len; i++) {
    NcNetwork *net = nets->pdata[i];
    if (!net->daemon)
      continue;
    gboolean there = has_switch(ctx, net->uuid_str);
    if (there != net->active)
      nc_network_follow_shared(net, there);
    gboolean was = flags_before && g_hash_table_contains(flags_before, net->uuid_str);
    if (net->daemon && net->autostart && !was && !net->active) {
      g_autoptr(GError) error = NULL;
      nc_log_network(net, G_LOG_LEVEL_INFO, "autostart set in the OVN NB: starting it");
      if (!nc_network_start(net, &error))
        nc_log_network(net, G_LOG_LEVEL_WARNING, "autostart failed: %s", error->message);
    }
  }
}

/* The autostart flags of the shared networks, before a change is applied. */
static GHashTable *
autostart_flags(NcDaemon *daemon)
{
  GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, daemon->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    NcNetwork *net = value;
    if (net->autostart)
      g_hash_table_add(set, g_strdup(net->uuid_str));
  }
  return set;
}

static gboolean
same_xml(NcNetwork *net, const char *xml)
{
  g_autofree char *mine
      = nc_network_def_format(net->new_def ? net->new_def : net->def, NC_NETWORK_FORMAT_INACTIVE);
  return g_strcmp0(mine, xml) == 0;
}

/* The NB's definitions become this host's: new or changed ones adopted,
 * autostart flags taken, vanished ones undefined. */
static void
follow_defs(NcDaemon *daemon, GPtrArray *defs)
{
  for (guint i = 0; i < defs->len; i++) {
    NcOvnNbDef *d = defs->pdata[i];
    guint8 raw[NC_UUID_LEN];
    if (!nc_uuid_parse(d->net_uuid, raw))
      continue;
    NcNetwork *net = nc_registry_find_uuid(daemon, raw);
    if (net && net->persistent && net->ovn_version < d->version && same_xml(net, d->xml))
      net->ovn_version = d->version; /* only the autostart flag moved: no DEFINED event */
    if (!net || net->ovn_version < d->version) {
      g_autoptr(GError) error = NULL;
      net = nc_daemon_adopt_shared_xml(daemon, d->xml, d->version, &error);
      if (!net) {
        g_warning("OVN NB %s: definition %s skipped: %s", daemon->ovn_nb, d->net_uuid,
                  error->message);
        continue;
      }
    }
    if (net->persistent && net->autostart != d->autostart) {
      net->autostart = d->autostart;
      nc_log_network(net, G_LOG_LEVEL_INFO, "autostart %s in the OVN NB",
                     d->autostart ? "enabled" : "disabled");
      nc_daemon_emit_simple(daemon, net, NC_EVENT_NETWORK_PROPERTIES);
    }
  }
  forget_vanished(daemon, defs);
}

static gboolean
watch_has_switch(gpointer ctx, const char *net_uuid)
{
  return nc_ovn_nb_watch_has_switch(ctx, net_uuid);
}

static gboolean
set_has_switch(gpointer ctx, const char *net_uuid)
{
  return g_hash_table_contains(ctx, net_uuid);
}

/* The monitor's state changed: follow it. */
static void
on_nb_change(NcOvnNbWatch *watch, gpointer user_data)
{
  NcDaemon *daemon = user_data;
  g_autoptr(GHashTable) before = autostart_flags(daemon);
  JsonNode *global = nc_ovn_nb_watch_global(watch);
  /* no NB_Global row (a database not initialised yet): no definitions known,
   * rather than every definition gone */
  if (global) {
    g_autoptr(GPtrArray) defs = nc_ovn_nb_defs_from_map(global);
    follow_defs(daemon, defs);
  }
  follow_active(daemon, before, watch_has_switch, watch);
}

void
nc_daemon_ovn_watch_start(NcDaemon *daemon)
{
  if (daemon->ovn_nb && !daemon->ovn_watch)
    daemon->ovn_watch = nc_ovn_nb_watch_new(daemon->ovn_nb, on_nb_change, daemon);
}

void
nc_daemon_ovn_watch_stop(NcDaemon *daemon)
{
  g_clear_pointer(&daemon->ovn_watch, nc_ovn_nb_watch_free);
}

void
nc_daemon_ovn_refresh(NcDaemon *daemon)
{
  /* The monitor keeps this host's view current: nothing to read, unless a
   * change was just refused as stale (the monitor may be slow, or cut off
   * without knowing yet): "list it again and retry" must work. */
  if (nc_ovn_nb_watch_current(daemon->ovn_watch) && !daemon->ovn_behind)
    return;
  g_autoptr(GPtrArray) defs = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_def_list(daemon->ovn_nb, &defs, &detail);
  if (r < 0) {
    g_warning("OVN NB %s: cannot list the shared definitions: %s", daemon->ovn_nb,
              detail ? detail : g_strerror(-r));
    return;
  }
  daemon->ovn_behind = FALSE;
  /* at load (no watch yet) the flags are taken, autostart.c starts */
  g_autoptr(GHashTable) before = daemon->ovn_watch ? autostart_flags(daemon) : NULL;
  follow_defs(daemon, defs);
  g_autoptr(GHashTable) active = NULL;
  if (!daemon->ovn_watch || nc_ovn_nb_active_list(daemon->ovn_nb, &active, NULL) < 0)
    return; /* at load the status files say what runs here; adoption checks the switch */
  follow_active(daemon, before, set_has_switch, active);
}

gboolean
nc_daemon_ovn_set_autostart(NcDaemon *daemon, NcNetwork *net, gboolean autostart, GError **error)
{
  const NcNetworkDef *def = net->new_def ? net->new_def : net->def;
  const NcNetctlOvn *ovn = nc_network_def_ovn(def);
  guint64 now = 0, seen = seen_version(net, ovn->nb);
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_def_set_autostart(ovn->nb, net->uuid_str, autostart, seen, &now, &detail);
  if (r == -ESTALE) {
    set_stale_error(error, def->name, now, seen);
    daemon->ovn_behind = TRUE;
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': cannot set its autostart flag in the OVN NB %s: %s", def->name,
                ovn->nb,
                r == -ENOENT ? "the network is not defined there (undefined meanwhile?)"
                : detail     ? detail
                             : g_strerror(-r));
    return FALSE;
  }
  net->ovn_version = now;
  return TRUE;
}
