/* The OVSDB JSON-RPC exchange (see ovsdb-rpc.h).
 *
 * OVSDB frames nothing: messages are JSON objects back to back on the
 * stream, so a reply is complete when its outermost braces balance (strings
 * and their escapes skipped). A connection per call: connect(2) to a unix
 * socket costs microseconds, and a short connection never sees the
 * server's inactivity "echo" probes. */
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

/* Length of the first complete JSON object at the start of buf (leading
 * whitespace included), 0 when it is not complete yet. */
static gsize
object_length(const char *buf, gsize len)
{
  int depth = 0;
  gboolean in_string = FALSE, escape = FALSE, started = FALSE;
  for (gsize i = 0; i < len; i++) {
    char c = buf[i];
    if (in_string) {
      if (escape)
        escape = FALSE;
      else if (c == '\\')
        escape = TRUE;
      else if (c == '"')
        in_string = FALSE;
      continue;
    }
    if (c == '"') {
      in_string = TRUE;
    } else if (c == '{' || c == '[') {
      depth++;
      started = TRUE;
    } else if (c == '}' || c == ']') {
      depth--;
      if (started && depth == 0)
        return i + 1;
    }
  }
  return 0;
}

/* Reads messages until the reply with id `id`; answers "echo" requests.
 * *ret_reply gets the reply's root object node. */
static int
read_reply(int fd, gint64 id, gint64 deadline, JsonNode **ret_reply)
{
  g_autoptr(GString) buf = g_string_new(NULL);
  char chunk[16384];
  for (;;) {
    gsize len;
    while ((len = object_length(buf->str, buf->len)) > 0) {
      g_autoptr(JsonParser) parser = json_parser_new();
      if (!json_parser_load_from_data(parser, buf->str, (gssize)len, NULL))
        return -EBADMSG;
      g_string_erase(buf, 0, (gssize)len);
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
      if (method || !mid || json_node_get_value_type(mid) != G_TYPE_INT64
          || json_node_get_int(mid) != id)
        continue; /* a notification, or not ours */
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
    if (buf->len + (gsize)got > 64 * 1024 * 1024)
      return -EMSGSIZE; /* bounded: no reply of ours is anywhere near this */
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

/* One transact of db over a connected fd (closed here). */
static int
transact_fd(int fd, const char *db, const char *ops_json, gint64 deadline, JsonArray **ret_result,
            char **ret_detail)
{
  const gint64 id = 1; /* one request per connection */
  /* params: [DB, op, op, ...]: the array's elements spliced in. */
  gsize len = strlen(ops_json);
  if (len < 2 || ops_json[0] != '[' || ops_json[len - 1] != ']') {
    close(fd);
    g_return_val_if_reached(-EINVAL);
  }
  g_autofree char *req = g_strdup_printf(
      "{\"method\":\"transact\",\"params\":[\"%s\",%.*s],\"id\":%" G_GINT64_FORMAT "}", db,
      (int)(len - 2), ops_json + 1, id);
  g_autoptr(JsonNode) reply = NULL;
  int r = write_all(fd, req, strlen(req));
  if (r == 0)
    r = read_reply(fd, id, deadline, &reply);
  close(fd);
  if (r < 0)
    return r;
  JsonObject *msg = json_node_get_object(reply);
  JsonNode *err = json_object_get_member(msg, "error");
  if (err && !JSON_NODE_HOLDS_NULL(err)) {
    if (ret_detail)
      *ret_detail = json_to_string(err, FALSE);
    return -EIO;
  }
  JsonNode *res = json_object_get_member(msg, "result");
  if (!res || !JSON_NODE_HOLDS_ARRAY(res))
    return -EBADMSG;
  JsonArray *result = json_node_get_array(res);
  r = result_error(result, ret_detail);
  if (r < 0)
    return r;
  if (ret_result)
    *ret_result = json_array_ref(result);
  return 0;
}

int
nc_ovsdb_transact(const char *socket, const char *ops_json, guint timeout_ms,
                  JsonArray **ret_result, char **ret_detail)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  int fd = connect_socket(socket);
  if (fd < 0)
    return fd;
  return transact_fd(fd, "Open_vSwitch", ops_json, deadline, ret_result, ret_detail);
}

int
nc_ovsdb_transact_db(const char *remotes, const char *db, const char *ops_json, guint timeout_ms,
                     JsonArray **ret_result, char **ret_detail)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  int fd = connect_remotes(remotes, deadline);
  if (fd < 0)
    return fd;
  return transact_fd(fd, db, ops_json, deadline, ret_result, ret_detail);
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
