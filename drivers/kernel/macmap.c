/* See macmap.h. */
#include "macmap.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic-file.h"
#include "lease-file.h"
#include "nc-addr.h"
#include "safe-read.h"

/* The file lists a few MACs per guest: a megabyte is thousands of guests. */
#define MACMAP_FILE_MAX (4 * 1024 * 1024)

/* A domain and its MACs, in the order they were added, with its text in
 * the file once written (NULL until then and after every change): a port
 * create or delete then formats one entry, not all of them. */
typedef struct {
  char *domain;
  GPtrArray *macs; /* of char* */
  char *text;
  gsize text_len;
} Entry;

static void
entry_free(Entry *e)
{
  g_free(e->domain);
  g_ptr_array_unref(e->macs);
  g_free(e->text);
  g_free(e);
}

static Entry *
entry_new(const char *domain)
{
  Entry *e = g_new0(Entry, 1);
  e->domain = g_strdup(domain);
  e->macs = g_ptr_array_new_with_free_func(g_free);
  return e;
}

char *
nc_macmap_path(const char *dnsmasq_dir, const char *bridge)
{
  if (!nc_lease_bridge_name_is_safe(bridge))
    return NULL;
  g_autofree char *base = g_strconcat(bridge, ".macs", NULL);
  return g_build_filename(dnsmasq_dir, base, NULL);
}

static int
by_domain(gconstpointer a, gconstpointer b)
{
  const Entry *x = *(const Entry *const *)a, *y = *(const Entry *const *)b;
  return strcmp(x->domain, y->domain);
}

/* Entries are kept sorted by domain (libvirt's order in the file, so equal
 * maps give equal files): a binary search finds a domain, or the index
 * where it belongs (*ret_index either way). */
static Entry *
find(GPtrArray *entries, const char *domain, guint *ret_index)
{
  guint lo = 0, hi = entries->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    Entry *e = g_ptr_array_index(entries, mid);
    int c = strcmp(e->domain, domain);
    if (c == 0) {
      if (ret_index)
        *ret_index = mid;
      return e;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (ret_index)
    *ret_index = lo;
  return NULL;
}

/* The MAC as libvirt writes it (and dnsmasq, in the lease database): lower
 * case with two digits a byte, since libvirt's NSS module matches the two
 * files' MACs as strings. FALSE for no MAC. */
static gboolean
canonical_mac(const char *mac, char buf[static 18])
{
  NcMac parsed;
  if (!nc_mac_parse(mac, &parsed))
    return FALSE;
  nc_mac_format(&parsed, buf);
  return TRUE;
}

static gboolean
has_mac(Entry *e, const char *mac, guint *ret_index)
{
  for (guint j = 0; j < e->macs->len; j++) {
    if (g_ascii_strcasecmp(g_ptr_array_index(e->macs, j), mac) == 0) {
      if (ret_index)
        *ret_index = j;
      return TRUE;
    }
  }
  return FALSE;
}

static int
load(const char *path, GPtrArray **ret_entries)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func((GDestroyNotify)entry_free);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autofree char *valid = NULL;
  int r = nc_file_read_bounded(path, MACMAP_FILE_MAX, &text, &len);
  if (r == 0)
    r = nc_json_text_prepare(text, len, &valid);
  if (r == 0 && valid) {
    g_free(text);
    text = g_steal_pointer(&valid);
    len = strlen(text);
  }
  if (nc_file_is_refusal(r)) {
    /* Not a file we wrote (a FIFO, a symlink, huge or absurdly nested):
     * read as an empty map, which the next save replaces (the rename takes
     * the name, never the target). */
    g_warning("ignoring the MAC map %s: %s", path, nc_file_refusal_reason(r));
    g_clear_pointer(&text, g_free);
    len = 0;
  } else if (r == -ENOENT) {
    len = 0;
  } else if (r < 0) {
    return r;
  }
  if (len == 0) {
    *ret_entries = g_steal_pointer(&entries);
    return 0;
  }
  g_autoptr(JsonParser) parser = json_parser_new();
  if (len > 0 && !json_parser_load_from_data(parser, text, (gssize)len, NULL))
    return -EBADMSG;
  JsonNode *root = len > 0 ? json_parser_get_root(parser) : NULL;
  if (root && !JSON_NODE_HOLDS_ARRAY(root))
    return -EBADMSG;
  JsonArray *array = root ? json_node_get_array(root) : NULL;
  /* domain -> Entry: a linear find() per element made a load quadratic in
   * the number of guests (1000 ports: ~500k strcmp per port create). */
  g_autoptr(GHashTable) by_name = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; array && i < json_array_get_length(array); i++) {
    JsonNode *node = json_array_get_element(array, i);
    if (!JSON_NODE_HOLDS_OBJECT(node))
      return -EBADMSG;
    JsonObject *obj = json_node_get_object(node);
    /* Sanitized once here: the names reach D-Bus and the logs. */
    g_autofree char *domain = nc_untrusted_string_sanitize(
        json_object_get_string_member_with_default(obj, "domain", NULL));
    JsonNode *macs = json_object_get_member(obj, "macs");
    if (!domain || !macs || !JSON_NODE_HOLDS_ARRAY(macs))
      return -EBADMSG;
    /* libvirt refuses a file naming a domain twice; its NSS module takes
     * every MAC of every entry of the name: so do we. */
    Entry *e = g_hash_table_lookup(by_name, domain);
    if (!e) {
      e = entry_new(domain);
      g_ptr_array_add(entries, e);
      g_hash_table_insert(by_name, e->domain, e);
    }
    JsonArray *list = json_node_get_array(macs);
    for (guint j = 0; j < json_array_get_length(list); j++) {
      JsonNode *m = json_array_get_element(list, j);
      if (!JSON_NODE_HOLDS_VALUE(m) || json_node_get_value_type(m) != G_TYPE_STRING)
        continue;
      /* A MAC another writer put in upper case is written back as ours. */
      char mac[18];
      g_autofree char *raw = nc_untrusted_string_sanitize(json_node_get_string(m));
      const char *value = raw;
      if (canonical_mac(value, mac))
        value = mac;
      if (!has_mac(e, value, NULL))
        g_ptr_array_add(e->macs, g_strdup(value));
    }
  }
  g_ptr_array_sort(entries, by_domain);
  *ret_entries = g_steal_pointer(&entries);
  return 0;
}

