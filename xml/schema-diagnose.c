/* Explain a failed RelaxNG validation in the user's terms.
 *
 * libxml2 reports most RelaxNG failures as "Extra element bridge in
 * interleave" or "Invalid attribute stp for element bridge", whether the
 * attribute is unknown or merely has a bad value. To say which, we read the
 * .rng files ourselves into an index of what each element (keyed by parent
 * and name) allows, walk the offending part of the document against it, and
 * test single values against the schema's own patterns with a tiny grammar
 * that includes the real one. So the explanation cannot drift from the
 * validator: a value is called invalid only if the schema's pattern for that
 * attribute refuses it.
 *
 * Everything here runs only after a validation failed. */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/uri.h>

#include "nc-error.h"
#include "network-check-names.h"
#include "schema-priv.h"

#define RNG_NS "http://relaxng.org/ns/structure/1.0"
#define ANNOTATION_NS "http://relaxng.org/ns/compatibility/annotations/1.0"
#define XSD_TYPES "http://www.w3.org/2001/XMLSchema-datatypes"
/* refs nest a few levels in our schemas; this only stops runaway recursion */
#define MAX_DEPTH 64
#define MAX_QUOTED 80

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

typedef struct {
  GPtrArray *patterns; /* the schema's <attribute> nodes for this name */
  guint n_required;    /* in how many of the element's definitions it is required */
} AttrInfo;

typedef struct {
  gboolean multi;   /* may repeat */
  guint n_required; /* as for attributes */
} ChildInfo;

typedef struct {
  guint n_defs;         /* <element> patterns sharing this parent/name */
  GPtrArray *patterns;  /* those <element> nodes */
  GHashTable *attrs;    /* name -> AttrInfo */
  GHashTable *children; /* local name -> ChildInfo */
  gboolean any_attrs;
  gboolean any_children; /* <element><anyName/>: open content, e.g. metadata */
  gboolean any_needs_ns; /* ... except elements in no namespace */
  gboolean has_text;
  char *hint;
  GHashTable *checkers; /* "@attr" / "#text" -> xmlRelaxNGPtr (NULL: cannot check) */
} ElementInfo;

struct _NcSchemaIndex {
  char *path;
  GPtrArray *docs;      /* xmlDocPtr of every .rng read */
  GHashTable *defines;  /* name -> GPtrArray of <define> nodes */
  GHashTable *elements; /* "parent/name" ("" for the document) -> ElementInfo */
  GHashTable *visited;  /* "key|node" pairs already indexed */
  xmlNodePtr start;
};

typedef struct {
  gboolean optional; /* under optional / zeroOrMore / choice */
  gboolean multi;    /* under zeroOrMore / oneOrMore */
} WalkFlags;

static void
attr_info_free(gpointer data)
{
  AttrInfo *a = data;
  g_ptr_array_unref(a->patterns);
  g_free(a);
}

static void
checker_free(gpointer data)
{
  if (data)
    xmlRelaxNGFree(data);
}

static void
element_info_free(gpointer data)
{
  ElementInfo *e = data;
  g_ptr_array_unref(e->patterns);
  g_hash_table_unref(e->attrs);
  g_hash_table_unref(e->children);
  g_hash_table_unref(e->checkers);
  g_free(e->hint);
  g_free(e);
}

static gboolean
is_rng(xmlNodePtr n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST RNG_NS)
         && (!name || xmlStrEqual(n->name, BAD_CAST name));
}

static char *
prop(xmlNodePtr n, const char *name)
{
  xmlChar *v = xmlGetProp(n, BAD_CAST name);
  char *ret = v ? g_strdup((const char *)v) : NULL;
  xmlFree(v);
  return ret;
}

static const char *
local_part(const char *qname)
{
  const char *colon = strchr(qname, ':');
  return colon ? colon + 1 : qname;
}

static void
silence(void *user_data, xmlErrorPtr err)
{
}

