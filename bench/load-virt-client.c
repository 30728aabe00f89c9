/* The load of bench/load-client.c over libvirt's remote protocol, so the same
 * load runs against libvirt's network driver and against netctld's
 * virtnetworkd-compatible socket (bench/load-libvirt.py):
 *
 *   bench-load-virt-client --uri URI [--clients N] [--seconds S] [--network NAME]
 *                          [--tag T] [--reads-only|--only-define|--only-ports]
 *
 * N threads (default 64), each with its own connection (virConnectOpen of
 * URI, e.g. network:///system?socket=PATH), for S seconds (default 10), mix:
 *   - reads (half the picks): virConnectListAllNetworks, virNetworkIsActive
 *     of the shared network (one property: libvirt has no GetAll),
 *     virNetworkListAllPorts of the shared network, virNetworkLookupByName;
 *   - define + undefine of the thread's own network T<i> (bridge nc<T><i>);
 *   - virNetworkPortCreateXML + virNetworkPortDelete of the thread's own port
 *     on the shared, running network NAME (default "load"). No device is
 *     made here by either daemon: libvirt makes none, and netctld makes none
 *     for a port created without PortCreateTap.
 * Every call is one blocking round trip (the libvirt client library, linked
 * here, is what virsh and virt-manager use). Nothing conflicts between
 * clients (own names, uuids and MACs), so every error counts.
 *
 * Output as bench-load-client's (load-stats.h). Exit status 0 when no call
 * failed, 1 otherwise, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "load-stats.h"

enum {
  OP_LIST,
  OP_ACTIVE,
  OP_PORTS,
  OP_LOOKUP,
  OP_DEFINE,
  OP_UNDEFINE,
  OP_ATTACH,
  OP_DETACH,
  OP_MAX
};
static const char *const op_names[OP_MAX] = {
  "ListAllNetworks",  "IsActive", "ListAllPorts",  "NetworkLookupByName",
  "NetworkDefineXML", "Undefine", "PortCreateXML", "PortDelete",
};

typedef struct {
  int id;
  const char *uri;
  const char *network;
  const char *tag;
  int pick_lo, pick_hi; /* the mix: picks 0-4 read, 5-6 define, 7-9 ports */
  gint64 deadline;
  LoadRecord rec;
} Client;

static void
record_error(Client *c, int op)
{
  virErrorPtr e = virGetLastError();
  g_autofree char *msg
      = g_strdup_printf("%s: %s", op_names[op], e && e->message ? e->message : "unknown error");
  load_record_error(&c->rec, msg);
}

/* Times one libvirt call (expr); ok_expr judges its result _r. */
#define TIMED(c, op, expr, ok_expr)                                                                \
  ({                                                                                               \
    gint64 _t = g_get_monotonic_time();                                                            \
    __typeof__(expr) _r = (expr);                                                                  \
    load_record_latency(&(c)->rec, (op), (g_get_monotonic_time() - _t) / 1000.0);                  \
    if (!(ok_expr))                                                                                \
      record_error((c), (op));                                                                     \
    _r;                                                                                            \
  })

static gpointer
client_run(gpointer data)
{
  Client *c = data;
  virConnectPtr conn = virConnectOpen(c->uri);
  if (conn == NULL) {
    record_error(c, OP_LOOKUP);
    return NULL;
  }
  GRand *rand = g_rand_new_with_seed(c->id * 7919 + 1);
  virNetworkPtr shared = TIMED(c, OP_LOOKUP, virNetworkLookupByName(conn, c->network), _r);
  g_autofree char *own_xml = g_strdup_printf(
      "<network><name>%s%d</name><bridge name='nc%s%d'/></network>", c->tag, c->id, c->tag, c->id);
  guint serial = 0;
  while (shared && g_get_monotonic_time() < c->deadline) {
    int pick = g_rand_int_range(rand, c->pick_lo, c->pick_hi);
    if (pick < 5) {
      switch (pick % 4) {
      case OP_LIST: {
        virNetworkPtr *nets = NULL;
        int n = TIMED(c, OP_LIST, virConnectListAllNetworks(conn, &nets, 0), _r >= 0);
        for (int i = 0; i < n; i++)
          virNetworkFree(nets[i]);
        free(nets);
        break;
      }
      case OP_ACTIVE:
        TIMED(c, OP_ACTIVE, virNetworkIsActive(shared), _r >= 0);
        break;
      case OP_PORTS: {
        virNetworkPortPtr *ports = NULL;
        int n = TIMED(c, OP_PORTS, virNetworkListAllPorts(shared, &ports, 0), _r >= 0);
        for (int i = 0; i < n; i++)
          virNetworkPortFree(ports[i]);
        free(ports);
        break;
      }
      default: {
        virNetworkPtr n = TIMED(c, OP_LOOKUP, virNetworkLookupByName(conn, c->network), _r);
        if (n)
          virNetworkFree(n);
        break;
      }
      }
    } else if (pick < 7) {
      virNetworkPtr own = TIMED(c, OP_DEFINE, virNetworkDefineXML(conn, own_xml), _r);
      if (own) {
        TIMED(c, OP_UNDEFINE, virNetworkUndefine(own), _r == 0);
        virNetworkFree(own);
      }
    } else {
      serial++;
      g_autofree char *xml = g_strdup_printf(
          "<networkport><uuid>10ad0000-%04x-4000-8000-%012x</uuid><owner><name>vm%d</name>"
          "<uuid>10ad0000-%04x-4000-8000-000000000000</uuid></owner>"
          "<mac address='52:54:00:%02x:%02x:%02x'/></networkport>",
          c->id, serial, c->id, c->id, c->id & 0xff, (serial >> 8) & 0xff, serial & 0xff);
      virNetworkPortPtr port = TIMED(c, OP_ATTACH, virNetworkPortCreateXML(shared, xml, 0), _r);
      if (port) {
        TIMED(c, OP_DETACH, virNetworkPortDelete(port, 0), _r == 0);
        virNetworkPortFree(port);
      }
    }
  }
  if (shared)
    virNetworkFree(shared);
  virConnectClose(conn);
  g_rand_free(rand);
  return NULL;
}

