/* This host as an OVN chassis: what ovn-controller reads from the local
 * Open vSwitch database (Open_vSwitch external_ids, its integration bridge)
 * and whether the
 * southbound database has registered it. Read-only; through the OVSDB
 * client (ovsdb-rpc.h). Returns 0 or -errno; *ret_detail as ovsdb.h. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *system_id;      /* external_ids:system-id, NULL: unset */
  char *remote;         /* external_ids:ovn-remote (the SB) */
  char *encap_type;     /* external_ids:ovn-encap-type */
  char *encap_ip;       /* external_ids:ovn-encap-ip */
  char *dp_type;        /* external_ids:ovn-bridge-datapath-type */
  char *bridge;         /* the integration bridge: external_ids:ovn-bridge, else br-int */
  gboolean has_bridge;  /* the integration bridge exists */
  char *bridge_dp_type; /* its datapath_type ("" when OVS's default, system) */
} NcOvnChassisConfig;

void nc_ovn_chassis_config_clear(NcOvnChassisConfig *c);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NcOvnChassisConfig, nc_ovn_chassis_config_clear)

/* The integration bridge's name when external_ids:ovn-bridge is unset
 * (ovn-controller's default). */
#define NC_OVN_DEFAULT_BRIDGE "br-int"

/* Reads the local configuration from the Open vSwitch database at socket,
 * in one transaction. An ovn-bridge that is not a valid bridge name is
 * -EINVAL (*ret_detail says so): it would reach OVSDB and plugs. */
int nc_ovn_chassis_config_read(const char *socket, NcOvnChassisConfig *ret, char **ret_detail);

/* Whether the SB at sb (a remote list as ovn-nb.h's) has a Chassis named
 * system_id with an encapsulation. */
int nc_ovn_chassis_registered(const char *sb, const char *system_id, gboolean *ret_registered,
                              char **ret_detail);

G_END_DECLS
