/* NcDriverRuntime: the objects drivers keep for running networks between
 * vtable calls, owned by the daemon. Only the managed-bridge driver has any
 * so far (a supervised dnsmasq and a lease watch per network). */
#include "virtual-private.h"

struct _NcDriverRuntime {
  GHashTable *runs; /* network name -> NcVirtualRun* */
  NcDnsmasqProbe *dnsmasq_probe; /* shared by every network's dnsmasq */
  NcPidWatch *pid_watch;         /* every dnsmasq's exit, one main-loop source */
  NcLeaseChangedFunc lease_changed;
  gpointer user_data;
};

typedef struct {
  NcVirtualRun pub;
  NcDriverRuntime *runtime;
  char *name;
} Run;

static void
run_free(gpointer data)
{
  Run *run = data;
  g_clear_pointer(&run->pub.watch, nc_lease_watch_free);
  g_clear_pointer(&run->pub.dnsmasq, nc_dnsmasq_free);
  g_free(run->name);
  g_free(run);
}

NcDriverRuntime *
nc_driver_runtime_new(NcLeaseChangedFunc lease_changed, gpointer user_data)
{
  NcDriverRuntime *rt = g_new0(NcDriverRuntime, 1);
  rt->runs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, run_free);
  rt->lease_changed = lease_changed;
  rt->user_data = user_data;
  rt->dnsmasq_probe = nc_dnsmasq_probe_new();
  rt->pid_watch = nc_pid_watch_new();
  return rt;
}

void
nc_driver_runtime_free(NcDriverRuntime *rt)
{
  if (!rt)
    return;
  nc_dnsmasq_settle_all(); /* stops still under way finish before we go */
  g_hash_table_unref(rt->runs); /* their dnsmasq leave the pid watch */
  nc_dnsmasq_probe_free(rt->dnsmasq_probe);
  nc_pid_watch_free(rt->pid_watch);
  g_free(rt);
}

NcDnsmasqProbe *
nc_driver_runtime_dnsmasq_probe(NcDriverRuntime *rt)
{
  return rt ? rt->dnsmasq_probe : NULL;
}

NcPidWatch *
nc_driver_runtime_pid_watch(NcDriverRuntime *rt)
{
  return rt ? rt->pid_watch : NULL;
}

NcVirtualRun *
nc_driver_runtime_lookup(NcDriverRuntime *rt, const char *name)
{
  return rt ? g_hash_table_lookup(rt->runs, name) : NULL;
}

NcVirtualRun *
nc_driver_runtime_ensure(NcDriverRuntime *rt, const char *name)
{
  Run *run = g_hash_table_lookup(rt->runs, name);
  if (!run) {
    run = g_new0(Run, 1);
    run->runtime = rt;
    run->name = g_strdup(name);
    g_hash_table_insert(rt->runs, run->name, run);
  }
  return &run->pub;
}

void
nc_driver_runtime_remove(NcDriverRuntime *rt, const char *name)
{
  if (rt)
    g_hash_table_remove(rt->runs, name);
}

static void
on_leases_changed(gpointer user_data)
{
  Run *run = user_data;
  run->runtime->lease_changed(run->name, run->runtime->user_data);
}

void
nc_driver_runtime_watch_leases(NcDriverRuntime *rt, const char *name, const char *dnsmasq_dir,
                               const char *bridge)
{
  if (!rt || !rt->lease_changed)
    return;
  Run *run = (Run *)nc_driver_runtime_ensure(rt, name);
  if (run->pub.watch)
    return;
  run->pub.watch = nc_lease_watch_new(dnsmasq_dir, bridge, on_leases_changed, run);
  if (!run->pub.watch) {
    g_debug("network '%s': cannot watch the leases of bridge %s", name, bridge);
    return;
  }
  /* Once now, so the daemon learns the leases an adopted network already
   * has (and does not signal them as new on the first change). */
  on_leases_changed(run);
}
