/* What else on this host will drop forwarded guest traffic.
 *
 * In nftables every base chain on a hook sees the packet, and a drop in any
 * of them is final: our table's accepts cannot overrule Docker's `ip filter
 * FORWARD` with policy drop (iptables-nft), ufw's, or firewalld's
 * `inet firewalld filter_FORWARD`, which ends with a reject. iptables-legacy
 * rules run in the same hook through x_tables, out of nftables' sight. We do
 * not edit any of these (they belong to other programs, which would fight
 * back or lose our rules on their next reload); we say precisely which chain
 * will drop the traffic, and what the user can run to let it pass.
 *
 * Nothing here is written; everything is read through nfnetlink dumps, plus
 * <proc>/net/ip{,6}_tables_names for the legacy tables. */
#include <errno.h>
/* glibc's before the kernel's (linux/netfilter.h pulls in linux/in.h). */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "nft-private.h"
#include "nft.h"

/* The prefix of our own tables before the shared one (one per network). */
#define LEGACY_PREFIX "netctl-"
/* How many times a scan is restarted when a concurrent change interrupts a dump. */
#define SCAN_ATTEMPTS 3

void
nc_nft_blocker_free(NcNftBlocker *blocker)
{
  if (blocker == NULL)
    return;
  g_free(blocker->family);
  g_free(blocker->table);
  g_free(blocker->chain);
  g_free(blocker->owner);
  g_free(blocker->description);
  g_free(blocker);
}

static const char *
family_name(guint32 nfproto)
{
  switch (nfproto) {
  case NFPROTO_IPV4:
    return "ip";
  case NFPROTO_IPV6:
    return "ip6";
  case NFPROTO_INET:
    return "inet";
  case NFPROTO_BRIDGE:
    return "bridge";
  default:
    return NULL; /* arp, netdev: no forward hook that guest traffic crosses */
  }
}

/* -- dumps ----------------------------------------------------------------- */

static int
collect_chain(const struct nlmsghdr *nlh, void *data)
{
  GPtrArray *chains = data;
  g_autoptr(NcNftnlChain) c = nftnl_chain_alloc();
  if (c == NULL)
    return MNL_CB_ERROR;
  if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
    return MNL_CB_OK; /* not a chain we can read: not one to judge either */
  g_ptr_array_add(chains, g_steal_pointer(&c));
  return MNL_CB_OK;
}

static void
chain_free(gpointer c)
{
  nftnl_chain_free(c);
}

typedef struct {
  const char *table;
  const char *chain;
} RuleFilter;

static void
build_rule_filter(struct nlmsghdr *nlh, gpointer data)
{
  const RuleFilter *filter = data;
  g_autoptr(NcNftnlRule) r = nftnl_rule_alloc();
  nftnl_rule_set_str(r, NFTNL_RULE_TABLE, filter->table);
  nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, filter->chain);
  nftnl_rule_nlmsg_build_payload(nlh, r);
}

static int
keep_last_rule(const struct nlmsghdr *nlh, void *data)
{
  struct nftnl_rule **last = data;
  g_autoptr(NcNftnlRule) r = nftnl_rule_alloc();
  if (r == NULL)
    return MNL_CB_ERROR;
  if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
    return MNL_CB_OK;
  g_clear_pointer(last, nftnl_rule_free);
  *last = g_steal_pointer(&r);
  return MNL_CB_OK;
}

static gboolean
expr_is(const struct nftnl_expr *e, const char *name)
{
  return g_strcmp0(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name) == 0;
}

static gboolean
expr_drops(const struct nftnl_expr *e)
{
  return expr_is(e, "reject")
         || (expr_is(e, "immediate")
             && nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) == NFT_REG_VERDICT
             && nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) == NF_DROP);
}

/* TRUE for a rule that drops or rejects whatever reaches it: only counters
 * and logging before a drop verdict or a reject (firewalld's last rule,
 * `reject with icmpx admin-prohibited`). */
