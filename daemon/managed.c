/* The daemon side of managed-bridge networks: the drivers' runtime, DHCP
 * leases (read from the lease helper's database, signalled when they
 * change) and the default network. See managed.h. */
#include <string.h>
#include <time.h>

#include "leases.h"
#include "managed.h"
#include "nc-config.h"
#include "nc-daemon-private.h"
#include "nc-error.h"
#include "nc-log.h"
#include "ovn-leases.h"
#include "store.h"

#define FIRST_START_MARKER ".netctl-first-start"

/* The daemon object's `managed` slot. */
typedef struct _NcManaged {
  NcDaemon *daemon;
  NcDriverRuntime *runtime;
  guint handler_id;
  /* network name -> GPtrArray of NcDhcpLease: what was last signalled */
  GHashTable *snapshots;
} Managed;

static void
managed_free(Managed *m)
{
  /* The runtime first: its lease watches call back into us. */
  nc_driver_runtime_free(m->runtime);
  if (m->handler_id)
    nc_daemon_remove_event_handler(m->daemon, m->handler_id);
  g_hash_table_unref(m->snapshots);
  g_free(m);
}

/* -- leases ------------------------------------------------------------------ */

static GPtrArray *
read_leases(NcNetwork *net, const char *mac, GError **error)
{
  const NcNetworkDef *def = net->def;
  if (net->active && nc_network_def_kind(def) == NC_NETWORK_KIND_OVN)
    return nc_ovn_leases_read(def, mac, error); /* OVN's IPAM, in the NB */
  if (!net->active || !def->bridge.name || !nc_network_def_traits(def)->dnsmasq)
    return g_ptr_array_new_with_free_func((GDestroyNotify)nc_dhcp_lease_free);
  return nc_leases_read(net->daemon->paths->dnsmasq_dir, def->bridge.name, def, mac,
                        (gint64)time(NULL), error);
}

GPtrArray *
nc_network_get_dhcp_leases(NcNetwork *net, const char *mac, GError **error)
{
  if (nc_network_is_removed(net)) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK, "network '%s' no longer exists",
                net->def->name);
    return NULL;
  }
  return read_leases(net, mac, error);
}

static const NcDhcpLease *
find_lease(GPtrArray *leases, const NcDhcpLease *like)
{
  for (guint i = 0; leases && i < leases->len; i++) {
    const NcDhcpLease *l = leases->pdata[i];
    if (l->type == like->type && g_strcmp0(l->ipaddr, like->ipaddr) == 0)
      return l;
  }
  return NULL;
}

static gboolean
lease_equal(const NcDhcpLease *a, const NcDhcpLease *b)
{
  return a->expiry_time == b->expiry_time && g_strcmp0(a->mac, b->mac) == 0
         && g_strcmp0(a->hostname, b->hostname) == 0 && g_strcmp0(a->clientid, b->clientid) == 0
         && g_strcmp0(a->iaid, b->iaid) == 0;
}

static void
publish_lease(NcDaemon *daemon, NcNetwork *net, const char *action, const NcDhcpLease *lease)
{
  NcEvent ev = { .kind = NC_EVENT_DHCP_LEASE, .net = net, .lease_action = action, .lease = lease };
  nc_daemon_publish(daemon, &ev);
}

/* Signals the difference between the last snapshot and now: "add" for a new
 * address, "old" for a renewed or changed one (dnsmasq's word), "del" for
 * one that is gone (released or expired). */
