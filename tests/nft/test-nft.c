/* The nftables backend (drivers/kernel/nft.c) against the real kernel, in a
 * private network namespace entered first thing (exit 77 when that is not
 * permitted), so the host's firewall is never touched.
 *
 * What `nft list table` prints after nc_nft_apply() must be the ruleset's
 * own dump (nc_fw_ruleset_dump, the golden files of tests/firewall), up to
 * what nft prints differently: counters' values, the blank line between
 * chains, a /32 (/128) prefix, long element lists wrapped, and our table
 * comment, which must be there.
 * Every case of tests/firewall/data, and of libvirt's networkxml2firewalldata
 * when ../shared is present, is applied twice (idempotent) and deleted;
 * another program's table must come through apply and delete unchanged; a
 * batch the kernel refuses must leave the old table as it was.
 *
 * Coexistence: forward chains of Docker / iptables-nft, ufw, firewalld, a
 * bridge table and iptables-legacy (through a fake /proc) are found, and the
 * advice names the chain and the command that lets guest traffic pass.
 *
 * Traffic: a guest namespace behind a bridge reaches an outside namespace
 * only through our masquerade, and not at all with the isolated rules. */
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "firewall-rules.h"
#include "network-xml.h"
#include "nc-kernel.h"
#include "nft.h"

/* -- helpers --------------------------------------------------------------- */

/* Runs nft with the given arguments; its stdout, or a test failure. */
static char *
nft_run(const char *const *args, gboolean may_fail)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, (char *)"nft");
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add(argv, (char *)args[i]);
  g_ptr_array_add(argv, NULL);

  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                    &status, &error))
    g_error("nft: %s", error->message);
  if (!g_spawn_check_wait_status(status, NULL)) {
    if (may_fail)
      return NULL;
    g_autofree char *cmd = g_strjoinv(" ", (char **)argv->pdata);
    g_error("%s failed: %s", cmd, err);
  }
  return g_steal_pointer(&out);
}

#define NFT(...) nft_run((const char *const[]){ __VA_ARGS__, NULL }, FALSE)

static void
nft_load(const char *text)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("test-nft-XXXXXX.nft", &path, NULL);
  g_assert_cmpint(fd, >=, 0);
  close(fd);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  g_free(NFT("-f", path));
  g_unlink(path);
}

/* `nft list table` text made comparable with nc_fw_ruleset_dump(). */
static char *
normalize_listing(const char *listing, gboolean *ret_has_comment)
{
  g_autoptr(GRegex) counter = g_regex_new("counter packets [0-9]+ bytes [0-9]+", 0, 0, NULL);
  g_autofree char *uncounted = g_regex_replace_literal(counter, listing, -1, 0, "counter", 0, NULL);
  /* nft wraps long element lists; our dump keeps each on one line. */
  g_autoptr(GRegex) wrap = g_regex_new(",\n\t+ +", 0, 0, NULL);
  g_autofree char *plain = g_regex_replace_literal(wrap, uncounted, -1, 0, ", ", 0, NULL);
  g_auto(GStrv) lines = g_strsplit(plain, "\n", -1);
  GString *s = g_string_new(NULL);
  *ret_has_comment = FALSE;
  for (gsize i = 0; lines[i] != NULL; i++) {
    g_autofree char *stripped = g_strstrip(g_strdup(lines[i]));
    if (*stripped == '\0')
      continue;
    if (g_str_equal(stripped, "comment \"" NC_NFT_TABLE_COMMENT "\"")) {
      *ret_has_comment = TRUE;
      continue;
    }
    g_string_append_printf(s, "%s\n", lines[i]);
  }
  return g_string_free(s, FALSE);
}

/* Our dump, one family's table of it, as nft prints host prefixes. */
static char *
expected_table(const NcFwRuleset *rs, NcFwFamily family)
{
  g_autofree char *dump = nc_fw_ruleset_dump(rs);
  g_autofree char *head
      = g_strdup_printf("table %s %s {\n", nc_fw_family_to_string(family), rs->table);
  const char *start = strstr(dump, head);
  g_assert_nonnull(start);
  const char *end = strstr(start, "\n}\n");
  g_assert_nonnull(end);
  g_autofree char *table = g_strndup(start, end + 3 - start);
  g_autoptr(GRegex) host
      = g_regex_new("(addr (!= )?[0-9.]+)/32 |(addr (!= )?[0-9a-f:]+)/128 ", 0, 0, NULL);
  return g_regex_replace(host, table, -1, 0, "\\1\\3 ", 0, NULL);
}

