#include "helper-path.h"

#include <stdlib.h>
#include <string.h>

#include "nc-config.h"

gboolean
nc_exe_in_build_tree(const char *exe, const char *build_root)
{
  if (exe == NULL || build_root == NULL || *build_root == '\0')
    return FALSE;
  /* /proc/self/exe is resolved; the configured root may hold symlinks. */
  g_autofree char *root = realpath(build_root, NULL);
  if (root == NULL)
    return FALSE;
  gsize n = strlen(root);
  return strncmp(exe, root, n) == 0 && exe[n] == '/';
}

char *
nc_leaseshelper_default_path(void)
{
  g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
  if (nc_exe_in_build_tree(exe, NC_BUILD_ROOT))
    return g_build_filename(NC_BUILD_ROOT, "tools", "netctl-leaseshelper", NULL);
  return g_strdup(NC_LEASESHELPER);
}
