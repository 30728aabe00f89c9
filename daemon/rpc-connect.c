/* Connection and host procedures: what a network:///system client sends to
 * open and use a connection, plus the three host calls virt-manager needs
 * before it shows a connection (capabilities, domains, node info). netctld
 * runs no guests: the capabilities list none and the domain list is empty. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "nc-error.h"
#include "rpc-private.h"

/* libvirt 9.0's protocol is the one implemented (major * 1e6 + minor * 1e3). */
#define COMPAT_LIB_VERSION 9000000ull
#define DEFAULT_URI "network:///system"

static gboolean
finish(NcXdrIn *in, GError **error)
{
  return nc_xdr_ok(in) ? TRUE : nc_rpc_bad_args(in, error);
}

static gboolean
auth_list(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  (void)in;
  (void)error;
  /* Unix socket: the kernel tells us who the peer is, no auth step. */
  nc_xdr_put_u32(out, 1);
  nc_xdr_put_i32(out, NC_RPC_AUTH_NONE);
  return TRUE;
}

static gboolean
supports_feature(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  gint32 feature = nc_xdr_get_i32(in);
  gboolean yes;

  (void)c;
  if (!finish(in, error))
    return FALSE;
  switch (feature) {
  case NC_RPC_FEATURE_TYPED_PARAM_STRING:
  case NC_RPC_FEATURE_PROGRAM_KEEPALIVE:
  case NC_RPC_FEATURE_REMOTE_EVENT_CALLBACK:
  case NC_RPC_FEATURE_REMOTE_CLOSE_CALLBACK:
  case NC_RPC_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER:
    yes = TRUE;
    break;
  default: /* FD_PASSING and everything for domains, migration, ... */
    yes = FALSE;
  }
  nc_xdr_put_i32(out, yes);
  return TRUE;
}

static gboolean
connect_open(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  g_autofree char *name = nc_xdr_get_opt_string(in, NC_RPC_STRING_MAX);
  guint32 flags = nc_xdr_get_u32(in);

  (void)out;
  if (!finish(in, error))
    return FALSE;
  if (c->opened) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "connection already open");
    return FALSE;
  }
  if (name != NULL && name[0] != '\0' && !g_str_has_prefix(name, "network:")) {
    g_autofree char *q = nc_name_escape(name);
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "netctld serves networks only: cannot open '%s' (use network:///system)", q);
    return FALSE;
  }
  c->opened = TRUE;
  if (flags & NC_RPC_CONNECT_RO)
    c->readonly = TRUE;
  c->uri = g_strdup(name && name[0] ? name : DEFAULT_URI);
  return TRUE;
}

static gboolean
connect_close(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)in;
  (void)out;
  (void)error;
  /* The reply goes out first; then the connection ends (rpc-client.c). */
  c->closing = TRUE;
  return TRUE;
}

static gboolean
get_type(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  (void)in;
  (void)error;
  nc_xdr_put_string(out, "network"); /* virtnetworkd's driver name */
  return TRUE;
}

static gboolean
get_version(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  (void)in;
  (void)out;
  /* As virtnetworkd: there is no hypervisor to have a version. */
  g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT, "virConnectGetVersion");
  return FALSE;
}

static gboolean
get_lib_version(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  (void)in;
  (void)error;
  nc_xdr_put_u64(out, COMPAT_LIB_VERSION);
  return TRUE;
}

static gboolean
get_hostname(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  char host[256] = "";
  (void)c;
  (void)in;
  if (gethostname(host, sizeof(host) - 1) < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "cannot get the host name");
    return FALSE;
  }
  nc_xdr_put_string(out, host);
  return TRUE;
}

static gboolean
get_uri(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)in;
  (void)error;
  nc_xdr_put_string(out, c->uri ? c->uri : DEFAULT_URI);
  return TRUE;
}

