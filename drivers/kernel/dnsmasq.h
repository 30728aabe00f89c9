/* Runs dnsmasq for one managed-bridge network.
 *
 * Files, as libvirt lays them out: dnsmasq_dir/NAME.conf (mode 0600),
 * NAME.hostsfile and NAME.addnhosts (0644: dnsmasq re-reads them on SIGHUP
 * after dropping root), BRIDGE.status (the lease database, kept by the lease
 * helper) and BRIDGE.macs; pid_dir/NAME.pid. All written atomically. Unlike
 * libvirt (--leasefile-ro, leases read back through the helper's `init` at
 * every start) dnsmasq also keeps NAME.leases, which netctld writes from
 * BRIDGE.status before each start: the same leases, without a shell and a
 * helper run on the way.
 *
 * dnsmasq daemonizes itself (as under libvirt): it only returns once it is
 * listening and has written its pid file, so start-up errors come back with
 * its own message, and it keeps running when netctld exits. netctld then
 * supervises it through a pidfd watched from the main loop: a dnsmasq that
 * dies is restarted with exponential backoff (0.5 s doubling to 30 s, reset
 * after it has run for 60 s). After a daemon restart, nc_dnsmasq_adopt takes
 * the running dnsmasq back without touching it. A pid is only ever signalled
 * after /proc/PID/cmdline shows dnsmasq with our --conf-file, through a pidfd,
 * so a recycled pid is never killed.
 *
 * Unlike the rest of the kernel layer these return gboolean + GError: what
 * went wrong is dnsmasq's own message, which the user needs to see.
 * Used from the main loop thread only. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "network-def.h"
#include "pid-watch.h"
#include "spawn.h"

G_BEGIN_DECLS

/* The oldest dnsmasq netctl runs (libvirt's minimum: IPv6 lease events). */
#define NC_DNSMASQ_MIN_VERSION_MAJOR 2
#define NC_DNSMASQ_MIN_VERSION_MINOR 67

typedef struct _NcDnsmasq NcDnsmasq;

/* What is known of the dnsmasq binary: the one that last passed the version
 * check, so the check runs once per binary, not on every start. Owned by
 * the caller (the drivers' runtime), shared by the NcDnsmasq of every
 * network, used from the main loop thread only. */
typedef struct _NcDnsmasqProbe NcDnsmasqProbe;
NcDnsmasqProbe *nc_dnsmasq_probe_new(void);
void nc_dnsmasq_probe_free(NcDnsmasqProbe *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDnsmasqProbe, nc_dnsmasq_probe_free)

typedef struct {
  const char *network_name; /* the files are named nc_dnsmasq_file_base(name) */
  const char *bridge;       /* VIR_BRIDGE_NAME: names the status and macs files */
  const char *dnsmasq_dir;  /* configuration, hosts and lease files */
  const char *pid_dir;      /* NAME.pid */
  /* NULL: $NETCTL_DNSMASQ, else "dnsmasq" from PATH. */
  const char *dnsmasq_path;
  /* NULL: $NETCTL_LEASESHELPER, else the build tree's helper when netctld runs from
   * its build tree, else the installed libexecdir/netctl-leaseshelper. */
  const char *helper_path;
  NcSpawner *spawner; /* NULL: a real spawner of its own; else borrowed */
  /* Borrowed, may be NULL: the version is then checked on this object's
   * first start; with one, once per binary (path, inode, size, times). */
  NcDnsmasqProbe *probe;
  /* Borrowed, may be NULL: the set dnsmasq's exit is watched in; without
   * one, a main-loop source of its own. */
  NcPidWatch *pid_watch;
} NcDnsmasqOptions;

/* Called (from the main loop) when the supervisor restarted dnsmasq (new pid)
 * or failed to (pid 0, another attempt is scheduled), so the caller can save
 * the pid in its live state. */
typedef void (*NcDnsmasqNotify)(NcDnsmasq *dnsmasq, pid_t pid, gpointer user_data);

/* Copies the options. Starts nothing. */
NcDnsmasq *nc_dnsmasq_new(const NcDnsmasqOptions *opts);
/* Stops supervising; dnsmasq keeps running (the next daemon adopts it). */
void nc_dnsmasq_free(NcDnsmasq *dnsmasq);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcDnsmasq, nc_dnsmasq_free)

