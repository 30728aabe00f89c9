/* Guest ports' kernel side: persistent TAP devices, enslaving a link to a
 * bridge, and the bridge port flags a port's policy sets.
 *
 * Conventions as in nc-kernel.h: 0 on success, -errno on failure, debug logs
 * at most; out-parameters are left untouched on failure. */
#pragma once

#include "nc-kernel.h"

G_BEGIN_DECLS

typedef struct {
  const char *name; /* an exact name, or a prefix and "%d" ("vnet%d"): the number after the
                       last one given (as libvirt's virNetDevGenerateName), skipping taken names */
  gint64 owner;     /* uid, or -1: none */
  gint64 group;     /* gid, or -1: none */
  gboolean vnet_hdr;
  guint queues; /* 0 or 1: single queue; >1: IFF_MULTI_QUEUE (the device is made multiqueue-capable;
                   the VMM opens the queues) */
  const NcMac *mac;   /* the TAP's own MAC, NULL: kernel's */
  guint mtu;          /* 0: leave */
  const char *alias;  /* IFLA_IFALIAS tag marking it as ours, NULL: none */
  int master_ifindex; /* 0: not enslaved */
  gboolean up;
  gboolean no_ipv6; /* no IPv6 address generation (addrgenmode none): a bridge port needs no
                     * address of its own */
} NcTapConfig;

/* Creates a persistent TAP (ioctls on /dev/net/tun: the tun driver refuses
 * creation over rtnetlink) and configures it in one RTM_NEWLINK request:
 * MAC, MTU, alias, master, up, applied by the kernel in that order.
 * -EEXIST when an exact name is taken (the existing device is never
 * touched: TUNSETIFF is asked with IFF_TUN_EXCL). On failure after creation,
 * the device is deleted again. -EINVAL for a bad name, owner or group, an
 * alias of 256 bytes or more, or more than 256 queues (the tun driver's
 * limit). ret_name has IF_NAMESIZE bytes.
 * Who may attach (TUNSETIFF) later: with an owner, only that uid; with a
 * group, only its members; with both, only the owner as a member; with
 * neither, ANY user who can open /dev/net/tun (the kernel's rule), so a TAP
 * for privileged VMMs only should get owner 0. CAP_NET_ADMIN always may. */
int nc_tap_create(NcKernel *kernel, const NcTapConfig *config, char *ret_name, int *ret_ifindex);

/* Facts to recognise our own TAP after a restart, from one RTM_GETLINK.
 * owner/group are -1 when unset; is_tap is FALSE for anything but a tun
 * device in TAP mode (then the tun fields are zero). -ENODEV when absent. */
typedef struct {
  NcLinkInfo link;
  gboolean is_tap;
  gint64 owner, group;
  gboolean vnet_hdr, multi_queue, persist;
  char alias[256];
  int master_ifindex;
} NcTapInfo;

int nc_tap_get_info(NcKernel *kernel, const char *name, NcTapInfo *ret_info);

/* Enslaves ifindex to master_ifindex (0: releases it) and sets it up or down,
 * in one request (the kernel enslaves first, then changes the flags). */
int nc_link_set_master(NcKernel *kernel, int ifindex, int master_ifindex, gboolean up);

/* The bridge port flag IFLA_BRPORT_ISOLATED (linux >= 4.18): an AF_BRIDGE
 * setlink with IFLA_PROTINFO. Older kernels ignore the attribute silently, so
 * setting it to TRUE reads it back: -EOPNOTSUPP when the kernel lacks it, or
 * when ifindex is no bridge port. */
int nc_bridge_port_set_isolated(NcKernel *kernel, int ifindex, gboolean isolated);
int nc_bridge_port_get_isolated(NcKernel *kernel, int ifindex, gboolean *ret_isolated);

/* The names of the links enslaved to a bridge, from one AF_BRIDGE dump.
 * *ret_names: a new array of g_strdup'd names, g_free as its free function. */
int nc_bridge_list_ports(NcKernel *kernel, int bridge_ifindex, GPtrArray **ret_names);

G_END_DECLS
