/* The lease helper (tools/netctl-leaseshelper) run as dnsmasq runs it:
 * add/old/del/init sequences, IPv6 events, JSON escaping, the dnsmasq
 * lease-file output of `init`, concurrent invocations, bad input. */
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <string.h>

#include "helper-path.h"
#include "lease-file.h"
#include "spawn.h"

typedef struct {
  char *dir;
  NcSpawner *spawner;
} Fixture;

/* $NETCTL_LEASESHELPER, else the one netctld would run: the build tree's. */
static const char *
helper_path(void)
{
  static char *path;
  const char *p = g_getenv("NETCTL_LEASESHELPER");
  if (p != NULL && *p != '\0')
    return p;
  if (path == NULL)
    path = nc_leaseshelper_default_path();
  return path;
}

/* Runs the helper with the given extra environment ("K=V", NULL-terminated);
 * returns its exit status, stdout in *ret_out when not NULL. */
static int
run_helper(Fixture *f, const char *const *args, const char *const *extra_env, char **ret_out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, (char *)helper_path());
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add(argv, (char *)args[i]);
  g_ptr_array_add(argv, NULL);

  g_auto(GStrv) envp = g_get_environ();
  envp = g_environ_setenv(envp, "NETCTL_DNSMASQ_DIR", f->dir, TRUE);
  envp = g_environ_setenv(envp, "VIR_BRIDGE_NAME", "virbr7", TRUE);
  for (const char *const *e = extra_env; e && *e; e++) {
    g_auto(GStrv) kv = g_strsplit(*e, "=", 2);
    envp = g_environ_setenv(envp, kv[0], kv[1] ? kv[1] : "", TRUE);
  }
  int status = -1;
  g_autofree char *err = NULL;
  int r = nc_spawn_sync(f->spawner, (const char *const *)argv->pdata, (const char *const *)envp,
                        &status, ret_out, &err);
  g_assert_cmpint(r, ==, 0);
  if (status != 0)
    g_test_message("helper stderr: %s", err);
  return status;
}

static GPtrArray *
read_status(Fixture *f)
{
  g_autofree char *path = nc_lease_status_path(f->dir, "virbr7");
  GPtrArray *entries = NULL;
  g_assert_cmpint(nc_lease_file_read(path, &entries), ==, 0);
  return entries;
}

static char *
expires_in(gint64 seconds)
{
  return g_strdup_printf("DNSMASQ_LEASE_EXPIRES=%" G_GINT64_FORMAT,
                         g_get_real_time() / G_USEC_PER_SEC + seconds);
}

static void
setup(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  f->dir = g_dir_make_tmp("netctl-leases-XXXXXX", &error);
  g_assert_no_error(error);
  f->spawner = nc_spawner_new();
}

