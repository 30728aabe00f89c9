/* Shared by the libvirt-protocol front end's files (rpc-*.c); not for use
 * outside them.
 *
 * One NcRpcServer per daemon (front-end data "rpc"), one NcRpcClient per
 * accepted connection. Everything runs on the main loop: a client's socket
 * is non-blocking and watched by its own GSource; replies and events wait in
 * the client's bounded output queue. */
#pragma once

#include <sys/types.h>

#include "nc-daemon.h"
#include "rpc-frontend.h"
#include "rpc-packet.h"
#include "write-queue.h"

G_BEGIN_DECLS

/* While a client's unsent output exceeds this, no more of its calls are read
 * (the kernel's buffer then pushes back on a client that floods calls
 * without reading replies). */
#define NC_RPC_OUTPUT_SOFT_LIMIT (1024 * 1024)
/* The same in packets: many tiny replies cost more than their bytes. */
#define NC_RPC_OUTPUT_SOFT_PACKETS 1024
/* Output beyond this (events piling up for a client that never reads) ends
 * the connection. Replies cannot reach it: reading stops at the soft limit
 * and one reply is at most NC_RPC_MESSAGE_MAX. */
#define NC_RPC_OUTPUT_HARD_LIMIT (NC_RPC_MESSAGE_MAX + 8 * 1024 * 1024)
/* Event registrations per connection (libvirt has no limit; a client cannot
 * make us keep unbounded state). */
#define NC_RPC_MAX_CALLBACKS 1024
#define NC_RPC_MAX_CLIENTS_DEFAULT 1024

typedef struct _NcRpcServer NcRpcServer;
typedef struct _NcRpcClient NcRpcClient;

typedef struct {
  int id;
  int event_id;           /* NC_RPC_NETWORK_EVENT_ID_* */
  gboolean has_network;   /* filter on one network */
  guint8 uuid[NC_RPC_UUID_LEN];
} NcRpcCallback;

struct _NcRpcClient {
  NcRpcServer *server;
  guint64 id;
  int fd;
  GSource *source;
  gpointer fd_tag;
  GIOCondition watch_cond; /* what fd_tag watches now */
  gboolean readonly_socket;
  gint64 uid; /* -1 unknown */
  gint64 pid;

  gboolean opened;   /* CONNECT_OPEN done */
  gboolean readonly; /* read-only socket, or opened with VIR_CONNECT_RO, or not root */
  char *uri;

  /* input: the packet being read */
  GByteArray *in;
  guint32 in_need; /* 0 until the length word is complete */

  /* output: GByteArray packets, sent in order */
  GQueue out;
  gsize out_bytes;
  gsize out_offset; /* sent bytes of the head packet */
  gboolean closing; /* drop after the queue drains (CONNECT_CLOSE) */
  gboolean dead;    /* removed; waiting for the source to be freed */
  guint pending;    /* its calls waiting on server->writes */

  GArray *callbacks; /* of NcRpcCallback */
  int next_callback_id;
};

typedef struct {
  int fd;
  gboolean readonly;
  char *path;   /* NULL for a socket systemd gave us */
  gboolean owned; /* we created the file: unlinked at stop */
  GSource *source;
} NcRpcListener;

struct _NcRpcServer {
  NcDaemon *daemon;
  GPtrArray *listeners; /* of NcRpcListener* */
  GHashTable *clients;  /* NcRpcClient* set */
  guint64 next_client_id;
  guint max_clients;
  guint event_handler_id;
  GPtrArray *graveyard; /* sources of dropped clients, unreferenced when idle */
  guint graveyard_idle;
  /* Calls that change state, run in arrival order a slice per main-loop turn
   * (write-queue.h): reads do not wait behind a burst of them. */
  NcWriteQueue *writes;
};

/* -- rpc-server.c / rpc-client.c ---------------------------------------------------- */

/* Keeps a dropped client's source (its reference taken) until the next idle
 * turn, so the client outlives the call stack that dropped it. */
void nc_rpc_server_bury(NcRpcServer *server, GSource *source);
/* Takes ownership of `fd` (a connected, non-blocking socket). */
NcRpcClient *nc_rpc_client_new(NcRpcServer *server, int fd, gboolean readonly_socket);
/* Queues a finished packet (taken). FALSE when the client was dropped
 * because its queue overflowed. */
gboolean nc_rpc_client_send(NcRpcClient *client, GByteArray *packet);
/* Watches the socket for what the client's state allows now (reading stops
 * while its replies or queued calls are over their limits). */
