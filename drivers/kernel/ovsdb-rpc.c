/* The OVSDB JSON-RPC exchange (see ovsdb-rpc.h).
 *
 * OVSDB frames nothing: messages are JSON objects back to back on the
 * stream, so a reply is complete when its outermost braces balance (strings
 * and their escapes skipped). The local database socket keeps one
 * connection open between calls (see Conn below); the remotes of
 * nc_ovsdb_transact_db (OVN's NB, possibly a cluster whose leader moves)
 * get one connection per call. */
#include "ovsdb-rpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "safe-read.h"

/* The largest message read from an OVSDB server. The biggest replies are
 * selects and monitors of whole tables; measured with 1,000 ports (ovsdb-
 * server 3.1): all Logical_Switch_Port rows 0.6 MB, all Interface rows
 * 1.1 MB, all Port rows 0.6 MB (vswitchd's statistics add a little).
 * 64 MiB leaves a margin of over 30 times on the three together and still
 * bounds what a hostile or broken NB can make netctld hold. */
#define OVSDB_MESSAGE_MAX (64 * 1024 * 1024)
/* OVSDB's JSON nests 8 levels at most (a monitor update: params, tables,
 * rows, old/new, columns, ["map", [[k, v]]]); deeper would only be a
 * hostile server's way to overflow json-glib's recursive parser. */
#define OVSDB_JSON_MAX_DEPTH NC_JSON_MAX_DEPTH

void
nc_ovsdb_json_str(GString *out, const char *s)
{
  g_string_append_c(out, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c(out, '\\'), g_string_append_c(out, *p);
    else if (*p < 0x20)
      g_string_append_printf(out, "\\u%04x", *p);
    else
      g_string_append_c(out, *p);
  }
  g_string_append_c(out, '"');
}

void
nc_ovsdb_json_map_pair(GString *out, gboolean *first, const char *key, const char *value)
{
  if (!value)
    return;
  g_string_append(out, *first ? "[" : ",[");
  *first = FALSE;
  nc_ovsdb_json_str(out, key);
  g_string_append_c(out, ',');
  nc_ovsdb_json_str(out, value);
  g_string_append_c(out, ']');
}

static int
connect_socket(const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof addr.sun_path)
    return -ENAMETOOLONG;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

/* tcp:HOST:PORT (IPv4, or [IPv6]), non-blocking connect bounded by deadline;
 * the socket is blocking again on return. */
static int
connect_tcp(const char *hostport, gint64 deadline)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t sslen;
  const char *colon = strrchr(hostport, ':');
  if (!colon)
    return -EINVAL;
  guint64 port = 0;
  if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
    return -EINVAL;
  g_autofree char *host = g_strndup(hostport, (gsize)(colon - hostport));
  if (host[0] == '[' && host[strlen(host) - 1] == ']') {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    host[strlen(host) - 1] = '\0';
    if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
      return -EINVAL;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((guint16)port);
    sslen = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
      return -EINVAL;
    a->sin_family = AF_INET;
    a->sin_port = htons((guint16)port);
    sslen = sizeof *a;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -errno;
  int r = 0;
  if (connect(fd, (struct sockaddr *)&ss, sslen) < 0) {
    r = -errno;
    while (r == -EINPROGRESS || r == -EINTR) {
      gint64 left = (deadline - g_get_monotonic_time()) / 1000;
      if (left <= 0) {
        r = -ETIMEDOUT;
        break;
      }
      struct pollfd pfd = { .fd = fd, .events = POLLOUT };
      int n = poll(&pfd, 1, (int)MIN(left, G_MAXINT));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        r = n < 0 ? -errno : -ETIMEDOUT;
        break;
      }
      int err = 0;
      socklen_t len = sizeof err;
      r = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ? -errno : -err;
    }
  }
  if (r == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
    r = -errno;
  if (r < 0) {
    close(fd);
    return r;
  }
  return fd;
}

