/* RelaxNG validation against our own schemas (the .rng files in schemas/).
 *
 * A schema is looked up in $NETCTL_SCHEMA_DIR, then the installed directory
 * (NC_SCHEMA_DIR), then the source tree (NC_SOURCE_SCHEMA_DIR), compiled once
 * and kept for the life of the process: compiling network.rng costs far more
 * than validating a document against it.
 *
 * libxml2 reports RelaxNG failures as a cascade of messages ("Element network
 * failed to validate content", "Extra element foo in interleave", ...), most
 * of them useless. We collect them, let schema-diagnose.c work out from the
 * schema itself what is wrong and where, and fall back to the most specific
 * libxml2 message, reworded. Either way the error reads
 * "FILE:LINE: <element>: what is wrong". */
#include <string.h>

#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "nc-config.h"
#include "nc-error.h"
#include "network-check-names.h"
#include "network-xml.h"
#include "schema-priv.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNGParserCtxt, xmlRelaxNGFreeParserCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlRelaxNGValidCtxt, xmlRelaxNGFreeValidCtxt)

/* One compiled schema. The cache below is the only process-wide state of the
 * format layer; entries are never freed or changed once published. libxml2
 * does not promise that validating against one xmlRelaxNG from two threads at
 * once is safe, so each entry serialises its own validations. */
typedef struct {
  char *path;
  xmlRelaxNGPtr rng;
  NcSchemaIndex *index; /* built on the first failure, to explain it */
  GMutex lock;
} Schema;

static GMutex cache_lock;
static GHashTable *cache; /* schema file name -> Schema*, never freed */

/* One libxml2 message, copied out of the callback. */
typedef struct {
  int code;
  int line;
  xmlNodePtr node; /* element concerned; valid while the document is */
  char *element;   /* element the message is about, may be NULL */
  char *attribute; /* offending attribute, when we could tell */
  char *str1;
  char *str2;
  char *message;
} Problem;

static void
problem_free(gpointer data)
{
  Problem *p = data;
  g_free(p->element);
  g_free(p->attribute);
  g_free(p->str1);
  g_free(p->str2);
  g_free(p->message);
  g_free(p);
}

static char *
find_schema(const char *schema_file)
{
  const char *dirs[] = { g_getenv("NETCTL_SCHEMA_DIR"), NC_SCHEMA_DIR, NC_SOURCE_SCHEMA_DIR };

  for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
    if (!dirs[i] || !*dirs[i])
      continue;
    g_autofree char *path = g_build_filename(dirs[i], schema_file, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
      return g_steal_pointer(&path);
  }
  return NULL;
}

static void
collect_problem(void *user_data, xmlErrorPtr err)
{
  GPtrArray *problems = user_data;
  Problem *p = g_new0(Problem, 1);
  xmlNodePtr node = err->node;

  p->code = err->code;
  p->line = err->line;
  if (node && node->type == XML_ATTRIBUTE_NODE) {
    p->attribute = g_strdup((const char *)node->name);
    node = node->parent;
  }
  if (node && node->type == XML_TEXT_NODE)
    node = node->parent;
  if (node && node->type == XML_ELEMENT_NODE) {
    p->node = node;
    p->element = g_strdup((const char *)node->name);
    if (p->line <= 0)
      p->line = (int)xmlGetLineNo(node);
  }
  p->str1 = g_strdup(err->str1);
  p->str2 = g_strdup(err->str2);
  p->message = g_strchomp(g_strdup(err->message ? err->message : "invalid"));

  /* A bad attribute value is reported against its element with only the
   * value; find which attribute holds it so the message can name it. */
  if (!p->attribute && node && node->type == XML_ELEMENT_NODE && p->str2
      && (err->code == XML_RELAXNG_ERR_DATATYPE || err->code == XML_RELAXNG_ERR_VALUE
          || err->code == XML_RELAXNG_ERR_INVALIDATTR)) {
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
      g_autofree char *v = (char *)xmlNodeGetContent((xmlNodePtr)a);
      if (v && g_strcmp0(v, p->str2) == 0) {
        p->attribute = g_strdup((const char *)a->name);
        break;
      }
    }
  }
  g_ptr_array_add(problems, p);
}

