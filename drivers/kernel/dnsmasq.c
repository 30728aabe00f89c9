/* See dnsmasq.h. */
#include "dnsmasq.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "atomic-file.h"
#include "dnsmasq-conf.h"
#include "helper-path.h"
#include "lease-file.h"
#include "macmap.h"
#include "nc-config.h"
#include "nc-error.h"
#include "safe-read.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define BACKOFF_INITIAL_MS 500
#define BACKOFF_MAX_MS 30000
/* A dnsmasq that ran this long before dying starts the backoff over. */
#define BACKOFF_RESET_US (60 * G_USEC_PER_SEC)
#define STOP_TERM_WAIT_MS 2000
#define STOP_KILL_WAIT_MS 1000

struct _NcDnsmasq {
  char *network_name;
  char *bridge;
  char *dnsmasq_dir;
  char *pid_dir;
  char *dnsmasq_path;
  char *helper_path;
  NcSpawner *spawner;
  gboolean own_spawner;
  NcDnsmasqProbe *probe; /* borrowed; NULL: version checked once per object */

  char *conf_path;
  char *hostsfile_path;
  char *addnhosts_path;
  char *leases_path; /* the leases dnsmasq starts with, and keeps */
  char *pid_path;

  gboolean version_checked;
  gboolean script_on_renewal; /* the checked binary has --script-on-renewal */
  gboolean wanted;            /* the supervisor keeps it running */

  pid_t pid;      /* 0 when not running */
  int pidfd;      /* -1 when none (not running, or no pidfd support) */
  guint watch_id; /* pidfd watch, or the liveness poll without pidfds */
  gboolean watch_in_set; /* watch_id is pid_watch's, not a GSource */
  NcPidWatch *pid_watch; /* borrowed, may be NULL */
  gint64 started_at;

  guint restart_id;
  guint failures;
  guint restarts;
  guint backoff_initial_ms;
  guint backoff_max_ms;

  NcDnsmasqNotify notify;
  gpointer notify_data;
};

/* -- processes ------------------------------------------------------------------ */

