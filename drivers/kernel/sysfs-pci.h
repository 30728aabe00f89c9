/* PCI devices in sysfs, under the NcKernel's sysfs root: the driver a
 * function is bound to, handing it to vfio-pci (driver_override, unbind,
 * drivers_probe, as libvirt's virPCIDeviceBindToStub) and back, and its
 * IOMMU group.
 *
 * Conventions as in nc-kernel.h: 0 or -errno, debug logs (every write is
 * logged at debug level: "sysfs: 'VALUE' > PATH"), out-parameters untouched
 * on failure.
 *
 * Test trees: a sysfs root holding the file .netctl-fake-kernel is a fake
 * tree (tests/hostdev/data), where no kernel answers the writes: there an
 * unbind removes the function's driver link and drivers_probe links it to
 * its driver_override (or back to .netctl-fake-kernel's "default driver"
 * line for it), as the kernel would. A real /sys never holds that file. */
#pragma once

#include "nc-kernel.h"

G_BEGIN_DECLS

/* "DDDD:BB:SS.F" (13 bytes with the NUL). */
void nc_pci_addr_format(guint domain, guint bus, guint slot, guint function, char buf[static 16]);
gboolean nc_pci_addr_parse(const char *s, guint *domain, guint *bus, guint *slot, guint *function);

/* TRUE when the sysfs root is a fake tree (see above). */
gboolean nc_sysfs_is_fake(NcKernel *kernel);

/* <sys>/bus/pci/devices/ADDR exists. */
gboolean nc_pci_exists(NcKernel *kernel, const char *addr);
/* The driver's name (g_free), NULL in *ret_driver when unbound. */
int nc_pci_get_driver(NcKernel *kernel, const char *addr, char **ret_driver);
/* <sys>/bus/pci/drivers/NAME exists (the module is loaded). */
gboolean nc_pci_driver_loaded(NcKernel *kernel, const char *driver);
/* The other functions of addr's IOMMU group (a new array of g_free'd
 * addresses, empty when alone); -ENOENT when it has no group (no IOMMU). */
int nc_pci_iommu_group_others(NcKernel *kernel, const char *addr, int *ret_group,
                              GPtrArray **ret_others);
/* driver_override = driver ("" clears it), unbind from the current driver
 * (when bound), drivers_probe: the function ends up bound to `driver` (or,
 * with "", to whatever the kernel picks). -EIO when it is not bound to it
 * afterwards. */
int nc_pci_rebind(NcKernel *kernel, const char *addr, const char *driver);

G_END_DECLS
