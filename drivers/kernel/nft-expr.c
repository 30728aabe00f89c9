/* One NcFwRule -> libnftnl expressions, the bytecode `nft` itself emits for
 * the rule's text (checked with `nft --debug=netlink`), so that `nft list`
 * prints our rules back as nc_fw_rule_to_string() writes them:
 *
 *   iifname "br0"          meta load iifname; cmp eq <IFNAMSIZ, zero-padded>
 *   ip saddr 10.0.0.0/24   payload load 3b @ nh+12; cmp eq 10.0.0
 *   ip daddr != net/20     payload load 3b; bitwise & ff.ff.f0; cmp neq
 *   udp dport 53           meta load l4proto; cmp eq 17;
 *                          payload load 2b @ th+2; cmp eq 53 (big endian)
 *   meta l4proto tcp       meta load l4proto; cmp eq 6
 *   ct state est,related   ct load state; bitwise & 0x6; cmp neq 0
 *   counter / accept / return / reject (icmp port-unreachable)
 *   masquerade to :a-b     immediate r1 a; immediate r2 b; masq flags proto
 *   snat to x-y:a-b        immediate r1 x; r2 y; r3 a; r4 b; nat snat
 *
 * Only the prefix's bytes are loaded (nft does the same), and a mask is
 * applied only for a prefix that is not a multiple of 8. */
#include <errno.h>
/* glibc's before the kernel's (linux/netfilter.h pulls in linux/in.h). */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <string.h>

#include "nft-private.h"

/* ct state bits as the kernel defines them (NF_CT_STATE_BIT). */
#define CT_STATE_ESTABLISHED (1u << 1)
#define CT_STATE_RELATED (1u << 2)

/* Offsets of the addresses in the IPv4 and IPv6 headers. */
#define IP_SADDR_OFF 12
#define IP_DADDR_OFF 16
#define IP6_SADDR_OFF 8
#define IP6_DADDR_OFF 24

static struct nftnl_expr *
add(struct nftnl_rule *r, const char *name)
{
  struct nftnl_expr *e = nftnl_expr_alloc(name);
  if (e != NULL)
    nftnl_rule_add_expr(r, e); /* the rule owns it from now on */
  return e;
}

static int
add_cmp(struct nftnl_rule *r, guint32 op, const void *data, guint32 len)
{
  struct nftnl_expr *e = add(r, "cmp");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
  nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
  return 0;
}

static int
add_meta_load(struct nftnl_rule *r, guint32 key)
{
  struct nftnl_expr *e = add(r, "meta");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
  nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
  return 0;
}

static int
add_payload_load(struct nftnl_rule *r, guint32 base, guint32 offset, guint32 len)
{
  struct nftnl_expr *e = add(r, "payload");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
  nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
  return 0;
}

static int
add_bitwise(struct nftnl_rule *r, const void *mask, guint32 len)
{
  guint8 zero[16] = { 0 };
  struct nftnl_expr *e = add(r, "bitwise");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
  nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
  nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
  return 0;
}

static int
add_ifname(struct nftnl_rule *r, guint32 key, const char *name)
{
  char padded[IFNAMSIZ] = { 0 };
  if (strlen(name) >= IFNAMSIZ)
    return -EINVAL;
  strncpy(padded, name, sizeof(padded) - 1);
  int err = add_meta_load(r, key);
  return err < 0 ? err : add_cmp(r, NFT_CMP_EQ, padded, sizeof(padded));
}

static const guint8 *
addr_bytes(const NcSockAddr *addr, NcFwFamily family, guint *ret_len)
{
  if (family == NC_FW_FAMILY_IP && addr->family == AF_INET) {
    *ret_len = 4;
    return (const guint8 *)&addr->u.v4;
  }
  if (family == NC_FW_FAMILY_IP6 && addr->family == AF_INET6) {
    *ret_len = 16;
    return (const guint8 *)&addr->u.v6;
  }
  return NULL;
}

