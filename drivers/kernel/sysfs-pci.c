/* PCI functions in sysfs (see sysfs-pci.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "safe-read.h"
#include "sysfs-pci.h"

#define FAKE_MARK ".netctl-fake-kernel"

void
nc_pci_addr_format(guint domain, guint bus, guint slot, guint function, char buf[static 16])
{
  g_snprintf(buf, 16, "%04x:%02x:%02x.%x", domain & 0xffff, bus & 0xff, slot & 0x1f,
             function & 7);
}

gboolean
nc_pci_addr_parse(const char *s, guint *domain, guint *bus, guint *slot, guint *function)
{
  guint d, b, sl, f;
  char end;
  if (!s || strlen(s) != 12 || sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &sl, &f, &end) != 4
      || sl > 0x1f || f > 7)
    return FALSE;
  *domain = d, *bus = b, *slot = sl, *function = f;
  return TRUE;
}

static gboolean
safe_addr(const char *addr)
{
  guint d, b, s, f;
  return nc_pci_addr_parse(addr, &d, &b, &s, &f);
}

static char *
dev_path(NcKernel *kernel, const char *addr, const char *attr)
{
  return g_build_filename(nc_kernel_sys_root(kernel), "bus", "pci", "devices", addr, attr, NULL);
}

gboolean
nc_sysfs_is_fake(NcKernel *kernel)
{
  g_autofree char *mark = g_build_filename(nc_kernel_sys_root(kernel), FAKE_MARK, NULL);
  return g_file_test(mark, G_FILE_TEST_IS_REGULAR);
}

gboolean
nc_pci_exists(NcKernel *kernel, const char *addr)
{
  g_autofree char *p = safe_addr(addr) ? dev_path(kernel, addr, NULL) : NULL;
  return p && g_file_test(p, G_FILE_TEST_IS_DIR);
}

int
nc_pci_get_driver(NcKernel *kernel, const char *addr, char **ret_driver)
{
  if (!safe_addr(addr))
    return -EINVAL;
  g_autofree char *p = dev_path(kernel, addr, "driver");
  g_autoptr(GError) error = NULL;
  g_autofree char *target = g_file_read_link(p, &error);
  if (!target) {
    if (g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      *ret_driver = NULL;
      return 0;
    }
    return nc_pci_exists(kernel, addr) ? -EIO : -ENODEV;
  }
  *ret_driver = g_path_get_basename(target);
  return 0;
}

gboolean
nc_pci_driver_loaded(NcKernel *kernel, const char *driver)
{
  g_autofree char *p
      = g_build_filename(nc_kernel_sys_root(kernel), "bus", "pci", "drivers", driver, NULL);
  return !strchr(driver, '/') && g_file_test(p, G_FILE_TEST_IS_DIR);
}

int
nc_pci_iommu_group_others(NcKernel *kernel, const char *addr, int *ret_group,
                          GPtrArray **ret_others)
{
  if (!safe_addr(addr))
    return -EINVAL;
  g_autofree char *link = dev_path(kernel, addr, "iommu_group");
  g_autofree char *target = g_file_read_link(link, NULL);
  if (!target)
    return -ENOENT;
  g_autofree char *group = g_path_get_basename(target);
  g_autofree char *devices = g_build_filename(nc_kernel_sys_root(kernel), "kernel",
                                              "iommu_groups", group, "devices", NULL);
  g_autoptr(GDir) d = g_dir_open(devices, 0, NULL);
  if (!d)
    return -ENOENT;
  g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d)))
    if (!g_str_equal(name, addr))
      g_ptr_array_add(others, g_strdup(name));
  g_ptr_array_sort(others, (GCompareFunc)g_strcmp0);
  *ret_group = atoi(group);
  *ret_others = g_steal_pointer(&others);
  return 0;
}

/* One write of a sysfs attribute, as the kernel wants it: the whole value
 * in one write(). */
static int
write_attr(const char *path, const char *value)
{
  g_debug("sysfs: '%s' > %s", value, path);
  int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -errno;
  gsize len = strlen(value);
  ssize_t n = write(fd, value, len);
  int r = n < 0 ? -errno : (gsize)n == len ? 0 : -EIO;
  close(fd);
  return r;
}

/* The fake tree's kernel: what the driver link becomes after a probe. */
static void
fake_probe(NcKernel *kernel, const char *addr)
{
  g_autofree char *override_path = dev_path(kernel, addr, "driver_override");
  g_autofree char *override = NULL;
  g_file_get_contents(override_path, &override, NULL, NULL);
  if (override)
    g_strchomp(override);
  g_autofree char *driver = NULL;
  if (override && *override && !g_str_equal(override, "(null)"))
    driver = g_strdup(override);
  else {
    /* default drivers: lines "ADDR DRIVER" in the mark file */
    g_autofree char *mark = g_build_filename(nc_kernel_sys_root(kernel), FAKE_MARK, NULL);
    g_autofree char *text = NULL;
    g_file_get_contents(mark, &text, NULL, NULL);
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    for (char **l = lines; *l && !driver; l++)
      if (g_str_has_prefix(*l, addr) && (*l)[strlen(addr)] == ' ')
        driver = g_strdup(*l + strlen(addr) + 1);
  }
  if (!driver || !nc_pci_driver_loaded(kernel, driver))
    return;
  g_autofree char *link = dev_path(kernel, addr, "driver");
  g_autofree char *target
      = g_build_filename(nc_kernel_sys_root(kernel), "bus", "pci", "drivers", driver, NULL);
  g_unlink(link);
  if (symlink(target, link) < 0)
    g_debug("fake sysfs: cannot link %s: %s", link, g_strerror(errno));
}

int
nc_pci_rebind(NcKernel *kernel, const char *addr, const char *driver)
{
  if (!safe_addr(addr) || strchr(driver, '/') || strchr(driver, '\n'))
    return -EINVAL;
  gboolean fake = nc_sysfs_is_fake(kernel);
  g_autofree char *override = dev_path(kernel, addr, "driver_override");
  /* "\n" clears an override (the kernel strips the newline). */
  int r = write_attr(override, *driver ? driver : "\n");
  if (r < 0)
    return r;
  g_autofree char *current = NULL;
  r = nc_pci_get_driver(kernel, addr, &current);
  if (r < 0)
    return r;
  if (current && *driver && g_str_equal(current, driver))
    return 0; /* bound to it already */
  if (current) {
    g_autofree char *unbind = dev_path(kernel, addr, "driver/unbind");
    r = write_attr(unbind, addr);
    if (r < 0)
      return r;
    if (fake) {
      g_autofree char *link = dev_path(kernel, addr, "driver");
      g_unlink(link);
    }
  }
  g_autofree char *probe
      = g_build_filename(nc_kernel_sys_root(kernel), "bus", "pci", "drivers_probe", NULL);
  r = write_attr(probe, addr);
  if (r < 0)
    return r;
  if (fake)
    fake_probe(kernel, addr);
  g_autofree char *now = NULL;
  r = nc_pci_get_driver(kernel, addr, &now);
  if (r < 0)
    return r;
  if (*driver && g_strcmp0(now, driver) != 0)
    return -EIO;
  return 0;
}
