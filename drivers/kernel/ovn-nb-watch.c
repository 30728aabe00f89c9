/* The standing monitor on OVN's NB (see ovn-nb-watch.h). Messages are JSON
 * objects back to back on the stream (no framing but the JSON itself). */
#include "ovn-nb-watch.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "safe-read.h"

#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 5000
/* No byte for this long: an echo of ours; twice as long: the link is dead. */
#define PROBE_MS 5000
/* The first state is NB_Global's external_ids (every shared definition:
 * 0.4 KiB for the tests' OVN network, a few KiB for a large one, at most
 * 4 MiB by the XML limit) and one short row per netctl switch: about 1 MiB
 * for hundreds of ordinary networks. 16 MiB bounds what a hostile NB can make
 * us hold; a message over it is refused with a warning naming the NB. */
#define MAX_MESSAGE (16 * 1024 * 1024)

struct _NcOvnNbWatch {
  char **remotes;
  guint next_remote;
  const char *remote; /* the one tried last, in remotes */
  NcOvnNbWatchFunc func;
  gpointer user_data;
  GCancellable *cancel; /* of the connection's operations; replaced per connection */
  GSocketConnection *conn;
  GString *in;
  NcJsonFrame frame; /* how far w->in is scanned */
  char chunk[65536];
  guint backoff_ms;
  guint retry_id, probe_id;
  gint64 last_rx;
  gboolean current;
  JsonNode *global;     /* NB_Global external_ids */
  GHashTable *switches; /* Logical_Switch row uuid -> netctl-uuid */
};

static void connect_next(NcOvnNbWatch *w);

static GSocketConnectable *
connectable(const char *remote)
{
  if (g_str_has_prefix(remote, "unix:"))
    return G_SOCKET_CONNECTABLE(g_unix_socket_address_new(remote + 5));
  if (!g_str_has_prefix(remote, "tcp:"))
    return NULL;
  const char *hp = remote + 4;
  const char *colon = strrchr(hp, ':');
  if (!colon)
    return NULL;
  g_autofree char *host = NULL;
  if (hp[0] == '[' && colon > hp && colon[-1] == ']')
    host = g_strndup(hp + 1, (gsize)(colon - hp - 2));
  else
    host = g_strndup(hp, (gsize)(colon - hp));
  guint64 port = 0;
  if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
    return NULL;
  return g_network_address_new(host, (guint16)port);
}

static void
send_json(NcOvnNbWatch *w, const char *text)
{
  if (!w->conn)
    return;
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(w->conn));
  /* small messages on a local or LAN socket: a short blocking write */
  if (!g_output_stream_write_all(out, text, strlen(text), NULL, w->cancel, NULL))
    g_debug("OVN NB monitor: write failed");
}

/* Closed now, not when the cancelled read lets go of the stream: the server
 * sees us leave at once. */
static void
close_connection(NcOvnNbWatch *w)
{
  if (w->conn)
    g_io_stream_close(G_IO_STREAM(w->conn), NULL, NULL);
  g_clear_object(&w->conn);
}

static void
drop_connection(NcOvnNbWatch *w, const char *why)
{
  if (w->conn)
    g_debug("OVN NB monitor: connection lost (%s)", why);
  w->current = FALSE;
  g_cancellable_cancel(w->cancel);
  g_clear_object(&w->cancel);
  close_connection(w);
  g_string_truncate(w->in, 0);
  w->frame = (NcJsonFrame){ 0 };
  g_clear_handle_id(&w->probe_id, g_source_remove);
  if (!w->retry_id) {
    w->retry_id = g_timeout_add_once(w->backoff_ms, (GSourceOnceFunc)connect_next, w);
    w->backoff_ms = MIN(w->backoff_ms * 2, BACKOFF_MAX_MS);
  }
}

/* A message refused unparsed: said once per refusal, naming the NB, and
 * the connection goes (the retry asks for the whole state again). */
static void
refuse_message(NcOvnNbWatch *w, const char *why)
{
  g_warning("OVN NB monitor: a message from %s was refused (%s); the connection is dropped",
            w->remote ? w->remote : "the NB", why);
  drop_connection(w, why);
}

