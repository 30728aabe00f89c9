/* Traffic shaping over rtnetlink (tc.c): the network-wide <bandwidth> of a
 * managed bridge, shaped as libvirt's virNetDevBandwidthSet does it for a
 * network (hierarchical classes, directions swapped: the network's
 * <inbound> is what the bridge sends towards the guests).
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

/* Replaces the root qdisc of ifindex by libvirt's tree: HTB 1: (default
 * class 1:2), class 1:1 capping the whole link at average (ceil peak),
 * class 1:2 under it for all traffic (where guaranteed per-port classes
 * will join it), and SFQ 2: under 1:2 so one flow cannot starve the rest
 * (left out on a kernel without sch_sfq). -ENOENT (or the kernel's errno)
 * when sch_htb is missing; nothing is left behind on failure. */
int nc_tc_set_egress_limit(NcKernel *kernel, int ifindex, const NcTcRate *rate);

/* Deletes the root qdisc (the kernel's default comes back); 0 when there
 * was none of ours. */
int nc_tc_clear_egress(NcKernel *kernel, int ifindex);

G_END_DECLS
