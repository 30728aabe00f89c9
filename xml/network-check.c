/* Semantic checks of a parsed network definition.
 *
 * These are the rules of libvirt's virNetworkDefParseXML post-parse checks
 * (src/conf/network_conf.c and the shared netdev_*_conf.c parsers) and of the
 * network driver's networkValidate (bridge_driver.c), applied to the model so
 * that a definition built or changed in memory (net-update) is checked the
 * same way as one read from a file. Our stricter injection checks run last
 * (network-check-names.c).
 *
 * This file holds the message helpers and the rules about the forward mode,
 * <forward>, <bridge>, <mac>, <mtu>, <bandwidth>, <vlan>, <virtualport> and
 * <portgroup>; <ip>/<route> are in network-check-ip.c, <dns>/<domain> in
 * network-check-dns.c. */
#include "network-check-priv.h"
#include "network-check-names.h"

#include <stdarg.h>

void
nc_check_init(NcCheck *c, const NcNetworkDef *def)
{
  const char *mode = nc_forward_mode_to_string(def->forward.mode);

  c->def = def;
  c->file = def->source_file;
  c->name = nc_name_escape(def->name);
  c->mode = mode ? mode : "none";
}

void
nc_check_clear(NcCheck *c)
{
  g_clear_pointer(&c->name, g_free);
}

gboolean
nc_check_fail(const NcCheck *c, GError **error, int code, guint line, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  nc_xml_set_error(error, code, c->file, line, c->name, "%s", msg);
  return FALSE;
}

char *
nc_check_addr(const NcSockAddr *addr)
{
  if (!nc_sockaddr_is_set(addr))
    return g_strdup("(none)");
  return nc_sockaddr_format(addr);
}

/* -- forward mode vs. the rest of the definition ---------------------------- */

/* The four modes in which libvirt itself creates and addresses the bridge. */
static gboolean
mode_is_l3(NcForwardMode mode)
{
  switch (mode) {
  case NC_FORWARD_NONE:
  case NC_FORWARD_NAT:
  case NC_FORWARD_ROUTE:
  case NC_FORWARD_OPEN:
    return TRUE;
  case NC_FORWARD_BRIDGE:
  case NC_FORWARD_PRIVATE:
  case NC_FORWARD_VEPA:
  case NC_FORWARD_PASSTHROUGH:
  case NC_FORWARD_HOSTDEV:
  case _NC_FORWARD_MAX:
    break;
  }
  return FALSE;
}

/* Number of forward devices as libvirt counts them: <forward dev=> makes an
 * interface when no <interface> children are given. */
static guint
forward_if_count(const NcForward *fwd)
{
  guint n = fwd->ifs ? fwd->ifs->len : 0;

  if (n == 0 && fwd->dev)
    n = 1;
  return n;
}

static guint
forward_line(const NcCheck *c)
{
  return c->def->forward.line;
}

/* virNetworkDefParseXML's switch on the forward type, plus its mtu check. */
static gboolean
check_mode_parse_rules(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;
  const NcForward *fwd = &def->forward;
  const NcBridge *br = &def->bridge;
  guint nifs = forward_if_count(fwd);
  guint brline = br->line ? br->line : forward_line(c);

  switch (fwd->mode) {
  case NC_FORWARD_NONE:
    break;

  case NC_FORWARD_NAT:
  case NC_FORWARD_ROUTE:
  case NC_FORWARD_OPEN:
    /* L3 forwarding without an address on the bridge has nothing to forward. */
    if (!def->ips || def->ips->len == 0)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, forward_line(c),
                           "<forward mode='%s'>: %s forwarding requested, but no IP address "
                           "provided; add an <ip> element",
                           c->mode, c->mode);
    if (nifs > 1)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, forward_line(c),
                           "<forward mode='%s'>: multiple forwarding interfaces specified, "
                           "only one is supported",
                           c->mode);
    if (fwd->mode == NC_FORWARD_OPEN && nifs > 0)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, forward_line(c),
                           "<forward mode='open'>: forward dev not allowed: an open network "
                           "places no restriction on where traffic goes");
    break;

  case NC_FORWARD_PRIVATE:
  case NC_FORWARD_VEPA:
  case NC_FORWARD_PASSTHROUGH:
  case NC_FORWARD_HOSTDEV:
    if (br->name)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, brline,
                           "<bridge>: bridge name not allowed in %s mode", c->mode);
    if (br->zone)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, brline,
                           "<bridge>: bridge zone not allowed in %s mode", c->mode);
    if (br->mac_table_manager != NC_MAC_TABLE_MANAGER_DEFAULT)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, brline,
                           "<bridge>: bridge macTableManager setting not allowed in %s mode",
                           c->mode);
    G_GNUC_FALLTHROUGH;

  case NC_FORWARD_BRIDGE:
    /* libvirt tests the delay value, not its presence: delay='0' passes. */
    if ((br->has_delay && br->delay != 0) || br->stp != NC_SWITCH_ABSENT || br->zone)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, brline,
                           "<bridge>: bridge delay/stp/zone options only allowed in route, nat, "
                           "and isolated mode, not in %s",
                           c->mode);
    if (br->name && (nifs > 0 || fwd->pf))
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, brline,
                           "<bridge name='%s'>: a network with forward mode='%s' can specify a "
                           "bridge name or a forward dev, but not both",
                           br->name, c->mode);
    break;

  case _NC_FORWARD_MAX:
    return nc_check_fail(c, error, NC_ERROR_INTERNAL_ERROR, forward_line(c),
                         "<forward>: unknown forward mode %d", (int)fwd->mode);
  }

  if (def->has_mtu && def->mtu != 0 && !mode_is_l3(fwd->mode))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, def->mtu_line,
                         "<mtu size='%u'>: mtu size only allowed in open, route, nat, and "
                         "isolated mode, not in %s",
                         def->mtu, c->mode);
  return TRUE;
}