static char *
listing(NcFwFamily family, const char *table)
{
  g_autofree char *out = NFT("list", "table", nc_fw_family_to_string(family), table);
  gboolean has_comment = FALSE;
  char *text = normalize_listing(out, &has_comment);
  g_assert_true(has_comment);
  return text;
}

static void
assert_tables_match(const NcFwRuleset *rs)
{
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    if (!rs->family_used[f]) {
      g_assert_cmpint(nc_nft_table_exists(f, rs->table), ==, 0);
      continue;
    }
    g_assert_cmpint(nc_nft_table_exists(f, rs->table), ==, 1);
    g_autofree char *got = listing(f, rs->table);
    g_autofree char *want = expected_table(rs, f);
    g_assert_cmpstr(got, ==, want);
  }
}

static NcFwRuleset *
ruleset_for(const char *xml_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(xml_path, 0, &error);
  g_assert_no_error(error);
  if (def->bridge.name == NULL)
    def->bridge.name = g_strdup("virbr0"); /* libvirt's test data may leave it to us */
  return nc_fw_ruleset_build(def);
}

static void
flush(void)
{
  g_free(NFT("flush", "ruleset"));
}

/* -- tests ----------------------------------------------------------------- */

static void
test_apply_case(gconstpointer data)
{
  const char *path = data;
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);

  flush();
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  assert_tables_match(rs);
  /* Again, as after a daemon restart: the same tables, not twice the rules. */
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  assert_tables_match(rs);

  g_assert_cmpint(nc_nft_delete(rs->bridge), ==, 0);
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++)
    g_assert_cmpint(nc_nft_table_exists(f, rs->table), ==, 0);
  g_autofree char *rest = NFT("list", "ruleset");
  g_assert_cmpstr(rest, ==, "");
}

static const char foreign_table[]
    = "table ip foreign {\n"
      "\tchain forward {\n"
      "\t\ttype filter hook forward priority filter; policy accept;\n"
      "\t\tiifname \"virbr0\" counter packets 0 bytes 0 accept\n"
      "\t}\n"
      "\n"
      "\tchain postrouting {\n"
      "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
      "\t\tip saddr 192.168.122.0/24 counter packets 0 bytes 0 masquerade\n"
      "\t}\n"
      "}\n"
      "table ip6 netctl_foreign {\n"
      "\tchain input {\n"
      "\t\ttype filter hook input priority filter; policy accept;\n"
      "\t}\n"
      "}\n";

static void
test_foreign_untouched(gconstpointer data)
{
  g_autofree char *path = g_build_filename(data, "nat-default.xml", NULL);
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);

  flush();
  nft_load(foreign_table);
  g_autofree char *before = NFT("list", "ruleset");
  g_assert_cmpstr(before, ==, foreign_table);

  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  g_autofree char *foreign = NFT("list", "table", "ip", "foreign");
  g_assert_true(g_str_has_prefix(foreign_table, foreign));
  assert_tables_match(rs);

  g_assert_cmpint(nc_nft_delete(rs->bridge), ==, 0);
  g_autofree char *after = NFT("list", "ruleset");
  g_assert_cmpstr(after, ==, foreign_table);
  flush();
}

/* A NAT network's ruleset on `bridge` with host address `addr`/`prefix`. */
static NcFwRuleset *
nat_ruleset(const char *bridge, const char *addr, guint prefix)
{
  g_autofree char *xml
      = g_strdup_printf("<network><name>n-%s</name><forward mode='nat'/><bridge name='%s'/>"
                        "<ip address='%s' prefix='%u'/></network>",
                        bridge, bridge, addr, prefix);
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(xml, "test.xml", 0, &error);
  g_assert_no_error(error);
  return nc_fw_ruleset_build(def);
}

/* Networks share the table: each one's chains and elements come and go
 * without touching the other's, the table goes with the last one. */
