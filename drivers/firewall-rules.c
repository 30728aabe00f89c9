#include "firewall-rules.h"

#include <netinet/in.h>
#include <string.h>

static const char *const family_names[_NC_FW_FAMILY_MAX] = { "ip", "ip6" };
static const char *const chain_names[_NC_FW_CHAIN_MAX] = {
  "forward",
  "input",
  "output",
  "postrouting",
};

static const char *const chain_suffixes[_NC_FW_CHAIN_MAX] = { "fwd", "in", "out", "nat" };
static const char *const map_names[_NC_FW_MAP_MAX] = {
  "fwd_if", "in_if", "in_addr", "out_if", "nat_src",
};
static const NcFwChain map_chains[_NC_FW_MAP_MAX] = {
  NC_FW_CHAIN_FORWARD, NC_FW_CHAIN_INPUT,       NC_FW_CHAIN_INPUT,
  NC_FW_CHAIN_OUTPUT,  NC_FW_CHAIN_POSTROUTING,
};

const char *
nc_fw_family_to_string(NcFwFamily f)
{
  return (guint)f < _NC_FW_FAMILY_MAX ? family_names[f] : NULL;
}

const char *
nc_fw_chain_to_string(NcFwChain c)
{
  return (guint)c < _NC_FW_CHAIN_MAX ? chain_names[c] : NULL;
}

char *
nc_fw_chain_name(const char *bridge, NcFwChain chain)
{
  g_return_val_if_fail((guint)chain < _NC_FW_CHAIN_MAX, NULL);
  return g_strdup_printf("%s-%s", bridge, chain_suffixes[chain]);
}

const char *
nc_fw_chain_suffix(NcFwChain chain)
{
  g_return_val_if_fail((guint)chain < _NC_FW_CHAIN_MAX, NULL);
  return chain_suffixes[chain];
}

NcFwChain
nc_fw_map_chain(NcFwMap map)
{
  return (guint)map < _NC_FW_MAP_MAX ? map_chains[map] : _NC_FW_CHAIN_MAX;
}

const char *
nc_fw_map_to_string(NcFwMap map)
{
  return (guint)map < _NC_FW_MAP_MAX ? map_names[map] : NULL;
}

NcFwVerdict
nc_fw_rule_installed_verdict(const NcFwRule *rule)
{
  if (rule->verdict == NC_FW_VERDICT_ACCEPT && rule->chain != NC_FW_CHAIN_POSTROUTING)
    return NC_FW_VERDICT_RETURN;
  return rule->verdict;
}

static void
rule_free(gpointer p)
{
  NcFwRule *rule = p;
  g_free(rule->iifname);
  g_free(rule->oifname);
  g_free(rule);
}

void
nc_fw_ruleset_free(NcFwRuleset *rs)
{
  if (rs == NULL)
    return;
  g_free(rs->table);
  g_free(rs->bridge);
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    g_clear_pointer(&rs->rules[f], g_ptr_array_unref);
    g_clear_pointer(&rs->elements[f], g_array_unref);
  }
  g_free(rs);
}

gboolean
nc_fw_ruleset_is_empty(const NcFwRuleset *rs)
{
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++)
    if (rs->family_used[f])
      return FALSE;
  return TRUE;
}

/* -- building -------------------------------------------------------------- */

typedef struct {
  NcFwRuleset *rs;
  NcFwFamily family;
  const char *bridge;
  const char *dev; /* <forward dev>, or NULL */
} Builder;

static NcFwRule *
add_rule(Builder *b, NcFwChain chain, NcFwVerdict verdict)
{
  NcFwRule *rule = g_new0(NcFwRule, 1);
  rule->chain = chain;
  rule->verdict = verdict;
  g_ptr_array_add(b->rs->rules[b->family], rule);
  b->rs->chain_used[b->family][chain] = TRUE;
  return rule;
}

