/* One D-Bus client process driving netctld's ports, for bench/ports.sh:
 *
 *   bench-port-client --network NAME [--pid PID] fill K
 *       create ports (PortCreateTap, default device name vnet%d) until the
 *       network has K ports of ours (not timed);
 *   bench-port-client --network NAME [--pid PID] [--iterations N] [--bandwidth XML] measure K ROUND
 *       N attach+detach cycles: PortCreateTap (a TAP made, enslaved, up)
 *       then NetworkPort.Delete of that port; --bandwidth: a <bandwidth>
 *       element put into each measured port's XML (bench/port-qos.sh);
 *   bench-port-client --network NAME [--pid PID] drain
 *       delete every port of the network (timed as a whole).
 *
 * One blocking call at a time on one connection to the system bus
 * (DBUS_SYSTEM_BUS_ADDRESS): client -> dbus-daemon -> netctld -> back.
 * Output (tab separated) uses bench-port-limit's sample format, so
 * ports.sh reads both with one awk:
 *   sample api K ROUND N PORTS_PER_S ATT_P50_US ATT_P99_US DET_P50_US DET_P99_US CPU_MS_PER_CYCLE
 *          SETTLED_PORTS_PER_S SETTLE_MS
 * netctld deletes a detached TAP off the reply path (renamed ncgone-*,
 * deleted in batches by a worker thread): SETTLED counts the loop plus the
 * wait, after it, until no ncgone-* link is left in this network namespace
 * (polled every 2 ms; run the client in netctld's namespace). *
 *   fill K ADDED SECONDS      drain DELETED SECONDS
 *   rss LABEL VmRSS_kB VmHWM_kB CPU_MS   (--pid)
 * CPU is user + system time of netctld and its reaped children
 * (/proc/PID/stat). The first failed call ends the run with
 *   fail WHAT MESSAGE  (exit status 1). */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#define BUS_NAME "org.netctl1"
#define BUS_PATH "/org/netctl1"
#define CONNECT_IFACE "org.libvirt.Connect"
#define NETWORK_IFACE "org.libvirt.Network"
#define PORT_IFACE "org.netctl1.NetworkPort"
#define CALL_TIMEOUT_MS (120 * 1000)

static long
cpu_ms(int pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;
  long ticks = 0;
  if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL)
      || (rest = strrchr(text, ')')) == NULL)
    return -1;
  fields = g_strsplit(rest + 2, " ", -1);
  if (g_strv_length(fields) < 15)
    return -1;
  for (int f = 11; f <= 14; f++) /* fields 14..17: utime stime cutime cstime */
    ticks += atol(fields[f]);
  return ticks * 1000 / sysconf(_SC_CLK_TCK);
}

static void
print_rss(int pid, const char *label)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  long rss = -1, hwm = -1;
  if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL))
    return;
  for (char *line = text; line && *line;) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    sscanf(line, "VmRSS: %ld", &rss);
    sscanf(line, "VmHWM: %ld", &hwm);
    line = next;
  }
  printf("rss\t%s\t%ld\t%ld\t%ld\n", label, rss, hwm, cpu_ms(pid));
  fflush(stdout);
}

static GVariant *
call(GDBusConnection *bus, const char *path, const char *iface, const char *method, GVariant *args,
     const GVariantType *type, GError **error)
{
  return g_dbus_connection_call_sync(bus, BUS_NAME, path, iface, method, args, type,
                                     G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, error);
}

/* Port n's XML: a fresh UUID, an owner of its own, MAC 52:54:00 + n, and
 * `extra` (NULL: nothing) after the MAC. */
static char *
port_xml(guint n, const char *extra)
{
  g_autofree char *uuid = g_uuid_string_random();
  g_autofree char *owner = g_uuid_string_random();
  return g_strdup_printf("<networkport>\n  <uuid>%s</uuid>\n  <owner>\n    <name>bvm%u</name>\n"
                         "    <uuid>%s</uuid>\n  </owner>\n"
                         "  <mac address='52:54:00:%02x:%02x:%02x'/>\n%s</networkport>\n",
                         uuid, n, owner, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff,
                         extra ? extra : "");
}

