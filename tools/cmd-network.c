/* netctl commands on one network, with virsh's names, options, messages and
 * output: net-define, net-create, net-start, net-destroy, net-undefine,
 * net-autostart, net-info, net-dumpxml, net-uuid, net-name, net-update,
 * net-dhcp-leases. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "nc-error.h"
#include "network-update.h"
#include "commands.h"
#include "output.h"
#include "port-info.h"

/* org.libvirt.Connect define/create flags */
#define DEFINE_VALIDATE 1u
/* org.libvirt.Network GetXMLDesc flags */
#define XML_INACTIVE 1u
/* virNetworkUpdateFlags */
#define UPDATE_AFFECT_LIVE 1u
#define UPDATE_AFFECT_CONFIG 2u

/* The first argument of most commands here. */
#define NETWORK_ARG                                                                                \
  {                                                                                                \
    "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name or uuid"          \
  }
/* What virsh accepts where it asks for a network. */
#define BY_UUID_OR_NAME (NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME)

static const NcArgDef network_arg[] = {
  NETWORK_ARG,
  { NULL },
};

char *
nc_ctl_lookup_network(NcCtl *ctl, const NcArgs *args, guint lookup, const char **ret_arg)
{
  const char *arg = nc_args_get(args, "network");
  NcClient *client = nc_ctl_client(ctl);
  g_autoptr(GError) err = NULL;
  char *path;

  if (client == NULL)
    return NULL;
  path = nc_client_lookup(client, arg, lookup, &err);
  if (path == NULL)
    nc_print_error(err, "failed to get network '%s'", arg);
  else if (ret_arg != NULL)
    *ret_arg = arg;
  return path;
}

/* The prologue of the commands on one network: parse the arguments and look
 * the network up. Returns its object path and hands the arguments over in
 * ret_args; NULL with the exit status in ret_status (the error printed). */
static char *
network_command_path(NcCtl *ctl, const NcCommandSpec *spec, int argc, char **argv, guint lookup,
                     NcArgs **ret_args, int *ret_status)
{
  *ret_status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(spec, argc, argv, ret_status);
  if (args == NULL)
    return NULL;
  *ret_status = 1;
  char *path = nc_ctl_lookup_network(ctl, args, lookup, NULL);
  if (path != NULL)
    *ret_args = g_steal_pointer(&args);
  return path;
}

/* The network's info, or NULL with the error printed as virsh does. */
static NcNetInfo *
network_info(NcCtl *ctl, const NcArgs *args, const char *path)
{
  g_autoptr(GError) err = NULL;
  NcNetInfo *info = nc_client_get_info(nc_ctl_client(ctl), path, &err);

  if (info == NULL)
    nc_print_error(err, "failed to get network '%s'", nc_args_get(args, "network"));
  return info;
}

/* A method without arguments or result on a network given by name/UUID,
 * with virsh's success and failure messages around it. */
static int
simple_action(NcCtl *ctl, const NcCommandSpec *spec, int argc, char **argv, const char *method,
              const char *done_fmt, const char *fail_fmt)
{
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path
      = network_command_path(ctl, spec, argc, argv, BY_UUID_OR_NAME, &args, &status);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) err = NULL;

  if (path == NULL)
    return status;
  const char *name = nc_args_get(args, "network");
  reply = nc_client_call(nc_ctl_client(ctl), path, NC_NETWORK_IFACE, method, NULL, NULL, &err);
  if (reply == NULL)
    return nc_print_error(err, fail_fmt, name);
  nc_print_extra(ctl, done_fmt, name);
  return 0;
}

int
nc_cmd_net_start(NcCtl *ctl, int argc, char **argv)
{
  static const NcCommandSpec spec
      = { "net-start", "start a (previously defined) inactive network", network_arg };
  return simple_action(ctl, &spec, argc, argv, "Create", "Network %s started\n",
                       "Failed to start network %s");
}

/* As virsh, and then the ports the destroy cut off (libvirt says nothing of
 * them; netctl plugs them back in when the network starts again). */
