/* virsh-style option parsing for one netctl command.
 *
 * As in virsh, "--name value", "--name=value" and booleans "--flag" may come
 * in any order, and options marked NC_ARG_POSITIONAL may also be given as
 * plain arguments, filled in table order ("net-info default" is
 * "net-info --network default"). "--" ends the options. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  NC_ARG_BOOL,
  NC_ARG_STRING,
  NC_ARG_INT,
} NcArgType;

typedef enum {
  NC_ARG_POSITIONAL = 1 << 0,
  NC_ARG_REQUIRED = 1 << 1,
} NcArgFlags;

typedef struct {
  const char *name; /* without "--"; NULL ends the table */
  NcArgType type;
  guint flags;
  const char *help;
} NcArgDef;

typedef struct {
  const char *name;
  const char *summary;
  const NcArgDef *args;
} NcCommandSpec;

typedef struct _NcArgs NcArgs;

/* argv[0] is the command name. Returns NULL when the command must not run:
 * *ret_status is 2 after a usage error (printed on stderr as virsh words
 * it) or 0 after --help (printed on stdout). */
NcArgs *nc_args_parse(const NcCommandSpec *spec, int argc, char **argv, int *ret_status);
void nc_args_free(NcArgs *args);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcArgs, nc_args_free)

gboolean nc_args_has(const NcArgs *args, const char *name);
/* NULL when not given. */
const char *nc_args_get(const NcArgs *args, const char *name);
/* def when not given (the value was range-checked while parsing). */
int nc_args_get_int(const NcArgs *args, const char *name, int def);

/* The usage text for `netctl help COMMAND` and `COMMAND --help`. */
void nc_args_print_help(const NcCommandSpec *spec);

G_END_DECLS