/* Text of the a:documentation annotation directly under @n, or NULL. */
static char *
annotation_of(xmlNodePtr n)
{
  for (xmlNodePtr c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && c->ns && xmlStrEqual(c->ns->href, BAD_CAST ANNOTATION_NS)) {
      xmlChar *text = xmlNodeGetContent(c);
      char *ret = g_strstrip(g_strdup((const char *)text));
      xmlFree(text);
      return ret;
    }
  }
  return NULL;
}

/* ----- reading the schema ----- */

static gboolean load_grammar(NcSchemaIndex *ix, const char *path, gboolean main, int depth,
                             GError **error);

static void
collect_grammar(NcSchemaIndex *ix, xmlNodePtr parent, const char *dir, gboolean main, int depth)
{
  for (xmlNodePtr c = parent->children; c; c = c->next) {
    if (is_rng(c, "define")) {
      g_autofree char *name = prop(c, "name");
      if (!name)
        continue;
      GPtrArray *list = g_hash_table_lookup(ix->defines, name);
      if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(ix->defines, g_strdup(name), list);
      }
      g_ptr_array_add(list, c);
    } else if (is_rng(c, "start") && main) {
      ix->start = c;
    } else if (is_rng(c, "include")) {
      g_autofree char *href = prop(c, "href");
      if (href) {
        g_autofree char *path = g_build_filename(dir, href, NULL);
        load_grammar(ix, path, FALSE, depth + 1, NULL);
      }
      collect_grammar(ix, c, dir, main, depth + 1);
    } else if (is_rng(c, "div")) {
      collect_grammar(ix, c, dir, main, depth + 1);
    }
  }
}

static gboolean
load_grammar(NcSchemaIndex *ix, const char *path, gboolean main, int depth, GError **error)
{
  if (depth > 8)
    return FALSE;
  xmlDocPtr doc
      = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc || !xmlDocGetRootElement(doc)) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "cannot read schema '%s'", path);
    xmlFreeDoc(doc);
    return FALSE;
  }
  g_ptr_array_add(ix->docs, doc);
  g_autofree char *dir = g_path_get_dirname(path);
  collect_grammar(ix, xmlDocGetRootElement(doc), dir, main, depth);
  return TRUE;
}

static ElementInfo *
element_info_get(NcSchemaIndex *ix, const char *key)
{
  ElementInfo *info = g_hash_table_lookup(ix->elements, key);
  if (!info) {
    info = g_new0(ElementInfo, 1);
    info->patterns = g_ptr_array_new();
    info->attrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, attr_info_free);
    info->children = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    info->checkers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, checker_free);
    g_hash_table_insert(ix->elements, g_strdup(key), info);
  }
  return info;
}

static void index_element(NcSchemaIndex *ix, const char *parent, xmlNodePtr el);

/* <element><anyName><except><nsName ns=""/></except></anyName>: any element
 * that has a namespace. */
static gboolean
excludes_no_namespace(xmlNodePtr el)
{
  for (xmlNodePtr any = el->children; any; any = any->next) {
    if (!is_rng(any, "anyName"))
      continue;
    for (xmlNodePtr ex = any->children; ex; ex = ex->next) {
      if (!is_rng(ex, "except"))
        continue;
      for (xmlNodePtr ns = ex->children; ns; ns = ns->next) {
        g_autofree char *uri = is_rng(ns, "nsName") ? prop(ns, "ns") : NULL;
        if (uri && !*uri)
          return TRUE;
      }
    }
  }
  return FALSE;
}

