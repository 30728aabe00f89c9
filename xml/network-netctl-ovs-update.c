/* net-update of netctl's mirror, netflow and sflow sections
 * (network-update.h's NC_NETWORK_SECTION_NETCTL_*; see network-netctl-ovs.h
 * for the snippets). The element is parsed by the same code as in a whole
 * definition (nc_netctl_ovs_parse, under a stand-in <network>), so an
 * update accepts exactly what define accepts. */
#include <stdarg.h>
#include <string.h>

#include "nc-error.h"
#include "network-check-names.h"
#include "network-netctl-ns.h"
#include "network-netctl-ovs.h"
#include "network-update.h"
#include "network-xml.h"

/* The section's element, index = section - NC_NETWORK_SECTION_NETCTL_FIRST. */
static const char *const section_elements[] = { "mirror", "netflow", "sflow" };
G_STATIC_ASSERT(G_N_ELEMENTS(section_elements)
                == _NC_NETWORK_SECTION_NETCTL_MAX - NC_NETWORK_SECTION_NETCTL_FIRST);

/* The attributes schemas/network.rng allows: the parser reads the ones it
 * knows and would drop the others silently, where define refuses them. */
static const struct {
  const char *element;
  const char *attrs[5];
} allowed_attrs[] = {
  { "mirror", { "name" } },
  { "select", { "port", "portgroup", "all", "direction" } },
  { "output", { "port", "vlan" } },
  { "netflow", { "activeTimeout", "engineType", "engineId" } },
  { "sflow", { "sampling", "polling", "header", "agent" } },
  { "target", { "address", "port" } },
};

typedef struct {
  NcNetworkDef *def;
  const char *element;
  char *name; /* the network's, escaped */
} Ctx;

