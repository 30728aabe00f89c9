/* See hook.h. */
#include "hook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nc-error.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* libvirt's hook driver name: HOOKS/network and HOOKS/network.d/. */
#define HOOK_NAME "network"
/* How much of a hook's output an error message quotes. */
#define MESSAGE_EXCERPT_MAX 200
/* Without a pidfd, how often the exit of a hook is checked for. */
#define POLL_TICK_MS 10
/* After the hook exited, output still in the pipes is read up to this much
 * (a background child it left may hold them open and keep writing). */
#define DRAIN_MAX (1024 * 1024)

/* -- string tables -------------------------------------------------------------- */

static const char *const op_strings[_NC_HOOK_OP_MAX] = {
  [NC_HOOK_OP_START] = "start",
  [NC_HOOK_OP_STARTED] = "started",
  [NC_HOOK_OP_STOPPED] = "stopped",
  [NC_HOOK_OP_PORT_CREATED] = "port-created",
  [NC_HOOK_OP_PORT_DELETED] = "port-deleted",
  [NC_HOOK_OP_UPDATED] = "updated",
};

static const char *const sub_op_strings[_NC_HOOK_SUBOP_MAX] = {
  [NC_HOOK_SUBOP_NONE] = "-",
  [NC_HOOK_SUBOP_BEGIN] = "begin",
  [NC_HOOK_SUBOP_END] = "end",
};

const char *
nc_hook_op_to_string(NcHookOp op)
{
  return (guint)op < _NC_HOOK_OP_MAX ? op_strings[op] : NULL;
}

int
nc_hook_op_from_string(const char *s)
{
  for (int i = 0; i < _NC_HOOK_OP_MAX; i++)
    if (g_strcmp0(s, op_strings[i]) == 0)
      return i;
  return -1;
}

const char *
nc_hook_sub_op_to_string(NcHookSubOp sub_op)
{
  return (guint)sub_op < _NC_HOOK_SUBOP_MAX ? sub_op_strings[sub_op] : NULL;
}

int
nc_hook_sub_op_from_string(const char *s)
{
  for (int i = 0; i < _NC_HOOK_SUBOP_MAX; i++)
    if (g_strcmp0(s, sub_op_strings[i]) == 0)
      return i;
  return -1;
}

/* -- finding the programs ------------------------------------------------------- */

/* libvirt's virFileIsExecutable: stat(), so a symlink counts as what it
 * points to (hooks are often symlinks into a checkout or a package's files;
 * the directory is root's to fill). A dangling link, a directory or a file
 * without any x bit is skipped. */
static gboolean
is_executable(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the programs to run to `out`, in order; with `out` NULL, stops at
 * the first one found. Returns how many were found. */
static guint
find_programs(const char *hooks_dir, GPtrArray *out)
{
  guint n = 0;
  g_autofree char *main_path = g_build_filename(hooks_dir, HOOK_NAME, NULL);
  if (is_executable(main_path)) {
    if (!out)
      return 1;
    g_ptr_array_add(out, g_steal_pointer(&main_path));
    n++;
  }

  g_autofree char *dir_path = g_build_filename(hooks_dir, HOOK_NAME ".d", NULL);
  DIR *dir = opendir(dir_path);
  if (!dir)
    return n;

  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
  struct dirent *ent;
  while ((ent = readdir(dir))) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
      continue;
    char *path = g_build_filename(dir_path, ent->d_name, NULL);
    if (!is_executable(path)) {
      g_free(path);
      continue;
    }
    if (!out) {
      g_free(path);
      closedir(dir);
      return 1;
    }
    g_ptr_array_add(found, path);
  }
  closedir(dir);

  g_ptr_array_sort(found, compare_paths);
  for (guint i = 0; i < found->len; i++) {
    if (i == NC_HOOK_PROGRAMS_MAX) {
      g_debug("hooks: %u programs in %s, only the first %u run", found->len, dir_path,
              NC_HOOK_PROGRAMS_MAX);
      break;
    }
    g_ptr_array_add(out, g_steal_pointer(&found->pdata[i]));
    n++;
  }
  return n;
}

gboolean
nc_hook_present(const char *hooks_dir)
{
  return find_programs(hooks_dir, NULL) > 0;
}

