/* The kernel's cost of per-port QoS on a Linux bridge (issue 11's benchmark
 * "per-port QoS setup cost on Linux bridges against the raw netlink calls"):
 * attach+detach of one TAP port on a bridge that carries a network's
 * <inbound> HTB tree and already has K ports, done with our kernel layer's
 * calls directly (the netlink requests netctld sends, with no daemon, bus or
 * bookkeeping around them):
 *   tap: the TAP as netctld makes it (nc_tap_create: owner, group,
 *        vnet_hdr, MAC, MTU, alias, bridge, up, IPv6 off) and its deferred
 *        deletion (nc_link_delete_deferred);
 *   qos: the same plus what drivers/port-bandwidth.c and bridge-port.c do
 *        for <inbound average peak floor><outbound average>: HTB on the TAP
 *        (qdisc + 2 classes + SFQ), an IFB made, shaped (HTB) and the TAP's
 *        ingress redirected to it (ingress qdisc + u32/mirred filter), the
 *        floor class on the bridge (class + SFQ + filter delete + u32
 *        filter) and class 1:2's rate; detach: the floor filter and class,
 *        1:2 again, the IFB and the TAP (deferred).
 * The deferred deletions are waited for at the end of each sample and
 * counted. Run by bench/port-qos.sh inside a private network namespace;
 * never in the host's.
 *
 *   bench-port-qos [--present "1 100"] [--iterations N] [--rounds R] [--modes "tap qos"]
 *
 * Output (tab separated, bench-port-limit's format):
 *   sample MODE K ROUND N PORTS_PER_S ATT_P50_US ATT_P99_US DET_P50_US DET_P99_US */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "link-tap.h"
#include "nc-kernel.h"
#include "tc.h"

#define BRIDGE "pqbr0"
#define PORT "pq0"
#define IFB "ncifb-bench0"
#define ALIAS "netctl-port:0b7f7e56-1f1d-4c2e-9d0e-2a8a9f3b6c11"

typedef enum { MODE_TAP, MODE_QOS } Mode;
static const char *const mode_names[] = { "tap", "qos" };

typedef struct {
  NcKernel *kernel;
  int bridge;
  int tap;
  int ifb;
} Bench;

/* The network's <inbound average='12500'> (100 Mbit/s) and the port's
 * <inbound average='1000' peak='2000' floor='500'><outbound average='1000'>. */
static const NcTcRate net_in = { .average = 12500 };
static const NcTcRate port_in = { .average = 1000, .peak = 2000 };
static const NcTcRate port_out = { .average = 1000 };
#define FLOOR 500

static void
port_mac(guint n, NcMac *mac)
{
  guint8 m[6] = { 0x52, 0x54, 0x00, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff };
  memcpy(mac->addr, m, 6);
}

static int
make_tap(Bench *b, const char *name, guint n, gboolean full, int *ret_ifindex)
{
  NcMac mac;
  port_mac(n, &mac);
  mac.addr[0] = 0xfe;
  NcTapConfig config = {
    .name = name,
    .owner = 0,
    .group = -1,
    .vnet_hdr = full,
    .mac = &mac,
    .mtu = 1500,
    .alias = full ? ALIAS : NULL,
    .master_ifindex = b->bridge,
    .up = TRUE,
    .no_ipv6 = TRUE,
  };
  char got[IF_NAMESIZE];
  return nc_tap_create(b->kernel, &config, got, ret_ifindex);
}

static int
default_class(Bench *b, guint64 floors)
{
  NcTcHtb htb;
  nc_tc_htb_for_inbound(&net_in, &htb);
  htb.rate = (net_in.average - floors) * 1000;
  return nc_tc_set_class_rate(b->kernel, b->bridge, 2, &htb);
}

static int
attach(Bench *b, Mode mode, guint n)
{
  int r = make_tap(b, PORT, n, TRUE, &b->tap);
  if (r < 0 || mode == MODE_TAP)
    return r;
  if ((r = nc_tc_add_egress_limit(b->kernel, b->tap, &port_in)) < 0)
    return r;
  if ((r = nc_ifb_create(b->kernel, IFB, ALIAS, &b->ifb)) < 0)
    return r;
  NcTcHtb out;
  nc_tc_htb_for_outbound(&port_out, &out);
  if ((r = nc_tc_add_htb(b->kernel, b->ifb, &out)) < 0
      || (r = nc_tc_redirect_ingress(b->kernel, b->tap, b->ifb, NULL)) < 0)
    return r;
  NcMac mac;
  port_mac(n, &mac);
  NcTcHtb floor = { .rate = FLOOR * 1000, .ceil = port_in.peak * 1000 };
  if ((r = nc_tc_plug_class(b->kernel, b->bridge, 3, mac.addr, &floor, FALSE)) < 0)
    return r;
  return default_class(b, FLOOR);
}

