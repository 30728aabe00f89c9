/* netctl's shared nftables table, written in one nfnetlink batch per change.
 *
 * A network's change is one batch (one transaction in the kernel): the
 * table's skeleton (maps, base chains) created if absent, the base chains
 * flushed and given their dispatch rules again (so a damaged skeleton is
 * repaired atomically), the network's chains created or flushed and given
 * their rules, its map elements added. What the batch must delete (stale
 * elements, chains of roles no longer used, the network's objects at stop)
 * is looked up first: deleting an absent object fails the whole batch. An
 * error anywhere leaves everything as it was.
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
#include <libnftnl/set.h>
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
/* nft's datatype numbers for the maps' keys (nftables' enum datatypes), so
 * that `nft list` prints them as addresses and names. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IP6ADDR 8
#define NFT_TYPE_IFNAME 41
/* How many times a look is restarted when a concurrent change interrupts a dump. */
#define LOOK_ATTEMPTS 3
/* Tables of netctl before the shared one (one per network), removed when
 * the network is next applied or deleted. */
#define LEGACY_PREFIX "netctl-"

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

/* The base chains' dispatch rules, in order. */
static const struct {
  NcFwChain chain;
  NcNftKey key;
  NcFwMap map;
} dispatch[] = {
  { NC_FW_CHAIN_FORWARD, NC_NFT_KEY_IIFNAME, NC_FW_MAP_FWD_IF },
  { NC_FW_CHAIN_FORWARD, NC_NFT_KEY_OIFNAME, NC_FW_MAP_FWD_IF },
  { NC_FW_CHAIN_INPUT, NC_NFT_KEY_IIFNAME, NC_FW_MAP_IN_IF },
  { NC_FW_CHAIN_INPUT, NC_NFT_KEY_DADDR, NC_FW_MAP_IN_ADDR },
  { NC_FW_CHAIN_OUTPUT, NC_NFT_KEY_OIFNAME, NC_FW_MAP_OUT_IF },
  { NC_FW_CHAIN_POSTROUTING, NC_NFT_KEY_SADDR, NC_FW_MAP_NAT_SRC },
};

static gboolean
map_by_name(NcFwMap map)
{
  return map == NC_FW_MAP_FWD_IF || map == NC_FW_MAP_IN_IF || map == NC_FW_MAP_OUT_IF;
}

static guint
map_key_len(NcFwFamily family, NcFwMap map)
{
  return map_by_name(map) || family == NC_FW_FAMILY_IP6 ? 16 : 4;
}

/* NEWCHAIN (created if absent, else unchanged), DELCHAIN, or DELRULE
 * without a handle (flush); a base chain when `base` is set. */
static void
chain_msg(Batch *b, guint16 type, NcFwFamily family, const char *name, const NcFwChain *base)
{
  g_autoptr(NcNftnlChain) c = nftnl_chain_alloc();
  nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NC_FW_TABLE);
  nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
  if (base != NULL) {
    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, chain_specs[*base].type);
    nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, chain_specs[*base].hook);
    nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, chain_specs[*base].prio);
    nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
  }
  struct nlmsghdr *nlh
      = nftnl_chain_nlmsg_build_hdr(batch_tail(b), type, nc_nft_nfproto(family),
                                    type == NFT_MSG_NEWCHAIN ? NLM_F_CREATE : 0, b->seq++);
  nftnl_chain_nlmsg_build_payload(nlh, c);
  batch_commit(b, nlh);
}

static void
flush_msg(Batch *b, NcFwFamily family, const char *chain)
{
  g_autoptr(NcNftnlRule) r = nftnl_rule_alloc();
  nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NC_FW_TABLE);
  nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
  nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, nc_nft_nfproto(family));
  struct nlmsghdr *nlh = nftnl_rule_nlmsg_build_hdr(batch_tail(b), NFT_MSG_DELRULE,
                                                    nc_nft_nfproto(family), 0, b->seq++);
  nftnl_rule_nlmsg_build_payload(nlh, r);
  batch_commit(b, nlh);
}

