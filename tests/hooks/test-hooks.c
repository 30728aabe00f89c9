/* Network hooks (drivers/kernel/hook.h, daemon/hooks.h) with real hook
 * programs: shell scripts in a temporary hooks directory record what they
 * were given (argv, environment, stdin, working directory, process group)
 * into files next to them. No root needed.
 *
 * The <hookData> documents are compared with golden files in data/;
 * NETCTL_REGENERATE=1 rewrites them. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hook.h"
#include "hooks.h"
#include "nc-daemon.h"
#include "nc-error.h"
#include "network-xml.h"
#include "port-def.h"

/* -- helpers ------------------------------------------------------------------------ */

static void
rm_rf(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  if (dir) {
    const char *name;
    while ((name = g_dir_read_name(dir))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
        rm_rf(child);
      else
        g_unlink(child);
    }
    g_dir_close(dir);
  }
  g_rmdir(path);
}

/* A temporary directory holding hooks/ (the hooks_dir) and out/ (where the
 * scripts record things). */
typedef struct {
  char *top;
  char *hooks;
  char *out;
} Env;

static void
env_init(Env *e)
{
  g_autoptr(GError) error = NULL;
  e->top = g_dir_make_tmp("netctl-hooks-XXXXXX", &error);
  g_assert_no_error(error);
  e->hooks = g_build_filename(e->top, "hooks", NULL);
  e->out = g_build_filename(e->top, "out", NULL);
  g_assert_cmpint(g_mkdir(e->hooks, 0755), ==, 0);
  g_assert_cmpint(g_mkdir(e->out, 0755), ==, 0);
}

static void
env_clear(Env *e)
{
  rm_rf(e->top);
  g_free(e->top);
  g_free(e->hooks);
  g_free(e->out);
}

static void
write_file(const char *path, const char *text, int mode)
{
  g_autoptr(GError) error = NULL;
  g_file_set_contents(path, text, -1, &error);
  g_assert_no_error(error);
  g_assert_cmpint(g_chmod(path, mode), ==, 0);
}

/* hooks/<rel> as a /bin/sh script with `body`; $OUT is the out/ directory
 * and $ME the script's name (the environment is the hook's, so the script
 * carries its paths). */
static char *
write_hook(Env *e, const char *rel, const char *body, int mode)
{
  char *path = g_build_filename(e->hooks, rel, NULL);
  g_autofree char *base = g_path_get_basename(rel);
  g_autofree char *text = g_strdup_printf("#!/bin/sh\nOUT='%s'\nME='%s'\n%s\n", e->out, base, body);
  write_file(path, text, mode);
  return path;
}

static void
make_network_d(Env *e)
{
  g_autofree char *d = g_build_filename(e->hooks, "network.d", NULL);
  g_assert_cmpint(g_mkdir(d, 0755), ==, 0);
}

static char *
read_out(Env *e, const char *name)
{
  g_autofree char *path = g_build_filename(e->out, name, NULL);
  char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_file_get_contents(path, &text, NULL, &error);
  g_assert_no_error(error);
  return text;
}

static gboolean
out_exists(Env *e, const char *name)
{
  g_autofree char *path = g_build_filename(e->out, name, NULL);
  return g_file_test(path, G_FILE_TEST_EXISTS);
}

static gboolean
run(Env *e, guint timeout_ms, NcHookOp op, NcHookSubOp sub_op, const char *doc, guint *n_run,
    GError **error)
{
  NcHookOptions opts = { .timeout_ms = timeout_ms };
  return nc_hook_run_with_options(&opts, e->hooks, "lab", op, sub_op, doc, n_run, error);
}

/* -- string tables -------------------------------------------------------------------- */

