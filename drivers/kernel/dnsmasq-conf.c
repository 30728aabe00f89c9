#include "dnsmasq-conf.h"

#include "firewall-rules.h"
#include "nc-error.h"
#include "network-xml.h"

void
nc_dnsmasq_conf_clear(NcDnsmasqConf *conf)
{
  g_clear_pointer(&conf->conf, g_free);
  g_clear_pointer(&conf->hostsfile, g_free);
  g_clear_pointer(&conf->addnhosts, g_free);
  conf->needed = FALSE;
}

char *
nc_dnsmasq_file_base(const char *network_name)
{
  GString *out = g_string_new(NULL);
  for (const char *p = network_name; *p != '\0'; p++) {
    switch (*p) {
    case '<': g_string_append(out, "&lt;"); break;
    case '>': g_string_append(out, "&gt;"); break;
    case '&': g_string_append(out, "&amp;"); break;
    case '"': g_string_append(out, "&quot;"); break;
    case '\'': g_string_append(out, "&apos;"); break;
    default: g_string_append_c(out, *p); break;
    }
  }
  return g_string_free(out, FALSE);
}

/* dnsmasq's lease suffix: "infinite" or <N><first letter of the unit>. */
static char *
lease_string(const NcLease *lease)
{
  if (!lease->has_lease)
    return NULL;
  if (lease->expiry == 0)
    return g_strdup("infinite");
  NcLeaseUnit unit = lease->unit == NC_LEASE_UNIT_ABSENT ? NC_LEASE_UNIT_MINUTES : lease->unit;
  return g_strdup_printf("%" G_GUINT64_FORMAT "%c", lease->expiry,
                         nc_lease_unit_to_string(unit)[0]);
}

char *
nc_dnsmasq_host_line(const NcDhcpHost *host, gboolean ipv6)
{
  g_autofree char *ip = nc_sockaddr_format(&host->ip);
  g_autofree char *lease = lease_string(&host->lease);
  GString *line = g_string_new(NULL);

  if (ipv6) {
    if (host->id != NULL)
      g_string_append_printf(line, "id:%s,", host->id);
    if (host->name != NULL)
      g_string_append_printf(line, "%s,", host->name);
    g_string_append_printf(line, "[%s]", ip);
  } else {
    if (host->has_mac) {
      char mac[18];
      nc_mac_format(&host->mac, mac);
      g_string_append_printf(line, "%s,", host->mac_text ? host->mac_text : mac);
    }
    g_string_append(line, ip);
    if (host->name != NULL)
      g_string_append_printf(line, ",%s", host->name);
  }
  if (lease != NULL)
    g_string_append_printf(line, ",%s", lease);
  return g_string_free(line, FALSE);
}

/* The reverse-lookup zone of a subnet ("122.168.192.in-addr.arpa"), or NULL
 * when the prefix is not on an octet (IPv4) or nibble (IPv6) boundary. */
static char *
ptr_domain(const NcSockAddr *addr, int prefix)
{
  GString *zone = g_string_new(NULL);

  if (addr->family == AF_INET) {
    if (prefix <= 0 || prefix > 32 || prefix % 8 != 0)
      return (g_string_free(zone, TRUE), NULL);
    const guint8 *b = (const guint8 *)&addr->u.v4;
    for (int i = prefix / 8 - 1; i >= 0; i--)
      g_string_append_printf(zone, "%u.", b[i]);
    g_string_append(zone, "in-addr.arpa");
  } else {
    if (prefix <= 0 || prefix > 128 || prefix % 4 != 0)
      return (g_string_free(zone, TRUE), NULL);
    const guint8 *b = addr->u.v6.s6_addr;
    for (int i = prefix / 4 - 1; i >= 0; i--)
      g_string_append_printf(zone, "%x.", (i % 2 == 0) ? b[i / 2] >> 4 : b[i / 2] & 0xf);
    g_string_append(zone, "ip6.arpa");
  }
  return g_string_free(zone, FALSE);
}

static gboolean
ip_has_dhcp(const NcIpDef *ip)
{
  return ip->ranges->len > 0 || ip->hosts->len > 0;
}