/* The first of the comma-separated remotes that connects. */
static int
connect_remotes(const char *remotes, gint64 deadline)
{
  g_auto(GStrv) list = g_strsplit(remotes, ",", -1);
  int fd = -EINVAL;
  for (char **r = list; *r && fd < 0; r++) {
    if (g_str_has_prefix(*r, "tcp:"))
      fd = connect_tcp(*r + 4, deadline);
    else if (g_str_has_prefix(*r, "unix:"))
      fd = connect_socket(*r + 5);
    else
      fd = -EINVAL;
  }
  return fd;
}

static int
write_all(int fd, const char *buf, gsize len)
{
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    buf += n;
    len -= (gsize)n;
  }
  return 0;
}

/* Reads messages from fd (buf holds what was read and not used yet) until
 * a reply; answers "echo" requests. *ret_id and *ret_reply get the reply's
 * id and root object node. */
static int
read_reply(int fd, GString *buf, gint64 deadline, gint64 *ret_id, JsonNode **ret_reply)
{
  char chunk[16384];
  NcJsonFrame frame = { 0 };
  for (;;) {
    gssize len;
    while ((len = nc_json_frame_next(&frame, buf->str, buf->len, OVSDB_JSON_MAX_DEPTH)) != 0) {
      if (len < 0)
        return -EOVERFLOW;
      g_autoptr(JsonParser) parser = json_parser_new();
      if (!json_parser_load_from_data(parser, buf->str, len, NULL))
        return -EBADMSG;
      g_string_erase(buf, 0, len);
      frame = (NcJsonFrame){ 0 };
      JsonNode *root = json_parser_get_root(parser);
      if (!root || !JSON_NODE_HOLDS_OBJECT(root))
        return -EBADMSG;
      JsonObject *msg = json_node_get_object(root);
      const char *method = json_object_get_string_member_with_default(msg, "method", NULL);
      if (method && g_str_equal(method, "echo")) {
        /* {"id": X, "result": params, "error": null} */
        JsonNode *params = json_object_get_member(msg, "params");
        JsonNode *mid = json_object_get_member(msg, "id");
        g_autofree char *p = params ? json_to_string(params, FALSE) : g_strdup("[]");
        g_autofree char *i = mid ? json_to_string(mid, FALSE) : g_strdup("null");
        g_autofree char *reply = g_strdup_printf("{\"id\":%s,\"result\":%s,\"error\":null}", i, p);
        int r = write_all(fd, reply, strlen(reply));
        if (r < 0)
          return r;
        continue;
      }
      JsonNode *mid = json_object_get_member(msg, "id");
      if (method || !mid || json_node_get_value_type(mid) != G_TYPE_INT64)
        continue; /* a notification */
      *ret_id = json_node_get_int(mid);
      *ret_reply = json_node_copy(root);
      return 0;
    }
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    if (left <= 0)
      return -ETIMEDOUT;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int n = poll(&pfd, 1, (int)MIN(left, G_MAXINT));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return -ETIMEDOUT;
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return -errno;
    if (got == 0)
      return -ECONNRESET;
    if (buf->len + (gsize)got > OVSDB_MESSAGE_MAX)
      return -EMSGSIZE;
    g_string_append_len(buf, chunk, got);
  }
}

/* The first "error" in a transact result (an operation's, or the commit's
 * appended after the operations). */
static int
result_error(JsonArray *result, char **ret_detail)
{
  for (guint i = 0; i < json_array_get_length(result); i++) {
    JsonNode *n = json_array_get_element(result, i);
    if (!n || !JSON_NODE_HOLDS_OBJECT(n))
      continue;
    JsonObject *o = json_node_get_object(n);
    const char *err = json_object_get_string_member_with_default(o, "error", NULL);
    if (!err)
      continue;
    const char *details = json_object_get_string_member_with_default(o, "details", "");
    if (ret_detail)
      *ret_detail = g_strdup_printf("%s%s%s", err, details[0] ? ": " : "", details);
    if (g_str_equal(err, "constraint violation"))
      return -EEXIST;
    if (g_str_equal(err, "timed out"))
      return -ETIMEDOUT;
    return -EIO;
  }
  return 0;
}