static gboolean
rule_drops_everything(const struct nftnl_rule *r)
{
  struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
  struct nftnl_expr *last = NULL;
  gboolean only_passive = TRUE;
  if (it == NULL)
    return FALSE;
  for (struct nftnl_expr *e = nftnl_expr_iter_next(it); e != NULL; e = nftnl_expr_iter_next(it)) {
    if (last != NULL && !expr_is(last, "counter") && !expr_is(last, "log"))
      only_passive = FALSE;
    last = e;
  }
  gboolean drops = last != NULL && only_passive && expr_drops(last);
  nftnl_expr_iter_destroy(it);
  return drops;
}

static int
chain_ends_with_drop(struct mnl_socket *nl, guint32 family, const char *table, const char *chain,
                     gboolean *ret_drops)
{
  RuleFilter filter = { table, chain };
  struct nftnl_rule *last = NULL;
  int err
      = nc_nft_dump(nl, NFT_MSG_GETRULE, family, build_rule_filter, &filter, keep_last_rule, &last);
  if (err == 0)
    *ret_drops = last != NULL && rule_drops_everything(last);
  if (last != NULL)
    nftnl_rule_free(last);
  return err;
}

/* -- who owns a table ------------------------------------------------------ */

static gboolean
table_has_chain(GPtrArray *chains, guint32 family, const char *table, const char *name)
{
  for (guint i = 0; i < chains->len; i++) {
    const struct nftnl_chain *c = chains->pdata[i];
    if (nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY) == family
        && g_strcmp0(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), table) == 0
        && g_strcmp0(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), name) == 0)
      return TRUE;
  }
  return FALSE;
}

/* iptables-nft keeps iptables' table and chain names: ip/ip6 "filter" with
 * the built-in chain "FORWARD". Docker and ufw are recognised by the chains
 * they add next to it. */
static NcNftBlocker *
new_blocker(GPtrArray *chains, guint32 family, const char *table, const char *chain,
            const char *reason)
{
  NcNftBlocker *b = g_new0(NcNftBlocker, 1);
  b->kind = NC_NFT_BLOCKER_NFT;
  b->family = g_strdup(family_name(family));
  b->table = g_strdup(table);
  b->chain = g_strdup(chain);
  if ((family == NFPROTO_IPV4 || family == NFPROTO_IPV6) && g_str_equal(table, "filter")
      && g_str_equal(chain, "FORWARD")) {
    b->kind = NC_NFT_BLOCKER_IPTABLES_NFT;
    if (table_has_chain(chains, family, table, "DOCKER-USER"))
      b->owner = g_strdup("docker");
    else if (table_has_chain(chains, family, table, "ufw-before-forward")
             || table_has_chain(chains, family, table, "ufw6-before-forward"))
      b->owner = g_strdup("ufw");
  } else if (family == NFPROTO_INET && g_str_equal(table, "firewalld")) {
    b->owner = g_strdup("firewalld");
  }
  b->description
      = g_strdup_printf("table %s %s, chain %s (%s%s%s%s)", b->family, table, chain, reason,
                        b->kind == NC_NFT_BLOCKER_IPTABLES_NFT ? ", iptables-nft" : "",
                        b->owner ? ", " : "", b->owner ? b->owner : "");
  return b;
}

static int
scan_nftables(struct mnl_socket *nl, GPtrArray *findings)
{
  g_autoptr(GPtrArray) chains = g_ptr_array_new_with_free_func(chain_free);
  int err = nc_nft_dump(nl, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NULL, NULL, collect_chain, chains);
  if (err < 0)
    return err;

  for (guint i = 0; i < chains->len; i++) {
    const struct nftnl_chain *c = chains->pdata[i];
    guint32 family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
    const char *table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
    const char *name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);

    /* Base chains on the forward hook (NF_BR_FORWARD has the same value). */
    if (family_name(family) == NULL || table == NULL || name == NULL
        || !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)
        || nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_FORWARD
        || g_str_equal(table, NC_FW_TABLE) || g_str_has_prefix(table, LEGACY_PREFIX))
      continue;
    if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY)
        && nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP) {
      g_ptr_array_add(findings, new_blocker(chains, family, table, name, "policy drop"));
      continue;
    }
    gboolean drops = FALSE;
    err = chain_ends_with_drop(nl, family, table, name, &drops);
    if (err < 0)
      return err;
    if (drops)
      g_ptr_array_add(findings,
                      new_blocker(chains, family, table, name, "its last rule drops everything"));
  }
  return 0;
}