static int
pidfd_open(pid_t pid)
{
  return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int
pidfd_send_signal(int pidfd, int sig)
{
  return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* TRUE when pidfd's process has exited (within timeout_ms). */
static gboolean
pidfd_wait(int pidfd, int timeout_ms)
{
  struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
  int r;
  do
    r = poll(&pfd, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

/* /proc/PID/cmdline is dnsmasq run with our --conf-file. */
static gboolean
is_our_dnsmasq(NcDnsmasq *dm, pid_t pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &cmdline, &len, NULL) || len == 0)
    return FALSE;
  g_autofree char *want = g_strconcat("--conf-file=", dm->conf_path, NULL);
  g_autofree char *arg0 = g_path_get_basename(cmdline);
  g_autofree char *ours = g_path_get_basename(dm->dnsmasq_path);
  if (!g_str_equal(arg0, "dnsmasq") && !g_str_equal(arg0, ours))
    return FALSE;
  for (gsize off = strlen(cmdline) + 1; off < len; off += strlen(cmdline + off) + 1) {
    if (g_str_equal(cmdline + off, want))
      return TRUE;
  }
  return FALSE;
}

/* A pidfd for pid when it is our dnsmasq: -ESRCH when it is not (or gone).
 * The pidfd is opened before the check, so the check is of the process the
 * pidfd names, and a pid recycled meanwhile is never signalled. -ENOSYS
 * without pidfd support (the caller falls back to the pid). */
static int
open_ours(NcDnsmasq *dm, pid_t pid)
{
  if (pid <= 0)
    return -ESRCH;
  int fd = pidfd_open(pid);
  if (fd < 0)
    return errno == ENOSYS ? (is_our_dnsmasq(dm, pid) ? -ENOSYS : -ESRCH) : -ESRCH;
  if (!is_our_dnsmasq(dm, pid) || pidfd_wait(fd, 0)) {
    close(fd);
    return -ESRCH;
  }
  return fd;
}

/* SIGTERM, then SIGKILL; TRUE once the process is gone. */
static gboolean
terminate(NcDnsmasq *dm, pid_t pid, int pidfd)
{
  if (pidfd < 0) {
    /* No pidfds (kernel < 5.3): re-check just before each signal. */
    if (is_our_dnsmasq(dm, pid))
      kill(pid, SIGTERM);
    for (int i = 0; i < STOP_TERM_WAIT_MS / 50 && is_our_dnsmasq(dm, pid); i++)
      g_usleep(50 * 1000);
    if (is_our_dnsmasq(dm, pid))
      kill(pid, SIGKILL);
    for (int i = 0; i < STOP_KILL_WAIT_MS / 50 && is_our_dnsmasq(dm, pid); i++)
      g_usleep(50 * 1000);
    return !is_our_dnsmasq(dm, pid);
  }
  if (pidfd_send_signal(pidfd, SIGTERM) < 0 && errno == ESRCH)
    return TRUE;
  if (pidfd_wait(pidfd, STOP_TERM_WAIT_MS))
    return TRUE;
  g_debug("dnsmasq %d ignored SIGTERM, sending SIGKILL", (int)pid);
  pidfd_send_signal(pidfd, SIGKILL);
  return pidfd_wait(pidfd, STOP_KILL_WAIT_MS);
}

/* pidfds of dnsmasq's own children: the process that runs the lease helper
 * for it. That one ignores SIGTERM and, once dnsmasq is gone, still runs the
 * events it has queued; stop waits for it so no helper writes into files
 * being removed. Found through /proc/PID/task/PID/children (as dnsmasq's
 * children, before they are reparented). */
static GArray *
open_children(NcDnsmasq *dm, pid_t pid)
{
  GArray *fds = g_array_new(FALSE, FALSE, sizeof(int));
  g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/children", (int)pid, (int)pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return fds;
  g_auto(GStrv) pids = g_strsplit_set(g_strstrip(text), " \n", -1);
  for (guint i = 0; pids[i]; i++) {
    gint64 child = g_ascii_strtoll(pids[i], NULL, 10);
    if (child <= 0)
      continue;
    int fd = open_ours(dm, (pid_t)child);
    if (fd >= 0)
      g_array_append_val(fds, fd);
  }
  return fds;
}

/* Waits (bounded) for the children to finish their queued lease events,
 * then kills what is left. */
static void
reap_children(GArray *fds)
{
  gint64 end = g_get_monotonic_time() + STOP_TERM_WAIT_MS * 1000;
  for (guint i = 0; i < fds->len; i++) {
    int fd = g_array_index(fds, int, i);
    int left = (int)MAX((end - g_get_monotonic_time()) / 1000, 0);
    if (!pidfd_wait(fd, left)) {
      pidfd_send_signal(fd, SIGKILL);
      pidfd_wait(fd, STOP_KILL_WAIT_MS);
    }
    close(fd);
  }
  g_array_unref(fds);
}

static void
clear_watch(NcDnsmasq *dm)
{
  if (dm->watch_in_set && dm->watch_id)
    nc_pid_watch_remove(dm->pid_watch, dm->watch_id);
  else if (dm->watch_id)
    g_source_remove(dm->watch_id);
  dm->watch_id = 0;
  dm->watch_in_set = FALSE;
}

static void
unwatch(NcDnsmasq *dm)
{
  clear_watch(dm);
  if (dm->pidfd >= 0)
    close(dm->pidfd);
  dm->pidfd = -1;
  dm->pid = 0;
}

static void schedule_restart(NcDnsmasq *dm);

static void
on_dead(NcDnsmasq *dm)
{
  g_debug("network '%s': dnsmasq %d exited", dm->network_name, (int)dm->pid);
  dm->watch_id = 0; /* the source or set entry is already gone */
  dm->watch_in_set = FALSE;
  unwatch(dm);
  if (dm->wanted)
    schedule_restart(dm);
  if (dm->notify)
    dm->notify(dm, 0, dm->notify_data);
}

static gboolean
on_pidfd(int fd, GIOCondition cond, gpointer data)
{
  on_dead(data);
  return G_SOURCE_REMOVE;
}

static void
on_pid_exit(gpointer data)
{
  on_dead(data);
}

static gboolean
on_poll_alive(gpointer data)
{
  NcDnsmasq *dm = data;
  if (is_our_dnsmasq(dm, dm->pid))
    return G_SOURCE_CONTINUE;
  on_dead(dm);
  return G_SOURCE_REMOVE;
}

/* Supervises pid from now on. FALSE when it is not our dnsmasq. */
static gboolean
watch(NcDnsmasq *dm, pid_t pid)
{
  int fd = open_ours(dm, pid);
  if (fd < 0 && fd != -ENOSYS)
    return FALSE;
  unwatch(dm);
  dm->pid = pid;
  dm->started_at = g_get_monotonic_time();
  if (fd >= 0) {
    dm->pidfd = fd;
    if (dm->pid_watch)
      dm->watch_id = nc_pid_watch_add(dm->pid_watch, fd, on_pid_exit, dm);
    dm->watch_in_set = dm->watch_id != 0;
    if (!dm->watch_in_set)
      dm->watch_id = g_unix_fd_add(fd, G_IO_IN, on_pidfd, dm);
  } else {
    dm->watch_id = g_timeout_add_seconds(1, on_poll_alive, dm);
  }
  g_debug("network '%s': watching dnsmasq %d", dm->network_name, (int)pid);
  return TRUE;
}

/* -- files ------------------------------------------------------------------------ */

/* A pid file holds one number: anything longer is not one we read. */
#define PID_FILE_MAX 64

static pid_t
read_pid_file(const char *path)
{
  g_autofree char *text = NULL;
  int r = nc_file_read_bounded(path, PID_FILE_MAX, &text, NULL);
  if (nc_file_is_refusal(r))
    g_warning("ignoring the pid file %s: %s", path, nc_file_refusal_reason(r));
  if (r < 0)
    return 0;
  char *end = NULL;
  gint64 v = g_ascii_strtoll(g_strstrip(text), &end, 10);
  if (!end || *end || v <= 0 || v > G_MAXINT32)
    return 0;
  return (pid_t)v;
}

/* Writes path when its contents differ (contents NULL: removes it).
 * *changed is set when the file changed. */
static int
sync_file(const char *path, const char *contents, int mode, gboolean *changed)
{
  if (!contents) {
    struct stat st;
    if (lstat(path, &st) < 0)
      return 0;
    *changed = TRUE;
    return nc_file_remove(path);
  }
  /* Bounded by the new contents' size: a larger file differs anyway, and a
   * FIFO or symlink put there is replaced unread (the rename takes the name). */
  g_autofree char *old = NULL;
  gsize old_len = 0;
  gsize len = strlen(contents);
  if (nc_file_read_bounded(path, len, &old, &old_len) == 0 && old_len == len
      && memcmp(old, contents, len) == 0)
    return 0;
  *changed = TRUE;
  /* Regenerated on every start: no fsync (see nc_file_replace). */
  return nc_file_replace(path, contents, -1, mode);
}

/* What a stop removes, once the process and its helper children are gone. */
static char **
files_to_remove(NcDnsmasq *dm)
{
  g_autofree char *status_name = g_strconcat(dm->bridge, ".status", NULL);
  g_autofree char *macs_name = g_strconcat(dm->bridge, ".macs", NULL);
  char **paths = g_new0(char *, 8);
  paths[0] = g_strdup(dm->conf_path);
  paths[1] = g_strdup(dm->hostsfile_path);
  paths[2] = g_strdup(dm->addnhosts_path);
  paths[3] = g_strdup(dm->pid_path);
  paths[4] = g_strdup(dm->leases_path);
  paths[5] = g_build_filename(dm->dnsmasq_dir, status_name, NULL);
  paths[6] = g_build_filename(dm->dnsmasq_dir, macs_name, NULL);
  /* A MAC map write still due would bring the file back. */
  nc_macmap_discard(dm->dnsmasq_dir, dm->bridge);
  return paths;
}

static void
remove_file_list(const char *dnsmasq_dir, char **paths)
{
  /* The lease helper's lock: a helper still writing the status file is let
   * finish first, so the file does not come back. */
  int lock_fd = open(dnsmasq_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd >= 0)
    flock(lock_fd, LOCK_EX);
  for (gsize i = 0; paths[i]; i++) {
    int r = nc_file_remove(paths[i]);
    if (r < 0)
      g_debug("cannot remove %s: %s", paths[i], g_strerror(-r));
  }
  if (lock_fd >= 0)
    close(lock_fd);
}

static void
remove_files(NcDnsmasq *dm)
{
  g_auto(GStrv) paths = files_to_remove(dm);
  remove_file_list(dm->dnsmasq_dir, paths);
}

static gboolean
build_conf(NcDnsmasq *dm, const NcNetworkDef *def, NcDnsmasqConf *ret_conf, GError **error)
{
  NcDnsmasqConfOptions opts = { .dnsmasq_dir = dm->dnsmasq_dir, .pid_file = dm->pid_path };
  return nc_dnsmasq_conf_build(def, &opts, ret_conf, error);
}

static gboolean
write_files(NcDnsmasq *dm, const NcDnsmasqConf *conf, gboolean *ret_conf_changed,
            gboolean *ret_hosts_changed, GError **error)
{
  gboolean conf_changed = FALSE, hosts_changed = FALSE;
  if (g_mkdir_with_parents(dm->dnsmasq_dir, 0755) < 0) {
    int e = errno;
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "network '%s': cannot create %s: %s",
                dm->network_name, dm->dnsmasq_dir, g_strerror(e));
    return FALSE;
  }
  struct {
    const char *path;
    const char *contents;
    int mode;
    gboolean *changed;
  } files[] = {
    { dm->hostsfile_path, conf->hostsfile, 0644, &hosts_changed },
    { dm->addnhosts_path, conf->addnhosts, 0644, &hosts_changed },
    { dm->conf_path, conf->conf, 0600, &conf_changed },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
    int r = sync_file(files[i].path, files[i].contents, files[i].mode, files[i].changed);
    if (r < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "network '%s': cannot write %s: %s",
                  dm->network_name, files[i].path, g_strerror(-r));
      return FALSE;
    }
  }
  if (ret_conf_changed)
    *ret_conf_changed = conf_changed;
  if (ret_hosts_changed)
    *ret_hosts_changed = hosts_changed && !conf_changed;
  return TRUE;
}