static void
apply_switches(NcOvnNbWatch *w, JsonObject *rows)
{
  GList *uuids = json_object_get_members(rows);
  for (GList *l = uuids; l; l = l->next) {
    JsonObject *change = json_object_get_object_member(rows, l->data);
    JsonObject *row = change && json_object_has_member(change, "new")
                          ? json_object_get_object_member(change, "new")
                          : NULL;
    const char *mark = NULL;
    if (row && json_object_has_member(row, "external_ids")) {
      JsonNode *map = json_object_get_member(row, "external_ids");
      JsonArray *outer = JSON_NODE_HOLDS_ARRAY(map) ? json_node_get_array(map) : NULL;
      JsonArray *pairs = outer && json_array_get_length(outer) == 2
                             ? json_array_get_array_element(outer, 1)
                             : NULL;
      for (guint i = 0; pairs && i < json_array_get_length(pairs); i++) {
        JsonArray *kv = json_array_get_array_element(pairs, i);
        if (kv && json_array_get_length(kv) == 2
            && g_strcmp0(json_array_get_string_element(kv, 0), "netctl-uuid") == 0)
          mark = json_array_get_string_element(kv, 1);
      }
    }
    if (mark)
      g_hash_table_replace(w->switches, g_strdup(l->data), g_strdup(mark));
    else
      g_hash_table_remove(w->switches, l->data);
  }
  g_list_free(uuids);
}

static void
apply_global(NcOvnNbWatch *w, JsonObject *rows)
{
  GList *uuids = json_object_get_members(rows);
  for (GList *l = uuids; l; l = l->next) {
    JsonObject *change = json_object_get_object_member(rows, l->data);
    JsonObject *row = change && json_object_has_member(change, "new")
                          ? json_object_get_object_member(change, "new")
                          : NULL;
    if (row && json_object_has_member(row, "external_ids")) {
      g_clear_pointer(&w->global, json_node_unref);
      w->global = json_node_copy(json_object_get_member(row, "external_ids"));
    }
  }
  g_list_free(uuids);
}

/* table-updates: {"Logical_Switch": {row: {"old":..., "new":...}}, ...} */
static void
apply_updates(NcOvnNbWatch *w, JsonNode *updates)
{
  if (!updates || !JSON_NODE_HOLDS_OBJECT(updates))
    return;
  JsonObject *tables = json_node_get_object(updates);
  if (json_object_has_member(tables, "Logical_Switch"))
    apply_switches(w, json_object_get_object_member(tables, "Logical_Switch"));
  if (json_object_has_member(tables, "NB_Global"))
    apply_global(w, json_object_get_object_member(tables, "NB_Global"));
}

/* One message; FALSE when the connection must go. */
static gboolean
handle_message(NcOvnNbWatch *w, JsonObject *msg)
{
  const char *method = json_object_has_member(msg, "method")
                           ? json_object_get_string_member_with_default(msg, "method", "")
                           : NULL;
  if (method && g_str_equal(method, "echo")) {
    g_autoptr(JsonObject) reply = json_object_new();
    json_object_set_member(reply, "id", json_node_copy(json_object_get_member(msg, "id")));
    json_object_set_member(reply, "result", json_node_copy(json_object_get_member(msg, "params")));
    json_object_set_null_member(reply, "error");
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), reply);
    g_autofree char *text = json_to_string(node, FALSE);
    send_json(w, text);
    return TRUE;
  }
  if (method && g_str_equal(method, "update")) {
    JsonArray *params = json_object_get_array_member(msg, "params");
    if (params && json_array_get_length(params) == 2)
      apply_updates(w, json_array_get_element(params, 1));
  } else if (!method && json_object_has_member(msg, "id")) {
    JsonNode *id = json_object_get_member(msg, "id");
    if (JSON_NODE_HOLDS_VALUE(id) && json_node_get_value_type(id) == G_TYPE_STRING)
      return TRUE; /* the reply to an echo of ours */
    JsonNode *err = json_object_get_member(msg, "error");
    if (err && !JSON_NODE_HOLDS_NULL(err)) {
      g_autofree char *text = json_to_string(err, FALSE);
      g_warning("OVN NB monitor refused: %s", text);
      return FALSE;
    }
    apply_updates(w, json_object_get_member(msg, "result"));
    w->current = TRUE;
    w->backoff_ms = BACKOFF_FIRST_MS;
    g_message("OVN NB monitor: watching %s", w->remote);
  } else {
    return TRUE;
  }
  if (w->current && w->func)
    w->func(w, w->user_data);
  return TRUE;
}

static void read_more(NcOvnNbWatch *w);