/* networkValidate: what the host-side device of a non-L3 network cannot have. */
static gboolean
check_mode_validate_rules(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;
  const NcDns *dns = &def->dns;
  gboolean l3 = mode_is_l3(def->forward.mode);
  gboolean bandwidth_allowed = l3 || (def->forward.mode == NC_FORWARD_BRIDGE && def->bridge.name);

  if (!l3) {
    if (def->has_mac)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, def->mac_line,
                           "<mac>: unsupported with forward mode='%s': only networks with a "
                           "libvirt-managed bridge (isolated, nat, route, open) have a MAC",
                           c->mode);
    if (def->ips && def->ips->len > 0) {
      const NcIpDef *ip = g_ptr_array_index(def->ips, 0);
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, ip->line,
                           "<ip>: unsupported with forward mode='%s': the network has no host "
                           "side to put an address on",
                           c->mode);
    }
    if ((dns->txts && dns->txts->len) || (dns->hosts && dns->hosts->len)
        || (dns->srvs && dns->srvs->len))
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, dns->line,
                           "<dns>: unsupported with forward mode='%s': no DNS server runs "
                           "for this network",
                           c->mode);
    if (def->domain)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, def->domain->line,
                           "<domain>: unsupported with forward mode='%s'", c->mode);
  }

  if (def->bandwidth && !bandwidth_allowed)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, def->bandwidth->line,
                         "<bandwidth>: unsupported network-wide <bandwidth> element with "
                         "forward mode='%s'",
                         c->mode);

  if (def->portgroups) {
    for (guint i = 0; i < def->portgroups->len; i++) {
      const NcPortGroup *pg = g_ptr_array_index(def->portgroups, i);
      g_autofree char *pgname = nc_name_escape(pg->name);
      guint line = pg->bandwidth && pg->bandwidth->line ? pg->bandwidth->line : pg->line;

      if (pg->bandwidth && (!bandwidth_allowed || def->forward.mode == NC_FORWARD_HOSTDEV))
        return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, line,
                             "<portgroup name='%s'>: unsupported <bandwidth> element with "
                             "forward mode='%s'",
                             pgname, c->mode);
    }
  }
  return TRUE;
}

/* -- <forward> ------------------------------------------------------------- */

