/* Without a kernel or dnsmasq: the lease database (parse, format, filters,
 * prefixes, expiry), the lease watcher, the MAC map, the spawner's dry run,
 * NcDnsmasq's command line and environment under a dry run, its version
 * check, and that stop never signals a process that is not our dnsmasq. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsmasq.h"
#include "lease-file.h"
#include "leases.h"
#include "pid-watch.h"
#include "macmap.h"
#include "nc-daemon.h"
#include "nc-error.h"
#include "network-xml.h"
#include "spawn.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static char *
make_dir(void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp("netctl-leases-XXXXXX", &error);
  g_assert_no_error(error);
  return dir;
}

static void
rm_dir(char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_autofree char *p = g_build_filename(dir, name, NULL);
    if (g_file_test(p, G_FILE_TEST_IS_DIR))
      rm_dir(g_strdup(p));
    else
      g_unlink(p);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
  g_free(dir);
}

static NcLeaseEntry *
entry(const char *ip, const char *mac, gint64 expiry)
{
  NcLeaseEntry *e = g_new0(NcLeaseEntry, 1);
  e->ip = g_strdup(ip);
  e->mac = g_strdup(mac);
  e->expiry = expiry;
  return e;
}

static NcNetworkDef *
parse(const char *xml)
{
  g_autoptr(GError) error = NULL;
  NcNetworkDef *def = nc_network_def_parse_string(xml, "t.xml", NC_NETWORK_PARSE_STRICT, &error);
  g_assert_no_error(error);
  return def;
}

static const char *dual_xml
    = "<network><name>dual</name><forward mode='nat'/><bridge name='virbr5'/>"
      "<ip address='192.168.50.1' prefix='24'><dhcp><range start='192.168.50.10' "
      "end='192.168.50.20'/></dhcp></ip>"
      "<ip address='10.20.0.1' netmask='255.255.0.0'/>"
      "<ip family='ipv6' address='2001:db8:5::1' prefix='64'><dhcp><range start='2001:db8:5::10' "
      "end='2001:db8:5::20'/></dhcp></ip>"
      "</network>";

static void
test_parse_format(void)
{
  /* libvirt's own writing: numbers, its key names, extra keys ignored. */
  const char *text = "[\n  {\n    \"ip-address\": \"192.168.50.11\",\n    \"mac-address\": "
                     "\"52:54:00:01:02:03\",\n"
                     "    \"hostname\": \"vm1\",\n    \"client-id\": \"01:52:54:00:01:02:03\",\n"
                     "    \"expiry-time\": 1900000000,\n    \"future-key\": [1, 2]\n  },\n"
                     "  {\"mac-address\": \"no ip, skipped\"},\n  42,\n"
                     "  {\"iaid\": 1234, \"ip-address\": \"2001:db8:5::11\", \"expiry-time\": "
                     "\"1900000001\"}\n]\n";
  g_autoptr(GPtrArray) e = NULL;
  g_assert_cmpint(nc_lease_entries_parse(text, -1, &e), ==, 0);
  g_assert_cmpuint(e->len, ==, 2);
  NcLeaseEntry *a = g_ptr_array_index(e, 0);
  g_assert_cmpstr(a->hostname, ==, "vm1");
  g_assert_cmpint(a->expiry, ==, 1900000000);
  NcLeaseEntry *b = g_ptr_array_index(e, 1);
  g_assert_cmpstr(b->iaid, ==, "1234");
  g_assert_cmpint(b->expiry, ==, 1900000001);
  g_assert_null(b->mac);
  g_assert_true(nc_lease_entry_is_ipv6(b));

  /* Round trip. */
  g_autofree char *out = nc_lease_entries_format(e);
  g_autoptr(GPtrArray) e2 = NULL;
  g_assert_cmpint(nc_lease_entries_parse(out, -1, &e2), ==, 0);
  g_assert_cmpuint(e2->len, ==, 2);
  g_assert_cmpstr(((NcLeaseEntry *)g_ptr_array_index(e2, 0))->client_id, ==,
                  "01:52:54:00:01:02:03");

  g_autoptr(GPtrArray) empty = NULL;
  g_assert_cmpint(nc_lease_entries_parse("  \n", -1, &empty), ==, 0);
  g_assert_cmpuint(empty->len, ==, 0);
  g_autoptr(GPtrArray) bad = NULL;
  g_assert_cmpint(nc_lease_entries_parse("{\"a\":1}", -1, &bad), ==, -EBADMSG);
  g_assert_cmpint(nc_lease_entries_parse("[{", -1, &bad), ==, -EBADMSG);
  g_assert_null(bad);

  g_autofree char *fmt = nc_lease_entries_format(empty);
  g_assert_cmpstr(g_strstrip(fmt), ==, "[]");
}