/* PortCreateTap as `netctl attach-interface --network NET` sends it (owner
 * and group -1, one queue, vnet_hdr); the new port's object path. */
static char *
create_tap(GDBusConnection *bus, const char *net_path, guint n, const char *extra, GError **error)
{
  g_autofree char *xml = port_xml(n, extra);
  GVariantBuilder dev;
  g_variant_builder_init(&dev, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&dev, "{sv}", "owner", g_variant_new_int64(-1));
  g_variant_builder_add(&dev, "{sv}", "group", g_variant_new_int64(-1));
  g_variant_builder_add(&dev, "{sv}", "queues", g_variant_new_uint32(1));
  g_variant_builder_add(&dev, "{sv}", "vnet-hdr", g_variant_new_boolean(TRUE));
  g_autoptr(GVariant) reply
      = call(bus, net_path, NETWORK_IFACE, "PortCreateTap",
             g_variant_new("(sa{sv}u)", xml, &dev, 0u), G_VARIANT_TYPE("(os)"), error);
  if (!reply)
    return NULL;
  char *path = NULL;
  g_variant_get(reply, "(o&s)", &path, NULL);
  return path;
}

static gboolean
delete_port(GDBusConnection *bus, const char *path, GError **error)
{
  g_autoptr(GVariant) reply
      = call(bus, path, PORT_IFACE, "Delete", g_variant_new("(u)", 0u), NULL, error);
  return reply != NULL;
}

static GVariant *
list_ports(GDBusConnection *bus, const char *net_path, GError **error)
{
  return call(bus, net_path, NETWORK_IFACE, "ListPorts", g_variant_new("(u)", 0u),
              G_VARIANT_TYPE("(ao)"), error);
}

static gint64
now_ns(void)
{
  return g_get_monotonic_time() * 1000;
}

