/* Runs the fuzz target over files given on the command line (or every file in
 * the directories given), so crash inputs found by the fuzzer stay regression
 * tests in the ordinary build. A path after --if-present may be absent
 * (libvirt's test data in ../shared): the replay says so and goes on. */
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents(path, &data, &len, &error)) {
    fprintf(stderr, "%s\n", error->message);
    return 1;
  }
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  return 0;
}

int
main(int argc, char **argv)
{
  int status = 0;
  guint n = 0;
  gboolean optional = FALSE;

  for (int i = 1; i < argc; i++) {
    if (g_str_equal(argv[i], "--if-present")) {
      optional = TRUE;
      continue;
    }
    if (optional && !g_file_test(argv[i], G_FILE_TEST_EXISTS)) {
      printf("not replaying %s: absent\n", argv[i]);
      optional = FALSE;
      continue;
    }
    optional = FALSE;
    if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
      g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
      const char *name;
      while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_build_filename(argv[i], name, NULL);
        status |= replay_file(path);
        n++;
      }
    } else {
      status |= replay_file(argv[i]);
      n++;
    }
  }
  printf("replayed %u inputs\n", n);
  return status;
}
