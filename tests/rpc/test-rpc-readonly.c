/* The read-only socket never reaches a changing procedure: every procedure
 * number 1..NC_PROC_LAST_KNOWN is sent, without arguments, on a read-only
 * connection and must come back refused (OPERATION_DENIED) when it changes
 * state, or NO_SUPPORT when it is not served. The same calls from a non-root
 * peer on the read-write socket get ACCESS_DENIED, and calls before
 * CONNECT_OPEN get "connection not open". No handler runs (there is no
 * daemon behind this server: a handler that ran would crash the test).
 * /rpc/procedure-numbers checks every served number against libvirt's
 * remote_protocol.x. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nc-error.h"
#include "rpc-private.h"

/* What libvirt's API says changes something, by procedure number. */
static const gint32 changing[] = {
  NC_PROC_NETWORK_CREATE,           NC_PROC_NETWORK_CREATE_XML,
  NC_PROC_NETWORK_DEFINE_XML,       NC_PROC_NETWORK_DESTROY,
  NC_PROC_NETWORK_SET_AUTOSTART,    NC_PROC_NETWORK_UNDEFINE,
  NC_PROC_NETWORK_UPDATE,           NC_PROC_NETWORK_PORT_CREATE_XML,
  NC_PROC_NETWORK_PORT_SET_PARAMETERS, NC_PROC_NETWORK_PORT_DELETE,
  NC_PROC_CONNECT_SET_IDENTITY,     NC_PROC_NETWORK_DEFINE_XML_FLAGS,
  NC_PROC_NETWORK_CREATE_XML_FLAGS, NC_PROC_NETWORK_SET_METADATA,
};

/* Every procedure netctld serves, with its number as libvirt's
 * src/remote/remote_protocol.x (enum remote_procedure) defines it, read from
 * a libvirt tree whose enum reaches 449 (the enum is append-only; 9.0 ends at
 * 443 with DOMAIN_FD_ASSOCIATE, 9.7 adds 444-446). The literal is the
 * check: NC_PROC_* must equal it and the entry serving it must be the API
 * libvirt's client calls it for. A new served procedure must be added here. */
