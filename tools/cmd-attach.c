/* netctl attach-interface / detach-interface: a guest port together with the
 * TAP a VMM opens (qemu -netdev tap,ifname=vnet0,script=no,downscript=no;
 * cloud-hypervisor --net tap=vnet0; Firecracker host_dev_name), for guests
 * that libvirt does not run. The daemon makes the TAP (PortCreateTap),
 * persistent, owned by the given user so the VMM needs no privilege,
 * enslaved to the network's bridge and up. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "nc-addr.h"
#include "nc-error.h"
#include "output.h"
#include "port-info.h"

/* A user or group given by name or number: its id, or -1 after printing why. */
static gint64
resolve_id(const char *value, gboolean group)
{
  char *end = NULL;
  errno = 0;
  guint64 n = g_ascii_strtoull(value, &end, 10);
  if (*value && end && *end == '\0' && errno == 0 && n < G_MAXUINT32)
    return (gint64)n;
  if (group) {
    struct group *gr = getgrnam(value);
    if (gr)
      return gr->gr_gid;
  } else {
    struct passwd *pw = getpwnam(value);
    if (pw)
      return pw->pw_uid;
  }
  g_autofree char *escaped = nc_name_escape(value);
  g_printerr("error: no such %s '%s'\n", group ? "group" : "user", escaped);
  return -1;
}

static void
random_mac(char buf[18])
{
  /* libvirt's prefix for generated guest MACs (QEMU's OUI). */
  g_snprintf(buf, 18, "52:54:00:%02x:%02x:%02x", g_random_int_range(0, 256),
             g_random_int_range(0, 256), g_random_int_range(0, 256));
}

static char *
port_xml(const char *uuid, const char *owner, const char *owner_uuid, const char *portgroup,
         const char *mac)
{
  g_autoptr(GString) xml = g_string_new("<networkport>\n");
  g_autofree char *head = g_markup_printf_escaped(
      "  <uuid>%s</uuid>\n  <owner>\n    <name>%s</name>\n    <uuid>%s</uuid>\n  </owner>\n",
      uuid, owner, owner_uuid);
  g_string_append(xml, head);
  if (portgroup) {
    g_autofree char *pg = g_markup_printf_escaped("  <group>%s</group>\n", portgroup);
    g_string_append(xml, pg);
  }
  g_autofree char *tail = g_markup_printf_escaped("  <mac address='%s'/>\n</networkport>\n", mac);
  g_string_append(xml, tail);
  return g_string_free(g_steal_pointer(&xml), FALSE);
}

