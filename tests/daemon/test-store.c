/* The persistent store: atomic writes, corrupt files, autostart links. No kernel. */
#include <string.h>
#include <sys/stat.h>

#include "nc-error.h"
#include "network-xml.h"
#include "status.h"
#include "store.h"
#include "test-util.h"
#include "write-queue.h"

#define NET_XML(name, uuid)                                                                        \
  "<network>\n  <name>" name "</name>\n  <uuid>" uuid "</uuid>\n"                                  \
  "  <bridge name='virbr7' stp='on' delay='0'/>\n  <mac address='52:54:00:11:22:33'/>\n"           \
  "</network>\n"

typedef struct {
  char *root;
  NcPaths *paths;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
  f->root = tu_make_root();
  f->paths = nc_paths_new(f->root);
}

static void
teardown(Fixture *f, gconstpointer data)
{
  tu_rm_rf(f->root);
  g_free(f->root);
  nc_paths_free(f->paths);
}

static void
test_paths(void)
{
  g_autoptr(NcPaths) sys = nc_paths_new(NULL);
  g_assert_cmpstr(sys->config_dir, ==, "/etc/libvirt/qemu/networks");
  g_assert_cmpstr(sys->autostart_dir, ==, "/etc/libvirt/qemu/networks/autostart");
  g_assert_cmpstr(sys->state_dir, ==, "/run/libvirt/network");
  g_assert_cmpstr(sys->dnsmasq_dir, ==, "/var/lib/libvirt/dnsmasq");
  g_assert_cmpstr(sys->socket_dir, ==, "/run/libvirt");
  g_autoptr(NcPaths) relative = nc_paths_new("x/../y");
  g_autofree char *cwd = g_get_current_dir();
  g_autofree char *expect = g_build_filename(cwd, "y", "run/libvirt/network", NULL);
  g_assert_cmpstr(relative->state_dir, ==, expect);
  g_autoptr(NcPaths) rooted = nc_paths_new("/tmp/x/");
  g_assert_cmpstr(rooted->config_dir, ==, "/tmp/x/etc/libvirt/qemu/networks");
  g_assert_cmpstr(rooted->state_dir, ==, "/tmp/x/run/libvirt/network");
}

