/* Parsers for <bandwidth>, <vlan>, <virtualport> and <port isolated=>, shared
 * by the network, portgroup and network port parsers. See netdev-parse.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nc-error.h"
#include "netdev-parse.h"
#include "network-check-names.h"
#include "network-xml.h"

/* libvirt's LIBVIRT_IFLA_VF_PORT_PROFILE_MAX: profileid is stored in a
 * 40-byte buffer, so 39 characters is the longest it takes. */
#define PROFILE_ID_MAX 40

static guint
node_line(xmlNodePtr node)
{
  long line = xmlGetLineNo(node);

  return line > 0 ? (guint)line : 0;
}

/* Like virXMLPropString: the attribute whatever its namespace, g_malloc'd. */
static char *
get_prop(xmlNodePtr node, const char *name)
{
  xmlChar *value = xmlGetProp(node, (const xmlChar *)name);
  char *ret;

  if (!value)
    return NULL;
  ret = g_strdup((const char *)value);
  xmlFree(value);
  return ret;
}

/* Like virXMLNodeGetSubelement: the first child element called @name. */
static xmlNodePtr
first_child(xmlNodePtr node, const char *name)
{
  for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
    if (cur->type == XML_ELEMENT_NODE && g_str_equal((const char *)cur->name, name))
      return cur;
  }
  return NULL;
}

/* strtoull with libvirt's virStrToLong_ullp rules: the whole string must be a
 * number and a minus sign is refused (strtoull would wrap it). */
static gboolean
parse_u64(const char *str, int base, guint64 *ret_value)
{
  char *end = NULL;
  unsigned long long value;

  if (!str || strchr(str, '-'))
    return FALSE;
  errno = 0;
  value = strtoull(str, &end, base);
  if (errno != 0 || end == str || *end != '\0')
    return FALSE;
  *ret_value = value;
  return TRUE;
}

/* An optional unsigned attribute no larger than @max.
 * Returns -1 on error, 0 when absent, 1 when read. */
static int
prop_unsigned(xmlNodePtr node, const char *attr, int base, guint64 max, const char *filename,
              const char *network_name, guint64 *ret_value, GError **error)
{
  g_autofree char *str = get_prop(node, attr);
  guint64 value;

  if (!str)
    return 0;
  if (!parse_u64(str, base, &value)) {
    g_autofree char *q = nc_name_escape(str);
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(node), network_name,
                     "<%s>: invalid %s='%s': expected a non-negative integer", node->name, attr, q);
    return -1;
  }
  if (value > max) {
    g_autofree char *q = nc_name_escape(str);
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(node), network_name,
                     "<%s>: %s='%s' is out of range (maximum %" G_GUINT64_FORMAT ")", node->name,
                     attr, q, max);
    return -1;
  }
  *ret_value = value;
  return 1;
}

gboolean
nc_netdev_prop_tristate(xmlNodePtr node, const char *attr, const char *filename,
                        const char *network_name, NcTristate *ret_value, GError **error)
{
  g_autofree char *str = NULL;
  int value;

  if (!node || !(str = get_prop(node, attr))) {
    *ret_value = NC_TRISTATE_ABSENT;
    return TRUE;
  }
  value = nc_tristate_from_string(str);
  if (value != NC_TRISTATE_YES && value != NC_TRISTATE_NO) {
    g_autofree char *q = nc_name_escape(str);
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(node), network_name,
                     "<%s>: invalid %s='%s': expected 'yes' or 'no'", node->name, attr, q);
    return FALSE;
  }
  *ret_value = value;
  return TRUE;
}

gboolean
nc_port_options_parse(xmlNodePtr node, const char *filename, const char *network_name,
                      NcTristate *ret_isolated, GError **error)
{
  return nc_netdev_prop_tristate(node, "isolated", filename, network_name, ret_isolated, error);
}

/* -- <bandwidth> ------------------------------------------------------------ */

