/* Parsers for the sub-elements that <network>, <portgroup> and <networkport>
 * share: <bandwidth>, <vlan>, <virtualport> and <port isolated=>.
 *
 * They accept and reject what libvirt's netdev_bandwidth_conf.c,
 * netdev_vlan_conf.c, netdev_vport_profile_conf.c and
 * virNetworkPortOptionsParseXML accept and reject, so that one element means
 * the same thing in a network and in a port.
 *
 * Return convention: TRUE on success with the result stored in ret_*; FALSE
 * with @error set (NC_ERROR domain, libvirt's code for the same failure) and
 * ret_* untouched. The caller owns what ret_* receives.
 *
 * Messages go through nc_xml_set_error(): "FILE:LINE: network 'NAME': <elem>: ...".
 * @filename may be NULL (a string); @network_name may be NULL (ports have no
 * network name), and then that part is left out. */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

typedef enum {
  /* floor= is accepted in <inbound> (ports; networks only in libvirt's
   * interface context). <outbound floor=> is always an error. */
  NC_BANDWIDTH_PARSE_ALLOW_FLOOR = 1 << 0,
  /* classID= is accepted (port status); otherwise it is an error, as in
   * libvirt's network parser. */
  NC_BANDWIDTH_PARSE_ALLOW_CLASS_ID = 1 << 1,
} NcBandwidthParseFlags;

/* <bandwidth [classID=]> with at most one <inbound> and <outbound> (the first
 * of each is used, like libvirt). *ret_bw is set to NULL when neither child is
 * present: libvirt then drops the element. */
gboolean nc_bandwidth_parse(xmlNodePtr node, guint flags, const char *filename,
                            const char *network_name, NcBandwidth **ret_bw, GError **error);

/* <vlan [trunk=]> with one or more <tag id= [nativeMode=]>. trunk is stored as
 * YES when written so or when there is more than one tag; NO for a single tag
 * with trunk='no' (dropped on output, as libvirt does). */
gboolean nc_vlan_parse(xmlNodePtr node, const char *filename, const char *network_name,
                       NcVlan **ret_vlan, GError **error);

typedef enum {
  /* <virtualport> without type= is an error (top-level <network> virtualport). */
  NC_VIRTUALPORT_PARSE_REQUIRE_TYPE = 1 << 0,
} NcVirtualPortParseFlags;

/* <virtualport [type=]><parameters .../></virtualport>. Numbers take C
 * notation (0x.., 0..) like libvirt; parameters that the type does not have
 * are errors (virNetDevVPortProfileCheckNoExtras). */
gboolean nc_virtualport_parse(xmlNodePtr node, guint flags, const char *filename,
                              const char *network_name, NcVirtualPort **ret_vp, GError **error);

/* <port isolated='yes|no'/>; @node may be NULL (then ABSENT). */
gboolean nc_port_options_parse(xmlNodePtr node, const char *filename, const char *network_name,
                               NcTristate *ret_isolated, GError **error);

/* A yes/no attribute as virXMLPropTristateBool reads it: absent -> ABSENT,
 * "yes"/"no" -> YES/NO, anything else an error naming the element.
 * @node may be NULL (then ABSENT). */
gboolean nc_netdev_prop_tristate(xmlNodePtr node, const char *attr, const char *filename,
                                 const char *network_name, NcTristate *ret_value, GError **error);

G_END_DECLS