int
nc_cmd_net_destroy(NcCtl *ctl, int argc, char **argv)
{
  static const NcCommandSpec spec = { "net-destroy", "destroy (stop) a network", network_arg };
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path
      = network_command_path(ctl, &spec, argc, argv, BY_UUID_OR_NAME, &args, &status);
  g_autoptr(GError) err = NULL;
  if (path == NULL)
    return status;
  const char *name = nc_args_get(args, "network");
  /* Best effort: a daemon without ports (or a race) just names none. */
  g_autoptr(GPtrArray) ports = nc_port_info_list(nc_ctl_client(ctl), path, NULL);
  g_autoptr(GVariant) reply
      = nc_client_call(nc_ctl_client(ctl), path, NC_NETWORK_IFACE, "Destroy", NULL, NULL, &err);
  if (reply == NULL)
    return nc_print_error(err, "Failed to destroy network %s", name);
  nc_print_extra(ctl, "Network %s destroyed\n", name);
  g_autoptr(GString) cut = g_string_new(NULL);
  guint n = 0;
  for (guint i = 0; ports && i < ports->len; i++) {
    const NcPortInfo *p = ports->pdata[i];
    if (!p->plugged)
      continue;
    g_string_append_printf(cut, "%s%s", n++ ? ", " : "", p->device[0] ? p->device : p->uuid);
  }
  if (n > 0)
    nc_print_extra(ctl, "%u port%s cut off (%s); plugged back in when the network starts again\n",
                   n, n == 1 ? "" : "s", cut->str);
  return 0;
}

int
nc_cmd_net_undefine(NcCtl *ctl, int argc, char **argv)
{
  static const NcCommandSpec spec
      = { "net-undefine", "undefine a persistent network", network_arg };
  return simple_action(ctl, &spec, argc, argv, "Undefine", "Network %s has been undefined\n",
                       "Failed to undefine network %s");
}

/* net-define and net-create: read FILE, send it, report with the new name. */
static int
from_file(NcCtl *ctl, const NcCommandSpec *spec, int argc, char **argv, const char *method,
          const char *done_fmt, const char *fail_fmt)
{
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(spec, argc, argv, &status);
  g_autofree char *xml = NULL;
  g_autofree char *path = NULL;
  g_autofree char *method_flags = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) err = NULL;
  g_autoptr(NcNetInfo) info = NULL;
  NcClient *client;
  const char *file;

  if (args == NULL)
    return status;
  file = nc_args_get(args, "file");
  if ((xml = nc_read_file(file)) == NULL)
    return 1;
  if ((client = nc_ctl_client(ctl)) == NULL)
    return 1;
  if (nc_args_has(args, "validate")) {
    method_flags = g_strconcat(method, "Flags", NULL);
    reply
        = nc_client_call(client, NC_CONNECT_PATH, NC_CONNECT_IFACE, method_flags,
                         g_variant_new("(su)", xml, DEFINE_VALIDATE), G_VARIANT_TYPE("(o)"), &err);
  } else {
    reply = nc_client_call(client, NC_CONNECT_PATH, NC_CONNECT_IFACE, method,
                           g_variant_new("(s)", xml), G_VARIANT_TYPE("(o)"), &err);
  }
  if (reply == NULL) {
    nc_error_name_source(err, file);
    return nc_print_error(err, fail_fmt, file);
  }
  g_variant_get(reply, "(o)", &path);
  info = nc_client_get_info(client, path, &err);
  if (info == NULL)
    return nc_print_error(err, fail_fmt, file);
  nc_print_extra(ctl, done_fmt, info->name, file);
  return 0;
}

static const NcArgDef file_args[] = {
  { "file", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED,
    "file containing an XML network description" },
  { "validate", NC_ARG_BOOL, 0, "validate the XML against the schema" },
  { NULL },
};

int
nc_cmd_net_define(NcCtl *ctl, int argc, char **argv)
{
  static const NcCommandSpec spec = {
    "net-define",
    "define an inactive persistent virtual network or modify an existing persistent one from an "
    "XML file",
    file_args
  };
  return from_file(ctl, &spec, argc, argv, "NetworkDefineXML", "Network %s defined from %s\n",
                   "Failed to define network from %s");
}

int
nc_cmd_net_create(NcCtl *ctl, int argc, char **argv)
{
  static const NcCommandSpec spec
      = { "net-create", "create a network from an XML file", file_args };
  return from_file(ctl, &spec, argc, argv, "NetworkCreateXML", "Network %s created from %s\n",
                   "Failed to create network from %s");
}