static gboolean
parse_rate(xmlNodePtr node, gboolean allow_floor, const char *filename, const char *network_name,
           NcBandwidthRate *rate, GError **error)
{
  static const struct {
    const char *name;
    gsize value, has;
  } attrs[] = {
    { "average", G_STRUCT_OFFSET(NcBandwidthRate, average),
      G_STRUCT_OFFSET(NcBandwidthRate, has_average) },
    { "peak", G_STRUCT_OFFSET(NcBandwidthRate, peak), G_STRUCT_OFFSET(NcBandwidthRate, has_peak) },
    { "burst", G_STRUCT_OFFSET(NcBandwidthRate, burst),
      G_STRUCT_OFFSET(NcBandwidthRate, has_burst) },
    { "floor", G_STRUCT_OFFSET(NcBandwidthRate, floor),
      G_STRUCT_OFFSET(NcBandwidthRate, has_floor) },
  };

  /* Numbers first, then the combinations, in libvirt's order, so the first
   * error reported is the one libvirt reports. */
  for (gsize i = 0; i < G_N_ELEMENTS(attrs); i++) {
    guint64 *value = G_STRUCT_MEMBER_P(rate, attrs[i].value);
    int rc
        = prop_unsigned(node, attrs[i].name, 10, G_MAXUINT64, filename, network_name, value, error);

    if (rc < 0)
      return FALSE;
    G_STRUCT_MEMBER(gboolean, rate, attrs[i].has) = rc > 0;
  }

  if (!rate->has_average && !rate->has_floor) {
    nc_xml_set_error(error, NC_ERROR_XML_DETAIL, filename, node_line(node), network_name,
                     "<%s>: needs an average= or a floor= attribute", node->name);
    return FALSE;
  }
  if ((rate->has_peak || rate->has_burst) && !rate->has_average) {
    nc_xml_set_error(error, NC_ERROR_CONFIG_UNSUPPORTED, filename, node_line(node), network_name,
                     "<%s>: peak= and burst= need an average= attribute", node->name);
    return FALSE;
  }
  if (rate->has_floor && !allow_floor) {
    if (g_str_equal((const char *)node->name, "outbound"))
      nc_xml_set_error(error, NC_ERROR_CONFIG_UNSUPPORTED, filename, node_line(node), network_name,
                       "<outbound>: floor= is only allowed in <inbound>");
    else
      nc_xml_set_error(error, NC_ERROR_CONFIG_UNSUPPORTED, filename, node_line(node), network_name,
                       "<%s>: floor= is not supported here (only on a network port)", node->name);
    return FALSE;
  }
  return TRUE;
}

/* What libvirt writes for a direction is not always what it reads back:
 * average='0' means no limit, and it then drops average but still writes
 * peak and burst (which need average); and a direction with neither average
 * nor floor comes out as nothing, leaving an empty <bandwidth> that reads
 * back as none. Normalize those now, so that what we write reads back the
 * same. Only degenerate input differs from libvirt's output. */
static void
normalize_rate(NcBandwidthRate **rate)
{
  NcBandwidthRate *r = *rate;

  if (!r)
    return;
  if (!r->average) {
    r->has_average = r->has_peak = r->has_burst = FALSE;
    r->peak = r->burst = 0;
  }
  if (!r->average && !r->floor)
    g_clear_pointer(rate, g_free);
}

