/* Parse-only pass over libvirt's networkxml2xmltest inputs (read in place):
 * every "success" input parses without flags (the parser alone must accept
 * what libvirt accepts), its copy formats like the original, and every
 * "fail-parse" input is rejected with the semantic checks enabled.
 * The byte-exact comparison is the conformance suite's job. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "network-xml.h"

int
main(void)
{
  const char *shared = g_getenv("NETCTL_SHARED");
  g_autofree char *dir = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *mpath = NULL;
  g_auto(GStrv) lines = NULL;
  guint passed = 0, failed = 0;

  if (!shared)
    shared = "../shared";
  dir = g_build_filename(shared, "conformance", "libvirt", NULL);
  mpath = g_build_filename(dir, "MANIFEST.tsv", NULL);
  if (!g_file_get_contents(mpath, &manifest, NULL, NULL)) {
    printf("SKIP: %s not readable; libvirt's test data is absent\n", mpath);
    return 77;
  }

  lines = g_strsplit(manifest, "\n", -1);
  for (gsize i = 0; lines[i]; i++) {
    g_auto(GStrv) cols = g_strsplit(lines[i], "\t", -1);
    g_auto(GStrv) files = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(NcNetworkDef) def = NULL;
    gboolean expect_ok;

    /* 9.6.0 rows only: the (newer) fail-validate rows are validation, not parsing */
    if (g_strv_length(cols) < 5 || strcmp(cols[0], "networkxml2xmltest") != 0)
      continue;
    if (strcmp(cols[2], "success") == 0)
      expect_ok = TRUE;
    else if (strcmp(cols[2], "fail-parse") == 0)
      expect_ok = FALSE;
    else
      continue;

    files = g_strsplit(cols[4], ",", -1);
    path = g_build_filename(dir, files[0], NULL);
    def = nc_network_def_parse_file(path, expect_ok ? 0 : NC_NETWORK_PARSE_CHECK, &error);

    if (expect_ok && !def) {
      printf("FAIL %s: %s\n", cols[1], error->message);
      failed++;
    } else if (!expect_ok && def) {
      printf("FAIL %s: parsed, libvirt rejects it\n", cols[1]);
      failed++;
    } else if (expect_ok) {
      g_autoptr(NcNetworkDef) copy = nc_network_def_copy(def);
      g_autofree char *a = nc_network_def_format(def, 0);
      g_autofree char *b = nc_network_def_format(copy, 0);

      if (g_strcmp0(a, b) != 0) {
        printf("FAIL %s: the copy formats differently\n", cols[1]);
        failed++;
      } else {
        passed++;
      }
    } else {
      printf("ok %s: rejected: %s\n", cols[1], error->message);
      passed++;
    }
  }

  printf("parse-libvirt: %u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