/* What we last read or wrote, per file, while the file is still the one we
 * saw: netctld is the map's only writer, so a port create or delete need not
 * parse the whole map again (json-glib: ~10 ms at 1000 guests, per port).
 * The file's identity (inode, size, mtime) says when someone else (dnsmasq's
 * stop removing it, an admin) changed it: then it is read again. Main
 * thread only, as the rest of the kernel layer. */
typedef struct {
  GPtrArray *entries;
  gboolean exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  guint flush_id; /* a deferred write is due (nc_macmap_defer_writes) */
  char *path;
} Cached;

static GHashTable *cache; /* path -> Cached* */
static guint defer_ms;    /* 0: every change written at once */

static void
cached_free(Cached *c)
{
  g_clear_handle_id(&c->flush_id, g_source_remove);
  g_ptr_array_unref(c->entries);
  g_free(c->path);
  g_free(c);
}

static void
fingerprint(const char *path, Cached *c)
{
  struct stat st;
  c->exists = lstat(path, &st) == 0;
  c->dev = c->exists ? st.st_dev : 0;
  c->ino = c->exists ? st.st_ino : 0;
  c->size = c->exists ? st.st_size : 0;
  c->mtime = c->exists ? st.st_mtim : (struct timespec){ 0 };
}

static gboolean
same_file(const Cached *a, const Cached *b)
{
  return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size
         && a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* The map of path, borrowed from the cache (valid until the next call). */
static int
load_cached(const char *path, GPtrArray **ret_entries)
{
  if (!cache)
    cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)cached_free);
  Cached now = { 0 };
  fingerprint(path, &now);
  Cached *c = g_hash_table_lookup(cache, path);
  /* With a write due, what we hold is newer than the file. */
  if (!c || (!c->flush_id && !same_file(c, &now))) {
    g_autoptr(GPtrArray) entries = NULL;
    int r = load(path, &entries);
    if (r < 0) {
      g_hash_table_remove(cache, path);
      return r;
    }
    c = g_new0(Cached, 1);
    *c = now;
    c->entries = g_steal_pointer(&entries);
    c->path = g_strdup(path);
    g_hash_table_replace(cache, g_strdup(path), c);
  }
  *ret_entries = c->entries;
  return 0;
}