static int
add_addr_match(struct nftnl_rule *r, NcFwFamily family, gboolean dst, const NcSockAddr *addr,
               guint prefix, gboolean negate)
{
  guint alen = 0;
  const guint8 *bytes = addr_bytes(addr, family, &alen);
  if (bytes == NULL || prefix > alen * 8)
    return -EINVAL;
  if (prefix == 0)
    return negate ? -EINVAL : 0; /* matches everything: nothing to check */

  guint32 offset = family == NC_FW_FAMILY_IP ? (dst ? IP_DADDR_OFF : IP_SADDR_OFF)
                                             : (dst ? IP6_DADDR_OFF : IP6_SADDR_OFF);
  guint len = (prefix + 7) / 8;
  guint8 value[16] = { 0 };
  memcpy(value, bytes, len);
  int err = add_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, offset, len);
  if (err == 0 && prefix % 8 != 0) {
    guint8 mask[16];
    memset(mask, 0xff, len);
    mask[len - 1] = (guint8)(0xff << (8 - prefix % 8));
    value[len - 1] &= mask[len - 1];
    err = add_bitwise(r, mask, len);
  }
  return err < 0 ? err : add_cmp(r, negate ? NFT_CMP_NEQ : NFT_CMP_EQ, value, len);
}

static int
add_l4(struct nftnl_rule *r, guint8 proto, guint16 dport)
{
  int err = add_meta_load(r, NFT_META_L4PROTO);
  if (err == 0)
    err = add_cmp(r, NFT_CMP_EQ, &proto, sizeof(proto));
  if (err < 0 || dport == 0)
    return err;
  /* Both TCP and UDP keep the destination port at offset 2. */
  guint16 port = htons(dport);
  err = add_payload_load(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, sizeof(port));
  return err < 0 ? err : add_cmp(r, NFT_CMP_EQ, &port, sizeof(port));
}

static int
add_ct_established(struct nftnl_rule *r)
{
  guint32 mask = CT_STATE_ESTABLISHED | CT_STATE_RELATED, zero = 0;
  struct nftnl_expr *e = add(r, "ct");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
  nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
  int err = add_bitwise(r, &mask, sizeof(mask));
  return err < 0 ? err : add_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

static int
add_immediate_data(struct nftnl_rule *r, guint32 reg, const void *data, guint32 len)
{
  struct nftnl_expr *e = add(r, "immediate");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
  nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
  return 0;
}

static int
add_verdict(struct nftnl_rule *r, int verdict)
{
  struct nftnl_expr *e = add(r, "immediate");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
  nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (guint32)verdict);
  return 0;
}

/* `reject` as nft compiles it for ip and ip6 tables: ICMP port unreachable. */
static int
add_reject(struct nftnl_rule *r, NcFwFamily family)
{
  struct nftnl_expr *e = add(r, "reject");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
  /* ICMP_PORT_UNREACH (3), ICMP6_DST_UNREACH_NOPORT (4) */
  nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, family == NC_FW_FAMILY_IP ? 3 : 4);
  return 0;
}

/* Loads the port range into registers first and second (network order, as
 * the kernel's nat expressions read them). */
static int
add_port_range(struct nftnl_rule *r, const NcFwRule *rule, guint32 first, guint32 second)
{
  guint16 min = htons(rule->nat_port_min), max = htons(rule->nat_port_max);
  int err = add_immediate_data(r, first, &min, sizeof(min));
  return err < 0 ? err : add_immediate_data(r, second, &max, sizeof(max));
}

static int
add_masquerade(struct nftnl_rule *r, const NcFwRule *rule)
{
  gboolean ports = rule->nat_port_min != 0;
  if (ports) {
    int err = add_port_range(r, rule, NFT_REG_1, NFT_REG_2);
    if (err < 0)
      return err;
  }
  struct nftnl_expr *e = add(r, "masq");
  if (e == NULL)
    return -ENOMEM;
  if (ports) {
    nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFT_REG_1);
    nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_REG_PROTO_MAX, NFT_REG_2);
    nftnl_expr_set_u32(e, NFTNL_EXPR_MASQ_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
  }
  return 0;
}