static void
shared_table_with(NcKernel *k)
{
  g_autoptr(NcFwRuleset) a = nat_ruleset("vbra", "10.1.0.1", 24);
  g_autoptr(NcFwRuleset) b = nat_ruleset("vbrb", "10.2.0.1", 24);

  flush();
  g_assert_cmpint(nc_nft_apply_with(k, a), ==, 0);
  g_assert_cmpint(nc_nft_apply_with(k, b), ==, 0);
  g_assert_cmpint(nc_nft_apply_with(k, a), ==, 0); /* again: identical elements are fine */
  g_autofree char *both = NFT("list", "table", "ip", "netctl");
  g_assert_nonnull(strstr(both, "\"vbra\" : jump vbra-fwd"));
  g_assert_nonnull(strstr(both, "\"vbrb\" : jump vbrb-fwd"));
  g_assert_nonnull(strstr(both, "10.2.0.0/24 : jump vbrb-nat"));
  g_assert_cmpint(nc_nft_network_present(k, a), ==, 1);
  g_assert_cmpint(nc_nft_network_present(k, b), ==, 1);

  /* A live update moving a's address: its old elements go. */
  g_autoptr(NcFwRuleset) moved = nat_ruleset("vbra", "10.3.0.1", 25);
  g_assert_cmpint(nc_nft_apply_with(k, moved), ==, 0);
  g_autofree char *after_move = NFT("list", "table", "ip", "netctl");
  g_assert_null(strstr(after_move, "10.1.0."));
  g_assert_nonnull(strstr(after_move, "10.3.0.0/25 : jump vbra-nat"));
  g_assert_cmpint(nc_nft_network_present(k, a), ==, 0);

  /* An overlapping NAT subnet is refused, naming the other network. */
  g_autoptr(NcFwRuleset) clash = nat_ruleset("vbrc", "10.2.0.129", 25);
  g_autofree char *detail = NULL;
  g_assert_cmpint(nc_nft_apply_full(k, clash, &detail), ==, -EEXIST);
  g_assert_nonnull(detail);
  g_test_message("clash: %s", detail);
  g_assert_nonnull(strstr(detail, "vbrb-nat"));

  /* Another program's change in our table, between two of our batches:
   * seen (a kernel's cached reading is dropped when the generation moved)
   * and repaired by the next apply. */
  g_free(NFT("flush", "chain", "ip", "netctl", "vbrb-fwd"));
  g_autofree char *flushed = NFT("list", "chain", "ip", "netctl", "vbrb-fwd");
  g_assert_null(strstr(flushed, "reject"));
  g_assert_cmpint(nc_nft_apply_with(k, b), ==, 0);
  g_autofree char *repaired = NFT("list", "chain", "ip", "netctl", "vbrb-fwd");
  g_assert_nonnull(strstr(repaired, "iifname \"vbrb\" counter packets 0 bytes 0 reject"));
  /* ... and a foreign deletion is seen by the presence check too. */
  g_free(NFT("delete", "element", "ip", "netctl", "out_if", "{ \"vbrb\" }"));
  g_assert_cmpint(nc_nft_network_present(k, b), ==, 0);
  g_assert_cmpint(nc_nft_apply_with(k, b), ==, 0);
  g_assert_cmpint(nc_nft_network_present(k, b), ==, 1);

  g_assert_cmpint(nc_nft_delete_with(k, moved->bridge), ==, 0);
  g_assert_cmpint(nc_nft_network_present(k, b), ==, 1);
  g_autofree char *only_b = NFT("list", "table", "ip", "netctl");
  g_assert_null(strstr(only_b, "vbra"));
  assert_tables_match(b);
  g_assert_cmpint(nc_nft_delete_with(k, b->bridge), ==, 0);
  g_autofree char *rest = NFT("list", "ruleset");
  g_assert_cmpstr(rest, ==, "");
}

static void
test_shared_table(void)
{
  shared_table_with(NULL);
}

/* The same through an NcKernel, which keeps its reading of the table from
 * one batch of ours to the next. */
static void
test_shared_table_cached(void)
{
  g_autoptr(NcKernel) k = nc_kernel_new(NULL, NULL);
  shared_table_with(k);
  shared_table_with(k); /* again, from the cache's state after the first */
}

/* The table of an older version (one per network) is replaced. */
static void
test_legacy_table(void)
{
  g_autoptr(NcFwRuleset) a = nat_ruleset("vbra", "10.1.0.1", 24);
  flush();
  nft_load("table ip netctl-vbra {\n\tchain forward {\n"
           "\t\ttype filter hook forward priority filter; policy accept;\n\t}\n}\n");
  g_assert_cmpint(nc_nft_apply(a), ==, 0);
  g_assert_cmpint(nc_nft_table_exists(NC_FW_FAMILY_IP, "netctl-vbra"), ==, 0);
  assert_tables_match(a);
  g_assert_cmpint(nc_nft_delete(a->bridge), ==, 0);
}

static void
test_delete_absent(void)
{
  flush();
  g_assert_cmpint(nc_nft_delete("absent0"), ==, 0);
  g_assert_cmpint(nc_nft_table_exists(NC_FW_FAMILY_IP, "netctl"), ==, 0);
  g_assert_cmpint(nc_nft_delete(""), ==, -EINVAL);
  g_autofree char *rest = NFT("list", "ruleset");
  g_assert_cmpstr(rest, ==, "");
}

