/* libFuzzer target for the libvirt-protocol packet decoder and dispatcher
 * (daemon/rpc-packet.c, rpc-client.c, rpc-dispatch.c and every procedure's
 * argument decoding): the input is the byte stream a client sends on the
 * read-only socket of a real daemon core (a temporary state root with two
 * networks defined, nothing started). Any input must leave either a closed
 * connection or one whose every packet sent (read back from the socket's
 * other end, or still queued) is a well-formed reply or message; nothing
 * may crash or leak (run under ASan).
 *
 * Read-only on purpose: every changing procedure is refused before its
 * handler runs (tests/rpc/test-rpc-readonly.c), so the fuzzer cannot start
 * networks on the machine it runs on. */
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nc-daemon.h"
#include "rpc-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static NcDaemon *daemon_core;
static NcRpcServer server;

static void
setup(void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp("netctl-fuzz-rpc-XXXXXX", &error);
  if (root == NULL)
    abort();
  NcDaemonOptions opts = {
    .root = root,
    .no_autostart = TRUE,
    .no_default_network = TRUE,
  };
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
  daemon_core = nc_daemon_new(&opts, &error);
  if (daemon_core == NULL) {
    fprintf(stderr, "fuzz-rpc-packet: %s\n", error->message);
    abort();
  }
  static const char *const nets[] = {
    "<network><name>fuzz</name><uuid>c1a4bd6e-1b2f-4a3c-9d2e-0f1e2d3c4b5a</uuid>"
    "<bridge name='fuzzbr0'/><ip address='10.99.0.1' netmask='255.255.255.0'><dhcp>"
    "<range start='10.99.0.10' end='10.99.0.20'/></dhcp></ip></network>",
    "<network><name>other</name><bridge name='fuzzbr1'/></network>",
  };
  for (guint i = 0; i < G_N_ELEMENTS(nets); i++)
    if (nc_daemon_define_xml(daemon_core, nets[i], 0, &error) == NULL) {
      fprintf(stderr, "fuzz-rpc-packet: %s\n", error->message);
      abort();
    }
  server.daemon = daemon_core;
  server.clients = g_hash_table_new(g_direct_hash, g_direct_equal);
  server.graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)g_source_unref);
  server.max_clients = 4;
  g_free(root); /* the files stay for the process's life; the OS tmp cleaner has them */
}

static void
check_packet(const guint8 *data, gsize len)
{
  NcRpcHeader h;
  NcXdrIn body;
  if (!nc_rpc_packet_decode(data, len, &h, &body, NULL))
    abort();
  if (h.type != NC_RPC_REPLY && h.type != NC_RPC_MESSAGE)
    abort();
}

/* Every packet the server sent: those written to the socket (read back
 * from the peer end, reassembled) and those still queued. */
static void
check_output(NcRpcClient *c, int peer, GByteArray *sent)
{
  guint8 buf[65536];
  ssize_t n;
  while ((n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
    g_byte_array_append(sent, buf, (guint)n);
  while (sent->len >= 4) {
    guint32 len;
    if (!nc_rpc_frame_length(sent->data, &len, NULL))
      abort();
    if (sent->len < len)
      break;
    check_packet(sent->data, len);
    g_byte_array_remove_range(sent, 0, len);
  }
  if (c == NULL)
    return;
  GByteArray *p;
  while ((p = g_queue_pop_head(&c->out)) != NULL) {
    check_packet(p->data, p->len);
    g_byte_array_unref(p);
  }
  c->out_bytes = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  int sv[2];

  if (daemon_core == NULL)
    setup();
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
    abort();
  NcRpcClient *c = nc_rpc_client_new(&server, sv[0], TRUE);
  g_autoptr(GByteArray) sent = g_byte_array_new();
  c->uid = 0;
  /* In slices, as reads deliver it: a packet split anywhere must work. */
  gsize off = 0;
  while (off < size && !c->dead) {
    gsize n = MIN(size - off, (gsize)1 + (data[off] % 97));
    nc_rpc_client_feed(c, data + off, n);
    off += n;
    check_output(c->dead ? NULL : c, sv[1], sent);
  }
  if (!c->dead)
    nc_rpc_client_drop(c, "fuzz input done");
  g_ptr_array_set_size(server.graveyard, 0);
  if (server.graveyard_idle) {
    g_source_remove(server.graveyard_idle);
    server.graveyard_idle = 0;
  }
  close(sv[1]);
  return 0;
}
