/* The physical limit of macvtap ports (issue 10's benchmark): attach+detach
 * of one macvtap port on a pool of three uplinks that already carry K
 * macvtaps, with exactly the kernel operations a port needs and nothing
 * else, on a bare rtnetlink socket:
 *   attach: one RTM_NEWLINK (kind macvtap, IFLA_LINK, mode bridge, MAC, MTU,
 *           up; an exact name), read /sys/class/net/NAME/macvtap/tapN/dev,
 *           mknod + chown + chmod of DEVDIR/tapN;
 *   detach  raw:   unlink the node, one RTM_DELLINK (waits for the RCU
 *                  grace periods);
 *           batch: unlink the node, one RTM_NEWLINK (down, renamed, into
 *                  netdev group 4244), and every 50 ports one RTM_DELLINK
 *                  for the whole group (its time is counted): the limit for
 *                  a daemon that deletes in batches, as netctld does.
 * Run by bench/macvtap.sh inside a private network + mount namespace with
 * a sysfs of that namespace at SYSFS and a tmpfs at DEVDIR; never in the
 * host's namespace.
 *
 *   bench-macvtap-limit SYSFS DEVDIR UPLINK_IFINDEX,... K N ROUNDS
 *
 * Prints per mode and round:
 *   sample MODE K ROUND N PORTS_PER_S ATTACH_P50_US ATTACH_P99_US DETACH_P50_US DETACH_P99_US
 *          CPU_MS_PER_CYCLE */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define GROUP 4244
#define BATCH 50

static int nl;
static unsigned seq;

/* This process's CPU (user + system, the kernel's work done in our
 * syscalls), in ms: comparable to netctld's CPU per cycle. */
static double
cpu_ms(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3
         + ru.ru_stime.tv_usec / 1e3;
}

static double
now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

typedef struct {
  struct nlmsghdr h;
  struct ifinfomsg i;
  char buf[512];
} Req;

static struct rtattr *
put(Req *r, int type, const void *data, int len)
{
  struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (data)
    memcpy(RTA_DATA(a), data, len);
  r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}

static void
nest_end(Req *r, struct rtattr *a)
{
  a->rta_len = (char *)r + r->h.nlmsg_len - (char *)a;
}

static int
request(Req *r)
{
  r->h.nlmsg_seq = ++seq;
  if (send(nl, r, r->h.nlmsg_len, 0) < 0)
    return -errno;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(nl, buf, sizeof buf, 0);
    if (n < 0)
      return -errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
      if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == seq)
        return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
  }
}

static void
init(Req *r, int type, int flags, int ifindex)
{
  memset(r, 0, sizeof *r);
  r->h.nlmsg_len = NLMSG_LENGTH(sizeof r->i);
  r->h.nlmsg_type = type;
  r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  r->i.ifi_family = AF_UNSPEC;
  r->i.ifi_index = ifindex;
}

static int
create(const char *name, int link, const unsigned char mac[6])
{
  Req r;
  init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  r.i.ifi_flags = r.i.ifi_change = IFF_UP;
  put(&r, IFLA_IFNAME, name, strlen(name) + 1);
  put(&r, IFLA_LINK, &link, 4);
  put(&r, IFLA_ADDRESS, mac, 6);
  unsigned mtu = 1500, mode = MACVLAN_MODE_BRIDGE;
  put(&r, IFLA_MTU, &mtu, 4);
  struct rtattr *info = put(&r, IFLA_LINKINFO, NULL, 0);
  put(&r, IFLA_INFO_KIND, "macvtap", 8);
  struct rtattr *data = put(&r, IFLA_INFO_DATA, NULL, 0);
  put(&r, IFLA_MACVLAN_MODE, &mode, 4);
  nest_end(&r, data);
  nest_end(&r, info);
  return request(&r);
}

static int
by_name(int type, const char *name, int flags, unsigned group, const char *newname)
{
  Req r;
  init(&r, type, 0, 0);
  if (name)
    put(&r, IFLA_IFNAME, name, strlen(name) + 1);
  if (type == RTM_NEWLINK) { /* retire: down, renamed, into the group */
    r.i.ifi_index = if_nametoindex(name);
    r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.i);
    r.i.ifi_change = IFF_UP;
    put(&r, IFLA_IFNAME, newname, strlen(newname) + 1);
    put(&r, IFLA_GROUP, &group, 4);
  } else if (!name) {
    put(&r, IFLA_GROUP, &group, 4);
  }
  (void)flags;
  return request(&r);
}

