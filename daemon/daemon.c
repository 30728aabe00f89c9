/* The daemon object: loads persistent definitions and status files, adopts
 * networks left running by an earlier daemon, runs autostart. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macmap.h"
#include "managed.h"
#include "nc-daemon-private.h"
#include "nc-error.h"
#include "nc-log.h"
#include "network-netctl-ovn.h"
#include "ovn-chassis.h"
#include "ovn-defs.h"
#include "ovsdb.h"
#include "port-status.h"
#include "safe-read.h"
#include "status.h"
#include "store.h"

/* See nc_macmap_defer_writes: at most this late, at most 50 writes a second. */
#define MACMAP_WRITE_DELAY_MS 20

const NcPaths *
nc_daemon_get_paths(NcDaemon *daemon)
{
  return daemon->paths;
}

/* -- front-end slots ----------------------------------------------------------- */

typedef struct {
  gpointer data;
  GDestroyNotify destroy;
} FrontendSlot;

/* Taken out of the table before its destroy function runs, which may call
 * back into the daemon (remove an event handler, look a slot up). */
static void
frontend_slot_destroy(FrontendSlot *slot)
{
  if (slot && slot->destroy)
    slot->destroy(slot->data);
  g_free(slot);
}

void
nc_daemon_set_frontend_data(NcDaemon *daemon, const char *key, gpointer data,
                            GDestroyNotify destroy)
{
  g_return_if_fail(daemon != NULL && key != NULL);
  gpointer old_key = NULL, old = NULL;
  if (g_hash_table_steal_extended(daemon->frontends, key, &old_key, &old))
    g_free(old_key);
  if (data) {
    FrontendSlot *slot = g_new(FrontendSlot, 1);
    *slot = (FrontendSlot){ .data = data, .destroy = destroy };
    g_hash_table_insert(daemon->frontends, g_strdup(key), slot);
  }
  frontend_slot_destroy(old);
}

gpointer
nc_daemon_get_frontend_data(NcDaemon *daemon, const char *key)
{
  FrontendSlot *slot = g_hash_table_lookup(daemon->frontends, key);
  return slot ? slot->data : NULL;
}

static void
frontends_clear(NcDaemon *daemon)
{
  GHashTableIter iter;
  gpointer key;
  /* One at a time: a destroy function may touch the table. */
  while (daemon->frontends && g_hash_table_size(daemon->frontends) > 0) {
    g_hash_table_iter_init(&iter, daemon->frontends);
    if (!g_hash_table_iter_next(&iter, &key, NULL))
      break;
    g_autofree char *k = g_strdup(key);
    nc_daemon_set_frontend_data(daemon, k, NULL, NULL);
  }
  g_clear_pointer(&daemon->frontends, g_hash_table_unref);
}

/* Fills what libvirt fills when it loads a config (uuid, MAC, bridge name)
 * and writes the file back when anything changed, as libvirt does. */
