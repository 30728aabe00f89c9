/* IP, MAC and UUID value types: parse, format and subnet arithmetic.
 *
 * Parsers follow libvirt's acceptance rules where they are stricter than
 * nothing and no looser than libvirt: addresses are numeric only (inet_pton),
 * MACs are six 1-2 digit hex groups separated by ':', UUIDs are 32 hex digits
 * with optional '-' or ' ' between byte pairs. */
#include "nc-addr.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/random.h>

/* -- IP addresses -------------------------------------------------------- */

gboolean
nc_sockaddr_parse(const char *str, int family, NcSockAddr *ret_addr)
{
  NcSockAddr addr = { 0 };

  if (!str || !*str)
    return FALSE;

  if ((family == AF_UNSPEC || family == AF_INET) && inet_pton(AF_INET, str, &addr.u.v4) == 1) {
    addr.family = AF_INET;
  } else if ((family == AF_UNSPEC || family == AF_INET6)
             && inet_pton(AF_INET6, str, &addr.u.v6) == 1) {
    addr.family = AF_INET6;
  } else {
    return FALSE;
  }

  *ret_addr = addr;
  return TRUE;
}

char *
nc_sockaddr_format(const NcSockAddr *addr)
{
  char buf[INET6_ADDRSTRLEN];

  if (!addr || (addr->family != AF_INET && addr->family != AF_INET6))
    return NULL;
  if (!inet_ntop(addr->family, &addr->u, buf, sizeof(buf)))
    return NULL;
  return g_strdup(buf);
}

gboolean
nc_sockaddr_is_set(const NcSockAddr *addr)
{
  return addr && (addr->family == AF_INET || addr->family == AF_INET6);
}

/* The address as 16 big-endian bytes (IPv4 uses the last 4) and its length. */
static gsize
addr_bytes(const NcSockAddr *addr, const guint8 **ret_bytes)
{
  if (addr->family == AF_INET) {
    *ret_bytes = (const guint8 *)&addr->u.v4;
    return 4;
  }
  *ret_bytes = (const guint8 *)&addr->u.v6;
  return 16;
}

gboolean
nc_sockaddr_equal(const NcSockAddr *a, const NcSockAddr *b)
{
  const guint8 *ab, *bb;
  gsize len;

  if (!nc_sockaddr_is_set(a) || !nc_sockaddr_is_set(b))
    return FALSE;
  if (a->family != b->family)
    return FALSE;
  len = addr_bytes(a, &ab);
  addr_bytes(b, &bb);
  return memcmp(ab, bb, len) == 0;
}

int
nc_sockaddr_compare(const NcSockAddr *a, const NcSockAddr *b)
{
  const guint8 *ab, *bb;
  gsize len;

  if (a->family != b->family)
    return a->family < b->family ? -1 : 1;
  if (!nc_sockaddr_is_set(a))
    return 0;
  len = addr_bytes(a, &ab);
  addr_bytes(b, &bb);
  return memcmp(ab, bb, len);
}

