/* Persistent network definitions: config_dir/NAME.xml and the autostart links
 * autostart_dir/NAME.xml -> ../NAME.xml, in libvirt's layout.
 *
 * Every write is atomic (temporary file in the same directory, fsync, rename,
 * fsync of the directory): a daemon killed at any moment leaves either the
 * old or the new file, never a half-written one. Temporary files are named
 * ".NAME.xml.XXXXXX" and those left by a crash are removed on load. */
#pragma once

#include "nc-daemon.h"

G_BEGIN_DECLS

/* A GError wrapper over nc_file_write_atomic (drivers/kernel/atomic-file.h,
 * the one implementation), creating the directory first. mode is the file's
 * permissions whatever the umask. */
gboolean nc_store_write_atomic(const char *path, const char *contents, gssize len, int mode,
                               GError **error);
/* The same without fsync: still atomic against a daemon crash (rename), not
 * durable across a power loss. For state that dies with the machine anyway
 * (status files on /run). */
gboolean nc_store_write_atomic_volatile(const char *path, const char *contents, gssize len,
                                        int mode, GError **error);
/* Reads a file of the state or configuration root through
 * nc_file_read_bounded (safe-read.h): a symlink, FIFO, device or directory,
 * or a file over max_size, is refused unread with NC_ERROR_READ_FAILED
 * "PATH: refused unread: WHY"; a missing file is G_FILE_ERROR_NOENT.
 * *ret_contents is NUL-terminated; ret_len may be NULL. */
gboolean nc_store_read_file(const char *path, gsize max_size, char **ret_contents, gsize *ret_len,
                            GError **error);
/* unlink; a missing file is not an error. */
gboolean nc_store_remove(const char *path, GError **error);
/* mkdir -p with mode 0755 (0700 for none of ours: libvirt's dirs are 0755). */
gboolean nc_store_ensure_dir(const char *dir, GError **error);

char *nc_store_config_path(const NcPaths *paths, const char *name);
char *nc_store_autostart_path(const NcPaths *paths, const char *name);

/* Writes config_dir/NAME.xml (the inactive format). */
gboolean nc_store_save_config(const NcPaths *paths, const NcNetworkDef *def, GError **error);
/* Removes the config and its autostart link. */
gboolean nc_store_delete_config(const NcPaths *paths, const char *name, GError **error);

gboolean nc_store_get_autostart(const NcPaths *paths, const char *name);
gboolean nc_store_set_autostart(const NcPaths *paths, const char *name, gboolean autostart,
                                GError **error);

/* Removes the temporary files an interrupted write left in dir
 * (".NAME.xml.XXXXXX", ".autostarted.XXXXXX", ...). */
void nc_store_remove_stale_temps(const char *dir);

/* Every loadable config_dir/NAME.xml, as NcNetworkDef* (owned by the array),
 * sorted by file name. A corrupt or invalid file, one refused unread (see
 * nc_store_read_file), or one whose name does not match the network name, is
 * skipped, with one message per file appended to
 * ret_problems (char*, may be NULL) and logged as a warning. */
GPtrArray *nc_store_load_configs(const NcPaths *paths, GPtrArray *ret_problems);

/* -- group commit ----------------------------------------------------------
 *
 * Why: on a real disk each fsync is a journal commit (0.3-2 ms, more when the
 * disk is shared), and a define paid two of them (file, directory), an
 * undefine one, in the main loop, one change after another: 64 clients
 * defining over D-Bus waited on the disk (bench/RESULTS.md, load). While a
 * batch is open (the write queue opens one around each slice of changes), the
 * definition writes below rename their file into place without syncing and
 * only note the file and its directory; nc_store_batch_commit then syncs
 * every noted file, then every noted directory, once each: the first sync
 * commits the journal for all of them, so a slice of N changes pays about
 * one commit instead of 2N. The replies of those changes are held until the
 * commit is done (nc_write_queue_reply), so "defined" is still only said of
 * a durable definition. A daemon killed meanwhile loses nothing (the page
 * cache survives it); a power loss before the commit may lose or empty a
 * definition whose change was never acknowledged (on ext4 a rename over an
 * existing file flushes its data first). Outside a batch every write syncs
 * at once, as before. */
typedef struct _NcStoreBatch NcStoreBatch;

NcStoreBatch *nc_store_batch_new(void);
void nc_store_batch_free(NcStoreBatch *batch);
/* Opens / closes the batch (nested opens count). While it is open, the
 * definition writes defer their syncs; once closed, writes sync at once again
 * and what was noted waits for the commit. */
void nc_store_batch_begin(NcStoreBatch *batch);
void nc_store_batch_end(NcStoreBatch *batch);
/* Whether writes made in the batch still wait for its commit. */
gboolean nc_store_batch_pending(const NcStoreBatch *batch);
/* Syncs what the batch noted, open or not, now. FALSE with
 * NC_ERROR_WRITE_FAILED naming the first file or directory that failed (the
 * rest are still synced). */
gboolean nc_store_batch_commit(NcStoreBatch *batch, GError **error);

/* The same off the main loop: the syncs (a journal commit or more, 1-10 ms
 * on this VM's disk; 10% of the main thread's time in the 64-client load
 * while it stood still) run on a thread of their own while the main loop
 * goes on with reads and the next changes. One commit at a time, in order:
 * what is noted while one runs goes in the next, started when it ends. */
void nc_store_batch_commit_async(NcStoreBatch *batch);
/* Called on the main loop once every write noted so far is synced, with
 * NULL or the commit's error (the change is made but may not survive a
 * power loss); at once when nothing noted waits. In the order registered. */
typedef void (*NcStoreDurableFunc)(gpointer data, const GError *commit_error);
void nc_store_batch_when_durable(NcStoreBatch *batch, NcStoreDurableFunc func, gpointer data);
/* Waits for the running commit, commits the rest now and calls every
 * waiter: at shutdown. nc_store_batch_free() does it too. */
void nc_store_batch_flush(NcStoreBatch *batch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcStoreBatch, nc_store_batch_free)

G_END_DECLS