static void
set_msg(Batch *b, NcFwFamily family, NcFwMap map)
{
  g_autoptr(NcNftnlSet) s = nftnl_set_alloc();
  guint32 ktype = map_by_name(map)            ? NFT_TYPE_IFNAME
                  : family == NC_FW_FAMILY_IP ? NFT_TYPE_IPADDR
                                              : NFT_TYPE_IP6ADDR;
  nftnl_set_set_str(s, NFTNL_SET_TABLE, NC_FW_TABLE);
  nftnl_set_set_str(s, NFTNL_SET_NAME, nc_fw_map_to_string(map));
  nftnl_set_set_u32(s, NFTNL_SET_FAMILY, nc_nft_nfproto(family));
  nftnl_set_set_u32(s, NFTNL_SET_FLAGS,
                    NFT_SET_MAP | (map == NC_FW_MAP_NAT_SRC ? NFT_SET_INTERVAL : 0));
  nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, ktype);
  nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, map_key_len(family, map));
  nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
  /* Required by the kernel; names reach the set in this batch anyway. */
  nftnl_set_set_u32(s, NFTNL_SET_ID, (guint32)map + 1);
  /* How nft reads the keys back: names in host order, addresses in network
   * order (nftables' enum byteorder: 1 host, 2 big endian). */
  struct nftnl_udata_buf *udbuf = nftnl_udata_buf_alloc(64);
  nftnl_udata_put_u32(udbuf, NFTNL_UDATA_SET_KEYBYTEORDER, map_by_name(map) ? 1 : 2);
  nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(udbuf),
                     nftnl_udata_buf_len(udbuf));
  nftnl_udata_buf_free(udbuf);
  struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(batch_tail(b), NFT_MSG_NEWSET,
                                               nc_nft_nfproto(family), NLM_F_CREATE, b->seq++);
  nftnl_set_nlmsg_build_payload(nlh, s);
  batch_commit(b, nlh);
}

/* One element of a map, as the kernel holds it: an interval is two, its
 * start (with the verdict) and the address after its end (flagged). */
typedef struct {
  NcFwMap map;
  guint8 key[16];
  guint8 end[16];
  gboolean has_end; /* interval maps: false for a range to the last address */
  char *chain;      /* jump target */
} Elem;

static void
elem_clear(gpointer p)
{
  Elem *e = p;
  g_free(e->chain);
}

static void
elem_key_msg(Batch *b, guint16 type, NcFwFamily family, NcFwMap map, const guint8 *key,
             guint32 flags, const char *chain)
{
  g_autoptr(NcNftnlSet) s = nftnl_set_alloc();
  nftnl_set_set_str(s, NFTNL_SET_TABLE, NC_FW_TABLE);
  nftnl_set_set_str(s, NFTNL_SET_NAME, nc_fw_map_to_string(map));
  nftnl_set_set_u32(s, NFTNL_SET_FAMILY, nc_nft_nfproto(family));
  struct nftnl_set_elem *e = nftnl_set_elem_alloc();
  nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, map_key_len(family, map));
  if (flags != 0)
    nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
  if (chain != NULL) {
    nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NFT_JUMP);
    nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
  }
  nftnl_set_elem_add(s, e); /* the set owns it */
  struct nlmsghdr *nlh
      = nftnl_nlmsg_build_hdr(batch_tail(b), type, nc_nft_nfproto(family),
                              type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0, b->seq++);
  nftnl_set_elems_nlmsg_build_payload(nlh, s);
  batch_commit(b, nlh);
}

static void
elem_msg(Batch *b, guint16 type, NcFwFamily family, const Elem *e)
{
  gboolean add = type == NFT_MSG_NEWSETELEM;
  elem_key_msg(b, type, family, e->map, e->key, 0, add ? e->chain : NULL);
  if (e->has_end)
    elem_key_msg(b, type, family, e->map, e->end, NFT_SET_ELEM_INTERVAL_END, NULL);
}

/* An empty rule of our table for chain: the caller adds its expressions,
 * then rule_append() puts it at the end of the chain in the batch. */
static struct nftnl_rule *
rule_new(NcFwFamily family, const char *chain)
{
  struct nftnl_rule *r = nftnl_rule_alloc();
  nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NC_FW_TABLE);
  nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
  nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, nc_nft_nfproto(family));
  return r;
}

static void
rule_append(Batch *b, NcFwFamily family, struct nftnl_rule *r)
{
  struct nlmsghdr *nlh
      = nftnl_rule_nlmsg_build_hdr(batch_tail(b), NFT_MSG_NEWRULE, nc_nft_nfproto(family),
                                   NLM_F_CREATE | NLM_F_APPEND, b->seq++);
  nftnl_rule_nlmsg_build_payload(nlh, r);
  batch_commit(b, nlh);
}

