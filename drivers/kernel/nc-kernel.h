/* The kernel layer: the only code that talks netlink or writes /proc and /sys.
 *
 * Every function returns 0 (or a non-negative value where stated) on success
 * and -errno on failure, and logs at debug level at most: callers turn the
 * errno into a GError that names the network and what was being done.
 *
 * An NcKernel holds one rtnetlink socket (opened on first use) and the roots
 * of /proc and /sys, so tests can point sysctl and sysfs access at fake trees.
 * It is used from the main loop thread only. */
#pragma once

#include <glib.h>

#include "nc-addr.h"

G_BEGIN_DECLS

typedef struct _NcKernel NcKernel;

/* proc_root / sys_root: NULL for "/proc" and "/sys". */
NcKernel *nc_kernel_new(const char *proc_root, const char *sys_root);
void nc_kernel_free(NcKernel *kernel);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcKernel, nc_kernel_free)

const char *nc_kernel_proc_root(NcKernel *kernel);
const char *nc_kernel_sys_root(NcKernel *kernel);

/* -- links (link.c) -------------------------------------------------------- */

typedef struct {
  int ifindex;
  char kind[32]; /* IFLA_INFO_KIND ("bridge", "tun", ...), "" when none */
  NcMac mac;
  guint mtu;
  gboolean up; /* IFF_UP */
} NcLinkInfo;

/* -ENODEV when there is no such link. */
int nc_link_get_info(NcKernel *kernel, const char *name, NcLinkInfo *ret_info);
/* 1 when it exists, 0 when not, -errno when we could not tell. */
int nc_link_exists(NcKernel *kernel, const char *name);
int nc_link_set_up(NcKernel *kernel, int ifindex, gboolean up);
int nc_link_set_mtu(NcKernel *kernel, int ifindex, guint mtu);
/* A TAP (kind "tun") with this MAC that is no bridge's port: a guest's
 * device whose bridge went away. One link dump. -ENODEV when none;
 * ret_name has IF_NAMESIZE bytes. */
int nc_link_find_unplugged_tap(NcKernel *kernel, const NcMac *mac, NcLinkInfo *ret_info,
                               char *ret_name);
/* Every link whose alias (IFLA_IFALIAS) starts with `prefix`: their names
 * in *ret_names and ifindexes in *ret_ifindexes (same order; the caller
 * frees both). One link dump. */
int nc_link_list_by_alias_prefix(NcKernel *kernel, const char *prefix, GPtrArray **ret_names,
                                 GArray **ret_ifindexes, GPtrArray **ret_aliases);
/* Down, renamed and moved into netdev group `group` in one request (the
 * kernel renames only a link that is down). */
int nc_link_retire(NcKernel *kernel, int ifindex, const char *new_name, guint32 group);
/* Deletes by ifindex, so a link that was replaced under the same name is left alone. */
int nc_link_delete(NcKernel *kernel, int ifindex);
/* Puts ifindex into netdev group `group` (IFLA_GROUP alone). */
int nc_link_set_group(NcKernel *kernel, int ifindex, guint32 group);

/* -- deferred deletion (link-reaper.c) ------------------------------------- */

/* Deletes ifindex on a worker thread: RTM_DELLINK blocks until the kernel has
 * unregistered the device (20-50 ms: RCU grace periods), which must not stall
 * the main loop. First the link is set down, renamed to
 * NC_LINK_GONE_PREFIX<ifindex in hex> and put into netdev group
 * NC_LINK_GONE_GROUP (one request, ~1 ms), and its IPv4 addresses taken
 * off, so its name `name` and its addresses are free at once; the worker deletes the whole group with one RTM_DELLINK, so a burst
 * of deletions (TAPs of detached ports) waits for the grace periods once.
 * 0 once queued. */
#define NC_LINK_GONE_PREFIX "ncgone-"
#define NC_LINK_GONE_GROUP 0x6e63u /* "nc": no other program's group, we hope; only ours are put there */
int nc_link_delete_deferred(NcKernel *kernel, int ifindex, const char *name);
/* The same for a port's device (TAP, macvtap): only put into
 * NC_LINK_GONE_GROUP, not renamed, and no addresses to take off (a port's
 * device has none of ours). A rename costs the kernel a sysfs rename and a
 * round of notifiers (~3 ms of RTNL per detach, the largest part of it); the
 * group alone keeps the burst deleted in one RTM_DELLINK. Its name stays
 * taken until the worker is done: netctld numbers new devices past it, and a
 * device asked for by that name waits in nc_link_wait_deleted(). A daemon
 * that dies meanwhile leaves a device aliased to a port nobody has, which
 * the next start deletes (daemon.c, orphan port devices). */