/* -- starting ---------------------------------------------------------------------- */

gboolean
nc_dnsmasq_check_version(NcSpawner *spawner, const char *dnsmasq_path, char **ret_version,
                         GError **error)
{
  const char *argv[] = { dnsmasq_path, "--version", NULL };
  g_autofree char *out = NULL;
  int status = 0;
  int r = nc_spawn_sync(spawner, argv, NULL, &status, &out, NULL);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "cannot run %s: %s; DHCP and DNS on virtual networks need dnsmasq "
                "(Debian: apt-get install dnsmasq-base)",
                dnsmasq_path, g_strerror(-r));
    return FALSE;
  }
  unsigned major = 0, minor = 0;
  const char *p = out ? strstr(out, "version ") : NULL;
  if (status != 0 || !p || sscanf(p, "version %u.%u", &major, &minor) != 2) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "cannot tell the version of %s from '%s --version' (exit status %d)", dnsmasq_path,
                dnsmasq_path, status);
    return FALSE;
  }
  if (major < NC_DNSMASQ_MIN_VERSION_MAJOR
      || (major == NC_DNSMASQ_MIN_VERSION_MAJOR && minor < NC_DNSMASQ_MIN_VERSION_MINOR)) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "%s is version %u.%u; netctl needs dnsmasq %d.%d or later", dnsmasq_path, major,
                minor, NC_DNSMASQ_MIN_VERSION_MAJOR, NC_DNSMASQ_MIN_VERSION_MINOR);
    return FALSE;
  }
  if (ret_version)
    *ret_version = g_strdup_printf("%u.%u", major, minor);
  return TRUE;
}