static void
diff_and_emit(Managed *m, NcNetwork *net)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) now = read_leases(net, NULL, &error);
  if (!now) {
    nc_log_network(net, G_LOG_LEVEL_WARNING, "cannot read the DHCP leases: %s", error->message);
    return;
  }
  GPtrArray *before = g_hash_table_lookup(m->snapshots, net->def->name);
  if (!before) {
    /* The first look at an adopted network: what it has is not news. */
    g_hash_table_insert(m->snapshots, g_strdup(net->def->name), g_steal_pointer(&now));
    return;
  }
  for (guint i = 0; i < now->len; i++) {
    const NcDhcpLease *l = now->pdata[i];
    const NcDhcpLease *old = find_lease(before, l);
    if (old && lease_equal(old, l))
      continue;
    nc_log_network(net, G_LOG_LEVEL_DEBUG, "DHCP lease %s: %s (%s)", old ? "old" : "add", l->ipaddr,
                   l->mac ? l->mac : "-");
    publish_lease(m->daemon, net, old ? "old" : "add", l);
  }
  for (guint i = 0; before && i < before->len; i++) {
    const NcDhcpLease *l = before->pdata[i];
    if (find_lease(now, l))
      continue;
    nc_log_network(net, G_LOG_LEVEL_DEBUG, "DHCP lease del: %s", l->ipaddr);
    publish_lease(m->daemon, net, "del", l);
  }
  g_hash_table_insert(m->snapshots, g_strdup(net->def->name), g_steal_pointer(&now));
}

static void
on_leases_changed(const char *network_name, gpointer user_data)
{
  Managed *m = user_data;
  NcNetwork *net = nc_registry_find_name(m->daemon, network_name);
  if (net && net->active)
    diff_and_emit(m, net);
}

/* A network that starts begins with the leases it has, unsignalled (an
 * adopted one: on the runtime's first call); one that stops forgets them. */
static void
on_network_event(NcDaemon *daemon, const NcEvent *ev, gpointer user_data)
{
  Managed *m = user_data;
  NcNetwork *net = ev->net;
  if (ev->kind != NC_EVENT_NETWORK_LIFECYCLE)
    return;
  if (ev->lifecycle == NC_NETWORK_EVENT_STOPPED)
    g_hash_table_remove(m->snapshots, net->def->name);
  else if (ev->lifecycle == NC_NETWORK_EVENT_STARTED) {
    GPtrArray *leases = read_leases(net, NULL, NULL);
    if (leases)
      g_hash_table_insert(m->snapshots, g_strdup(net->def->name), leases);
  }
}

NcDriverRuntime *
nc_managed_attach(NcDaemon *daemon)
{
  Managed *m = g_new0(Managed, 1);
  m->daemon = daemon;
  m->snapshots
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  m->runtime = nc_driver_runtime_new(on_leases_changed, m);
  m->handler_id = nc_daemon_add_event_handler(daemon, on_network_event, m, NULL);
  g_clear_pointer(&daemon->managed, managed_free);
  daemon->managed = m;
  return m->runtime;
}

void
nc_managed_detach(NcDaemon *daemon)
{
  g_clear_pointer(&daemon->managed, managed_free);
}

/* -- the default network -------------------------------------------------------------- */

void
nc_managed_install_default_network(NcDaemon *daemon, const char *xml_path)
{
  g_autofree char *marker = g_build_filename(daemon->paths->config_dir, FIRST_START_MARKER, NULL);
  if (g_file_test(marker, G_FILE_TEST_EXISTS))
    return;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) defined = nc_daemon_list(daemon, NC_LIST_PERSISTENT);
  if (defined->len > 0)
    return; /* a host with networks already (libvirt's): not a first start */
  if (!xml_path)
    xml_path = g_getenv("NETCTL_DEFAULT_NETWORK");
  if (!xml_path)
    xml_path = NC_DEFAULT_NETWORK_XML;
  g_autofree char *xml = NULL;
  if (!g_file_get_contents(xml_path, &xml, NULL, &error)) {
    /* Not installed (a build-tree daemon): nothing to do, nothing marked. */
    g_debug("no default network to define: %s", error->message);
    return;
  }
  NcNetwork *net = nc_daemon_define_xml(daemon, xml, 0, &error);
  if (!net || !nc_network_set_autostart(net, TRUE, &error)) {
    g_warning("cannot define the default network from %s: %s", xml_path, error->message);
    return;
  }
  nc_log_network(net, G_LOG_LEVEL_MESSAGE, "defined from %s and marked autostart (first start)",
                 xml_path);
  if (!nc_store_write_atomic(marker, "", 0, 0644, &error))
    g_warning("%s", error->message);
}
