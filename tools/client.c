/* netctl's D-Bus client of netctld; see client.h. */
#include <string.h>

#include "client.h"
#include "nc-error.h"

struct _NcClient {
  GDBusConnection *bus;
};

/* libvirt's virErrorNumber values stop well below this. */
#define MAX_ERROR_CODE 200

static gboolean
is_unreachable(const GError *error)
{
  /* No owner for org.netctl1, or no bus at all (socket missing, refused). */
  return g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_FILE_NOT_FOUND)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER)
         || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
         || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
         || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static int
code_from_dbus_name(const char *name)
{
  /* The bus itself refuses what its policy does not allow. */
  if (g_strcmp0(name, "org.freedesktop.DBus.Error.AccessDenied") == 0)
    return NC_ERROR_ACCESS_DENIED;
  if (name == NULL || !g_str_has_prefix(name, "org.netctl.Error."))
    return NC_ERROR_OPERATION_FAILED;
  for (int code = 0; code < MAX_ERROR_CODE; code++)
    if (nc_error_code_to_string(code) != NULL
        && g_strcmp0(nc_error_code_to_dbus_name(code), name) == 0)
      return code;
  return NC_ERROR_INTERNAL_ERROR;
}

void
nc_client_fix_error(GError **error)
{
  GError *err;
  int code;

  if (error == NULL || *error == NULL || (*error)->domain == NC_ERROR)
    return;
  err = *error;
  if (is_unreachable(err)) {
    code = NC_ERROR_RPC;
    g_free(err->message);
    err->message = g_strdup(NC_CLIENT_UNREACHABLE_HINT);
  } else if (g_dbus_error_is_remote_error(err)) {
    g_autofree char *name = g_dbus_error_get_remote_error(err);
    code = code_from_dbus_name(name);
    g_dbus_error_strip_remote_error(err);
    if (g_strcmp0(name, "org.freedesktop.DBus.Error.AccessDenied") == 0) {
      /* The bus's "Rejected send message, 1 matched rules; ..." says the
       * same in a dozen fields nobody needs. */
      g_free(err->message);
      err->message = g_strdup("access denied: only root may change networks (refused by the "
                              "system bus policy for " NC_BUS_NAME ")");
    }
  } else if (g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)) {
    code = NC_ERROR_ACCESS_DENIED;
  } else if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
             || g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT)
             || g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY)) {
    code = NC_ERROR_OPERATION_TIMEOUT;
  } else {
    /* NC_ERROR_RPC is kept for "daemon unreachable" (printed alone). */
    code = NC_ERROR_OPERATION_FAILED;
  }
  err->domain = NC_ERROR;
  err->code = code;
}

NcClient *
nc_client_new(GError **error)
{
  g_autoptr(GError) err = NULL;
  GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err);
  NcClient *client;

  if (bus == NULL) {
    g_set_error_literal(error, NC_ERROR, NC_ERROR_RPC, NC_CLIENT_UNREACHABLE_HINT);
    return NULL;
  }
  /* A CLI must not be killed by SIGTERM-like behaviour when the bus drops. */
  g_dbus_connection_set_exit_on_close(bus, FALSE);
  client = g_new0(NcClient, 1);
  client->bus = bus;
  return client;
}

void
nc_client_free(NcClient *client)
{
  if (client == NULL)
    return;
  g_clear_object(&client->bus);
  g_free(client);
}

GDBusConnection *
nc_client_get_bus(NcClient *client)
{
  return client->bus;
}

GVariant *
nc_client_call(NcClient *client, const char *path, const char *iface, const char *method,
               GVariant *params, const GVariantType *reply_type, GError **error)
{
  GVariant *reply
      = g_dbus_connection_call_sync(client->bus, NC_BUS_NAME, path, iface, method, params,
                                    reply_type, G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply == NULL)
    nc_client_fix_error(error);
  return reply;
}

void
nc_net_info_free(NcNetInfo *info)
{
  if (info == NULL)
    return;
  g_free(info->path);
  g_free(info->name);
  g_free(info->uuid);
  g_free(info->bridge);
  g_free(info);
}

static NcNetInfo *
info_from_props(const char *path, GVariant *reply)
{
  g_autoptr(GVariant) dict = g_variant_get_child_value(reply, 0);
  NcNetInfo *info = g_new0(NcNetInfo, 1);
  const char *s;

  info->path = g_strdup(path);
  info->name = g_variant_lookup(dict, "Name", "&s", &s) ? g_strdup(s) : g_strdup("");
  info->uuid = g_variant_lookup(dict, "UUID", "&s", &s) ? g_strdup(s) : g_strdup("");
  info->bridge = g_variant_lookup(dict, "BridgeName", "&s", &s) ? g_strdup(s) : g_strdup("");
  g_variant_lookup(dict, "Active", "b", &info->active);
  g_variant_lookup(dict, "Persistent", "b", &info->persistent);
  g_variant_lookup(dict, "Autostart", "b", &info->autostart);
  return info;
}

NcNetInfo *
nc_client_get_info(NcClient *client, const char *path, GError **error)
{
  g_autoptr(GVariant) reply
      = nc_client_call(client, path, "org.freedesktop.DBus.Properties", "GetAll",
                       g_variant_new("(s)", NC_NETWORK_IFACE), G_VARIANT_TYPE("(a{sv})"), error);
  if (reply == NULL)
    return NULL;
  return info_from_props(path, reply);
}