/* A live update that drops IPv6: the ip6 table goes, in the same batch. */
static void
test_family_dropped(gconstpointer data)
{
  g_autofree char *path = g_build_filename(data, "route-dual-stack.xml", NULL);
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);

  flush();
  g_assert_true(rs->family_used[NC_FW_FAMILY_IP6]);
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  assert_tables_match(rs);
  rs->family_used[NC_FW_FAMILY_IP6] = FALSE;
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  assert_tables_match(rs);
  g_assert_cmpint(nc_nft_table_exists(NC_FW_FAMILY_IP6, rs->table), ==, 0);

  /* open mode: an empty ruleset leaves nothing. */
  rs->family_used[NC_FW_FAMILY_IP] = FALSE;
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  g_autofree char *rest = NFT("list", "ruleset");
  g_assert_cmpstr(rest, ==, "");
}

/* A batch the kernel refuses (a rule for a chain the batch does not create)
 * changes nothing: the table applied before is still whole. */
static void
test_refused_batch_is_atomic(gconstpointer data)
{
  g_autofree char *path = g_build_filename(data, "nat-default.xml", NULL);
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);

  flush();
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  g_autofree char *before = NFT("list", "ruleset");

  rs->chain_used[NC_FW_FAMILY_IP][NC_FW_CHAIN_POSTROUTING] = FALSE;
  int err = nc_nft_apply(rs);
  g_assert_cmpint(err, <, 0);
  g_test_message("refused: %s", g_strerror(-err));
  rs->chain_used[NC_FW_FAMILY_IP][NC_FW_CHAIN_POSTROUTING] = TRUE;
  g_autofree char *after = NFT("list", "ruleset");
  g_assert_cmpstr(after, ==, before);

  /* A rule we cannot express is refused before anything is sent. */
  NcFwRule *rule = rs->rules[NC_FW_FAMILY_IP]->pdata[0];
  g_free(rule->iifname);
  rule->iifname = g_strdup("a-name-longer-than-ifnamsiz");
  g_assert_cmpint(nc_nft_apply(rs), ==, -EINVAL);
  g_autofree char *unchanged = NFT("list", "ruleset");
  g_assert_cmpstr(unchanged, ==, before);
  flush();
}

/* Thousands of rules in one batch: the buffer grows, and the socket's send
 * buffer is raised for the one large message. */
static void
test_large_batch(gconstpointer data)
{
  g_autofree char *path = g_build_filename(data, "nat-default.xml", NULL);
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);
  const guint extra = 5000;
  guint expected = extra; /* plus the input accepts of the network itself */
  for (guint i = 0; i < rs->rules[NC_FW_FAMILY_IP]->len; i++) {
    const NcFwRule *r = rs->rules[NC_FW_FAMILY_IP]->pdata[i];
    expected += r->chain == NC_FW_CHAIN_INPUT && r->verdict == NC_FW_VERDICT_ACCEPT;
  }

  flush();
  for (guint i = 0; i < extra; i++) {
    NcFwRule *rule = g_new0(NcFwRule, 1);
    rule->chain = NC_FW_CHAIN_INPUT;
    rule->iifname = g_strdup_printf("vnet%u", i);
    rule->l4proto = IPPROTO_UDP;
    rule->dport = 1 + i % 65000;
    rule->verdict = NC_FW_VERDICT_ACCEPT;
    g_ptr_array_add(rs->rules[NC_FW_FAMILY_IP], rule);
  }
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  g_autofree char *out = NFT("list", "chain", "ip", "netctl", "virbr0-in");
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint rules = 0;
  for (gsize i = 0; lines[i] != NULL; i++)
    rules += strstr(lines[i], "counter packets 0 bytes 0 return") != NULL; /* accept, installed */
  g_assert_cmpuint(rules, ==, expected);
  g_assert_cmpint(nc_nft_delete(rs->bridge), ==, 0);
}

/* -- coexistence ----------------------------------------------------------- */

typedef struct {
  char *proc; /* a fake /proc: only net/ip{,6}_tables_names are read */
  NcKernel *kernel;
} BlockerFixture;

static void
blocker_setup(BlockerFixture *f, gconstpointer data)
{
  f->proc = g_dir_make_tmp("test-nft-proc-XXXXXX", NULL);
  g_assert_nonnull(f->proc);
  g_autofree char *net = g_build_filename(f->proc, "net", NULL);
  g_assert_cmpint(g_mkdir(net, 0755), ==, 0);
  f->kernel = nc_kernel_new(f->proc, NULL);
  flush();
}