/* -- the version check, once per binary ---------------------------------------- */

struct _NcDnsmasqProbe {
  char *path;     /* the binary that passed the check, NULL when none yet */
  struct stat st; /* what it was then */
  gboolean script_on_renewal;
};

/* With a lease file of its own (not --leasefile-ro, as libvirt runs it)
 * dnsmasq runs the lease helper for a renewal only with --script-on-renewal
 * (dnsmasq 2.81): without it the database keeps the first expiry time and
 * a renewed lease drops out of net-dhcp-leases when that time passes. */
static gboolean
has_script_on_renewal(const char *version)
{
  unsigned major = 0, minor = 0;
  return version && sscanf(version, "%u.%u", &major, &minor) == 2
         && (major > 2 || (major == 2 && minor >= 81));
}

NcDnsmasqProbe *
nc_dnsmasq_probe_new(void)
{
  return g_new0(NcDnsmasqProbe, 1);
}

void
nc_dnsmasq_probe_free(NcDnsmasqProbe *probe)
{
  if (!probe)
    return;
  g_free(probe->path);
  g_free(probe);
}

static gboolean
same_file(const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size
         && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
         && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The dnsmasq to run, checked: `dnsmasq --version` costs a fork and an exec
 * of a binary with twenty libraries, 5-20 ms, so with a probe it runs only
 * when the binary found in PATH is not the one checked before (another
 * path, inode, size, mtime or ctime: an upgrade is checked again). Without
 * one (or in a dry run, where nothing is resolved) it runs on this object's
 * first start. ret_exe: what to execute. */
static gboolean
ensure_version(NcDnsmasq *dm, char **ret_exe, GError **error)
{
  g_autofree char *version = NULL;
  if (!dm->probe || nc_spawner_is_dry_run(dm->spawner)) {
    if (!dm->version_checked) {
      if (!nc_dnsmasq_check_version(dm->spawner, dm->dnsmasq_path, &version, error))
        return FALSE;
      dm->script_on_renewal = has_script_on_renewal(version);
    }
    dm->version_checked = TRUE;
    *ret_exe = g_strdup(dm->dnsmasq_path);
    return TRUE;
  }
  g_autofree char *exe = strchr(dm->dnsmasq_path, '/') ? g_strdup(dm->dnsmasq_path)
                                                       : g_find_program_in_path(dm->dnsmasq_path);
  struct stat st;
  if (!exe || stat(exe, &st) < 0) /* the check reports it as missing */
    return nc_dnsmasq_check_version(dm->spawner, dm->dnsmasq_path, NULL, error);
  NcDnsmasqProbe *probe = dm->probe;
  if (!probe->path || !g_str_equal(probe->path, exe) || !same_file(&probe->st, &st)) {
    g_clear_pointer(&probe->path, g_free);
    if (!nc_dnsmasq_check_version(dm->spawner, exe, &version, error))
      return FALSE;
    probe->path = g_strdup(exe);
    probe->st = st;
    probe->script_on_renewal = has_script_on_renewal(version);
  }
  dm->script_on_renewal = probe->script_on_renewal;
  *ret_exe = g_steal_pointer(&exe);
  return TRUE;
}

/* NAME.leases, the lease file dnsmasq starts from: the leases of the lease
 * database (BRIDGE.status) that have not expired, in dnsmasq's format,
 * exactly what the lease helper prints for `init`. libvirt runs dnsmasq with
 * --leasefile-ro, so dnsmasq asks the helper for them through popen(): a
 * shell and the helper, 3-5 ms of every start (most starts have no lease at
 * all). We hand them over in the file instead; dnsmasq keeps it up to date
 * and still runs the helper for every lease event, so the database stays
 * the reference and this file is rewritten from it before every start (a
 * supervisor restart too). A corrupt database counts as empty, as for the
 * helper's init (the helper rewrites it at the next event). */
static gboolean
write_lease_file(NcDnsmasq *dm, GError **error)
{
  g_autofree char *status = nc_lease_status_path(dm->dnsmasq_dir, dm->bridge);
  g_autoptr(GPtrArray) entries = NULL;
  int r = status ? nc_lease_file_read(status, &entries) : -EINVAL;
  if (status && nc_file_is_refusal(r))
    g_warning("network '%s': ignoring the DHCP lease database %s: %s", dm->network_name, status,
              nc_file_refusal_reason(r));
  if (r < 0)
    entries = nc_lease_entries_new();
  g_autofree char *text
      = nc_lease_entries_format_dnsmasq(entries, g_get_real_time() / G_USEC_PER_SEC);
  /* None: dnsmasq creates the file itself (an old one must not be read). */
  r = *text ? nc_file_replace(dm->leases_path, text, -1, 0644) : nc_file_remove(dm->leases_path);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "network '%s': cannot write %s: %s",
                dm->network_name, dm->leases_path, g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

/* Runs dnsmasq on the files in place and supervises it. */

/* Every dnsmasq takes an inotify instance (it watches resolv.conf), counted
 * per user across the host: with the kernel's default limit of 128, starts
 * fail near the 120th network, for libvirt too. Say which knob to turn. */
static char *
start_failure_hint(const char *errout)
{
  if (errout == NULL || strstr(errout, "inotify") == NULL)
    return g_strdup("");
  g_autofree char *limit = NULL;
  if (!g_file_get_contents("/proc/sys/fs/inotify/max_user_instances", &limit, NULL, NULL))
    return g_strdup("; each network's dnsmasq needs an inotify instance: raise "
                    "fs.inotify.max_user_instances");
  return g_strdup_printf("; each network's dnsmasq needs an inotify instance and this user's "
                         "limit is reached (fs.inotify.max_user_instances = %s): raise it, e.g. "
                         "sysctl fs.inotify.max_user_instances=2048",
                         g_strstrip(limit));
}
static gboolean
launch(NcDnsmasq *dm, GError **error)
{
  g_autofree char *exe = NULL;
  if (!ensure_version(dm, &exe, error))
    return FALSE;
  if (!nc_spawner_is_dry_run(dm->spawner)
      && !g_file_test(dm->helper_path, G_FILE_TEST_IS_EXECUTABLE)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR,
                "network '%s': the DHCP lease helper %s is missing (set NETCTL_LEASESHELPER or "
                "reinstall netctl)",
                dm->network_name, dm->helper_path);
    return FALSE;
  }
  if (g_mkdir_with_parents(dm->pid_dir, 0755) < 0) {
    int e = errno;
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "network '%s': cannot create %s: %s",
                dm->network_name, dm->pid_dir, g_strerror(e));
    return FALSE;
  }
  /* A stale pid file must not be taken for the new process's. */
  nc_file_remove(dm->pid_path);
  if (!write_lease_file(dm, error))
    return FALSE;

  g_autofree char *conf_arg = g_strconcat("--conf-file=", dm->conf_path, NULL);
  g_autofree char *leases_arg = g_strconcat("--dhcp-leasefile=", dm->leases_path, NULL);
  g_autofree char *script_arg = g_strconcat("--dhcp-script=", dm->helper_path, NULL);
  const char *argv[] = {
    exe, conf_arg, leases_arg, script_arg, dm->script_on_renewal ? "--script-on-renewal" : NULL,
    NULL
  };
  /* dnsmasq passes its environment on to the lease helper. */
  const char *path_env = g_getenv("PATH");
  g_autofree char *path_var
      = g_strconcat("PATH=", path_env ? path_env : "/usr/sbin:/usr/bin:/sbin:/bin", NULL);
  g_autofree char *bridge_var = g_strconcat("VIR_BRIDGE_NAME=", dm->bridge, NULL);
  g_autofree char *dir_var = g_strconcat("NETCTL_DNSMASQ_DIR=", dm->dnsmasq_dir, NULL);
  const char *envp[] = { path_var, "LC_ALL=C", bridge_var, dir_var, NULL };

  int status = 0;
  g_autofree char *errout = NULL;
  int r = nc_spawn_sync(dm->spawner, argv, envp, &status, NULL, &errout);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT, "network '%s': cannot run %s: %s",
                dm->network_name, dm->dnsmasq_path, g_strerror(-r));
    return FALSE;
  }
  if (status != 0) {
    g_autofree char *hint = start_failure_hint(errout);
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': dnsmasq failed to start (exit status %d): %s%s", dm->network_name,
                status, errout && *errout ? g_strstrip(errout) : "no message", hint);
    return FALSE;
  }
  pid_t pid = read_pid_file(dm->pid_path);
  if (!watch(dm, pid)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': dnsmasq started but %s does not name a running dnsmasq",
                dm->network_name, dm->pid_path);
    return FALSE;
  }
  g_debug("network '%s': dnsmasq started, pid %d", dm->network_name, (int)pid);
  return TRUE;
}

