/* The NB monitor (drivers/kernel/ovn-nb-watch.h) against a fake OVSDB server
 * on a unix socket: the first state split across writes (a brace inside a
 * string), an echo answered, an update applied, the connection lost and made
 * again with the whole state asked anew. No OVN needed: the server is a
 * thread of this test, every wait bounded. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ovn-defs.h"
#include "ovn-nb-watch.h"

#define U "5d0c3a52-8e1b-4b0e-9a53-2f6f2a1c7d11"

static const char *const STATE1_A
    = "{\"id\":0,\"error\":null,\"result\":{\"NB_Global\":{\"g1\":{\"new\":{\"external_ids\":"
      "[\"map\",[[\"netctl-definition-" U "\",\"<x a='}{'/>\"],";
static const char *const STATE1_B
    = "[\"netctl-version-" U "\",\"3\"],[\"netctl-autostart-" U "\",\"yes\"]]]}}},"
      "\"Logical_Switch\":{\"s1\":{\"new\":{\"external_ids\":[\"map\",[[\"netctl-uuid\",\"" U
      "\"]]]}},\"s2\":{\"new\":{\"external_ids\":[\"map\",[]]}}}}}";
static const char *const ECHO = "{\"id\":\"e1\",\"method\":\"echo\",\"params\":[]}";
static const char *const UPDATE
    = "{\"id\":null,\"method\":\"update\",\"params\":[null,{\"Logical_Switch\":{\"s1\":"
      "{\"old\":{\"external_ids\":[\"map\",[]]}}}}]}";
static const char *const STATE2
    = "{\"id\":0,\"error\":null,\"result\":{\"NB_Global\":{\"g1\":{\"new\":{\"external_ids\":"
      "[\"map\",[]]}}}}}";

typedef struct {
  GSocket *listener;
  gboolean echo_answered;
  gboolean monitor_asked[2];
} Server;

static char *
read_some(GSocket *s)
{
  char buf[4096];
  g_socket_set_timeout(s, 10);
  gssize n = g_socket_receive(s, buf, sizeof(buf) - 1, NULL, NULL);
  return n > 0 ? g_strndup(buf, n) : g_strdup("");
}

static void
send_str(GSocket *s, const char *text)
{
  g_assert_cmpint(g_socket_send(s, text, strlen(text), NULL, NULL), ==, (gssize)strlen(text));
}

static gpointer
serve(gpointer data)
{
  Server *sv = data;
  g_socket_set_timeout(sv->listener, 10);
  g_autoptr(GSocket) c1 = g_socket_accept(sv->listener, NULL, NULL);
  g_assert_nonnull(c1);
  g_autofree char *req = read_some(c1);
  sv->monitor_asked[0] = strstr(req, "\"monitor\"") && strstr(req, "OVN_Northbound");
  send_str(c1, STATE1_A);
  g_usleep(50000); /* the rest later: the reader must wait for a whole object */
  send_str(c1, STATE1_B);
  send_str(c1, ECHO);
  g_autofree char *reply = read_some(c1);
  sv->echo_answered = strstr(reply, "\"e1\"") && strstr(reply, "\"result\"");
  send_str(c1, UPDATE);
  g_usleep(200000);
  g_socket_close(c1, NULL); /* lost: the watch comes back and asks again */
  g_autoptr(GSocket) c2 = g_socket_accept(sv->listener, NULL, NULL);
  g_assert_nonnull(c2);
  g_autofree char *req2 = read_some(c2);
  sv->monitor_asked[1] = strstr(req2, "\"monitor\"") != NULL;
  send_str(c2, STATE2);
  g_autofree char *rest = read_some(c2); /* until the test closes it */
  return NULL;
}

typedef struct {
  guint calls;
  gboolean had_switch[4];
} Seen;

static void
on_change(NcOvnNbWatch *w, gpointer data)
{
  Seen *seen = data;
  if (seen->calls < G_N_ELEMENTS(seen->had_switch))
    seen->had_switch[seen->calls] = nc_ovn_nb_watch_has_switch(w, U);
  seen->calls++;
}

static void
run_until(Seen *seen, guint calls)
{
  gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  while (seen->calls < calls && g_get_monotonic_time() < end)
    g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), TRUE);
  g_assert_cmpuint(seen->calls, >=, calls);
}

static void
test_watch(void)
{
  g_autofree char *dir = g_dir_make_tmp("nbwatch-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "nb.sock", NULL);
  Server sv = { 0 };
  sv.listener = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
  g_assert_true(g_socket_bind(sv.listener, addr, TRUE, NULL));
  g_assert_true(g_socket_listen(sv.listener, NULL));
  GThread *thread = g_thread_new("fake-nb", serve, &sv);

  Seen seen = { 0 };
  g_autofree char *remote = g_strconcat("unix:", path, NULL);
  NcOvnNbWatch *w = nc_ovn_nb_watch_new(remote, on_change, &seen);
  run_until(&seen, 1); /* the first state */
  g_assert_true(seen.had_switch[0]);
  g_autoptr(GPtrArray) defs = nc_ovn_nb_defs_from_map(nc_ovn_nb_watch_global(w));
  g_assert_cmpuint(defs->len, ==, 1);
  NcOvnNbDef *d = defs->pdata[0];
  g_assert_cmpstr(d->net_uuid, ==, U);
  g_assert_cmpstr(d->xml, ==, "<x a='}{'/>");
  g_assert_cmpuint(d->version, ==, 3);
  g_assert_true(d->autostart);
  run_until(&seen, 2); /* the update: the switch went */
  g_assert_false(seen.had_switch[1]);
  g_assert_false(nc_ovn_nb_watch_has_switch(w, U));
  run_until(&seen, 3); /* reconnected: the whole state again */
  g_assert_true(nc_ovn_nb_watch_current(w));
  g_autoptr(GPtrArray) none = nc_ovn_nb_defs_from_map(nc_ovn_nb_watch_global(w));
  g_assert_cmpuint(none->len, ==, 0);
  nc_ovn_nb_watch_free(w); /* closes: the server's last read ends */
  g_thread_join(thread);
  g_assert_true(sv.monitor_asked[0] && sv.monitor_asked[1]);
  g_assert_true(sv.echo_answered);
  g_object_unref(sv.listener);
  g_unlink(path);
  g_rmdir(dir);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ovn/nb-watch", test_watch);
  return g_test_run();
}
