/* <forward>: mode, uplink devices (dev=, <interface>, PCI <address>, <pf>),
 * <driver> and <nat>, as libvirt's virNetworkForwardDefParseXML accepts them.
 * Which children a mode may have is a semantic check (network-check.c). */
#include "network-parse-priv.h"

#include <string.h>

static gboolean
parse_nat(NcParseCtx *ctx, xmlNodePtr node, NcForward *fwd)
{
  g_autoptr(GPtrArray) addrs = nc_parse_children(node, "address");
  g_autoptr(GPtrArray) ports = nc_parse_children(node, "port");

  if (fwd->mode != NC_FORWARD_NAT)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<nat>: only allowed when <forward> mode is 'nat', not '%s'",
                         nc_forward_mode_to_string(fwd->mode));
  fwd->has_nat = TRUE;
  if (!nc_parse_tristate_attr(ctx, node, "ipv6", &fwd->nat_ipv6))
    return FALSE;

  if (addrs->len > 1)
    return nc_parse_fail(ctx, g_ptr_array_index(addrs, 1), NC_ERROR_XML_ERROR,
                         "<nat>: only one <address> element is allowed");
  if (addrs->len == 1) {
    xmlNodePtr anode = g_ptr_array_index(addrs, 0);
    g_autofree char *start = nc_parse_prop(anode, "start");
    g_autofree char *end = nc_parse_prop(anode, "end");

    if (!start)
      return nc_parse_fail(ctx, anode, NC_ERROR_XML_ERROR,
                           "<nat><address>: missing required attribute 'start'");
    if (!end)
      return nc_parse_fail(ctx, anode, NC_ERROR_XML_ERROR,
                           "<nat><address>: missing required attribute 'end'");
    if (!nc_sockaddr_parse(start, AF_INET, &fwd->nat_addr_start))
      return nc_parse_fail(ctx, anode, NC_ERROR_XML_ERROR,
                           "<nat><address>: bad IPv4 start address '%s'", nc_parse_q(ctx, start));
    if (!nc_sockaddr_parse(end, AF_INET, &fwd->nat_addr_end))
      return nc_parse_fail(ctx, anode, NC_ERROR_XML_ERROR,
                           "<nat><address>: bad IPv4 end address '%s'", nc_parse_q(ctx, end));
    if (nc_sockaddr_compare(&fwd->nat_addr_start, &fwd->nat_addr_end) > 0)
      return nc_parse_fail(ctx, anode, NC_ERROR_XML_ERROR,
                           "<nat><address>: start '%s' is after end '%s'", nc_parse_q(ctx, start),
                           nc_parse_q(ctx, end));
  }

  if (ports->len > 1)
    return nc_parse_fail(ctx, g_ptr_array_index(ports, 1), NC_ERROR_XML_ERROR,
                         "<nat>: only one <port> element is allowed");
  if (ports->len == 1) {
    xmlNodePtr pnode = g_ptr_array_index(ports, 0);
    g_autofree char *start = nc_parse_prop_nonempty(pnode, "start");
    g_autofree char *end = nc_parse_prop_nonempty(pnode, "end");
    guint64 s = 0, e = 0;

    if (!start || !nc_parse_uint_str(start, 10, 65535, &s))
      return nc_parse_fail(ctx, pnode, NC_ERROR_XML_DETAIL,
                           "<nat><port>: missing or invalid 'start' attribute%s%s%s",
                           start ? " '" : "", start ? nc_parse_q(ctx, start) : "",
                           start ? "'" : "");
    if (!end || !nc_parse_uint_str(end, 10, 65535, &e) || e < s)
      return nc_parse_fail(ctx, pnode, NC_ERROR_XML_DETAIL,
                           "<nat><port>: missing or invalid 'end' attribute%s%s%s (must be "
                           "between start and 65535)",
                           end ? " '" : "", end ? nc_parse_q(ctx, end) : "", end ? "'" : "");
    fwd->nat_port_start = (guint)s;
    fwd->nat_port_end = (guint)e;
  }
  return TRUE;
}

