/* libnl tc object types with GLib cleanup, shared by tc.c and tc-ingress.c. */
#pragma once

#include <netlink/cache.h>
#include <netlink/route/action.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "nl-util.h"
#include "tc.h"

typedef struct rtnl_qdisc NcRtnlQdisc;
typedef struct rtnl_class NcRtnlClass;
typedef struct rtnl_cls NcRtnlCls;
typedef struct rtnl_act NcRtnlAct;
typedef struct nl_cache NcNlCache;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcRtnlQdisc, rtnl_qdisc_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcRtnlClass, rtnl_class_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcRtnlCls, rtnl_cls_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcRtnlAct, rtnl_act_put)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcNlCache, nl_cache_free)

/* Sends what a libnl rtnl_*_build_*_request returned (`built`) and made
 * (*msg, set by it, so read only after the call; consumed). */
int nc_tc_send_built(NcKernel *kernel, int built, struct nl_msg **msg);

/* Deletes the qdisc of ifindex at parent (TC_H_ROOT or TC_H_INGRESS); 0 when
 * there was none. */
int nc_tc_delete_qdisc(NcKernel *kernel, int ifindex, guint32 parent);

/* The qdisc of ifindex at parent, or NULL (*ret_err = -errno when the dump
 * failed, 0 when there is none). Caller puts it. */
struct rtnl_qdisc *nc_tc_get_qdisc(NcKernel *kernel, int ifindex, guint32 parent, int *ret_err);

/* Adds (nl_flags NLM_F_CREATE | NLM_F_EXCL) or adds-or-changes
 * (NLM_F_CREATE | NLM_F_REPLACE, as `tc class replace`) HTB class `handle`
 * under `parent`; rates in bytes per second, bursts in bytes (0: libnl's
 * default). */
int nc_tc_put_htb_class(NcKernel *kernel, int ifindex, guint32 parent, guint32 handle,
                        guint64 rate_bytes, guint64 ceil_bytes, guint32 burst_bytes,
                        guint32 cburst_bytes, int nl_flags);

/* SFQ (perturb 10) as the leaf qdisc `handle` of class `parent`; -ENOENT
 * when the kernel has no sch_sfq. */
int nc_tc_put_sfq(NcKernel *kernel, int ifindex, guint32 parent, guint32 handle, int nl_flags);
