/* Our RelaxNG schemas against real documents, through nc_schema_validate
 * (the function the daemon uses).
 *
 *   test-schema libvirt   every network / port XML of libvirt's test data
 *                         (MANIFEST.tsv under $NETCTL_SHARED/conformance/libvirt)
 *   test-schema tree      every *.xml under tests/ of our tree, by root element;
 *                         files named *-invalid.xml or *schema-invalid*, and
 *                         directories named fuzz*, bad or invalid, are left out
 *   test-schema own       tests/schema/data: real-world definitions must pass,
 *                         *-schema-invalid.xml must fail with the message and
 *                         line their first comment announces:
 *                         <!-- expect: LINE: SUBSTRING -->
 *                         plus the API's own cases (unknown schema, in-memory
 *                         input, validation from several threads)
 *   test-schema check FILE...   print the verdict for each file (for people)
 *
 * Exit status 77 (skipped) when the libvirt data is absent. */
#include <string.h>

#include <libxml/parser.h>

#include "nc-error.h"
#include "network-xml.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

#define SKIP 77

/* libvirt's four fail-parse cases: the first two break rules our schema
 * encodes; duplicates are only caught by the semantic checks. */
static const char *const libvirt_schema_invalid[] = {
  "routed-network-no-dns-extra-elements.xml",
  "open-network-with-forward-dev.xml",
  NULL,
};

/* Files of our tree that test how the parser copes with input the schema
 * refuses (libvirt's parser drops such junk silently). They must stay
 * schema-invalid; if one becomes valid, its test no longer tests that. */
static const char *const tree_schema_invalid[] = {
  "tests/port/data/good/dropped-elements.xml", /* empty <group>, <plug type='none' bridge=> */
  NULL,
};

typedef struct {
  char *path;
  char *display; /* path relative to the data root, for messages */
  gboolean expect_valid;
  int expect_line;     /* own invalid cases: line the error must name */
  char *expect_substr; /* own invalid cases: text the error must contain */
} Case;

static void
case_free(gpointer data)
{
  Case *c = data;
  g_free(c->path);
  g_free(c->display);
  g_free(c->expect_substr);
  g_free(c);
}

static xmlDocPtr
read_doc(const char *path, GError **error)
{
  xmlDocPtr doc
      = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
  if (!doc) {
    const xmlError *e = xmlGetLastError();
    g_set_error(error, NC_ERROR, NC_ERROR_XML_ERROR, "%s: not well-formed: %s", path,
                e && e->message ? e->message : "?");
  }
  return doc;
}

/* "network.rng" / "networkport.rng" by root element; NULL for XML that is
 * neither (update snippets, status files, fixtures of other formats). */
static const char *
schema_for(xmlDocPtr doc)
{
  xmlNodePtr root = xmlDocGetRootElement(doc);
  if (!root || root->ns)
    return NULL;
  if (xmlStrEqual(root->name, BAD_CAST "network"))
    return "network.rng";
  if (xmlStrEqual(root->name, BAD_CAST "networkport"))
    return "networkport.rng";
  return NULL;
}

static void
run_case(gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(xmlDoc) doc = read_doc(c->path, &error);

  g_assert_no_error(error);
  const char *rng = schema_for(doc);
  g_assert_nonnull(rng);

  gboolean ok = nc_schema_validate(doc, rng, c->display, &error);
  if (c->expect_valid) {
    if (!ok)
      g_test_message("%s", error->message);
    g_assert_no_error(error);
    g_assert_true(ok);
    return;
  }

  g_assert_false(ok);
  g_assert_error(error, NC_ERROR, NC_ERROR_XML_INVALID_SCHEMA);
  g_test_message("%s", error->message);
  if (c->expect_line > 0) {
    g_autofree char *where = g_strdup_printf("%s:%d: ", c->display, c->expect_line);
    if (!g_str_has_prefix(error->message, where))
      g_error("%s: error does not start with '%s': %s", c->display, where, error->message);
  }
  if (c->expect_substr && !strstr(error->message, c->expect_substr))
    g_error("%s: error lacks '%s': %s", c->display, c->expect_substr, error->message);
}

