/* Replies of a hostile OVSDB server (a remote NB anyone on its network may
 * run): JSON nested 200,000 levels deep, which would overflow json-glib's
 * recursive parser, is refused before parsing by the transact client
 * (drivers/kernel/ovsdb-rpc.c, with the server named in the detail) and by
 * the NB monitor (drivers/kernel/ovn-nb-watch.c, which drops the connection
 * and asks again). The server is a thread of this test; every wait bounded. */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ovn-nb-watch.h"
#include "ovsdb-rpc.h"

#define DEEP 200000

typedef struct {
  GSocket *listener;
  gint accepted;
  gint dropped; /* connections the client closed after the deep message */
  guint serve;  /* connections to answer with the deep message */
} Server;

static char *
deep_message(void)
{
  GString *s = g_string_new("{\"id\":1,\"error\":null,\"result\":");
  for (guint i = 0; i < DEEP; i++)
    g_string_append_c(s, '[');
  for (guint i = 0; i < DEEP; i++)
    g_string_append_c(s, ']');
  g_string_append_c(s, '}');
  return g_string_free(s, FALSE);
}

static gpointer
serve(gpointer data)
{
  Server *sv = data;
  g_autofree char *deep = deep_message();
  g_socket_set_timeout(sv->listener, 10);
  for (guint i = 0; i < sv->serve; i++) {
    g_autoptr(GSocket) c = g_socket_accept(sv->listener, NULL, NULL);
    if (!c)
      break;
    g_atomic_int_inc(&sv->accepted);
    g_socket_set_timeout(c, 10);
    char buf[4096];
    if (g_socket_receive(c, buf, sizeof buf, NULL, NULL) <= 0)
      continue; /* the request (one read is enough to know it came) */
    gsize len = strlen(deep);
    for (gsize off = 0; off < len;) {
      gssize n = g_socket_send(c, deep + off, len - off, NULL, NULL);
      if (n <= 0)
        break;
      off += (gsize)n;
    }
    /* until the client drops the connection */
    while (g_socket_receive(c, buf, sizeof buf, NULL, NULL) > 0)
      ;
    g_atomic_int_inc(&sv->dropped);
  }
  return NULL;
}

static GSocket *
listen_at(const char *path)
{
  GSocket *s = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
  g_assert_true(g_socket_bind(s, addr, TRUE, NULL));
  g_assert_true(g_socket_listen(s, NULL));
  return s;
}

static void
test_transact_deep(void)
{
  g_autofree char *dir = g_dir_make_tmp("ovsdb-hostile-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "db.sock", NULL);
  Server sv = { .listener = listen_at(path), .serve = 1 };
  GThread *thread = g_thread_new("fake-ovsdb", serve, &sv);
  g_autofree char *remote = g_strconcat("unix:", path, NULL);
  g_autoptr(JsonArray) result = NULL;
  g_autofree char *detail = NULL;
  int r = nc_ovsdb_transact_db(remote, "OVN_Northbound", "[]", 10000, &result, &detail);
  g_assert_cmpint(r, ==, -EOVERFLOW);
  g_assert_null(result);
  g_assert_nonnull(detail);
  g_assert_nonnull(strstr(detail, path));
  g_assert_nonnull(strstr(detail, "nests deeper than 64 levels"));
  g_thread_join(thread); /* returns: the client closed the connection */
  g_assert_cmpint(sv.accepted, ==, 1);
  g_object_unref(sv.listener);
  g_unlink(path);
  g_rmdir(dir);
}

static void
test_watch_deep(void)
{
  g_autofree char *dir = g_dir_make_tmp("ovsdb-hostile-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "nb.sock", NULL);
  /* twice: the monitor drops the first connection and comes back */
  Server sv = { .listener = listen_at(path), .serve = 2 };
  GThread *thread = g_thread_new("fake-nb", serve, &sv);
  g_autofree char *remote = g_strconcat("unix:", path, NULL);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING,
                        "OVN NB monitor: a message from unix:*nb.sock was refused (its JSON "
                        "nests deeper than 64 levels); the connection is dropped");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*was refused*");
  NcOvnNbWatch *w = nc_ovn_nb_watch_new(remote, NULL, NULL);
  gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
  /* each deep message refused and its connection dropped by the monitor,
   * which then connects again */
  while (g_atomic_int_get(&sv.dropped) < 2 && g_get_monotonic_time() < end)
    g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), TRUE);
  g_assert_cmpint(g_atomic_int_get(&sv.dropped), ==, 2);
  g_assert_false(nc_ovn_nb_watch_current(w));
  nc_ovn_nb_watch_free(w);
  g_test_assert_expected_messages();
  g_thread_join(thread);
  g_object_unref(sv.listener);
  g_unlink(path);
  g_rmdir(dir);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ovsdb/hostile/transact-deep", test_transact_deep);
  g_test_add_func("/ovsdb/hostile/watch-deep", test_watch_deep);
  return g_test_run();
}
