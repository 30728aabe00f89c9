/* libvirt's networkxml2xmltest cases against our parser and formatter.
 *
 * For every networkxml2xmltest and networkxml2xmltest(newer) row of
 * $NETCTL_SHARED/conformance/libvirt/MANIFEST.tsv:
 *   success                   parse the input with NC_NETWORK_PARSE_STRICT,
 *                             format with the row's flags, compare byte for
 *                             byte with libvirt's output file;
 *   fail-parse, fail-validate parsing with NC_NETWORK_PARSE_STRICT must fail.
 * A (newer) row replaces the 9.6.0 row of the same case: newer libvirt
 * rejects passthrough-pf and passthrough-address-crash, and so do we.
 *
 * A success case must also be a fixed point: libvirt's output file parses
 * and formats back to itself. The same holds for every libvirt-written file
 * in networkxml2xmlupdateout/ (9.6.0 and newer), checked as a second group.
 *
 * One line per failing case (with a short diff), then the summaries
 * "networkxml2xml: N passed, M failed" and
 * "networkxml2xmlupdateout fixed point: N passed, M failed".
 * Exit 0 only when nothing failed; 77 (skipped) when the shared data is
 * absent. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "conformance-data.h"

#include "network-xml.h"
#include "text-diff.h"

typedef struct {
  char *name;
  char *expect; /* success, fail-parse, fail-validate */
  char *flags;  /* flags=0 or VIR_NETWORK_XML_INACTIVE */
  char *in;     /* relative to the data directory */
  char *out;    /* NULL for failures */
  gboolean newer;
} Case;

