/* OVN networks: <netctl:ovn nb='...'/> (xml/network-netctl-ovn.h). The
 * network is a logical switch in OVN's northbound database; OVN's own
 * engine (northd, ovn-controller on each host) makes it span hosts, and
 * OVN's native DHCP serves its <ip>/<dhcp>. netctl writes the NB rows
 * (drivers/kernel/ovn-nb.h, everything marked with the network's uuid) and,
 * for a port, binds its TAP on this host's br-int with
 * external_ids:iface-id = the port's uuid, which is also the logical port's
 * name.
 *
 * Start creates, in one NB transaction (on condition that it is not there), the switch
 * (other_config subnet and exclude_ips for OVN's IPAM: the addresses outside the DHCP ranges, the
 * gateway address and the static hosts' addresses) and its DHCP_Options (lease time, router for
 * nat/route, DNS forwarders, MTU); stop deletes every row carrying the mark. A static <host mac ip>
 * becomes the fixed address of the port with that MAC; other ports get "MAC dynamic".
 *
 * Before that, start checks that this host can carry the network's ports
 * (check_chassis): Open vSwitch running with br-int, the chassis settings
 * ovn-controller needs, matching datapath types, the chassis registered in
 * the southbound database, the encap IP on an interface whose MTU fits the
 * network's <mtu> plus the tunnel's overhead; each failure says what to
 * fix.
 *
 * For forward nat/route the same transaction adds a logical router (see
 * ovn-nb.h: inside port with the <ip> address, uplink port on a switch with
 * a localnet port, bound to the gateway chassis of <netctl:ovn chassis=>,
 * default route via uplinkGateway) and for nat an SNAT of the subnet to
 * the uplink address; DHCP then also gives the router.
 *
 * Leases come from the NB (ovn-leases.c).
 *
 * IPv6 (one /64 <ip>): the switch's ipv6_prefix (OVN's IPAM gives ports
 * their EUI-64 address), RAs from a router port (a router of its own for a
 * network without <forward>), OVN's DHCPv6 when the <ip> has a <dhcp>
 * range. Start also refuses offloads that break TCP between hosts
 * (check_offloads).
 *
 * Ports are requested on the chassis of the
 * host that made them (requested-chassis). As libvirt, a port whose uuid
 * exists (here, or as the network's logical port on another host) is
 * refused, unless made with VIR_NETWORK_PORT_CREATE_RECLAIM: a migrating
 * guest's port then moves here with its addresses, the old host's deletion
 * leaves the logical port alone, and the old host's adoption at a restart
 * sees it moved rather than rebinding it.
 *
 * Ports are bound on the integration bridge ovn-controller manages: its
 * external_ids:ovn-bridge (br-int by default), read with the chassis
 * settings and kept in the live state ("ovn-bridge"). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "addr.h"
#include "bridge-port.h"
#include "forward-driver.h"
#include "link-tap.h"
#include "nc-error.h"
#include "network-netctl-ovn.h"
#include "ethtool.h"
#include "ovn-chassis.h"
#include "ovn-nb.h"
#include "ovn-underlay.h"
#include "ovsdb.h"

/* The integration bridge ovn-controller manages here, as read at start or
 * adoption (check_chassis, chassis_remember). */
static const char *
integration_bridge(const NcLiveState *live)
{
  const char *b = nc_live_state_get(live, "ovn-bridge");
  return b ? b : NC_OVN_DEFAULT_BRIDGE;
}

static const char *
net_uuid(const NcNetworkDef *def, char buf[static NC_UUID_STRING_LEN])
{
  nc_uuid_format(def->uuid, buf);
  return buf;
}

static void
set_nb_error(GError **error, const NcNetworkDef *def, const char *what, int r, const char *detail)
{
  const char *nb = nc_network_def_ovn(def)->nb;
  if (r == -ECONNREFUSED || r == -ENOENT || r == -EHOSTUNREACH || r == -ENETUNREACH
      || (r == -ETIMEDOUT && !detail)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': %s: cannot reach OVN's northbound database at '%s' (%s); is "
                "ovn-central running and reachable from this host?",
                def->name, what, nb, g_strerror(-r));
    return;
  }
  g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "network '%s': %s: %s", def->name, what,
              detail ? detail : g_strerror(-r));
}

/* The network's IPv4 <ip>, NULL for a switch without addresses. */
static const NcIpDef *
ipv4(const NcNetworkDef *def)
{
  for (guint i = 0; def->ips && i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip->family == AF_INET)
      return ip;
  }
  return NULL;
}

/* The network's IPv6 <ip>, NULL when none. */
static const NcIpDef *
ipv6(const NcNetworkDef *def)
{
  for (guint i = 0; def->ips && i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip->family == AF_INET6)
      return ip;
  }
  return NULL;
}

/* The address OVN's IPAM gives a port of that MAC (other_config:
 * ipv6_prefix): the /64's prefix and the MAC's EUI-64 identifier. */
static char *
eui64(const NcIpDef *ip, const NcMac *mac)
{
  NcSockAddr a;
  nc_sockaddr_network(&ip->address, 64, &a);
  guint8 *b = a.u.v6.s6_addr;
  b[8] = mac->addr[0] ^ 2, b[9] = mac->addr[1], b[10] = mac->addr[2];
  b[11] = 0xff, b[12] = 0xfe;
  b[13] = mac->addr[3], b[14] = mac->addr[4], b[15] = mac->addr[5];
  return nc_sockaddr_format(&a);
}