static void
append_header(GString *c, const NcNetworkDef *def)
{
  g_string_append_printf(c,
                         "##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
                         "##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:\n"
                         "##    virsh net-edit %s\n"
                         "## or other application using the libvirt API.\n"
                         "##\n## dnsmasq conf file created by libvirt\n"
                         "strict-order\n",
                         def->name);
}

static void
append_forwarders(GString *c, const NcDns *dns)
{
  gboolean no_resolv = FALSE;

  for (guint i = 0; i < dns->forwarders->len; i++) {
    const NcDnsForwarder *fwd = dns->forwarders->pdata[i];
    g_string_append(c, "server=");
    if (fwd->domain != NULL)
      g_string_append_printf(c, "/%s/", fwd->domain);
    if (nc_sockaddr_is_set(&fwd->addr)) {
      g_autofree char *addr = nc_sockaddr_format(&fwd->addr);
      g_string_append_printf(c, "%s\n", addr);
      /* an address without a domain takes every unclaimed query */
      if (fwd->domain == NULL)
        no_resolv = TRUE;
    } else {
      g_string_append(c, "#\n"); /* "don't forward requests for this domain" */
    }
  }
  if (no_resolv)
    g_string_append(c, "no-resolv\n");
}

static gboolean
append_local_ptrs(GString *c, const NcNetworkDef *def, GError **error)
{
  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip->local_ptr != NC_TRISTATE_YES)
      continue;
    int prefix = nc_ip_def_prefix(ip);
    g_autofree char *zone = ptr_domain(&ip->address, prefix);
    if (zone == NULL) {
      nc_xml_set_error(error, NC_ERROR_CONFIG_UNSUPPORTED, def->source_file, ip->line, def->name,
                       "<ip localPtr='yes'>: PTR domain for %s network with prefix %d cannot be "
                       "automatically created (the prefix must be a multiple of %d)",
                       ip->family == AF_INET ? "IPv4" : "IPv6", prefix,
                       ip->family == AF_INET ? 8 : 4);
      return FALSE;
    }
    g_string_append_printf(c, "local=/%s/\n", zone);
  }
  return TRUE;
}

static void
append_srv(GString *c, const NcDnsSrv *srv)
{
  g_string_append_printf(c, "srv-host=_%s._%s", srv->service, srv->protocol);
  if (srv->domain != NULL)
    g_string_append_printf(c, ".%s", srv->domain);
  /* No target, or ".", means "decidedly not available here" (RFC 2782):
   * port, priority and weight are then irrelevant. Later fields need the
   * earlier ones, so missing ones get dnsmasq's defaults (port 1). */
  if (srv->target != NULL && g_strcmp0(srv->target, ".") != 0) {
    g_string_append_printf(c, ",%s", srv->target);
    if (srv->port || srv->priority || srv->weight)
      g_string_append_printf(c, ",%u", srv->port ? srv->port : 1);
    if (srv->priority || srv->weight)
      g_string_append_printf(c, ",%u", srv->priority);
    if (srv->weight)
      g_string_append_printf(c, ",%u", srv->weight);
  }
  g_string_append_c(c, '\n');
}

