/* libvirt's networkxml2conftest cases against our dnsmasq config generator:
 * for every networkxml2conftest row of MANIFEST.tsv, the generated config and
 * hostsfile must equal libvirt's byte for byte (no hostsfile expected means
 * none may be produced). Skipped when ../shared is absent. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "dnsmasq-conf.h"
#include "network-xml.h"

static gboolean
check_case(const char *dir, const char *name, GString *report)
{
  g_autofree char *xml_path = g_strdup_printf("%s/%s.xml", dir, name);
  g_autofree char *conf_path = g_strdup_printf("%s/%s.conf", dir, name);
  g_autofree char *hosts_path = g_strdup_printf("%s/%s.hostsfile", dir, name);
  g_autofree char *want_conf = NULL, *want_hosts = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(NcDnsmasqConf) conf = { 0 };
  NcDnsmasqConfOptions opts = { .dnsmasq_dir = "/var/lib/libvirt/dnsmasq",
                                .pid_file = NULL,
                                .bind = NC_DNSMASQ_BIND_DYNAMIC };

  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(xml_path, NC_NETWORK_PARSE_STRICT, &error);
  if (def == NULL) {
    g_string_append_printf(report, "FAIL %s: parse: %s\n", name, error->message);
    return FALSE;
  }
  if (!nc_dnsmasq_conf_build(def, &opts, &conf, &error)) {
    g_string_append_printf(report, "FAIL %s: build: %s\n", name, error->message);
    return FALSE;
  }
  if (!g_file_get_contents(conf_path, &want_conf, NULL, NULL)) {
    g_string_append_printf(report, "FAIL %s: cannot read %s\n", name, conf_path);
    return FALSE;
  }
  g_file_get_contents(hosts_path, &want_hosts, NULL, NULL);

  if (strcmp(conf.conf, want_conf) != 0) {
    g_string_append_printf(report, "FAIL %s: conf differs\n--- libvirt\n%s--- netctl\n%s", name,
                           want_conf, conf.conf);
    return FALSE;
  }
  if (g_strcmp0(conf.hostsfile, want_hosts) != 0) {
    g_string_append_printf(report, "FAIL %s: hostsfile differs\n--- libvirt\n%s--- netctl\n%s",
                           name, want_hosts ? want_hosts : "(none)\n",
                           conf.hostsfile ? conf.hostsfile : "(none)\n");
    return FALSE;
  }
  return TRUE;
}

int
main(void)
{
  const char *shared = g_getenv("NETCTL_SHARED");
  g_autofree char *base = g_build_filename(shared ? shared : "../shared", "conformance", "libvirt", NULL);
  g_autofree char *manifest_path = g_build_filename(base, "MANIFEST.tsv", NULL);
  g_autofree char *dir = g_build_filename(base, "networkxml2confdata", NULL);
  g_autofree char *manifest = NULL;
  g_autoptr(GString) report = g_string_new(NULL);
  guint passed = 0, failed = 0;

  if (!g_file_get_contents(manifest_path, &manifest, NULL, NULL)) {
    printf("SKIP: libvirt conformance data not found at %s\n", base);
    return 77;
  }
  g_auto(GStrv) lines = g_strsplit(manifest, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) cols = g_strsplit(lines[i], "\t", -1);
    if (g_strv_length(cols) < 3 || strcmp(cols[0], "networkxml2conftest") != 0)
      continue;
    if (check_case(dir, cols[1], report))
      passed++;
    else
      failed++;
  }
  fputs(report->str, stdout);
  printf("networkxml2conf: %u passed, %u failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
