/* Helpers shared by the daemon tests: temporary roots, files, a private
 * network namespace. Header-only: each test is one binary. */
#pragma once

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

static inline void
tu_rm_rf(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  if (dir) {
    const char *name;
    while ((name = g_dir_read_name(dir))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
        tu_rm_rf(child);
      else
        g_unlink(child);
    }
    g_dir_close(dir);
  }
  g_rmdir(path);
}

static inline char *
tu_make_root(void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp("netctl-daemon-test-XXXXXX", &error);
  g_assert_no_error(error);
  return root;
}

static inline void
tu_write(const char *path, const char *contents)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
  g_autoptr(GError) error = NULL;
  g_file_set_contents(path, contents, -1, &error);
  g_assert_no_error(error);
}

static inline char *
tu_read(const char *path)
{
  char *contents = NULL;
  if (!g_file_get_contents(path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static inline gint
tu_compare_strings(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Names in dir, sorted and joined with spaces ("" when empty or missing). */
static inline char *
tu_list_dir(const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  GDir *dir = g_dir_open(path, 0, NULL);
  if (dir) {
    const char *name;
    while ((name = g_dir_read_name(dir)))
      g_ptr_array_add(names, g_strdup(name));
    g_dir_close(dir);
  }
  g_ptr_array_sort(names, tu_compare_strings);
  g_ptr_array_add(names, NULL);
  return g_strjoinv(" ", (char **)names->pdata);
}

/* A private network and mount namespace with its own /sys, so the test sees
 * (and touches) only its own devices. FALSE when not permitted. */
static inline gboolean
tu_enter_private_netns(void)
{
  if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
    return FALSE;
  if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return FALSE;
  /* /sys shows the namespace that mounted it: mount a fresh one. */
  if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
    return FALSE;
  return TRUE;
}

static inline char *
tu_sysfs(const char *ifname, const char *attr)
{
  g_autofree char *path = g_strdup_printf("/sys/class/net/%s/%s", ifname, attr);
  char *v = tu_read(path);
  if (v)
    g_strchomp(v);
  return v;
}
