/* netctl net-list: virsh's filters and table, plus --json for scripts. */
#include <stdio.h>

#include "args.h"
#include "commands.h"
#include "output.h"

/* virConnectListAllNetworks flags */
enum {
  LIST_INACTIVE = 1 << 0,
  LIST_ACTIVE = 1 << 1,
  LIST_PERSISTENT = 1 << 2,
  LIST_TRANSIENT = 1 << 3,
  LIST_AUTOSTART = 1 << 4,
  LIST_NO_AUTOSTART = 1 << 5,
};

/* virsh sorts case-insensitively, whatever order the server used. */
static int
compare_names(gconstpointer a, gconstpointer b)
{
  const NcNetInfo *na = *(NcNetInfo *const *)a;
  const NcNetInfo *nb = *(NcNetInfo *const *)b;
  int c = g_ascii_strcasecmp(na->name, nb->name);

  return c != 0 ? c : g_strcmp0(na->name, nb->name);
}

static void
print_json(GPtrArray *nets)
{
  g_autoptr(GString) out = g_string_new("[");

  for (guint i = 0; i < nets->len; i++) {
    const NcNetInfo *n = g_ptr_array_index(nets, i);

    if (i > 0)
      g_string_append(out, ",\n ");
    nc_json_append_net_info(out, n);
  }
  g_string_append(out, "]\n");
  fputs(out->str, stdout);
}

int
nc_cmd_net_list(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "inactive", NC_ARG_BOOL, 0, "list inactive networks" },
    { "all", NC_ARG_BOOL, 0, "list inactive & active networks" },
    { "persistent", NC_ARG_BOOL, 0, "list persistent networks" },
    { "transient", NC_ARG_BOOL, 0, "list transient networks" },
    { "autostart", NC_ARG_BOOL, 0, "list networks with autostart enabled" },
    { "no-autostart", NC_ARG_BOOL, 0, "list networks with autostart disabled" },
    { "uuid", NC_ARG_BOOL, 0, "list uuid's only" },
    { "name", NC_ARG_BOOL, 0, "list network names only" },
    { "table", NC_ARG_BOOL, 0, "list table (default)" },
    { "json", NC_ARG_BOOL, 0, "print a JSON array of objects (for scripts)" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-list", "list networks", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autoptr(GPtrArray) nets = NULL;
  g_autoptr(GError) err = NULL;
  g_autoptr(NcTable) table = NULL;
  g_autofree char *text = NULL;
  NcClient *client;
  guint flags = LIST_ACTIVE;
  int formats;

  if (args == NULL)
    return status;
  formats = nc_args_has(args, "name") + nc_args_has(args, "uuid") + nc_args_has(args, "table")
            + nc_args_has(args, "json");
  if (formats > 1) {
    g_printerr("error: Only one argument from --table, --name, --uuid and --json may be "
               "specified.\n");
    return 2;
  }
  if (nc_args_has(args, "inactive"))
    flags = LIST_INACTIVE;
  if (nc_args_has(args, "all"))
    flags = LIST_ACTIVE | LIST_INACTIVE;
  if (nc_args_has(args, "persistent"))
    flags |= LIST_PERSISTENT;
  if (nc_args_has(args, "transient"))
    flags |= LIST_TRANSIENT;
  if (nc_args_has(args, "autostart"))
    flags |= LIST_AUTOSTART;
  if (nc_args_has(args, "no-autostart"))
    flags |= LIST_NO_AUTOSTART;

  if ((client = nc_ctl_client(ctl)) == NULL)
    return 1;
  nets = nc_client_list(client, flags, &err);
  if (nets == NULL)
    return nc_print_error(err, "Failed to list networks");
  g_ptr_array_sort(nets, compare_names);

  if (nc_args_has(args, "json")) {
    ctl->no_trailer = TRUE;
    print_json(nets);
    return 0;
  }
  if (nc_args_has(args, "name") || nc_args_has(args, "uuid")) {
    gboolean uuid = nc_args_has(args, "uuid");
    for (guint i = 0; i < nets->len; i++) {
      const NcNetInfo *n = g_ptr_array_index(nets, i);
      printf("%s\n", uuid ? n->uuid : n->name);
    }
    return 0;
  }
  table = nc_table_new("Name", "State", "Autostart", "Persistent", NULL);
  for (guint i = 0; i < nets->len; i++) {
    const NcNetInfo *n = g_ptr_array_index(nets, i);
    nc_table_add_row(table, n->name, n->active ? "active" : "inactive", n->autostart ? "yes" : "no",
                     n->persistent ? "yes" : "no", NULL);
  }
  text = nc_table_format(table, !ctl->quiet);
  fputs(text, stdout);
  return 0;
}
