/* Shared libxml2 plumbing for the parsers: a safe document reader and the
 * located-error builder every parse error goes through. */
#include "network-xml.h"
#include "nc-error.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* The first error libxml2 reports while reading one document. */
typedef struct {
  gboolean have;
  int line;
  char *message;
} ReadError;

/* Installed as the context's structured error handler so libxml2 neither
 * prints to stderr nor touches process-wide handlers. */
static void
capture_error(void *user_data, xmlErrorPtr err)
{
  xmlParserCtxtPtr ctxt = user_data;
  ReadError *re = ctxt ? ctxt->_private : NULL;

  if (!re || !err || re->have || err->level < XML_ERR_ERROR)
    return;
  re->have = TRUE;
  re->line = err->line;
  re->message = g_strdup(err->message ? err->message : "malformed XML");
  g_strchomp(re->message);
}

xmlDocPtr
nc_xml_read(const char *xml, gsize len, const char *filename, GError **error)
{
  ReadError re = { 0 };
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;
  /* No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no
   * network. NOBLANKS mirrors libvirt's xmlKeepBlanksDefault(0), which shapes
   * how <metadata> is written back. */
  const int options
      = XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES;

  if (!xml) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, 0, NULL, "no XML document given");
    return NULL;
  }
  if (len > G_MAXINT) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, 0, NULL, "XML document too large");
    return NULL;
  }

  ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_MEMORY, "cannot allocate an XML parser");
    return NULL;
  }
  ctxt->_private = &re;
  ctxt->sax->serror = capture_error;
  ctxt->vctxt.error = NULL;
  ctxt->vctxt.warning = NULL;

  doc = xmlCtxtReadMemory(ctxt, xml, (int)len, filename ? filename : "(string)", NULL, options);

  if (!doc || !ctxt->wellFormed) {
    if (!re.have) {
      xmlErrorPtr last = xmlCtxtGetLastError(ctxt);
      if (last && last->message) {
        re.line = last->line;
        re.message = g_strchomp(g_strdup(last->message));
      }
    }
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, re.line > 0 ? (guint)re.line : 0, NULL,
                     "malformed XML: %s", re.message ? re.message : "failed to parse document");
    g_free(re.message);
    if (doc)
      xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return NULL;
  }
  g_free(re.message);
  xmlFreeParserCtxt(ctxt);

  /* Entity declarations have no use in network XML and are the vehicle of
   * expansion attacks (attribute reads would expand them): refuse them. */
  if (doc->intSubset && doc->intSubset->entities) {
    long line = xmlGetLineNo((xmlNodePtr)doc->intSubset);
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, line > 0 ? (guint)line : 0, NULL,
                     "entity declarations are not allowed");
    xmlFreeDoc(doc);
    return NULL;
  }

  if (!xmlDocGetRootElement(doc)) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, 0, NULL, "missing root element");
    xmlFreeDoc(doc);
    return NULL;
  }
  return doc;
}

void
nc_xml_set_error(GError **error, int code, const char *filename, guint line,
                 const char *network_name, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  g_autoptr(GString) prefix = g_string_new(filename ? filename : "(string)");
  va_list ap;

  if (!error)
    return;

  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);

  if (line > 0)
    g_string_append_printf(prefix, ":%u", line);
  g_string_append(prefix, ": ");
  if (network_name)
    g_string_append_printf(prefix, "network '%s': ", network_name);

  g_set_error(error, NC_ERROR, code, "%s%s", prefix->str, msg);
}