static void
test_enums(void)
{
  /* libvirt's virHookNetworkOp and virHookSubop spellings, in its order. */
  static const char *const ops[]
      = { "start", "started", "stopped", "port-created", "port-deleted", "updated" };
  static const char *const sub_ops[] = { "-", "begin", "end" };
  g_assert_cmpint(G_N_ELEMENTS(ops), ==, _NC_HOOK_OP_MAX);
  g_assert_cmpint(G_N_ELEMENTS(sub_ops), ==, _NC_HOOK_SUBOP_MAX);

  for (int v = 0; v < _NC_HOOK_OP_MAX; v++) {
    g_assert_cmpstr(nc_hook_op_to_string(v), ==, ops[v]);
    g_assert_cmpint(nc_hook_op_from_string(ops[v]), ==, v);
  }
  for (int v = 0; v < _NC_HOOK_SUBOP_MAX; v++) {
    g_assert_cmpstr(nc_hook_sub_op_to_string(v), ==, sub_ops[v]);
    g_assert_cmpint(nc_hook_sub_op_from_string(sub_ops[v]), ==, v);
  }
  g_assert_null(nc_hook_op_to_string(_NC_HOOK_OP_MAX));
  g_assert_null(nc_hook_sub_op_to_string(_NC_HOOK_SUBOP_MAX));
  g_assert_cmpint(nc_hook_op_from_string("plugged"), ==, -1);
  g_assert_cmpint(nc_hook_sub_op_from_string(NULL), ==, -1);

  g_assert_cmpint(NC_ERROR_HOOK_SCRIPT_FAILED, ==, 70);
  g_assert_cmpstr(nc_error_code_to_string(NC_ERROR_HOOK_SCRIPT_FAILED), ==, "HOOK_SCRIPT_FAILED");
}

/* -- nothing installed ------------------------------------------------------------------- */

