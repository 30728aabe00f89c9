/* Open vSwitch's database (OVSDB): the one module that reaches it.
 *
 * It speaks the OVSDB management protocol (RFC 7047: JSON-RPC over the
 * database's unix socket, json-glib for the JSON) rather than running
 * ovs-vsctl through the spawner. Measured on bench/ovs.sh (bench/RESULTS.md)
 * with the same work per port: `ovs-vsctl add-port` + `del-port` (what a
 * spawner-based module would run, one process per change) managed 1-2.5
 * cycles/s, these transactions from a client 80-100/s. ovs-vsctl forks and
 * execs, downloads every Bridge, Port and Interface row it may touch (its
 * cost grows with the ports on the switch) and waits for vswitchd's whole
 * reconfiguration round (next_cfg/cur_cfg); a transaction here names the
 * rows it touches and waits only for the one interface's ofport.
 *
 * The socket is found as ovs-vsctl finds it: $OVS_RUNDIR/db.sock, else
 * /var/run/openvswitch/db.sock.
 *
 * What netctl adds is marked as its own: the Port's and the Interface's
 * external_ids carry netctl-port (the port's uuid) and netctl-network (the
 * network's name). Nothing without the mark is changed or deleted.
 *
 * Functions return 0 or -errno (kernel-layer convention) and log at debug
 * level at most; where OVS itself reported a reason (an Interface's `error`
 * column, a transaction error) it is returned in *ret_detail (caller frees,
 * may be NULL). Every wait is bounded (NC_OVSDB_TIMEOUT_MS). Used from the
 * main loop thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NC_OVSDB_TIMEOUT_MS 10000
/* How long a start waits for vswitchd to have opened a bridge. */
#define NC_OVSDB_BRIDGE_WAIT_MS 3000

/* $OVS_RUNDIR/db.sock or /var/run/openvswitch/db.sock. Caller frees. */
char *nc_ovsdb_default_socket(void);

/* The bridge `bridge` exists and vswitchd runs it: -ENOENT/-ECONNREFUSED
 * when OVS is not running (no database socket, nobody listening), -ENODEV
 * when there is no such bridge, -EIO when vswitchd has not opened its
 * datapath within NC_OVSDB_BRIDGE_WAIT_MS (a "system" datapath without the
 * kernel module, or no vswitchd) or its local interface has an error
 * (*ret_detail says which). */
int nc_ovsdb_bridge_check(const char *socket, const char *bridge, char **ret_detail);

/* A port as netctl puts it on an OVS bridge. Strings are borrowed. */
typedef struct {
  const char *bridge;
  const char *name;      /* the Port's and the Interface's name (the device) */
  const char *network;   /* netctl-network mark */
  const char *port_uuid; /* netctl-port mark */
  /* Interface external_ids as libvirt writes them (NULL: not written). */
  const char *iface_id;     /* the port's interfaceid */
  const char *attached_mac; /* the guest's MAC */
  const char *vm_id;        /* the owner's uuid */
  const char *profileid;    /* <virtualport><parameters profileid=>: Port external_ids
                             * port-profile, as libvirt's virNetDevOpenvswitchAddPort */
  const char *portgroup;    /* Port external_ids netctl-portgroup: the port's portgroup,
                             * which mirrors select by (ovsdb-monitor.h); NULL: none */
  /* VLANs: tag 0 with no trunks: none. */
  guint tag;           /* access tag or the native VLAN */
  const guint *trunks; /* n_trunks VLAN ids */
  guint n_trunks;
  const char *vlan_mode; /* NULL (OVS's default), "access", "trunk", "native-tagged",
                          * "native-untagged" */
  /* Traffic to the guest: a linux-htb QoS row with one queue; 0: none.
   * Bits per second. */
  guint64 in_max_rate;
  guint64 in_burst; /* bits; 0: OVS's default */
} NcOvsPort;

/* Adds the port (with its Interface) to its bridge, or, when a port of that
 * name is already ours, brings its columns up to date. Waits (bounded) until
 * vswitchd has opened the interface and checks its `error` column: -EIO with
 * the error in *ret_detail (the port is removed again when it was new).
 * -EEXIST when a port of that name exists and is not ours (or is on another
 * bridge). */
int nc_ovsdb_port_add(const char *socket, const NcOvsPort *port, char **ret_detail);
/* The same, also giving the Port row's _uuid (for nc_ovsdb_port_del_uuid;
 * caller frees) and the interface's OpenFlow port number (for a meter),
 * both known from the add's replies at no extra cost. Either may be NULL.
 * The insert and the wait for vswitchd go out together (one round trip). */
int nc_ovsdb_port_add_full(const char *socket, const NcOvsPort *port, char **ret_ovs_uuid,
                           int *ret_ofport, char **ret_detail);

/* Removes the port `name` from whatever bridge holds it, with its QoS rows,
 * when its netctl-port mark is port_uuid. 0 when there is no such port or it
 * is not ours (left alone). */
int nc_ovsdb_port_del(const char *socket, const char *name, const char *port_uuid,
                      char **ret_detail);
/* The same in one transaction when ovs_uuid (from nc_ovsdb_port_add_full)
 * still names a Port row marked as port_uuid's; otherwise (NULL, or a row
 * gone or replaced, as after a restart) as nc_ovsdb_port_del. */
int nc_ovsdb_port_del_uuid(const char *socket, const char *name, const char *port_uuid,
                           const char *ovs_uuid, char **ret_detail);

/* The OpenFlow port number vswitchd gave interface `name` (-1: it failed
 * to open it). -ENODEV when there is no such interface. */
int nc_ovsdb_interface_ofport(const char *socket, const char *name, int *ret_ofport);

/* The ports on `bridge` marked as network's (NULL: every port carrying a
 * netctl-port mark): *ret_ports gets name -> netctl-port uuid (caller
 * unrefs). */
int nc_ovsdb_list_ports(const char *socket, const char *bridge, const char *network,
                        GHashTable **ret_ports, char **ret_detail);

G_END_DECLS
