/* Shared by the nftables files of the kernel layer (nft.c, nft-expr.c,
 * nft-blockers.c): GLib cleanup for libnftnl/libmnl types, and the few
 * internal entry points between them. Not for drivers. */
#pragma once

#include <glib.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "firewall-rules.h"
#include "nc-kernel.h"

typedef struct nftnl_table NcNftnlTable;
typedef struct nftnl_chain NcNftnlChain;
typedef struct nftnl_rule NcNftnlRule;
typedef struct nftnl_expr NcNftnlExpr;
typedef struct mnl_socket NcMnlSocket;
typedef struct nftnl_gen NcNftnlGen;
typedef struct nftnl_set NcNftnlSet;
typedef struct nftnl_set_elem NcNftnlSetElem;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftnlTable, nftnl_table_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftnlChain, nftnl_chain_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftnlRule, nftnl_rule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftnlExpr, nftnl_expr_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcMnlSocket, mnl_socket_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftnlGen, nftnl_gen_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftnlSet, nftnl_set_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNftnlSetElem, nftnl_set_elem_free)

/* NFPROTO_IPV4 / NFPROTO_IPV6 for a family of the ruleset. */
int nc_nft_nfproto(NcFwFamily family);

/* nft-expr.c: appends the expressions of one rule, as `nft` itself would
 * compile its text (see nc_fw_rule_to_string). -EINVAL for a rule that has
 * no nftables form (a port without a protocol, an address of the wrong
 * family), -ENOMEM when libnftnl cannot allocate. */
int nc_nft_rule_add_exprs(struct nftnl_rule *r, const NcFwRule *rule, NcFwFamily family);

/* What a base chain's dispatch rule looks up in its verdict map. */
typedef enum {
  NC_NFT_KEY_IIFNAME = 0,
  NC_NFT_KEY_OIFNAME,
  NC_NFT_KEY_SADDR,
  NC_NFT_KEY_DADDR,
} NcNftKey;
/* nft-expr.c: appends `<key> vmap @map` (a load into r1, a lookup whose
 * result is the verdict). */
int nc_nft_rule_add_vmap(struct nftnl_rule *r, NcFwFamily family, NcNftKey key, const char *map);

/* nft.c: a socket bound to nfnetlink, with a receive timeout so that no call
 * waits forever. NULL with *ret_err = -errno. */
struct mnl_socket *nc_nft_socket_open(int *ret_err);

/* kernel.c: the nfnetlink socket the NcKernel keeps open for its whole life,
 * opened on first use, with nothing left to read (replies of an earlier
 * call that stopped early are drained). Closing an nfnetlink socket waits
 * for the kernel to free what the last batch replaced (an RCU grace period,
 * ~10 ms) so one socket per batch made every start and stop pay it. NULL
 * with *ret_err = -errno. Borrowed. */
struct mnl_socket *nc_kernel_nft_sock(NcKernel *kernel, int *ret_err);
/* After an error on it: closed, so the next call opens a fresh one. */
void nc_kernel_nft_sock_reset(NcKernel *kernel);

/* What nft-blockers.c found at its last scan of the other programs' tables,
 * kept by the NcKernel: rescanning every chain of every table on each
 * network start grew with the number of networks (4 chains of ours per
 * network, ~3 ms with 500). The findings stay valid while nftables'
 * generation (one step per committed batch) moves only by our own batches,
 * which nft.c checks around each of them. */
typedef struct {
  gboolean valid;
  guint32 gen;         /* the generation the findings describe */
  GPtrArray *findings; /* of NcNftBlocker*, nftables ones only; owned */
} NcNftScanCache;
/* kernel.c: the NcKernel's cache (starts invalid). Borrowed. */
NcNftScanCache *nc_kernel_nft_scan_cache(NcKernel *kernel);

/* What our shared table held after our last batch, per family, kept by the
 * NcKernel: reading it back (every chain and map element of every network)
 * before each change made netctld's work per start grow with the number of
 * networks. Valid while nftables' generation is the one it describes, i.e.
 * nobody else has changed any table since. Owned by nft.c (chains: names;
 * elems: nft.c's element type). */
typedef struct {
  gboolean valid;
  guint32 gen;
  gboolean table[2];
  GPtrArray *chains[2];
  GArray *elems[2];
} NcNftLookCache;
/* kernel.c: the NcKernel's cache (starts invalid). Borrowed. */
NcNftLookCache *nc_kernel_nft_look_cache(NcKernel *kernel);
/* nft.c: drops what the cache holds (valid becomes FALSE). */
void nc_nft_look_cache_clear(NcNftLookCache *cache);

/* nft.c: nftables' current generation (NFT_MSG_GETGEN). 0 or -errno. */
int nc_nft_get_gen(struct mnl_socket *nl, guint32 *ret_gen);

/* nft.c: sends a dump request (type NFT_MSG_GET*, NLM_F_DUMP) built by
 * `build` (which adds attributes after the header, may be NULL) and calls
 * `cb` on every reply message. -EINTR when a concurrent change interrupted
 * the dump: the caller starts over (its callback data holds a partial
 * result). */
int nc_nft_dump(struct mnl_socket *nl, guint16 type, guint16 family,
                void (*build)(struct nlmsghdr *nlh, gpointer data), gpointer build_data,
                mnl_cb_t cb, gpointer cb_data);
