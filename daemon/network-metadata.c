/* virNetworkGetMetadata / virNetworkSetMetadata (libvirt 9.7): a network's
 * <title>, <description> and the elements of its <metadata>, one per XML
 * namespace, in the live definition, the persistent one, or both.
 *
 * Kept apart from network.c: the same flag and persistence rules as
 * nc_network_update, over three fields that no driver looks at, so a change
 * never touches the running network. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "nc-daemon-private.h"
#include "nc-error.h"
#include "network-check-names.h"
#include "network-update.h"
#include "status.h"
#include "store.h"

static gboolean
resolve_flags(NcNetwork *net, guint *flags, GError **error)
{
  if (net->daemon == NULL) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK, "network '%s' no longer exists",
                net->def->name);
    return FALSE;
  }
  if (*flags & ~(guint)NC_NETWORK_UPDATE_FLAGS) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "metadata: unsupported flags (0x%x)",
                *flags & ~(guint)NC_NETWORK_UPDATE_FLAGS);
    return FALSE;
  }
  if (*flags == NC_NETWORK_UPDATE_AFFECT_CURRENT)
    *flags = net->active ? NC_NETWORK_UPDATE_AFFECT_LIVE : NC_NETWORK_UPDATE_AFFECT_CONFIG;
  if ((*flags & NC_NETWORK_UPDATE_AFFECT_LIVE) && !net->active) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID, "network '%s' is not running",
                net->def->name);
    return FALSE;
  }
  if ((*flags & NC_NETWORK_UPDATE_AFFECT_CONFIG) && !net->persistent) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': cannot change persistent config of a transient network",
                net->def->name);
    return FALSE;
  }
  return TRUE;
}

static const NcNetworkDef *
config_def(NcNetwork *net)
{
  return net->new_def ? net->new_def : net->def;
}

/* The child of <metadata> in namespace `uri`, or NULL. */
static xmlNodePtr
find_element(xmlNodePtr metadata, const char *uri)
{
  for (xmlNodePtr n = metadata ? metadata->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && n->ns && n->ns->href
        && g_str_equal((const char *)n->ns->href, uri))
      return n;
  return NULL;
}

static gboolean
not_present(GError **error)
{
  g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK_METADATA,
              "Requested metadata element is not present");
  return FALSE;
}

char *
nc_network_get_metadata(NcNetwork *net, NcNetworkMetadataType type, const char *uri, guint flags,
                        GError **error)
{
  if (flags == (NC_NETWORK_UPDATE_AFFECT_LIVE | NC_NETWORK_UPDATE_AFFECT_CONFIG)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "metadata: live and config are mutually exclusive when reading");
    return NULL;
  }
  if (!resolve_flags(net, &flags, error))
    return NULL;
  const NcNetworkDef *def = (flags & NC_NETWORK_UPDATE_AFFECT_LIVE) ? net->def : config_def(net);
  switch (type) {
  case NC_NETWORK_METADATA_DESCRIPTION:
    if (def->description == NULL)
      return not_present(error), NULL;
    return g_strdup(def->description);
  case NC_NETWORK_METADATA_TITLE:
    if (def->title == NULL)
      return not_present(error), NULL;
    return g_strdup(def->title);
  case NC_NETWORK_METADATA_ELEMENT: {
    if (uri == NULL || uri[0] == '\0') {
      g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "metadata: a namespace URI is required");
      return NULL;
    }
    xmlNodePtr el = find_element(def->metadata, uri);
    if (el == NULL)
      return not_present(error), NULL;
    /* Serialised from a document of its own, so it carries its xmlns. */
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlDocSetRootElement(doc, xmlDocCopyNode(el, doc, 1));
    xmlBufferPtr buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
    char *out = g_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return out;
  }
  case _NC_NETWORK_METADATA_MAX:
    break;
  }
  g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "metadata: unknown type %d", (int)type);
  return NULL;
}

/* The key becomes the element's namespace prefix in the definition file:
 * UTF-8 (libxml2's check passes invalid bytes) and an XML NCName (libvirt's
 * test too), checked by libxml2 rather than a regex whose '$' also matched
 * before a final newline. "xml" and "xmlns" are reserved: a file binding
 * them to another URI does not parse again. */
static gboolean
prefix_ok(const char *key)
{
  return key != NULL && key[0] != '\0' && g_utf8_validate(key, -1, NULL)
         && xmlValidateNCName(BAD_CAST key, 0) == 0 && !g_str_equal(key, "xml")
         && !g_str_equal(key, "xmlns");
}

/* A title or description is written as the text of an element of the
 * definition file: UTF-8 holding only characters XML 1.0 allows (no C0
 * control but tab, newline and return), or the file would not parse again
 * and the network would be lost at the next start. */
