/* netctl net-validate [--canonical] FILE...
 *
 * Works without a daemon: parses each file with the schema and every semantic
 * check, as net-define would. With --canonical, prints what net-dumpxml
 * --inactive prints after net-define (generated UUID and bridge MAC included). */
#include <stdio.h>

#include <glib.h>

#include "commands.h"
#include "network-xml.h"

int
nc_cmd_net_validate(int argc, char **argv)
{
  gboolean canonical = FALSE;
  g_auto(GStrv) files = NULL;
  GOptionEntry entries[] = {
    { "canonical", 'c', 0, G_OPTION_ARG_NONE, &canonical,
      "Print the canonical form of each valid file", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE..." },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("FILE... - validate network XML files");
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_set_help_enabled(ctx, TRUE);
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    g_printerr("netctl net-validate: %s\n", error->message);
    return 2;
  }
  if (files == NULL || files[0] == NULL) {
    g_printerr("netctl net-validate: no FILE given\n"
               "Usage: netctl net-validate [--canonical] FILE...\n");
    return 2;
  }

  for (gsize i = 0; files[i] != NULL; i++) {
    g_autoptr(GError) err = NULL;
    g_autoptr(NcNetworkDef) def =
      nc_network_def_parse_file(files[i], NC_NETWORK_PARSE_STRICT, &err);

    if (def == NULL) {
      g_printerr("error: %s\n", err->message);
      status = 1;
      continue;
    }
    if (canonical) {
      nc_network_def_fill_defaults(def);
      g_autofree char *xml = nc_network_def_format(def, NC_NETWORK_FORMAT_INACTIVE);
      fputs(xml, stdout);
    } else {
      g_printerr("%s: valid\n", files[i]);
    }
  }
  return status;
}
