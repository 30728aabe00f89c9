/* dnsmasq for real, in a private network and mount namespace (entered by the
 * test itself; exit 77 when that is not permitted or dnsmasq/busybox/ip are
 * missing): a bridge with a guest namespace behind a veth, NcDnsmasq started
 * from a NAT network definition, busybox udhcpc in the guest gets a lease that
 * shows in the status file and through nc_leases_read; a static host added
 * live is served after a SIGHUP (same pid); dnsmasq killed with SIGKILL is
 * restarted and keeps the lease; a new NcDnsmasq adopts the running one;
 * stop leaves no process and no file. Every process is stopped by PID. */
#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "dnsmasq.h"
#include "lease-file.h"
#include "leases.h"
#include "nc-daemon.h"
#include "network-xml.h"
#include "spawn.h"

#define GUEST_MAC "52:54:00:99:00:42"

static const char *net_xml = "<network>\n"
                             "  <name>lab</name>\n"
                             "  <forward mode='nat'/>\n"
                             "  <bridge name='br0'/>\n"
                             "  <ip address='10.99.0.1' netmask='255.255.255.0'>\n"
                             "    <dhcp>\n"
                             "      <range start='10.99.0.100' end='10.99.0.%u'/>\n"
                             "%s"
                             "    </dhcp>\n"
                             "  </ip>\n"
                             "</network>\n";

/* The dnsmasq a failed assertion must not leave running (abort skips every
 * cleanup): killed by PID from the SIGABRT handler. */
static volatile sig_atomic_t running_pid;

static void
on_abort(int sig)
{
  if (running_pid > 0)
    kill(running_pid, SIGKILL);
  signal(SIGABRT, SIG_DFL);
  raise(SIGABRT);
}

static void
track(pid_t pid)
{
  running_pid = pid;
}

typedef struct {
  NcSpawner *spawner;
  char *root;
  char *dnsmasq_dir;
  char *pid_dir;
} Env;

/* Runs a command line (split on spaces); returns the exit status. */
static int run(Env *env, char **ret_out, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int
run(Env *env, char **ret_out, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *line = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_auto(GStrv) argv = g_strsplit(line, " ", -1);
  int status = -1;
  g_autofree char *err = NULL;
  int r = nc_spawn_sync(env->spawner, (const char *const *)argv, NULL, &status, ret_out, &err);
  g_assert_cmpint(r, ==, 0);
  if (status != 0)
    g_test_message("'%s' exited %d: %s", line, status, err);
  return status;
}

static void
must(Env *env, const char *line)
{
  g_assert_cmpint(run(env, NULL, "%s", line), ==, 0);
}

static NcNetworkDef *
parse_def(guint range_end, const char *hosts)
{
  g_autofree char *xml = g_strdup_printf(net_xml, range_end, hosts);
  g_autoptr(GError) error = NULL;
  NcNetworkDef *def = nc_network_def_parse_string(xml, "lab.xml", NC_NETWORK_PARSE_STRICT, &error);
  g_assert_no_error(error);
  return def;
}

/* Iterates the main loop until cond() or `seconds` have passed. */
static gboolean
loop_until(gboolean (*cond)(gpointer), gpointer data, int seconds)
{
  gint64 end = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
  while (!cond(data)) {
    if (g_get_monotonic_time() > end)
      return FALSE;
    while (g_main_context_iteration(NULL, FALSE))
      ;
    g_usleep(10 * 1000);
  }
  return TRUE;
}

typedef struct {
  Env *env;
  const char *ip; /* wanted; NULL: any */
} LeaseWait;

static gboolean
has_lease(gpointer data)
{
  LeaseWait *w = data;
  g_autoptr(GPtrArray) leases = nc_leases_read(w->env->dnsmasq_dir, "br0", NULL, GUEST_MAC,
                                               g_get_real_time() / G_USEC_PER_SEC, NULL);
  for (guint i = 0; leases && i < leases->len; i++) {
    NcDhcpLease *l = g_ptr_array_index(leases, i);
    if (!w->ip || g_str_equal(l->ipaddr, w->ip))
      return TRUE;
  }
  return FALSE;
}

/* udhcpc in the guest: one DISCOVER/REQUEST round, bounded (5 tries, 1 s). */
static char *
guest_dhcp(Env *env)
{
  g_autofree char *out = NULL;
  int st = run(env, &out,
               "ip netns exec guest busybox udhcpc -i veth-guest -n -q -t 5 -T 1 -s /bin/true "
               "-x hostname:guest1");
  g_assert_cmpint(st, ==, 0);
  /* "udhcpc: lease of 10.99.0.105 obtained from 10.99.0.1, lease time 3600" on stderr:
   * the status file is what we assert on. */
  return g_steal_pointer(&out);
}

typedef struct {
  NcDnsmasq *dm;
  pid_t old_pid;
} PidWait;

static gboolean
restarted(gpointer data)
{
  PidWait *w = data;
  pid_t pid = nc_dnsmasq_get_pid(w->dm);
  return pid != 0 && pid != w->old_pid;
}

static gboolean
process_gone(pid_t pid)
{
  /* Not our child: once dead it is a zombie of init's at most. */
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL;
  if (!g_file_get_contents(path, &stat, NULL, NULL))
    return TRUE;
  const char *p = strrchr(stat, ')');
  return p && (p[2] == 'Z' || p[2] == 'X');
}

static guint
count_files(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  guint n = 0;
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_test_message("left in %s: %s", dir, name);
    n++;
  }
  if (d)
    g_dir_close(d);
  return n;
}

