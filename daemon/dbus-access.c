/* Access control for the D-Bus front end: any local user may read, only root
 * may change anything.
 *
 * The daemon asks the bus for the caller's uid itself rather than trusting the
 * bus policy (org.netctl1.conf is a second line of defence that an admin may
 * loosen). The lookup is asynchronous so one slow caller does not stall the
 * main loop. Its answer is kept per unique name (fe->uids): the bus never
 * reuses a unique name and a connection's uid cannot change, so a cached
 * answer cannot be wrong, and a client making many changes (64 of them in
 * bench/load.sh) saves a bus round trip and a main-loop turn per change.
 * Only successful answers are kept; the table is emptied when it reaches
 * UID_CACHE_MAX names (those of vanished clients are never asked again). */
#include "dbus-private.h"

#include "nc-error.h"
#include "nc-log.h"

#define UID_CACHE_MAX 4096

typedef struct {
  NcDbusFrontend *fe;
  GDBusMethodInvocation *inv;
  NcDbusHandler func;
} AccessCheck;

static void
access_check_free(AccessCheck *check)
{
  nc_dbus_frontend_unref(check->fe);
  if (check->inv != NULL)
    g_object_unref(check->inv);
  g_free(check);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AccessCheck, access_check_free)

/* A change allowed, waiting its turn on fe->writes. */
static void
run_change(gpointer data, gboolean run)
{
  g_autoptr(AccessCheck) job = data;

  if (run && !job->fe->stopped) {
    job->func(job->fe, g_steal_pointer(&job->inv));
    return;
  }
  g_dbus_method_invocation_return_dbus_error(g_steal_pointer(&job->inv),
                                             nc_error_code_to_dbus_name(NC_ERROR_OPERATION_FAILED),
                                             "netctld is shutting down");
}

/* uid is -1 when it could not be determined: refused like any non-root. */
static void
decide(NcDbusFrontend *fe, GDBusMethodInvocation *inv, NcDbusHandler func, gint64 uid)
{
  const char *member = g_dbus_method_invocation_get_method_name(inv);
  g_autofree char *msg = NULL;
  const char *sender;
  NcNetwork *net;

  if (fe->stopped) {
    g_dbus_method_invocation_return_dbus_error(
        inv, nc_error_code_to_dbus_name(NC_ERROR_OPERATION_FAILED), "netctld is shutting down");
    return;
  }
  if (uid == 0) {
    AccessCheck *job = g_new0(AccessCheck, 1);
    job->fe = nc_dbus_frontend_ref(fe);
    job->inv = inv;
    job->func = func;
    nc_write_queue_push(fe->writes, run_change, job);
    return;
  }
  /* Properties.Set: name the property, not "Set". */
  if (g_str_equal(member, "Set") && g_dbus_method_invocation_get_property_info(inv) != NULL)
    member = g_dbus_method_invocation_get_property_info(inv)->name;
  sender = g_dbus_method_invocation_get_sender(inv);
  net = nc_dbus_network_from_path(fe, g_dbus_method_invocation_get_object_path(inv), NULL);
  if (net != NULL)
    nc_log_network(net, G_LOG_LEVEL_MESSAGE,
                   "D-Bus: refused %s from %s (uid %" G_GINT64_FORMAT "): only root may change "
                   "networks",
                   member, sender ? sender : "peer", uid);
  else
    g_message("D-Bus: refused %s from %s (uid %" G_GINT64_FORMAT "): only root may change "
              "networks",
              member, sender ? sender : "peer", uid);
  msg = g_strdup_printf(
      "access denied: '%s' changes networks and requires root (caller uid %" G_GINT64_FORMAT ")",
      member, uid);
  g_dbus_method_invocation_return_dbus_error(
      inv, nc_error_code_to_dbus_name(NC_ERROR_ACCESS_DENIED), msg);
}

static void
on_unix_user(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AccessCheck) check = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  guint32 uid;

  if (reply == NULL) {
    g_warning("D-Bus: cannot get the uid of %s: %s",
              g_dbus_method_invocation_get_sender(check->inv), error->message);
    decide(check->fe, g_object_ref(check->inv), check->func, -1);
    return;
  }
  g_variant_get(reply, "(u)", &uid);
  if (!check->fe->stopped && check->fe->uids != NULL) {
    if (g_hash_table_size(check->fe->uids) >= UID_CACHE_MAX)
      g_hash_table_remove_all(check->fe->uids);
    g_hash_table_replace(check->fe->uids, g_strdup(g_dbus_method_invocation_get_sender(check->inv)),
                         GUINT_TO_POINTER(uid + 1)); /* + 1: NULL is "not cached" */
  }
  decide(check->fe, g_object_ref(check->inv), check->func, uid);
}

void
nc_dbus_access_require_root(NcDbusFrontend *fe, GDBusMethodInvocation *inv, NcDbusHandler func)
{
  const char *sender = g_dbus_method_invocation_get_sender(inv);
  GDBusConnection *conn = g_dbus_method_invocation_get_connection(inv);
  AccessCheck *check;

  if (sender == NULL) {
    /* Peer-to-peer connection: the kernel's credentials of the peer. */
    GCredentials *creds = g_dbus_connection_get_peer_credentials(conn);
    uid_t uid = creds != NULL ? g_credentials_get_unix_user(creds, NULL) : (uid_t)-1;
    decide(fe, inv, func, uid == (uid_t)-1 ? -1 : (gint64)uid);
    return;
  }

  gpointer cached = fe->uids != NULL ? g_hash_table_lookup(fe->uids, sender) : NULL;
  if (cached != NULL) {
    decide(fe, inv, func, (gint64)GPOINTER_TO_UINT(cached) - 1);
    return;
  }

  check = g_new0(AccessCheck, 1);
  check->fe = nc_dbus_frontend_ref(fe);
  check->inv = inv; /* our reference, handed on to decide() */
  check->func = func;
  g_dbus_connection_call(conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus", "GetConnectionUnixUser",
                         g_variant_new("(s)", sender), G_VARIANT_TYPE("(u)"),
                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_unix_user, check);
}