static int save(const char *path, GPtrArray *entries);
static int write_now(const char *path, GPtrArray *entries);

static gboolean
flush_due(gpointer data)
{
  Cached *c = data;
  c->flush_id = 0;
  g_autofree char *path = g_strdup(c->path);
  int r = write_now(path, c->entries); /* may drop c */
  if (r < 0)
    g_warning("cannot write the MAC map %s: %s", path, g_strerror(-r));
  return G_SOURCE_REMOVE;
}

/* Written at once, or within defer_ms: a burst of port creates and deletes
 * then costs one file (a new inode and a rename on the disk libvirt keeps
 * it on: half of netctld's CPU per port create without device). */
static int
save_cached(const char *path, GPtrArray *entries)
{
  Cached *c = cache ? g_hash_table_lookup(cache, path) : NULL;
  if (!defer_ms || !c)
    return write_now(path, entries);
  if (!c->flush_id)
    c->flush_id = g_timeout_add(defer_ms, flush_due, c);
  return 0;
}

/* save, then remember the file as ours. */
static int
write_now(const char *path, GPtrArray *entries)
{
  int r = save(path, entries);
  Cached *c = cache ? g_hash_table_lookup(cache, path) : NULL;
  if (r < 0) {
    if (c)
      g_hash_table_remove(cache, path); /* read it again next time */
    return r;
  }
  if (c)
    fingerprint(path, c);
  return 0;
}

/* A JSON string as json-glib writes one (the file's format since the first
 * version): quote, backslash and control characters escaped. */
static void
append_json_string(GString *buf, const char *raw)
{
  g_autofree char *s = g_utf8_make_valid(raw, -1);
  g_string_append_c(buf, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': g_string_append(buf, "\\\""); break;
    case '\\': g_string_append(buf, "\\\\"); break;
    case '\b': g_string_append(buf, "\\b"); break;
    case '\f': g_string_append(buf, "\\f"); break;
    case '\n': g_string_append(buf, "\\n"); break;
    case '\r': g_string_append(buf, "\\r"); break;
    case '\t': g_string_append(buf, "\\t"); break;
    default:
      if (*p < 0x20)
        g_string_append_printf(buf, "\\u%04x", *p);
      else
        g_string_append_c(buf, (char)*p);
    }
  }
  g_string_append_c(buf, '"');
}

static const char *
entry_text(Entry *e)
{
  if (e->text)
    return e->text;
  GString *buf = g_string_sized_new(64 + 24 * e->macs->len);
  g_string_append(buf, "  {\n    \"domain\" : ");
  append_json_string(buf, e->domain);
  g_string_append(buf, ",\n    \"macs\" : [");
  for (guint j = 0; j < e->macs->len; j++) {
    g_string_append(buf, j ? ",\n      " : "\n      ");
    append_json_string(buf, g_ptr_array_index(e->macs, j));
  }
  g_string_append(buf, e->macs->len ? "\n    ]\n  }" : "]\n  }");
  e->text_len = buf->len;
  e->text = g_string_free(buf, FALSE);
  return e->text;
}

