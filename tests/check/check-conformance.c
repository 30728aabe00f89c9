/* Our checks must not reject what libvirt accepts: every network XML file of
 * libvirt's test data ($NETCTL_SHARED/conformance/libvirt: xml2xml inputs and
 * outputs, xml2conf and firewall inputs, update outputs) is parsed with
 * NC_NETWORK_PARSE_CHECK and must be accepted, except the cases MANIFEST.tsv
 * marks fail-parse or fail-validate, which must be rejected.
 *
 * One exception: networkxml2xmlupdateout/nat-network-forward-ifaces.xml is the
 * result of adding a second <interface> to a nat network with net-update,
 * which libvirt applies without re-running its parse checks. Defining it is
 * rejected by libvirt too ("multiple forwarding interfaces"), so we may reject
 * it here.
 *
 * Prints one line per wrong answer and a summary; exit 77 when the data is
 * absent. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "network-xml.h"

static const char *const dirs[] = {
  "networkxml2xmlin",
  "networkxml2xmlout",
  "networkxml2confdata",
  "networkxml2firewalldata",
  "networkxml2xmlupdateout",
  "upstream-newer/networkxml2xmlin",
  "upstream-newer/networkxml2xmlout",
  "upstream-newer/networkxml2firewalldata",
  "upstream-newer/networkxml2xmlupdateout",
};

/* Case names the manifest expects libvirt to reject (newer rows win). */
static GHashTable *
load_failures(const char *root)
{
  g_autofree char *path = g_build_filename(root, "MANIFEST.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *fails = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return fails;
  lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_auto(GStrv) f = g_strsplit(*l, "\t", -1);

    if (g_strv_length(f) < 3 || !g_str_has_prefix(f[0], "networkxml2xmltest"))
      continue;
    if (g_str_has_prefix(f[2], "fail"))
      g_hash_table_add(fails, g_strdup(f[1]));
  }
  return fails;
}

int
main(void)
{
  const char *shared = g_getenv("NETCTL_SHARED");
  g_autofree char *root = NULL;
  g_autoptr(GHashTable) fails = NULL;
  guint passed = 0, failed = 0;

  if (!shared) {
    printf("NETCTL_SHARED is not set; skipping\n");
    return 77;
  }
  root = g_build_filename(shared, "conformance", "libvirt", NULL);
  if (!g_file_test(root, G_FILE_TEST_IS_DIR)) {
    printf("%s is absent; skipping\n", root);
    return 77;
  }
  fails = load_failures(root);

  for (gsize d = 0; d < G_N_ELEMENTS(dirs); d++) {
    g_autofree char *dirpath = g_build_filename(root, dirs[d], NULL);
    g_autoptr(GDir) dir = g_dir_open(dirpath, 0, NULL);
    const char *name;

    if (!dir)
      continue;
    while ((name = g_dir_read_name(dir))) {
      g_autofree char *path = NULL;
      g_autofree char *xml = NULL;
      g_autofree char *casename = NULL;
      g_autoptr(GError) err = NULL;
      g_autoptr(NcNetworkDef) def = NULL;
      gboolean expect_fail;

      if (!g_str_has_suffix(name, ".xml"))
        continue;
      path = g_build_filename(dirpath, name, NULL);
      if (!g_file_get_contents(path, &xml, NULL, NULL) || !strstr(xml, "<network"))
        continue;
      casename = g_strndup(name, strlen(name) - 4);
      expect_fail = g_hash_table_contains(fails, casename);
      def = nc_network_def_parse_string(xml, path, NC_NETWORK_PARSE_CHECK, &err);
      if (!def && strcmp(casename, "nat-network-forward-ifaces") == 0
          && strstr(err->message, "multiple forwarding interfaces")) {
        passed++;
        continue;
      }

      if (expect_fail && def) {
        printf("FAIL %s/%s: accepted, libvirt rejects it\n", dirs[d], name);
        failed++;
      } else if (!expect_fail && !def) {
        printf("FAIL %s/%s: rejected: %s\n", dirs[d], name, err->message);
        failed++;
      } else {
        passed++;
      }
    }
  }
  printf("check-conformance: %u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