static gboolean
is_secure(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  (void)in;
  (void)error;
  /* A local unix socket cannot be snooped. virConnectIsEncrypted asks this
   * same procedure and adds the transport's own answer (no TLS here: 0). */
  nc_xdr_put_i32(out, 1);
  return TRUE;
}

static gboolean
no_support(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  (void)in;
  (void)out;
  g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT, "netctld manages networks only");
  return FALSE;
}

/* The host's uuid: /etc/machine-id in uuid form (libvirt uses SMBIOS, which
 * only root can read; machine-id is stable and readable). */
static char *
host_uuid(void)
{
  g_autofree char *id = NULL;
  if (!g_file_get_contents("/etc/machine-id", &id, NULL, NULL))
    return g_strdup("00000000-0000-0000-0000-000000000000");
  g_strstrip(id);
  if (strlen(id) != 32)
    return g_strdup("00000000-0000-0000-0000-000000000000");
  return g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
}

static gboolean
get_capabilities(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  struct utsname u;
  g_autofree char *uuid = host_uuid();
  (void)c;
  (void)in;
  (void)error;
  uname(&u);
  g_autofree char *xml = g_strdup_printf("<capabilities>\n\n"
                                         "  <host>\n"
                                         "    <uuid>%s</uuid>\n"
                                         "    <cpu>\n"
                                         "      <arch>%s</arch>\n"
                                         "    </cpu>\n"
                                         "  </host>\n\n"
                                         "</capabilities>\n",
                                         uuid, u.machine);
  nc_xdr_put_string(out, xml);
  return TRUE;
}

/* Host figures as libvirt's nodeGetInfo reports them: memory in KiB,
 * online CPUs, MHz of the first CPU, a topology that multiplies out to the
 * CPU count (else libvirt's fallback: 1 node, 1 socket, cpus cores, 1 thread). */
static gboolean
node_get_info(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  struct utsname u;
  g_autofree char *meminfo = NULL, *cpuinfo = NULL;
  guint64 mem_kib = 0;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int mhz = 0, cores = 0, siblings = 0;
  g_autoptr(GHashTable) packages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  (void)c;
  (void)in;
  (void)error;
  uname(&u);
  if (g_file_get_contents("/proc/meminfo", &meminfo, NULL, NULL)) {
    const char *p = strstr(meminfo, "MemTotal:");
    if (p != NULL)
      mem_kib = g_ascii_strtoull(p + strlen("MemTotal:"), NULL, 10);
  }
  if (g_file_get_contents("/proc/cpuinfo", &cpuinfo, NULL, NULL)) {
    g_auto(GStrv) lines = g_strsplit(cpuinfo, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
      const char *colon = strchr(lines[i], ':');
      if (colon == NULL)
        continue;
      const char *v = colon + 1;
      if (g_str_has_prefix(lines[i], "cpu MHz") && mhz == 0)
        mhz = (int)g_ascii_strtod(v, NULL);
      else if (g_str_has_prefix(lines[i], "physical id"))
        g_hash_table_add(packages, g_strstrip(g_strdup(v)));
      else if (g_str_has_prefix(lines[i], "cpu cores") && cores == 0)
        cores = (int)g_ascii_strtoll(v, NULL, 10);
      else if (g_str_has_prefix(lines[i], "siblings") && siblings == 0)
        siblings = (int)g_ascii_strtoll(v, NULL, 10);
    }
  }
  int sockets = MAX(1, (int)g_hash_table_size(packages));
  int threads = cores > 0 && siblings >= cores ? siblings / cores : 1;
  if (cores <= 0 || (long)sockets * cores * threads != cpus) {
    sockets = 1;
    cores = (int)cpus;
    threads = 1;
  }
  /* char model[32]: a fixed array of XDR chars, one 4-byte unit each. */
  char model[32] = { 0 };
  g_strlcpy(model, u.machine, sizeof(model));
  for (guint i = 0; i < sizeof(model); i++)
    nc_xdr_put_i32(out, model[i]);
  nc_xdr_put_u64(out, mem_kib);
  nc_xdr_put_i32(out, (gint32)cpus);
  nc_xdr_put_i32(out, mhz);
  nc_xdr_put_i32(out, 1); /* nodes */
  nc_xdr_put_i32(out, sockets);
  nc_xdr_put_i32(out, cores);
  nc_xdr_put_i32(out, threads);
  return TRUE;
}

