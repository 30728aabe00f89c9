/* netctl's D-Bus client of netctld (bus name org.netctl1 on the system bus,
 * which honours DBUS_SYSTEM_BUS_ADDRESS).
 *
 * Every failing call returns FALSE/NULL with a GError in the NC_ERROR domain:
 * remote org.netctl.Error.* names are mapped back to their NcErrorCode and the
 * GDBus "GDBus.Error:name: " prefix is stripped, so the message is the
 * daemon's own text. A daemon that is not on the bus (or a bus that is not
 * there) gives NC_ERROR_RPC with a one-line hint. Returned strings and arrays
 * belong to the caller. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NC_BUS_NAME "org.netctl1"
#define NC_CONNECT_PATH "/org/netctl1"
#define NC_CONNECT_IFACE "org.libvirt.Connect"
#define NC_NETWORK_IFACE "org.libvirt.Network"

#define NC_CLIENT_UNREACHABLE_HINT                                                                 \
  "cannot reach netctld on the system bus (is netctld running? start it with 'netctld' or "        \
  "'systemctl start netctld')"

typedef struct _NcClient NcClient;

NcClient *nc_client_new(GError **error);
void nc_client_free(NcClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcClient, nc_client_free)

GDBusConnection *nc_client_get_bus(NcClient *client);

/* Turns a GDBus error into the NC_ERROR form described above (in place). */
void nc_client_fix_error(GError **error);

/* A method call on org.netctl1; reply_type may be NULL. */
GVariant *nc_client_call(NcClient *client, const char *path, const char *iface, const char *method,
                         GVariant *params, const GVariantType *reply_type, GError **error);

/* What the org.libvirt.Network properties say about one network. */
typedef struct {
  char *path;
  char *name;
  char *uuid;
  char *bridge; /* "" when the network has no bridge */
  gboolean active;
  gboolean persistent;
  gboolean autostart;
} NcNetInfo;
void nc_net_info_free(NcNetInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNetInfo, nc_net_info_free)

NcNetInfo *nc_client_get_info(NcClient *client, const char *path, GError **error);

/* ListNetworks(flags) then the properties of every network, fetched in
 * parallel. Networks that vanish in between are left out. Array of NcNetInfo*,
 * in the daemon's order. */
GPtrArray *nc_client_list(NcClient *client, guint flags, GError **error);

/* Lookup as virsh does: a 36-character argument is tried as a UUID first,
 * then as a name (when by_name). The error is the name lookup's. */
typedef enum {
  NC_LOOKUP_BY_UUID = 1 << 0,
  NC_LOOKUP_BY_NAME = 1 << 1,
} NcLookupFlags;
char *nc_client_lookup(NcClient *client, const char *arg, guint flags, GError **error);

/* Object path -> "xxxxxxxx-xxxx-..." (NULL when the path is not a network's). */
char *nc_client_path_to_uuid(const char *path);

G_END_DECLS
