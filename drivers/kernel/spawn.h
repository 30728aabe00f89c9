/* The one way netctl starts helper programs (dnsmasq, ovs-vsctl, ...).
 *
 * An NcSpawner either runs programs for real or, for tests, records each
 * call (argv and environment) and answers with a canned exit status and
 * output instead of running anything. Nothing else in the tree calls
 * g_spawn_* or GSubprocess, so a dry run sees every command netctl would run.
 *
 * Functions return 0 or -errno (kernel-layer convention) and log at debug
 * level only. Used from the main loop thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NcSpawner NcSpawner;

NcSpawner *nc_spawner_new(void);
/* A recording spawner: nothing is run. */
NcSpawner *nc_spawner_new_dry_run(void);
void nc_spawner_free(NcSpawner *spawner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcSpawner, nc_spawner_free)

gboolean nc_spawner_is_dry_run(NcSpawner *spawner);

/* Runs argv (argv[0] searched in PATH when it has no '/') to completion with
 * stdin from /dev/null and descriptors above 2 closed. envp is the whole
 * environment (NULL: netctl's own). ret_status gets the exit code, or 128 +
 * the signal number when the program was killed. ret_stdout / ret_stderr
 * (may be NULL: the output is discarded) get what the program printed.
 * -ENOENT when the program does not exist; a program that runs and fails
 * is still 0, with its status. */
int nc_spawn_sync(NcSpawner *spawner, const char *const *argv, const char *const *envp,
                  int *ret_status, char **ret_stdout, char **ret_stderr);

/* nc_spawn_sync for a tool whose failure is an error: 0 when it exits 0;
 * -EIO when it fails, with *ret_detail (when not NULL; replaced) set to
 * "WHAT: its first stderr text" (or "WHAT: failed"); -errno when it cannot
 * run. */
int nc_spawn_check(NcSpawner *spawner, const char *const *argv, const char *what,
                   char **ret_detail);

/* -- dry run ------------------------------------------------------------------ */

typedef struct {
  char **argv;
  char **envp; /* NULL when the caller passed NULL */
} NcSpawnCall;

/* Queues the answer of the next call (FIFO); without one a call "exits" 0
 * with no output. err < 0 makes the call fail with that -errno instead. */
void nc_spawner_push_result(NcSpawner *spawner, int err, int status, const char *out,
                            const char *errout);
/* The calls made so far, oldest first (borrowed). */
GPtrArray *nc_spawner_get_calls(NcSpawner *spawner);
/* The recorded argv of call i joined with spaces, for assertions. Caller frees. */
char *nc_spawner_call_string(NcSpawner *spawner, guint i);

G_END_DECLS