/* A reply's outcome into req. */
static void
take_reply(JsonNode *reply, NcOvsdbRequest *req)
{
  JsonObject *msg = json_node_get_object(reply);
  JsonNode *err = json_object_get_member(msg, "error");
  if (err && !JSON_NODE_HOLDS_NULL(err)) {
    req->detail = json_to_string(err, FALSE);
    req->r = -EIO;
    return;
  }
  JsonNode *res = json_object_get_member(msg, "result");
  if (!res || !JSON_NODE_HOLDS_ARRAY(res)) {
    req->r = -EBADMSG;
    return;
  }
  JsonArray *result = json_node_get_array(res);
  req->r = result_error(result, &req->detail);
  if (req->r == 0)
    req->result = json_array_ref(result);
}

/* {"method":"transact","params":[DB, op, ...],"id":ID} appended to out: the
 * ops array's elements spliced in. */
static gboolean
append_request(GString *out, const char *db, const char *ops_json, gint64 id)
{
  gsize len = strlen(ops_json);
  if (len < 2 || ops_json[0] != '[' || ops_json[len - 1] != ']')
    return FALSE;
  g_string_append_printf(
      out, "{\"method\":\"transact\",\"params\":[\"%s\",%.*s],\"id\":%" G_GINT64_FORMAT "}", db,
      (int)(len - 2), ops_json + 1, id);
  return TRUE;
}

/* Sends every request of reqs in one write, then reads their replies (in
 * whatever order they come: a "wait" may answer late). ids start at
 * *next_id. Transport errors are returned; each request's own outcome is in
 * its r. *ret_got counts the replies read. */
static int
exchange(int fd, GString *buf, gint64 *next_id, const char *db, NcOvsdbRequest *reqs, guint n,
         gint64 deadline, guint *ret_got)
{
  g_autoptr(GString) out = g_string_new(NULL);
  gint64 first = *next_id;
  *ret_got = 0;
  for (guint i = 0; i < n; i++)
    if (!append_request(out, db, reqs[i].ops, first + i))
      g_return_val_if_reached(-EINVAL);
  *next_id += n;
  int r = write_all(fd, out->str, out->len);
  while (r == 0 && *ret_got < n) {
    gint64 id = 0;
    g_autoptr(JsonNode) reply = NULL;
    r = read_reply(fd, buf, deadline, &id, &reply);
    if (r == 0 && id >= first && id < first + n && !reqs[id - first].done) {
      take_reply(reply, &reqs[id - first]);
      reqs[id - first].done = TRUE;
      (*ret_got)++;
    }
  }
  return r;
}

/* Words for a reply read_reply refused (-EMSGSIZE, -EOVERFLOW, -EBADMSG),
 * naming the database it came from; NULL for any other error. */
static char *
refusal_detail(const char *where, int r)
{
  const char *why = r == -EMSGSIZE    ? "it is larger than 64 MiB"
                    : r == -EOVERFLOW ? "its JSON nests deeper than 64 levels"
                    : r == -EBADMSG   ? "it is not a JSON object"
                                      : NULL;
  return why ? g_strdup_printf("a reply from the OVSDB server at %s was refused (%s) and the "
                               "connection dropped",
                               where, why)
             : NULL;
}

/* A transport error of an exchange becomes the detail of every request it
 * left unanswered. */
static void
set_refusal(NcOvsdbRequest *reqs, guint n, const char *where, int r)
{
  for (guint i = 0; i < n; i++)
    if (!reqs[i].done && !reqs[i].detail)
      reqs[i].detail = refusal_detail(where, r);
}

/* One connection per database socket, kept open between calls: a fresh
 * connection per transaction cost ovsdb-server a session set-up and
 * tear-down each time, a third of a port's attach+detach on bench/ovs.sh.
 * The only mutable state of the kernel layer outside an object, because
 * every OVSDB caller reaches it by the socket's path alone; the lock keeps a
 * connection to one exchange at a time. */