static void
add_element(Builder *b, NcFwMap map, const NcSockAddr *addr, guint prefix)
{
  GArray *elements = b->rs->elements[b->family];
  NcFwElement e = { .map = map, .prefix = prefix };
  if (addr != NULL)
    e.addr = *addr;
  for (guint i = 0; i < elements->len; i++) {
    const NcFwElement *o = &g_array_index(elements, NcFwElement, i);
    if (o->map == map && o->prefix == prefix && (addr == NULL || nc_sockaddr_equal(&o->addr, addr)))
      return;
  }
  g_array_append_val(elements, e);
}

static void
set_subnet(NcSockAddr *ret_net, guint *ret_prefix, const NcIpDef *ip)
{
  int prefix = nc_ip_def_prefix(ip);
  *ret_prefix = prefix < 0 ? 0 : prefix;
  nc_sockaddr_network(&ip->address, *ret_prefix, ret_net);
}

static void
set_addr(NcSockAddr *ret_addr, guint *ret_prefix, int family, const char *str, guint prefix)
{
  nc_sockaddr_parse(str, family, ret_addr);
  *ret_prefix = prefix;
}

/* Guests may leave through the uplink from their own subnet, and come back in:
 * with conntrack (nat) only as replies, without it (route) freely. */
static void
add_forward_accepts(Builder *b, const NcIpDef *ip, gboolean conntrack)
{
  NcFwRule *in = add_rule(b, NC_FW_CHAIN_FORWARD, NC_FW_VERDICT_ACCEPT);
  in->iifname = g_strdup(b->dev);
  in->oifname = g_strdup(b->bridge);
  set_subnet(&in->daddr, &in->daddr_prefix, ip);
  in->ct_established = conntrack;

  NcFwRule *out = add_rule(b, NC_FW_CHAIN_FORWARD, NC_FW_VERDICT_ACCEPT);
  out->iifname = g_strdup(b->bridge);
  out->oifname = g_strdup(b->dev);
  set_subnet(&out->saddr, &out->saddr_prefix, ip);
}

/* libvirt's masquerade set: leave multicast and broadcast alone, then
 * masquerade TCP and UDP onto the port range and everything else as is. */
static void
add_nat_rules(Builder *b, const NcNetworkDef *def, const NcIpDef *ip)
{
  const NcForward *fwd = &def->forward;
  gboolean snat = b->family == NC_FW_FAMILY_IP && nc_sockaddr_is_set(&fwd->nat_addr_start);
  guint16 port_min = fwd->nat_port_start ? fwd->nat_port_start : 1024;
  guint16 port_max = fwd->nat_port_end ? fwd->nat_port_end : 65535;
  NcSockAddr subnet;
  guint subnet_prefix = 0;

  set_subnet(&subnet, &subnet_prefix, ip);
  add_element(b, NC_FW_MAP_NAT_SRC, &subnet, subnet_prefix);

  if (b->family == NC_FW_FAMILY_IP) {
    NcFwRule *mcast = add_rule(b, NC_FW_CHAIN_POSTROUTING, NC_FW_VERDICT_RETURN);
    mcast->oifname = g_strdup(b->dev);
    set_subnet(&mcast->saddr, &mcast->saddr_prefix, ip);
    set_addr(&mcast->daddr, &mcast->daddr_prefix, AF_INET, "224.0.0.0", 24);

    NcFwRule *bcast = add_rule(b, NC_FW_CHAIN_POSTROUTING, NC_FW_VERDICT_RETURN);
    bcast->oifname = g_strdup(b->dev);
    set_subnet(&bcast->saddr, &bcast->saddr_prefix, ip);
    set_addr(&bcast->daddr, &bcast->daddr_prefix, AF_INET, "255.255.255.255", 32);
  } else {
    NcFwRule *mcast = add_rule(b, NC_FW_CHAIN_POSTROUTING, NC_FW_VERDICT_RETURN);
    mcast->oifname = g_strdup(b->dev);
    set_subnet(&mcast->saddr, &mcast->saddr_prefix, ip);
    set_addr(&mcast->daddr, &mcast->daddr_prefix, AF_INET6, "ff02::", 16);
  }

  const guint8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, 0 };
  for (gsize i = 0; i < G_N_ELEMENTS(protos); i++) {
    NcFwRule *r = add_rule(b, NC_FW_CHAIN_POSTROUTING,
                           snat ? NC_FW_VERDICT_SNAT : NC_FW_VERDICT_MASQUERADE);
    r->oifname = g_strdup(b->dev);
    r->l4proto = protos[i];
    set_subnet(&r->saddr, &r->saddr_prefix, ip);
    set_subnet(&r->daddr, &r->daddr_prefix, ip);
    r->daddr_negate = TRUE;
    if (snat) {
      r->nat_addr_min = fwd->nat_addr_start;
      r->nat_addr_max
          = nc_sockaddr_is_set(&fwd->nat_addr_end) ? fwd->nat_addr_end : fwd->nat_addr_start;
    }
    /* Only TCP and UDP have ports to remap. */
    if (protos[i] != 0) {
      r->nat_port_min = port_min;
      r->nat_port_max = port_max;
    }
  }
}

