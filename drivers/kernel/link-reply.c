/* One reader of rtnetlink link messages (see link-reply.h). */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link-reply.h"
#include "link-tagged.h"

typedef struct nl_cb NcNlCb;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNlCb, nl_cb_put)

static void
parse_tun_data(struct nlattr *data, NcLinkAttrs *out)
{
  static const struct nla_policy policy[IFLA_TUN_MAX + 1] = {
    [IFLA_TUN_OWNER] = { .type = NLA_U32 },  [IFLA_TUN_GROUP] = { .type = NLA_U32 },
    [IFLA_TUN_TYPE] = { .type = NLA_U8 },    [IFLA_TUN_VNET_HDR] = { .type = NLA_U8 },
    [IFLA_TUN_PERSIST] = { .type = NLA_U8 }, [IFLA_TUN_MULTI_QUEUE] = { .type = NLA_U8 },
  };
  struct nlattr *tb[IFLA_TUN_MAX + 1];
  if (nla_parse_nested(tb, IFLA_TUN_MAX, data, policy) < 0)
    return;
  if (tb[IFLA_TUN_TYPE])
    out->tun_type = nla_get_u8(tb[IFLA_TUN_TYPE]);
  if (tb[IFLA_TUN_OWNER])
    out->tun_owner = nla_get_u32(tb[IFLA_TUN_OWNER]);
  if (tb[IFLA_TUN_GROUP])
    out->tun_group = nla_get_u32(tb[IFLA_TUN_GROUP]);
  out->tun_vnet_hdr = tb[IFLA_TUN_VNET_HDR] && nla_get_u8(tb[IFLA_TUN_VNET_HDR]);
  out->tun_persist = tb[IFLA_TUN_PERSIST] && nla_get_u8(tb[IFLA_TUN_PERSIST]);
  out->tun_multi_queue = tb[IFLA_TUN_MULTI_QUEUE] && nla_get_u8(tb[IFLA_TUN_MULTI_QUEUE]);
}

static void
parse_macvlan_data(struct nlattr *data, NcLinkAttrs *out)
{
  static const struct nla_policy policy[IFLA_MACVLAN_MAX + 1] = {
    [IFLA_MACVLAN_MODE] = { .type = NLA_U32 },
  };
  struct nlattr *tb[IFLA_MACVLAN_MAX + 1];
  if (nla_parse_nested(tb, IFLA_MACVLAN_MAX, data, policy) == 0 && tb[IFLA_MACVLAN_MODE])
    out->macvlan_mode = nla_get_u32(tb[IFLA_MACVLAN_MODE]);
}

static void
parse_linkinfo(struct nlattr *linkinfo, NcLinkAttrs *out)
{
  static const struct nla_policy policy[IFLA_INFO_MAX + 1] = {
    [IFLA_INFO_KIND] = { .type = NLA_STRING },
    [IFLA_INFO_DATA] = { .type = NLA_NESTED },
    [IFLA_INFO_SLAVE_KIND] = { .type = NLA_STRING },
    [IFLA_INFO_SLAVE_DATA] = { .type = NLA_NESTED },
  };
  struct nlattr *tb[IFLA_INFO_MAX + 1];
  if (nla_parse_nested(tb, IFLA_INFO_MAX, linkinfo, policy) < 0)
    return;
  if (tb[IFLA_INFO_KIND])
    nla_strlcpy(out->kind, tb[IFLA_INFO_KIND], sizeof out->kind);
  if (tb[IFLA_INFO_SLAVE_KIND])
    nla_strlcpy(out->slave_kind, tb[IFLA_INFO_SLAVE_KIND], sizeof out->slave_kind);
  if (tb[IFLA_INFO_DATA] && g_str_equal(out->kind, "tun"))
    parse_tun_data(tb[IFLA_INFO_DATA], out);
  if (tb[IFLA_INFO_DATA]
      && (g_str_equal(out->kind, "macvtap") || g_str_equal(out->kind, "macvlan")))
    parse_macvlan_data(tb[IFLA_INFO_DATA], out);
  if (tb[IFLA_INFO_SLAVE_DATA] && g_str_equal(out->slave_kind, "bridge")) {
    struct nlattr *port[IFLA_BRPORT_MAX + 1];
    if (nla_parse_nested(port, IFLA_BRPORT_MAX, tb[IFLA_INFO_SLAVE_DATA], NULL) == 0
        && port[IFLA_BRPORT_ISOLATED] && nla_len(port[IFLA_BRPORT_ISOLATED]) >= 1)
      out->isolated = nla_get_u8(port[IFLA_BRPORT_ISOLATED]) != 0;
  }
}

