/* Formatters for the sub-elements that <network>, <portgroup> and
 * <networkport> share, writing exactly what libvirt's virNetDevBandwidthFormat,
 * virNetDevVlanFormat, virNetDevVPortProfileFormat and
 * virNetworkPortOptionsFormat write.
 *
 * Each appends to @buf, starting every line with @indent spaces; the element's
 * children get @indent + 2. A NULL (or empty) value appends nothing, so
 * callers need not test before calling. Never fails. */
#pragma once

#include "network-def.h"

G_BEGIN_DECLS

/* classID= is written when bw->class_id is not 0. */
void nc_bandwidth_format(GString *buf, const NcBandwidth *bw, guint indent);
void nc_vlan_format(GString *buf, const NcVlan *vlan, guint indent);
void nc_virtualport_format(GString *buf, const NcVirtualPort *vp, guint indent);
/* <port isolated=>; nothing for ABSENT. */
void nc_port_options_format(GString *buf, NcTristate isolated, guint indent);

G_END_DECLS
