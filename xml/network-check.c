/* Semantic checks of a parsed network definition: the rules of libvirt's
 * network_conf.c post-parse checks and bridge_driver.c networkValidate. */
#include "network-xml.h"

gboolean
nc_network_def_check(const NcNetworkDef *def, GError **error)
{
  (void)def;
  (void)error;
  return TRUE;
}