static gboolean
check_forward(const NcCheck *c, GError **error)
{
  const NcForward *fwd = &c->def->forward;
  guint nifs = fwd->ifs ? fwd->ifs->len : 0;
  guint naddrs = fwd->addrs ? fwd->addrs->len : 0;

  if ((fwd->pf != NULL) + (nifs > 0) + (naddrs > 0) > 1)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, forward_line(c),
                         "<forward>: <address>, <interface>, and <pf> elements are mutually "
                         "exclusive");
  /* (The model keeps the first <interface> in dev too, so this can only be
   * a dev= written next to <address> or <pf>.) */
  if (fwd->dev && (naddrs > 0 || fwd->pf))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, forward_line(c),
                         "<forward dev='%s'>: the 'dev' attribute cannot be used when "
                         "<address> or <pf> sub-elements are present",
                         fwd->dev);

  if (fwd->dev && nifs > 0) {
    const NcForwardIf *first = g_ptr_array_index(fwd->ifs, 0);
    if (g_strcmp0(first->dev, fwd->dev) != 0)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, first->line,
                           "<forward dev='%s'> must match first <interface dev='%s'/>", fwd->dev,
                           first->dev ? first->dev : "");
  }

  for (guint i = 0; i < nifs; i++) {
    const NcForwardIf *fi = g_ptr_array_index(fwd->ifs, i);

    if (!fi->dev || !*fi->dev)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, fi->line,
                           "<forward><interface>: missing required dev attribute");
    for (guint j = 0; j < i; j++) {
      const NcForwardIf *other = g_ptr_array_index(fwd->ifs, j);
      if (g_strcmp0(other->dev, fi->dev) == 0)
        return nc_check_fail(c, error, NC_ERROR_XML_ERROR, fi->line,
                             "<forward><interface dev='%s'>: interface can only be listed once",
                             fi->dev);
    }
    if (fwd->mode == NC_FORWARD_HOSTDEV)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, fi->line,
                           "<forward><interface dev='%s'>: hostdev networks require all devices "
                           "to be listed by PCI address, not network device name",
                           fi->dev);
  }

  for (guint i = 0; i < naddrs; i++) {
    const NcPciAddr *a = g_ptr_array_index(fwd->addrs, i);

    if (a->domain > 0xffff || a->bus > 0xff || a->slot > 0x1f || a->function > 7)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, a->line,
                           "<forward><address>: PCI address %x:%x:%x.%x out of range "
                           "(domain <= 0xffff, bus <= 0xff, slot <= 0x1f, function <= 7)",
                           a->domain, a->bus, a->slot, a->function);
    for (guint j = 0; j < i; j++) {
      const NcPciAddr *b = g_ptr_array_index(fwd->addrs, j);
      if (a->domain == b->domain && a->bus == b->bus && a->slot == b->slot
          && a->function == b->function)
        return nc_check_fail(c, error, NC_ERROR_XML_ERROR, a->line,
                             "<forward><address>: PCI device '%04x:%02x:%02x.%x' can only be "
                             "listed once",
                             a->domain, a->bus, a->slot, a->function);
    }
    /* libvirt >= 10 rejects this at validation (passthrough-address-crash). */
    if (fwd->mode != NC_FORWARD_HOSTDEV)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, a->line,
                           "<forward><address>: forward mode '%s' lists a device by PCI "
                           "address; this is only supported with forward mode 'hostdev'",
                           c->mode);
  }

  if (fwd->pf && (!fwd->pf->dev || !*fwd->pf->dev))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, fwd->pf->line,
                         "<forward><pf>: missing required dev attribute");

  /* Stricter than libvirt, which ignores these: a physical function pool means
   * nothing to a network whose bridge libvirt creates. */
  if (fwd->pf && mode_is_l3(fwd->mode))
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, fwd->pf->line,
                         "<forward><pf>: not supported with forward mode='%s'", c->mode);

  if (fwd->has_nat && fwd->mode != NC_FORWARD_NAT)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, forward_line(c),
                         "<forward><nat>: the <nat> element can only be used when <forward> "
                         "'mode' is 'nat'");

  if (nc_sockaddr_is_set(&fwd->nat_addr_start) || nc_sockaddr_is_set(&fwd->nat_addr_end)) {
    g_autofree char *s = nc_check_addr(&fwd->nat_addr_start);
    g_autofree char *e = nc_check_addr(&fwd->nat_addr_end);

    if (fwd->nat_addr_start.family != AF_INET || fwd->nat_addr_end.family != AF_INET)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, forward_line(c),
                           "<nat><address start='%s' end='%s'>: both start and end must be "
                           "IPv4 addresses",
                           s, e);
    if (nc_sockaddr_compare(&fwd->nat_addr_start, &fwd->nat_addr_end) > 0)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, forward_line(c),
                           "<nat><address start='%s' end='%s'>: start is after end", s, e);
  }
  if (fwd->nat_port_start || fwd->nat_port_end) {
    if (fwd->nat_port_start > 65535 || fwd->nat_port_end > 65535
        || fwd->nat_port_end < fwd->nat_port_start)
      return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, forward_line(c),
                           "<nat><port start='%u' end='%u'>: invalid port range (0-65535, "
                           "start <= end)",
                           fwd->nat_port_start, fwd->nat_port_end);
  }
  return TRUE;
}

