/* Waiting until ovs-vswitchd has applied the database, as ovs-vsctl does
 * (without --no-wait) through Open_vSwitch next_cfg/cur_cfg: a transaction
 * commits before vswitchd reconfigures, so a change said to be made "at
 * once" (net-update --live of a mirror) waits for it. Same socket and
 * return convention as ovsdb.h. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bumps next_cfg and waits (bounded by timeout_ms, server side) until
 * vswitchd has reached it in cur_cfg. -ETIMEDOUT when it has not (no
 * vswitchd running, or busy). */
int nc_ovsdb_wait_applied(const char *socket, guint timeout_ms, char **ret_detail);

G_END_DECLS