/* The GetAll calls of nc_client_list, several in flight: a few round trips
 * of latency for the whole list instead of one per network. Not all at once:
 * the bus refuses a connection more pending replies than its limit (the
 * system bus: max_replies_per_connection, 128), and a refused call must not
 * look like a network that vanished. */
#define LIST_WINDOW 32

typedef struct {
  NcClient *client;
  GPtrArray *paths; /* of char*, from ListNetworks */
  guint next;       /* next path to ask for */
  GPtrArray *infos; /* slot i = network i, NULL when it vanished */
  guint pending;
  GError *error; /* first unexpected failure */
} ListState;

typedef struct {
  ListState *state;
  guint index;
  char *path;
} ListCall;

static void list_call_done(GObject *source, GAsyncResult *res, gpointer user_data);

/* Sends the next GetAll, if any is left. */
static void
list_send_next(ListState *state)
{
  if (state->next >= state->paths->len)
    return;
  ListCall *call = g_new0(ListCall, 1);
  call->state = state;
  call->index = state->next++;
  call->path = g_strdup(state->paths->pdata[call->index]);
  state->pending++;
  g_dbus_connection_call(state->client->bus, NC_BUS_NAME, call->path,
                         "org.freedesktop.DBus.Properties", "GetAll",
                         g_variant_new("(s)", NC_NETWORK_IFACE), G_VARIANT_TYPE("(a{sv})"),
                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, list_call_done, call);
}

static void
list_call_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
  ListCall *call = user_data;
  ListState *state = call->state;
  g_autoptr(GError) err = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);

  if (reply != NULL) {
    g_ptr_array_index(state->infos, call->index) = info_from_props(call->path, reply);
  } else if (!g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)
             && !g_error_matches(err, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
             && state->error == NULL) {
    /* A network undefined between ListNetworks and GetAll is simply gone
     * (its object is no longer there); anything else (the daemon or the bus
     * gone, a limit of the bus) is an error, not a shorter list. */
    nc_client_fix_error(&err);
    state->error = g_steal_pointer(&err);
  }
  state->pending--;
  g_free(call->path);
  g_free(call);
  if (state->error == NULL)
    list_send_next(state);
}

GPtrArray *
nc_client_list(NcClient *client, guint flags, GError **error)
{
  g_autoptr(GVariant) reply
      = nc_client_call(client, NC_CONNECT_PATH, NC_CONNECT_IFACE, "ListNetworks",
                       g_variant_new("(u)", flags), G_VARIANT_TYPE("(ao)"), error);
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  GPtrArray *result;
  ListState state = { 0 };
  const char *path;

  if (reply == NULL)
    return NULL;
  g_variant_get(reply, "(ao)", &iter);
  infos = g_ptr_array_new_with_free_func((GDestroyNotify)nc_net_info_free);
  paths = g_ptr_array_new_with_free_func(g_free);
  while (g_variant_iter_next(iter, "&o", &path)) {
    g_ptr_array_add(paths, g_strdup(path));
    g_ptr_array_add(infos, NULL);
  }
  state.client = client;
  state.paths = paths;
  state.infos = infos;
  for (guint i = 0; i < LIST_WINDOW; i++)
    list_send_next(&state);
  /* Bounded: every call completes, with a reply, an error or the default
   * D-Bus timeout. */
  while (state.pending > 0)
    g_main_context_iteration(NULL, TRUE);
  if (state.error != NULL) {
    g_propagate_error(error, state.error);
    return NULL;
  }
  result = g_ptr_array_new_with_free_func((GDestroyNotify)nc_net_info_free);
  for (guint i = 0; i < infos->len; i++)
    if (g_ptr_array_index(infos, i) != NULL)
      g_ptr_array_add(result, g_steal_pointer(&g_ptr_array_index(infos, i)));
  return result;
}

static char *
lookup_one(NcClient *client, const char *method, const char *arg, GError **error)
{
  g_autoptr(GVariant) reply
      = nc_client_call(client, NC_CONNECT_PATH, NC_CONNECT_IFACE, method, g_variant_new("(s)", arg),
                       G_VARIANT_TYPE("(o)"), error);
  char *path = NULL;

  if (reply != NULL)
    g_variant_get(reply, "(o)", &path);
  return path;
}

char *
nc_client_lookup(NcClient *client, const char *arg, guint flags, GError **error)
{
  g_autoptr(GError) uuid_error = NULL;
  char *path = NULL;

  /* virsh tries a 36-character argument as a UUID first. */
  if ((flags & NC_LOOKUP_BY_UUID) && strlen(arg) == 36) {
    path = lookup_one(client, "NetworkLookupByUUID", arg, &uuid_error);
    if (path != NULL)
      return path;
    if (g_error_matches(uuid_error, NC_ERROR, NC_ERROR_RPC) || !(flags & NC_LOOKUP_BY_NAME)) {
      g_propagate_error(error, g_steal_pointer(&uuid_error));
      return NULL;
    }
  }
  if (flags & NC_LOOKUP_BY_NAME)
    return lookup_one(client, "NetworkLookupByName", arg, error);
  return lookup_one(client, "NetworkLookupByUUID", arg, error);
}

char *
nc_client_path_to_uuid(const char *path)
{
  const char *prefix = NC_CONNECT_PATH "/network/_";
  char *uuid;

  if (!g_str_has_prefix(path, prefix))
    return NULL;
  uuid = g_strdup(path + strlen(prefix));
  g_strdelimit(uuid, "_", '-');
  return uuid;
}
