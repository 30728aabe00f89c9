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


/* One VF of a PF, from sysfs. */
typedef struct {
  guint index;     /* N of virtfnN */
  char addr[16];   /* its PCI address; "" when virtfnN leads nowhere (a missing VF) */
  char netdev[16]; /* its network device, "" when it has none (vfio-pci, no driver) */
} NcSriovVf;

/* Every VF of PF (an array of NcSriovVf, VF order). The errors of
 * nc_sriov_vf_netdevs (no such PF, not SR-IOV capable, no VFs). */
gboolean nc_sriov_list_vfs(NcKernel *kernel, const char *network, const char *pf,
                           GArray **ret_vfs, GError **error);
/* The PF netdev (16 bytes) and VF index of a VF's PCI address (physfn, then
 * the PF's virtfnN that leads back). -ENODEV when addr is no VF. */
int nc_sriov_vf_of_addr(NcKernel *kernel, const char *addr, char *ret_pf, guint *ret_index);

/* A VF's settings as its PF holds them. vlan 0: none. */
typedef struct {
  NcMac mac;
  guint vlan;
  int spoofchk; /* -1: leave (set) / unknown (get) */
  int trust;    /* -1: leave / unknown */
} NcVfConfig;

/* Through the PF over rtnetlink (RTM_SETLINK with IFLA_VFINFO_LIST:
 * IFLA_VF_MAC, IFLA_VF_VLAN, IFLA_VF_SPOOFCHK, IFLA_VF_TRUST), or, on a fake
 * sysfs tree (sysfs-pci.h), through the recording fake: every call appended
 * to <sys>/.netctl-fake-pf.log as "set PF VF mac=M vlan=V spoofchk=S
 * trust=T" / "get PF VF", the VF's state kept in <sys>/.netctl-fake-pf.state,
 * and a VF listed in <sys>/.netctl-fake-pf.reset ("PF VF COUNT") answers
 * -EAGAIN ("still in reset", as i40e says) COUNT times. */
int nc_sriov_set_vf(NcKernel *kernel, const char *pf, guint vf, const NcVfConfig *config);
int nc_sriov_get_vf(NcKernel *kernel, const char *pf, guint vf, NcVfConfig *ret_config);

G_END_DECLS
