/* netctl-leaseshelper: dnsmasq's --dhcp-script for netctl networks.
 *
 * dnsmasq runs it as `add|old|del MAC IP [HOSTNAME]` for each DHCP lease
 * event (for DHCPv6, argv[2] is the client DUID and the MAC comes from
 * DNSMASQ_MAC) and as `init` at startup. It keeps libvirt's lease database,
 * <dnsmasq dir>/<bridge>.status (see drivers/kernel/lease-file.h), which the
 * daemon and libvirt's NSS module read; for `init` it prints the live leases
 * in dnsmasq's lease-file format so a restarted dnsmasq keeps them.
 *
 * The bridge comes from VIR_BRIDGE_NAME (set by netctld, as by libvirt) or
 * DNSMASQ_INTERFACE; the directory from NETCTL_DNSMASQ_DIR (default
 * libvirt's). dnsmasq may run several helpers at once, so the
 * read-modify-write is done under an exclusive flock of the directory.
 *
 * Exit status 0 on success; 1 with a message on stderr otherwise (for
 * `init`, dnsmasq then refuses to start, so a corrupt database is reported
 * and treated as empty instead). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lease-file.h"
#include "safe-read.h"

#define DEFAULT_DNSMASQ_DIR "/var/lib/libvirt/dnsmasq"

static const char *
env(const char *name)
{
  const char *v = g_getenv(name);
  return v && *v ? v : NULL;
}

static gint64
lease_expiry(gint64 now)
{
  const char *expires = env("DNSMASQ_LEASE_EXPIRES");
  if (expires)
    return g_ascii_strtoll(expires, NULL, 10);
  /* dnsmasq built without a real-time clock gives the time left instead. */
  const char *remaining = env("DNSMASQ_TIME_REMAINING");
  if (remaining) {
    gint64 left = g_ascii_strtoll(remaining, NULL, 10);
    if (left <= 0)
      return 0;
    return left > G_MAXINT64 - now ? G_MAXINT64 : now + left;
  }
  return 0;
}

static char *
valid_or_null(const char *s)
{
  return s ? g_utf8_make_valid(s, -1) : NULL;
}

/* The new lease for add/old, or NULL when there is none to record (an IPv6
 * lease without DNSMASQ_MAC, as libvirt: it is recorded on its next renewal). */
static NcLeaseEntry *
new_entry(int argc, char **argv, gint64 now)
{
  const char *iaid = env("DNSMASQ_IAID");
  const char *mac = argv[2];
  const char *client_id = env("DNSMASQ_CLIENT_ID");
  if (iaid) {
    mac = env("DNSMASQ_MAC");
    client_id = argv[2];
  }
  if (!mac)
    return NULL;

  /* As libvirt: the name given, else the one the client supplied, else the
   * one the lease had (dnsmasq's "old" event for a hostname taken away). */
  const char *hostname = argc >= 5 ? argv[4] : env("DNSMASQ_SUPPLIED_HOSTNAME");
  if (!hostname)
    hostname = env("DNSMASQ_OLD_HOSTNAME");
  NcLeaseEntry *e = g_new0(NcLeaseEntry, 1);
  e->ip = valid_or_null(argv[3]);
  e->mac = valid_or_null(mac);
  e->hostname = valid_or_null(hostname);
  e->client_id = valid_or_null(client_id);
  e->iaid = valid_or_null(iaid);
  e->server_duid = iaid ? valid_or_null(env("DNSMASQ_SERVER_DUID")) : NULL;
  e->expiry = lease_expiry(now);
  return e;
}

/* IPv6 leases recorded without the server DUID (by libvirt before 1.2.7)
 * get the one dnsmasq passes now, as libvirt does: `init` leaves the IPv6
 * leases out when it knows no server DUID. TRUE when one was filled in. */
static gboolean
fill_server_duid(GPtrArray *entries)
{
  const char *duid = env("DNSMASQ_SERVER_DUID");
  gboolean filled = FALSE;
  for (guint i = 0; duid && i < entries->len; i++) {
    NcLeaseEntry *e = g_ptr_array_index(entries, i);
    if (nc_lease_entry_is_ipv6(e) && !e->server_duid) {
      e->server_duid = valid_or_null(duid);
      filled = TRUE;
    }
  }
  return filled;
}