static gboolean fail(const Ctx *c, GError **error, int code, guint line, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

static gboolean
fail(const Ctx *c, GError **error, int code, guint line, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  /* a bad snippet is located as the other sections' are; a missing or
   * duplicate entry is said as network-update.c says it */
  if (code == NC_ERROR_XML_ERROR)
    nc_xml_set_error(error, code, NULL, line, c->name, "%s", msg);
  else
    g_set_error(error, NC_ERROR, code, "network '%s': %s", c->name, msg);
  return FALSE;
}

static guint
line_of(xmlNodePtr node)
{
  long l = xmlGetLineNo(node);
  return l > 0 ? (guint)l : 0;
}

/* Elements without a namespace are netctl's: the section says whose the
 * snippet is, so `<mirror name='m'>` needs no xmlns declaration. */
static gboolean
claim_namespace(const Ctx *c, xmlNodePtr root, GError **error)
{
  xmlNsPtr ns = xmlSearchNsByHref(root->doc, root, BAD_CAST NC_NETCTL_NS_URI);
  if (!ns)
    ns = xmlNewNs(root, BAD_CAST NC_NETCTL_NS_URI, NULL);
  if (!ns)
    return fail(c, error, NC_ERROR_XML_ERROR, line_of(root),
                "cannot declare netctl's namespace on <%s>", (const char *)root->name);
  for (xmlNodePtr n = root; n; n = n == root ? n->children : n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    if (!n->ns)
      xmlSetNs(n, ns);
    if (n != root && n->children) /* one level below select/output/target is an error anyway */
      for (xmlNodePtr g = n->children; g; g = g->next)
        if (g->type == XML_ELEMENT_NODE)
          return fail(c, error, NC_ERROR_XML_ERROR, line_of(g),
                      "<netctl:%s>: unexpected <%s> inside <%s>", c->element, (const char *)g->name,
                      (const char *)n->name);
  }
  return TRUE;
}

static gboolean
check_attrs(const Ctx *c, xmlNodePtr root, GError **error)
{
  for (xmlNodePtr n = root; n; n = n == root ? n->children : n->next) {
    if (n->type != XML_ELEMENT_NODE)
      continue;
    for (guint i = 0; i < G_N_ELEMENTS(allowed_attrs); i++) {
      if (!xmlStrEqual(n->name, BAD_CAST allowed_attrs[i].element))
        continue;
      for (xmlAttrPtr a = n->properties; a; a = a->next) {
        gboolean ok = FALSE;
        for (guint j = 0; !a->ns && j < G_N_ELEMENTS(allowed_attrs[i].attrs); j++)
          ok |= allowed_attrs[i].attrs[j]
                && xmlStrEqual(a->name, BAD_CAST allowed_attrs[i].attrs[j]);
        if (!ok) {
          g_autofree char *attr = nc_name_escape((const char *)a->name);
          return fail(c, error, NC_ERROR_XML_ERROR, line_of(n),
                      "<netctl:%s>: unknown attribute '%s' on <netctl:%s>", c->element, attr,
                      (const char *)n->name);
        }
      }
    }
  }
  return TRUE;
}

/* The snippet's element, checked for its name and namespace, under a
 * stand-in <network> (*ret_parent) as nc_netctl_ovs_parse wants it. */
static xmlDocPtr
read_snippet(const Ctx *c, const char *xml, GError **error, xmlNodePtr *ret_parent)
{
  xmlDocPtr doc = nc_xml_read(xml, strlen(xml), NULL, error);
  if (!doc)
    return NULL;
  xmlNodePtr root = xmlDocGetRootElement(doc);
  gboolean ours = !root->ns || xmlStrEqual(root->ns->href, BAD_CAST NC_NETCTL_NS_URI);
  if (!ours || !xmlStrEqual(root->name, BAD_CAST c->element)) {
    fail(c, error, NC_ERROR_XML_ERROR, line_of(root),
         "unexpected element <%s>, expecting <netctl:%s> (xmlns:netctl='" NC_NETCTL_NS_URI
         "', or <%s> without a namespace)",
         (const char *)root->name, c->element, c->element);
    xmlFreeDoc(doc);
    return NULL;
  }
  if (!claim_namespace(c, root, error) || !check_attrs(c, root, error)) {
    xmlFreeDoc(doc);
    return NULL;
  }
  xmlNodePtr parent = xmlNewDocNode(doc, NULL, BAD_CAST "network", NULL);
  xmlUnlinkNode(root);
  xmlDocSetRootElement(doc, parent);
  xmlAddChild(parent, root);
  *ret_parent = parent;
  return doc;
}

static NcNetctlOvs *
def_ovs(NcNetworkDef *def)
{
  if (!def->netctl)
    def->netctl = g_new0(NcNetctlExt, 1);
  if (!def->netctl->ovs)
    def->netctl->ovs = g_new0(NcNetctlOvs, 1);
  return def->netctl->ovs;
}

/* Nothing left: no element, so the namespace is not declared either and
 * the definition formats as one that never had any. */
static void
drop_empty(NcNetworkDef *def)
{
  NcNetctlOvs *ovs = def->netctl ? def->netctl->ovs : NULL;
  if (ovs && ovs->mirrors && ovs->mirrors->len == 0)
    g_clear_pointer(&ovs->mirrors, g_ptr_array_unref);
  if (ovs && !ovs->mirrors && !ovs->netflow && !ovs->sflow)
    g_clear_pointer(&def->netctl->ovs, nc_netctl_ovs_free);
  if (def->netctl && !nc_netctl_ext_used(def->netctl))
    g_clear_pointer(&def->netctl, nc_netctl_ext_free);
}

static gint
find_mirror(const NcNetctlOvs *ovs, const char *name)
{
  for (guint i = 0; ovs && ovs->mirrors && i < ovs->mirrors->len; i++)
    if (g_str_equal(((const NcMirror *)ovs->mirrors->pdata[i])->name, name))
      return (gint)i;
  return -1;
}

static gboolean
update_mirror(const Ctx *c, guint command, NcNetctlOvs *parsed, xmlNodePtr node, GError **error)
{
  const NcNetctlOvs *have = nc_network_def_netctl_ovs(c->def);
  g_autofree char *key = parsed ? g_strdup(((NcMirror *)parsed->mirrors->pdata[0])->name)
                                : (char *)xmlGetNoNsProp(node, BAD_CAST "name");
  if (!key)
    return fail(c, error, NC_ERROR_XML_ERROR, line_of(node),
                "<netctl:mirror>: missing name='' (the mirror to delete)");
  g_autofree char *qkey = nc_name_escape(key);
  gint found = find_mirror(have, key);
  gboolean add = command == NC_NETWORK_UPDATE_COMMAND_ADD_FIRST
                 || command == NC_NETWORK_UPDATE_COMMAND_ADD_LAST;
  if (add && found >= 0)
    return fail(c, error, NC_ERROR_OPERATION_INVALID, 0,
                "there is an existing mirror entry that matches \"<netctl:mirror name='%s'>\"",
                qkey);
  if (!add && found < 0)
    return fail(c, error, NC_ERROR_OPERATION_INVALID, 0,
                "couldn't find a mirror entry matching <netctl:mirror name='%s'>", qkey);
  NcNetctlOvs *ovs = def_ovs(c->def);
  if (command == NC_NETWORK_UPDATE_COMMAND_DELETE) {
    g_ptr_array_remove_index(ovs->mirrors, (guint)found);
    return TRUE;
  }
  NcMirror *m = g_ptr_array_steal_index(parsed->mirrors, 0);
  m->line = 0;
  if (!ovs->mirrors)
    ovs->mirrors = g_ptr_array_ref(parsed->mirrors); /* empty now; has the free func */
  if (command == NC_NETWORK_UPDATE_COMMAND_MODIFY) {
    g_ptr_array_remove_index(ovs->mirrors, (guint)found);
    g_ptr_array_insert(ovs->mirrors, found, m);
  } else {
    g_ptr_array_insert(ovs->mirrors, command == NC_NETWORK_UPDATE_COMMAND_ADD_FIRST ? 0 : -1, m);
  }
  return TRUE;
}

/* NetFlow or sFlow: at most one per network, so no key. */
static gboolean
update_single(const Ctx *c, guint command, gboolean netflow, NcNetctlOvs *parsed, GError **error)
{
  const NcNetctlOvs *have = nc_network_def_netctl_ovs(c->def);
  gboolean present = have && (netflow ? have->netflow != NULL : have->sflow != NULL);
  gboolean add = command == NC_NETWORK_UPDATE_COMMAND_ADD_FIRST
                 || command == NC_NETWORK_UPDATE_COMMAND_ADD_LAST;
  if (add && present)
    return fail(c, error, NC_ERROR_OPERATION_INVALID, 0,
                "there is already a <netctl:%s> (one per network); use modify to change it",
                c->element);
  if (!add && !present)
    return fail(c, error, NC_ERROR_OPERATION_INVALID, 0, "the network has no <netctl:%s>",
                c->element);
  NcNetctlOvs *ovs = def_ovs(c->def);
  /* The new one moves in; the old one moves to a holder that frees it
   * (parsed, or a throwaway for delete). */
  g_autoptr(NcNetctlOvs) holder = parsed ? NULL : g_new0(NcNetctlOvs, 1);
  NcNetctlOvs *other = parsed ? parsed : holder;
  if (netflow) {
    NcNetflow *old = ovs->netflow;
    ovs->netflow = other->netflow;
    other->netflow = old;
  } else {
    NcSflow *old = ovs->sflow;
    ovs->sflow = other->sflow;
    other->sflow = old;
  }
  return TRUE;
}

gboolean
nc_netctl_ovs_update(NcNetworkDef *def, guint command, guint section, const char *xml,
                     GError **error)
{
  g_autofree char *name = nc_name_escape(def->name);
  guint idx = section - NC_NETWORK_SECTION_NETCTL_FIRST;
  g_return_val_if_fail(idx < G_N_ELEMENTS(section_elements), FALSE);
  Ctx c = { .def = def, .element = section_elements[idx], .name = name };
  xmlNodePtr parent = NULL;
  xmlDocPtr doc = read_snippet(&c, xml, error, &parent);
  if (!doc)
    return FALSE;
  g_autoptr(NcNetctlOvs) parsed = NULL;
  gboolean ok = TRUE;
  /* delete names the entry only (a mirror's name): the rest is not read */
  if (command != NC_NETWORK_UPDATE_COMMAND_DELETE) {
    g_auto(NcParseCtx) ctx = { .filename = NULL, .name = name, .error = error };
    ok = nc_netctl_ovs_parse(&ctx, parent, def, &parsed);
  }
  if (ok && command != NC_NETWORK_UPDATE_COMMAND_DELETE && !parsed)
    ok = fail(&c, error, NC_ERROR_XML_ERROR, 0, "no <netctl:%s> in the update", c.element);
  if (ok && section == NC_NETWORK_SECTION_NETCTL_MIRROR)
    ok = update_mirror(&c, command, parsed, parent->children, error);
  else if (ok)
    ok = update_single(&c, command, section == NC_NETWORK_SECTION_NETCTL_NETFLOW, parsed, error);
  xmlFreeDoc(doc);
  drop_empty(def);
  return ok;
}