/* How much a message tells the user; the highest wins, earliest on ties. */
static int
problem_rank(const Problem *p)
{
  switch (p->code) {
  case XML_RELAXNG_ERR_INVALIDATTR:
  case XML_RELAXNG_ERR_DATATYPE:
  case XML_RELAXNG_ERR_VALUE:
  case XML_RELAXNG_ERR_EXTRADATA:
  case XML_RELAXNG_ERR_ELEMWRONG:
  case XML_RELAXNG_ERR_ELEMEXTRANS:
  case XML_RELAXNG_ERR_ELEMWRONGNS:
  case XML_RELAXNG_ERR_ELEMNONS:
  case XML_RELAXNG_ERR_NOELEM:
  case XML_RELAXNG_ERR_NOTELEM:
  case XML_RELAXNG_ERR_ELEMNAME:
  case XML_RELAXNG_ERR_ELEMNOTEMPTY:
  case XML_RELAXNG_ERR_TEXTWRONG:
  case XML_RELAXNG_ERR_LIST:
  case XML_RELAXNG_ERR_LISTEXTRA:
  case XML_RELAXNG_ERR_LISTEMPTY:
  case XML_RELAXNG_ERR_NOGRAMMAR:
  case XML_RELAXNG_ERR_EXTRACONTENT:
    return 2;
  case XML_RELAXNG_ERR_CONTENTVALID:
  case XML_RELAXNG_ERR_ATTRVALID:
  case XML_RELAXNG_ERR_DATAELEM:
  case XML_RELAXNG_ERR_VALELEM:
  case XML_RELAXNG_ERR_LISTELEM:
  case XML_RELAXNG_ERR_INTERSEQ:
  case XML_RELAXNG_ERR_INTEREXTRA:
    return 1;
  default:
    return 0;
  }
}

static char *
problem_describe(const Problem *p)
{
  switch (p->code) {
  case XML_RELAXNG_ERR_INVALIDATTR:
    return g_strdup_printf("attribute '%s' is not allowed here", p->str1 ? p->str1 : "?");
  case XML_RELAXNG_ERR_DATATYPE:
  case XML_RELAXNG_ERR_VALUE:
  case XML_RELAXNG_ERR_LIST:
    if (p->str2) {
      g_autofree char *value = nc_name_escape(p->str2);
      return p->attribute
                 ? g_strdup_printf("invalid value '%s' for attribute '%s'", value, p->attribute)
                 : g_strdup_printf("invalid value '%s'", value);
    }
    if (p->attribute)
      return g_strdup_printf("invalid value '' for attribute '%s'", p->attribute);
    return g_strdup("invalid value");
  case XML_RELAXNG_ERR_EXTRADATA:
  case XML_RELAXNG_ERR_ELEMWRONG:
  case XML_RELAXNG_ERR_ELEMEXTRANS:
  case XML_RELAXNG_ERR_ELEMNAME:
    return g_strdup_printf("element '%s' is not allowed here",
                           p->str1 ? p->str1 : (p->element ? p->element : "?"));
  case XML_RELAXNG_ERR_ELEMWRONGNS:
  case XML_RELAXNG_ERR_ELEMNONS:
    return g_strdup_printf("element '%s' is in the wrong namespace",
                           p->str1 ? p->str1 : (p->element ? p->element : "?"));
  case XML_RELAXNG_ERR_NOELEM:
    return g_strdup_printf("required element '%s' is missing", p->str1 ? p->str1 : "?");
  case XML_RELAXNG_ERR_NOTELEM:
    return g_strdup_printf("expected element '%s', found '%s'", p->str1 ? p->str1 : "?",
                           p->str2 ? p->str2 : "?");
  case XML_RELAXNG_ERR_ELEMNOTEMPTY:
    return g_strdup("element must be empty");
  case XML_RELAXNG_ERR_TEXTWRONG:
  case XML_RELAXNG_ERR_EXTRACONTENT:
    return g_strdup("unexpected text content");
  case XML_RELAXNG_ERR_ATTRVALID:
    return g_strdup("invalid or missing attributes");
  case XML_RELAXNG_ERR_CONTENTVALID:
    return g_strdup("invalid content");
  default:
    return g_strdup(p->message);
  }
}

static const Problem *
best_problem(GPtrArray *problems)
{
  const Problem *best = NULL;
  int best_rank = -1;

  for (guint i = 0; i < problems->len; i++) {
    const Problem *p = problems->pdata[i];
    int rank = problem_rank(p);
    if (rank > best_rank) {
      best = p;
      best_rank = rank;
    }
  }
  return best;
}

