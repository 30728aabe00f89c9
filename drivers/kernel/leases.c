/* See leases.h. */
#include "leases.h"

#include <errno.h>
#include <gio/gio.h>
#include <sys/socket.h>

#include "lease-file.h"
#include "nc-addr.h"
#include "nc-error.h"
#include "safe-read.h"

/* Changes within this many milliseconds are reported once: one lease event is
 * a temporary file and a rename, i.e. several monitor events. */
#define WATCH_DEBOUNCE_MS 20

static guint
lease_prefix(const NcNetworkDef *def, int family, const char *ip)
{
  NcSockAddr addr;
  if (!def || !def->ips || !nc_sockaddr_parse(ip, family, &addr))
    return 0;
  int first = -1;
  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ipdef = g_ptr_array_index(def->ips, i);
    if (ipdef->family != family)
      continue;
    int prefix = nc_ip_def_prefix(ipdef);
    if (prefix < 0)
      continue;
    if (first < 0)
      first = prefix;
    if (nc_sockaddr_in_subnet(&addr, &ipdef->address, (guint)prefix))
      return (guint)prefix;
  }
  return first < 0 ? 0 : (guint)first;
}

GPtrArray *
nc_leases_read(const char *dnsmasq_dir, const char *bridge, const NcNetworkDef *def,
               const char *mac, gint64 now, GError **error)
{
  g_autofree char *path = nc_lease_status_path(dnsmasq_dir, bridge);
  if (!path) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "invalid bridge name '%s'",
                bridge ? bridge : "");
    return NULL;
  }
  g_autoptr(GPtrArray) entries = NULL;
  int r = nc_lease_file_read(path, &entries);
  if (nc_file_is_refusal(r)) {
    /* Not a file the helper wrote (a FIFO, a symlink, a huge or absurdly
     * nested text): read as no lease, said once per call. */
    g_warning("ignoring the DHCP lease database %s: %s", path, nc_file_refusal_reason(r));
    return g_ptr_array_new_with_free_func((GDestroyNotify)nc_dhcp_lease_free);
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_READ_FAILED, "cannot read the DHCP leases in %s: %s",
                path, r == -EBADMSG ? "not a JSON array of leases" : g_strerror(-r));
    return NULL;
  }

  GPtrArray *leases = g_ptr_array_new_with_free_func((GDestroyNotify)nc_dhcp_lease_free);
  gboolean filter = mac && *mac;
  for (guint i = 0; i < entries->len; i++) {
    NcLeaseEntry *e = g_ptr_array_index(entries, i);
    if (nc_lease_entry_expired(e, now))
      continue;
    if (filter && (!e->mac || g_ascii_strcasecmp(e->mac, mac) != 0))
      continue;
    gboolean v6 = nc_lease_entry_is_ipv6(e);
    NcDhcpLease *lease = g_new0(NcDhcpLease, 1);
    lease->iface = g_strdup(bridge);
    lease->expiry_time = e->expiry;
    lease->type = v6 ? 1 : 0;
    lease->mac = g_strdup(e->mac);
    lease->iaid = g_strdup(e->iaid);
    lease->ipaddr = g_strdup(e->ip);
    lease->prefix = lease_prefix(def, v6 ? AF_INET6 : AF_INET, e->ip);
    lease->hostname = g_strdup(e->hostname);
    lease->clientid = g_strdup(e->client_id);
    g_ptr_array_add(leases, lease);
  }
  return leases;
}

/* -- the watcher -------------------------------------------------------------- */

struct _NcLeaseWatch {
  char *path;
  GFileMonitor *monitor;
  NcLeaseWatchFunc func;
  gpointer user_data;
  guint debounce_id;
  guint expiry_id;
};

static void arm_expiry(NcLeaseWatch *watch);

static gboolean
on_expiry(gpointer data)
{
  NcLeaseWatch *watch = data;
  watch->expiry_id = 0;
  arm_expiry(watch);
  watch->func(watch->user_data);
  return G_SOURCE_REMOVE;
}

/* A timer for the next lease to expire, so its end is reported too: nothing
 * writes the file when a lease simply runs out. */
static void
arm_expiry(NcLeaseWatch *watch)
{
  g_clear_handle_id(&watch->expiry_id, g_source_remove);
  g_autoptr(GPtrArray) entries = NULL;
  if (nc_lease_file_read(watch->path, &entries) < 0)
    return;
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  gint64 next = 0;
  for (guint i = 0; i < entries->len; i++) {
    const NcLeaseEntry *e = g_ptr_array_index(entries, i);
    if (e->expiry >= now && (next == 0 || e->expiry < next))
      next = e->expiry;
  }
  if (next > 0) /* expired means expiry < now: one second past it */
    watch->expiry_id
        = g_timeout_add_seconds((guint)MIN(next - now + 1, G_MAXUINT / 2), on_expiry, watch);
}

static gboolean
on_debounced(gpointer data)
{
  NcLeaseWatch *watch = data;
  watch->debounce_id = 0;
  arm_expiry(watch);
  watch->func(watch->user_data);
  return G_SOURCE_REMOVE;
}

static void
on_changed(GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer data)
{
  NcLeaseWatch *watch = data;
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  if (!watch->debounce_id)
    watch->debounce_id = g_timeout_add(WATCH_DEBOUNCE_MS, on_debounced, watch);
}

NcLeaseWatch *
nc_lease_watch_new(const char *dnsmasq_dir, const char *bridge, NcLeaseWatchFunc func,
                   gpointer user_data)
{
  g_autofree char *path = nc_lease_status_path(dnsmasq_dir, bridge);
  if (!path)
    return NULL;
  g_autoptr(GFile) file = g_file_new_for_path(path);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor = g_file_monitor_file(file, G_FILE_MONITOR_NONE, NULL, &error);
  if (!monitor) {
    g_debug("cannot watch %s: %s", path, error->message);
    return NULL;
  }
  NcLeaseWatch *watch = g_new0(NcLeaseWatch, 1);
  watch->path = g_steal_pointer(&path);
  watch->monitor = monitor;
  watch->func = func;
  watch->user_data = user_data;
  g_signal_connect(monitor, "changed", G_CALLBACK(on_changed), watch);
  arm_expiry(watch);
  return watch;
}

void
nc_lease_watch_free(NcLeaseWatch *watch)
{
  if (!watch)
    return;
  g_clear_handle_id(&watch->debounce_id, g_source_remove);
  g_clear_handle_id(&watch->expiry_id, g_source_remove);
  g_signal_handlers_disconnect_by_data(watch->monitor, watch);
  g_file_monitor_cancel(watch->monitor);
  g_object_unref(watch->monitor);
  g_free(watch->path);
  g_free(watch);
}
