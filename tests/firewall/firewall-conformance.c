/* Our firewall rules against libvirt's nftables backend, rule for rule.
 *
 * For every case of libvirt's networkxml2firewalldata that has an .nftables
 * expectation, both sides are reduced to a canonical form per rule (family,
 * chain role, matches, verdict) and compared as multisets. libvirt's shared
 * guest_output/guest_input/guest_cross chains map to our per-network forward
 * chain and guest_nat to postrouting; our extra input/output accepts for
 * DHCP/DNS/TFTP are outside the comparison (see drivers/firewall-rules.h).
 * Also: golden dumps of our own cases in data/ (NETCTL_REGENERATE=1 rewrites). */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "firewall-rules.h"
#include "network-xml.h"

static char *
canon(const char *family, const char *chain, const char *iif, const char *oif, const char *saddr,
      const char *daddr, gboolean dneg, const char *proto, gboolean ct, const char *verdict)
{
  return g_strdup_printf("%s %s iif=%s oif=%s saddr=%s daddr=%s%s proto=%s ct=%d -> %s", family,
                         chain, iif ? iif : "-", oif ? oif : "-", saddr ? saddr : "-",
                         dneg ? "!=" : "", daddr ? daddr : "-", proto ? proto : "-", ct, verdict);
}

/* One libvirt `nft -ae insert rule FAM libvirt_network CHAIN ...` as canonical text;
 * NULL for commands that are not per-network rules. */
static char *
canon_libvirt(char **w, guint n)
{
  if (n < 7 || strcmp(w[0], "nft") != 0 || strcmp(w[1], "-ae") != 0 || strcmp(w[3], "rule") != 0)
    return NULL;
  const char *family = w[4];
  const char *chain = g_str_equal(w[6], "guest_nat") ? "postrouting" : "forward";
  const char *iif = NULL, *oif = NULL, *saddr = NULL, *daddr = NULL, *proto = NULL;
  gboolean dneg = FALSE, ct = FALSE;
  GString *verdict = g_string_new(NULL);

  for (guint i = 7; i < n; i++) {
    if ((g_str_equal(w[i], "iif") || g_str_equal(w[i], "iifname")) && i + 1 < n)
      iif = w[++i];
    else if ((g_str_equal(w[i], "oif") || g_str_equal(w[i], "oifname")) && i + 1 < n)
      oif = w[++i];
    else if ((g_str_equal(w[i], "ip") || g_str_equal(w[i], "ip6")) && i + 2 < n) {
      gboolean src = g_str_equal(w[i + 1], "saddr");
      i += 2;
      if (g_str_equal(w[i], "!=")) {
        dneg = TRUE;
        i++;
      }
      if (src)
        saddr = w[i];
      else
        daddr = w[i];
    } else if (g_str_equal(w[i], "meta") && i + 2 < n) {
      proto = w[i + 2];
      i += 2;
    } else if (g_str_equal(w[i], "ct") && i + 2 < n) {
      ct = TRUE;
      i += 2;
    } else if (g_str_equal(w[i], "counter")) {
      continue;
    } else {
      g_string_append_printf(verdict, "%s%s", verdict->len ? " " : "", w[i]);
    }
  }
  char *out = canon(family, chain, iif, oif, saddr, daddr, dneg, proto, ct, verdict->str);
  g_string_free(verdict, TRUE);
  return out;
}

static char *
canon_ours(const NcFwRule *r, NcFwFamily family)
{
  g_autofree char *saddr = NULL, *daddr = NULL;
  g_autofree char *verdict = NULL;

  if (nc_sockaddr_is_set(&r->saddr)) {
    g_autofree char *a = nc_sockaddr_format(&r->saddr);
    saddr = g_strdup_printf("%s/%u", a, r->saddr_prefix);
  }
  if (nc_sockaddr_is_set(&r->daddr)) {
    g_autofree char *a = nc_sockaddr_format(&r->daddr);
    daddr = g_strdup_printf("%s/%u", a, r->daddr_prefix);
  }
  switch (r->verdict) {
  case NC_FW_VERDICT_ACCEPT: verdict = g_strdup("accept"); break;
  case NC_FW_VERDICT_REJECT: verdict = g_strdup("reject"); break;
  case NC_FW_VERDICT_DROP: verdict = g_strdup("drop"); break;
  case NC_FW_VERDICT_RETURN: verdict = g_strdup("return"); break;
  case NC_FW_VERDICT_MASQUERADE:
    verdict = r->nat_port_min ? g_strdup_printf("masquerade to :%u-%u", r->nat_port_min,
                                                r->nat_port_max)
                              : g_strdup("masquerade");
    break;
  case NC_FW_VERDICT_SNAT: {
    g_autofree char *min = nc_sockaddr_format(&r->nat_addr_min);
    g_autofree char *max = nc_sockaddr_format(&r->nat_addr_max);
    verdict = r->nat_port_min ? g_strdup_printf("snat to %s-%s:%u-%u", min, max, r->nat_port_min,
                                                r->nat_port_max)
                              : g_strdup_printf("snat to %s-%s", min, max);
    break;
  }
  case _NC_FW_VERDICT_MAX: verdict = g_strdup("?"); break;
  }
  return canon(nc_fw_family_to_string(family), nc_fw_chain_to_string(r->chain), r->iifname,
               r->oifname, saddr, daddr, r->daddr_negate,
               r->l4proto == IPPROTO_TCP ? "tcp" : r->l4proto == IPPROTO_UDP ? "udp" : NULL,
               r->ct_established, verdict);
}