static gboolean
list_all_domains(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  nc_xdr_get_i32(in); /* need_results */
  nc_xdr_get_u32(in); /* flags */
  if (!finish(in, error))
    return FALSE;
  nc_xdr_put_u32(out, 0); /* domains<> */
  nc_xdr_put_u32(out, 0); /* ret */
  return TRUE;
}

static gboolean
close_callback(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  (void)c;
  (void)in;
  (void)out;
  (void)error;
  /* Nothing closes a connection but the client or netctld's exit. */
  return TRUE;
}

static gboolean
set_identity(NcRpcClient *c, NcXdrIn *in, GByteArray *out, GError **error)
{
  g_autoptr(GArray) params = nc_rpc_get_typed_params(in, NC_RPC_CONNECT_IDENTITY_PARAMS_MAX);
  (void)c;
  (void)out;
  nc_xdr_get_u32(in); /* flags */
  /* Decoded and accepted: virtqemud sends the guest owner's identity; access
   * here is decided by the socket and the peer's uid alone. */
  return finish(in, error);
}

#define PROC(num, name, fn, fl) { num, name, fn, -1, fl }

const NcRpcProc nc_rpc_connect_procs[] = {
  PROC(NC_PROC_AUTH_LIST, "virConnectAuthList", auth_list, NC_RPC_BEFORE_OPEN),
  PROC(NC_PROC_CONNECT_SUPPORTS_FEATURE, "virConnectSupportsFeature", supports_feature,
       NC_RPC_BEFORE_OPEN),
  PROC(NC_PROC_CONNECT_OPEN, "virConnectOpen", connect_open, NC_RPC_BEFORE_OPEN),
  PROC(NC_PROC_CONNECT_CLOSE, "virConnectClose", connect_close, NC_RPC_BEFORE_OPEN),
  PROC(NC_PROC_CONNECT_SET_IDENTITY, "virConnectSetIdentity", set_identity,
       NC_RPC_BEFORE_OPEN | NC_RPC_CHANGES),
  PROC(NC_PROC_CONNECT_GET_TYPE, "virConnectGetType", get_type, 0),
  PROC(NC_PROC_CONNECT_GET_VERSION, "virConnectGetVersion", get_version, 0),
  PROC(NC_PROC_CONNECT_GET_LIB_VERSION, "virConnectGetLibVersion", get_lib_version, 0),
  PROC(NC_PROC_CONNECT_GET_HOSTNAME, "virConnectGetHostname", get_hostname, 0),
  PROC(NC_PROC_CONNECT_GET_URI, "virConnectGetURI", get_uri, 0),
  PROC(NC_PROC_CONNECT_IS_SECURE, "virConnectIsSecure", is_secure, 0),
  PROC(NC_PROC_CONNECT_GET_SYSINFO, "virConnectGetSysinfo", no_support, 0),
  PROC(NC_PROC_CONNECT_GET_CAPABILITIES, "virConnectGetCapabilities", get_capabilities, 0),
  PROC(NC_PROC_NODE_GET_INFO, "virNodeGetInfo", node_get_info, 0),
  PROC(NC_PROC_CONNECT_LIST_ALL_DOMAINS, "virConnectListAllDomains", list_all_domains, 0),
  PROC(NC_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, "virConnectRegisterCloseCallback",
       close_callback, 0),
  PROC(NC_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, "virConnectUnregisterCloseCallback",
       close_callback, 0),
};
const gsize nc_rpc_connect_n_procs = G_N_ELEMENTS(nc_rpc_connect_procs);