static void
case_free(Case *c)
{
  g_free(c->name);
  g_free(c->expect);
  g_free(c->flags);
  g_free(c->in);
  g_free(c->out);
  g_free(c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Case, case_free)

/* Reads the rows in manifest order; a newer row takes the place of the older
 * row of the same name. */
static GPtrArray *
read_manifest(const char *manifest)
{
  GPtrArray *cases = g_ptr_array_new_with_free_func((GDestroyNotify)case_free);
  g_auto(GStrv) lines = g_strsplit(manifest, "\n", -1);

  for (gsize i = 0; lines[i]; i++) {
    g_auto(GStrv) cols = g_strsplit(lines[i], "\t", -1);
    gboolean newer;

    if (g_strv_length(cols) < 5)
      continue;
    if (strcmp(cols[0], "networkxml2xmltest") == 0)
      newer = FALSE;
    else if (strcmp(cols[0], "networkxml2xmltest(newer)") == 0)
      newer = TRUE;
    else
      continue;

    g_autoptr(Case) c = g_new0(Case, 1);
    g_auto(GStrv) files = g_strsplit(cols[4], ",", -1);
    c->name = g_strdup(cols[1]);
    c->expect = g_strdup(cols[2]);
    c->flags = g_strdup(cols[3]);
    c->in = g_strdup(files[0]);
    c->out = files[0] && files[1] ? g_strdup(files[1]) : NULL;
    c->newer = newer;

    guint j;
    for (j = 0; j < cases->len; j++) {
      Case *old = g_ptr_array_index(cases, j);

      if (strcmp(old->name, c->name) == 0)
        break;
    }
    if (j < cases->len) {
      if (newer) {
        case_free(g_ptr_array_index(cases, j));
        g_ptr_array_index(cases, j) = g_steal_pointer(&c);
      }
      continue;
    }
    g_ptr_array_add(cases, g_steal_pointer(&c));
  }
  return cases;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static guint
format_flags(const Case *c)
{
  return strstr(c->flags, "VIR_NETWORK_XML_INACTIVE") ? NC_NETWORK_FORMAT_INACTIVE : 0;
}

/* TRUE when the libvirt-written @text parses and formats back to itself.
 * Only the structure is parsed (flags 0): update outputs need not pass the
 * define-time checks (libvirt's update test does not run them either), and
 * what is tested here is the formatter. */
static gboolean
is_fixed_point(const char *text, const char *path, guint flags, const char *label, GString *report)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(text, path, 0, &error);
  g_autofree char *again = NULL;

  if (!def) {
    g_string_append_printf(report, "FAIL %s: libvirt's output does not parse: %s\n", label,
                           error->message);
    return FALSE;
  }
  again = nc_network_def_format(def, flags);
  if (strcmp(text, again) != 0) {
    g_string_append_printf(report, "FAIL %s: libvirt's output is not a fixed point\n", label);
    text_diff_append(report, text, again, 8, "    ");
    return FALSE;
  }
  return TRUE;
}

/* TRUE when the case behaves as libvirt's test expects; otherwise a line (and
 * a diff) in @report. */
static gboolean
run_case(const char *base, const Case *c, GString *report)
{
  g_autofree char *in_path = g_build_filename(base, c->in, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(in_path, NC_NETWORK_PARSE_STRICT, &error);
  const char *label = c->newer ? " (newer)" : "";

  if (strcmp(c->expect, "success") != 0) {
    if (def) {
      g_string_append_printf(report, "FAIL %s%s: expected %s, but the input was accepted\n",
                             c->name, label, c->expect);
      return FALSE;
    }
    if (g_getenv("NETCTL_VERBOSE"))
      g_string_append_printf(report, "ok   %s%s: rejected: %s\n", c->name, label, error->message);
    return TRUE;
  }

  if (!def) {
    g_string_append_printf(report, "FAIL %s%s: parse error: %s\n", c->name, label, error->message);
    return FALSE;
  }

  g_autofree char *out_path = g_build_filename(base, c->out, NULL);
  g_autofree char *expected = NULL;
  if (!g_file_get_contents(out_path, &expected, NULL, &error)) {
    g_string_append_printf(report, "FAIL %s%s: %s\n", c->name, label, error->message);
    return FALSE;
  }

  g_autofree char *actual = nc_network_def_format(def, format_flags(c));
  if (strcmp(expected, actual) != 0) {
    g_string_append_printf(report, "FAIL %s%s: output differs from %s\n", c->name, label, c->out);
    text_diff_append(report, expected, actual, 8, "    ");
    return FALSE;
  }

  g_autofree char *fp_label = g_strdup_printf("%s%s", c->name, label);
  return is_fixed_point(expected, out_path, format_flags(c), fp_label, report);
}

/* Every .xml file of @dir must be a fixed point; counts into the totals. */
static void
check_fixed_points(const char *dir, guint *passed, guint *failed, GString *report)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *entry;

  if (!d)
    return;
  while ((entry = g_dir_read_name(d)))
    if (g_str_has_suffix(entry, ".xml"))
      g_ptr_array_add(names, g_strdup(entry));
  g_ptr_array_sort(names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *text = NULL;
    g_autofree char *label = g_strdup_printf("updateout/%s", name);

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
      g_string_append_printf(report, "FAIL %s: cannot read %s\n", label, path);
      (*failed)++;
      continue;
    }
    if (is_fixed_point(text, path, 0, label, report))
      (*passed)++;
    else
      (*failed)++;
  }
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

  cases = read_manifest(manifest);
  for (guint i = 0; i < cases->len; i++) {
    if (run_case(base, g_ptr_array_index(cases, i), report))
      passed++;
    else
      failed++;
  }

  g_autofree char *update_dir = g_build_filename(base, "networkxml2xmlupdateout", NULL);
  g_autofree char *newer_update_dir
      = g_build_filename(base, "upstream-newer", "networkxml2xmlupdateout", NULL);
  guint fp_passed = 0, fp_failed = 0;
  check_fixed_points(update_dir, &fp_passed, &fp_failed, report);
  check_fixed_points(newer_update_dir, &fp_passed, &fp_failed, report);

  fputs(report->str, stdout);
  printf("networkxml2xml: %u passed, %u failed\n", passed, failed);
  printf("networkxml2xmlupdateout fixed point: %u passed, %u failed\n", fp_passed, fp_failed);
  return failed == 0 && fp_failed == 0 && passed > 0 ? 0 : 1;
}
