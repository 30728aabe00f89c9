/* The daemon object's front-end slots (nc_daemon_set_frontend_data): state
 * that front ends used to hang off the daemon pointer with g_dataset, a
 * process-wide table. Two daemons in one process keep their own state; a
 * slot's destroy function runs on replacement, removal and in
 * nc_daemon_free(), while the daemon is still whole. No root needed. */
#include <glib.h>
#include <glib/gstdio.h>

#include "nc-daemon.h"

typedef struct {
  NcDaemon *daemon; /* the daemon the slot belongs to */
  const char *tag;
  int destroyed;
  guint handler_id;
  gboolean daemon_whole; /* it could still list networks when destroyed */
} Slot;

static void
rm_rf(const char *path)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    g_autofree char *child = g_build_filename(path, name, NULL);
    if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
      rm_rf(child);
    else
      g_unlink(child);
  }
  g_rmdir(path);
}

static void
on_event(NcDaemon *daemon, const NcEvent *ev, gpointer user_data)
{
}

static void
slot_destroy(gpointer data)
{
  Slot *slot = data;
  slot->destroyed++;
  /* What the D-Bus front end does in its destroy function. */
  g_autoptr(GPtrArray) nets = nc_daemon_list(slot->daemon, 0);
  slot->daemon_whole = nets != NULL;
  if (slot->handler_id)
    nc_daemon_remove_event_handler(slot->daemon, slot->handler_id);
  slot->handler_id = 0;
}

static NcDaemon *
open_daemon(char **ret_root)
{
  g_autoptr(GError) error = NULL;
  *ret_root = g_dir_make_tmp("netctl-slot-XXXXXX", &error);
  g_assert_no_error(error);
  NcDaemonOptions opts = { .root = *ret_root, .no_autostart = TRUE, .no_default_network = TRUE };
  NcDaemon *daemon = nc_daemon_new(&opts, &error);
  g_assert_no_error(error);
  return daemon;
}

static void
test_slots(void)
{
  g_autofree char *root_a = NULL, *root_b = NULL;
  NcDaemon *a = open_daemon(&root_a);
  NcDaemon *b = open_daemon(&root_b);
  Slot sa = { .daemon = a, .tag = "a" }, sb = { .daemon = b, .tag = "b" };
  Slot sa2 = { .daemon = a, .tag = "a2" };

  g_assert_null(nc_daemon_get_frontend_data(a, "dbus"));
  nc_daemon_set_frontend_data(a, "dbus", &sa, slot_destroy);
  nc_daemon_set_frontend_data(b, "dbus", &sb, slot_destroy);
  /* Same key, two daemons: each its own. */
  g_assert_true(nc_daemon_get_frontend_data(a, "dbus") == &sa);
  g_assert_true(nc_daemon_get_frontend_data(b, "dbus") == &sb);
  g_assert_null(nc_daemon_get_frontend_data(a, "other"));

  /* Replacing destroys the old data once. */
  nc_daemon_set_frontend_data(a, "dbus", &sa2, slot_destroy);
  g_assert_cmpint(sa.destroyed, ==, 1);
  g_assert_true(nc_daemon_get_frontend_data(a, "dbus") == &sa2);
  /* Emptying destroys it; emptying again is a no-op. */
  nc_daemon_set_frontend_data(a, "dbus", NULL, NULL);
  g_assert_cmpint(sa2.destroyed, ==, 1);
  nc_daemon_set_frontend_data(a, "dbus", NULL, NULL);
  g_assert_cmpint(sa2.destroyed, ==, 1);
  g_assert_null(nc_daemon_get_frontend_data(a, "dbus"));
  g_assert_true(nc_daemon_get_frontend_data(b, "dbus") == &sb);

  /* nc_daemon_free() destroys what is left, first, with the daemon whole:
   * the destroy function can still list and remove its event handler. */
  sb.handler_id = nc_daemon_add_event_handler(b, on_event, NULL, NULL);
  nc_daemon_free(b);
  g_assert_cmpint(sb.destroyed, ==, 1);
  g_assert_true(sb.daemon_whole);
  g_assert_cmpuint(sb.handler_id, ==, 0);
  g_assert_cmpint(sa.destroyed, ==, 1); /* the other daemon's data untouched */

  nc_daemon_free(a);
  g_assert_cmpint(sa2.destroyed, ==, 1);
  rm_rf(root_a);
  rm_rf(root_b);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/robust/frontend-slot", test_slots);
  return g_test_run();
}