static void
test_bridge_names(void)
{
  g_assert_true(nc_lease_bridge_name_is_safe("virbr0"));
  g_assert_false(nc_lease_bridge_name_is_safe(""));
  g_assert_false(nc_lease_bridge_name_is_safe(".."));
  g_assert_false(nc_lease_bridge_name_is_safe("a/b"));
  g_assert_false(nc_lease_bridge_name_is_safe("a b"));
  g_assert_false(nc_lease_bridge_name_is_safe("a\nb"));
  g_assert_false(nc_lease_bridge_name_is_safe("0123456789abcdef"));
  g_assert_null(nc_lease_status_path("/x", "../y"));
  g_autofree char *p = nc_lease_status_path("/var/lib/libvirt/dnsmasq", "virbr0");
  g_assert_cmpstr(p, ==, "/var/lib/libvirt/dnsmasq/virbr0.status");
}

static void
test_read_filter(void)
{
  char *dir = make_dir();
  g_autoptr(NcNetworkDef) def = parse(dual_xml);
  gint64 now = 1800000000;
  g_autoptr(GPtrArray) entries = nc_lease_entries_new();
  g_ptr_array_add(entries, entry("192.168.50.11", "52:54:00:00:00:01", now + 100));
  g_ptr_array_add(entries, entry("192.168.50.12", "52:54:00:00:00:02", now - 1)); /* expired */
  g_ptr_array_add(entries, entry("10.20.3.4", "52:54:00:00:00:03", 0));           /* infinite */
  NcLeaseEntry *v6 = entry("2001:db8:5::11", "52:54:00:00:00:01", now + 50);
  v6->iaid = g_strdup("77");
  v6->client_id = g_strdup("00:04:aa");
  g_ptr_array_add(entries, v6);
  g_ptr_array_add(entries, entry("172.16.0.9", "52:54:00:00:00:04", now + 100)); /* off-subnet */
  g_autofree char *path = nc_lease_status_path(dir, "virbr5");
  g_assert_cmpint(nc_lease_file_write(path, entries), ==, 0);

  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = nc_leases_read(dir, "virbr5", def, NULL, now, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(all->len, ==, 4);
  NcDhcpLease *l = g_ptr_array_index(all, 0);
  g_assert_cmpstr(l->ipaddr, ==, "192.168.50.11");
  g_assert_cmpuint(l->prefix, ==, 24);
  g_assert_cmpint(l->type, ==, 0);
  g_assert_cmpstr(l->iface, ==, "virbr5");
  l = g_ptr_array_index(all, 1);
  g_assert_cmpstr(l->ipaddr, ==, "10.20.3.4"); /* the <ip> whose subnet holds it */
  g_assert_cmpuint(l->prefix, ==, 16);
  g_assert_cmpint(l->expiry_time, ==, 0);
  l = g_ptr_array_index(all, 2);
  g_assert_cmpint(l->type, ==, 1);
  g_assert_cmpuint(l->prefix, ==, 64);
  g_assert_cmpstr(l->iaid, ==, "77");
  g_assert_cmpstr(l->clientid, ==, "00:04:aa");
  l = g_ptr_array_index(all, 3);
  g_assert_cmpuint(l->prefix, ==, 24); /* no subnet holds it: the first IPv4 <ip> */

  /* By MAC, without regard to case; "" is all. */
  g_autoptr(GPtrArray) one = nc_leases_read(dir, "virbr5", def, "52:54:00:00:00:01", now, NULL);
  g_assert_cmpuint(one->len, ==, 2);
  g_autoptr(GPtrArray) upper = nc_leases_read(dir, "virbr5", def, "52:54:00:00:00:03", now, NULL);
  g_assert_cmpuint(upper->len, ==, 1);
  g_autoptr(GPtrArray) upper2 = nc_leases_read(dir, "virbr5", NULL, "52:54:00:00:00:0A", now, NULL);
  g_assert_cmpuint(upper2->len, ==, 0);
  g_autoptr(GPtrArray) all2 = nc_leases_read(dir, "virbr5", NULL, "", now, NULL);
  g_assert_cmpuint(all2->len, ==, 4);
  g_assert_cmpuint(((NcDhcpLease *)g_ptr_array_index(all2, 0))->prefix, ==, 0);

  /* No file: no lease. A corrupt file: an error naming it. */
  g_autoptr(GPtrArray) none = nc_leases_read(dir, "virbr6", def, NULL, now, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(none->len, ==, 0);
  g_assert_true(g_file_set_contents(path, "[{]", -1, NULL));
  g_autoptr(GPtrArray) failed = nc_leases_read(dir, "virbr5", def, NULL, now, &error);
  g_assert_null(failed);
  g_assert_error(error, NC_ERROR, NC_ERROR_READ_FAILED);
  g_assert_nonnull(strstr(error->message, path));
  rm_dir(dir);
}

static void
on_change(gpointer data)
{
  (*(int *)data)++;
}

static gboolean
wait_count(int *count, int want, int ms)
{
  gint64 end = g_get_monotonic_time() + ms * 1000;
  while (*count < want && g_get_monotonic_time() < end) {
    while (g_main_context_iteration(NULL, FALSE))
      ;
    g_usleep(5000);
  }
  return *count >= want;
}

static void
test_watch(void)
{
  char *dir = make_dir();
  int count = 0;
  g_autoptr(NcLeaseWatch) w = nc_lease_watch_new(dir, "virbr5", on_change, &count);
  g_assert_nonnull(w);
  g_assert_null(nc_lease_watch_new(dir, "../x", on_change, &count));

  /* An atomic write (temporary file + rename) is one change. */
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) entries = nc_lease_entries_new();
  g_ptr_array_add(entries, entry("192.168.50.11", "52:54:00:00:00:01", now + 1));
  g_autofree char *path = nc_lease_status_path(dir, "virbr5");
  g_assert_cmpint(nc_lease_file_write(path, entries), ==, 0);
  g_assert_true(wait_count(&count, 1, 2000));
  g_usleep(100 * 1000);
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_assert_cmpint(count, ==, 1);

  /* The lease runs out (1 s from now): reported without any file change. */
  g_assert_true(wait_count(&count, 2, 4000));
  rm_dir(dir);
}

static void
test_macmap(void)
{
  char *dir = make_dir();
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "vm1", "52:54:00:00:00:01"), ==, 0);
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "vm1", "52:54:00:00:00:02"), ==, 0);
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "vm1", "52:54:00:00:00:02"), ==, 0);
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "we\"ird\\dom", "52:54:00:00:00:03"), ==, 0);
  g_auto(GStrv) macs = NULL;
  g_assert_cmpint(nc_macmap_lookup(dir, "virbr5", "vm1", &macs), ==, 0);
  g_assert_cmpuint(g_strv_length(macs), ==, 2);
  g_assert_cmpstr(macs[1], ==, "52:54:00:00:00:02");

  /* libvirt's layout: [{"domain": ..., "macs": [...]}], readable by all. */
  g_autofree char *path = nc_macmap_path(dir, "virbr5");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "\"domain\""));
  g_assert_nonnull(strstr(text, "\"macs\""));
  g_assert_nonnull(strstr(text, "we\\\"ird\\\\dom"));
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0644);

  g_assert_cmpint(nc_macmap_remove(dir, "virbr5", "vm1", "52:54:00:00:00:01"), ==, 0);
  g_auto(GStrv) macs2 = NULL;
  g_assert_cmpint(nc_macmap_lookup(dir, "virbr5", "vm1", &macs2), ==, 0);
  g_assert_cmpuint(g_strv_length(macs2), ==, 1);
  /* The last MAC gone: the domain goes too. */
  g_assert_cmpint(nc_macmap_remove(dir, "virbr5", "vm1", "52:54:00:00:00:02"), ==, 0);
  g_clear_pointer(&text, g_free);
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_null(strstr(text, "vm1"));
  g_assert_cmpint(nc_macmap_remove(dir, "virbr5", "we\"ird\\dom", NULL), ==, 0);
  g_clear_pointer(&text, g_free);
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_cmpstr(g_strstrip(text), ==, "[]");

  g_assert_cmpint(nc_macmap_add(dir, "../etc", "vm1", "52:54:00:00:00:01"), ==, -EINVAL);
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "vm1", "52:54:00:00:00"), ==, -EINVAL);
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "vm1", NULL), ==, -EINVAL);
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "", "52:54:00:00:00:01"), ==, -EINVAL);
  g_assert_cmpint(nc_macmap_remove(dir, "virbr5", "vm1", "nonsense"), ==, -EINVAL);
  g_assert_true(g_file_set_contents(path, "{}", -1, NULL));
  g_assert_cmpint(nc_macmap_add(dir, "virbr5", "vm1", "52:54:00:00:00:01"), ==, -EBADMSG);
  rm_dir(dir);
}