static int
cmp_i64(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

static double
pct_us(gint64 *v, guint n, double p)
{
  qsort(v, n, sizeof *v, (int (*)(const void *, const void *))cmp_i64);
  return v[(guint)(p * (n - 1) + 0.5)] / 1000.0;
}

/* Links netctld retired and has not deleted yet. */
static guint
retired_links(void)
{
  struct if_nameindex *names = if_nameindex();
  guint n = 0;
  for (struct if_nameindex *p = names; p && p->if_index; p++)
    n += g_str_has_prefix(p->if_name, "ncgone-");
  if (names)
    if_freenameindex(names);
  return n;
}

static int
fail(const char *what, GError *error)
{
  g_autofree char *msg = g_strdelimit(g_strdup(error->message), "\t\n", ' ');
  fflush(stdout);
  printf("fail\t%s\t%s\n", what, msg);
  return 1;
}

int
main(int argc, char **argv)
{
  g_autofree char *network = NULL, *bandwidth = NULL;
  gint pid = 0, iterations = 100;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "network", 'n', 0, G_OPTION_ARG_STRING, &network, "network name", "NAME" },
    { "pid", 'p', 0, G_OPTION_ARG_INT, &pid, "netctld's PID (CPU, VmRSS)", "PID" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "cycles per sample", "N" },
    { "bandwidth", 0, 0, G_OPTION_ARG_STRING, &bandwidth, "<bandwidth> of measured ports",
      "XML" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL,
      "fill K|measure K R|drain" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- netctld port attach+detach");
  g_autoptr(GError) error = NULL;
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !network || !rest || !rest[0]
      || iterations < 1) {
    g_printerr("usage: bench-port-client --network NAME [--pid PID] [--iterations N] "
               "fill K | measure K ROUND | drain\n");
    return 2;
  }
  g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
  if (!bus)
    return fail("bus", error);
  g_autoptr(GVariant) found = call(bus, BUS_PATH, CONNECT_IFACE, "NetworkLookupByName",
                                   g_variant_new("(s)", network), G_VARIANT_TYPE("(o)"), &error);
  if (!found)
    return fail("lookup", error);
  const char *net_path;
  g_variant_get(found, "(&o)", &net_path);
  const char *cmd = rest[0];
  guint64 k = 0, round = 0;
  if ((g_str_equal(cmd, "fill") || g_str_equal(cmd, "measure"))
      && (!rest[1] || !g_ascii_string_to_unsigned(rest[1], 10, 0, 100000, &k, NULL))) {
    g_printerr("bench-port-client: %s needs K\n", cmd);
    return 2;
  }
  if (g_str_equal(cmd, "measure") && rest[2])
    g_ascii_string_to_unsigned(rest[2], 10, 0, 1000, &round, NULL);

  if (g_str_equal(cmd, "fill")) {
    g_autoptr(GVariant) list = list_ports(bus, net_path, &error);
    if (!list)
      return fail("list", error);
    g_autoptr(GVariant) paths = g_variant_get_child_value(list, 0);
    guint have = (guint)g_variant_n_children(paths);
    gint64 t0 = now_ns();
    guint added = 0;
    for (guint n = have; n < k; n++, added++) {
      g_autofree char *path = create_tap(bus, net_path, n, NULL, &error);
      if (!path)
        return fail("fill", error);
    }
    printf("fill\t%u\t%u\t%.3f\n", (guint)k, added, (now_ns() - t0) / 1e9);
    return 0;
  }
  if (g_str_equal(cmd, "measure")) {
    g_autofree gint64 *att = g_new(gint64, iterations);
    g_autofree gint64 *det = g_new(gint64, iterations);
    long cpu0 = cpu_ms(pid);
    gint64 start = now_ns();
    for (int i = 0; i < iterations; i++) {
      gint64 t0 = now_ns();
      g_autofree char *path = create_tap(bus, net_path, 0x100000 + (guint)i, bandwidth, &error);
      if (!path)
        return fail("attach", error);
      gint64 t1 = now_ns();
      if (!delete_port(bus, path, &error))
        return fail("detach", error);
      att[i] = t1 - t0;
      det[i] = now_ns() - t1;
    }
    gint64 end = now_ns();
    double secs = (end - start) / 1e9;
    for (int i = 0; i < 30000 && retired_links() > 0; i++)
      g_usleep(2000);
    gint64 settled = now_ns();
    long cpu1 = cpu_ms(pid);
    printf("sample\tapi\t%u\t%u\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.1f\t%.1f\n", (guint)k,
           (guint)round, iterations, iterations / secs, pct_us(att, iterations, 0.5),
           pct_us(att, iterations, 0.99), pct_us(det, iterations, 0.5),
           pct_us(det, iterations, 0.99), cpu0 >= 0 ? (double)(cpu1 - cpu0) / iterations : -1.0,
           iterations / ((settled - start) / 1e9), (settled - end) / 1e6);
    fflush(stdout);
    return 0;
  }
  if (g_str_equal(cmd, "drain")) {
    g_autoptr(GVariant) list = list_ports(bus, net_path, &error);
    if (!list)
      return fail("list", error);
    g_autoptr(GVariantIter) iter = NULL;
    const char *path;
    guint deleted = 0;
    gint64 t0 = now_ns();
    g_variant_get(list, "(ao)", &iter);
    while (g_variant_iter_next(iter, "&o", &path)) {
      if (!delete_port(bus, path, &error))
        return fail("drain", error);
      deleted++;
    }
    printf("drain\t%u\t%.3f\n", deleted, (now_ns() - t0) / 1e9);
    print_rss(pid, "netctl-after-drain");
    return 0;
  }
  g_printerr("bench-port-client: unknown command '%s'\n", cmd);
  return 2;
}