static int
rule_msg(Batch *b, NcFwFamily family, const char *chain, const NcFwRule *rule)
{
  g_autoptr(NcNftnlRule) r = rule_new(family, chain);
  int err = nc_nft_rule_add_exprs(r, rule, family);
  if (err < 0)
    return err;
  rule_append(b, family, r);
  return 0;
}

static int
dispatch_msg(Batch *b, NcFwFamily family, gsize i)
{
  g_autoptr(NcNftnlRule) r = rule_new(family, nc_fw_chain_to_string(dispatch[i].chain));
  int err = nc_nft_rule_add_vmap(r, family, dispatch[i].key, nc_fw_map_to_string(dispatch[i].map));
  if (err < 0)
    return err;
  rule_append(b, family, r);
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
batch_send(Batch *b, NcKernel *kernel, struct mnl_socket *own_sock)
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
  struct mnl_socket *nl = kernel ? nc_kernel_nft_sock(kernel, &err) : own_sock;
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

/* -- what is in place ------------------------------------------------------ */

static int run_replies(struct mnl_socket *nl, guint32 seq, mnl_cb_t cb, gpointer data);

/* Our table in one family, as the kernel holds it. */
typedef struct {
  gboolean table;
  GPtrArray *chains; /* names of its chains, base ones included */
  GArray *elems;     /* of Elem, every map */
} Look;

static void
look_clear(Look *l)
{
  g_clear_pointer(&l->chains, g_ptr_array_unref);
  g_clear_pointer(&l->elems, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Look, look_clear)

static int
table_exists_on(struct mnl_socket *nl, NcFwFamily family, const char *table)
{
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
  int err = run_replies(nl, seq, NULL, NULL);
  if (err == -ENOENT)
    return 0;
  return err < 0 ? err : 1;
}

static void
build_chain_filter(struct nlmsghdr *nlh, gpointer data)
{
  (void)data;
  g_autoptr(NcNftnlChain) c = nftnl_chain_alloc();
  nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NC_FW_TABLE);
  nftnl_chain_nlmsg_build_payload(nlh, c);
}

static int
collect_chain_name(const struct nlmsghdr *nlh, void *data)
{
  GPtrArray *names = data;
  g_autoptr(NcNftnlChain) c = nftnl_chain_alloc();
  if (c == NULL)
    return MNL_CB_ERROR;
  if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
    return MNL_CB_OK;
  if (g_strcmp0(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), NC_FW_TABLE) == 0)
    g_ptr_array_add(names, g_strdup(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME)));
  return MNL_CB_OK;
}

typedef struct {
  NcFwMap map;
  GArray *raw; /* of Elem; an interval's end as an Elem with chain NULL */
} ElemDump;

static void
build_elem_filter(struct nlmsghdr *nlh, gpointer data)
{
  const ElemDump *d = data;
  g_autoptr(NcNftnlSet) s = nftnl_set_alloc();
  nftnl_set_set_str(s, NFTNL_SET_TABLE, NC_FW_TABLE);
  nftnl_set_set_str(s, NFTNL_SET_NAME, nc_fw_map_to_string(d->map));
  nftnl_set_elems_nlmsg_build_payload(nlh, s);
}

static int
collect_elems(const struct nlmsghdr *nlh, void *data)
{
  ElemDump *d = data;
  g_autoptr(NcNftnlSet) s = nftnl_set_alloc();
  if (s == NULL)
    return MNL_CB_ERROR;
  if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
    return MNL_CB_OK;
  struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
  if (it == NULL)
    return MNL_CB_ERROR;
  for (struct nftnl_set_elem *e = nftnl_set_elems_iter_next(it); e != NULL;
       e = nftnl_set_elems_iter_next(it)) {
    Elem x = { .map = d->map };
    guint32 len = 0;
    const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
    if (key != NULL)
      memcpy(x.key, key, MIN(len, sizeof(x.key)));
    gboolean end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS)
                   && (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) & NFT_SET_ELEM_INTERVAL_END);
    if (!end && nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
      x.chain = g_strdup(nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN));
    else if (!end)
      x.chain = g_strdup(""); /* a verdict other than a jump: nobody's */
    g_array_append_val(d->raw, x);
  }
  nftnl_set_elems_iter_destroy(it);
  return MNL_CB_OK;
}

