/* netctl net-port-* commands, with virsh's names, options and messages:
 * net-port-create, net-port-list (plus --details and --json), net-port-dumpxml,
 * net-port-delete. Ports are org.netctl1.NetworkPort objects. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "output.h"
#include "nc-error.h"
#include "port-info.h"

#define PORT_IFACE "org.netctl1.NetworkPort"

void
nc_port_info_free(NcPortInfo *info)
{
  if (!info)
    return;
  g_free(info->path);
  g_free(info->uuid);
  g_free(info->mac);
  g_free(info->owner);
  g_free(info->portgroup);
  g_free(info->device);
  g_free(info->chardev);
  g_free(info);
}

static char *
dict_string(GVariant *dict, const char *key)
{
  const char *s = NULL;
  return g_variant_lookup(dict, key, "&s", &s) ? g_strdup(s) : g_strdup("");
}

NcPortInfo *
nc_port_info_get(NcClient *client, const char *path, GError **error)
{
  g_autoptr(GVariant) reply
      = nc_client_call(client, path, "org.freedesktop.DBus.Properties", "GetAll",
                       g_variant_new("(s)", PORT_IFACE), G_VARIANT_TYPE("(a{sv})"), error);
  if (!reply)
    return NULL;
  g_autoptr(GVariant) dict = g_variant_get_child_value(reply, 0);
  NcPortInfo *info = g_new0(NcPortInfo, 1);
  info->path = g_strdup(path);
  info->uuid = dict_string(dict, "UUID");
  info->mac = dict_string(dict, "MAC");
  info->owner = dict_string(dict, "Owner");
  info->portgroup = dict_string(dict, "Portgroup");
  info->device = dict_string(dict, "Device");
  info->chardev = dict_string(dict, "CharDevice");
  g_variant_lookup(dict, "Plugged", "b", &info->plugged);
  return info;
}

static gint
compare_uuid(gconstpointer a, gconstpointer b)
{
  const NcPortInfo *pa = *(NcPortInfo *const *)a, *pb = *(NcPortInfo *const *)b;
  return strcmp(pa->uuid, pb->uuid);
}

GPtrArray *
nc_port_info_list(NcClient *client, const char *net_path, GError **error)
{
  g_autoptr(GVariant) reply = nc_client_call(client, net_path, NC_NETWORK_IFACE, "ListPorts",
                                             g_variant_new("(u)", 0u), G_VARIANT_TYPE("(ao)"),
                                             error);
  if (!reply)
    return NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)nc_port_info_free);
  g_autoptr(GVariantIter) iter = NULL;
  const char *path;
  g_variant_get(reply, "(ao)", &iter);
  while (g_variant_iter_next(iter, "&o", &path)) {
    g_autoptr(GError) local = NULL;
    NcPortInfo *info = nc_port_info_get(client, path, &local);
    if (info)
      g_ptr_array_add(list, info);
    else if (!g_error_matches(local, NC_ERROR, NC_ERROR_NO_NETWORK_PORT)) {
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL; /* a port deleted meanwhile is simply not listed */
    }
  }
  /* virsh sorts ports by UUID. */
  g_ptr_array_sort(list, compare_uuid);
  return g_steal_pointer(&list);
}

/* The object path of the port `uuid` of the network at net_path; prints
 * virsh's error and returns NULL. */
static char *
lookup_port(NcCtl *ctl, const char *net_path, const char *uuid)
{
  g_autoptr(GError) err = NULL;
  g_autoptr(GVariant) reply
      = nc_client_call(nc_ctl_client(ctl), net_path, NC_NETWORK_IFACE, "PortLookupByUUID",
                       g_variant_new("(s)", uuid), G_VARIANT_TYPE("(o)"), &err);
  if (!reply) {
    nc_print_error(err, "failed to get network port '%s'", uuid);
    return NULL;
  }
  char *path = NULL;
  g_variant_get(reply, "(o)", &path);
  return path;
}

