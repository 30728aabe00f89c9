/* SR-IOV pools from sysfs (see sriov.h). Every path is built from the
 * NcKernel's sysfs root, so tests use fake trees (tests/hostdev/data). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nc-error.h"
#include "nl-util.h"
#include "safe-read.h"
#include "sriov.h"
#include "sysfs-pci.h"

/* A small sysfs attribute without its newline; NULL when unreadable. */
static char *
read_attr(const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  if (nc_file_read_bounded(path, 8192, &text, &len) < 0)
    return NULL;
  return g_strchomp(g_steal_pointer(&text));
}

static gboolean
safe_name(const char *name)
{
  return name && *name && strlen(name) < 16 && !strchr(name, '/') && !g_str_equal(name, ".")
         && !g_str_equal(name, "..");
}

/* The number of VFs of PF, or FALSE with the error. */
static gboolean
pf_numvfs(NcKernel *kernel, const char *network, const char *pf, guint *ret_n, GError **error)
{
  if (!safe_name(pf)) {
    g_autofree char *escaped = nc_name_escape(pf ? pf : "");
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "network '%s': invalid PF name '%s'",
                network, escaped);
    return FALSE;
  }
  g_autofree char *netdir = g_build_filename(nc_kernel_sys_root(kernel), "class", "net", pf, NULL);
  if (!g_file_test(netdir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': PF '%s' does not exist (no %s)", network, pf, netdir);
    return FALSE;
  }
  g_autofree char *total_path = g_build_filename(netdir, "device", "sriov_totalvfs", NULL);
  g_autofree char *total = read_attr(total_path);
  if (!total) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': '%s' is not SR-IOV capable (no %s)", network, pf, total_path);
    return FALSE;
  }
  g_autofree char *num_path = g_build_filename(netdir, "device", "sriov_numvfs", NULL);
  g_autofree char *num = read_attr(num_path);
  guint64 n = 0;
  if (!num || !g_ascii_string_to_unsigned(num, 10, 0, 4096, &n, NULL) || n == 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': PF '%s' has no VFs (sriov_numvfs is %s; enable them with "
                "`echo N > %s`, at most %s)",
                network, pf, num ? num : "unreadable", num_path, total);
    return FALSE;
  }
  *ret_n = (guint)n;
  return TRUE;
}

gboolean
nc_sriov_vf_netdevs(NcKernel *kernel, const char *network, const char *pf, GPtrArray **ret_names,
                    GError **error)
{
  guint n = 0;
  if (!pf_numvfs(kernel, network, pf, &n, error))
    return FALSE;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < n; i++) {
    g_autofree char *vf = g_strdup_printf("virtfn%u", i);
    g_autofree char *netdir
        = g_build_filename(nc_kernel_sys_root(kernel), "class", "net", pf, "device", vf, "net", NULL);
    g_autoptr(GDir) d = g_dir_open(netdir, 0, NULL);
    const char *name = d ? g_dir_read_name(d) : NULL;
    if (name && safe_name(name))
      g_ptr_array_add(names, g_strdup(name));
  }
  if (names->len == 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': none of the %u VFs of PF '%s' has a network device (bound to "
                "vfio-pci?); a macvtap pool needs VF netdevs",
                network, n, pf);
    return FALSE;
  }
  *ret_names = g_steal_pointer(&names);
  return TRUE;
}

gboolean
nc_sriov_list_vfs(NcKernel *kernel, const char *network, const char *pf, GArray **ret_vfs,
                  GError **error)
{
  guint n = 0;
  if (!pf_numvfs(kernel, network, pf, &n, error))
    return FALSE;
  g_autoptr(GArray) vfs = g_array_new(FALSE, TRUE, sizeof(NcSriovVf));
  for (guint i = 0; i < n; i++) {
    NcSriovVf vf = { .index = i };
    g_autofree char *name = g_strdup_printf("virtfn%u", i);
    g_autofree char *link = g_build_filename(nc_kernel_sys_root(kernel), "class", "net", pf,
                                             "device", name, NULL);
    g_autofree char *target = g_file_read_link(link, NULL);
    g_autofree char *base = target ? g_path_get_basename(target) : NULL;
    g_autofree char *resolved = g_build_filename(link, ".", NULL);
    guint d, b, sl, f;
    if (base && nc_pci_addr_parse(base, &d, &b, &sl, &f)
        && g_file_test(resolved, G_FILE_TEST_IS_DIR)) {
      g_strlcpy(vf.addr, base, sizeof vf.addr);
      g_autofree char *netdir = g_build_filename(link, "net", NULL);
      g_autoptr(GDir) dir = g_dir_open(netdir, 0, NULL);
      const char *dev = dir ? g_dir_read_name(dir) : NULL;
      if (dev && safe_name(dev))
        g_strlcpy(vf.netdev, dev, sizeof vf.netdev);
    }
    g_array_append_val(vfs, vf);
  }
  *ret_vfs = g_steal_pointer(&vfs);
  return TRUE;
}

