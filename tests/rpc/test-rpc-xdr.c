/* XDR and framing of the libvirt protocol front end (daemon/rpc-xdr.c,
 * daemon/rpc-packet.c): exact bytes, bounds, and refusal of bad packets. */
#include <string.h>

#include "nc-error.h"
#include "rpc-packet.h"

static void
test_scalars(void)
{
  g_autoptr(GByteArray) b = g_byte_array_new();
  nc_xdr_put_u32(b, 0x01020304);
  nc_xdr_put_i32(b, -2);
  nc_xdr_put_u64(b, 0x0102030405060708ull);
  nc_xdr_put_i64(b, -3);
  nc_xdr_put_double(b, 1.5);
  static const guint8 want[] = { 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd,
                                 0x3f, 0xf8, 0, 0, 0, 0, 0, 0 };
  g_assert_cmpmem(b->data, b->len, want, sizeof(want));

  NcXdrIn in;
  nc_xdr_in_init(&in, b->data, b->len);
  g_assert_cmpuint(nc_xdr_get_u32(&in), ==, 0x01020304);
  g_assert_cmpint(nc_xdr_get_i32(&in), ==, -2);
  g_assert_cmpuint(nc_xdr_get_u64(&in), ==, 0x0102030405060708ull);
  g_assert_cmpint(nc_xdr_get_i64(&in), ==, -3);
  g_assert_cmpfloat(nc_xdr_get_double(&in), ==, 1.5);
  g_assert_true(nc_xdr_ok(&in));
  /* Past the end: fails, returns 0, stays failed. */
  g_assert_cmpuint(nc_xdr_get_u32(&in), ==, 0);
  g_assert_false(nc_xdr_ok(&in));
  g_assert_cmpstr(in.why, ==, "message too short");
}

static void
test_strings(void)
{
  g_autoptr(GByteArray) b = g_byte_array_new();
  nc_xdr_put_string(b, "abcde");
  nc_xdr_put_opt_string(b, NULL);
  nc_xdr_put_opt_string(b, "xy");
  guint8 uuid[16];
  for (int i = 0; i < 16; i++)
    uuid[i] = i;
  nc_xdr_put_opaque(b, uuid, 16);
  static const guint8 want[] = { 0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0, /* padded */
                                 0, 0, 0, 0,                                   /* NULL */
                                 0, 0, 0, 1, 0, 0, 0, 2, 'x', 'y', 0, 0 };
  g_assert_cmpmem(b->data, sizeof(want), want, sizeof(want));
  g_assert_cmpuint(b->len, ==, sizeof(want) + 16);

  NcXdrIn in;
  nc_xdr_in_init(&in, b->data, b->len);
  g_autofree char *s = nc_xdr_get_string(&in, 100);
  g_autofree char *n = nc_xdr_get_opt_string(&in, 100);
  g_autofree char *o = nc_xdr_get_opt_string(&in, 100);
  guint8 back[16];
  nc_xdr_get_opaque(&in, back, 16);
  g_assert_true(nc_xdr_ok(&in));
  g_assert_cmpstr(s, ==, "abcde");
  g_assert_null(n);
  g_assert_cmpstr(o, ==, "xy");
  g_assert_cmpmem(back, 16, uuid, 16);
  g_assert_cmpuint(in.pos, ==, in.len);

  /* Over its limit. */
  nc_xdr_in_init(&in, b->data, b->len);
  g_assert_null(nc_xdr_get_string(&in, 4));
  g_assert_false(nc_xdr_ok(&in));
}

static void
test_bad_input(void)
{
  NcXdrIn in;
  /* A string whose length word says more than there is. */
  static const guint8 short_str[] = { 0, 0, 0, 9, 'a', 'b', 'c', 'd' };
  nc_xdr_in_init(&in, short_str, sizeof(short_str));
  g_assert_null(nc_xdr_get_string(&in, 100));
  g_assert_false(nc_xdr_ok(&in));

  /* A NUL byte inside a string. */
  static const guint8 nul_str[] = { 0, 0, 0, 3, 'a', 0, 'c', 0 };
  nc_xdr_in_init(&in, nul_str, sizeof(nul_str));
  g_assert_null(nc_xdr_get_string(&in, 100));
  g_assert_cmpstr(in.why, ==, "string with a NUL byte");

  /* A bool that is neither 0 nor 1. */
  static const guint8 two[] = { 0, 0, 0, 2 };
  nc_xdr_in_init(&in, two, sizeof(two));
  nc_xdr_get_bool(&in);
  g_assert_false(nc_xdr_ok(&in));

  /* An array count the remaining bytes cannot hold: refused before anyone
   * allocates for 16384 elements. */
  static const guint8 big[] = { 0, 0, 0x40, 0, 0, 0, 0, 0 };
  nc_xdr_in_init(&in, big, sizeof(big));
  g_assert_cmpuint(nc_xdr_get_array_len(&in, 16384, 20), ==, 0);
  g_assert_false(nc_xdr_ok(&in));
  /* and one over the protocol's maximum */
  static const guint8 over[] = { 0, 0, 0x40, 1 };
  nc_xdr_in_init(&in, over, sizeof(over));
  g_assert_cmpuint(nc_xdr_get_array_len(&in, 16384, 0), ==, 0);
  g_assert_cmpstr(in.why, ==, "array longer than the protocol allows");
}

