/* Deleting links off the main loop.
 *
 * RTM_DELLINK of a bridge returns only once the kernel has unregistered the
 * device, which waits for RCU grace periods: tens of milliseconds, most of a
 * net-destroy. A worker thread with its own rtnetlink socket does that wait
 * instead, so the reply goes out at once. Until the worker is done the
 * device's name is still taken: whoever wants to create a device of that
 * name calls nc_link_wait_deleted() first (a start right after a destroy
 * pays the wait, nothing else does). A daemon that dies meanwhile leaves the
 * device to the next start, which knows its own bridge by its MAC. */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <netlink/route/link.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "addr.h"
#include "link-reply.h"
#include "nc-kernel.h"

struct _NcLinkReaper {
  GThreadPool *pool;
  GMutex lock;
  GCond done;
  GHashTable *pending; /* name -> count of deletions in flight */
  guint64 queued;      /* sequence number of the last job queued */
  guint64 covered;     /* jobs up to this one went in a group deletion */
};

typedef struct {
  int ifindex;
  gboolean grouped; /* in NC_LINK_GONE_GROUP: deleted with the whole group */
  guint64 seq;
  char *name;
} Job;

static void
forget(NcLinkReaper *reaper, const char *name)
{
  g_mutex_lock(&reaper->lock);
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(reaper->pending, name));
  if (n <= 1)
    g_hash_table_remove(reaper->pending, name);
  else
    g_hash_table_insert(reaper->pending, g_strdup(name), GUINT_TO_POINTER(n - 1));
  g_cond_broadcast(&reaper->done);
  g_mutex_unlock(&reaper->lock);
}

/* RTM_DELLINK of one ifindex, or of every link in a group (ifindex 0). */
static int
delete_links(struct nl_sock *sock, int ifindex, guint32 group)
{
  struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
  int r = -NLE_NOMEM;
  if (msg && nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) == 0
      && (!group || nla_put_u32(msg, IFLA_GROUP, group) == 0))
    r = nl_send_sync(sock, msg); /* frees msg */
  else if (msg)
    nlmsg_free(msg);
  return r;
}

/* The worker: one socket per thread, kept for the thread's life. A job of a
 * grouped link with others queued behind it deletes the whole group: the
 * links queued after it go in the same RTM_DELLINK (one wait for the
 * kernel's grace periods), and their own jobs are then skipped. */
static void
run_job(gpointer data, gpointer user_data)
{
  static GPrivate sock_key = G_PRIVATE_INIT((GDestroyNotify)nl_socket_free);
  Job *job = data;
  NcLinkReaper *reaper = user_data;
  struct nl_sock *sock = g_private_get(&sock_key);
  if (!sock) {
    sock = nl_socket_alloc();
    if (sock && nl_connect(sock, NETLINK_ROUTE) < 0)
      g_clear_pointer(&sock, nl_socket_free);
    g_private_set(&sock_key, sock);
  }
  /* A group deletion walks every link of the namespace (twice) to find
   * the group: worth it for a backlog, not for the one link just retired,
   * nor for jobs an earlier group deletion has already covered. */
  g_mutex_lock(&reaper->lock);
  gboolean covered = job->grouped && job->seq <= reaper->covered;
  gboolean alone = job->seq == reaper->queued;
  if (job->grouped && !covered)
    reaper->covered = reaper->queued;
  g_mutex_unlock(&reaper->lock);
  if (sock && !covered) {
    int r = job->grouped && !alone ? delete_links(sock, 0, NC_LINK_GONE_GROUP)
                                   : delete_links(sock, job->ifindex, 0);
    if (r < 0 && r != -NLE_NODEV && r != -NLE_OBJ_NOTFOUND)
      g_debug("kernel: deferred deletion of link %d (%s): %s", job->ifindex, job->name,
              nl_geterror(r));
  } else if (!sock) {
    g_warning("kernel: cannot delete link %d (%s): no netlink socket", job->ifindex, job->name);
  }
  forget(reaper, job->name);
  g_free(job->name);
  g_free(job);
}

NcLinkReaper *
nc_link_reaper_new(void)
{
  NcLinkReaper *reaper = g_new0(NcLinkReaper, 1);
  g_mutex_init(&reaper->lock);
  g_cond_init(&reaper->done);
  reaper->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  /* One thread: deletions serialize in the kernel's RTNL lock anyway. */
  reaper->pool = g_thread_pool_new(run_job, reaper, 1, FALSE, NULL);
  return reaper;
}

void
nc_link_reaper_free(NcLinkReaper *reaper)
{
  if (!reaper)
    return;
  g_thread_pool_free(reaper->pool, FALSE, TRUE); /* finishes what is queued */
  g_hash_table_unref(reaper->pending);
  g_mutex_clear(&reaper->lock);
  g_cond_clear(&reaper->done);
  g_free(reaper);
}