/* -- <bridge>, <mac>, title ------------------------------------------------ */

static gboolean
check_misc(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;

  if (!def->name || !*def->name)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, 0, "<name>: missing network name");
  if (strchr(def->name, '/'))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, 0,
                         "<name>: name '%s' contains illegal character '/'", c->name);
  if (strchr(def->name, '\n'))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, 0,
                         "<name>: name '%s' contains illegal character '\\n'", c->name);
  if (def->title && strchr(def->title, '\n'))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, 0,
                         "<title>: network title can't contain newlines");

  if (def->has_mac && nc_mac_is_multicast(&def->mac)) {
    char buf[18];
    nc_mac_format(&def->mac, buf);
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, def->mac_line,
                         "<mac address='%s'>: invalid multicast bridge mac address; the "
                         "first octet must be even",
                         buf);
  }
  return TRUE;
}

/* -- <bandwidth>, <vlan>, <virtualport> -------------------------------------- */

static gboolean
check_rate(const NcCheck *c, GError **error, const char *where, guint line,
           const NcBandwidthRate *r, const char *dir)
{
  /* libvirt's network parser passes allowFloor=false: floor belongs to a
   * domain interface, never to a network or portgroup. */
  if (!r->has_average && !r->has_floor)
    return nc_check_fail(c, error, NC_ERROR_XML_DETAIL, line,
                         "%s<bandwidth><%s>: missing mandatory average or floor attributes", where,
                         dir);
  if ((r->has_peak || r->has_burst) && !r->has_average)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, line,
                         "%s<bandwidth><%s>: 'peak' and 'burst' require 'average' attribute", where,
                         dir);
  if (r->has_floor)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, line,
                         "%s<bandwidth><%s floor='%" G_GUINT64_FORMAT "'>: floor attribute is "
                         "not supported for this config (only on a domain interface's "
                         "<inbound>)",
                         where, dir, r->floor);
  return TRUE;
}

static gboolean
check_bandwidth(const NcCheck *c, GError **error, const char *where, const NcBandwidth *bw)
{
  if (!bw)
    return TRUE;
  if (bw->in && !check_rate(c, error, where, bw->line, bw->in, "inbound"))
    return FALSE;
  if (bw->out && !check_rate(c, error, where, bw->line, bw->out, "outbound"))
    return FALSE;
  return TRUE;
}

static gboolean
check_vlan(const NcCheck *c, GError **error, const char *where, const NcVlan *vlan, guint line)
{
  guint ntags = vlan && vlan->tags ? vlan->tags->len : 0;
  guint nnative = 0;

  if (!vlan)
    return TRUE;
  if (vlan->line)
    line = vlan->line;
  if (ntags == 0)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "%s<vlan>: missing tag id - each <vlan> must have at least one "
                         "<tag id='n'/> subelement",
                         where);
  for (guint i = 0; i < ntags; i++) {
    const NcVlanTag *tag = &g_array_index(vlan->tags, NcVlanTag, i);

    if (tag->id > 4095)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                           "%s<vlan><tag id='%u'>: vlan tag id too large (maximum 4095)", where,
                           tag->id);
    if (tag->native_mode != NC_VLAN_NATIVE_DEFAULT && ++nnative > 1)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                           "%s<vlan>: duplicate native vlan setting", where);
  }
  if (vlan->trunk == NC_TRISTATE_NO && ntags > 1)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "%s<vlan trunk='no'>: trunk='yes' is required for more than one vlan "
                         "tag",
                         where);
  if (vlan->trunk == NC_TRISTATE_NO && nnative > 0)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line,
                         "%s<vlan trunk='no'>: trunk='no' is not allowed with a native vlan id",
                         where);
  return TRUE;
}

