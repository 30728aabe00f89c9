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

#include "store.h"

G_BEGIN_DECLS

typedef struct _NcWriteQueue NcWriteQueue;
typedef void (*NcWriteJobFunc)(gpointer data, gboolean run);

/* A reply held until the group's definitions are durable (see store.h's
 * group commit): called once, after the commit, with commit_error NULL, or
 * with the commit's error (the change is made but may not survive a power
 * loss: reply that error instead); it frees data. A queue freed with held
 * replies commits and sends them first. */
typedef void (*NcWriteReplyFunc)(gpointer data, const GError *commit_error);

/* name: for the GSource (shown by debuggers and GLib's tracing). batch:
 * the store's group commit, opened around each slice and committed when the
 * queue is empty or after a few milliseconds of slices (NULL: none). */
NcWriteQueue *nc_write_queue_new(const char *name, NcStoreBatch *batch);
/* For the front ends' replies to changes: while a job of the queue runs and
 * the group has writes not yet durable, or an earlier group's replies still
 * wait for their commit, the reply is held and sent after the group's
 * commit (which runs off the main loop, store.h), in the order held;
 * otherwise send runs at once (NULL). So a change's reply never says "done"
 * of a definition that is not on disk, and a reply held once keeps every
 * later reply behind it (they may depend on it). */
void nc_write_queue_reply(NcWriteQueue *queue, NcWriteReplyFunc send, gpointer data);
/* Calls every pending job with run FALSE, then frees the queue. */
void nc_write_queue_free(NcWriteQueue *queue);
void nc_write_queue_push(NcWriteQueue *queue, NcWriteJobFunc func, gpointer data);
guint nc_write_queue_length(const NcWriteQueue *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcWriteQueue, nc_write_queue_free)

G_END_DECLS
