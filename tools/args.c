/* virsh-style option parsing; see args.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "nc-error.h"

struct _NcArgs {
  GHashTable *values; /* option name -> value ("" for booleans) */
};

static const NcArgDef *
find_def(const NcCommandSpec *spec, const char *name, gsize len)
{
  for (const NcArgDef *d = spec->args; d != NULL && d->name != NULL; d++)
    if (strlen(d->name) == len && strncmp(d->name, name, len) == 0)
      return d;
  return NULL;
}

static gboolean
parse_int(const char *s, int *ret)
{
  char *end = NULL;
  gint64 v;

  errno = 0;
  v = g_ascii_strtoll(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < G_MININT || v > G_MAXINT)
    return FALSE;
  *ret = (int)v;
  return TRUE;
}

static gboolean
store(const NcCommandSpec *spec, NcArgs *args, const NcArgDef *def, const char *value)
{
  int unused;

  if (def->type == NC_ARG_INT && !parse_int(value, &unused)) {
    g_autofree char *q = nc_name_escape(value);
    g_printerr("error: Numeric value '%s' for <%s> option is malformed or out of range\n", q,
               def->name);
    return FALSE;
  }
  /* Values go into D-Bus strings, which must be UTF-8 (GLib aborts on
   * anything else); a file name is only opened, and may be any bytes. */
  if (def->type == NC_ARG_STRING && !g_str_equal(def->name, "file")
      && !g_str_equal(def->name, "xml") && !g_utf8_validate(value, -1, NULL)) {
    g_printerr("error: the value of option --%s is not valid UTF-8\n", def->name);
    return FALSE;
  }
  if (g_hash_table_contains(args->values, def->name)) {
    g_printerr("error: option --%s already seen\n", def->name);
    return FALSE;
  }
  g_hash_table_insert(args->values, (char *)def->name, g_strdup(value));
  return TRUE;
}

static const NcArgDef *
next_positional(const NcCommandSpec *spec, NcArgs *args)
{
  for (const NcArgDef *d = spec->args; d != NULL && d->name != NULL; d++)
    if ((d->flags & NC_ARG_POSITIONAL) && !g_hash_table_contains(args->values, d->name))
      return d;
  return NULL;
}

static gboolean
parse_all(const NcCommandSpec *spec, NcArgs *args, int argc, char **argv, gboolean *ret_help)
{
  gboolean options_done = FALSE;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];

    if (!options_done && strcmp(a, "--") == 0) {
      options_done = TRUE;
    } else if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
      *ret_help = TRUE;
      return TRUE;
    } else if (!options_done && g_str_has_prefix(a, "--")) {
      const char *name = a + 2;
      const char *eq = strchr(name, '=');
      gsize len = eq ? (gsize)(eq - name) : strlen(name);
      const NcArgDef *def = find_def(spec, name, len);

      if (def == NULL) {
        g_autofree char *option = g_strndup(name, len);
        g_autofree char *q = nc_name_escape(option);
        g_printerr("error: command '%s' doesn't support option --%s\n", spec->name, q);
        return FALSE;
      }
      if (def->type == NC_ARG_BOOL) {
        if (eq != NULL) {
          g_printerr("error: option --%s takes no value\n", def->name);
          return FALSE;
        }
        if (!store(spec, args, def, ""))
          return FALSE;
      } else if (eq != NULL) {
        if (!store(spec, args, def, eq + 1))
          return FALSE;
      } else if (i + 1 < argc) {
        if (!store(spec, args, def, argv[++i]))
          return FALSE;
      } else {
        g_printerr("error: expected syntax: --%s <%s>\n", def->name,
                   def->type == NC_ARG_INT ? "number" : "string");
        return FALSE;
      }
    } else {
      const NcArgDef *def = next_positional(spec, args);

      if (def == NULL) {
        g_autofree char *q = nc_name_escape(a);
        g_printerr("error: unexpected data '%s'\n", q);
        return FALSE;
      }
      if (!store(spec, args, def, a))
        return FALSE;
    }
  }
  for (const NcArgDef *d = spec->args; d != NULL && d->name != NULL; d++) {
    if ((d->flags & NC_ARG_REQUIRED) && !g_hash_table_contains(args->values, d->name)) {
      g_printerr("error: command '%s' requires <%s> option\n", spec->name, d->name);
      return FALSE;
    }
  }
  return TRUE;
}

NcArgs *
nc_args_parse(const NcCommandSpec *spec, int argc, char **argv, int *ret_status)
{
  g_autoptr(NcArgs) args = g_new0(NcArgs, 1);
  gboolean help = FALSE;

  args->values = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  if (!parse_all(spec, args, argc, argv, &help)) {
    *ret_status = 2;
    return NULL;
  }
  if (help) {
    nc_args_print_help(spec);
    *ret_status = 0;
    return NULL;
  }
  return g_steal_pointer(&args);
}

void
nc_args_free(NcArgs *args)
{
  if (args == NULL)
    return;
  g_clear_pointer(&args->values, g_hash_table_unref);
  g_free(args);
}

gboolean
nc_args_has(const NcArgs *args, const char *name)
{
  return g_hash_table_contains(args->values, name);
}

const char *
nc_args_get(const NcArgs *args, const char *name)
{
  return g_hash_table_lookup(args->values, name);
}

int
nc_args_get_int(const NcArgs *args, const char *name, int def)
{
  const char *s = nc_args_get(args, name);
  int v;

  if (s == NULL || !parse_int(s, &v))
    return def;
  return v;
}

void
nc_args_print_help(const NcCommandSpec *spec)
{
  g_autoptr(GString) synopsis = g_string_new(spec->name);

  for (const NcArgDef *d = spec->args; d != NULL && d->name != NULL; d++) {
    gboolean req = (d->flags & NC_ARG_REQUIRED) != 0;
    const char *open = req ? "" : "[";
    const char *close = req ? "" : "]";

    if (d->type == NC_ARG_BOOL)
      g_string_append_printf(synopsis, " [--%s]", d->name);
    else if (d->flags & NC_ARG_POSITIONAL)
      g_string_append_printf(synopsis, " %s[--%s] <%s>%s", open, d->name, d->name, close);
    else
      g_string_append_printf(synopsis, " [--%s <%s>]", d->name,
                             d->type == NC_ARG_INT ? "number" : "string");
  }
  printf("  NAME\n    %s - %s\n\n  SYNOPSIS\n    %s\n", spec->name, spec->summary, synopsis->str);
  if (spec->args != NULL && spec->args[0].name != NULL) {
    printf("\n  OPTIONS\n");
    for (const NcArgDef *d = spec->args; d->name != NULL; d++) {
      g_autofree char *left = NULL;
      if (d->type == NC_ARG_BOOL)
        left = g_strdup_printf("--%s", d->name);
      else if (d->flags & NC_ARG_POSITIONAL)
        left = g_strdup_printf("[--%s] <%s>", d->name, d->name);
      else
        left = g_strdup_printf("--%s <%s>", d->name, d->type == NC_ARG_INT ? "number" : "string");
      printf("    %-22s %s\n", left, d->help);
    }
  }
  printf("\n");
}