static void
add_case(GPtrArray *cases, const char *suite, Case *c)
{
  g_autofree char *name = g_strdup_printf("/schema/%s/%s", suite, c->display);
  g_ptr_array_add(cases, c);
  g_test_add_data_func(name, c, run_case);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static gboolean
name_in(const char *base, const char *const *list)
{
  for (; *list; list++)
    if (g_str_equal(base, *list))
      return TRUE;
  return FALSE;
}

/* ----- libvirt's test data ----- */

static int
add_libvirt_cases(GPtrArray *cases)
{
  const char *shared = g_getenv("NETCTL_SHARED");
  g_autofree char *root
      = g_build_filename(shared ? shared : "/work/shared", "conformance", "libvirt", NULL);
  g_autofree char *manifest = g_build_filename(root, "MANIFEST.tsv", NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents(manifest, &text, NULL, NULL)) {
    g_printerr("skipped: libvirt test data not found (%s)\n", manifest);
    return SKIP;
  }

  /* Files may be listed by several rows (update tests reuse inputs). */
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_auto(GStrv) cols = g_strsplit(*l, "\t", -1);
    if (g_strv_length(cols) < 5 || g_str_equal(cols[0], "test"))
      continue;
    g_auto(GStrv) files = g_strsplit(cols[4], ",", -1);
    for (char **f = files; *f; f++) {
      if (!g_str_has_suffix(*f, ".xml") || g_hash_table_contains(seen, *f))
        continue;
      g_hash_table_add(seen, g_strdup(*f));

      g_autofree char *path = g_build_filename(root, *f, NULL);
      g_autoptr(xmlDoc) doc = read_doc(path, NULL);
      if (!doc || !schema_for(doc))
        continue; /* update snippets such as <host>, <txt> */

      g_autofree char *base = g_path_get_basename(*f);
      Case *c = g_new0(Case, 1);
      c->path = g_steal_pointer(&path);
      c->display = g_strdup(*f);
      c->expect_valid
          = !(g_str_has_prefix(*f, "networkxml2xmlin/") && name_in(base, libvirt_schema_invalid));
      add_case(cases, "libvirt", c);
    }
  }
  return 0;
}

/* ----- every XML of our tree ----- */

static gboolean
excluded(const char *name)
{
  return g_str_has_suffix(name, "-invalid.xml") || strstr(name, "schema-invalid") != NULL;
}

static void
walk_tree(GPtrArray *cases, const char *top, const char *rel)
{
  g_autofree char *dir_path = g_build_filename(top, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  const char *name;

  if (!dir)
    return;
  /* Sorted, so test names come out in a stable order. */
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  while ((name = g_dir_read_name(dir)))
    g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    const char *n = names->pdata[i];
    g_autofree char *sub = *rel ? g_build_filename(rel, n, NULL) : g_strdup(n);
    g_autofree char *path = g_build_filename(top, sub, NULL);

    /* Symlinks are not followed: fake sysfs trees (tests/hostdev/data)
     * link in cycles, as the real sysfs does. */
    if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
      continue;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
      /* Fuzz corpora and fuzz-found regressions (fuzz*) are broken on
       * purpose; a directory named "bad" or
       * "invalid" holds cases meant to fail, like *-invalid.xml files. */
      if (g_str_has_prefix(n, "fuzz") || g_str_equal(n, "bad") || g_str_equal(n, "invalid"))
        g_printerr("note: tests/%s left out (cases meant to fail)\n", sub);
      else
        walk_tree(cases, top, sub);
      continue;
    }
    if (!g_str_has_suffix(n, ".xml") || excluded(n))
      continue;

    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = read_doc(path, &error);
    if (!doc) {
      g_printerr("note: %s left out: %s\n", sub, error->message);
      continue;
    }
    if (!schema_for(doc))
      continue;

    Case *c = g_new0(Case, 1);
    c->path = g_steal_pointer(&path);
    c->display = g_strdup_printf("tests/%s", sub);
    c->expect_valid = !name_in(c->display, tree_schema_invalid);
    add_case(cases, "tree", c);
  }
}

static int
add_tree_cases(GPtrArray *cases)
{
  const char *srcdir = g_getenv("NETCTL_SRCDIR");
  g_autofree char *top = g_build_filename(srcdir ? srcdir : ".", "tests", NULL);

  walk_tree(cases, top, "");
  if (cases->len == 0)
    g_printerr("note: no network or port XML under %s\n", top);
  return 0;
}

/* ----- the API itself ----- */

static const char valid_net[] = "<network><name>t</name><bridge name='virbr9'/></network>";
static const char invalid_net[]
    = "<network>\n<name>t</name>\n<bridge stp='sometimes'/>\n</network>";

static xmlDocPtr
doc_from(const char *text)
{
  return xmlReadMemory(text, (int)strlen(text), NULL, NULL, XML_PARSE_NONET);
}