gboolean
nc_bandwidth_parse(xmlNodePtr node, guint flags, const char *filename, const char *network_name,
                   NcBandwidth **ret_bw, GError **error)
{
  g_autoptr(NcBandwidth) bw = nc_bandwidth_new();
  xmlNodePtr in, out;
  guint64 class_id = 0;
  int rc;

  bw->line = node_line(node);
  if ((rc = prop_unsigned(node, "classID", 10, G_MAXUINT, filename, network_name, &class_id, error))
      < 0)
    return FALSE;
  if (rc > 0) {
    if (!(flags & NC_BANDWIDTH_PARSE_ALLOW_CLASS_ID)) {
      nc_xml_set_error(error, NC_ERROR_XML_DETAIL, filename, bw->line, network_name,
                       "<bandwidth>: classID= is not allowed here (it is set by the daemon "
                       "on network ports)");
      return FALSE;
    }
    bw->class_id = (guint)class_id;
  }

  if ((in = first_child(node, "inbound"))) {
    bw->in = g_new0(NcBandwidthRate, 1);
    if (!parse_rate(in, (flags & NC_BANDWIDTH_PARSE_ALLOW_FLOOR) != 0, filename, network_name,
                    bw->in, error))
      return FALSE;
  }
  if ((out = first_child(node, "outbound"))) {
    bw->out = g_new0(NcBandwidthRate, 1);
    if (!parse_rate(out, FALSE, filename, network_name, bw->out, error))
      return FALSE;
  }

  normalize_rate(&bw->in);
  normalize_rate(&bw->out);

  /* libvirt keeps no bandwidth (and so no classID) without a direction. */
  *ret_bw = (bw->in || bw->out) ? g_steal_pointer(&bw) : NULL;
  return TRUE;
}

/* -- <vlan> ----------------------------------------------------------------- */

static gboolean
parse_tag(xmlNodePtr node, const char *filename, const char *network_name, NcVlanTag *ret_tag,
          GError **error)
{
  g_autofree char *native = NULL;
  guint64 id = 0;
  int rc;

  if ((rc = prop_unsigned(node, "id", 10, G_MAXUINT, filename, network_name, &id, error)) < 0)
    return FALSE;
  if (rc == 0) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(node), network_name,
                     "<tag>: missing required id= attribute");
    return FALSE;
  }
  if (id > 4095) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(node), network_name,
                     "<tag>: vlan tag id %" G_GUINT64_FORMAT " too large (maximum 4095)", id);
    return FALSE;
  }
  ret_tag->id = (guint)id;
  ret_tag->native_mode = NC_VLAN_NATIVE_DEFAULT;

  if ((native = get_prop(node, "nativeMode"))) {
    int mode = nc_vlan_native_mode_from_string(native);

    /* "default" is the unset value: not accepted as a written value. */
    if (mode <= NC_VLAN_NATIVE_DEFAULT) {
      g_autofree char *q = nc_name_escape(native);
      nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(node), network_name,
                       "<tag>: invalid nativeMode='%s': expected 'tagged' or 'untagged'", q);
      return FALSE;
    }
    ret_tag->native_mode = mode;
  }
  return TRUE;
}