GPtrArray *
nc_hook_list(const char *hooks_dir)
{
  GPtrArray *programs = g_ptr_array_new_with_free_func(g_free);
  find_programs(hooks_dir, programs);
  return programs;
}

/* -- running one program ----------------------------------------------------------- */

/* libvirt's virCommandAddEnvPassCommon: LC_ALL=C and a few variables passed
 * through; nothing else of the daemon's environment reaches a hook. */
static char **
hook_environment(void)
{
  static const char *const passed[]
      = { "LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "HOME", "USER", "LOGNAME", "TMPDIR" };
  GPtrArray *env = g_ptr_array_new();
  g_ptr_array_add(env, g_strdup("LC_ALL=C"));
  for (gsize i = 0; i < G_N_ELEMENTS(passed); i++) {
    const char *value = g_getenv(passed[i]);
    if (!value && strcmp(passed[i], "PATH") == 0)
      value = "/bin:/usr/bin";
    if (value)
      g_ptr_array_add(env, g_strdup_printf("%s=%s", passed[i], value));
  }
  g_ptr_array_add(env, NULL);
  return (char **)g_ptr_array_free(env, FALSE);
}

/* Between fork and exec: async-signal-safe calls only. */
static void
child_setup(gpointer data)
{
  (void)data;
  /* Its own process group, so a timeout also kills what the hook started. */
  setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigaction(SIGPIPE, &dfl, NULL);
}

typedef struct {
  int fd;
  GString *data;
  gsize max;
  gboolean truncated;
} Capture;

static void
close_fd(int *fd)
{
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* One read; the fd is closed at end of file or on error. Returns the bytes
 * read (0 when nothing was there). */
static gssize
capture_read(Capture *c)
{
  char buf[4096];
  gssize r = read(c->fd, buf, sizeof buf);
  if (r > 0) {
    gsize keep = MIN((gsize)r, c->max - MIN(c->max, c->data->len));
    g_string_append_len(c->data, buf, (gssize)keep);
    if (keep < (gsize)r)
      c->truncated = TRUE;
    return r;
  }
  if (r == 0 || (errno != EAGAIN && errno != EINTR))
    close_fd(&c->fd);
  return 0;
}

static void
set_nonblocking(int fd)
{
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0)
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

typedef struct {
  int wait_status;
  gboolean timed_out;
  GString *out;
  GString *err;
  gboolean out_truncated;
  gboolean err_truncated;
} RunResult;

static void
run_result_clear(RunResult *res)
{
  if (res->out)
    g_string_free(res->out, TRUE);
  if (res->err)
    g_string_free(res->err, TRUE);
}

/* Feeds input, collects output and reaps the child, killing its process
 * group at the deadline. SIGPIPE is blocked meanwhile, so a hook that does
 * not read its stdin gives EPIPE rather than killing the daemon. */
static void
supervise(GPid pid, int in_fd, Capture *out, Capture *err, const char *input, guint timeout_ms,
          RunResult *res)
{
  sigset_t pipe_set, old_mask;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

  gsize in_len = input ? strlen(input) : 0;
  gsize in_off = 0;
  if (in_len == 0)
    close_fd(&in_fd);
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  gboolean exited = FALSE;

  for (;;) {
    if (waitpid(pid, &res->wait_status, WNOHANG) == pid) {
      exited = TRUE;
      break;
    }
    gint64 now = g_get_monotonic_time();
    if (now >= deadline)
      break;

    struct pollfd fds[4];
    int n = 0, in_i = -1, out_i = -1, err_i = -1;
    if (in_fd >= 0)
      fds[in_i = n++] = (struct pollfd){ .fd = in_fd, .events = POLLOUT };
    if (out->fd >= 0)
      fds[out_i = n++] = (struct pollfd){ .fd = out->fd, .events = POLLIN };
    if (err->fd >= 0)
      fds[err_i = n++] = (struct pollfd){ .fd = err->fd, .events = POLLIN };
    if (pidfd >= 0)
      fds[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
    int wait_ms = (int)MIN((deadline - now + 999) / 1000, G_MAXINT);
    if (pidfd < 0)
      wait_ms = MIN(wait_ms, POLL_TICK_MS);
    if (poll(fds, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
      g_usleep(POLL_TICK_MS * 1000); /* cannot happen with valid fds; stay bounded */

    if (in_i >= 0 && fds[in_i].revents) {
      gssize w = write(in_fd, input + in_off, in_len - in_off);
      if (w > 0) {
        in_off += (gsize)w;
        if (in_off == in_len)
          close_fd(&in_fd); /* end of file for the hook */
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        close_fd(&in_fd); /* EPIPE: it does not read its stdin, which is fine */
      }
    }
    if (out_i >= 0 && fds[out_i].revents)
      capture_read(out);
    if (err_i >= 0 && fds[err_i].revents)
      capture_read(err);
  }

  if (!exited) {
    res->timed_out = TRUE;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL); /* in case it had not reached setpgid yet */
    while (waitpid(pid, &res->wait_status, 0) < 0 && errno == EINTR)
      ;
  }
  close_fd(&in_fd);
  close_fd(&pidfd);

  /* What it wrote just before exiting; not waiting for a background child it
   * left holding the pipes. */
  Capture *caps[] = { out, err };
  for (gsize i = 0; i < G_N_ELEMENTS(caps); i++) {
    gsize drained = 0;
    gssize r;
    while (caps[i]->fd >= 0 && drained < DRAIN_MAX && (r = capture_read(caps[i])) > 0)
      drained += (gsize)r;
    close_fd(&caps[i]->fd);
  }

  /* A SIGPIPE raised by our writes is ours to discard. */
  if (!sigismember(&old_mask, SIGPIPE)) {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      struct timespec zero = { 0, 0 };
      sigtimedwait(&pipe_set, NULL, &zero);
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
}

/* FALSE with error set when the program could not be started at all. */
static gboolean
run_one(const char *const *argv, const char *const *envp, const char *input,
        const NcHookOptions *opts, RunResult *res, GError **error)
{
  GPid pid = 0;
  int in_fd = -1, out_fd = -1, err_fd = -1;
  if (!g_spawn_async_with_pipes("/", (char **)argv, (char **)envp,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_CLOEXEC_PIPES, child_setup,
                                NULL, &pid, &in_fd, &out_fd, &err_fd, error))
    return FALSE;
  setpgid(pid, pid); /* races child_setup harmlessly: whichever comes first */
  set_nonblocking(in_fd);
  set_nonblocking(out_fd);
  set_nonblocking(err_fd);

  res->out = g_string_new(NULL);
  res->err = g_string_new(NULL);
  Capture out = { .fd = out_fd, .data = res->out, .max = opts->output_max };
  Capture err = { .fd = err_fd, .data = res->err, .max = opts->output_max };
  supervise(pid, in_fd, &out, &err, input, opts->timeout_ms, res);
  res->out_truncated = out.truncated;
  res->err_truncated = err.truncated;
  return TRUE;
}

/* -- messages ----------------------------------------------------------------------- */

/* The first non-empty line of text, valid UTF-8 with control characters as
 * \xNN, at most MESSAGE_EXCERPT_MAX bytes; NULL when there is none. */
static char *
first_line_excerpt(const char *text)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_autofree char *valid = g_utf8_make_valid(*l, -1);
    g_strstrip(valid);
    if (!*valid)
      continue;
    GString *s = g_string_new(NULL);
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
      if (s->len >= MESSAGE_EXCERPT_MAX) {
        g_string_append(s, "...");
        break;
      }
      gunichar c = g_utf8_get_char(p);
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf(s, "\\x%02x", c);
      else
        g_string_append_unichar(s, c);
    }
    return g_string_free(s, FALSE);
  }
  return NULL;
}

/* NULL when the program succeeded, else the one-line reason. */
static char *
describe_failure(const char *program, const NcHookOptions *opts, const RunResult *res)
{
  g_autofree char *what = NULL;
  if (res->timed_out)
    what = g_strdup_printf("timed out after %g s and was killed", opts->timeout_ms / 1000.0);
  else if (WIFEXITED(res->wait_status) && WEXITSTATUS(res->wait_status) == 0)
    return NULL;
  else if (WIFEXITED(res->wait_status))
    what = g_strdup_printf("failed (exit %d)", WEXITSTATUS(res->wait_status));
  else if (WIFSIGNALED(res->wait_status))
    what = g_strdup_printf("failed (killed by signal %d)", WTERMSIG(res->wait_status));
  else
    what = g_strdup("failed");

  g_autofree char *line = first_line_excerpt(res->err->str);
  if (!line)
    line = first_line_excerpt(res->out->str);
  if (line)
    return g_strdup_printf("hook script %s %s: %s", program, what, line);
  return g_strdup_printf("hook script %s %s", program, what);
}

/* -- running them all --------------------------------------------------------------- */

gboolean
nc_hook_run_with_options(const NcHookOptions *opts, const char *hooks_dir, const char *network_name,
                         NcHookOp op, NcHookSubOp sub_op, const char *stdin_doc, guint *ret_n_run,
                         GError **error)
{
  g_return_val_if_fail(hooks_dir && network_name, FALSE);
  g_return_val_if_fail(nc_hook_op_to_string(op) && nc_hook_sub_op_to_string(sub_op), FALSE);

  if (ret_n_run)
    *ret_n_run = 0;
  g_autoptr(GPtrArray) programs = nc_hook_list(hooks_dir);
  if (programs->len == 0)
    return TRUE;

  NcHookOptions o = *opts;
  if (o.timeout_ms == 0)
    o.timeout_ms = NC_HOOK_TIMEOUT_MS_DEFAULT;
  if (o.output_max == 0)
    o.output_max = NC_HOOK_OUTPUT_MAX;

  g_auto(GStrv) envp = hook_environment();
  g_autofree char *first_failure = NULL;
  g_autoptr(GString) others = g_string_new(NULL);
  guint n_others = 0;

  /* As libvirt: every program runs, whatever the ones before it did. */
  for (guint i = 0; i < programs->len; i++) {
    const char *program = programs->pdata[i];
    const char *argv[]
        = { program, network_name, nc_hook_op_to_string(op), nc_hook_sub_op_to_string(sub_op),
            "-",     NULL };
    RunResult res = { 0 };
    g_autoptr(GError) spawn_error = NULL;
    g_autofree char *failure = NULL;

    if (ret_n_run)
      (*ret_n_run)++;
    if (!run_one(argv, (const char *const *)envp, stdin_doc, &o, &res, &spawn_error))
      failure
          = g_strdup_printf("hook script %s could not be run: %s", program, spawn_error->message);
    else
      failure = describe_failure(program, &o, &res);

    g_debug("hook %s %s %s %s -: %s%s", program, network_name, argv[2], argv[3],
            failure ? failure : "ok",
            res.out_truncated || res.err_truncated ? " (output cut)" : "");
    if (res.err && res.err->len)
      g_debug("hook %s stderr: %s", program, res.err->str);
    run_result_clear(&res);

    if (!failure)
      continue;
    if (!first_failure) {
      first_failure = g_steal_pointer(&failure);
    } else {
      g_autofree char *base = g_path_get_basename(program);
      g_string_append_printf(others, "%s%s", n_others ? ", " : "", base);
      n_others++;
    }
  }

  if (!first_failure)
    return TRUE;
  if (n_others)
    g_set_error(error, NC_ERROR, NC_ERROR_HOOK_SCRIPT_FAILED, "%s (%u more failed: %s)",
                first_failure, n_others, others->str);
  else
    g_set_error_literal(error, NC_ERROR, NC_ERROR_HOOK_SCRIPT_FAILED, first_failure);
  return FALSE;
}

gboolean
nc_hook_run(const char *hooks_dir, const char *network_name, NcHookOp op, NcHookSubOp sub_op,
            const char *stdin_doc, GError **error)
{
  NcHookOptions opts = { 0 };
  const char *env = g_getenv("NETCTL_HOOK_TIMEOUT_MS");
  guint64 ms = 0;
  if (env && g_ascii_string_to_unsigned(env, 10, 1, 24 * 3600 * 1000, &ms, NULL))
    opts.timeout_ms = (guint)ms;
  return nc_hook_run_with_options(&opts, hooks_dir, network_name, op, sub_op, stdin_doc, NULL,
                                  error);
}
