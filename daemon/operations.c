/* The operations front ends offer, as data: libvirt's name, whether it
 * changes anything (front ends ask for privilege before calling), and the
 * flags libvirt defines for it. Every front end checks through these, so the
 * D-Bus API and the libvirt protocol accept and refuse the same calls. */
#include "nc-daemon.h"
#include "nc-error.h"

static const NcOperationInfo operations[_NC_OP_MAX] = {
  [NC_OP_LIST_NETWORKS] = { "ListNetworks", FALSE,
                            NC_LIST_INACTIVE | NC_LIST_ACTIVE | NC_LIST_PERSISTENT
                                | NC_LIST_TRANSIENT | NC_LIST_AUTOSTART | NC_LIST_NO_AUTOSTART },
  [NC_OP_LOOKUP_NETWORK] = { "NetworkLookup", FALSE, 0 },
  [NC_OP_DEFINE_NETWORK] = { "NetworkDefineXML", TRUE, NC_DEFINE_VALIDATE },
  [NC_OP_CREATE_NETWORK] = { "NetworkCreateXML", TRUE, NC_DEFINE_VALIDATE },
  [NC_OP_GET_PROPERTY] = { "Get", FALSE, 0 },
  [NC_OP_SET_AUTOSTART] = { "SetAutostart", TRUE, 0 },
  [NC_OP_START] = { "Create", TRUE, 0 },
  [NC_OP_DESTROY] = { "Destroy", TRUE, 0 },
  [NC_OP_UNDEFINE] = { "Undefine", TRUE, 0 },
  [NC_OP_UPDATE] = { "Update", TRUE, NC_NETWORK_UPDATE_FLAGS },
  [NC_OP_GET_XML] = { "GetXMLDesc", FALSE, NC_NETWORK_XML_INACTIVE },
  [NC_OP_GET_DHCP_LEASES] = { "GetDHCPLeases", FALSE, 0 },
  [NC_OP_PORT_CREATE] = { "PortCreateXML", TRUE, NC_PORT_CREATE_RECLAIM | NC_PORT_CREATE_VALIDATE },
  [NC_OP_PORT_LOOKUP] = { "PortLookupByUUID", FALSE, 0 },
  [NC_OP_PORT_LIST] = { "ListPorts", FALSE, 0 },
  [NC_OP_PORT_GET_XML] = { "PortGetXMLDesc", FALSE, 0 },
  [NC_OP_PORT_DELETE] = { "PortDelete", TRUE, 0 },
  [NC_OP_PORT_GET_PARAMETERS] = { "PortGetParameters", FALSE, 0 },
  [NC_OP_PORT_SET_PARAMETERS] = { "PortSetParameters", TRUE, 0 },
};

const NcOperationInfo *
nc_operation_info(NcOperation op)
{
  g_return_val_if_fail((guint)op < _NC_OP_MAX, &operations[NC_OP_LIST_NETWORKS]);
  return &operations[op];
}

gboolean
nc_operation_check_flags(NcOperation op, guint flags, GError **error)
{
  const NcOperationInfo *info = nc_operation_info(op);
  if ((flags & ~info->flags) == 0)
    return TRUE;
  g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "%s: unsupported flags (0x%x)", info->name,
              flags & ~info->flags);
  return FALSE;
}
