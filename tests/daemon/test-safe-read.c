/* Hostile files in the state root (issue 12): the bounded reader itself, then
 * every reader built on it (lease database, MAC map, status files, network
 * definitions) given a FIFO, a symlink (to a FIFO, to /dev/zero), a
 * directory, a huge file, deeply nested JSON and invalid UTF-8. Nothing may
 * block, nothing may read without bound, and each refusal is a message naming
 * the file. No kernel, no root needed. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lease-file.h"
#include "leases.h"
#include "macmap.h"
#include "nc-error.h"
#include "safe-read.h"
#include "status.h"
#include "store.h"
#include "test-util.h"

typedef struct {
  char *root;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  f->root = tu_make_root();
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  tu_rm_rf(f->root);
  g_free(f->root);
}

static char *
path_in(Fixture *f, const char *name)
{
  return g_build_filename(f->root, name, NULL);
}

static void
make_fifo(const char *path)
{
  g_assert_cmpint(mkfifo(path, 0600), ==, 0);
}

static void
make_symlink(const char *target, const char *path)
{
  g_assert_cmpint(symlink(target, path), ==, 0);
}

static void
write_len(const char *path, const char *data, gssize len)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(g_file_set_contents(path, data, len, &error));
}

static void
test_bounded(Fixture *f, gconstpointer data)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_autofree char *plain = path_in(f, "plain");
  write_len(plain, "12345", 5);
  g_assert_cmpint(nc_file_read_bounded(plain, 5, &contents, &len), ==, 0);
  g_assert_cmpstr(contents, ==, "12345");
  g_assert_cmpuint(len, ==, 5);
  g_clear_pointer(&contents, g_free);

  /* One byte over the cap: refused, and *ret_contents left alone. */
  char *untouched = (char *)"x";
  g_assert_cmpint(nc_file_read_bounded(plain, 4, &untouched, &len), ==, -EFBIG);
  g_assert_cmpstr(untouched, ==, "x");

  g_autofree char *empty = path_in(f, "empty");
  write_len(empty, "", 0);
  g_assert_cmpint(nc_file_read_bounded(empty, 0, &contents, &len), ==, 0);
  g_assert_cmpstr(contents, ==, "");
  g_assert_cmpuint(len, ==, 0);
  g_clear_pointer(&contents, g_free);

  g_autofree char *missing = path_in(f, "missing");
  g_assert_cmpint(nc_file_read_bounded(missing, 100, &contents, NULL), ==, -ENOENT);

  /* A FIFO nobody writes: refused at once (a blocking open or read would
   * hang the test here). */
  g_autofree char *fifo = path_in(f, "fifo");
  make_fifo(fifo);
  g_assert_cmpint(nc_file_read_bounded(fifo, 100, &contents, NULL), ==, -EINVAL);

  g_autofree char *to_fifo = path_in(f, "to-fifo");
  make_symlink(fifo, to_fifo);
  g_assert_cmpint(nc_file_read_bounded(to_fifo, 100, &contents, NULL), ==, -ELOOP);
  g_autofree char *to_zero = path_in(f, "to-zero");
  make_symlink("/dev/zero", to_zero);
  g_assert_cmpint(nc_file_read_bounded(to_zero, 100, &contents, NULL), ==, -ELOOP);
  g_autofree char *to_plain = path_in(f, "to-plain");
  make_symlink(plain, to_plain);
  g_assert_cmpint(nc_file_read_bounded(to_plain, 100, &contents, NULL), ==, -ELOOP);

  g_assert_cmpint(nc_file_read_bounded("/dev/zero", 100, &contents, NULL), ==, -EINVAL);
  g_assert_cmpint(nc_file_read_bounded("/dev/null", 100, &contents, NULL), ==, -EINVAL);
  g_assert_cmpint(nc_file_read_bounded(f->root, 100, &contents, NULL), ==, -EINVAL);
  g_assert_null(contents);

  /* Large: refused from fstat, before any read. */
  g_autofree char *big = path_in(f, "big");
  int fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(ftruncate(fd, (off_t)1 << 40), ==, 0); /* 1 TiB, sparse */
  close(fd);
  g_assert_cmpint(nc_file_read_bounded(big, 1 << 20, &contents, NULL), ==, -EFBIG);

  /* procfs reports size 0: read by growing, still capped. */
  g_assert_cmpint(nc_file_read_bounded("/proc/self/status", 1 << 20, &contents, &len), ==, 0);
  g_assert_cmpuint(len, >, 0);
  g_assert_cmpuint(strlen(contents), ==, len);
  g_clear_pointer(&contents, g_free);
  g_assert_cmpint(nc_file_read_bounded("/proc/self/status", 10, &contents, &len), ==, -EFBIG);

  g_assert_true(nc_file_is_refusal(-ELOOP) && nc_file_is_refusal(-EINVAL)
                && nc_file_is_refusal(-EFBIG) && nc_file_is_refusal(-EOVERFLOW));
  g_assert_false(nc_file_is_refusal(-ENOENT) || nc_file_is_refusal(-EACCES));
  g_assert_cmpstr(nc_file_refusal_reason(-ELOOP), ==, "it is a symbolic link");
}