typedef struct {
  int fd;
  gint64 next_id;
  GString *buf;
} Conn;

static GMutex conns_lock;
static GHashTable *conns; /* socket path -> Conn */

static void
conn_free(Conn *c)
{
  if (c->fd >= 0)
    close(c->fd);
  g_string_free(c->buf, TRUE);
  g_free(c);
}

/* A kept connection the server has closed (it restarted, or dropped an idle
 * session) reads as end-of-file or an error before anything is sent. */
static gboolean
conn_alive(Conn *c)
{
  struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
  if (poll(&pfd, 1, 0) <= 0)
    return TRUE;
  if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
    return FALSE;
  char b;
  ssize_t n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

/* The kept connection to socket (made when there is none or it died);
 * *ret_reused says it was made by an earlier call. Under conns_lock. */
static int
conn_get(const char *socket, Conn **ret_conn, gboolean *ret_reused)
{
  if (!conns)
    conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)conn_free);
  Conn *c = g_hash_table_lookup(conns, socket);
  if (c && conn_alive(c)) {
    *ret_conn = c;
    *ret_reused = TRUE;
    return 0;
  }
  g_hash_table_remove(conns, socket);
  int fd = connect_socket(socket);
  if (fd < 0)
    return fd;
  c = g_new0(Conn, 1);
  c->fd = fd;
  c->next_id = 1;
  c->buf = g_string_new(NULL);
  g_hash_table_insert(conns, g_strdup(socket), c);
  *ret_conn = c;
  *ret_reused = FALSE;
  return 0;
}

int
nc_ovsdb_transact_many(const char *socket, NcOvsdbRequest *reqs, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  for (guint i = 0; i < n; i++)
    reqs[i].done = FALSE, reqs[i].r = 0;
  g_mutex_lock(&conns_lock);
  int r;
  for (int attempt = 0;; attempt++) {
    Conn *c;
    gboolean reused;
    r = conn_get(socket, &c, &reused);
    if (r < 0)
      break;
    guint got = 0;
    r = exchange(c->fd, c->buf, &c->next_id, "Open_vSwitch", reqs, n, deadline, &got);
    if (r == 0)
      break;
    /* Anything left unread on it (a late reply) would answer the next
     * call: the connection goes with the error. */
    g_hash_table_remove(conns, socket);
    set_refusal(reqs, n, socket, r);
    /* A kept connection that died under us before any reply: once more on
     * a new one. (A server that died right after committing would see the
     * request twice: a port insert then finds its port and updates it, a
     * delete finds nothing; both end as asked.) */
    if (!(reused && attempt == 0 && got == 0 && (r == -EPIPE || r == -ECONNRESET)))
      break;
  }
  g_mutex_unlock(&conns_lock);
  return r;
}

int
nc_ovsdb_transact(const char *socket, const char *ops_json, guint timeout_ms,
                  JsonArray **ret_result, char **ret_detail)
{
  NcOvsdbRequest req = { .ops = ops_json };
  int r = nc_ovsdb_transact_many(socket, &req, 1, timeout_ms);
  if (r == 0)
    r = req.r;
  if (r == 0 && ret_result)
    *ret_result = g_steal_pointer(&req.result);
  if (ret_detail && req.detail)
    *ret_detail = g_steal_pointer(&req.detail);
  nc_ovsdb_request_clear(&req);
  return r;
}

void
nc_ovsdb_request_clear(NcOvsdbRequest *req)
{
  g_clear_pointer(&req->result, json_array_unref);
  g_clear_pointer(&req->detail, g_free);
}

