/* nftables through libnftnl + libmnl: netctl's own tables, and a look at
 * everybody else's forward chains.
 *
 * Every change is one nfnetlink batch, which the kernel applies atomically:
 * either the whole new table is in place or the old one is untouched. Only
 * tables named by the caller (netctl-<bridge>) are created or deleted; other
 * programs' tables are read, never written.
 *
 * Return convention of the kernel layer (nc-kernel.h): 0 or a non-negative
 * value on success, -errno on failure (the kernel's errno for the first
 * message of a batch it refused), debug logging at most. Needs CAP_NET_ADMIN
 * in the current network namespace. */
#pragma once

#include <glib.h>

#include "firewall-rules.h"
#include "nc-kernel.h"

G_BEGIN_DECLS

/* The comment every table of ours carries (table userdata, as `nft`
 * prints it: `comment "managed by netctl"`). */
#define NC_NFT_TABLE_COMMENT "managed by netctl"

/* Makes the kernel hold exactly `rs`: for each family the ruleset uses, the
 * table rs->table is replaced (created if absent, its old chains and rules
 * gone) by the ruleset's chains and rules; for each family it does not use,
 * a table of that name is deleted if present. One batch. Re-applying the
 * same ruleset (after a daemon restart, or for a live update) is safe.
 * An empty ruleset (open mode) thus leaves no table behind. */
int nc_nft_apply(const NcFwRuleset *rs);
/* The same on the nfnetlink socket `kernel` keeps open (NULL: a socket for
 * this call alone). Closing a socket right after a batch waits an RCU grace
 * period in the kernel (~10 ms), so the daemon keeps one. */
int nc_nft_apply_with(NcKernel *kernel, const NcFwRuleset *rs);

/* Deletes `ip <table>` and `ip6 <table>`, whichever exist; absent tables
 * are not an error. One batch. */
int nc_nft_delete(const char *table);
int nc_nft_delete_with(NcKernel *kernel, const char *table);

/* 1 when the table exists in that family, 0 when not, -errno when we could
 * not tell. */
int nc_nft_table_exists(NcFwFamily family, const char *table);

/* -- coexistence (nft-blockers.c) ----------------------------------------- */

typedef enum {
  NC_NFT_BLOCKER_NFT = 0,         /* an nftables table of another program */
  NC_NFT_BLOCKER_IPTABLES_NFT,    /* iptables-nft's table (ip/ip6 filter ...) */
  NC_NFT_BLOCKER_IPTABLES_LEGACY, /* x_tables loaded: legacy iptables rules */
  _NC_NFT_BLOCKER_MAX,
} NcNftBlockerKind;

typedef struct {
  NcNftBlockerKind kind;
  char *family;      /* "ip", "ip6", "inet", "bridge" */
  char *table;       /* "filter", "firewalld"... */
  char *chain;       /* "FORWARD", "filter_FORWARD"; NULL for legacy tables */
  char *owner;       /* "docker", "ufw", "firewalld", or NULL when unknown */
  char *description; /* one line: "table ip filter, chain FORWARD (policy drop, Docker)" */
} NcNftBlocker;

void nc_nft_blocker_free(NcNftBlocker *blocker);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftBlocker, nc_nft_blocker_free)

/* Finds what will drop forwarded guest traffic whatever our own table
 * accepts (in nftables a packet must pass every base chain of its hook):
 *  - every other table's base chain on the forward hook (families ip, ip6,
 *    inet) whose policy is drop, or whose last rule drops or rejects
 *    unconditionally (firewalld's filter_FORWARD);
 *  - iptables-legacy tables, when <proc>/net/ip_tables_names or
 *    ip6_tables_names is not empty (their rules are out of nftables' sight).
 * Our own tables (netctl-*) are skipped. kernel gives the /proc root (NULL:
 * "/proc"). *ret_findings: a new array of NcNftBlocker (empty when nothing
 * was found), left untouched on failure. */
int nc_nft_find_forward_blockers(NcKernel *kernel, GPtrArray **ret_findings);

/* The warning to log at network start: which chains will drop traffic
 * through `bridge`, and the command that lets it pass for each, e.g.
 * "guest traffic through virbr0 will be dropped by table ip filter, chain
 * FORWARD (policy drop): add accept rules for virbr0 there, e.g. `iptables
 * -I FORWARD -i virbr0 -j ACCEPT; iptables -I FORWARD -o virbr0 -j ACCEPT`".
 * NULL when findings is NULL or empty. Caller frees. */
char *nc_nft_blocker_advice(const char *bridge, GPtrArray *findings);

G_END_DECLS
