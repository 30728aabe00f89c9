/* Mirrors, NetFlow and sFlow in netctl's namespace (see network-netctl-ovs.h). */
#include "network-netctl-ovs.h"

#include <net/if.h>
#include <string.h>

#include "network-format-priv.h"
#include "network-kind.h"
#include "network-check-names.h"
#include "network-netctl-ns.h"
#include "network-xml.h"
#include "port-merge.h"

static const char *const direction_strings[_NC_MIRROR_DIRECTION_MAX] = {
  [NC_MIRROR_DIRECTION_DEFAULT] = NULL,
  [NC_MIRROR_DIRECTION_BOTH] = "both",
  [NC_MIRROR_DIRECTION_INBOUND] = "inbound",
  [NC_MIRROR_DIRECTION_OUTBOUND] = "outbound",
};

const char *
nc_mirror_direction_to_string(NcMirrorDirection d)
{
  return (guint)d < _NC_MIRROR_DIRECTION_MAX ? direction_strings[d] : NULL;
}

int
nc_mirror_direction_from_string(const char *s)
{
  for (int i = 1; s && i < _NC_MIRROR_DIRECTION_MAX; i++)
    if (g_str_equal(direction_strings[i], s))
      return i;
  return -1;
}

/* -- memory --------------------------------------------------------------------- */

static void
select_free(gpointer p)
{
  NcMirrorSelect *s = p;
  g_free(s->port);
  g_free(s->portgroup);
  g_free(s);
}

static void
mirror_free(gpointer p)
{
  NcMirror *m = p;
  g_free(m->name);
  g_clear_pointer(&m->selects, g_ptr_array_unref);
  g_free(m->output_port);
  g_free(m->output_vlan);
  g_free(m);
}

static void
target_free(gpointer p)
{
  NcFlowTarget *t = p;
  g_free(t->address);
  g_free(t->port);
  g_free(t);
}

static void
netflow_free(NcNetflow *nf)
{
  if (!nf)
    return;
  g_clear_pointer(&nf->targets, g_ptr_array_unref);
  g_free(nf->active_timeout);
  g_free(nf->engine_type);
  g_free(nf->engine_id);
  g_free(nf);
}

static void
sflow_free(NcSflow *sf)
{
  if (!sf)
    return;
  g_clear_pointer(&sf->targets, g_ptr_array_unref);
  g_free(sf->sampling);
  g_free(sf->polling);
  g_free(sf->header);
  g_free(sf->agent);
  g_free(sf);
}

void
nc_netctl_ovs_free(NcNetctlOvs *ovs)
{
  if (!ovs)
    return;
  g_clear_pointer(&ovs->mirrors, g_ptr_array_unref);
  netflow_free(ovs->netflow);
  sflow_free(ovs->sflow);
  g_free(ovs);
}

static gpointer
select_copy(gconstpointer p, gpointer unused)
{
  const NcMirrorSelect *s = p;
  NcMirrorSelect *c = g_memdup2(s, sizeof *s);
  c->port = g_strdup(s->port);
  c->portgroup = g_strdup(s->portgroup);
  return c;
}

static gpointer
mirror_copy(gconstpointer p, gpointer unused)
{
  const NcMirror *m = p;
  NcMirror *c = g_memdup2(m, sizeof *m);
  c->name = g_strdup(m->name);
  c->selects = g_ptr_array_copy(m->selects, select_copy, NULL);
  c->output_port = g_strdup(m->output_port);
  c->output_vlan = g_strdup(m->output_vlan);
  return c;
}

static gpointer
target_copy(gconstpointer p, gpointer unused)
{
  const NcFlowTarget *t = p;
  NcFlowTarget *c = g_memdup2(t, sizeof *t);
  c->address = g_strdup(t->address);
  c->port = g_strdup(t->port);
  return c;
}