/* Record what the pattern under @pat allows inside element @self. */
static void
walk_content(NcSchemaIndex *ix, ElementInfo *info, const char *self, xmlNodePtr pat,
             WalkFlags flags, int depth)
{
  if (depth > MAX_DEPTH)
    return;
  for (xmlNodePtr c = pat->children; c; c = c->next) {
    if (!is_rng(c, NULL))
      continue;
    const char *kind = (const char *)c->name;
    WalkFlags inner = flags;

    if (g_str_equal(kind, "element")) {
      g_autofree char *qname = prop(c, "name");
      if (!qname) {
        info->any_children = TRUE;
        info->any_needs_ns |= excludes_no_namespace(c);
        continue;
      }
      const char *name = local_part(qname);
      ChildInfo *child = g_hash_table_lookup(info->children, name);
      if (!child) {
        child = g_new0(ChildInfo, 1);
        g_hash_table_insert(info->children, g_strdup(name), child);
      }
      child->multi |= flags.multi;
      if (!flags.optional)
        child->n_required++;
      index_element(ix, self, c);
    } else if (g_str_equal(kind, "attribute")) {
      g_autofree char *qname = prop(c, "name");
      if (!qname) {
        info->any_attrs = TRUE;
        continue;
      }
      const char *name = local_part(qname);
      AttrInfo *a = g_hash_table_lookup(info->attrs, name);
      if (!a) {
        a = g_new0(AttrInfo, 1);
        a->patterns = g_ptr_array_new();
        g_hash_table_insert(info->attrs, g_strdup(name), a);
      }
      g_ptr_array_add(a->patterns, c);
      if (!flags.optional)
        a->n_required++;
    } else if (g_str_equal(kind, "ref") || g_str_equal(kind, "parentRef")) {
      g_autofree char *name = prop(c, "name");
      GPtrArray *defs = name ? g_hash_table_lookup(ix->defines, name) : NULL;
      for (guint i = 0; defs && i < defs->len; i++)
        walk_content(ix, info, self, defs->pdata[i], flags, depth + 1);
    } else if (g_str_equal(kind, "optional") || g_str_equal(kind, "choice")) {
      inner.optional = TRUE;
      walk_content(ix, info, self, c, inner, depth + 1);
    } else if (g_str_equal(kind, "zeroOrMore")) {
      inner.optional = TRUE;
      inner.multi = TRUE;
      walk_content(ix, info, self, c, inner, depth + 1);
    } else if (g_str_equal(kind, "oneOrMore")) {
      inner.multi = TRUE;
      walk_content(ix, info, self, c, inner, depth + 1);
    } else if (g_str_equal(kind, "group") || g_str_equal(kind, "interleave")
               || g_str_equal(kind, "mixed")) {
      if (g_str_equal(kind, "mixed"))
        info->has_text = TRUE;
      walk_content(ix, info, self, c, inner, depth + 1);
    } else if (g_str_equal(kind, "text") || g_str_equal(kind, "data") || g_str_equal(kind, "value")
               || g_str_equal(kind, "list")) {
      info->has_text = TRUE;
    }
  }
}

static void
index_element(NcSchemaIndex *ix, const char *parent, xmlNodePtr el)
{
  g_autofree char *qname = prop(el, "name");
  const char *name = local_part(qname);
  g_autofree char *key = g_strdup_printf("%s/%s", parent, name);
  g_autofree char *seen = g_strdup_printf("%s|%p", key, (void *)el);

  if (g_hash_table_contains(ix->visited, seen))
    return;
  g_hash_table_add(ix->visited, g_steal_pointer(&seen));

  ElementInfo *info = element_info_get(ix, key);
  info->n_defs++;
  g_ptr_array_add(info->patterns, el);
  if (!info->hint)
    info->hint = annotation_of(el);
  walk_content(ix, info, name, el, (WalkFlags){ FALSE, FALSE }, 0);
}

NcSchemaIndex *
nc_schema_index_new(const char *schema_path, GError **error)
{
  NcSchemaIndex *ix = g_new0(NcSchemaIndex, 1);
  ix->path = g_strdup(schema_path);
  ix->docs = g_ptr_array_new_with_free_func((GDestroyNotify)xmlFreeDoc);
  ix->defines
      = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  ix->elements = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, element_info_free);
  ix->visited = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  if (!load_grammar(ix, schema_path, TRUE, 0, error)) {
    nc_schema_index_free(ix);
    return NULL;
  }
  if (!ix->start) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR, "schema '%s' has no <start>",
                schema_path);
    nc_schema_index_free(ix);
    return NULL;
  }
  /* The document itself is the parent of the root element, key "". */
  walk_content(ix, element_info_get(ix, ""), "", ix->start, (WalkFlags){ FALSE, FALSE }, 0);
  return ix;
}

