/* macvtap / macvlan links and their character devices (see link-macvtap.h).
 *
 * A macvtap is made with one RTM_NEWLINK that carries everything the kernel
 * applies at creation (uplink, mode, MAC, MTU, up); the alias cannot go in
 * it (the kernel reads IFLA_IFALIAS on changes only), so it is a second
 * request. Replies are read with our own parser (link-reply.h: libnl does
 * not parse macvlan data the way we need). */
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
#include "link-reply.h"
#include "safe-read.h"

/* Names of a template tried before the kernel's own scan. */
#define TEMPLATE_TRIES 4096

/* -- create ---------------------------------------------------------------------- */

typedef struct {
  const NcMac *mac;
  int link;
  NcLinkAttrs found;
} FindByMac;

static void
match_mac(const NcLinkAttrs *link, gpointer data)
{
  FindByMac *f = data;
  if (link->link == f->link && memcmp(link->mac.addr, f->mac->addr, NC_MAC_LEN) == 0
      && (g_str_equal(link->kind, "macvtap") || g_str_equal(link->kind, "macvlan")))
    f->found = *link;
}

/* Kernels before 6.3 do not echo a new link: find it by MAC on its uplink. */
static int
find_created(NcKernel *kernel, const NcMacvtapConfig *config, NcLinkAttrs *ret_link)
{
  if (!config->mac)
    return -ENODEV;
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0, 0, 0);
  if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
    return -ENOMEM;
  FindByMac f = { .mac = config->mac, .link = config->link_ifindex };
  int r = nc_link_reply_query(kernel, g_steal_pointer(&msg), match_mac, &f);
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
  guint flags = up ? IFF_UP : 0;
  g_autoptr(NcNlMsg) msg
      = nc_link_reply_msg(RTM_NEWLINK, NLM_F_ACK, AF_UNSPEC, ifindex, flags, flags);
  if (!msg || (alias && nla_put_string(msg, IFLA_IFALIAS, alias) < 0))
    return -ENOMEM;
  return nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
}

/* One RTM_NEWLINK that makes the link called name (exact, or the kernel's
 * "%d" template) with everything the kernel applies at creation. */
static int
send_create(NcKernel *kernel, const NcMacvtapConfig *config, const char *name, guint flags,
            NcLinkAttrs *ret_link)
{
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(
      RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK | NLM_F_ECHO, AF_UNSPEC, 0, flags, flags);
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
  return nc_link_reply_query(kernel, g_steal_pointer(&msg), nc_link_reply_copy, ret_link);
}

int
nc_macvtap_create(NcKernel *kernel, const NcMacvtapConfig *config, char *ret_name, int *ret_ifindex)
{
  const char *name = config->name;
  if (!name || !*name || strlen(name) >= IFNAMSIZ || config->link_ifindex <= 0
      || (config->alias && strlen(config->alias) >= NC_LINK_ALIAS_SIZE))
    return -EINVAL;
  /* Only "PREFIX%d" is a template: a '%' anywhere else is refused. */
  gsize len = strlen(name);
  gboolean template = g_str_has_suffix(name, "%d") && strchr(name, '%') == name + len - 2;
  if (!template && strchr(name, '%'))
    return -EINVAL;
  /* Up at creation only when nothing else is to be done first: every change
   * of an up link makes IPv6 walk its whole routing table (rt6_sync_up). */
  gboolean later = config->alias || config->no_ipv6;
  guint flags = config->up && !later ? IFF_UP : 0;

  /* A template is numbered here, as libvirt's virNetDevGenerateName does
   * (the number after the last one given, taken names skipped: EEXIST under
   * NLM_F_EXCL), not by the kernel: its "first free" scans every link of
   * the namespace (dev_prep_valid_name, 9% of netctld's profile with 1000
   * macvtaps). The kernel's scan only when a whole run is taken. */
  guint *next = nc_kernel_macvtap_name_counter(kernel);
  NcLinkAttrs link = { .ifindex = 0 };
  char try[IFNAMSIZ];
  int r = -EEXIST;
  for (guint attempt = 0; r == -EEXIST && attempt <= TEMPLATE_TRIES; attempt++) {
    if (template && attempt < TEMPLATE_TRIES) {
      if (g_snprintf(try, sizeof try, "%.*s%u", (int)(len - 2), name, *next) >= (int)sizeof try)
        g_snprintf(try, sizeof try, "%.*s%u", (int)(len - 2), name, *next = 0);
      *next = *next >= G_MAXINT ? 0 : *next + 1;
    } else {
      g_strlcpy(try, name, sizeof try);
    }
    r = send_create(kernel, config, try, flags, &link);
    if (!template)
      break;
  }
  if (r < 0) {
    g_debug("kernel: creating %s %s on link %d: %s", config->macvlan ? "macvlan" : "macvtap", try,
            config->link_ifindex, g_strerror(-r));
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
  NcLinkAttrs link;
  NcMacvtapInfo info = { .link.ifindex = 0 };
  int r = nc_link_reply_get_named(kernel, name, "", &link, &info.link);
  if (r < 0)
    return r;
  info.is_macvtap = g_str_equal(link.kind, "macvtap");
  info.is_macvlan = g_str_equal(link.kind, "macvlan");
  info.link_ifindex = link.link;
  info.mode = (info.is_macvtap || info.is_macvlan) ? (NcMacvtapMode)link.macvlan_mode : 0;
  g_strlcpy(info.alias, link.alias, sizeof info.alias);
  *ret_info = info;
  return 0;
}

int
nc_link_set_mac(NcKernel *kernel, int ifindex, const NcMac *mac)
{
  if (ifindex <= 0 || !mac)
    return -EINVAL;
  g_autoptr(NcNlMsg) msg = nc_link_reply_msg(RTM_NEWLINK, NLM_F_ACK, AF_UNSPEC, ifindex, 0, 0);
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