NcNetctlOvs *
nc_netctl_ovs_copy(const NcNetctlOvs *ovs)
{
  if (!ovs)
    return NULL;
  NcNetctlOvs *c = g_new0(NcNetctlOvs, 1);
  if (ovs->mirrors)
    c->mirrors = g_ptr_array_copy(ovs->mirrors, mirror_copy, NULL);
  if (ovs->netflow) {
    const NcNetflow *nf = ovs->netflow;
    c->netflow = g_new0(NcNetflow, 1);
    c->netflow->targets = g_ptr_array_copy(nf->targets, target_copy, NULL);
    c->netflow->active_timeout = g_strdup(nf->active_timeout);
    c->netflow->engine_type = g_strdup(nf->engine_type);
    c->netflow->engine_id = g_strdup(nf->engine_id);
  }
  if (ovs->sflow) {
    const NcSflow *sf = ovs->sflow;
    c->sflow = g_new0(NcSflow, 1);
    c->sflow->targets = g_ptr_array_copy(sf->targets, target_copy, NULL);
    c->sflow->sampling = g_strdup(sf->sampling);
    c->sflow->polling = g_strdup(sf->polling);
    c->sflow->header = g_strdup(sf->header);
    c->sflow->agent = g_strdup(sf->agent);
  }
  return c;
}

/* -- parse ---------------------------------------------------------------------- */

static gboolean
is_ours(xmlNodePtr node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href
         && xmlStrEqual(node->ns->href, BAD_CAST NC_NETCTL_NS_URI)
         && (!name || xmlStrEqual(node->name, BAD_CAST name));
}

/* A name that reaches OVSDB as a port or mirror name and messages. */
static gboolean
valid_name(const char *name, gsize max)
{
  gsize len = strlen(name);
  gboolean ok = len > 0 && len <= max;
  for (const char *p = name; ok && *p; p++)
    ok = g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.';
  return ok && !g_str_equal(name, ".") && !g_str_equal(name, "..");
}

/* An optional unsigned attribute in [min, max], kept as written. */
static gboolean
uint_attr(NcParseCtx *ctx, xmlNodePtr node, const char *where, const char *attr, guint64 min,
          guint64 max, char **ret_value)
{
  g_autofree char *v = nc_parse_prop(node, attr);
  guint64 n = 0;
  if (!v)
    return TRUE;
  if (!nc_parse_uint_str(v, 10, max, &n) || n < min || (v[0] == '0' && v[1]))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s: invalid %s='%s' (%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ")", where,
                         attr, nc_parse_q(ctx, v), min, max);
  *ret_value = g_steal_pointer(&v);
  return TRUE;
}

static gboolean
parse_select(NcParseCtx *ctx, xmlNodePtr node, const NcNetworkDef *def, const char *where,
             NcMirrorSelect **ret_select)
{
  g_autoptr(GPtrArray) holder = g_ptr_array_new_with_free_func(select_free);
  NcMirrorSelect *s = g_new0(NcMirrorSelect, 1);
  g_ptr_array_add(holder, s);
  s->port = nc_parse_prop(node, "port");
  s->portgroup = nc_parse_prop(node, "portgroup");
  g_autofree char *all = nc_parse_prop(node, "all");
  g_autofree char *dir = nc_parse_prop(node, "direction");
  if ((!!s->port + !!s->portgroup + !!all) != 1)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s <netctl:select>: needs exactly one of port=, portgroup=, all='yes'",
                         where);
  if (all && !g_str_equal(all, "yes"))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s <netctl:select>: invalid all='%s' (only 'yes')", where,
                         nc_parse_q(ctx, all));
  s->all = all != NULL;
  if (s->port && !valid_name(s->port, IFNAMSIZ - 1))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s <netctl:select>: invalid port='%s' (an interface name: 1-15 "
                         "letters, digits, '-', '_', '.')",
                         where, nc_parse_q(ctx, s->port));
  if (s->portgroup && !nc_network_def_find_portgroup(def, s->portgroup))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s <netctl:select>: the network has no portgroup '%s'", where,
                         nc_parse_q(ctx, s->portgroup));
  if (dir) {
    int d = nc_mirror_direction_from_string(dir);
    if (d < 0)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "%s <netctl:select>: invalid direction='%s' (both, inbound: to the "
                           "guest, outbound: from the guest)",
                           where, nc_parse_q(ctx, dir));
    s->direction = d;
  }
  *ret_select = g_ptr_array_steal_index(holder, 0);
  return TRUE;
}

