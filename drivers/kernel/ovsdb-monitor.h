/* Mirrors, NetFlow and sFlow of a network on its OVS bridge, through the
 * one OVSDB module (ovsdb.h, same socket, marks and return convention).
 *
 * The rows netctl writes carry external_ids netctl-network (the network's
 * name), and a mirror netctl-mirror (its name). A bridge holds at most one
 * NetFlow and one sFlow row: one that is not ours is never replaced (-EBUSY
 * with *ret_detail saying so). Mirror, NetFlow and sFlow are not root
 * tables: a row goes when the bridge no longer refers to it, so removing is
 * dropping the reference. Ports are selected by the Port rows' UUIDs; the
 * references are weak, so a port that goes leaves its mirrors by itself,
 * and a port that comes needs nc_ovsdb_monitor_apply again. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;
  gboolean select_all; /* every port on the bridge, both ways */
  /* Port names, and netctl-portgroup marks (ovsdb.h) whose ports are
   * selected: src = packets the port receives (from the guest), dst =
   * packets it sends (to the guest). NULL-terminated, may be NULL. Names
   * not on the bridge are skipped. */
  const char *const *src_ports, *const *dst_ports;
  const char *const *src_groups, *const *dst_groups;
  const char *output_port; /* a port on the bridge (-ENXIO when absent), or */
  guint output_vlan;       /* 1-4095 */
} NcOvsMirrorSpec;

/* Integers < 0: absent (OVS's default). Targets "IP:PORT" or "[IPv6]:PORT". */
typedef struct {
  const char *const *targets;
  gint64 active_timeout, engine_type, engine_id;
} NcOvsNetflowSpec;

typedef struct {
  const char *const *targets;
  gint64 sampling, polling, header;
  const char *agent; /* NULL: absent */
} NcOvsSflowSpec;

typedef struct {
  const char *bridge;
  const char *network;
  const NcOvsMirrorSpec *mirrors;
  guint n_mirrors;
  const NcOvsNetflowSpec *netflow; /* NULL: none (ours removed) */
  const NcOvsSflowSpec *sflow;
} NcOvsMonitor;

/* Makes the network's rows on the bridge what `m` says, in one transaction:
 * mirrors of ours updated in place, added, or dropped; NetFlow/sFlow set,
 * updated or dropped. -ENODEV: no such bridge; -ENXIO: a mirror's output
 * port is not on the bridge; -EBUSY: the bridge's NetFlow or sFlow is not
 * ours. */
int nc_ovsdb_monitor_apply(const char *socket, const NcOvsMonitor *m, char **ret_detail);

/* Drops every row of the network's on the bridge (0 when there is none, or
 * no such bridge). */
int nc_ovsdb_monitor_remove(const char *socket, const char *bridge, const char *network,
                            char **ret_detail);

G_END_DECLS