/* Ascending keys; at one key, an interval's end before the next's start. */
static int
raw_cmp(gconstpointer a, gconstpointer b)
{
  const Elem *x = a, *y = b;
  int d = memcmp(x->key, y->key, sizeof(x->key));
  if (d != 0)
    return d;
  return (x->chain != NULL) - (y->chain != NULL);
}

static int
look_once(struct mnl_socket *nl, NcFwFamily family, Look *l)
{
  int proto = nc_nft_nfproto(family);
  int r = table_exists_on(nl, family, NC_FW_TABLE);
  if (r <= 0)
    return r;
  l->table = TRUE;
  int err = nc_nft_dump(nl, NFT_MSG_GETCHAIN, proto, build_chain_filter, NULL, collect_chain_name,
                        l->chains);
  if (err < 0)
    return err;
  for (int m = 0; m < _NC_FW_MAP_MAX; m++) {
    g_autoptr(GArray) raw = g_array_new(FALSE, TRUE, sizeof(Elem));
    g_array_set_clear_func(raw, elem_clear);
    ElemDump d = { .map = m, .raw = raw };
    err = nc_nft_dump(nl, NFT_MSG_GETSETELEM, proto, build_elem_filter, &d, collect_elems, &d);
    if (err == -ENOENT)
      continue; /* the map is missing: the next apply creates it */
    if (err < 0)
      return err;
    if (m == NC_FW_MAP_NAT_SRC)
      g_array_sort(raw, raw_cmp);
    for (guint i = 0; i < raw->len; i++) {
      Elem *x = &g_array_index(raw, Elem, i);
      if (x->chain == NULL)
        continue; /* an end, taken with its start */
      Elem e = *x;
      x->chain = NULL;
      if (m == NC_FW_MAP_NAT_SRC && i + 1 < raw->len
          && g_array_index(raw, Elem, i + 1).chain == NULL) {
        memcpy(e.end, g_array_index(raw, Elem, i + 1).key, sizeof(e.end));
        e.has_end = TRUE;
      }
      g_array_append_val(l->elems, e);
    }
  }
  return 0;
}

static int
look(struct mnl_socket *nl, NcFwFamily family, Look *l)
{
  int err = -EINTR;
  for (int attempt = 0; attempt < LOOK_ATTEMPTS && err == -EINTR; attempt++) {
    look_clear(l);
    l->table = FALSE;
    l->chains = g_ptr_array_new_with_free_func(g_free);
    l->elems = g_array_new(FALSE, TRUE, sizeof(Elem));
    g_array_set_clear_func(l->elems, elem_clear);
    err = look_once(nl, family, l);
  }
  return err;
}

/* -- what a network wants ---------------------------------------------------- */

static gboolean
is_base_chain(const char *name)
{
  for (int c = 0; c < _NC_FW_CHAIN_MAX; c++)
    if (g_str_equal(name, nc_fw_chain_to_string(c)))
      return TRUE;
  return FALSE;
}

/* The network's chain for a name of its, or _NC_FW_CHAIN_MAX. Called for
 * every chain and element of the table: no allocation. */
static NcFwChain
own_chain(const char *bridge, const char *name)
{
  gsize len = strlen(bridge);
  if (name == NULL || strncmp(name, bridge, len) != 0 || name[len] != '-')
    return _NC_FW_CHAIN_MAX;
  for (int c = 0; c < _NC_FW_CHAIN_MAX; c++)
    if (g_str_equal(name + len + 1, nc_fw_chain_suffix(c)))
      return c;
  return _NC_FW_CHAIN_MAX;
}

/* The elements of rs in family, as the kernel will hold them. */
static GArray *
wanted_elems(const NcFwRuleset *rs, NcFwFamily family)
{
  GArray *out = g_array_new(FALSE, TRUE, sizeof(Elem));
  g_array_set_clear_func(out, elem_clear);
  for (guint i = 0; rs->family_used[family] && i < rs->elements[family]->len; i++) {
    const NcFwElement *fe = &g_array_index(rs->elements[family], NcFwElement, i);
    Elem e = { .map = fe->map };
    e.chain = nc_fw_chain_name(rs->bridge, nc_fw_map_chain(fe->map));
    if (map_by_name(fe->map)) {
      strncpy((char *)e.key, rs->bridge, sizeof(e.key) - 1);
    } else {
      gboolean v4 = family == NC_FW_FAMILY_IP;
      guint len = v4 ? 4 : 16;
      memcpy(e.key, v4 ? (const void *)&fe->addr.u.v4 : (const void *)&fe->addr.u.v6, len);
      if (fe->map == NC_FW_MAP_NAT_SRC) {
        /* end = network + 2^(bits - prefix), absent when it wraps. */
        NcSockAddr net;
        nc_sockaddr_network(&fe->addr, fe->prefix, &net);
        memcpy(e.key, v4 ? (const void *)&net.u.v4 : (const void *)&net.u.v6, len);
        memcpy(e.end, e.key, len);
        for (guint bit = MIN(fe->prefix, len * 8); bit < len * 8; bit++)
          e.end[bit / 8] |= 0x80 >> (bit % 8);
        int carry = 1;
        for (int byte = (int)len - 1; byte >= 0 && carry; byte--) {
          guint v = e.end[byte] + 1u;
          carry = v > 0xff;
          e.end[byte] = v & 0xff;
        }
        e.has_end = !carry;
      }
    }
    g_array_append_val(out, e);
  }
  return out;
}

