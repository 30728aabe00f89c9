/* NcNetworkPortDef -> <networkport> XML, as libvirt's
 * virNetworkPortDefFormatBuf writes it. */
#include "netdev-format.h"
#include "port-def.h"

/* virBufferEscapeString: the five XML specials become entities and control
 * characters other than tab, newline and carriage return are dropped. */
static void
append_escaped(GString *buf, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '<':
      g_string_append(buf, "&lt;");
      break;
    case '>':
      g_string_append(buf, "&gt;");
      break;
    case '&':
      g_string_append(buf, "&amp;");
      break;
    case '"':
      g_string_append(buf, "&quot;");
      break;
    case '\'':
      g_string_append(buf, "&apos;");
      break;
    default:
      if ((guchar)*s >= 0x20 || *s == '\t' || *s == '\n' || *s == '\r')
        g_string_append_c(buf, *s);
      break;
    }
  }
}

static void
format_plug(GString *buf, const NcNetworkPortDef *def)
{
  const NcPciAddr *addr = &def->plug_hostdev_pci.addr;

  if (def->plug_type == NC_PORT_PLUG_NONE)
    return;
  g_string_append_printf(buf, "  <plug type='%s'", nc_port_plug_type_to_string(def->plug_type));

  switch (def->plug_type) {
  case NC_PORT_PLUG_NETWORK:
  case NC_PORT_PLUG_BRIDGE:
    if (def->plug_bridge.brname) {
      g_string_append(buf, " bridge='");
      append_escaped(buf, def->plug_bridge.brname);
      g_string_append_c(buf, '\'');
    }
    if (def->plug_bridge.mac_table_manager != NC_MAC_TABLE_MANAGER_DEFAULT)
      g_string_append_printf(buf, " macTableManager='%s'",
                             nc_mac_table_manager_to_string(def->plug_bridge.mac_table_manager));
    g_string_append(buf, "/>\n");
    break;

  case NC_PORT_PLUG_DIRECT:
    if (def->plug_direct.linkdev) {
      g_string_append(buf, " dev='");
      append_escaped(buf, def->plug_direct.linkdev);
      g_string_append_c(buf, '\'');
    }
    /* mode is always written: vepa when it was not given. */
    g_string_append_printf(buf, " mode='%s'/>\n", nc_macvlan_mode_to_string(def->plug_direct.mode));
    break;

  case NC_PORT_PLUG_HOSTDEV_PCI:
    if (def->plug_hostdev_pci.managed != NC_TRISTATE_ABSENT)
      g_string_append_printf(buf, " managed='%s'",
                             nc_tristate_to_string(def->plug_hostdev_pci.managed));
    g_string_append(buf, ">\n");
    if (def->plug_hostdev_pci.driver != NC_FORWARD_DRIVER_DEFAULT)
      g_string_append_printf(buf, "    <driver name='%s'/>\n",
                             nc_forward_driver_name_to_string(def->plug_hostdev_pci.driver));
    /* function is printed in decimal after "0x", exactly as libvirt does. */
    g_string_append_printf(buf,
                           "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                           "function='0x%u'/>\n",
                           addr->domain, addr->bus, addr->slot, addr->function);
    g_string_append(buf, "  </plug>\n");
    break;

  case NC_PORT_PLUG_NONE:
  case _NC_PORT_PLUG_MAX:
    g_string_append(buf, "/>\n");
    break;
  }
}

char *
nc_network_port_def_format(const NcNetworkPortDef *def, guint flags)
{
  GString *buf = g_string_new("<networkport>\n");
  char uuid[NC_UUID_STRING_LEN];
  char mac[18];

  nc_uuid_format(def->uuid, uuid);
  g_string_append_printf(buf, "  <uuid>%s</uuid>\n", uuid);

  g_string_append(buf, "  <owner>\n");
  if (def->owner_name) {
    g_string_append(buf, "    <name>");
    append_escaped(buf, def->owner_name);
    g_string_append(buf, "</name>\n");
  }
  nc_uuid_format(def->owner_uuid, uuid);
  g_string_append_printf(buf, "    <uuid>%s</uuid>\n", uuid);
  g_string_append(buf, "  </owner>\n");

  if (def->group) {
    g_string_append(buf, "  <group>");
    append_escaped(buf, def->group);
    g_string_append(buf, "</group>\n");
  }

  nc_mac_format(&def->mac, mac);
  g_string_append_printf(buf, "  <mac address='%s'/>\n", mac);

  nc_virtualport_format(buf, def->virtualport, 2);
  nc_bandwidth_format(buf, def->bandwidth, 2);
  nc_vlan_format(buf, def->vlan, 2);
  nc_port_options_format(buf, def->isolated, 2);
  if (def->trust_guest_rx_filters != NC_TRISTATE_ABSENT)
    g_string_append_printf(buf, "  <rxfilters trustGuest='%s'/>\n",
                           nc_tristate_to_string(def->trust_guest_rx_filters));

  format_plug(buf, def);

  g_string_append(buf, "</networkport>\n");
  return g_string_free(buf, FALSE);
}