void nc_dnsmasq_set_notify(NcDnsmasq *dnsmasq, NcDnsmasqNotify func, gpointer user_data);

/* 0 when dnsmasq is not running (stopped, or waiting to be restarted). */
pid_t nc_dnsmasq_get_pid(NcDnsmasq *dnsmasq);
const char *nc_dnsmasq_get_conf_path(NcDnsmasq *dnsmasq);
const char *nc_dnsmasq_get_pid_path(NcDnsmasq *dnsmasq);
/* How many times the supervisor restarted dnsmasq. */
guint nc_dnsmasq_get_restart_count(NcDnsmasq *dnsmasq);

/* Runs `dnsmasq --version`: NC_ERROR_NO_SUPPORT when dnsmasq is missing or
 * older than 2.67, with what to install. ret_version may be NULL. */
gboolean nc_dnsmasq_check_version(NcSpawner *spawner, const char *dnsmasq_path, char **ret_version,
                                  GError **error);

/* Writes the files for def and starts dnsmasq (the version is checked on the
 * first start, or once per binary with a probe). A network that needs no dnsmasq (nc_dnsmasq_conf_build's
 * `needed`) gets no files and no process: TRUE with pid 0. On failure
 * nothing is left running and the files are removed. */
gboolean nc_dnsmasq_start(NcDnsmasq *dnsmasq, const NcNetworkDef *def, GError **error);

/* Rewrites the files for def. ret_conf_changed: NAME.conf differs from what
 * was there (dnsmasq must restart); ret_hosts_changed: only the hosts files
 * differ (SIGHUP is enough). Either may be NULL. */
gboolean nc_dnsmasq_update_files(NcDnsmasq *dnsmasq, const NcNetworkDef *def,
                                 gboolean *ret_conf_changed, gboolean *ret_hosts_changed,
                                 GError **error);
/* SIGHUP: dnsmasq re-reads the hostsfile and addnhosts. */
gboolean nc_dnsmasq_reload(NcDnsmasq *dnsmasq, GError **error);
/* update_files, then SIGHUP when only hosts changed, a restart when the
 * configuration did, nothing otherwise. */
gboolean nc_dnsmasq_apply(NcDnsmasq *dnsmasq, const NcNetworkDef *def, GError **error);

/* After a daemon restart: the dnsmasq named by the pid file (or pid_hint when
 * the file is gone; 0 for none), if it is ours, is watched again untouched;
 * otherwise files are rewritten and dnsmasq started. */
gboolean nc_dnsmasq_adopt(NcDnsmasq *dnsmasq, const NcNetworkDef *def, pid_t pid_hint,
                          GError **error);

/* SIGTERM (SIGKILL after 2 s) to our dnsmasq, found by the running process we
 * supervise or, after a restart, by the pid file; then removes NAME.conf,
 * NAME.hostsfile, NAME.addnhosts, NAME.pid, NAME.leases (legacy),
 * BRIDGE.status and BRIDGE.macs. Stopping a stopped dnsmasq is fine. */
gboolean nc_dnsmasq_stop(NcDnsmasq *dnsmasq, GError **error);
/* The same without waiting: SIGTERM to the supervised dnsmasq, and the rest
 * (SIGKILL after 2 s, its lease-helper children, the files) from the main
 * loop once it exits, so net-destroy answers at once. A later start, adopt
 * or file update of the same network finishes the stop first. Falls back to
 * nc_dnsmasq_stop for a dnsmasq it does not watch through a pidfd. */
gboolean nc_dnsmasq_stop_deferred(NcDnsmasq *dnsmasq, GError **error);
/* Finishes a deferred stop of this network's dnsmasq now (blocking, bounded). */
void nc_dnsmasq_settle(NcDnsmasq *dnsmasq);
/* Finishes every deferred stop (daemon exit). */
void nc_dnsmasq_settle_all(void);

/* -- for tests ----------------------------------------------------------------- */

/* The first restart delay and its cap, in milliseconds (default 500, 30000). */
void nc_dnsmasq_set_backoff(NcDnsmasq *dnsmasq, guint initial_ms, guint max_ms);

G_END_DECLS
