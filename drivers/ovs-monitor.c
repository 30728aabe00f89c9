/* Mirrors and flow export of OVS networks (see ovs-monitor.h). */
#include "ovs-monitor.h"

#include <errno.h>

#include "nc-error.h"
#include "network-netctl-ovs.h"
#include "ovs-appctl.h"
#include "ovsdb-applied.h"
#include "ovsdb-monitor.h"
#include "ovsdb.h"
#include "port-merge.h"

/* What the kernel layer takes, built from the definition; owns the strings
 * and arrays the specs point to. */
typedef struct {
  NcOvsMonitor m;
  GArray *mirrors;  /* NcOvsMirrorSpec */
  GPtrArray *owned; /* GPtrArrays (NULL-terminated lists) and strings */
  NcOvsNetflowSpec netflow;
  NcOvsSflowSpec sflow;
} Spec;

static void
spec_clear(Spec *s)
{
  g_clear_pointer(&s->mirrors, g_array_unref);
  g_clear_pointer(&s->owned, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Spec, spec_clear)

static const char *const *
list_end(Spec *s, GPtrArray *list)
{
  g_ptr_array_add(list, NULL);
  g_ptr_array_add(s->owned, list);
  return (const char *const *)list->pdata;
}

static const char *const *
targets(Spec *s, const GPtrArray *in)
{
  GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < in->len; i++) {
    const NcFlowTarget *t = in->pdata[i];
    g_ptr_array_add(list, t->v6 ? g_strdup_printf("[%s]:%s", t->address, t->port)
                                : g_strdup_printf("%s:%s", t->address, t->port));
  }
  return list_end(s, list);
}

static gint64
num(const char *v)
{
  return v ? (gint64)g_ascii_strtoull(v, NULL, 10) : -1;
}

static void
mirror_spec(Spec *s, const NcMirror *in)
{
  GPtrArray *lists[4]; /* src ports, dst ports, src groups, dst groups */
  for (int i = 0; i < 4; i++)
    lists[i] = g_ptr_array_new();
  NcOvsMirrorSpec out = { .name = in->name, .output_port = in->output_port };
  if (in->output_vlan)
    out.output_vlan = (guint)num(in->output_vlan);
  for (guint i = 0; i < in->selects->len; i++) {
    const NcMirrorSelect *sel = in->selects->pdata[i];
    if (sel->all) {
      out.select_all = TRUE;
      continue;
    }
    /* src: what the port receives, i.e. from the guest (outbound) */
    gboolean src = sel->direction != NC_MIRROR_DIRECTION_INBOUND;
    gboolean dst = sel->direction != NC_MIRROR_DIRECTION_OUTBOUND;
    int base = sel->port ? 0 : 2;
    const char *what = sel->port ? sel->port : sel->portgroup;
    if (src)
      g_ptr_array_add(lists[base], (gpointer)what);
    if (dst)
      g_ptr_array_add(lists[base + 1], (gpointer)what);
  }
  out.src_ports = list_end(s, lists[0]);
  out.dst_ports = list_end(s, lists[1]);
  out.src_groups = list_end(s, lists[2]);
  out.dst_groups = list_end(s, lists[3]);
  g_array_append_val(s->mirrors, out);
}

