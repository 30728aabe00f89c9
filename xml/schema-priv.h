/* Between schema.c (load, cache, validate) and schema-diagnose.c (explain a
 * failed validation). Not for use outside these two files. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/* What the schema allows where: for each element (by parent and name) its
 * attributes, child elements and value patterns, read from the .rng files
 * themselves so the explanation never disagrees with the validator. */
typedef struct _NcSchemaIndex NcSchemaIndex;

/* schema_path: the main .rng file; its <include>s are read too. */
NcSchemaIndex *nc_schema_index_new(const char *schema_path, GError **error);
void nc_schema_index_free(NcSchemaIndex *index);

/* Look for the first thing in @node's subtree (and @node's own placement)
 * that the schema does not allow. On success fills *ret_line with the line to
 * report, *ret_element with the element to name and returns the message
 * ("invalid value 'x' for attribute 'mode' (expected one of: ...)");
 * returns NULL when nothing specific was found. Not thread-safe: the caller
 * serialises calls on one index. */
char *nc_schema_index_explain(NcSchemaIndex *index, xmlNodePtr node, int *ret_line,
                              char **ret_element);

/* The schema's hint (an a:documentation annotation) for @node or its nearest
 * ancestor that has one; NULL if none. */
const char *nc_schema_index_hint(NcSchemaIndex *index, xmlNodePtr node, xmlNodePtr *ret_node);

G_END_DECLS
