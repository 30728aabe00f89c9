/* See write-queue.h. */
#include "write-queue.h"

typedef struct {
  NcWriteJobFunc func;
  gpointer data;
} Job;

struct _NcWriteQueue {
  GQueue jobs;     /* of Job* */
  GSource *source; /* attached while jobs are pending */
  char *name;
};

/* Jobs for up to this long per dispatch (at least one), then back to the
 * main loop, which polls (timeout 0) and dispatches every call that arrived
 * meanwhile: a read waits for at most this slice, and the loop's per-turn
 * cost (a poll of every client's socket: ~70 fds at 64 libvirt-protocol
 * clients) is paid once per slice rather than once per change. */
#define SLICE_US 1000

static gboolean
run_slice(gpointer user_data)
{
  NcWriteQueue *q = user_data;
  gint64 end = g_get_monotonic_time() + SLICE_US;
  Job *job;

  do {
    job = g_queue_pop_head(&q->jobs);
    if (job == NULL)
      break;
    job->func(job->data, TRUE);
    g_free(job);
  } while (g_get_monotonic_time() < end);
  /* func may have pushed more; the queue outlives it (only _free removes it). */
  if (!g_queue_is_empty(&q->jobs))
    return G_SOURCE_CONTINUE;
  g_clear_pointer(&q->source, g_source_unref);
  return G_SOURCE_REMOVE;
}

NcWriteQueue *
nc_write_queue_new(const char *name)
{
  NcWriteQueue *q = g_new0(NcWriteQueue, 1);
  g_queue_init(&q->jobs);
  q->name = g_strdup(name);
  return q;
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
  g_free(q->name);
  g_free(q);
}
