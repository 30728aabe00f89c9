/* Logging with the network's name in every line.
 *
 * Lines read "network 'NAME': message" and carry the name as the structured
 * field NETCTL_NETWORK, so `journalctl NETCTL_NETWORK=lab` selects them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NcNetwork NcNetwork;

void nc_log_network(NcNetwork *net, GLogLevelFlags level, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* For code that knows the name only (drivers). */
void nc_log_network_name(const char *name, GLogLevelFlags level, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

G_END_DECLS