static void
blocker_teardown(BlockerFixture *f, gconstpointer data)
{
  g_autofree char *net = g_build_filename(f->proc, "net", NULL);
  for (const char *const *n = (const char *const[]){ "ip_tables_names", "ip6_tables_names", NULL };
       *n; n++) {
    g_autofree char *path = g_build_filename(net, *n, NULL);
    g_unlink(path);
  }
  g_rmdir(net);
  g_rmdir(f->proc);
  g_free(f->proc);
  nc_kernel_free(f->kernel);
  flush();
}

static GPtrArray *
find_blockers(BlockerFixture *f)
{
  GPtrArray *findings = NULL;
  g_assert_cmpint(nc_nft_find_forward_blockers(f->kernel, &findings), ==, 0);
  g_assert_nonnull(findings);
  for (guint i = 0; i < findings->len; i++)
    g_test_message("finding: %s", ((NcNftBlocker *)findings->pdata[i])->description);
  return findings;
}

static void
assert_contains(const char *haystack, const char *needle)
{
  if (haystack == NULL || strstr(haystack, needle) == NULL)
    g_error("expected '%s' in:\n%s", needle, haystack);
}

/* Our own tables, accepting policies, drops on other hooks and conditional
 * drops are not blockers. */
static void
test_blockers_none(BlockerFixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename(data, "nat-default.xml", NULL);
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);
  g_assert_cmpint(nc_nft_apply(rs), ==, 0);
  nft_load("table inet mine {\n"
           "  chain forwarding { type filter hook forward priority 0; policy accept;\n"
           "    ip saddr 192.0.2.1 counter drop\n  }\n"
           "  chain incoming { type filter hook input priority 0; policy drop; }\n"
           "  chain helper { counter drop; }\n"
           "}\n");
  g_autoptr(GPtrArray) findings = find_blockers(f);
  g_assert_cmpuint(findings->len, ==, 0);
  g_assert_null(nc_nft_blocker_advice("virbr0", findings));
}

static void
test_blockers_iptables_nft(BlockerFixture *f, gconstpointer data)
{
  nft_load("table ip filter {\n"
           "  chain FORWARD { type filter hook forward priority 0; policy drop; }\n"
           "}\n");
  g_autoptr(GPtrArray) findings = find_blockers(f);
  g_assert_cmpuint(findings->len, ==, 1);
  const NcNftBlocker *b = findings->pdata[0];
  g_assert_cmpint(b->kind, ==, NC_NFT_BLOCKER_IPTABLES_NFT);
  g_assert_cmpstr(b->family, ==, "ip");
  g_assert_cmpstr(b->table, ==, "filter");
  g_assert_cmpstr(b->chain, ==, "FORWARD");
  g_assert_null(b->owner);
  g_autofree char *advice = nc_nft_blocker_advice("virbr0", findings);
  g_test_message("%s", advice);
  assert_contains(advice, "guest traffic through virbr0 will be dropped by table ip filter, "
                          "chain FORWARD (policy drop");
  assert_contains(advice, "iptables -I FORWARD -i virbr0 -j ACCEPT; "
                          "iptables -I FORWARD -o virbr0 -j ACCEPT");
}

static void
test_blockers_docker(BlockerFixture *f, gconstpointer data)
{
  nft_load("table ip filter {\n"
           "  chain DOCKER-USER { counter return; }\n"
           "  chain FORWARD { type filter hook forward priority 0; policy drop;\n"
           "    counter jump DOCKER-USER\n  }\n"
           "}\n"
           "table ip6 filter {\n"
           "  chain FORWARD { type filter hook forward priority 0; policy drop; }\n"
           "  chain ufw6-before-forward { }\n"
           "}\n");
  g_autoptr(GPtrArray) findings = find_blockers(f);
  g_assert_cmpuint(findings->len, ==, 2);
  g_autofree char *advice = nc_nft_blocker_advice("virbr1", findings);
  g_test_message("%s", advice);
  assert_contains(advice, "table ip filter, chain FORWARD (policy drop, iptables-nft, docker)");
  assert_contains(advice, "iptables -I DOCKER-USER -i virbr1 -j ACCEPT; "
                          "iptables -I DOCKER-USER -o virbr1 -j ACCEPT");
  assert_contains(advice, "table ip6 filter, chain FORWARD (policy drop, iptables-nft, ufw)");
  assert_contains(advice, "ufw route allow in on virbr1; ufw route allow out on virbr1");
}