void nc_rpc_client_update_watch(NcRpcClient *client);
/* Closes the socket and frees the client. */
void nc_rpc_client_drop(NcRpcClient *client, const char *why);
/* Consumes received bytes: the length word, then the rest of each packet,
 * dispatching complete ones (the fuzz target feeds this directly). */
void nc_rpc_client_feed(NcRpcClient *client, const guint8 *buf, gsize len);
/* Decodes and dispatches one complete packet. */
void nc_rpc_client_handle_packet(NcRpcClient *client, const guint8 *data, gsize len);

/* -- rpc-dispatch.c -------------------------------------------------------------------- */

/* A procedure: args decoded from `args`, result body appended to `reply`.
 * FALSE with an NC_ERROR error to reply with (its message gets libvirt's
 * prefix). */
typedef gboolean (*NcRpcHandler)(NcRpcClient *client, NcXdrIn *args, GByteArray *reply,
                                 GError **error);

typedef enum {
  NC_RPC_BEFORE_OPEN = 1 << 0, /* allowed before CONNECT_OPEN */
  NC_RPC_CHANGES = 1 << 1,     /* changes state without a core operation (metadata) */
} NcRpcProcFlags;

typedef struct {
  gint32 proc;
  const char *name; /* libvirt's API name, for messages */
  NcRpcHandler func;
  int op;           /* NcOperation, or -1 */
  guint flags;      /* NcRpcProcFlags */
} NcRpcProc;

/* The tables, one per file (rpc-connect.c, rpc-network.c, rpc-port.c,
 * rpc-events.c, rpc-metadata.c), and their sizes. */
extern const NcRpcProc nc_rpc_connect_procs[];
extern const gsize nc_rpc_connect_n_procs;
extern const NcRpcProc nc_rpc_network_procs[];
extern const gsize nc_rpc_network_n_procs;
extern const NcRpcProc nc_rpc_port_procs[];
extern const gsize nc_rpc_port_n_procs;
extern const NcRpcProc nc_rpc_event_procs[];
extern const gsize nc_rpc_event_n_procs;
extern const NcRpcProc nc_rpc_metadata_procs[];
extern const gsize nc_rpc_metadata_n_procs;

/* The procedure served under `proc`, or NULL (answered NO_SUPPORT). */
const NcRpcProc *nc_rpc_proc_lookup(gint32 proc);
/* TRUE when the procedure changes state (refused on read-only connections). */
gboolean nc_rpc_proc_changes(const NcRpcProc *p);

/* Handles a CALL of the remote program (after program/version checks). */
void nc_rpc_dispatch_call(NcRpcClient *client, const NcRpcHeader *call, NcXdrIn *args);

/* -- rpc-keepalive.c ---------------------------------------------------------------------- */

/* A message of the keepalive program: PING gets a PONG. */
void nc_rpc_keepalive_handle(NcRpcClient *client, const NcRpcHeader *msg);

/* -- rpc-events.c ------------------------------------------------------------------------------ */

void nc_rpc_events_on_core_event(NcDaemon *daemon, const NcEvent *event, gpointer user_data);
/* Metadata change (network-metadata.c has no core event for it yet). */
void nc_rpc_events_metadata_changed(NcRpcServer *server, NcNetwork *net, int type,
                                    const char *nsuri);

/* -- helpers shared by the procedure files (rpc-network.c) ---------------------------- */

/* remote_nonnull_network: name and uuid; the network is found by uuid. */
NcNetwork *nc_rpc_get_network(NcRpcClient *client, NcXdrIn *in, GError **error);
void nc_rpc_put_network(GByteArray *out, NcNetwork *net);
/* An XDR decoding failure as the error to reply with. */
gboolean nc_rpc_bad_args(NcXdrIn *in, GError **error);

/* -- rpc-params.c: remote_typed_param ------------------------------------------------- */

#define NC_RPC_TYPED_PARAM_FIELD_MAX 80 /* VIR_TYPED_PARAM_FIELD_LENGTH */

typedef struct {
  char *field;
  int type; /* NC_RPC_TYPED_PARAM_* */
  gint64 i; /* INT, BOOLEAN, LLONG */
  guint64 u; /* UINT, ULLONG */
  double d;
  char *s;
} NcRpcTypedParam;

void nc_rpc_typed_param_clear(NcRpcTypedParam *p);
/* Decodes `remote_typed_param params<max>`; check nc_xdr_ok afterwards. */
GArray *nc_rpc_get_typed_params(NcXdrIn *in, guint max);
void nc_rpc_put_typed_param_uint(GByteArray *out, const char *field, guint32 value);

G_END_DECLS
