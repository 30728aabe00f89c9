/* String tables for the enums of network-def.h, spelled exactly as libvirt
 * writes them. A NULL entry means "never written" (the absent/default value):
 * _to_string returns NULL for it and _from_string never yields it. */
#include "network-def.h"

#include <string.h>

static const char *const tristate_strings[_NC_TRISTATE_MAX] = {
  [NC_TRISTATE_ABSENT] = NULL,
  [NC_TRISTATE_YES] = "yes",
  [NC_TRISTATE_NO] = "no",
};

static const char *const switch_strings[_NC_SWITCH_MAX] = {
  [NC_SWITCH_ABSENT] = NULL,
  [NC_SWITCH_ON] = "on",
  [NC_SWITCH_OFF] = "off",
};

static const char *const forward_mode_strings[_NC_FORWARD_MAX] = {
  [NC_FORWARD_NONE] = "none",       [NC_FORWARD_NAT] = "nat",
  [NC_FORWARD_ROUTE] = "route",     [NC_FORWARD_OPEN] = "open",
  [NC_FORWARD_BRIDGE] = "bridge",   [NC_FORWARD_PRIVATE] = "private",
  [NC_FORWARD_VEPA] = "vepa",       [NC_FORWARD_PASSTHROUGH] = "passthrough",
  [NC_FORWARD_HOSTDEV] = "hostdev",
};

static const char *const forward_driver_name_strings[_NC_FORWARD_DRIVER_MAX] = {
  [NC_FORWARD_DRIVER_DEFAULT] = NULL,
  [NC_FORWARD_DRIVER_KVM] = "kvm",
  [NC_FORWARD_DRIVER_VFIO] = "vfio",
};

static const char *const mac_table_manager_strings[_NC_MAC_TABLE_MANAGER_MAX] = {
  [NC_MAC_TABLE_MANAGER_DEFAULT] = NULL,
  [NC_MAC_TABLE_MANAGER_KERNEL] = "kernel",
  [NC_MAC_TABLE_MANAGER_LIBVIRT] = "libvirt",
};

static const char *const ip_family_strings[_NC_IP_FAMILY_MAX] = {
  [NC_IP_FAMILY_ABSENT] = NULL,
  [NC_IP_FAMILY_IPV4] = "ipv4",
  [NC_IP_FAMILY_IPV6] = "ipv6",
};

static const char *const lease_unit_strings[_NC_LEASE_UNIT_MAX] = {
  [NC_LEASE_UNIT_ABSENT] = NULL,
  [NC_LEASE_UNIT_SECONDS] = "seconds",
  [NC_LEASE_UNIT_MINUTES] = "minutes",
  [NC_LEASE_UNIT_HOURS] = "hours",
};

static const char *const virtualport_type_strings[_NC_VIRTUALPORT_MAX] = {
  [NC_VIRTUALPORT_NONE] = NULL,          [NC_VIRTUALPORT_8021QBG] = "802.1Qbg",
  [NC_VIRTUALPORT_8021QBH] = "802.1Qbh", [NC_VIRTUALPORT_OPENVSWITCH] = "openvswitch",
  [NC_VIRTUALPORT_MIDONET] = "midonet",
};

static const char *const vlan_native_mode_strings[_NC_VLAN_NATIVE_MAX] = {
  [NC_VLAN_NATIVE_DEFAULT] = NULL,
  [NC_VLAN_NATIVE_TAGGED] = "tagged",
  [NC_VLAN_NATIVE_UNTAGGED] = "untagged",
};

static const NcEnumTable tables[] = {
  { "NcTristate", _NC_TRISTATE_MAX, tristate_strings },
  { "NcSwitch", _NC_SWITCH_MAX, switch_strings },
  { "NcForwardMode", _NC_FORWARD_MAX, forward_mode_strings },
  { "NcForwardDriverName", _NC_FORWARD_DRIVER_MAX, forward_driver_name_strings },
  { "NcMacTableManager", _NC_MAC_TABLE_MANAGER_MAX, mac_table_manager_strings },
  { "NcIpFamily", _NC_IP_FAMILY_MAX, ip_family_strings },
  { "NcLeaseUnit", _NC_LEASE_UNIT_MAX, lease_unit_strings },
  { "NcVirtualPortType", _NC_VIRTUALPORT_MAX, virtualport_type_strings },
  { "NcVlanNativeMode", _NC_VLAN_NATIVE_MAX, vlan_native_mode_strings },
};

static const char *
lookup(const char *const *strings, int max, int v)
{
  if (v < 0 || v >= max)
    return NULL;
  return strings[v];
}

static int
reverse(const char *const *strings, int max, const char *s)
{
  if (!s)
    return -1;
  for (int i = 0; i < max; i++)
    if (strings[i] && strcmp(strings[i], s) == 0)
      return i;
  return -1;
}

#define ENUM_IMPL(prefix, type, table)                                                             \
  const char *prefix##_to_string(type v)                                                           \
  {                                                                                                \
    return lookup(table, (int)G_N_ELEMENTS(table), (int)v);                                        \
  }                                                                                                \
  int prefix##_from_string(const char *s)                                                          \
  {                                                                                                \
    return reverse(table, (int)G_N_ELEMENTS(table), s);                                            \
  }

ENUM_IMPL(nc_tristate, NcTristate, tristate_strings)
ENUM_IMPL(nc_switch, NcSwitch, switch_strings)
ENUM_IMPL(nc_forward_mode, NcForwardMode, forward_mode_strings)
ENUM_IMPL(nc_forward_driver_name, NcForwardDriverName, forward_driver_name_strings)
ENUM_IMPL(nc_mac_table_manager, NcMacTableManager, mac_table_manager_strings)
ENUM_IMPL(nc_ip_family, NcIpFamily, ip_family_strings)
ENUM_IMPL(nc_lease_unit, NcLeaseUnit, lease_unit_strings)
ENUM_IMPL(nc_virtualport_type, NcVirtualPortType, virtualport_type_strings)
ENUM_IMPL(nc_vlan_native_mode, NcVlanNativeMode, vlan_native_mode_strings)

const NcEnumTable *
nc_enum_tables(gsize *ret_n)
{
  *ret_n = G_N_ELEMENTS(tables);
  return tables;
}

/* none, nat, route and open: libvirt itself creates, names and addresses
 * the bridge; the other modes hand out host devices. */
gboolean
nc_forward_mode_has_managed_bridge(NcForwardMode mode)
{
  switch (mode) {
  case NC_FORWARD_NONE:
  case NC_FORWARD_NAT:
  case NC_FORWARD_ROUTE:
  case NC_FORWARD_OPEN:
    return TRUE;
  case NC_FORWARD_BRIDGE:
  case NC_FORWARD_PRIVATE:
  case NC_FORWARD_VEPA:
  case NC_FORWARD_PASSTHROUGH:
  case NC_FORWARD_HOSTDEV:
  case _NC_FORWARD_MAX:
    return FALSE;
  }
  return FALSE;
}