/* firewalld's forward chain accepts by policy but ends with a reject. */
static void
test_blockers_firewalld(BlockerFixture *f, gconstpointer data)
{
  nft_load(
      "table inet firewalld {\n"
      "  chain filter_FORWARD {\n"
      "    type filter hook forward priority filter + 10; policy accept;\n"
      "    ct state established,related accept\n"
      "    iifname \"lo\" accept\n"
      "    reject with icmpx admin-prohibited\n"
      "  }\n"
      "}\n"
      "table bridge lab {\n"
      "  chain forwarding { type filter hook forward priority 0; policy accept; counter drop; }\n"
      "}\n");
  g_autoptr(GPtrArray) findings = find_blockers(f);
  g_assert_cmpuint(findings->len, ==, 2);
  g_autofree char *advice = nc_nft_blocker_advice("virbr0", findings);
  g_test_message("%s", advice);
  assert_contains(advice, "table inet firewalld, chain filter_FORWARD (its last rule drops "
                          "everything, firewalld)");
  assert_contains(advice, "firewall-cmd --permanent --zone=trusted --add-interface=virbr0");
  assert_contains(advice, "table bridge lab, chain forwarding");
  assert_contains(advice, "nft insert rule bridge lab forwarding meta ibrname \"virbr0\" accept");
}

static void
test_blockers_legacy(BlockerFixture *f, gconstpointer data)
{
  g_autofree char *v4 = g_build_filename(f->proc, "net", "ip_tables_names", NULL);
  g_autofree char *v6 = g_build_filename(f->proc, "net", "ip6_tables_names", NULL);
  g_assert_true(g_file_set_contents(v4, "filter\nnat\n", -1, NULL));
  g_assert_true(g_file_set_contents(v6, "", -1, NULL)); /* loaded, no table: harmless */
  g_autoptr(GPtrArray) findings = find_blockers(f);
  g_assert_cmpuint(findings->len, ==, 1);
  const NcNftBlocker *b = findings->pdata[0];
  g_assert_cmpint(b->kind, ==, NC_NFT_BLOCKER_IPTABLES_LEGACY);
  g_autofree char *advice = nc_nft_blocker_advice("virbr0", findings);
  g_test_message("%s", advice);
  assert_contains(advice, "iptables-legacy tables in ip (filter, nat)");
  assert_contains(advice, "iptables-legacy -I FORWARD -i virbr0 -j ACCEPT");
}

/* -- traffic --------------------------------------------------------------- */

/* Set by main(): a private mount namespace with its own /run, where
 * `ip netns add` may create the guest's and the outside's namespaces. */
static gboolean have_netns_dir;

static gboolean
sh(const char *cmd)
{
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                    &status, NULL))
    return FALSE;
  if (!g_spawn_check_wait_status(status, NULL)) {
    g_test_message("`%s` failed: %s", cmd, err);
    return FALSE;
  }
  return TRUE;
}

#define GUEST_PING "ip netns exec guest busybox ping -c 1 -W 2 198.51.100.2"

/* Packets of the last rule of `ip netctl-virbr0 postrouting` (the
 * masquerade of what is neither TCP nor UDP: our ping). */
static guint64
last_postrouting_packets(void)
{
  g_autofree char *out = NFT("list", "chain", "ip", "netctl", "virbr0-nat");
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  guint64 packets = 0;
  for (gsize i = 0; lines[i] != NULL; i++) {
    const char *p = strstr(lines[i], "counter packets ");
    if (p != NULL)
      packets = g_ascii_strtoull(p + strlen("counter packets "), NULL, 10);
  }
  return packets;
}

/* A guest on the bridge pings an outside host that has no route back to the
 * guest's subnet: only masquerade makes the reply find its way. Then the
 * isolated rules for the same bridge: nothing gets through. */