static gboolean
parse_pci_addr(NcParseCtx *ctx, xmlNodePtr node, NcPciAddr **ret_addr)
{
  g_autofree NcPciAddr *addr = g_new0(NcPciAddr, 1);
  guint64 domain = 0, bus = 0, slot = 0, function = 0;

  addr->line = nc_parse_line(node);
  if (!nc_parse_uint_attr(ctx, node, "domain", 0, G_MAXUINT, FALSE, NULL, &domain)
      || !nc_parse_uint_attr(ctx, node, "bus", 0, G_MAXUINT, FALSE, NULL, &bus)
      || !nc_parse_uint_attr(ctx, node, "slot", 0, G_MAXUINT, FALSE, NULL, &slot)
      || !nc_parse_uint_attr(ctx, node, "function", 0, G_MAXUINT, FALSE, NULL, &function))
    return FALSE;

  /* libvirt validates only a non-empty address (0000:00:00.0 passes). */
  if (domain || bus || slot || function) {
    if (bus > 0xff)
      return nc_parse_fail(
          ctx, node, NC_ERROR_XML_ERROR,
          "<address>: invalid PCI address bus='0x%" G_GINT64_MODIFIER "x', must be <= 0xFF", bus);
    if (slot > 0x1f)
      return nc_parse_fail(
          ctx, node, NC_ERROR_XML_ERROR,
          "<address>: invalid PCI address slot='0x%" G_GINT64_MODIFIER "x', must be <= 0x1F", slot);
    if (function > 7)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<address>: invalid PCI address function='0x%" G_GINT64_MODIFIER
                           "x', must be <= 7",
                           function);
    if (!domain && !bus && !slot)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<address>: invalid PCI address 0000:00:00, at least one of domain, "
                           "bus, or slot must be > 0");
  }
  addr->domain = (guint)domain;
  addr->bus = (guint)bus;
  addr->slot = (guint)slot;
  addr->function = (guint)function;
  *ret_addr = g_steal_pointer(&addr);
  return TRUE;
}

static gboolean
parse_interfaces(NcParseCtx *ctx, GPtrArray *nodes, const char *dev, NcForward *fwd)
{
  /* <forward dev='x'> stands for a first <interface dev='x'/>. */
  if (dev) {
    NcForwardIf *fi = g_new0(NcForwardIf, 1);
    fi->dev = g_strdup(dev);
    fi->line = fwd->line;
    g_ptr_array_add(fwd->ifs, fi);
  }

  for (guint i = 0; i < nodes->len; i++) {
    xmlNodePtr node = g_ptr_array_index(nodes, i);
    g_autofree char *idev = nc_parse_prop(node, "dev");
    NcForwardIf *fi;

    if (!idev)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<interface>: missing required attribute 'dev'");
    if (i == 0 && dev) {
      if (strcmp(idev, dev) != 0)
        return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                             "<forward dev='%s'> must match the first <interface dev='%s'/>",
                             nc_parse_q(ctx, dev), nc_parse_q(ctx, idev));
      ((NcForwardIf *)g_ptr_array_index(fwd->ifs, 0))->line = nc_parse_line(node);
      continue;
    }
    for (guint j = 0; j < fwd->ifs->len; j++) {
      const NcForwardIf *other = g_ptr_array_index(fwd->ifs, j);
      if (g_strcmp0(other->dev, idev) == 0)
        return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                             "<interface>: interface '%s' can only be listed once",
                             nc_parse_q(ctx, idev));
    }
    fi = g_new0(NcForwardIf, 1);
    fi->dev = g_steal_pointer(&idev);
    fi->line = nc_parse_line(node);
    g_ptr_array_add(fwd->ifs, fi);
  }
  return TRUE;
}

static gboolean
parse_addresses(NcParseCtx *ctx, GPtrArray *nodes, NcForward *fwd)
{
  for (guint i = 0; i < nodes->len; i++) {
    xmlNodePtr node = g_ptr_array_index(nodes, i);
    g_autofree char *type = nc_parse_prop(node, "type");
    NcPciAddr *addr = NULL;

    if (!type)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<address>: missing address type");
    if (strcmp(type, "pci") != 0) {
      /* libvirt knows "netdev" and "none" as device types but cannot pool them. */
      gboolean known = strcmp(type, "netdev") == 0 || strcmp(type, "none") == 0;
      return nc_parse_fail(ctx, node, known ? NC_ERROR_XML_ERROR : NC_ERROR_CONFIG_UNSUPPORTED,
                           "<address>: %s address type '%s' (only 'pci' is supported)",
                           known ? "unsupported" : "unknown", nc_parse_q(ctx, type));
    }
    if (!parse_pci_addr(ctx, node, &addr))
      return FALSE;
    for (guint j = 0; j < fwd->addrs->len; j++) {
      const NcPciAddr *o = g_ptr_array_index(fwd->addrs, j);
      if (o->domain == addr->domain && o->bus == addr->bus && o->slot == addr->slot
          && o->function == addr->function) {
        nc_pci_addr_free(addr);
        return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                             "<address>: PCI device '%04x:%02x:%02x.%x' can only be listed once",
                             o->domain, o->bus, o->slot, o->function);
      }
    }
    g_ptr_array_add(fwd->addrs, addr);
  }
  return TRUE;
}