void
nc_schema_index_free(NcSchemaIndex *ix)
{
  if (!ix)
    return;
  g_hash_table_unref(ix->visited);
  g_hash_table_unref(ix->elements);
  g_hash_table_unref(ix->defines);
  g_ptr_array_unref(ix->docs); /* last: the tables point into these */
  g_free(ix->path);
  g_free(ix);
}

/* ----- checking one value against the schema's own pattern ----- */

typedef enum {
  CHECK_ATTRIBUTE, /* <v a="..."/> against an attribute's patterns */
  CHECK_TEXT,      /* <v>...</v> against a leaf element's content */
  CHECK_ELEMENT,   /* a copy of the element against its own definitions */
} CheckKind;

/* Copy what @sources (schema nodes) allow into a <choice> under @parent: for
 * attributes and text their content patterns, for elements the <element>
 * patterns themselves. */
static void
copy_patterns(xmlNodePtr parent, xmlNsPtr rng, GPtrArray *sources, CheckKind kind)
{
  xmlNodePtr choice = xmlNewChild(parent, rng, BAD_CAST "choice", NULL);
  for (guint i = 0; i < sources->len; i++) {
    xmlNodePtr src = sources->pdata[i];
    if (kind == CHECK_ELEMENT) {
      xmlAddChild(choice, xmlDocCopyNode(src, parent->doc, 1));
      continue;
    }
    xmlNodePtr group = xmlNewChild(choice, rng, BAD_CAST "group", NULL);
    gboolean any = FALSE;
    for (xmlNodePtr c = src->children; c; c = c->next) {
      if (!is_rng(c, NULL) || xmlStrEqual(c->name, BAD_CAST "name")
          || xmlStrEqual(c->name, BAD_CAST "anyName") || xmlStrEqual(c->name, BAD_CAST "nsName"))
        continue;
      xmlAddChild(group, xmlDocCopyNode(c, parent->doc, 1));
      any = TRUE;
    }
    if (!any)
      xmlNewChild(group, rng, BAD_CAST "text", NULL);
  }
}

/* A grammar that includes ours (for its defines) and whose start is the
 * pattern to test, taken from @sources. */
static xmlRelaxNGPtr
build_checker(NcSchemaIndex *ix, GPtrArray *sources, CheckKind kind)
{
  g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
  xmlNodePtr grammar = xmlNewDocNode(doc, NULL, BAD_CAST "grammar", NULL);
  xmlDocSetRootElement(doc, grammar);
  xmlNsPtr rng = xmlNewNs(grammar, BAD_CAST RNG_NS, NULL);
  xmlSetNs(grammar, rng);
  xmlNewProp(grammar, BAD_CAST "datatypeLibrary", BAD_CAST XSD_TYPES);

  xmlChar *uri = xmlPathToURI(BAD_CAST ix->path);
  xmlNodePtr include = xmlNewChild(grammar, rng, BAD_CAST "include", NULL);
  xmlNewProp(include, BAD_CAST "href", uri);
  xmlFree(uri);
  xmlNodePtr start = xmlNewChild(include, rng, BAD_CAST "start", NULL);
  if (kind == CHECK_ELEMENT) {
    copy_patterns(start, rng, sources, kind);
  } else {
    xmlNodePtr el = xmlNewChild(start, rng, BAD_CAST "element", NULL);
    xmlNewProp(el, BAD_CAST "name", BAD_CAST "v");
    if (kind == CHECK_ATTRIBUTE) {
      xmlNodePtr attr = xmlNewChild(el, rng, BAD_CAST "attribute", NULL);
      xmlNewProp(attr, BAD_CAST "name", BAD_CAST "a");
      copy_patterns(attr, rng, sources, kind);
    } else {
      copy_patterns(el, rng, sources, kind);
    }
  }

  xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewDocParserCtxt(doc);
  if (!pctxt)
    return NULL;
  xmlRelaxNGSetParserStructuredErrors(pctxt, silence, NULL);
  xmlRelaxNGPtr rngp = xmlRelaxNGParse(pctxt);
  xmlRelaxNGFreeParserCtxt(pctxt);
  return rngp;
}

