/* XDR (RFC 4506) as libvirt's RPC uses it: big-endian 4-byte units, strings
 * and variable arrays with a length word, optional data as a bool word.
 *
 * Encoding appends to a GByteArray and cannot fail. Decoding reads from an
 * NcXdrIn cursor that never reads past its end: the first error (short data,
 * a length over its limit, a bad bool) sets `failed` and every later read
 * returns zero/NULL, so a decoder checks once at the end (nc_xdr_ok). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void nc_xdr_put_u32(GByteArray *out, guint32 v);
void nc_xdr_put_i32(GByteArray *out, gint32 v);
void nc_xdr_put_u64(GByteArray *out, guint64 v);
void nc_xdr_put_i64(GByteArray *out, gint64 v);
void nc_xdr_put_double(GByteArray *out, double v);
/* remote_nonnull_string; NULL is sent as "". */
void nc_xdr_put_string(GByteArray *out, const char *s);
/* remote_string: a bool word, then the string when not NULL. */
void nc_xdr_put_opt_string(GByteArray *out, const char *s);
/* Fixed-length opaque (remote_uuid): n bytes and padding. */
void nc_xdr_put_opaque(GByteArray *out, const guint8 *data, gsize n);

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
  gboolean failed;
  const char *why; /* the first failure, for the error reply */
} NcXdrIn;

void nc_xdr_in_init(NcXdrIn *in, const guint8 *data, gsize len);
/* TRUE when nothing failed so far. */
gboolean nc_xdr_ok(const NcXdrIn *in);

guint32 nc_xdr_get_u32(NcXdrIn *in);
gint32 nc_xdr_get_i32(NcXdrIn *in);
guint64 nc_xdr_get_u64(NcXdrIn *in);
gint64 nc_xdr_get_i64(NcXdrIn *in);
double nc_xdr_get_double(NcXdrIn *in);
/* An XDR bool (0 or 1; anything else fails). */
gboolean nc_xdr_get_bool(NcXdrIn *in);
/* A string of at most `max` bytes without NUL bytes. Caller frees; NULL on
 * failure. */
char *nc_xdr_get_string(NcXdrIn *in, guint32 max);
/* remote_string: NULL when absent or on failure (check nc_xdr_ok). */
char *nc_xdr_get_opt_string(NcXdrIn *in, guint32 max);
/* Fixed-length opaque of n bytes into out (zeroed on failure). */
void nc_xdr_get_opaque(NcXdrIn *in, guint8 *out, gsize n);
/* The length word of a variable array, failing over `max`. Each element
 * takes at least `min_elem_size` bytes on the wire, so a count the remaining
 * data cannot hold fails here, before the caller allocates for it. */
guint32 nc_xdr_get_array_len(NcXdrIn *in, guint32 max, gsize min_elem_size);

G_END_DECLS