int
nc_cmd_net_autostart(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    NETWORK_ARG,
    { "disable", NC_ARG_BOOL, 0, "disable autostarting" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-autostart", "autostart a network", defs };
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path
      = network_command_path(ctl, &spec, argc, argv, BY_UUID_OR_NAME, &args, &status);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) err = NULL;

  if (path == NULL)
    return status;
  const char *name = nc_args_get(args, "network");
  gboolean autostart = !nc_args_has(args, "disable");
  reply = nc_client_call(
      nc_ctl_client(ctl), path, "org.freedesktop.DBus.Properties", "Set",
      g_variant_new("(ssv)", NC_NETWORK_IFACE, "Autostart", g_variant_new_boolean(autostart)), NULL,
      &err);
  if (reply == NULL)
    return nc_print_error(err,
                          autostart ? "failed to mark network %s as autostarted"
                                    : "failed to unmark network %s as autostarted",
                          name);
  if (autostart)
    nc_print_extra(ctl, "Network %s marked as autostarted\n", name);
  else
    nc_print_extra(ctl, "Network %s unmarked as autostarted\n", name);
  return 0;
}

static void
print_info_json(const NcNetInfo *info)
{
  g_autoptr(GString) out = g_string_new(NULL);

  nc_json_append_net_info(out, info);
  g_string_append_c(out, '\n');
  fputs(out->str, stdout);
}

int
nc_cmd_net_info(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    NETWORK_ARG,
    { "json", NC_ARG_BOOL, 0, "print a JSON object (for scripts)" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-info", "network information", defs };
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path
      = network_command_path(ctl, &spec, argc, argv, BY_UUID_OR_NAME, &args, &status);
  g_autoptr(NcNetInfo) info = NULL;

  if (path == NULL)
    return status;
  if ((info = network_info(ctl, args, path)) == NULL)
    return 1;
  if (nc_args_has(args, "json")) {
    ctl->no_trailer = TRUE;
    print_info_json(info);
    return 0;
  }
  nc_print_field("Name:", info->name);
  nc_print_field("UUID:", info->uuid);
  nc_print_field("Active:", info->active ? "yes" : "no");
  nc_print_field("Persistent:", info->persistent ? "yes" : "no");
  nc_print_field("Autostart:", info->autostart ? "yes" : "no");
  if (info->bridge[0] != '\0')
    nc_print_field("Bridge:", info->bridge);
  if (info->active)
    nc_print_direct_note(ctl, path);
  return 0;
}

int
nc_cmd_net_dumpxml(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    NETWORK_ARG,
    { "inactive", NC_ARG_BOOL, 0, "the persistent (next start) configuration" },
    { "xpath", NC_ARG_STRING, 0, "xpath expression to filter the XML document" },
    { "wrap", NC_ARG_BOOL, 0, "wrap xpath results in an common root element" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-dumpxml", "network information in XML", defs };
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path
      = network_command_path(ctl, &spec, argc, argv, BY_UUID_OR_NAME, &args, &status);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) err = NULL;
  const char *xml;

  if (path == NULL)
    return status;
  reply = nc_client_call(nc_ctl_client(ctl), path, NC_NETWORK_IFACE, "GetXMLDesc",
                         g_variant_new("(u)", nc_args_has(args, "inactive") ? XML_INACTIVE : 0),
                         G_VARIANT_TYPE("(s)"), &err);
  if (reply == NULL)
    return nc_print_error(err, NULL);
  g_variant_get(reply, "(&s)", &xml);
  if (nc_args_has(args, "xpath"))
    return nc_print_xpath(xml, nc_args_get(args, "xpath"), nc_args_has(args, "wrap"));
  fputs(xml, stdout);
  return 0;
}

/* net-uuid (by name only) and net-name (by UUID only), as virsh. */
static int
print_property(NcCtl *ctl, const NcCommandSpec *spec, int argc, char **argv, guint lookup,
               gboolean want_uuid)
{
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path = network_command_path(ctl, spec, argc, argv, lookup, &args, &status);
  g_autoptr(NcNetInfo) info = NULL;

  if (path == NULL)
    return status;
  if ((info = network_info(ctl, args, path)) == NULL)
    return 1;
  printf("%s\n", want_uuid ? info->uuid : info->name);
  return 0;
}

int
nc_cmd_net_uuid(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-uuid", "convert a network name to network UUID", defs };
  return print_property(ctl, &spec, argc, argv, NC_LOOKUP_BY_NAME, TRUE);
}

int
nc_cmd_net_name(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network uuid" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-name", "convert a network UUID to network name", defs };
  return print_property(ctl, &spec, argc, argv, NC_LOOKUP_BY_UUID, FALSE);
}