gboolean
nc_vlan_parse(xmlNodePtr node, const char *filename, const char *network_name, NcVlan **ret_vlan,
              GError **error)
{
  g_autoptr(NcVlan) vlan = nc_vlan_new();
  g_autofree char *trunk = NULL;
  gboolean has_native = FALSE;

  vlan->line = node_line(node);
  for (xmlNodePtr cur = node->children; cur; cur = cur->next) {
    NcVlanTag tag;

    if (cur->type != XML_ELEMENT_NODE || !g_str_equal((const char *)cur->name, "tag"))
      continue;
    if (!parse_tag(cur, filename, network_name, &tag, error))
      return FALSE;
    /* libvirt accepts a repeated id, then writes the native mode on every
     * copy, which it cannot read back; a repeated tag means nothing anyway. */
    for (guint i = 0; i < vlan->tags->len; i++) {
      if (g_array_index(vlan->tags, NcVlanTag, i).id == tag.id) {
        nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(cur), network_name,
                         "<tag>: vlan tag id %u is listed twice", tag.id);
        return FALSE;
      }
    }
    if (tag.native_mode != NC_VLAN_NATIVE_DEFAULT) {
      if (has_native) {
        nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(cur), network_name,
                         "<tag>: duplicate native vlan setting (only one tag may have "
                         "nativeMode=)");
        return FALSE;
      }
      has_native = TRUE;
    }
    g_array_append_val(vlan->tags, tag);
  }

  if (vlan->tags->len == 0) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, vlan->line, network_name,
                     "<vlan>: missing tag id - each <vlan> must have at least one "
                     "<tag id='n'/> subelement");
    return FALSE;
  }

  if (vlan->tags->len > 1)
    vlan->trunk = NC_TRISTATE_YES;

  if ((trunk = get_prop(node, "trunk"))) {
    /* libvirt compares without case here (unlike most yes/no attributes). */
    if (g_ascii_strcasecmp(trunk, "yes") == 0) {
      vlan->trunk = NC_TRISTATE_YES;
    } else if (vlan->tags->len > 1) {
      g_autofree char *q = nc_name_escape(trunk);
      nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, vlan->line, network_name,
                       "<vlan>: invalid trunk='%s': trunk='yes' is required for more than "
                       "one vlan tag",
                       q);
      return FALSE;
    } else if (has_native) {
      g_autofree char *q = nc_name_escape(trunk);
      nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, vlan->line, network_name,
                       "<vlan>: trunk='%s' is not allowed with a native vlan id", q);
      return FALSE;
    } else if (g_ascii_strcasecmp(trunk, "no") != 0) {
      g_autofree char *q = nc_name_escape(trunk);
      nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, vlan->line, network_name,
                       "<vlan>: invalid trunk='%s': must be yes or no", q);
      return FALSE;
    } else {
      vlan->trunk = NC_TRISTATE_NO;
    }
  }

  *ret_vlan = g_steal_pointer(&vlan);
  return TRUE;
}

/* -- <virtualport> ---------------------------------------------------------- */

static int
vp_unsigned(xmlNodePtr params, const char *attr, guint64 max, const char *filename,
            const char *network_name, guint *ret_value, GError **error)
{
  guint64 value = 0;
  int rc;

  /* base 0: libvirt takes managerid='0x10' and typeid='012' in C notation. */
  rc = prop_unsigned(params, attr, 0, max, filename, network_name, &value, error);
  if (rc > 0)
    *ret_value = (guint)value;
  return rc;
}

static gboolean
vp_uuid(xmlNodePtr params, const char *attr, const char *filename, const char *network_name,
        guint8 ret_uuid[NC_UUID_LEN], gboolean *ret_has, GError **error)
{
  g_autofree char *str = get_prop(params, attr);

  if (!str)
    return TRUE;
  if (!nc_uuid_parse(str, ret_uuid)) {
    g_autofree char *q = nc_name_escape(str);
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(params), network_name,
                     "<parameters>: cannot parse %s='%s' as a uuid", attr, q);
    return FALSE;
  }
  *ret_has = TRUE;
  return TRUE;
}

/* profileid reaches ovs-vsctl (external-ids) and the 802.1Qbh netlink
 * message: keep it to printable characters without quotes or backslashes,
 * which OVSDB's value syntax would interpret. */
static gboolean
profileid_is_safe(const char *s)
{
  for (; *s; s++) {
    if (!g_ascii_isprint(*s) || *s == '"' || *s == '\'' || *s == '\\')
      return FALSE;
  }
  return TRUE;
}

/* virNetDevVPortProfileCheckNoExtras: parameters that the type does not use. */
static const char *
vp_extra_parameter(const NcVirtualPort *vp)
{
  switch (vp->type) {
  case NC_VIRTUALPORT_8021QBG:
    if (vp->profileid)
      return "profileid";
    if (vp->has_interfaceid)
      return "interfaceid";
    return NULL;
  case NC_VIRTUALPORT_8021QBH:
    if (vp->has_managerid)
      return "managerid";
    if (vp->has_typeid)
      return "typeid";
    if (vp->has_typeidversion)
      return "typeidversion";
    if (vp->has_instanceid)
      return "instanceid";
    if (vp->has_interfaceid)
      return "interfaceid";
    return NULL;
  case NC_VIRTUALPORT_OPENVSWITCH:
    if (vp->has_managerid)
      return "managerid";
    if (vp->has_typeid)
      return "typeid";
    if (vp->has_typeidversion)
      return "typeidversion";
    if (vp->has_instanceid)
      return "instanceid";
    return NULL;
  case NC_VIRTUALPORT_NONE:
  case NC_VIRTUALPORT_MIDONET: /* libvirt checks nothing for midonet */
  case _NC_VIRTUALPORT_MAX:
    return NULL;
  }
  return NULL;
}

