/* The lease database libvirt keeps for each bridge: <dnsmasq dir>/<bridge>.status,
 * a JSON array of objects with the keys "ip-address", "mac-address",
 * "hostname", "client-id", "expiry-time" and, for IPv6, "iaid" and
 * "server-duid". Written by the lease helper (tools/netctl-leaseshelper.c,
 * which dnsmasq runs for every lease event) and read by the daemon and by
 * libvirt's NSS module, so the format stays libvirt's.
 *
 * Needs only GLib and json-glib so the helper can link it alone. Functions
 * return 0 or -errno and do not log. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *ip;          /* "ip-address", never NULL */
  char *mac;         /* "mac-address"; NULL for an IPv6 lease dnsmasq gave no MAC for */
  char *hostname;    /* NULL when none */
  char *client_id;   /* DHCPv4 client id, or the DHCPv6 client DUID */
  char *iaid;        /* IPv6 only */
  char *server_duid; /* IPv6 only */
  gint64 expiry;     /* seconds since the epoch; 0 = never expires */
} NcLeaseEntry;

void nc_lease_entry_free(NcLeaseEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcLeaseEntry, nc_lease_entry_free)

GPtrArray *nc_lease_entries_new(void); /* of NcLeaseEntry*, owning */

gboolean nc_lease_entry_is_ipv6(const NcLeaseEntry *entry);
gboolean nc_lease_entry_expired(const NcLeaseEntry *entry, gint64 now);

/* FALSE for a bridge name that could leave the directory or is no
 * interface name ("", ".", "..", '/', longer than 15 bytes, control bytes). */
gboolean nc_lease_bridge_name_is_safe(const char *bridge);
/* dir/BRIDGE.status; NULL for an unsafe bridge name. Caller frees. */
char *nc_lease_status_path(const char *dnsmasq_dir, const char *bridge);

/* JSON text -> entries. Objects without "ip-address" are skipped, as are
 * non-object array members. -EBADMSG when the text is not a JSON array,
 * -EOVERFLOW when it nests deeper than NC_JSON_MAX_DEPTH (safe-read.h).
 * Empty or all-blank text is an empty array. Every string is sanitized
 * (nc_untrusted_string_sanitize): valid UTF-8 without control characters. */
int nc_lease_entries_parse(const char *text, gssize len, GPtrArray **ret_entries);
/* entries -> JSON text (pretty, like libvirt's). Caller frees. */
char *nc_lease_entries_format(GPtrArray *entries);

/* A missing file is an empty array. Read with nc_file_read_bounded (at most
 * libvirt's 32 MiB): a symlink, FIFO, device or directory is -ELOOP or
 * -EINVAL, a larger file -EFBIG (nc_file_refusal_reason() says it in words). */
int nc_lease_file_read(const char *path, GPtrArray **ret_entries);
/* Atomic replace, mode 0644 (libvirt's NSS module reads it as any user). */
int nc_lease_file_write(const char *path, GPtrArray *entries);

/* Drops expired leases and any lease for `ip` (any action: a lease moves),
 * then appends new_entry when not NULL (ownership taken). */
void nc_lease_entries_apply(GPtrArray *entries, const char *ip, NcLeaseEntry *new_entry,
                            gint64 now);

/* The leases not expired at `now` in dnsmasq's own lease-file format, which
 * dnsmasq reads back from the helper's output for "init" so a restarted
 * dnsmasq keeps its leases: IPv4 lines "EXPIRY MAC IP HOSTNAME CLIENTID",
 * then, when a server DUID is known, "duid DUID" and IPv6 lines
 * "EXPIRY IAID IP HOSTNAME CLIENTID" ('*' for an unknown field). A lease
 * with a field dnsmasq could not parse back is left out. Caller frees. */
char *nc_lease_entries_format_dnsmasq(GPtrArray *entries, gint64 now);

G_END_DECLS
