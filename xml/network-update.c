/* net-update on the model: libvirt's virNetworkDefUpdateSection and the
 * per-section virNetworkDefUpdate* functions (network_conf.c, 10.x), with
 * libvirt's matching rules and messages, plus checks libvirt does not make
 * (see network-update.h for which).
 *
 * Every change is made on a copy of the definition, checked, and only then
 * swapped in, so a refused update leaves the caller's definition untouched. */
#include "network-update.h"

#include <stdarg.h>
#include <string.h>

#include "nc-error.h"
#include "network-check-names.h"
#include "network-netctl-ovs.h"
#include "network-xml.h"

/* -- string tables --------------------------------------------------------- */

static const char *const command_names[] = {
  "none", "modify", "delete", "add-last", "add-first",
};
G_STATIC_ASSERT(G_N_ELEMENTS(command_names) == _NC_NETWORK_UPDATE_COMMAND_MAX);

static const char *const section_names[] = {
  "none",         "bridge",        "domain",   "ip",
  "ip-dhcp-host", "ip-dhcp-range", "forward",  "forward-interface",
  "forward-pf",   "portgroup",     "dns-host", "dns-txt",
  "dns-srv",
};
G_STATIC_ASSERT(G_N_ELEMENTS(section_names) == _NC_NETWORK_SECTION_MAX);

/* netctl's sections, index = value - NC_NETWORK_SECTION_NETCTL_FIRST */
static const char *const netctl_section_names[] = {
  "netctl-mirror",
  "netctl-netflow",
  "netctl-sflow",
};
G_STATIC_ASSERT(G_N_ELEMENTS(netctl_section_names)
                == _NC_NETWORK_SECTION_NETCTL_MAX - NC_NETWORK_SECTION_NETCTL_FIRST);

static gboolean
is_netctl_section(guint section)
{
  return section >= NC_NETWORK_SECTION_NETCTL_FIRST && section < _NC_NETWORK_SECTION_NETCTL_MAX;
}

const char *
nc_network_update_command_to_string(NcNetworkUpdateCommand v)
{
  return (guint)v < _NC_NETWORK_UPDATE_COMMAND_MAX ? command_names[v] : NULL;
}

int
nc_network_update_command_from_string(const char *s)
{
  if (!s)
    return -1;
  /* virsh: "add" is a synonym for "add-last". */
  if (strcmp(s, "add") == 0)
    return NC_NETWORK_UPDATE_COMMAND_ADD_LAST;
  for (int i = 1; i < _NC_NETWORK_UPDATE_COMMAND_MAX; i++)
    if (strcmp(s, command_names[i]) == 0)
      return i;
  return -1;
}

const char *
nc_network_update_section_to_string(NcNetworkUpdateSection v)
{
  if (is_netctl_section(v))
    return netctl_section_names[v - NC_NETWORK_SECTION_NETCTL_FIRST];
  return (guint)v < _NC_NETWORK_SECTION_MAX ? section_names[v] : NULL;
}

int
nc_network_update_section_from_string(const char *s)
{
  if (!s)
    return -1;
  for (int i = 1; i < _NC_NETWORK_SECTION_MAX; i++)
    if (strcmp(s, section_names[i]) == 0)
      return i;
  for (guint i = 0; i < G_N_ELEMENTS(netctl_section_names); i++)
    if (strcmp(s, netctl_section_names[i]) == 0)
      return (int)(NC_NETWORK_SECTION_NETCTL_FIRST + i);
  return -1;
}

/* -- common ------------------------------------------------------------------ */

typedef struct {
  NcNetworkDef *def; /* the working copy */
  guint command;
  int parent_index;
  const char *xml;
  char *name; /* def->name escaped, for messages */
} Update;

static gboolean fail(const Update *u, GError **error, int code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static gboolean
fail(const Update *u, GError **error, int code, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, NC_ERROR, code, "network '%s': %s", u->name, msg);
  return FALSE;
}

static gboolean
is_add(const Update *u)
{
  return u->command == NC_NETWORK_UPDATE_COMMAND_ADD_FIRST
         || u->command == NC_NETWORK_UPDATE_COMMAND_ADD_LAST;
}