static void
complete_loaded_def(NcDaemon *daemon, NcNetwork *net)
{
  NcNetworkDef *def = net->def;
  gboolean had_uuid = def->has_uuid, had_mac = def->has_mac;
  g_autofree char *had_bridge = g_strdup(def->bridge.name);
  g_autoptr(GError) error = NULL;

  nc_network_def_fill_defaults(def);
  if (!nc_bridge_name_assign(daemon, def, NULL, &error)) {
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", error->message);
    g_clear_error(&error);
  }
  if (had_uuid == def->has_uuid && had_mac == def->has_mac
      && g_strcmp0(had_bridge, def->bridge.name) == 0)
    return;
  if (!nc_store_save_config(daemon->paths, def, &error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "cannot save the completed definition: %s",
                   error->message);
}

static void
load_configs(NcDaemon *daemon)
{
  g_autoptr(GPtrArray) defs = nc_store_load_configs(daemon->paths, NULL);
  g_autoptr(GPtrArray) added = g_ptr_array_new();

  for (guint i = 0; i < defs->len; i++) {
    NcNetworkDef *def = defs->pdata[i];
    if (def->has_uuid) {
      NcNetwork *other = nc_registry_find_uuid(daemon, def->uuid);
      if (other) {
        nc_log_network_name(def->name, G_LOG_LEVEL_WARNING,
                            "%s: uuid already used by network '%s'; skipped",
                            def->source_file ? def->source_file : "config", other->def->name);
        continue;
      }
    } else {
      /* Must be unique before the registry indexes it. */
      nc_uuid_generate(def->uuid);
      def->has_uuid = TRUE;
    }
    NcNetwork *net = nc_network_new(daemon, g_steal_pointer(&defs->pdata[i]));
    net->persistent = TRUE;
    net->autostart = nc_store_get_autostart(daemon->paths, net->def->name);
    nc_registry_add(daemon, net);
    g_ptr_array_add(added, net);
  }
  /* Second pass: bridge names are picked knowing every network's name. */
  for (guint i = 0; i < added->len; i++)
    complete_loaded_def(daemon, added->pdata[i]);
}

/* A start cut short records no bridge ifindex (the status file gets it when
 * the start is complete), and without one the driver would tear down
 * whatever bridge has the name, even one someone else made while we were
 * down. So before a cleanup: a device with the name is ours only when it is
 * a bridge with the MAC this network gives its bridge at creation; then
 * its ifindex goes into the live state and exactly that device goes. FALSE
 * when the name belongs to something else (or we cannot tell): the cleanup
 * must leave it alone. Our start creates nothing before its bridge, and a
 * name holds one device, so a foreign device there means our start left no
 * bridge behind. */
static gboolean
claim_bridge(NcDaemon *daemon, NcNetwork *net)
{
  const NcNetworkDef *def = net->def;
  NcLinkInfo info;
  char want[18] = "none", have[18];

  if (net->live.bridge_ifindex > 0 || !def->bridge.name || !nc_network_def_traits(def)->own_bridge)
    return TRUE; /* the driver knows its device, or has no bridge of ours */
  int r = nc_link_get_info(daemon->kernel, def->bridge.name, &info);
  if (r == -ENODEV)
    return TRUE;
  if (r < 0) {
    nc_log_network(net, G_LOG_LEVEL_WARNING,
                   "cannot look up device '%s' (%s); leaving it and the rest of the "
                   "interrupted start alone",
                   def->bridge.name, g_strerror(-r));
    return FALSE;
  }
  if (def->has_mac && g_str_equal(info.kind, "bridge")
      && memcmp(&info.mac, &def->mac, sizeof info.mac) == 0) {
    net->live.bridge_ifindex = info.ifindex;
    return TRUE;
  }
  if (def->has_mac)
    nc_mac_format(&def->mac, want);
  nc_mac_format(&info.mac, have);
  nc_log_network(net, G_LOG_LEVEL_WARNING,
                 "device '%s' (ifindex %d, %s, MAC %s) was not created by this network (its "
                 "bridge would have MAC %s); left alone",
                 def->bridge.name, info.ifindex, info.kind[0] ? info.kind : "no kind", have, want);
  return FALSE;
}

/* Tears down what a cut-short start or a failed adoption left, and forgets
 * the run. */
static void
abandon_run(NcDaemon *daemon, NcNetwork *net, const NcForwardDriver *driver)
{
  g_autoptr(GError) error = NULL;
  if (driver && claim_bridge(daemon, net)
      && !driver->stop(&daemon->env, net->def, &net->live, &error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "cleanup failed: %s", error->message);
  net->active = FALSE;
  nc_live_state_clear(&net->live);
  if (net->new_def) {
    nc_network_def_free(net->def);
    net->def = g_steal_pointer(&net->new_def);
  }
  nc_status_delete(daemon->paths, net->def->name, NULL);
  if (!net->persistent)
    nc_registry_remove(daemon, net);
}

static void
adopt_one(NcDaemon *daemon, NcStatusRecord *rec)
{
  NcNetwork *net = nc_registry_find_name(daemon, rec->def->name);
  if (net && rec->def->has_uuid && memcmp(net->def->uuid, rec->def->uuid, NC_UUID_LEN) != 0) {
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s: status of a network with another uuid; ignored",
                   rec->path);
    return;
  }
  if (!net) {
    if (!rec->def->has_uuid || nc_registry_find_uuid(daemon, rec->def->uuid)) {
      nc_log_network_name(rec->def->name, G_LOG_LEVEL_WARNING,
                          "%s: status without a usable uuid; ignored", rec->path);
      return;
    }
    /* Running but with no config: a transient network. */
    net = nc_network_new(daemon, nc_network_def_copy(rec->def));
    nc_registry_add(daemon, net);
    nc_network_set_active_from_status(net, NULL, &rec->live);
  } else {
    nc_network_set_active_from_status(net, g_steal_pointer(&rec->def), &rec->live);
  }

  g_autoptr(GError) error = NULL;
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, &error);
  if (rec->state != NC_STATUS_RUNNING) {
    nc_log_network(net, G_LOG_LEVEL_MESSAGE,
                   "its %s was interrupted by the previous daemon; cleaning up",
                   rec->state == NC_STATUS_STARTING ? "start" : "stop");
    abandon_run(daemon, net, driver);
    return;
  }
  if (!driver) {
    /* Running under a mode we cannot manage yet (libvirt started it):
     * leave it alone, still shown as active. */
    nc_log_network(net, G_LOG_LEVEL_WARNING, "left running untouched: %s", error->message);
    return;
  }
  if (!driver->adopt(&daemon->env, net->def, &net->live, &error)) {
    nc_log_network(net, G_LOG_LEVEL_WARNING, "cannot adopt the running network, stopping it: %s",
                   error->message);
    g_autoptr(NcNetwork) hold = nc_network_ref(net);
    abandon_run(daemon, net, driver);
    return;
  }
  /* Record what adoption learnt (a libvirt status has no ifindex). */
  if ((rec->live.bridge_ifindex != net->live.bridge_ifindex
       || g_hash_table_size(rec->live.data) != g_hash_table_size(net->live.data)
       || !rec->has_netctl)
      && !nc_status_save(daemon->paths, net->def, &net->live, NC_STATUS_RUNNING, &error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", error->message);
  nc_log_network(net, G_LOG_LEVEL_INFO, "adopted (bridge %s, ifindex %d)",
                 net->def->bridge.name ? net->def->bridge.name : "none", net->live.bridge_ifindex);
}

/* One daemon per state directory, as libvirt's driver.pid: a lock held for
 * our lifetime, so a second netctld (or libvirt's own network driver, whose
 * POSIX lock conflicts with ours) fails before it touches anything. The lock
 * dies with the process, so a crash never leaves a stale one. An OFD lock,
 * not a POSIX one: closing some other descriptor of the file (anyone reading
 * the pid) must not release it. */
#define LOCK_RETRY_US (50 * 1000)
#define LOCK_TRIES 40 /* 2 s */

static gboolean
acquire_lock(NcDaemon *daemon, GError **error)
{
  g_autofree char *path = g_build_filename(daemon->paths->state_dir, "driver.pid", NULL);
  /* Never through a symlink (the truncation below would hit its target) and
   * never blocking on a FIFO put there: a regular file only. */
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0644);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
    close(fd);
    fd = -1;
    errno = EINVAL;
  }
  if (fd < 0) {
    int e = errno;
    g_set_error(error, NC_ERROR, NC_ERROR_OPEN_FAILED, "cannot open %s: %s", path,
                e == ELOOP || e == EINVAL ? nc_file_refusal_reason(-e) : g_strerror(e));
    return FALSE;
  }
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  /* A daemon killed a moment ago may have left a child between its fork and
   * its exec (a helper being started): until it execs, it holds the lock's
   * description too (descriptors close at exec). Seen with SIGKILL and an
   * immediate restart on a busy machine: worth up to 2 s before saying
   * another daemon runs. */
  int r, e = 0;
  for (guint tries = 0;; tries++) {
    r = fcntl(fd, F_OFD_SETLK, &lock);
    e = errno;
    if (r == 0 || (e != EAGAIN && e != EACCES) || tries >= LOCK_TRIES)
      break;
    if (tries == 0)
      g_message("%s is locked; waiting up to %d s in case a child of a netctld that just ended "
                "still has it",
                path, LOCK_TRIES * LOCK_RETRY_US / G_USEC_PER_SEC);
    g_usleep(LOCK_RETRY_US);
  }
  if (r < 0) {
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    if (e == EAGAIN || e == EACCES) {
      g_strchomp(buf);
      g_set_error(error, NC_ERROR, NC_ERROR_RESOURCE_BUSY,
                  "another network daemon (pid %s) is using %s; stop it first",
                  n > 0 && buf[0] ? buf : "?", daemon->paths->state_dir);
    } else {
      g_set_error(error, NC_ERROR, NC_ERROR_OPEN_FAILED, "cannot lock %s: %s", path, g_strerror(e));
    }
    return FALSE;
  }
  g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
  if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
    g_debug("cannot write our pid to %s: %s", path, g_strerror(errno));
  daemon->lock_fd = fd;
  return TRUE;
}