static gboolean
ovn_validate(const NcNetworkDef *def, GError **error)
{
  const char *why = NULL;
  const NcNetctlOvn *ovn = nc_network_def_ovn(def);
  gboolean routed = def->forward.mode == NC_FORWARD_NAT || def->forward.mode == NC_FORWARD_ROUTE;
  if (routed && (!ovn->uplink || !ovn->uplink_address || !ovn->chassis))
    why = "forward modes 'nat' and 'route' need a router uplink: <netctl:ovn uplink= "
          "uplinkAddress= chassis=> (the provider network in ovn-bridge-mappings, the router's "
          "address on it, the gateway chassis)";
  else if (routed && !ipv4(def))
    why = "forward modes 'nat' and 'route' need an IPv4 <ip> (the router's inside address)";
  else if (!routed && def->forward.mode != NC_FORWARD_NONE)
    why = "forward modes other than nat and route are not supported (leave <forward> out for an "
          "isolated logical switch)";
  else if (!routed && (ovn->uplink || ovn->uplink_address || ovn->uplink_gateway || ovn->chassis))
    why = "uplink, uplinkAddress, uplinkGateway and chassis need <forward mode='nat|route'>";
  for (guint i = 0; !why && def->ips && i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip != ipv4(def) && ip != ipv6(def))
      why = "one IPv4 and one IPv6 <ip> at most";
    else if (ip->family == AF_INET6 && nc_ip_def_prefix(ip) != 64)
      why = "an IPv6 <ip> needs prefix='64' (OVN gives each port the EUI-64 address of its MAC "
            "in that prefix, announced by router advertisements)";
    else if (ip->family == AF_INET6 && ip->hosts && ip->hosts->len)
      why = "an IPv6 DHCP <host> cannot be matched to a port (OVN's DHCPv6 gives each port the "
            "EUI-64 address of its MAC in the prefix); leave it out";
    for (guint h = 0; !why && ip->hosts && h < ip->hosts->len; h++) {
      const NcDhcpHost *host = ip->hosts->pdata[h];
      if (!host->has_mac || !nc_sockaddr_is_set(&host->ip))
        why = "each DHCP <host> needs mac= and ip= (it becomes a port's fixed address)";
    }
  }
  if (!why && def->bridge.name)
    why = "<bridge> does not apply (ports are plugged into the host's br-int)";
  /* portgroups carry no VLAN here (the logical switch is the segment), and
   * no bandwidth yet (OVN QoS rows are not written): refused rather than
   * silently ignored */
  if (!why && def->vlan)
    why = "<vlan> does not apply (a logical switch is its own segment)";
  if (!why && def->bandwidth)
    why = "<bandwidth> is not supported yet";
  for (guint i = 0; !why && def->portgroups && i < def->portgroups->len; i++) {
    const NcPortGroup *pg = def->portgroups->pdata[i];
    if (pg->vlan)
      why = "a portgroup's <vlan> does not apply (a logical switch is its own segment)";
    else if (pg->bandwidth)
      why = "a portgroup's <bandwidth> is not supported yet";
  }
  if (why) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED, "network '%s': OVN network: %s",
                def->name, why);
    return FALSE;
  }
  return TRUE;
}

static guint32
v4(const NcSockAddr *a)
{
  return ntohl(a->u.v4.s_addr);
}

static void
append_v4(GString *s, guint32 a)
{
  g_string_append_printf(s, "%s%u.%u.%u.%u", s->len ? " " : "", a >> 24, (a >> 16) & 255,
                         (a >> 8) & 255, a & 255);
}

static void
append_span(GString *s, guint32 lo, guint32 hi)
{
  if (lo > hi)
    return;
  append_v4(s, lo);
  if (hi > lo) {
    g_string_append(s, "..");
    g_autoptr(GString) t = g_string_new(NULL);
    append_v4(t, hi);
    g_string_append(s, t->str);
  }
}

static gint
cmp_u32(gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
  return x < y ? -1 : x > y;
}

/* OVN's exclude_ips: every host address of the subnet outside the DHCP
 * ranges, plus the gateway's and the static hosts' (so IPAM never hands
 * them to a dynamic port). */
static char *
exclude_ips(const NcIpDef *ip, guint32 first, guint32 last)
{
  g_autoptr(GString) s = g_string_new(NULL);
  g_autoptr(GArray) spans = g_array_new(FALSE, FALSE, sizeof(guint32) * 2);
  for (guint i = 0; ip->ranges && i < ip->ranges->len; i++) {
    const NcDhcpRange *r = ip->ranges->pdata[i];
    guint32 span[2] = { v4(&r->start), v4(&r->end) };
    g_array_append_vals(spans, span, 1);
  }
  g_array_sort(spans, cmp_u32);
  guint32 next = first; /* first address not yet covered */
  for (guint i = 0; i < spans->len; i++) {
    const guint32 *span = &g_array_index(spans, guint32, i * 2);
    if (span[0] > next)
      append_span(s, next, MIN(span[0] - 1, last));
    next = MAX(next, span[1] + 1);
  }
  append_span(s, next, last);
  guint32 gw = v4(&ip->address);
  for (guint i = 0; i < spans->len; i++) {
    const guint32 *span = &g_array_index(spans, guint32, i * 2);
    if (gw >= span[0] && gw <= span[1])
      append_v4(s, gw);
  }
  for (guint i = 0; ip->hosts && i < ip->hosts->len; i++) {
    const NcDhcpHost *h = ip->hosts->pdata[i];
    append_v4(s, v4(&h->ip));
  }
  return s->len ? g_string_free(g_steal_pointer(&s), FALSE) : NULL;
}

static guint64
lease_seconds(const NcIpDef *ip)
{
  const NcLease *l
      = ip->ranges && ip->ranges->len ? &((const NcDhcpRange *)ip->ranges->pdata[0])->lease : NULL;
  if (!l || !l->has_lease)
    return 3600; /* dnsmasq's default, as libvirt gives */
  if (l->expiry == 0)
    return G_MAXUINT32; /* infinite */
  guint64 mult = l->unit == NC_LEASE_UNIT_SECONDS ? 1 : l->unit == NC_LEASE_UNIT_HOURS ? 3600 : 60;
  return MIN(l->expiry * mult, (guint64)G_MAXUINT32);
}

static gboolean chassis_fail(GError **error, const NcNetworkDef *def, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean
chassis_fail(GError **error, const NcNetworkDef *def, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
              "network '%s': this host cannot carry OVN ports: %s", def->name, msg);
  return FALSE;
}

/* Bytes a tunnel adds to a guest's frame (outer Ethernet excluded): IPv4
 * + UDP + the header with OVN's options, as measured for Geneve (issue 14:
 * guest MTU at most underlay minus 58). 0: unknown type, not checked. */
static guint
tunnel_overhead(const char *encap_type)
{
  if (strstr(encap_type, "geneve"))
    return 58;
  if (strstr(encap_type, "vxlan"))
    return 50;
  return 0;
}

/* The interface holding this host's encap IP into ifname (size bytes): 1,
 * 0 when no interface has it, -1 when not knowable here. */