static void
teardown(Fixture *f, gconstpointer data)
{
  GDir *d = g_dir_open(f->dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_autofree char *p = g_build_filename(f->dir, name, NULL);
    g_unlink(p);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(f->dir);
  g_free(f->dir);
  nc_spawner_free(f->spawner);
}

static void
test_add_old_del(Fixture *f, gconstpointer data)
{
  g_autofree char *exp = expires_in(3600);
  const char *env[] = { exp, "DNSMASQ_CLIENT_ID=01:52:54:00:11:22:33", NULL };
  const char *add[] = { "add", "52:54:00:11:22:33", "10.1.0.10", "guest1", NULL };
  g_assert_cmpint(run_helper(f, add, env, NULL), ==, 0);
  const char *add2[] = { "add", "52:54:00:44:55:66", "10.1.0.11", NULL };
  const char *env2[] = { exp, NULL };
  g_assert_cmpint(run_helper(f, add2, env2, NULL), ==, 0);

  g_autoptr(GPtrArray) e = read_status(f);
  g_assert_cmpuint(e->len, ==, 2);
  NcLeaseEntry *l = g_ptr_array_index(e, 0);
  g_assert_cmpstr(l->ip, ==, "10.1.0.10");
  g_assert_cmpstr(l->mac, ==, "52:54:00:11:22:33");
  g_assert_cmpstr(l->hostname, ==, "guest1");
  g_assert_cmpstr(l->client_id, ==, "01:52:54:00:11:22:33");
  g_assert_null(l->iaid);
  g_assert_cmpint(l->expiry, >, g_get_real_time() / G_USEC_PER_SEC);
  l = g_ptr_array_index(e, 1);
  g_assert_null(l->hostname);

  /* old: the renewal replaces the lease for the IP (new expiry, hostname). */
  g_autofree char *exp2 = expires_in(7200);
  const char *env3[] = { exp2, NULL };
  const char *old[] = { "old", "52:54:00:11:22:33", "10.1.0.10", "renamed", NULL };
  g_assert_cmpint(run_helper(f, old, env3, NULL), ==, 0);
  g_autoptr(GPtrArray) e2 = read_status(f);
  g_assert_cmpuint(e2->len, ==, 2);
  l = g_ptr_array_index(e2, 1);
  g_assert_cmpstr(l->ip, ==, "10.1.0.10");
  g_assert_cmpstr(l->hostname, ==, "renamed");
  g_assert_cmpint(l->expiry, >, g_get_real_time() / G_USEC_PER_SEC + 3600);

  const char *del[] = { "del", "52:54:00:11:22:33", "10.1.0.10", NULL };
  g_assert_cmpint(run_helper(f, del, NULL, NULL), ==, 0);
  g_autoptr(GPtrArray) e3 = read_status(f);
  g_assert_cmpuint(e3->len, ==, 1);
  g_assert_cmpstr(((NcLeaseEntry *)g_ptr_array_index(e3, 0))->ip, ==, "10.1.0.11");

  /* The file is libvirt's: a JSON array with its key names, world-readable. */
  g_autofree char *path = nc_lease_status_path(f->dir, "virbr7");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "\"ip-address\""));
  g_assert_nonnull(strstr(text, "\"mac-address\""));
  g_assert_nonnull(strstr(text, "\"expiry-time\""));
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0644);
}

static void
test_expired_dropped(Fixture *f, gconstpointer data)
{
  g_autofree char *past = expires_in(-10);
  g_autofree char *future = expires_in(600);
  const char *env_past[] = { past, NULL };
  const char *env_future[] = { future, NULL };
  const char *a1[] = { "add", "52:54:00:00:00:01", "10.1.0.20", NULL };
  const char *a2[] = { "add", "52:54:00:00:00:02", "10.1.0.21", NULL };
  g_assert_cmpint(run_helper(f, a1, env_past, NULL), ==, 0);
  g_assert_cmpint(run_helper(f, a2, env_future, NULL), ==, 0);
  g_autoptr(GPtrArray) e = read_status(f);
  g_assert_cmpuint(e->len, ==, 1);
  g_assert_cmpstr(((NcLeaseEntry *)g_ptr_array_index(e, 0))->ip, ==, "10.1.0.21");

  /* DNSMASQ_TIME_REMAINING (dnsmasq without a real-time clock). */
  const char *env_rem[] = { "DNSMASQ_TIME_REMAINING=100", NULL };
  const char *a3[] = { "add", "52:54:00:00:00:03", "10.1.0.22", NULL };
  g_assert_cmpint(run_helper(f, a3, env_rem, NULL), ==, 0);
  g_autoptr(GPtrArray) e2 = read_status(f);
  NcLeaseEntry *l = g_ptr_array_index(e2, 1);
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  g_assert_cmpint(l->expiry, >=, now + 95);
  g_assert_cmpint(l->expiry, <=, now + 100);
}