/* DHCP lines for one <ip>; returns the number of leases its ranges hold. */
static gint64
append_dhcp(GString *c, GString *hosts, const NcIpDef *ip)
{
  int prefix = nc_ip_def_prefix(ip);
  gboolean v6 = ip->family == AF_INET6;
  gint64 leases = 0;

  for (guint r = 0; r < ip->ranges->len; r++) {
    const NcDhcpRange *range = ip->ranges->pdata[r];
    g_autofree char *start = nc_sockaddr_format(&range->start);
    g_autofree char *end = nc_sockaddr_format(&range->end);
    g_autofree char *lease = lease_string(&range->lease);

    if (v6) {
      g_string_append_printf(c, "dhcp-range=%s,%s,%d", start, end, prefix);
    } else {
      /* dnsmasq wants a netmask, not a prefix, for IPv4 */
      NcSockAddr mask;
      nc_sockaddr_prefix_to_netmask(AF_INET, prefix, &mask);
      g_autofree char *mask_str = nc_sockaddr_format(&mask);
      g_string_append_printf(c, "dhcp-range=%s,%s,%s", start, end, mask_str);
    }
    if (lease != NULL)
      g_string_append_printf(c, ",%s", lease);
    g_string_append_c(c, '\n');
    gint64 size = nc_sockaddr_range_size(&range->start, &range->end);
    if (size > 0)
      leases += size;
  }

  /* Static hosts only: dnsmasq still needs a range to serve DHCP at all. */
  if (ip->ranges->len == 0 && ip->hosts->len > 0) {
    g_autofree char *addr = nc_sockaddr_format(&ip->address);
    g_string_append_printf(c, "dhcp-range=%s,static", addr);
    if (v6)
      g_string_append_printf(c, ",%d", prefix);
    g_string_append_c(c, '\n');
  }

  for (guint h = 0; h < ip->hosts->len; h++) {
    const NcDhcpHost *host = ip->hosts->pdata[h];
    if (!nc_sockaddr_is_set(&host->ip))
      continue;
    g_autofree char *line = nc_dnsmasq_host_line(host, v6);
    g_string_append_printf(hosts, "%s\n", line);
  }

  if (!v6) {
    g_string_append(c, "dhcp-no-override\ndhcp-authoritative\n");
    if (ip->bootp_file != NULL) {
      if (nc_sockaddr_is_set(&ip->bootp_server)) {
        g_autofree char *server = nc_sockaddr_format(&ip->bootp_server);
        g_string_append_printf(c, "dhcp-boot=%s,,%s\n", ip->bootp_file, server);
      } else {
        g_string_append_printf(c, "dhcp-boot=%s\n", ip->bootp_file);
      }
    }
  }
  return leases;
}

static void
free_gstring(gpointer s)
{
  g_string_free(s, TRUE);
}

/* addn-hosts: one line per address, "ip<TAB>name<TAB>name...", addresses in
 * first-seen order with the names of every <host> for that address merged. */
static char *
build_addnhosts(const NcDns *dns)
{
  g_autoptr(GPtrArray) ips = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(free_gstring);
  GString *out = g_string_new(NULL);

  for (guint i = 0; i < dns->hosts->len; i++) {
    const NcDnsHost *host = dns->hosts->pdata[i];
    g_autofree char *ip = nc_sockaddr_format(&host->ip);
    guint idx;
    if (ip == NULL)
      continue;
    if (!g_ptr_array_find_with_equal_func(ips, ip, g_str_equal, &idx)) {
      g_ptr_array_add(ips, g_strdup(ip));
      g_ptr_array_add(lines, g_string_new(ip));
      idx = ips->len - 1;
    }
    for (guint n = 0; n < host->hostnames->len; n++)
      g_string_append_printf(lines->pdata[idx], "\t%s", (char *)host->hostnames->pdata[n]);
  }
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf(out, "%s\n", ((GString *)lines->pdata[i])->str);
  return g_string_free(out, FALSE);
}

