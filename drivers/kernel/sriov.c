/* SR-IOV pools from sysfs (see sriov.h). Every path is built from the
 * NcKernel's sysfs root, so tests use fake trees (tests/hostdev/data). */
#include <errno.h>
#include <string.h>

#include "nc-error.h"
#include "safe-read.h"
#include "sriov.h"

/* A small sysfs attribute without its newline; NULL when unreadable. */
static char *
read_attr(const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  if (nc_file_read_bounded(path, 8192, &text, &len) < 0)
    return NULL;
  return g_strchomp(g_steal_pointer(&text));
}

static gboolean
safe_name(const char *name)
{
  return name && *name && strlen(name) < 16 && !strchr(name, '/') && !g_str_equal(name, ".")
         && !g_str_equal(name, "..");
}

/* The number of VFs of PF, or FALSE with the error. */
static gboolean
pf_numvfs(NcKernel *kernel, const char *network, const char *pf, guint *ret_n, GError **error)
{
  if (!safe_name(pf)) {
    g_autofree char *escaped = g_strescape(pf ? pf : "", NULL);
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "network '%s': invalid PF name '%s'",
                network, escaped);
    return FALSE;
  }
  g_autofree char *netdir = g_build_filename(nc_kernel_sys_root(kernel), "class", "net", pf, NULL);
  if (!g_file_test(netdir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': PF '%s' does not exist (no %s)", network, pf, netdir);
    return FALSE;
  }
  g_autofree char *total_path = g_build_filename(netdir, "device", "sriov_totalvfs", NULL);
  g_autofree char *total = read_attr(total_path);
  if (!total) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': '%s' is not SR-IOV capable (no %s)", network, pf, total_path);
    return FALSE;
  }
  g_autofree char *num_path = g_build_filename(netdir, "device", "sriov_numvfs", NULL);
  g_autofree char *num = read_attr(num_path);
  guint64 n = 0;
  if (!num || !g_ascii_string_to_unsigned(num, 10, 0, 4096, &n, NULL) || n == 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': PF '%s' has no VFs (sriov_numvfs is %s; enable them with "
                "`echo N > %s`, at most %s)",
                network, pf, num ? num : "unreadable", num_path, total);
    return FALSE;
  }
  *ret_n = (guint)n;
  return TRUE;
}

gboolean
nc_sriov_vf_netdevs(NcKernel *kernel, const char *network, const char *pf, GPtrArray **ret_names,
                    GError **error)
{
  guint n = 0;
  if (!pf_numvfs(kernel, network, pf, &n, error))
    return FALSE;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < n; i++) {
    g_autofree char *vf = g_strdup_printf("virtfn%u", i);
    g_autofree char *netdir
        = g_build_filename(nc_kernel_sys_root(kernel), "class", "net", pf, "device", vf, "net", NULL);
    g_autoptr(GDir) d = g_dir_open(netdir, 0, NULL);
    const char *name = d ? g_dir_read_name(d) : NULL;
    if (name && safe_name(name))
      g_ptr_array_add(names, g_strdup(name));
  }
  if (names->len == 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': none of the %u VFs of PF '%s' has a network device (bound to "
                "vfio-pci?); a macvtap pool needs VF netdevs",
                network, n, pf);
    return FALSE;
  }
  *ret_names = g_steal_pointer(&names);
  return TRUE;
}