static gboolean
text_ok(const char *value, GError **error)
{
  const char *end = NULL;

  if (!g_utf8_validate(value, -1, &end)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "metadata: not valid UTF-8 (byte 0x%02x at offset %" G_GSIZE_FORMAT ")",
                (guchar)*end, (gsize)(end - value));
    return FALSE;
  }
  for (const char *p = value; *p; p++) {
    guchar c = (guchar)*p;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                  "metadata: control character 0x%02x at offset %" G_GSIZE_FORMAT
                  " (XML cannot hold it)",
                  c, (gsize)(p - value));
      return FALSE;
    }
  }
  return TRUE;
}

/* Applies the change to `def`. */
static gboolean
apply(NcNetworkDef *def, NcNetworkMetadataType type, const char *value, const char *key,
      const char *uri, GError **error)
{
  gboolean clear = value == NULL || value[0] == '\0';

  if (!clear && type != NC_NETWORK_METADATA_ELEMENT && !text_ok(value, error))
    return FALSE;
  switch (type) {
  case NC_NETWORK_METADATA_DESCRIPTION:
    g_free(def->description);
    def->description = clear ? NULL : g_strdup(value);
    return TRUE;
  case NC_NETWORK_METADATA_TITLE:
    if (!clear && strchr(value, '\n') != NULL) {
      g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "network title can't contain newlines");
      return FALSE;
    }
    g_free(def->title);
    def->title = clear ? NULL : g_strdup(value);
    return TRUE;
  case NC_NETWORK_METADATA_ELEMENT:
    break;
  case _NC_NETWORK_METADATA_MAX:
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "metadata: unknown type %d", (int)type);
    return FALSE;
  }
  if (uri == NULL || uri[0] == '\0') {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "metadata: a namespace URI is required");
    return FALSE;
  }
  /* The URI is written as an attribute value: the same rule as text. */
  if (!clear && !text_ok(uri, error))
    return FALSE;
  if (!clear && !prefix_ok(key)) {
    g_autofree char *q = nc_name_escape(key ? key : "");
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG,
                "metadata: key '%s' is not a valid XML namespace prefix", q);
    return FALSE;
  }
  xmlDocPtr parsed = NULL;
  if (!clear) {
    parsed = xmlReadMemory(value, (int)strlen(value), "metadata", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR
                               | XML_PARSE_NOWARNING);
    if (parsed == NULL || xmlDocGetRootElement(parsed) == NULL) {
      if (parsed)
        xmlFreeDoc(parsed);
      g_autofree char *q = nc_name_escape(value);
      g_set_error(error, NC_ERROR, NC_ERROR_XML_ERROR, "metadata: '%s' is not well-formed XML", q);
      return FALSE;
    }
  }
  if (def->metadata == NULL) {
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    def->metadata = xmlNewDocNode(doc, NULL, BAD_CAST "metadata", NULL);
    xmlDocSetRootElement(doc, def->metadata);
  }
  xmlNodePtr old = find_element(def->metadata, uri);
  if (old != NULL) {
    xmlUnlinkNode(old);
    xmlFreeNode(old);
  }
  if (parsed != NULL) {
    xmlNodePtr el = xmlDocCopyNode(xmlDocGetRootElement(parsed), def->metadata->doc, 1);
    xmlFreeDoc(parsed);
    /* libvirt puts the element in the namespace uri, prefix key. */
    xmlNsPtr ns = xmlNewNs(el, BAD_CAST uri, BAD_CAST key);
    xmlSetNs(el, ns);
    xmlAddChild(def->metadata, el);
  }
  return TRUE;
}

gboolean
nc_network_set_metadata(NcNetwork *net, NcNetworkMetadataType type, const char *metadata,
                        const char *key, const char *uri, guint flags, GError **error)
{
  g_autoptr(NcNetworkDef) live = NULL;
  g_autoptr(NcNetworkDef) config = NULL;

  if (!resolve_flags(net, &flags, error))
    return FALSE;
  NcDaemon *daemon = net->daemon;
  if (flags & NC_NETWORK_UPDATE_AFFECT_LIVE) {
    live = nc_network_def_copy(net->def);
    if (!apply(live, type, metadata, key, uri, error))
      return FALSE;
  }
  if (flags & NC_NETWORK_UPDATE_AFFECT_CONFIG) {
    config = nc_network_def_copy(config_def(net));
    if (!apply(config, type, metadata, key, uri, error))
      return FALSE;
    if (!nc_store_save_config(daemon->paths, config, error))
      return FALSE;
  }
  if (config != NULL) {
    if (net->active) {
      g_clear_pointer(&net->new_def, nc_network_def_free);
      net->new_def = g_steal_pointer(&config);
    } else {
      nc_network_def_free(net->def);
      net->def = g_steal_pointer(&config);
    }
  }
  if (live != NULL) {
    g_autoptr(GError) save_error = NULL;
    nc_network_def_free(net->def);
    net->def = g_steal_pointer(&live);
    if (!nc_status_save(daemon->paths, net->def, &net->live, NC_STATUS_RUNNING, &save_error))
      g_warning("network '%s': metadata changed, but cannot record its state: %s",
                net->def->name, save_error->message);
  }
  return TRUE;
}