static gboolean
on_restart(gpointer data)
{
  NcDnsmasq *dm = data;
  dm->restart_id = 0;
  g_autoptr(GError) error = NULL;
  if (!launch(dm, &error)) {
    g_debug("%s", error->message);
    schedule_restart(dm);
    return G_SOURCE_REMOVE;
  }
  dm->restarts++;
  if (dm->notify)
    dm->notify(dm, dm->pid, dm->notify_data);
  return G_SOURCE_REMOVE;
}

static void
schedule_restart(NcDnsmasq *dm)
{
  if (dm->restart_id)
    return;
  if (dm->started_at && g_get_monotonic_time() - dm->started_at >= BACKOFF_RESET_US)
    dm->failures = 0;
  guint delay = dm->backoff_initial_ms;
  for (guint i = 0; i < dm->failures && delay < dm->backoff_max_ms; i++)
    delay *= 2;
  delay = MIN(delay, dm->backoff_max_ms);
  dm->failures++;
  g_debug("network '%s': restarting dnsmasq in %u ms", dm->network_name, delay);
  dm->restart_id = g_timeout_add(delay, on_restart, dm);
}

/* -- the object ---------------------------------------------------------------------- */

static char *
file_path(const char *dir, const char *base, const char *suffix)
{
  g_autofree char *name = g_strconcat(base, suffix, NULL);
  return g_build_filename(dir, name, NULL);
}