static int
encap_ifname(const NcDriverEnv *env, const char *encap_ip, char *ifname, gsize size)
{
  NcSockAddr encap;
  g_autoptr(GArray) addrs = NULL;
  if (!env || !env->kernel || !nc_sockaddr_parse(encap_ip, AF_UNSPEC, &encap)
      || nc_addr_list(env->kernel, encap.family, 0, &addrs) < 0)
    return -1;
  for (guint i = 0; i < addrs->len; i++) {
    const NcAddrEntry *e = &g_array_index(addrs, NcAddrEntry, i);
    if (nc_sockaddr_equal(&e->addr, &encap) && e->ifname[0]) {
      g_strlcpy(ifname, e->ifname, size);
      return 1;
    }
  }
  return 0;
}

/* The network's <mtu> plus the tunnel's overhead must fit the MTU of the
 * interface holding this host's encap IP (else large frames between hosts
 * are dropped silently). Without <mtu> guests keep their own and nothing
 * is checked. */
static gboolean
check_underlay_mtu(const NcDriverEnv *env, const NcNetworkDef *def, const NcOvnChassisConfig *c,
                   GError **error)
{
  guint overhead = tunnel_overhead(c->encap_type);
  char ifname[64];
  NcLinkInfo link;
  if (!def->has_mtu || !def->mtu || !overhead)
    return TRUE;
  int found = encap_ifname(env, c->encap_ip, ifname, sizeof(ifname));
  if (found == 0)
    return chassis_fail(error, def,
                        "no interface of this host has the encap IP %s (external_ids:"
                        "ovn-encap-ip): tunnels to other hosts cannot work",
                        c->encap_ip);
  /* not knowable here: ovn-controller reports its own errors */
  if (found < 0 || nc_link_get_info(env->kernel, ifname, &link) < 0)
    return TRUE;
  if (def->mtu + overhead > link.mtu)
    return chassis_fail(error, def,
                        "the network's MTU %u plus %u bytes of %s encapsulation exceeds the "
                        "MTU %u of '%s' (which holds the encap IP %s); use <mtu size='%u'/> "
                        "or a larger underlay MTU",
                        def->mtu, overhead, c->encap_type, link.mtu, ifname, c->encap_ip,
                        link.mtu - overhead);
  return TRUE;
}

/* Offloads that break TCP between hosts while ping works (issue 14's
 * measurements): userspace TSO with tunnels, and TX checksum offload on a
 * kernel interface feeding the netdev datapath's underlay (the userspace
 * datapath sends the partial checksums on as they are). The interfaces are
 * those of the OVS bridge holding the encap IP (br-phy). */
static gboolean
check_offloads(const NcDriverEnv *env, const NcNetworkDef *def, const NcOvnChassisConfig *c,
               const char *socket, GError **error)
{
  char bridge[64] = "";
  gboolean netdev = g_strcmp0(c->dp_type, "netdev") == 0;
  if (netdev && encap_ifname(env, c->encap_ip, bridge, sizeof(bridge)) != 1)
    bridge[0] = '\0';
  g_auto(NcOvnUnderlay) u = { 0 };
  if (nc_ovn_underlay_read(socket, bridge[0] ? bridge : NULL, &u, NULL) < 0)
    return TRUE; /* read just before: ovn-controller reports its own errors */
  if (u.userspace_tso)
    return chassis_fail(error, def,
                        "Open vSwitch has other_config:userspace-tso-enable=true, which breaks "
                        "TCP through OVN's %s tunnels; `ovs-vsctl set Open_vSwitch . "
                        "other_config:userspace-tso-enable=false` and restart ovs-vswitchd",
                        c->encap_type);
  for (guint i = 0; u.ifaces && i < u.ifaces->len; i++) {
    const char *ifname = u.ifaces->pdata[i];
    gboolean on = FALSE;
    if (nc_ethtool_get_tx_csum(ifname, &on) == 0 && on)
      return chassis_fail(error, def,
                          "TX checksum offload is on on '%s', which feeds the netdev datapath's "
                          "underlay (%s, holding the encap IP %s): TCP between hosts would "
                          "fail; `ethtool -K %s tx off`",
                          ifname, bridge, c->encap_ip, ifname);
  }
  return TRUE;
}

/* What ovn-controller on this host needs, read where it reads it. */
static gboolean
check_chassis(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *detail = NULL;
  g_auto(NcOvnChassisConfig) c = { 0 };
  int r = nc_ovn_chassis_config_read(socket, &c, &detail);
  if (r == -EINVAL)
    return chassis_fail(error, def, "%s", detail);
  if (r < 0)
    return chassis_fail(error, def,
                        "Open vSwitch is not running (its database at %s: %s); start "
                        "openvswitch-switch and ovn-controller",
                        socket, detail ? detail : g_strerror(-r));
  static const char *const keys[] = { "system-id", "ovn-remote", "ovn-encap-type", "ovn-encap-ip" };
  const char *values[] = { c.system_id, c.remote, c.encap_type, c.encap_ip };
  for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
    if (!values[i])
      return chassis_fail(error, def,
                          "Open vSwitch's external_ids:%s is not set (ovn-controller needs "
                          "system-id, ovn-remote, ovn-encap-type and ovn-encap-ip: `ovs-vsctl "
                          "set Open_vSwitch . external_ids:%s=...`)",
                          keys[i], keys[i]);
  if (!c.has_bridge)
    return chassis_fail(error, def,
                        "there is no integration bridge %s (ovn-controller creates it: is it "
                        "running?)",
                        c.bridge);
  const char *want = c.dp_type ? c.dp_type : "system";
  const char *have = c.bridge_dp_type[0] ? c.bridge_dp_type : "system";
  if (!g_str_equal(want, have))
    return chassis_fail(error, def,
                        "%s's datapath type is '%s' but external_ids:ovn-bridge-datapath-type "
                        "asks for '%s'; make them agree (without the openvswitch kernel module, "
                        "'netdev' for both)",
                        c.bridge, have, want);
  const char *why = NULL;
  if (!nc_ovn_remotes_valid(c.remote, &why))
    return chassis_fail(error, def, "external_ids:ovn-remote='%s' cannot be checked: %s", c.remote,
                        why);
  /* before the SB is reached: these offloads break that TCP connection too */
  if (!check_offloads(env, def, &c, socket, error))
    return FALSE;
  gboolean registered = FALSE;
  g_clear_pointer(&detail, g_free);
  r = nc_ovn_chassis_registered(c.remote, c.system_id, &registered, &detail);
  if (r < 0)
    return chassis_fail(error, def,
                        "cannot reach OVN's southbound database at '%s' (external_ids:ovn-remote): "
                        "%s",
                        c.remote, detail ? detail : g_strerror(-r));
  if (!registered)
    return chassis_fail(error, def,
                        "its chassis '%s' is not registered in OVN's southbound database at "
                        "'%s'; is ovn-controller running on this host?",
                        c.system_id, c.remote);
  /* ports bound here are requested on this chassis (requested-chassis) */
  nc_live_state_set(live, "ovn-chassis", c.system_id);
  nc_live_state_set(live, "ovn-bridge", c.bridge);
  if (!check_underlay_mtu(env, def, &c, error))
    return FALSE;
  nc_live_state_set(live, "ovn-checked", "yes");
  return TRUE;
}

