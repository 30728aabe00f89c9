/* Small value types shared by the network and port models: IP addresses,
 * MAC addresses and UUIDs, with parse and format helpers.
 *
 * Parsers return FALSE on bad input and leave the out-parameter untouched;
 * they never set a GError (the caller knows the element and line to name). */
#pragma once

#include <glib.h>
#include <netinet/in.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef struct {
  int family; /* AF_UNSPEC (0) when unset, AF_INET or AF_INET6 */
  union {
    struct in_addr v4;
    struct in6_addr v6;
  } u;
} NcSockAddr;

#define NC_MAC_LEN 6
typedef struct {
  guint8 addr[NC_MAC_LEN];
} NcMac;

#define NC_UUID_LEN 16
#define NC_UUID_STRING_LEN 37 /* with NUL */

/* -- IP addresses -------------------------------------------------------- */
gboolean nc_sockaddr_parse(const char *str, int family, NcSockAddr *ret_addr);
/* Numeric form as libvirt prints it (inet_ntop); caller frees. */
char *nc_sockaddr_format(const NcSockAddr *addr);
gboolean nc_sockaddr_is_set(const NcSockAddr *addr);
gboolean nc_sockaddr_equal(const NcSockAddr *a, const NcSockAddr *b);
/* <0, 0, >0 like strcmp; both must be the same family. */
int nc_sockaddr_compare(const NcSockAddr *a, const NcSockAddr *b);
/* Prefix length of an IPv4 netmask, -1 when not contiguous. */
int nc_sockaddr_netmask_to_prefix(const NcSockAddr *netmask);
gboolean nc_sockaddr_prefix_to_netmask(int family, guint prefix, NcSockAddr *ret_mask);
/* Apply a prefix: the network address. */
gboolean nc_sockaddr_network(const NcSockAddr *addr, guint prefix, NcSockAddr *ret_net);
/* Broadcast address of an IPv4 subnet. */
gboolean nc_sockaddr_broadcast(const NcSockAddr *addr, guint prefix, NcSockAddr *ret_bcast);
gboolean nc_sockaddr_in_subnet(const NcSockAddr *addr, const NcSockAddr *net, guint prefix);
/* Number of addresses in [start, end] (both included), or -1 when start > end,
 * families differ, or the range exceeds G_MAXINT64. */
gint64 nc_sockaddr_range_size(const NcSockAddr *start, const NcSockAddr *end);
gboolean nc_sockaddr_is_multicast(const NcSockAddr *addr);
/* The default prefix of an IPv4 address by class (A=8, B=16, C=24), as libvirt
 * uses when neither prefix nor netmask is given; 64 for IPv6; 0 for the
 * all-zero address of either family (a default route); -1 otherwise. */
int nc_sockaddr_default_prefix(const NcSockAddr *addr);

/* -- MAC addresses ------------------------------------------------------- */
gboolean nc_mac_parse(const char *str, NcMac *ret_mac);
/* Lower-case "52:54:00:aa:bb:cc" into a buffer of at least 18 bytes. */
void nc_mac_format(const NcMac *mac, char buf[static 18]);
gboolean nc_mac_is_multicast(const NcMac *mac);
gboolean nc_mac_is_zero(const NcMac *mac);
/* A random unicast MAC with libvirt's/qemu's 52:54:00 prefix. */
void nc_mac_generate(NcMac *ret_mac);

/* -- UUIDs --------------------------------------------------------------- */
/* Accepts libvirt's forms: 32 hex digits with '-' (or spaces) between bytes. */
gboolean nc_uuid_parse(const char *str, guint8 ret_uuid[NC_UUID_LEN]);
void nc_uuid_format(const guint8 uuid[NC_UUID_LEN], char buf[static NC_UUID_STRING_LEN]);
void nc_uuid_generate(guint8 ret_uuid[NC_UUID_LEN]);
gboolean nc_uuid_is_zero(const guint8 uuid[NC_UUID_LEN]);

G_END_DECLS
