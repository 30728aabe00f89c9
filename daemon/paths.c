/* Where the daemon keeps things. Without --root: libvirt's system layout, so
 * netctld finds the definitions libvirt left and libvirt finds ours. With
 * --root DIR: the same tree under DIR, so tests run daemons side by side. */
#include <string.h>

#include "nc-daemon.h"
#include "store.h"

NcPaths *
nc_paths_new(const char *root)
{
  NcPaths *paths = g_new0(NcPaths, 1);
  /* Absolute, so messages and pid files name the real place whatever the
   * daemon's working directory; "/a/" + "/etc" would give "/a//etc". */
  g_autofree char *trimmed = root && *root ? g_canonicalize_filename(root, NULL) : g_strdup("");
  gsize len = strlen(trimmed);
  while (len > 1 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';
  if (g_str_equal(trimmed, "/"))
    trimmed[0] = '\0';

  paths->root = g_strdup(trimmed);
  paths->config_dir = g_strconcat(trimmed, "/etc/libvirt/qemu/networks", NULL);
  paths->autostart_dir = g_strconcat(trimmed, "/etc/libvirt/qemu/networks/autostart", NULL);
  paths->state_dir = g_strconcat(trimmed, "/run/libvirt/network", NULL);
  paths->dnsmasq_dir = g_strconcat(trimmed, "/var/lib/libvirt/dnsmasq", NULL);
  paths->socket_dir = g_strconcat(trimmed, "/run/libvirt", NULL);
  paths->hooks_dir = g_strconcat(trimmed, "/etc/libvirt/hooks", NULL);
  paths->batch = nc_store_batch_new();
  return paths;
}

void
nc_paths_free(NcPaths *paths)
{
  if (!paths)
    return;
  g_free(paths->root);
  g_free(paths->config_dir);
  g_free(paths->autostart_dir);
  g_free(paths->state_dir);
  g_free(paths->dnsmasq_dir);
  g_free(paths->socket_dir);
  g_free(paths->hooks_dir);
  nc_store_batch_free(paths->batch);
  g_free(paths);
}