static void
test_ipv6(Fixture *f, gconstpointer data)
{
  g_autofree char *exp = expires_in(3600);
  const char *env[] = { exp, "DNSMASQ_IAID=12345", "DNSMASQ_MAC=52:54:00:aa:bb:cc",
                        "DNSMASQ_SERVER_DUID=00:01:00:01:2a:bb:cc:dd:52:54:00:00:00:01", NULL };
  const char *add[] = { "add", "00:04:11:22:33:44", "2001:db8:ca2:2::10", "v6guest", NULL };
  g_assert_cmpint(run_helper(f, add, env, NULL), ==, 0);
  /* Without DNSMASQ_MAC an IPv6 lease is not recorded (as libvirt). */
  const char *env_nomac[] = { exp, "DNSMASQ_IAID=7", NULL };
  const char *add2[] = { "add", "00:04:55", "2001:db8:ca2:2::11", NULL };
  g_assert_cmpint(run_helper(f, add2, env_nomac, NULL), ==, 0);
  const char *env4[] = { exp, NULL };
  const char *add4[] = { "add", "52:54:00:aa:bb:cc", "10.1.0.30", "v4guest", NULL };
  g_assert_cmpint(run_helper(f, add4, env4, NULL), ==, 0);

  /* A restarted dnsmasq's "old" event without DNSMASQ_MAC keeps the lease. */
  const char *env_old[] = { exp, "DNSMASQ_IAID=12345", NULL };
  const char *old[] = { "old", "00:04:11:22:33:44", "2001:db8:ca2:2::10", NULL };
  g_assert_cmpint(run_helper(f, old, env_old, NULL), ==, 0);

  g_autoptr(GPtrArray) e = read_status(f);
  g_assert_cmpuint(e->len, ==, 2);
  NcLeaseEntry *l = g_ptr_array_index(e, 0);
  g_assert_cmpstr(l->ip, ==, "2001:db8:ca2:2::10");
  g_assert_cmpstr(l->mac, ==, "52:54:00:aa:bb:cc");
  g_assert_cmpstr(l->client_id, ==, "00:04:11:22:33:44");
  g_assert_cmpstr(l->iaid, ==, "12345");
  g_assert_cmpstr(l->server_duid, ==, "00:01:00:01:2a:bb:cc:dd:52:54:00:00:00:01");
  g_assert_cmpstr(l->hostname, ==, "v6guest");

  /* init: IPv4 lines, then the server DUID, then IPv6 lines. */
  g_autofree char *out = NULL;
  const char *init[] = { "init", NULL };
  g_assert_cmpint(run_helper(f, init, NULL, &out), ==, 0);
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 4);
  g_assert_true(g_str_has_suffix(lines[0], " 52:54:00:aa:bb:cc 10.1.0.30 v4guest *"));
  g_assert_cmpstr(lines[1], ==, "duid 00:01:00:01:2a:bb:cc:dd:52:54:00:00:00:01");
  g_assert_true(g_str_has_suffix(lines[2], " 12345 2001:db8:ca2:2::10 v6guest 00:04:11:22:33:44"));
  g_assert_cmpstr(lines[3], ==, "");
}

/* The DHCPv6 events dnsmasq runs, as captured from dnsmasq 2.90 serving ISC
 * dhclient -6 (tests/managed/dhcpv6-scenarios.py): the name kept from
 * DNSMASQ_OLD_HOSTNAME, a legacy lease given the server DUID, a release. */
