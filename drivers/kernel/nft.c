/* netctl's nftables tables, written in one nfnetlink batch per change.
 *
 * Replacing a table atomically uses the idiom `nft -f` files use ("add
 * table; delete table; table { ... }"): NEWTABLE (a no-op when it exists),
 * DELTABLE (which takes its chains and rules with it), NEWTABLE, then the
 * chains and rules, all between BATCH_BEGIN and BATCH_END. The kernel
 * applies the batch as one transaction, so a table is never seen half
 * built, and an error anywhere leaves the old table as it was.
 *
 * Replies: only the last message asks for an acknowledgement. The kernel
 * processes a batch synchronously inside sendmsg() and queues every error,
 * and that one ack, before sendmsg() returns; so we read what is queued
 * without waiting, and an early refusal (EPERM for the whole batch) cannot
 * leave us blocked on an ack that never comes. */
#include <errno.h>
/* glibc's before the kernel's (linux/netfilter.h pulls in linux/in.h). */
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libnftnl/gen.h>
#include <libnftnl/udata.h>

#include "nft-private.h"
#include "nft.h"

/* Room kept free before each message: a rule of ours is well under 2 KiB. */
#define MSG_ROOM 16384
/* How long a dump or a lookup may wait for the kernel. */
#define RECV_TIMEOUT_SEC 5
/* Replies: the kernel fills dump messages up to 32 KiB when the reader's
 * buffer allows. */
#define RECV_BUF 32768
/* A lookup or dump request: a header and a few names. */
#define REQ_BUF 1024

int
nc_nft_nfproto(NcFwFamily family)
{
  return family == NC_FW_FAMILY_IP6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

struct mnl_socket *
nc_nft_socket_open(int *ret_err)
{
  g_autoptr(NcMnlSocket) nl = mnl_socket_open(NETLINK_NETFILTER);
  if (nl == NULL) {
    *ret_err = -errno;
    return NULL;
  }
  if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    *ret_err = -errno;
    return NULL;
  }
  /* Errors without a copy of our (possibly large) request. */
  int one = 1;
  (void)mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
  struct timeval tv = { .tv_sec = RECV_TIMEOUT_SEC };
  if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
    *ret_err = -errno;
    return NULL;
  }
  return g_steal_pointer(&nl);
}

/* -- batches --------------------------------------------------------------- */

typedef struct {
  char *buf;
  gsize len, cap;
  guint32 seq;       /* next sequence number */
  guint32 first_seq; /* of BATCH_BEGIN */
} Batch;

static void
batch_clear(Batch *b)
{
  g_free(b->buf);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Batch, batch_clear)

/* Where the next message goes, with MSG_ROOM bytes of space. */
static char *
batch_tail(Batch *b)
{
  if (b->cap - b->len < MSG_ROOM) {
    b->cap = MAX(b->cap * 2, b->len + MSG_ROOM);
    b->buf = g_realloc(b->buf, b->cap);
  }
  /* libnftnl and libmnl expect a zeroed area to build in. */
  memset(b->buf + b->len, 0, MSG_ROOM);
  return b->buf + b->len;
}

static void
batch_commit(Batch *b, struct nlmsghdr *nlh)
{
  g_assert(nlh->nlmsg_len <= MSG_ROOM);
  b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void
batch_init(Batch *b)
{
  b->seq = b->first_seq = (guint32)time(NULL);
  batch_commit(b, nftnl_batch_begin(batch_tail(b), b->seq++));
}

static void
table_msg(Batch *b, guint16 type, NcFwFamily family, const char *name, gboolean comment)
{
  g_autoptr(NcNftnlTable) t = nftnl_table_alloc();
  nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
  if (comment) {
    struct nftnl_udata_buf *udbuf = nftnl_udata_buf_alloc(NFTNL_UDATA_COMMENT_MAXLEN + 8);
    nftnl_udata_put_strz(udbuf, NFTNL_UDATA_TABLE_COMMENT, NC_NFT_TABLE_COMMENT);
    nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, nftnl_udata_buf_data(udbuf),
                         nftnl_udata_buf_len(udbuf));
    nftnl_udata_buf_free(udbuf);
  }
  guint16 flags = type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0;
  struct nlmsghdr *nlh
      = nftnl_table_nlmsg_build_hdr(batch_tail(b), type, nc_nft_nfproto(family), flags, b->seq++);
  nftnl_table_nlmsg_build_payload(nlh, t);
  batch_commit(b, nlh);
}

/* "Delete if present" in a batch: create (no-op when it exists), delete. */
static void
batch_delete_table(Batch *b, NcFwFamily family, const char *name)
{
  table_msg(b, NFT_MSG_NEWTABLE, family, name, FALSE);
  table_msg(b, NFT_MSG_DELTABLE, family, name, FALSE);
}

