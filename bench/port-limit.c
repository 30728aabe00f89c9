/* The physical limit of guest ports (issue 8's benchmark): attach+detach of
 * one TAP port on a bridge that already has K ports, done
 *   raw:   with exactly the kernel operations and nothing else: open
 *          /dev/net/tun, TUNSETIFF, TUNSETOWNER, TUNSETPERSIST, close, one
 *          RTM_NEWLINK (MAC, MTU, master, up; addressed by name) on a bare
 *          netlink socket, then one RTM_DELLINK by name;
 *   layer: the same port through our kernel layer, nc_tap_create() (same
 *          settings) and nc_link_delete(), so its overhead shows;
 *   full:  nc_tap_create() as netctl's attach will call it: also a group,
 *          IFF_VNET_HDR and the IFLA_IFALIAS tag (still one request);
 *   batch: raw attach, but a detach that defers the deletion: one
 *          RTM_NEWLINK (no master, down, netdev group 4243), and every 50
 *          ports one RTM_DELLINK for the whole group (its time is counted):
 *          the limit for a daemon that deletes retired TAPs in batches.
 * Run by bench/port-limit.sh inside a private network namespace, where it
 * makes its bridge and its ports and deletes them again; never run it in the
 * host's namespace.
 *
 *   bench-port-limit [--present "1 100 1000"] [--iterations N] [--rounds R]
 *                    [--modes "raw layer full"] [--stp]
 *
 * For each K of --present (ascending; the bridge is filled up to K with raw
 * ports), R rounds, each running every mode for N attach+detach cycles in
 * turn. Prints one line per mode, round and K:
 *   sample MODE K ROUND N PORTS_PER_S ATTACH_P50_US ATTACH_P99_US DETACH_P50_US DETACH_P99_US
 * and per K the cost of what adoption and the CLI read (nc_bridge_list_ports,
 * nc_tap_get_info), averaged over 20 calls:
 *   reads K LIST_PORTS_MS GET_INFO_US
 * Built with meson (bench/meson.build: bench-port-limit). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <glib.h>

#include "link-tap.h"
#include "nc-kernel.h"

#define BRIDGE "plbr0"
#define OWNER 65534
#define GROUP 65534
#define PORT_MTU 1500
#define FILLER_GROUP 4242
#define RETIRED_GROUP 4243
#define BATCH 50

/* -- raw: a bare rtnetlink socket ------------------------------------------------ */

typedef struct {
  int fd;
  guint32 seq;
} Raw;

typedef struct {
  struct nlmsghdr hdr;
  struct ifinfomsg ifi;
  char attrs[256];
} LinkReq;

static void
put_attr(LinkReq *req, unsigned short type, const void *data, size_t len)
{
  struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->hdr.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  req->hdr.nlmsg_len = NLMSG_ALIGN(req->hdr.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Sends req and reads its acknowledgement: 0 or -errno. */
static int
raw_request(Raw *raw, LinkReq *req)
{
  req->hdr.nlmsg_seq = ++raw->seq;
  if (send(raw->fd, req, req->hdr.nlmsg_len, 0) < 0)
    return -errno;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(raw->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq == raw->seq && h->nlmsg_type == NLMSG_ERROR)
        return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    }
  }
}

static void
link_req_init(LinkReq *req, int type, unsigned flags)
{
  memset(req, 0, sizeof *req);
  req->hdr.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  req->hdr.nlmsg_type = type;
  req->hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  req->ifi.ifi_family = AF_UNSPEC;
}

static void
port_mac(guint n, unsigned char mac[6])
{
  mac[0] = 0xfe, mac[1] = 0x54, mac[2] = 0x00;
  mac[3] = (n >> 16) & 0xff, mac[4] = (n >> 8) & 0xff, mac[5] = n & 0xff;
}

/* group: a netdev group for the bridge's filler ports (0: none, the
 * measured port), so one RTM_DELLINK deletes them all at the end. */
