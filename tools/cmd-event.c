/* netctl net-event: waits for the daemon's NetworkEvent signals and prints
 * them as virsh does ("event 'lifecycle' for network NAME: Started"). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "args.h"
#include "commands.h"
#include "nc-error.h"
#include "output.h"

/* VIR_NETWORK_EVENT_* as virsh names them */
static const char *const event_names[] = { "Defined", "Undefined", "Started", "Stopped" };

typedef struct {
  NcClient *client;
  GMainLoop *loop;
  GHashTable *names;       /* object path -> network name */
  const char *filter_path; /* NULL = every network */
  gboolean keep_going;     /* --loop */
  gboolean timestamp;
  gboolean timed_out;
  int count;
} EventState;

/* The name of the network behind `path`. The signal carries only the path,
 * and after UNDEFINED (or STOPPED of a transient network) the object is gone,
 * so names are cached from the start and from every event; the UUID stands
 * in for a network that came and went before we could ask. */
static const char *
name_for(EventState *st, const char *path)
{
  const char *name = g_hash_table_lookup(st->names, path);
  g_autoptr(NcNetInfo) info = NULL;

  if (name != NULL)
    return name;
  info = nc_client_get_info(st->client, path, NULL);
  if (info != NULL && info->name[0] != '\0') {
    g_hash_table_insert(st->names, g_strdup(path), g_strdup(info->name));
  } else {
    char *uuid = nc_client_path_to_uuid(path);
    g_hash_table_insert(st->names, g_strdup(path), uuid ? uuid : g_strdup(path));
  }
  return g_hash_table_lookup(st->names, path);
}

static void
on_network_event(GDBusConnection *bus, const char *sender, const char *object_path,
                 const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
  EventState *st = user_data;
  const char *path;
  gint32 event;
  const char *what;

  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(oi)")))
    return;
  /* Without --loop only the first event counts, as in virsh. */
  if (!st->keep_going && st->count > 0)
    return;
  g_variant_get(params, "(&oi)", &path, &event);
  if (st->filter_path != NULL && strcmp(path, st->filter_path) != 0)
    return;
  what = event >= 0 && event < (gint32)G_N_ELEMENTS(event_names) ? event_names[event] : "unknown";
  if (st->timestamp) {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *ts = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    printf("%s.%03d+0000: ", ts, g_date_time_get_microsecond(now) / 1000);
  }
  printf("event 'lifecycle' for network %s: %s\n", name_for(st, path), what);
  /* Readers are often pipes or files (scripts, tests): one line at a time. */
  fflush(stdout);
  st->count++;
  if (!st->keep_going)
    g_main_loop_quit(st->loop);
}

static gboolean
on_timeout(gpointer user_data)
{
  EventState *st = user_data;

  st->timed_out = TRUE;
  g_main_loop_quit(st->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal(gpointer user_data)
{
  EventState *st = user_data;

  g_main_loop_quit(st->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_closed(GDBusConnection *bus, gboolean remote_peer_vanished, GError *error, gpointer user_data)
{
  EventState *st = user_data;

  g_main_loop_quit(st->loop);
}

int
nc_cmd_net_event(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, 0, "filter by network name or uuid" },
    { "event", NC_ARG_STRING, 0, "which event type to wait for (lifecycle, the default)" },
    { "loop", NC_ARG_BOOL, 0, "loop until timeout or interrupt, rather than one-shot" },
    { "timeout", NC_ARG_INT, 0, "timeout seconds" },
    { "list", NC_ARG_BOOL, 0, "list valid event types" },
    { "timestamp", NC_ARG_BOOL, 0, "show timestamp for each printed event" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-event", "Network Events", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autofree char *filter_path = NULL;
  g_autoptr(GPtrArray) nets = NULL;
  g_autoptr(GError) err = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GHashTable) names = NULL;
  EventState st = { 0 };
  const char *event;
  NcClient *client;
  guint sub, timeout_id = 0, sigint_id, sigterm_id;
  gulong closed_id;
  int timeout = 0;

  if (args == NULL)
    return status;
  if (nc_args_has(args, "list")) {
    printf("lifecycle\n");
    return 0;
  }
  event = nc_args_get(args, "event");
  if (event != NULL && strcmp(event, "lifecycle") != 0) {
    if (strcmp(event, "metadata-change") == 0)
      g_printerr("error: event type 'metadata-change' is not supported by netctld yet\n");
    else {
      g_autofree char *q = nc_name_escape(event);
      g_printerr("error: unknown event type %s\n", q);
    }
    return 1;
  }
  if (nc_args_has(args, "timeout")) {
    timeout = nc_args_get_int(args, "timeout", 0);
    if (timeout <= 0) {
      g_autofree char *q = nc_name_escape(nc_args_get(args, "timeout"));
      g_printerr("error: invalid timeout value '%s' (a positive number of seconds)\n", q);
      return 2;
    }
  }
  if ((client = nc_ctl_client(ctl)) == NULL)
    return 1;
  if (nc_args_has(args, "network")) {
    const char *arg = nc_args_get(args, "network");
    filter_path = nc_client_lookup(client, arg, NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME, &err);
    if (filter_path == NULL)
      return nc_print_error(err, "failed to get network '%s'", arg);
  }

  loop = g_main_loop_new(NULL, FALSE);
  names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  st.client = client;
  st.loop = loop;
  st.names = names;
  st.filter_path = filter_path;
  st.keep_going = nc_args_has(args, "loop");
  st.timestamp = nc_args_has(args, "timestamp");

  /* Subscribe first, then list: the list call returns after the bus has
   * installed our match rule, so no event is lost, and every network that
   * exists by then has its name cached. */
  sub = g_dbus_connection_signal_subscribe(nc_client_get_bus(client), NC_BUS_NAME, NC_CONNECT_IFACE,
                                           "NetworkEvent", NC_CONNECT_PATH, NULL,
                                           G_DBUS_SIGNAL_FLAGS_NONE, on_network_event, &st, NULL);
  nets = nc_client_list(client, 0, &err);
  if (nets == NULL) {
    g_dbus_connection_signal_unsubscribe(nc_client_get_bus(client), sub);
    return nc_print_error(err, "failed to register for network events");
  }
  for (guint i = 0; i < nets->len; i++) {
    const NcNetInfo *n = g_ptr_array_index(nets, i);
    g_hash_table_insert(names, g_strdup(n->path), g_strdup(n->name));
  }

  if (timeout > 0)
    timeout_id = g_timeout_add_seconds(timeout, on_timeout, &st);
  sigint_id = g_unix_signal_add(SIGINT, on_signal, &st);
  sigterm_id = g_unix_signal_add(SIGTERM, on_signal, &st);
  closed_id = g_signal_connect(nc_client_get_bus(client), "closed", G_CALLBACK(on_closed), &st);
  g_main_loop_run(loop);

  g_signal_handler_disconnect(nc_client_get_bus(client), closed_id);
  g_dbus_connection_signal_unsubscribe(nc_client_get_bus(client), sub);
  if (timeout_id != 0 && !st.timed_out)
    g_source_remove(timeout_id);
  g_source_remove(sigint_id);
  g_source_remove(sigterm_id);

  if (st.timed_out)
    printf("event loop timed out\n");
  printf("events received: %d\n", st.count);
  return 0;
}
