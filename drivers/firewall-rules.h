/* network definition -> firewall rules: a pure function.
 *
 * All managed networks share one nftables table per family, `ip netctl` and
 * (when a network carries IPv6) `ip6 netctl`. Each network owns regular
 * chains named from its bridge (`<bridge>-fwd`, `-in`, `-out`, `-nat`); the
 * table's four base chains dispatch to them through verdict maps keyed by
 * interface name, host address or guest subnet, so a packet costs the same
 * whatever the number of networks (one table per network put every
 * network's base chains on every packet's path: 300 NAT networks cut
 * loopback UDP round trips from ~70,000/s to 3,700/s). Stopping a network
 * removes its chains and map elements, and the table with the last one;
 * nothing else's rules are ever touched.
 *
 * In the installed filter chains `accept` is written `return`: the base
 * chain goes on to the other networks' chains (a packet between two
 * networks is judged by both, as with one table each), and its policy
 * accepts what none of them refused.
 *
 * The rules have the effect of libvirt's nftables backend (libvirt >= 10.4)
 * for each forward mode; tests/firewall compares them rule for rule with
 * libvirt's networkxml2firewalldata. Differences, all deliberate:
 *  - one forward chain per network instead of libvirt's shared guest_output /
 *    guest_input / guest_cross chains: a packet between two networks must be
 *    allowed by both (libvirt lets the first matching network decide);
 *  - interfaces are matched by name (iifname/oifname), so rules survive a
 *    bridge being re-created with a new ifindex during adoption;
 *  - explicit accepts for DHCP, DNS and TFTP from guests on the host's input
 *    and output hooks (libvirt's nftables backend relies on policy accept);
 *  - a guard: DNS and TFTP sent to the network's own addresses are dropped
 *    unless they arrive on the bridge or from the host itself (lo). It lets
 *    dnsmasq run with bind-interfaces instead of libvirt's bind-dynamic
 *    (see nc_fw_ruleset_guards_services()).
 *
 * The rules are data (NcFwRule), consumed by the libnftnl batch builder
 * (kernel/nft.c) and by nc_fw_ruleset_dump(), which prints the table as the
 * kernel holds it with this one network, in `nft -f` syntax, for golden
 * tests and for `nft -f` itself. */
#pragma once

#include <glib.h>

#include "network-def.h"

G_BEGIN_DECLS

typedef enum {
  NC_FW_FAMILY_IP = 0,
  NC_FW_FAMILY_IP6,
  _NC_FW_FAMILY_MAX,
} NcFwFamily;

typedef enum {
  NC_FW_CHAIN_FORWARD = 0, /* filter, hook forward, priority 0 */
  NC_FW_CHAIN_INPUT,       /* filter, hook input, priority 0 */
  NC_FW_CHAIN_OUTPUT,      /* filter, hook output, priority 0 */
  NC_FW_CHAIN_POSTROUTING, /* nat, hook postrouting, priority 100 (srcnat) */
  _NC_FW_CHAIN_MAX,
} NcFwChain;

typedef enum {
  NC_FW_VERDICT_ACCEPT = 0,
  NC_FW_VERDICT_REJECT,
  NC_FW_VERDICT_DROP,
  NC_FW_VERDICT_RETURN,
  NC_FW_VERDICT_MASQUERADE, /* to :ports when port_min is set */
  NC_FW_VERDICT_SNAT,       /* to addr_min-addr_max[:ports] */
  _NC_FW_VERDICT_MAX,
} NcFwVerdict;

typedef struct {
  NcFwChain chain;
  char *iifname; /* NULL: any */
  char *oifname;
  NcSockAddr saddr; /* AF_UNSPEC: any */
  guint saddr_prefix;
  NcSockAddr daddr;
  guint daddr_prefix;
  gboolean daddr_negate;   /* daddr != net */
  guint8 l4proto;          /* 0 = any, IPPROTO_TCP, IPPROTO_UDP */
  guint16 dport;           /* 0 = any; needs l4proto */
  gboolean ct_established; /* ct state related,established */
  NcFwVerdict verdict;
  NcSockAddr nat_addr_min, nat_addr_max; /* SNAT range */
  guint16 nat_port_min, nat_port_max;    /* 0 = not given */
} NcFwRule;

/* The shared table's name in both families. */
#define NC_FW_TABLE "netctl"

