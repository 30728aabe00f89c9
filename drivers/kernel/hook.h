/* Network hooks: finding and running the administrator's hook programs, as
 * libvirt's network driver runs them.
 *
 * What libvirt does (checked in libvirt's src/util/virhook.c virHookCall /
 * virRunScript / virHookCheck, src/util/virfile.c virFileIsExecutable,
 * src/util/vircommand.c virCommandAddEnvPassCommon,
 * src/network/bridge_driver.c networkRunHook and its callers, docs/hooks.rst):
 *  - Programs: HOOKS/network first, then every entry of HOOKS/network.d/
 *    (libvirt 6.5+) in strcmp order of the full path. An entry runs when
 *    stat() (which follows symlinks) says it is a regular file with any x
 *    bit; "." and ".." are skipped, dot files are not. Every program runs,
 *    even after one failed; the call fails if any failed.
 *  - argv: PROGRAM NETWORK-NAME OPERATION SUB-OPERATION EXTRA, with EXTRA
 *    always "-" for networks and SUB-OPERATION "-" when there is none.
 *    Operations: start, started, stopped, port-created, port-deleted,
 *    updated; sub-operations "-", begin, end.
 *  - stdin: the <hookData> document (built in daemon/hooks.c).
 *  - environment: only LC_ALL=C plus LD_PRELOAD, LD_LIBRARY_PATH, PATH
 *    (default /bin:/usr/bin), HOME, USER, LOGNAME, TMPDIR when the daemon has
 *    them.
 *  - failure: exit status != 0 (or a signal) is VIR_ERR_HOOK_SCRIPT_FAILED
 *    (70), its message carrying the program's stderr.
 * A run of Debian 12's libvirtd 9.0 with a recording hook showed all of this
 * (tests/hooks/data/libvirt-9.0/README.md); the hook also inherits the
 * daemon's working directory there.
 *
 * What netctl does beyond libvirt: the programs are looked for on every call
 * (libvirt looks once at daemon start and on SIGHUP, so a hook installed
 * later is ignored until a restart); when nothing is installed that costs
 * one stat() and one failed opendir(). Each program runs in its own process
 * group with "/" as working directory (whatever the daemon's), descriptors
 * above 2 closed, stdin
 * written in full and then closed; stdout and stderr are captured (at most
 * NC_HOOK_OUTPUT_MAX bytes each, the rest read and dropped) and a program
 * still running after the timeout (30 s) has its process group killed with
 * SIGKILL and counts as failed. libvirt waits for ever.
 *
 * Arguments go to execve() as argv: no shell is involved. These functions
 * block the calling thread while hooks run (libvirt's hooks are synchronous
 * too); with no hook installed they return at once.
 *
 * Why not the spawner (spawn.h): it feeds /dev/null as stdin and has no
 * timeout, output cap or process group, which a hook needs; a dry run of a
 * hook would also prove nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Values and order are libvirt's virHookNetworkOpType. */
typedef enum {
  NC_HOOK_OP_START,        /* "start": before the network starts; failure aborts the start */
  NC_HOOK_OP_STARTED,      /* "started": after it started; failure aborts (undoes) the start */
  NC_HOOK_OP_STOPPED,      /* "stopped": after it stopped; result ignored by libvirt */
  NC_HOOK_OP_PORT_CREATED, /* "port-created": failure refuses the port */
  NC_HOOK_OP_PORT_DELETED, /* "port-deleted": result ignored by libvirt */
  NC_HOOK_OP_UPDATED,      /* "updated": after a live/config update; failure is the call's error */
  _NC_HOOK_OP_MAX,
} NcHookOp;

/* libvirt's virHookSubopType. */
typedef enum {
  NC_HOOK_SUBOP_NONE,  /* "-" */
  NC_HOOK_SUBOP_BEGIN, /* "begin" */
  NC_HOOK_SUBOP_END,   /* "end" */
  _NC_HOOK_SUBOP_MAX,
} NcHookSubOp;

const char *nc_hook_op_to_string(NcHookOp op); /* NULL when out of range */
int nc_hook_op_from_string(const char *s);     /* -1 when unknown */
const char *nc_hook_sub_op_to_string(NcHookSubOp sub_op);
int nc_hook_sub_op_from_string(const char *s);

#define NC_HOOK_TIMEOUT_MS_DEFAULT 30000
#define NC_HOOK_OUTPUT_MAX (64 * 1024)
/* At most this many programs from network.d run; more are ignored. */
#define NC_HOOK_PROGRAMS_MAX 256

/* TRUE when at least one hook program would run: HOOKS/network or an entry
 * of HOOKS/network.d is an executable regular file. Cheap: one stat() and
 * one opendir() when nothing is installed. */
gboolean nc_hook_present(const char *hooks_dir);

/* The programs nc_hook_run would run, in order (absolute paths; an empty
 * array when none). Caller frees. */
GPtrArray *nc_hook_list(const char *hooks_dir);

/* TRUE when no hook is installed or every hook exited 0; FALSE with
 * NC_ERROR_HOOK_SCRIPT_FAILED and a one-line message naming the first
 * program that failed, e.g.
 *   hook script /etc/libvirt/hooks/network failed (exit 1): <first line>
 * where <first line> is the first non-empty line of its stderr (of its
 * stdout when stderr is empty), with control characters escaped and cut at
 * 200 bytes. Other failures are counted in the message. stdin_doc may be
 * NULL (the programs then read an empty stdin). The timeout is 30 s, or
 * $NETCTL_HOOK_TIMEOUT_MS when set (tests). */
gboolean nc_hook_run(const char *hooks_dir, const char *network_name, NcHookOp op,
                     NcHookSubOp sub_op, const char *stdin_doc, GError **error);

typedef struct {
  guint timeout_ms; /* 0: NC_HOOK_TIMEOUT_MS_DEFAULT */
  gsize output_max; /* bytes kept per stream; 0: NC_HOOK_OUTPUT_MAX */
} NcHookOptions;

/* nc_hook_run with explicit limits (no environment lookup). ret_n_run (may
 * be NULL) gets the number of programs started. */
gboolean nc_hook_run_with_options(const NcHookOptions *opts, const char *hooks_dir,
                                  const char *network_name, NcHookOp op, NcHookSubOp sub_op,
                                  const char *stdin_doc, guint *ret_n_run, GError **error);

G_END_DECLS
