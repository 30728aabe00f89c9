/* The MAC map libvirt's NSS module (`libvirt_guest`) reads to resolve guest
 * names: <dnsmasq dir>/<bridge>.macs, a JSON array of
 * {"domain": NAME, "macs": [MAC, ...]}, sorted by domain as libvirt writes it.
 * Ports add their guest's MAC when they are allocated and remove it when
 * freed; stopping the network's dnsmasq removes the file (dnsmasq.c).
 *
 * MACs are stored in lower case, two digits a byte, whatever the caller's
 * spelling: the NSS module compares them as strings with the lease
 * database's (dnsmasq's spelling). A domain named twice in the file is read
 * as one.
 *
 * Each call reads (when it changed behind us), changes and atomically
 * rewrites the file, at once or soon after (nc_macmap_defer_writes) (mode 0644,
 * never empty, so the module can always parse it); the daemon is its only
 * writer. Returns 0 or -errno (-EINVAL for an unsafe bridge name, an empty
 * domain or a string that is no MAC, -EBADMSG for a file that is not such an
 * array). A file refused unread (a symlink, FIFO, device, one over 4 MiB or
 * nesting deeper than NC_JSON_MAX_DEPTH: safe-read.h) is read as an empty
 * map with a warning naming it, and replaced by the next write; otherwise no
 * logging. Domains and MACs read are sanitized (valid UTF-8, no control
 * characters). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* dir/BRIDGE.macs; NULL for an unsafe bridge name. Caller frees. */
char *nc_macmap_path(const char *dnsmasq_dir, const char *bridge);

/* Adds mac to domain's list (nothing when it is there already). */
int nc_macmap_add(const char *dnsmasq_dir, const char *bridge, const char *domain, const char *mac);
/* Removes mac from domain's list (mac NULL: every MAC of the domain); a
 * domain left without MACs is dropped, as libvirt does. */
int nc_macmap_remove(const char *dnsmasq_dir, const char *bridge, const char *domain,
                     const char *mac);
/* The MACs of domain, in file order (empty when none). Caller frees. */
int nc_macmap_lookup(const char *dnsmasq_dir, const char *bridge, const char *domain,
                     char ***ret_macs);

/* From now on a change is written within ms milliseconds (one write for a
 * burst; the main loop must run), 0: at once (the default). */
void nc_macmap_defer_writes(guint ms);
/* Writes every change still due (at exit). */
void nc_macmap_flush_all(void);
/* Forgets the map of bridge and drops its due write: its dnsmasq stopped and
 * the file is being removed. */
void nc_macmap_discard(const char *dnsmasq_dir, const char *bridge);

G_END_DECLS
