/* netctl: the command-line client. virsh's network command names, options and
 * output; offline commands (net-validate) need no daemon, the others talk to
 * netctld over D-Bus (client.c). */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "commands.h"
#include "nc-error.h"
#include "nc-config.h"

static const NcCommand commands[] = {
  { "attach-interface", NULL, nc_cmd_attach_interface,
    "make a guest port and its TAP device on a network", TRUE },
  { "detach-interface", NULL, nc_cmd_detach_interface,
    "delete a guest port and the TAP device netctl made for it", TRUE },
  { "net-autostart", NULL, nc_cmd_net_autostart, "autostart a network", TRUE },
  { "net-create", NULL, nc_cmd_net_create, "create a network from an XML file", TRUE },
  { "net-define", NULL, nc_cmd_net_define,
    "define an inactive persistent virtual network or modify an existing persistent one from an "
    "XML file",
    TRUE },
  { "net-destroy", NULL, nc_cmd_net_destroy, "destroy (stop) a network", TRUE },
  { "net-dhcp-leases", NULL, nc_cmd_net_dhcp_leases, "print lease info for a given network", TRUE },
  { "net-dumpxml", NULL, nc_cmd_net_dumpxml, "network information in XML", TRUE },
  { "net-edit", NULL, nc_cmd_net_edit, "edit XML configuration for a network", TRUE },
  { "net-event", NULL, nc_cmd_net_event, "Network Events", TRUE },
  { "net-info", NULL, nc_cmd_net_info, "network information", TRUE },
  { "net-list", NULL, nc_cmd_net_list, "list networks", TRUE },
  { "net-name", NULL, nc_cmd_net_name, "convert a network UUID to network name", TRUE },
  { "net-port-create", NULL, nc_cmd_net_port_create, "create a network port", TRUE },
  { "net-port-delete", NULL, nc_cmd_net_port_delete, "delete the specified network port", TRUE },
  { "net-port-dumpxml", NULL, nc_cmd_net_port_dumpxml, "network port information in XML", TRUE },
  { "net-port-list", NULL, nc_cmd_net_port_list, "list network ports", TRUE },
  { "net-start", NULL, nc_cmd_net_start, "start a (previously defined) inactive network", TRUE },
  { "net-undefine", NULL, nc_cmd_net_undefine, "undefine a persistent network", TRUE },
  { "net-update", NULL, nc_cmd_net_update, "update parts of an existing network's configuration",
    TRUE },
  { "net-uuid", NULL, nc_cmd_net_uuid, "convert a network name to network UUID", TRUE },
  { "net-validate", nc_cmd_net_validate, NULL, "Validate network XML files (no daemon needed)",
    FALSE },
};

static void
usage(FILE *out)
{
  fprintf(out, "Usage: netctl [-q] COMMAND [OPTIONS...]\n"
               "       netctl help COMMAND | COMMAND --help\n\n"
               "Options:\n"
               "  -q, --quiet        quiet mode: no headers and no informational messages\n"
               "  -h, --help         this help\n"
               "  -V, --version      print the version\n\n"
               "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-18s %s\n", commands[i].name, commands[i].summary);
}

static const NcCommand *
find_command(const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(name, commands[i].name) == 0)
      return &commands[i];
  return NULL;
}

NcClient *
nc_ctl_client(NcCtl *ctl)
{
  g_autoptr(GError) err = NULL;

  if (ctl->client == NULL) {
    ctl->client = nc_client_new(&err);
    if (ctl->client == NULL) {
      fflush(stdout);
      g_printerr("error: %s\n", err->message);
    }
  }
  return ctl->client;
}

static int
run(const NcCommand *cmd, gboolean quiet, int argc, char **argv)
{
  NcCtl ctl = { .quiet = quiet };
  int status;

  if (cmd->run != NULL)
    return cmd->run(argc, argv);
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      ctl.no_trailer = TRUE;
  status = cmd->run_ctl(&ctl, argc, argv);
  /* virsh ends every command's output with an empty line unless -q. Usage
   * errors (status 2) never reached the command proper. */
  if (!ctl.quiet && !ctl.no_trailer && status != 2)
    fputs("\n", stdout);
  nc_client_free(ctl.client);
  return status;
}

int
main(int argc, char **argv)
{
  gboolean quiet = FALSE;
  const NcCommand *cmd;
  int i = 1;

  /* The user's character set, so GLib's messages keep their quotes (“x”)
   * instead of '?' in a UTF-8 terminal; numbers stay in the C format that
   * scripts parse, as virsh's do. */
  setlocale(LC_ALL, "");
  setlocale(LC_NUMERIC, "C");

  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
      quiet = TRUE;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
      printf("netctl %s\n", NC_VERSION);
      return 0;
    } else {
      g_autofree char *q = nc_name_escape(argv[i]);
      fprintf(stderr, "netctl: unknown option '%s' (try 'netctl --help')\n", q);
      return 2;
    }
  }
  if (i >= argc) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[i], "help") == 0) {
    if (i + 1 >= argc) {
      usage(stdout);
      return 0;
    }
    if ((cmd = find_command(argv[i + 1])) == NULL) {
      g_autofree char *q = nc_name_escape(argv[i + 1]);
      fprintf(stderr, "netctl: unknown command '%s' (try 'netctl --help')\n", q);
      return 2;
    }
    {
      char *help_argv[] = { argv[i + 1], (char *)"--help", NULL };
      return run(cmd, quiet, 2, help_argv);
    }
  }
  if ((cmd = find_command(argv[i])) == NULL) {
    g_autofree char *q = nc_name_escape(argv[i]);
    fprintf(stderr, "netctl: unknown command '%s' (try 'netctl --help')\n", q);
    return 2;
  }
  return run(cmd, quiet, argc - i, argv + i);
}
