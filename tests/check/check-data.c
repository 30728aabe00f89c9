/* The semantic and injection checks, one data file per rule.
 *
 * For each data/NAME.xml:
 *   NAME-invalid.xml  must be rejected. Parsed with NC_NETWORK_PARSE_CHECK only
 *                     (so the check, not the schema, answers), the message must
 *                     contain every line of NAME-invalid.err (a line may
 *                     list alternatives separated by '|': the parser may
 *                     catch a rule before the check does); parsed with
 *                     NC_NETWORK_PARSE_STRICT it must fail too.
 *   NAME.xml          must be accepted, with and without the schema.
 *
 * Usage: check-data DATADIR */
#include <glib.h>
#include <string.h>

#include "nc-error.h"
#include "network-xml.h"

static char *datadir;

/* A line of the .err file is a substring, or several separated by '|'. */
static gboolean
matches_any(const char *message, const char *alternatives)
{
  g_auto(GStrv) alts = g_strsplit(alternatives, "|", -1);

  for (char **a = alts; *a; a++)
    if (strstr(message, *a))
      return TRUE;
  return FALSE;
}

/* Every error is one line of valid UTF-8 (issue 12): a value quoted in it
 * is escaped (nc_name_escape), so no C0 control (newline...), DEL or C1
 * control reaches a log, a terminal or D-Bus raw. */
static void
check_one_line(const char *base, const char *message)
{
  if (!g_utf8_validate(message, -1, NULL)) {
    g_test_message("%s: the message is not valid UTF-8: %s", base, message);
    g_test_fail();
    return;
  }
  for (const char *p = message; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      g_test_message("%s: the message holds control character U+%04X: %s", base, c, message);
      g_test_fail();
      return;
    }
  }
}

static void
test_file(gconstpointer data)
{
  const char *base = data;
  g_autofree char *path = g_build_filename(datadir, base, NULL);
  gboolean expect_fail = g_str_has_suffix(base, "-invalid.xml");
  g_autoptr(GError) err = NULL;
  g_autoptr(GError) strict_err = NULL;
  g_autoptr(NcNetworkDef) def = NULL;
  g_autoptr(NcNetworkDef) strict_def = NULL;
  g_autofree char *xml = NULL;
  gsize len;

  /* Parse from a string named by the base name, so messages read "NAME.xml:LINE:". */
  g_assert_true(g_file_get_contents(path, &xml, &len, NULL));
  def = nc_network_def_parse_string(xml, base, NC_NETWORK_PARSE_CHECK, &err);
  strict_def = nc_network_def_parse_string(xml, base, NC_NETWORK_PARSE_STRICT, &strict_err);

  if (!expect_fail) {
    if (err)
      g_test_message("%s: %s", base, err->message);
    g_assert_no_error(err);
    g_assert_nonnull(def);
    if (strict_err)
      g_test_message("%s (strict): %s", base, strict_err->message);
    g_assert_no_error(strict_err);
    return;
  }

  if (def) {
    g_test_message("%s: accepted, but must be rejected", base);
    g_test_fail();
    return;
  }
  g_assert_nonnull(err);
  g_assert_true(err->domain == NC_ERROR);
  g_test_message("%s: %s", base, err->message);
  check_one_line(base, err->message);
  if (strict_err)
    check_one_line(base, strict_err->message);
  if (!strict_err) {
    g_test_message("%s: accepted with NC_NETWORK_PARSE_STRICT", base);
    g_test_fail();
  }

  {
    g_autofree char *errpath = g_strndup(path, strlen(path) - strlen(".xml"));
    g_autofree char *errfile = g_strconcat(errpath, ".err", NULL);
    g_autofree char *expected = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true(g_file_get_contents(errfile, &expected, NULL, NULL));
    lines = g_strsplit(expected, "\n", -1);
    for (char **l = lines; *l; l++) {
      if (!**l)
        continue;
      if (!matches_any(err->message, *l)) {
        g_test_message("%s: message lacks \"%s\"\n  got: %s", base, *l, err->message);
        g_test_fail();
      }
    }
  }
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;

  g_test_init(&argc, &argv, NULL);
  if (argc < 2) {
    g_printerr("usage: %s DATADIR\n", argv[0]);
    return 2;
  }
  datadir = argv[1];
  dir = g_dir_open(datadir, 0, NULL);
  g_assert_nonnull(dir);
  while ((name = g_dir_read_name(dir)))
    if (g_str_has_suffix(name, ".xml"))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    const char *base = g_ptr_array_index(names, i);
    g_autofree char *testpath = g_strdup_printf("/check/%s", base);
    g_test_add_data_func(testpath, base, test_file);
  }
  return g_test_run();
}