/* dnsmasq runs with bind-interfaces (see nc_fw_ruleset_guards_services()):
 * DNS and TFTP to the bridge's addresses are answered only for guests on the
 * bridge (accepted above) and the host itself; from anywhere else, dropped. */
static void
add_service_guard(Builder *b, const NcNetworkDef *def, gboolean tftp)
{
  int af = b->family == NC_FW_FAMILY_IP ? AF_INET : AF_INET6;
  const struct {
    guint8 proto;
    guint16 port;
  } services[] = { { IPPROTO_UDP, 53 }, { IPPROTO_TCP, 53 }, { IPPROTO_UDP, 69 } };
  gsize n = tftp ? G_N_ELEMENTS(services) : 2;

  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip->family != af)
      continue;
    add_element(b, NC_FW_MAP_IN_ADDR, &ip->address, af == AF_INET ? 32 : 128);
    for (int verdict = 0; verdict < 2; verdict++) {
      for (gsize k = 0; k < n; k++) {
        NcFwRule *r = add_rule(b, NC_FW_CHAIN_INPUT,
                               verdict == 0 ? NC_FW_VERDICT_ACCEPT : NC_FW_VERDICT_DROP);
        if (verdict == 0)
          r->iifname = g_strdup("lo");
        r->daddr = ip->address;
        r->daddr_prefix = af == AF_INET ? 32 : 128;
        r->l4proto = services[k].proto;
        r->dport = services[k].port;
      }
    }
  }
}