static void
test_traffic(gconstpointer data)
{
  g_autofree char *busybox = g_find_program_in_path("busybox");
  g_autofree char *ip = g_find_program_in_path("ip");
  if (!have_netns_dir || busybox == NULL || ip == NULL) {
    g_test_skip("needs a private mount namespace, ip (iproute2) and busybox");
    return;
  }
  flush();
  g_assert_true(sh("ip link add virbr0 type bridge && "
                   "ip addr add 192.168.122.1/24 dev virbr0 && ip link set virbr0 up"));
  g_assert_true(sh("ip netns add guest && "
                   "ip link add vg0 type veth peer name eth0 netns guest && "
                   "ip link set vg0 master virbr0 up && "
                   "ip -n guest addr add 192.168.122.10/24 dev eth0 && "
                   "ip -n guest link set eth0 up && "
                   "ip -n guest route add default via 192.168.122.1"));
  g_assert_true(sh("ip netns add outside && "
                   "ip link add uplink type veth peer name eth0 netns outside && "
                   "ip addr add 198.51.100.1/24 dev uplink && ip link set uplink up && "
                   "ip -n outside addr add 198.51.100.2/24 dev eth0 && "
                   "ip -n outside link set eth0 up"));
  g_assert_true(sh("echo 1 > /proc/sys/net/ipv4/ip_forward"));

  /* Forwarded, but the reply has no way back. */
  g_assert_false(sh(GUEST_PING));

  g_autofree char *nat_path = g_build_filename(data, "nat-default.xml", NULL);
  g_autoptr(NcFwRuleset) nat = ruleset_for(nat_path);
  g_assert_cmpint(nc_nft_apply(nat), ==, 0);
  g_assert_true(sh(GUEST_PING));
  g_assert_cmpuint(last_postrouting_packets(), >=, 1);

  g_autoptr(GError) error = NULL;
  g_autofree char *iso_path = g_build_filename(data, "isolated.xml", NULL);
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(iso_path, 0, &error);
  g_assert_no_error(error);
  g_free(def->bridge.name);
  def->bridge.name = g_strdup("virbr0");
  g_autoptr(NcFwRuleset) isolated = nc_fw_ruleset_build(def);
  g_assert_cmpint(nc_nft_apply(isolated), ==, 0);
  g_assert_false(sh(GUEST_PING));

  g_assert_cmpint(nc_nft_delete("virbr0"), ==, 0);
  g_assert_true(sh("ip netns del guest && ip netns del outside && "
                   "ip link del virbr0 && ip link del uplink 2>/dev/null; true"));
  flush();
}

/* -- main ------------------------------------------------------------------ */

/* g_ptr_array_sort hands pointers to the elements. */
static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_cases(const char *dir, const char *prefix, GPtrArray *keep)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (const char *n; (n = g_dir_read_name(d)) != NULL;)
    if (g_str_has_suffix(n, ".xml"))
      g_ptr_array_add(names, g_strdup(n));
  g_ptr_array_sort(names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    const char *name = names->pdata[i];
    char *path = g_build_filename(dir, name, NULL);
    g_autofree char *base = g_strndup(name, strlen(name) - 4);
    g_autofree char *test = g_strdup_printf("/nft/apply/%s%s", prefix, base);
    g_ptr_array_add(keep, path);
    g_test_add_data_func(test, path, test_apply_case);
  }
}

/* The NcKernel keeps the last scan's findings while only our own batches
 * change nftables: every other program's change is still seen, whether it
 * comes before, between or after ours. */
static void
test_blockers_cached(BlockerFixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename(data, "nat-default.xml", NULL);
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), ==, 0);
  g_autoptr(GPtrArray) none = find_blockers(f);
  g_assert_cmpuint(none->len, ==, 0);
  /* Our own changes keep the findings. */
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), ==, 0);
  g_assert_cmpint(nc_nft_delete_with(f->kernel, rs->bridge), ==, 0);
  g_autoptr(GPtrArray) still_none = find_blockers(f);
  g_assert_cmpuint(still_none->len, ==, 0);
  /* Another program's change is seen at the next scan. */
  nft_load("table ip filter {\n"
           "  chain FORWARD { type filter hook forward priority 0; policy drop; }\n"
           "}\n");
  g_autoptr(GPtrArray) one = find_blockers(f);
  g_assert_cmpuint(one->len, ==, 1);
  /* ... and so is one between two of ours. */
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), ==, 0);
  g_free(NFT("delete", "table", "ip", "filter"));
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), ==, 0);
  g_autoptr(GPtrArray) gone = find_blockers(f);
  g_assert_cmpuint(gone->len, ==, 0);
  /* Nor does a batch of ours the kernel refused (rules in a chain the
   * batch does not create). */
  rs->chain_used[NC_FW_FAMILY_IP][NC_FW_CHAIN_POSTROUTING] = FALSE;
  nft_load("table ip filter {\n"
           "  chain FORWARD { type filter hook forward priority 0; policy drop; }\n"
           "}\n");
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), <, 0);
  g_autoptr(GPtrArray) back = find_blockers(f);
  g_assert_cmpuint(back->len, ==, 1);
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), <, 0);
  g_free(NFT("delete", "table", "ip", "filter"));
  g_autoptr(GPtrArray) none_again = find_blockers(f);
  g_assert_cmpuint(none_again->len, ==, 0);
  rs->chain_used[NC_FW_FAMILY_IP][NC_FW_CHAIN_POSTROUTING] = TRUE;
  g_assert_cmpint(nc_nft_delete_with(f->kernel, rs->bridge), ==, 0);
}

