/* The registry without the kernel: define/undefine, names, uuids, bridge-name
 * allocation, list filters, events, reload. Networks are never started here
 * (tests/daemon/test-kernel.c does that in a private namespace). */
#include <net/if.h>
#include <string.h>

#include "nc-daemon.h"
#include "nc-error.h"
#include "network-xml.h"
#include "test-util.h"

typedef struct {
  char *root;
  NcDaemon *daemon;
  GString *events; /* "Name:Event " for each lifecycle event */
  guint prop_changes;
} Fixture;

static void
on_event(NcDaemon *daemon, const NcEvent *ev, gpointer user_data)
{
  Fixture *f = user_data;
  if (ev->kind == NC_EVENT_NETWORK_PROPERTIES) {
    f->prop_changes++;
    return;
  }
  if (ev->kind != NC_EVENT_NETWORK_LIFECYCLE)
    return;
  g_string_append_printf(f->events, "%s:%s ", nc_network_get_name(ev->net),
                         nc_network_event_to_string(ev->lifecycle));
}

static NcDaemon *
open_daemon(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  NcDaemonOptions opts = { .root = f->root, .no_autostart = TRUE };
  NcDaemon *daemon = nc_daemon_new(&opts, &error);
  g_assert_no_error(error);
  g_assert_nonnull(daemon);
  nc_daemon_add_event_handler(daemon, on_event, f, NULL);
  return daemon;
}

static void
setup(Fixture *f, gconstpointer data)
{
  f->root = tu_make_root();
  f->events = g_string_new("");
  f->daemon = open_daemon(f);
}

static void
teardown(Fixture *f, gconstpointer data)
{
  nc_daemon_free(f->daemon);
  tu_rm_rf(f->root);
  g_free(f->root);
  g_string_free(f->events, TRUE);
}

static NcNetwork *
define(Fixture *f, const char *xml)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *net = nc_daemon_define_xml(f->daemon, xml, NC_DEFINE_VALIDATE, &error);
  g_assert_no_error(error);
  g_assert_nonnull(net);
  return net;
}

/* The n-th virbr name not taken by a device of this namespace. */
static char *
expected_bridge(int nth)
{
  for (int id = 0; id < 256; id++) {
    g_autofree char *name = g_strdup_printf("virbr%d", id);
    if (if_nametoindex(name) == 0 && nth-- == 0)
      return g_steal_pointer(&name);
  }
  g_assert_not_reached();
}

static char *
names_of(GPtrArray *list)
{
  GString *s = g_string_new("");
  for (guint i = 0; i < list->len; i++)
    g_string_append_printf(s, "%s%s", i ? " " : "", nc_network_get_name(list->pdata[i]));
  return g_string_free(s, FALSE);
}

static char *
list_names(NcDaemon *daemon, guint flags)
{
  g_autoptr(GPtrArray) list = nc_daemon_list(daemon, flags);
  return names_of(list);
}

static void
test_define_fills_defaults(Fixture *f, gconstpointer data)
{
  NcNetwork *net = define(f, "<network><name>a</name></network>");
  g_assert_true(nc_network_is_persistent(net));
  g_assert_false(nc_network_is_active(net));
  g_assert_false(nc_network_get_autostart(net));
  g_autofree char *br0 = expected_bridge(0);
  g_assert_cmpstr(nc_network_get_bridge_name(net), ==, br0);
  const NcNetworkDef *def = nc_network_get_def(net);
  g_assert_true(def->has_uuid);
  g_assert_true(def->has_mac);
  g_assert_cmpuint(def->mac.addr[0], ==, 0x52);

  /* Stored with what was generated. */
  const NcPaths *paths = nc_daemon_get_paths(f->daemon);
  g_autofree char *path = g_build_filename(paths->config_dir, "a.xml", NULL);
  g_autofree char *stored = tu_read(path);
  g_assert_nonnull(stored);
  g_assert_nonnull(strstr(stored, nc_network_get_uuid_string(net)));
  g_autofree char *bridge_attr = g_strdup_printf("name='%s'", br0);
  g_assert_nonnull(strstr(stored, bridge_attr));
  g_assert_nonnull(strstr(stored, "<mac address='52:54:00:"));
  g_assert_cmpstr(f->events->str, ==, "a:Defined ");
}

