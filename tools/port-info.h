/* What netctl reads of a port (org.netctl1.NetworkPort's properties), shared
 * by the net-port-* commands and detach-interface. */
#pragma once

#include "client.h"

G_BEGIN_DECLS

typedef struct {
  char *path;
  char *uuid;
  char *mac;
  char *owner;
  char *portgroup; /* "" for none */
  char *device;    /* "" when netctl made no TAP for it */
  char *chardev;   /* a macvtap's /dev/tapN, "" otherwise (or from an older netctld) */
  gboolean plugged;
} NcPortInfo;

void nc_port_info_free(NcPortInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcPortInfo, nc_port_info_free)

NcPortInfo *nc_port_info_get(NcClient *client, const char *path, GError **error);
/* Every port of the network at net_path, sorted by UUID (as virsh). */
GPtrArray *nc_port_info_list(NcClient *client, const char *net_path, GError **error);

G_END_DECLS
