/* libvirt's networkxml2xmlupdatetest cases against nc_network_def_update.
 *
 * For every networkxml2xmlupdatetest and networkxml2xmlupdatetest(newer) row
 * of $NETCTL_SHARED/conformance/libvirt/MANIFEST.tsv: parse the base network
 * (NC_NETWORK_PARSE_STRICT), apply the update snippet with the row's section,
 * command and EFFECTIVE parentIndex, then
 *   success  format with the EFFECTIVE format flags and compare byte for byte
 *            with libvirt's expected output;
 *   fail     the update must fail, and leave the definition as it was.
 * (libvirt's test fills its struct out of order, so parentIndex and the
 * format flags are swapped; MANIFEST.tsv records what really runs.)
 *
 * Prints one line per failing case, then "networkxml2xmlupdate: N passed,
 * M failed". Exit 0 only when nothing failed; 77 when the data is absent. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "conformance-data.h"

#include "network-update.h"
#include "network-xml.h"
#include "text-diff.h"

typedef struct {
  char *name;
  gboolean expect_success;
  int section;
  int command;
  int parent_index;
  guint format_flags;
  char *base, *snippet, *out; /* relative to the data directory; out NULL for failures */
  gboolean newer;
} Case;

static void
case_free(Case *c)
{
  g_free(c->name);
  g_free(c->base);
  g_free(c->snippet);
  g_free(c->out);
  g_free(c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Case, case_free)

/* "VIR_NETWORK_SECTION_IP_DHCP_HOST" (after @prefix, up to ';') as our
 * string table spells it: "ip-dhcp-host". */
static char *
enum_word(const char *params, const char *prefix)
{
  const char *p = strstr(params, prefix);
  g_autofree char *word = NULL;

  if (!p)
    return NULL;
  p += strlen(prefix);
  word = g_strndup(p, strcspn(p, "; \t"));
  g_strdelimit(word, "_", '-');
  return g_ascii_strdown(word, -1);
}

static Case *
parse_row(char **cols, gboolean newer, GString *report)
{
  g_autoptr(Case) c = g_new0(Case, 1);
  g_auto(GStrv) files = g_strsplit(cols[4], ",", -1);
  g_autofree char *section = enum_word(cols[3], "VIR_NETWORK_SECTION_");
  g_autofree char *command = enum_word(cols[3], "VIR_NETWORK_UPDATE_COMMAND_");
  const char *pi = strstr(cols[3], "EFFECTIVE parentIndex=");
  const char *ff = strstr(cols[3], "format flags=");

  c->name = g_strdup(cols[1]);
  c->newer = newer;
  c->expect_success = strcmp(cols[2], "success") == 0;
  c->section = nc_network_update_section_from_string(section);
  c->command = nc_network_update_command_from_string(command);
  if (c->section < 0 || c->command < 0 || !pi || !ff || g_strv_length(files) < 2
      || (c->expect_success && g_strv_length(files) < 3)) {
    g_string_append_printf(report, "FAIL %s: cannot read its MANIFEST row\n", c->name);
    return NULL;
  }
  c->parent_index = (int)g_ascii_strtoll(pi + strlen("EFFECTIVE parentIndex="), NULL, 10);
  /* "format flags=-12435 (INACTIVE)", "format flags=0 (none)" */
  c->format_flags = strstr(ff, "(INACTIVE)") == strchr(ff, '(') ? NC_NETWORK_FORMAT_INACTIVE : 0;
  c->base = g_strdup(files[0]);
  c->snippet = g_strdup(files[1]);
  c->out = c->expect_success ? g_strdup(files[2]) : NULL;
  return g_steal_pointer(&c);
}

/* Rows in manifest order; a (newer) row replaces the older row of its name.
 * Unreadable rows count as failures. */
static GPtrArray *
read_manifest(const char *manifest, guint *failed, GString *report)
{
  GPtrArray *cases = g_ptr_array_new_with_free_func((GDestroyNotify)case_free);
  g_auto(GStrv) lines = g_strsplit(manifest, "\n", -1);

  for (gsize i = 0; lines[i]; i++) {
    g_auto(GStrv) cols = g_strsplit(lines[i], "\t", -1);
    gboolean newer;
    Case *c;
    guint j;

    if (g_strv_length(cols) < 5)
      continue;
    if (strcmp(cols[0], "networkxml2xmlupdatetest") == 0)
      newer = FALSE;
    else if (strcmp(cols[0], "networkxml2xmlupdatetest(newer)") == 0)
      newer = TRUE;
    else
      continue;
    if (!(c = parse_row(cols, newer, report))) {
      (*failed)++;
      continue;
    }
    for (j = 0; j < cases->len; j++)
      if (strcmp(((Case *)g_ptr_array_index(cases, j))->name, c->name) == 0)
        break;
    if (j == cases->len)
      g_ptr_array_add(cases, c);
    else if (newer) {
      case_free(g_ptr_array_index(cases, j));
      g_ptr_array_index(cases, j) = c;
    } else {
      case_free(c);
    }
  }
  return cases;
}

static char *
read_data(const char *base, const char *rel, GString *report, const char *label)
{
  g_autofree char *path = g_build_filename(base, rel, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, &error))
    g_string_append_printf(report, "FAIL %s: %s\n", label, error->message);
  return text;
}