static void
insert(const Update *u, GPtrArray *array, gpointer item)
{
  if (u->command == NC_NETWORK_UPDATE_COMMAND_ADD_FIRST)
    g_ptr_array_insert(array, 0, item);
  else
    g_ptr_array_add(array, item);
}

/* Swaps element @i of @array for @item, freeing the old one. */
static void
replace(GPtrArray *array, guint i, gpointer item)
{
  g_ptr_array_remove_index(array, i);
  g_ptr_array_insert(array, (gint)i, item);
}

static char *
addr_str(const NcSockAddr *addr)
{
  return nc_sockaddr_is_set(addr) ? nc_sockaddr_format(addr) : g_strdup("unknown");
}

/* Runs the define-time rules on one new DHCP or DNS entry, alone in a scratch
 * definition (an isolated network with a copy of the entry's <ip>, or only
 * the <dns> record): the entry is judged as define would judge it, without
 * re-judging the rest of a definition that may predate our rules. The entry
 * is borrowed and given back. Messages name the snippet's line. */
static gboolean
check_entry(const Update *u, const NcIpDef *ip, NcDhcpRange *range, NcDhcpHost *dhcp_host,
            NcDnsHost *dns_host, NcDnsTxt *txt, NcDnsSrv *srv, GError **error)
{
  g_autoptr(NcNetworkDef) scratch = nc_network_def_new();
  NcIpDef *sip = NULL;
  gboolean ok;

  scratch->name = g_strdup(u->def->name);
  scratch->has_uuid = TRUE;
  memcpy(scratch->uuid, u->def->uuid, NC_UUID_LEN);
  if (ip) {
    sip = nc_ip_def_new();
    sip->family_attr = ip->family_attr;
    sip->family = ip->family;
    sip->address = ip->address;
    sip->netmask = ip->netmask;
    sip->has_prefix = ip->has_prefix;
    sip->prefix = ip->prefix;
    sip->has_dhcp = TRUE;
    g_ptr_array_add(scratch->ips, sip);
    if (range)
      g_ptr_array_add(sip->ranges, range);
    if (dhcp_host)
      g_ptr_array_add(sip->hosts, dhcp_host);
  }
  if (dns_host || txt || srv) {
    scratch->dns.has_element = TRUE;
    scratch->dns.enable = u->def->dns.enable;
    if (dns_host)
      g_ptr_array_add(scratch->dns.hosts, dns_host);
    if (txt)
      g_ptr_array_add(scratch->dns.txts, txt);
    if (srv)
      g_ptr_array_add(scratch->dns.srvs, srv);
  }

  ok = nc_network_def_check(scratch, error);

  if (range)
    g_ptr_array_steal_index(sip->ranges, 0);
  if (dhcp_host)
    g_ptr_array_steal_index(sip->hosts, 0);
  if (dns_host)
    g_ptr_array_steal_index(scratch->dns.hosts, 0);
  if (txt)
    g_ptr_array_steal_index(scratch->dns.txts, 0);
  if (srv)
    g_ptr_array_steal_index(scratch->dns.srvs, 0);
  return ok;
}

/* -- <ip><dhcp> ---------------------------------------------------------------- */

/* libvirt's virNetworkIPDefByIndex. */
static NcIpDef *
ip_by_index(const Update *u, const char *what, GError **error)
{
  GPtrArray *ips = u->def->ips;

  if (u->parent_index >= 0) {
    if ((guint)u->parent_index < ips->len)
      return g_ptr_array_index(ips, u->parent_index);
    fail(u, error, NC_ERROR_OPERATION_INVALID,
         "couldn't update dhcp %s entry - no <ip> element found at index %d", what,
         u->parent_index);
    return NULL;
  }
  /* -1: the one <ip> that has DHCP entries, else the first IPv4, else the
   * first IPv6. */
  for (guint i = 0; i < ips->len; i++) {
    NcIpDef *ip = g_ptr_array_index(ips, i);
    if (ip->ranges->len || ip->hosts->len)
      return ip;
  }
  for (guint i = 0; i < ips->len; i++) {
    NcIpDef *ip = g_ptr_array_index(ips, i);
    if (ip->address.family == AF_INET)
      return ip;
  }
  for (guint i = 0; i < ips->len; i++) {
    NcIpDef *ip = g_ptr_array_index(ips, i);
    if (ip->address.family == AF_INET6)
      return ip;
  }
  fail(u, error, NC_ERROR_OPERATION_INVALID,
       "couldn't update dhcp %s entry - no <ip> element found", what);
  return NULL;
}