/* <dns><host ip><hostname/></host>: OVN DNS records, hostname (lower
 * case, as OVN compares) -> its IPv4 addresses separated by spaces;
 * key, value pairs, NULL-ended. */
static GPtrArray *
dns_records(const NcNetworkDef *def)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new();
  for (guint i = 0; def->dns.hosts && i < def->dns.hosts->len; i++) {
    const NcDnsHost *h = def->dns.hosts->pdata[i];
    if (h->ip.family != AF_INET)
      continue;
    g_autofree char *ip = nc_sockaddr_format(&h->ip);
    for (guint n = 0; h->hostnames && n < h->hostnames->len; n++) {
      g_autofree char *key = g_ascii_strdown(h->hostnames->pdata[n], -1);
      const char *had = g_hash_table_lookup(names, key);
      if (!had)
        g_ptr_array_add(order, g_strdup(key));
      char *value = had ? g_strdup_printf("%s %s", had, ip) : g_strdup(ip);
      g_hash_table_insert(names, g_steal_pointer(&key), value);
    }
  }
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < order->len; i++) {
    g_ptr_array_add(out, order->pdata[i]);
    g_ptr_array_add(out, g_strdup(g_hash_table_lookup(names, order->pdata[i])));
  }
  g_ptr_array_add(out, NULL);
  return out;
}

/* Locally administered MACs for the router's ports (n = 1 inside, 2
 * uplink), from the network's uuid. */
static char *
router_mac(const NcNetworkDef *def, guint n)
{
  return g_strdup_printf("0a:%02x:%02x:%02x:%02x:%02x", def->uuid[0], def->uuid[1], def->uuid[2],
                         def->uuid[3], (def->uuid[4] & 0xf0) | n);
}

/* The DHCP_Options row's uuid in the live state, so a port's creation
 * needs no lookup (a scan of the NB's rows by mark). Unknown: left unset,
 * looked up per port. */
static void
remember_dhcp(const NcNetworkDef *def, NcLiveState *live)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *dhcp = NULL, *dhcp6 = NULL;
  if (nc_ovn_nb_switch_find2(nc_network_def_ovn(def)->nb, net_uuid(def, uuid), NULL, &dhcp, &dhcp6,
                             NULL)
      == 0) {
    nc_live_state_set(live, "ovn-dhcp", dhcp ? dhcp : "");
    nc_live_state_set(live, "ovn-dhcp6", dhcp6 ? dhcp6 : "");
  }
}