static gboolean
file_has(const char *path, const char *needle)
{
  g_autofree char *text = NULL;
  return g_file_get_contents(path, &text, NULL, NULL) && strstr(text, needle);
}

/* In the daemon a burst of changes is one write, made from the main loop
 * within the delay; an exit writes what is due; a stopped dnsmasq's map
 * loses its due write (the file is being removed). */
static void
test_macmap_deferred(void)
{
  char *dir = make_dir();
  g_autofree char *path = nc_macmap_path(dir, "virbr7");
  g_assert_cmpint(nc_macmap_add(dir, "virbr7", "a", "52:54:00:00:07:01"), ==, 0);
  nc_macmap_defer_writes(10);
  g_assert_cmpint(nc_macmap_add(dir, "virbr7", "b", "52:54:00:00:07:02"), ==, 0);
  g_assert_cmpint(nc_macmap_add(dir, "virbr7", "c", "52:54:00:00:07:03"), ==, 0);
  g_assert_false(file_has(path, "\"c\""));
  /* What we hold is newer than the file: lookups answer from it. */
  g_auto(GStrv) macs = NULL;
  g_assert_cmpint(nc_macmap_lookup(dir, "virbr7", "c", &macs), ==, 0);
  g_assert_cmpuint(g_strv_length(macs), ==, 1);
  gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
  while (!file_has(path, "\"c\"") && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, TRUE);
  g_assert_true(file_has(path, "\"b\""));
  g_assert_true(file_has(path, "\"c\""));

  g_assert_cmpint(nc_macmap_remove(dir, "virbr7", "b", NULL), ==, 0);
  nc_macmap_flush_all();
  g_assert_false(file_has(path, "\"b\""));

  g_assert_cmpint(nc_macmap_add(dir, "virbr7", "d", "52:54:00:00:07:04"), ==, 0);
  nc_macmap_discard(dir, "virbr7");
  g_assert_cmpint(g_unlink(path), ==, 0);
  nc_macmap_flush_all();
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  nc_macmap_defer_writes(0);
  rm_dir(dir);
}