static void
load_status(NcDaemon *daemon)
{
  g_autoptr(GPtrArray) records = nc_status_load_all(daemon->paths, NULL);
  for (guint i = 0; i < records->len; i++)
    adopt_one(daemon, records->pdata[i]);
}

/* The driver's records beside the ports (a VF's claim) brought in line with
 * them, for running and stopped networks alike. */
static void
recover_ports(NcDaemon *daemon, NcNetwork *net)
{
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, NULL);
  if (!driver || !driver->ports_recover)
    return;
  g_autoptr(GPtrArray) defs = g_ptr_array_new();
  for (guint i = 0; net->ports && i < net->ports->len; i++)
    g_ptr_array_add(defs, ((NcPort *)net->ports->pdata[i])->def);
  driver->ports_recover(&daemon->env, net->def, net->active, defs);
}

/* Ports the previous daemon recorded: those of running networks are checked
 * and plugged in (a TAP of ours that vanished is made again); those of
 * stopped networks wait for the next start. */
static void
load_ports(NcDaemon *daemon)
{
  g_autoptr(GPtrArray) nets = nc_daemon_list(daemon, 0);
  for (guint i = 0; i < nets->len; i++) {
    NcNetwork *net = nets->pdata[i];
    nc_network_ports_load(net);
    recover_ports(daemon, net);
    if (net->active && nc_network_port_count(net) > 0)
      nc_network_ports_plug_all(net);
  }
}

