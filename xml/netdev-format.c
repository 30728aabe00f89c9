/* Formatters for <bandwidth>, <vlan>, <virtualport> and <port isolated=>,
 * shared by the network and network port formatters. See netdev-format.h. */
#include "netdev-format.h"

static void
rate_format(GString *buf, const NcBandwidthRate *rate, const char *name, guint indent)
{
  /* libvirt writes a value only when it is not zero, and drops the element
   * when neither average nor floor is set. */
  if (!rate || (!rate->average && !rate->floor))
    return;
  g_string_append_printf(buf, "%*s<%s", (int)indent, "", name);
  if (rate->average)
    g_string_append_printf(buf, " average='%" G_GUINT64_FORMAT "'", rate->average);
  if (rate->peak)
    g_string_append_printf(buf, " peak='%" G_GUINT64_FORMAT "'", rate->peak);
  if (rate->floor)
    g_string_append_printf(buf, " floor='%" G_GUINT64_FORMAT "'", rate->floor);
  if (rate->burst)
    g_string_append_printf(buf, " burst='%" G_GUINT64_FORMAT "'", rate->burst);
  g_string_append(buf, "/>\n");
}

void
nc_bandwidth_format(GString *buf, const NcBandwidth *bw, guint indent)
{
  if (!bw)
    return;
  g_string_append_printf(buf, "%*s<bandwidth", (int)indent, "");
  if (bw->class_id)
    g_string_append_printf(buf, " classID='%u'", bw->class_id);
  g_string_append(buf, ">\n");
  rate_format(buf, bw->in, "inbound", indent + 2);
  rate_format(buf, bw->out, "outbound", indent + 2);
  g_string_append_printf(buf, "%*s</bandwidth>\n", (int)indent, "");
}

void
nc_vlan_format(GString *buf, const NcVlan *vlan, guint indent)
{
  const NcVlanTag *native = NULL;

  if (!vlan || !vlan->tags || vlan->tags->len == 0)
    return;

  /* libvirt keeps one (native id, mode) pair and writes the mode on every tag
   * with that id; find the pair the same way the parser stored it. */
  for (guint i = 0; i < vlan->tags->len; i++) {
    const NcVlanTag *tag = &g_array_index(vlan->tags, NcVlanTag, i);

    if (tag->native_mode != NC_VLAN_NATIVE_DEFAULT) {
      native = tag;
      break;
    }
  }

  g_string_append_printf(buf, "%*s<vlan%s>\n", (int)indent, "",
                         (vlan->trunk == NC_TRISTATE_YES || vlan->tags->len > 1) ? " trunk='yes'"
                                                                                 : "");
  for (guint i = 0; i < vlan->tags->len; i++) {
    const NcVlanTag *tag = &g_array_index(vlan->tags, NcVlanTag, i);

    if (native && tag->id == native->id)
      g_string_append_printf(buf, "%*s<tag id='%u' nativeMode='%s'/>\n", (int)indent + 2, "",
                             tag->id, nc_vlan_native_mode_to_string(native->native_mode));
    else
      g_string_append_printf(buf, "%*s<tag id='%u'/>\n", (int)indent + 2, "", tag->id);
  }
  g_string_append_printf(buf, "%*s</vlan>\n", (int)indent, "");
}

void
nc_virtualport_format(GString *buf, const NcVirtualPort *vp, guint indent)
{
  char uuid[NC_UUID_STRING_LEN];
  gboolean none, qbg, qbh, ovs, midonet;
  gboolean no_parameters;

  if (!vp)
    return;

  no_parameters
      = !(vp->has_managerid || vp->has_typeid || vp->has_typeidversion || vp->has_instanceid
          || (vp->profileid && *vp->profileid) || vp->has_interfaceid);
  if (vp->type == NC_VIRTUALPORT_NONE) {
    if (no_parameters)
      return;
    g_string_append_printf(buf, "%*s<virtualport>\n", (int)indent, "");
  } else if (no_parameters) {
    g_string_append_printf(buf, "%*s<virtualport type='%s'/>\n", (int)indent, "",
                           nc_virtualport_type_to_string(vp->type));
    return;
  } else {
    g_string_append_printf(buf, "%*s<virtualport type='%s'>\n", (int)indent, "",
                           nc_virtualport_type_to_string(vp->type));
  }

  /* A typeless virtualport (a portgroup's, to be merged) keeps every
   * parameter; a typed one writes only those of its type. */
  none = vp->type == NC_VIRTUALPORT_NONE;
  qbg = none || vp->type == NC_VIRTUALPORT_8021QBG;
  qbh = vp->type == NC_VIRTUALPORT_8021QBH;
  ovs = vp->type == NC_VIRTUALPORT_OPENVSWITCH;
  midonet = vp->type == NC_VIRTUALPORT_MIDONET;

  g_string_append_printf(buf, "%*s<parameters", (int)indent + 2, "");
  if (vp->has_managerid && qbg)
    g_string_append_printf(buf, " managerid='%u'", vp->managerid);
  if (vp->has_typeid && qbg)
    g_string_append_printf(buf, " typeid='%u'", vp->typeid);
  if (vp->has_typeidversion && qbg)
    g_string_append_printf(buf, " typeidversion='%u'", vp->typeidversion);
  if (vp->has_instanceid && qbg) {
    nc_uuid_format(vp->instanceid, uuid);
    g_string_append_printf(buf, " instanceid='%s'", uuid);
  }
  if (vp->has_interfaceid && (none || midonet || ovs)) {
    nc_uuid_format(vp->interfaceid, uuid);
    g_string_append_printf(buf, " interfaceid='%s'", uuid);
  }
  /* libvirt prints profileid unescaped (and so can write broken XML); the
   * parser refuses quotes, and '<' and '&' are escaped here. */
  if (vp->profileid && *vp->profileid && (none || ovs || qbh)) {
    g_autofree char *escaped = g_markup_escape_text(vp->profileid, -1);

    g_string_append_printf(buf, " profileid='%s'", escaped);
  }
  g_string_append(buf, "/>\n");
  g_string_append_printf(buf, "%*s</virtualport>\n", (int)indent, "");
}

void
nc_port_options_format(GString *buf, NcTristate isolated, guint indent)
{
  if (isolated == NC_TRISTATE_ABSENT)
    return;
  g_string_append_printf(buf, "%*s<port isolated='%s'/>\n", (int)indent, "",
                         nc_tristate_to_string(isolated));
}
