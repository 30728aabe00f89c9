/* The kernel context: the rtnetlink socket and the /proc and /sys roots.
 *
 * libnl reports errors as its own NLE_* codes, which lose the kernel's errno
 * (EEXIST and EBUSY both matter to callers). We install an error callback that
 * records the errno of the NLMSG_ERROR reply and return that instead. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/socket.h>

#include "nc-kernel.h"
#include "nft-private.h"
#include "nl-util.h"

struct _NcKernel {
  char *proc_root;
  char *sys_root;
  struct nl_sock *sock;
  struct mnl_socket *nft_sock; /* see nc_kernel_nft_sock */
  int ioctl_fd;                /* see nc_kernel_ifname; -1 until used */
  NcNftScanCache nft_scan;
  NcNftLookCache nft_look;
  int last_errno; /* negative errno of the last NLMSG_ERROR, 0 when none */
  NcLinkReaper *reaper; /* deferred link deletions, made on first use */
  guint tap_name_next;  /* see nc_kernel_tap_name_counter */
  guint macvtap_name_next; /* see nc_kernel_macvtap_name_counter */
};

NcKernel *
nc_kernel_new(const char *proc_root, const char *sys_root)
{
  NcKernel *kernel = g_new0(NcKernel, 1);
  kernel->proc_root = g_strdup(proc_root && *proc_root ? proc_root : "/proc");
  kernel->sys_root = g_strdup(sys_root && *sys_root ? sys_root : "/sys");
  kernel->ioctl_fd = -1;
  return kernel;
}

void
nc_kernel_free(NcKernel *kernel)
{
  if (!kernel)
    return;
  nc_link_reaper_free(kernel->reaper); /* lets queued deletions finish */
  if (kernel->sock)
    nl_socket_free(kernel->sock);
  g_clear_pointer(&kernel->nft_sock, mnl_socket_close);
  g_clear_pointer(&kernel->nft_scan.findings, g_ptr_array_unref);
  nc_nft_look_cache_clear(&kernel->nft_look);
  if (kernel->ioctl_fd >= 0)
    close(kernel->ioctl_fd);
  g_free(kernel->proc_root);
  g_free(kernel->sys_root);
  g_free(kernel);
}

guint *
nc_kernel_tap_name_counter(NcKernel *kernel)
{
  return &kernel->tap_name_next;
}

guint *
nc_kernel_macvtap_name_counter(NcKernel *kernel)
{
  return &kernel->macvtap_name_next;
}

NcLinkReaper *
nc_kernel_link_reaper(NcKernel *kernel)
{
  if (!kernel->reaper)
    kernel->reaper = nc_link_reaper_new();
  return kernel->reaper;
}

NcLinkReaper *
nc_kernel_peek_link_reaper(NcKernel *kernel)
{
  return kernel->reaper;
}

const char *
nc_kernel_proc_root(NcKernel *kernel)
{
  return kernel->proc_root;
}

const char *
nc_kernel_sys_root(NcKernel *kernel)
{
  return kernel->sys_root;
}

static int
record_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
  NcKernel *kernel = arg;
  kernel->last_errno = err->error; /* already negative */
  return NL_STOP;
}

/* The few NLE codes that can come without a kernel reply. */
static int
nle_to_errno(int nle)
{
  switch (-nle) {
  case NLE_NOMEM:
    return -ENOMEM;
  case NLE_AGAIN:
    return -EAGAIN;
  case NLE_BAD_SOCK:
    return -EBADF;
  case NLE_PERM:
    return -EPERM;
  case NLE_NOACCESS:
    return -EACCES;
  case NLE_EXIST:
    return -EEXIST;
  case NLE_OBJ_NOTFOUND:
    return -ENODEV;
  case NLE_NODEV:
    return -ENODEV;
  case NLE_RANGE:
    return -ERANGE;
  case NLE_BUSY:
    return -EBUSY;
  case NLE_OPNOTSUPP:
    return -EOPNOTSUPP;
  case NLE_AF_NOSUPPORT:
  case NLE_PROTO_MISMATCH:
    return -EPROTONOSUPPORT;
  case NLE_MSGSIZE:
    return -EMSGSIZE;
  default:
    return -EIO;
  }
}

struct nl_sock *
nc_kernel_nl_sock(NcKernel *kernel, int *ret_err)
{
  kernel->last_errno = 0;
  if (kernel->sock)
    return kernel->sock;

  struct nl_sock *sock = nl_socket_alloc();
  if (!sock) {
    *ret_err = -ENOMEM;
    return NULL;
  }
  int r = nl_connect(sock, NETLINK_ROUTE);
  if (r < 0) {
    g_debug("kernel: cannot open an rtnetlink socket: %s", nl_geterror(r));
    nl_socket_free(sock);
    *ret_err = nle_to_errno(r);
    return NULL;
  }
  nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, record_error, kernel);
  kernel->sock = sock;
  return sock;
}

int
nc_kernel_nl_result(NcKernel *kernel, int libnl_ret)
{
  if (libnl_ret >= 0)
    return 0;
  if (kernel->last_errno < 0)
    return kernel->last_errno;
  return nle_to_errno(libnl_ret);
}

int
nc_kernel_nl_request(NcKernel *kernel, struct nl_msg *msg_in)
{
  g_autoptr(NcNlMsg) msg = msg_in;
  int err = 0;
  struct nl_sock *sock = nc_kernel_nl_sock(kernel, &err);
  if (!sock)
    return err;

  int r = nl_send_auto(sock, msg);
  if (r >= 0)
    r = nl_wait_for_ack(sock);
  return nc_kernel_nl_result(kernel, r);
}

struct mnl_socket *
nc_kernel_nft_sock(NcKernel *kernel, int *ret_err)
{
  if (!kernel->nft_sock) {
    kernel->nft_sock = nc_nft_socket_open(ret_err);
    return kernel->nft_sock;
  }
  /* Whatever an earlier call left unread (reading on also runs an
   * unfinished dump to its end, so the next request is not refused with
   * EBUSY). Bounded: a dump ends. */
  char buf[8192];
  int fd = mnl_socket_get_fd(kernel->nft_sock);
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0 || (n < 0 && errno == EINTR))
      continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      /* ENOBUFS (replies were lost) or worse: start afresh. */
      nc_kernel_nft_sock_reset(kernel);
      kernel->nft_sock = nc_nft_socket_open(ret_err);
    }
    return kernel->nft_sock;
  }
}

void
nc_kernel_nft_sock_reset(NcKernel *kernel)
{
  g_clear_pointer(&kernel->nft_sock, mnl_socket_close);
}

NcNftScanCache *
nc_kernel_nft_scan_cache(NcKernel *kernel)
{
  return &kernel->nft_scan;
}

NcNftLookCache *
nc_kernel_nft_look_cache(NcKernel *kernel)
{
  return &kernel->nft_look;
}

gboolean
nc_kernel_ifname(NcKernel *kernel, int ifindex, char *ret_name)
{
  ret_name[0] = '\0';
  if (ifindex <= 0)
    return FALSE;
  if (kernel->ioctl_fd < 0)
    kernel->ioctl_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (kernel->ioctl_fd < 0)
    return if_indextoname((unsigned)ifindex, ret_name) != NULL;
  struct ifreq ifr = { .ifr_ifindex = ifindex };
  if (ioctl(kernel->ioctl_fd, SIOCGIFNAME, &ifr) < 0)
    return FALSE;
  g_strlcpy(ret_name, ifr.ifr_name, IF_NAMESIZE);
  return TRUE;
}