/* libvirt's virNetworkDefUpdateCheckMultiDHCP: adding DHCP entries to an <ip>
 * is refused while another <ip> of its family has some. */
static gboolean
check_multi_dhcp(const Update *u, const NcIpDef *ip, GError **error)
{
  int family = ip->address.family;

  for (guint i = 0; i < u->def->ips->len; i++) {
    const NcIpDef *other = g_ptr_array_index(u->def->ips, i);
    if (other != ip && other->address.family == family && (other->ranges->len || other->hosts->len))
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "dhcp is supported only for a single %s address on each network",
                  family == AF_INET ? "IPv4" : "IPv6");
  }
  return TRUE;
}

static gboolean
mac_equal(const NcDhcpHost *a, const NcDhcpHost *b)
{
  return a->has_mac && b->has_mac && memcmp(&a->mac, &b->mac, sizeof(a->mac)) == 0;
}

/* Any of mac, name or ip in common: what add refuses and modify looks for. */
static gboolean
dhcp_host_overlaps(const NcDhcpHost *key, const NcDhcpHost *h)
{
  return mac_equal(key, h) || (key->name && g_strcmp0(key->name, h->name) == 0)
         || nc_sockaddr_equal(&key->ip, &h->ip);
}

/* Every attribute the key gives matches: what delete looks for. An entry
 * without a MAC matches any MAC, as in libvirt. */
static gboolean
dhcp_host_matches(const NcDhcpHost *key, const NcDhcpHost *h)
{
  return (!key->has_mac || !h->has_mac || mac_equal(key, h))
         && (!key->name || g_strcmp0(key->name, h->name) == 0)
         && (!nc_sockaddr_is_set(&key->ip) || nc_sockaddr_equal(&key->ip, &h->ip));
}

static gboolean
duplicate_dhcp_host(const Update *u, const NcIpDef *ip, const NcDhcpHost *host, gint skip,
                    GError **error)
{
  for (guint i = 0; i < ip->hosts->len; i++) {
    const NcDhcpHost *h = g_ptr_array_index(ip->hosts, i);
    char mac[18] = "unknown";
    g_autofree char *addr = NULL;
    g_autofree char *name = NULL;

    if ((gint)i == skip || !dhcp_host_overlaps(host, h))
      continue;
    if (host->has_mac)
      nc_mac_format(&host->mac, mac);
    addr = addr_str(&host->ip);
    name = nc_name_escape(host->name);
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "there is an existing dhcp host entry that matches "
                "\"<host mac='%s' name='%s' ip='%s'/>\"",
                mac, name, addr);
  }
  return TRUE;
}

static gboolean
update_dhcp_host(Update *u, GError **error)
{
  NcIpDef *ip = ip_by_index(u, "host", error);
  g_autoptr(NcDhcpHost) host = NULL;
  gboolean partial = u->command == NC_NETWORK_UPDATE_COMMAND_DELETE;
  guint i;

  if (!ip || !nc_network_section_parse_dhcp_host(u->xml, ip, partial, u->def->name, &host, error))
    return FALSE;
  if (!partial && host->ip.family != ip->address.family)
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "the address family of a host entry IP must match the address family of the "
                "dhcp element's parent");

  switch ((NcNetworkUpdateCommand)u->command) {
  case NC_NETWORK_UPDATE_COMMAND_MODIFY:
    for (i = 0; i < ip->hosts->len; i++)
      if (dhcp_host_overlaps(host, g_ptr_array_index(ip->hosts, i)))
        break;
    if (i == ip->hosts->len) {
      char mac[18] = "unknown";
      g_autofree char *addr = addr_str(&host->ip);
      g_autofree char *name = nc_name_escape(host->name);
      if (host->has_mac)
        nc_mac_format(&host->mac, mac);
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "couldn't locate an existing dhcp host entry with \"mac='%s'\" "
                  "\"name='%s'\" \"ip='%s'\"",
                  mac, name, addr);
    }
    /* Stricter than libvirt: the new entry may not collide with another one
     * (dnsmasq would get two dhcp-host lines for one MAC or name). */
    if (!duplicate_dhcp_host(u, ip, host, (gint)i, error)
        || !check_entry(u, ip, NULL, host, NULL, NULL, NULL, error))
      return FALSE;
    host->line = 0;
    replace(ip->hosts, i, g_steal_pointer(&host));
    return TRUE;
  case NC_NETWORK_UPDATE_COMMAND_ADD_FIRST:
  case NC_NETWORK_UPDATE_COMMAND_ADD_LAST:
    if (!check_multi_dhcp(u, ip, error) || !duplicate_dhcp_host(u, ip, host, -1, error)
        || !check_entry(u, ip, NULL, host, NULL, NULL, NULL, error))
      return FALSE;
    host->line = 0;
    insert(u, ip->hosts, g_steal_pointer(&host));
    return TRUE;
  case NC_NETWORK_UPDATE_COMMAND_DELETE:
    for (i = 0; i < ip->hosts->len; i++)
      if (dhcp_host_matches(host, g_ptr_array_index(ip->hosts, i)))
        break;
    if (i == ip->hosts->len)
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "couldn't locate a matching dhcp host entry");
    g_ptr_array_remove_index(ip->hosts, i);
    return TRUE;
  case NC_NETWORK_UPDATE_COMMAND_NONE:
  case _NC_NETWORK_UPDATE_COMMAND_MAX:
    break;
  }
  g_assert_not_reached();
}