/* Every port uuid of every registered network (borrowed strings). */
static GHashTable *
known_port_uuids(NcDaemon *daemon)
{
  GHashTable *known = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) nets = nc_daemon_list(daemon, 0);
  for (guint i = 0; i < nets->len; i++) {
    NcNetwork *net = nets->pdata[i];
    for (guint j = 0; net->ports && j < net->ports->len; j++)
      g_hash_table_add(known, ((NcPort *)net->ports->pdata[j])->uuid_str);
  }
  return known;
}

/* Devices aliased netctl-port:UUID whose port no network knows: made by a
 * daemon killed between creating a port's device and writing its status
 * file. Nobody can reach them any more; they go (deferred, as a detach). */
static void
sweep_orphan_port_devices(NcDaemon *daemon)
{
  static const char prefix[] = "netctl-port:";
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) aliases = NULL;
  g_autoptr(GArray) ifindexes = NULL;
  int r = nc_link_list_by_alias_prefix(daemon->kernel, prefix, &names, &ifindexes, &aliases);
  if (r < 0) {
    g_warning("cannot look for port devices left by an earlier netctld: %s", g_strerror(-r));
    return;
  }
  g_autoptr(GHashTable) known = known_port_uuids(daemon);
  for (guint i = 0; i < names->len; i++) {
    const char *uuid = (const char *)aliases->pdata[i] + strlen(prefix);
    if (g_hash_table_contains(known, uuid))
      continue;
    const char *name = names->pdata[i];
    g_message("deleting device %s of port %s, which no network has (an earlier netctld was "
              "stopped while making it)",
              name, uuid);
    r = nc_link_delete_deferred_device(daemon->kernel, g_array_index(ifindexes, int, i), name);
    if (r < 0 && r != -ENODEV)
      g_warning("cannot delete device %s: %s", name, g_strerror(-r));
  }
}

/* Port status directories (NET/ports) of networks not registered: an
 * undefine of a stopped shared network killed between removing its
 * definition from the NB and deleting its ports. Names, caller unrefs. */
