/* The OVSDB JSON-RPC exchange (RFC 7047) under ovsdb.c: "transact"
 * requests and their replies, over one connection per database socket kept
 * open between calls (reconnected once when the server closed it), or one
 * connection per call to remote databases. Private to the kernel layer.
 * Returns 0 or -errno; ret_detail as ovsdb.h. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Appends s as a JSON string (quotes and escapes included). */
void nc_ovsdb_json_str(GString *out, const char *s);
/* Appends [key,value] to the pairs of an OVSDB "map" (a comma first unless
 * *first, which it clears); nothing when value is NULL. */
void nc_ovsdb_json_map_pair(GString *out, gboolean *first, const char *key, const char *value);

/* Sends ["Open_vSwitch", OP...] where ops_json is the JSON array of the
 * operations (objects), and waits (bounded by timeout_ms) for the
 * reply. On success *ret_result holds the reply's result array (one entry
 * per operation; caller unrefs). A transaction OVSDB refused (an operation's
 * or the commit's "error") is -EIO with "ERROR: DETAILS" in *ret_detail, or
 * -EEXIST for a "constraint violation" (a duplicate name), or -ETIMEDOUT for
 * a "wait" that "timed out". A reply read_reply refuses before parsing it
 * (over 64 MiB: -EMSGSIZE; JSON nested deeper than 64 levels: -EOVERFLOW;
 * not JSON: -EBADMSG) drops the connection and says so, naming the
 * server's socket, in *ret_detail. */
int nc_ovsdb_transact(const char *socket, const char *ops_json, guint timeout_ms,
                      JsonArray **ret_result, char **ret_detail);

/* Several transactions sent together on the socket's connection, without
 * waiting for each reply before sending the next (one round trip for all;
 * OVSDB commits them in order). ops: as above. Each request's outcome is in
 * its r (0 or as nc_ovsdb_transact), result and detail (free them with
 * nc_ovsdb_request_clear); the return value is 0 or a transport error
 * (nothing could be sent or not every reply came within timeout_ms). */
typedef struct {
  const char *ops;
  int r;
  JsonArray *result;
  char *detail;
  gboolean done; /* private */
} NcOvsdbRequest;
int nc_ovsdb_transact_many(const char *socket, NcOvsdbRequest *reqs, guint n, guint timeout_ms);
void nc_ovsdb_request_clear(NcOvsdbRequest *req);

/* The same against database `db` ("OVN_Northbound") at `remotes`: OVSDB
 * remotes separated by commas (tcp:IPv4:PORT, tcp:[IPv6]:PORT,
 * unix:PATH; validated by the XML layer), tried in order until one
 * connects (the members of a cluster forward to the leader). Connecting is
 * bounded by the same timeout. -ECONNREFUSED/-EHOSTUNREACH/-ETIMEDOUT when
 * none could be reached. */
int nc_ovsdb_transact_db(const char *remotes, const char *db, const char *ops_json,
                         guint timeout_ms, JsonArray **ret_result, char **ret_detail);

/* The rows of the select at index i of a result (borrowed), or NULL. */
JsonArray *nc_ovsdb_result_rows(JsonArray *result, guint i);
/* A row's string column ("" when absent or not a string). */
const char *nc_ovsdb_row_string(JsonObject *row, const char *column);
/* A row's uuid column (["uuid", "..."]) or NULL. */
const char *nc_ovsdb_row_uuid(JsonObject *row, const char *column);
/* The value of key in a row's map column (["map", [[k, v], ...]]) or NULL. */
const char *nc_ovsdb_row_map_get(JsonObject *row, const char *column, const char *key);
/* Whether a row's set-of-uuids column holds uuid. */
gboolean nc_ovsdb_row_set_has_uuid(JsonObject *row, const char *column, const char *uuid);

G_END_DECLS