static gboolean
parse_output(NcParseCtx *ctx, xmlNodePtr node, const char *where, NcMirror *m)
{
  if (m->output_port || m->output_vlan)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "%s: only one <netctl:output>", where);
  m->output_port = nc_parse_prop(node, "port");
  if (m->output_port && xmlHasProp(node, BAD_CAST "vlan"))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s <netctl:output>: port= or vlan=, not both", where);
  if (m->output_port && !valid_name(m->output_port, IFNAMSIZ - 1))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s <netctl:output>: invalid port='%s' (an interface name: 1-15 "
                         "letters, digits, '-', '_', '.')",
                         where, nc_parse_q(ctx, m->output_port));
  if (!m->output_port && !uint_attr(ctx, node, where, "vlan", 1, 4095, &m->output_vlan))
    return FALSE;
  if (!m->output_port && !m->output_vlan)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s <netctl:output>: needs port= or vlan=", where);
  return TRUE;
}

static gboolean
parse_mirror(NcParseCtx *ctx, xmlNodePtr node, const NcNetworkDef *def, GPtrArray *mirrors)
{
  g_autofree char *name = nc_parse_prop(node, "name");
  if (!name || !valid_name(name, 64))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "<netctl:mirror>: %s name='%s' (1-64 letters, digits, '-', '_', '.')",
                         name ? "invalid" : "missing", name ? nc_parse_q(ctx, name) : "");
  g_autofree char *where = g_strdup_printf("<netctl:mirror name='%s'>", name);
  for (guint i = 0; i < mirrors->len; i++)
    if (g_str_equal(((NcMirror *)mirrors->pdata[i])->name, name))
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "%s: a mirror of that name already "
                           "exists",
                           where);
  NcMirror *m = g_new0(NcMirror, 1);
  g_ptr_array_add(mirrors, m);
  m->name = g_steal_pointer(&name);
  m->selects = g_ptr_array_new_with_free_func(select_free);
  m->line = nc_parse_line(node);
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (is_ours(c, "select")) {
      NcMirrorSelect *s = NULL;
      if (!parse_select(ctx, c, def, where, &s))
        return FALSE;
      g_ptr_array_add(m->selects, s);
    } else if (is_ours(c, "output")) {
      if (!parse_output(ctx, c, where, m))
        return FALSE;
    } else {
      return nc_parse_fail(ctx, c, NC_ERROR_XML_ERROR,
                           "%s: unexpected <%s> (<netctl:select> or <netctl:output>)", where,
                           (const char *)c->name);
    }
  }
  if (m->selects->len == 0)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "%s: needs at least one <netctl:select>",
                         where);
  if (!m->output_port && !m->output_vlan)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "%s: needs a <netctl:output>", where);
  return TRUE;
}

static gboolean
parse_targets(NcParseCtx *ctx, xmlNodePtr node, const char *where, GPtrArray **ret_targets)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func(target_free);
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (!is_ours(c, "target"))
      return nc_parse_fail(ctx, c, NC_ERROR_XML_ERROR, "%s: unexpected <%s> (only <netctl:target>)",
                           where, (const char *)c->name);
    g_autofree char *address = nc_parse_prop(c, "address");
    NcSockAddr addr;
    if (!address || !nc_sockaddr_parse(address, AF_UNSPEC, &addr))
      return nc_parse_fail(ctx, c, NC_ERROR_XML_ERROR,
                           "%s <netctl:target>: %s address='%s' (an IPv4 or IPv6 address)", where,
                           address ? "invalid" : "missing",
                           address ? nc_parse_q(ctx, address) : "");
    g_autofree char *port = NULL;
    if (!uint_attr(ctx, c, where, "port", 1, 65535, &port))
      return FALSE;
    if (!port)
      return nc_parse_fail(ctx, c, NC_ERROR_XML_ERROR,
                           "%s <netctl:target address='%s'>: missing port='' (1-65535)", where,
                           nc_parse_q(ctx, address));
    NcFlowTarget *t = g_new0(NcFlowTarget, 1);
    t->address = g_steal_pointer(&address);
    t->v6 = addr.family == AF_INET6;
    t->port = g_steal_pointer(&port);
    g_ptr_array_add(targets, t);
  }
  if (targets->len == 0)
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s: needs at least one <netctl:target address='' port=''>", where);
  *ret_targets = g_steal_pointer(&targets);
  return TRUE;
}