static void
test_ipv6_events(Fixture *f, gconstpointer data)
{
  g_autofree char *status = nc_lease_status_path(f->dir, "virbr7");
  /* A lease libvirt 1.2.6 wrote: no server-duid. */
  g_assert_true(g_file_set_contents(status,
                                    "[{\"iaid\": \"5\", \"ip-address\": \"2001:db8::5\", "
                                    "\"mac-address\": \"52:54:00:00:00:05\", "
                                    "\"client-id\": \"00:03:00:01:52:54:00:00:00:05\", "
                                    "\"expiry-time\": 4000000000}]",
                                    -1, NULL));
  g_autofree char *exp = expires_in(3600);
  const char *duid = "DNSMASQ_SERVER_DUID=00:01:00:01:32:94:f6:2e:52:54:00:f3:17:26";
  const char *env_add[] = { exp,
                            "DNSMASQ_IAID=975598445",
                            "DNSMASQ_MAC=ae:a3:3a:26:73:6d",
                            "DNSMASQ_INTERFACE=virbr7",
                            duid,
                            NULL };
  const char *add[] = { "add", "00:03:00:01:ae:a3:3a:26:73:6d", "2001:db8::10c", "alpha", NULL };
  g_assert_cmpint(run_helper(f, add, env_add, NULL), ==, 0);
  g_autoptr(GPtrArray) e = read_status(f);
  g_assert_cmpuint(e->len, ==, 2);
  NcLeaseEntry *legacy = g_ptr_array_index(e, 0);
  g_assert_cmpstr(legacy->server_duid, ==, duid + strlen("DNSMASQ_SERVER_DUID="));

  /* The client stops sending its name: dnsmasq's "old" with the old one. */
  const char *env_old[] = { exp,
                            "DNSMASQ_IAID=975598445",
                            "DNSMASQ_MAC=ae:a3:3a:26:73:6d",
                            "DNSMASQ_OLD_HOSTNAME=alpha",
                            duid,
                            NULL };
  const char *old[] = { "old", "00:03:00:01:ae:a3:3a:26:73:6d", "2001:db8::10c", NULL };
  g_assert_cmpint(run_helper(f, old, env_old, NULL), ==, 0);
  g_autoptr(GPtrArray) e2 = read_status(f);
  NcLeaseEntry *l = g_ptr_array_index(e2, 1);
  g_assert_cmpstr(l->ip, ==, "2001:db8::10c");
  g_assert_cmpstr(l->hostname, ==, "alpha");
  g_assert_cmpstr(l->iaid, ==, "975598445");

  /* A Release: "del" (no MAC needed) removes it. */
  const char *env_del[] = { exp, "DNSMASQ_IAID=975598445", duid, NULL };
  const char *del[] = { "del", "00:03:00:01:ae:a3:3a:26:73:6d", "2001:db8::10c", NULL };
  g_assert_cmpint(run_helper(f, del, env_del, NULL), ==, 0);
  g_autoptr(GPtrArray) e3 = read_status(f);
  g_assert_cmpuint(e3->len, ==, 1);
  g_assert_cmpstr(((NcLeaseEntry *)g_ptr_array_index(e3, 0))->ip, ==, "2001:db8::5");
}

static void
test_escaping(Fixture *f, gconstpointer data)
{
  g_autofree char *exp = expires_in(3600);
  /* A client-supplied hostname can hold anything: quotes, backslashes,
   * newlines, control bytes, invalid UTF-8. */
  const char *nasty = "a\"b\\c\nd\te\x01"
                      "f\xff";
  g_autofree char *supplied = g_strconcat("DNSMASQ_SUPPLIED_HOSTNAME=", nasty, NULL);
  const char *env[] = { exp, supplied, NULL };
  const char *add[] = { "add", "52:54:00:00:00:09", "10.1.0.40", NULL };
  g_assert_cmpint(run_helper(f, add, env, NULL), ==, 0);

  g_autofree char *path = nc_lease_status_path(f->dir, "virbr7");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_assert_true(g_utf8_validate(text, -1, NULL));
  g_assert_nonnull(strstr(text, "a\\\"b\\\\c\\nd\\te\\u0001f"));

  /* Read back sanitized, once, by the reader (issue 12): control characters
   * become '?', invalid UTF-8 U+FFFD, so D-Bus never gets an invalid string. */
  g_autoptr(GPtrArray) e = read_status(f);
  g_assert_cmpuint(e->len, ==, 1);
  g_assert_cmpstr(((NcLeaseEntry *)g_ptr_array_index(e, 0))->hostname, ==,
                  "a\"b\\c?d?e?f\xef\xbf\xbd");

  /* init never passes such a name on to dnsmasq's line-based lease format. */
  g_autofree char *out = NULL;
  const char *init[] = { "init", NULL };
  g_assert_cmpint(run_helper(f, init, NULL, &out), ==, 0);
  g_assert_true(g_str_has_suffix(out, " 52:54:00:00:00:09 10.1.0.40 * *\n"));
}

static void
test_init_empty_and_corrupt(Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  const char *init[] = { "init", NULL };
  g_assert_cmpint(run_helper(f, init, NULL, &out), ==, 0);
  g_assert_cmpstr(out, ==, "");
  /* init of a missing database creates no file. */
  g_autofree char *path = nc_lease_status_path(f->dir, "virbr7");
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));

  /* A corrupt database does not stop dnsmasq: init prints nothing, add rewrites it. */
  g_assert_true(g_file_set_contents(path, "{not json", -1, NULL));
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run_helper(f, init, NULL, &out), ==, 0);
  g_assert_cmpstr(out, ==, "");
  g_autofree char *exp = expires_in(60);
  const char *env[] = { exp, NULL };
  const char *add[] = { "add", "52:54:00:00:00:0a", "10.1.0.50", NULL };
  g_assert_cmpint(run_helper(f, add, env, NULL), ==, 0);
  g_autoptr(GPtrArray) e = read_status(f);
  g_assert_cmpuint(e->len, ==, 1);
}

