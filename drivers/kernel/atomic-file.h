/* Atomic file replacement for the kernel layer and the lease helper:
 * temporary file in the same directory, fsync, rename, fsync of the
 * directory. A process killed at any moment leaves the old or the new file,
 * never a half-written one. Returns 0 or -errno; no logging. Needs only GLib,
 * so the small lease helper can link it alone. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* len < 0: contents is NUL-terminated. mode: the new file's permissions. */
int nc_file_write_atomic(const char *path, const char *contents, gssize len, int mode);
/* The same without the fsyncs, for files regenerated on every use (dnsmasq's
 * configuration and hosts files): readers still see the old or the new file,
 * never a half-written one, but after a power loss the file may be lost or
 * empty, so only for files that are rewritten before they are read again.
 * An fsync costs milliseconds on a real disk, on every network start. */
int nc_file_replace(const char *path, const char *contents, gssize len, int mode);
/* unlink; 0 when the file was already gone. */
int nc_file_remove(const char *path);

G_END_DECLS