NcDnsmasq *
nc_dnsmasq_new(const NcDnsmasqOptions *opts)
{
  NcDnsmasq *dm = g_new0(NcDnsmasq, 1);
  dm->network_name = g_strdup(opts->network_name);
  dm->bridge = g_strdup(opts->bridge);
  dm->dnsmasq_dir = g_strdup(opts->dnsmasq_dir);
  dm->pid_dir = g_strdup(opts->pid_dir);
  const char *dnsmasq = opts->dnsmasq_path ? opts->dnsmasq_path : g_getenv("NETCTL_DNSMASQ");
  dm->dnsmasq_path = g_strdup(dnsmasq && *dnsmasq ? dnsmasq : "dnsmasq");
  const char *helper = opts->helper_path ? opts->helper_path : g_getenv("NETCTL_LEASESHELPER");
  dm->helper_path = helper && *helper ? g_strdup(helper) : nc_leaseshelper_default_path();
  dm->spawner = opts->spawner ? opts->spawner : nc_spawner_new();
  dm->own_spawner = opts->spawner == NULL;
  dm->probe = opts->probe;
  dm->pid_watch = opts->pid_watch;

  g_autofree char *base = nc_dnsmasq_file_base(opts->network_name);
  dm->conf_path = file_path(dm->dnsmasq_dir, base, ".conf");
  dm->hostsfile_path = file_path(dm->dnsmasq_dir, base, ".hostsfile");
  dm->addnhosts_path = file_path(dm->dnsmasq_dir, base, ".addnhosts");
  dm->leases_path = file_path(dm->dnsmasq_dir, base, ".leases");
  dm->pid_path = file_path(dm->pid_dir, base, ".pid");

  dm->pidfd = -1;
  dm->backoff_initial_ms = BACKOFF_INITIAL_MS;
  dm->backoff_max_ms = BACKOFF_MAX_MS;
  return dm;
}

void
nc_dnsmasq_free(NcDnsmasq *dm)
{
  if (!dm)
    return;
  unwatch(dm);
  g_clear_handle_id(&dm->restart_id, g_source_remove);
  if (dm->own_spawner)
    nc_spawner_free(dm->spawner);
  g_free(dm->network_name);
  g_free(dm->bridge);
  g_free(dm->dnsmasq_dir);
  g_free(dm->pid_dir);
  g_free(dm->dnsmasq_path);
  g_free(dm->helper_path);
  g_free(dm->conf_path);
  g_free(dm->hostsfile_path);
  g_free(dm->addnhosts_path);
  g_free(dm->leases_path);
  g_free(dm->pid_path);
  g_free(dm);
}

void
nc_dnsmasq_set_notify(NcDnsmasq *dm, NcDnsmasqNotify func, gpointer user_data)
{
  dm->notify = func;
  dm->notify_data = user_data;
}

pid_t
nc_dnsmasq_get_pid(NcDnsmasq *dm)
{
  return dm->pid;
}

const char *
nc_dnsmasq_get_conf_path(NcDnsmasq *dm)
{
  return dm->conf_path;
}

const char *
nc_dnsmasq_get_pid_path(NcDnsmasq *dm)
{
  return dm->pid_path;
}

guint
nc_dnsmasq_get_restart_count(NcDnsmasq *dm)
{
  return dm->restarts;
}

void
nc_dnsmasq_set_backoff(NcDnsmasq *dm, guint initial_ms, guint max_ms)
{
  dm->backoff_initial_ms = MAX(initial_ms, 1);
  dm->backoff_max_ms = MAX(max_ms, dm->backoff_initial_ms);
}

gboolean
nc_dnsmasq_start(NcDnsmasq *dm, const NcNetworkDef *def, GError **error)
{
  nc_dnsmasq_settle(dm);
  if (dm->pid || dm->restart_id) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': dnsmasq is already running", dm->network_name);
    return FALSE;
  }
  g_auto(NcDnsmasqConf) conf = { 0 };
  if (!build_conf(dm, def, &conf, error))
    return FALSE;
  if (!conf.needed) {
    remove_files(dm);
    return TRUE;
  }
  if (!write_files(dm, &conf, NULL, NULL, error) || !launch(dm, error)) {
    remove_files(dm);
    return FALSE;
  }
  dm->wanted = TRUE;
  dm->failures = 0;
  return TRUE;
}

gboolean
nc_dnsmasq_update_files(NcDnsmasq *dm, const NcNetworkDef *def, gboolean *ret_conf_changed,
                        gboolean *ret_hosts_changed, GError **error)
{
  nc_dnsmasq_settle(dm);
  g_auto(NcDnsmasqConf) conf = { 0 };
  if (!build_conf(dm, def, &conf, error))
    return FALSE;
  return write_files(dm, &conf, ret_conf_changed, ret_hosts_changed, error);
}

