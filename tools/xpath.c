/* net-dumpxml --xpath / --wrap, as virsh's virshDumpXML: the nodes an XPath
 * expression selects in the network XML, one per line, or wrapped in one
 * <nodes> element. */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "nc-error.h"
#include "output.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

static void
print_node(xmlDocPtr doc, xmlNodePtr node)
{
  g_autoptr(xmlBuffer) buf = xmlBufferCreate();

  xmlNodeDump(buf, doc, node, 0, 1);
  printf("%s\n", (const char *)xmlBufferContent(buf));
}

/* libxml2 would print an XPath error itself, on several lines quoting the
 * expression raw; its reason is kept for our one line instead. */
static void
keep_reason(void *data, xmlErrorPtr err)
{
  char **reason = data;

  if (*reason == NULL && err != NULL && err->message != NULL)
    *reason = g_strstrip(g_strdup(err->message));
}

int
nc_print_xpath(const char *xml, const char *expr, gboolean wrap)
{
  g_autoptr(xmlDoc) doc = xmlReadMemory(xml, strlen(xml), "network.xml", NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  g_autoptr(xmlXPathContext) ctxt = NULL;
  g_autoptr(xmlXPathObject) obj = NULL;
  xmlNodeSetPtr nodes;
  g_autofree char *reason = NULL;

  if (doc == NULL) {
    g_printerr("error: cannot parse the network XML the daemon returned\n");
    return 1;
  }
  ctxt = xmlXPathNewContext(doc);
  ctxt->error = keep_reason;
  ctxt->userData = &reason;
  obj = xmlXPathEvalExpression((const xmlChar *)expr, ctxt);
  if (obj == NULL) {
    g_autofree char *q = nc_name_escape(expr);
    g_autofree char *why = nc_name_escape(reason ? reason : "invalid expression");
    g_printerr("error: Unable to evaluate XPath '%s': %s\n", q, why);
    return 1;
  }
  if (obj->type != XPATH_NODESET) {
    g_autofree char *q = nc_name_escape(expr);
    g_printerr("error: internal error: Incorrect xpath '%s'\n", q);
    return 1;
  }
  nodes = obj->nodesetval;
  if (wrap) {
    g_autoptr(xmlDoc) out = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr root = xmlNewNode(NULL, (const xmlChar *)"nodes");

    xmlDocSetRootElement(out, root);
    for (int i = 0; nodes != NULL && i < nodes->nodeNr; i++)
      xmlAddChild(root, xmlDocCopyNode(nodes->nodeTab[i], out, 1));
    print_node(out, root);
    return 0;
  }
  for (int i = 0; nodes != NULL && i < nodes->nodeNr; i++)
    print_node(doc, nodes->nodeTab[i]);
  return 0;
}
