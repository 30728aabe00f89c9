/* macvtap and macvlan links on an uplink, their character devices
 * (/dev/tapN), and the uplink's MAC (passthrough mode).
 *
 * Conventions as in nc-kernel.h: 0 on success, -errno on failure, debug
 * logs at most; out-parameters are left untouched on failure. */
#pragma once

#include "nc-kernel.h"

G_BEGIN_DECLS

/* The kernel's macvlan modes (linux/if_link.h MACVLAN_MODE_*). */
typedef enum {
  NC_MACVTAP_MODE_PRIVATE = 1,
  NC_MACVTAP_MODE_VEPA = 2,
  NC_MACVTAP_MODE_BRIDGE = 4,
  NC_MACVTAP_MODE_PASSTHRU = 8,
} NcMacvtapMode;

typedef struct {
  const char *name;   /* an exact name, or a template ending in "%d" ("macvtap%d") */
  gboolean macvlan;   /* TRUE: a macvlan (a host-side netdev), FALSE: a macvtap */
  int link_ifindex;   /* the uplink */
  NcMacvtapMode mode;
  const NcMac *mac;   /* NULL: the kernel's */
  guint mtu;          /* 0: the uplink's (the kernel's default for macvlan) */
  const char *alias;  /* IFLA_IFALIAS marking it as ours (a second request), NULL: none */
  gboolean up;
  /* disable_ipv6 before it goes up: a guest's macvtap carries no host
   * traffic, and its link-local route would make every later link change
   * walk a routing table that grows with the number of ports. */
  gboolean no_ipv6;
} NcMacvtapConfig;

/* Creates the link with one RTM_NEWLINK (NLM_F_CREATE|NLM_F_EXCL|NLM_F_ECHO:
 * the kernel echoes the new link back; kernels before 6.3 do not, and the
 * link is then found by its MAC on the uplink), down when there is more to
 * do. A template ("macvtap%d") is numbered as libvirt does: the number after
 * the last one this NcKernel gave, taken names skipped (-EINVAL for a '%'
 * elsewhere). Then disable_ipv6 (no_ipv6) and one RTM_NEWLINK with the
 * alias and IFF_UP. -EEXIST when an exact name is taken. On a failure after
 * the creation the link is deleted again. ret_name has IF_NAMESIZE bytes. */
int nc_macvtap_create(NcKernel *kernel, const NcMacvtapConfig *config, char *ret_name,
                      int *ret_ifindex);

typedef struct {
  NcLinkInfo link;
  gboolean is_macvtap, is_macvlan;
  NcMacvtapMode mode;  /* 0 when neither */
  int link_ifindex;    /* IFLA_LINK */
  char alias[256];
} NcMacvtapInfo;

/* One RTM_GETLINK by name. -ENODEV when absent. */
int nc_macvtap_get_info(NcKernel *kernel, const char *name, NcMacvtapInfo *ret_info);

/* The macvtap's character device numbers, from
 * <sys root>/class/net/NAME/macvtap/tapIFINDEX/dev ("MAJOR:MINOR").
 * -ENOENT when sysfs does not show it (a sysfs mounted in another network
 * namespace shows that namespace's links only). */
int nc_macvtap_chardev(NcKernel *kernel, const char *name, int ifindex, guint *ret_major,
                       guint *ret_minor);

/* Makes DEV_DIR/tapIFINDEX the character device MAJOR:MINOR, owned by
 * owner/group (-1: root / root's group) with mode 0600 (owner only) or 0660
 * (with a group): an existing node with these numbers (devtmpfs or udev
 * made it) is kept and its owner and mode set; a missing one is created
 * with mknod (no devtmpfs, no udev: a test's private directory); a node of
 * that name with other numbers is another device's: -EEXIST, untouched.
 * *ret_created: TRUE when we made the node (so remove it on release). */
int nc_macvtap_node_ensure(const char *dev_dir, int ifindex, guint major, guint minor,
                           gint64 owner, gint64 group, gboolean *ret_created);
/* Removes the node at path when it is still the character device
 * MAJOR:MINOR (a node of another device of that name is left alone). */
int nc_macvtap_node_remove(const char *path, guint major, guint minor);

/* Sets a link's MAC (IFLA_ADDRESS). */
int nc_link_set_mac(NcKernel *kernel, int ifindex, const NcMac *mac);

G_END_DECLS
