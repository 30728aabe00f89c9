/* See spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

typedef struct {
  int err;
  int status;
  char *out;
  char *errout;
} CannedResult;

struct _NcSpawner {
  gboolean dry_run;
  GQueue canned;    /* of CannedResult*, dry run only */
  GPtrArray *calls; /* of NcSpawnCall*, dry run only */
};

static void
canned_result_free(CannedResult *r)
{
  g_free(r->out);
  g_free(r->errout);
  g_free(r);
}

static void
spawn_call_free(NcSpawnCall *call)
{
  g_strfreev(call->argv);
  g_strfreev(call->envp);
  g_free(call);
}

NcSpawner *
nc_spawner_new(void)
{
  NcSpawner *spawner = g_new0(NcSpawner, 1);
  g_queue_init(&spawner->canned);
  spawner->calls = g_ptr_array_new_with_free_func((GDestroyNotify)spawn_call_free);
  return spawner;
}

NcSpawner *
nc_spawner_new_dry_run(void)
{
  NcSpawner *spawner = nc_spawner_new();
  spawner->dry_run = TRUE;
  return spawner;
}

void
nc_spawner_free(NcSpawner *spawner)
{
  if (!spawner)
    return;
  g_queue_clear_full(&spawner->canned, (GDestroyNotify)canned_result_free);
  g_ptr_array_unref(spawner->calls);
  g_free(spawner);
}

gboolean
nc_spawner_is_dry_run(NcSpawner *spawner)
{
  return spawner->dry_run;
}

static int
dry_run(NcSpawner *spawner, const char *const *argv, const char *const *envp, int *ret_status,
        char **ret_stdout, char **ret_stderr)
{
  NcSpawnCall *call = g_new0(NcSpawnCall, 1);
  call->argv = g_strdupv((char **)argv);
  call->envp = envp ? g_strdupv((char **)envp) : NULL;
  g_ptr_array_add(spawner->calls, call);

  g_autoptr(GString) line = g_string_new("dry run:");
  for (guint i = 0; argv[i]; i++)
    g_string_append_printf(line, " %s", argv[i]);
  g_debug("%s", line->str);

  CannedResult *r = g_queue_pop_head(&spawner->canned);
  int err = r ? r->err : 0;
  if (err == 0) {
    if (ret_status)
      *ret_status = r ? r->status : 0;
    if (ret_stdout)
      *ret_stdout = g_strdup(r && r->out ? r->out : "");
    if (ret_stderr)
      *ret_stderr = g_strdup(r && r->errout ? r->errout : "");
  }
  if (r)
    canned_result_free(r);
  return err;
}

static int
spawn_error_to_errno(const GError *error)
{
  if (error->domain != G_SPAWN_ERROR)
    return -EIO;
  switch (error->code) {
  case G_SPAWN_ERROR_NOENT:
  case G_SPAWN_ERROR_NOTDIR:
    return -ENOENT;
  case G_SPAWN_ERROR_ACCES:
  case G_SPAWN_ERROR_PERM:
    return -EACCES;
  case G_SPAWN_ERROR_NOMEM:
    return -ENOMEM;
  default:
    return -EIO;
  }
}

int
nc_spawn_sync(NcSpawner *spawner, const char *const *argv, const char *const *envp, int *ret_status,
              char **ret_stdout, char **ret_stderr)
{
  g_return_val_if_fail(argv && argv[0], -EINVAL);
  if (spawner->dry_run)
    return dry_run(spawner, argv, envp, ret_status, ret_stdout, ret_stderr);

  GSpawnFlags flags = G_SPAWN_DEFAULT;
  if (!strchr(argv[0], '/'))
    flags |= G_SPAWN_SEARCH_PATH;
  if (!ret_stdout)
    flags |= G_SPAWN_STDOUT_TO_DEV_NULL;
  if (!ret_stderr)
    flags |= G_SPAWN_STDERR_TO_DEV_NULL;

  g_autofree char *out = NULL;
  g_autofree char *errout = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;
  if (!g_spawn_sync(NULL, (char **)argv, (char **)envp, flags, NULL, NULL, ret_stdout ? &out : NULL,
                    ret_stderr ? &errout : NULL, &wait_status, &error)) {
    g_debug("spawn %s: %s", argv[0], error->message);
    return spawn_error_to_errno(error);
  }

  int status;
  if (WIFEXITED(wait_status))
    status = WEXITSTATUS(wait_status);
  else if (WIFSIGNALED(wait_status))
    status = 128 + WTERMSIG(wait_status);
  else
    status = 255;
  g_debug("spawn %s: exit status %d", argv[0], status);

  if (ret_status)
    *ret_status = status;
  if (ret_stdout)
    *ret_stdout = g_steal_pointer(&out);
  if (ret_stderr)
    *ret_stderr = g_steal_pointer(&errout);
  return 0;
}

void
nc_spawner_push_result(NcSpawner *spawner, int err, int status, const char *out, const char *errout)
{
  CannedResult *r = g_new0(CannedResult, 1);
  r->err = err;
  r->status = status;
  r->out = g_strdup(out);
  r->errout = g_strdup(errout);
  g_queue_push_tail(&spawner->canned, r);
}

GPtrArray *
nc_spawner_get_calls(NcSpawner *spawner)
{
  return spawner->calls;
}

char *
nc_spawner_call_string(NcSpawner *spawner, guint i)
{
  g_return_val_if_fail(i < spawner->calls->len, NULL);
  NcSpawnCall *call = g_ptr_array_index(spawner->calls, i);
  return g_strjoinv(" ", call->argv);
}

int
nc_spawn_check(NcSpawner *spawner, const char *const *argv, const char *what, char **ret_detail)
{
  int status = 0;
  g_autofree char *err = NULL;
  int r = nc_spawn_sync(spawner, argv, NULL, &status, NULL, &err);
  if (r < 0)
    return r;
  if (status == 0)
    return 0;
  if (ret_detail) {
    g_free(*ret_detail);
    *ret_detail = g_strdup_printf("%s: %s", what, err && err[0] ? g_strstrip(err) : "failed");
  }
  return -EIO;
}