/* What libvirt's NSS module needs of the file: MACs spelled as dnsmasq
 * spells them in the lease database (it compares strings), libvirt's order. */
static void
test_macmap_canonical(void)
{
  char *dir = make_dir();
  g_autofree char *path = nc_macmap_path(dir, "virbr6");
  g_assert_cmpint(nc_macmap_add(dir, "virbr6", "zeta", "52:54:00:AB:CD:EF"), ==, 0);
  g_assert_cmpint(nc_macmap_add(dir, "virbr6", "zeta", "52:54:0:ab:cd:ef"), ==, 0);
  g_assert_cmpint(nc_macmap_add(dir, "virbr6", "alpha", "52:54:00:00:00:0A"), ==, 0);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_auto(GStrv) words = g_strsplit_set(text, " \n", -1);
  g_autofree char *compact = g_strjoinv("", words);
  g_assert_cmpstr(compact, ==,
                  "[{\"domain\":\"alpha\",\"macs\":[\"52:54:00:00:00:0a\"]},"
                  "{\"domain\":\"zeta\",\"macs\":[\"52:54:00:ab:cd:ef\"]}]");
  g_assert_cmpint(nc_macmap_remove(dir, "virbr6", "zeta", "52:54:00:Ab:cD:eF"), ==, 0);
  g_auto(GStrv) gone = NULL;
  g_assert_cmpint(nc_macmap_lookup(dir, "virbr6", "zeta", &gone), ==, 0);
  g_assert_cmpuint(g_strv_length(gone), ==, 0);

  /* Another writer's file: upper case, a domain twice. Read as one domain,
   * written back in our spelling. */
  g_assert_true(g_file_set_contents(path,
                                    "[{\"domain\": \"vm\", \"macs\": [\"52:54:00:00:00:0B\"]},"
                                    " {\"domain\": \"vm\", \"macs\": [\"52:54:00:00:00:0c\","
                                    " \"52:54:00:00:00:0b\"]}]",
                                    -1, NULL));
  g_auto(GStrv) macs = NULL;
  g_assert_cmpint(nc_macmap_lookup(dir, "virbr6", "vm", &macs), ==, 0);
  g_assert_cmpuint(g_strv_length(macs), ==, 2);
  g_assert_cmpstr(macs[0], ==, "52:54:00:00:00:0b");
  g_assert_cmpstr(macs[1], ==, "52:54:00:00:00:0c");
  g_assert_cmpint(nc_macmap_add(dir, "virbr6", "vm", "52:54:00:00:00:0d"), ==, 0);
  g_clear_pointer(&text, g_free);
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_null(strstr(text, "0B"));
  g_auto(GStrv) parts = g_strsplit(text, "\"domain\"", -1);
  g_assert_cmpuint(g_strv_length(parts), ==, 2);
  rm_dir(dir);
}