/* DHCP, DNS and TFTP between guests and the host's dnsmasq. */
static void
add_host_service_rules(Builder *b, const NcNetworkDef *def)
{
  gboolean v4 = b->family == NC_FW_FAMILY_IP;
  gboolean tftp = FALSE;
  struct {
    NcFwChain chain;
    guint8 proto;
    guint16 port;
  } services[] = {
    { NC_FW_CHAIN_INPUT, IPPROTO_UDP, v4 ? 67 : 547 },
    { NC_FW_CHAIN_INPUT, IPPROTO_UDP, 53 },
    { NC_FW_CHAIN_INPUT, IPPROTO_TCP, 53 },
    { NC_FW_CHAIN_OUTPUT, IPPROTO_UDP, v4 ? 68 : 546 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(services); i++) {
    NcFwRule *r = add_rule(b, services[i].chain, NC_FW_VERDICT_ACCEPT);
    if (services[i].chain == NC_FW_CHAIN_INPUT)
      r->iifname = g_strdup(b->bridge);
    else
      r->oifname = g_strdup(b->bridge);
    r->l4proto = services[i].proto;
    r->dport = services[i].port;
  }
  for (guint i = 0; v4 && i < def->ips->len; i++)
    tftp |= ((const NcIpDef *)def->ips->pdata[i])->tftp_root != NULL;
  if (tftp) {
    NcFwRule *r = add_rule(b, NC_FW_CHAIN_INPUT, NC_FW_VERDICT_ACCEPT);
    r->iifname = g_strdup(b->bridge);
    r->l4proto = IPPROTO_UDP;
    r->dport = 69;
  }
  add_service_guard(b, def, tftp);
}

static void
build_family(Builder *b, const NcNetworkDef *def)
{
  int af = b->family == NC_FW_FAMILY_IP ? AF_INET : AF_INET6;
  NcForwardMode mode = def->forward.mode;
  gboolean nat_here
      = mode == NC_FORWARD_NAT && (af == AF_INET || def->forward.nat_ipv6 == NC_TRISTATE_YES);

  add_host_service_rules(b, def);

  /* Guest to guest on the same bridge: always allowed. */
  NcFwRule *cross = add_rule(b, NC_FW_CHAIN_FORWARD, NC_FW_VERDICT_ACCEPT);
  cross->iifname = g_strdup(b->bridge);
  cross->oifname = g_strdup(b->bridge);

  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip->family != af)
      continue;
    if (nat_here)
      add_forward_accepts(b, ip, TRUE);
    else if (mode == NC_FORWARD_NAT || mode == NC_FORWARD_ROUTE)
      add_forward_accepts(b, ip, FALSE); /* nat without <nat ipv6='yes'> routes IPv6 */
  }

  /* Everything else in or out of the bridge is refused. */
  NcFwRule *in = add_rule(b, NC_FW_CHAIN_FORWARD, NC_FW_VERDICT_REJECT);
  in->oifname = g_strdup(b->bridge);
  NcFwRule *out = add_rule(b, NC_FW_CHAIN_FORWARD, NC_FW_VERDICT_REJECT);
  out->iifname = g_strdup(b->bridge);

  if (nat_here) {
    for (guint i = 0; i < def->ips->len; i++) {
      const NcIpDef *ip = def->ips->pdata[i];
      if (ip->family == af)
        add_nat_rules(b, def, ip);
    }
  }

  /* Every rule of the forward, input and output chains names the bridge
   * (the guard, its addresses), so these keys reach all of them. */
  const NcFwMap if_maps[] = { NC_FW_MAP_FWD_IF, NC_FW_MAP_IN_IF, NC_FW_MAP_OUT_IF };
  for (gsize i = 0; i < G_N_ELEMENTS(if_maps); i++)
    if (b->rs->chain_used[b->family][nc_fw_map_chain(if_maps[i])])
      add_element(b, if_maps[i], NULL, 0);
}

gboolean
nc_fw_ruleset_guards_services(const NcNetworkDef *def)
{
  NcForwardMode mode = def->forward.mode;
  return mode == NC_FORWARD_NONE || mode == NC_FORWARD_NAT || mode == NC_FORWARD_ROUTE;
}

NcFwRuleset *
nc_fw_ruleset_build(const NcNetworkDef *def)
{
  NcFwRuleset *rs = g_new0(NcFwRuleset, 1);
  gboolean has[_NC_FW_FAMILY_MAX] = { FALSE, FALSE };

  rs->table = g_strdup(NC_FW_TABLE);
  rs->bridge = g_strdup(def->bridge.name ? def->bridge.name : "");
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    rs->rules[f] = g_ptr_array_new_with_free_func(rule_free);
    rs->elements[f] = g_array_new(FALSE, TRUE, sizeof(NcFwElement));
  }

  /* open: the user's own firewall decides everything. */
  if (!nc_fw_ruleset_guards_services(def))
    return rs;

  /* IPv4 rules always (libvirt does too: an isolated bridge without an IPv4
   * address still must not forward); IPv6 when the network carries it. */
  has[NC_FW_FAMILY_IP] = TRUE;
  has[NC_FW_FAMILY_IP6] = def->ipv6 == NC_TRISTATE_YES;
  for (guint i = 0; i < def->ips->len; i++)
    if (((const NcIpDef *)def->ips->pdata[i])->family == AF_INET6)
      has[NC_FW_FAMILY_IP6] = TRUE;

  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    if (!has[f])
      continue;
    Builder b = {
      .rs = rs,
      .family = f,
      .bridge = def->bridge.name,
      .dev = def->forward.dev,
    };
    rs->family_used[f] = TRUE;
    build_family(&b, def);
  }
  return rs;
}

/* -- text ------------------------------------------------------------------ */

static void
append_addr(GString *s, const char *dir, NcFwFamily family, const NcSockAddr *addr, guint prefix,
            gboolean negate)
{
  g_autofree char *str = nc_sockaddr_format(addr);
  g_string_append_printf(s, "%s %s %s%s/%u ", nc_fw_family_to_string(family), dir,
                         negate ? "!= " : "", str, prefix);
}

