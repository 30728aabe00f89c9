/* netctl subcommands. Each returns the process exit status:
 * 0 success, 1 failure (message already on stderr), 2 usage error. */
#pragma once

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv); /* argv[0] is the command name */
  const char *summary;
  gboolean needs_daemon;
} NcCommand;

/* Offline commands (no daemon). */
int nc_cmd_net_validate(int argc, char **argv);