gboolean
nc_parse_forward(NcParseCtx *ctx, xmlNodePtr node, NcForward *fwd)
{
  g_autofree char *mode = nc_parse_prop_nonempty(node, "mode");
  g_autofree char *managed = nc_parse_prop_nonempty(node, "managed");
  g_autofree char *dev = nc_parse_prop_nonempty(node, "dev");
  g_autoptr(GPtrArray) ifs = nc_parse_children(node, "interface");
  g_autoptr(GPtrArray) addrs = nc_parse_children(node, "address");
  g_autoptr(GPtrArray) pfs = nc_parse_children(node, "pf");
  g_autoptr(GPtrArray) nats = nc_parse_children(node, "nat");
  xmlNodePtr driver = nc_parse_child(node, "driver");

  fwd->has_element = TRUE;
  fwd->line = nc_parse_line(node);

  fwd->mode = NC_FORWARD_NAT;
  if (mode) {
    int m = nc_forward_mode_from_string(mode);
    if (m < 0)
      return nc_parse_fail(ctx, node, NC_ERROR_CONFIG_UNSUPPORTED,
                           "<forward>: unknown forwarding type '%s'", nc_parse_q(ctx, mode));
    fwd->mode = (NcForwardMode)m;
    fwd->mode_written = TRUE;
  }

  /* libvirt: managed='yes' (any case) means yes, any other value no. */
  if (managed)
    fwd->managed = g_ascii_strcasecmp(managed, "yes") == 0 ? NC_TRISTATE_YES : NC_TRISTATE_NO;

  if (driver) {
    g_autofree char *name = nc_parse_prop_nonempty(driver, "name");
    if (name) {
      int d = nc_forward_driver_name_from_string(name);
      if (d <= 0)
        return nc_parse_fail(ctx, driver, NC_ERROR_CONFIG_UNSUPPORTED,
                             "<driver>: unknown forward driver name '%s': expected kvm or vfio",
                             nc_parse_q(ctx, name));
      fwd->driver_name = (NcForwardDriverName)d;
    }
    fwd->driver_model = nc_parse_prop_nonempty(driver, "model");
  }

  if (nats->len > 1)
    return nc_parse_fail(ctx, g_ptr_array_index(nats, 1), NC_ERROR_XML_ERROR,
                         "<forward>: only one <nat> element is allowed");
  if (nats->len == 1 && !parse_nat(ctx, g_ptr_array_index(nats, 0), fwd))
    return FALSE;

  if (dev && (addrs->len > 0 || pfs->len > 0))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<forward>: the 'dev' attribute cannot be used when <address> or <pf> "
                         "sub-elements are present");

  /* Like libvirt, the first kind present wins: interfaces (or dev=), then PCI
   * addresses, then a <pf>; the others are ignored. */
  if (ifs->len > 0 || dev) {
    if (!parse_interfaces(ctx, ifs, dev, fwd))
      return FALSE;
  } else if (addrs->len > 0) {
    if (!parse_addresses(ctx, addrs, fwd))
      return FALSE;
  } else if (pfs->len > 1) {
    return nc_parse_fail(ctx, g_ptr_array_index(pfs, 1), NC_ERROR_XML_ERROR,
                         "<forward>: only one <pf> element is allowed");
  } else if (pfs->len == 1) {
    xmlNodePtr pnode = g_ptr_array_index(pfs, 0);
    g_autofree char *pdev = nc_parse_prop(pnode, "dev");

    if (!pdev)
      return nc_parse_fail(ctx, pnode, NC_ERROR_XML_ERROR,
                           "<pf>: missing required attribute 'dev'");
    fwd->pf = g_new0(NcForwardPf, 1);
    fwd->pf->dev = g_steal_pointer(&pdev);
    fwd->pf->line = nc_parse_line(pnode);
  }

  /* The effective uplink, as libvirt writes it back in dev=: the first
   * interface unless a <pf> is used. */
  if (fwd->ifs->len > 0 && !fwd->pf)
    fwd->dev = g_strdup(((NcForwardIf *)g_ptr_array_index(fwd->ifs, 0))->dev);
  return TRUE;
}
