/* The daemon core against the real kernel, in a private network and mount
 * namespace (entered by the test itself; exit 77 when not permitted):
 * isolated bridges with their MAC/MTU/STP, restart adoption with the same
 * ifindex, transient networks, undefine of a running network, autostart once
 * per boot, a corrupt store file, cleanup of a start cut short by a crash. */
#include <net/if.h>
#include <string.h>

#include "nc-daemon.h"
#include "nc-error.h"
#include "link-reply.h"
#include "nc-kernel.h"
#include "network-xml.h"
#include "test-util.h"

/* Everything logged, so tests can check what the daemon said (GLib's
 * g_test_expect_message does not see structured log calls). */
static GString *captured_log;

static GLogWriterOutput
capture_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++) {
    if (g_str_equal(fields[i].key, "MESSAGE"))
      g_string_append_printf(captured_log, "%s\n", (const char *)fields[i].value);
  }
  return g_log_writer_default(level, fields, n_fields, data);
}

static void
assert_logged(const char *needle)
{
  if (!strstr(captured_log->str, needle))
    g_error("expected a log line with '%s'; got:\n%s", needle, captured_log->str);
  g_string_truncate(captured_log, 0);
}

typedef struct {
  char *root;
  NcDaemon *daemon;
  GString *events;
} Fixture;

static void
on_event(NcDaemon *daemon, const NcEvent *ev, gpointer user_data)
{
  Fixture *f = user_data;
  if (ev->kind == NC_EVENT_NETWORK_LIFECYCLE)
    g_string_append_printf(f->events, "%s:%s ", nc_network_get_name(ev->net),
                           nc_network_event_to_string(ev->lifecycle));
}

/* Frees the current daemon (networks keep running) and opens a new one on
 * the same root, as a restarted netctld. */
static void
restart(Fixture *f, gboolean autostart)
{
  g_clear_pointer(&f->daemon, nc_daemon_free);
  g_autoptr(GError) error = NULL;
  NcDaemonOptions opts = { .root = f->root, .no_autostart = !autostart };
  f->daemon = nc_daemon_new(&opts, &error);
  g_assert_no_error(error);
  nc_daemon_add_event_handler(f->daemon, on_event, f, NULL);
}

static void
setup(Fixture *f, gconstpointer data)
{
  f->root = tu_make_root();
  f->events = g_string_new("");
  restart(f, FALSE);
}

/* Every bridge a test leaves is deleted, so tests stay independent. */
static void
teardown(Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) active = nc_daemon_list(f->daemon, NC_LIST_ACTIVE);
  g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func((GDestroyNotify)nc_network_unref);
  for (guint i = 0; i < active->len; i++)
    g_ptr_array_add(copy, nc_network_ref(active->pdata[i]));
  for (guint i = 0; i < copy->len; i++)
    nc_network_destroy(copy->pdata[i], NULL);
  nc_daemon_free(f->daemon);
  tu_rm_rf(f->root);
  g_free(f->root);
  g_string_free(f->events, TRUE);
}

static int
ifindex_of(const char *name)
{
  return (int)if_nametoindex(name);
}

static void
assert_sysfs(const char *ifname, const char *attr, const char *expect)
{
  g_autofree char *v = tu_sysfs(ifname, attr);
  if (g_strcmp0(v, expect) != 0)
    g_error("/sys/class/net/%s/%s is '%s', expected '%s'", ifname, attr, v ? v : "(missing)",
            expect);
}

static char *
list_names_helper(NcDaemon *daemon, guint flags)
{
  g_autoptr(GPtrArray) list = nc_daemon_list(daemon, flags);
  GString *s = g_string_new("");
  for (guint i = 0; i < list->len; i++)
    g_string_append_printf(s, "%s%s", i ? " " : "", nc_network_get_name(list->pdata[i]));
  return g_string_free(s, FALSE);
}

static NcNetwork *
define(Fixture *f, const char *xml)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = nc_daemon_define_xml(f->daemon, xml, NC_DEFINE_VALIDATE, &error);
  g_assert_no_error(error);
  return net;
}