static gboolean
parse_netflow(NcParseCtx *ctx, xmlNodePtr node, NcNetflow **ret_nf)
{
  const char *where = "<netctl:netflow>";
  g_autoptr(GPtrArray) targets = NULL;
  g_autofree char *timeout = NULL, *type = NULL, *id = NULL;
  if (!uint_attr(ctx, node, where, "activeTimeout", 1, G_MAXINT32, &timeout)
      || !uint_attr(ctx, node, where, "engineType", 0, 255, &type)
      || !uint_attr(ctx, node, where, "engineId", 0, 255, &id)
      || !parse_targets(ctx, node, where, &targets))
    return FALSE;
  NcNetflow *nf = g_new0(NcNetflow, 1);
  nf->targets = g_steal_pointer(&targets);
  nf->active_timeout = g_steal_pointer(&timeout);
  nf->engine_type = g_steal_pointer(&type);
  nf->engine_id = g_steal_pointer(&id);
  *ret_nf = nf;
  return TRUE;
}

static gboolean
parse_sflow(NcParseCtx *ctx, xmlNodePtr node, NcSflow **ret_sf)
{
  const char *where = "<netctl:sflow>";
  g_autoptr(GPtrArray) targets = NULL;
  g_autofree char *sampling = NULL, *polling = NULL, *header = NULL;
  g_autofree char *agent = nc_parse_prop(node, "agent");
  if (agent && !valid_name(agent, IFNAMSIZ - 1))
    return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                         "%s: invalid agent='%s' (an interface name: 1-15 letters, digits, "
                         "'-', '_', '.')",
                         where, nc_parse_q(ctx, agent));
  if (!uint_attr(ctx, node, where, "sampling", 1, G_MAXINT32, &sampling)
      || !uint_attr(ctx, node, where, "polling", 1, G_MAXINT32, &polling)
      || !uint_attr(ctx, node, where, "header", 14, 65535, &header)
      || !parse_targets(ctx, node, where, &targets))
    return FALSE;
  NcSflow *sf = g_new0(NcSflow, 1);
  sf->targets = g_steal_pointer(&targets);
  sf->sampling = g_steal_pointer(&sampling);
  sf->polling = g_steal_pointer(&polling);
  sf->header = g_steal_pointer(&header);
  sf->agent = g_steal_pointer(&agent);
  *ret_sf = sf;
  return TRUE;
}

gboolean
nc_netctl_ovs_parse(NcParseCtx *ctx, xmlNodePtr root, const NcNetworkDef *def,
                    NcNetctlOvs **ret_ovs)
{
  g_autoptr(NcNetctlOvs) ovs = g_new0(NcNetctlOvs, 1);
  gboolean any = FALSE;
  for (xmlNodePtr node = root->children; node; node = node->next) {
    gboolean mirror = is_ours(node, "mirror"), netflow = is_ours(node, "netflow");
    if (!mirror && !netflow && !is_ours(node, "sflow"))
      continue; /* other elements of the namespace are other parsers' */
    const char *what = (const char *)node->name;
    if (nc_network_def_kind(def) != NC_NETWORK_KIND_OVS_BRIDGE)
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR,
                           "<netctl:%s>: only Open vSwitch networks (forward mode 'bridge' with "
                           "<virtualport type='openvswitch'/>) have mirrors and flow export",
                           what);
    if ((netflow && ovs->netflow) || (!mirror && !netflow && ovs->sflow))
      return nc_parse_fail(ctx, node, NC_ERROR_XML_ERROR, "<netctl:%s>: only one per network",
                           what);
    any = TRUE;
    if (mirror) {
      if (!ovs->mirrors)
        ovs->mirrors = g_ptr_array_new_with_free_func(mirror_free);
      if (!parse_mirror(ctx, node, def, ovs->mirrors))
        return FALSE;
    } else if (netflow ? !parse_netflow(ctx, node, &ovs->netflow)
                       : !parse_sflow(ctx, node, &ovs->sflow)) {
      return FALSE;
    }
  }
  *ret_ovs = any ? g_steal_pointer(&ovs) : NULL;
  return TRUE;
}

/* -- format --------------------------------------------------------------------- */

#define NS NC_NETCTL_NS_PREFIX ":"

static void
format_targets(GString *buf, const GPtrArray *targets, guint indent)
{
  for (guint i = 0; i < targets->len; i++) {
    const NcFlowTarget *t = targets->pdata[i];
    nc_format_indent(buf, indent);
    g_string_append(buf, "<" NS "target");
    nc_format_attr(buf, "address", t->address);
    nc_format_attr(buf, "port", t->port);
    g_string_append(buf, "/>\n");
  }
}