int
nc_sriov_vf_of_addr(NcKernel *kernel, const char *addr, char *ret_pf, guint *ret_index)
{
  guint d, b, sl, f;
  if (!nc_pci_addr_parse(addr, &d, &b, &sl, &f))
    return -EINVAL;
  g_autofree char *physfn = g_build_filename(nc_kernel_sys_root(kernel), "bus", "pci", "devices",
                                             addr, "physfn", NULL);
  g_autofree char *netdir = g_build_filename(physfn, "net", NULL);
  g_autoptr(GDir) dir = g_dir_open(netdir, 0, NULL);
  const char *pf = dir ? g_dir_read_name(dir) : NULL;
  if (!pf || !safe_name(pf))
    return -ENODEV;
  for (guint i = 0; i < 4096; i++) {
    g_autofree char *name = g_strdup_printf("virtfn%u", i);
    g_autofree char *link = g_build_filename(physfn, name, NULL);
    g_autofree char *target = g_file_read_link(link, NULL);
    if (!target)
      break;
    g_autofree char *base = g_path_get_basename(target);
    if (g_str_equal(base, addr)) {
      g_strlcpy(ret_pf, pf, 16);
      *ret_index = i;
      return 0;
    }
  }
  return -ENODEV;
}

/* -- the recording fake -------------------------------------------------------- */

static char *
fake_file(NcKernel *kernel, const char *suffix)
{
  g_autofree char *base = g_strconcat(".netctl-fake-pf", suffix, NULL);
  return g_build_filename(nc_kernel_sys_root(kernel), base, NULL);
}

static void
fake_log(NcKernel *kernel, const char *line)
{
  g_autofree char *path = fake_file(kernel, ".log");
  FILE *f = fopen(path, "ae");
  if (f) {
    fprintf(f, "%s\n", line);
    fclose(f);
  }
}

/* Consumes one "in reset" answer for PF/VF; TRUE when there was one. */
static gboolean
fake_in_reset(NcKernel *kernel, const char *pf, guint vf)
{
  g_autofree char *path = fake_file(kernel, ".reset");
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_autoptr(GString) out = g_string_new(NULL);
  gboolean busy = FALSE;
  for (char **l = lines; *l; l++) {
    char p[32];
    guint v, count;
    if (sscanf(*l, "%31s %u %u", p, &v, &count) == 3 && g_str_equal(p, pf) && v == vf
        && count > 0) {
      busy = TRUE;
      count--;
      g_string_append_printf(out, "%s %u %u\n", p, v, count);
    } else if (**l) {
      g_string_append_printf(out, "%s\n", *l);
    }
  }
  g_file_set_contents(path, out->str, -1, NULL);
  return busy;
}

static int
fake_set(NcKernel *kernel, const char *pf, guint vf, const NcVfConfig *config)
{
  char mac[18];
  nc_mac_format(&config->mac, mac);
  g_autofree char *line = g_strdup_printf("set %s %u mac=%s vlan=%u spoofchk=%d trust=%d", pf, vf,
                                          mac, config->vlan, config->spoofchk, config->trust);
  fake_log(kernel, line);
  if (fake_in_reset(kernel, pf, vf))
    return -EAGAIN;
  g_autofree char *path = fake_file(kernel, ".state");
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL);
  g_autofree char *group = g_strdup_printf("%s %u", pf, vf);
  g_key_file_set_string(kf, group, "mac", mac);
  g_key_file_set_uint64(kf, group, "vlan", config->vlan);
  return g_key_file_save_to_file(kf, path, NULL) ? 0 : -EIO;
}

static int
fake_get(NcKernel *kernel, const char *pf, guint vf, NcVfConfig *ret_config)
{
  g_autofree char *line = g_strdup_printf("get %s %u", pf, vf);
  fake_log(kernel, line);
  g_autofree char *path = fake_file(kernel, ".state");
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL);
  g_autofree char *group = g_strdup_printf("%s %u", pf, vf);
  g_autofree char *mac = g_key_file_get_string(kf, group, "mac", NULL);
  NcVfConfig c = { .spoofchk = -1, .trust = -1 };
  if (mac && !nc_mac_parse(mac, &c.mac))
    return -EIO;
  c.vlan = (guint)g_key_file_get_uint64(kf, group, "vlan", NULL);
  *ret_config = c;
  return 0;
}

/* -- rtnetlink ------------------------------------------------------------------ */