static NcNetwork *
lookup(Fixture *f, const char *name)
{
  return nc_daemon_lookup_by_name(f->daemon, name, NULL);
}

static void
start(NcNetwork *net)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(nc_network_start(net, &error));
  g_assert_no_error(error);
}

static char *
status_path(Fixture *f, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);
  return g_build_filename(nc_daemon_get_paths(f->daemon)->state_dir, file, NULL);
}

#define LAB_XML                                                                                    \
  "<network>\n"                                                                                    \
  "  <name>lab</name>\n"                                                                           \
  "  <bridge name='nctest0' stp='off' delay='3'/>\n"                                               \
  "  <mac address='52:54:00:ab:cd:ef'/>\n"                                                         \
  "  <mtu size='9000'/>\n"                                                                         \
  "</network>\n"

static void
test_start_adopt_destroy(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = define(f, LAB_XML);
  start(net);
  g_assert_true(nc_network_is_active(net));
  g_assert_cmpstr(f->events->str, ==, "lab:Defined lab:Started ");

  int ifindex = ifindex_of("nctest0");
  g_assert_cmpint(ifindex, >, 0);
  assert_sysfs("nctest0", "address", "52:54:00:ab:cd:ef");
  assert_sysfs("nctest0", "mtu", "9000");
  assert_sysfs("nctest0", "bridge/stp_state", "0");
  assert_sysfs("nctest0", "bridge/forward_delay", "300");
  g_autofree char *flags = tu_sysfs("nctest0", "flags");
  g_assert_true(g_ascii_strtoull(flags, NULL, 16) & IFF_UP);
  g_autofree char *dis6 = tu_read("/proc/sys/net/ipv6/conf/nctest0/disable_ipv6");
  if (dis6)
    g_assert_cmpstr(g_strchomp(dis6), ==, "1");

  /* libvirt's status shape, plus the ifindex. */
  g_autofree char *status_file = status_path(f, "lab");
  g_autofree char *status = tu_read(status_file);
  g_assert_nonnull(status);
  g_assert_true(g_str_has_prefix(status, "<networkstatus>\n  <class_id bitmap='0-2'/>\n"));
  g_autofree char *ifindex_attr = g_strdup_printf("bridge-ifindex='%d'", ifindex);
  g_assert_nonnull(strstr(status, ifindex_attr));
  g_assert_nonnull(strstr(status, "<name>lab</name>"));

  /* Restart: the network stays up and is adopted as it is. */
  restart(f, FALSE);
  net = lookup(f, "lab");
  g_assert_nonnull(net);
  g_assert_true(nc_network_is_active(net));
  g_assert_true(nc_network_is_persistent(net));
  g_assert_cmpint(ifindex_of("nctest0"), ==, ifindex);
  assert_sysfs("nctest0", "mtu", "9000");
  g_autofree char *live = nc_network_get_xml(net, 0);
  g_assert_nonnull(strstr(live, "nctest0"));

  /* Destroy: bridge and status gone, definition kept. */
  g_assert_true(nc_network_destroy(net, &error));
  g_assert_no_error(error);
  g_assert_cmpint(ifindex_of("nctest0"), ==, 0);
  g_assert_false(g_file_test(status_file, G_FILE_TEST_EXISTS));
  g_assert_false(nc_network_is_active(net));
  g_assert_true(nc_network_is_persistent(net));
  g_assert_false(nc_network_destroy(net, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
}

static void
test_stp_defaults(Fixture *f, gconstpointer data)
{
  /* libvirt's defaults: STP on, forward delay 0. Like libvirt we set the delay
   * before enabling STP; the kernel then raises it to STP's minimum of 2 s. */
  NcNetwork *net = define(f, "<network><name>d</name><bridge name='nctest1'/></network>");
  start(net);
  assert_sysfs("nctest1", "bridge/stp_state", "1");
  assert_sysfs("nctest1", "bridge/forward_delay", "200");
  assert_sysfs("nctest1", "mtu", "1500");
  g_autofree char *mac = tu_sysfs("nctest1", "address");
  g_assert_true(g_str_has_prefix(mac, "52:54:00:"));

  /* Already active. */
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_network_start(net, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
}

static void
test_transient(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = nc_daemon_create_xml(
      f->daemon, "<network><name>tr</name><bridge name='nctest2'/></network>", 0, &error);
  g_assert_no_error(error);
  g_assert_true(nc_network_is_active(net));
  g_assert_false(nc_network_is_persistent(net));
  g_assert_cmpint(ifindex_of("nctest2"), >, 0);
  g_autofree char *cfg
      = g_build_filename(nc_daemon_get_paths(f->daemon)->config_dir, "tr.xml", NULL);
  g_assert_false(g_file_test(cfg, G_FILE_TEST_EXISTS));

  /* Survives a restart as a transient network. */
  int ifindex = ifindex_of("nctest2");
  restart(f, FALSE);
  net = lookup(f, "tr");
  g_assert_nonnull(net);
  g_assert_true(nc_network_is_active(net));
  g_assert_false(nc_network_is_persistent(net));
  g_assert_cmpint(ifindex_of("nctest2"), ==, ifindex);

  g_assert_false(nc_network_set_autostart(net, TRUE, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
  g_clear_error(&error);

  /* Destroy makes it vanish. */
  g_autoptr(NcNetwork) hold = nc_network_ref(net);
  g_assert_true(nc_network_destroy(net, &error));
  g_assert_true(nc_network_is_removed(hold));
  g_assert_null(lookup(f, "tr"));
  g_assert_cmpint(ifindex_of("nctest2"), ==, 0);
  g_assert_cmpstr(f->events->str, ==, "tr:Started tr:Stopped ");

  /* A create that fails leaves nothing behind: the device name is taken. */
  NcKernel *k = nc_kernel_new(NULL, NULL);
  NcBridgeConfig cfg_taken = { .name = "nctest3" };
  int taken_ifindex = 0;
  g_assert_cmpint(nc_bridge_create(k, &cfg_taken, &taken_ifindex), ==, 0);
  g_assert_null(nc_daemon_create_xml(
      f->daemon, "<network><name>tr2</name><bridge name='nctest3'/></network>", 0, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED);
  g_test_message("create over an existing device: %s", error->message);
  g_assert_null(lookup(f, "tr2"));
  g_assert_cmpint(ifindex_of("nctest3"), ==, taken_ifindex); /* not ours: untouched */
  g_autofree char *status_file = status_path(f, "tr2");
  g_assert_false(g_file_test(status_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint(nc_link_delete(k, taken_ifindex), ==, 0);
  nc_kernel_free(k);
}

static void
test_undefine_active(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = define(f, "<network><name>u</name><bridge name='nctest4'/></network>");
  g_assert_true(nc_network_set_autostart(net, TRUE, &error));
  start(net);
  g_assert_true(nc_network_undefine(net, &error));
  g_assert_no_error(error);
  g_assert_true(nc_network_is_active(net));
  g_assert_false(nc_network_is_persistent(net));
  g_assert_false(nc_network_get_autostart(net));
  g_assert_cmpint(ifindex_of("nctest4"), >, 0);
  const NcPaths *paths = nc_daemon_get_paths(f->daemon);
  g_autofree char *listing = tu_list_dir(paths->config_dir);
  g_assert_cmpstr(listing, ==, "autostart");
  g_autofree char *links = tu_list_dir(paths->autostart_dir);
  g_assert_cmpstr(links, ==, "");

  g_autofree char *transient = list_names_helper(f->daemon, NC_LIST_TRANSIENT);
  g_assert_cmpstr(transient, ==, "u");

  /* Defining it again makes it persistent; the running copy is unchanged
   * and the new config waits for the next start. */
  net = define(f, "<network><name>u</name><bridge name='nctest4'/><mtu size='1400'/></network>");
  g_assert_true(nc_network_is_persistent(net));
  g_assert_true(nc_network_is_active(net));
  g_autofree char *live = nc_network_get_xml(net, 0);
  g_autofree char *inactive = nc_network_get_xml(net, NC_NETWORK_FORMAT_INACTIVE);
  g_assert_null(strstr(live, "1400"));
  g_assert_nonnull(strstr(inactive, "1400"));
  g_assert_true(nc_network_destroy(net, &error));
  g_assert_nonnull(lookup(f, "u"));
  start(net);
  assert_sysfs("nctest4", "mtu", "1400");

  /* Undefine again, then destroy: gone. */
  g_assert_true(nc_network_undefine(net, &error));
  g_assert_true(nc_network_destroy(net, &error));
  g_assert_null(lookup(f, "u"));
  g_assert_cmpint(ifindex_of("nctest4"), ==, 0);
  g_assert_cmpstr(f->events->str, ==,
                  "u:Defined u:Started u:Undefined u:Defined u:Stopped u:Started u:Undefined "
                  "u:Stopped ");
}

static void
test_autostart_once(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = define(f, "<network><name>auto</name><bridge name='nctest5'/></network>");
  g_assert_true(nc_network_set_autostart(net, TRUE, &error));
  define(f, "<network><name>manual</name><bridge name='nctest6'/></network>");

  restart(f, TRUE);
  g_assert_true(nc_network_is_active(lookup(f, "auto")));
  g_assert_false(nc_network_is_active(lookup(f, "manual")));
  g_assert_cmpint(ifindex_of("nctest5"), >, 0);
  g_autofree char *marker
      = g_build_filename(nc_daemon_get_paths(f->daemon)->state_dir, "autostarted", NULL);
  g_assert_true(g_file_test(marker, G_FILE_TEST_EXISTS));

  /* Stopped by the admin: a restarted daemon does not start it again. */
  g_assert_true(nc_network_destroy(lookup(f, "auto"), &error));
  restart(f, TRUE);
  g_assert_false(nc_network_is_active(lookup(f, "auto")));

  /* Next boot (the marker is on tmpfs): started again. */
  g_unlink(marker);
  restart(f, TRUE);
  g_assert_true(nc_network_is_active(lookup(f, "auto")));
}

static void
test_corrupt_store(Fixture *f, gconstpointer data)
{
  NcNetwork *net = define(f, "<network><name>ok</name><bridge name='nctest7'/></network>");
  start(net);
  const NcPaths *paths = nc_daemon_get_paths(f->daemon);
  g_autofree char *bad = g_build_filename(paths->config_dir, "bad.xml", NULL);
  tu_write(bad, "<network><name>bad</name><bridge name='x' stp='maybe'/>");
  g_autofree char *bad_status = status_path(f, "gone");
  tu_write(bad_status, "garbage");

  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*bad.xml*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*gone.xml*");
  restart(f, FALSE);
  g_test_assert_expected_messages();
  g_assert_null(lookup(f, "bad"));
  g_assert_true(nc_network_is_active(lookup(f, "ok")));
  /* Reported, not removed: the admin may want to fix it. */
  g_assert_true(g_file_test(bad, G_FILE_TEST_EXISTS));
}

static void
test_repair_and_crash_cleanup(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net
      = define(f, "<network><name>r</name><bridge name='nctest8'/><mtu size='1300'/></network>");
  start(net);
  g_autofree char *uuid = g_strdup(nc_network_get_uuid_string(net));
  int old_ifindex = ifindex_of("nctest8");

  /* Someone deleted the bridge while netctld was down: adoption recreates
   * it (and only it). */
  g_clear_pointer(&f->daemon, nc_daemon_free);
  NcKernel *k = nc_kernel_new(NULL, NULL);
  g_assert_cmpint(nc_link_delete(k, old_ifindex), ==, 0);
  g_string_truncate(captured_log, 0);
  restart(f, FALSE);
  assert_logged("bridge 'nctest8' is missing after the restart");
  net = lookup(f, "r");
  g_assert_true(nc_network_is_active(net));
  int new_ifindex = ifindex_of("nctest8");
  g_assert_cmpint(new_ifindex, >, 0);
  assert_sysfs("nctest8", "mtu", "1300");
  g_autofree char *status_file = status_path(f, "r");
  g_autofree char *status = tu_read(status_file);
  g_autofree char *attr = g_strdup_printf("bridge-ifindex='%d'", new_ifindex);
  g_assert_nonnull(strstr(status, attr));

  /* A bridge left down is brought up, not recreated. */
  g_clear_pointer(&f->daemon, nc_daemon_free);
  g_assert_cmpint(nc_link_set_up(k, new_ifindex, FALSE), ==, 0);
  restart(f, FALSE);
  assert_logged("bridge 'nctest8' was down");
  g_assert_cmpint(ifindex_of("nctest8"), ==, new_ifindex);
  g_autofree char *flags = tu_sysfs("nctest8", "flags");
  g_assert_true(g_ascii_strtoull(flags, NULL, 16) & IFF_UP);

  /* A crash in the middle of a start: the status still says 'starting'.
   * The next daemon tears down what was created (a bridge with the MAC the
   * definition gives it: ours; tests/robust checks that another bridge of
   * that name is left alone) and the network is inactive. */
  g_assert_true(nc_network_destroy(lookup(f, "r"), &error));
  g_clear_pointer(&f->daemon, nc_daemon_free);
  NcMac half_mac = { { 0x52, 0x54, 0x00, 0x0a, 0x0b, 0x0c } };
  NcBridgeConfig half = { .name = "nctest8", .mac = &half_mac };
  int half_ifindex = 0;
  g_assert_cmpint(nc_bridge_create(k, &half, &half_ifindex), ==, 0);
  g_autofree char *starting
      = g_strdup_printf("<networkstatus>\n  <class_id bitmap='0-2'/>\n  <floor sum='0'/>\n"
                        "  <netctl bridge-ifindex='0' state='starting'/>\n"
                        "  <network>\n    <name>r</name>\n    <uuid>%s</uuid>\n"
                        "    <bridge name='nctest8'/>\n"
                        "    <mac address='52:54:00:0a:0b:0c'/>\n  </network>\n"
                        "</networkstatus>\n",
                        uuid);
  tu_write(status_file, starting);
  restart(f, FALSE);
  assert_logged("network 'r': its start was interrupted");
  g_assert_false(nc_network_is_active(lookup(f, "r")));
  g_assert_cmpint(ifindex_of("nctest8"), ==, 0);
  g_assert_false(g_file_test(status_file, G_FILE_TEST_EXISTS));

  /* A crash in the middle of a destroy ('stopping'): finished, not undone. */
  start(lookup(f, "r"));
  g_clear_pointer(&f->daemon, nc_daemon_free);
  g_autofree char *running = tu_read(status_file);
  g_autofree char *stopping = NULL;
  {
    g_auto(GStrv) parts = g_strsplit(running, "state='running'", 2);
    g_assert_nonnull(parts[1]);
    stopping = g_strjoinv("state='stopping'", parts);
  }
  tu_write(status_file, stopping);
  restart(f, FALSE);
  assert_logged("network 'r': its stop was interrupted");
  g_assert_false(nc_network_is_active(lookup(f, "r")));
  g_assert_cmpint(ifindex_of("nctest8"), ==, 0);
  g_assert_false(g_file_test(status_file, G_FILE_TEST_EXISTS));
  nc_kernel_free(k);
}

static void
test_libvirt_status(Fixture *f, gconstpointer data)
{
  /* A status file written by libvirt (no <netctl> element) for a network it
   * left running: adopted as it is, and the ifindex recorded. */
  NcKernel *k = nc_kernel_new(NULL, NULL);
  NcMac mac = { { 0x52, 0x54, 0x00, 0x01, 0x02, 0x03 } };
  NcBridgeConfig cfg = { .name = "nctest9", .mac = &mac, .stp = TRUE };
  int ifindex = 0;
  g_assert_cmpint(nc_bridge_create(k, &cfg, &ifindex), ==, 0);
  g_assert_cmpint(nc_link_set_up(k, ifindex, TRUE), ==, 0);
  const NcPaths *paths = nc_daemon_get_paths(f->daemon);
  g_autofree char *config = g_build_filename(paths->config_dir, "lv.xml", NULL);
  const char *def
      = "<network>\n  <name>lv</name>\n  <uuid>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</uuid>\n"
        "  <bridge name='nctest9' stp='on' delay='0'/>\n"
        "  <mac address='52:54:00:01:02:03'/>\n</network>\n";
  tu_write(config, def);
  g_autofree char *status = g_strdup_printf("<networkstatus>\n  <class_id bitmap='0-2'/>\n"
                                            "  <floor sum='0'/>\n%s</networkstatus>\n",
                                            def);
  g_autofree char *status_file = status_path(f, "lv");
  tu_write(status_file, status);

  restart(f, FALSE);
  NcNetwork *net = lookup(f, "lv");
  g_assert_true(nc_network_is_active(net));
  g_assert_true(nc_network_is_persistent(net));
  g_assert_cmpint(ifindex_of("nctest9"), ==, ifindex);
  g_autofree char *rewritten = tu_read(status_file);
  g_autofree char *attr = g_strdup_printf("bridge-ifindex='%d'", ifindex);
  g_assert_nonnull(strstr(rewritten, attr));
  nc_kernel_free(k);
}

static void
test_list_and_allocation(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  /* An existing host device named virbr0 is skipped. */
  NcKernel *k = nc_kernel_new(NULL, NULL);
  NcBridgeConfig cfg = { .name = "virbr0" };
  int host_ifindex = 0;
  g_assert_cmpint(nc_bridge_create(k, &cfg, &host_ifindex), ==, 0);

  NcNetwork *a = define(f, "<network><name>a</name></network>");
  g_assert_cmpstr(nc_network_get_bridge_name(a), ==, "virbr1");
  NcNetwork *b = define(f, "<network><name>b</name></network>");
  g_assert_cmpstr(nc_network_get_bridge_name(b), ==, "virbr2");
  start(a);
  g_assert_true(nc_network_set_autostart(b, TRUE, &error));
  g_assert_nonnull(nc_daemon_create_xml(f->daemon, "<network><name>c</name></network>", 0, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(nc_network_get_bridge_name(lookup(f, "c")), ==, "virbr3");

  struct {
    guint flags;
    const char *expect;
  } cases[] = {
    { 0, "a b c" },
    { NC_LIST_ACTIVE, "a c" },
    { NC_LIST_INACTIVE, "b" },
    { NC_LIST_PERSISTENT, "a b" },
    { NC_LIST_TRANSIENT, "c" },
    { NC_LIST_AUTOSTART, "b" },
    { NC_LIST_NO_AUTOSTART, "a c" },
    { NC_LIST_ACTIVE | NC_LIST_PERSISTENT, "a" },
    { NC_LIST_INACTIVE | NC_LIST_TRANSIENT, "" },
    { NC_LIST_ACTIVE | NC_LIST_INACTIVE | NC_LIST_TRANSIENT, "c" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *got = list_names_helper(f->daemon, cases[i].flags);
    g_assert_cmpstr(got, ==, cases[i].expect);
  }
  g_assert_cmpint(nc_link_delete(k, host_ifindex), ==, 0);
  nc_kernel_free(k);
}

/* net-destroy's bridge deletion off the reply path: the name is free at once
 * (the bridge renamed ncgone-<ifindex>), the device itself goes on the
 * worker; a renamed bridge a crashed daemon left is deleted by the sweep. */
static void
test_deferred_delete(Fixture *f, gconstpointer data)
{
  g_autoptr(NcKernel) k = nc_kernel_new(NULL, NULL);
  NcBridgeConfig config = { .name = "ncdefer0" };
  int ifindex = 0;
  g_assert_cmpint(nc_bridge_create(k, &config, &ifindex), ==, 0);
  g_assert_cmpint(nc_link_set_up(k, ifindex, TRUE), ==, 0);
  g_assert_cmpint(nc_link_delete_deferred(k, ifindex, "ncdefer0"), ==, 0);
  g_assert_cmpint(ifindex_of("ncdefer0"), ==, 0); /* free at once */
  /* The same name can be made again right away. */
  int again = 0;
  g_assert_cmpint(nc_bridge_create(k, &config, &again), ==, 0);
  g_assert_cmpint(again, !=, ifindex);
  g_clear_pointer(&k, nc_kernel_free); /* waits for the worker */
  char gone[IF_NAMESIZE];
  g_assert_null(if_indextoname((unsigned)ifindex, gone));

  /* A leftover of a daemon that died between the rename and the delete. */
  k = nc_kernel_new(NULL, NULL);
  config.name = NC_LINK_GONE_PREFIX "ff";
  g_assert_cmpint(nc_bridge_create(k, &config, &ifindex), ==, 0);
  g_assert_cmpint(nc_link_reap_leftovers(k), ==, 1);
  g_clear_pointer(&k, nc_kernel_free);
  g_assert_cmpint(ifindex_of(NC_LINK_GONE_PREFIX "ff"), ==, 0);
  g_assert_cmpint(ifindex_of("ncdefer0"), ==, again); /* not ours to sweep: named otherwise */
  k = nc_kernel_new(NULL, NULL);
  g_assert_cmpint(nc_link_delete(k, again), ==, 0);
}

/* A port's device: only marked (group), its name kept until the worker has
 * deleted it, so a device asked for by that name waits; a mark left by a
 * daemon that died is taken off at the next start (the port may still be on
 * record) and nothing else is touched. */
static void
test_deferred_delete_device(Fixture *f, gconstpointer data)
{
  g_autoptr(NcKernel) k = nc_kernel_new(NULL, NULL);
  NcBridgeConfig config = { .name = "ncdev0" };
  int ifindex = 0;
  g_assert_cmpint(nc_bridge_create(k, &config, &ifindex), ==, 0);
  g_assert_cmpint(nc_link_delete_deferred_device(k, ifindex, "ncdev0"), ==, 0);
  nc_link_wait_deleted(k, "ncdev0");
  g_assert_cmpint(ifindex_of("ncdev0"), ==, 0);

  int marked = 0, other = 0;
  config.name = "ncdev1";
  g_assert_cmpint(nc_bridge_create(k, &config, &marked), ==, 0);
  config.name = "ncdev2";
  g_assert_cmpint(nc_bridge_create(k, &config, &other), ==, 0);
  g_assert_cmpint(nc_link_set_group(k, marked, NC_LINK_GONE_GROUP), ==, 0);
  g_assert_cmpint(nc_link_set_group(k, other, 7), ==, 0);
  g_assert_cmpint(nc_link_unmark_devices(k), ==, 1);
  NcLinkAttrs link;
  g_assert_cmpint(nc_link_reply_get(k, marked, NULL, &link), ==, 0);
  g_assert_cmpuint(link.group, ==, 0);
  g_assert_cmpint(nc_link_reply_get(k, other, NULL, &link), ==, 0);
  g_assert_cmpuint(link.group, ==, 7);
  g_assert_cmpint(nc_link_delete(k, marked), ==, 0);
  g_assert_cmpint(nc_link_delete(k, other), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  captured_log = g_string_new("");
  g_log_set_writer_func(capture_writer, NULL, NULL);
  if (!tu_enter_private_netns()) {
    printf("SKIP: cannot enter a private network+mount namespace (needs root): %s\n",
           g_strerror(errno));
    return 77;
  }
  /* The loopback of a new namespace is down; nothing here needs it. */

#define ADD(path, func) g_test_add(path, Fixture, NULL, setup, func, teardown)
  ADD("/kernel/start-adopt-destroy", test_start_adopt_destroy);
  ADD("/kernel/stp-defaults", test_stp_defaults);
  ADD("/kernel/transient", test_transient);
  ADD("/kernel/undefine-active", test_undefine_active);
  ADD("/kernel/autostart-once", test_autostart_once);
  ADD("/kernel/corrupt-store", test_corrupt_store);
  ADD("/kernel/repair-and-crash-cleanup", test_repair_and_crash_cleanup);
  ADD("/kernel/libvirt-status", test_libvirt_status);
  ADD("/kernel/list-and-allocation", test_list_and_allocation);
  ADD("/kernel/deferred-delete", test_deferred_delete);
  ADD("/kernel/deferred-delete-device", test_deferred_delete_device);
  return g_test_run();
}
