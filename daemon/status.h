/* Status files of running networks: state_dir/NAME.xml, written after every
 * start and removed on stop, in libvirt's shape so either daemon can read the
 * other's:
 *
 *   <networkstatus>
 *     <class_id bitmap='0-2'/>
 *     <floor sum='0'/>
 *     <netctl bridge-ifindex='12' state='running'>    (ours; libvirt ignores it)
 *       <data key='...' value='...'/>
 *     </netctl>
 *     <network>...the live definition...</network>
 *   </networkstatus>
 *
 * state='starting' is written before a start does anything and
 * state='stopping' before a destroy does: a status file still saying so after
 * a crash means the operation was cut short, and the next daemon tears down
 * what is left instead of adopting it. */
#pragma once

#include "forward-driver.h"
#include "nc-daemon.h"

G_BEGIN_DECLS

typedef enum {
  NC_STATUS_RUNNING = 0,
  NC_STATUS_STARTING,
  NC_STATUS_STOPPING,
  _NC_STATUS_MAX,
} NcStatusState;

typedef struct {
  NcNetworkDef *def; /* the live definition */
  NcLiveState live;
  NcStatusState state;
  gboolean has_netctl; /* our <netctl> element was there (not libvirt's file) */
  char *path;
} NcStatusRecord;

void nc_status_record_free(NcStatusRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcStatusRecord, nc_status_record_free)

char *nc_status_path(const NcPaths *paths, const char *name);
gboolean nc_status_save(const NcPaths *paths, const NcNetworkDef *def, const NcLiveState *live,
                        NcStatusState state, GError **error);
gboolean nc_status_delete(const NcPaths *paths, const char *name, GError **error);
/* One status file's text -> record; path names it in messages and must end
 * in NAME.xml for the network it holds. NULL with NC_ERROR_XML_ERROR for
 * anything else (the fuzz target's entry point). */
NcStatusRecord *nc_status_parse(const char *contents, gsize len, const char *path,
                                GError **error);
/* Every readable state_dir/NAME.xml as NcStatusRecord* (owned by the array);
 * bad ones are skipped with a message in ret_problems (may be NULL), logged.
 * Read with nc_store_read_file: a symlink, FIFO, device or one over
 * NC_XML_MAX_DOCUMENT_SIZE is refused unread, its network then treated as
 * having no status file. */
GPtrArray *nc_status_load_all(const NcPaths *paths, GPtrArray *ret_problems);

G_END_DECLS