int nc_link_delete_deferred_device(NcKernel *kernel, int ifindex, const char *name);
/* Deletes what a daemon that died mid-deletion left: links named
 * NC_LINK_GONE_PREFIX... in NC_LINK_GONE_GROUP, deferred as above. Returns
 * how many. */
int nc_link_reap_leftovers(NcKernel *kernel);
/* Takes the port devices an earlier daemon had marked for deletion
 * (nc_link_delete_deferred_device) out of NC_LINK_GONE_GROUP, before the
 * ports are adopted: the daemon died before deleting them, so their ports
 * may still be on record (and then the device is adopted again), or not
 * (then the orphan sweep deletes it). Left in the group, the next batch
 * deletion would take an adopted device with it. Returns how many. */
int nc_link_unmark_devices(NcKernel *kernel);
/* Blocks (at most 10 s) until no deferred deletion of a device named `name`
 * is pending: call before creating a device of that name. */
void nc_link_wait_deleted(NcKernel *kernel, const char *name);

typedef struct _NcLinkReaper NcLinkReaper;
NcLinkReaper *nc_link_reaper_new(void);
/* Waits for the queued deletions. */
void nc_link_reaper_free(NcLinkReaper *reaper);
/* The kernel's reaper, made on first use / NULL when none was made. */
NcLinkReaper *nc_kernel_link_reaper(NcKernel *kernel);
/* The number link-tap.c tries next for a TAP name template (main thread). */
guint *nc_kernel_tap_name_counter(NcKernel *kernel);
/* The same for link-macvtap.c's macvtap name template (main thread). */
guint *nc_kernel_macvtap_name_counter(NcKernel *kernel);
NcLinkReaper *nc_kernel_peek_link_reaper(NcKernel *kernel);

/* -- bridges (link-bridge.c) ------------------------------------------------ */

typedef struct {
  const char *name;
  const NcMac *mac; /* NULL: the kernel picks one */
  guint mtu;        /* 0: the kernel's default */
  gboolean stp;
  guint forward_delay; /* centiseconds (USER_HZ), as IFLA_BR_FORWARD_DELAY wants */
} NcBridgeConfig;

/* Creates the bridge (down) with its MAC, STP state and forward delay, then
 * sets the MTU. -EEXIST when the name is taken. On any failure after the
 * creation the bridge is deleted again. */
int nc_bridge_create(NcKernel *kernel, const NcBridgeConfig *config, int *ret_ifindex);
int nc_bridge_set_stp(NcKernel *kernel, int ifindex, gboolean stp, guint forward_delay);

/* -- sysctl (sysctl.c) -------------------------------------------------------- */

/* key is relative to <proc>/sys, e.g. "net/ipv6/conf/virbr0/disable_ipv6".
 * -EINVAL for a key with "..", an empty component or a leading '/'. */
int nc_sysctl_write(NcKernel *kernel, const char *key, const char *value);
/* The value without its trailing newline; caller frees. */
int nc_sysctl_read(NcKernel *kernel, const char *key, char **ret_value);

/* A sysctl key for one interface; NULL when ifname is not a safe
 * interface name (would escape the directory). Caller frees. */
char *nc_sysctl_iface_key(const char *family /* "ipv4"/"ipv6" */, const char *ifname,
                          const char *name);

/* Internal to the kernel layer (kernel.c). The rtnetlink socket, connected on
 * first use; its error callback records the kernel's errno for the request in
 * flight, which nc_kernel_nl_result() turns into our -errno return. */
struct nl_sock;
struct nl_msg;
/* NULL with *ret_err = -errno when the socket cannot be opened. Resets the
 * recorded errno: call once per request. */
struct nl_sock *nc_kernel_nl_sock(NcKernel *kernel, int *ret_err);
/* -errno for a libnl return value, preferring the errno the kernel sent. */
int nc_kernel_nl_result(NcKernel *kernel, int libnl_ret);
/* Sends msg (ownership taken) and waits for the kernel's acknowledgement. */
int nc_kernel_nl_request(NcKernel *kernel, struct nl_msg *msg);
/* if_indextoname() on a socket the NcKernel keeps: glibc's opens and closes
 * one per call, which made listing the routes and addresses of a host with
 * 500 bridges cost ~8 ms. ret_name has IF_NAMESIZE bytes; FALSE (and "")
 * when there is no such link. */
gboolean nc_kernel_ifname(NcKernel *kernel, int ifindex, char *ret_name);

G_END_DECLS
