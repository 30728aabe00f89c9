/* Refuse to run beside libvirt's network daemon.
 *
 * driver.pid's lock (daemon.c) already keeps two network daemons from
 * using one state directory, but its error cannot say which daemon holds
 * it, and it does not see a daemon that systemd will start on the next
 * connection (virtnetworkd.socket). So, before anything is touched, look for:
 *   - virtnetworkd or libvirtd named by their pid files (/run/virtnetworkd.pid,
 *     /run/libvirtd.pid) or by the network driver's driver.pid, and alive
 *     under that name (pid files outlive a crash);
 *   - virtnetworkd's sockets with a listener (systemd's socket units): a
 *     socket file alone may be stale, and connecting would start the daemon.
 * libvirtd is refused whenever it runs: Debian 12 builds its network driver
 * into libvirt-daemon, and that driver cannot start while we hold driver.pid.
 * libvirt-sock is not looked at: virtproxyd (which forwards to whichever
 * daemon owns virtnetworkd-sock) listens there too. netctld serves
 * virtnetworkd-sock itself (rpc-frontend.h): a listener systemd handed to us
 * (netctld.socket) or one that a running netctld holds is not libvirt's. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "coexist.h"
#include "nc-daemon.h"
#include "nc-error.h"
#include "safe-read.h"

/* Listening sockets carry __SO_ACCEPTCON in /proc/net/unix's Flags column. */
#define UNIX_FLAG_ACCEPTCON 0x00010000u

#define STOP_VIRTNETWORKD                                                                          \
  "systemctl disable --now virtnetworkd.socket virtnetworkd-ro.socket "                            \
  "virtnetworkd-admin.socket virtnetworkd.service"
#define STOP_LIBVIRTD                                                                              \
  "systemctl disable --now libvirtd.service libvirtd.socket libvirtd-ro.socket "                   \
  "libvirtd-admin.socket"

typedef struct {
  const char *name; /* the process's comm */
  const char *description;
  const char *pid_file; /* under the root */
  const char *stop;
} Daemon;

static const Daemon daemons[] = {
  { "virtnetworkd", "libvirt's network daemon virtnetworkd", "/run/virtnetworkd.pid",
    STOP_VIRTNETWORKD },
  { "libvirtd", "libvirtd (with libvirt's network driver)", "/run/libvirtd.pid", STOP_LIBVIRTD },
};

/* The pid a pid file names, or 0 (missing, empty, garbage, or not a small
 * regular file: read bounded and non-blocking, safe-read.h, so a FIFO or a
 * symlink to /dev/zero there cannot hang or exhaust start-up). */
static pid_t
read_pid(const char *path)
{
  g_autofree char *text = NULL;
  int r = nc_file_read_bounded(path, 64, &text, NULL);
  if (nc_file_is_refusal(r))
    g_warning("ignoring the pid file %s: %s", path, nc_file_refusal_reason(r));
  if (r < 0)
    return 0;
  char *end = NULL;
  gint64 pid = g_ascii_strtoll(g_strstrip(text), &end, 10);
  if (end == text || *end != '\0' || pid <= 0 || pid > G_MAXINT32)
    return 0;
  return (pid_t)pid;
}

/* TRUE when pid is alive and runs a program called `name`. */
static gboolean
process_is(pid_t pid, const char *name)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/comm", (int)pid);
  g_autofree char *comm = NULL;
  if (pid <= 0 || !g_file_get_contents(path, &comm, NULL, NULL))
    return FALSE;
  return g_str_equal(g_strchomp(comm), name);
}

/* TRUE when some process listens on the unix socket at `path`. */
static gboolean
socket_has_listener(const char *path)
{
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return FALSE;
  g_autofree char *table = NULL;
  if (!g_file_get_contents("/proc/net/unix", &table, NULL, NULL))
    return FALSE;
  g_auto(GStrv) lines = g_strsplit(table, "\n", -1);
  for (guint i = 1; lines[i]; i++) {
    unsigned int flags = 0;
    int path_at = 0;
    if (sscanf(lines[i], "%*s %*x %*x %x %*x %*x %*u %n", &flags, &path_at) != 1 || path_at == 0)
      continue;
    if ((flags & UNIX_FLAG_ACCEPTCON) && g_str_equal(lines[i] + path_at, path))
      return TRUE;
  }
  return FALSE;
}

static gboolean
refuse(GError **error, const Daemon *d, const char *what)
{
  g_set_error(error, NC_ERROR, NC_ERROR_RESOURCE_BUSY,
              "%s is %s; netctld manages the same networks and cannot run beside it. "
              "Stop it first: %s",
              d->description, what, d->stop);
  return FALSE;
}

gboolean
nc_coexist_check(const char *root, GError **error)
{
  g_autoptr(NcPaths) paths = nc_paths_new(root);

  for (guint i = 0; i < G_N_ELEMENTS(daemons); i++) {
    const Daemon *d = &daemons[i];
    g_autofree char *pid_file = g_strconcat(paths->root, d->pid_file, NULL);
    pid_t pid = read_pid(pid_file);
    if (process_is(pid, d->name)) {
      g_autofree char *what = g_strdup_printf("running (pid %d, %s)", (int)pid, pid_file);
      return refuse(error, d, what);
    }
  }

  /* The network driver's own lock file, whichever daemon carries it. */
  g_autofree char *driver_pid = g_build_filename(paths->state_dir, "driver.pid", NULL);
  pid_t pid = read_pid(driver_pid);
  for (guint i = 0; pid > 0 && i < G_N_ELEMENTS(daemons); i++) {
    if (process_is(pid, daemons[i].name)) {
      g_autofree char *what = g_strdup_printf("running (pid %d, %s)", (int)pid, driver_pid);
      return refuse(error, &daemons[i], what);
    }
  }

  /* The sockets may be netctld's own: handed to this process by its socket
   * unit (netctld.socket, LISTEN_PID is us), or held by another netctld that
   * driver.pid names (the daemon lock then says so). */
  const char *listen_pid = g_getenv("LISTEN_PID");
  if ((listen_pid != NULL && g_ascii_strtoll(listen_pid, NULL, 10) == (gint64)getpid())
      || process_is(pid, "netctld"))
    return TRUE;

  /* virtnetworkd's socket units: the daemon starts on the next connection. */
  static const char *const sockets[] = {
    "virtnetworkd-sock",
    "virtnetworkd-sock-ro",
    "virtnetworkd-admin-sock",
  };
  for (guint i = 0; i < G_N_ELEMENTS(sockets); i++) {
    g_autofree char *path = g_build_filename(paths->socket_dir, sockets[i], NULL);
    if (socket_has_listener(path)) {
      g_autofree char *what
          = g_strdup_printf("waiting to be socket-activated (%s has a listener)", path);
      return refuse(error, &daemons[0], what);
    }
  }
  return TRUE;
}
