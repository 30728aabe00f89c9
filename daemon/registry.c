/* The registry of networks (name and uuid indexes), list filters, and the
 * dispatch of change events to the front ends. */
#include <string.h>

#include "nc-daemon-private.h"
#include "nc-error.h"
#include "network-check-names.h"

NcNetwork *
nc_network_new(NcDaemon *daemon, NcNetworkDef *def)
{
  NcNetwork *net = g_new0(NcNetwork, 1);
  net->ref = 1;
  net->def = def;
  nc_uuid_format(def->uuid, net->uuid_str);
  nc_live_state_init(&net->live);
  return net;
}

NcNetwork *
nc_network_ref(NcNetwork *net)
{
  g_atomic_int_inc(&net->ref);
  return net;
}

void
nc_network_unref(NcNetwork *net)
{
  if (!net || !g_atomic_int_dec_and_test(&net->ref))
    return;
  nc_network_def_free(net->def);
  nc_network_def_free(net->new_def);
  nc_live_state_destroy(&net->live);
  nc_network_ports_free(net);
  g_free(net);
}

void
nc_registry_add(NcDaemon *daemon, NcNetwork *net)
{
  net->daemon = daemon;
  g_hash_table_replace(daemon->by_name, g_strdup(net->def->name), net);
  g_hash_table_replace(daemon->by_uuid, net->uuid_str, net);
}

void
nc_registry_remove(NcDaemon *daemon, NcNetwork *net)
{
  if (net->daemon != daemon)
    return;
  /* Its ports go with it (and the TAPs netctl made for them). */
  nc_network_ports_delete_all(net);
  net->daemon = NULL;
  g_hash_table_remove(daemon->by_uuid, net->uuid_str);
  /* Last: this may drop the final reference. */
  g_hash_table_remove(daemon->by_name, net->def->name);
}

NcNetwork *
nc_registry_find_name(NcDaemon *daemon, const char *name)
{
  return name ? g_hash_table_lookup(daemon->by_name, name) : NULL;
}

NcNetwork *
nc_registry_find_uuid(NcDaemon *daemon, const guint8 uuid[NC_UUID_LEN])
{
  char str[NC_UUID_STRING_LEN];
  nc_uuid_format(uuid, str);
  return g_hash_table_lookup(daemon->by_uuid, str);
}

/* A caller's string quoted in a message: one line (control characters
 * escaped), at most 200 characters, still UTF-8. */
static char *
quote_user(const char *s)
{
  if (!s)
    return g_strdup("");
  glong n = g_utf8_validate(s, -1, NULL) ? g_utf8_strlen(s, -1) : -1;
  if (n < 0)
    return g_strdup("(not UTF-8)");
  g_autofree char *cut = n > 200 ? g_utf8_substring(s, 0, 200) : g_strdup(s);
  g_autofree char *escaped = nc_name_escape(cut);
  return n > 200 ? g_strconcat(escaped, "...", NULL) : g_steal_pointer(&escaped);
}

NcNetwork *
nc_daemon_lookup_by_name(NcDaemon *daemon, const char *name, GError **error)
{
  NcNetwork *net = nc_registry_find_name(daemon, name);
  if (!net && daemon->ovn_nb) {
    nc_daemon_ovn_refresh(daemon); /* perhaps defined on another host */
    net = nc_registry_find_name(daemon, name);
  }
  if (!net) {
    g_autofree char *q = quote_user(name);
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK, "no network with matching name '%s'", q);
  }
  return net;
}

NcNetwork *
nc_daemon_lookup_by_uuid(NcDaemon *daemon, const char *uuid, GError **error)
{
  guint8 raw[NC_UUID_LEN];
  g_autofree char *q = quote_user(uuid);
  if (!uuid || !nc_uuid_parse(uuid, raw)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "invalid UUID '%s'", q);
    return NULL;
  }
  NcNetwork *net = nc_registry_find_uuid(daemon, raw);
  if (!net && daemon->ovn_nb) {
    nc_daemon_ovn_refresh(daemon);
    net = nc_registry_find_uuid(daemon, raw);
  }
  if (!net)
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK, "no network with matching uuid '%s'", q);
  return net;
}

/* libvirt's virNetworkObjMatch: within each pair, none or both set means no filter. */
static gboolean
pair_matches(guint flags, guint yes_flag, guint no_flag, gboolean value)
{
  gboolean want_yes = (flags & yes_flag) != 0;
  gboolean want_no = (flags & no_flag) != 0;
  if (want_yes == want_no)
    return TRUE;
  return want_yes ? value : !value;
}

