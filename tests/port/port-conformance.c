/* libvirt's virnetworkportxml2xmltest cases against our parser and formatter.
 *
 * For every virnetworkportxml2xmltest row of
 * $NETCTL_SHARED/conformance/libvirt/MANIFEST.tsv: parse the file (with
 * schema validation when the schema is present), format it, and compare byte
 * for byte with the same file, as libvirt's test does.
 *
 * One line per failing case (with a short diff), then the summary
 * "networkport: N passed, M failed". Exit 0 only when nothing failed; 77
 * (skipped) when the shared data is absent. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "conformance-data.h"

#include "port-def.h"
#include "text-diff.h"

static gboolean
run_case(const char *base, const char *name, const char *file, guint flags, GString *report)
{
  g_autofree char *path = g_build_filename(base, file, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkPortDef) def = NULL;

  if (!g_file_get_contents(path, &expected, NULL, &error)) {
    g_string_append_printf(report, "FAIL %s: %s\n", name, error->message);
    return FALSE;
  }
  def = nc_network_port_def_parse_string(expected, file, flags, &error);
  if (!def) {
    g_string_append_printf(report, "FAIL %s: parse error: %s\n", name, error->message);
    return FALSE;
  }
  actual = nc_network_port_def_format(def, 0);
  if (strcmp(expected, actual) != 0) {
    g_string_append_printf(report, "FAIL %s: output differs from %s\n", name, file);
    text_diff_append(report, expected, actual, 8, "    ");
    return FALSE;
  }
  return TRUE;
}

int
main(void)
{
  const char *schema_dir = g_getenv("NETCTL_SCHEMA_DIR");
  g_autofree char *base = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *schema = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) report = g_string_new(NULL);
  guint passed = 0, failed = 0;
  guint flags = 0;

  int skip = nc_test_conformance_open(&base, &manifest);
  if (skip != 0)
    return skip;

  /* Validate too when our schema exists, so schema and parser are held to the
   * same documents. */
  schema = schema_dir ? g_build_filename(schema_dir, "networkport.rng", NULL) : NULL;
  if (schema && g_file_test(schema, G_FILE_TEST_EXISTS))
    flags |= NC_NETWORK_PORT_PARSE_VALIDATE_SCHEMA;
  else
    printf("note: %s not found; parsing without schema validation\n",
           schema ? schema : "networkport.rng");

  lines = g_strsplit(manifest, "\n", -1);
  for (gsize i = 0; lines[i]; i++) {
    g_auto(GStrv) cols = g_strsplit(lines[i], "\t", -1);
    g_auto(GStrv) files = NULL;

    if (g_strv_length(cols) < 5 || strcmp(cols[0], "virnetworkportxml2xmltest") != 0)
      continue;
    files = g_strsplit(cols[4], ",", -1);
    if (strcmp(cols[2], "success") != 0) {
      g_string_append_printf(report, "FAIL %s: unknown expectation '%s'\n", cols[1], cols[2]);
      failed++;
    } else if (run_case(base, cols[1], files[0], flags, report)) {
      passed++;
    } else {
      failed++;
    }
  }

  fputs(report->str, stdout);
  printf("networkport: %u passed, %u failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
