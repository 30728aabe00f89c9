/* sysctl values through <proc>/sys, with the root configurable for tests. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include "nc-kernel.h"

static gboolean
key_is_safe(const char *key)
{
  if (!key || !*key || key[0] == '/')
    return FALSE;
  g_auto(GStrv) parts = g_strsplit(key, "/", -1);
  for (char **p = parts; *p; p++) {
    if (!**p || g_str_equal(*p, ".") || g_str_equal(*p, ".."))
      return FALSE;
  }
  return TRUE;
}

char *
nc_sysctl_iface_key(const char *family, const char *ifname, const char *name)
{
  if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/')
      || g_str_equal(ifname, ".") || g_str_equal(ifname, ".."))
    return NULL;
  return g_strdup_printf("net/%s/conf/%s/%s", family, ifname, name);
}

int
nc_sysctl_write(NcKernel *kernel, const char *key, const char *value)
{
  if (!key_is_safe(key))
    return -EINVAL;
  g_autofree char *path = g_build_filename(nc_kernel_proc_root(kernel), "sys", key, NULL);
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int r = -errno;
    g_debug("kernel: opening %s: %s", path, g_strerror(-r));
    return r;
  }
  size_t len = strlen(value);
  ssize_t n = write(fd, value, len);
  int r = n < 0 ? -errno : ((size_t)n != len ? -EIO : 0);
  if (close(fd) < 0 && r == 0)
    r = -errno;
  if (r < 0)
    g_debug("kernel: writing '%s' to %s: %s", value, path, g_strerror(-r));
  return r;
}

int
nc_sysctl_read(NcKernel *kernel, const char *key, char **ret_value)
{
  if (!key_is_safe(key))
    return -EINVAL;
  g_autofree char *path = g_build_filename(nc_kernel_proc_root(kernel), "sys", key, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(path, &contents, NULL, &error)) {
    int r = error->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;
    g_debug("kernel: reading %s: %s", path, error->message);
    return r;
  }
  g_strchomp(contents);
  *ret_value = g_steal_pointer(&contents);
  return 0;
}
