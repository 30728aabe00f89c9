/* nftables through libnftnl + libmnl: netctl's own table, and a look at
 * everybody else's forward chains.
 *
 * All networks share `ip netctl` and `ip6 netctl` (see firewall-rules.h):
 * each network owns the chains named from its bridge and the map elements
 * that jump to them. Every change is one nfnetlink batch, which the kernel
 * applies atomically: either the network's new rules are all in place or
 * the old ones are untouched. Other programs' tables are read, never
 * written.
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

/* Makes table netctl hold exactly `rs` for its bridge: in each family the
 * ruleset uses, the table's skeleton (maps, base chains and their dispatch
 * rules) is created or repaired, the network's chains hold its rules (those
 * of roles it no longer uses go), its map elements are those of rs (stale
 * ones go); in each family it does not use, its chains and elements go, and
 * the table with them when no other network is left there. One batch.
 * Re-applying the same ruleset (after a daemon restart, or for a live
 * update) is safe. An empty ruleset (open mode) thus leaves nothing of the
 * network behind. A table `netctl-<bridge>` of older versions is deleted. */
int nc_nft_apply(const NcFwRuleset *rs);
/* The same on the nfnetlink socket `kernel` keeps open (NULL: a socket for
 * this call alone). Closing a socket right after a batch waits an RCU grace
 * period in the kernel (~10 ms), so the daemon keeps one. */
int nc_nft_apply_with(NcKernel *kernel, const NcFwRuleset *rs);
/* The same; on -EEXIST (a key of the network already jumps to another
 * network's chain: the same address, an overlapping NAT subnet),
 * *ret_detail says which (may be NULL). */
int nc_nft_apply_full(NcKernel *kernel, const NcFwRuleset *rs, char **ret_detail);

/* Removes the chains and map elements of the network on `bridge` from both
 * families (and the table where no other network is left); absent ones are
 * not an error. One batch. */
int nc_nft_delete(const char *bridge);
int nc_nft_delete_with(NcKernel *kernel, const char *bridge);

/* 1 when everything rs needs is in place (the table's base chains, the
 * network's chains and map elements), 0 when something is missing, -errno
 * when we could not tell. Rules are not compared. */
int nc_nft_network_present(NcKernel *kernel, const NcFwRuleset *rs);

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
 * Our own table (netctl, and netctl-* of older versions) is skipped. kernel gives the /proc root
 * (NULL:
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
