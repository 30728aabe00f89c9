/* Status files of ports: state_dir/NETWORK/ports/UUID.xml, libvirt's place
 * and format (the <networkport> XML with its plug), so either daemon reads
 * the other's. When netctl made the port's TAP, UUID.tap beside it says
 * which (GKeyFile: name, owner, group, queues, vnet-hdr, mtu; for a macvtap
 * also chardev, chardev-major, chardev-minor, chardev-made and, in
 * passthrough mode, uplink-mac: the uplink's own MAC); it is written
 * before the XML and removed after it, so an XML without a .tap is a port
 * whose device is the VMM's.
 *
 * Ports outlive a stop of their network; the directory goes with the
 * network (undefine of an inactive one, destroy of a transient one). */
#pragma once

#include "forward-driver.h"
#include "nc-daemon.h"

G_BEGIN_DECLS

typedef struct {
  NcNetworkPortDef *def;
  NcPortDevice dev;  /* dev.create FALSE: no .tap file */
  char *path;
} NcPortRecord;

void nc_port_record_free(NcPortRecord *rec);

char *nc_port_status_dir(const NcPaths *paths, const char *network);
gboolean nc_port_status_save(const NcPaths *paths, const char *network,
                             const NcNetworkPortDef *def, const NcPortDevice *dev, GError **error);
void nc_port_status_delete(const NcPaths *paths, const char *network, const char *uuid);
/* Removes the network's whole port directory. */
void nc_port_status_delete_all(const NcPaths *paths, const char *network);
/* Every readable port of `network` as NcPortRecord* (owned by the array),
 * sorted by file modification order is not kept: sorted by uuid. Bad files
 * are logged (naming the file) and skipped. */
GPtrArray *nc_port_status_load(const NcPaths *paths, const char *network);

G_END_DECLS
