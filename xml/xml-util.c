/* Shared libxml2 plumbing for the parsers: a safe document reader and the
 * located-error builder every parse error goes through. */
#include "network-xml.h"
#include "nc-error.h"
#include "network-check-names.h"

#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* The first error libxml2 reports while reading one document. */
typedef struct {
  gboolean have;
  int line;
  char *message;
  /* What stopped the parser on purpose (an entity declaration, an external
   * DTD), and where. */
  int refused_line;
  char *refused;
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

/* Stops the parser for a construct network XML never needs. */
static void
refuse(xmlParserCtxtPtr ctxt, char *what /* owned */)
{
  ReadError *re = ctxt->_private;

  if (re->refused == NULL) {
    re->refused = what;
    re->refused_line = ctxt->input ? ctxt->input->line : 0;
  } else {
    g_free(what);
  }
  xmlStopParser(ctxt);
}

/* Network XML has no use for entities, and they are the vehicle of
 * expansion ("billion laughs") and external-entity (file:///etc/passwd)
 * attacks: the first declaration stops the parser, so nothing declared is
 * ever expanded or fetched, whatever libxml2 would otherwise do with it. */
static void
on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
               const xmlChar *system_id, xmlChar *content)
{
  refuse(ctx, g_strdup_printf("entity declarations are not allowed (<!ENTITY %s ...>); "
                              "write the value itself",
                              name ? (const char *)name : "?"));
}

static void
on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                        const xmlChar *system_id, const xmlChar *notation)
{
  on_entity_decl(ctx, name, 0, public_id, system_id, NULL);
}

/* An external DTD is never loaded (no XML_PARSE_DTDLOAD), but the entities
 * it would declare are then silently dropped from the text ("a&x;b" reads
 * as "ab"): refuse the DOCTYPE instead of changing the user's values. */
static void
on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                   const xmlChar *system_id)
{
  if (external_id || system_id) {
    /* Quoted escaped and cut short: the literal may hold newlines. */
    g_autofree char *id = g_strndup((const char *)(external_id ? external_id : system_id), 200);
    g_autofree char *quoted = nc_name_escape(id);
    refuse(ctx, g_strdup_printf("a DOCTYPE with an external DTD (%s '%s') is not allowed; "
                                "remove the DOCTYPE",
                                external_id ? "PUBLIC" : "SYSTEM", quoted));
    return;
  }
  xmlSAX2InternalSubset(ctx, name, external_id, system_id);
}

/* libxml2's words for its own limits, in terms of the document. */
static char *
describe_error(const char *message)
{
  if (message && strstr(message, "Excessive depth in document"))
    return g_strdup("elements are nested more than 256 levels deep");
  /* One line: some messages carry a second one ("Bytes: 0xE9 ..."). */
  g_autofree char *copy = g_strdup(message ? message : "failed to parse document");
  g_auto(GStrv) words = g_strsplit_set(copy, " \t\r\n", -1);
  g_autoptr(GString) out = g_string_new(NULL);
  for (char **w = words; *w; w++) {
    if (**w == '\0')
      continue;
    if (out->len)
      g_string_append_c(out, ' ');
    g_string_append(out, *w);
  }
  return g_string_free(g_steal_pointer(&out), FALSE);
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
  /* Before parsing: a DOM costs several times the text. */
  if (len > NC_XML_MAX_DOCUMENT_SIZE) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, 0, NULL,
                     "the XML document is %" G_GSIZE_FORMAT " bytes, more than the %d bytes "
                     "(4 MiB) a network definition may have",
                     len, NC_XML_MAX_DOCUMENT_SIZE);
    return NULL;
  }

  ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_MEMORY, "cannot allocate an XML parser");
    return NULL;
  }
  ctxt->_private = &re;
  ctxt->sax->serror = capture_error;
  ctxt->sax->entityDecl = on_entity_decl;
  ctxt->sax->unparsedEntityDecl = on_unparsed_entity_decl;
  ctxt->sax->internalSubset = on_internal_subset;
  ctxt->vctxt.error = NULL;
  ctxt->vctxt.warning = NULL;

  doc = xmlCtxtReadMemory(ctxt, xml, (int)len, filename ? filename : "(string)", NULL, options);

  if (re.refused) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename,
                     re.refused_line > 0 ? (guint)re.refused_line : 0, NULL, "%s", re.refused);
    g_free(re.refused);
    g_free(re.message);
    if (doc)
      xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return NULL;
  }
  if (!doc || !ctxt->wellFormed) {
    if (!re.have) {
      xmlErrorPtr last = xmlCtxtGetLastError(ctxt);
      if (last && last->message) {
        re.line = last->line;
        re.message = g_strchomp(g_strdup(last->message));
      }
    }
    g_autofree char *what = describe_error(re.message);
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, re.line > 0 ? (guint)re.line : 0, NULL,
                     "malformed XML: %s", what);
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
  /* A file name is the user's too (net-define's argument): one line. */
  g_autofree char *file = filename ? nc_name_escape(filename) : g_strdup("(string)");
  g_autoptr(GString) prefix = g_string_new(file);
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
