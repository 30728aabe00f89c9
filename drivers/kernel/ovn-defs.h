/* OVN network definitions kept in OVN's northbound database, so that every
 * netctld pointed at the same NB sees the same networks (issue 14 part 2).
 *
 * Where: the single NB_Global row's external_ids, two keys per network
 * (NB_Global always exists, while a stopped network has no switch):
 *   netctl-definition-UUID  the canonical (inactive) XML
 *   netctl-version-UUID     a decimal counter, +1 on each change
 *   netctl-autostart-UUID   "yes" when autostart is set (absent: off); a
 *                           change of it is a change (+1, same condition)
 * Writers are serialised by OVSDB itself: a change carries a "wait" on the
 * version the writer last saw, so of two hosts changing the same network
 * at once one commit fails (-ESTALE) instead of silently overwriting.
 *
 * Returns 0 or -errno (kernel-layer convention); ret_detail as ovn-nb.h. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char *net_uuid;
  char *xml;
  guint64 version;
  gboolean autostart;
} NcOvnNbDef;

void nc_ovn_nb_def_free(NcOvnNbDef *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcOvnNbDef, nc_ovn_nb_def_free)

/* Stores xml as net_uuid's definition. seen_version is the version this
 * host last read (0: the network is new to the NB). -ESTALE when the NB's
 * version is not seen_version any more (or a new network is already there):
 * another host changed it meanwhile; *ret_version is the new version. */
int nc_ovn_nb_def_put(const char *nb, const char *net_uuid, const char *xml, guint64 seen_version,
                      guint64 *ret_version, char **ret_detail);

/* Removes net_uuid's definition when its version is still seen_version
 * (0: there must be none; then nothing to do). -ESTALE as above. */
int nc_ovn_nb_def_delete(const char *nb, const char *net_uuid, guint64 seen_version,
                         guint64 *ret_version, char **ret_detail);

/* Sets or clears net_uuid's autostart flag on the same condition (-ESTALE);
 * -ENOENT when the network is not defined in the NB. */
int nc_ovn_nb_def_set_autostart(const char *nb, const char *net_uuid, gboolean autostart,
                                guint64 seen_version, guint64 *ret_version, char **ret_detail);

/* Every definition in the NB, as NcOvnNbDef* (owned by the array). */
int nc_ovn_nb_def_list(const char *nb, GPtrArray **ret_defs, char **ret_detail);
/* The same from NB_Global's external_ids map (as the monitor holds it). */
GPtrArray *nc_ovn_nb_defs_from_map(JsonNode *map);
/* The netctl-uuid marks of every Logical_Switch in the NB (the networks
 * active there), a set of strings (caller unrefs). */
int nc_ovn_nb_active_list(const char *nb, GHashTable **ret_active, char **ret_detail);

G_END_DECLS
