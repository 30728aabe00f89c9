/* The network-wide <bandwidth> of a managed bridge (virtual-bandwidth.c):
 * start, stop and adoption of what drivers/kernel/tc.h builds. */
#pragma once

#include "virtual-private.h"

G_BEGIN_DECLS

/* Part of the start's checks: FALSE (OPERATION_FAILED) when <outbound>
 * needs an IFB name another device already has; NO_SUPPORT for <outbound>
 * on a NAT or routed network while br_netfilter calls iptables (see
 * virtual-bandwidth.c). */
gboolean nc_virtual_bandwidth_check(NcVirtualCtx *ctx, GError **error);

/* <inbound>: HTB on the bridge. <outbound>: the bridge's ingress redirected
 * to an IFB of ours with HTB on it. A kernel without a piece gets
 * NO_SUPPORT naming it. Undoes itself on failure. */
gboolean nc_virtual_bandwidth_apply(NcVirtualCtx *ctx, GError **error);

/* Deletes our IFB (and the bridge's ingress qdisc that feeds it); works
 * from the definition alone, and leaves a device that is not ours alone.
 * The bridge's own qdiscs go with the bridge. */
gboolean nc_virtual_bandwidth_undo(NcVirtualCtx *ctx, GError **error);

/* After a daemon restart: what is in place is only looked at; a missing
 * IFB, qdisc or redirect is put back (and logged). */
gboolean nc_virtual_bandwidth_repair(NcVirtualCtx *ctx, GError **error);

G_END_DECLS