static gboolean
update_dhcp_range(Update *u, GError **error)
{
  NcIpDef *ip = ip_by_index(u, "range", error);
  g_autoptr(NcDhcpRange) range = NULL;
  guint i;

  if (!ip)
    return FALSE;
  if (u->command == NC_NETWORK_UPDATE_COMMAND_MODIFY)
    return fail(u, error, NC_ERROR_OPERATION_UNSUPPORTED,
                "dhcp ranges cannot be modified, only added or deleted");
  if (!nc_network_section_parse_dhcp_range(u->xml, u->def->name, &range, error))
    return FALSE;
  if (range->start.family != ip->address.family)
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "the address family of a dhcp range must match the address family of the dhcp "
                "element's parent");

  for (i = 0; i < ip->ranges->len; i++) {
    const NcDhcpRange *r = g_ptr_array_index(ip->ranges, i);
    if (nc_sockaddr_equal(&range->start, &r->start) && nc_sockaddr_equal(&range->end, &r->end))
      break;
  }

  if (is_add(u)) {
    if (!check_multi_dhcp(u, ip, error))
      return FALSE;
    if (i < ip->ranges->len) {
      g_autofree char *s = addr_str(&range->start);
      g_autofree char *e = addr_str(&range->end);
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "there is an existing dhcp range entry that matches "
                  "\"<range start='%s' end='%s'/>\"",
                  s, e);
    }
    /* libvirt checks the range against the subnet while parsing it. */
    if (!check_entry(u, ip, range, NULL, NULL, NULL, NULL, error))
      return FALSE;
    range->line = 0;
    insert(u, ip->ranges, g_steal_pointer(&range));
    return TRUE;
  }
  if (i == ip->ranges->len)
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "couldn't locate a matching dhcp range entry");
  g_ptr_array_remove_index(ip->ranges, i);
  return TRUE;
}

/* -- <forward><interface> ------------------------------------------------------ */

/* The model may hold <forward dev='X'> without an interface list; libvirt
 * treats it as a first <interface dev='X'/>, and so must the update. */
static void
materialize_forward_dev(NcForward *fwd)
{
  if (fwd->ifs->len == 0 && fwd->dev && !fwd->pf && fwd->addrs->len == 0) {
    NcForwardIf *fi = g_new0(NcForwardIf, 1);
    fi->dev = g_strdup(fwd->dev);
    g_ptr_array_add(fwd->ifs, fi);
  }
}

