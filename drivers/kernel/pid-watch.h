/* Process exits seen through one epoll set of pidfds.
 *
 * GLib polls every fd source on each main-loop iteration, so one pidfd source
 * per supervised dnsmasq made every iteration (several per network start)
 * cost O(networks) in poll(). The set is one GLib source however many
 * processes it watches; epoll reports only the pidfds that became readable. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NcPidWatch NcPidWatch;

/* Called once, from the main loop, when the process behind the pidfd has
 * exited; the watch is gone by then (the pidfd stays the caller's). */
typedef void (*NcPidWatchFunc)(gpointer data);

/* NULL when epoll cannot be had (the caller falls back to a source per
 * pidfd). Attached to the thread-default main context. */
NcPidWatch *nc_pid_watch_new(void);
void nc_pid_watch_free(NcPidWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcPidWatch, nc_pid_watch_free)

/* Watches pidfd (borrowed: keep it open while watched). An id > 0, or 0
 * with errno set. */
guint nc_pid_watch_add(NcPidWatch *watch, int pidfd, NcPidWatchFunc func, gpointer data);
/* Stops an id from nc_pid_watch_add; an id already fired or removed is ignored. */
void nc_pid_watch_remove(NcPidWatch *watch, guint id);
/* How many pidfds are watched (tests). */
guint nc_pid_watch_count(NcPidWatch *watch);

G_END_DECLS