static void
on_leases_changed(gpointer data)
{
  (*(guint *)data)++;
}

static gboolean
counted(gpointer data)
{
  return *(guint *)data > 0;
}

static void
test_real(void)
{
  Env env = { .spawner = nc_spawner_new() };
  g_autoptr(GError) error = NULL;
  env.root = g_dir_make_tmp("netctl-dnsmasq-XXXXXX", &error);
  g_assert_no_error(error);
  /* dnsmasq reads the hosts files on SIGHUP after dropping root. */
  g_assert_cmpint(g_chmod(env.root, 0755), ==, 0);
  env.dnsmasq_dir = g_build_filename(env.root, "dnsmasq", NULL);
  env.pid_dir = g_build_filename(env.root, "run", NULL);

  must(&env, "ip link add br0 type bridge");
  must(&env, "ip addr add 10.99.0.1/24 dev br0");
  must(&env, "ip link set br0 up");
  must(&env, "ip link add veth-host type veth peer name veth-guest");
  must(&env, "ip link set veth-guest address " GUEST_MAC);
  must(&env, "ip link set veth-host master br0 up");
  must(&env, "ip netns add guest");
  must(&env, "ip link set veth-guest netns guest");
  must(&env, "ip -n guest link set lo up");
  must(&env, "ip -n guest link set veth-guest up");

  g_autoptr(NcNetworkDef) def = parse_def(120, "");
  NcDnsmasqOptions opts = {
    .network_name = "lab", .bridge = "br0", .dnsmasq_dir = env.dnsmasq_dir, .pid_dir = env.pid_dir
  };
  g_autoptr(NcDnsmasq) dm = nc_dnsmasq_new(&opts);
  nc_dnsmasq_set_backoff(dm, 100, 400);
  g_assert_true(nc_dnsmasq_start(dm, def, &error));
  g_assert_no_error(error);
  pid_t pid = nc_dnsmasq_get_pid(dm);
  track(pid);
  g_assert_cmpint(pid, >, 0);
  GStatBuf st;
  g_assert_cmpint(g_stat(nc_dnsmasq_get_conf_path(dm), &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);

  guint changes = 0;
  g_autoptr(NcLeaseWatch) watch
      = nc_lease_watch_new(env.dnsmasq_dir, "br0", on_leases_changed, &changes);
  g_assert_nonnull(watch);

  /* A guest gets a lease from the range; the helper records it. */
  g_free(guest_dhcp(&env));
  LeaseWait any = { &env, NULL };
  g_assert_true(loop_until(has_lease, &any, 10));
  g_autoptr(GPtrArray) leases = nc_leases_read(env.dnsmasq_dir, "br0", def, NULL,
                                               g_get_real_time() / G_USEC_PER_SEC, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(leases->len, ==, 1);
  NcDhcpLease *l = g_ptr_array_index(leases, 0);
  g_assert_cmpstr(l->mac, ==, GUEST_MAC);
  g_assert_true(g_str_has_prefix(l->ipaddr, "10.99.0.1"));
  guint last = (guint)atoi(strrchr(l->ipaddr, '.') + 1);
  g_assert_cmpuint(last, >=, 100);
  g_assert_cmpuint(last, <=, 120);
  g_assert_cmpuint(l->prefix, ==, 24);
  g_assert_cmpint(l->type, ==, 0);
  g_assert_cmpstr(l->hostname, ==, "guest1");
  g_assert_cmpstr(l->iface, ==, "br0");
  g_assert_cmpint(l->expiry_time, >, g_get_real_time() / G_USEC_PER_SEC + 3000);
  g_autoptr(GPtrArray) none = nc_leases_read(env.dnsmasq_dir, "br0", def, "52:54:00:00:00:01",
                                             g_get_real_time() / G_USEC_PER_SEC, &error);
  g_assert_cmpuint(none->len, ==, 0);
  /* The watcher reported the change. */
  g_assert_true(loop_until(counted, &changes, 5));

  /* A static host added live: only the hosts file changes, dnsmasq gets a
   * SIGHUP, keeps its pid and serves the new address. */
  g_autoptr(NcNetworkDef) def2
      = parse_def(120, "      <host mac='" GUEST_MAC "' name='fixed' ip='10.99.0.50'/>\n");
  gboolean conf_changed = TRUE, hosts_changed = FALSE;
  g_assert_true(nc_dnsmasq_update_files(dm, def2, &conf_changed, &hosts_changed, &error));
  g_assert_no_error(error);
  g_assert_false(conf_changed);
  g_assert_true(hosts_changed);
  g_assert_true(nc_dnsmasq_reload(dm, &error));
  g_assert_no_error(error);
  g_usleep(200 * 1000); /* dnsmasq handles the SIGHUP asynchronously */
  g_free(guest_dhcp(&env));
  LeaseWait fixed50 = { &env, "10.99.0.50" };
  g_assert_true(loop_until(has_lease, &fixed50, 10));
  g_assert_cmpint(nc_dnsmasq_get_pid(dm), ==, pid);

  /* apply: a hosts-only change is a SIGHUP (same pid) ... */
  g_autoptr(NcNetworkDef) def3
      = parse_def(120, "      <host mac='" GUEST_MAC "' name='fixed' ip='10.99.0.60'/>\n");
  g_assert_true(nc_dnsmasq_apply(dm, def3, &error));
  g_assert_no_error(error);
  g_assert_cmpint(nc_dnsmasq_get_pid(dm), ==, pid);
  /* ... a range change a restart (new pid). */
  g_autoptr(NcNetworkDef) def4
      = parse_def(130, "      <host mac='" GUEST_MAC "' name='fixed' ip='10.99.0.60'/>\n");
  g_assert_true(nc_dnsmasq_apply(dm, def4, &error));
  g_assert_no_error(error);
  g_assert_cmpint(nc_dnsmasq_get_pid(dm), >, 0);
  g_assert_cmpint(nc_dnsmasq_get_pid(dm), !=, pid);
  g_assert_true(process_gone(pid));
  pid = nc_dnsmasq_get_pid(dm);
  track(pid);
  g_free(guest_dhcp(&env));
  LeaseWait fixed = { &env, "10.99.0.60" };
  g_assert_true(loop_until(has_lease, &fixed, 10));

  /* SIGKILL: the supervisor restarts dnsmasq (new pid), and the restarted one
   * gets the leases back from the helper's init. */
  g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
  PidWait pw = { dm, pid };
  g_assert_true(loop_until(restarted, &pw, 10));
  g_assert_cmpuint(nc_dnsmasq_get_restart_count(dm), ==, 1);
  pid = nc_dnsmasq_get_pid(dm);
  track(pid);
  g_assert_true(has_lease(&fixed));

  /* A restart that fails (a broken configuration) is retried with backoff
   * until it works again. */
  g_assert_true(g_file_set_contents(nc_dnsmasq_get_conf_path(dm), "no-such-option\n", -1, NULL));
  g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
  track(0);
  PidWait never = { dm, pid };
  g_assert_false(loop_until(restarted, &never, 1));
  g_assert_cmpuint(nc_dnsmasq_get_restart_count(dm), ==, 1);
  g_assert_true(nc_dnsmasq_update_files(dm, def4, NULL, NULL, &error));
  g_assert_no_error(error);
  PidWait pw2 = { dm, pid };
  g_assert_true(loop_until(restarted, &pw2, 10));
  g_assert_cmpuint(nc_dnsmasq_get_restart_count(dm), ==, 2);
  pid = nc_dnsmasq_get_pid(dm);
  track(pid);

  /* A daemon restart: a new object adopts the running dnsmasq untouched. */
  g_clear_pointer(&dm, nc_dnsmasq_free);
  dm = nc_dnsmasq_new(&opts);
  g_assert_true(nc_dnsmasq_adopt(dm, def4, 0, &error));
  g_assert_no_error(error);
  g_assert_cmpint(nc_dnsmasq_get_pid(dm), ==, pid);

  /* stop: no process, no file. */
  g_assert_true(nc_dnsmasq_stop(dm, &error));
  g_assert_no_error(error);
  g_assert_cmpint(nc_dnsmasq_get_pid(dm), ==, 0);
  g_assert_true(process_gone(pid));
  track(0);
  g_assert_cmpuint(count_files(env.dnsmasq_dir), ==, 0);
  g_assert_cmpuint(count_files(env.pid_dir), ==, 0);
  /* A stopped dnsmasq stays stopped. */
  g_usleep(300 * 1000);
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_assert_cmpint(nc_dnsmasq_get_pid(dm), ==, 0);

  run(&env, NULL, "ip netns del guest");
  g_rmdir(env.dnsmasq_dir);
  g_rmdir(env.pid_dir);
  g_rmdir(env.root);
  g_free(env.dnsmasq_dir);
  g_free(env.pid_dir);
  g_free(env.root);
  nc_spawner_free(env.spawner);
}

static gboolean
have_program(const char *name)
{
  g_autofree char *p = g_find_program_in_path(name);
  if (!p) {
    const char *sbin[] = { "/usr/sbin/", "/sbin/" };
    for (gsize i = 0; i < G_N_ELEMENTS(sbin) && !p; i++) {
      g_autofree char *c = g_strconcat(sbin[i], name, NULL);
      if (g_file_test(c, G_FILE_TEST_IS_EXECUTABLE))
        p = g_steal_pointer(&c);
    }
  }
  return p != NULL;
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *progs[] = { "dnsmasq", "busybox", "ip" };
  for (gsize i = 0; i < G_N_ELEMENTS(progs); i++) {
    if (!have_program(progs[i])) {
      g_printerr("skipped: %s is not installed\n", progs[i]);
      return 77;
    }
  }
  if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
    g_printerr("skipped: cannot enter a private network namespace: %s\n", g_strerror(errno));
    return 77;
  }
  /* ip netns keeps its namespaces under /run/netns: a private tmpfs there. */
  if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0
      || mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) {
    g_printerr("skipped: cannot set up a private mount namespace: %s\n", g_strerror(errno));
    return 77;
  }
  g_setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", TRUE);
  signal(SIGABRT, on_abort);
  g_test_add_func("/dnsmasq-run/real", test_real);
  return g_test_run();
}
