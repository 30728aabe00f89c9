/* Coexistence with libvirt's network daemon (daemon/coexist.c): every file
 * it looks at lives under a temporary root; the "other daemons" are real
 * processes named virtnetworkd / libvirtd (sleep, run through a symlink of
 * that name) and a real listening socket. No kernel features, no root. */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "coexist.h"
#include "nc-error.h"
#include "test-util.h"

typedef struct {
  char *root;
  GPid child; /* 0 when none */
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
  f->root = tu_make_root();
  f->child = 0;
}

static void
teardown(Fixture *f, gconstpointer data)
{
  if (f->child > 0) {
    kill(f->child, SIGKILL);
    waitpid(f->child, NULL, 0);
  }
  tu_rm_rf(f->root);
  g_free(f->root);
}

static char *
under(Fixture *f, const char *path)
{
  return g_strconcat(f->root, path, NULL);
}

/* Starts `sleep 60` under the process name `name`; returns its pid. */
static GPid
spawn_named(Fixture *f, const char *name)
{
  g_autofree char *sleep_path = g_find_program_in_path("sleep");
  g_assert_nonnull(sleep_path);
  g_autofree char *dir = under(f, "/bin");
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  g_autofree char *link = g_build_filename(dir, name, NULL);
  g_assert_cmpint(symlink(sleep_path, link), ==, 0);
  char *argv[] = { link, (char *)"60", NULL };
  g_autoptr(GError) error = NULL;
  g_assert_true(
      g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &f->child, &error));
  g_assert_no_error(error);
  /* Wait (bounded) until the exec has happened and the name is visible. */
  g_autofree char *comm_path = g_strdup_printf("/proc/%d/comm", (int)f->child);
  for (int i = 0; i < 200; i++) {
    g_autofree char *comm = tu_read(comm_path);
    if (comm && g_str_equal(g_strchomp(comm), name))
      return f->child;
    g_usleep(10 * 1000);
  }
  g_error("child %d never showed up as %s", (int)f->child, name);
}

static void
write_pid(Fixture *f, const char *path, GPid pid)
{
  g_autofree char *file = under(f, path);
  g_autofree char *text = g_strdup_printf("%d\n", (int)pid);
  tu_write(file, text);
}

static void
assert_refused(Fixture *f, const char *daemon, const char *stop_hint)
{
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_coexist_check(f->root, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_RESOURCE_BUSY);
  g_assert_nonnull(strstr(error->message, daemon));
  g_assert_nonnull(strstr(error->message, stop_hint));
  g_assert_null(strchr(error->message, '\n'));
  g_test_message("%s", error->message);
}

static void
assert_allowed(Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(nc_coexist_check(f->root, &error));
  g_assert_no_error(error);
}

static void
test_empty_root(Fixture *f, gconstpointer data)
{
  assert_allowed(f);
}

/* Pid files that outlived their daemon, name someone else, or hold garbage. */
static void
test_stale_pid_files(Fixture *f, gconstpointer data)
{
  /* A pid that was alive and is not any more: our own reaped child. */
  GPid dead = spawn_named(f, "virtnetworkd");
  kill(dead, SIGKILL);
  waitpid(dead, NULL, 0);
  f->child = 0;
  write_pid(f, "/run/virtnetworkd.pid", dead);
  /* Alive, but not libvirtd: this test itself. */
  write_pid(f, "/run/libvirtd.pid", getpid());
  write_pid(f, "/run/libvirt/network/driver.pid", getpid());
  assert_allowed(f);

  g_autofree char *garbage = under(f, "/run/libvirtd.pid");
  tu_write(garbage, "12abc\n");
  assert_allowed(f);
  tu_write(garbage, "");
  assert_allowed(f);
}

static void
test_virtnetworkd_running(Fixture *f, gconstpointer data)
{
  write_pid(f, "/run/virtnetworkd.pid", spawn_named(f, "virtnetworkd"));
  assert_refused(f, "network daemon virtnetworkd is running",
                 "systemctl disable --now virtnetworkd.socket");
}

static void
test_libvirtd_running(Fixture *f, gconstpointer data)
{
  write_pid(f, "/run/libvirtd.pid", spawn_named(f, "libvirtd"));
  assert_refused(f, "libvirtd (with libvirt's network driver) is running",
                 "systemctl disable --now libvirtd.service libvirtd.socket");
}

/* No pid file of its own (libvirtd -p elsewhere, a custom build): the network
 * driver's lock file still names it. */
static void
test_driver_pid_names_libvirtd(Fixture *f, gconstpointer data)
{
  write_pid(f, "/run/libvirt/network/driver.pid", spawn_named(f, "libvirtd"));
  assert_refused(f, "libvirtd (with libvirt's network driver) is running", "libvirtd.service");
}

/* systemd listening on virtnetworkd-sock for virtnetworkd.socket; a socket
 * file without a listener (left by a crash) is ignored. */
static void
test_socket_activation(Fixture *f, gconstpointer data)
{
  g_autofree char *dir = under(f, "/run/libvirt");
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  g_autofree char *path = g_build_filename(dir, "virtnetworkd-sock", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_assert_cmpuint(strlen(path), <, sizeof addr.sun_path);
  strcpy(addr.sun_path, path);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof addr), ==, 0);
  assert_allowed(f); /* bound, not listening */
  g_assert_cmpint(listen(fd, 1), ==, 0);
  assert_refused(f, "virtnetworkd is waiting to be socket-activated", "virtnetworkd.socket");
  close(fd);
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
  assert_allowed(f); /* the stale file stays; nobody listens */
}

/* The root relocates every file: a daemon named in another root's pid file
 * does not count. */
static void
test_other_root(Fixture *f, gconstpointer data)
{
  write_pid(f, "/run/virtnetworkd.pid", spawn_named(f, "virtnetworkd"));
  g_autofree char *other = tu_make_root();
  g_autoptr(GError) error = NULL;
  gboolean ok = nc_coexist_check(other, &error);
  tu_rm_rf(other);
  g_assert_no_error(error);
  g_assert_true(ok);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
  ADD("/coexist/empty-root", test_empty_root);
  ADD("/coexist/stale-pid-files", test_stale_pid_files);
  ADD("/coexist/virtnetworkd-running", test_virtnetworkd_running);
  ADD("/coexist/libvirtd-running", test_libvirtd_running);
  ADD("/coexist/driver-pid-names-libvirtd", test_driver_pid_names_libvirtd);
  ADD("/coexist/socket-activation", test_socket_activation);
  ADD("/coexist/other-root", test_other_root);
#undef ADD
  return g_test_run();
}