/* virNetworkUpdateCommand, index = value. */
static const char *const update_commands[]
    = { "none", "modify", "delete", "add-last", "add-first", NULL };

static int
index_of(const char *const *table, const char *s)
{
  for (int i = 1; table[i] != NULL; i++)
    if (strcmp(table[i], s) == 0)
      return i;
  return -1;
}

int
nc_cmd_net_update(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    NETWORK_ARG,
    { "command", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED,
      "type of update (add-first, add-last (add), delete, or modify)" },
    { "section", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED,
      "which section of network configuration to update" },
    { "xml", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED,
      "name of file containing xml (or, if it starts with '<', the complete xml element itself) "
      "to add/modify, or to be matched for search" },
    { "parent-index", NC_ARG_INT, 0, "which parent object to search through" },
    { "config", NC_ARG_BOOL, 0, "affect next network startup" },
    { "live", NC_ARG_BOOL, 0, "affect running network" },
    { "current", NC_ARG_BOOL, 0, "affect current state of network" },
    { NULL },
  };
  static const NcCommandSpec spec
      = { "net-update", "update parts of an existing network's configuration", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autofree char *path = NULL;
  g_autofree char *xml_from_file = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) err = NULL;
  g_autoptr(NcNetInfo) info = NULL;
  const char *command_str, *section_str, *xml, *affected;
  gboolean live, config;
  int command, section;
  guint flags = 0;

  if (args == NULL)
    return status;
  live = nc_args_has(args, "live");
  config = nc_args_has(args, "config");
  command_str = nc_args_get(args, "command");
  section_str = nc_args_get(args, "section");
  /* "add" is a synonym for "add-last" */
  command = index_of(update_commands, strcmp(command_str, "add") == 0 ? "add-last" : command_str);
  if (command < 0) {
    g_autofree char *q = nc_name_escape(command_str);
    g_printerr("error: unrecognized command name '%s'\n", q);
    return 1;
  }
  /* libvirt's sections and netctl's own (netctl-mirror, ...: network-update.h) */
  section = nc_network_update_section_from_string(section_str);
  if (section < 0) {
    g_autofree char *q = nc_name_escape(section_str);
    g_printerr("error: unrecognized section name '%s'\n", q);
    return 1;
  }
  if (nc_args_has(args, "current") && (live || config)) {
    g_printerr("error: --current must be specified exclusively\n");
    return 1;
  }
  if (live)
    flags |= UPDATE_AFFECT_LIVE;
  if (config)
    flags |= UPDATE_AFFECT_CONFIG;
  xml = nc_args_get(args, "xml");
  if (xml[0] != '<') {
    if ((xml_from_file = nc_read_file(xml)) == NULL)
      return 1;
    xml = xml_from_file;
  } else if (!g_utf8_validate(xml, -1, NULL)) {
    g_printerr("error: the XML given on the command line is not valid UTF-8\n");
    return 1;
  }
  path = nc_ctl_lookup_network(ctl, args, BY_UUID_OR_NAME, NULL);
  if (path == NULL || (info = network_info(ctl, args, path)) == NULL)
    return 1;
  reply = nc_client_call(nc_ctl_client(ctl), path, NC_NETWORK_IFACE, "Update",
                         g_variant_new("(uuisu)", (guint)command, (guint)section,
                                       nc_args_get_int(args, "parent-index", -1), xml, flags),
                         NULL, &err);
  if (reply == NULL)
    return nc_print_error(err, "Failed to update network %s", info->name);
  if (config)
    affected = live ? "persistent config and live state" : "persistent config";
  else if (live || info->active)
    affected = "live state";
  else
    affected = "persistent config";
  /* virsh prints this one without a newline; its end-of-command blank line
   * ends it. */
  nc_print_extra(ctl, "Updated network %s %s", info->name, affected);
  return 0;
}

static int
compare_leases(gconstpointer a, gconstpointer b)
{
  GVariant *la = *(GVariant *const *)a;
  GVariant *lb = *(GVariant *const *)b;
  const char *ma, *mb;

  g_variant_get_child(la, 3, "&s", &ma);
  g_variant_get_child(lb, 3, "&s", &mb);
  return g_strcmp0(ma, mb);
}