/* Batches, deletes and scans on the socket the NcKernel keeps, one after
 * the other: nothing of a call is left for the next to misread. */
static void
test_kept_socket(BlockerFixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename(data, "nat-default.xml", NULL);
  g_autoptr(NcFwRuleset) rs = ruleset_for(path);
  for (int i = 0; i < 20; i++) {
    g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), ==, 0);
    g_autoptr(GPtrArray) findings = find_blockers(f);
    g_assert_cmpuint(findings->len, ==, 0);
    for (int fam = 0; fam < _NC_FW_FAMILY_MAX; fam++)
      g_assert_cmpint(nc_nft_table_exists(fam, rs->table), ==, rs->family_used[fam] ? 1 : 0);
    g_assert_cmpint(nc_nft_delete_with(f->kernel, rs->bridge), ==, 0);
    g_assert_cmpint(nc_nft_table_exists(NC_FW_FAMILY_IP, rs->table), ==, 0);
  }
  /* A batch the kernel refuses: its error, then the socket works on. */
  rs->chain_used[NC_FW_FAMILY_IP][NC_FW_CHAIN_POSTROUTING] = FALSE;
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), <, 0);
  rs->chain_used[NC_FW_FAMILY_IP][NC_FW_CHAIN_POSTROUTING] = TRUE;
  g_assert_cmpint(nc_nft_apply_with(f->kernel, rs), ==, 0);
  g_assert_cmpint(nc_nft_delete_with(f->kernel, rs->bridge), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (unshare(CLONE_NEWNET) < 0) {
    printf("SKIP: cannot enter a private network namespace (needs CAP_SYS_ADMIN): %s\n",
           g_strerror(errno));
    return 77;
  }
  /* Optional, for the traffic test: a private /run for `ip netns add`, so
   * nothing of the namespaces it makes is left on the host. */
  have_netns_dir = unshare(CLONE_NEWNS) == 0
                   && mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0
                   && mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") == 0;
  g_autofree char *nft = g_find_program_in_path("nft");
  if (nft == NULL) {
    printf("SKIP: the nft command (Debian package nftables) is not installed\n");
    return 77;
  }
  if (nc_nft_table_exists(NC_FW_FAMILY_IP, "netctl-probe") < 0) {
    printf("SKIP: this kernel has no nftables (nf_tables)\n");
    return 77;
  }

  const char *srcdir = g_getenv("NETCTL_SRCDIR");
  const char *shared = g_getenv("NETCTL_SHARED");
  g_autofree char *data
      = g_build_filename(srcdir ? srcdir : ".", "tests", "firewall", "data", NULL);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
  add_cases(data, "", keep);
  if (shared != NULL) {
    g_autofree char *lv
        = g_build_filename(shared, "conformance", "libvirt", "networkxml2firewalldata", NULL);
    add_cases(lv, "libvirt/", keep);
  }
  g_test_add_data_func("/nft/foreign-untouched", data, test_foreign_untouched);
  g_test_add_func("/nft/delete-absent", test_delete_absent);
  g_test_add_func("/nft/shared-table", test_shared_table);
  g_test_add_func("/nft/shared-table-cached", test_shared_table_cached);
  g_test_add_func("/nft/legacy-table", test_legacy_table);
  g_test_add_data_func("/nft/large-batch", data, test_large_batch);
  g_test_add_data_func("/nft/traffic", data, test_traffic);
  g_test_add_data_func("/nft/family-dropped", data, test_family_dropped);
  g_test_add_data_func("/nft/refused-batch-is-atomic", data, test_refused_batch_is_atomic);
#define ADD_BLOCKER(path, func)                                                                    \
  g_test_add(path, BlockerFixture, data, blocker_setup, func, blocker_teardown)
  ADD_BLOCKER("/nft/blockers/none", test_blockers_none);
  ADD_BLOCKER("/nft/blockers/iptables-nft", test_blockers_iptables_nft);
  ADD_BLOCKER("/nft/blockers/docker-ufw", test_blockers_docker);
  ADD_BLOCKER("/nft/blockers/firewalld-bridge", test_blockers_firewalld);
  ADD_BLOCKER("/nft/blockers/legacy", test_blockers_legacy);
  ADD_BLOCKER("/nft/blockers/cached", test_blockers_cached);
  ADD_BLOCKER("/nft/kept-socket", test_kept_socket);
  return g_test_run();
}