static gboolean
elem_equal(const Elem *a, const Elem *b)
{
  return a->map == b->map && memcmp(a->key, b->key, sizeof(a->key)) == 0 && a->has_end == b->has_end
         && (!a->has_end || memcmp(a->end, b->end, sizeof(a->end)) == 0)
         && g_strcmp0(a->chain, b->chain) == 0;
}

/* Two elements that cannot both be in their map: the same key, or
 * intervals that overlap. */
static gboolean
elem_clash(const Elem *a, const Elem *b)
{
  if (a->map != b->map)
    return FALSE;
  if (a->map != NC_FW_MAP_NAT_SRC)
    return memcmp(a->key, b->key, sizeof(a->key)) == 0;
  gboolean a_before_b_end = !b->has_end || memcmp(a->key, b->end, sizeof(a->key)) < 0;
  gboolean b_before_a_end = !a->has_end || memcmp(b->key, a->end, sizeof(b->key)) < 0;
  return a_before_b_end && b_before_a_end;
}

static char *
key_format(NcFwFamily family, const guint8 *key)
{
  NcSockAddr a = { .family = family == NC_FW_FAMILY_IP ? AF_INET : AF_INET6 };
  memcpy(family == NC_FW_FAMILY_IP ? (void *)&a.u.v4 : (void *)&a.u.v6, key,
         family == NC_FW_FAMILY_IP ? 4 : 16);
  return nc_sockaddr_format(&a);
}

/* "interface virbr0", "address 10.0.0.1", "guest subnet 10.0.0.0-10.0.0.255". */
static char *
elem_describe(NcFwFamily family, const Elem *e)
{
  if (map_by_name(e->map))
    return g_strdup_printf("interface %s", (const char *)e->key);
  g_autofree char *first = key_format(family, e->key);
  if (e->map != NC_FW_MAP_NAT_SRC)
    return g_strdup_printf("address %s", first);
  guint8 last[16];
  guint len = family == NC_FW_FAMILY_IP ? 4 : 16;
  memset(last, 0xff, sizeof(last));
  if (e->has_end) {
    memcpy(last, e->end, sizeof(last));
    for (int byte = (int)len - 1; byte >= 0 && last[byte]-- == 0; byte--)
      ;
  }
  g_autofree char *end = key_format(family, last);
  return g_strdup_printf("guest subnet %s-%s", first, end);
}

/* -- planning a batch -------------------------------------------------------- */

/* Appends to b what makes family hold rs's part of the table (rs NULL or
 * the family unused: none of bridge's). *ret_detail: what clashes with
 * another network, when -EEXIST. */