static const struct {
  const char *type;
  guint32 hook;
  gint32 prio;
} chain_specs[_NC_FW_CHAIN_MAX] = {
  [NC_FW_CHAIN_FORWARD] = { "filter", NF_INET_FORWARD, 0 },
  [NC_FW_CHAIN_INPUT] = { "filter", NF_INET_LOCAL_IN, 0 },
  [NC_FW_CHAIN_OUTPUT] = { "filter", NF_INET_LOCAL_OUT, 0 },
  [NC_FW_CHAIN_POSTROUTING] = { "nat", NF_INET_POST_ROUTING, 100 },
};

static void
chain_msg(Batch *b, NcFwFamily family, const char *table, NcFwChain chain)
{
  g_autoptr(NcNftnlChain) c = nftnl_chain_alloc();
  nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
  nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, nc_fw_chain_to_string(chain));
  nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, chain_specs[chain].type);
  nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, chain_specs[chain].hook);
  nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, chain_specs[chain].prio);
  nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
  struct nlmsghdr *nlh = nftnl_chain_nlmsg_build_hdr(
      batch_tail(b), NFT_MSG_NEWCHAIN, nc_nft_nfproto(family), NLM_F_CREATE, b->seq++);
  nftnl_chain_nlmsg_build_payload(nlh, c);
  batch_commit(b, nlh);
}

static int
rule_msg(Batch *b, NcFwFamily family, const char *table, const NcFwRule *rule)
{
  g_autoptr(NcNftnlRule) r = nftnl_rule_alloc();
  nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
  nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, nc_fw_chain_to_string(rule->chain));
  nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, nc_nft_nfproto(family));
  int err = nc_nft_rule_add_exprs(r, rule, family);
  if (err < 0)
    return err;
  struct nlmsghdr *nlh
      = nftnl_rule_nlmsg_build_hdr(batch_tail(b), NFT_MSG_NEWRULE, nc_nft_nfproto(family),
                                   NLM_F_CREATE | NLM_F_APPEND, b->seq++);
  nftnl_rule_nlmsg_build_payload(nlh, r);
  batch_commit(b, nlh);
  return 0;
}

/* Sends the finished batch on nl and collects the kernel's verdict: the
 * first error, or 0 when the last message was acknowledged. *ret_refused:
 * the error is the kernel's answer to a message, and the socket is fine. */
static int
batch_exchange(Batch *b, struct mnl_socket *nl, guint32 last_seq, gboolean *ret_refused)
{
  int fd = mnl_socket_get_fd(nl);
  /* netlink refuses a message larger than the send buffer. */
  int sndbuf = (int)MIN(b->len + 65536, (gsize)G_MAXINT / 2);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  if (mnl_socket_sendto(nl, b->buf, b->len) < 0)
    return -errno;

  guint32 portid = mnl_socket_get_portid(nl);
  gboolean acked = FALSE;
  int first_err = 0;
  g_autofree char *buf = g_malloc(RECV_BUF);
  for (;;) {
    ssize_t n = recv(fd, buf, RECV_BUF, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (n < 0)
      return -errno;
    int len = (int)n;
    for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_pid != portid || nlh->nlmsg_type != NLMSG_ERROR)
        continue;
      if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nlmsgerr)))
        return -EPROTO;
      const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
      if (e->error != 0) {
        g_debug("nft: batch message %u refused: %s", nlh->nlmsg_seq - b->first_seq,
                g_strerror(-e->error));
        if (first_err == 0)
          first_err = e->error;
      }
      if (nlh->nlmsg_seq == last_seq)
        acked = TRUE;
    }
  }
  *ret_refused = first_err != 0;
  if (first_err != 0)
    return first_err;
  return acked ? 0 : -EPROTO;
}

/* Ends the batch and sends it: on kernel's kept socket, or on one of its
 * own when kernel is NULL. */
static int
batch_send(Batch *b, NcKernel *kernel)
{
  /* Ask for an ack of the last message before BATCH_END. */
  guint32 last_seq = b->seq - 1;
  struct nlmsghdr *last = NULL;
  for (gsize off = 0; off < b->len;) {
    struct nlmsghdr *nlh = (struct nlmsghdr *)(b->buf + off);
    if (nlh->nlmsg_seq == last_seq)
      last = nlh;
    off += NLMSG_ALIGN(nlh->nlmsg_len);
  }
  g_assert(last != NULL);
  last->nlmsg_flags |= NLM_F_ACK;
  batch_commit(b, nftnl_batch_end(batch_tail(b), b->seq++));

  int err = 0;
  g_autoptr(NcMnlSocket) own = NULL;
  struct mnl_socket *nl = kernel ? nc_kernel_nft_sock(kernel, &err) : NULL;
  if (!kernel)
    nl = own = nc_nft_socket_open(&err);
  if (nl == NULL)
    return err;
  /* The blocker scan's findings stay valid only if this batch is the one
   * change between the generation they describe and the one after it. */
  NcNftScanCache *cache = kernel ? nc_kernel_nft_scan_cache(kernel) : NULL;
  guint32 gen_before = 0, gen_after = 0;
  if (cache && cache->valid && (nc_nft_get_gen(nl, &gen_before) < 0 || gen_before != cache->gen))
    cache->valid = FALSE;
  gboolean refused = FALSE;
  err = batch_exchange(b, nl, last_seq, &refused);
  if (cache && cache->valid) {
    guint32 want = err == 0 ? gen_before + 1 : gen_before;
    if (nc_nft_get_gen(nl, &gen_after) == 0 && gen_after == want)
      cache->gen = gen_after;
    else
      cache->valid = FALSE;
  }
  /* A failure of the socket itself may leave replies no drain can make
   * sense of: a fresh socket next time. */
  if (err < 0 && !refused && kernel)
    nc_kernel_nft_sock_reset(kernel);
  return err;
}