static guint
family_bits(int family)
{
  return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

int
nc_sockaddr_netmask_to_prefix(const NcSockAddr *netmask)
{
  const guint8 *b;
  gsize len;
  int prefix = 0;
  gboolean seen_zero = FALSE;

  if (!nc_sockaddr_is_set(netmask))
    return -1;
  len = addr_bytes(netmask, &b);
  for (gsize i = 0; i < len; i++) {
    for (int bit = 7; bit >= 0; bit--) {
      if (b[i] & (1u << bit)) {
        if (seen_zero)
          return -1;
        prefix++;
      } else {
        seen_zero = TRUE;
      }
    }
  }
  return prefix;
}

gboolean
nc_sockaddr_prefix_to_netmask(int family, guint prefix, NcSockAddr *ret_mask)
{
  NcSockAddr mask = { .family = family };
  guint8 *b;
  guint bits = family_bits(family);

  if (bits == 0 || prefix > bits)
    return FALSE;
  b = family == AF_INET ? (guint8 *)&mask.u.v4 : (guint8 *)&mask.u.v6;
  for (guint i = 0; i < prefix; i++)
    b[i / 8] |= 0x80 >> (i % 8);
  *ret_mask = mask;
  return TRUE;
}

/* Keep the first `prefix` bits of addr; set the rest to zero or (for the
 * broadcast) to one. */
static gboolean
apply_prefix(const NcSockAddr *addr, guint prefix, gboolean fill_ones, NcSockAddr *ret)
{
  NcSockAddr out;
  guint8 *b;
  guint bits;

  if (!nc_sockaddr_is_set(addr))
    return FALSE;
  bits = family_bits(addr->family);
  if (prefix > bits)
    return FALSE;
  out = *addr;
  b = addr->family == AF_INET ? (guint8 *)&out.u.v4 : (guint8 *)&out.u.v6;
  for (guint i = prefix; i < bits; i++) {
    if (fill_ones)
      b[i / 8] |= 0x80 >> (i % 8);
    else
      b[i / 8] &= ~(0x80 >> (i % 8));
  }
  *ret = out;
  return TRUE;
}

gboolean
nc_sockaddr_network(const NcSockAddr *addr, guint prefix, NcSockAddr *ret_net)
{
  return apply_prefix(addr, prefix, FALSE, ret_net);
}

gboolean
nc_sockaddr_broadcast(const NcSockAddr *addr, guint prefix, NcSockAddr *ret_bcast)
{
  if (!addr || addr->family != AF_INET)
    return FALSE;
  return apply_prefix(addr, prefix, TRUE, ret_bcast);
}

gboolean
nc_sockaddr_in_subnet(const NcSockAddr *addr, const NcSockAddr *net, guint prefix)
{
  NcSockAddr a, n;

  if (!nc_sockaddr_is_set(addr) || !nc_sockaddr_is_set(net) || addr->family != net->family)
    return FALSE;
  if (!nc_sockaddr_network(addr, prefix, &a) || !nc_sockaddr_network(net, prefix, &n))
    return FALSE;
  return nc_sockaddr_equal(&a, &n);
}

gint64
nc_sockaddr_range_size(const NcSockAddr *start, const NcSockAddr *end)
{
  const guint8 *sb, *eb;
  gsize len;
  guint64 hi_s = 0, hi_e = 0, lo_s = 0, lo_e = 0;
  guint64 diff;

  if (!nc_sockaddr_is_set(start) || !nc_sockaddr_is_set(end) || start->family != end->family)
    return -1;
  if (nc_sockaddr_compare(start, end) > 0)
    return -1;

  len = addr_bytes(start, &sb);
  addr_bytes(end, &eb);
  /* Split into two 64-bit halves (IPv4 fits entirely in the low half). */
  for (gsize i = 0; i < len; i++) {
    gboolean high = len == 16 && i < 8;
    if (high) {
      hi_s = (hi_s << 8) | sb[i];
      hi_e = (hi_e << 8) | eb[i];
    } else {
      lo_s = (lo_s << 8) | sb[i];
      lo_e = (lo_e << 8) | eb[i];
    }
  }

  if (hi_e == hi_s) {
    diff = lo_e - lo_s;
  } else if (hi_e - hi_s == 1 && lo_e < lo_s) {
    /* Crossing one boundary of the low half without exceeding 2^64. */
    diff = lo_e - lo_s; /* wraps modulo 2^64, which is the exact difference */
  } else {
    return -1;
  }
  if (diff >= (guint64)G_MAXINT64)
    return -1;
  return (gint64)diff + 1;
}

gboolean
nc_sockaddr_is_multicast(const NcSockAddr *addr)
{
  if (!addr)
    return FALSE;
  if (addr->family == AF_INET)
    return (ntohl(addr->u.v4.s_addr) & 0xf0000000u) == 0xe0000000u;
  if (addr->family == AF_INET6)
    return addr->u.v6.s6_addr[0] == 0xff;
  return FALSE;
}

int
nc_sockaddr_default_prefix(const NcSockAddr *addr)
{
  guint8 octet;

  if (!addr)
    return -1;
  if (addr->family == AF_INET6)
    return IN6_IS_ADDR_UNSPECIFIED(&addr->u.v6) ? 0 : 64;
  if (addr->family != AF_INET)
    return -1;

  /* The all-zero address is a default route's destination: /0, as libvirt. */
  if (addr->u.v4.s_addr == 0)
    return 0;
  octet = ntohl(addr->u.v4.s_addr) >> 24;
  if ((octet & 0x80) == 0)
    return 8; /* class A */
  if ((octet & 0xc0) == 0x80)
    return 16; /* class B */
  if ((octet & 0xe0) == 0xc0)
    return 24; /* class C */
  return -1;   /* class D/E have no natural prefix */
}

/* -- MAC addresses ------------------------------------------------------- */

gboolean
nc_mac_parse(const char *str, NcMac *ret_mac)
{
  NcMac mac;
  const char *p = str;

  if (!str)
    return FALSE;

  /* Like virMacAddrParse: six groups of 1 or 2 hex digits joined by ':';
   * trailing whitespace or control characters end the string. */
  for (int i = 0; i < NC_MAC_LEN; i++) {
    int val = 0, digits = 0;

    while (g_ascii_isxdigit(*p) && digits < 3) {
      val = val * 16 + g_ascii_xdigit_value(*p);
      p++;
      digits++;
    }
    if (digits < 1 || digits > 2)
      return FALSE;
    mac.addr[i] = (guint8)val;

    if (i == NC_MAC_LEN - 1) {
      while (*p) {
        if ((guchar)*p > ' ')
          return FALSE;
        p++;
      }
      break;
    }
    if (*p != ':')
      return FALSE;
    p++;
  }

  *ret_mac = mac;
  return TRUE;
}

void
nc_mac_format(const NcMac *mac, char buf[static 18])
{
  g_snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac->addr[0], mac->addr[1], mac->addr[2],
             mac->addr[3], mac->addr[4], mac->addr[5]);
}

