/* XDR encoding and bounded decoding (rpc-xdr.h). */
#include <string.h>

#include "rpc-xdr.h"

static const guint8 zeros[4] = { 0 };

static gsize
padding(gsize n)
{
  return (4 - (n & 3)) & 3;
}

void
nc_xdr_put_u32(GByteArray *out, guint32 v)
{
  guint32 be = GUINT32_TO_BE(v);
  g_byte_array_append(out, (const guint8 *)&be, 4);
}

void
nc_xdr_put_i32(GByteArray *out, gint32 v)
{
  nc_xdr_put_u32(out, (guint32)v);
}

void
nc_xdr_put_u64(GByteArray *out, guint64 v)
{
  guint64 be = GUINT64_TO_BE(v);
  g_byte_array_append(out, (const guint8 *)&be, 8);
}

void
nc_xdr_put_i64(GByteArray *out, gint64 v)
{
  nc_xdr_put_u64(out, (guint64)v);
}

void
nc_xdr_put_double(GByteArray *out, double v)
{
  guint64 bits;
  memcpy(&bits, &v, sizeof(bits));
  nc_xdr_put_u64(out, bits);
}

void
nc_xdr_put_opaque(GByteArray *out, const guint8 *data, gsize n)
{
  g_byte_array_append(out, data, n);
  g_byte_array_append(out, zeros, padding(n));
}

void
nc_xdr_put_string(GByteArray *out, const char *s)
{
  gsize n = s ? strlen(s) : 0;
  nc_xdr_put_u32(out, (guint32)n);
  nc_xdr_put_opaque(out, (const guint8 *)(s ? s : ""), n);
}

void
nc_xdr_put_opt_string(GByteArray *out, const char *s)
{
  nc_xdr_put_u32(out, s != NULL);
  if (s != NULL)
    nc_xdr_put_string(out, s);
}

/* -- decoding ------------------------------------------------------------------ */

void
nc_xdr_in_init(NcXdrIn *in, const guint8 *data, gsize len)
{
  *in = (NcXdrIn){ .data = data, .len = len };
}

gboolean
nc_xdr_ok(const NcXdrIn *in)
{
  return !in->failed;
}

static void
fail(NcXdrIn *in, const char *why)
{
  if (!in->failed) {
    in->failed = TRUE;
    in->why = why;
  }
}

/* n bytes at the cursor, or NULL (and failed) when fewer remain. */
static const guint8 *
take(NcXdrIn *in, gsize n)
{
  if (in->failed)
    return NULL;
  if (n > in->len - in->pos) {
    fail(in, "message too short");
    return NULL;
  }
  const guint8 *p = in->data + in->pos;
  in->pos += n;
  return p;
}

guint32
nc_xdr_get_u32(NcXdrIn *in)
{
  const guint8 *p = take(in, 4);
  guint32 be;
  if (p == NULL)
    return 0;
  memcpy(&be, p, 4);
  return GUINT32_FROM_BE(be);
}

gint32
nc_xdr_get_i32(NcXdrIn *in)
{
  return (gint32)nc_xdr_get_u32(in);
}

guint64
nc_xdr_get_u64(NcXdrIn *in)
{
  const guint8 *p = take(in, 8);
  guint64 be;
  if (p == NULL)
    return 0;
  memcpy(&be, p, 8);
  return GUINT64_FROM_BE(be);
}

gint64
nc_xdr_get_i64(NcXdrIn *in)
{
  return (gint64)nc_xdr_get_u64(in);
}

double
nc_xdr_get_double(NcXdrIn *in)
{
  guint64 bits = nc_xdr_get_u64(in);
  double v;
  memcpy(&v, &bits, sizeof(v));
  return v;
}

gboolean
nc_xdr_get_bool(NcXdrIn *in)
{
  guint32 v = nc_xdr_get_u32(in);
  if (v > 1)
    fail(in, "invalid boolean");
  return v == 1;
}

void
nc_xdr_get_opaque(NcXdrIn *in, guint8 *out, gsize n)
{
  const guint8 *p = take(in, n);
  if (p == NULL || take(in, padding(n)) == NULL) {
    memset(out, 0, n);
    return;
  }
  memcpy(out, p, n);
}

char *
nc_xdr_get_string(NcXdrIn *in, guint32 max)
{
  guint32 n = nc_xdr_get_u32(in);
  if (in->failed)
    return NULL;
  if (n > max) {
    fail(in, "string longer than the protocol allows");
    return NULL;
  }
  const guint8 *p = take(in, n);
  if (p == NULL || take(in, padding(n)) == NULL)
    return NULL;
  if (memchr(p, '\0', n) != NULL) {
    fail(in, "string with a NUL byte");
    return NULL;
  }
  return g_strndup((const char *)p, n);
}

char *
nc_xdr_get_opt_string(NcXdrIn *in, guint32 max)
{
  if (!nc_xdr_get_bool(in))
    return NULL;
  return nc_xdr_get_string(in, max);
}

guint32
nc_xdr_get_array_len(NcXdrIn *in, guint32 max, gsize min_elem_size)
{
  guint32 n = nc_xdr_get_u32(in);
  if (in->failed)
    return 0;
  if (n > max) {
    fail(in, "array longer than the protocol allows");
    return 0;
  }
  if (min_elem_size > 0 && (guint64)n * min_elem_size > in->len - in->pos) {
    fail(in, "message too short");
    return 0;
  }
  return n;
}
