/* Many concurrent D-Bus clients of netctld for a bounded time (issue 12
 * part 3, load), for bench/load.sh and tests/robust/load-scenarios.py:
 *
 *   bench-load-client [--clients N] [--seconds S] [--network NAME] [--tag T]
 *                     [--reads-only|--only-define|--only-ports] [--no-device]
 *
 * N threads (default 64), each with its own connection to the system bus
 * (DBUS_SYSTEM_BUS_ADDRESS), for S seconds (default 10), mix:
 *   - reads (half the calls): ListNetworks, GetAll of the shared network,
 *     ListPorts of the shared network, NetworkLookupByName;
 *   - define + undefine of the thread's own network T<i> (bridge nc<T><i>);
 *   - attach + detach of the thread's own port on the shared, running
 *     network NAME (default "load"): PortCreateTap + NetworkPort.Delete;
 *     with --no-device PortCreateXML instead: the port alone, no TAP, as
 *     libvirt's network driver makes it (like for like with
 *     bench-load-virt-client against libvirtd).
 * Every call is one blocking round trip: client -> dbus-daemon -> netctld
 * -> back; its latency is recorded. --reads-only, --only-define,
 * --only-ports: one kind alone, to tell what each costs from the wait behind
 * the others. No call can conflict with another client's (own names, own
 * uuids and MACs), so every error counts.
 *
 * Output on stdout, tab separated:
 *   op <name> <calls> <p50 ms> <p99 ms> <max ms>     (per kind of call)
 *   total <calls> <calls/s> <p50 ms> <p90 ms> <p99 ms> <max ms> <errors>
 *   error <count> <name>: <message>                  (first of each)
 * Exit status 0 when no call failed, 1 otherwise, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "load-stats.h"

#define BUS_NAME "org.netctl1"
#define BUS_PATH "/org/netctl1"
#define CONNECT_IFACE "org.libvirt.Connect"
#define NETWORK_IFACE "org.libvirt.Network"
#define PORT_IFACE "org.netctl1.NetworkPort"
#define CALL_TIMEOUT_MS (120 * 1000)

enum { OP_LIST, OP_GETALL, OP_PORTS, OP_LOOKUP, OP_DEFINE, OP_UNDEFINE, OP_ATTACH, OP_DETACH, OP_MAX };
static const char *op_names[OP_MAX] = {
  "ListNetworks", "GetAll", "ListPorts", "NetworkLookupByName",
  "NetworkDefineXML", "Undefine", "PortCreateTap", "NetworkPort.Delete",
};
static gboolean no_device; /* --no-device: PortCreateXML, no TAP */

typedef struct {
  int id;
  const char *network;
  const char *tag;
  int pick_lo, pick_hi; /* the mix: picks 0-4 read, 5-6 define, 7-9 ports */
  gint64 deadline;
  LoadRecord rec; /* errors as "D-Bus error name: message" */
} Client;

static void
record_error(Client *c, const GError *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_autofree char *key = g_strdup_printf("%s: %s", remote ? remote : "local", error->message);
  load_record_error(&c->rec, key);
}

/* One timed call; the reply (NULL on error, recorded). */
static GVariant *
timed_call(Client *c, GDBusConnection *conn, int op, const char *path, const char *iface,
           const char *method, GVariant *args)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time();
  GVariant *reply = g_dbus_connection_call_sync(conn, BUS_NAME, path, iface, method, args, NULL,
                                                G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL,
                                                &error);
  double ms = (g_get_monotonic_time() - t0) / 1000.0;
  load_record_latency(&c->rec, op, ms);
  if (!reply)
    record_error(c, error);
  return reply;
}