static void
test_bad_input(Fixture *f, gconstpointer data)
{
  const char *unknown[] = { "frobnicate", "x", "y", NULL };
  g_assert_cmpint(run_helper(f, unknown, NULL, NULL), ==, 1);
  const char *short_args[] = { "add", "52:54:00:00:00:01", NULL };
  g_assert_cmpint(run_helper(f, short_args, NULL, NULL), ==, 1);
  /* dnsmasq's TFTP notifications are ignored. */
  const char *tftp[] = { "tftp", "1234", "10.1.0.5", "/srv/tftp/pxelinux.0", NULL };
  g_assert_cmpint(run_helper(f, tftp, NULL, NULL), ==, 0);
  /* A bridge name that would leave the directory. */
  const char *env[] = { "VIR_BRIDGE_NAME=../../etc/x", NULL };
  const char *add[] = { "add", "52:54:00:00:00:01", "10.1.0.5", NULL };
  g_assert_cmpint(run_helper(f, add, env, NULL), ==, 1);
  /* DNSMASQ_INTERFACE when VIR_BRIDGE_NAME is not set. */
  const char *env2[] = { "VIR_BRIDGE_NAME=", "DNSMASQ_INTERFACE=virbr9", NULL };
  g_assert_cmpint(run_helper(f, add, env2, NULL), ==, 0);
  g_autofree char *p9 = nc_lease_status_path(f->dir, "virbr9");
  g_assert_true(g_file_test(p9, G_FILE_TEST_EXISTS));
}

/* dnsmasq runs several helpers at once: none of the updates may be lost. */
static void
test_concurrent(Fixture *f, gconstpointer data)
{
  enum { N = 24 };
  g_autofree char *exp = expires_in(3600);
  GPid pids[N];
  g_auto(GStrv) envp = g_get_environ();
  envp = g_environ_setenv(envp, "NETCTL_DNSMASQ_DIR", f->dir, TRUE);
  envp = g_environ_setenv(envp, "VIR_BRIDGE_NAME", "virbr7", TRUE);
  envp = g_environ_setenv(envp, "DNSMASQ_LEASE_EXPIRES", exp + strlen("DNSMASQ_LEASE_EXPIRES="),
                          TRUE);
  for (int i = 0; i < N; i++) {
    g_autofree char *mac = g_strdup_printf("52:54:00:00:01:%02x", i);
    g_autofree char *ip = g_strdup_printf("10.1.1.%d", i + 10);
    const char *argv[] = { helper_path(), "add", mac, ip, NULL };
    g_autoptr(GError) error = NULL;
    /* Started directly so they really run at the same time. */
    g_assert_true(g_spawn_async(NULL, (char **)argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pids[i], &error));
    g_assert_no_error(error);
  }
  for (int i = 0; i < N; i++) {
    int status = 0;
    g_assert_cmpint(waitpid(pids[i], &status, 0), ==, pids[i]);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_spawn_close_pid(pids[i]);
  }
  g_autoptr(GPtrArray) e = read_status(f);
  g_assert_cmpuint(e->len, ==, N);
  /* No temporary file left behind. */
  GDir *d = g_dir_open(f->dir, 0, NULL);
  const char *name;
  guint files = 0;
  while ((name = g_dir_read_name(d)))
    files++;
  g_dir_close(d);
  g_assert_cmpuint(files, ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)
  ADD("/leaseshelper/add-old-del", test_add_old_del);
  ADD("/leaseshelper/expired", test_expired_dropped);
  ADD("/leaseshelper/ipv6", test_ipv6);
  ADD("/leaseshelper/ipv6-events", test_ipv6_events);
  ADD("/leaseshelper/escaping", test_escaping);
  ADD("/leaseshelper/init-empty-corrupt", test_init_empty_and_corrupt);
  ADD("/leaseshelper/bad-input", test_bad_input);
  ADD("/leaseshelper/concurrent", test_concurrent);
  return g_test_run();
}