/* virNetDevVPortProfileCheckNoExtras and the parser's range checks. */
static gboolean
check_virtualport(const NcCheck *c, GError **error, const char *where, const NcVirtualPort *vp,
                  gboolean require_type)
{
  const char *type;
  const char *extra = NULL;

  if (!vp)
    return TRUE;
  type = nc_virtualport_type_to_string(vp->type);
  if (!type)
    type = "none";

  if (require_type && vp->type == NC_VIRTUALPORT_NONE)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, vp->line,
                         "%s<virtualport>: missing required virtualport type", where);
  if (vp->has_managerid && vp->managerid > 0xff)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, vp->line,
                         "%s<virtualport>: value of managerid %u out of range (0-255)", where,
                         vp->managerid);
  if (vp->has_typeid && vp->typeid > 0xffffff)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, vp->line,
                         "%s<virtualport>: value for typeid %u out of range (0-16777215)", where,
                         vp->typeid);
  if (vp->has_typeidversion && vp->typeidversion > 0xff)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, vp->line,
                         "%s<virtualport>: value of typeidversion %u out of range (0-255)", where,
                         vp->typeidversion);
  /* libvirt keeps it in a char[40] (IFLA_VF_PORT_PROFILE_MAX). */
  if (vp->profileid && strlen(vp->profileid) >= 40)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, vp->line,
                         "%s<virtualport>: profileid parameter too long (maximum 39 bytes)", where);

  switch (vp->type) {
  case NC_VIRTUALPORT_NONE:
    break;
  case NC_VIRTUALPORT_8021QBG:
    if (vp->profileid)
      extra = "profileid";
    else if (vp->has_interfaceid)
      extra = "interfaceid";
    break;
  case NC_VIRTUALPORT_8021QBH:
    if (vp->has_managerid)
      extra = "managerid";
    else if (vp->has_typeid)
      extra = "typeid";
    else if (vp->has_typeidversion)
      extra = "typeidversion";
    else if (vp->has_instanceid)
      extra = "instanceid";
    else if (vp->has_interfaceid)
      extra = "interfaceid";
    break;
  case NC_VIRTUALPORT_OPENVSWITCH:
  case NC_VIRTUALPORT_MIDONET:
    if (vp->has_managerid)
      extra = "managerid";
    else if (vp->has_typeid)
      extra = "typeid";
    else if (vp->has_typeidversion)
      extra = "typeidversion";
    else if (vp->has_instanceid)
      extra = "instanceid";
    else if (vp->type == NC_VIRTUALPORT_MIDONET && vp->profileid)
      extra = "profileid";
    break;
  case _NC_VIRTUALPORT_MAX:
    return nc_check_fail(c, error, NC_ERROR_INTERNAL_ERROR, vp->line,
                         "%s<virtualport>: unknown type %d", where, (int)vp->type);
  }
  if (extra)
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, vp->line,
                         "%s<virtualport type='%s'>: extra %s specified for %s port", where, type,
                         extra, type);
  return TRUE;
}

/* -- portgroups and where vlans may be used ----------------------------------- */

static gboolean
vport_is(const NcVirtualPort *vp, NcVirtualPortType type)
{
  return vp && vp->type == type;
}

/* bridge without a bridge name, private and vepa: guests get macvtap devices. */
static gboolean
uses_macvtap(const NcNetworkDef *def)
{
  switch (def->forward.mode) {
  case NC_FORWARD_BRIDGE:
    return def->bridge.name == NULL;
  case NC_FORWARD_PRIVATE:
  case NC_FORWARD_VEPA:
    return TRUE;
  case NC_FORWARD_NONE:
  case NC_FORWARD_NAT:
  case NC_FORWARD_ROUTE:
  case NC_FORWARD_OPEN:
  case NC_FORWARD_PASSTHROUGH:
  case NC_FORWARD_HOSTDEV:
  case _NC_FORWARD_MAX:
    break;
  }
  return FALSE;
}