static int
node(const char *sysfs, const char *devdir, const char *name, char *path, size_t size)
{
  int ifindex = if_nametoindex(name);
  char p[512], text[64] = "";
  snprintf(p, sizeof p, "%s/class/net/%s/macvtap/tap%d/dev", sysfs, name, ifindex);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  unsigned major, minor;
  if (n <= 0 || sscanf(text, "%u:%u", &major, &minor) != 2)
    return -EPROTO;
  snprintf(path, size, "%s/tap%d", devdir, ifindex);
  if (mknod(path, S_IFCHR | 0600, makedev(major, minor)) < 0 || chown(path, 65534, 65534) < 0
      || chmod(path, 0660) < 0)
    return -errno;
  return 0;
}

static int
cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double
pct(double *v, int n, double p)
{
  qsort(v, n, sizeof *v, cmp);
  return v[(int)(p * (n - 1))];
}

int
main(int argc, char **argv)
{
  if (argc != 7) {
    fprintf(stderr, "usage: %s SYSFS DEVDIR IFINDEX,IFINDEX,... K N ROUNDS\n", argv[0]);
    return 2;
  }
  const char *sysfs = argv[1], *devdir = argv[2];
  int links[16], nlinks = 0;
  for (char *s = strtok(argv[3], ","); s && nlinks < 16; s = strtok(NULL, ","))
    links[nlinks++] = atoi(s);
  int k = atoi(argv[4]), n = atoi(argv[5]), rounds = atoi(argv[6]);
  nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  if (nl < 0 || bind(nl, (struct sockaddr *)&sa, sizeof sa) < 0)
    return perror("netlink"), 1;
  unsigned char mac[6] = { 0x52, 0x54, 0x00, 0, 0, 0 };
  char name[IFNAMSIZ], path[512];
  for (int i = 0; i < k; i++) { /* the K present ports */
    snprintf(name, sizeof name, "mvk%d", i);
    mac[3] = 1, mac[4] = i >> 8, mac[5] = i;
    int r = create(name, links[i % nlinks], mac);
    if (r < 0)
      return fprintf(stderr, "fill %s: %s\n", name, strerror(-r)), 1;
  }
  double *att = calloc(n, sizeof *att), *det = calloc(n, sizeof *det);
  const char *modes[] = { "raw", "batch" };
  unsigned serial = 0;
  for (int round = 0; round < rounds; round++) {
    for (int m = 0; m < 2; m++) {
      int retired = 0;
      double cpu0 = cpu_ms();
      double t0 = now_us();
      for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "mvb%d", i);
        mac[3] = 2, mac[4] = i >> 8, mac[5] = i;
        double a = now_us();
        int r = create(name, links[i % nlinks], mac);
        if (r == 0)
          r = node(sysfs, devdir, name, path, sizeof path);
        double b = now_us();
        if (r < 0)
          return fprintf(stderr, "attach %s: %s\n", name, strerror(-r)), 1;
        unlink(path);
        if (m == 0) {
          r = by_name(RTM_DELLINK, name, 0, 0, NULL);
        } else {
          char gone[IFNAMSIZ];
          snprintf(gone, sizeof gone, "mvgone%x", serial++);
          r = by_name(RTM_NEWLINK, name, 0, GROUP, gone);
          if (r == 0 && ++retired == BATCH) {
            r = by_name(RTM_DELLINK, NULL, 0, GROUP, NULL);
            retired = 0;
          }
        }
        double c = now_us();
        if (r < 0)
          return fprintf(stderr, "detach %s: %s\n", name, strerror(-r)), 1;
        att[i] = b - a;
        det[i] = c - b;
      }
      if (m == 1 && retired)
        by_name(RTM_DELLINK, NULL, 0, GROUP, NULL);
      double secs = (now_us() - t0) / 1e6;
      printf("sample\t%s\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.2f\n", modes[m], k, round, n,
             n / secs, pct(att, n, 0.5), pct(att, n, 0.99), pct(det, n, 0.5), pct(det, n, 0.99),
             (cpu_ms() - cpu0) / n);
      fflush(stdout);
    }
  }
  /* The K present ports go, so a daemon measured next in this namespace
   * starts from an empty pool. */
  for (int i = 0; i < k; i++) {
    snprintf(name, sizeof name, "mvk%d", i);
    by_name(RTM_DELLINK, name, 0, 0, NULL);
  }
  return 0;
}
