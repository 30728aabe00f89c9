/* The note net-info and net-port-list --details print for macvtap networks:
 * the kernel never passes frames between a macvtap guest and its host
 * through the uplink, which surprises every user. */
#include <stdio.h>

#include "commands.h"
#include "network-kind.h"
#include "network-netctl-ns.h"
#include "network-xml.h"
#include "output.h"

void
nc_print_direct_note(NcCtl *ctl, const char *net_path)
{
  g_autoptr(GError) err = NULL;
  g_autoptr(GVariant) reply = nc_client_call(nc_ctl_client(ctl), net_path, NC_NETWORK_IFACE,
                                             "GetXMLDesc", g_variant_new("(u)", 0u),
                                             G_VARIANT_TYPE("(s)"), &err);
  if (!reply)
    return;
  const char *xml;
  g_variant_get(reply, "(&s)", &xml);
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(xml, NULL, 0, NULL);
  if (!def || nc_network_def_kind(def) != NC_NETWORK_KIND_MACVTAP
      || def->forward.mode == NC_FORWARD_PASSTHROUGH)
    return;
  const char *shim = nc_network_def_host_shim_name(def);
  if (shim)
    nc_print_field("Host access:", "through the host shim (see net-dumpxml); the host cannot "
                                   "reach macvtap guests through their uplinks");
  else
    nc_print_field("Host access:", "none: the host cannot reach macvtap guests through their "
                                   "uplinks (a kernel rule); add a netctl:host-shim to the network, "
                                   "or use a bridge");
  (void)ctl;
}
