/* A standing OVSDB "monitor" (RFC 7047 section 4.1.5) on OVN's northbound
 * database: NB_Global's external_ids (where the shared definitions live,
 * ovn-defs.h) and the Logical_Switch rows carrying netctl's netctl-uuid mark
 * (a network is active while its switch exists). One connection on the GLib
 * main loop; the server's "echo" probes are answered; on a lost connection it
 * tries the next remote of the list (a clustered NB) after a bounded backoff
 * (0.2 s doubling to 5 s), and asks for the whole state again.
 *
 * The callback runs on the main loop after the first full state and after
 * every update; between a lost connection and the next full state
 * nc_ovn_nb_watch_current() is FALSE and callers read the NB on demand. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _NcOvnNbWatch NcOvnNbWatch;
typedef void (*NcOvnNbWatchFunc)(NcOvnNbWatch *watch, gpointer user_data);

/* remotes: the validated --ovn-nb list (tcp:IPv4:PORT, tcp:[IPv6]:PORT,
 * unix:PATH, separated by commas). Connects at once (asynchronously). */
NcOvnNbWatch *nc_ovn_nb_watch_new(const char *remotes, NcOvnNbWatchFunc func, gpointer user_data);
void nc_ovn_nb_watch_free(NcOvnNbWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcOvnNbWatch, nc_ovn_nb_watch_free)

/* Whether the state below is the NB's (connected, full state received). */
gboolean nc_ovn_nb_watch_current(NcOvnNbWatch *watch);
/* NB_Global's external_ids as an OVSDB map (["map", [...]]), borrowed;
 * NULL before the first state. */
JsonNode *nc_ovn_nb_watch_global(NcOvnNbWatch *watch);
/* Whether a Logical_Switch marked netctl-uuid = net_uuid exists. */
gboolean nc_ovn_nb_watch_has_switch(NcOvnNbWatch *watch, const char *net_uuid);

G_END_DECLS