gboolean
nc_dnsmasq_reload(NcDnsmasq *dm, GError **error)
{
  if (!dm->pid)
    return TRUE; /* not running: a (re)start reads the files anyway */
  int r = dm->pidfd >= 0 ? pidfd_send_signal(dm->pidfd, SIGHUP)
                         : (is_our_dnsmasq(dm, dm->pid) ? kill(dm->pid, SIGHUP) : 0);
  if (r < 0 && errno != ESRCH) {
    int e = errno;
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': cannot signal dnsmasq %d: %s", dm->network_name, (int)dm->pid,
                g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

/* The oldest process that is dnsmasq with our --conf-file, or 0. */
static pid_t
find_ours_in_proc(NcDnsmasq *dm)
{
  g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
  const char *name;
  pid_t found = 0;
  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    char *end = NULL;
    long pid = strtol(name, &end, 10);
    if (end == name || *end != '\0' || pid <= 0)
      continue;
    if (is_our_dnsmasq(dm, (pid_t)pid) && (found == 0 || pid < found))
      found = (pid_t)pid;
  }
  return found;
}

/* Ends the running dnsmasq (ours: the supervised one, the pid file's, or one
 * found in /proc). */
static gboolean
kill_process(NcDnsmasq *dm, GError **error)
{
  g_clear_handle_id(&dm->restart_id, g_source_remove);
  pid_t pid = dm->pid;
  int fd = -1;
  gboolean searched = FALSE;
  if (pid) {
    clear_watch(dm);
    fd = dm->pidfd;
    dm->pidfd = -1;
  } else {
    pid = read_pid_file(dm->pid_path);
    fd = open_ours(dm, pid);
    if (fd < 0 && fd != -ENOSYS)
      pid = 0;
    /* No pid file: netctld may have died while this dnsmasq was starting,
     * before it wrote one. Only then is /proc searched, and only when our
     * configuration is there to be started from: a network that runs no
     * dnsmasq (every stop goes through here) must not read the cmdline of
     * every process on the host, 1000 dnsmasq of them with 500 networks. */
    if (pid == 0 && g_file_test(dm->conf_path, G_FILE_TEST_EXISTS)
        && (pid = find_ours_in_proc(dm)) != 0) {
      searched = TRUE;
      fd = open_ours(dm, pid);
      if (fd < 0 && fd != -ENOSYS)
        pid = 0;
    }
  }
  GArray *children = pid ? open_children(dm, pid) : g_array_new(FALSE, FALSE, sizeof(int));
  gboolean gone = pid == 0 || terminate(dm, pid, fd);
  reap_children(children);
  if (fd >= 0)
    close(fd);
  dm->pid = 0;
  if (!gone) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_TIMEOUT,
                "network '%s': dnsmasq %d did not exit after SIGKILL", dm->network_name, (int)pid);
    return FALSE;
  }
  /* Found in /proc: a dnsmasq caught daemonizing (fork, setsid, fork) is
   * several processes, the oldest about to exit; its descendants, visible
   * once forked, go too, each in turn (bounded: dnsmasq forks twice). */
  for (int i = 0; searched && pid && i < 4; i++) {
    pid = find_ours_in_proc(dm);
    fd = pid ? open_ours(dm, pid) : -ESRCH;
    if (fd < 0 && fd != -ENOSYS)
      break;
    g_debug("network '%s': dnsmasq %d, forked while starting, stopped too", dm->network_name,
            (int)pid);
    terminate(dm, pid, fd);
    if (fd >= 0)
      close(fd);
  }
  return TRUE;
}

gboolean
nc_dnsmasq_apply(NcDnsmasq *dm, const NcNetworkDef *def, GError **error)
{
  gboolean conf_changed = FALSE, hosts_changed = FALSE;
  if (!nc_dnsmasq_update_files(dm, def, &conf_changed, &hosts_changed, error))
    return FALSE;
  if (hosts_changed)
    return nc_dnsmasq_reload(dm, error);
  if (!conf_changed)
    return TRUE;
  dm->wanted = FALSE;
  if (!kill_process(dm, error))
    return FALSE;
  return nc_dnsmasq_start(dm, def, error);
}

gboolean
nc_dnsmasq_adopt(NcDnsmasq *dm, const NcNetworkDef *def, pid_t pid_hint, GError **error)
{
  nc_dnsmasq_settle(dm);
  pid_t pid = read_pid_file(dm->pid_path);
  if ((pid && watch(dm, pid)) || (pid_hint && pid_hint != pid && watch(dm, pid_hint))) {
    dm->wanted = TRUE;
    dm->failures = 0;
    /* Files lost meanwhile are put back for the next SIGHUP or restart;
     * dnsmasq itself is left alone. */
    if (!g_file_test(dm->conf_path, G_FILE_TEST_EXISTS))
      return nc_dnsmasq_update_files(dm, def, NULL, NULL, error);
    return TRUE;
  }
  g_debug("network '%s': no dnsmasq to adopt, starting one", dm->network_name);
  return nc_dnsmasq_start(dm, def, error);
}

gboolean
nc_dnsmasq_stop(NcDnsmasq *dm, GError **error)
{
  nc_dnsmasq_settle(dm);
  dm->wanted = FALSE;
  gboolean ok = kill_process(dm, error);
  remove_files(dm);
  return ok;
}