/* The verdict maps of the shared table, read by its base chains:
 *   forward      iifname vmap @fwd_if; oifname vmap @fwd_if
 *   input        iifname vmap @in_if; ip daddr vmap @in_addr
 *   output       oifname vmap @out_if
 *   postrouting  ip saddr vmap @nat_src (flags interval)
 * (`fwd`, `in` and `nat` are nft keywords: not usable as map names.) */
typedef enum {
  NC_FW_MAP_FWD_IF = 0, /* bridge -> jump <bridge>-fwd */
  NC_FW_MAP_IN_IF,      /* bridge -> jump <bridge>-in */
  NC_FW_MAP_IN_ADDR,    /* each host address of the network -> jump <bridge>-in */
  NC_FW_MAP_OUT_IF,     /* bridge -> jump <bridge>-out */
  NC_FW_MAP_NAT_SRC,    /* each NATed guest subnet -> jump <bridge>-nat */
  _NC_FW_MAP_MAX,
} NcFwMap;

/* One element a network puts in a map: the bridge's name for the *_IF
 * maps, an address (with its prefix, for NAT_SRC) for the others. */
typedef struct {
  NcFwMap map;
  NcSockAddr addr;
  guint prefix;
} NcFwElement;

typedef struct {
  char *table;  /* NC_FW_TABLE */
  char *bridge; /* "virbr0": names its chains */
  gboolean family_used[_NC_FW_FAMILY_MAX];
  GPtrArray *rules[_NC_FW_FAMILY_MAX]; /* of NcFwRule, in evaluation order */
  gboolean chain_used[_NC_FW_FAMILY_MAX][_NC_FW_CHAIN_MAX];
  GArray *elements[_NC_FW_FAMILY_MAX]; /* of NcFwElement, no duplicates */
} NcFwRuleset;

/* The rules for a network, or a ruleset with no family used (open mode, or
 * modes without a managed bridge). def->bridge.name must be set. */
NcFwRuleset *nc_fw_ruleset_build(const NcNetworkDef *def);
void nc_fw_ruleset_free(NcFwRuleset *rs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcFwRuleset, nc_fw_ruleset_free)

gboolean nc_fw_ruleset_is_empty(const NcFwRuleset *rs);

/* TRUE when the network's rules include the guard above (every mode with
 * rules: nat, route, isolated). dnsmasq then runs with bind-interfaces: its
 * sockets bound to the bridge's addresses do not check the interface an IPv4
 * query arrived on (CVE-2012-3411, why libvirt uses bind-dynamic), and the
 * guard makes that check in the kernel instead. bind-dynamic costs every
 * running dnsmasq an interface scan on each address change in the host, so
 * the Nth network's start grew with N (bench/RESULTS.md). Open networks have
 * no rules at all and keep bind-dynamic. */
gboolean nc_fw_ruleset_guards_services(const NcNetworkDef *def);

/* The network's chain for a role: "<bridge>-fwd", "-in", "-out", "-nat". */
char *nc_fw_chain_name(const char *bridge, NcFwChain chain);
/* The role part of those names: "fwd", "in", "out", "nat". */
const char *nc_fw_chain_suffix(NcFwChain chain);
/* The chain a map's elements jump to. */
NcFwChain nc_fw_map_chain(NcFwMap map);
const char *nc_fw_map_to_string(NcFwMap map); /* "fwd_if", ... */

/* The verdict as installed: ACCEPT becomes RETURN in the filter chains (see
 * the top of this file); everything else as it is. */
NcFwVerdict nc_fw_rule_installed_verdict(const NcFwRule *rule);

/* `nft -f` text of the shared table holding this network alone, as `nft
 * list table` prints it: "table ip netctl {\n\tmap fwd_if {\n...", maps,
 * base chains, then the network's chains. Deterministic. */
char *nc_fw_ruleset_dump(const NcFwRuleset *rs);
/* One rule's statement text as installed, e.g.
 * "iifname \"virbr0\" ip saddr 10.0.0.0/24 counter return". */
char *nc_fw_rule_to_string(const NcFwRule *rule, NcFwFamily family);

const char *nc_fw_family_to_string(NcFwFamily f); /* "ip", "ip6" */
const char *nc_fw_chain_to_string(NcFwChain c);   /* "forward", ... */

G_END_DECLS
