/* One D-Bus client process driving netctld through a workload, for
 * lifecycle.sh and nat.sh:
 *
 *   bench-dbus-client [--pid PID] [--phases define,start,destroy,undefine]
 *                     [--prefix NAME] DIR N
 *
 * Network i (1..N) is defined from DIR/i.xml. A run whose phases do not
 * begin with define finds network i by the name NAME<i> first (not timed),
 * so a workload can be split over several runs. Each phase runs over all N
 * networks in order before the next phase starts, one blocking call at a
 * time on one connection to the system bus (DBUS_SYSTEM_BUS_ADDRESS), so a
 * latency is the full round trip of one call: client -> dbus-daemon ->
 * netctld -> back.
 *
 * Output, one line per sample, tab separated, on stdout:
 *   op <phase> <i> <milliseconds> [<daemon CPU ms during the call> (--pid)]
 *   rss <after-phase> <VmRSS kB> <VmHWM kB> <CPU ms>   (--pid: netctld's PID;
 *       CPU = user + system time of it and its reaped children so far)
 * bench/libvirt-client.py prints the same lines for libvirt, so the shell
 * scripts treat both alike. The first failed call ends the run with
 *   fail <phase> <i> <message>
 * and exit status 1; usage errors exit with 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#define BUS_NAME "org.netctl1"
#define BUS_PATH "/org/netctl1"
#define CONNECT_IFACE "org.libvirt.Connect"
#define NETWORK_IFACE "org.libvirt.Network"
/* A NAT start runs dnsmasq and a firewall batch: allow far more than the
 * 25 s GDBus default so a slow start is measured, not cut off. */
#define CALL_TIMEOUT_MS (10 * 60 * 1000)

/* CPU time of @pid and of its reaped children (utime + stime + cutime +
 * cstime of /proc/PID/stat), in ms; -1 when unreadable. */
static long
cpu_ms(int pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;
  long ticks = 0;

  /* The command name may hold spaces: the fields that follow it are
   * counted from its closing parenthesis (state = field 3). */
  if (!g_file_get_contents(path, &text, NULL, NULL) || (rest = strrchr(text, ')')) == NULL)
    return -1;
  fields = g_strsplit(rest + 2, " ", -1);
  if (g_strv_length(fields) < 15)
    return -1;
  for (int f = 11; f <= 14; f++) /* fields 14..17 */
    ticks += atol(fields[f]);
  return ticks * 1000 / sysconf(_SC_CLK_TCK);
}

/* Prints VmRSS and VmHWM of @pid as the kernel reports them, and its CPU. */
static void
print_rss(int pid, const char *label)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  long rss = -1, hwm = -1;

  if (!g_file_get_contents(path, &text, NULL, NULL)) {
    g_printerr("bench-dbus-client: cannot read %s\n", path);
    return;
  }
  for (char *line = text; line != NULL && *line != '\0';) {
    char *next = strchr(line, '\n');
    if (next != NULL)
      *next++ = '\0';
    sscanf(line, "VmRSS: %ld", &rss);
    sscanf(line, "VmHWM: %ld", &hwm);
    line = next;
  }
  printf("rss\t%s\t%ld\t%ld\t%ld\n", label, rss, hwm, cpu_ms(pid));
  fflush(stdout);
}

/* One call; returns the reply (NULL on error) and stores the elapsed time. */
static GVariant *
timed_call(GDBusConnection *bus, const char *path, const char *iface, const char *method,
           GVariant *args, const GVariantType *reply_type, double *ret_ms, GError **error)
{
  gint64 t0 = g_get_monotonic_time();
  GVariant *reply
      = g_dbus_connection_call_sync(bus, BUS_NAME, path, iface, method, args, reply_type,
                                    G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, error);
  *ret_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
  return reply;
}

/* The object paths of networks PREFIX1..PREFIXn, looked up by name. */
static gboolean
lookup_all(GDBusConnection *bus, const char *prefix, guint n, GPtrArray *paths, GError **error)
{
  for (guint i = 1; i <= n; i++) {
    g_autofree char *name = g_strdup_printf("%s%u", prefix, i);
    const char *path = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
        bus, BUS_NAME, BUS_PATH, CONNECT_IFACE, "NetworkLookupByName", g_variant_new("(s)", name),
        G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, error);
    if (reply == NULL) {
      g_prefix_error(error, "lookup of '%s': ", name);
      return FALSE;
    }
    g_variant_get(reply, "(&o)", &path);
    g_ptr_array_add(paths, g_strdup(path));
  }
  return TRUE;
}