static int
raw_attach(Raw *raw, const char *name, guint n, int bridge, guint32 group)
{
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
  g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
  int r = 0;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETOWNER, (unsigned long)OWNER) < 0
      || ioctl(fd, TUNSETPERSIST, 1UL) < 0)
    r = -errno;
  close(fd);
  if (r < 0)
    return r;

  LinkReq req;
  link_req_init(&req, RTM_NEWLINK, 0);
  req.ifi.ifi_flags = req.ifi.ifi_change = IFF_UP;
  unsigned char mac[6];
  port_mac(n, mac);
  guint32 mtu = PORT_MTU, master = (guint32)bridge;
  put_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
  put_attr(&req, IFLA_ADDRESS, mac, sizeof mac);
  put_attr(&req, IFLA_MTU, &mtu, sizeof mtu);
  put_attr(&req, IFLA_MASTER, &master, sizeof master);
  if (group)
    put_attr(&req, IFLA_GROUP, &group, sizeof group);
  return raw_request(raw, &req);
}

static int
raw_detach(Raw *raw, const char *name)
{
  LinkReq req;
  link_req_init(&req, RTM_DELLINK, 0);
  put_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
  return raw_request(raw, &req);
}

/* The batch mode's detach: out of the bridge, down and into RETIRED_GROUP in
 * one request (the name stays taken), and every BATCH ports one RTM_DELLINK
 * for the whole group, which waits for the RCU grace periods once. */
static int
raw_retire(Raw *raw, const char *name)
{
  LinkReq req;
  link_req_init(&req, RTM_NEWLINK, 0);
  req.ifi.ifi_change = IFF_UP;
  guint32 master = 0, group = RETIRED_GROUP;
  put_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
  put_attr(&req, IFLA_MASTER, &master, sizeof master);
  put_attr(&req, IFLA_GROUP, &group, sizeof group);
  return raw_request(raw, &req);
}

static int
raw_delete_group(Raw *raw, guint32 group)
{
  LinkReq req;
  link_req_init(&req, RTM_DELLINK, 0);
  put_attr(&req, IFLA_GROUP, &group, sizeof group);
  int r = raw_request(raw, &req);
  return r == -ENODEV ? 0 : r; /* an empty group */
}

/* -- the modes ---------------------------------------------------------------- */

typedef enum { MODE_RAW, MODE_LAYER, MODE_FULL, MODE_BATCH } Mode;
static const char *const mode_names[] = { "raw", "layer", "full", "batch" };

typedef struct {
  Raw raw;
  NcKernel *kernel;
  int bridge;
  int ifindex; /* of the port attached last, for nc_link_delete */
} Bench;

static int
attach(Bench *b, Mode mode, const char *name, guint n)
{
  if (mode == MODE_RAW || mode == MODE_BATCH)
    return raw_attach(&b->raw, name, n, b->bridge, 0);
  NcMac mac;
  port_mac(n, mac.addr);
  NcTapConfig config = {
    .name = name,
    .owner = OWNER,
    .group = -1,
    .mac = &mac,
    .mtu = PORT_MTU,
    .master_ifindex = b->bridge,
    .up = TRUE,
  };
  if (mode == MODE_FULL) {
    config.group = GROUP;
    config.vnet_hdr = TRUE;
    config.alias = "netctl: port 0b7f7e56-1f1d-4c2e-9d0e-2a8a9f3b6c11 of network bench";
  }
  char got[IF_NAMESIZE];
  return nc_tap_create(b->kernel, &config, got, &b->ifindex);
}

static int
detach(Bench *b, Mode mode, const char *name, guint i)
{
  if (mode == MODE_BATCH) {
    int r = raw_retire(&b->raw, name);
    if (r == 0 && (i + 1) % BATCH == 0)
      r = raw_delete_group(&b->raw, RETIRED_GROUP);
    return r;
  }
  if (mode == MODE_RAW)
    return raw_detach(&b->raw, name);
  return nc_link_delete(b->kernel, b->ifindex);
}