static const struct {
  gint32 proc;   /* NC_PROC_* */
  gint32 wire;   /* remote_protocol.x */
  const char *api;
} verified[] = {
  { NC_PROC_CONNECT_OPEN, 1, "virConnectOpen" },
  { NC_PROC_CONNECT_CLOSE, 2, "virConnectClose" },
  { NC_PROC_CONNECT_GET_TYPE, 3, "virConnectGetType" },
  { NC_PROC_CONNECT_GET_VERSION, 4, "virConnectGetVersion" },
  { NC_PROC_NODE_GET_INFO, 6, "virNodeGetInfo" },
  { NC_PROC_CONNECT_GET_CAPABILITIES, 7, "virConnectGetCapabilities" },
  { NC_PROC_CONNECT_LIST_DEFINED_NETWORKS, 36, "virConnectListDefinedNetworks" },
  { NC_PROC_CONNECT_LIST_NETWORKS, 38, "virConnectListNetworks" },
  { NC_PROC_NETWORK_CREATE, 39, "virNetworkCreate" },
  { NC_PROC_NETWORK_CREATE_XML, 40, "virNetworkCreateXML" },
  { NC_PROC_NETWORK_DEFINE_XML, 41, "virNetworkDefineXML" },
  { NC_PROC_NETWORK_DESTROY, 42, "virNetworkDestroy" },
  { NC_PROC_NETWORK_GET_XML_DESC, 43, "virNetworkGetXMLDesc" },
  { NC_PROC_NETWORK_GET_AUTOSTART, 44, "virNetworkGetAutostart" },
  { NC_PROC_NETWORK_GET_BRIDGE_NAME, 45, "virNetworkGetBridgeName" },
  { NC_PROC_NETWORK_LOOKUP_BY_NAME, 46, "virNetworkLookupByName" },
  { NC_PROC_NETWORK_LOOKUP_BY_UUID, 47, "virNetworkLookupByUUID" },
  { NC_PROC_NETWORK_SET_AUTOSTART, 48, "virNetworkSetAutostart" },
  { NC_PROC_NETWORK_UNDEFINE, 49, "virNetworkUndefine" },
  { NC_PROC_CONNECT_NUM_OF_DEFINED_NETWORKS, 50, "virConnectNumOfDefinedNetworks" },
  { NC_PROC_CONNECT_NUM_OF_NETWORKS, 52, "virConnectNumOfNetworks" },
  { NC_PROC_CONNECT_GET_HOSTNAME, 59, "virConnectGetHostname" },
  { NC_PROC_CONNECT_SUPPORTS_FEATURE, 60, "virConnectSupportsFeature" },
  { NC_PROC_AUTH_LIST, 66, "virConnectAuthList" },
  { NC_PROC_CONNECT_GET_URI, 110, "virConnectGetURI" },
  { NC_PROC_CONNECT_IS_SECURE, 149, "virConnectIsSecure" },
  { NC_PROC_NETWORK_IS_ACTIVE, 152, "virNetworkIsActive" },
  { NC_PROC_NETWORK_IS_PERSISTENT, 153, "virNetworkIsPersistent" },
  { NC_PROC_CONNECT_GET_LIB_VERSION, 157, "virConnectGetLibVersion" },
  { NC_PROC_CONNECT_GET_SYSINFO, 203, "virConnectGetSysinfo" },
  { NC_PROC_CONNECT_LIST_ALL_DOMAINS, 273, "virConnectListAllDomains" },
  { NC_PROC_CONNECT_LIST_ALL_NETWORKS, 283, "virConnectListAllNetworks" },
  { NC_PROC_NETWORK_UPDATE, 291, "virNetworkUpdate" },
  { NC_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY, 313, "virConnectNetworkEventRegisterAny" },
  { NC_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY, 314, "virConnectNetworkEventDeregisterAny" },
  { NC_PROC_NETWORK_GET_DHCP_LEASES, 341, "virNetworkGetDHCPLeases" },
  { NC_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, 360, "virConnectRegisterCloseCallback" },
  { NC_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, 361, "virConnectUnregisterCloseCallback" },
  { NC_PROC_NETWORK_LIST_ALL_PORTS, 404, "virNetworkListAllPorts" },
  { NC_PROC_NETWORK_PORT_LOOKUP_BY_UUID, 405, "virNetworkPortLookupByUUID" },
  { NC_PROC_NETWORK_PORT_CREATE_XML, 406, "virNetworkPortCreateXML" },
  { NC_PROC_NETWORK_PORT_GET_PARAMETERS, 407, "virNetworkPortGetParameters" },
  { NC_PROC_NETWORK_PORT_SET_PARAMETERS, 408, "virNetworkPortSetParameters" },
  { NC_PROC_NETWORK_PORT_GET_XML_DESC, 409, "virNetworkPortGetXMLDesc" },
  { NC_PROC_NETWORK_PORT_DELETE, 410, "virNetworkPortDelete" },
  { NC_PROC_CONNECT_SET_IDENTITY, 419, "virConnectSetIdentity" },
  { NC_PROC_NETWORK_DEFINE_XML_FLAGS, 432, "virNetworkDefineXMLFlags" },
  { NC_PROC_NETWORK_CREATE_XML_FLAGS, 437, "virNetworkCreateXMLFlags" },
  { NC_PROC_NETWORK_SET_METADATA, 444, "virNetworkSetMetadata" },
  { NC_PROC_NETWORK_GET_METADATA, 445, "virNetworkGetMetadata" },
};

/* Numbers netctld sends but never serves: the event messages. */
static const struct {
  gint32 proc;
  gint32 wire;
} verified_events[] = {
  { NC_PROC_NETWORK_EVENT_LIFECYCLE, 315 },
  { NC_PROC_NETWORK_EVENT_CALLBACK_METADATA_CHANGE, 446 },
};