static int
detach(Bench *b, Mode mode)
{
  int r;
  if (mode == MODE_QOS) {
    if ((r = nc_tc_unplug_class(b->kernel, b->bridge, 3)) < 0 || (r = default_class(b, 0)) < 0
        || (r = nc_link_delete_deferred(b->kernel, b->ifb, IFB)) < 0)
      return r;
  }
  return nc_link_delete_deferred(b->kernel, b->tap, PORT);
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
  return v[(guint)(p * (n - 1) + 0.5)] / 1000.0;
}

static gboolean
measure(Bench *b, Mode mode, guint k, guint round, guint n)
{
  g_autofree gint64 *att = g_new(gint64, n);
  g_autofree gint64 *det = g_new(gint64, n);
  gint64 start = now_ns();
  for (guint i = 0; i < n; i++) {
    gint64 t0 = now_ns();
    int r = attach(b, mode, 0x100000 + i);
    gint64 t1 = now_ns();
    if (r == 0)
      r = detach(b, mode);
    gint64 t2 = now_ns();
    if (r < 0) {
      fprintf(stderr, "fail %s K=%u cycle %u: %s\n", mode_names[mode], k, i, g_strerror(-r));
      return FALSE;
    }
    att[i] = t1 - t0;
    det[i] = t2 - t1;
  }
  nc_link_wait_deleted(b->kernel, PORT);
  nc_link_wait_deleted(b->kernel, IFB);
  double secs = (now_ns() - start) / 1e9;
  printf("sample\t%s\t%u\t%u\t%u\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\n", mode_names[mode], k, round, n,
         n / secs, pct_us(att, n, 0.5), pct_us(att, n, 0.99), pct_us(det, n, 0.5),
         pct_us(det, n, 0.99));
  fflush(stdout);
  return TRUE;
}

int
main(int argc, char **argv)
{
  const char *present = "1 100", *modes_arg = "tap qos";
  int iterations = 100, rounds = 3;
  GOptionEntry entries[] = {
    { "present", 0, 0, G_OPTION_ARG_STRING, &present, "ports already attached (K values)", "LIST" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "attach+detach cycles per sample", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "samples per mode and K", "R" },
    { "modes", 0, 0, G_OPTION_ARG_STRING, &modes_arg, "tap, qos", "LIST" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- per-port QoS attach+detach cost");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || iterations < 1 || rounds < 1) {
    fprintf(stderr, "%s\n", error ? error->message : "bad --iterations or --rounds");
    return 2;
  }
  g_auto(GStrv) k_words = g_strsplit_set(present, " ,", -1);
  g_auto(GStrv) mode_words = g_strsplit_set(modes_arg, " ,", -1);

  g_autoptr(NcKernel) kernel = nc_kernel_new(NULL, NULL);
  Bench b = { .kernel = kernel };
  NcBridgeConfig br = { .name = BRIDGE, .stp = FALSE, .forward_delay = 0 };
  int r = nc_bridge_create(b.kernel, &br, &b.bridge);
  if (r == 0)
    r = nc_link_set_up(b.kernel, b.bridge, TRUE);
  if (r == 0)
    r = nc_tc_set_egress_limit(b.kernel, b.bridge, &net_in);
  if (r < 0) {
    fprintf(stderr, "fail making bridge " BRIDGE " with HTB: %s\n", g_strerror(-r));
    return 1;
  }
  guint have = 0;
  gboolean ok = TRUE;
  for (char **kw = k_words; *kw && ok; kw++) {
    guint64 k;
    if (!**kw || !g_ascii_string_to_unsigned(*kw, 10, 1, 10000, &k, NULL))
      continue;
    /* K - 1 plain ports beside the measured one. */
    for (; have + 1 < k && ok; have++) {
      char name[IF_NAMESIZE];
      int idx;
      g_snprintf(name, sizeof name, "pqp%u", have);
      r = make_tap(&b, name, have, FALSE, &idx);
      if (r < 0) {
        fprintf(stderr, "fail filling the bridge, port %u: %s\n", have, g_strerror(-r));
        ok = FALSE;
      }
    }
    for (int round = 1; round <= rounds && ok; round++) {
      for (char **mw = mode_words; *mw && ok; mw++) {
        for (Mode m = MODE_TAP; m <= MODE_QOS && ok; m++) {
          if (g_str_equal(*mw, mode_names[m]))
            ok = measure(&b, m, (guint)k, (guint)round, (guint)iterations);
        }
      }
    }
  }
  nc_link_delete(b.kernel, b.bridge);
  return ok ? 0 : 1;
}