static gpointer
client_run(gpointer data)
{
  Client *c = data;
  g_autoptr(GError) error = NULL;
  const char *address = g_getenv("DBUS_SYSTEM_BUS_ADDRESS");
  g_autoptr(GDBusConnection) conn = g_dbus_connection_new_for_address_sync(
      address ? address : "unix:path=/run/dbus/system_bus_socket",
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);
  if (!conn) {
    record_error(c, error);
    return NULL;
  }
  GRand *rand = g_rand_new_with_seed(c->id * 7919 + 1);
  g_autofree char *shared = NULL;
  {
    g_autoptr(GVariant) r = timed_call(c, conn, OP_LOOKUP, BUS_PATH, CONNECT_IFACE,
                                       "NetworkLookupByName", g_variant_new("(s)", c->network));
    if (r)
      g_variant_get(r, "(o)", &shared);
  }
  g_autofree char *own_name = g_strdup_printf("%s%d", c->tag, c->id);
  g_autofree char *own_xml = g_strdup_printf(
      "<network><name>%s</name><bridge name='nc%s%d'/></network>", own_name, c->tag, c->id);
  guint serial = 0;
  while (shared && g_get_monotonic_time() < c->deadline) {
    int pick = g_rand_int_range(rand, c->pick_lo, c->pick_hi);
    if (pick < 5) {
      int op = pick % 4;
      g_autoptr(GVariant) r = NULL;
      switch (op) {
      case OP_LIST:
        r = timed_call(c, conn, OP_LIST, BUS_PATH, CONNECT_IFACE, "ListNetworks",
                       g_variant_new("(u)", 0));
        break;
      case OP_GETALL:
        r = timed_call(c, conn, OP_GETALL, shared, "org.freedesktop.DBus.Properties", "GetAll",
                       g_variant_new("(s)", NETWORK_IFACE));
        break;
      case OP_PORTS:
        r = timed_call(c, conn, OP_PORTS, shared, NETWORK_IFACE, "ListPorts",
                       g_variant_new("(u)", 0));
        break;
      default:
        r = timed_call(c, conn, OP_LOOKUP, BUS_PATH, CONNECT_IFACE, "NetworkLookupByName",
                       g_variant_new("(s)", c->network));
        break;
      }
    } else if (pick < 7) {
      g_autoptr(GVariant) r = timed_call(c, conn, OP_DEFINE, BUS_PATH, CONNECT_IFACE,
                                         "NetworkDefineXML", g_variant_new("(s)", own_xml));
      if (r) {
        const char *path;
        g_variant_get(r, "(&o)", &path);
        g_autoptr(GVariant) u
            = timed_call(c, conn, OP_UNDEFINE, path, NETWORK_IFACE, "Undefine", NULL);
      }
    } else {
      serial++;
      g_autofree char *xml = g_strdup_printf(
          "<networkport><uuid>10ad0000-%04x-4000-8000-%012x</uuid><owner><name>vm%d</name>"
          "<uuid>10ad0000-%04x-4000-8000-000000000000</uuid></owner>"
          "<mac address='52:54:00:%02x:%02x:%02x'/></networkport>",
          c->id, serial, c->id, c->id, c->id & 0xff, (serial >> 8) & 0xff, serial & 0xff);
      GVariantBuilder dev;
      g_variant_builder_init(&dev, G_VARIANT_TYPE("a{sv}"));
      g_autoptr(GVariant) r
          = no_device ? (g_variant_builder_clear(&dev),
                         timed_call(c, conn, OP_ATTACH, shared, NETWORK_IFACE, "PortCreateXML",
                                    g_variant_new("(su)", xml, 0)))
                      : timed_call(c, conn, OP_ATTACH, shared, NETWORK_IFACE, "PortCreateTap",
                                   g_variant_new("(sa{sv}u)", xml, &dev, 0));
      if (r) {
        const char *path;
        g_variant_get_child(r, 0, "&o", &path);
        g_autoptr(GVariant) d = timed_call(c, conn, OP_DETACH, path, PORT_IFACE, "Delete",
                                           g_variant_new("(u)", 0));
      }
    }
  }
  g_rand_free(rand);
  return NULL;
}

int
main(int argc, char **argv)
{
  int clients = 64, seconds = 10;
  const char *network = "load", *tag = "ld";
  int pick_lo = 0, pick_hi = 10;
  for (int i = 1; i < argc; i++) {
    if (g_str_equal(argv[i], "--clients") && i + 1 < argc)
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
    else if (g_str_equal(argv[i], "--no-device"))
      no_device = TRUE, op_names[OP_ATTACH] = "PortCreateXML";
    else {
      fprintf(stderr,
              "usage: %s [--clients N] [--seconds S] [--network NAME] [--tag T] "
              "[--reads-only|--only-define|--only-ports] [--no-device]\n",
              argv[0]);
      return 2;
    }
  }
  if (clients < 1 || clients > 4096 || seconds < 1) {
    fprintf(stderr, "%s: --clients 1-4096, --seconds >= 1\n", argv[0]);
    return 2;
  }
  Client *cs = g_new0(Client, clients);
  GThread **threads = g_new0(GThread *, clients);
  gint64 start = g_get_monotonic_time();
  for (int i = 0; i < clients; i++) {
    cs[i].id = i;
    cs[i].network = network;
    cs[i].tag = tag;
    cs[i].pick_lo = pick_lo;
    cs[i].pick_hi = pick_hi;
    cs[i].deadline = start + (gint64)seconds * G_USEC_PER_SEC;
    load_record_init(&cs[i].rec);
    threads[i] = g_thread_new("client", client_run, &cs[i]);
  }
  for (int i = 0; i < clients; i++)
    g_thread_join(threads[i]);
  double elapsed = (g_get_monotonic_time() - start) / 1e6;

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