static gboolean
run_phase(GDBusConnection *bus, int pid, const char *phase, const char *dir, guint n,
          GPtrArray *paths, guint *ret_index, GError **error)
{
  for (guint i = 1; i <= n; i++) {
    *ret_index = i;
    g_autoptr(GVariant) reply = NULL;
    double ms = 0;
    long cpu0 = pid > 0 ? cpu_ms(pid) : -1;

    if (g_str_equal(phase, "define")) {
      g_autofree char *file = g_strdup_printf("%s/%u.xml", dir, i);
      g_autofree char *xml = NULL;
      const char *path = NULL;
      if (!g_file_get_contents(file, &xml, NULL, error))
        return FALSE;
      reply = timed_call(bus, BUS_PATH, CONNECT_IFACE, "NetworkDefineXML",
                         g_variant_new("(s)", xml), G_VARIANT_TYPE("(o)"), &ms, error);
      if (reply == NULL)
        return FALSE;
      g_variant_get(reply, "(&o)", &path);
      g_ptr_array_add(paths, g_strdup(path));
    } else {
      const char *method = g_str_equal(phase, "start")      ? "Create"
                           : g_str_equal(phase, "destroy")  ? "Destroy"
                           : g_str_equal(phase, "undefine") ? "Undefine"
                                                            : NULL;
      if (method == NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown phase '%s'", phase);
        return FALSE;
      }
      if (paths->len < i) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "phase '%s' needs 'define' first", phase);
        return FALSE;
      }
      reply = timed_call(bus, g_ptr_array_index(paths, i - 1), NETWORK_IFACE, method, NULL, NULL,
                         &ms, error);
      if (reply == NULL)
        return FALSE;
    }
    if (cpu0 >= 0)
      printf("op\t%s\t%u\t%.3f\t%ld\n", phase, i, ms, cpu_ms(pid) - cpu0);
    else
      printf("op\t%s\t%u\t%.3f\n", phase, i, ms);
  }
  fflush(stdout);
  return TRUE;
}

int
main(int argc, char **argv)
{
  gint pid = 0;
  g_autofree char *phases_arg = NULL;
  g_autofree char *prefix = NULL;
  g_auto(GStrv) rest = NULL;
  GOptionEntry entries[] = {
    { "pid", 'p', 0, G_OPTION_ARG_INT, &pid, "Report VmRSS/VmHWM of PID after each phase", "PID" },
    { "phases", 0, 0, G_OPTION_ARG_STRING, &phases_arg,
      "Comma-separated phases (default define,start,destroy,undefine)", "LIST" },
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix,
      "Find network i by the name PREFIX<i> when the phases do not define it", "NAME" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "DIR N" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("DIR N - netctld workload over D-Bus");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) phases = NULL;
  guint64 n = 0;

  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || rest == NULL || rest[0] == NULL
      || rest[1] == NULL || rest[2] != NULL
      || !g_ascii_string_to_unsigned(rest[1], 10, 1, 100000, &n, NULL)) {
    g_printerr("usage: bench-dbus-client [--pid PID] [--phases LIST] [--prefix NAME] DIR N\n");
    return 2;
  }
  phases = g_strsplit(phases_arg != NULL ? phases_arg : "define,start,destroy,undefine", ",", -1);

  bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL) {
    g_printerr("bench-dbus-client: system bus: %s\n", error->message);
    return 1;
  }
  if (!g_str_equal(phases[0], "define")) {
    if (prefix == NULL) {
      g_printerr("bench-dbus-client: --prefix is needed when the first phase is not define\n");
      return 2;
    }
    if (!lookup_all(bus, prefix, (guint)n, paths, &error)) {
      g_printerr("bench-dbus-client: %s\n", error->message);
      return 1;
    }
  }
  for (guint p = 0; phases[p] != NULL; p++) {
    guint failed = 0;
    if (!run_phase(bus, pid, phases[p], rest[0], (guint)n, paths, &failed, &error)) {
      g_autofree char *msg = g_strdelimit(g_strdup(error->message), "\t\n", ' ');
      fflush(stdout);
      printf("fail\t%s\t%u\t%s\n", phases[p], failed, msg);
      return 1;
    }
    if (pid > 0)
      print_rss(pid, phases[p]);
  }
  return 0;
}