static gboolean
ovn_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  if (!check_chassis(env, def, live, error))
    return FALSE;
  const NcIpDef *ip = ipv4(def);
  g_autofree char *subnet = NULL, *exclude = NULL, *cidr = NULL, *router = NULL;
  g_autofree char *lease = NULL, *mac = NULL, *dns = NULL, *mtu = NULL;
  g_autoptr(GPtrArray) opts = g_ptr_array_new();
  int prefix = ip ? nc_ip_def_prefix(ip) : -1;
  if (ip && prefix > 0 && prefix < 31) {
    NcSockAddr net;
    nc_sockaddr_network(&ip->address, (guint)prefix, &net);
    g_autofree char *n = nc_sockaddr_format(&net);
    guint32 first = v4(&net) + 1, last = v4(&net) + (guint32)((1ULL << (32 - prefix)) - 2);
    subnet = g_strdup_printf("%s/%d", n, prefix);
    exclude = exclude_ips(ip, first, last);
    router = nc_sockaddr_format(&ip->address);
    if (ip->ranges && ip->ranges->len) {
      cidr = g_strdup(subnet);
      lease = g_strdup_printf("%" G_GUINT64_FORMAT, lease_seconds(ip));
      /* the router's inside MAC (also when there is no router) */
      mac = router_mac(def, 1);
      g_ptr_array_add(opts, "server_id"), g_ptr_array_add(opts, router);
      g_ptr_array_add(opts, "server_mac"), g_ptr_array_add(opts, mac);
      g_ptr_array_add(opts, "lease_time"), g_ptr_array_add(opts, lease);
      /* isolated: no default route (libvirt's dnsmasq sends none either) */
      if (def->forward.mode == NC_FORWARD_NAT || def->forward.mode == NC_FORWARD_ROUTE)
        g_ptr_array_add(opts, "router"), g_ptr_array_add(opts, router);
      g_autoptr(GString) d = g_string_new(NULL);
      for (guint i = 0; def->dns.forwarders && i < def->dns.forwarders->len; i++) {
        const NcDnsForwarder *f = def->dns.forwarders->pdata[i];
        if (f->addr.family != AF_INET || f->domain)
          continue;
        g_autofree char *a = nc_sockaddr_format(&f->addr);
        g_string_append_printf(d, "%s%s", d->len ? ", " : "", a);
      }
      /* no forwarder but DNS records: guests ask the gateway's address,
       * where OVN's responder answers for the records */
      if (!d->len && def->dns.hosts && def->dns.hosts->len)
        g_string_append(d, router);
      if (d->len)
        dns = strchr(d->str, ',') ? g_strdup_printf("{%s}", d->str) : g_strdup(d->str);
      if (dns)
        g_ptr_array_add(opts, "dns_server"), g_ptr_array_add(opts, dns);
      if (def->has_mtu) {
        mtu = g_strdup_printf("%u", def->mtu);
        g_ptr_array_add(opts, "mtu"), g_ptr_array_add(opts, mtu);
      }
    }
  }
  g_ptr_array_add(opts, NULL);
  /* IPv6: OVN's IPAM gives each port the EUI-64 address of its MAC in the
   * /64; a router port announces the prefix (SLAAC), or with a <dhcp>
   * range sends guests to OVN's stateful DHCPv6 (which hands out that same
   * address: OVN's DHCPv6 knows no ranges) */
  const NcIpDef *ip6 = ipv6(def);
  g_autofree char *prefix6 = NULL, *cidr6 = NULL, *net6 = NULL, *mac6 = NULL, *mtu6 = NULL;
  g_autofree char *dns6 = NULL;
  g_autoptr(GPtrArray) opts6 = g_ptr_array_new();
  g_autoptr(GPtrArray) ra = g_ptr_array_new();
  if (ip6) {
    NcSockAddr n6;
    nc_sockaddr_network(&ip6->address, 64, &n6);
    prefix6 = nc_sockaddr_format(&n6);
    g_autofree char *a6 = nc_sockaddr_format(&ip6->address);
    net6 = g_strdup_printf("%s/64", a6);
    gboolean stateful = ip6->ranges && ip6->ranges->len;
    g_ptr_array_add(ra, "address_mode");
    g_ptr_array_add(ra, stateful ? "dhcpv6_stateful" : "slaac");
    g_ptr_array_add(ra, "send_periodic"), g_ptr_array_add(ra, "true");
    if (def->has_mtu && def->mtu >= 1280) {
      mtu6 = g_strdup_printf("%u", def->mtu);
      g_ptr_array_add(ra, "mtu"), g_ptr_array_add(ra, mtu6);
    }
    g_autoptr(GString) d = g_string_new(NULL);
    for (guint i = 0; def->dns.forwarders && i < def->dns.forwarders->len; i++) {
      const NcDnsForwarder *f = def->dns.forwarders->pdata[i];
      if (f->addr.family != AF_INET6 || f->domain)
        continue;
      g_autofree char *a = nc_sockaddr_format(&f->addr);
      if (!stateful) { /* OVN's RA carries one RDNSS */
        dns6 = g_steal_pointer(&a);
        break;
      }
      g_string_append_printf(d, "%s%s", d->len ? ", " : "", a);
    }
    if (d->len)
      dns6 = strchr(d->str, ',') ? g_strdup_printf("{%s}", d->str) : g_strdup(d->str);
    if (dns6 && !stateful)
      g_ptr_array_add(ra, "rdnss"), g_ptr_array_add(ra, dns6);
    if (stateful) {
      cidr6 = g_strdup_printf("%s/64", prefix6);
      mac6 = router_mac(def, 1); /* DUID-LL of the router's inside MAC */
      g_ptr_array_add(opts6, "server_id"), g_ptr_array_add(opts6, mac6);
      if (dns6)
        g_ptr_array_add(opts6, "dns_server"), g_ptr_array_add(opts6, dns6);
    }
  }
  g_ptr_array_add(opts6, NULL);
  g_ptr_array_add(ra, NULL);
  NcOvnSwitch sw = {
    .network = def->name,
    .net_uuid = net_uuid(def, uuid),
    .subnet = subnet,
    .exclude_ips = exclude,
    .dhcp_cidr = cidr,
    .dhcp_options = (const char *const *)opts->pdata,
    .ipv6_prefix = prefix6,
    .dhcp6_cidr = cidr6,
    .dhcp6_options = (const char *const *)opts6->pdata,
    .int_net6 = net6,
    .ra_configs = (const char *const *)ra->pdata,
  };
  g_autoptr(GPtrArray) records = dns_records(def);
  sw.dns_records = (const char *const *)records->pdata;
  const NcNetctlOvn *ovn = nc_network_def_ovn(def);
  g_autofree char *int_mac = router_mac(def, 1), *ext_mac = router_mac(def, 2);
  g_autofree char *int_net = NULL, *snat_ip = NULL;
  g_auto(GStrv) gw_chassis = nc_netctl_ovn_chassis_list(ovn);
  if (net6)
    sw.int_mac = int_mac; /* the RA router's port (also without uplink) */
  if ((def->forward.mode == NC_FORWARD_NAT || def->forward.mode == NC_FORWARD_ROUTE) && router) {
    int_net = g_strdup_printf("%s/%d", router, prefix);
    sw.uplink = ovn->uplink;
    sw.chassis = (const char *const *)gw_chassis;
    sw.int_mac = int_mac;
    sw.int_net = int_net;
    sw.ext_mac = ext_mac;
    sw.ext_net = ovn->uplink_address;
    sw.gateway = ovn->uplink_gateway;
    if (def->forward.mode == NC_FORWARD_NAT) {
      snat_ip = g_strndup(ovn->uplink_address, strcspn(ovn->uplink_address, "/"));
      sw.snat_ip = snat_ip;
      sw.snat_subnet = subnet;
    }
  }
  const char *nb = nc_network_def_ovn(def)->nb;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_switch_create(nb, &sw, &detail);
  if (r < 0 && r != -EEXIST) {
    set_nb_error(error, def, "cannot create its logical switch", r, detail);
    return FALSE;
  }
  if (r == -EEXIST) {
    g_clear_pointer(&detail, g_free);
    int found = nc_ovn_nb_switch_find(nb, uuid, NULL, NULL, &detail);
    if (found == -ENOENT) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                  "network '%s': OVN's northbound database already has a logical switch "
                  "'netctl-%s' that is not this network's (uuid %s): another network of that "
                  "name; a network started on several hosts needs the same <uuid> on each",
                  def->name, def->name, uuid);
      return FALSE;
    }
    if (found < 0) {
      set_nb_error(error, def, "cannot find its logical switch", found, detail);
      return FALSE;
    }
  }
  /* The switch exists already (the wait's condition failed, atomically):
   * another host started the same network, and this host joins it. Shared
   * through --ovn-nb (live "ovn-shared", set by the daemon) the switch is
   * the network's active state on every host: of two hosts starting at once
   * both succeed with the one switch the first made (adoption, rather than
   * "already active" for a network this host did not yet show as active),
   * and a stop on any host deletes it. Otherwise a joined host's stop removes
   * only its own ports and the host that made the switch deletes it. */
  gboolean shared = g_strcmp0(nc_live_state_get(live, "ovn-shared"), "yes") == 0;
  nc_live_state_set(live, "ovn-nb", nb);
  nc_live_state_set(live, "ovn-joined", r == -EEXIST && !shared ? "yes" : NULL);
  remember_dhcp(def, live);
  return TRUE;
}

static gboolean
ovn_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *detail = NULL;
  if (g_strcmp0(nc_live_state_get(live, "ovn-joined"), "yes") == 0)
    return TRUE; /* the switch is the starting host's (see ovn_start) */
  int r = nc_ovn_nb_switch_delete(nc_network_def_ovn(def)->nb, net_uuid(def, uuid), &detail);
  if (r < 0) {
    set_nb_error(error, def, "cannot delete its logical switch", r, detail);
    return FALSE;
  }
  return TRUE;
}

