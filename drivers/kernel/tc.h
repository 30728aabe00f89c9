/* Traffic shaping over rtnetlink (tc.c, tc-ingress.c, tc-class.c, ifb.c):
 * the network-wide <bandwidth> of a managed bridge, shaped as libvirt's
 * virNetDevBandwidthSet does it for a network (hierarchical classes,
 * directions swapped: the network's <inbound> is what the bridge sends
 * towards the guests, its <outbound> what the bridge receives from them),
 * and a port's (drivers/port-bandwidth.c): the same trees on its TAP and
 * on an IFB of its own, its floor as a class of the bridge's tree.
 *
 * libvirt polices <outbound> on the bridge's ingress (tc's police action,
 * which drops). We shape it instead: the bridge's ingress redirects every
 * packet to an IFB device of ours, and the IFB's egress carries the same
 * HTB tree as <inbound> does on the bridge.
 *
 * Kernel-layer conventions (nc-kernel.h): 0 or -errno, debug logging only. */
#pragma once

#include "nc-kernel.h"

G_BEGIN_DECLS

typedef struct {
  guint64 average; /* kilobytes (1000 bytes) per second, as libvirt's XML and tc's "kbps" */
  guint64 peak;    /* the same unit; 0: no more than average */
  guint64 burst;   /* kibibytes (tc's "kb"); 0: the kernel's default */
} NcTcRate;

/* The HTB tree nc_tc_set_htb installs, in the kernel's units. */
typedef struct {
  guint64 rate;   /* bytes per second, classes 1:1 and 1:2 */
  guint64 ceil;   /* bytes per second, classes 1:1 and 1:2 */
  guint32 burst;  /* bytes class 1:2 may send beyond rate; 0: libnl's default (~1 MTU) */
  guint32 cburst; /* bytes class 1:2 may send beyond ceil; 0: libnl's default */
} NcTcHtb;

/* libvirt's tc arguments for the <inbound> of a network: rate average,
 * ceil peak (or average), burst on class 1:2 only. */
void nc_tc_htb_for_inbound(const NcTcRate *in, NcTcHtb *ret_htb);

/* The same limits libvirt's police gives the <outbound> of a network, as
 * HTB: average sustained; burst (default: one second of average, as
 * libvirt's police) sent at line speed, or at no more than peak when peak
 * is set (libvirt ignores peak, police having none). */
void nc_tc_htb_for_outbound(const NcTcRate *out, NcTcHtb *ret_htb);

/* Replaces the root qdisc of ifindex by libvirt's tree: HTB 1: (default
 * class 1:2), class 1:1 capping the whole link, class 1:2 under it for all
 * traffic (where guaranteed per-port classes will join it), and SFQ 2:
 * under 1:2 so one flow cannot starve the rest (left out on a kernel
 * without sch_sfq). -ENOENT (or the kernel's errno) when sch_htb is
 * missing; nothing is left behind on failure. */
int nc_tc_set_htb(NcKernel *kernel, int ifindex, const NcTcHtb *htb);

/* nc_tc_set_htb for a link just made, whose root is still the kernel's
 * default qdisc: no deletion first (one request less per shaped port). On a
 * link that has an HTB root already it fails (htb cannot be replaced in
 * place) and leaves the kernel's default root qdisc. */
int nc_tc_add_htb(NcKernel *kernel, int ifindex, const NcTcHtb *htb);

/* nc_tc_set_htb / nc_tc_add_htb with nc_tc_htb_for_inbound. */
int nc_tc_set_egress_limit(NcKernel *kernel, int ifindex, const NcTcRate *rate);
int nc_tc_add_egress_limit(NcKernel *kernel, int ifindex, const NcTcRate *rate);

/* Deletes the root qdisc (the kernel's default comes back); 0 when there
 * was none of ours. */
int nc_tc_clear_egress(NcKernel *kernel, int ifindex);

/* 1 when the root qdisc of ifindex is HTB 1: (ours), 0 when it is anything
 * else (the kernel's default), -errno when we cannot tell. */