static gboolean
update_forward_interface(Update *u, GError **error)
{
  NcForward *fwd = &u->def->forward;
  g_autoptr(NcForwardIf) fi = NULL;
  g_autofree char *dev = NULL;
  guint i;

  if (u->command == NC_NETWORK_UPDATE_COMMAND_MODIFY)
    return fail(u, error, NC_ERROR_OPERATION_UNSUPPORTED,
                "forward interface entries cannot be modified, only added or deleted");
  if (!nc_network_section_parse_forward_interface(u->xml, u->def->name, &fi, error))
    return FALSE;
  dev = nc_name_escape(fi->dev);

  materialize_forward_dev(fwd);
  for (i = 0; i < fwd->ifs->len; i++)
    if (g_strcmp0(fi->dev, ((NcForwardIf *)g_ptr_array_index(fwd->ifs, i))->dev) == 0)
      break;

  if (is_add(u)) {
    if (i < fwd->ifs->len)
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "there is an existing interface entry that matches \"<interface dev='%s'>\"",
                  dev);
    fi->line = 0;
    fi->connections = 0;
    insert(u, fwd->ifs, g_steal_pointer(&fi));
  } else {
    const NcForwardIf *old;
    if (i == fwd->ifs->len)
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "couldn't find an interface entry matching <interface dev='%s'>", dev);
    old = g_ptr_array_index(fwd->ifs, i);
    if (old->connections > 0)
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "unable to delete interface '%s': it is currently being used by %u domains", dev,
                  old->connections);
    g_ptr_array_remove_index(fwd->ifs, i);
  }

  /* dev= is the first interface (libvirt's virNetworkDefForwardIf(def, 0)). */
  if (!fwd->pf) {
    g_free(fwd->dev);
    fwd->dev
        = fwd->ifs->len ? g_strdup(((NcForwardIf *)g_ptr_array_index(fwd->ifs, 0))->dev) : NULL;
  }
  return TRUE;
}

/* -- <portgroup> ----------------------------------------------------------------- */

static gboolean
update_portgroup(Update *u, GError **error)
{
  GPtrArray *pgs = u->def->portgroups;
  g_autoptr(NcPortGroup) pg = NULL;
  g_autofree char *pgname = NULL;
  gint found = -1, found_default = -1;

  if (!nc_network_section_parse_portgroup(u->xml, u->def->name, &pg, error))
    return FALSE;
  pgname = nc_name_escape(pg->name);
  for (guint i = 0; i < pgs->len; i++) {
    const NcPortGroup *p = g_ptr_array_index(pgs, i);
    if (g_strcmp0(p->name, pg->name) == 0)
      found = (gint)i;
    if (p->is_default)
      found_default = (gint)i;
  }

  if (found < 0 && !is_add(u))
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "couldn't find a portgroup entry matching <portgroup name='%s'>", pgname);
  if (found >= 0 && is_add(u))
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "there is an existing portgroup entry that matches \"<portgroup name='%s'>\"",
                pgname);
  if (u->command != NC_NETWORK_UPDATE_COMMAND_DELETE && pg->is_default && found_default >= 0
      && found_default != found)
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "a different portgroup entry is already set as the default. Only one default "
                "is allowed.");

  pg->line = 0;
  if (u->command == NC_NETWORK_UPDATE_COMMAND_MODIFY)
    replace(pgs, (guint)found, g_steal_pointer(&pg));
  else if (is_add(u))
    insert(u, pgs, g_steal_pointer(&pg));
  else
    g_ptr_array_remove_index(pgs, (guint)found);
  return TRUE;
}

/* -- <dns> ------------------------------------------------------------------------ */

static gboolean
hostnames_overlap(const NcDnsHost *a, const NcDnsHost *b)
{
  for (guint i = 0; i < a->hostnames->len; i++)
    for (guint j = 0; j < b->hostnames->len; j++)
      if (g_strcmp0(a->hostnames->pdata[i], b->hostnames->pdata[j]) == 0)
        return TRUE;
  return FALSE;
}