static const char *
proto_name(guint8 proto)
{
  return proto == IPPROTO_TCP ? "tcp" : "udp";
}

static void
append_ports(GString *s, const NcFwRule *rule)
{
  if (rule->nat_port_min == 0)
    return;
  g_string_append_printf(s, ":%u-%u", rule->nat_port_min, rule->nat_port_max);
}

char *
nc_fw_rule_to_string(const NcFwRule *rule, NcFwFamily family)
{
  GString *s = g_string_new(NULL);

  if (rule->iifname != NULL)
    g_string_append_printf(s, "iifname \"%s\" ", rule->iifname);
  if (rule->oifname != NULL)
    g_string_append_printf(s, "oifname \"%s\" ", rule->oifname);
  if (nc_sockaddr_is_set(&rule->saddr))
    append_addr(s, "saddr", family, &rule->saddr, rule->saddr_prefix, FALSE);
  if (nc_sockaddr_is_set(&rule->daddr))
    append_addr(s, "daddr", family, &rule->daddr, rule->daddr_prefix, rule->daddr_negate);
  if (rule->l4proto != 0 && rule->dport != 0)
    g_string_append_printf(s, "%s dport %u ", proto_name(rule->l4proto), rule->dport);
  else if (rule->l4proto != 0)
    g_string_append_printf(s, "meta l4proto %s ", proto_name(rule->l4proto));
  if (rule->ct_established)
    g_string_append(s, "ct state established,related ");
  g_string_append(s, "counter ");

  switch (nc_fw_rule_installed_verdict(rule)) {
  case NC_FW_VERDICT_ACCEPT:
    g_string_append(s, "accept");
    break;
  case NC_FW_VERDICT_REJECT:
    g_string_append(s, "reject");
    break;
  case NC_FW_VERDICT_DROP:
    g_string_append(s, "drop");
    break;
  case NC_FW_VERDICT_RETURN:
    g_string_append(s, "return");
    break;
  case NC_FW_VERDICT_MASQUERADE:
    g_string_append(s, "masquerade");
    if (rule->nat_port_min != 0) {
      g_string_append(s, " to ");
      append_ports(s, rule);
    }
    break;
  case NC_FW_VERDICT_SNAT: {
    g_autofree char *min = nc_sockaddr_format(&rule->nat_addr_min);
    g_autofree char *max = nc_sockaddr_format(&rule->nat_addr_max);
    g_string_append_printf(s, "snat to %s-%s", min, max);
    append_ports(s, rule);
    break;
  }
  case _NC_FW_VERDICT_MAX:
    break;
  }
  return g_string_free(s, FALSE);
}

static const char *
chain_header(NcFwChain chain)
{
  switch (chain) {
  case NC_FW_CHAIN_FORWARD:
    return "type filter hook forward priority filter; policy accept;";
  case NC_FW_CHAIN_INPUT:
    return "type filter hook input priority filter; policy accept;";
  case NC_FW_CHAIN_OUTPUT:
    return "type filter hook output priority filter; policy accept;";
  case NC_FW_CHAIN_POSTROUTING:
    return "type nat hook postrouting priority srcnat; policy accept;";
  case _NC_FW_CHAIN_MAX:
    break;
  }
  return "";
}

/* The dispatch rules of a base chain, as nft prints them. */
static const char *
dispatch_rules(NcFwFamily f, NcFwChain chain)
{
  gboolean v4 = f == NC_FW_FAMILY_IP;
  switch (chain) {
  case NC_FW_CHAIN_FORWARD:
    return "\t\tiifname vmap @fwd_if\n\t\toifname vmap @fwd_if\n";
  case NC_FW_CHAIN_INPUT:
    return v4 ? "\t\tiifname vmap @in_if\n\t\tip daddr vmap @in_addr\n"
              : "\t\tiifname vmap @in_if\n\t\tip6 daddr vmap @in_addr\n";
  case NC_FW_CHAIN_OUTPUT:
    return "\t\toifname vmap @out_if\n";
  case NC_FW_CHAIN_POSTROUTING:
    return v4 ? "\t\tip saddr vmap @nat_src\n" : "\t\tip6 saddr vmap @nat_src\n";
  case _NC_FW_CHAIN_MAX:
    break;
  }
  return "";
}