int
nc_sriov_set_vf(NcKernel *kernel, const char *pf, guint vf, const NcVfConfig *config)
{
  if (!safe_name(pf) || vf > 4095 || config->vlan > 4095)
    return -EINVAL;
  if (nc_sysfs_is_fake(kernel))
    return fake_set(kernel, pf, vf, config);
  NcLinkInfo info;
  int r = nc_link_get_info(kernel, pf, &info);
  if (r < 0)
    return r;
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = info.ifindex };
  if (!msg || nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0)
    return -ENOMEM;
  struct nlattr *list = nla_nest_start(msg, IFLA_VFINFO_LIST);
  struct nlattr *one = list ? nla_nest_start(msg, IFLA_VF_INFO) : NULL;
  struct ifla_vf_mac mac = { .vf = vf };
  memcpy(mac.mac, config->mac.addr, NC_MAC_LEN);
  struct ifla_vf_vlan vlan = { .vf = vf, .vlan = config->vlan, .qos = 0 };
  if (!one || nla_put(msg, IFLA_VF_MAC, sizeof mac, &mac) < 0
      || nla_put(msg, IFLA_VF_VLAN, sizeof vlan, &vlan) < 0)
    return -ENOMEM;
  if (config->spoofchk >= 0) {
    struct ifla_vf_spoofchk s = { .vf = vf, .setting = (guint32)config->spoofchk };
    if (nla_put(msg, IFLA_VF_SPOOFCHK, sizeof s, &s) < 0)
      return -ENOMEM;
  }
  if (config->trust >= 0) {
    struct ifla_vf_trust t = { .vf = vf, .setting = (guint32)config->trust };
    if (nla_put(msg, IFLA_VF_TRUST, sizeof t, &t) < 0)
      return -ENOMEM;
  }
  nla_nest_end(msg, one);
  nla_nest_end(msg, list);
  r = nc_kernel_nl_request(kernel, g_steal_pointer(&msg));
  if (r < 0)
    g_debug("kernel: setting VF %u of %s: %s", vf, pf, g_strerror(-r));
  return r;
}

typedef struct nl_cb NcNlCb;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNlCb, nl_cb_put)

typedef struct {
  guint vf;
  gboolean found, done;
  NcVfConfig config;
} VfQuery;

static void
parse_vf(struct nlattr *info, VfQuery *q)
{
  struct nlattr *tb[IFLA_VF_MAX + 1];
  if (nla_parse_nested(tb, IFLA_VF_MAX, info, NULL) < 0 || !tb[IFLA_VF_MAC]
      || nla_len(tb[IFLA_VF_MAC]) < (int)sizeof(struct ifla_vf_mac))
    return;
  const struct ifla_vf_mac *mac = nla_data(tb[IFLA_VF_MAC]);
  if (mac->vf != q->vf)
    return;
  q->found = TRUE;
  memcpy(q->config.mac.addr, mac->mac, NC_MAC_LEN);
  if (tb[IFLA_VF_VLAN] && nla_len(tb[IFLA_VF_VLAN]) >= (int)sizeof(struct ifla_vf_vlan))
    q->config.vlan = ((const struct ifla_vf_vlan *)nla_data(tb[IFLA_VF_VLAN]))->vlan;
  if (tb[IFLA_VF_SPOOFCHK] && nla_len(tb[IFLA_VF_SPOOFCHK]) >= (int)sizeof(struct ifla_vf_spoofchk))
    q->config.spoofchk = ((const struct ifla_vf_spoofchk *)nla_data(tb[IFLA_VF_SPOOFCHK]))->setting;
  if (tb[IFLA_VF_TRUST] && nla_len(tb[IFLA_VF_TRUST]) >= (int)sizeof(struct ifla_vf_trust))
    q->config.trust = ((const struct ifla_vf_trust *)nla_data(tb[IFLA_VF_TRUST]))->setting;
}

static int
on_link(struct nl_msg *msg, void *arg)
{
  VfQuery *q = arg;
  struct nlattr *tb[IFLA_MAX + 1];
  if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0
      || !tb[IFLA_VFINFO_LIST])
    return NL_OK;
  struct nlattr *info;
  int rem;
  nla_for_each_nested(info, tb[IFLA_VFINFO_LIST], rem)
    if (nla_type(info) == IFLA_VF_INFO)
      parse_vf(info, q);
  return NL_OK;
}

static int
on_done(struct nl_msg *msg, void *arg)
{
  ((VfQuery *)arg)->done = TRUE;
  return NL_STOP;
}

int
nc_sriov_get_vf(NcKernel *kernel, const char *pf, guint vf, NcVfConfig *ret_config)
{
  if (!safe_name(pf))
    return -EINVAL;
  if (nc_sysfs_is_fake(kernel))
    return fake_get(kernel, pf, vf, ret_config);
  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;
  g_autoptr(NcNlMsg) msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  if (!msg || nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0
      || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS) < 0
      || nla_put_string(msg, IFLA_IFNAME, pf) < 0)
    return -ENOMEM;
  struct nl_cb *sock_cb = nl_socket_get_cb(sock);
  g_autoptr(NcNlCb) cb = nl_cb_clone(sock_cb);
  nl_cb_put(sock_cb);
  if (!cb)
    return -ENOMEM;
  VfQuery q = { .vf = vf, .config = { .spoofchk = -1, .trust = -1 } };
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_link, &q);
  nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &q);
  nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &q);
  int r = nl_send_auto(sock, msg);
  /* a GET answers with the link (no ack): done after one round of replies */
  if (r >= 0)
    r = nl_recvmsgs(sock, cb);
  r = nc_kernel_nl_result(kernel, r);
  if (r < 0)
    return r;
  if (!q.found)
    return -ENODEV;
  *ret_config = q.config;
  return 0;
}