static int
add_snat(struct nftnl_rule *r, const NcFwRule *rule, NcFwFamily family)
{
  guint len_min = 0, len_max = 0;
  const guint8 *min = addr_bytes(&rule->nat_addr_min, family, &len_min);
  const guint8 *max = addr_bytes(&rule->nat_addr_max, family, &len_max);
  gboolean ports = rule->nat_port_min != 0;
  guint32 flags = NF_NAT_RANGE_MAP_IPS;

  if (min == NULL || max == NULL)
    return -EINVAL;
  int err = add_immediate_data(r, NFT_REG_1, min, len_min);
  if (err == 0)
    err = add_immediate_data(r, NFT_REG_2, max, len_max);
  if (err == 0 && ports) {
    err = add_port_range(r, rule, NFT_REG_3, NFT_REG_4);
    flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
  }
  if (err < 0)
    return err;

  struct nftnl_expr *e = add(r, "nat");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_SNAT);
  nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, (guint32)nc_nft_nfproto(family));
  nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_2);
  if (ports) {
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_3);
    nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG_4);
  }
  nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
  return 0;
}

static int
add_verdict_exprs(struct nftnl_rule *r, const NcFwRule *rule, NcFwFamily family)
{
  switch (nc_fw_rule_installed_verdict(rule)) {
  case NC_FW_VERDICT_ACCEPT:
    return add_verdict(r, NF_ACCEPT);
  case NC_FW_VERDICT_REJECT:
    return add_reject(r, family);
  case NC_FW_VERDICT_DROP:
    return add_verdict(r, NF_DROP);
  case NC_FW_VERDICT_RETURN:
    return add_verdict(r, NFT_RETURN);
  case NC_FW_VERDICT_MASQUERADE:
    return add_masquerade(r, rule);
  case NC_FW_VERDICT_SNAT:
    return add_snat(r, rule, family);
  case _NC_FW_VERDICT_MAX:
    break;
  }
  return -EINVAL;
}

int
nc_nft_rule_add_exprs(struct nftnl_rule *r, const NcFwRule *rule, NcFwFamily family)
{
  int err = 0;

  if ((guint)family >= _NC_FW_FAMILY_MAX || (rule->dport != 0 && rule->l4proto == 0))
    return -EINVAL;
  /* Same order as the rule's text: nft lists the matches as it finds them. */
  if (err == 0 && rule->iifname != NULL)
    err = add_ifname(r, NFT_META_IIFNAME, rule->iifname);
  if (err == 0 && rule->oifname != NULL)
    err = add_ifname(r, NFT_META_OIFNAME, rule->oifname);
  if (err == 0 && nc_sockaddr_is_set(&rule->saddr))
    err = add_addr_match(r, family, FALSE, &rule->saddr, rule->saddr_prefix, FALSE);
  if (err == 0 && nc_sockaddr_is_set(&rule->daddr))
    err = add_addr_match(r, family, TRUE, &rule->daddr, rule->daddr_prefix, rule->daddr_negate);
  if (err == 0 && rule->l4proto != 0)
    err = add_l4(r, rule->l4proto, rule->dport);
  if (err == 0 && rule->ct_established)
    err = add_ct_established(r);
  if (err == 0 && add(r, "counter") == NULL)
    err = -ENOMEM;
  return err < 0 ? err : add_verdict_exprs(r, rule, family);
}

int
nc_nft_rule_add_vmap(struct nftnl_rule *r, NcFwFamily family, NcNftKey key, const char *map)
{
  gboolean v4 = family == NC_FW_FAMILY_IP;
  int err = 0;

  switch (key) {
  case NC_NFT_KEY_IIFNAME:
    err = add_meta_load(r, NFT_META_IIFNAME);
    break;
  case NC_NFT_KEY_OIFNAME:
    err = add_meta_load(r, NFT_META_OIFNAME);
    break;
  case NC_NFT_KEY_SADDR:
    err = add_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, v4 ? IP_SADDR_OFF : IP6_SADDR_OFF,
                           v4 ? 4 : 16);
    break;
  case NC_NFT_KEY_DADDR:
    err = add_payload_load(r, NFT_PAYLOAD_NETWORK_HEADER, v4 ? IP_DADDR_OFF : IP6_DADDR_OFF,
                           v4 ? 4 : 16);
    break;
  }
  if (err < 0)
    return err;
  struct nftnl_expr *e = add(r, "lookup");
  if (e == NULL)
    return -ENOMEM;
  nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
  nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
  nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, map);
  return 0;
}
