/* Which lease helper netctld runs: the build tree's when the running program
 * lives in the build tree (an uninstalled netctld, and every test here), else
 * the installed one. The test environment does not set NETCTL_LEASESHELPER, so
 * every daemon test depends on this choice. */
#include <unistd.h>

#include <glib.h>

#include "helper-path.h"
#include "nc-config.h"

static void
test_build_tree(void)
{
  g_autofree char *path = nc_leaseshelper_default_path();
  g_autofree char *want = g_build_filename(NC_BUILD_ROOT, "tools", "netctl-leaseshelper", NULL);
  g_assert_cmpstr(path, ==, want);
  g_assert_true(g_file_test(path, G_FILE_TEST_IS_EXECUTABLE));
}

static void
test_prefix_match(void)
{
  g_autofree char *root = g_dir_make_tmp("nc-helper-XXXXXX", NULL);
  g_assert_nonnull(root);
  g_autofree char *inside = g_build_filename(root, "daemon", "exe", "netctld", NULL);
  g_autofree char *sibling = g_strconcat(root, "-other/netctld", NULL);
  g_assert_true(nc_exe_in_build_tree(inside, root));
  /* A directory whose name merely starts with the build root's is elsewhere. */
  g_assert_false(nc_exe_in_build_tree(sibling, root));
  g_assert_false(nc_exe_in_build_tree("/usr/sbin/netctld", root));
  g_assert_false(nc_exe_in_build_tree(inside, "/nonexistent/build"));
  g_assert_false(nc_exe_in_build_tree(NULL, root));
  rmdir(root);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/helper-path/build-tree", test_build_tree);
  g_test_add_func("/helper-path/prefix-match", test_prefix_match);
  return g_test_run();
}