/* The CONNECT_OPEN call virsh sends, byte for byte. */
static void
test_packet(void)
{
  NcRpcHeader h = { NC_RPC_REMOTE_PROGRAM, 1, NC_PROC_CONNECT_OPEN, NC_RPC_CALL, 7, NC_RPC_OK };
  g_autoptr(GByteArray) p = nc_rpc_packet_new(&h);
  nc_xdr_put_opt_string(p, "network:///system");
  nc_xdr_put_u32(p, 0);
  g_assert_true(nc_rpc_packet_finish(p));
  static const guint8 head[] = { 0, 0, 0, 60, 0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 1,
                                 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0 };
  g_assert_cmpuint(p->len, ==, 60);
  g_assert_cmpmem(p->data, sizeof(head), head, sizeof(head));

  NcRpcHeader got;
  NcXdrIn body;
  g_autoptr(GError) error = NULL;
  g_assert_true(nc_rpc_packet_decode(p->data, p->len, &got, &body, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(got.prog, ==, NC_RPC_REMOTE_PROGRAM);
  g_assert_cmpint(got.proc, ==, NC_PROC_CONNECT_OPEN);
  g_assert_cmpuint(got.serial, ==, 7);
  g_autofree char *name = nc_xdr_get_opt_string(&body, NC_RPC_STRING_MAX);
  g_assert_cmpstr(name, ==, "network:///system");
}

static void
expect_refused(const guint8 *data, gsize len, const char *what)
{
  NcRpcHeader h;
  NcXdrIn body;
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_rpc_packet_decode(data, len, &h, &body, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_RPC);
  g_assert_nonnull(strstr(error->message, what));
}

static void
test_bad_packets(void)
{
  NcRpcHeader h = { NC_RPC_REMOTE_PROGRAM, 1, 1, NC_RPC_CALL, 1, NC_RPC_OK };
  g_autoptr(GByteArray) p = nc_rpc_packet_new(&h);
  nc_rpc_packet_finish(p);
  guint8 buf[28];
  memcpy(buf, p->data, 28);

  expect_refused(buf, 3, "no length word");
  buf[3] = 27; /* too small to hold a header */
  expect_refused(buf, 28, "too small");
  buf[0] = 0x02; /* 32 MiB + 27 */
  expect_refused(buf, 28, "exceeds the maximum");
  buf[0] = 0;
  buf[3] = 29; /* says more than there is */
  expect_refused(buf, 28, "length word says 29 bytes");
  buf[3] = 28;
  buf[19] = 9; /* type */
  expect_refused(buf, 28, "unknown message type 9");
  buf[19] = 0;
  buf[27] = 3; /* status */
  expect_refused(buf, 28, "unknown message status 3");

  /* The exact limit is accepted by the length check. */
  guint32 len;
  guint8 word[4] = { 0x02, 0, 0, 0 };
  g_assert_true(nc_rpc_frame_length(word, &len, NULL));
  g_assert_cmpuint(len, ==, NC_RPC_MESSAGE_MAX);
}

static void
test_error_body(void)
{
  NcRpcHeader call = { NC_RPC_REMOTE_PROGRAM, 1, NC_PROC_NETWORK_LOOKUP_BY_NAME, NC_RPC_CALL, 5,
                       NC_RPC_OK };
  g_autofree char *msg = nc_rpc_error_message(NC_ERROR_NO_NETWORK, "no network with matching name 'x'");
  g_assert_cmpstr(msg, ==, "Network not found: no network with matching name 'x'");
  g_autofree char *again = nc_rpc_error_message(NC_ERROR_NO_NETWORK, msg);
  g_assert_cmpstr(again, ==, msg); /* never twice */
  g_autofree char *inval = nc_rpc_error_message(NC_ERROR_OPERATION_INVALID, "network is not active");
  g_assert_cmpstr(inval, ==, "Requested operation is not valid: network is not active");

  g_autoptr(GByteArray) p = nc_rpc_packet_error(&call, NC_ERROR_NO_NETWORK, NC_RPC_FROM_NETWORK, msg);
  NcRpcHeader h;
  NcXdrIn in;
  g_assert_true(nc_rpc_packet_decode(p->data, p->len, &h, &in, NULL));
  g_assert_cmpuint(h.type, ==, NC_RPC_REPLY);
  g_assert_cmpuint(h.status, ==, NC_RPC_ERROR);
  g_assert_cmpuint(h.serial, ==, 5);
  g_assert_cmpint(h.proc, ==, NC_PROC_NETWORK_LOOKUP_BY_NAME);
  g_assert_cmpint(nc_xdr_get_i32(&in), ==, 43);
  g_assert_cmpint(nc_xdr_get_i32(&in), ==, 19);
  g_autofree char *m = nc_xdr_get_opt_string(&in, NC_RPC_STRING_MAX);
  g_assert_cmpstr(m, ==, msg);
  g_assert_cmpint(nc_xdr_get_i32(&in), ==, NC_RPC_ERR_LEVEL_ERROR);
  for (int i = 0; i < 4; i++)
    g_assert_false(nc_xdr_get_bool(&in)); /* dom, str1..3 absent */
  g_assert_cmpint(nc_xdr_get_i32(&in), ==, -1);
  g_assert_cmpint(nc_xdr_get_i32(&in), ==, -1);
  g_assert_false(nc_xdr_get_bool(&in)); /* net */
  g_assert_true(nc_xdr_ok(&in));
  g_assert_cmpuint(in.pos, ==, in.len);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rpc/xdr/scalars", test_scalars);
  g_test_add_func("/rpc/xdr/strings", test_strings);
  g_test_add_func("/rpc/xdr/bad-input", test_bad_input);
  g_test_add_func("/rpc/packet/connect-open", test_packet);
  g_test_add_func("/rpc/packet/bad", test_bad_packets);
  g_test_add_func("/rpc/packet/error", test_error_body);
  return g_test_run();
}
