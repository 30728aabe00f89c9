/* <netctl:ovn> (see network-netctl-ovn.h). */
#include "network-netctl-ovn.h"

#include <string.h>

#include "nc-addr.h"
#include "network-format-priv.h"
#include "network-netctl-ns.h"

#define NS NC_NETCTL_NS_PREFIX ":"
#define MAX_REMOTES 8
#define MAX_CHASSIS 8

void
nc_netctl_ovn_free(NcNetctlOvn *ovn)
{
  if (!ovn)
    return;
  g_free(ovn->nb);
  g_free(ovn->uplink);
  g_free(ovn->uplink_address);
  g_free(ovn->uplink_gateway);
  g_free(ovn->chassis);
  g_free(ovn);
}

NcNetctlOvn *
nc_netctl_ovn_copy(const NcNetctlOvn *ovn)
{
  if (!ovn)
    return NULL;
  NcNetctlOvn *copy = g_new0(NcNetctlOvn, 1);
  copy->nb = g_strdup(ovn->nb);
  copy->uplink = g_strdup(ovn->uplink);
  copy->uplink_address = g_strdup(ovn->uplink_address);
  copy->uplink_gateway = g_strdup(ovn->uplink_gateway);
  copy->chassis = g_strdup(ovn->chassis);
  copy->line = ovn->line;
  return copy;
}

static gboolean
valid_port(const char *s)
{
  guint64 port = 0;
  return s[0] && strlen(s) <= 5 && g_ascii_string_to_unsigned(s, 10, 1, 65535, &port, NULL);
}

/* host:port with an IPv4 literal, or [IPv6]:port. */
static gboolean
valid_tcp(const char *s)
{
  g_autofree char *host = NULL;
  const char *port;
  int family;
  if (s[0] == '[') {
    const char *end = strchr(s, ']');
    if (!end || end[1] != ':')
      return FALSE;
    host = g_strndup(s + 1, (gsize)(end - s - 1));
    port = end + 2;
    family = AF_INET6;
  } else {
    const char *colon = strrchr(s, ':');
    if (!colon)
      return FALSE;
    host = g_strndup(s, (gsize)(colon - s));
    port = colon + 1;
    family = AF_INET;
  }
  NcSockAddr addr;
  return nc_sockaddr_parse(host, family, &addr) && valid_port(port);
}

/* An absolute path of plain characters, no "." or ".." component. */
static gboolean
valid_unix(const char *s)
{
  if (s[0] != '/' || strlen(s) > 107)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isalnum(*p) && !strchr("/._-", *p))
      return FALSE;
  g_auto(GStrv) parts = g_strsplit(s, "/", -1);
  for (char **p = parts; *p; p++)
    if (g_str_equal(*p, ".") || g_str_equal(*p, ".."))
      return FALSE;
  return TRUE;
}

gboolean
nc_ovn_remotes_valid(const char *s, const char **ret_why)
{
  const char *why = NULL;
  g_auto(GStrv) remotes = g_strsplit(s, ",", -1);
  guint n = g_strv_length(remotes);
  if (n == 0 || n > MAX_REMOTES)
    why = "1 to 8 remotes separated by commas";
  for (guint i = 0; !why && i < n; i++) {
    const char *r = remotes[i];
    if (g_str_has_prefix(r, "ssl:"))
      why = "ssl: remotes are not supported yet (netctl has no certificate settings); use tcp: "
            "or unix:";
    else if (g_str_has_prefix(r, "tcp:")    ? !valid_tcp(r + 4)
             : g_str_has_prefix(r, "unix:") ? !valid_unix(r + 5)
                                            : TRUE)
      why = "each remote is tcp:IPv4:PORT, tcp:[IPv6]:PORT or unix:/absolute/path";
  }
  if (why && ret_why)
    *ret_why = why;
  return why == NULL;
}

/* A provider network or chassis name: it reaches OVSDB only, but is kept
 * plain. */
static gboolean
valid_name(const char *s)
{
  gsize len = strlen(s);
  gboolean ok = len > 0 && len <= 64;
  for (const char *p = s; ok && *p; p++)
    ok = g_ascii_isalnum(*p) || strchr("_.:-", *p);
  return ok;
}

/* chassis=: 1 to MAX_CHASSIS names separated by single spaces, highest
 * priority first, each a valid name, none twice. */
static gboolean
valid_chassis_list(const char *s, const char **ret_why)
{
  g_auto(GStrv) names = g_strsplit(s, " ", -1);
  guint n = g_strv_length(names);
  if (n == 0) {
    *ret_why = "an empty list: name 1 to 8 gateway chassis";
    return FALSE;
  }
  if (n > MAX_CHASSIS) {
    *ret_why = "at most 8 gateway chassis";
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    if (!valid_name(names[i])) {
      *ret_why = "gateway chassis names (system-ids), highest priority first, separated by one "
                 "space: each 1-64 of letters, digits, '_', '.', ':', '-'";
      return FALSE;
    }
    for (guint j = 0; j < i; j++)
      if (g_str_equal(names[i], names[j])) {
        *ret_why = "a chassis named twice";
        return FALSE;
      }
  }
  return TRUE;
}