static gboolean
update_dns_host(Update *u, GError **error)
{
  GPtrArray *hosts = u->def->dns.hosts;
  g_autoptr(NcDnsHost) host = NULL;
  gint found = -1, found_by_ip = -1;
  guint count = 0;

  if (!nc_network_section_parse_dns_host(u->xml, !is_add(u), u->def->name, &host, error))
    return FALSE;

  for (guint i = 0; i < hosts->len; i++) {
    const NcDnsHost *h = g_ptr_array_index(hosts, i);
    gboolean match = nc_sockaddr_equal(&host->ip, &h->ip);

    if (match)
      found_by_ip = (gint)i;
    /* libvirt >= 10.6: add and modify look at the address only (several
     * addresses may share a name); delete also at the names. */
    if (!match && u->command == NC_NETWORK_UPDATE_COMMAND_DELETE)
      match = hostnames_overlap(host, h);
    if (match) {
      count++;
      found = (gint)i;
    }
  }

  if (is_add(u)) {
    if (count > 0)
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "there is already at least one DNS HOST record with a matching field");
    if (!check_entry(u, NULL, NULL, NULL, host, NULL, NULL, error))
      return FALSE;
    host->line = 0;
    insert(u, hosts, g_steal_pointer(&host));
    return TRUE;
  }
  if (count == 0)
    return fail(u, error, NC_ERROR_OPERATION_INVALID, "couldn't locate a matching DNS HOST record");
  if (count > 1)
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "multiple matching DNS HOST records were found");
  if (u->command == NC_NETWORK_UPDATE_COMMAND_DELETE) {
    g_ptr_array_remove_index(hosts, (guint)found);
    return TRUE;
  }
  if (!check_entry(u, NULL, NULL, NULL, host, NULL, NULL, error))
    return FALSE;
  host->line = 0;
  replace(hosts, (guint)found_by_ip, g_steal_pointer(&host));
  return TRUE;
}

static gboolean
update_dns_txt(Update *u, GError **error)
{
  GPtrArray *txts = u->def->dns.txts;
  g_autoptr(NcDnsTxt) txt = NULL;
  g_autofree char *name = NULL;
  guint i;

  if (!nc_network_section_parse_dns_txt(u->xml, !is_add(u), u->def->name, &txt, error))
    return FALSE;
  name = nc_name_escape(txt->name);
  for (i = 0; i < txts->len; i++)
    if (g_strcmp0(txt->name, ((NcDnsTxt *)g_ptr_array_index(txts, i))->name) == 0)
      break;

  if (is_add(u)) {
    if (i < txts->len)
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "there is already a DNS TXT record with name '%s'", name);
    if (!check_entry(u, NULL, NULL, NULL, NULL, txt, NULL, error))
      return FALSE;
    txt->line = 0;
    insert(u, txts, g_steal_pointer(&txt));
    return TRUE;
  }
  if (i == txts->len)
    return fail(u, error, NC_ERROR_OPERATION_INVALID, "couldn't locate a matching DNS TXT record");
  if (u->command == NC_NETWORK_UPDATE_COMMAND_DELETE) {
    g_ptr_array_remove_index(txts, i);
    return TRUE;
  }
  if (!txt->value)
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "missing value of modifying DNS TXT record '%s'", name);
  if (!check_entry(u, NULL, NULL, NULL, NULL, txt, NULL, error))
    return FALSE;
  txt->line = 0;
  replace(txts, i, g_steal_pointer(&txt));
  return TRUE;
}

/* Every field the key gives is equal (libvirt compares these four). */
static gboolean
srv_matches(const NcDnsSrv *key, const NcDnsSrv *s)
{
  return (!key->domain || g_strcmp0(key->domain, s->domain) == 0)
         && (!key->service || g_strcmp0(key->service, s->service) == 0)
         && (!key->protocol || g_strcmp0(key->protocol, s->protocol) == 0)
         && (!key->target || g_strcmp0(key->target, s->target) == 0);
}

static gboolean
update_dns_srv(Update *u, GError **error)
{
  GPtrArray *srvs = u->def->dns.srvs;
  g_autoptr(NcDnsSrv) srv = NULL;
  gint found = -1;
  guint count = 0;

  if (!nc_network_section_parse_dns_srv(u->xml, !is_add(u), u->def->name, &srv, error))
    return FALSE;
  for (guint i = 0; i < srvs->len; i++) {
    if (srv_matches(srv, g_ptr_array_index(srvs, i))) {
      count++;
      found = (gint)i;
    }
  }

  if (is_add(u)) {
    if (count > 0)
      return fail(u, error, NC_ERROR_OPERATION_INVALID,
                  "there is already at least one DNS SRV record matching all specified fields");
    if (!check_entry(u, NULL, NULL, NULL, NULL, NULL, srv, error))
      return FALSE;
    srv->line = 0;
    insert(u, srvs, g_steal_pointer(&srv));
    return TRUE;
  }
  if (count == 0)
    return fail(u, error, NC_ERROR_OPERATION_INVALID, "couldn't locate a matching DNS SRV record");
  if (count > 1)
    return fail(u, error, NC_ERROR_OPERATION_INVALID,
                "multiple DNS SRV records matching all specified fields were found");
  if (u->command == NC_NETWORK_UPDATE_COMMAND_DELETE) {
    g_ptr_array_remove_index(srvs, (guint)found);
    return TRUE;
  }
  /* modify (newer libvirt): the given record replaces the one it matches. */
  if (!check_entry(u, NULL, NULL, NULL, NULL, NULL, srv, error))
    return FALSE;
  srv->line = 0;
  replace(srvs, (guint)found, g_steal_pointer(&srv));
  return TRUE;
}