gboolean
nc_dnsmasq_conf_build(const NcNetworkDef *def, const NcDnsmasqConfOptions *opts,
                      NcDnsmasqConf *ret_conf, GError **error)
{
  const NcDns *dns = &def->dns;
  gboolean want_dns = dns->enable != NC_TRISTATE_NO;
  g_autoptr(GString) c = g_string_new(NULL);
  g_autoptr(GString) hosts = g_string_new(NULL);
  const NcIpDef *ipv4 = NULL, *ipv6 = NULL;
  gint64 leases = 0;
  g_autofree char *file_base = nc_dnsmasq_file_base(def->name);

  append_header(c, def);
  if (!want_dns)
    g_string_append(c, "port=0\n");
  if (want_dns && dns->forwarders->len > 0)
    append_forwarders(c, dns);

  if (def->domain != NULL && def->domain->name != NULL) {
    if (def->domain->local_only == NC_TRISTATE_YES)
      g_string_append_printf(c, "local=/%s/\n", def->domain->name);
    g_string_append_printf(c, "domain=%s\nexpand-hosts\n", def->domain->name);
  }
  if (want_dns && !append_local_ptrs(c, def, error))
    return FALSE;
  if (want_dns && dns->forward_plain_names == NC_TRISTATE_NO)
    g_string_append(c, "domain-needed\nlocal=//\n");
  if (opts->pid_file != NULL)
    g_string_append_printf(c, "pid-file=%s\n", opts->pid_file);

  /* Answer only guests on our bridge (CVE-2012-3411): bind-dynamic checks
   * the arrival interface in dnsmasq, at the price of a rescan of the host's
   * addresses in every dnsmasq whenever any address changes; with our
   * firewall's guard the kernel checks it, and bind-interfaces is enough. */
  gboolean guarded = opts->bind == NC_DNSMASQ_BIND_AUTO && nc_fw_ruleset_guards_services(def);
  g_string_append_printf(c, "except-interface=lo\n%s\ninterface=%s\n",
                         guarded ? "bind-interfaces" : "bind-dynamic", def->bridge.name);

  /* Isolated: no default route for guests, no upstream DNS, and RA with a
   * zero router lifetime. */
  if (def->forward.mode == NC_FORWARD_NONE)
    g_string_append(c, "dhcp-option=3\nno-resolv\nra-param=*,0,0\n");

  if (want_dns) {
    for (guint i = 0; i < dns->txts->len; i++) {
      const NcDnsTxt *txt = dns->txts->pdata[i];
      g_string_append_printf(c, "txt-record=%s,%s\n", txt->name, txt->value);
    }
    for (guint i = 0; i < dns->srvs->len; i++)
      append_srv(c, dns->srvs->pdata[i]);
  }

  gboolean tftp = FALSE;
  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (ip->family != AF_INET || ip->tftp_root == NULL)
      continue;
    if (!tftp)
      g_string_append(c, "enable-tftp\n");
    tftp = TRUE;
    g_string_append_printf(c, "tftp-root=%s\n", ip->tftp_root);
  }

  for (guint i = 0; i < def->ips->len; i++) {
    const NcIpDef *ip = def->ips->pdata[i];
    if (!ip_has_dhcp(ip))
      continue;
    if (ip->family == AF_INET && ipv4 == NULL)
      ipv4 = ip;
    else if (ip->family == AF_INET6 && ipv6 == NULL)
      ipv6 = ip;
  }
  if (ipv4 != NULL)
    leases += append_dhcp(c, hosts, ipv4);
  if (ipv6 != NULL)
    leases += append_dhcp(c, hosts, ipv6);
  if (leases > 0)
    g_string_append_printf(c, "dhcp-lease-max=%" G_GINT64_FORMAT "\n", leases);

  /* Written even when empty, so hosts can be added at run time (SIGHUP). */
  if (ipv4 != NULL || ipv6 != NULL)
    g_string_append_printf(c, "dhcp-hostsfile=%s/%s.hostsfile\n", opts->dnsmasq_dir, file_base);
  if (want_dns)
    g_string_append_printf(c, "addn-hosts=%s/%s.addnhosts\n", opts->dnsmasq_dir, file_base);
  if (def->has_mtu && def->mtu > 0)
    g_string_append_printf(c, "dhcp-option=option:mtu,%u\n", def->mtu);

  /* Router advertisements: stateful with DHCPv6, else SLAAC per address. */
  if (ipv6 != NULL) {
    g_string_append(c, "enable-ra\n");
  } else {
    for (guint i = 0; i < def->ips->len; i++) {
      const NcIpDef *ip = def->ips->pdata[i];
      if (ip->family != AF_INET6 || ip_has_dhcp(ip))
        continue;
      g_autofree char *addr = nc_sockaddr_format(&ip->address);
      g_string_append_printf(c, "dhcp-range=%s,ra-only\n", addr);
    }
  }

  for (guint i = 0; i < def->dnsmasq_options->len; i++)
    g_string_append_printf(c, "%s\n", (char *)def->dnsmasq_options->pdata[i]);

  /* Like libvirt: dnsmasq runs when there is an address, unless it would
   * have nothing to do (no DHCP and DNS disabled). */
  ret_conf->needed = def->ips->len > 0 && (ipv4 != NULL || ipv6 != NULL || want_dns);
  ret_conf->conf = g_string_free(g_steal_pointer(&c), FALSE);
  ret_conf->hostsfile = hosts->len > 0 ? g_string_free(g_steal_pointer(&hosts), FALSE) : NULL;
  ret_conf->addnhosts = build_addnhosts(dns);
  return TRUE;
}