int
nc_cmd_attach_interface(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name or uuid" },
    { "mac", NC_ARG_STRING, 0, "the guest's MAC address (default: generated 52:54:00:xx:xx:xx)" },
    { "target", NC_ARG_STRING, 0,
      "the TAP device's name (default: the first free vnetN; macvtapN on direct networks)" },
    { "portgroup", NC_ARG_STRING, 0, "the network's portgroup to use" },
    { "owner", NC_ARG_STRING, 0, "the guest's name, for the port and libvirt's NSS module" },
    { "owner-uuid", NC_ARG_STRING, 0, "the guest's UUID (default: random)" },
    { "user", NC_ARG_STRING, 0, "user (name or uid) that may open the TAP (default: root only)" },
    { "group", NC_ARG_STRING, 0, "group (name or gid) that may open the TAP" },
    { "multiqueue", NC_ARG_INT, 0, "number of queues (1-256), multiqueue TAP when over 1" },
    { "vnet-hdr", NC_ARG_BOOL, 0, "IFF_VNET_HDR (the default)" },
    { "no-vnet-hdr", NC_ARG_BOOL, 0, "no IFF_VNET_HDR (Firecracker, plain reads)" },
    { "mtu", NC_ARG_INT, 0, "the TAP's MTU (default: the network's)" },
    { "json", NC_ARG_BOOL, 0, "print a JSON object (for scripts)" },
    { NULL },
  };
  static const NcCommandSpec spec
      = { "attach-interface", "make a guest port and its TAP device on a network", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autoptr(GError) err = NULL;
  if (!args)
    return status;

  if (nc_args_has(args, "vnet-hdr") && nc_args_has(args, "no-vnet-hdr")) {
    g_printerr("error: --vnet-hdr and --no-vnet-hdr exclude each other\n");
    return 1;
  }
  char mac[18];
  const char *mac_arg = nc_args_get(args, "mac");
  if (mac_arg) {
    NcMac parsed;
    if (!nc_mac_parse(mac_arg, &parsed) || (parsed.addr[0] & 1)) {
      g_autofree char *escaped = nc_name_escape(mac_arg);
      g_printerr("error: invalid MAC address '%s' (six hex bytes, not multicast, like "
                 "52:54:00:12:34:56)\n",
                 escaped);
      return 1;
    }
    nc_mac_format(&parsed, mac);
  } else {
    random_mac(mac);
  }
  int queues = nc_args_get_int(args, "multiqueue", 1);
  if (queues < 1 || queues > 256) {
    g_printerr("error: --multiqueue %d is out of range (1-256)\n", queues);
    return 1;
  }
  int mtu = nc_args_get_int(args, "mtu", 0);
  if (nc_args_has(args, "mtu") && (mtu < 68 || mtu > 65535)) {
    g_printerr("error: --mtu %d is out of range (68-65535)\n", mtu);
    return 1;
  }
  gint64 owner = -1, group = -1;
  if (nc_args_get(args, "user") && (owner = resolve_id(nc_args_get(args, "user"), FALSE)) < 0)
    return 1;
  if (nc_args_get(args, "group") && (group = resolve_id(nc_args_get(args, "group"), TRUE)) < 0)
    return 1;
  const char *owner_uuid_arg = nc_args_get(args, "owner-uuid");
  guint8 raw[NC_UUID_LEN];
  if (owner_uuid_arg && !nc_uuid_parse(owner_uuid_arg, raw)) {
    g_autofree char *escaped = nc_name_escape(owner_uuid_arg);
    g_printerr("error: invalid --owner-uuid '%s'\n", escaped);
    return 1;
  }

  g_autofree char *uuid = g_uuid_string_random();
  g_autofree char *owner_uuid = owner_uuid_arg ? g_strdup(owner_uuid_arg) : g_uuid_string_random();
  const char *target = nc_args_get(args, "target");
  g_autofree char *owner_name = nc_args_get(args, "owner")
                                    ? g_strdup(nc_args_get(args, "owner"))
                                    : g_strdup_printf("guest-%.8s", uuid);
  g_autofree char *xml = port_xml(uuid, owner_name, owner_uuid, nc_args_get(args, "portgroup"), mac);

  GVariantBuilder dev;
  g_variant_builder_init(&dev, G_VARIANT_TYPE("a{sv}"));
  if (target)
    g_variant_builder_add(&dev, "{sv}", "target", g_variant_new_string(target));
  g_variant_builder_add(&dev, "{sv}", "owner", g_variant_new_int64(owner));
  g_variant_builder_add(&dev, "{sv}", "group", g_variant_new_int64(group));
  g_variant_builder_add(&dev, "{sv}", "queues", g_variant_new_uint32((guint32)queues));
  g_variant_builder_add(&dev, "{sv}", "vnet-hdr",
                        g_variant_new_boolean(!nc_args_has(args, "no-vnet-hdr")));
  if (mtu)
    g_variant_builder_add(&dev, "{sv}", "mtu", g_variant_new_uint32((guint32)mtu));

  const char *net_arg = NULL;
  g_autofree char *net_path
      = nc_ctl_lookup_network(ctl, args, NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME, &net_arg);
  if (!net_path) {
    g_variant_builder_clear(&dev);
    return 1;
  }
  g_autoptr(GVariant) reply
      = nc_client_call(nc_ctl_client(ctl), net_path, NC_NETWORK_IFACE, "PortCreateTap",
                       g_variant_new("(sa{sv}u)", xml, &dev, 0u), G_VARIANT_TYPE("(os)"), &err);
  if (!reply)
    return nc_print_error(err, "Failed to attach interface");
  const char *device, *port_path;
  g_variant_get(reply, "(&o&s)", &port_path, &device);
  /* A macvtap (direct networks) also has the character device the VMM opens. */
  g_autoptr(NcPortInfo) info = nc_port_info_get(nc_ctl_client(ctl), port_path, NULL);
  const char *chardev = info && info->chardev[0] ? info->chardev : NULL;

  if (nc_args_has(args, "json")) {
    ctl->no_trailer = TRUE;
    g_autoptr(GString) out = g_string_new("{\"port\": ");
    nc_json_append_string(out, uuid);
    g_string_append(out, ", \"device\": ");
    nc_json_append_string(out, device);
    if (chardev) {
      g_string_append(out, ", \"chardev\": ");
      nc_json_append_string(out, chardev);
    }
    g_string_append(out, ", \"mac\": ");
    nc_json_append_string(out, mac);
    g_string_append(out, ", \"owner\": ");
    nc_json_append_string(out, owner_name);
    g_string_append(out, ", \"network\": ");
    nc_json_append_string(out, net_arg);
    g_string_append(out, "}\n");
    fputs(out->str, stdout);
    return 0;
  }
  nc_print_extra(ctl, "Interface attached successfully\n");
  nc_print_field("Port:", uuid);
  nc_print_field("Device:", device);
  if (chardev)
    nc_print_field("Char device:", chardev);
  nc_print_field("MAC:", mac);
  return 0;
}

