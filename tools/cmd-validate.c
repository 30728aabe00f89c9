/* netctl net-validate [--canonical] FILE...
 *
 * Works without a daemon: parses each file with the schema and every semantic
 * check, as net-define (or net-port-create for a <networkport>) would. With
 * --canonical, prints what net-dumpxml --inactive prints after net-define
 * (generated UUID and bridge MAC included). */
#include <stdio.h>

#include <glib.h>

#include "commands.h"
#include "nc-error.h"
#include "network-xml.h"
#include "output.h"
#include "port-def.h"

/* The root element's name, so one command validates both document kinds. */
static char *
root_name(const char *path, const char *data, GError **error)
{
  xmlDocPtr doc = nc_xml_read(data, strlen(data), path, error);
  if (doc == NULL)
    return NULL;
  xmlNodePtr root = xmlDocGetRootElement(doc);
  char *name = g_strdup(root != NULL ? (const char *)root->name : "");
  xmlFreeDoc(doc);
  return name;
}

/* The canonical text of the valid document @data read from @path, or NULL
 * with the error. */
static char *
validate_text(const char *path, const char *data, gboolean canonical, GError **error)
{
  g_autofree char *root = root_name(path, data, error);
  if (root == NULL)
    return NULL;

  if (g_str_equal(root, "networkport")) {
    g_autoptr(NcNetworkPortDef) port = nc_network_port_def_parse_string(
        data, path, NC_NETWORK_PORT_PARSE_VALIDATE_SCHEMA, error);
    if (port == NULL || !nc_network_port_def_check(port, error))
      return NULL;
    return canonical ? nc_network_port_def_format(port, 0) : g_strdup("");
  }

  g_autoptr(NcNetworkDef) def
      = nc_network_def_parse_string(data, path, NC_NETWORK_PARSE_STRICT, error);
  if (def == NULL)
    return NULL;
  if (!canonical)
    return g_strdup("");
  nc_network_def_fill_defaults(def);
  return nc_network_def_format(def, NC_NETWORK_FORMAT_INACTIVE);
}

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
  /* GOption prints the remaining entry's "FILE..." itself before this text. */
  g_autoptr(GOptionContext) ctx = g_option_context_new("- validate network XML files");
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_set_help_enabled(ctx, TRUE);
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    /* GOption quotes the option as given: escaped, so it stays one line. */
    g_autofree char *msg = nc_name_escape(error->message);
    g_printerr("netctl net-validate: %s\n", msg);
    return 2;
  }
  if (files == NULL || files[0] == NULL) {
    g_printerr("netctl net-validate: no FILE given\n"
               "Usage: netctl net-validate [--canonical] FILE...\n");
    return 2;
  }

  for (gsize i = 0; files[i] != NULL; i++) {
    g_autoptr(GError) err = NULL;
    /* Read once, as net-define reads (at most 4 MiB, UTF-8 text, the
     * refusal said on stderr): /dev/zero is refused, not read forever. */
    g_autofree char *data = nc_read_file(files[i]);
    g_autofree char *text = NULL;

    if (data == NULL) {
      status = 1;
      continue;
    }
    text = validate_text(files[i], data, canonical, &err);
    if (text == NULL) {
      g_printerr("error: %s\n", err->message);
      status = 1;
    } else if (canonical) {
      fputs(text, stdout);
    } else {
      /* The result goes to stdout, where a script reads it; errors to stderr. */
      printf("%s: valid\n", files[i]);
    }
  }
  return status;
}
