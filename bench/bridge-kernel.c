/* The kernel calls under net-start / net-destroy of a managed bridge, timed
 * alone (bench/destroy.sh): what net-destroy cannot go below.
 *
 *   bench-bridge-kernel [--iterations N]
 *
 * N cycles on bridge "bkbr0", each on a bare rtnetlink socket:
 *   create:  RTM_NEWLINK kind bridge (stp on, forward delay 0, as the
 *            benchmark networks), IPv4 address 10.250.0.1/24, up: 3 requests;
 *   delete:  RTM_DELLINK of that bridge (synchronous: returns once the
 *            device is unregistered; the old net-destroy's wait);
 * then N cycles of create (untimed) and
 *   retire:  one RTM_NEWLINK: down, renamed "bkgone0", netdev group 0x6e63
 *            (what net-destroy now does on its reply path);
 *   reap:    RTM_DELLINK of the retired bridge (what the worker thread
 *            waits for, off the reply path).
 * Prints, tab separated, per operation:
 *   kop NAME N P50_US P95_US MEAN_US
 * Run it only inside a private network namespace (bench/destroy.sh). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <glib.h>

#define BRIDGE "bkbr0"
#define GONE "bkgone0"
#define GONE_GROUP 0x6e63u

typedef struct {
  struct nlmsghdr hdr;
  union {
    struct ifinfomsg ifi;
    struct ifaddrmsg ifa;
  };
  char attrs[512];
} Req;

static int nl_fd;
static guint32 nl_seq;

static struct rtattr *
put_attr(Req *req, unsigned short type, const void *data, size_t len)
{
  struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->hdr.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  if (len)
    memcpy(RTA_DATA(rta), data, len);
  req->hdr.nlmsg_len = NLMSG_ALIGN(req->hdr.nlmsg_len) + RTA_ALIGN(rta->rta_len);
  return rta;
}

static void
nest_end(Req *req, struct rtattr *nest)
{
  nest->rta_len = (unsigned short)((char *)req + req->hdr.nlmsg_len - (char *)nest);
}

static int
request(Req *req)
{
  req->hdr.nlmsg_seq = ++nl_seq;
  if (send(nl_fd, req, req->hdr.nlmsg_len, 0) < 0)
    return -errno;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(nl_fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
      if (h->nlmsg_seq == nl_seq && h->nlmsg_type == NLMSG_ERROR)
        return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
  }
}

static void
link_req(Req *req, int type, unsigned flags, int ifindex)
{
  memset(req, 0, sizeof *req);
  req->hdr.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  req->hdr.nlmsg_type = type;
  req->hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  req->ifi.ifi_family = AF_UNSPEC;
  req->ifi.ifi_index = ifindex;
}

/* Bridge, address, up; its ifindex or -errno. */
static int
create_bridge(void)
{
  Req req;
  link_req(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  put_attr(&req, IFLA_IFNAME, BRIDGE, sizeof BRIDGE);
  struct rtattr *info = put_attr(&req, IFLA_LINKINFO, NULL, 0);
  put_attr(&req, IFLA_INFO_KIND, "bridge", 6);
  struct rtattr *data = put_attr(&req, IFLA_INFO_DATA, NULL, 0);
  guint32 delay = 0, stp = 1;
  put_attr(&req, IFLA_BR_FORWARD_DELAY, &delay, sizeof delay);
  put_attr(&req, IFLA_BR_STP_STATE, &stp, sizeof stp);
  nest_end(&req, data);
  nest_end(&req, info);
  int r = request(&req);
  if (r < 0)
    return r;
  int ifindex = (int)if_nametoindex(BRIDGE);
  if (ifindex <= 0)
    return -ENODEV;

  memset(&req, 0, sizeof req);
  req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
  req.hdr.nlmsg_type = RTM_NEWADDR;
  req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  req.ifa.ifa_family = AF_INET;
  req.ifa.ifa_prefixlen = 24;
  req.ifa.ifa_index = (unsigned)ifindex;
  struct in_addr a, b;
  inet_pton(AF_INET, "10.250.0.1", &a);
  inet_pton(AF_INET, "10.250.0.255", &b);
  put_attr(&req, IFA_LOCAL, &a, sizeof a);
  put_attr(&req, IFA_ADDRESS, &a, sizeof a);
  put_attr(&req, IFA_BROADCAST, &b, sizeof b);
  if ((r = request(&req)) < 0)
    return r;

  link_req(&req, RTM_NEWLINK, 0, ifindex);
  req.ifi.ifi_flags = req.ifi.ifi_change = IFF_UP;
  if ((r = request(&req)) < 0)
    return r;
  return ifindex;
}

static int
delete_link(int ifindex)
{
  Req req;
  link_req(&req, RTM_DELLINK, 0, ifindex);
  return request(&req);
}

static int
retire(int ifindex)
{
  Req req;
  link_req(&req, RTM_NEWLINK, 0, ifindex);
  req.ifi.ifi_change = IFF_UP; /* flags 0: down */
  guint32 group = GONE_GROUP;
  put_attr(&req, IFLA_IFNAME, GONE, sizeof GONE);
  put_attr(&req, IFLA_GROUP, &group, sizeof group);
  return request(&req);
}

static gint64
now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_i64(const void *a, const void *b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

static void
report(const char *name, gint64 *v, int n)
{
  double sum = 0;
  for (int i = 0; i < n; i++)
    sum += v[i];
  qsort(v, n, sizeof *v, cmp_i64);
  printf("kop\t%s\t%d\t%.1f\t%.1f\t%.1f\n", name, n, v[(int)(0.5 * (n - 1) + 0.5)] / 1e3,
         v[(int)(0.95 * (n - 1) + 0.5)] / 1e3, sum / n / 1e3);
}

#define CHECK(expr, what)                                                                          \
  do {                                                                                             \
    int r_ = (expr);                                                                               \
    if (r_ < 0) {                                                                                  \
      fprintf(stderr, "fail %s cycle %d: %s\n", what, i, g_strerror(-r_));                         \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

int
main(int argc, char **argv)
{
  int n = 50;
  if (argc == 3 && g_str_equal(argv[1], "--iterations"))
    n = atoi(argv[2]);
  if (n < 1 || (argc != 1 && argc != 3)) {
    fprintf(stderr, "usage: bench-bridge-kernel [--iterations N]\n");
    return 2;
  }
  nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl_fd < 0) {
    perror("netlink socket");
    return 1;
  }
  g_autofree gint64 *create = g_new(gint64, n), *del = g_new(gint64, n);
  g_autofree gint64 *ret = g_new(gint64, n), *reap = g_new(gint64, n);
  for (int i = 0; i < n; i++) {
    gint64 t0 = now_ns();
    int ifindex = create_bridge();
    CHECK(ifindex, "create");
    gint64 t1 = now_ns();
    CHECK(delete_link(ifindex), "delete");
    gint64 t2 = now_ns();
    create[i] = t1 - t0, del[i] = t2 - t1;
  }
  for (int i = 0; i < n; i++) {
    int ifindex = create_bridge();
    CHECK(ifindex, "create");
    gint64 t0 = now_ns();
    CHECK(retire(ifindex), "retire");
    gint64 t1 = now_ns();
    CHECK(delete_link(ifindex), "reap");
    gint64 t2 = now_ns();
    ret[i] = t1 - t0, reap[i] = t2 - t1;
  }
  report("create+addr+up", create, n);
  report("delete (sync RTM_DELLINK)", del, n);
  report("down+rename+group (1 request)", ret, n);
  report("delete of the retired bridge", reap, n);
  close(nl_fd);
  return 0;
}
