/* Bounded, non-blocking reads of the files netctld, the lease helper and the
 * CLI find in the state root (status files, lease databases, .macs, pid
 * files, dnsmasq files, hook directories, port status files), which anyone
 * able to write there could have replaced by a FIFO (a read that never
 * returns), a symlink to /dev/zero (a read that never ends) or a JSON text
 * nested deep enough to overflow json-glib's recursive parser.
 *
 * Needs only GLib, so the lease helper links it alone. Functions return 0 or
 * -errno and do not log: the caller names the file in its own message
 * (nc_file_refusal_reason() says why in words). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads a regular file: opened O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC (a
 * symlink, FIFO, device or directory is refused), fstat after open, refused
 * when larger than max_size, read fully. 0, or -errno: -ELOOP symlink,
 * -EINVAL not a regular file, -EFBIG too large, -ENOENT missing.
 * *ret_contents NUL-terminated, caller frees. */
int nc_file_read_bounded(const char *path, gsize max_size, char **ret_contents, gsize *ret_len);

/* How deep a JSON text read from the state root may nest ([ and {): libvirt's
 * files nest 3 levels at most. */
#define NC_JSON_MAX_DEPTH 64

/* 0 when text (len bytes, or NUL-terminated when len < 0) nests [ and { at
 * most max_depth deep outside strings, else -EOVERFLOW. Checked before the
 * text is handed to json-glib, whose parser recurses once per level. A
 * scanner, not a validator: malformed text is left to the parser. */
int nc_json_check_depth(const char *text, gssize len, guint max_depth);

/* Frames a stream of JSON objects (OVSDB's JSON-RPC: one object after
 * another, no delimiter), incrementally: each call resumes where the last
 * stopped, so a message that arrives in many reads is scanned once (a
 * rescan per read made a 16 MiB monitor reply cost gigabytes of scanning on
 * the main loop). The depth is capped as it is scanned. Reset (zero it) when
 * the buffer's start changes. */
typedef struct {
  gsize pos;   /* scanned up to here */
  guint depth; /* of [ and { open at pos */
  gboolean in_string, escape, started;
} NcJsonFrame;

/* buf: the stream's unconsumed bytes (grown, never changed, since the
 * frame's last reset). > 0: the length of the first complete object (leading
 * whitespace included; consume it and reset); 0: not complete yet;
 * -EOVERFLOW: it nests deeper than max_depth. */
gssize nc_json_frame_next(NcJsonFrame *frame, const char *buf, gsize len, guint max_depth);

/* Makes a JSON text read from a file ready for json-glib: -EOVERFLOW when it
 * nests deeper than NC_JSON_MAX_DEPTH; else 0, with *ret_valid set to a copy
 * whose invalid UTF-8 became U+FFFD when there was any (json-glib refuses
 * the whole text for one bad byte, so one bad hostname written by another
 * program would lose every lease), or NULL when text is usable as it is. */
int nc_json_text_prepare(const char *text, gsize len, char **ret_valid);

/* Words for why a file was refused, for a log line that names it:
 * "it is a symbolic link", "it is not a regular file (FIFO, device or
 * directory)", "it is larger than the limit", "its JSON nests too deep", or
 * g_strerror() of anything else. r is -errno. */
const char *nc_file_refusal_reason(int r);
/* TRUE for the refusals above (-ELOOP, -EINVAL, -EFBIG, -EOVERFLOW): a file
 * that is there but is not one we read. */
gboolean nc_file_is_refusal(int r);

/* A string read from a file made valid for D-Bus and for one-line logs:
 * invalid UTF-8 becomes U+FFFD, control characters (C0, DEL, C1) become '?'.
 * NULL gives NULL. Caller frees. */
char *nc_untrusted_string_sanitize(const char *value);

G_END_DECLS