static gboolean
ovn_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_switch_find(nc_network_def_ovn(def)->nb, net_uuid(def, uuid), NULL, NULL,
                                &detail);
  /* Shared, its switch is its active state: gone means destroyed on another
   * host while this one was away, so it is not running any more. */
  if (r == -ENOENT && g_strcmp0(nc_live_state_get(live, "ovn-shared"), "yes") == 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': destroyed on another host (its logical switch is gone from the "
                "OVN NB)",
                def->name);
    return FALSE;
  }
  if (r == -ENOENT)
    return ovn_start(env, def, live, error); /* deleted while we were away: made again */
  if (r < 0) {
    set_nb_error(error, def, "cannot find its logical switch", r, detail);
    return FALSE;
  }
  remember_dhcp(def, live);
  if (!nc_live_state_get(live, "ovn-chassis") || !nc_live_state_get(live, "ovn-bridge")) {
    g_autofree char *socket = nc_ovsdb_default_socket();
    g_auto(NcOvnChassisConfig) c = { 0 };
    if (nc_ovn_chassis_config_read(socket, &c, NULL) == 0) {
      if (c.system_id && !nc_live_state_get(live, "ovn-chassis"))
        nc_live_state_set(live, "ovn-chassis", c.system_id);
      /* a state from before the name was read: the bridge it used */
      if (!nc_live_state_get(live, "ovn-bridge"))
        nc_live_state_set(live, "ovn-bridge", c.bridge);
    }
  }
  return TRUE;
}

/* -- ports -------------------------------------------------------------------- */

/* "MAC IP" for a static host of that MAC, else "MAC dynamic" (OVN's IPAM). */
static char *
port_addresses(const NcNetworkDef *def, const NcNetworkPortDef *port)
{
  char mac[18];
  nc_mac_format(&port->mac, mac);
  const NcIpDef *ip = ipv4(def), *ip6 = ipv6(def);
  for (guint i = 0; ip && ip->hosts && i < ip->hosts->len; i++) {
    const NcDhcpHost *h = ip->hosts->pdata[i];
    if (h->has_mac && memcmp(h->mac.addr, port->mac.addr, NC_MAC_LEN) == 0) {
      g_autofree char *a = nc_sockaddr_format(&h->ip);
      /* fixed addresses get no IPv6 from IPAM: the same EUI-64 one */
      g_autofree char *a6 = ip6 ? eui64(ip6, &port->mac) : NULL;
      return a6 ? g_strdup_printf("%s %s %s", mac, a, a6) : g_strdup_printf("%s %s", mac, a);
    }
  }
  return (ip && nc_ip_def_prefix(ip) > 0) || ip6 ? g_strdup_printf("%s dynamic", mac)
                                                 : g_strdup(mac);
}

/* libvirt's QEMU driver plugs the guest itself from this: the integration
 * bridge and an openvswitch virtualport whose interfaceid is the logical
 * port's name. */
static void
fill_plug(const NcLiveState *live, NcNetworkPortDef *port)
{
  port->plug_type = NC_PORT_PLUG_BRIDGE;
  g_free(port->plug_bridge.brname);
  port->plug_bridge.brname = g_strdup(integration_bridge(live));
  if (!port->virtualport) {
    port->virtualport = nc_virtualport_new();
    port->virtualport->type = NC_VIRTUALPORT_OPENVSWITCH;
  }
  memcpy(port->virtualport->interfaceid, port->uuid, NC_UUID_LEN);
  port->virtualport->has_interfaceid = TRUE;
}

/* How lsp_add takes a logical port that exists under the port's name. */
typedef enum {
  LSP_NEW,     /* refused: libvirt's "port exists" */
  LSP_ADOPT,   /* this host's own, from before a restart: kept as it is */
  LSP_RECLAIM, /* VIR_NETWORK_PORT_CREATE_RECLAIM: moved here (a migrating guest) */
} LspMode;

/* The port exists as this network's logical port (made by this or another
 * host): libvirt's error for a uuid taken, saying where it is bound. */
static void
set_port_exists(GError **error, const NcNetworkDef *def, const char *puuid, const char *chassis)
{
  g_set_error(error, NC_ERROR, NC_ERROR_NETWORK_PORT_EXIST,
              "network '%s': a port with uuid %s already exists (its OVN logical port is "
              "requested on chassis '%s'); a migrating guest's port is made on the new host "
              "with VIR_NETWORK_PORT_CREATE_RECLAIM",
              def->name, puuid, chassis ? chassis : "any");
}

static gboolean
lsp_add(const NcNetworkDef *def, NcLiveState *live, const NcNetworkPortDef *port, LspMode mode,
        GError **error)
{
  char uuid[NC_UUID_STRING_LEN], puuid[NC_UUID_STRING_LEN], mac[18];
  const char *nb = nc_network_def_ovn(def)->nb;
  nc_uuid_format(port->uuid, puuid);
  nc_mac_format(&port->mac, mac);
  g_autofree char *dhcp = NULL, *dhcp6 = NULL, *detail = NULL;
  const char *known = nc_live_state_get(live, "ovn-dhcp");
  const char *known6 = nc_live_state_get(live, "ovn-dhcp6");
  int r = 0;
  net_uuid(def, uuid);
  if (known && known6) {
    dhcp = known[0] ? g_strdup(known) : NULL;
    dhcp6 = known6[0] ? g_strdup(known6) : NULL;
  } else
    r = nc_ovn_nb_switch_find2(nb, uuid, NULL, &dhcp, &dhcp6, &detail);
  g_autofree char *addresses = port_addresses(def, port);
  NcOvnPort p = {
    .net_uuid = uuid,
    .port_uuid = puuid,
    .addresses = addresses,
    .port_security = mac,
    .dhcp = dhcp,
    .dhcp6 = dhcp6,
    .chassis = nc_live_state_get(live, "ovn-chassis"),
  };
  if (r == 0)
    r = nc_ovn_nb_port_add(nb, &p, &detail);
  if (r == -EEXIST && mode == LSP_ADOPT)
    return TRUE;
  /* the same port (uuid, network, MAC) held by another host: a guest
   * migrating; it is requested here from now on, its addresses kept */
  if (r == -EEXIST && mode == LSP_RECLAIM && p.chassis) {
    g_clear_pointer(&detail, g_free);
    int c = nc_ovn_nb_port_claim(nb, uuid, puuid, mac, p.chassis, &detail);
    if (c == 0) {
      g_message("network '%s': port %s reclaimed: its logical port is requested on chassis "
                "'%s' now",
                def->name, puuid, p.chassis);
      return TRUE;
    }
    if (c != -ENOENT)
      r = c;
  }
  if (r == -EEXIST && mode == LSP_NEW) {
    g_autofree char *chassis = NULL;
    g_clear_pointer(&detail, g_free);
    int f = nc_ovn_nb_port_find(nb, uuid, puuid, &chassis, &detail);
    if (f == 0) {
      set_port_exists(error, def, puuid, chassis);
      return FALSE;
    }
  }
  if (r == -ENOENT) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: its logical switch is gone from OVN's northbound "
                "database; restart the network",
                def->name, puuid);
    return FALSE;
  }
  if (r == -EEXIST) {
    g_set_error(error, NC_ERROR, NC_ERROR_NETWORK_PORT_EXIST,
                "network '%s': port %s: OVN already has a logical port of that name (not this "
                "network's with MAC %s)",
                def->name, puuid, mac);
    return FALSE;
  }
  if (r < 0) {
    g_autofree char *what = g_strdup_printf("port %s: cannot create its logical port", puuid);
    set_nb_error(error, def, what, r, detail);
    return FALSE;
  }
  return TRUE;
}