static void
spec_init(Spec *s, const NcNetworkDef *def)
{
  const NcNetctlOvs *ovs = nc_network_def_netctl_ovs(def);
  s->mirrors = g_array_new(FALSE, TRUE, sizeof(NcOvsMirrorSpec));
  s->owned = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  s->m.bridge = def->bridge.name;
  s->m.network = def->name;
  for (guint i = 0; ovs && ovs->mirrors && i < ovs->mirrors->len; i++)
    mirror_spec(s, ovs->mirrors->pdata[i]);
  s->m.mirrors = (const NcOvsMirrorSpec *)s->mirrors->data;
  s->m.n_mirrors = s->mirrors->len;
  if (ovs && ovs->netflow) {
    s->netflow = (NcOvsNetflowSpec){
      .targets = targets(s, ovs->netflow->targets),
      .active_timeout = num(ovs->netflow->active_timeout),
      .engine_type = num(ovs->netflow->engine_type),
      .engine_id = num(ovs->netflow->engine_id),
    };
    s->m.netflow = &s->netflow;
  }
  if (ovs && ovs->sflow) {
    s->sflow = (NcOvsSflowSpec){
      .targets = targets(s, ovs->sflow->targets),
      .sampling = num(ovs->sflow->sampling),
      .polling = num(ovs->sflow->polling),
      .header = num(ovs->sflow->header),
      .agent = ovs->sflow->agent,
    };
    s->m.sflow = &s->sflow;
  }
}

gboolean
nc_ovs_monitor_apply(const NcNetworkDef *def, GError **error)
{
  g_auto(Spec) s = { 0 };
  spec_init(&s, def);
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_monitor_apply(socket, &s.m, &detail);
  if (r == 0)
    return TRUE;
  int code = r == -ENXIO || r == -EBUSY || r == -ENODEV ? NC_ERROR_OPERATION_INVALID
             : r == -ENOENT || r == -ECONNREFUSED       ? NC_ERROR_OPERATION_FAILED
                                                        : NC_ERROR_SYSTEM_ERROR;
  g_set_error(error, NC_ERROR, code,
              "network '%s': cannot set up mirrors and flow export on Open vSwitch bridge '%s': "
              "%s",
              def->name, def->bridge.name,
              detail         ? detail
              : r == -ENODEV ? "no such bridge"
                             : g_strerror(-r));
  return FALSE;
}

gboolean
nc_ovs_monitor_update(const NcNetworkDef *def, GError **error)
{
  if (!nc_ovs_monitor_apply(def, error))
    return FALSE;
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_wait_applied(socket, NC_OVS_MONITOR_APPLY_WAIT_MS, &detail);
  if (r < 0) { /* committed all the same: vswitchd applies it when it can */
    g_warning("network '%s': Open vSwitch has not applied its mirrors and flow export yet: %s",
              def->name, detail ? detail : g_strerror(-r));
    return TRUE;
  }
  /* flows cached before the change would go on without (or with) the copies */
  g_autoptr(NcSpawner) spawner = nc_spawner_new();
  g_clear_pointer(&detail, g_free);
  r = nc_ovs_revalidator_purge(spawner, &detail);
  if (r < 0)
    g_warning("network '%s': mirrors changed, but traffic already flowing may not follow until "
              "its cached flows expire: %s",
              def->name, detail ? detail : g_strerror(-r));
  return TRUE;
}

void
nc_ovs_monitor_port_added(const NcNetworkDef *def)
{
  const NcNetctlOvs *ovs = nc_network_def_netctl_ovs(def);
  gboolean by_port = FALSE;
  for (guint i = 0; ovs && ovs->mirrors && i < ovs->mirrors->len; i++) {
    const NcMirror *m = ovs->mirrors->pdata[i];
    for (guint j = 0; j < m->selects->len; j++)
      by_port |= !((NcMirrorSelect *)m->selects->pdata[j])->all;
  }
  g_autoptr(GError) error = NULL;
  if (by_port && !nc_ovs_monitor_apply(def, &error))
    g_warning("%s", error->message);
}

void
nc_ovs_monitor_remove(const NcNetworkDef *def)
{
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_monitor_remove(socket, def->bridge.name, def->name, &detail);
  if (r < 0)
    g_warning("network '%s': cannot remove its mirrors and flow export from '%s': %s", def->name,
              def->bridge.name, detail ? detail : g_strerror(-r));
}

const char *
nc_ovs_port_group(const NcNetworkDef *def, const NcNetworkPortDef *port)
{
  if (port->group)
    return port->group;
  const NcPortGroup *pg = nc_network_def_find_portgroup(def, NULL);
  return pg ? pg->name : NULL;
}
