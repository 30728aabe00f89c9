/* See write-queue.h. */
#include "write-queue.h"

typedef struct {
  NcWriteJobFunc func;
  gpointer data;
} Job;

typedef struct {
  NcWriteReplyFunc send;
  gpointer data;
} Held;

struct _NcWriteQueue {
  GQueue jobs;     /* of Job* */
  GSource *source; /* attached while jobs are pending */
  char *name;
  NcStoreBatch *batch; /* borrowed (the daemon's paths own it), or NULL */
  gboolean in_slice;
  GArray *held;       /* of Held: replies waiting for the group's commit */
  guint waiting;      /* groups of held replies waiting for their commit to end */
  gint64 group_start; /* when the first slice since the last commit began; 0: none */
};

typedef struct {
  NcWriteQueue *queue;
  GArray *held; /* of Held */
} Group;

/* Sends held replies in order; commit_error NULL once they are durable. */
static void
send_all(GArray *held, const GError *commit_error)
{
  for (guint i = 0; i < held->len; i++) {
    Held *h = &g_array_index(held, Held, i);
    h->send(h->data, commit_error);
  }
}

static void
group_durable(gpointer data, const GError *commit_error)
{
  Group *g = data;
  g->queue->waiting--;
  send_all(g->held, commit_error);
  g_array_unref(g->held);
  g_free(g);
}

/* Jobs for up to this long per dispatch (at least one), then back to the
 * main loop, which polls (timeout 0) and dispatches every call that arrived
 * meanwhile: a read waits for at most this slice, and the loop's per-turn
 * cost (a poll of every client's socket: ~70 fds at 64 libvirt-protocol
 * clients) is paid once per slice rather than once per change. */
#define SLICE_US 1000

/* The group commit (store.h) spans the slices run within this long, or until
 * the queue is empty: a slice holds one or two definitions on a loaded
 * machine (a job's wall time there is the CPU it waits for), so a commit per
 * slice would still pay about a journal commit per change. Reads are served
 * between the slices meanwhile; the changes' replies wait at most this long
 * plus the commit. */
#define GROUP_US 10000

/* Ends the group: its writes are synced off the main loop (store.h) and its
 * held replies sent when that is done. */
static void
commit(NcWriteQueue *q)
{
  q->group_start = 0;
  if (q->held->len == 0 && q->batch == NULL)
    return;
  if (q->batch == NULL) {
    send_all(q->held, NULL);
    g_array_set_size(q->held, 0);
    return;
  }
  if (q->held->len > 0) {
    Group *g = g_new(Group, 1);
    g->queue = q;
    g->held = g_steal_pointer(&q->held);
    q->held = g_array_new(FALSE, FALSE, sizeof(Held));
    q->waiting++;
    nc_store_batch_when_durable(q->batch, group_durable, g);
  }
  nc_store_batch_commit_async(q->batch);
}

static gboolean
run_slice(gpointer user_data)
{
  NcWriteQueue *q = user_data;
  gint64 end = g_get_monotonic_time() + SLICE_US;
  Job *job;

  /* The definition writes of the slices of one group are synced together
   * after the last, and their replies released only then. */
  if (q->group_start == 0)
    q->group_start = g_get_monotonic_time();
  if (q->batch != NULL)
    nc_store_batch_begin(q->batch);
  q->in_slice = TRUE;
  do {
    job = g_queue_pop_head(&q->jobs);
    if (job == NULL)
      break;
    job->func(job->data, TRUE);
    g_free(job);
  } while (g_get_monotonic_time() < end);
  q->in_slice = FALSE;
  if (q->batch != NULL)
    nc_store_batch_end(q->batch);
  /* func may have pushed more; the queue outlives it (only _free removes it). */
  if (!g_queue_is_empty(&q->jobs) && g_get_monotonic_time() - q->group_start < GROUP_US)
    return G_SOURCE_CONTINUE;
  commit(q);
  if (!g_queue_is_empty(&q->jobs))
    return G_SOURCE_CONTINUE;
  g_clear_pointer(&q->source, g_source_unref);
  return G_SOURCE_REMOVE;
}

NcWriteQueue *
nc_write_queue_new(const char *name, NcStoreBatch *batch)
{
  NcWriteQueue *q = g_new0(NcWriteQueue, 1);
  g_queue_init(&q->jobs);
  q->name = g_strdup(name);
  q->batch = batch;
  q->held = g_array_new(FALSE, FALSE, sizeof(Held));
  return q;
}

void
nc_write_queue_reply(NcWriteQueue *q, NcWriteReplyFunc send, gpointer data)
{
  /* Held behind an earlier group still waiting too: replies keep their order. */
  if (q == NULL || !q->in_slice
      || (q->held->len == 0 && q->waiting == 0 && !nc_store_batch_pending(q->batch))) {
    send(data, NULL);
    return;
  }
  g_array_append_val(q->held, ((Held){ .send = send, .data = data }));
}

void
nc_write_queue_push(NcWriteQueue *q, NcWriteJobFunc func, gpointer data)
{
  Job *job = g_new(Job, 1);
  *job = (Job){ .func = func, .data = data };
  g_queue_push_tail(&q->jobs, job);
  if (q->source != NULL)
    return;
  /* The priority of GDBus's and the RPC sockets' own dispatch. */
  q->source = g_idle_source_new();
  g_source_set_priority(q->source, G_PRIORITY_DEFAULT);
  g_source_set_name(q->source, q->name);
  g_source_set_callback(q->source, run_slice, q, NULL);
  g_source_attach(q->source, NULL);
}

guint
nc_write_queue_length(const NcWriteQueue *q)
{
  return q->jobs.length;
}

void
nc_write_queue_free(NcWriteQueue *q)
{
  Job *job;

  if (q == NULL)
    return;
  if (q->source != NULL) {
    g_source_destroy(q->source);
    g_clear_pointer(&q->source, g_source_unref);
  }
  while ((job = g_queue_pop_head(&q->jobs)) != NULL) {
    job->func(job->data, FALSE);
    g_free(job);
  }
  /* Replies held by a group the jobs above did not finish: its changes are
   * made, so they are made durable and answered, now. */
  commit(q);
  if (q->batch != NULL)
    nc_store_batch_flush(q->batch);
  g_array_unref(q->held);
  g_free(q->name);
  g_free(q);
}