static void
test_spawner_dry_run(void)
{
  g_autoptr(NcSpawner) sp = nc_spawner_new_dry_run();
  g_assert_true(nc_spawner_is_dry_run(sp));
  nc_spawner_push_result(sp, 0, 3, "out", "err");
  nc_spawner_push_result(sp, -ENOENT, 0, NULL, NULL);
  const char *argv[] = { "/nonexistent/prog", "a b", NULL };
  const char *envp[] = { "X=1", NULL };
  int status = -1;
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(nc_spawn_sync(sp, argv, envp, &status, &out, &err), ==, 0);
  g_assert_cmpint(status, ==, 3);
  g_assert_cmpstr(out, ==, "out");
  g_assert_cmpstr(err, ==, "err");
  g_assert_cmpint(nc_spawn_sync(sp, argv, NULL, &status, NULL, NULL), ==, -ENOENT);
  /* Without a canned answer: exit 0, no output. */
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(nc_spawn_sync(sp, argv, NULL, &status, &out, NULL), ==, 0);
  g_assert_cmpint(status, ==, 0);
  g_assert_cmpstr(out, ==, "");

  GPtrArray *calls = nc_spawner_get_calls(sp);
  g_assert_cmpuint(calls->len, ==, 3);
  NcSpawnCall *c = g_ptr_array_index(calls, 0);
  g_assert_cmpstr(c->argv[1], ==, "a b");
  g_assert_cmpstr(c->envp[0], ==, "X=1");
  g_assert_null(((NcSpawnCall *)g_ptr_array_index(calls, 1))->envp);
  g_autofree char *line = nc_spawner_call_string(sp, 0);
  g_assert_cmpstr(line, ==, "/nonexistent/prog a b");
}

static void
test_spawner_real(void)
{
  g_autoptr(NcSpawner) sp = nc_spawner_new();
  const char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 4", NULL };
  int status = -1;
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(nc_spawn_sync(sp, argv, NULL, &status, &out, &err), ==, 0);
  g_assert_cmpint(status, ==, 4);
  g_assert_cmpstr(out, ==, "out\n");
  g_assert_cmpstr(err, ==, "err\n");
  const char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
  g_assert_cmpint(nc_spawn_sync(sp, killed, NULL, &status, NULL, NULL), ==, 0);
  g_assert_cmpint(status, ==, 128 + SIGKILL);
  const char *missing[] = { "/nonexistent/netctl-test-prog", NULL };
  g_assert_cmpint(nc_spawn_sync(sp, missing, NULL, &status, NULL, NULL), ==, -ENOENT);
  /* The environment is exactly what is passed. */
  const char *env_argv[] = { "/usr/bin/env", NULL };
  const char *envp[] = { "ONLY=this", NULL };
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(nc_spawn_sync(sp, env_argv, envp, &status, &out, NULL), ==, 0);
  g_assert_cmpstr(out, ==, "ONLY=this\n");
}

static const char *nat_xml
    = "<network><name>lab&amp;1</name><forward mode='nat'/><bridge name='virbr9'/>"
      "<ip address='10.9.0.1' prefix='24'><dhcp><range start='10.9.0.10' end='10.9.0.20'/>"
      "</dhcp></ip></network>";

/* A dnsmasq runner for `name` on virbr9 whose programs run through the
 * dry-run spawner sp, with its files under dir/dnsmasq and dir/run. */