/* One transact of db over a connected fd (closed here); where names it. */
static int
transact_fd(int fd, const char *where, const char *db, const char *ops_json, gint64 deadline,
            JsonArray **ret_result, char **ret_detail)
{
  g_autoptr(GString) buf = g_string_new(NULL);
  gint64 next_id = 1;
  NcOvsdbRequest req = { .ops = ops_json };
  guint got = 0;
  int r = exchange(fd, buf, &next_id, db, &req, 1, deadline, &got);
  close(fd);
  set_refusal(&req, 1, where, r);
  if (r == 0)
    r = req.r;
  if (r == 0 && ret_result)
    *ret_result = g_steal_pointer(&req.result);
  if (ret_detail && req.detail)
    *ret_detail = g_steal_pointer(&req.detail);
  nc_ovsdb_request_clear(&req);
  return r;
}

int
nc_ovsdb_transact_db(const char *remotes, const char *db, const char *ops_json, guint timeout_ms,
                     JsonArray **ret_result, char **ret_detail)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  int fd = connect_remotes(remotes, deadline);
  if (fd < 0)
    return fd;
  return transact_fd(fd, remotes, db, ops_json, deadline, ret_result, ret_detail);
}

JsonArray *
nc_ovsdb_result_rows(JsonArray *result, guint i)
{
  if (i >= json_array_get_length(result))
    return NULL;
  JsonNode *n = json_array_get_element(result, i);
  if (!JSON_NODE_HOLDS_OBJECT(n))
    return NULL;
  JsonNode *rows = json_object_get_member(json_node_get_object(n), "rows");
  return rows && JSON_NODE_HOLDS_ARRAY(rows) ? json_node_get_array(rows) : NULL;
}

const char *
nc_ovsdb_row_string(JsonObject *row, const char *column)
{
  JsonNode *n = json_object_get_member(row, column);
  if (!n || json_node_get_value_type(n) != G_TYPE_STRING)
    return "";
  return json_node_get_string(n);
}

/* ["TAG", VALUE] pairs: the value when the tag matches. */
static JsonNode *
tagged(JsonNode *n, const char *tag)
{
  if (!n || !JSON_NODE_HOLDS_ARRAY(n))
    return NULL;
  JsonArray *a = json_node_get_array(n);
  if (json_array_get_length(a) != 2)
    return NULL;
  const char *t = json_node_get_string(json_array_get_element(a, 0));
  return g_strcmp0(t, tag) == 0 ? json_array_get_element(a, 1) : NULL;
}

const char *
nc_ovsdb_row_uuid(JsonObject *row, const char *column)
{
  JsonNode *v = tagged(json_object_get_member(row, column), "uuid");
  return v && json_node_get_value_type(v) == G_TYPE_STRING ? json_node_get_string(v) : NULL;
}

const char *
nc_ovsdb_row_map_get(JsonObject *row, const char *column, const char *key)
{
  JsonNode *v = tagged(json_object_get_member(row, column), "map");
  if (!v || !JSON_NODE_HOLDS_ARRAY(v))
    return NULL;
  JsonArray *pairs = json_node_get_array(v);
  for (guint i = 0; i < json_array_get_length(pairs); i++) {
    JsonNode *p = json_array_get_element(pairs, i);
    if (!JSON_NODE_HOLDS_ARRAY(p) || json_array_get_length(json_node_get_array(p)) != 2)
      continue;
    JsonArray *kv = json_node_get_array(p);
    if (g_strcmp0(json_array_get_string_element(kv, 0), key) == 0
        && json_node_get_value_type(json_array_get_element(kv, 1)) == G_TYPE_STRING)
      return json_array_get_string_element(kv, 1);
  }
  return NULL;
}

gboolean
nc_ovsdb_row_set_has_uuid(JsonObject *row, const char *column, const char *uuid)
{
  JsonNode *n = json_object_get_member(row, column);
  JsonNode *one = tagged(n, "uuid");
  if (one)
    return g_strcmp0(json_node_get_string(one), uuid) == 0;
  JsonNode *set = tagged(n, "set");
  if (!set || !JSON_NODE_HOLDS_ARRAY(set))
    return FALSE;
  JsonArray *a = json_node_get_array(set);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *u = tagged(json_array_get_element(a, i), "uuid");
    if (u && g_strcmp0(json_node_get_string(u), uuid) == 0)
      return TRUE;
  }
  return FALSE;
}