static gboolean
run_case(const char *base, const Case *c, GString *report)
{
  g_autofree char *label = g_strdup_printf("%s%s", c->name, c->newer ? " (newer)" : "");
  g_autofree char *base_path = g_build_filename(base, c->base, NULL);
  g_autofree char *snippet = read_data(base, c->snippet, report, label);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean ok;

  if (!snippet)
    return FALSE;
  def = nc_network_def_parse_file(base_path, NC_NETWORK_PARSE_STRICT, &error);
  if (!def) {
    g_string_append_printf(report, "FAIL %s: base network does not parse: %s\n", label,
                           error->message);
    return FALSE;
  }
  before = nc_network_def_format(def, 0);
  ok = nc_network_def_update(def, (guint)c->command, (guint)c->section, c->parent_index, snippet,
                             &error);

  if (!c->expect_success) {
    if (ok) {
      g_string_append_printf(report, "FAIL %s: expected the update to fail, but it succeeded\n",
                             label);
      return FALSE;
    }
    after = nc_network_def_format(def, 0);
    if (strcmp(before, after) != 0) {
      g_string_append_printf(report, "FAIL %s: refused, but the definition changed\n", label);
      text_diff_append(report, before, after, 8, "    ");
      return FALSE;
    }
    if (g_getenv("NETCTL_VERBOSE"))
      g_string_append_printf(report, "ok   %s: refused: %s\n", label, error->message);
    return TRUE;
  }

  if (!ok) {
    g_string_append_printf(report, "FAIL %s: update failed: %s\n", label, error->message);
    return FALSE;
  }
  g_autofree char *expected = read_data(base, c->out, report, label);
  if (!expected)
    return FALSE;
  after = nc_network_def_format(def, c->format_flags);
  if (strcmp(expected, after) != 0) {
    g_string_append_printf(report, "FAIL %s: output differs from %s\n", label, c->out);
    text_diff_append(report, expected, after, 8, "    ");
    return FALSE;
  }
  return TRUE;
}

int
main(void)
{
  g_autofree char *base = NULL;
  g_autofree char *manifest = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GString) report = g_string_new(NULL);
  guint passed = 0, failed = 0;

  int skip = nc_test_conformance_open(&base, &manifest);
  if (skip != 0)
    return skip;

  cases = read_manifest(manifest, &failed, report);
  for (guint i = 0; i < cases->len; i++) {
    if (run_case(base, g_ptr_array_index(cases, i), report))
      passed++;
    else
      failed++;
  }

  fputs(report->str, stdout);
  printf("networkxml2xmlupdate: %u passed, %u failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
