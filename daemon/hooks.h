/* Network hooks from the daemon's side: the <hookData> document libvirt
 * writes to a hook's stdin, and one call that runs the hooks for a network
 * (and a port) at one point of its life. Finding and running the programs is
 * drivers/kernel/hook.h, which lists what was checked against libvirt.
 *
 * Where libvirt calls them (src/network/bridge_driver.c) and what a failure
 * does there:
 *   start begin         before anything is set up; failure aborts the start
 *   started begin       after it is up, before the status file is written;
 *                       failure fails the start (libvirt's cleanup then
 *                       skips the teardown, the network not being marked
 *                       active yet, and leaves the bridge up: undo it)
 *   stopped end         after teardown; result ignored
 *   port-created begin  after allocation, with the connection counted (also
 *                       for every port re-notified when the daemon restarts);
 *                       failure refuses the port
 *   port-deleted begin  after release, connection uncounted; result ignored
 *   updated begin       after a net-update took effect; failure is the
 *                       call's error (the change is not undone)
 * A start that failed does not run "stopped". Callers use the network's live
 * definition; the port's definition as allocated (plug filled in). */
#pragma once

#include <glib.h>

#include "hook.h"
#include "nc-daemon.h"
#include "network-def.h"
#include "port-def.h"

G_BEGIN_DECLS

/* The document libvirt's networkRunHook writes, byte for byte:
 *   <hookData>\n
 *   the network XML (live form) indented by two spaces\n
 *   the port XML indented by two spaces\n      (only with a port)
 *   </hookData>                                 (no final newline)
 * Caller frees. */
char *nc_hooks_format_data(const NcNetworkDef *def, const NcNetworkPortDef *port /* NULL */);

/* Runs the network hooks under paths->hooks_dir. TRUE at once, without
 * formatting anything, when no hook is installed; otherwise as nc_hook_run
 * (FALSE with NC_ERROR_HOOK_SCRIPT_FAILED). */
gboolean nc_hooks_network(const NcPaths *paths, const NcNetworkDef *def,
                          const NcNetworkPortDef *port /* NULL */, NcHookOp op, NcHookSubOp sub_op,
                          GError **error);

G_END_DECLS