static gint64
now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_i64(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

static double
pct_us(gint64 *v, guint n, double p)
{
  qsort(v, n, sizeof *v, (int (*)(const void *, const void *))cmp_i64);
  guint i = (guint)(p * (n - 1) + 0.5);
  return v[i] / 1000.0;
}

/* N attach+detach cycles of port "plt0" (batch: "plb0".."plbN-1", as the
 * names of retired ports stay taken until their group goes): FALSE (with a
 * message) on failure. */
static gboolean
measure(Bench *b, Mode mode, guint k, guint round, guint n)
{
  g_autofree gint64 *att = g_new(gint64, n);
  g_autofree gint64 *det = g_new(gint64, n);
  gint64 start = now_ns();
  for (guint i = 0; i < n; i++) {
    char name[IF_NAMESIZE] = "plt0";
    if (mode == MODE_BATCH)
      g_snprintf(name, sizeof name, "plb%u", i);
    gint64 t0 = now_ns();
    int r = attach(b, mode, name, 0x100000 + i);
    gint64 t1 = now_ns();
    if (r == 0)
      r = detach(b, mode, name, i);
    gint64 t2 = now_ns();
    if (r < 0) {
      fprintf(stderr, "fail %s K=%u cycle %u: %s\n", mode_names[mode], k, i, g_strerror(-r));
      return FALSE;
    }
    att[i] = t1 - t0;
    det[i] = t2 - t1;
  }
  if (mode == MODE_BATCH) {
    /* The last partial batch counts too. */
    gint64 t = now_ns();
    int r = raw_delete_group(&b->raw, RETIRED_GROUP);
    det[n - 1] += now_ns() - t;
    if (r < 0) {
      fprintf(stderr, "fail batch K=%u deleting the group: %s\n", k, g_strerror(-r));
      return FALSE;
    }
  }
  double secs = (now_ns() - start) / 1e9;
  printf("sample\t%s\t%u\t%u\t%u\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", mode_names[mode], k, round, n,
         n / secs, pct_us(att, n, 0.5), pct_us(att, n, 0.99), pct_us(det, n, 0.5),
         pct_us(det, n, 0.99));
  fflush(stdout);
  return TRUE;
}

/* What adoption and the CLI read with K ports present: one listing of the
 * bridge's ports, one TAP's facts. "reads K LIST_MS GET_INFO_US". */
static gboolean
measure_reads(Bench *b, guint k)
{
  const int reps = 20;
  gint64 t0 = now_ns();
  for (int i = 0; i < reps; i++) {
    g_autoptr(GPtrArray) names = NULL;
    int r = nc_bridge_list_ports(b->kernel, b->bridge, &names);
    if (r < 0 || names->len != k) {
      fprintf(stderr, "fail listing the ports: %s, %u of %u\n", g_strerror(r < 0 ? -r : EIO),
              names ? names->len : 0, k);
      return FALSE;
    }
  }
  gint64 t1 = now_ns();
  for (int i = 0; i < reps; i++) {
    NcTapInfo info;
    int r = nc_tap_get_info(b->kernel, "plp0", &info);
    if (r < 0 || !info.is_tap) {
      fprintf(stderr, "fail reading plp0: %s\n", g_strerror(r < 0 ? -r : EIO));
      return FALSE;
    }
  }
  gint64 t2 = now_ns();
  printf("reads\t%u\t%.2f\t%.1f\n", k, (t1 - t0) / 1e6 / reps, (t2 - t1) / 1e3 / reps);
  return TRUE;
}

static gboolean
parse_list(const char *s, GArray *out, guint max)
{
  g_auto(GStrv) words = g_strsplit_set(s, " ,", -1);
  for (char **w = words; *w; w++) {
    if (!**w)
      continue;
    guint64 v;
    if (!g_ascii_string_to_unsigned(*w, 10, 0, max, &v, NULL))
      return FALSE;
    guint u = (guint)v;
    g_array_append_val(out, u);
  }
  return out->len > 0;
}

int
main(int argc, char **argv)
{
  const char *present = "1 100 1000", *modes_arg = "raw layer full batch";
  int iterations = 200, rounds = 3;
  gboolean stp = FALSE;
  GOptionEntry entries[] = {
    { "stp", 0, 0, G_OPTION_ARG_NONE, &stp,
      "STP on, forward delay 0 (libvirt's default network; each port change then costs the "
      "bridge an STP pass over its ports)", NULL },
    { "present", 0, 0, G_OPTION_ARG_STRING, &present, "ports already attached (K values)", "LIST" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "attach+detach cycles per sample", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "samples per mode and K", "R" },
    { "modes", 0, 0, G_OPTION_ARG_STRING, &modes_arg, "raw, layer, full, batch", "LIST" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- TAP port attach+detach rate");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    fprintf(stderr, "%s\n", error->message);
    return 2;
  }
  g_autoptr(GArray) ks = g_array_new(FALSE, FALSE, sizeof(guint));
  if (!parse_list(present, ks, 60000) || iterations < 1 || rounds < 1) {
    fprintf(stderr, "bad --present, --iterations or --rounds\n");
    return 2;
  }
  GArray *modes = g_array_new(FALSE, FALSE, sizeof(Mode));
  g_auto(GStrv) mode_words = g_strsplit_set(modes_arg, " ,", -1);
  for (char **w = mode_words; *w; w++) {
    for (Mode m = MODE_RAW; m <= MODE_BATCH; m++) {
      if (g_str_equal(*w, mode_names[m]))
        g_array_append_val(modes, m);
    }
  }

  Bench b = { .kernel = nc_kernel_new(NULL, NULL) };
  b.raw.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (b.raw.fd < 0) {
    perror("netlink socket");
    return 1;
  }
  NcBridgeConfig br = { .name = BRIDGE, .stp = stp, .forward_delay = 0 };
  int r = nc_bridge_create(b.kernel, &br, &b.bridge);
  if (r == 0)
    r = nc_link_set_up(b.kernel, b.bridge, TRUE);
  if (r < 0) {
    fprintf(stderr, "creating bridge " BRIDGE ": %s\n", g_strerror(-r));
    return 1;
  }

  gboolean ok = TRUE;
  guint have = 0;
  for (guint ki = 0; ki < ks->len && ok; ki++) {
    guint k = g_array_index(ks, guint, ki);
    for (; have < k && ok; have++) {
      char name[IF_NAMESIZE];
      g_snprintf(name, sizeof name, "plp%u", have);
      r = raw_attach(&b.raw, name, have, b.bridge, FILLER_GROUP);
      if (r < 0) {
        fprintf(stderr, "fail filling the bridge, port %u: %s\n", have, g_strerror(-r));
        ok = FALSE;
      }
    }
    if (ok)
      ok = measure_reads(&b, k);
    for (int round = 0; round < rounds && ok; round++) {
      for (guint mi = 0; mi < modes->len && ok; mi++)
        ok = measure(&b, g_array_index(modes, Mode, mi), k, (guint)round, (guint)iterations);
    }
  }

  /* Everything we made goes: the fillers in one request (each RTM_DELLINK
   * waits for RCU grace periods; one for the group waits once). */
  LinkReq req;
  link_req_init(&req, RTM_DELLINK, 0);
  guint32 group = FILLER_GROUP;
  put_attr(&req, IFLA_GROUP, &group, sizeof group);
  if (have > 0)
    raw_request(&b.raw, &req);
  raw_detach(&b.raw, "plt0");
  nc_link_delete(b.kernel, b.bridge);
  close(b.raw.fd);
  nc_kernel_free(b.kernel);
  g_array_unref(modes);
  return ok ? 0 : 1;
}
