/* See hooks.h. */
#include "hooks.h"

#include <string.h>

#include "network-xml.h"

/* libvirt builds the document in a virBuffer with its indent raised by two:
 * the indent goes before every line a formatter call starts, i.e. before
 * every element line. Lines that continue multi-line text (a <description>
 * with newlines) are written inside one call and get none; escaped text
 * never starts with '<', so "starts with blanks and '<'" tells them apart. */
static void
append_indented(GString *buf, const char *xml)
{
  const char *line = xml;
  while (*line) {
    const char *end = strchr(line, '\n');
    gsize len = end ? (gsize)(end - line) : strlen(line);
    gsize blanks = strspn(line, " ");
    if (blanks < len && line[blanks] == '<')
      g_string_append(buf, "  ");
    g_string_append_len(buf, line, (gssize)len);
    g_string_append_c(buf, '\n');
    line += len + (end ? 1 : 0);
  }
}

char *
nc_hooks_format_data(const NcNetworkDef *def, const NcNetworkPortDef *port)
{
  GString *buf = g_string_new("<hookData>\n");
  /* networkRunHook formats with flags 0: the live form. */
  g_autofree char *net_xml = nc_network_def_format(def, 0);
  append_indented(buf, net_xml);
  if (port) {
    g_autofree char *port_xml = nc_network_port_def_format(port, 0);
    append_indented(buf, port_xml);
  }
  g_string_append(buf, "</hookData>");
  return g_string_free(buf, FALSE);
}

gboolean
nc_hooks_network(const NcPaths *paths, const NcNetworkDef *def, const NcNetworkPortDef *port,
                 NcHookOp op, NcHookSubOp sub_op, GError **error)
{
  /* The common case, on every start and port creation: nothing installed. */
  if (!nc_hook_present(paths->hooks_dir))
    return TRUE;
  g_autofree char *doc = nc_hooks_format_data(def, port);
  return nc_hook_run(paths->hooks_dir, def->name, op, sub_op, doc, error);
}