static void
on_read(GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), res, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* w may be gone */
  NcOvnNbWatch *w = data;
  if (n <= 0) {
    drop_connection(w, n == 0 ? "closed by the server" : error->message);
    return;
  }
  w->last_rx = g_get_monotonic_time();
  g_string_append_len(w->in, w->chunk, n);
  gssize len;
  while ((len = nc_json_frame_next(&w->frame, w->in->str, w->in->len, NC_JSON_MAX_DEPTH)) != 0) {
    /* json-glib's parser recurses once per level */
    if (len < 0) {
      refuse_message(w, "its JSON nests deeper than 64 levels");
      return;
    }
    g_autoptr(JsonParser) parser = json_parser_new();
    gboolean ok = json_parser_load_from_data(parser, w->in->str, len, NULL);
    JsonNode *root = ok ? json_parser_get_root(parser) : NULL;
    g_string_erase(w->in, 0, len);
    w->frame = (NcJsonFrame){ 0 };
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
      refuse_message(w, "it is not a JSON object");
      return;
    }
    if (!handle_message(w, json_node_get_object(root))) {
      drop_connection(w, "bad message");
      return;
    }
    if (!w->conn)
      return;
  }
  if (w->in->len > MAX_MESSAGE) {
    refuse_message(w, "it is larger than 16 MiB");
    return;
  }
  read_more(w);
}

static void
read_more(NcOvnNbWatch *w)
{
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(w->conn));
  g_input_stream_read_async(in, w->chunk, sizeof(w->chunk), G_PRIORITY_DEFAULT, w->cancel, on_read,
                            w);
}

static gboolean
probe(gpointer data)
{
  NcOvnNbWatch *w = data;
  gint64 idle = (g_get_monotonic_time() - w->last_rx) / 1000;
  if (idle >= 2 * PROBE_MS) {
    w->probe_id = 0;
    drop_connection(w, "no answer to echo");
    return G_SOURCE_REMOVE;
  }
  if (idle >= PROBE_MS)
    send_json(w, "{\"id\":\"echo\",\"method\":\"echo\",\"params\":[]}");
  return G_SOURCE_CONTINUE;
}

static void
on_connected(GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), res, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  NcOvnNbWatch *w = data;
  if (!conn) {
    drop_connection(w, error->message);
    return;
  }
  w->conn = conn;
  /* the client's connect timeout stays on the socket: a quiet NB would time
   * the monitor's reads out every few seconds (the probe watches liveness) */
  g_socket_set_timeout(g_socket_connection_get_socket(conn), 0);
  w->last_rx = g_get_monotonic_time();
  g_hash_table_remove_all(w->switches);
  g_clear_pointer(&w->global, json_node_unref);
  /* monitor id 0: the initial state comes as its reply, then "update"s */
  send_json(w, "{\"id\":0,\"method\":\"monitor\",\"params\":[\"OVN_Northbound\",null,{"
               "\"NB_Global\":{\"columns\":[\"external_ids\"]},"
               "\"Logical_Switch\":{\"columns\":[\"external_ids\"]}}]}");
  w->probe_id = g_timeout_add(PROBE_MS / 2, probe, w);
  read_more(w);
}

static void
connect_next(NcOvnNbWatch *w)
{
  w->retry_id = 0;
  const char *remote = w->remote = w->remotes[w->next_remote];
  w->next_remote = (w->next_remote + 1) % g_strv_length(w->remotes);
  g_autoptr(GSocketConnectable) addr = connectable(remote);
  w->cancel = g_cancellable_new();
  if (!addr) {
    drop_connection(w, "unusable remote");
    return;
  }
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_socket_client_set_timeout(client, 5);
  g_socket_client_connect_async(client, addr, w->cancel, on_connected, w);
}

NcOvnNbWatch *
nc_ovn_nb_watch_new(const char *remotes, NcOvnNbWatchFunc func, gpointer user_data)
{
  NcOvnNbWatch *w = g_new0(NcOvnNbWatch, 1);
  w->remotes = g_strsplit(remotes, ",", -1);
  w->func = func;
  w->user_data = user_data;
  w->in = g_string_new(NULL);
  w->backoff_ms = BACKOFF_FIRST_MS;
  w->switches = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  connect_next(w);
  return w;
}

void
nc_ovn_nb_watch_free(NcOvnNbWatch *w)
{
  if (!w)
    return;
  if (w->cancel)
    g_cancellable_cancel(w->cancel);
  g_clear_object(&w->cancel);
  close_connection(w);
  g_clear_handle_id(&w->retry_id, g_source_remove);
  g_clear_handle_id(&w->probe_id, g_source_remove);
  g_string_free(w->in, TRUE);
  g_clear_pointer(&w->global, json_node_unref);
  g_hash_table_unref(w->switches);
  g_strfreev(w->remotes);
  g_free(w);
}

gboolean
nc_ovn_nb_watch_current(NcOvnNbWatch *w)
{
  return w && w->current;
}

JsonNode *
nc_ovn_nb_watch_global(NcOvnNbWatch *w)
{
  return w && w->current ? w->global : NULL;
}

gboolean
nc_ovn_nb_watch_has_switch(NcOvnNbWatch *w, const char *net_uuid)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, w->switches);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (g_str_equal(value, net_uuid))
      return TRUE;
  return FALSE;
}