int
nc_cmd_detach_interface(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name or uuid" },
    { "mac", NC_ARG_STRING, 0, "the port with this guest MAC" },
    { "port", NC_ARG_STRING, 0, "the port with this UUID" },
    { "target", NC_ARG_STRING, 0, "the port whose TAP device has this name" },
    { NULL },
  };
  static const NcCommandSpec spec
      = { "detach-interface", "delete a guest port and the TAP device netctl made for it", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autoptr(GError) err = NULL;
  if (!args)
    return status;
  const char *mac = nc_args_get(args, "mac"), *port = nc_args_get(args, "port"),
             *target = nc_args_get(args, "target");
  if (!!mac + !!port + !!target != 1) {
    g_printerr("error: give exactly one of --mac, --port and --target\n");
    return 2;
  }
  NcMac want_mac;
  if (mac && !nc_mac_parse(mac, &want_mac)) {
    g_autofree char *escaped = nc_name_escape(mac);
    g_printerr("error: invalid MAC address '%s'\n", escaped);
    return 1;
  }
  g_autofree char *net_path
      = nc_ctl_lookup_network(ctl, args, NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME, NULL);
  if (!net_path)
    return 1;
  /* One lookup in the daemon, whatever the number of ports. */
  const char *method = mac ? "PortLookupByMAC" : port ? "PortLookupByUUID" : "PortLookupByDevice";
  g_autoptr(GVariant) found = nc_client_call(nc_ctl_client(ctl), net_path, NC_NETWORK_IFACE, method,
                                             g_variant_new("(s)", mac ? mac : port ? port : target),
                                             G_VARIANT_TYPE("(o)"), &err);
  if (!found)
    return nc_print_error(err, "Failed to detach interface");
  const char *found_path;
  g_variant_get(found, "(&o)", &found_path);
  g_autoptr(GVariant) reply = nc_client_call(nc_ctl_client(ctl), found_path,
                                             "org.netctl1.NetworkPort", "Delete",
                                             g_variant_new("(u)", 0u), NULL, &err);
  if (!reply)
    return nc_print_error(err, "Failed to detach interface");
  nc_print_extra(ctl, "Interface detached successfully\n");
  return 0;
}