/* -- entry point ------------------------------------------------------------------- */

static void
swap_defs(NcNetworkDef *a, NcNetworkDef *b)
{
  NcNetworkDef tmp = *a;
  *a = *b;
  *b = tmp;
}

static gboolean
apply(Update *u, guint section, GError **error)
{
  switch ((NcNetworkUpdateSection)section) {
  case NC_NETWORK_SECTION_IP_DHCP_HOST:
    return update_dhcp_host(u, error);
  case NC_NETWORK_SECTION_IP_DHCP_RANGE:
    return update_dhcp_range(u, error);
  case NC_NETWORK_SECTION_FORWARD_INTERFACE:
    return update_forward_interface(u, error);
  case NC_NETWORK_SECTION_PORTGROUP:
    return update_portgroup(u, error);
  case NC_NETWORK_SECTION_DNS_HOST:
    return update_dns_host(u, error);
  case NC_NETWORK_SECTION_DNS_TXT:
    return update_dns_txt(u, error);
  case NC_NETWORK_SECTION_DNS_SRV:
    return update_dns_srv(u, error);
  case NC_NETWORK_SECTION_BRIDGE:
  case NC_NETWORK_SECTION_DOMAIN:
  case NC_NETWORK_SECTION_IP:
  case NC_NETWORK_SECTION_FORWARD:
  case NC_NETWORK_SECTION_FORWARD_PF: {
    /* libvirt names these with spaces ("forward pf"). */
    g_autofree char *what = g_strdup(section_names[section]);
    g_strdelimit(what, "-", ' ');
    return fail(u, error, NC_ERROR_OPERATION_UNSUPPORTED, "can't update '%s' section", what);
  }
  case NC_NETWORK_SECTION_NONE:
  case _NC_NETWORK_SECTION_MAX:
    break;
  }
  if (is_netctl_section(section))
    return nc_netctl_ovs_update(u->def, u->command, section, u->xml, error);
  return fail(u, error, NC_ERROR_OPERATION_UNSUPPORTED,
              "can't update unrecognized section (%u) of network", section);
}

gboolean
nc_network_def_update(NcNetworkDef *def, guint command, guint section, int parent_index,
                      const char *xml, GError **error)
{
  g_autoptr(NcNetworkDef) work = NULL;
  g_autofree char *name = nc_name_escape(def->name);
  Update u = { .command = command, .parent_index = parent_index, .xml = xml, .name = name };
  gboolean was_valid = FALSE;

  g_return_val_if_fail(def != NULL, FALSE);

  if (((section > NC_NETWORK_SECTION_NONE && section < _NC_NETWORK_SECTION_MAX)
       || is_netctl_section(section))
      && (command == NC_NETWORK_UPDATE_COMMAND_NONE || command >= _NC_NETWORK_UPDATE_COMMAND_MAX))
    return fail(&u, error, NC_ERROR_OPERATION_UNSUPPORTED,
                "unrecognized network update command code %u", command);
  if (!xml) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "network '%s': no update XML given", name);
    return FALSE;
  }

  /* Portgroup rules are spread over the whole check (mode, vlan, virtualport):
   * a definition that passed it must still pass it. */
  if (section == NC_NETWORK_SECTION_PORTGROUP)
    was_valid = nc_network_def_check(def, NULL);

  work = nc_network_def_copy(def);
  u.def = work;
  if (!apply(&u, section, error))
    return FALSE;

  /* Whatever reaches dnsmasq, a command line or a file name is checked on
   * every update: update must not let in what define refuses. */
  if (!nc_network_def_check_names(work, error))
    return FALSE;
  if (was_valid && !nc_network_def_check(work, error))
    return FALSE;

  swap_defs(def, work);
  return TRUE;
}