static int
plan_family(Batch *b, NcFwFamily family, const char *bridge, const NcFwRuleset *rs, const Look *l,
            char **ret_detail)
{
  gboolean used = rs != NULL && rs->family_used[family];
  g_autoptr(GArray) want = used ? wanted_elems(rs, family) : NULL;

  /* Legacy per-network tables (before the shared one) go. */
  g_autofree char *legacy = g_strconcat(LEGACY_PREFIX, bridge, NULL);
  batch_delete_table(b, family, legacy);

  guint others = 0;
  for (guint i = 0; l->table && i < l->chains->len; i++) {
    const char *name = l->chains->pdata[i];
    if (!is_base_chain(name) && own_chain(bridge, name) == _NC_FW_CHAIN_MAX)
      others++;
  }
  if (!used) {
    if (!l->table)
      return 0;
    if (others == 0) {
      table_msg(b, NFT_MSG_DELTABLE, family, NC_FW_TABLE, FALSE);
      return 0;
    }
  }

  for (guint i = 0; used && i < want->len; i++) {
    const Elem *w = &g_array_index(want, Elem, i);
    for (guint j = 0; l->table && j < l->elems->len; j++) {
      const Elem *p = &g_array_index(l->elems, Elem, j);
      if (own_chain(bridge, p->chain) == _NC_FW_CHAIN_MAX && elem_clash(w, p)) {
        g_autofree char *what = elem_describe(family, w);
        g_autofree char *theirs = elem_describe(family, p);
        if (ret_detail)
          *ret_detail = g_strdup_printf("its %s overlaps the %s of another network "
                                        "(nftables chain %s in table %s)",
                                        what, theirs, p->chain, NC_FW_TABLE);
        return -EEXIST;
      }
    }
  }

  if (used) {
    table_msg(b, NFT_MSG_NEWTABLE, family, NC_FW_TABLE, TRUE);
    for (int m = 0; m < _NC_FW_MAP_MAX; m++)
      set_msg(b, family, m);
    for (NcFwChain c = 0; c < _NC_FW_CHAIN_MAX; c++) {
      chain_msg(b, NFT_MSG_NEWCHAIN, family, nc_fw_chain_to_string(c), &c);
      flush_msg(b, family, nc_fw_chain_to_string(c));
    }
    for (gsize i = 0; i < G_N_ELEMENTS(dispatch); i++) {
      int err = dispatch_msg(b, family, i);
      if (err < 0)
        return err;
    }
  }

  /* Stale elements first: a chain an element jumps to cannot go. */
  for (guint j = 0; l->table && j < l->elems->len; j++) {
    const Elem *p = &g_array_index(l->elems, Elem, j);
    if (own_chain(bridge, p->chain) == _NC_FW_CHAIN_MAX)
      continue;
    gboolean keep = FALSE;
    for (guint i = 0; used && i < want->len && !keep; i++)
      keep = elem_equal(p, &g_array_index(want, Elem, i));
    if (!keep)
      elem_msg(b, NFT_MSG_DELSETELEM, family, p);
  }
  for (guint i = 0; l->table && i < l->chains->len; i++) {
    NcFwChain c = own_chain(bridge, l->chains->pdata[i]);
    if (c != _NC_FW_CHAIN_MAX && !(used && rs->chain_used[family][c]))
      chain_msg(b, NFT_MSG_DELCHAIN, family, l->chains->pdata[i], NULL);
  }
  if (!used)
    return 0;

  for (int c = 0; c < _NC_FW_CHAIN_MAX; c++) {
    if (!rs->chain_used[family][c])
      continue;
    g_autofree char *name = nc_fw_chain_name(bridge, c);
    chain_msg(b, NFT_MSG_NEWCHAIN, family, name, NULL);
    flush_msg(b, family, name);
    for (guint i = 0; i < rs->rules[family]->len; i++) {
      const NcFwRule *rule = rs->rules[family]->pdata[i];
      if (rule->chain != (NcFwChain)c)
        continue;
      int err = rule_msg(b, family, name, rule);
      if (err < 0)
        return err;
    }
  }
  for (guint i = 0; i < want->len; i++) {
    const Elem *w = &g_array_index(want, Elem, i);
    gboolean present = FALSE;
    for (guint j = 0; l->table && j < l->elems->len && !present; j++)
      present = elem_equal(w, &g_array_index(l->elems, Elem, j));
    if (!present)
      elem_msg(b, NFT_MSG_NEWSETELEM, family, w);
  }
  return 0;
}

/* The socket for a call: kernel's, or one of its own in *own. */
static struct mnl_socket *
call_socket(NcKernel *kernel, NcMnlSocket **own, int *ret_err)
{
  if (kernel != NULL)
    return nc_kernel_nft_sock(kernel, ret_err);
  *own = nc_nft_socket_open(ret_err);
  return *own;
}

/* -- the cache of what is in place ------------------------------------------ */

void
nc_nft_look_cache_clear(NcNftLookCache *cache)
{
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    g_clear_pointer(&cache->chains[f], g_ptr_array_unref);
    g_clear_pointer(&cache->elems[f], g_array_unref);
    cache->table[f] = FALSE;
  }
  cache->valid = FALSE;
}

