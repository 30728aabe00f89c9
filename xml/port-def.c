/* Network port model: construction, destruction, copy, string tables and the
 * name checks that parse applies. See port-def.h. */
#include "nc-error.h"
#include "network-check-names.h"
#include "network-xml.h"
#include "port-def.h"

/* -- string tables ---------------------------------------------------------- */

static const char *const plug_type_strings[] = {
  [NC_PORT_PLUG_NONE] = "none",
  [NC_PORT_PLUG_NETWORK] = "network",
  [NC_PORT_PLUG_BRIDGE] = "bridge",
  [NC_PORT_PLUG_DIRECT] = "direct",
  [NC_PORT_PLUG_HOSTDEV_PCI] = "hostdev-pci",
};
G_STATIC_ASSERT(G_N_ELEMENTS(plug_type_strings) == _NC_PORT_PLUG_MAX);

static const char *const macvlan_mode_strings[] = {
  [NC_MACVLAN_MODE_VEPA] = "vepa",
  [NC_MACVLAN_MODE_PRIVATE] = "private",
  [NC_MACVLAN_MODE_BRIDGE] = "bridge",
  [NC_MACVLAN_MODE_PASSTHROUGH] = "passthrough",
};
G_STATIC_ASSERT(G_N_ELEMENTS(macvlan_mode_strings) == _NC_MACVLAN_MODE_MAX);

static const NcEnumTable port_enum_tables[] = {
  { "NcPortPlugType", _NC_PORT_PLUG_MAX, plug_type_strings },
  { "NcMacvlanMode", _NC_MACVLAN_MODE_MAX, macvlan_mode_strings },
};

static int
lookup(const char *const *strings, int max, const char *s)
{
  if (!s)
    return -1;
  for (int i = 0; i < max; i++) {
    if (strings[i] && g_str_equal(strings[i], s))
      return i;
  }
  return -1;
}

const char *
nc_port_plug_type_to_string(NcPortPlugType v)
{
  return (int)v >= 0 && v < _NC_PORT_PLUG_MAX ? plug_type_strings[v] : NULL;
}

int
nc_port_plug_type_from_string(const char *s)
{
  return lookup(plug_type_strings, _NC_PORT_PLUG_MAX, s);
}

const char *
nc_macvlan_mode_to_string(NcMacvlanMode v)
{
  return (int)v >= 0 && v < _NC_MACVLAN_MODE_MAX ? macvlan_mode_strings[v] : NULL;
}

int
nc_macvlan_mode_from_string(const char *s)
{
  return lookup(macvlan_mode_strings, _NC_MACVLAN_MODE_MAX, s);
}

const NcEnumTable *
nc_port_enum_tables(gsize *ret_n)
{
  *ret_n = G_N_ELEMENTS(port_enum_tables);
  return port_enum_tables;
}

/* -- life cycle ------------------------------------------------------------- */

NcNetworkPortDef *
nc_network_port_def_new(void)
{
  return g_new0(NcNetworkPortDef, 1);
}

void
nc_network_port_def_free(NcNetworkPortDef *def)
{
  if (!def)
    return;
  g_free(def->owner_name);
  g_free(def->group);
  nc_virtualport_free(def->virtualport);
  nc_bandwidth_free(def->bandwidth);
  nc_vlan_free(def->vlan);
  g_free(def->plug_bridge.brname);
  g_free(def->plug_direct.linkdev);
  g_free(def->source_file);
  g_free(def);
}


NcNetworkPortDef *
nc_network_port_def_copy(const NcNetworkPortDef *def)
{
  NcNetworkPortDef *copy = g_memdup2(def, sizeof(*def));

  /* Scalars and fixed arrays came with the memdup; now the owned parts. */
  copy->owner_name = g_strdup(def->owner_name);
  copy->group = g_strdup(def->group);
  copy->virtualport = nc_virtualport_copy(def->virtualport);
  copy->bandwidth = nc_bandwidth_copy(def->bandwidth);
  copy->vlan = nc_vlan_copy(def->vlan);
  copy->plug_bridge.brname = g_strdup(def->plug_bridge.brname);
  copy->plug_direct.linkdev = g_strdup(def->plug_direct.linkdev);
  copy->source_file = g_strdup(def->source_file);
  return copy;
}

/* -- name checks ------------------------------------------------------------ */

static gboolean
check_one(const char *why, const NcNetworkPortDef *def, guint line, const char *what,
          const char *value, const char *expected, GError **error)
{
  g_autofree char *escaped = NULL;

  if (!why)
    return TRUE;
  escaped = nc_name_escape(value);
  nc_xml_set_error(error, NC_ERROR_XML_ERROR, def->source_file, line, NULL,
                   "%s '%s' %s (expected %s)", what, escaped, why, expected);
  return FALSE;
}

gboolean
nc_network_port_def_check(const NcNetworkPortDef *def, GError **error)
{
  static const char ifname_expected[] = "a Linux interface name";

  /* The owner is a domain name: it may name state files and appear in
   * command arguments, so the same rules as a network name apply. */
  if (!check_one(nc_name_check_network(def->owner_name), def, def->owner_line, "<owner>: <name>",
                 def->owner_name,
                 "a domain name without '/', control "
                 "characters or leading dot or space",
                 error))
    return FALSE;
  /* The group must name one of the network's portgroups, so it follows the
   * portgroup name rules. */
  if (def->group
      && !check_one(nc_name_check_label(def->group), def, def->group_line, "<group>", def->group,
                    "a portgroup name of 1-255 characters without control characters", error))
    return FALSE;

  switch (def->plug_type) {
  case NC_PORT_PLUG_NETWORK:
  case NC_PORT_PLUG_BRIDGE:
    return check_one(nc_name_check_ifname(def->plug_bridge.brname, FALSE), def, def->plug_line,
                     "<plug>: bridge", def->plug_bridge.brname, ifname_expected, error);
  case NC_PORT_PLUG_DIRECT:
    return check_one(nc_name_check_ifname(def->plug_direct.linkdev, FALSE), def, def->plug_line,
                     "<plug>: dev", def->plug_direct.linkdev, ifname_expected, error);
  case NC_PORT_PLUG_NONE:
  case NC_PORT_PLUG_HOSTDEV_PCI:
  case _NC_PORT_PLUG_MAX:
    break;
  }
  return TRUE;
}