gboolean
nc_virtualport_parse(xmlNodePtr node, guint flags, const char *filename, const char *network_name,
                     NcVirtualPort **ret_vp, GError **error)
{
  g_autoptr(NcVirtualPort) vp = nc_virtualport_new();
  g_autofree char *type = get_prop(node, "type");
  xmlNodePtr params;
  const char *extra;

  vp->line = node_line(node);
  if (type) {
    int t = nc_virtualport_type_from_string(type);

    /* "none" is the unset value, not a type one can write. */
    if (t <= NC_VIRTUALPORT_NONE) {
      g_autofree char *q = nc_name_escape(type);
      nc_xml_set_error(error, NC_ERROR_CONFIG_UNSUPPORTED, filename, vp->line, network_name,
                       "<virtualport>: unknown type '%s' (expected 802.1Qbg, 802.1Qbh, "
                       "openvswitch or midonet)",
                       q);
      return FALSE;
    }
    vp->type = t;
  }
  if (vp->type == NC_VIRTUALPORT_NONE && (flags & NC_VIRTUALPORT_PARSE_REQUIRE_TYPE)) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, vp->line, network_name,
                     "<virtualport>: missing required type= attribute");
    return FALSE;
  }

  if ((params = first_child(node, "parameters"))) {
    g_autofree char *profileid = NULL;
    int rc;

    if ((rc = vp_unsigned(params, "managerid", 0xff, filename, network_name, &vp->managerid, error))
        < 0)
      return FALSE;
    vp->has_managerid = rc > 0;
    if ((rc = vp_unsigned(params, "typeid", 0xffffff, filename, network_name, &vp->typeid, error))
        < 0)
      return FALSE;
    vp->has_typeid = rc > 0;
    if ((rc = vp_unsigned(params, "typeidversion", 0xff, filename, network_name, &vp->typeidversion,
                          error))
        < 0)
      return FALSE;
    vp->has_typeidversion = rc > 0;
    if (!vp_uuid(params, "instanceid", filename, network_name, vp->instanceid, &vp->has_instanceid,
                 error))
      return FALSE;

    profileid = get_prop(params, "profileid");
    if (profileid && strlen(profileid) >= PROFILE_ID_MAX) {
      g_autofree char *q = nc_name_escape(profileid);
      nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(params), network_name,
                       "<parameters>: profileid='%s' is too long (maximum %d characters)", q,
                       PROFILE_ID_MAX - 1);
      return FALSE;
    }
    if (profileid && !profileid_is_safe(profileid)) {
      g_autofree char *q = nc_name_escape(profileid);
      nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, node_line(params), network_name,
                       "<parameters>: profileid='%s' contains a quote, a backslash or a "
                       "control character",
                       q);
      return FALSE;
    }
    /* An empty profileid is the same as none, as in libvirt's char array. */
    if (profileid && *profileid)
      vp->profileid = g_steal_pointer(&profileid);

    if (!vp_uuid(params, "interfaceid", filename, network_name, vp->interfaceid,
                 &vp->has_interfaceid, error))
      return FALSE;
  }

  if ((extra = vp_extra_parameter(vp))) {
    nc_xml_set_error(error, NC_ERROR_XML_ERROR, filename, vp->line, network_name,
                     "<virtualport>: parameter %s= is not supported with type='%s'", extra,
                     nc_virtualport_type_to_string(vp->type));
    return FALSE;
  }

  *ret_vp = g_steal_pointer(&vp);
  return TRUE;
}