static void
test_procedure_numbers(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(verified); i++) {
    g_test_message("%s = %d", verified[i].api, verified[i].wire);
    g_assert_cmpint(verified[i].proc, ==, verified[i].wire);
    const NcRpcProc *p = nc_rpc_proc_lookup(verified[i].wire);
    g_assert_nonnull(p);
    g_assert_cmpstr(p->name, ==, verified[i].api);
  }
  for (guint i = 0; i < G_N_ELEMENTS(verified_events); i++) {
    g_assert_cmpint(verified_events[i].proc, ==, verified_events[i].wire);
    g_assert_null(nc_rpc_proc_lookup(verified_events[i].wire));
  }
  /* Nothing served that is not in the table. */
  guint n_served = 0;
  for (gint32 proc = 1; proc <= NC_PROC_LAST_KNOWN; proc++)
    if (nc_rpc_proc_lookup(proc) != NULL)
      n_served++;
  g_assert_cmpuint(n_served, ==, G_N_ELEMENTS(verified));
  /* 148 is DOMAIN_MIGRATE_PREPARE_TUNNEL, once served here as "is encrypted". */
  g_assert_null(nc_rpc_proc_lookup(148));
  /* remote_protocol.x's REMOTE_PROGRAM; virDrvFeature (src/libvirt_internal.h,
   * append-only) values CONNECT_SUPPORTS_FEATURE is asked about. */
  g_assert_cmphex(NC_RPC_REMOTE_PROGRAM, ==, 0x20008086);
  g_assert_cmpint(NC_RPC_FEATURE_FD_PASSING, ==, 8);
  g_assert_cmpint(NC_RPC_FEATURE_TYPED_PARAM_STRING, ==, 9);
  g_assert_cmpint(NC_RPC_FEATURE_PROGRAM_KEEPALIVE, ==, 10);
  g_assert_cmpint(NC_RPC_FEATURE_REMOTE_EVENT_CALLBACK, ==, 14);
  g_assert_cmpint(NC_RPC_FEATURE_REMOTE_CLOSE_CALLBACK, ==, 15);
  g_assert_cmpint(NC_RPC_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER, ==, 16);
}

static gboolean
is_changing(gint32 proc)
{
  for (guint i = 0; i < G_N_ELEMENTS(changing); i++)
    if (changing[i] == proc)
      return TRUE;
  return FALSE;
}

typedef struct {
  NcRpcServer server;
  int peer;
} Fixture;

static NcRpcClient *
new_client(Fixture *f, gboolean readonly_socket)
{
  int sv[2];
  g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), ==, 0);
  f->peer = sv[1];
  return nc_rpc_client_new(&f->server, sv[0], readonly_socket);
}

static void
fixture_init(Fixture *f)
{
  memset(f, 0, sizeof(*f));
  f->server.clients = g_hash_table_new(g_direct_hash, g_direct_equal);
  f->server.graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)g_source_unref);
  f->server.max_clients = 10;
}

static void
fixture_clear(Fixture *f, NcRpcClient *c)
{
  nc_rpc_client_drop(c, "test over");
  if (f->server.graveyard_idle)
    g_source_remove(f->server.graveyard_idle);
  g_ptr_array_unref(f->server.graveyard);
  g_hash_table_unref(f->server.clients);
  close(f->peer);
}

/* The next packet the client sent to its peer (written at once, as the
 * server does when nothing is queued). */
static GByteArray *
read_reply(Fixture *f)
{
  guint8 word[4];
  g_assert_cmpint(recv(f->peer, word, 4, MSG_DONTWAIT), ==, 4);
  guint32 len = GUINT32_FROM_BE(*(guint32 *)word);
  GByteArray *p = g_byte_array_sized_new(len);
  g_byte_array_append(p, word, 4);
  g_byte_array_set_size(p, len);
  g_assert_cmpint(recv(f->peer, p->data + 4, len - 4, MSG_DONTWAIT), ==, (gssize)len - 4);
  return p;
}

/* Calls `proc` with an empty body; returns the error code of the reply
 * (0 for a successful reply). */
