/* macvtap / macvlan links and their character devices (see link-macvtap.h).
 *
 * A macvtap is made with one RTM_NEWLINK that carries everything the kernel
 * applies at creation (uplink, mode, MAC, MTU, up); the alias cannot go in
 * it (the kernel reads IFLA_IFALIAS on changes only), so it is a second
 * request. Replies are parsed here (libnl does not parse macvlan data the
 * way we need). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "link-macvtap.h"
#include "nl-util.h"
#include "safe-read.h"

#define ALIAS_SIZE 256

typedef struct nl_cb NcNlCb;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNlCb, nl_cb_put)

typedef struct {
  int ifindex;
  guint flags;
  char name[IF_NAMESIZE];
  NcMac mac;
  guint mtu;
  int link;
  char alias[ALIAS_SIZE];
  char kind[32];
  guint32 mode;
} LinkAttrs;

static void
parse_linkinfo(struct nlattr *linkinfo, LinkAttrs *out)
{
  struct nlattr *tb[IFLA_INFO_MAX + 1];
  if (nla_parse_nested(tb, IFLA_INFO_MAX, linkinfo, NULL) < 0)
    return;
  if (tb[IFLA_INFO_KIND])
    nla_strlcpy(out->kind, tb[IFLA_INFO_KIND], sizeof out->kind);
  if (!tb[IFLA_INFO_DATA]
      || !(g_str_equal(out->kind, "macvtap") || g_str_equal(out->kind, "macvlan")))
    return;
  struct nlattr *data[IFLA_MACVLAN_MAX + 1];
  if (nla_parse_nested(data, IFLA_MACVLAN_MAX, tb[IFLA_INFO_DATA], NULL) == 0
      && data[IFLA_MACVLAN_MODE] && nla_len(data[IFLA_MACVLAN_MODE]) >= 4)
    out->mode = nla_get_u32(data[IFLA_MACVLAN_MODE]);
}

static int
parse_link(struct nlmsghdr *hdr, LinkAttrs *out)
{
  struct nlattr *tb[IFLA_MAX + 1];
  if (hdr->nlmsg_type != RTM_NEWLINK
      || nlmsg_parse(hdr, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
    return -EPROTO;
  const struct ifinfomsg *ifi = nlmsg_data(hdr);
  *out = (LinkAttrs){ .ifindex = ifi->ifi_index, .flags = ifi->ifi_flags };
  if (tb[IFLA_IFNAME])
    nla_strlcpy(out->name, tb[IFLA_IFNAME], sizeof out->name);
  if (tb[IFLA_IFALIAS])
    nla_strlcpy(out->alias, tb[IFLA_IFALIAS], sizeof out->alias);
  if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == NC_MAC_LEN)
    memcpy(out->mac.addr, nla_data(tb[IFLA_ADDRESS]), NC_MAC_LEN);
  if (tb[IFLA_MTU] && nla_len(tb[IFLA_MTU]) >= 4)
    out->mtu = nla_get_u32(tb[IFLA_MTU]);
  if (tb[IFLA_LINK] && nla_len(tb[IFLA_LINK]) >= 4)
    out->link = (int)nla_get_u32(tb[IFLA_LINK]);
  if (tb[IFLA_LINKINFO])
    parse_linkinfo(tb[IFLA_LINKINFO], out);
  return 0;
}

/* -- one request, its replies ------------------------------------------------ */

typedef void (*LinkFunc)(const LinkAttrs *link, gpointer data);

typedef struct {
  LinkFunc func;
  gpointer data;
  gboolean done;
} Replies;

static int
on_valid(struct nl_msg *msg, void *arg)
{
  Replies *rep = arg;
  LinkAttrs link;
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

/* Sends msg (ownership taken), hands every link message of the reply (a
 * GET's answer, a dump, or a NEWLINK's echo) to func, and reads until the
 * acknowledgement or NLMSG_DONE. */
static int
link_query(NcKernel *kernel, struct nl_msg *msg_in, LinkFunc func, gpointer data)
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

static void
copy_link(const LinkAttrs *link, gpointer data)
{
  *(LinkAttrs *)data = *link;
}

static struct nl_msg *
link_msg(int type, int flags, int ifindex, guint ifi_flags, guint change)
{
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | flags);
  struct ifinfomsg ifi = {
    .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = ifi_flags, .ifi_change = change
  };
  if (!msg || nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0)
    return NULL;
  return g_steal_pointer(&msg);
}

/* -- create ---------------------------------------------------------------------- */

typedef struct {
  const NcMac *mac;
  int link;
  LinkAttrs found;
} FindByMac;

static void
match_mac(const LinkAttrs *link, gpointer data)
{
  FindByMac *f = data;
  if (link->link == f->link && memcmp(link->mac.addr, f->mac->addr, NC_MAC_LEN) == 0
      && (g_str_equal(link->kind, "macvtap") || g_str_equal(link->kind, "macvlan")))
    f->found = *link;
}