static int
save(const char *path, GPtrArray *entries)
{
  /* The whole file is written each time (readers want one complete
   * array), but from each entry's text kept since it last changed: at 1000
   * guests json-glib's builder and generator cost ~10 ms per port. */
  GString *buf = g_string_sized_new(16 + 96 * entries->len);
  g_string_append_c(buf, '[');
  for (guint i = 0; i < entries->len; i++) {
    g_string_append(buf, i ? ",\n" : "\n");
    Entry *e = g_ptr_array_index(entries, i);
    const char *text = entry_text(e); /* sets text_len */
    g_string_append_len(buf, text, (gssize)e->text_len);
  }
  g_string_append(buf, entries->len ? "\n]\n" : "]\n");
  g_autofree char *text = g_string_free(buf, FALSE);
  /* Derived state, not a record: netctld writes it again from its port
   * records whenever the network starts (dnsmasq's stop removes it), and
   * those records live in /run, so after a power loss there is nothing the
   * old file could be true to. Readers (libvirt's NSS module) still see the
   * old or the new file, never half of one; the fsyncs of a durable write
   * cost 2 x 1-10 ms on a real disk on every port create and delete. */
  return nc_file_replace(path, text, -1, 0644);
}

int
nc_macmap_add(const char *dnsmasq_dir, const char *bridge, const char *domain, const char *raw_mac)
{
  g_autofree char *path = nc_macmap_path(dnsmasq_dir, bridge);
  char mac[18];
  if (!path || !domain || !*domain || !canonical_mac(raw_mac, mac))
    return -EINVAL;
  GPtrArray *entries = NULL;
  int r = load_cached(path, &entries);
  if (r < 0)
    return r;
  guint at;
  Entry *e = find(entries, domain, &at);
  if (!e) {
    e = entry_new(domain);
    g_ptr_array_insert(entries, (gint)at, e);
  }
  if (has_mac(e, mac, NULL))
    return 0;
  g_ptr_array_add(e->macs, g_strdup(mac));
  g_clear_pointer(&e->text, g_free);
  return save_cached(path, entries);
}

int
nc_macmap_remove(const char *dnsmasq_dir, const char *bridge, const char *domain,
                 const char *raw_mac)
{
  g_autofree char *path = nc_macmap_path(dnsmasq_dir, bridge);
  char buf[18];
  const char *mac = raw_mac ? buf : NULL;
  if (!path || !domain || (raw_mac && !canonical_mac(raw_mac, buf)))
    return -EINVAL;
  GPtrArray *entries = NULL;
  int r = load_cached(path, &entries);
  if (r < 0)
    return r;
  guint ei;
  Entry *e = find(entries, domain, &ei);
  if (!e)
    return 0;
  guint mi;
  if (mac && !has_mac(e, mac, &mi))
    return 0;
  if (mac)
    g_ptr_array_remove_index(e->macs, mi);
  g_clear_pointer(&e->text, g_free);
  if (!mac || e->macs->len == 0)
    g_ptr_array_remove_index(entries, ei);
  return save_cached(path, entries);
}

int
nc_macmap_lookup(const char *dnsmasq_dir, const char *bridge, const char *domain, char ***ret_macs)
{
  g_autofree char *path = nc_macmap_path(dnsmasq_dir, bridge);
  if (!path || !domain)
    return -EINVAL;
  GPtrArray *entries = NULL;
  int r = load_cached(path, &entries);
  if (r < 0)
    return r;
  g_autoptr(GPtrArray) out = g_ptr_array_new();
  Entry *e = find(entries, domain, NULL);
  for (guint j = 0; e && j < e->macs->len; j++)
    g_ptr_array_add(out, g_strdup(g_ptr_array_index(e->macs, j)));
  g_ptr_array_add(out, NULL);
  *ret_macs = (char **)g_ptr_array_free(g_steal_pointer(&out), FALSE);
  return 0;
}

void
nc_macmap_defer_writes(guint ms)
{
  defer_ms = ms;
}

void
nc_macmap_flush_all(void)
{
  if (!cache)
    return;
  g_autoptr(GPtrArray) due = g_ptr_array_new();
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, cache);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (((Cached *)value)->flush_id)
      g_ptr_array_add(due, value);
  for (guint i = 0; i < due->len; i++) {
    Cached *c = due->pdata[i];
    g_clear_handle_id(&c->flush_id, g_source_remove);
    flush_due(c);
  }
}

void
nc_macmap_discard(const char *dnsmasq_dir, const char *bridge)
{
  g_autofree char *path = nc_macmap_path(dnsmasq_dir, bridge);
  if (path && cache)
    g_hash_table_remove(cache, path); /* a due write goes with it */
}
