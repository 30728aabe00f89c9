#include "pid-watch.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <glib-unix.h>

typedef struct {
  int fd;
  NcPidWatchFunc func;
  gpointer data;
} Entry;

struct _NcPidWatch {
  int epfd;
  guint source_id;
  guint next_id;
  GHashTable *entries; /* id -> Entry* */
};

static gboolean
on_ready(int fd, GIOCondition cond, gpointer user_data)
{
  NcPidWatch *w = user_data;
  struct epoll_event events[32];
  int n = epoll_wait(w->epfd, events, G_N_ELEMENTS(events), 0);
  for (int i = 0; i < n; i++) {
    guint id = (guint)events[i].data.u32;
    Entry *e = g_hash_table_lookup(w->entries, GUINT_TO_POINTER(id));
    if (e == NULL)
      continue; /* removed by an earlier callback of this round */
    NcPidWatchFunc func = e->func;
    gpointer data = e->data;
    /* One-shot: gone before the callback, which may add or remove watches. */
    nc_pid_watch_remove(w, id);
    func(data);
  }
  return G_SOURCE_CONTINUE;
}

NcPidWatch *
nc_pid_watch_new(void)
{
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0)
    return NULL;
  NcPidWatch *w = g_new0(NcPidWatch, 1);
  w->epfd = epfd;
  w->entries = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  w->source_id = g_unix_fd_add(epfd, G_IO_IN, on_ready, w);
  return w;
}

void
nc_pid_watch_free(NcPidWatch *w)
{
  if (w == NULL)
    return;
  g_clear_handle_id(&w->source_id, g_source_remove);
  g_hash_table_unref(w->entries);
  close(w->epfd);
  g_free(w);
}

guint
nc_pid_watch_add(NcPidWatch *w, int pidfd, NcPidWatchFunc func, gpointer data)
{
  guint id = ++w->next_id;
  if (id == 0)
    id = ++w->next_id; /* wrapped: 0 means "none" */
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = id };
  if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0)
    return 0;
  Entry *e = g_new0(Entry, 1);
  e->fd = pidfd;
  e->func = func;
  e->data = data;
  g_hash_table_insert(w->entries, GUINT_TO_POINTER(id), e);
  return id;
}

void
nc_pid_watch_remove(NcPidWatch *w, guint id)
{
  Entry *e = id ? g_hash_table_lookup(w->entries, GUINT_TO_POINTER(id)) : NULL;
  if (e == NULL)
    return;
  int saved = errno;
  epoll_ctl(w->epfd, EPOLL_CTL_DEL, e->fd, NULL);
  errno = saved;
  g_hash_table_remove(w->entries, GUINT_TO_POINTER(id));
}

guint
nc_pid_watch_count(NcPidWatch *w)
{
  return g_hash_table_size(w->entries);
}