static void
quiet(void *opaque, virErrorPtr error)
{
  (void)opaque;
  (void)error;
}

int
main(int argc, char **argv)
{
  int clients = 64, seconds = 10;
  const char *uri = NULL, *network = "load", *tag = "ld";
  int pick_lo = 0, pick_hi = 10;
  for (int i = 1; i < argc; i++) {
    if (g_str_equal(argv[i], "--uri") && i + 1 < argc)
      uri = argv[++i];
    else if (g_str_equal(argv[i], "--clients") && i + 1 < argc)
      clients = atoi(argv[++i]);
    else if (g_str_equal(argv[i], "--seconds") && i + 1 < argc)
      seconds = atoi(argv[++i]);
    else if (g_str_equal(argv[i], "--network") && i + 1 < argc)
      network = argv[++i];
    else if (g_str_equal(argv[i], "--tag") && i + 1 < argc)
      tag = argv[++i];
    else if (g_str_equal(argv[i], "--reads-only") || g_str_equal(argv[i], "--only-reads"))
      pick_lo = 0, pick_hi = 5;
    else if (g_str_equal(argv[i], "--only-define"))
      pick_lo = 5, pick_hi = 7;
    else if (g_str_equal(argv[i], "--only-ports"))
      pick_lo = 7, pick_hi = 10;
    else
      uri = NULL, i = argc;
  }
  if (uri == NULL || clients < 1 || clients > 4096 || seconds < 1) {
    fprintf(stderr,
            "usage: %s --uri URI [--clients 1-4096] [--seconds S>=1] [--network NAME] [--tag T] "
            "[--reads-only|--only-define|--only-ports]\n",
            argv[0]);
    return 2;
  }
  if (virInitialize() < 0) {
    fprintf(stderr, "%s: virInitialize failed\n", argv[0]);
    return 2;
  }
  virSetErrorFunc(NULL, quiet);
  Client *cs = g_new0(Client, clients);
  GThread **threads = g_new0(GThread *, clients);
  gint64 begin = g_get_monotonic_time();
  for (int i = 0; i < clients; i++) {
    cs[i] = (Client){ .id = i,
                      .uri = uri,
                      .network = network,
                      .tag = tag,
                      .pick_lo = pick_lo,
                      .pick_hi = pick_hi,
                      .deadline = begin + (gint64)seconds * G_USEC_PER_SEC };
    load_record_init(&cs[i].rec);
    threads[i] = g_thread_new("client", client_run, &cs[i]);
  }
  for (int i = 0; i < clients; i++)
    g_thread_join(threads[i]);
  double elapsed = (g_get_monotonic_time() - begin) / 1e6;

  LoadRecord *recs = g_new0(LoadRecord, clients);
  for (int i = 0; i < clients; i++)
    recs[i] = cs[i].rec;
  guint n_errors = load_report(recs, clients, op_names, OP_MAX, elapsed);
  for (int i = 0; i < clients; i++)
    load_record_clear(&recs[i]);
  g_free(recs);
  g_free(cs);
  g_free(threads);
  return n_errors ? 1 : 0;
}