/* The OVSDB stream framer: fed a byte at a time it finds each object once
 * (strings with brackets and escaped quotes skipped), and refuses a message
 * nesting too deep as soon as it is seen. */
static void
test_json_frame(void)
{
  static const char stream[] = " {\"a\":\"}]\\\"{\",\"b\":[1,{\"c\":2}]}\n[3]{}";
  static const char *const expect[] = { " {\"a\":\"}]\\\"{\",\"b\":[1,{\"c\":2}]}", "\n[3]", "{}" };
  NcJsonFrame frame = { 0 };
  gsize start = 0, found = 0;
  for (gsize end = start + 1; end <= strlen(stream); end++) {
    gssize n = nc_json_frame_next(&frame, stream + start, end - start, 8);
    g_assert_cmpint(n, >=, 0);
    if (n == 0)
      continue;
    g_assert_cmpuint(found, <, G_N_ELEMENTS(expect));
    g_autofree char *got = g_strndup(stream + start, (gsize)n);
    g_assert_cmpstr(got, ==, expect[found]);
    found++;
    start += (gsize)n;
    frame = (NcJsonFrame){ 0 };
  }
  g_assert_cmpuint(found, ==, G_N_ELEMENTS(expect));

  frame = (NcJsonFrame){ 0 };
  g_assert_cmpint(nc_json_frame_next(&frame, "[[[", 3, 2), ==, -EOVERFLOW);
  frame = (NcJsonFrame){ 0 };
  g_assert_cmpint(nc_json_frame_next(&frame, "[[", 2, 2), ==, 0);
}

static void
test_json_depth(void)
{
  g_assert_cmpint(nc_json_check_depth("[]", -1, 1), ==, 0);
  g_assert_cmpint(nc_json_check_depth("[[]]", -1, 1), ==, -EOVERFLOW);
  g_assert_cmpint(nc_json_check_depth("[{\"a\":[1]}]", -1, 3), ==, 0);
  g_assert_cmpint(nc_json_check_depth("[{\"a\":[1]}]", -1, 2), ==, -EOVERFLOW);
  /* Brackets inside strings do not count, escaped quotes do not end them. */
  g_assert_cmpint(nc_json_check_depth("[\"[[[\\\"[[[\"]", -1, 1), ==, 0);
  /* Depth, not count: many siblings are fine. */
  g_autoptr(GString) wide = g_string_new("[");
  for (int i = 0; i < 1000; i++)
    g_string_append(wide, "[],");
  g_string_append(wide, "[]]");
  g_assert_cmpint(nc_json_check_depth(wide->str, -1, 2), ==, 0);
  g_autofree char *deep = g_strnfill(100000, '[');
  g_assert_cmpint(nc_json_check_depth(deep, -1, NC_JSON_MAX_DEPTH), ==, -EOVERFLOW);
  /* Length-bounded: what lies past len is not looked at. */
  g_assert_cmpint(nc_json_check_depth("[[[", 1, 1), ==, 0);
}

static void
test_sanitize(void)
{
  g_autofree char *a = nc_untrusted_string_sanitize("host\nname\x01\x7f");
  g_assert_cmpstr(a, ==, "host?name??");
  g_autofree char *b = nc_untrusted_string_sanitize("bad\xff\xfeutf8");
  g_assert_true(g_utf8_validate(b, -1, NULL));
  g_assert_null(strchr(b, '\xff'));
  g_autofree char *c = nc_untrusted_string_sanitize("caf\xc3\xa9 \xc2\x85"); /* é, NEL (C1) */
  g_assert_cmpstr(c, ==, "caf\xc3\xa9 ?");
  g_assert_null(nc_untrusted_string_sanitize(NULL));
}

/* -- the lease database ---------------------------------------------------- */

#define LEASE_JSON(hostname)                                                                       \
  "[{\"ip-address\":\"192.168.122.10\",\"mac-address\":\"52:54:00:00:00:01\","                     \
  "\"hostname\":\"" hostname "\",\"client-id\":\"01:\\u0007x\xc3\x28\",\"expiry-time\":0}]"