/* A retired link keeps its IPv4 addresses (down drops only IPv6 ones) until
 * the kernel has unregistered it: take them off now, so they are free for
 * the next start at once, as the name is. */
static void
release_addresses(NcKernel *kernel, int ifindex)
{
  g_autoptr(GArray) addrs = NULL;
  if (nc_addr_list(kernel, AF_INET, ifindex, &addrs) < 0)
    return;
  for (guint i = 0; i < addrs->len; i++) {
    const NcAddrEntry *a = &g_array_index(addrs, NcAddrEntry, i);
    nc_addr_delete(kernel, ifindex, &a->addr, a->prefix);
  }
}

/* Queues the deletion of ifindex; grouped: it is in NC_LINK_GONE_GROUP, so a
 * backlog can go in one RTM_DELLINK. name: what it is called until deleted. */
static int
queue_job(NcKernel *kernel, int ifindex, const char *name, gboolean grouped)
{
  NcLinkReaper *reaper = nc_kernel_link_reaper(kernel);
  Job *job = g_new0(Job, 1);
  job->ifindex = ifindex;
  job->grouped = grouped;
  job->name = g_strdup(name);
  g_mutex_lock(&reaper->lock);
  job->seq = ++reaper->queued;
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(reaper->pending, job->name));
  g_hash_table_insert(reaper->pending, g_strdup(job->name), GUINT_TO_POINTER(n + 1));
  g_mutex_unlock(&reaper->lock);
  if (!g_thread_pool_push(reaper->pool, job, NULL)) {
    forget(reaper, job->name);
    g_free(job->name);
    g_free(job);
    return nc_link_delete(kernel, ifindex);
  }
  return 0;
}

int
nc_link_delete_deferred(NcKernel *kernel, int ifindex, const char *name)
{
  if (ifindex <= 0 || !name)
    return -EINVAL;
  char gone[IF_NAMESIZE];
  g_snprintf(gone, sizeof gone, NC_LINK_GONE_PREFIX "%x", (guint)ifindex);
  int r = nc_link_retire(kernel, ifindex, gone, NC_LINK_GONE_GROUP);
  if (r == -ENODEV)
    return r;
  release_addresses(kernel, ifindex);
  /* Renamed: its old name is free, nobody needs to wait for it. */
  return queue_job(kernel, ifindex, r == 0 ? gone : name, r == 0);
}

int
nc_link_delete_deferred_device(NcKernel *kernel, int ifindex, const char *name)
{
  if (ifindex <= 0 || !name)
    return -EINVAL;
  int r = nc_link_set_group(kernel, ifindex, NC_LINK_GONE_GROUP);
  if (r == -ENODEV)
    return r;
  return queue_job(kernel, ifindex, name, r == 0);
}

void
nc_link_wait_deleted(NcKernel *kernel, const char *name)
{
  NcLinkReaper *reaper = nc_kernel_peek_link_reaper(kernel);
  if (!reaper || !name)
    return;
  gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock(&reaper->lock);
  while (g_hash_table_contains(reaper->pending, name))
    if (!g_cond_wait_until(&reaper->done, &reaper->lock, deadline))
      break; /* the kernel is stuck; the caller's create reports EEXIST */
  g_mutex_unlock(&reaper->lock);
}

int
nc_link_reap_leftovers(NcKernel *kernel)
{
  struct if_nameindex *names = if_nameindex();
  int n = 0;
  for (struct if_nameindex *p = names; p && p->if_index; p++) {
    NcLinkInfo info;
    /* Our prefix is the mark: a link renamed so was ours and on its way out. */
    if (!g_str_has_prefix(p->if_name, NC_LINK_GONE_PREFIX)
        || nc_link_get_info(kernel, p->if_name, &info) < 0)
      continue;
    if (nc_link_delete_deferred(kernel, info.ifindex, p->if_name) == 0)
      n++;
  }
  if (names)
    if_freenameindex(names);
  return n;
}

static void
collect_marked_device(const NcLinkAttrs *link, gpointer data)
{
  if (link->group == NC_LINK_GONE_GROUP && !g_str_has_prefix(link->name, NC_LINK_GONE_PREFIX))
    g_array_append_val((GArray *)data, link->ifindex);
}

int
nc_link_unmark_devices(NcKernel *kernel)
{
  g_autoptr(GArray) ifindexes = g_array_new(FALSE, FALSE, sizeof(int));
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0, 0, 0);
  if (!msg)
    return -ENOMEM;
  int r = nc_link_reply_query(kernel, g_steal_pointer(&msg), collect_marked_device, ifindexes);
  if (r < 0)
    return r;
  for (guint i = 0; i < ifindexes->len; i++)
    (void)nc_link_set_group(kernel, g_array_index(ifindexes, int, i), 0);
  return (int)ifindexes->len;
}
