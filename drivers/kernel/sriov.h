/* SR-IOV: a PF's virtual functions as sysfs shows them under the kernel's
 * sysfs root (<sys>/class/net/PF/device/sriov_numvfs, virtfnN, physfn), and
 * a VF's MAC and VLAN set through its PF over rtnetlink.
 *
 * Functions returning gboolean take a GError (they name the network and
 * say what to do); the others follow nc-kernel.h (0 or -errno). */
#pragma once

#include "nc-kernel.h"

G_BEGIN_DECLS

/* The network devices of PF's VFs in VF order (a new array of g_free'd
 * names); a VF without a netdev (bound to vfio-pci) is skipped. Errors
 * name `network`: a PF that does not exist, is not SR-IOV capable, or has
 * no VFs (sriov_numvfs 0). */
gboolean nc_sriov_vf_netdevs(NcKernel *kernel, const char *network, const char *pf,
                             GPtrArray **ret_names, GError **error);

G_END_DECLS