static void
format_mirror(GString *buf, const NcMirror *m, guint indent)
{
  nc_format_indent(buf, indent);
  g_string_append(buf, "<" NS "mirror");
  nc_format_attr(buf, "name", m->name);
  g_string_append(buf, ">\n");
  for (guint i = 0; i < m->selects->len; i++) {
    const NcMirrorSelect *s = m->selects->pdata[i];
    nc_format_indent(buf, indent + 2);
    g_string_append(buf, "<" NS "select");
    nc_format_attr(buf, "port", s->port);
    nc_format_attr(buf, "portgroup", s->portgroup);
    nc_format_attr(buf, "all", s->all ? "yes" : NULL);
    nc_format_attr(buf, "direction", nc_mirror_direction_to_string(s->direction));
    g_string_append(buf, "/>\n");
  }
  nc_format_indent(buf, indent + 2);
  g_string_append(buf, "<" NS "output");
  nc_format_attr(buf, "port", m->output_port);
  nc_format_attr(buf, "vlan", m->output_vlan);
  g_string_append(buf, "/>\n");
  nc_format_indent(buf, indent);
  g_string_append(buf, "</" NS "mirror>\n");
}

void
nc_netctl_ovs_format(GString *buf, const NcNetctlOvs *ovs, guint indent)
{
  if (!ovs)
    return;
  for (guint i = 0; ovs->mirrors && i < ovs->mirrors->len; i++)
    format_mirror(buf, ovs->mirrors->pdata[i], indent);
  if (ovs->netflow) {
    const NcNetflow *nf = ovs->netflow;
    nc_format_indent(buf, indent);
    g_string_append(buf, "<" NS "netflow");
    nc_format_attr(buf, "activeTimeout", nf->active_timeout);
    nc_format_attr(buf, "engineType", nf->engine_type);
    nc_format_attr(buf, "engineId", nf->engine_id);
    g_string_append(buf, ">\n");
    format_targets(buf, nf->targets, indent + 2);
    nc_format_indent(buf, indent);
    g_string_append(buf, "</" NS "netflow>\n");
  }
  if (ovs->sflow) {
    const NcSflow *sf = ovs->sflow;
    nc_format_indent(buf, indent);
    g_string_append(buf, "<" NS "sflow");
    nc_format_attr(buf, "sampling", sf->sampling);
    nc_format_attr(buf, "polling", sf->polling);
    nc_format_attr(buf, "header", sf->header);
    nc_format_attr(buf, "agent", sf->agent);
    g_string_append(buf, ">\n");
    format_targets(buf, sf->targets, indent + 2);
    nc_format_indent(buf, indent);
    g_string_append(buf, "</" NS "sflow>\n");
  }
}

gboolean
nc_netctl_ovs_equal(const NcNetctlOvs *a, const NcNetctlOvs *b)
{
  g_autoptr(GString) fa = g_string_new(NULL), fb = g_string_new(NULL);
  nc_netctl_ovs_format(fa, a, 0);
  nc_netctl_ovs_format(fb, b, 0);
  return g_str_equal(fa->str, fb->str);
}

gboolean
nc_netctl_ovs_check(const NcNetworkDef *def, const char *file, GError **error)
{
  const NcNetctlOvs *ovs = nc_network_def_netctl_ovs(def);
  if (!ovs)
    return TRUE;
  g_autofree char *name = nc_name_escape(def->name);
  if (nc_network_def_kind(def) != NC_NETWORK_KIND_OVS_BRIDGE) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, file, 0, name,
                     "only Open vSwitch networks (forward mode 'bridge' with <virtualport "
                     "type='openvswitch'/>) have mirrors and flow export");
    return FALSE;
  }
  for (guint i = 0; ovs->mirrors && i < ovs->mirrors->len; i++) {
    const NcMirror *m = ovs->mirrors->pdata[i];
    for (guint j = 0; j < m->selects->len; j++) {
      const NcMirrorSelect *s = m->selects->pdata[j];
      if (s->portgroup && !nc_network_def_find_portgroup(def, s->portgroup)) {
        g_autofree char *pg = nc_name_escape(s->portgroup);
        nc_xml_set_error(error, NC_ERROR_XML_ERROR, file, m->line, name,
                         "<netctl:mirror name='%s'> selects portgroup '%s', which the network "
                         "no longer has",
                         m->name, pg);
        return FALSE;
      }
    }
  }
  return TRUE;
}

const NcNetctlOvs *
nc_network_def_netctl_ovs(const NcNetworkDef *def)
{
  return def->netctl ? def->netctl->ovs : NULL;
}