static NcDnsmasq *
dry_run_dnsmasq(const char *dir, const char *name, NcSpawner *sp)
{
  g_autofree char *dnsmasq_dir = g_build_filename(dir, "dnsmasq", NULL);
  g_autofree char *pid_dir = g_build_filename(dir, "run", NULL);
  NcDnsmasqOptions opts = { .network_name = name,
                            .bridge = "virbr9",
                            .dnsmasq_dir = dnsmasq_dir,
                            .pid_dir = pid_dir,
                            .dnsmasq_path = "/usr/sbin/dnsmasq",
                            .helper_path = "/usr/libexec/netctl-leaseshelper",
                            .spawner = sp };
  return nc_dnsmasq_new(&opts);
}

static void
test_dnsmasq_dry_run(void)
{
  char *dir = make_dir();
  g_autofree char *dnsmasq_dir = g_build_filename(dir, "dnsmasq", NULL);
  g_autofree char *pid_dir = g_build_filename(dir, "run", NULL);
  g_autoptr(NcNetworkDef) def = parse(nat_xml);
  g_autoptr(NcSpawner) sp = nc_spawner_new_dry_run();
  g_autoptr(NcDnsmasq) dm = dry_run_dnsmasq(dir, "lab&1", sp);
  g_autofree char *want_conf = g_build_filename(dnsmasq_dir, "lab&amp;1.conf", NULL);
  g_assert_cmpstr(nc_dnsmasq_get_conf_path(dm), ==, want_conf);

  /* The dry run starts nothing, so no pid file appears: start fails after
   * running exactly `dnsmasq --version` and the dnsmasq command line, and
   * leaves no file behind. */
  nc_spawner_push_result(sp, 0, 0, "Dnsmasq version 2.90  Copyright (c) 2000-2024\n", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_dnsmasq_start(dm, def, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED);
  g_assert_nonnull(strstr(error->message, "does not name a running dnsmasq"));
  GPtrArray *calls = nc_spawner_get_calls(sp);
  g_assert_cmpuint(calls->len, ==, 2);
  g_autofree char *v = nc_spawner_call_string(sp, 0);
  g_assert_cmpstr(v, ==, "/usr/sbin/dnsmasq --version");
  g_autofree char *line = nc_spawner_call_string(sp, 1);
  g_autofree char *want_leases = g_build_filename(dnsmasq_dir, "lab&amp;1.leases", NULL);
  /* 2.90 has --script-on-renewal: renewals reach the lease helper. */
  g_autofree char *want = g_strdup_printf("/usr/sbin/dnsmasq --conf-file=%s --dhcp-leasefile=%s "
                                          "--dhcp-script=/usr/libexec/netctl-leaseshelper "
                                          "--script-on-renewal",
                                          want_conf, want_leases);
  g_assert_cmpstr(line, ==, want);
  NcSpawnCall *c = g_ptr_array_index(calls, 1);
  g_assert_true(g_strv_contains((const char *const *)c->envp, "VIR_BRIDGE_NAME=virbr9"));
  g_autofree char *dir_var = g_strconcat("NETCTL_DNSMASQ_DIR=", dnsmasq_dir, NULL);
  g_assert_true(g_strv_contains((const char *const *)c->envp, dir_var));
  g_assert_false(g_file_test(want_conf, G_FILE_TEST_EXISTS));

  /* dnsmasq's own message comes back. The version is checked only once. */
  g_clear_error(&error);
  nc_spawner_push_result(sp, 0, 2, NULL,
                         "\ndnsmasq: failed to create listening socket: Address in use\n");
  g_assert_false(nc_dnsmasq_start(dm, def, &error));
  g_assert_nonnull(
      strstr(error->message, "exit status 2): dnsmasq: failed to create listening socket"));
  g_assert_nonnull(strstr(error->message, "network 'lab&1'"));
  g_assert_cmpuint(calls->len, ==, 3);

  /* update_files writes the three files with their modes. */
  gboolean conf_changed = FALSE, hosts_changed = TRUE;
  g_assert_true(nc_dnsmasq_update_files(dm, def, &conf_changed, &hosts_changed, &error));
  g_assert_true(conf_changed);
  g_assert_false(hosts_changed);
  GStatBuf st;
  g_assert_cmpint(g_stat(want_conf, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_autofree char *conf = NULL;
  g_assert_true(g_file_get_contents(want_conf, &conf, NULL, NULL));
  g_autofree char *pid_line = g_strdup_printf("pid-file=%s\n", nc_dnsmasq_get_pid_path(dm));
  g_assert_nonnull(strstr(conf, pid_line));
  g_assert_true(nc_dnsmasq_update_files(dm, def, &conf_changed, &hosts_changed, &error));
  g_assert_false(conf_changed);
  g_assert_false(hosts_changed);
  /* stop of a dnsmasq that never ran removes the files. */
  g_assert_true(nc_dnsmasq_stop(dm, &error));
  g_assert_false(g_file_test(want_conf, G_FILE_TEST_EXISTS));
  rm_dir(dir);
}

/* dnsmasq before 2.81 has no --script-on-renewal (it would refuse to start). */
static void
test_dnsmasq_no_renewal_option(void)
{
  char *dir = make_dir();
  g_autoptr(NcNetworkDef) def = parse(nat_xml);
  g_autoptr(NcSpawner) sp = nc_spawner_new_dry_run();
  g_autoptr(NcDnsmasq) dm = dry_run_dnsmasq(dir, "old", sp);
  nc_spawner_push_result(sp, 0, 0, "Dnsmasq version 2.80  Copyright (c) 2000-2018\n", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_dnsmasq_start(dm, def, &error));
  GPtrArray *calls = nc_spawner_get_calls(sp);
  g_assert_cmpuint(calls->len, ==, 2);
  g_autofree char *line = nc_spawner_call_string(sp, 1);
  g_assert_true(g_str_has_suffix(line, "--dhcp-script=/usr/libexec/netctl-leaseshelper"));
  rm_dir(dir);
}

/* One epoll set for every supervised dnsmasq: exits fire once each, a
 * removed watch never fires, and the set is one main-loop source. */
static void
on_exit_count(gpointer data)
{
  (*(int *)data)++;
}

static void
test_pid_watch(void)
{
  g_autoptr(NcPidWatch) w = nc_pid_watch_new();
  g_assert_nonnull(w);
  GPid pids[3];
  int fds[3], fired[3] = { 0, 0, 0 };
  guint ids[3];
  for (int i = 0; i < 3; i++) {
    const char *argv[] = { "/bin/sleep", "30", NULL };
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pids[i], NULL));
    fds[i] = (int)syscall(SYS_pidfd_open, pids[i], 0);
    g_assert_cmpint(fds[i], >=, 0);
    ids[i] = nc_pid_watch_add(w, fds[i], on_exit_count, &fired[i]);
    g_assert_cmpuint(ids[i], >, 0);
  }
  g_assert_cmpuint(nc_pid_watch_count(w), ==, 3);
  nc_pid_watch_remove(w, ids[2]);
  for (int i = 0; i < 3; i++) {
    kill(pids[i], SIGKILL);
    waitpid(pids[i], NULL, 0);
  }
  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while ((fired[0] == 0 || fired[1] == 0) && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, FALSE);
  for (int i = 0; i < 20; i++) /* a little more: nothing fires twice */
    g_main_context_iteration(NULL, FALSE);
  g_assert_cmpint(fired[0], ==, 1);
  g_assert_cmpint(fired[1], ==, 1);
  g_assert_cmpint(fired[2], ==, 0);
  g_assert_cmpuint(nc_pid_watch_count(w), ==, 0);
  nc_pid_watch_remove(w, ids[0]); /* already fired: ignored */
  for (int i = 0; i < 3; i++) {
    close(fds[i]);
    g_spawn_close_pid(pids[i]);
  }
}

/* dnsmasq's "failed to create inotify" names the limit to raise. */
static void
test_dnsmasq_inotify_hint(void)
{
  char *dir = make_dir();
  g_autoptr(NcNetworkDef) def = parse(nat_xml);
  g_autoptr(NcSpawner) sp = nc_spawner_new_dry_run();
  g_autoptr(NcDnsmasq) dm = dry_run_dnsmasq(dir, "many", sp);
  nc_spawner_push_result(sp, 0, 0, "Dnsmasq version 2.90  Copyright (c) 2000-2024\n", NULL);
  nc_spawner_push_result(sp, 0, 5, NULL,
                         "\ndnsmasq: failed to create inotify: Too many open files\n");
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_dnsmasq_start(dm, def, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED);
  g_assert_nonnull(strstr(error->message, "failed to create inotify: Too many open files; "));
  g_assert_nonnull(strstr(error->message, "fs.inotify.max_user_instances"));
  rm_dir(dir);
}

static void
test_dnsmasq_version(void)
{
  g_autoptr(NcSpawner) sp = nc_spawner_new_dry_run();
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  nc_spawner_push_result(sp, 0, 0, "Dnsmasq version 2.89  Copyright\n", NULL);
  g_assert_true(nc_dnsmasq_check_version(sp, "dnsmasq", &version, &error));
  g_assert_cmpstr(version, ==, "2.89");
  nc_spawner_push_result(sp, 0, 0, "Dnsmasq version 2.66  Copyright\n", NULL);
  g_assert_false(nc_dnsmasq_check_version(sp, "dnsmasq", NULL, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT);
  g_assert_nonnull(strstr(error->message, "2.67 or later"));
  g_clear_error(&error);
  nc_spawner_push_result(sp, -ENOENT, 0, NULL, NULL);
  g_assert_false(nc_dnsmasq_check_version(sp, "dnsmasq", NULL, &error));
  g_assert_nonnull(strstr(error->message, "apt-get install dnsmasq-base"));
  g_clear_error(&error);
  nc_spawner_push_result(sp, 0, 0, "something else\n", NULL);
  g_assert_false(nc_dnsmasq_check_version(sp, "dnsmasq", NULL, &error));
  g_clear_error(&error);

  /* And for real: a missing program. */
  g_autoptr(NcSpawner) real = nc_spawner_new();
  g_assert_false(nc_dnsmasq_check_version(real, "/nonexistent/dnsmasq", NULL, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT);
}

/* A pid file naming a process that is not our dnsmasq (a recycled pid): stop
 * and adopt leave it alone. */
static void
test_foreign_pid(void)
{
  char *dir = make_dir();
  const char *argv[] = { "/bin/sleep", "30", NULL };
  GPid child = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                              &child, &error));
  NcDnsmasqOptions opts
      = { .network_name = "lab", .bridge = "virbr9", .dnsmasq_dir = dir, .pid_dir = dir };
  g_autoptr(NcDnsmasq) dm = nc_dnsmasq_new(&opts);
  g_autofree char *pid_text = g_strdup_printf("%d\n", (int)child);
  g_assert_true(g_file_set_contents(nc_dnsmasq_get_pid_path(dm), pid_text, -1, NULL));
  g_assert_true(nc_dnsmasq_stop(dm, &error));
  g_assert_no_error(error);
  g_assert_cmpint(kill(child, 0), ==, 0); /* still alive */
  g_assert_cmpint(waitpid(child, NULL, WNOHANG), ==, 0);

  /* adopt does not take it either (it would start a dnsmasq: use a dry run
   * that fails the version check to keep this test free of dnsmasq). */
  g_assert_true(g_file_set_contents(nc_dnsmasq_get_pid_path(dm), pid_text, -1, NULL));
  g_autoptr(NcSpawner) sp = nc_spawner_new_dry_run();
  nc_spawner_push_result(sp, -ENOENT, 0, NULL, NULL);
  opts.spawner = sp;
  g_autoptr(NcDnsmasq) dm2 = nc_dnsmasq_new(&opts);
  g_autoptr(NcNetworkDef) def = parse(nat_xml);
  g_assert_false(nc_dnsmasq_adopt(dm2, def, child, &error));
  g_assert_cmpint(nc_dnsmasq_get_pid(dm2), ==, 0);
  g_assert_cmpint(kill(child, 0), ==, 0);

  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  g_spawn_close_pid(child);
  rm_dir(dir);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/leases/parse-format", test_parse_format);
  g_test_add_func("/leases/bridge-names", test_bridge_names);
  g_test_add_func("/leases/read-filter", test_read_filter);
  g_test_add_func("/leases/watch", test_watch);
  g_test_add_func("/macmap/add-remove", test_macmap);
  g_test_add_func("/macmap/canonical", test_macmap_canonical);
  g_test_add_func("/macmap/deferred", test_macmap_deferred);
  g_test_add_func("/spawn/dry-run", test_spawner_dry_run);
  g_test_add_func("/spawn/real", test_spawner_real);
  g_test_add_func("/spawn/pid-watch", test_pid_watch);
  g_test_add_func("/dnsmasq/dry-run", test_dnsmasq_dry_run);
  g_test_add_func("/dnsmasq/version", test_dnsmasq_version);
  g_test_add_func("/dnsmasq/inotify-hint", test_dnsmasq_inotify_hint);
  g_test_add_func("/dnsmasq/no-renewal-option", test_dnsmasq_no_renewal_option);
  g_test_add_func("/dnsmasq/foreign-pid", test_foreign_pid);
  return g_test_run();
}
