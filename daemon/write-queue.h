/* A FIFO of calls that change state, run in slices of about a millisecond
 * per main-loop turn.
 *
 * Why: every front end's calls run on the one main loop, and a call that
 * changes something (define, start, port create...) waits on the kernel
 * (netlink under RTNL), on fsync or on helper programs; run as they arrive,
 * a burst of such calls made every read queued behind them wait for all of
 * them (bench/RESULTS.md, load). Queued here, a read that arrives waits for
 * at most the slice of changes running when it came; changes still run in the
 * order they arrived, so per-network ordering is kept, and they are never
 * starved (the queue's source has the same priority as the front ends').
 *
 * Ownership: the queue owns its pending jobs. A job's func is called exactly
 * once: with run TRUE when its turn comes, or with run FALSE when the queue
 * is freed first (the job then replies "shutting down" or drops its reply);
 * either way func frees data. Main-thread only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NcWriteQueue NcWriteQueue;
typedef void (*NcWriteJobFunc)(gpointer data, gboolean run);

/* name: for the GSource (shown by debuggers and GLib's tracing). */
NcWriteQueue *nc_write_queue_new(const char *name);
/* Calls every pending job with run FALSE, then frees the queue. */
void nc_write_queue_free(NcWriteQueue *queue);
void nc_write_queue_push(NcWriteQueue *queue, NcWriteJobFunc func, gpointer data);
guint nc_write_queue_length(const NcWriteQueue *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcWriteQueue, nc_write_queue_free)

G_END_DECLS