static gboolean
check_portgroups(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;
  NcForwardMode mode = def->forward.mode;
  const NcPortGroup *default_pg = NULL;
  gboolean vlan_used = def->vlan && def->vlan->tags && def->vlan->tags->len > 0;
  gboolean bad_vlan = FALSE;
  guint npg = def->portgroups ? def->portgroups->len : 0;
  /* networkValidate allows VLANs with SR-IOV (hostdev, passthrough) and Open
   * vSwitch bridges. We also allow them on macvtap networks with an
   * 802.1Qbg/Qbh port profile, where the switch applies the tag: libvirt's own
   * test 8021Qbh-net
   * (private mode, <vlan>, 802.1Qbh) is expected to validate. */
  gboolean vlan_allowed
      = mode == NC_FORWARD_HOSTDEV || mode == NC_FORWARD_PASSTHROUGH
        || (mode == NC_FORWARD_BRIDGE && vport_is(def->virtualport, NC_VIRTUALPORT_OPENVSWITCH))
        || (uses_macvtap(def)
            && (vport_is(def->virtualport, NC_VIRTUALPORT_8021QBH)
                || vport_is(def->virtualport, NC_VIRTUALPORT_8021QBG)));
  guint bad_line = def->vlan && def->vlan->line ? def->vlan->line : def->vlan_line;

  for (guint i = 0; i < npg; i++) {
    const NcPortGroup *pg = g_ptr_array_index(def->portgroups, i);
    g_autofree char *pgname = nc_name_escape(pg->name);
    g_autofree char *where = g_strdup_printf("<portgroup name='%s'>: ", pgname);
    gboolean pg_vlan = pg->vlan && pg->vlan->tags && pg->vlan->tags->len > 0;

    if (!pg->name || !*pg->name)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, pg->line,
                           "<portgroup>: missing required name attribute");
    if (vlan_used || pg_vlan) {
      gboolean bad;
      if (pg->virtualport)
        bad = !(mode == NC_FORWARD_BRIDGE && vport_is(pg->virtualport, NC_VIRTUALPORT_OPENVSWITCH))
              && !vlan_allowed;
      else
        bad = !vlan_allowed;
      if (bad && !bad_vlan) {
        bad_vlan = TRUE;
        bad_line = pg->vlan && pg->vlan->line ? pg->vlan->line : pg->line;
      }
    }
    if (pg->is_default) {
      if (default_pg) {
        g_autofree char *first = nc_name_escape(default_pg->name);
        return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, pg->line,
                             "<portgroup name='%s' default='yes'>: multiple default <portgroup> "
                             "elements (%s and %s), but only one default is allowed",
                             pgname, first, pgname);
      }
      default_pg = pg;
    }
    for (guint j = 0; j < i; j++) {
      const NcPortGroup *other = g_ptr_array_index(def->portgroups, j);
      if (g_strcmp0(other->name, pg->name) == 0)
        return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, pg->line,
                             "<portgroup name='%s'>: multiple <portgroup> elements with the "
                             "same name",
                             pgname);
    }
    if (!check_virtualport(c, error, where, pg->virtualport, FALSE)
        || !check_bandwidth(c, error, where, pg->bandwidth)
        || !check_vlan(c, error, where, pg->vlan, pg->line))
      return FALSE;
  }

  /* With a default portgroup every port gets one, and each was checked above. */
  if (bad_vlan || (vlan_used && !vlan_allowed && !default_pg))
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, bad_line,
                         "<vlan>: vlan tags are not supported with forward mode='%s' (only "
                         "hostdev, passthrough, or bridge with an openvswitch virtualport)",
                         c->mode);
  return TRUE;
}

/* Where a network-level <virtualport> makes sense (libvirt checks this when a
 * port is allocated; we refuse it at define time). */
static gboolean
check_virtualport_mode(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;
  const NcVirtualPort *vp = def->virtualport;

  if (!mode_is_l3(def->forward.mode))
    return TRUE;
  if (vp)
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, vp->line,
                         "<virtualport>: not supported for network which uses IP forwarding "
                         "(forward mode='%s')",
                         c->mode);
  for (guint i = 0; def->portgroups && i < def->portgroups->len; i++) {
    const NcPortGroup *pg = g_ptr_array_index(def->portgroups, i);
    g_autofree char *pgname = NULL;

    if (!pg->virtualport || pg->virtualport->type == NC_VIRTUALPORT_NONE)
      continue;
    pgname = nc_name_escape(pg->name);
    return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, pg->virtualport->line,
                         "<portgroup name='%s'>: <virtualport type='%s'>: not supported for "
                         "network which uses IP forwarding (forward mode='%s')",
                         pgname, nc_virtualport_type_to_string(pg->virtualport->type), c->mode);
  }
  return TRUE;
}

gboolean
nc_network_def_check(const NcNetworkDef *def, GError **error)
{
  NcCheck c;
  gboolean ok;

  g_return_val_if_fail(def != NULL, FALSE);

  nc_check_init(&c, def);
  ok = check_misc(&c, error) && check_forward(&c, error) && check_mode_parse_rules(&c, error)
       && nc_check_ips(&c, error) && nc_check_routes(&c, error) && nc_check_dns(&c, error)
       && check_mode_validate_rules(&c, error) && check_bandwidth(&c, error, "", def->bandwidth)
       && check_vlan(&c, error, "", def->vlan, def->vlan_line)
       && check_virtualport(&c, error, "", def->virtualport, TRUE)
       && check_virtualport_mode(&c, error) && check_portgroups(&c, error)
       && nc_network_def_check_names(def, error);
  nc_check_clear(&c);
  return ok;
}