/* 1 if @doc passes the checker for @key (built on first use), 0 if not, -1
 * if the checker cannot be built. */
static int
run_checker(NcSchemaIndex *ix, ElementInfo *info, const char *key, GPtrArray *sources,
            CheckKind kind, xmlDocPtr doc)
{
  xmlRelaxNGPtr checker;

  if (!g_hash_table_lookup_extended(info->checkers, key, NULL, (gpointer *)&checker)) {
    checker = build_checker(ix, sources, kind);
    g_hash_table_insert(info->checkers, g_strdup(key), checker);
  }
  if (!checker)
    return -1;
  xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(checker);
  if (!vctxt)
    return -1;
  xmlRelaxNGSetValidStructuredErrors(vctxt, silence, NULL);
  int rc = xmlRelaxNGValidateDoc(vctxt, doc);
  xmlRelaxNGFreeValidCtxt(vctxt);
  return rc == 0 ? 1 : 0;
}

/* TRUE if @value fits; also TRUE when the pattern cannot be tested, so that
 * we never blame a value we could not check. */
static gboolean
value_fits(NcSchemaIndex *ix, ElementInfo *info, const char *attr, GPtrArray *sources,
           const char *value)
{
  g_autofree char *key = attr ? g_strdup_printf("@%s", attr) : g_strdup("#text");
  g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
  xmlNodePtr v = xmlNewDocNode(doc, NULL, BAD_CAST "v", NULL);
  xmlDocSetRootElement(doc, v);
  if (attr)
    xmlNewProp(v, BAD_CAST "a", BAD_CAST value);
  else
    xmlAddChild(v, xmlNewDocText(doc, BAD_CAST value));
  return run_checker(ix, info, key, sources, attr ? CHECK_ATTRIBUTE : CHECK_TEXT, doc) != 0;
}

/* Does @node, with its subtree, match its own definition (ignoring where
 * it is)? FALSE also when that cannot be tested, so the caller looks
 * inside. */
static gboolean
element_fits(NcSchemaIndex *ix, ElementInfo *info, xmlNodePtr node)
{
  g_autoptr(xmlDoc) doc = xmlNewDoc(BAD_CAST "1.0");
  xmlDocSetRootElement(doc, xmlDocCopyNode(node, doc, 1));
  return run_checker(ix, info, "<element>", info->patterns, CHECK_ELEMENT, doc) == 1;
}

/* The allowed values when the pattern is a plain list of <value>s. */
static gboolean
collect_values(NcSchemaIndex *ix, xmlNodePtr pat, GPtrArray *out, int depth)
{
  if (depth > MAX_DEPTH)
    return FALSE;
  for (xmlNodePtr c = pat->children; c; c = c->next) {
    if (!is_rng(c, NULL))
      continue;
    if (xmlStrEqual(c->name, BAD_CAST "value")) {
      xmlChar *v = xmlNodeGetContent(c);
      g_ptr_array_add(out, g_strdup((const char *)v));
      xmlFree(v);
    } else if (xmlStrEqual(c->name, BAD_CAST "choice")) {
      if (!collect_values(ix, c, out, depth + 1))
        return FALSE;
    } else if (xmlStrEqual(c->name, BAD_CAST "ref")) {
      g_autofree char *name = prop(c, "name");
      GPtrArray *defs = name ? g_hash_table_lookup(ix->defines, name) : NULL;
      for (guint i = 0; defs && i < defs->len; i++)
        if (!collect_values(ix, defs->pdata[i], out, depth + 1))
          return FALSE;
    } else {
      return FALSE;
    }
  }
  return TRUE;
}

/* The annotation of the named type the value must have, when the pattern
 * is a single <ref> ("a UUID such as ..."). */