/* -- stops that finish off the main loop's reply path --------------------------- */

/* A dnsmasq told to stop, still exiting: its pidfd watched from the main
 * loop, SIGKILL after STOP_TERM_WAIT_MS, its files removed once it and its
 * lease-helper children are gone. Keyed by the configuration path, so
 * anything that would start, adopt or rewrite the same network's dnsmasq
 * finishes the stop first (nc_dnsmasq_settle): only a start right after a
 * destroy waits, as long as the old process takes to go. */
typedef struct {
  char *conf_path;
  char *network_name;
  char *dnsmasq_dir;
  pid_t pid;
  int pidfd;
  GArray *children; /* pidfds of its lease-helper children */
  char **files;
  guint watch_id;
  guint timer_id;
  gboolean killed;
} Stopping;

static GHashTable *stopping; /* conf_path -> Stopping* (main thread only) */

static void
stopping_finish(Stopping *st, gboolean wait)
{
  g_clear_handle_id(&st->watch_id, g_source_remove);
  g_clear_handle_id(&st->timer_id, g_source_remove);
  if (wait && !pidfd_wait(st->pidfd, st->killed ? STOP_KILL_WAIT_MS : STOP_TERM_WAIT_MS)) {
    pidfd_send_signal(st->pidfd, SIGKILL);
    if (!pidfd_wait(st->pidfd, STOP_KILL_WAIT_MS))
      g_warning("network '%s': dnsmasq %d did not exit after SIGKILL", st->network_name,
                (int)st->pid);
  }
  reap_children(g_steal_pointer(&st->children)); /* usually gone by now: no wait */
  remove_file_list(st->dnsmasq_dir, st->files);
  close(st->pidfd);
  g_hash_table_remove(stopping, st->conf_path); /* frees st */
}

static void
stopping_free(Stopping *st)
{
  g_clear_handle_id(&st->watch_id, g_source_remove);
  g_clear_handle_id(&st->timer_id, g_source_remove);
  if (st->children) {
    for (guint i = 0; i < st->children->len; i++)
      close(g_array_index(st->children, int, i));
    g_array_unref(st->children);
  }
  g_strfreev(st->files);
  g_free(st->conf_path);
  g_free(st->network_name);
  g_free(st->dnsmasq_dir);
  g_free(st);
}

static gboolean
on_stopping_exit(int fd, GIOCondition cond, gpointer user_data)
{
  Stopping *st = user_data;
  st->watch_id = 0;
  g_debug("network '%s': dnsmasq %d exited", st->network_name, (int)st->pid);
  stopping_finish(st, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stopping_timeout(gpointer user_data)
{
  Stopping *st = user_data;
  if (!st->killed) {
    g_debug("dnsmasq %d ignored SIGTERM, sending SIGKILL", (int)st->pid);
    pidfd_send_signal(st->pidfd, SIGKILL);
    st->killed = TRUE;
    st->timer_id = g_timeout_add(STOP_KILL_WAIT_MS, on_stopping_timeout, st);
    return G_SOURCE_REMOVE;
  }
  st->timer_id = 0;
  g_warning("network '%s': dnsmasq %d did not exit after SIGKILL; its files are removed anyway",
            st->network_name, (int)st->pid);
  stopping_finish(st, FALSE);
  return G_SOURCE_REMOVE;
}

void
nc_dnsmasq_settle(NcDnsmasq *dm)
{
  Stopping *st = stopping ? g_hash_table_lookup(stopping, dm->conf_path) : NULL;
  if (st)
    stopping_finish(st, TRUE);
}

void
nc_dnsmasq_settle_all(void)
{
  while (stopping && g_hash_table_size(stopping) > 0) {
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, stopping);
    if (g_hash_table_iter_next(&iter, NULL, &value))
      stopping_finish(value, TRUE);
  }
}

gboolean
nc_dnsmasq_stop_deferred(NcDnsmasq *dm, GError **error)
{
  nc_dnsmasq_settle(dm);
  if (!dm->pid || dm->pidfd < 0)
    return nc_dnsmasq_stop(dm, error); /* not ours to watch (adopted without pidfd, or none) */
  dm->wanted = FALSE;
  g_clear_handle_id(&dm->restart_id, g_source_remove);
  clear_watch(dm);
  Stopping *st = g_new0(Stopping, 1);
  st->conf_path = g_strdup(dm->conf_path);
  st->network_name = g_strdup(dm->network_name);
  st->dnsmasq_dir = g_strdup(dm->dnsmasq_dir);
  st->pid = dm->pid;
  st->pidfd = dm->pidfd;
  st->children = open_children(dm, dm->pid);
  st->files = files_to_remove(dm);
  dm->pidfd = -1;
  dm->pid = 0;
  if (!stopping)
    stopping = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)stopping_free);
  g_hash_table_insert(stopping, st->conf_path, st);
  if (pidfd_send_signal(st->pidfd, SIGTERM) < 0 && errno == ESRCH) {
    stopping_finish(st, FALSE);
    return TRUE;
  }
  st->watch_id = g_unix_fd_add(st->pidfd, G_IO_IN, on_stopping_exit, st);
  st->timer_id = g_timeout_add(STOP_TERM_WAIT_MS, on_stopping_timeout, st);
  return TRUE;
}