static int
element_cmp(gconstpointer a, gconstpointer b)
{
  const NcFwElement *x = a, *y = b;
  int fam = x->addr.family == AF_INET6 ? 16 : 4;
  const void *px = fam == 4 ? (const void *)&x->addr.u.v4 : (const void *)&x->addr.u.v6;
  const void *py = fam == 4 ? (const void *)&y->addr.u.v4 : (const void *)&y->addr.u.v6;
  return memcmp(px, py, fam);
}

static void
append_map(GString *s, const NcFwRuleset *rs, NcFwFamily f, NcFwMap map)
{
  gboolean by_name = map == NC_FW_MAP_FWD_IF || map == NC_FW_MAP_IN_IF || map == NC_FW_MAP_OUT_IF;
  g_string_append_printf(s, "\tmap %s {\n\t\ttype %s : verdict\n", nc_fw_map_to_string(map),
                         by_name                ? "ifname"
                         : f == NC_FW_FAMILY_IP ? "ipv4_addr"
                                                : "ipv6_addr");
  if (map == NC_FW_MAP_NAT_SRC)
    g_string_append(s, "\t\tflags interval\n");

  g_autoptr(GArray) mine = g_array_new(FALSE, TRUE, sizeof(NcFwElement));
  for (guint i = 0; i < rs->elements[f]->len; i++) {
    const NcFwElement *e = &g_array_index(rs->elements[f], NcFwElement, i);
    if (e->map == map)
      g_array_append_val(mine, *e);
  }
  if (!by_name)
    g_array_sort(mine, element_cmp);
  g_autofree char *chain = nc_fw_chain_name(rs->bridge, nc_fw_map_chain(map));
  for (guint i = 0; i < mine->len; i++) {
    const NcFwElement *e = &g_array_index(mine, NcFwElement, i);
    g_string_append(s, i == 0 ? "\t\telements = { " : ", ");
    if (by_name) {
      g_string_append_printf(s, "\"%s\"", rs->bridge);
    } else {
      g_autofree char *addr = nc_sockaddr_format(&e->addr);
      gboolean host = e->prefix == (e->addr.family == AF_INET6 ? 128u : 32u);
      g_string_append(s, addr);
      if (!host)
        g_string_append_printf(s, "/%u", e->prefix);
    }
    g_string_append_printf(s, " : jump %s", chain);
  }
  if (mine->len > 0)
    g_string_append(s, " }\n");
  g_string_append(s, "\t}\n");
}

char *
nc_fw_ruleset_dump(const NcFwRuleset *rs)
{
  GString *s = g_string_new(NULL);

  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    if (!rs->family_used[f])
      continue;
    g_string_append_printf(s, "table %s %s {\n", nc_fw_family_to_string(f), rs->table);
    for (int m = 0; m < _NC_FW_MAP_MAX; m++)
      append_map(s, rs, f, m);
    for (int c = 0; c < _NC_FW_CHAIN_MAX; c++)
      g_string_append_printf(s, "\tchain %s {\n\t\t%s\n%s\t}\n", nc_fw_chain_to_string(c),
                             chain_header(c), dispatch_rules(f, c));
    for (int c = 0; c < _NC_FW_CHAIN_MAX; c++) {
      if (!rs->chain_used[f][c])
        continue;
      g_autofree char *name = nc_fw_chain_name(rs->bridge, c);
      g_string_append_printf(s, "\tchain %s {\n", name);
      for (guint i = 0; i < rs->rules[f]->len; i++) {
        const NcFwRule *rule = rs->rules[f]->pdata[i];
        if (rule->chain != (NcFwChain)c)
          continue;
        g_autofree char *text = nc_fw_rule_to_string(rule, f);
        g_string_append_printf(s, "\t\t%s\n", text);
      }
      g_string_append(s, "\t}\n");
    }
    g_string_append(s, "}\n");
  }
  return g_string_free(s, FALSE);
}