/* -- the API --------------------------------------------------------------- */

int
nc_nft_apply(const NcFwRuleset *rs)
{
  return nc_nft_apply_with(NULL, rs);
}

int
nc_nft_apply_with(NcKernel *kernel, const NcFwRuleset *rs)
{
  g_auto(Batch) b = { 0 };

  if (rs == NULL || rs->table == NULL || *rs->table == '\0')
    return -EINVAL;
  batch_init(&b);
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    batch_delete_table(&b, f, rs->table);
    if (!rs->family_used[f])
      continue;
    table_msg(&b, NFT_MSG_NEWTABLE, f, rs->table, TRUE);
    for (int c = 0; c < _NC_FW_CHAIN_MAX; c++)
      if (rs->chain_used[f][c])
        chain_msg(&b, f, rs->table, c);
    for (guint i = 0; i < rs->rules[f]->len; i++) {
      int err = rule_msg(&b, f, rs->table, rs->rules[f]->pdata[i]);
      if (err < 0)
        return err;
    }
  }
  int err = batch_send(&b, kernel);
  g_debug("nft: apply %s: %s", rs->table, err < 0 ? g_strerror(-err) : "done");
  return err;
}

int
nc_nft_delete(const char *table)
{
  return nc_nft_delete_with(NULL, table);
}

int
nc_nft_delete_with(NcKernel *kernel, const char *table)
{
  g_auto(Batch) b = { 0 };

  if (table == NULL || *table == '\0')
    return -EINVAL;
  batch_init(&b);
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++)
    batch_delete_table(&b, f, table);
  int err = batch_send(&b, kernel);
  g_debug("nft: delete %s: %s", table, err < 0 ? g_strerror(-err) : "done");
  return err;
}

/* -- reading --------------------------------------------------------------- */

static int
run_replies(struct mnl_socket *nl, guint32 seq, mnl_cb_t cb, gpointer data)
{
  g_autofree char *buf = g_malloc(RECV_BUF);
  guint32 portid = mnl_socket_get_portid(nl);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl, buf, RECV_BUF);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
    int ret = mnl_cb_run(buf, n, seq, portid, cb, data);
    if (ret < 0)
      return -errno;
    if (ret == MNL_CB_STOP)
      return 0;
  }
}

int
nc_nft_table_exists(NcFwFamily family, const char *table)
{
  int err = 0;

  if ((guint)family >= _NC_FW_FAMILY_MAX || table == NULL || *table == '\0')
    return -EINVAL;
  g_autoptr(NcMnlSocket) nl = nc_nft_socket_open(&err);
  if (nl == NULL)
    return err;
  g_autoptr(NcNftnlTable) t = nftnl_table_alloc();
  nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
  char buf[REQ_BUF] = { 0 };
  guint32 seq = (guint32)time(NULL);
  struct nlmsghdr *nlh
      = nftnl_table_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, nc_nft_nfproto(family), NLM_F_ACK, seq);
  nftnl_table_nlmsg_build_payload(nlh, t);
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  /* The table comes back as one NEWTABLE message, then the ack. */
  err = run_replies(nl, seq, NULL, NULL);
  if (err == -ENOENT)
    return 0;
  return err < 0 ? err : 1;
}

static int
parse_gen(const struct nlmsghdr *nlh, void *data)
{
  guint32 *gen = data;
  g_autoptr(NcNftnlGen) g = nftnl_gen_alloc();
  if (g == NULL || nftnl_gen_nlmsg_parse(nlh, g) < 0 || !nftnl_gen_is_set(g, NFTNL_GEN_ID))
    return MNL_CB_ERROR;
  *gen = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
  return MNL_CB_OK;
}

int
nc_nft_get_gen(struct mnl_socket *nl, guint32 *ret_gen)
{
  char buf[REQ_BUF] = { 0 };
  guint32 seq = (guint32)time(NULL);
  struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, seq);
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  /* NEWGEN, then the ack. */
  guint32 gen = 0;
  int err = run_replies(nl, seq, parse_gen, &gen);
  if (err == 0)
    *ret_gen = gen;
  return err;
}

int
nc_nft_dump(struct mnl_socket *nl, guint16 type, guint16 family,
            void (*build)(struct nlmsghdr *nlh, gpointer data), gpointer build_data, mnl_cb_t cb,
            gpointer cb_data)
{
  char buf[REQ_BUF] = { 0 };
  guint32 seq = (guint32)time(NULL);
  struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, type, family, NLM_F_DUMP, seq);
  if (build != NULL)
    build(nlh, build_data);
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  return run_replies(nl, seq, cb, cb_data);
}