static int
usage(FILE *out, int status)
{
  fprintf(out, "Usage: netctl-leaseshelper add|old|del MAC|CLIENTID IP [HOSTNAME]\n"
               "       netctl-leaseshelper init\n"
               "Run by dnsmasq as its --dhcp-script; see dnsmasq(8).\n");
  return status;
}

int
main(int argc, char **argv)
{
  if (argc == 2 && g_str_equal(argv[1], "--help"))
    return usage(stdout, 0);
  if (argc < 2)
    return usage(stderr, 1);

  const char *action = argv[1];
  gboolean init = g_str_equal(action, "init");
  gboolean add = g_str_equal(action, "add") || g_str_equal(action, "old");
  gboolean del = g_str_equal(action, "del");
  /* dnsmasq also reports TFTP transfers and (with --script-arp) ARP events. */
  if (g_str_equal(action, "tftp") || g_str_has_prefix(action, "arp"))
    return 0;
  if (!init && !add && !del) {
    fprintf(stderr, "netctl-leaseshelper: unsupported action '%s'\n", action);
    return 1;
  }
  if (!init && argc != 4 && argc != 5)
    return usage(stderr, 1);

  const char *bridge = env("VIR_BRIDGE_NAME");
  if (!bridge)
    bridge = env("DNSMASQ_INTERFACE");
  const char *dir = env("NETCTL_DNSMASQ_DIR");
  if (!dir)
    dir = DEFAULT_DNSMASQ_DIR;
  g_autofree char *path = bridge ? nc_lease_status_path(dir, bridge) : NULL;
  if (!path) {
    fprintf(stderr,
            "netctl-leaseshelper: no valid bridge name in VIR_BRIDGE_NAME or "
            "DNSMASQ_INTERFACE (got '%s')\n",
            bridge ? bridge : "");
    return 1;
  }

  /* Serializes helpers run at once by dnsmasq (and by several networks: the
   * lock is the directory's, like libvirt's one helper pid file). */
  int lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX) < 0) {
    fprintf(stderr, "netctl-leaseshelper: cannot lock %s: %s\n", dir, g_strerror(errno));
    return 1;
  }

  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  g_autoptr(GPtrArray) entries = NULL;
  int r = nc_lease_file_read(path, &entries);
  if (r < 0) {
    /* A FIFO, symlink, oversized or too deeply nested file is refused
     * unread (safe-read.h), and replaced: the rename takes the name. */
    fprintf(stderr, "netctl-leaseshelper: %s: ignored (%s), rewriting it\n", path,
            nc_file_refusal_reason(r));
    entries = nc_lease_entries_new();
  }
  guint before = entries->len;
  gboolean filled = fill_server_duid(entries);
  NcLeaseEntry *entry = NULL; /* owned by entries once applied */

  if (init) {
    nc_lease_entries_apply(entries, NULL, NULL, now);
    g_autofree char *text = nc_lease_entries_format_dnsmasq(entries, now);
    fputs(text, stdout);
    if (fflush(stdout) != 0) {
      fprintf(stderr, "netctl-leaseshelper: cannot write the leases: %s\n", g_strerror(errno));
      return 1;
    }
  } else {
    entry = add ? new_entry(argc, argv, now) : NULL;
    /* An IPv6 add/old without DNSMASQ_MAC (the "old" events of a restarted
     * dnsmasq) keeps the lease recorded so far, as libvirt does. */
    if (entry || del)
      nc_lease_entries_apply(entries, argv[3], entry, now);
  }

  /* Nothing changed (init or del of nothing, an IPv6 event without a MAC):
   * keep the file as it is, and do not create one. */
  if (r == 0 && !entry && !filled && entries->len == before)
    return 0;
  r = nc_lease_file_write(path, entries);
  if (r < 0) {
    fprintf(stderr, "netctl-leaseshelper: cannot write %s: %s\n", path, g_strerror(-r));
    return 1;
  }
  close(lock_fd);
  return 0;
}