static int
lsp_del(const NcNetworkDef *def, NcLiveState *live, const NcNetworkPortDef *port, char **ret_detail)
{
  char uuid[NC_UUID_STRING_LEN], puuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, puuid);
  /* on condition that it is requested here: a port reclaimed by another
   * host is that host's now */
  return nc_ovn_nb_port_del(nc_network_def_ovn(def)->nb, net_uuid(def, uuid), puuid,
                            nc_live_state_get(live, "ovn-chassis"), ret_detail);
}

/* The TAP on the integration bridge, bound to the logical port by iface-id. */
static gboolean
bind_tap(const NcNetworkDef *def, const NcLiveState *live, const NcNetworkPortDef *port,
         const char *device, GError **error)
{
  char puuid[NC_UUID_STRING_LEN], mac[18];
  nc_uuid_format(port->uuid, puuid);
  nc_mac_format(&port->mac, mac);
  const char *bridge = integration_bridge(live);
  NcOvsPort p = {
    .bridge = bridge,
    .name = device,
    .network = def->name,
    .port_uuid = puuid,
    .iface_id = puuid,
    .attached_mac = mac,
  };
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_port_add(socket, &p, &detail);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': port %s: cannot bind '%s' on this host's %s (is ovn-controller's "
                "Open vSwitch running, at %s?): %s",
                def->name, puuid, device, bridge, socket,
                r == -ENODEV ? "no such bridge"
                : detail     ? detail
                             : g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

static int
unbind_tap(const NcNetworkPortDef *port, const char *device)
{
  char puuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, puuid);
  g_autofree char *socket = nc_ovsdb_default_socket();
  return nc_ovsdb_port_del(socket, device, puuid, NULL);
}

/* as at define (ovn_validate): refused rather than silently ignored */
static gboolean
check_port(const NcNetworkDef *def, const NcNetworkPortDef *port, GError **error)
{
  const char *what = port->vlan ? "<vlan>" : port->bandwidth ? "<bandwidth>" : NULL;
  if (what) {
    char puuid[NC_UUID_STRING_LEN];
    nc_uuid_format(port->uuid, puuid);
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': port %s: %s is not supported on OVN networks", def->name, puuid,
                what);
    return FALSE;
  }
  return TRUE;
}

static gboolean
ovn_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
               NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  /* A host that followed another host's start (ovn_adopt) has not checked
   * that it can carry the network's ports: its first port does, so a missing
   * ovn-controller or encap setting is said as at start, not as a failed bind. */
  if (g_strcmp0(nc_live_state_get(live, "ovn-checked"), "yes") != 0
      && !check_chassis(env, def, live, error))
    return FALSE;
  if (!check_port(def, port, error) || !lsp_add(def, live, port, LSP_NEW, error))
    return FALSE;
  fill_plug(live, port);
  if (!dev || !dev->create)
    return TRUE; /* the VMM binds its own device (libvirt: from the plug) */
  if (nc_port_tap_make(env, def, port, 0, dev, error)
      && bind_tap(def, live, port, dev->name, error))
    return TRUE;
  if (dev->ifindex)
    nc_port_tap_delete(env, port, dev);
  dev->ifindex = 0;
  lsp_del(def, live, port, NULL);
  return FALSE;
}

static gboolean
ovn_port_free(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
              const NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  char puuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, puuid);
  int r1 = 0, r2 = 0;
  if (dev && dev->create && dev->name[0]) {
    unbind_tap(port, dev->name);
    r1 = nc_port_tap_delete(env, port, dev);
    dev->ifindex = 0;
  }
  g_autofree char *detail = NULL;
  r2 = lsp_del(def, live, port, &detail);
  if (r2 < 0) {
    g_autofree char *what = g_strdup_printf("port %s: cannot delete its logical port", puuid);
    set_nb_error(error, def, what, r2, detail);
    return FALSE;
  }
  if (r1 < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot delete device '%s': %s", def->name, puuid, dev->name,
                g_strerror(-r1));
    return FALSE;
  }
  return TRUE;
}

/* The port's logical port is requested on another chassis: its guest
 * migrated (reclaimed there) while this daemon was away. */
static gboolean
moved_away(const NcNetworkDef *def, const NcLiveState *live, const NcNetworkPortDef *port)
{
  char uuid[NC_UUID_STRING_LEN], puuid[NC_UUID_STRING_LEN];
  const char *here = nc_live_state_get(live, "ovn-chassis");
  g_autofree char *there = NULL;
  nc_uuid_format(port->uuid, puuid);
  if (!here
      || nc_ovn_nb_port_find(nc_network_def_ovn(def)->nb, net_uuid(def, uuid), puuid, &there, NULL)
             < 0
      || !there || g_str_equal(here, there))
    return FALSE;
  g_message("network '%s': port %s moved to chassis '%s' (its guest migrated): left to that "
            "host, its device here is not bound again; delete the port here when done",
            def->name, puuid, there);
  return TRUE;
}

static gboolean
ovn_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
               NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  gboolean moved = moved_away(def, live, port);
  if (!moved && !lsp_add(def, live, port, LSP_ADOPT, error))
    return FALSE;
  fill_plug(live, port);
  if (moved || !dev || !dev->create || !dev->name[0])
    return TRUE;
  NcTapInfo info;
  gboolean made = FALSE;
  if (!nc_port_tap_readopt(env, def, port, 0, dev, &info, &made, error))
    return FALSE;
  return bind_tap(def, live, port, dev->name, error);
}