static GPtrArray *
libvirt_rules(const char *path)
{
  g_autofree char *text = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return out;
  /* one argv word per line, continued by " \"; a command ends without it */
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
  for (gsize i = 0; lines[i] != NULL; i++) {
    gboolean cont = g_str_has_suffix(lines[i], " \\");
    g_autofree char *word = g_strndup(lines[i], strlen(lines[i]) - (cont ? 2 : 0));
    gsize len = strlen(word);
    if (len >= 2 && word[0] == '\'' && word[len - 1] == '\'') {
      /* a quoted word, e.g. '!=' or '{ type filter ... }' */
      g_ptr_array_add(words, g_strndup(word + 1, len - 2));
    } else {
      /* plain words; "-ae insert" shares a line */
      g_auto(GStrv) parts = g_strsplit(word, " ", -1);
      for (gsize p = 0; parts[p] != NULL; p++)
        if (parts[p][0] != '\0')
          g_ptr_array_add(words, g_strdup(parts[p]));
    }
    if (!cont && words->len > 0) {
      char *c = canon_libvirt((char **)words->pdata, words->len);
      if (c != NULL)
        g_ptr_array_add(out, c);
      g_ptr_array_set_size(words, 0);
    }
  }
  return out;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static gboolean
compare_case(const char *dir, const char *name, GString *report)
{
  g_autofree char *xml = g_strdup_printf("%s/%s.xml", dir, name);
  g_autofree char *nft = g_strdup_printf("%s/%s-linux.nftables", dir, name);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(xml, NC_NETWORK_PARSE_CHECK, &error);
  if (def == NULL) {
    g_string_append_printf(report, "FAIL %s: %s\n", name, error->message);
    return FALSE;
  }
  g_autoptr(NcFwRuleset) rs = nc_fw_ruleset_build(def);
  g_autoptr(GPtrArray) want = libvirt_rules(nft);
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++)
    for (guint i = 0; rs->family_used[f] && i < rs->rules[f]->len; i++) {
      const NcFwRule *r = rs->rules[f]->pdata[i];
      if (r->chain == NC_FW_CHAIN_FORWARD || r->chain == NC_FW_CHAIN_POSTROUTING)
        g_ptr_array_add(got, canon_ours(r, f));
    }
  g_ptr_array_sort(want, cmp_str);
  g_ptr_array_sort(got, cmp_str);
  gboolean same = want->len == got->len;
  for (guint i = 0; same && i < want->len; i++)
    same = g_str_equal(want->pdata[i], got->pdata[i]);
  if (!same) {
    g_string_append_printf(report, "FAIL %s\n  libvirt:\n", name);
    for (guint i = 0; i < want->len; i++)
      g_string_append_printf(report, "    %s\n", (char *)want->pdata[i]);
    g_string_append(report, "  netctl:\n");
    for (guint i = 0; i < got->len; i++)
      g_string_append_printf(report, "    %s\n", (char *)got->pdata[i]);
  }
  return same;
}

static int
golden(void)
{
  const char *src = g_getenv("NETCTL_SRCDIR");
  g_autofree char *dir = g_build_filename(src ? src : ".", "tests", "firewall", "data", NULL);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  gboolean regen = g_getenv("NETCTL_REGENERATE") != NULL;
  const char *name;
  int failed = 0, n = 0;

  while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
    if (!g_str_has_suffix(name, ".xml"))
      continue;
    g_autofree char *xml = g_build_filename(dir, name, NULL);
    g_autofree char *base = g_strndup(name, strlen(name) - 4);
    g_autofree char *nft_name = g_strdup_printf("%s.nft", base);
    g_autofree char *expected_path = g_build_filename(dir, nft_name, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(xml, NC_NETWORK_PARSE_STRICT, &error);
    g_autofree char *expected = NULL;
    n++;
    if (def == NULL) {
      printf("FAIL golden %s: %s\n", name, error->message);
      failed++;
      continue;
    }
    g_autoptr(NcFwRuleset) rs = nc_fw_ruleset_build(def);
    g_autofree char *dump = nc_fw_ruleset_dump(rs);
    if (regen) {
      g_file_set_contents(expected_path, dump, -1, NULL);
      continue;
    }
    if (!g_file_get_contents(expected_path, &expected, NULL, NULL) || strcmp(expected, dump) != 0) {
      printf("FAIL golden %s\n--- expected\n%s--- got\n%s", name, expected ? expected : "(missing)\n",
             dump);
      failed++;
    }
  }
  printf("firewall golden: %d passed, %d failed\n", n - failed, failed);
  return failed;
}

int
main(void)
{
  const char *shared = g_getenv("NETCTL_SHARED");
  g_autofree char *dir = g_build_filename(shared ? shared : "../shared", "conformance", "libvirt",
                                          "upstream-newer", "networkxml2firewalldata", NULL);
  g_autoptr(GString) report = g_string_new(NULL);
  int failed = golden();
  guint passed = 0, cfailed = 0;
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;

  if (d == NULL) {
    printf("libvirt conformance data not found at %s: comparison skipped\n", dir);
    return failed ? 1 : 0;
  }
  while ((name = g_dir_read_name(d)) != NULL) {
    if (!g_str_has_suffix(name, "-linux.nftables"))
      continue;
    g_autofree char *base = g_strndup(name, strlen(name) - strlen("-linux.nftables"));
    if (compare_case(dir, base, report))
      passed++;
    else
      cfailed++;
  }
  fputs(report->str, stdout);
  printf("networkxml2firewall (nftables, by effect): %u passed, %u failed\n", passed, cfailed);
  return failed || cfailed || passed == 0;
}
