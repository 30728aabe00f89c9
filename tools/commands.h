/* netctl subcommands. Each returns the process exit status:
 * 0 success, 1 failure (message already on stderr), 2 usage error. */
#pragma once

#include <glib.h>

#include "client.h"

/* What a command that talks to the daemon gets from main(): the global
 * options and the connection, opened on first use. */
typedef struct {
  gboolean quiet;      /* -q: no headers, no informational messages (virsh -q) */
  gboolean no_trailer; /* set by a command whose output must end exactly (--json, --help) */
  NcClient *client;
} NcCtl;

/* The connection, opened on first use; NULL after printing the error. */
NcClient *nc_ctl_client(NcCtl *ctl);

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);                 /* offline commands */
  int (*run_ctl)(NcCtl *ctl, int argc, char **argv); /* daemon commands */
  const char *summary;
  gboolean needs_daemon;
} NcCommand;

/* Offline commands (no daemon). */
int nc_cmd_net_validate(int argc, char **argv);

struct _NcArgs;
/* The object path of the network named by --network (name or UUID as
 * `lookup` (NcLookupFlags) allows); prints virsh's pair of errors and
 * returns NULL. */
char *nc_ctl_lookup_network(NcCtl *ctl, const struct _NcArgs *args, guint lookup,
                            const char **ret_arg);

/* cmd-network.c */
int nc_cmd_net_define(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_create(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_start(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_destroy(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_undefine(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_autostart(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_info(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_dumpxml(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_uuid(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_name(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_update(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_dhcp_leases(NcCtl *ctl, int argc, char **argv);
/* cmd-list.c */
int nc_cmd_net_list(NcCtl *ctl, int argc, char **argv);
/* cmd-event.c */
int nc_cmd_net_event(NcCtl *ctl, int argc, char **argv);
/* direct-note.c: net-info's and net-port-list --details' line about macvtap
 * networks (the host cannot reach its macvtap guests). */
void nc_print_direct_note(NcCtl *ctl, const char *net_path);
/* cmd-port.c */
int nc_cmd_net_port_create(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_port_list(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_port_dumpxml(NcCtl *ctl, int argc, char **argv);
int nc_cmd_net_port_delete(NcCtl *ctl, int argc, char **argv);
/* cmd-attach.c */
int nc_cmd_attach_interface(NcCtl *ctl, int argc, char **argv);
int nc_cmd_detach_interface(NcCtl *ctl, int argc, char **argv);
/* cmd-edit.c */
int nc_cmd_net_edit(NcCtl *ctl, int argc, char **argv);