static void
test_unknown_schema(void)
{
  g_autoptr(xmlDoc) doc = doc_from(valid_net);
  g_autoptr(GError) error = NULL;

  g_assert_false(nc_schema_validate(doc, "no-such-schema.rng", NULL, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR);
  g_assert_nonnull(strstr(error->message, "no-such-schema.rng"));
}

static void
test_string_input(void)
{
  g_autoptr(xmlDoc) doc = doc_from(invalid_net);
  g_autoptr(GError) error = NULL;

  g_assert_false(nc_schema_validate(doc, "network.rng", NULL, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_XML_INVALID_SCHEMA);
  g_assert_cmpstr(error->message, ==,
                  "(string):3: <bridge>: invalid value 'sometimes' for attribute 'stp': "
                  "expected one of 'on', 'off'");
}

/* The daemon validates from several threads; the cache and the explanation
 * index are shared. */
static gpointer
validate_many(gpointer data)
{
  g_autoptr(xmlDoc) good = doc_from(valid_net);
  g_autoptr(xmlDoc) bad = doc_from(invalid_net);

  for (int i = 0; i < 50; i++) {
    g_autoptr(GError) error = NULL;
    if (!nc_schema_validate(good, "network.rng", NULL, NULL))
      return GINT_TO_POINTER(1);
    if (nc_schema_validate(bad, "network.rng", NULL, &error)
        || !strstr(error->message, "'sometimes'"))
      return GINT_TO_POINTER(2);
  }
  return NULL;
}

static void
test_threads(void)
{
  GThread *threads[8];
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("validate", validate_many, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    g_assert_null(g_thread_join(threads[i]));
}

/* ----- our own real-world and invalid cases ----- */

/* "<!-- expect: 12: invalid value 'foo' -->" */
static gboolean
parse_expectation(const char *path, int *ret_line, char **ret_substr)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  const char *p = strstr(text, "<!-- expect: ");
  if (!p)
    return FALSE;
  p += strlen("<!-- expect: ");
  char *end = NULL;
  gint64 line = g_ascii_strtoll(p, &end, 10);
  if (end == p || line <= 0 || strncmp(end, ": ", 2) != 0)
    return FALSE;
  const char *close = strstr(end, " -->");
  if (!close)
    return FALSE;
  *ret_line = (int)line;
  *ret_substr = g_strndup(end + 2, close - (end + 2));
  return TRUE;
}

static int
add_own_cases(GPtrArray *cases)
{
  const char *srcdir = g_getenv("NETCTL_SRCDIR");
  g_autofree char *dir_path
      = g_build_filename(srcdir ? srcdir : ".", "tests", "schema", "data", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
  g_assert_no_error(error);

  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir)))
    if (g_str_has_suffix(name, ".xml"))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    const char *n = names->pdata[i];
    Case *c = g_new0(Case, 1);
    c->path = g_build_filename(dir_path, n, NULL);
    c->display = g_strdup(n);
    c->expect_valid = !excluded(n);
    if (!c->expect_valid && !parse_expectation(c->path, &c->expect_line, &c->expect_substr))
      g_error("%s: invalid case without '<!-- expect: LINE: TEXT -->'", n);
    add_case(cases, "own", c);
  }
  g_test_add_func("/schema/own/api/unknown-schema", test_unknown_schema);
  g_test_add_func("/schema/own/api/string-input", test_string_input);
  g_test_add_func("/schema/own/api/threads", test_threads);
  return 0;
}

static int
check_files(char **files)
{
  int status = 0;
  for (; *files; files++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(xmlDoc) doc = read_doc(*files, &error);
    const char *rng = doc ? schema_for(doc) : NULL;
    if (doc && !rng)
      g_set_error(&error, NC_ERROR, NC_ERROR_XML_ERROR, "%s: not a network or port", *files);
    if (rng && nc_schema_validate(doc, rng, *files, &error))
      g_print("%s: valid (%s)\n", *files, rng);
    if (error) {
      g_print("%s\n", error->message);
      status = 1;
    }
  }
  return status;
}

int
main(int argc, char **argv)
{
  if (argc >= 2 && g_str_equal(argv[1], "check"))
    return check_files(argv + 2);
  g_test_init(&argc, &argv, NULL);
  if (argc < 2) {
    g_printerr("usage: %s libvirt|tree|own|check FILE...\n", argv[0]);
    return 2;
  }

  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(case_free);
  int rc;
  if (g_str_equal(argv[1], "libvirt"))
    rc = add_libvirt_cases(cases);
  else if (g_str_equal(argv[1], "tree"))
    rc = add_tree_cases(cases);
  else if (g_str_equal(argv[1], "own"))
    rc = add_own_cases(cases);
  else {
    g_printerr("unknown mode '%s'\n", argv[1]);
    return 2;
  }
  if (rc != 0)
    return rc;
  return g_test_run();
}