int nc_tc_has_htb(NcKernel *kernel, int ifindex);

/* -- tc-class.c: per-port classes under a tree nc_tc_set_htb made ---------- */

/* Changes class 1:id (2 for the tree's default class) to htb's rate, ceil
 * and bursts, or adds it under 1:1; its leaf and filters stay. */
int nc_tc_set_class_rate(NcKernel *kernel, int ifindex, guint id, const NcTcHtb *htb);

/* libvirt's virNetDevBandwidthPlug: class 1:id (3..0xffff) under 1:1 at
 * htb's rate and ceil, SFQ id: under it, and a u32 filter of priority id
 * sending every frame for `mac` (6 bytes) to it. Made again when there
 * (adoption, a live change); nothing is left behind on failure. `booked`:
 * the caller had the class booked already, so it is most likely there
 * (changed in place, its filter made anew); otherwise it is added
 * exclusively, and only when that finds one is it treated so. */
int nc_tc_plug_class(NcKernel *kernel, int ifindex, guint id, const guint8 mac[6],
                     const NcTcHtb *htb, gboolean booked);

/* Deletes the filter and class 1:id (its leaf goes with it); 0 when absent. */
int nc_tc_unplug_class(NcKernel *kernel, int ifindex, guint id);

/* -- tc-ingress.c: what arrives on a link, redirected to another ---------- */

/* Adds the ingress qdisc (ffff:) to ifindex with one u32 filter that takes
 * every packet and hands it to target's egress (mirred egress redirect),
 * as `tc filter add dev IF parent ffff: protocol all u32 match u32 0 0
 * action mirred egress redirect dev TARGET`. -ENOENT when the kernel lacks
 * a piece; *ret_missing (may be NULL) then names it, static string. Nothing
 * is left behind on failure. */
int nc_tc_redirect_ingress(NcKernel *kernel, int ifindex, int target_ifindex,
                           const char **ret_missing);

/* Deletes the ingress qdisc of ifindex and its filters; 0 when there was none. */
int nc_tc_clear_ingress(NcKernel *kernel, int ifindex);

/* The ifindex the ingress of ifindex redirects to, 0 when it redirects
 * nowhere (no ingress qdisc, or no such filter). */
int nc_tc_get_ingress_redirect(NcKernel *kernel, int ifindex, int *ret_target);

/* -- ifb.c: the IFB device a bridge's ingress is redirected to ----------- */

/* The IFB name for a bridge: "BRIDGE-ifb" when it fits IFNAMSIZ, else the
 * bridge's first six characters, a dash, four hex digits of a hash of the
 * whole name, "-ifb" (15 characters). NULL for an empty or over-long
 * bridge name. Pure; caller frees. */
char *nc_ifb_name_for_bridge(const char *bridge);
/* The alias (IFLA_IFALIAS) that marks the IFB as ours, for that bridge. */
char *nc_ifb_alias_for_bridge(const char *bridge);

/* The IFB that shapes what one port's guest sends (drivers/port-bandwidth.c):
 * "ncifb-" and eight hex digits of a hash of the port's uuid string. Pure;
 * caller frees; NULL for an empty uuid. */
char *nc_ifb_name_for_port(const char *port_uuid);

/* Creates IFB `name`, up, with txqueuelen 1000 (HTB's leaf queues take
 * their length from it; the IFB's default of 32 packets drops TCP bursts)
 * and `alias`. -EEXIST when the name is taken, -EOPNOTSUPP when the kernel
 * has no ifb driver. Deleted again on failure. */
int nc_ifb_create(NcKernel *kernel, const char *name, const char *alias, int *ret_ifindex);

/* 0 with *ret_ifindex and *ret_up when `name` is an IFB whose alias is
 * `alias`; -ENODEV when there is no such link; -EEXIST when the name
 * belongs to some other device. ret_up may be NULL. */
int nc_ifb_lookup(NcKernel *kernel, const char *name, const char *alias, int *ret_ifindex,
                  gboolean *ret_up);

G_END_DECLS