static gint
compare_by_name(gconstpointer a, gconstpointer b)
{
  NcNetwork *na = *(NcNetwork *const *)a;
  NcNetwork *nb = *(NcNetwork *const *)b;
  return strcmp(na->def->name, nb->def->name);
}

GPtrArray *
nc_daemon_list(NcDaemon *daemon, guint flags)
{
  if (daemon->ovn_nb)
    nc_daemon_ovn_refresh(daemon);
  GPtrArray *list = g_ptr_array_new();
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, daemon->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    NcNetwork *net = value;
    if (pair_matches(flags, NC_LIST_ACTIVE, NC_LIST_INACTIVE, net->active)
        && pair_matches(flags, NC_LIST_PERSISTENT, NC_LIST_TRANSIENT, net->persistent)
        && pair_matches(flags, NC_LIST_AUTOSTART, NC_LIST_NO_AUTOSTART, net->autostart))
      g_ptr_array_add(list, net);
  }
  g_ptr_array_sort(list, compare_by_name);
  return list;
}

/* -- events -------------------------------------------------------------------- */

static const char *const event_names[_NC_NETWORK_EVENT_MAX] = {
  [NC_NETWORK_EVENT_DEFINED] = "Defined",
  [NC_NETWORK_EVENT_UNDEFINED] = "Undefined",
  [NC_NETWORK_EVENT_STARTED] = "Started",
  [NC_NETWORK_EVENT_STOPPED] = "Stopped",
};

const char *
nc_network_event_to_string(NcNetworkEvent ev)
{
  return (guint)ev < _NC_NETWORK_EVENT_MAX ? event_names[ev] : NULL;
}

void
nc_event_handler_free(gpointer data)
{
  NcEventHandler *h = data;
  if (h->notify)
    h->notify(h->user_data);
  g_free(h);
}

guint
nc_daemon_add_event_handler(NcDaemon *daemon, NcEventFunc func, gpointer user_data,
                            GDestroyNotify notify)
{
  NcEventHandler *h = g_new0(NcEventHandler, 1);
  h->id = ++daemon->last_handler_id;
  h->func = func;
  h->user_data = user_data;
  h->notify = notify;
  g_ptr_array_add(daemon->handlers, h);
  return h->id;
}

void
nc_daemon_remove_event_handler(NcDaemon *daemon, guint id)
{
  for (guint i = 0; i < daemon->handlers->len; i++) {
    NcEventHandler *h = daemon->handlers->pdata[i];
    if (h->id != id)
      continue;
    if (daemon->dispatch_depth > 0) {
      /* Removed while handlers run: disarm now, free after the dispatch. */
      h->func = NULL;
    } else {
      g_ptr_array_remove_index(daemon->handlers, i);
    }
    return;
  }
}

void
nc_daemon_publish(NcDaemon *daemon, const NcEvent *event)
{
  if (event->kind == NC_EVENT_NETWORK_LIFECYCLE)
    g_debug("network '%s': event %s", event->net->def->name,
            nc_network_event_to_string(event->lifecycle));

  g_autoptr(NcNetwork) hold = nc_network_ref(event->net);
  daemon->dispatch_depth++;
  /* Handlers added during the dispatch are not called for this event. */
  guint n = daemon->handlers->len;
  for (guint i = 0; i < n; i++) {
    NcEventHandler *h = daemon->handlers->pdata[i];
    if (h->func)
      h->func(daemon, event, h->user_data);
  }
  if (--daemon->dispatch_depth == 0) {
    for (guint i = daemon->handlers->len; i-- > 0;) {
      NcEventHandler *h = daemon->handlers->pdata[i];
      if (!h->func)
        g_ptr_array_remove_index(daemon->handlers, i);
    }
  }
}

void
nc_daemon_emit_lifecycle(NcDaemon *daemon, NcNetwork *net, NcNetworkEvent event)
{
  NcEvent ev = { .kind = NC_EVENT_NETWORK_LIFECYCLE, .net = net, .lifecycle = event };
  nc_daemon_publish(daemon, &ev);
}

void
nc_daemon_emit_simple(NcDaemon *daemon, NcNetwork *net, NcEventKind kind)
{
  NcEvent ev = { .kind = kind, .net = net };
  nc_daemon_publish(daemon, &ev);
}
