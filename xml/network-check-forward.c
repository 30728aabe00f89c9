/* Semantic checks of the forward mode against the rest of the definition and
 * of <forward> itself: the switch on the forward type at the end of libvirt's
 * virNetworkDefParseXML, virNetworkForwardDefParseXML's rules, and the parts of
 * networkValidate (bridge_driver.c) about what each mode may contain. */
#include "network-check-names.h"
#include "network-check-priv.h"

/* -- forward mode vs. the rest of the definition ---------------------------- */


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
gboolean
nc_check_mode_parse_rules(const NcCheck *c, GError **error)
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
                           nc_check_q(c, br->name), c->mode);
    break;

  case _NC_FORWARD_MAX:
    return nc_check_fail(c, error, NC_ERROR_INTERNAL_ERROR, forward_line(c),
                         "<forward>: unknown forward mode %d", (int)fwd->mode);
  }

  if (def->has_mtu && def->mtu != 0 && !nc_forward_mode_has_managed_bridge(fwd->mode))
    return nc_check_fail(c, error, NC_ERROR_XML_ERROR, def->mtu_line,
                         "<mtu size='%u'>: mtu size only allowed in open, route, nat, and "
                         "isolated mode, not in %s",
                         def->mtu, c->mode);
  return TRUE;
}

/* networkValidate: what the host-side device of a non-L3 network cannot have. */
gboolean
nc_check_mode_validate_rules(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;
  const NcDns *dns = &def->dns;
  gboolean l3 = nc_forward_mode_has_managed_bridge(def->forward.mode);
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

gboolean
nc_check_forward(const NcCheck *c, GError **error)
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
                         nc_check_q(c, fwd->dev));

  if (fwd->dev && nifs > 0) {
    const NcForwardIf *first = g_ptr_array_index(fwd->ifs, 0);
    if (g_strcmp0(first->dev, fwd->dev) != 0)
      return nc_check_fail(c, error, NC_ERROR_XML_ERROR, first->line,
                           "<forward dev='%s'> must match first <interface dev='%s'/>",
                           nc_check_q(c, fwd->dev), first->dev ? nc_check_q(c, first->dev) : "");
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
                             nc_check_q(c, fi->dev));
    }
    if (fwd->mode == NC_FORWARD_HOSTDEV)
      return nc_check_fail(c, error, NC_ERROR_CONFIG_UNSUPPORTED, fi->line,
                           "<forward><interface dev='%s'>: hostdev networks require all devices "
                           "to be listed by PCI address, not network device name",
                           nc_check_q(c, fi->dev));
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
  if (fwd->pf && nc_forward_mode_has_managed_bridge(fwd->mode))
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