static const NcArgDef port_args[] = {
  { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name or uuid" },
  { "port", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "port UUID" },
  { NULL },
};

int
nc_cmd_net_port_create(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name or uuid" },
    { "file", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED,
      "file containing an XML network port description" },
    { "validate", NC_ARG_BOOL, 0, "validate the XML against the schema" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-port-create", "create a network port", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autoptr(GError) err = NULL;
  if (!args)
    return status;
  const char *file = nc_args_get(args, "file");
  g_autofree char *xml = nc_read_file(file);
  if (!xml)
    return 1;
  g_autofree char *net_path
      = nc_ctl_lookup_network(ctl, args, NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME, NULL);
  if (!net_path)
    return 1;
  guint flags = nc_args_has(args, "validate") ? 2u /* VIR_NETWORK_PORT_CREATE_VALIDATE */ : 0u;
  g_autoptr(GVariant) reply
      = nc_client_call(nc_ctl_client(ctl), net_path, NC_NETWORK_IFACE, "PortCreateXML",
                       g_variant_new("(su)", xml, flags), G_VARIANT_TYPE("(o)"), &err);
  if (!reply) {
    nc_error_name_source(err, file);
    return nc_print_error(err, "Failed to create network from %s", file);
  }
  const char *path;
  g_variant_get(reply, "(&o)", &path);
  g_autoptr(NcPortInfo) info = nc_port_info_get(nc_ctl_client(ctl), path, &err);
  if (!info)
    return nc_print_error(err, "Failed to create network from %s", file);
  nc_print_extra(ctl, "Network port %s created from %s\n", info->uuid, file);
  return 0;
}

static void
print_list_json(GPtrArray *ports)
{
  g_autoptr(GString) out = g_string_new("[");
  for (guint i = 0; i < ports->len; i++) {
    const NcPortInfo *p = ports->pdata[i];
    g_string_append(out, i ? ",\n {" : "\n {");
    const char *keys[] = { "uuid", "mac", "owner", "portgroup", "device", "chardev" };
    const char *values[] = { p->uuid, p->mac, p->owner, p->portgroup, p->device, p->chardev };
    for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
      g_string_append_printf(out, "%s\"%s\": ", k ? ", " : "", keys[k]);
      nc_json_append_string(out, values[k]);
    }
    g_string_append_printf(out, ", \"plugged\": %s}", p->plugged ? "true" : "false");
  }
  g_string_append(out, ports->len ? "\n]\n" : "]\n");
  fputs(out->str, stdout);
}

int
nc_cmd_net_port_list(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name or uuid" },
    { "uuid", NC_ARG_BOOL, 0, "list uuid's only" },
    { "table", NC_ARG_BOOL, 0, "list table (default)" },
    { "details", NC_ARG_BOOL, 0,
      "netctl: the device, MAC, owner and portgroup of each port, as domiflist" },
    { "json", NC_ARG_BOOL, 0, "print a JSON array (for scripts)" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-port-list", "list network ports", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autoptr(GError) err = NULL;
  if (!args)
    return status;
  if (nc_args_has(args, "table") && nc_args_has(args, "uuid")) {
    g_printerr("error: Only one argument from --table and --uuid may be specified.\n");
    return 1;
  }
  g_autofree char *net_path
      = nc_ctl_lookup_network(ctl, args, NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME, NULL);
  if (!net_path)
    return 1;
  g_autoptr(GPtrArray) ports = nc_port_info_list(nc_ctl_client(ctl), net_path, &err);
  if (!ports)
    return nc_print_error(err, "failed to list network ports");
  if (nc_args_has(args, "json")) {
    ctl->no_trailer = TRUE;
    print_list_json(ports);
    return 0;
  }
  if (nc_args_has(args, "uuid")) {
    for (guint i = 0; i < ports->len; i++)
      printf("%s\n", ((NcPortInfo *)ports->pdata[i])->uuid);
    return 0;
  }
  gboolean details = nc_args_has(args, "details");
  g_autoptr(NcTable) table = details
                                 ? nc_table_new("UUID", "Device", "MAC", "Owner", "Portgroup",
                                                "State", NULL)
                                 : nc_table_new("UUID", NULL);
  for (guint i = 0; i < ports->len; i++) {
    const NcPortInfo *p = ports->pdata[i];
    g_autofree char *device = p->chardev[0] ? g_strdup_printf("%s (%s)", p->device, p->chardev)
                                            : g_strdup(p->device[0] ? p->device : "-");
    if (details)
      nc_table_add_row(table, p->uuid, device, p->mac,
                       p->owner[0] ? p->owner : "-", p->portgroup[0] ? p->portgroup : "-",
                       p->plugged ? "plugged" : "cut off", NULL);
    else
      nc_table_add_row(table, p->uuid, NULL);
  }
  g_autofree char *text = nc_table_format(table, !ctl->quiet);
  fputs(text, stdout);
  if (details)
    nc_print_direct_note(ctl, net_path);
  return 0;
}

/* The commands on one port start alike: arguments, the network, the port's
 * object path. NULL with *ret_status set when one of them fails. */
static char *
port_command_path(NcCtl *ctl, const NcCommandSpec *spec, int argc, char **argv,
                  NcArgs **ret_args, int *ret_status)
{
  *ret_status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(spec, argc, argv, ret_status);
  if (!args)
    return NULL;
  *ret_status = 1;
  g_autofree char *net_path
      = nc_ctl_lookup_network(ctl, args, NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME, NULL);
  char *path = net_path ? lookup_port(ctl, net_path, nc_args_get(args, "port")) : NULL;
  if (path)
    *ret_args = g_steal_pointer(&args);
  return path;
}

int
nc_cmd_net_port_dumpxml(NcCtl *ctl, int argc, char **argv)
{
  static const NcCommandSpec spec
      = { "net-port-dumpxml", "network port information in XML", port_args };
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path = port_command_path(ctl, &spec, argc, argv, &args, &status);
  g_autoptr(GError) err = NULL;
  if (!path)
    return status;
  g_autoptr(GVariant) reply = nc_client_call(nc_ctl_client(ctl), path, PORT_IFACE, "GetXMLDesc",
                                             g_variant_new("(u)", 0u), G_VARIANT_TYPE("(s)"), &err);
  if (!reply)
    return nc_print_error(err, "failed to get network port '%s'", nc_args_get(args, "port"));
  const char *xml;
  g_variant_get(reply, "(&s)", &xml);
  fputs(xml, stdout);
  return 0;
}

int
nc_cmd_net_port_delete(NcCtl *ctl, int argc, char **argv)
{
  static const NcCommandSpec spec
      = { "net-port-delete", "delete the specified network port", port_args };
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path = port_command_path(ctl, &spec, argc, argv, &args, &status);
  g_autoptr(GError) err = NULL;
  if (!path)
    return status;
  const char *uuid = nc_args_get(args, "port");
  g_autoptr(GVariant) reply = nc_client_call(nc_ctl_client(ctl), path, PORT_IFACE, "Delete",
                                             g_variant_new("(u)", 0u), NULL, &err);
  if (!reply)
    return nc_print_error(err, "Failed to delete network port %s", uuid);
  nc_print_extra(ctl, "Network port %s deleted\n", uuid);
  return 0;
}
