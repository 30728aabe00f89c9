/* Golden round trip of network XML: for every data/<case>.xml, parse it,
 * format it, and compare with data/<case>.expected.xml; then parse that
 * output again and check that formatting it gives the same text (the
 * canonical form is a fixed point).
 *
 * A case whose name contains "inactive" is formatted with
 * NC_NETWORK_FORMAT_INACTIVE. NETCTL_REGENERATE=1 rewrites the expected files
 * from the current output instead of comparing (review the diff before
 * committing it).
 *
 * Usage: xml-roundtrip DATA-DIR */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "network-xml.h"
#include "text-diff.h"

#define PARSE_FLAGS NC_NETWORK_PARSE_STRICT

static guint
case_format_flags(const char *name)
{
  return strstr(name, "inactive") ? NC_NETWORK_FORMAT_INACTIVE : 0;
}

static gboolean
run_case(const char *dir, const char *name, gboolean regenerate, GString *report)
{
  g_autofree char *in_path = g_strdup_printf("%s/%s.xml", dir, name);
  g_autofree char *out_path = g_strdup_printf("%s/%s.expected.xml", dir, name);
  g_autofree char *expected = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  guint flags = case_format_flags(name);

  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(in_path, PARSE_FLAGS, &error);
  if (!def) {
    g_string_append_printf(report, "FAIL %s: parse error: %s\n", name, error->message);
    return FALSE;
  }
  g_autofree char *actual = nc_network_def_format(def, flags);

  if (regenerate) {
    if (!g_file_set_contents(out_path, actual, -1, &error)) {
      g_string_append_printf(report, "FAIL %s: %s\n", name, error->message);
      return FALSE;
    }
    g_string_append_printf(report, "wrote %s\n", out_path);
  } else {
    if (!g_file_get_contents(out_path, &expected, NULL, &error)) {
      g_string_append_printf(report, "FAIL %s: %s (NETCTL_REGENERATE=1 writes it)\n", name,
                             error->message);
      return FALSE;
    }
    if (strcmp(expected, actual) != 0) {
      g_string_append_printf(report, "FAIL %s: output differs from %s.expected.xml\n", name, name);
      text_diff_append(report, expected, actual, 12, "    ");
      return FALSE;
    }
  }

  /* Idempotence: the canonical text parses to the same definition. */
  g_autoptr(NcNetworkDef) def2 = nc_network_def_parse_string(actual, out_path, PARSE_FLAGS, &error);
  if (!def2) {
    g_string_append_printf(report, "FAIL %s: own output does not parse: %s\n", name,
                           error->message);
    return FALSE;
  }
  again = nc_network_def_format(def2, flags);
  if (strcmp(actual, again) != 0) {
    g_string_append_printf(report, "FAIL %s: formatting is not idempotent\n", name);
    text_diff_append(report, actual, again, 12, "    ");
    return FALSE;
  }
  return TRUE;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GString) report = g_string_new(NULL);
  gboolean regenerate = g_strcmp0(g_getenv("NETCTL_REGENERATE"), "1") == 0;
  guint passed = 0, failed = 0;
  const char *entry;

  if (argc != 2) {
    fprintf(stderr, "usage: %s DATA-DIR\n", argv[0]);
    return 2;
  }
  if (!(dir = g_dir_open(argv[1], 0, &error))) {
    fprintf(stderr, "%s\n", error->message);
    return 1;
  }
  while ((entry = g_dir_read_name(dir))) {
    if (g_str_has_suffix(entry, ".xml") && !g_str_has_suffix(entry, ".expected.xml"))
      g_ptr_array_add(names, g_strndup(entry, strlen(entry) - strlen(".xml")));
  }
  g_ptr_array_sort(names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    if (run_case(argv[1], g_ptr_array_index(names, i), regenerate, report))
      passed++;
    else
      failed++;
  }

  fputs(report->str, stdout);
  printf("xml round trip: %u passed, %u failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
