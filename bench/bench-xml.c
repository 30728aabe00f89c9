/* Throughput of the define-time XML path: parse + RelaxNG + semantic checks +
 * canonical format, over a set of files, in files per second; and peak RSS.
 *
 *   bench-xml [--iterations N] [--no-schema] FILE|DIR...
 *
 * Files that do not validate are counted separately (they still exercise the
 * parser up to the refusal). Output is one line of key=value pairs so that
 * run-xml.sh can put it next to libvirt's figures. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>

#include "network-xml.h"

static void
collect(const char *path, GPtrArray *contents)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      if (g_str_has_suffix(name, ".xml") || g_file_test(child, G_FILE_TEST_IS_DIR))
        collect(child, contents);
    }
    return;
  }
  char *data = NULL;
  if (g_file_get_contents(path, &data, NULL, NULL))
    g_ptr_array_add(contents, data);
}

int
main(int argc, char **argv)
{
  gint iterations = 200;
  gboolean no_schema = FALSE;
  g_auto(GStrv) paths = NULL;
  GOptionEntry entries[] = {
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "Passes over the files", "N" },
    { "no-schema", 0, 0, G_OPTION_ARG_NONE, &no_schema, "Skip RelaxNG validation", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, "FILE|DIR..." },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("FILE|DIR... - XML throughput");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func(g_free);
  guint flags = no_schema ? NC_NETWORK_PARSE_CHECK : NC_NETWORK_PARSE_STRICT;
  guint64 ok = 0, refused = 0, bytes = 0;

  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || paths == NULL) {
    g_printerr("usage: bench-xml [--iterations N] [--no-schema] FILE|DIR...\n");
    return 2;
  }
  for (gsize i = 0; paths[i] != NULL; i++)
    collect(paths[i], contents);
  if (contents->len == 0) {
    g_printerr("bench-xml: no input files\n");
    return 2;
  }

  /* Warm-up: loads and caches the schema, like a running daemon. */
  for (guint i = 0; i < contents->len; i++) {
    g_autoptr(NcNetworkDef) def =
      nc_network_def_parse_string(contents->pdata[i], NULL, flags, NULL);
  }

  gint64 start = g_get_monotonic_time();
  for (gint it = 0; it < iterations; it++) {
    for (guint i = 0; i < contents->len; i++) {
      const char *xml = contents->pdata[i];
      g_autoptr(GError) err = NULL;
      g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(xml, NULL, flags, &err);
      bytes += strlen(xml);
      if (def == NULL) {
        refused++;
        continue;
      }
      g_autofree char *out = nc_network_def_format(def, 0);
      ok++;
    }
  }
  double secs = (g_get_monotonic_time() - start) / 1e6;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);

  printf("files=%u iterations=%d valid=%" G_GUINT64_FORMAT " refused=%" G_GUINT64_FORMAT
         " seconds=%.3f files_per_sec=%.0f mib_per_sec=%.2f peak_rss_kib=%ld schema=%s\n",
         contents->len, iterations, ok, refused, secs, (ok + refused) / secs,
         bytes / secs / (1024.0 * 1024.0), ru.ru_maxrss, no_schema ? "no" : "yes");
  return 0;
}
