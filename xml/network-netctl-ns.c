/* netctl's XML namespace in <network> (see network-netctl-ns.h). */
#include <net/if.h>
#include <string.h>

#include "network-format-priv.h"
#include "network-kind.h"
#include "network-netctl-ns.h"

static void
host_shim_free(NcHostShim *shim)
{
  if (!shim)
    return;
  g_free(shim->dev);
  g_free(shim);
}

void
nc_netctl_ext_free(NcNetctlExt *ext)
{
  if (!ext)
    return;
  host_shim_free(ext->host_shim);
  nc_netctl_ovn_free(ext->ovn);
  nc_netctl_ovs_free(ext->ovs);
  g_free(ext);
}

NcNetctlExt *
nc_netctl_ext_copy(const NcNetctlExt *ext)
{
  if (!ext)
    return NULL;
  NcNetctlExt *copy = g_new0(NcNetctlExt, 1);
  if (ext->host_shim) {
    copy->host_shim = g_memdup2(ext->host_shim, sizeof *ext->host_shim);
    copy->host_shim->dev = g_strdup(ext->host_shim->dev);
  }
  copy->ovs = nc_netctl_ovs_copy(ext->ovs);
  copy->ovn = nc_netctl_ovn_copy(ext->ovn);
  return copy;
}

static gboolean
is_ours(xmlNodePtr node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href
         && xmlStrEqual(node->ns->href, BAD_CAST NC_NETCTL_NS_URI)
         && (!name || xmlStrEqual(node->name, BAD_CAST name));
}

static gboolean
valid_ifname(const char *name)
{
  gsize len = strlen(name);
  gboolean ok = len > 0 && len < IFNAMSIZ;
  for (const char *p = name; ok && *p; p++)
    ok = g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.';
  return ok && !g_str_equal(name, ".") && !g_str_equal(name, "..");
}

static gboolean
parse_host_shim(NcParseCtx *ctx, xmlNodePtr node, NcHostShim **ret_shim)
{
  g_autofree char *dev = nc_parse_prop(node, "dev");
  g_autofree char *address = nc_parse_prop(node, "address");
  g_autofree char *prefix = nc_parse_prop(node, "prefix");
  if (!dev || !valid_ifname(dev))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<netctl:host-shim>: %s dev='%s' (an interface name: 1-15 letters, "
                         "digits, '-', '_', '.')",
                         dev ? "invalid" : "missing", dev ? nc_parse_q(ctx, dev) : "");
  NcSockAddr addr = { 0 };
  if (!address || !nc_sockaddr_parse(address, AF_UNSPEC, &addr))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<netctl:host-shim dev='%s'>: %s address='%s' (an IPv4 or IPv6 "
                         "address)",
                         nc_parse_q(ctx, dev), address ? "invalid" : "missing",
                         address ? nc_parse_q(ctx, address) : "");
  guint max = addr.family == AF_INET ? 32 : 128;
  guint64 plen = 0;
  if (!prefix || !nc_parse_uint_str(prefix, 10, max, &plen) || plen == 0)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<netctl:host-shim dev='%s'>: %s prefix='%s' (1-%u)",
                         nc_parse_q(ctx, dev), prefix ? "invalid" : "missing",
                         prefix ? nc_parse_q(ctx, prefix) : "", max);
  NcHostShim *shim = g_new0(NcHostShim, 1);
  shim->dev = g_steal_pointer(&dev);
  shim->address = addr;
  shim->prefix = (guint)plen;
  shim->line = nc_parse_line(node);
  *ret_shim = shim;
  return TRUE;
}

gboolean
nc_netctl_ext_parse(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def)
{
  /* first: the kind, which the checks below ask, depends on <netctl:ovn> */
  if (!nc_netctl_ovn_parse(ctx, root, def))
    return FALSE;
  g_autoptr(NcNetctlExt) ext = NULL;
  for (xmlNodePtr node = root->children; node; node = node->next) {
    if (!is_ours(node, "host-shim"))
      continue; /* other elements of the namespace are other parsers' */
    if (ext && ext->host_shim)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<netctl:host-shim>: only one host shim per network");
    if (!ext)
      ext = g_new0(NcNetctlExt, 1);
    if (!parse_host_shim(ctx, node, &ext->host_shim))
      return FALSE;
    if (nc_network_def_kind(def) != NC_NETWORK_KIND_MACVTAP)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<netctl:host-shim>: only macvtap networks (forward mode 'bridge' "
                           "without a bridge name) have a host shim");
  }
  g_autoptr(NcNetctlOvs) ovs = NULL;
  if (!nc_netctl_ovs_parse(ctx, root, def, &ovs))
    return FALSE;
  if (ovs && !ext)
    ext = g_new0(NcNetctlExt, 1);
  if (ext)
    ext->ovs = g_steal_pointer(&ovs);
  if (ext) {
    ext->ovn = def->netctl ? g_steal_pointer(&def->netctl->ovn) : NULL;
    nc_netctl_ext_free(def->netctl);
    def->netctl = g_steal_pointer(&ext);
  }
  return TRUE;
}

gboolean
nc_netctl_ext_used(const NcNetctlExt *ext)
{
  return ext && (ext->host_shim || ext->ovs || ext->ovn);
}

void
nc_netctl_ext_format(GString *buf, const NcNetctlExt *ext, guint indent)
{
  if (ext)
    nc_netctl_ovn_format(buf, ext->ovn, indent);
  if (ext)
    nc_netctl_ovs_format(buf, ext->ovs, indent);
  if (!ext || !ext->host_shim)
    return;
  const NcHostShim *shim = ext->host_shim;
  g_autofree char *addr = nc_sockaddr_format(&shim->address);
  nc_format_indent(buf, indent);
  g_string_append(buf, "<" NC_NETCTL_NS_PREFIX ":host-shim");
  nc_format_attr(buf, "dev", shim->dev);
  nc_format_attr(buf, "address", addr);
  g_string_append_printf(buf, " prefix='%u'/>\n", shim->prefix);
}

const char *
nc_network_def_host_shim_name(const NcNetworkDef *def)
{
  return def->netctl && def->netctl->host_shim ? def->netctl->host_shim->dev : NULL;
}