static char *
type_description(NcSchemaIndex *ix, GPtrArray *sources)
{
  for (xmlNodePtr c = ((xmlNodePtr)sources->pdata[0])->children; c; c = c->next) {
    if (!is_rng(c, NULL))
      continue;
    if (!xmlStrEqual(c->name, BAD_CAST "ref"))
      return NULL;
    g_autofree char *name = prop(c, "name");
    GPtrArray *defs = name ? g_hash_table_lookup(ix->defines, name) : NULL;
    return defs && defs->len ? annotation_of(defs->pdata[0]) : NULL;
  }
  return NULL;
}

/* "one of 'a', 'b'" or the type's description; NULL if we know neither. */
static char *
expected_values(NcSchemaIndex *ix, GPtrArray *sources)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < sources->len; i++)
    if (!collect_values(ix, sources->pdata[i], values, 0))
      return type_description(ix, sources);
  if (values->len == 0)
    return type_description(ix, sources);
  /* the same value may come from several branches */
  g_autoptr(GString) s = g_string_new(NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < values->len; i++) {
    if (!g_hash_table_add(seen, values->pdata[i]))
      continue;
    g_string_append_printf(s, "%s'%s'", s->len ? ", " : "", (char *)values->pdata[i]);
  }
  g_string_prepend(s, "one of ");
  return g_string_free(g_steal_pointer(&s), FALSE);
}

/* ----- walking the document ----- */

typedef struct {
  int line;
  char *element;
  char *message;
} Finding;

/* The one escaping of user values in messages (nc_name_escape), cut short
 * on a character boundary. */
static char *
quote(const char *value)
{
  g_autofree char *escaped = nc_name_escape(value);
  if (strlen(escaped) > MAX_QUOTED) {
    int n = MAX_QUOTED;
    while (n > 0 && ((guchar)escaped[n] & 0xc0) == 0x80)
      n--;
    return g_strdup_printf("%.*s...", n, escaped);
  }
  return g_steal_pointer(&escaped);
}

static gboolean
found(Finding *f, xmlNodePtr at, const char *element, char *message)
{
  f->line = (int)xmlGetLineNo(at);
  f->element = g_strdup(element);
  f->message = message;
  return TRUE;
}

static ElementInfo *
info_for(NcSchemaIndex *ix, xmlNodePtr node)
{
  xmlNodePtr parent = node->parent;
  const char *pname = parent && parent->type == XML_ELEMENT_NODE ? (const char *)parent->name : "";
  g_autofree char *key = g_strdup_printf("%s/%s", pname, (const char *)node->name);
  return g_hash_table_lookup(ix->elements, key);
}

/* Edit distance, for "did you mean": names here are short. */
static guint
distance(const char *a, const char *b)
{
  gsize la = strlen(a), lb = strlen(b);
  if (la > 32 || lb > 32)
    return G_MAXUINT;
  guint row[33];
  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++) {
    guint diag = row[0];
    row[0] = i;
    for (gsize j = 1; j <= lb; j++) {
      guint up = row[j];
      guint cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
      row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
      diag = up;
    }
  }
  return row[lb];
}

/* " (did you mean 'bridge'?)" when one allowed name is a typo away. */
static const char *
suggestion(GHashTable *allowed, const char *name, char **ret_buf)
{
  GHashTableIter it;
  gpointer key;
  const char *best = NULL;
  guint best_d = 3;

  g_hash_table_iter_init(&it, allowed);
  while (g_hash_table_iter_next(&it, &key, NULL)) {
    guint d = distance(name, key);
    if (d < best_d || (d == best_d && best && g_strcmp0(key, best) < 0)) {
      best = key;
      best_d = d;
    }
  }
  *ret_buf = best && best_d <= 2 ? g_strdup_printf(" (did you mean '%s'?)", best) : g_strdup("");
  return *ret_buf;
}