static GPtrArray *
unregistered_port_dirs(NcDaemon *daemon)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GDir) d = g_dir_open(daemon->paths->state_dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_autofree char *dir = nc_port_status_dir(daemon->paths, name);
    if (g_file_test(dir, G_FILE_TEST_IS_DIR) && !nc_daemon_lookup_by_name(daemon, name, NULL))
      g_ptr_array_add(out, g_strdup(name));
  }
  return out;
}

/* Rows marked netctl-port on this host's OVN integration bridge whose port
 * no registered network has (name -> port uuid; NULL without Open vSwitch
 * or an integration bridge). */
static GHashTable *
unknown_int_bridge_rows(NcDaemon *daemon, const char *socket, char **ret_bridge)
{
  g_auto(NcOvnChassisConfig) c = { 0 };
  g_autoptr(GHashTable) rows = NULL;
  if (nc_ovn_chassis_config_read(socket, &c, NULL) < 0 || !c.has_bridge
      || nc_ovsdb_list_ports(socket, c.bridge, NULL, &rows, NULL) < 0)
    return NULL;
  g_autoptr(GHashTable) known = known_port_uuids(daemon);
  GHashTableIter iter;
  gpointer uuid;
  g_hash_table_iter_init(&iter, rows);
  while (g_hash_table_iter_next(&iter, NULL, &uuid))
    if (g_hash_table_contains(known, uuid))
      g_hash_table_iter_remove(&iter);
  *ret_bridge = g_strdup(c.bridge);
  return g_steal_pointer(&rows);
}

/* Every definition the NB holds is registered here: when the NB could not
 * be read at start, a shared network is missing and its ports must stay. */
static gboolean
shared_defs_loaded(NcDaemon *daemon)
{
  g_autoptr(GPtrArray) defs = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_def_list(daemon->ovn_nb, &defs, &detail);
  if (r < 0) {
    g_message("ports of networks not defined here are kept: the OVN NB %s, which may define "
              "them, cannot be read (%s)",
              daemon->ovn_nb, detail ? detail : g_strerror(-r));
    return FALSE;
  }
  for (guint i = 0; i < defs->len; i++) {
    const NcOvnNbDef *def = defs->pdata[i];
    if (!nc_daemon_lookup_by_uuid(daemon, def->net_uuid, NULL)) {
      g_message("ports of networks not defined here are kept: the OVN NB's network %s is not "
                "loaded yet",
                def->net_uuid);
      return FALSE;
    }
  }
  return TRUE;
}

/* What the ports of a network no longer registered left: only shared
 * networks (--ovn-nb) can leave them (undefine deletes their definition
 * from the NB before their ports, so that a refusal there changes
 * nothing). Their devices go by sweep_orphan_port_devices; here their
 * status files and their rows on br-int. */
static void
sweep_unregistered_ports(NcDaemon *daemon)
{
  if (!daemon->ovn_nb)
    return;
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *bridge = NULL;
  g_autoptr(GPtrArray) dirs = unregistered_port_dirs(daemon);
  g_autoptr(GHashTable) rows = unknown_int_bridge_rows(daemon, socket, &bridge);
  if ((!dirs->len && (!rows || !g_hash_table_size(rows))) || !shared_defs_loaded(daemon))
    return;
  for (guint i = 0; i < dirs->len; i++) {
    g_message("network '%s' is not defined any more: deleting the ports an earlier netctld "
              "left on record for it",
              (char *)dirs->pdata[i]);
    nc_port_status_delete_all(daemon->paths, dirs->pdata[i]);
  }
  GHashTableIter iter;
  gpointer name, uuid;
  if (rows)
    g_hash_table_iter_init(&iter, rows);
  while (rows && g_hash_table_iter_next(&iter, &name, &uuid)) {
    g_autofree char *detail = NULL;
    int r = nc_ovsdb_port_del(socket, name, uuid, &detail);
    if (r < 0)
      g_warning("cannot remove %s (port %s, which no network has) from '%s': %s", (char *)name,
                (char *)uuid, bridge, detail ? detail : g_strerror(-r));
    else
      g_message("%s (port %s, which no network has) removed from '%s'", (char *)name, (char *)uuid,
                bridge);
  }
}