gchar **
nc_netctl_ovn_chassis_list(const NcNetctlOvn *ovn)
{
  return ovn && ovn->chassis ? g_strsplit(ovn->chassis, " ", -1) : NULL;
}

static gboolean
valid_v4(const char *s)
{
  NcSockAddr a;
  return nc_sockaddr_parse(s, AF_INET, &a);
}

static gboolean
valid_v4_prefix(const char *s)
{
  const char *slash = strchr(s, '/');
  guint64 plen = 0;
  if (!slash || !g_ascii_string_to_unsigned(slash + 1, 10, 1, 32, &plen, NULL))
    return FALSE;
  g_autofree char *addr = g_strndup(s, (gsize)(slash - s));
  return valid_v4(addr);
}

/* The uplink attributes: each present one valid. */
static gboolean
parse_uplink(NcParseCtx *ctx, xmlNodePtr node, NcNetctlOvn *ovn)
{
  static const struct {
    const char *attr, *what;
    gboolean (*ok)(const char *);
    gsize offset;
  } attrs[] = {
    { "uplink", "a provider network name: 1-64 of letters, digits, '_', '.', ':', '-'", valid_name,
      G_STRUCT_OFFSET(NcNetctlOvn, uplink) },
    { "uplinkAddress", "an IPv4 address with its prefix, 198.51.100.10/24", valid_v4_prefix,
      G_STRUCT_OFFSET(NcNetctlOvn, uplink_address) },
    { "uplinkGateway", "an IPv4 address", valid_v4, G_STRUCT_OFFSET(NcNetctlOvn, uplink_gateway) },
  };
  for (guint i = 0; i < G_N_ELEMENTS(attrs); i++) {
    g_autofree char *v = nc_parse_prop(node, attrs[i].attr);
    if (!v)
      continue;
    if (!attrs[i].ok(v))
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<netctl:ovn>: invalid %s='%s' (%s)",
                           attrs[i].attr, nc_parse_q(ctx, v), attrs[i].what);
    *(char **)G_STRUCT_MEMBER_P(ovn, attrs[i].offset) = g_steal_pointer(&v);
  }
  g_autofree char *chassis = nc_parse_prop(node, "chassis");
  const char *why = NULL;
  if (chassis && !valid_chassis_list(chassis, &why))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<netctl:ovn>: invalid chassis='%s' (%s)",
                         nc_parse_q(ctx, chassis), why);
  ovn->chassis = g_steal_pointer(&chassis);
  return TRUE;
}

static gboolean
is_ovn(xmlNodePtr node)
{
  return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href
         && xmlStrEqual(node->ns->href, BAD_CAST NC_NETCTL_NS_URI)
         && xmlStrEqual(node->name, BAD_CAST "ovn");
}

gboolean
nc_netctl_ovn_parse(NcParseCtx *ctx, xmlNodePtr root, NcNetworkDef *def)
{
  g_autoptr(NcNetctlOvn) ovn = NULL;
  for (xmlNodePtr node = root->children; node; node = node->next) {
    if (!is_ovn(node))
      continue;
    if (ovn)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<netctl:ovn>: only one per network");
    g_autofree char *nb = nc_parse_prop(node, "nb");
    const char *why = NULL;
    if (!nb || !nc_ovn_remotes_valid(nb, &why))
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<netctl:ovn>: %s nb='%s' (%s)",
                           nb ? "invalid" : "missing", nb ? nc_parse_q(ctx, nb) : "",
                           why ? why : "the northbound database's OVSDB remotes");
    ovn = g_new0(NcNetctlOvn, 1);
    ovn->nb = g_steal_pointer(&nb);
    ovn->line = nc_parse_line(node);
    if (!parse_uplink(ctx, node, ovn))
      return FALSE;
  }
  if (!ovn)
    return TRUE;
  if (!def->netctl)
    def->netctl = g_new0(NcNetctlExt, 1);
  nc_netctl_ovn_free(def->netctl->ovn);
  def->netctl->ovn = g_steal_pointer(&ovn);
  return TRUE;
}

void
nc_netctl_ovn_format(GString *buf, const NcNetctlOvn *ovn, guint indent)
{
  if (!ovn)
    return;
  nc_format_indent(buf, indent);
  g_string_append(buf, "<" NS "ovn");
  nc_format_attr(buf, "nb", ovn->nb);
  nc_format_attr(buf, "uplink", ovn->uplink);
  nc_format_attr(buf, "uplinkAddress", ovn->uplink_address);
  nc_format_attr(buf, "uplinkGateway", ovn->uplink_gateway);
  nc_format_attr(buf, "chassis", ovn->chassis);
  g_string_append(buf, "/>\n");
}

const NcNetctlOvn *
nc_network_def_ovn(const NcNetworkDef *def)
{
  return def->netctl ? def->netctl->ovn : NULL;
}
