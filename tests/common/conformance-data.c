#include "conformance-data.h"

#include <stdio.h>

int
nc_test_conformance_open(char **ret_base, char **ret_manifest)
{
  const char *shared = g_getenv("NETCTL_SHARED");

  if (!shared || !g_file_test(shared, G_FILE_TEST_IS_DIR)) {
    printf("SKIP: NETCTL_SHARED (%s) is not a directory; libvirt's test data lives there\n",
           shared ? shared : "unset");
    return 77;
  }
  g_autofree char *base = g_build_filename(shared, "conformance", "libvirt", NULL);
  g_autofree char *manifest_path = g_build_filename(base, "MANIFEST.tsv", NULL);
  if (!g_file_get_contents(manifest_path, ret_manifest, NULL, NULL)) {
    printf("SKIP: libvirt conformance data not found at %s\n", manifest_path);
    return 77;
  }
  *ret_base = g_steal_pointer(&base);
  return 0;
}