/* Kernels before 6.3 do not echo a new link: find it by MAC on its uplink. */
static int
find_created(NcKernel *kernel, const NcMacvtapConfig *config, LinkAttrs *ret_link)
{
  if (!config->mac)
    return -ENODEV;
  g_autoptr(NcNlMsg) msg = link_msg(RTM_GETLINK, NLM_F_DUMP, 0, 0, 0);
  if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
    return -ENOMEM;
  FindByMac f = { .mac = config->mac, .link = config->link_ifindex };
  int r = link_query(kernel, g_steal_pointer(&msg), match_mac, &f);
  if (r < 0)
    return r;
  if (f.found.ifindex <= 0)
    return -ENODEV;
  *ret_link = f.found;
  return 0;
}

/* The alias, and up when asked: one request. */
static int
finish(NcKernel *kernel, int ifindex, const char *alias, gboolean up)
{
  g_autoptr(NcNlMsg) msg
      = link_msg(RTM_NEWLINK, NLM_F_ACK, ifindex, up ? IFF_UP : 0, up ? IFF_UP : 0);
  if (!msg || (alias && nla_put_string(msg, IFLA_IFALIAS, alias) < 0))
    return -ENOMEM;
  return nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
}

int
nc_macvtap_create(NcKernel *kernel, const NcMacvtapConfig *config, char *ret_name,
                  int *ret_ifindex)
{
  const char *name = config->name;
  if (!name || !*name || strlen(name) >= IFNAMSIZ || config->link_ifindex <= 0
      || (config->alias && strlen(config->alias) >= ALIAS_SIZE))
    return -EINVAL;
  /* Up at creation only when nothing else is to be done first: every change
   * of an up link makes IPv6 walk its whole routing table (rt6_sync_up). */
  gboolean later = config->alias || config->no_ipv6;
  guint flags = config->up && !later ? IFF_UP : 0;
  g_autoptr(NcNlMsg) msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK | NLM_F_ECHO,
                                    0, flags, flags);
  if (!msg || nla_put_string(msg, IFLA_IFNAME, name) < 0
      || nla_put_u32(msg, IFLA_LINK, (guint32)config->link_ifindex) < 0
      || (config->mac && nla_put(msg, IFLA_ADDRESS, NC_MAC_LEN, config->mac->addr) < 0)
      || (config->mtu && nla_put_u32(msg, IFLA_MTU, config->mtu) < 0))
    return -ENOMEM;
  struct nlattr *info = nla_nest_start(msg, IFLA_LINKINFO);
  if (!info || nla_put_string(msg, IFLA_INFO_KIND, config->macvlan ? "macvlan" : "macvtap") < 0)
    return -ENOMEM;
  struct nlattr *data = nla_nest_start(msg, IFLA_INFO_DATA);
  if (!data || nla_put_u32(msg, IFLA_MACVLAN_MODE, config->mode) < 0)
    return -ENOMEM;
  nla_nest_end(msg, data);
  nla_nest_end(msg, info);

  LinkAttrs link = { .ifindex = 0 };
  int r = link_query(kernel, g_steal_pointer(&msg), copy_link, &link);
  if (r < 0) {
    g_debug("kernel: creating %s %s on link %d: %s", config->macvlan ? "macvlan" : "macvtap",
            name, config->link_ifindex, g_strerror(-r));
    return r;
  }
  if (link.ifindex <= 0) {
    r = find_created(kernel, config, &link);
    if (r < 0) {
      g_debug("kernel: created %s, but cannot find it: %s", name, g_strerror(-r));
      return r == -ENODEV ? -EPROTO : r;
    }
  }
  if (config->no_ipv6) {
    g_autofree char *key = nc_sysctl_iface_key("ipv6", link.name, "disable_ipv6");
    r = key ? nc_sysctl_write(kernel, key, "1") : -EINVAL;
    if (r == -ENOENT)
      r = 0; /* no IPv6 in this kernel or namespace: nothing to disable */
    if (r < 0) {
      g_debug("kernel: disabling IPv6 on %s: %s", link.name, g_strerror(-r));
      nc_link_delete(kernel, link.ifindex);
      return r;
    }
  }
  if (later && (config->alias || config->up)) {
    r = finish(kernel, link.ifindex, config->alias, config->up);
    if (r < 0) {
      g_debug("kernel: setting the alias of %s (and up): %s", link.name, g_strerror(-r));
      nc_link_delete(kernel, link.ifindex);
      return r;
    }
  }
  g_strlcpy(ret_name, link.name, IF_NAMESIZE);
  *ret_ifindex = link.ifindex;
  return 0;
}