static void
assert_no_lease(const char *dir, const char *bridge)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leases = nc_leases_read(dir, bridge, NULL, NULL, 100, &error);
  g_assert_no_error(error);
  g_assert_nonnull(leases);
  g_assert_cmpuint(leases->len, ==, 0);
}

static void
test_lease_db(Fixture *f, gconstpointer data)
{
  /* Invalid UTF-8 and control characters: sanitized by the reader. */
  g_autofree char *path = nc_lease_status_path(f->root, "virbr1");
  write_len(path, LEASE_JSON("evil\\nhost\xff\\u0001"), -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leases = nc_leases_read(f->root, "virbr1", NULL, NULL, 100, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(leases->len, ==, 1);
  NcDhcpLease *l = g_ptr_array_index(leases, 0);
  g_assert_true(g_utf8_validate(l->hostname, -1, NULL));
  g_assert_true(g_utf8_validate(l->clientid, -1, NULL));
  g_assert_true(g_str_has_prefix(l->hostname, "evil?host"));
  g_assert_true(g_str_has_suffix(l->hostname, "?"));
  g_assert_true(g_str_has_prefix(l->clientid, "01:?x"));
  for (const char *p = l->hostname; *p; p++)
    g_assert_cmpint((guchar)*p, >=, 0x20);

  /* Deeply nested arrays: refused before json-glib recurses (it crashed). */
  g_autofree char *deep = g_strnfill(1000000, '[');
  write_len(path, deep, -1);
  g_autoptr(GPtrArray) entries = NULL;
  g_assert_cmpint(nc_lease_file_read(path, &entries), ==, -EOVERFLOW);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*virbr1.status*nests too deep*");
  assert_no_lease(f->root, "virbr1");
  g_test_assert_expected_messages();

  /* A FIFO, a symlink to one, a symlink to /dev/zero: no lease, no hang. */
  g_unlink(path);
  make_fifo(path);
  g_assert_cmpint(nc_lease_file_read(path, &entries), ==, -EINVAL);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*virbr1.status*not a regular file*");
  assert_no_lease(f->root, "virbr1");
  g_test_assert_expected_messages();

  g_autofree char *path2 = nc_lease_status_path(f->root, "virbr2");
  make_symlink(path, path2);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*virbr2.status*symbolic link*");
  assert_no_lease(f->root, "virbr2");
  g_test_assert_expected_messages();

  g_autofree char *path3 = nc_lease_status_path(f->root, "virbr3");
  make_symlink("/dev/zero", path3);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*virbr3.status*symbolic link*");
  assert_no_lease(f->root, "virbr3");
  g_test_assert_expected_messages();

  /* Over libvirt's 32 MiB: refused from its size. */
  g_autofree char *path4 = nc_lease_status_path(f->root, "virbr4");
  int fd = open(path4, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint(ftruncate(fd, 64 << 20), ==, 0);
  close(fd);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*virbr4.status*larger than*");
  assert_no_lease(f->root, "virbr4");
  g_test_assert_expected_messages();

  /* The writer replaces the FIFO (the rename takes the name). */
  g_autoptr(GPtrArray) fresh = nc_lease_entries_new();
  g_assert_cmpint(nc_lease_file_write(path, fresh), ==, 0);
  g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
}

static void
test_macmap(Fixture *f, gconstpointer data)
{
  g_autofree char *path = nc_macmap_path(f->root, "virbr1");
  make_fifo(path);
  char **macs = NULL;
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*virbr1.macs*not a regular file*");
  g_assert_cmpint(nc_macmap_lookup(f->root, "virbr1", "vm", &macs), ==, 0);
  g_test_assert_expected_messages();
  g_assert_cmpuint(g_strv_length(macs), ==, 0);
  g_strfreev(macs);
  /* An add replaces the FIFO with the map (the refusal was said once: the
   * map read is kept while the file is the one seen). */
  g_assert_cmpint(nc_macmap_add(f->root, "virbr1", "vm", "52:54:00:00:00:01"), ==, 0);
  g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));

  g_autofree char *deep = g_strnfill(100000, '[');
  write_len(path, deep, -1);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*virbr1.macs*nests too deep*");
  g_assert_cmpint(nc_macmap_lookup(f->root, "virbr1", "vm", &macs), ==, 0);
  g_test_assert_expected_messages();
  g_strfreev(macs);

  write_len(path, "[{\"domain\":\"v\\u0001m\xff\",\"macs\":[\"52:54:00:00:00:02\"]}]", -1);
  g_assert_cmpint(nc_macmap_lookup(f->root, "virbr1", "v?m\xef\xbf\xbd", &macs), ==, 0);
  g_assert_cmpuint(g_strv_length(macs), ==, 1);
  g_strfreev(macs);
}

/* -- status files and definitions ------------------------------------------- */

#define STATUS_XML(name)                                                                           \
  "<networkstatus>\n  <netctl bridge-ifindex='3' state='running'/>\n  <network>\n"                 \
  "    <name>" name "</name>\n    <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"             \
  "    <bridge name='virbr9'/>\n  </network>\n</networkstatus>\n"

static gboolean
has_problem(GPtrArray *problems, const char *a, const char *b)
{
  for (guint i = 0; i < problems->len; i++) {
    const char *p = g_ptr_array_index(problems, i);
    if (strstr(p, a) && strstr(p, b) && !strchr(p, '\n'))
      return TRUE;
  }
  return FALSE;
}

static void
test_status_files(Fixture *f, gconstpointer data)
{
  g_autoptr(NcPaths) paths = nc_paths_new(f->root);
  g_assert_cmpint(g_mkdir_with_parents(paths->state_dir, 0755), ==, 0);
  g_autofree char *good = g_build_filename(paths->state_dir, "good.xml", NULL);
  write_len(good, STATUS_XML("good"), -1);
  g_autofree char *fifo = g_build_filename(paths->state_dir, "fifo.xml", NULL);
  make_fifo(fifo);
  g_autofree char *zero = g_build_filename(paths->state_dir, "zero.xml", NULL);
  make_symlink("/dev/zero", zero);
  g_autofree char *to_fifo = g_build_filename(paths->state_dir, "tofifo.xml", NULL);
  make_symlink(fifo, to_fifo);
  g_autofree char *big = g_build_filename(paths->state_dir, "big.xml", NULL);
  int fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint(ftruncate(fd, 1 << 30), ==, 0);
  close(fd);
  g_autofree char *dir = g_build_filename(paths->state_dir, "dir.xml", NULL);
  g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);

  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*big.xml*larger than*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*dir.xml*not a regular file*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*fifo.xml*not a regular file*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*tofifo.xml*symbolic link*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*zero.xml*symbolic link*");
  g_autoptr(GPtrArray) records = nc_status_load_all(paths, problems);
  g_test_assert_expected_messages();
  g_assert_cmpuint(records->len, ==, 1);
  g_assert_cmpstr(((NcStatusRecord *)g_ptr_array_index(records, 0))->def->name, ==, "good");
  g_assert_cmpuint(problems->len, ==, 5);
  g_assert_true(has_problem(problems, "fifo.xml", "not a regular file"));
  g_assert_true(has_problem(problems, "zero.xml", "symbolic link"));
  g_assert_true(has_problem(problems, "big.xml", "larger than"));

  /* The same for definitions. */
  g_assert_cmpint(g_mkdir_with_parents(paths->config_dir, 0755), ==, 0);
  g_autofree char *cfifo = g_build_filename(paths->config_dir, "lab.xml", NULL);
  make_fifo(cfifo);
  g_autofree char *czero = g_build_filename(paths->config_dir, "zero.xml", NULL);
  make_symlink("/dev/zero", czero);
  g_autoptr(GPtrArray) problems2 = g_ptr_array_new_with_free_func(g_free);
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*lab.xml*not a regular file*");
  g_test_expect_message("netctl", G_LOG_LEVEL_WARNING, "*zero.xml*symbolic link*");
  g_autoptr(GPtrArray) defs = nc_store_load_configs(paths, problems2);
  g_test_assert_expected_messages();
  g_assert_cmpuint(defs->len, ==, 0);
  g_assert_cmpuint(problems2->len, ==, 2);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add("/safe-read/bounded", Fixture, NULL, fixture_set_up, test_bounded, fixture_tear_down);
  g_test_add_func("/safe-read/json-depth", test_json_depth);
  g_test_add_func("/safe-read/json-frame", test_json_frame);
  g_test_add_func("/safe-read/sanitize", test_sanitize);
  g_test_add("/safe-read/lease-db", Fixture, NULL, fixture_set_up, test_lease_db,
             fixture_tear_down);
  g_test_add("/safe-read/macmap", Fixture, NULL, fixture_set_up, test_macmap, fixture_tear_down);
  g_test_add("/safe-read/status-files", Fixture, NULL, fixture_set_up, test_status_files,
             fixture_tear_down);
  return g_test_run();
}