static void
test_bridge_names(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *br0 = expected_bridge(0);
  g_autofree char *br1 = expected_bridge(1);
  g_autofree char *br2 = expected_bridge(2);
  NcNetwork *a = define(f, "<network><name>a</name></network>");
  NcNetwork *b = define(f, "<network><name>b</name><bridge name='virbr%d'/></network>");
  g_assert_cmpstr(nc_network_get_bridge_name(a), ==, br0);
  g_assert_cmpstr(nc_network_get_bridge_name(b), ==, br1);

  /* A fixed name is taken as it is, and then skipped by allocation. */
  g_autofree char *fixed_xml
      = g_strdup_printf("<network><name>c</name><bridge name='%s'/></network>", br2);
  NcNetwork *c = define(f, fixed_xml);
  g_assert_cmpstr(nc_network_get_bridge_name(c), ==, br2);
  NcNetwork *d = define(f, "<network><name>d</name></network>");
  g_autofree char *br3 = expected_bridge(3);
  g_assert_cmpstr(nc_network_get_bridge_name(d), ==, br3);

  /* A fixed name used by another network is refused. */
  g_autofree char *clash
      = g_strdup_printf("<network><name>e</name><bridge name='%s'/></network>", br0);
  g_assert_null(nc_daemon_define_xml(f->daemon, clash, 0, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED);
  g_assert_nonnull(strstr(error->message, "already in use"));
  g_assert_nonnull(strstr(error->message, "'a'"));
  g_clear_error(&error);
  g_assert_null(nc_daemon_lookup_by_name(f->daemon, "e", NULL));

  /* A template of the user's. */
  NcNetwork *t = define(f, "<network><name>t</name><bridge name='lab%d'/></network>");
  g_assert_cmpstr(nc_network_get_bridge_name(t), ==, "lab0");
  NcNetwork *t2 = define(f, "<network><name>t2</name><bridge name='lab%d'/></network>");
  g_assert_cmpstr(nc_network_get_bridge_name(t2), ==, "lab1");

  /* Redefining keeps the bridge name (and uuid, and MAC) when left out. */
  g_autofree char *uuid = g_strdup(nc_network_get_uuid_string(a));
  NcMac mac = nc_network_get_def(a)->mac;
  NcNetwork *a2 = define(f, "<network><name>a</name><mtu size='9000'/></network>");
  g_assert_true(a2 == a);
  g_assert_cmpstr(nc_network_get_bridge_name(a), ==, br0);
  g_assert_cmpstr(nc_network_get_uuid_string(a), ==, uuid);
  g_assert_cmpmem(nc_network_get_def(a)->mac.addr, 6, mac.addr, 6);
  g_assert_cmpuint(nc_network_get_def(a)->mtu, ==, 9000);

  /* Undefined: its name is free again. */
  g_assert_true(nc_network_undefine(b, &error));
  NcNetwork *g = define(f, "<network><name>g</name></network>");
  g_assert_cmpstr(nc_network_get_bridge_name(g), ==, br1);
}

static void
test_name_uuid_clash(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *a = define(
      f, "<network><name>a</name><uuid>11111111-2222-3333-4444-555555555555</uuid></network>");
  /* Same name, another uuid. */
  g_assert_null(nc_daemon_define_xml(
      f->daemon,
      "<network><name>a</name><uuid>11111111-2222-3333-4444-000000000000</uuid></network>", 0,
      &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_NETWORK_EXIST);
  g_assert_nonnull(strstr(error->message, "11111111-2222-3333-4444-555555555555"));
  g_clear_error(&error);
  /* Same uuid, another name. */
  g_assert_null(nc_daemon_define_xml(
      f->daemon,
      "<network><name>b</name><uuid>11111111-2222-3333-4444-555555555555</uuid></network>", 0,
      &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_NETWORK_EXIST);
  g_assert_nonnull(strstr(error->message, "'a'"));
  g_clear_error(&error);

  /* Lookups. */
  g_assert_true(nc_daemon_lookup_by_uuid(f->daemon, "11111111-2222-3333-4444-555555555555", &error)
                == a);
  g_assert_true(nc_daemon_lookup_by_uuid(f->daemon, "11111111222233334444555555555555", &error)
                == a);
  g_assert_null(
      nc_daemon_lookup_by_uuid(f->daemon, "11111111-2222-3333-4444-000000000000", &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_NO_NETWORK);
  g_clear_error(&error);
  g_assert_null(nc_daemon_lookup_by_uuid(f->daemon, "not-a-uuid", &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_INVALID_ARG);
  g_clear_error(&error);
  g_assert_null(nc_daemon_lookup_by_name(f->daemon, "zz", &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_NO_NETWORK);
  g_clear_error(&error);

  /* Bad XML: a located error, nothing defined. */
  g_assert_null(nc_daemon_define_xml(
      f->daemon, "<network><name>bad</name><mtu size='x'/></network>", 0, &error));
  g_assert_nonnull(error);
  g_test_message("bad XML: %s", error->message);
  g_assert_null(nc_daemon_lookup_by_name(f->daemon, "bad", NULL));
}

static void
test_list_filters(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  define(f, "<network><name>c</name></network>");
  NcNetwork *b = define(f, "<network><name>b</name></network>");
  define(f, "<network><name>a</name></network>");
  g_assert_true(nc_network_set_autostart(b, TRUE, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(f->prop_changes, ==, 1);
  g_assert_true(nc_network_get_autostart(b));

  struct {
    guint flags;
    const char *expect;
  } cases[] = {
    { 0, "a b c" },
    { NC_LIST_ACTIVE, "" },
    { NC_LIST_INACTIVE, "a b c" },
    { NC_LIST_ACTIVE | NC_LIST_INACTIVE, "a b c" },
    { NC_LIST_PERSISTENT, "a b c" },
    { NC_LIST_TRANSIENT, "" },
    { NC_LIST_AUTOSTART, "b" },
    { NC_LIST_NO_AUTOSTART, "a c" },
    { NC_LIST_AUTOSTART | NC_LIST_NO_AUTOSTART, "a b c" },
    { NC_LIST_INACTIVE | NC_LIST_NO_AUTOSTART, "a c" },
    { NC_LIST_ACTIVE | NC_LIST_AUTOSTART, "" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *got = list_names(f->daemon, cases[i].flags);
    g_assert_cmpstr(got, ==, cases[i].expect);
  }
}

static void
test_lifecycle_errors(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *a = define(f, "<network><name>a</name></network>");
  g_assert_false(nc_network_destroy(a, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
  g_assert_nonnull(strstr(error->message, "not active"));
  g_clear_error(&error);

  /* A network whose host side is missing can be defined but not started. */
  NcNetwork *nat = define(f, "<network><name>n</name><forward mode='hostdev'>"
                             "<pf dev='eth9'/></forward></network>");
  g_assert_false(nc_network_start(nat, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
  g_assert_true(g_str_has_prefix(error->message, "network 'n': PF 'eth9' does not exist"));
  g_clear_error(&error);
  /* A macvtap pool whose interface is missing: nothing is made. */
  g_assert_null(nc_daemon_create_xml(f->daemon,
                                     "<network><name>n2</name><forward mode='vepa'>"
                                     "<interface dev='eth8'/></forward></network>",
                                     0, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID);
  g_assert_cmpstr(error->message, ==, "network 'n2': pool interface 'eth8' does not exist");
  g_clear_error(&error);
  g_assert_null(nc_daemon_lookup_by_name(f->daemon, "n2", NULL));

  /* Something the driver refuses (this test runs outside a network
   * namespace): refused before touching anything. */
  NcNetwork *iso = define(f, "<network><name>iso</name><bridge name='lo'/>"
                             "<ip address='10.7.0.1' prefix='24'/></network>");
  g_assert_false(nc_network_start(iso, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED);
  g_assert_nonnull(strstr(error->message, "already used"));
  g_clear_error(&error);
  g_assert_false(nc_network_is_active(iso));
  const NcPaths *paths = nc_daemon_get_paths(f->daemon);
  g_autofree char *status = tu_list_dir(paths->state_dir);
  g_assert_cmpstr(status, ==, "driver.pid"); /* no iso.xml status */

  /* Undefine: gone, the handle says so, the file is removed. */
  g_autoptr(NcNetwork) hold = nc_network_ref(a);
  g_assert_true(nc_network_undefine(a, &error));
  g_assert_true(nc_network_is_removed(hold));
  g_assert_null(nc_daemon_lookup_by_name(f->daemon, "a", NULL));
  g_assert_false(nc_network_undefine(hold, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_NO_NETWORK);
  g_clear_error(&error);
  g_autofree char *cfg = g_build_filename(paths->config_dir, "a.xml", NULL);
  g_assert_false(g_file_test(cfg, G_FILE_TEST_EXISTS));
  g_assert_nonnull(strstr(f->events->str, "a:Undefined"));

  /* Section 1 is <bridge>, which libvirt cannot update either. */
  g_assert_false(nc_network_update(nat, 1, 1, -1, "<bridge name='x'/>", 0, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED);
  g_clear_error(&error);

  g_autoptr(GPtrArray) leases = nc_network_get_dhcp_leases(nat, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(leases->len, ==, 0);
}

static void
test_single_instance(Fixture *f, gconstpointer data)
{
  /* fcntl locks are per process: take the lock from a child. */
  const NcPaths *paths = nc_daemon_get_paths(f->daemon);
  g_autofree char *pidfile = g_build_filename(paths->state_dir, "driver.pid", NULL);
  g_autofree char *pid = tu_read(pidfile);
  g_autofree char *ours = g_strdup_printf("%d\n", (int)getpid());
  g_assert_cmpstr(pid, ==, ours);

  if (g_test_subprocess()) {
    g_autoptr(GError) error = NULL;
    NcDaemonOptions opts = { .root = g_getenv("NC_TEST_ROOT"), .no_autostart = TRUE };
    NcDaemon *second = nc_daemon_new(&opts, &error);
    g_assert_null(second);
    g_assert_error(error, NC_ERROR, NC_ERROR_RESOURCE_BUSY);
    g_printerr("%s\n", error->message);
    return;
  }
  g_setenv("NC_TEST_ROOT", f->root, TRUE);
  g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDIN);
  g_test_trap_assert_passed();
  g_autofree char *expect
      = g_strdup_printf("*another network daemon (pid %d) is using*", (int)getpid());
  g_test_trap_assert_stderr(expect);
}

typedef struct {
  guint self_id;
  guint calls;
  guint notified;
} SelfRemover;

static void
remove_self(NcDaemon *daemon, const NcEvent *ev, gpointer user_data)
{
  SelfRemover *r = user_data;
  r->calls++;
  nc_daemon_remove_event_handler(daemon, r->self_id);
}

static void
self_remover_notify(gpointer data)
{
  ((SelfRemover *)data)->notified++;
}

static void
test_event_handlers(Fixture *f, gconstpointer data)
{
  /* A handler removing itself during a dispatch: the others still run, it is
   * not called again, and its notify runs once. */
  SelfRemover r = { 0 };
  r.self_id = nc_daemon_add_event_handler(f->daemon, remove_self, &r, self_remover_notify);
  guint second = nc_daemon_add_event_handler(f->daemon, on_event, f, NULL);
  define(f, "<network><name>a</name></network>");
  define(f, "<network><name>b</name></network>");
  g_assert_cmpuint(r.calls, ==, 1);
  g_assert_cmpuint(r.notified, ==, 1);
  g_assert_cmpstr(f->events->str, ==, "a:Defined a:Defined b:Defined b:Defined ");

  nc_daemon_remove_event_handler(f->daemon, second);
  nc_daemon_remove_event_handler(f->daemon, 12345); /* unknown: ignored */
  define(f, "<network><name>c</name></network>");
  g_assert_cmpstr(f->events->str, ==, "a:Defined a:Defined b:Defined b:Defined c:Defined ");

  g_assert_cmpstr(nc_network_event_to_string(NC_NETWORK_EVENT_STOPPED), ==, "Stopped");
  g_assert_null(nc_network_event_to_string(_NC_NETWORK_EVENT_MAX));
}

static void
test_reload(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  NcNetwork *a = define(f, "<network><name>a</name><mtu size='1400'/></network>");
  NcNetwork *b = define(f, "<network><name>b</name></network>");
  g_assert_true(nc_network_set_autostart(b, TRUE, &error));
  g_autofree char *uuid_a = g_strdup(nc_network_get_uuid_string(a));
  g_autofree char *xml_a = nc_network_get_xml(a, NC_NETWORK_FORMAT_INACTIVE);

  /* A hand-written file with nothing but a name: completed and saved on load,
   * as libvirt does. A broken one next to it is skipped. */
  const NcPaths *paths = nc_daemon_get_paths(f->daemon);
  g_autofree char *bare = g_build_filename(paths->config_dir, "bare.xml", NULL);
  tu_write(bare, "<network>\n  <name>bare</name>\n</network>\n");
  g_autofree char *broken = g_build_filename(paths->config_dir, "broken.xml", NULL);
  tu_write(broken, "<network><name>broken</name");

  nc_daemon_free(f->daemon);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*broken.xml*");
  f->daemon = open_daemon(f);
  g_test_assert_expected_messages();

  g_autofree char *all = list_names(f->daemon, 0);
  g_assert_cmpstr(all, ==, "a b bare");
  a = nc_daemon_lookup_by_name(f->daemon, "a", &error);
  g_assert_cmpstr(nc_network_get_uuid_string(a), ==, uuid_a);
  g_autofree char *xml_a2 = nc_network_get_xml(a, NC_NETWORK_FORMAT_INACTIVE);
  g_assert_cmpstr(xml_a2, ==, xml_a);
  g_assert_true(nc_network_get_autostart(nc_daemon_lookup_by_name(f->daemon, "b", NULL)));
  g_assert_false(nc_network_get_autostart(a));

  NcNetwork *n = nc_daemon_lookup_by_name(f->daemon, "bare", &error);
  g_assert_nonnull(nc_network_get_bridge_name(n));
  g_autofree char *saved = tu_read(bare);
  g_assert_nonnull(strstr(saved, "<uuid>"));
  g_assert_nonnull(strstr(saved, "<mac address="));
  g_assert_nonnull(strstr(saved, nc_network_get_bridge_name(n)));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* Not needed, but keeps the host's own virbrN out of the picture when allowed. */
  if (unshare(CLONE_NEWNET) < 0)
    g_test_message("no private network namespace; host devices are taken into account");

#define ADD(path, func) g_test_add(path, Fixture, NULL, setup, func, teardown)
  ADD("/registry/define-fills-defaults", test_define_fills_defaults);
  ADD("/registry/bridge-names", test_bridge_names);
  ADD("/registry/name-uuid-clash", test_name_uuid_clash);
  ADD("/registry/list-filters", test_list_filters);
  ADD("/registry/lifecycle-errors", test_lifecycle_errors);
  ADD("/registry/reload", test_reload);
  ADD("/registry/event-handlers", test_event_handlers);
  ADD("/registry/single-instance", test_single_instance);
  return g_test_run();
}