/* Moves l into the cache's slot for family (l is left empty). */
static void
cache_store(NcNftLookCache *cache, NcFwFamily family, Look *l)
{
  g_clear_pointer(&cache->chains[family], g_ptr_array_unref);
  g_clear_pointer(&cache->elems[family], g_array_unref);
  cache->table[family] = l->table;
  cache->chains[family] = g_steal_pointer(&l->chains);
  cache->elems[family] = g_steal_pointer(&l->elems);
}

/* The cache's look at family, borrowed (never cleared by the caller). */
static Look
cache_borrow(const NcNftLookCache *cache, NcFwFamily family)
{
  return (Look){ .table = cache->table[family],
                 .chains = cache->chains[family],
                 .elems = cache->elems[family] };
}

/* What the table holds once plan_family()'s batch for the same arguments
 * is committed: l updated in place (it mirrors plan_family()). */
static void
look_after(Look *l, NcFwFamily family, const char *bridge, const NcFwRuleset *rs)
{
  gboolean used = rs != NULL && rs->family_used[family];
  guint others = 0;
  for (guint i = 0; l->table && i < l->chains->len; i++) {
    const char *name = l->chains->pdata[i];
    if (!is_base_chain(name) && own_chain(bridge, name) == _NC_FW_CHAIN_MAX)
      others++;
  }
  if (!used && (!l->table || others == 0)) {
    l->table = FALSE;
    g_ptr_array_set_size(l->chains, 0);
    g_array_set_size(l->elems, 0);
    return;
  }
  for (guint i = l->elems->len; i-- > 0;)
    if (own_chain(bridge, g_array_index(l->elems, Elem, i).chain) != _NC_FW_CHAIN_MAX)
      g_array_remove_index(l->elems, i);
  for (guint i = l->chains->len; i-- > 0;)
    if (own_chain(bridge, l->chains->pdata[i]) != _NC_FW_CHAIN_MAX)
      g_ptr_array_remove_index(l->chains, i);
  if (!used)
    return;
  if (!l->table) {
    l->table = TRUE;
    for (int c = 0; c < _NC_FW_CHAIN_MAX; c++)
      g_ptr_array_add(l->chains, g_strdup(nc_fw_chain_to_string(c)));
  }
  for (int c = 0; c < _NC_FW_CHAIN_MAX; c++)
    if (rs->chain_used[family][c])
      g_ptr_array_add(l->chains, nc_fw_chain_name(bridge, c));
  g_autoptr(GArray) want = wanted_elems(rs, family);
  for (guint i = 0; i < want->len; i++) {
    Elem e = g_array_index(want, Elem, i);
    e.chain = g_strdup(e.chain);
    g_array_append_val(l->elems, e);
  }
}

/* Makes kernel's cached reading current: kept when no batch, ours or
 * anyone's, was committed since it was taken, else read again. *ret_gen:
 * the generation it describes (when the cache is valid). */
static int
cache_refresh(NcKernel *kernel, struct mnl_socket *nl, guint32 *ret_gen)
{
  NcNftLookCache *cache = nc_kernel_nft_look_cache(kernel);
  guint32 gen = 0;
  gboolean have_gen = nc_nft_get_gen(nl, &gen) == 0;
  *ret_gen = gen;
  if (cache->valid && have_gen && cache->gen == gen)
    return 0;
  nc_nft_look_cache_clear(cache);
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    g_auto(Look) l = { 0 };
    int err = look(nl, f, &l);
    if (err < 0) {
      nc_nft_look_cache_clear(cache);
      nc_kernel_nft_sock_reset(kernel);
      return err;
    }
    cache_store(cache, f, &l);
  }
  cache->valid = have_gen;
  cache->gen = gen;
  g_debug("nft: read table %s at generation %u", NC_FW_TABLE, (guint)gen);
  return 0;
}

/* Reads the table (or takes the NcKernel's cached reading), plans every
 * family, sends, and keeps what the table holds now. rs NULL: delete
 * bridge's part. */
