/* Semantic checks of a parsed network definition.
 *
 * These are the rules of libvirt's virNetworkDefParseXML post-parse checks
 * (src/conf/network_conf.c and the shared netdev_*_conf.c parsers) and of the
 * network driver's networkValidate (bridge_driver.c), applied to the model so
 * that a definition built or changed in memory (net-update) is checked the
 * same way as one read from a file. Our stricter injection checks run last
 * (network-check-names.c).
 *
 * This file holds the message helpers, the entry point, and the rules about
 * <name>, <mac>, <bandwidth>, <vlan>, <virtualport> and <portgroup>; the
 * forward mode and <forward> are in network-check-forward.c, <ip>/<route> in
 * network-check-ip.c, <dns>/<domain> in network-check-dns.c. */
#include "network-check-priv.h"
#include "network-check-names.h"
#include "network-netctl-ovs.h"

#include <stdarg.h>

void
nc_check_init(NcCheck *c, const NcNetworkDef *def)
{
  const char *mode = nc_forward_mode_to_string(def->forward.mode);

  c->def = def;
  c->file = def->source_file;
  c->name = nc_name_escape(def->name);
  c->mode = mode ? mode : "none";
  c->quoted = g_ptr_array_new_with_free_func(g_free);
}

void
nc_check_clear(NcCheck *c)
{
  g_clear_pointer(&c->name, g_free);
  g_clear_pointer(&c->quoted, g_ptr_array_unref);
}

const char *
nc_check_q(const NcCheck *c, const char *value)
{
  char *escaped = nc_name_escape(value);
  g_ptr_array_add(c->quoted, escaped);
  return escaped;
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

  if (!nc_forward_mode_has_managed_bridge(def->forward.mode))
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

/* The network-wide <bandwidth>, <vlan> and <virtualport>. */
static gboolean
check_netwide(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;

  return check_bandwidth(c, error, "", def->bandwidth)
         && check_vlan(c, error, "", def->vlan, def->vlan_line)
         && check_virtualport(c, error, "", def->virtualport, TRUE)
         && check_virtualport_mode(c, error);
}

static gboolean
check_netctl_ovs(const NcCheck *c, GError **error)
{
  return nc_netctl_ovs_check(c->def, c->file, error);
}

static gboolean
check_names(const NcCheck *c, GError **error)
{
  return nc_network_def_check_names(c->def, error);
}

/* In libvirt's order: parse-time rules first, then networkValidate's, then
 * ours, so that a definition libvirt rejects gets libvirt's reason. */
static gboolean (*const steps[])(const NcCheck *c, GError **error) = {
  check_misc,       nc_check_forward, nc_check_mode_parse_rules,    nc_check_ips,
  nc_check_routes,  nc_check_dns,     nc_check_mode_validate_rules, check_netwide,
  check_portgroups, check_names,      check_netctl_ovs,
};

gboolean
nc_network_def_check(const NcNetworkDef *def, GError **error)
{
  NcCheck c;
  gboolean ok = TRUE;

  g_return_val_if_fail(def != NULL, FALSE);

  nc_check_init(&c, def);
  for (gsize i = 0; ok && i < G_N_ELEMENTS(steps); i++)
    ok = steps[i](&c, error);
  nc_check_clear(&c);
  return ok;
}
