/* Bridge names for networks that own their bridge (none/nat/route/open):
 * "virbr%d" (or the user's "%d" template) with the lowest free number, as
 * libvirt's networkFindUnusedBridgeName does. libvirt stops at virbr256; we
 * go on (a host with a thousand networks is a benchmark, not a mistake), and
 * collect the names in use once instead of scanning every network per
 * candidate. */
#include <net/if.h>
#include <string.h>

#include "nc-daemon-private.h"
#include "nc-error.h"

#define MAX_BRIDGE_ID 65536

static gboolean
def_uses_bridge(const NcNetworkDef *def, const char *bridge)
{
  return def && def->bridge.name && g_str_equal(def->bridge.name, bridge);
}

NcNetwork *
nc_bridge_name_user(NcDaemon *daemon, const char *bridge, const char *self)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, daemon->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    NcNetwork *net = value;
    if (self && g_str_equal(net->def->name, self))
      continue;
    if (def_uses_bridge(net->def, bridge) || def_uses_bridge(net->new_def, bridge))
      return net;
  }
  return NULL;
}

/* Exactly one "%d" and no other conversion. */
static gboolean
is_template(const char *name)
{
  const char *p = strstr(name, "%d");
  return p && !strchr(p + 2, '%') && (p == name || !memchr(name, '%', p - name));
}

/* Bridge names of every network but `self` (borrowed strings). */
static GHashTable *
names_in_use(NcDaemon *daemon, const char *self)
{
  GHashTable *set = g_hash_table_new(g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, daemon->by_name);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    NcNetwork *net = value;
    if (self && g_str_equal(net->def->name, self))
      continue;
    if (net->def->bridge.name)
      g_hash_table_add(set, net->def->bridge.name);
    if (net->new_def && net->new_def->bridge.name)
      g_hash_table_add(set, net->new_def->bridge.name);
  }
  return set;
}

gboolean
nc_bridge_name_assign(NcDaemon *daemon, NcNetworkDef *def, const char *prefer, GError **error)
{
  if (!nc_network_def_traits(def)->own_bridge)
    return TRUE; /* a host bridge keeps the name given; pools have none */

  const char *name = def->bridge.name;
  if (name && !is_template(name)) {
    if (strchr(name, '%')) {
      g_set_error(error, NC_ERROR, NC_ERROR_XML_ERROR,
                  "network '%s': bridge name '%s' may contain '%%d' once and no other '%%'",
                  def->name, name);
      return FALSE;
    }
    NcNetwork *other = nc_bridge_name_user(daemon, name, def->name);
    if (other) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                  "network '%s': bridge name '%s' already in use by network '%s'", def->name, name,
                  other->def->name);
      return FALSE;
    }
    return TRUE;
  }

  const char *template = name ? name : "virbr%d";
  /* The bridge a redefined network already has: its own device exists, so the
   * scan below would skip it. */
  if (prefer && !name) {
    if (!nc_bridge_name_user(daemon, prefer, def->name)) {
      g_free(def->bridge.name);
      def->bridge.name = g_strdup(prefer);
      def->bridge.has_element = TRUE;
      return TRUE;
    }
  }
  g_autoptr(GHashTable) used = names_in_use(daemon, def->name);
  for (int id = 0; id < MAX_BRIDGE_ID; id++) {
    g_autofree char *candidate = g_strdup_printf(template, id);
    if (strlen(candidate) >= IFNAMSIZ)
      break;
    /* A device we cannot check counts as taken: better skip a name than
     * collide at start. */
    if (g_hash_table_contains(used, candidate) || nc_link_exists(daemon->kernel, candidate) != 0)
      continue;
    g_free(def->bridge.name);
    def->bridge.name = g_steal_pointer(&candidate);
    def->bridge.has_element = TRUE;
    return TRUE;
  }
  g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR,
              "network '%s': no free bridge name for template '%s' (tried %d numbers)", def->name,
              template, MAX_BRIDGE_ID);
  return FALSE;
}
