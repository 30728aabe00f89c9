/* See lease-file.h. */
#include "lease-file.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "atomic-file.h"
#include "safe-read.h"

/* libvirt's cap on the file; a larger one is not ours. */
#define STATUS_FILE_MAX (32 * 1024 * 1024)

void
nc_lease_entry_free(NcLeaseEntry *entry)
{
  if (!entry)
    return;
  g_free(entry->ip);
  g_free(entry->mac);
  g_free(entry->hostname);
  g_free(entry->client_id);
  g_free(entry->iaid);
  g_free(entry->server_duid);
  g_free(entry);
}

GPtrArray *
nc_lease_entries_new(void)
{
  return g_ptr_array_new_with_free_func((GDestroyNotify)nc_lease_entry_free);
}

gboolean
nc_lease_entry_is_ipv6(const NcLeaseEntry *entry)
{
  return strchr(entry->ip, ':') != NULL;
}

gboolean
nc_lease_entry_expired(const NcLeaseEntry *entry, gint64 now)
{
  return entry->expiry != 0 && entry->expiry < now;
}

gboolean
nc_lease_bridge_name_is_safe(const char *bridge)
{
  if (!bridge || !*bridge || strlen(bridge) > 15 || g_str_equal(bridge, ".")
      || g_str_equal(bridge, ".."))
    return FALSE;
  for (const char *p = bridge; *p; p++) {
    if (*p == '/' || (guchar)*p <= ' ' || *p == 0x7f)
      return FALSE;
  }
  return TRUE;
}

char *
nc_lease_status_path(const char *dnsmasq_dir, const char *bridge)
{
  if (!nc_lease_bridge_name_is_safe(bridge))
    return NULL;
  g_autofree char *base = g_strconcat(bridge, ".status", NULL);
  return g_build_filename(dnsmasq_dir, base, NULL);
}

/* A string member, or NULL; numbers are accepted as their decimal text
 * because some writers store the IAID as a number. Sanitized here, once for
 * every reader: whoever can write the file (or a DHCP client choosing its
 * hostname) must not get invalid UTF-8 or control characters to D-Bus, the
 * logs or the CLI. */
static char *
member_string(JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member(obj, name);
  if (!node || !JSON_NODE_HOLDS_VALUE(node))
    return NULL;
  GType type = json_node_get_value_type(node);
  if (type == G_TYPE_STRING)
    return nc_untrusted_string_sanitize(json_node_get_string(node));
  if (type == G_TYPE_INT64)
    return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(node));
  return NULL;
}

/* expiry-time: a number (libvirt) or a decimal string; absent = 0. */
static gint64
member_expiry(JsonObject *obj)
{
  JsonNode *node = json_object_get_member(obj, "expiry-time");
  if (!node || !JSON_NODE_HOLDS_VALUE(node))
    return 0;
  GType type = json_node_get_value_type(node);
  if (type == G_TYPE_INT64)
    return json_node_get_int(node);
  if (type == G_TYPE_DOUBLE) {
    /* Casting a double out of gint64's range is undefined (found by
     * fuzz-lease-db: "expiry-time": 1.e53): saturate, as strtoll does. */
    double d = json_node_get_double(node);
    if (isnan(d))
      return 0;
    if (d >= 0x1p63)
      return G_MAXINT64;
    if (d < -0x1p63)
      return G_MININT64;
    return (gint64)d;
  }
  if (type == G_TYPE_STRING)
    return g_ascii_strtoll(json_node_get_string(node), NULL, 10);
  return 0;
}

int
nc_lease_entries_parse(const char *text, gssize len, GPtrArray **ret_entries)
{
  gsize size = len < 0 ? strlen(text) : (gsize)len;
  g_autoptr(GPtrArray) entries = nc_lease_entries_new();

  gboolean blank = TRUE;
  for (gsize i = 0; i < size && blank; i++)
    blank = g_ascii_isspace(text[i]);
  if (blank) {
    *ret_entries = g_steal_pointer(&entries);
    return 0;
  }

  /* Depth (json-glib recurses once per level) and UTF-8 (json-glib refuses
   * the whole text for one bad byte): see safe-read.h. */
  g_autofree char *valid = NULL;
  int r = nc_json_text_prepare(text, size, &valid);
  if (r < 0)
    return r;
  if (valid) {
    text = valid;
    size = strlen(valid);
  }
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text, (gssize)size, NULL))
    return -EBADMSG;
  JsonNode *root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_ARRAY(root))
    return -EBADMSG;

  JsonArray *array = json_node_get_array(root);
  for (guint i = 0; i < json_array_get_length(array); i++) {
    JsonNode *node = json_array_get_element(array, i);
    if (!JSON_NODE_HOLDS_OBJECT(node))
      continue;
    JsonObject *obj = json_node_get_object(node);
    g_autofree char *ip = member_string(obj, "ip-address");
    if (!ip)
      continue;
    NcLeaseEntry *e = g_new0(NcLeaseEntry, 1);
    e->ip = g_steal_pointer(&ip);
    e->mac = member_string(obj, "mac-address");
    e->hostname = member_string(obj, "hostname");
    e->client_id = member_string(obj, "client-id");
    e->iaid = member_string(obj, "iaid");
    e->server_duid = member_string(obj, "server-duid");
    e->expiry = member_expiry(obj);
    g_ptr_array_add(entries, e);
  }
  *ret_entries = g_steal_pointer(&entries);
  return 0;
}