static const char *
or_minus(const char *s)
{
  return s != NULL && s[0] != '\0' ? s : "-";
}

int
nc_cmd_net_dhcp_leases(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    NETWORK_ARG,
    { "mac", NC_ARG_STRING, 0, "MAC address" },
    { "json", NC_ARG_BOOL, 0, "print a JSON array (for scripts)" },
    { NULL },
  };
  static const NcCommandSpec spec
      = { "net-dhcp-leases", "print lease info for a given network", defs };
  int status;
  g_autoptr(NcArgs) args = NULL;
  g_autofree char *path
      = network_command_path(ctl, &spec, argc, argv, BY_UUID_OR_NAME, &args, &status);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) array = NULL;
  g_autoptr(GError) err = NULL;
  g_autoptr(GPtrArray) leases = NULL;
  g_autoptr(NcTable) table = NULL;
  g_autoptr(GString) json = NULL;
  g_autofree char *text = NULL;
  GVariantIter iter;
  GVariant *lease;
  const char *name, *mac;

  if (path == NULL)
    return status;
  name = nc_args_get(args, "network");
  mac = nc_args_get(args, "mac");
  reply = nc_client_call(nc_ctl_client(ctl), path, NC_NETWORK_IFACE, "GetDHCPLeases",
                         g_variant_new("(su)", mac ? mac : "", 0u),
                         G_VARIANT_TYPE("(a(sxisssuss))"), &err);
  if (reply == NULL)
    return nc_print_error(err, "Failed to get leases info for %s", name);

  leases = g_ptr_array_new_with_free_func((GDestroyNotify)g_variant_unref);
  array = g_variant_get_child_value(reply, 0);
  g_variant_iter_init(&iter, array);
  while ((lease = g_variant_iter_next_value(&iter)) != NULL)
    g_ptr_array_add(leases, lease);
  g_ptr_array_sort(leases, compare_leases);

  table = nc_table_new("Expiry Time", "MAC address", "Protocol", "IP address", "Hostname",
                       "Client ID or DUID", NULL);
  json = g_string_new("[");
  for (guint i = 0; i < leases->len; i++) {
    const char *iface, *lmac, *iaid, *ip, *host, *clientid;
    gint64 expiry;
    gint32 type;
    guint32 prefix;
    g_autoptr(GDateTime) dt = NULL;
    g_autofree char *when = NULL;
    g_autofree char *cidr = NULL;

    g_variant_get(g_ptr_array_index(leases, i), "(&sxi&s&s&su&s&s)", &iface, &expiry, &type, &lmac,
                  &iaid, &ip, &prefix, &host, &clientid);
    dt = g_date_time_new_from_unix_local(expiry);
    when = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S") : g_strdup("-");
    cidr = g_strdup_printf("%s/%u", ip, prefix);
    nc_table_add_row(table, when, or_minus(lmac), type == 0 ? "ipv4" : "ipv6", cidr, or_minus(host),
                     or_minus(clientid), NULL);
    g_string_append(json, i ? ",\n {" : "{");
    g_string_append(json, "\"iface\": ");
    nc_json_append_string(json, iface);
    g_string_append_printf(json, ", \"expirytime\": %" G_GINT64_FORMAT ", \"type\": \"%s\"", expiry,
                           type == 0 ? "ipv4" : "ipv6");
    g_string_append(json, ", \"mac\": ");
    nc_json_append_string(json, lmac);
    g_string_append(json, ", \"iaid\": ");
    nc_json_append_string(json, iaid);
    g_string_append(json, ", \"ipaddr\": ");
    nc_json_append_string(json, ip);
    g_string_append_printf(json, ", \"prefix\": %u, \"hostname\": ", prefix);
    nc_json_append_string(json, host);
    g_string_append(json, ", \"clientid\": ");
    nc_json_append_string(json, clientid);
    g_string_append(json, "}");
  }
  g_string_append(json, "]\n");
  if (nc_args_has(args, "json")) {
    ctl->no_trailer = TRUE;
    fputs(json->str, stdout);
    return 0;
  }
  text = nc_table_format(table, !ctl->quiet);
  fputs(text, stdout);
  return 0;
}