static Schema *
load_schema(const char *schema_file, GError **error)
{
  g_autofree char *path = find_schema(schema_file);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(problem_free);

  if (!path) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR,
                "schema '%s' not found (looked in $NETCTL_SCHEMA_DIR, %s, %s)", schema_file,
                NC_SCHEMA_DIR, NC_SOURCE_SCHEMA_DIR);
    return NULL;
  }

  g_autoptr(xmlRelaxNGParserCtxt) pctxt = xmlRelaxNGNewParserCtxt(path);
  if (!pctxt) {
    g_set_error(error, NC_ERROR, NC_ERROR_NO_MEMORY, "cannot create a parser for schema '%s'",
                path);
    return NULL;
  }
  xmlRelaxNGSetParserStructuredErrors(pctxt, collect_problem, problems);
  xmlRelaxNGPtr rng = xmlRelaxNGParse(pctxt);
  if (!rng) {
    const Problem *p = problems->len ? problems->pdata[0] : NULL;
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "cannot load schema '%s': %s", path,
                p ? p->message : "unknown error");
    return NULL;
  }

  Schema *schema = g_new0(Schema, 1);
  schema->path = g_steal_pointer(&path);
  schema->rng = rng;
  g_mutex_init(&schema->lock);
  return schema;
}

static Schema *
get_schema(const char *schema_file, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&cache_lock);

  if (!cache)
    cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  Schema *schema = g_hash_table_lookup(cache, schema_file);
  if (schema)
    return schema;
  schema = load_schema(schema_file, error);
  if (schema)
    g_hash_table_insert(cache, g_strdup(schema_file), schema);
  return schema;
}

/* Our own reading of what is wrong (see schema-diagnose.c): first around
 * the element libxml2 complained about, then anywhere in the document, then
 * the schema's hint for that element. NULL if none of them has anything. */
static char *
explain(Schema *schema, xmlDocPtr doc, GPtrArray *problems, int *ret_line, char **ret_element)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&schema->lock);
  xmlNodePtr at = NULL;
  char *what;

  if (!schema->index) {
    schema->index = nc_schema_index_new(schema->path, NULL);
    if (!schema->index)
      return NULL;
  }
  for (guint i = 0; i < problems->len && !at; i++)
    at = ((const Problem *)problems->pdata[i])->node;

  if (at && (what = nc_schema_index_explain(schema->index, at, ret_line, ret_element)))
    return what;
  what = nc_schema_index_explain(schema->index, xmlDocGetRootElement(doc), ret_line, ret_element);
  if (what)
    return what;

  xmlNodePtr hinted = NULL;
  const char *hint = at ? nc_schema_index_hint(schema->index, at, &hinted) : NULL;
  if (!hint)
    return NULL;
  *ret_line = (int)xmlGetLineNo(hinted);
  *ret_element = g_strdup((const char *)hinted->name);
  return g_strdup(hint);
}

gboolean
nc_schema_validate(xmlDocPtr doc, const char *schema_file, const char *filename, GError **error)
{
  g_return_val_if_fail(doc != NULL, FALSE);
  g_return_val_if_fail(schema_file != NULL && !strchr(schema_file, '/'), FALSE);

  Schema *schema = get_schema(schema_file, error);
  if (!schema)
    return FALSE;

  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(problem_free);
  int rc;
  {
    G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&schema->lock);
    g_autoptr(xmlRelaxNGValidCtxt) vctxt = xmlRelaxNGNewValidCtxt(schema->rng);
    if (!vctxt) {
      g_set_error(error, NC_ERROR, NC_ERROR_NO_MEMORY, "cannot create a validator for '%s'",
                  schema_file);
      return FALSE;
    }
    xmlRelaxNGSetValidStructuredErrors(vctxt, collect_problem, problems);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
  }
  if (rc == 0)
    return TRUE;

  const char *file = filename ? filename : "(string)";
  int line = 0;
  g_autofree char *element = NULL;
  g_autofree char *what = explain(schema, doc, problems, &line, &element);
  if (!what) {
    const Problem *p = best_problem(problems);
    if (!p) {
      g_set_error(error, NC_ERROR, NC_ERROR_XML_INVALID_SCHEMA,
                  "%s: document does not match schema '%s'", file, schema_file);
      return FALSE;
    }
    what = problem_describe(p);
    line = p->line;
    element = g_strdup(p->element);
    /* Interleave messages carry no node; the next message that does is
     * about the same element. */
    for (guint i = 0; i < problems->len && line <= 0; i++) {
      const Problem *q = problems->pdata[i];
      if (q->line > 0 && q->element) {
        line = q->line;
        g_free(element);
        element = g_strdup(q->element);
      }
    }
  }
  g_set_error(error, NC_ERROR, NC_ERROR_XML_INVALID_SCHEMA, "%s:%d: <%s>: %s", file, line,
              element ? element : "?", what);
  return FALSE;
}