static void
add_string(JsonBuilder *builder, const char *name, const char *value)
{
  if (!value)
    return;
  /* The generator copies bytes through; invalid UTF-8 would make invalid JSON. */
  g_autofree char *valid = g_utf8_make_valid(value, -1);
  json_builder_set_member_name(builder, name);
  json_builder_add_string_value(builder, valid);
}

char *
nc_lease_entries_format(GPtrArray *entries)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  json_builder_begin_array(builder);
  for (guint i = 0; i < entries->len; i++) {
    const NcLeaseEntry *e = g_ptr_array_index(entries, i);
    json_builder_begin_object(builder);
    /* libvirt's key order. */
    add_string(builder, "iaid", e->iaid);
    add_string(builder, "ip-address", e->ip);
    add_string(builder, "mac-address", e->mac);
    add_string(builder, "hostname", e->hostname);
    add_string(builder, "client-id", e->client_id);
    add_string(builder, "server-duid", e->server_duid);
    json_builder_set_member_name(builder, "expiry-time");
    json_builder_add_int_value(builder, e->expiry);
    json_builder_end_object(builder);
  }
  json_builder_end_array(builder);

  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = json_builder_get_root(builder);
  json_generator_set_root(gen, root);
  json_generator_set_pretty(gen, TRUE);
  json_generator_set_indent(gen, 2);
  char *text = json_generator_to_data(gen, NULL);
  char *with_newline = g_strconcat(text, "\n", NULL);
  g_free(text);
  return with_newline;
}

int
nc_lease_file_read(const char *path, GPtrArray **ret_entries)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  int r = nc_file_read_bounded(path, STATUS_FILE_MAX, &text, &len);
  if (r == -ENOENT) {
    *ret_entries = nc_lease_entries_new();
    return 0;
  }
  if (r < 0)
    return r;
  return nc_lease_entries_parse(text, (gssize)len, ret_entries);
}

int
nc_lease_file_write(const char *path, GPtrArray *entries)
{
  g_autofree char *text = nc_lease_entries_format(entries);
  return nc_file_write_atomic(path, text, -1, 0644);
}

void
nc_lease_entries_apply(GPtrArray *entries, const char *ip, NcLeaseEntry *new_entry, gint64 now)
{
  for (guint i = entries->len; i-- > 0;) {
    const NcLeaseEntry *e = g_ptr_array_index(entries, i);
    if (nc_lease_entry_expired(e, now) || (ip && g_str_equal(e->ip, ip)))
      g_ptr_array_remove_index(entries, i);
  }
  if (new_entry)
    g_ptr_array_add(entries, new_entry);
}

/* A token dnsmasq's lease-file reader takes back as one field. */
static gboolean
is_token(const char *s)
{
  if (!s || !*s || strlen(s) > 255)
    return FALSE;
  for (const char *p = s; *p; p++) {
    if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f)
      return FALSE;
  }
  return TRUE;
}

/* dnsmasq only takes back hostnames of letters, digits, '-', '_' and '.'. */
static gboolean
is_hostname(const char *s)
{
  if (!is_token(s))
    return FALSE;
  for (const char *p = s; *p; p++) {
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  }
  return TRUE;
}

static void
append_line(GString *out, const NcLeaseEntry *e, const char *id)
{
  g_string_append_printf(out, "%" G_GINT64_FORMAT " %s %s %s %s\n", e->expiry, id, e->ip,
                         is_hostname(e->hostname) ? e->hostname : "*",
                         is_token(e->client_id) ? e->client_id : "*");
}

char *
nc_lease_entries_format_dnsmasq(GPtrArray *entries, gint64 now)
{
  g_autoptr(GString) out = g_string_new("");
  const char *server_duid = NULL;

  for (guint i = 0; i < entries->len; i++) {
    const NcLeaseEntry *e = g_ptr_array_index(entries, i);
    if (nc_lease_entry_expired(e, now) || !is_token(e->ip))
      continue;
    if (nc_lease_entry_is_ipv6(e)) {
      if (!server_duid && is_token(e->server_duid))
        server_duid = e->server_duid;
      continue;
    }
    if (is_token(e->mac))
      append_line(out, e, e->mac);
  }

  /* dnsmasq wants the server DUID before any IPv6 lease. */
  if (server_duid) {
    g_string_append_printf(out, "duid %s\n", server_duid);
    for (guint i = 0; i < entries->len; i++) {
      const NcLeaseEntry *e = g_ptr_array_index(entries, i);
      if (!nc_lease_entry_expired(e, now) && is_token(e->ip) && nc_lease_entry_is_ipv6(e)
          && is_token(e->iaid))
        append_line(out, e, e->iaid);
    }
  }
  return g_string_free(g_steal_pointer(&out), FALSE);
}