/* -- iptables-legacy ------------------------------------------------------- */

static void
scan_legacy(const char *proc_root, const char *file, const char *family, GPtrArray *findings)
{
  g_autofree char *path = g_build_filename(proc_root, "net", file, NULL);
  g_autofree char *text = NULL;
  /* Absent when x_tables is not loaded: nothing legacy can drop. */
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return;
  g_auto(GStrv) names = g_strsplit_set(g_strstrip(text), "\n", -1);
  if (names[0] == NULL || *names[0] == '\0')
    return;
  g_autofree char *list = g_strjoinv(", ", names);
  NcNftBlocker *b = g_new0(NcNftBlocker, 1);
  b->kind = NC_NFT_BLOCKER_IPTABLES_LEGACY;
  b->family = g_strdup(family);
  b->table = g_strdup(list);
  b->owner = g_strdup("iptables-legacy");
  b->description = g_strdup_printf("iptables-legacy tables in %s (%s), whose rules nftables "
                                   "cannot see",
                                   family, list);
  g_ptr_array_add(findings, b);
}

static NcNftBlocker *
blocker_copy(const NcNftBlocker *b)
{
  NcNftBlocker *c = g_new0(NcNftBlocker, 1);
  c->kind = b->kind;
  c->family = g_strdup(b->family);
  c->table = g_strdup(b->table);
  c->chain = g_strdup(b->chain);
  c->owner = g_strdup(b->owner);
  c->description = g_strdup(b->description);
  return c;
}

static GPtrArray *
findings_copy(GPtrArray *findings)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func((GDestroyNotify)nc_nft_blocker_free);
  for (guint i = 0; i < findings->len; i++)
    g_ptr_array_add(copy, blocker_copy(findings->pdata[i]));
  return copy;
}

/* The nftables part of the scan: from the NcKernel's cache when no other
 * program changed nftables since it was filled (see NcNftScanCache). */
static int
scan_nftables_cached(NcKernel *kernel, GPtrArray **ret_findings)
{
  g_autoptr(GPtrArray) findings = NULL;
  NcNftScanCache *cache = kernel ? nc_kernel_nft_scan_cache(kernel) : NULL;
  int err = -EINTR;

  for (int attempt = 0; attempt < SCAN_ATTEMPTS && err == -EINTR; attempt++) {
    /* The kernel's kept socket: closing one of our own right after a start's
     * batch would wait for the kernel to free what the batch replaced. */
    g_autoptr(NcMnlSocket) own = NULL;
    struct mnl_socket *nl = kernel ? nc_kernel_nft_sock(kernel, &err) : NULL;
    if (!kernel)
      nl = own = nc_nft_socket_open(&err);
    if (nl == NULL)
      return err;
    guint32 gen = 0, gen_after = 0;
    gboolean have_gen = cache && nc_nft_get_gen(nl, &gen) == 0;
    if (have_gen && cache->valid && cache->gen == gen) {
      *ret_findings = findings_copy(cache->findings);
      return 0;
    }
    g_clear_pointer(&findings, g_ptr_array_unref);
    findings = g_ptr_array_new_with_free_func((GDestroyNotify)nc_nft_blocker_free);
    err = scan_nftables(nl, findings);
    if (err < 0 && err != -EINTR && kernel)
      nc_kernel_nft_sock_reset(kernel);
    /* Kept only when nothing changed while the dumps ran. */
    if (err == 0 && have_gen && nc_nft_get_gen(nl, &gen_after) == 0 && gen_after == gen) {
      g_clear_pointer(&cache->findings, g_ptr_array_unref);
      cache->findings = findings_copy(findings);
      cache->gen = gen;
      cache->valid = TRUE;
    }
  }
  if (err < 0)
    return err;
  *ret_findings = g_steal_pointer(&findings);
  return 0;
}

int
nc_nft_find_forward_blockers(NcKernel *kernel, GPtrArray **ret_findings)
{
  g_autoptr(GPtrArray) findings = NULL;
  int err = scan_nftables_cached(kernel, &findings);
  if (err < 0)
    return err;

  const char *proc = kernel != NULL ? nc_kernel_proc_root(kernel) : "/proc";
  scan_legacy(proc, "ip_tables_names", "ip", findings);
  scan_legacy(proc, "ip6_tables_names", "ip6", findings);
  *ret_findings = g_steal_pointer(&findings);
  return 0;
}