static int
parse_link(struct nlmsghdr *hdr, NcLinkAttrs *out)
{
  static const struct nla_policy policy[IFLA_MAX + 1] = {
    [IFLA_IFNAME] = { .type = NLA_STRING }, [IFLA_IFALIAS] = { .type = NLA_STRING },
    [IFLA_MTU] = { .type = NLA_U32 },       [IFLA_MASTER] = { .type = NLA_U32 },
    [IFLA_LINK] = { .type = NLA_U32 },      [IFLA_LINKINFO] = { .type = NLA_NESTED },
    [IFLA_GROUP] = { .type = NLA_U32 },
  };
  struct nlattr *tb[IFLA_MAX + 1];
  if (hdr->nlmsg_type != RTM_NEWLINK
      || nlmsg_parse(hdr, sizeof(struct ifinfomsg), tb, IFLA_MAX, policy) < 0)
    return -EPROTO;
  const struct ifinfomsg *ifi = nlmsg_data(hdr);
  *out = (NcLinkAttrs){ .ifindex = ifi->ifi_index,
                        .flags = ifi->ifi_flags,
                        .tun_owner = -1,
                        .tun_group = -1,
                        .isolated = -1 };
  if (tb[IFLA_IFNAME])
    nla_strlcpy(out->name, tb[IFLA_IFNAME], sizeof out->name);
  if (tb[IFLA_IFALIAS])
    nla_strlcpy(out->alias, tb[IFLA_IFALIAS], sizeof out->alias);
  if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == NC_MAC_LEN)
    memcpy(out->mac.addr, nla_data(tb[IFLA_ADDRESS]), NC_MAC_LEN);
  if (tb[IFLA_MTU])
    out->mtu = nla_get_u32(tb[IFLA_MTU]);
  if (tb[IFLA_MASTER])
    out->master = (int)nla_get_u32(tb[IFLA_MASTER]);
  if (tb[IFLA_LINK])
    out->link = (int)nla_get_u32(tb[IFLA_LINK]);
  if (tb[IFLA_GROUP])
    out->group = nla_get_u32(tb[IFLA_GROUP]);
  if (tb[IFLA_LINKINFO])
    parse_linkinfo(tb[IFLA_LINKINFO], out);
  return 0;
}

typedef struct {
  NcLinkFunc func;
  gpointer data;
  gboolean done;
} Replies;

static int
on_valid(struct nl_msg *msg, void *arg)
{
  Replies *rep = arg;
  NcLinkAttrs link;
  if (rep->func && parse_link(nlmsg_hdr(msg), &link) == 0)
    rep->func(&link, rep->data);
  return NL_OK;
}

static int
on_end(struct nl_msg *msg, void *arg)
{
  ((Replies *)arg)->done = TRUE;
  return NL_STOP;
}

int
nc_link_reply_query(NcKernel *kernel, struct nl_msg *msg_in, NcLinkFunc func, gpointer data)
{
  g_autoptr(NcNlMsg) msg = msg_in;
  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;
  struct nl_cb *sock_cb = nl_socket_get_cb(sock);
  g_autoptr(NcNlCb) cb = nl_cb_clone(sock_cb); /* keeps the error callback */
  nl_cb_put(sock_cb);
  if (!cb)
    return -ENOMEM;
  Replies rep = { .func = func, .data = data };
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &rep);
  nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_end, &rep);
  nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_end, &rep);
  int r = nl_send_auto(sock, msg);
  /* Bounded: the kernel answers every request, with a reply or an error. */
  while (r >= 0 && !rep.done)
    r = nl_recvmsgs(sock, cb);
  return nc_kernel_nl_result(kernel, r);
}

void
nc_link_reply_copy(const NcLinkAttrs *link, gpointer data)
{
  *(NcLinkAttrs *)data = *link;
}

struct nl_msg *
nc_link_reply_msg(int type, int flags, int family, int ifindex, guint ifi_flags, guint change)
{
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | flags);
  struct ifinfomsg ifi = {
    .ifi_family = family, .ifi_index = ifindex, .ifi_flags = ifi_flags, .ifi_change = change
  };
  if (!msg || nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0)
    return NULL;
  return g_steal_pointer(&msg);
}

int
nc_link_reply_get(NcKernel *kernel, int ifindex, const char *name, NcLinkAttrs *ret_link)
{
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(RTM_GETLINK, 0, AF_UNSPEC, ifindex, 0, 0);
  if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0
      || (name && nla_put_string(msg, IFLA_IFNAME, name) < 0))
    return -ENOMEM;
  NcLinkAttrs link = { .ifindex = 0 };
  int r = nc_link_reply_query(kernel, g_steal_pointer(&msg), nc_link_reply_copy, &link);
  if (r == 0 && link.ifindex <= 0)
    r = -EPROTO;
  if (r < 0)
    return r;
  *ret_link = link;
  return 0;
}

int
nc_link_reply_get_named(NcKernel *kernel, const char *name, const char *what, NcLinkAttrs *ret_link,
                        NcLinkInfo *ret_info)
{
  if (!name || !*name || strlen(name) >= IF_NAMESIZE)
    return -EINVAL;
  NcLinkAttrs link;
  int r = nc_link_reply_get(kernel, 0, name, &link);
  if (r < 0) {
    if (r != -ENODEV)
      g_debug("kernel: looking up %s%s: %s", what, name, g_strerror(-r));
    return r;
  }
  *ret_info = (NcLinkInfo){
    .ifindex = link.ifindex, .mac = link.mac, .mtu = link.mtu, .up = (link.flags & IFF_UP) != 0
  };
  g_strlcpy(ret_info->kind, link.kind, sizeof ret_info->kind);
  *ret_link = link;
  return 0;
}

int
nc_link_find_tagged(NcKernel *kernel, const char *name, const char *kind, const char *alias,
                    int *ret_ifindex)
{
  if (!name || !*name || strlen(name) >= IF_NAMESIZE || !alias)
    return -EINVAL;
  NcLinkAttrs link;
  int r = nc_link_reply_get(kernel, 0, name, &link);
  if (r == -ENODEV)
    return 0;
  if (r < 0) {
    g_debug("kernel: looking up %s: %s", name, g_strerror(-r));
    return r;
  }
  if (!g_str_equal(link.alias, alias) || (kind && !g_str_equal(link.kind, kind)))
    return 0;
  *ret_ifindex = link.ifindex;
  return 1;
}