static gboolean
check_attributes(NcSchemaIndex *ix, ElementInfo *info, xmlNodePtr node, Finding *f)
{
  const char *name = (const char *)node->name;

  for (xmlAttrPtr a = node->properties; a; a = a->next) {
    const char *aname = (const char *)a->name;
    AttrInfo *ai = g_hash_table_lookup(info->attrs, aname);
    if (!ai) {
      if (info->any_attrs)
        continue;
      g_autofree char *hint = NULL;
      return found(f, node, name,
                   g_strdup_printf("attribute '%s' is not allowed here%s", aname,
                                   suggestion(info->attrs, aname, &hint)));
    }
    xmlChar *raw = xmlNodeGetContent((xmlNodePtr)a);
    g_autofree char *value = g_strdup(raw ? (const char *)raw : "");
    xmlFree(raw);
    if (value_fits(ix, info, aname, ai->patterns, value))
      continue;
    g_autofree char *q = quote(value);
    g_autofree char *expected = expected_values(ix, ai->patterns);
    return found(f, node, name,
                 expected ? g_strdup_printf("invalid value '%s' for attribute '%s': expected %s", q,
                                            aname, expected)
                          : g_strdup_printf("invalid value '%s' for attribute '%s'", q, aname));
  }

  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, info->attrs);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    AttrInfo *ai = value;
    if (ai->n_required == info->n_defs && !xmlHasProp(node, key))
      return found(f, node, name,
                   g_strdup_printf("required attribute '%s' is missing", (const char *)key));
  }
  return FALSE;
}

static gboolean
check_children(ElementInfo *info, xmlNodePtr node, Finding *f)
{
  const char *name = (const char *)node->name;
  g_autoptr(GHashTable) counts = g_hash_table_new(g_str_hash, g_str_equal);

  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    const char *cname = (const char *)c->name;
    ChildInfo *ci = g_hash_table_lookup(info->children, cname);
    if (!ci) {
      if (info->any_children)
        continue;
      g_autofree char *hint = NULL;
      return found(f, c, name,
                   g_strdup_printf("element '%s' is not allowed here%s", cname,
                                   suggestion(info->children, cname, &hint)));
    }
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(counts, cname)) + 1;
    g_hash_table_insert(counts, (gpointer)cname, GUINT_TO_POINTER(n));
    if (n == 2 && !ci->multi)
      return found(f, c, name, g_strdup_printf("element '%s' may appear only once", cname));
  }

  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, info->children);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    ChildInfo *ci = value;
    if (ci->n_required == info->n_defs && !g_hash_table_contains(counts, key))
      return found(f, node, name,
                   g_strdup_printf("required element '%s' is missing", (const char *)key));
  }
  return FALSE;
}

/* A leaf holding only a value, such as <uuid> or <hostname>. */
static gboolean
check_text(NcSchemaIndex *ix, ElementInfo *info, xmlNodePtr node, Finding *f)
{
  if (!info->has_text || g_hash_table_size(info->children) > 0 || g_hash_table_size(info->attrs) > 0
      || info->any_children)
    return FALSE;
  xmlChar *raw = xmlNodeGetContent(node);
  g_autofree char *text = g_strdup(raw ? (const char *)raw : "");
  xmlFree(raw);
  if (value_fits(ix, info, NULL, info->patterns, text))
    return FALSE;
  g_autofree char *q = quote(text);
  g_autofree char *expected = expected_values(ix, info->patterns);
  return found(f, node, (const char *)node->name,
               expected ? g_strdup_printf("invalid value '%s': expected %s", q, expected)
                        : g_strdup_printf("invalid value '%s'", q));
}

static gboolean
check_no_text(ElementInfo *info, xmlNodePtr node, Finding *f)
{
  if (info->has_text || info->any_children)
    return FALSE;
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
      continue;
    xmlChar *raw = xmlNodeGetContent(c);
    g_autofree char *text = g_strstrip(g_strdup(raw ? (const char *)raw : ""));
    xmlFree(raw);
    if (*text) {
      g_autofree char *q = quote(text);
      return found(f, node, (const char *)node->name,
                   g_strdup_printf("text '%s' is not allowed inside this element", q));
    }
  }
  return FALSE;
}