/* -- advice ---------------------------------------------------------------- */

static const char *
iptables_cmd(const NcNftBlocker *b, gboolean legacy)
{
  gboolean v6 = g_strcmp0(b->family, "ip6") == 0;
  if (legacy)
    return v6 ? "ip6tables-legacy" : "iptables-legacy";
  return v6 ? "ip6tables" : "iptables";
}

/* The command that lets traffic in and out of `bridge` pass the chain. Our
 * own table still decides what a network lets through; theirs only has to
 * stop dropping it. */
static char *
pass_command(const char *bridge, const NcNftBlocker *b)
{
  switch (b->kind) {
  case NC_NFT_BLOCKER_IPTABLES_NFT: {
    const char *cmd = iptables_cmd(b, FALSE);
    if (g_strcmp0(b->owner, "ufw") == 0)
      return g_strdup_printf("ufw route allow in on %s; ufw route allow out on %s", bridge, bridge);
    /* Docker flushes FORWARD on restart but leaves DOCKER-USER to the user. */
    const char *chain = g_strcmp0(b->owner, "docker") == 0 ? "DOCKER-USER" : b->chain;
    return g_strdup_printf("%s -I %s -i %s -j ACCEPT; %s -I %s -o %s -j ACCEPT", cmd, chain, bridge,
                           cmd, chain, bridge);
  }
  case NC_NFT_BLOCKER_IPTABLES_LEGACY: {
    const char *cmd = iptables_cmd(b, TRUE);
    return g_strdup_printf("%s -I FORWARD -i %s -j ACCEPT; %s -I FORWARD -o %s -j ACCEPT", cmd,
                           bridge, cmd, bridge);
  }
  case NC_NFT_BLOCKER_NFT:
    if (g_strcmp0(b->owner, "firewalld") == 0)
      return g_strdup_printf("firewall-cmd --permanent --zone=trusted --add-interface=%s && "
                             "firewall-cmd --reload",
                             bridge);
    if (g_strcmp0(b->family, "bridge") == 0)
      return g_strdup_printf("nft insert rule bridge %s %s meta ibrname \"%s\" accept", b->table,
                             b->chain, bridge);
    return g_strdup_printf("nft insert rule %s %s %s iifname \"%s\" accept; "
                           "nft insert rule %s %s %s oifname \"%s\" accept",
                           b->family, b->table, b->chain, bridge, b->family, b->table, b->chain,
                           bridge);
  case _NC_NFT_BLOCKER_MAX:
    break;
  }
  return g_strdup("");
}

/* ufw and firewalld rewrite their tables: the user tells them, not nft. */
static gboolean
has_own_tool(const NcNftBlocker *b)
{
  return g_strcmp0(b->owner, "ufw") == 0 || g_strcmp0(b->owner, "firewalld") == 0;
}

char *
nc_nft_blocker_advice(const char *bridge, GPtrArray *findings)
{
  if (findings == NULL || findings->len == 0)
    return NULL;
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < findings->len; i++) {
    const NcNftBlocker *b = findings->pdata[i];
    g_autofree char *cmd = pass_command(bridge, b);
    if (s->len > 0)
      g_string_append_c(s, '\n');
    if (b->kind == NC_NFT_BLOCKER_IPTABLES_LEGACY)
      g_string_append_printf(s,
                             "guest traffic through %s may be dropped by %s: if `%s -S FORWARD` "
                             "shows policy DROP or a final DROP/REJECT, add accept rules for %s "
                             "there, e.g. `%s`",
                             bridge, b->description, iptables_cmd(b, TRUE), bridge, cmd);
    else
      g_string_append_printf(s,
                             "guest traffic through %s will be dropped by %s: %s %s there, "
                             "e.g. `%s`",
                             bridge, b->description,
                             has_own_tool(b) ? "allow" : "add accept rules for", bridge, cmd);
  }
  return g_string_free(s, FALSE);
}