NcDaemon *
nc_daemon_new(const NcDaemonOptions *opts, GError **error)
{
  NcDaemonOptions defaults = { 0 };
  if (!opts)
    opts = &defaults;

  g_autoptr(NcDaemon) daemon = g_new0(NcDaemon, 1);
  daemon->lock_fd = -1;
  daemon->paths = nc_paths_new(opts->root);
  daemon->kernel = nc_kernel_new(opts->proc_root, opts->sys_root);
  daemon->verbose = opts->verbose;
  daemon->env.kernel = daemon->kernel;
  daemon->env.state_dir = daemon->paths->state_dir;
  daemon->env.dnsmasq_dir = daemon->paths->dnsmasq_dir;
  daemon->dev_root = g_strdup(opts->dev_root);
  const char *why = NULL;
  if (opts->ovn_nb && !nc_ovn_remotes_valid(opts->ovn_nb, &why)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "--ovn-nb '%s': %s", opts->ovn_nb, why);
    return NULL;
  }
  daemon->ovn_nb = g_strdup(opts->ovn_nb);
  daemon->env.dev_dir = daemon->dev_root;
  daemon->by_name
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)nc_network_unref);
  daemon->by_uuid = g_hash_table_new(g_str_hash, g_str_equal);
  daemon->handlers = g_ptr_array_new_with_free_func(nc_event_handler_free);
  daemon->frontends = g_hash_table_new(g_str_hash, g_str_equal);
  daemon->env.runtime = nc_managed_attach(daemon);
  /* The NSS module's MAC map: one write per burst of port changes (the
   * module is asked for a guest's name after its DHCP lease, not within
   * milliseconds of its port). */
  nc_macmap_defer_writes(MACMAP_WRITE_DELAY_MS);

  const char *dirs[]
      = { daemon->paths->config_dir, daemon->paths->state_dir, daemon->paths->dnsmasq_dir };
  for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
    if (!nc_store_ensure_dir(dirs[i], error))
      return NULL;
  }

  if (!acquire_lock(daemon, error))
    return NULL;
  load_configs(daemon);
  if (daemon->ovn_nb)
    nc_daemon_ovn_refresh(daemon); /* before the status files: they name these networks */
  if (!opts->no_default_network)
    nc_managed_install_default_network(daemon, opts->default_network_xml);
  load_status(daemon);
  int unmarked = nc_link_unmark_devices(daemon->kernel);
  if (unmarked > 0)
    g_message("%d port device%s an earlier netctld was deleting: kept for the ports still on "
              "record, deleted otherwise",
              unmarked, unmarked == 1 ? "" : "s");
  load_ports(daemon);
  sweep_orphan_port_devices(daemon);
  sweep_unregistered_ports(daemon);
  int reaped = nc_link_reap_leftovers(daemon->kernel);
  if (reaped > 0)
    g_message("deleting %d bridge%s an earlier netctld left half-deleted", reaped,
              reaped == 1 ? "" : "s");
  if (!opts->no_autostart)
    nc_autostart_run(daemon);
  nc_daemon_ovn_watch_start(daemon); /* from now on the NB's changes are followed */
  return g_steal_pointer(&daemon);
}

void
nc_daemon_free(NcDaemon *daemon)
{
  if (!daemon)
    return;
  frontends_clear(daemon);   /* before anything they may use goes */
  nc_daemon_ovn_watch_stop(daemon);
  nc_macmap_flush_all();
  nc_managed_detach(daemon); /* dnsmasq supervision ends; the processes run on */
  /* Handles kept by front ends outlive us: mark them removed. */
  if (daemon->by_name) {
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, daemon->by_name);
    while (g_hash_table_iter_next(&iter, NULL, &value))
      ((NcNetwork *)value)->daemon = NULL;
  }
  g_clear_pointer(&daemon->by_uuid, g_hash_table_unref);
  g_clear_pointer(&daemon->by_name, g_hash_table_unref);
  g_clear_pointer(&daemon->handlers, g_ptr_array_unref);
  nc_kernel_free(daemon->kernel);
  if (daemon->lock_fd >= 0)
    close(daemon->lock_fd); /* releases the lock; the file stays, as libvirt's */
  nc_paths_free(daemon->paths);
  g_free(daemon->dev_root);
  g_free(daemon->ovn_nb);
  g_free(daemon);
}