static int
call(Fixture *f, NcRpcClient *c, gint32 proc)
{
  NcRpcHeader h = { NC_RPC_REMOTE_PROGRAM, 1, proc, NC_RPC_CALL, (guint32)proc, NC_RPC_OK };
  NcXdrIn args;
  nc_xdr_in_init(&args, (const guint8 *)"", 0);
  nc_rpc_dispatch_call(c, &h, &args);
  g_assert_cmpuint(c->out.length, ==, 0);
  g_autoptr(GByteArray) reply = read_reply(f);
  NcRpcHeader r;
  NcXdrIn body;
  g_assert_true(nc_rpc_packet_decode(reply->data, reply->len, &r, &body, NULL));
  g_assert_cmpuint(r.serial, ==, (guint32)proc);
  g_assert_cmpuint(r.type, ==, NC_RPC_REPLY);
  if (r.status == NC_RPC_OK)
    return 0;
  return nc_xdr_get_i32(&body);
}

static void
test_readonly_socket(void)
{
  Fixture f;
  fixture_init(&f);
  NcRpcClient *c = new_client(&f, TRUE);
  c->opened = TRUE;
  c->uid = 0; /* even root, on the read-only socket */
  guint n_changing = 0;
  for (gint32 proc = 1; proc <= NC_PROC_LAST_KNOWN; proc++) {
    const NcRpcProc *p = nc_rpc_proc_lookup(proc);
    g_assert_cmpint(p != NULL && nc_rpc_proc_changes(p), ==, is_changing(proc));
    if (p == NULL) {
      g_assert_cmpint(call(&f, c, proc), ==, NC_ERROR_NO_SUPPORT);
    } else if (nc_rpc_proc_changes(p)) {
      g_assert_cmpint(call(&f, c, proc), ==, NC_ERROR_OPERATION_DENIED);
      n_changing++;
    }
  }
  /* Every changing procedure of the list is served (and was refused). */
  g_assert_cmpuint(n_changing, ==, G_N_ELEMENTS(changing));
  fixture_clear(&f, c);
}

static void
test_opened_readonly(void)
{
  Fixture f;
  fixture_init(&f);
  NcRpcClient *c = new_client(&f, FALSE);
  c->opened = TRUE;
  c->readonly = TRUE; /* virConnectOpenReadOnly on the read-write socket */
  c->uid = 0;
  for (guint i = 0; i < G_N_ELEMENTS(changing); i++)
    if (nc_rpc_proc_lookup(changing[i]) != NULL)
      g_assert_cmpint(call(&f, c, changing[i]), ==, NC_ERROR_OPERATION_DENIED);
  fixture_clear(&f, c);
}

static void
test_not_root(void)
{
  Fixture f;
  fixture_init(&f);
  NcRpcClient *c = new_client(&f, FALSE);
  c->opened = TRUE;
  c->uid = 1000;
  for (guint i = 0; i < G_N_ELEMENTS(changing); i++)
    if (nc_rpc_proc_lookup(changing[i]) != NULL)
      g_assert_cmpint(call(&f, c, changing[i]), ==, NC_ERROR_ACCESS_DENIED);
  fixture_clear(&f, c);
}

static void
test_before_open(void)
{
  Fixture f;
  fixture_init(&f);
  NcRpcClient *c = new_client(&f, FALSE);
  c->uid = 0;
  for (gint32 proc = 1; proc <= NC_PROC_LAST_KNOWN; proc++) {
    const NcRpcProc *p = nc_rpc_proc_lookup(proc);
    if (p != NULL && !(p->flags & NC_RPC_BEFORE_OPEN))
      g_assert_cmpint(call(&f, c, proc), ==, NC_ERROR_INTERNAL_ERROR);
  }
  /* Before open a client may list auth types and ask for features. */
  g_assert_cmpint(call(&f, c, NC_PROC_AUTH_LIST), ==, 0);
  fixture_clear(&f, c);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rpc/procedure-numbers", test_procedure_numbers);
  g_test_add_func("/rpc/readonly/every-procedure", test_readonly_socket);
  g_test_add_func("/rpc/readonly/opened-readonly", test_opened_readonly);
  g_test_add_func("/rpc/readonly/not-root", test_not_root);
  g_test_add_func("/rpc/readonly/before-open", test_before_open);
  return g_test_run();
}