/* VIR_NETWORK_PORT_CREATE_RECLAIM: the guest's device is plugged into this
 * host's integration bridge by its VMM with iface-id = the port's uuid
 * (the plug ovn_port_alloc gives); the logical port is made, or moved
 * here with its addresses when another host holds it (a migration). */
static gboolean
ovn_port_reclaim(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                 NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  char puuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, puuid);
  const char *bridge = integration_bridge(live);
  const NcVirtualPort *vp = port->virtualport;
  if (g_strcmp0(port->plug_bridge.brname, bridge) != 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: the guest is plugged into '%s', this host's OVN "
                "integration bridge is '%s' (external_ids:ovn-bridge); not reclaimed",
                def->name, puuid, port->plug_bridge.brname ? port->plug_bridge.brname : "", bridge);
    return FALSE;
  }
  if (vp
      && (vp->type != NC_VIRTUALPORT_OPENVSWITCH
          || (vp->has_interfaceid && memcmp(vp->interfaceid, port->uuid, NC_UUID_LEN) != 0))) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: the guest's <virtualport> is not OVN's binding of it "
                "(type='openvswitch', interfaceid='%s': the logical port's name); not reclaimed",
                def->name, puuid, puuid);
    return FALSE;
  }
  if (!check_port(def, port, error) || !lsp_add(def, live, port, LSP_RECLAIM, error))
    return FALSE;
  fill_plug(live, port);
  return TRUE;
}

/* The ports' uuids, as strings. */
static GHashTable *
known_ports(GPtrArray *ports)
{
  GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; ports && i < ports->len; i++) {
    char puuid[NC_UUID_STRING_LEN];
    nc_uuid_format(((const NcNetworkPortDef *)ports->pdata[i])->uuid, puuid);
    g_hash_table_add(known, g_strdup(puuid));
  }
  return known;
}

/* The network's logical ports requested on this chassis that netctl has no
 * port for: made by a daemon killed between ovn_port_alloc and the port's
 * status file. Ports requested elsewhere are other hosts' (or moved there,
 * RECLAIM) and left alone. */
static void
remove_orphan_lsps(const NcNetworkDef *def, const char *chassis, GHashTable *known)
{
  char uuid[NC_UUID_STRING_LEN];
  const char *nb = nc_network_def_ovn(def)->nb;
  g_autoptr(GHashTable) lsps = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovn_nb_port_list(nb, net_uuid(def, uuid), &lsps, &detail);
  if (r < 0) {
    g_warning("network '%s': cannot look for logical ports an earlier netctld left in the OVN "
              "NB %s: %s",
              def->name, nb, detail ? detail : g_strerror(-r));
    return;
  }
  GHashTableIter iter;
  gpointer puuid, there;
  g_hash_table_iter_init(&iter, lsps);
  while (g_hash_table_iter_next(&iter, &puuid, &there)) {
    if (!g_str_equal(there, chassis) || g_hash_table_contains(known, puuid))
      continue;
    g_clear_pointer(&detail, g_free);
    r = nc_ovn_nb_port_del(nb, uuid, puuid, chassis, &detail);
    if (r < 0)
      g_warning("network '%s': cannot delete logical port %s, which no port has: %s", def->name,
                (char *)puuid, detail ? detail : g_strerror(-r));
    else
      g_message("network '%s': logical port %s deleted: no port has it (an earlier netctld was "
                "stopped while making it)",
                def->name, (char *)puuid);
  }
}

/* The same for the rows marked as the network's on this host's
 * integration bridge (bind_tap's), whose device sweep_orphan_port_devices
 * deletes. */
static void
remove_orphan_binds(const NcNetworkDef *def, const char *socket, const char *bridge,
                    GHashTable *known)
{
  g_autoptr(GHashTable) ours = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_list_ports(socket, bridge, def->name, &ours, &detail);
  if (r < 0) {
    if (r != -ENODEV)
      g_warning("network '%s': cannot list its ports on '%s': %s", def->name, bridge,
                detail ? detail : g_strerror(-r));
    return;
  }
  GHashTableIter iter;
  gpointer name, puuid;
  g_hash_table_iter_init(&iter, ours);
  while (g_hash_table_iter_next(&iter, &name, &puuid)) {
    if (g_hash_table_contains(known, puuid))
      continue;
    g_clear_pointer(&detail, g_free);
    r = nc_ovsdb_port_del(socket, name, puuid, &detail);
    if (r < 0)
      g_warning("network '%s': cannot remove %s (port %s, which no port has) from '%s': %s",
                def->name, (char *)name, (char *)puuid, bridge, detail ? detail : g_strerror(-r));
    else
      g_message("network '%s': %s (port %s, which no port has) removed from '%s'", def->name,
                (char *)name, (char *)puuid, bridge);
  }
}

/* At start: what ovn_port_alloc made for a port whose status file a kill
 * prevented (its logical port, its row on br-int) goes. Needs this host's
 * chassis: without Open vSwitch nothing of it can be here. A stopped
 * network has no logical switch, so no logical port to look for: the NB is
 * not asked (an unreachable NB would cost each such network a timeout at
 * start). */
static void
ovn_ports_recover(const NcDriverEnv *env, const NcNetworkDef *def, gboolean active,
                  GPtrArray *ports)
{
  g_autofree char *socket = nc_ovsdb_default_socket();
  g_auto(NcOvnChassisConfig) c = { 0 };
  if (nc_ovn_chassis_config_read(socket, &c, NULL) < 0)
    return;
  g_autoptr(GHashTable) known = known_ports(ports);
  if (active && c.system_id && c.system_id[0])
    remove_orphan_lsps(def, c.system_id, known);
  if (c.has_bridge)
    remove_orphan_binds(def, socket, c.bridge, known);
}

const NcForwardDriver nc_driver_ovn = {
  .kind = NC_NETWORK_KIND_OVN,
  .validate = ovn_validate,
  .start = ovn_start,
  .stop = ovn_stop,
  .adopt = ovn_adopt,
  .reconfigure = NULL,
  .port_alloc = ovn_port_alloc,
  .port_free = ovn_port_free,
  .port_adopt = ovn_port_adopt,
  .port_reclaim = ovn_port_reclaim,
  .ports_recover = ovn_ports_recover,
};