/* Open content (metadata): only the namespace rule can be checked. */
static gboolean
check_open_content(ElementInfo *info, xmlNodePtr node, Finding *f)
{
  if (!info->any_needs_ns)
    return FALSE;
  for (xmlNodePtr c = node->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && !c->ns
        && !g_hash_table_contains(info->children, (const char *)c->name))
      return found(f, c, (const char *)node->name,
                   g_strdup_printf("element '%s' is not allowed here without a namespace "
                                   "(use <x:%s xmlns:x='http://your.app/uri'>)",
                                   (const char *)c->name, (const char *)c->name));
  return FALSE;
}

/* What is wrong with @node itself: its attributes, its text, which
 * children it has. Its children's own content is not looked at. */
static gboolean
explain_node(NcSchemaIndex *ix, ElementInfo *info, xmlNodePtr node, Finding *f)
{
  if (info->any_children)
    return check_open_content(info, node, f);
  if (check_attributes(ix, info, node, f) || check_text(ix, info, node, f)
      || check_no_text(info, node, f) || check_children(info, node, f))
    return TRUE;
  /* Every part is allowed, but not together (a choice or a rule such as
   * "<dns enable='no'> must be empty"): the schema's hint says which. */
  return found(f, node, (const char *)node->name,
               g_strdup(info->hint ? info->hint
                                   : "this combination of attributes and child elements is "
                                     "not allowed"));
}

/* The innermost element of @node's subtree that does not match its own
 * definition while all its children do: where the fault is. */
static xmlNodePtr
innermost_misfit(NcSchemaIndex *ix, xmlNodePtr node, int depth)
{
  if (depth > MAX_DEPTH)
    return node;
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    ElementInfo *ci = info_for(ix, c);
    if (ci && !element_fits(ix, ci, c))
      return innermost_misfit(ix, c, depth + 1);
  }
  return node;
}

char *
nc_schema_index_explain(NcSchemaIndex *ix, xmlNodePtr node, int *ret_line, char **ret_element)
{
  Finding f = { 0 };

  if (!node || node->type != XML_ELEMENT_NODE)
    return NULL;

  /* Is the node itself in a place the schema knows? Check from the root
   * down, so that content under an open element (metadata) is left alone. */
  g_autoptr(GPtrArray) chain = g_ptr_array_new();
  for (xmlNodePtr n = node; n && n->type == XML_ELEMENT_NODE; n = n->parent)
    g_ptr_array_insert(chain, 0, n);
  ElementInfo *parent_info = g_hash_table_lookup(ix->elements, "");
  ElementInfo *info = NULL;
  for (guint i = 0; i < chain->len; i++) {
    xmlNodePtr n = chain->pdata[i];
    info = info_for(ix, n);
    if (info) {
      parent_info = info;
      continue;
    }
    if (!parent_info || parent_info->any_children)
      return NULL;
    if (!n->parent || n->parent->type != XML_ELEMENT_NODE) {
      found(&f, n, (const char *)n->name,
            g_strdup_printf("unexpected root element <%s>", (const char *)n->name));
    } else {
      g_autofree char *hint = NULL;
      found(&f, n, (const char *)n->parent->name,
            g_strdup_printf("element '%s' is not allowed here%s", (const char *)n->name,
                            suggestion(parent_info->children, (const char *)n->name, &hint)));
    }
    break;
  }

  if (!f.message) {
    /* An element that is fine by itself is wrong only in how it sits among
     * its siblings; the caller asks again about its parent or the root. */
    if (element_fits(ix, info, node))
      return NULL;
    xmlNodePtr culprit = innermost_misfit(ix, node, 0);
    explain_node(ix, info_for(ix, culprit), culprit, &f);
  }

  *ret_line = f.line;
  *ret_element = f.element;
  return f.message;
}

const char *
nc_schema_index_hint(NcSchemaIndex *ix, xmlNodePtr node, xmlNodePtr *ret_node)
{
  for (xmlNodePtr n = node; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
    ElementInfo *info = info_for(ix, n);
    if (info && info->hint) {
      *ret_node = n;
      return info->hint;
    }
  }
  return NULL;
}
