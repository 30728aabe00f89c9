/* netctl: the command-line client. virsh's network command names, options and
 * output; offline commands (net-validate) need no daemon. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "commands.h"

static const NcCommand commands[] = {
  { "net-validate", nc_cmd_net_validate, "Validate network XML files (no daemon needed)", FALSE },
};

static void
usage(FILE *out)
{
  fprintf(out, "Usage: netctl COMMAND [OPTIONS...]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-18s %s\n", commands[i].name, commands[i].summary);
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "netctl: unknown command '%s' (try 'netctl --help')\n", argv[1]);
  return 2;
}