static void
assert_nothing_runs(Env *e)
{
  g_autoptr(GError) error = NULL;
  guint n_run = 99;
  g_assert_false(nc_hook_present(e->hooks));
  g_autoptr(GPtrArray) list = nc_hook_list(e->hooks);
  g_assert_cmpuint(list->len, ==, 0);
  g_assert_true(run(e, 0, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, "<x/>", &n_run, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(n_run, ==, 0);
}

static void
test_none_installed(void)
{
  Env e;
  env_init(&e);

  /* No hooks directory at all (the usual case). */
  g_autofree char *missing = g_build_filename(e.top, "no-such-dir", NULL);
  guint n_run = 99;
  g_autoptr(GError) error = NULL;
  g_assert_false(nc_hook_present(missing));
  NcHookOptions opts = { 0 };
  g_assert_true(nc_hook_run_with_options(&opts, missing, "lab", NC_HOOK_OP_START,
                                         NC_HOOK_SUBOP_BEGIN, NULL, &n_run, &error));
  g_assert_cmpuint(n_run, ==, 0);

  /* An empty hooks directory, then an empty network.d. */
  assert_nothing_runs(&e);
  make_network_d(&e);
  assert_nothing_runs(&e);

  /* Things that are not programs: no x bit, a directory, a dangling
   * symlink, a symlink to a non-executable file, another driver's hook. */
  g_autofree char *a = write_hook(&e, "network.d/10-noexec", "touch \"$OUT/ran\"", 0644);
  g_autofree char *b = write_hook(&e, "network", "touch \"$OUT/ran\"", 0600);
  g_autofree char *c = write_hook(&e, "qemu", "touch \"$OUT/ran\"", 0755);
  g_autofree char *dir = g_build_filename(e.hooks, "network.d", "20-dir", NULL);
  g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
  g_autofree char *dangling = g_build_filename(e.hooks, "network.d", "30-dangling", NULL);
  g_assert_cmpint(symlink("/nonexistent/hook", dangling), ==, 0);
  g_autofree char *to_noexec = g_build_filename(e.hooks, "network.d", "40-link-noexec", NULL);
  g_assert_cmpint(symlink(a, to_noexec), ==, 0);
  assert_nothing_runs(&e);
  g_assert_false(out_exists(&e, "ran"));

  env_clear(&e);
}

/* -- what a hook gets ---------------------------------------------------------------------- */

static const char record_body[]
    = "printf '%s\\n' \"$0\" \"$@\" > \"$OUT/$ME.argv\"\n"
      /* the environment as execve() gave it, before the shell added to it */
      "tr '\\0' '\\n' < /proc/$$/environ | sort > \"$OUT/$ME.env\"\n"
      "pwd > \"$OUT/$ME.cwd\"\n"
      /* process group (field 5 of stat; the command name 'sh' has no blanks) */
      "echo \"$$ $(cut -d' ' -f5 /proc/$$/stat)\" > \"$OUT/$ME.pgrp\"\n"
      "if [ -e /proc/$$/fd/77 ]; then echo open; else echo closed; fi > \"$OUT/$ME.fd77\"\n"
      "cat > \"$OUT/$ME.stdin\"\n";

static void
test_records(void)
{
  Env e;
  env_init(&e);
  g_autofree char *hook = write_hook(&e, "network", record_body, 0700);

  /* Something of ours that must not reach the hook: a variable, and a
   * descriptor without close-on-exec. */
  g_setenv("NETCTL_HOOK_TEST_SECRET", "leak", TRUE);
  int fd = open("/dev/null", O_RDONLY);
  g_assert_cmpint(dup2(fd, 77), ==, 77);
  close(fd);

  const char *doc = "<hookData>\n  <network/>\n</hookData>";
  g_autoptr(GError) error = NULL;
  guint n_run = 0;
  g_assert_true(nc_hook_present(e.hooks));
  g_assert_true(run(&e, 0, NC_HOOK_OP_PORT_CREATED, NC_HOOK_SUBOP_BEGIN, doc, &n_run, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(n_run, ==, 1);
  close(77);
  g_unsetenv("NETCTL_HOOK_TEST_SECRET");

  g_autofree char *argv = read_out(&e, "network.argv");
  g_autofree char *want_argv = g_strdup_printf("%s\nlab\nport-created\nbegin\n-\n", hook);
  g_assert_cmpstr(argv, ==, want_argv);

  g_autofree char *stdin_text = read_out(&e, "network.stdin");
  g_assert_cmpstr(stdin_text, ==, doc);

  /* Only libvirt's variables: LC_ALL=C and what is passed through. */
  g_autofree char *env_text = read_out(&e, "network.env");
  g_auto(GStrv) vars = g_strsplit(env_text, "\n", -1);
  gboolean have_lc_all = FALSE, have_path = FALSE;
  static const char *const allowed[] = { "LC_ALL=", "LD_PRELOAD=", "LD_LIBRARY_PATH=", "PATH=",
                                         "HOME=",   "USER=",       "LOGNAME=",         "TMPDIR=" };
  for (char **v = vars; *v; v++) {
    if (!**v)
      continue;
    gboolean ok = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(allowed); i++)
      ok = ok || g_str_has_prefix(*v, allowed[i]);
    if (!ok)
      g_error("hook environment has %s", *v);
    have_lc_all = have_lc_all || g_str_equal(*v, "LC_ALL=C");
    have_path = have_path || g_str_has_prefix(*v, "PATH=");
  }
  g_assert_true(have_lc_all);
  g_assert_true(have_path);

  g_autofree char *cwd = read_out(&e, "network.cwd");
  g_assert_cmpstr(cwd, ==, "/\n");

  /* Its own process group: pid == pgrp. */
  g_autofree char *pgrp = read_out(&e, "network.pgrp");
  g_auto(GStrv) ids = g_strsplit(g_strstrip(pgrp), " ", 2);
  g_assert_cmpstr(ids[0], ==, ids[1]);

  g_autofree char *fd77 = read_out(&e, "network.fd77");
  g_assert_cmpstr(fd77, ==, "closed\n");

  /* No document: an empty stdin (end of file at once). */
  g_assert_true(run(&e, 0, NC_HOOK_OP_STOPPED, NC_HOOK_SUBOP_END, NULL, NULL, &error));
  g_autofree char *argv2 = read_out(&e, "network.argv");
  g_autofree char *want_argv2 = g_strdup_printf("%s\nlab\nstopped\nend\n-\n", hook);
  g_assert_cmpstr(argv2, ==, want_argv2);
  g_autofree char *empty = read_out(&e, "network.stdin");
  g_assert_cmpstr(empty, ==, "");

  env_clear(&e);
}

/* A document far larger than a pipe's buffer arrives whole; a hook that does
 * not read it at all is no failure (and no SIGPIPE for us). */
static void
test_large_stdin(void)
{
  Env e;
  env_init(&e);
  make_network_d(&e);
  g_autofree char *hook = write_hook(&e, "network", "wc -c > \"$OUT/count\"", 0755);
  g_autofree char *ignorer = write_hook(&e, "network.d/10-ignore", "exit 0", 0755);

  gsize size = 1024 * 1024 + 17;
  g_autofree char *doc = g_malloc(size + 1);
  memset(doc, 'x', size);
  doc[size] = '\0';
  g_autoptr(GError) error = NULL;
  guint n_run = 0;
  g_assert_true(run(&e, 0, NC_HOOK_OP_UPDATED, NC_HOOK_SUBOP_BEGIN, doc, &n_run, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(n_run, ==, 2);
  g_autofree char *count = read_out(&e, "count");
  g_assert_cmpuint(g_ascii_strtoull(count, NULL, 10), ==, size);

  env_clear(&e);
}

/* -- which programs, in which order ---------------------------------------------------- */

static void
test_order(void)
{
  Env e;
  env_init(&e);
  make_network_d(&e);
  const char *body = "echo \"$ME $2 $3\" >> \"$OUT/log\"";
  g_autofree char *main_hook = write_hook(&e, "network", body, 0755);
  g_autofree char *h20 = write_hook(&e, "network.d/20-b", body, 0755);
  g_autofree char *h10 = write_hook(&e, "network.d/10-a", body, 0750);
  g_autofree char *h_upper = write_hook(&e, "network.d/Z-upper", body, 0755);
  g_autofree char *h_dot = write_hook(&e, "network.d/.dot", body, 0755);
  g_autofree char *h_off = write_hook(&e, "network.d/15-off", body, 0644);
  /* A symlink to a program elsewhere runs under its own name, as in libvirt
   * (stat(), not lstat()). */
  g_autofree char *real = g_build_filename(e.top, "real-hook", NULL);
  g_autofree char *real_text
      = g_strdup_printf("#!/bin/sh\necho \"$(basename \"$0\") $2 $3\" >> '%s/log'\n", e.out);
  write_file(real, real_text, 0755);
  g_autofree char *link = g_build_filename(e.hooks, "network.d", "30-link", NULL);
  g_assert_cmpint(symlink(real, link), ==, 0);

  g_autoptr(GPtrArray) list = nc_hook_list(e.hooks);
  g_autofree char *dot = g_build_filename(e.hooks, "network.d", ".dot", NULL);
  const char *const want[] = { main_hook, dot, h10, h20, link, h_upper };
  g_assert_cmpuint(list->len, ==, G_N_ELEMENTS(want));
  for (guint i = 0; i < list->len; i++)
    g_assert_cmpstr(list->pdata[i], ==, want[i]);

  g_autoptr(GError) error = NULL;
  guint n_run = 0;
  g_assert_true(run(&e, 0, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, "<x/>", &n_run, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(n_run, ==, 6);
  g_autofree char *log = read_out(&e, "log");
  g_assert_cmpstr(log, ==,
                  "network start begin\n"
                  ".dot start begin\n"
                  "10-a start begin\n"
                  "20-b start begin\n"
                  "30-link start begin\n"
                  "Z-upper start begin\n");

  /* Only network.d, no main script. */
  g_unlink(main_hook);
  g_assert_true(nc_hook_present(e.hooks));
  g_assert_true(run(&e, 0, NC_HOOK_OP_STOPPED, NC_HOOK_SUBOP_END, NULL, &n_run, &error));
  g_assert_cmpuint(n_run, ==, 5);

  env_clear(&e);
}

/* -- failures ------------------------------------------------------------------------------- */

static void
assert_fails_with(Env *e, const char *want_message, guint want_n_run)
{
  g_autoptr(GError) error = NULL;
  guint n_run = 0;
  g_assert_false(run(e, 0, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, "<x/>", &n_run, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_HOOK_SCRIPT_FAILED);
  g_assert_cmpstr(error->message, ==, want_message);
  g_assert_cmpuint(n_run, ==, want_n_run);
}

static void
test_failure(void)
{
  Env e;
  env_init(&e);
  make_network_d(&e);

  /* The first non-empty line of stderr, not stdout. */
  g_autofree char *hook = write_hook(
      &e, "network",
      "echo 'on stdout'\nprintf '\\n  Could not find required XYZZY  \\nsecond\\n' >&2\nexit 3",
      0755);
  g_autofree char *after = write_hook(&e, "network.d/50-after", "touch \"$OUT/after\"", 0755);
  g_autofree char *want
      = g_strdup_printf("hook script %s failed (exit 3): Could not find required XYZZY", hook);
  assert_fails_with(&e, want, 2);
  /* As libvirt: the other programs still ran. */
  g_assert_true(out_exists(&e, "after"));

  /* stdout when stderr is empty; control characters escaped. */
  g_free(write_hook(&e, "network", "printf 'bad\\033[31m red\\tx\\n'\nexit 1", 0755));
  g_free(want);
  want = g_strdup_printf("hook script %s failed (exit 1): bad\\x1b[31m red\\x09x", hook);
  assert_fails_with(&e, want, 2);

  /* No output at all. */
  g_free(write_hook(&e, "network", "exit 2", 0755));
  g_free(want);
  want = g_strdup_printf("hook script %s failed (exit 2)", hook);
  assert_fails_with(&e, want, 2);

  /* A long line is cut. */
  g_free(write_hook(&e, "network",
                    "i=0; while [ $i -lt 100 ]; do printf 'abcdefghij'; i=$((i+1)); done >&2\n"
                    "exit 1",
                    0755));
  g_autoptr(GError) error = NULL;
  g_assert_false(run(&e, 0, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, NULL, NULL, &error));
  g_assert_true(g_str_has_suffix(error->message, "abcdefghij..."));
  g_assert_cmpuint(strlen(error->message), <, strlen(hook) + 260);
  g_clear_error(&error);

  /* Killed by a signal. */
  g_free(write_hook(&e, "network", "kill -TERM $$", 0755));
  g_free(want);
  want = g_strdup_printf("hook script %s failed (killed by signal 15)", hook);
  assert_fails_with(&e, want, 2);

  /* Several fail: the first is quoted, the others counted by name. */
  g_free(write_hook(&e, "network", "echo first >&2; exit 1", 0755));
  g_free(write_hook(&e, "network.d/10-x", "exit 1", 0755));
  g_free(write_hook(&e, "network.d/20-y", "exit 0", 0755));
  g_free(write_hook(&e, "network.d/30-z", "exit 4", 0755));
  g_free(want);
  want = g_strdup_printf("hook script %s failed (exit 1): first (2 more failed: 10-x, 30-z)", hook);
  assert_fails_with(&e, want, 5);

  /* Executable but cannot be executed. */
  g_unlink(hook);
  g_autofree char *d = g_build_filename(e.hooks, "network.d", NULL);
  rm_rf(d);
  g_autofree char *bad = g_build_filename(e.hooks, "network", NULL);
  write_file(bad, "#!/nonexistent/interpreter\n", 0755);
  g_assert_false(run(&e, 0, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, NULL, NULL, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_HOOK_SCRIPT_FAILED);
  g_autofree char *prefix = g_strdup_printf("hook script %s could not be run: ", bad);
  g_assert_true(g_str_has_prefix(error->message, prefix));
  g_assert_null(strchr(error->message, '\n'));
  g_clear_error(&error);

  /* Exit 0 with chatter on stderr is success. */
  g_free(write_hook(&e, "network", "echo warning >&2; exit 0", 0755));
  g_assert_true(run(&e, 0, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, NULL, NULL, &error));
  g_assert_no_error(error);

  env_clear(&e);
}

/* -- hangs, background children, floods ---------------------------------------------------- */

static gboolean
process_gone(pid_t pid)
{
  /* Reparented children are reaped by init (or a subreaper): gone or a
   * zombie both mean killed. Bounded: 5 s. */
  for (int i = 0; i < 500; i++) {
    g_autofree char *stat_path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    if (!g_file_get_contents(stat_path, &stat, NULL, NULL))
      return TRUE;
    const char *close_paren = strrchr(stat, ')');
    if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z')
      return TRUE;
    g_usleep(10000);
  }
  return FALSE;
}

static pid_t
read_pid(Env *e, const char *name)
{
  g_autofree char *text = read_out(e, name);
  return (pid_t)g_ascii_strtoll(text, NULL, 10);
}

static void
test_timeout(void)
{
  Env e;
  env_init(&e);
  /* It starts a child in its group, says something, then hangs. */
  g_autofree char *hook = write_hook(
      &e, "network",
      "sleep 60 &\necho $! > \"$OUT/child\"\necho 'still working' >&2\nexec sleep 60", 0755);

  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GError) error = NULL;
  g_assert_false(run(&e, 300, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, "<x/>", NULL, &error));
  gint64 elapsed_ms = (g_get_monotonic_time() - t0) / 1000;
  g_assert_error(error, NC_ERROR, NC_ERROR_HOOK_SCRIPT_FAILED);
  g_autofree char *want
      = g_strdup_printf("hook script %s timed out after 0.3 s and was killed: still working", hook);
  g_assert_cmpstr(error->message, ==, want);
  g_assert_cmpint(elapsed_ms, >=, 300);
  g_assert_cmpint(elapsed_ms, <, 10000);
  /* The whole process group went, the background child too. */
  pid_t child = read_pid(&e, "child");
  g_assert_cmpint(child, >, 0);
  g_assert_true(process_gone(child));

  env_clear(&e);
}

/* A hook that exits leaving a background process holding its stdout is done
 * when it exits; the background process is not ours to kill. */
static void
test_background_child(void)
{
  Env e;
  env_init(&e);
  g_free(write_hook(&e, "network", "sleep 30 &\necho $! > \"$OUT/child\"\nexit 0", 0755));

  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GError) error = NULL;
  g_assert_true(run(&e, 20000, NC_HOOK_OP_STARTED, NC_HOOK_SUBOP_BEGIN, "<x/>", NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <, 5000);
  pid_t child = read_pid(&e, "child");
  g_assert_cmpint(child, >, 0);
  g_assert_cmpint(kill(child, 0), ==, 0);
  kill(child, SIGKILL);

  env_clear(&e);
}

/* Megabytes of output: read and dropped past the cap, no hang. */
static void
test_flood(void)
{
  Env e;
  env_init(&e);
  g_free(write_hook(&e, "network",
                    "head -c 4000000 /dev/zero | tr '\\0' 'o'\n"
                    "head -c 4000000 /dev/zero | tr '\\0' 'e' >&2\n"
                    "exit 1",
                    0755));
  g_autoptr(GError) error = NULL;
  g_assert_false(run(&e, 20000, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, NULL, NULL, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_HOOK_SCRIPT_FAILED);
  g_assert_true(g_str_has_suffix(error->message, "eeeeeeeeee..."));

  env_clear(&e);
}

/* The environment knob nc_hook_run reads (for daemon-level tests). */
static void
test_timeout_env(void)
{
  Env e;
  env_init(&e);
  g_free(write_hook(&e, "network", "exec sleep 60", 0755));
  g_setenv("NETCTL_HOOK_TIMEOUT_MS", "200", TRUE);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time();
  g_assert_false(nc_hook_run(e.hooks, "lab", NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, NULL, &error));
  g_unsetenv("NETCTL_HOOK_TIMEOUT_MS");
  g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <, 10000);
  g_assert_true(g_str_has_suffix(error->message, "timed out after 0.2 s and was killed"));

  env_clear(&e);
}

/* -- <hookData> ------------------------------------------------------------------------------ */

static char *
data_path(const char *name)
{
  const char *src = g_getenv("NETCTL_SRCDIR");
  g_assert_nonnull(src);
  return g_build_filename(src, "tests", "hooks", "data", name, NULL);
}

static NcNetworkDef *
load_network(void)
{
  g_autofree char *path = data_path("network.xml");
  g_autoptr(GError) error = NULL;
  NcNetworkDef *def = nc_network_def_parse_file(path, 0, &error);
  g_assert_no_error(error);
  /* Live-only, so not read from a file: the count a port-created hook sees
   * (libvirt counts the port before running it). */
  def->connections = 1;
  return def;
}

static NcNetworkPortDef *
load_port(void)
{
  g_autofree char *path = data_path("port.xml");
  g_autoptr(GError) error = NULL;
  NcNetworkPortDef *port = nc_network_port_def_parse_file(path, 0, &error);
  g_assert_no_error(error);
  return port;
}

static void
check_golden(const char *name, const char *got)
{
  g_autofree char *path = data_path(name);
  g_autoptr(GError) error = NULL;
  if (g_getenv("NETCTL_REGENERATE")) {
    g_file_set_contents(path, got, -1, &error);
    g_assert_no_error(error);
    return;
  }
  g_autofree char *want = NULL;
  g_file_get_contents(path, &want, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(got, ==, want);
}

static void
test_hookdata_golden(void)
{
  g_autoptr(NcNetworkDef) def = load_network();
  g_autoptr(NcNetworkPortDef) port = load_port();

  g_autofree char *net_doc = nc_hooks_format_data(def, NULL);
  check_golden("hookdata-network.expected", net_doc);
  g_autofree char *port_doc = nc_hooks_format_data(def, port);
  check_golden("hookdata-port.expected", port_doc);

  /* The shape libvirt's networkRunHook gives it. */
  g_assert_true(g_str_has_prefix(port_doc, "<hookData>\n  <network connections='1'>\n"));
  g_assert_nonnull(strstr(port_doc, "</network>\n  <networkport>\n    <uuid>"));
  g_assert_true(g_str_has_suffix(port_doc, "  </networkport>\n</hookData>"));
  /* The description's second line is text, not indented. */
  g_assert_nonnull(strstr(net_doc, "<description>First line\nsecond line &amp; more"));
}

/* The documents a real libvirtd (Debian 12's 9.0) wrote to its hook's stdin,
 * byte for byte (data/libvirt-9.0/README.md says how they were captured). */
static void
test_libvirt_capture(void)
{
  g_autofree char *net_path = data_path("libvirt-9.0/network.xml");
  g_autofree char *port_path = data_path("libvirt-9.0/port.xml");
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_file(net_path, 0, &error);
  g_assert_no_error(error);
  g_autoptr(NcNetworkPortDef) port = nc_network_port_def_parse_file(port_path, 0, &error);
  g_assert_no_error(error);

  static const struct {
    const char *file;
    guint connections;
    gboolean with_port;
  } cases[] = {
    { "libvirt-9.0/start-begin.stdin", 0, FALSE },
    { "libvirt-9.0/port-created-begin.stdin", 1, TRUE },
    { "libvirt-9.0/port-deleted-begin.stdin", 0, TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = data_path(cases[i].file);
    g_autofree char *want = NULL;
    g_file_get_contents(path, &want, NULL, &error);
    g_assert_no_error(error);
    def->connections = cases[i].connections;
    g_autofree char *got = nc_hooks_format_data(def, cases[i].with_port ? port : NULL);
    g_assert_cmpstr(got, ==, want);
  }
}

/* nc_hooks_network end to end: the daemon's paths, the exact document. */
static void
test_hooks_network(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp("netctl-hooks-root-XXXXXX", &error);
  g_assert_no_error(error);
  g_autoptr(NcPaths) paths = nc_paths_new(root);
  g_autofree char *want_dir = g_build_filename(root, "etc", "libvirt", "hooks", NULL);
  g_autofree char *canon = g_canonicalize_filename(want_dir, NULL);
  g_assert_cmpstr(paths->hooks_dir, ==, canon);

  g_autoptr(NcNetworkDef) def = load_network();
  g_autoptr(NcNetworkPortDef) port = load_port();

  /* Nothing installed: TRUE. */
  g_assert_true(
      nc_hooks_network(paths, def, port, NC_HOOK_OP_PORT_CREATED, NC_HOOK_SUBOP_BEGIN, &error));
  g_assert_no_error(error);

  Env e = { .top = g_strdup(root), .hooks = g_strdup(paths->hooks_dir) };
  e.out = g_build_filename(root, "out", NULL);
  g_assert_cmpint(g_mkdir_with_parents(e.hooks, 0755), ==, 0);
  g_assert_cmpint(g_mkdir(e.out, 0755), ==, 0);
  g_free(write_hook(&e, "network", record_body, 0755));

  g_assert_true(
      nc_hooks_network(paths, def, port, NC_HOOK_OP_PORT_CREATED, NC_HOOK_SUBOP_BEGIN, &error));
  g_assert_no_error(error);
  g_autofree char *got = read_out(&e, "network.stdin");
  g_autofree char *want = nc_hooks_format_data(def, port);
  g_assert_cmpstr(got, ==, want);
  g_autofree char *argv = read_out(&e, "network.argv");
  g_assert_true(g_str_has_suffix(argv, "\nlab\nport-created\nbegin\n-\n"));

  /* A failing start hook: the one-line error the lead's start returns. */
  g_free(write_hook(&e, "network", "cat >/dev/null; echo \"no uplink for $1\" >&2; exit 1", 0755));
  g_assert_false(nc_hooks_network(paths, def, NULL, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, &error));
  g_assert_error(error, NC_ERROR, NC_ERROR_HOOK_SCRIPT_FAILED);
  g_autofree char *want_msg = g_strdup_printf(
      "hook script %s/network failed (exit 1): no uplink for lab", paths->hooks_dir);
  g_assert_cmpstr(error->message, ==, want_msg);

  env_clear(&e);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/hooks/enums", test_enums);
  g_test_add_func("/hooks/none-installed", test_none_installed);
  g_test_add_func("/hooks/records", test_records);
  g_test_add_func("/hooks/large-stdin", test_large_stdin);
  g_test_add_func("/hooks/order", test_order);
  g_test_add_func("/hooks/failure", test_failure);
  g_test_add_func("/hooks/timeout", test_timeout);
  g_test_add_func("/hooks/timeout-env", test_timeout_env);
  g_test_add_func("/hooks/background-child", test_background_child);
  g_test_add_func("/hooks/flood", test_flood);
  g_test_add_func("/hooks/hookdata-golden", test_hookdata_golden);
  g_test_add_func("/hooks/libvirt-capture", test_libvirt_capture);
  g_test_add_func("/hooks/hooks-network", test_hooks_network);
  return g_test_run();
}