static void
test_atomic_write(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename(f->paths->config_dir, "a.xml", NULL);
  g_assert_true(nc_store_write_atomic(path, "first", -1, 0600, &error));
  g_assert_no_error(error);
  g_assert_true(nc_store_write_atomic(path, "second", -1, 0600, &error));
  g_autofree char *contents = tu_read(path);
  g_assert_cmpstr(contents, ==, "second");
  /* Nothing but the file itself: no temporary left behind. */
  g_autofree char *listing = tu_list_dir(f->paths->config_dir);
  g_assert_cmpstr(listing, ==, "a.xml");
  struct stat st;
  g_assert_cmpint(stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);

  /* The mode asked for, whatever the umask (one implementation for the tree:
   * drivers/kernel/atomic-file.c), durable or not. */
  mode_t old_umask = umask(077);
  g_autofree char *shared = g_build_filename(f->paths->config_dir, "shared", NULL);
  g_assert_true(nc_store_write_atomic(shared, "x", -1, 0644, &error));
  g_assert_cmpint(stat(shared, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0644);
  g_assert_true(nc_store_write_atomic_volatile(shared, "y", -1, 0640, &error));
  g_assert_cmpint(stat(shared, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0640);
  umask(old_umask);
  g_assert_no_error(error);

  /* A directory we cannot create: a clear error, nothing written. */
  g_autofree char *blocker = g_build_filename(f->root, "file", NULL);
  tu_write(blocker, "x");
  g_autofree char *bad = g_build_filename(blocker, "sub", "b.xml", NULL);
  g_assert_false(nc_store_write_atomic(bad, "x", -1, 0600, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED);
  g_assert_nonnull(strstr(error->message, blocker));
}

static void
test_save_load(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(
      NET_XML("lab", "11111111-2222-3333-4444-555555555555"), NULL, NC_NETWORK_PARSE_CHECK, &error);
  g_assert_no_error(error);
  g_assert_true(nc_store_save_config(f->paths, def, &error));
  g_assert_no_error(error);

  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) defs = nc_store_load_configs(f->paths, problems);
  g_assert_cmpuint(problems->len, ==, 0);
  g_assert_cmpuint(defs->len, ==, 1);
  NcNetworkDef *loaded = defs->pdata[0];
  g_assert_cmpstr(loaded->name, ==, "lab");
  g_assert_cmpstr(loaded->bridge.name, ==, "virbr7");

  g_assert_true(nc_store_delete_config(f->paths, "lab", &error));
  g_autofree char *listing = tu_list_dir(f->paths->config_dir);
  g_assert_cmpstr(listing, ==, "");
}

static void
test_corrupt_skipped(Fixture *f, gconstpointer data)
{
  g_autofree char *good = g_build_filename(f->paths->config_dir, "good.xml", NULL);
  g_autofree char *corrupt = g_build_filename(f->paths->config_dir, "corrupt.xml", NULL);
  g_autofree char *invalid = g_build_filename(f->paths->config_dir, "invalid.xml", NULL);
  g_autofree char *misnamed = g_build_filename(f->paths->config_dir, "other.xml", NULL);
  g_autofree char *stale = g_build_filename(f->paths->config_dir, ".good.xml.AB12CD", NULL);
  tu_write(good, NET_XML("good", "11111111-2222-3333-4444-555555555555"));
  tu_write(corrupt, "<network><name>corrupt</name><uuid>"); /* cut short by a crash */
  tu_write(invalid, "<network><name>invalid</name><mtu size='nope'/></network>");
  tu_write(misnamed, NET_XML("notother", "11111111-2222-3333-4444-555555555556"));
  tu_write(stale, "<netw");

  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*corrupt.xml*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*invalid.xml*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*other.xml*does not match*");
  g_autoptr(GPtrArray) defs = nc_store_load_configs(f->paths, problems);
  g_test_assert_expected_messages();

  g_assert_cmpuint(defs->len, ==, 1);
  g_assert_cmpstr(((NcNetworkDef *)defs->pdata[0])->name, ==, "good");
  g_assert_cmpuint(problems->len, ==, 3);
  for (guint i = 0; i < problems->len; i++)
    g_test_message("problem: %s", (char *)problems->pdata[i]);
  g_assert_nonnull(strstr(problems->pdata[0], "corrupt.xml"));
  g_assert_nonnull(strstr(problems->pdata[1], "invalid.xml"));
  g_assert_nonnull(strstr(problems->pdata[1], "nope"));
  /* The interrupted write's temporary file is gone. */
  g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
}

static void
test_autostart_links(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_build_filename(f->paths->config_dir, "lab.xml", NULL);
  tu_write(config, NET_XML("lab", "11111111-2222-3333-4444-555555555555"));

  g_assert_false(nc_store_get_autostart(f->paths, "lab"));
  g_assert_true(nc_store_set_autostart(f->paths, "lab", TRUE, &error));
  g_assert_no_error(error);
  g_assert_true(nc_store_get_autostart(f->paths, "lab"));
  /* libvirt's shape: autostart/NAME.xml, a symlink to the config. */
  g_autofree char *link = g_build_filename(f->paths->autostart_dir, "lab.xml", NULL);
  g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
  g_autofree char *target = g_file_read_link(link, NULL);
  g_assert_cmpstr(target, ==, "../lab.xml");
  /* Setting it twice is fine and leaves one link. */
  g_assert_true(nc_store_set_autostart(f->paths, "lab", TRUE, &error));
  g_autofree char *listing = tu_list_dir(f->paths->autostart_dir);
  g_assert_cmpstr(listing, ==, "lab.xml");

  /* An absolute link, as libvirt makes them, counts too. */
  g_assert_true(nc_store_set_autostart(f->paths, "lab", FALSE, &error));
  g_assert_false(nc_store_get_autostart(f->paths, "lab"));
  g_assert_cmpint(symlink(config, link), ==, 0);
  g_assert_true(nc_store_get_autostart(f->paths, "lab"));

  /* A link to something else does not. */
  g_unlink(link);
  g_assert_cmpint(symlink("/dev/null", link), ==, 0);
  g_assert_false(nc_store_get_autostart(f->paths, "lab"));

  /* delete_config removes the link with the config. */
  g_assert_true(nc_store_set_autostart(f->paths, "lab", TRUE, &error));
  g_assert_true(nc_store_delete_config(f->paths, "lab", &error));
  g_assert_false(g_file_test(link, G_FILE_TEST_EXISTS)
                 || g_file_test(link, G_FILE_TEST_IS_SYMLINK));
  g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
}

/* Inside a batch the writes are visible at once and only their syncs wait for
 * the commit; a file written then removed in the same batch is no error. */
static void
test_group_commit(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) lab = nc_network_def_parse_string(
      NET_XML("lab", "11111111-2222-3333-4444-555555555555"), NULL, NC_NETWORK_PARSE_CHECK, &error);
  g_autoptr(NcNetworkDef) gone
      = nc_network_def_parse_string(NET_XML("gone", "11111111-2222-3333-4444-555555555556"), NULL,
                                    NC_NETWORK_PARSE_CHECK, &error);
  g_assert_no_error(error);
  NcStoreBatch *batch = f->paths->batch;

  g_assert_false(nc_store_batch_pending(batch));
  nc_store_batch_begin(batch);
  g_assert_true(nc_store_save_config(f->paths, lab, &error));
  g_assert_true(nc_store_set_autostart(f->paths, "lab", TRUE, &error));
  g_assert_true(nc_store_save_config(f->paths, gone, &error));
  g_assert_true(nc_store_delete_config(f->paths, "gone", &error));
  g_assert_no_error(error);
  g_assert_true(nc_store_batch_pending(batch));
  g_assert_true(nc_store_get_autostart(f->paths, "lab"));
  g_autofree char *listing = tu_list_dir(f->paths->config_dir);
  g_assert_cmpstr(listing, ==, "autostart lab.xml");
  /* Closed, what was noted still waits; a write now syncs at once. */
  nc_store_batch_end(batch);
  g_assert_true(nc_store_batch_pending(batch));
  g_autoptr(NcNetworkDef) now = nc_network_def_parse_string(
      NET_XML("now", "11111111-2222-3333-4444-555555555557"), NULL, NC_NETWORK_PARSE_CHECK, &error);
  g_assert_true(nc_store_save_config(f->paths, now, &error));
  g_assert_true(nc_store_batch_commit(batch, &error));
  g_assert_no_error(error);
  g_assert_false(nc_store_batch_pending(batch));

  /* Outside a batch nothing waits. */
  g_assert_true(nc_store_save_config(f->paths, gone, &error));
  g_assert_false(nc_store_batch_pending(batch));
}

typedef struct {
  Fixture *f;
  NcWriteQueue *queue;
  NcNetworkDef *def;
  GString *log;
} QueueCtx;

static void
held_reply(gpointer data, const GError *commit_error)
{
  QueueCtx *ctx = data;
  g_assert_no_error(commit_error);
  /* Sent after the slice's commit: nothing of it is left unsynced. */
  g_assert_false(nc_store_batch_pending(ctx->f->paths->batch));
  g_string_append(ctx->log, "reply;");
}

static void
define_job(gpointer data, gboolean run)
{
  QueueCtx *ctx = data;
  g_autoptr(GError) error = NULL;
  g_assert_true(run);
  g_assert_true(nc_store_save_config(ctx->f->paths, ctx->def, &error));
  g_assert_no_error(error);
  g_string_append(ctx->log, "define;");
  nc_write_queue_reply(ctx->queue, held_reply, ctx);
  g_string_append(ctx->log, "job end;");
}

static void
plain_reply(gpointer data, const GError *commit_error)
{
  QueueCtx *ctx = data;
  g_assert_no_error(commit_error);
  g_string_append(ctx->log, "plain reply;");
}

static void
plain_job(gpointer data, gboolean run)
{
  QueueCtx *ctx = data;
  g_assert_true(run);
  g_string_append(ctx->log, "plain;");
  nc_write_queue_reply(ctx->queue, plain_reply, ctx);
}

/* The write queue opens a batch around its slice and sends the replies held
 * during it after the commit, in order; outside a slice a reply goes at once. */
static void
test_group_commit_queue(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(
      NET_XML("lab", "11111111-2222-3333-4444-555555555555"), NULL, NC_NETWORK_PARSE_CHECK, &error);
  g_assert_no_error(error);
  g_autoptr(GString) log = g_string_new("");
  QueueCtx ctx = { f, nc_write_queue_new("test", f->paths->batch), def, log };

  nc_write_queue_push(ctx.queue, define_job, &ctx);
  nc_write_queue_push(ctx.queue, define_job, &ctx);
  /* The commit runs on its own thread; its end comes back to the loop. */
  gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
  while (!g_str_has_suffix(log->str, "reply;reply;") && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, nc_write_queue_length(ctx.queue) == 0);
  g_assert_cmpstr(log->str, ==, "define;job end;define;job end;reply;reply;");

  /* A reply of a change without writes, while a group's commit still runs,
   * waits behind that group's replies. */
  g_string_truncate(log, 0);
  nc_write_queue_push(ctx.queue, define_job, &ctx);
  while (nc_write_queue_length(ctx.queue) > 0 && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, FALSE);
  nc_write_queue_push(ctx.queue, plain_job, &ctx);
  while (!g_str_has_suffix(log->str, "plain reply;") && g_get_monotonic_time() < deadline)
    g_main_context_iteration(NULL, nc_write_queue_length(ctx.queue) == 0);
  /* Either the commit ended before the plain job ran, or its reply waited. */
  if (!g_str_equal(log->str, "define;job end;reply;plain;plain reply;"))
    g_assert_cmpstr(log->str, ==, "define;job end;plain;reply;plain reply;");

  g_string_truncate(log, 0);
  nc_write_queue_reply(ctx.queue, held_reply, &ctx);
  g_assert_cmpstr(log->str, ==, "reply;");
  nc_write_queue_free(ctx.queue);
}

static void
test_status_roundtrip(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(
      NET_XML("lab", "11111111-2222-3333-4444-555555555555"), NULL, NC_NETWORK_PARSE_CHECK, &error);
  g_assert_no_error(error);
  NcLiveState live;
  nc_live_state_init(&live);
  live.bridge_ifindex = 42;
  nc_live_state_set(&live, "dnsmasq-pid", "1234");
  nc_live_state_set(&live, "odd", "<'&\">");
  g_assert_true(nc_status_save(f->paths, def, &live, NC_STATUS_STARTING, &error));
  g_assert_no_error(error);

  g_autofree char *path = nc_status_path(f->paths, "lab");
  g_autofree char *text = tu_read(path);
  g_assert_true(g_str_has_prefix(text, "<networkstatus>\n  <class_id bitmap='0-2'/>\n"
                                       "  <floor sum='0'/>\n"
                                       "  <netctl bridge-ifindex='42' state='starting'>\n"));
  g_assert_nonnull(strstr(text, "\n  <network>\n    <name>lab</name>\n"));
  g_assert_true(g_str_has_suffix(text, "  </network>\n</networkstatus>\n"));

  /* A stray file, a bad one and one named after another network. */
  g_autofree char *other = nc_status_path(f->paths, "other");
  tu_write(other, text);
  g_autofree char *bad = nc_status_path(f->paths, "bad");
  tu_write(bad, "<networkstatus><network>");
  g_autofree char *pid = g_build_filename(f->paths->state_dir, "lab.pid", NULL);
  tu_write(pid, "1234\n");

  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*bad.xml*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*other.xml*does not match*");
  g_autoptr(GPtrArray) records = nc_status_load_all(f->paths, problems);
  g_test_assert_expected_messages();
  g_assert_cmpuint(records->len, ==, 1);
  NcStatusRecord *rec = records->pdata[0];
  g_assert_cmpstr(rec->def->name, ==, "lab");
  g_assert_cmpint(rec->state, ==, NC_STATUS_STARTING);
  g_assert_true(rec->has_netctl);
  g_assert_cmpint(rec->live.bridge_ifindex, ==, 42);
  g_assert_cmpstr(nc_live_state_get(&rec->live, "dnsmasq-pid"), ==, "1234");
  g_assert_cmpstr(nc_live_state_get(&rec->live, "odd"), ==, "<'&\">");
  nc_live_state_destroy(&live);

  g_assert_true(nc_status_delete(f->paths, "lab", &error));
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_assert_true(nc_status_delete(f->paths, "lab", &error)); /* already gone: fine */
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/store/paths", test_paths);
  g_test_add("/store/atomic-write", Fixture, NULL, setup, test_atomic_write, teardown);
  g_test_add("/store/save-load", Fixture, NULL, setup, test_save_load, teardown);
  g_test_add("/store/corrupt-skipped", Fixture, NULL, setup, test_corrupt_skipped, teardown);
  g_test_add("/store/autostart-links", Fixture, NULL, setup, test_autostart_links, teardown);
  g_test_add("/store/group-commit", Fixture, NULL, setup, test_group_commit, teardown);
  g_test_add("/store/group-commit-queue", Fixture, NULL, setup, test_group_commit_queue, teardown);
  g_test_add("/store/status-roundtrip", Fixture, NULL, setup, test_status_roundtrip, teardown);
  return g_test_run();
}
