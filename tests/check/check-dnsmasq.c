/* The injection validators against the real dnsmasq: every candidate value a
 * validator accepts, written into the dnsmasq option it is meant for, must
 * give a configuration that `dnsmasq --test` accepts (no broken quoting, no
 * bad field). Candidates mix ordinary values with the characters dnsmasq
 * treats specially. Exit 77 when dnsmasq is not installed. */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "network-check-names.h"

typedef struct {
  const char *what;
  const char *(*check)(const char *value);
  const char *line_fmt; /* one %s */
} Context;

static const char *
check_ifname(const char *v)
{
  return nc_name_check_ifname(v, FALSE);
}

static const Context contexts[] = {
  { "txt value", nc_name_check_line, "txt-record=info,%s" },
  { "dhcp host name", nc_name_check_hostname, "dhcp-host=52:54:00:00:00:01,192.168.1.5,%s" },
  { "dns host name", nc_name_check_hostname, "host-record=%s,192.168.1.6" },
  { "domain", nc_name_check_domain, "local=/%s/" },
  { "bootp file", nc_name_check_field, "dhcp-boot=%s" },
  { "tftp root", nc_name_check_abs_path, "tftp-root=%s" },
  { "interface", check_ifname, "interface=%s" },
};

static const char *const candidates[] = {
  "plain",
  "vm1.example.com",
  "a_b-c",
  "example value",
  "v=spf1 -all",
  "a,b",
  "a #b",
  "a#b",
  "say \"hi\"",
  "say \"hi",
  "back\\slash",
  "tab\there",
  "new\nline",
  "cr\rhere",
  "/var/lib/tftp",
  "/var/lib/tftp boot",
  "/var/lib/../etc",
  "relative/path",
  "pxelinux.0",
  "eth0",
  "eth0.100",
  "br:0",
  "=equals",
  "trailing ",
  " leading",
  "-dash",
  "dash-",
  "x.",
  ".x",
  "caf\xc3\xa9",
  "a;b",
  "a'b",
  "$(reboot)",
  "`id`",
  "a/b",
  "*.example.com",
};

int
main(void)
{
  g_autofree char *dnsmasq = g_find_program_in_path("dnsmasq");
  g_autofree char *dir = NULL;
  g_autofree char *conf = NULL;
  guint checked = 0, failed = 0;

  if (!dnsmasq && g_file_test("/usr/sbin/dnsmasq", G_FILE_TEST_IS_EXECUTABLE))
    dnsmasq = g_strdup("/usr/sbin/dnsmasq");
  if (!dnsmasq) {
    printf("dnsmasq is not installed; skipping\n");
    return 77;
  }
  dir = g_dir_make_tmp("check-dnsmasq-XXXXXX", NULL);
  g_assert_nonnull(dir);
  conf = g_build_filename(dir, "test.conf", NULL);

  for (gsize c = 0; c < G_N_ELEMENTS(contexts); c++) {
    for (gsize v = 0; v < G_N_ELEMENTS(candidates); v++) {
      const char *value = candidates[v];
      g_autofree char *line = NULL;
      g_autofree char *text = NULL;
      g_autofree char *out = NULL;
      g_autofree char *errout = NULL;
      g_autofree char *esc = NULL;
      const char *argv[] = { dnsmasq, "--test", "-C", conf, NULL };
      int status = 0;

      if (contexts[c].check(value))
        continue; /* rejected: never reaches dnsmasq */
      checked++;
      line = g_strdup_printf(contexts[c].line_fmt, value);
      g_assert_null(strchr(line, '\n'));
      text = g_strdup_printf("port=0\n%s\n", line);
      g_assert_true(g_file_set_contents(conf, text, -1, NULL));
      g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                 &errout, &status, NULL));
      if (!g_spawn_check_wait_status(status, NULL)) {
        esc = g_strescape(value, NULL);
        printf("FAIL %s '%s' accepted, but dnsmasq rejects \"%s\": %s", contexts[c].what, esc, line,
               errout ? errout : "");
        failed++;
      }
    }
  }
  g_unlink(conf);
  g_rmdir(dir);
  printf("check-dnsmasq: %u accepted values tried, %u rejected by dnsmasq\n", checked, failed);
  return failed ? 1 : 0;
}