gboolean
nc_mac_is_multicast(const NcMac *mac)
{
  return (mac->addr[0] & 0x01) != 0;
}

gboolean
nc_mac_is_zero(const NcMac *mac)
{
  for (int i = 0; i < NC_MAC_LEN; i++)
    if (mac->addr[i])
      return FALSE;
  return TRUE;
}

void
nc_mac_generate(NcMac *ret_mac)
{
  ret_mac->addr[0] = 0x52;
  ret_mac->addr[1] = 0x54;
  ret_mac->addr[2] = 0x00;
  for (int i = 3; i < NC_MAC_LEN; i++)
    ret_mac->addr[i] = (guint8)g_random_int_range(0, 256);
}

/* -- UUIDs --------------------------------------------------------------- */

gboolean
nc_uuid_parse(const char *str, guint8 ret_uuid[NC_UUID_LEN])
{
  guint8 uuid[NC_UUID_LEN];
  const char *cur = str;
  gsize i = 0;

  if (!str)
    return FALSE;
  while (g_ascii_isspace(*cur))
    cur++;

  while (i < NC_UUID_LEN) {
    int hi, lo;

    if (*cur == '-' || *cur == ' ') {
      cur++;
      continue;
    }
    if ((hi = g_ascii_xdigit_value(cur[0])) < 0)
      return FALSE;
    if ((lo = g_ascii_xdigit_value(cur[1])) < 0)
      return FALSE;
    uuid[i++] = (guint8)(hi * 16 + lo);
    cur += 2;
  }

  while (*cur) {
    if (!g_ascii_isspace(*cur))
      return FALSE;
    cur++;
  }

  memcpy(ret_uuid, uuid, NC_UUID_LEN);
  return TRUE;
}

void
nc_uuid_format(const guint8 uuid[NC_UUID_LEN], char buf[static NC_UUID_STRING_LEN])
{
  g_snprintf(buf, NC_UUID_STRING_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", uuid[0],
             uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
             uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
}

void
nc_uuid_generate(guint8 ret_uuid[NC_UUID_LEN])
{
  /* UUIDs name networks across hosts: prefer the kernel's CSPRNG, fall back
   * to GLib's generator only if getrandom() is unavailable. */
  if (getrandom(ret_uuid, NC_UUID_LEN, 0) != NC_UUID_LEN) {
    for (gsize i = 0; i < NC_UUID_LEN; i += 4) {
      guint32 r = g_random_int();
      memcpy(ret_uuid + i, &r, 4);
    }
  }
  /* RFC 4122 version 4 (random), variant 10xx, like virUUIDGenerate. */
  ret_uuid[6] = (ret_uuid[6] & 0x0f) | 0x40;
  ret_uuid[8] = (ret_uuid[8] & 0x3f) | 0x80;
}

gboolean
nc_uuid_is_zero(const guint8 uuid[NC_UUID_LEN])
{
  for (gsize i = 0; i < NC_UUID_LEN; i++)
    if (uuid[i])
      return FALSE;
  return TRUE;
}