static int
change(NcKernel *kernel, const char *bridge, const NcFwRuleset *rs, char **ret_detail)
{
  g_auto(Batch) b = { 0 };
  int err = 0;
  g_autoptr(NcMnlSocket) own = NULL;
  struct mnl_socket *nl = call_socket(kernel, &own, &err);
  if (nl == NULL)
    return err;

  NcNftLookCache *cache = kernel ? nc_kernel_nft_look_cache(kernel) : NULL;
  guint32 gen = 0;
  if (cache && (err = cache_refresh(kernel, nl, &gen)) < 0)
    return err;

  batch_init(&b);
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    g_auto(Look) read = { 0 };
    if (!cache) {
      err = look(nl, f, &read);
      if (err < 0)
        return err;
    }
    Look l = cache ? cache_borrow(cache, f) : read;
    err = plan_family(&b, f, bridge, rs, &l, ret_detail);
    if (err < 0)
      return err;
  }
  /* Our own socket is closed after the batch, as before. */
  err = batch_send(&b, kernel, own);
  if (cache == NULL || !cache->valid)
    return err;
  /* Committed and alone (the generation moved by exactly one step): the
   * cache follows the batch; refused or raced: it is read again next time. */
  int sock_err = 0;
  guint32 after = 0;
  struct mnl_socket *again = nc_kernel_nft_sock(kernel, &sock_err);
  if (err == 0 && again && nc_nft_get_gen(again, &after) == 0 && after == gen + 1) {
    for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
      Look l = cache_borrow(cache, f);
      look_after(&l, f, bridge, rs);
      cache->table[f] = l.table;
    }
    cache->gen = after;
  } else {
    nc_nft_look_cache_clear(cache);
  }
  return err;
}

/* -- the API --------------------------------------------------------------- */

int
nc_nft_apply(const NcFwRuleset *rs)
{
  return nc_nft_apply_full(NULL, rs, NULL);
}

int
nc_nft_apply_with(NcKernel *kernel, const NcFwRuleset *rs)
{
  return nc_nft_apply_full(kernel, rs, NULL);
}

int
nc_nft_apply_full(NcKernel *kernel, const NcFwRuleset *rs, char **ret_detail)
{
  if (rs == NULL || rs->bridge == NULL || *rs->bridge == '\0')
    return -EINVAL;
  int err = change(kernel, rs->bridge, rs, ret_detail);
  g_debug("nft: apply %s: %s", rs->bridge, err < 0 ? g_strerror(-err) : "done");
  return err;
}

int
nc_nft_delete(const char *bridge)
{
  return nc_nft_delete_with(NULL, bridge);
}

int
nc_nft_delete_with(NcKernel *kernel, const char *bridge)
{
  if (bridge == NULL || *bridge == '\0')
    return -EINVAL;
  int err = change(kernel, bridge, NULL, NULL);
  g_debug("nft: delete %s: %s", bridge, err < 0 ? g_strerror(-err) : "done");
  return err;
}

int
nc_nft_network_present(NcKernel *kernel, const NcFwRuleset *rs)
{
  int err = 0;
  g_autoptr(NcMnlSocket) own = NULL;
  struct mnl_socket *nl = call_socket(kernel, &own, &err);
  if (nl == NULL)
    return err;
  /* Adoption asks this for every network at start-up: from the cached
   * reading, one dump in all rather than one per network. */
  guint32 gen = 0;
  if (kernel && (err = cache_refresh(kernel, nl, &gen)) < 0)
    return err;
  for (int f = 0; f < _NC_FW_FAMILY_MAX; f++) {
    if (!rs->family_used[f])
      continue;
    g_auto(Look) read = { 0 };
    if (!kernel && (err = look(nl, f, &read)) < 0)
      return err;
    Look l = kernel ? cache_borrow(nc_kernel_nft_look_cache(kernel), f) : read;
    if (!l.table)
      return 0;
    for (int c = 0; c < _NC_FW_CHAIN_MAX; c++) {
      g_autofree char *mine = nc_fw_chain_name(rs->bridge, c);
      gboolean need_base = TRUE, need_own = rs->chain_used[f][c];
      for (guint i = 0; i < l.chains->len; i++) {
        if (g_str_equal(l.chains->pdata[i], nc_fw_chain_to_string(c)))
          need_base = FALSE;
        if (g_str_equal(l.chains->pdata[i], mine))
          need_own = FALSE;
      }
      if (need_base || need_own)
        return 0;
    }
    g_autoptr(GArray) want = wanted_elems(rs, f);
    for (guint i = 0; i < want->len; i++) {
      gboolean present = FALSE;
      for (guint j = 0; j < l.elems->len && !present; j++)
        present = elem_equal(&g_array_index(want, Elem, i), &g_array_index(l.elems, Elem, j));
      if (!present)
        return 0;
    }
  }
  return 1;
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
  return table_exists_on(nl, family, table);
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