int
nc_macvtap_get_info(NcKernel *kernel, const char *name, NcMacvtapInfo *ret_info)
{
  if (!name || !*name || strlen(name) >= IFNAMSIZ)
    return -EINVAL;
  g_autoptr(NcNlMsg) msg = link_msg(RTM_GETLINK, 0, 0, 0, 0);
  if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0
      || nla_put_string(msg, IFLA_IFNAME, name) < 0)
    return -ENOMEM;
  LinkAttrs link = { .ifindex = 0 };
  int r = link_query(kernel, g_steal_pointer(&msg), copy_link, &link);
  if (r == 0 && link.ifindex <= 0)
    r = -EPROTO;
  if (r < 0) {
    if (r != -ENODEV)
      g_debug("kernel: looking up %s: %s", name, g_strerror(-r));
    return r;
  }
  NcMacvtapInfo info = {
    .link = { .ifindex = link.ifindex,
              .mac = link.mac,
              .mtu = link.mtu,
              .up = (link.flags & IFF_UP) != 0 },
    .is_macvtap = g_str_equal(link.kind, "macvtap"),
    .is_macvlan = g_str_equal(link.kind, "macvlan"),
    .link_ifindex = link.link,
  };
  info.mode = (info.is_macvtap || info.is_macvlan) ? (NcMacvtapMode)link.mode : 0;
  g_strlcpy(info.link.kind, link.kind, sizeof info.link.kind);
  g_strlcpy(info.alias, link.alias, sizeof info.alias);
  *ret_info = info;
  return 0;
}

int
nc_link_set_mac(NcKernel *kernel, int ifindex, const NcMac *mac)
{
  if (ifindex <= 0 || !mac)
    return -EINVAL;
  g_autoptr(NcNlMsg) msg = link_msg(RTM_NEWLINK, NLM_F_ACK, ifindex, 0, 0);
  if (!msg || nla_put(msg, IFLA_ADDRESS, NC_MAC_LEN, mac->addr) < 0)
    return -ENOMEM;
  int r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0)
    g_debug("kernel: setting the MAC of link %d: %s", ifindex, g_strerror(-r));
  return r;
}

/* -- the character device --------------------------------------------------------- */

int
nc_macvtap_chardev(NcKernel *kernel, const char *name, int ifindex, guint *ret_major,
                   guint *ret_minor)
{
  if (!name || !*name || strchr(name, '/') || g_str_equal(name, ".") || g_str_equal(name, "..")
      || ifindex <= 0)
    return -EINVAL;
  char tap[32];
  g_snprintf(tap, sizeof tap, "tap%d", ifindex);
  g_autofree char *path = g_build_filename(nc_kernel_sys_root(kernel), "class", "net", name,
                                           "macvtap", tap, "dev", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  /* sysfs says 4096 bytes for every attribute. */
  int r = nc_file_read_bounded(path, 8192, &text, &len);
  if (r < 0) {
    g_debug("kernel: reading %s: %s", path, g_strerror(-r));
    return r;
  }
  guint major = 0, minor = 0;
  char end = 0;
  if (sscanf(text, "%u:%u%c", &major, &minor, &end) < 2 || (end && end != '\n'))
    return -EPROTO;
  *ret_major = major;
  *ret_minor = minor;
  return 0;
}

static char *
node_path(const char *dev_dir, int ifindex)
{
  char tap[32];
  g_snprintf(tap, sizeof tap, "tap%d", ifindex);
  return g_build_filename(dev_dir, tap, NULL);
}

int
nc_macvtap_node_ensure(const char *dev_dir, int ifindex, guint major, guint minor, gint64 owner,
                       gint64 group, gboolean *ret_created)
{
  if (!dev_dir || ifindex <= 0 || owner < -1 || group < -1 || owner >= G_MAXUINT32
      || group >= G_MAXUINT32)
    return -EINVAL;
  g_autofree char *path = node_path(dev_dir, ifindex);
  mode_t mode = group >= 0 ? 0660 : 0600;
  dev_t rdev = makedev(major, minor);
  gboolean created = FALSE;
  struct stat st;
  if (lstat(path, &st) < 0) {
    if (errno != ENOENT)
      return -errno;
    /* 0 first, so nobody opens it before its owner is set. */
    if (mknod(path, S_IFCHR | 0600, rdev) < 0) {
      int r = -errno;
      g_debug("kernel: mknod %s: %s", path, g_strerror(-r));
      return r;
    }
    created = TRUE;
  } else if (!S_ISCHR(st.st_mode) || st.st_rdev != rdev) {
    g_debug("kernel: %s is not the character device %u:%u", path, major, minor);
    return -EEXIST;
  }
  /* By path, never following a link (lstat above said it is a device). */
  int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  int r = 0;
  if (fd < 0)
    r = -errno;
  else {
    g_autofree char *proc = g_strdup_printf("/proc/self/fd/%d", fd);
    if (chown(proc, owner >= 0 ? (uid_t)owner : 0, group >= 0 ? (gid_t)group : 0) < 0
        || chmod(proc, mode) < 0)
      r = -errno;
    close(fd);
  }
  if (r < 0) {
    g_debug("kernel: setting the owner of %s: %s", path, g_strerror(-r));
    if (created)
      unlink(path);
    return r;
  }
  *ret_created = created;
  return 0;
}

int
nc_macvtap_node_remove(const char *path, guint major, guint minor)
{
  if (!path || !*path)
    return -EINVAL;
  struct stat st;
  if (lstat(path, &st) < 0)
    return errno == ENOENT ? 0 : -errno;
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(major, minor))
    return 0; /* another device's now */
  return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}
