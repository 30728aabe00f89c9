/* netctl net-edit: the persistent definition in $VISUAL / $EDITOR / vi, then
 * redefined. A definition the daemon refuses changes nothing: the old one
 * stays. On a terminal the user is asked what to do, as virsh asks; without
 * one (scripts, tests) the command fails with the daemon's error. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "args.h"
#include "commands.h"
#include "nc-error.h"
#include "output.h"

#define XML_INACTIVE 1u
#define DEFINE_VALIDATE 1u

/* The editor may carry options ("emacs -nw"), so it goes through the shell;
 * the file name is passed as $1, never spliced into the command line. */
static gboolean
run_editor(const char *file)
{
  const char *editor = g_getenv("VISUAL");
  g_autofree char *script = NULL;
  g_autoptr(GError) err = NULL;
  int wait_status = 0;

  if (editor == NULL || editor[0] == '\0')
    editor = g_getenv("EDITOR");
  if (editor == NULL || editor[0] == '\0')
    editor = "vi";
  script = g_strdup_printf("%s \"$1\"", editor);
  {
    const char *argv[] = { "/bin/sh", "-c", script, "sh", file, NULL };
    fflush(stdout);
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                      NULL, &wait_status, &err)
        || !g_spawn_check_wait_status(wait_status, &err)) {
      g_autofree char *q = nc_name_escape(editor);
      g_printerr("error: editor '%s' failed: %s\n", q, err->message);
      return FALSE;
    }
  }
  return TRUE;
}

/* virsh's vshAskReedit: 'y' edit again, 'n' give up, 'i'/'f' redefine
 * without schema validation. */
static int
ask_again(void)
{
  char line[64];

  for (;;) {
    printf("Failed. Try again? [y,n,i,f,?]: ");
    fflush(stdout);
    if (fgets(line, sizeof(line), stdin) == NULL)
      return 'n';
    switch (line[0]) {
    case 'y':
    case 'n':
    case 'i':
    case 'f':
      return line[0];
    default:
      printf("y - yes, start editor again\n"
             "n - no, throw away my changes\n"
             "i - turn off validation and try to redefine again\n"
             "f - force, try to redefine again\n"
             "? - print this help\n");
    }
  }
}

static char *
define(NcCtl *ctl, const char *xml, guint flags, GError **error)
{
  g_autoptr(GVariant) reply = nc_client_call(
      nc_ctl_client(ctl), NC_CONNECT_PATH, NC_CONNECT_IFACE, "NetworkDefineXMLFlags",
      g_variant_new("(su)", xml, flags), G_VARIANT_TYPE("(o)"), error);
  char *path = NULL;

  if (reply != NULL)
    g_variant_get(reply, "(o)", &path);
  return path;
}

static int
edit_loop(NcCtl *ctl, const char *name, const char *tmp, const char *orig)
{
  guint flags = DEFINE_VALIDATE;
  gboolean interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  gboolean need_edit = TRUE;

  for (;;) {
    g_autofree char *edited = NULL;
    g_autofree char *path = NULL;
    g_autoptr(NcNetInfo) info = NULL;
    g_autoptr(GError) err = NULL;

    if (need_edit && !run_editor(tmp))
      return 1;
    if ((edited = nc_read_file(tmp)) == NULL)
      return 1;
    if (strcmp(edited, orig) == 0) {
      nc_print_extra(ctl, "Network %s XML configuration not changed.\n", name);
      return 0;
    }
    path = define(ctl, edited, flags, &err);
    if (path != NULL) {
      info = nc_client_get_info(nc_ctl_client(ctl), path, NULL);
      nc_print_extra(ctl, "Network %s XML configuration edited.\n", info ? info->name : path);
      return 0;
    }
    nc_error_name_source(err, "edited XML");
    nc_print_error(err, NULL);
    if (!interactive || g_error_matches(err, NC_ERROR, NC_ERROR_RPC))
      return 1;
    switch (ask_again()) {
    case 'y':
      need_edit = TRUE;
      break;
    case 'i':
    case 'f':
      flags &= ~DEFINE_VALIDATE;
      need_edit = FALSE;
      break;
    default:
      return 1;
    }
  }
}

int
nc_cmd_net_edit(NcCtl *ctl, int argc, char **argv)
{
  static const NcArgDef defs[] = {
    { "network", NC_ARG_STRING, NC_ARG_POSITIONAL | NC_ARG_REQUIRED, "network name or uuid" },
    { NULL },
  };
  static const NcCommandSpec spec = { "net-edit", "edit XML configuration for a network", defs };
  int status = 0;
  g_autoptr(NcArgs) args = nc_args_parse(&spec, argc, argv, &status);
  g_autofree char *path = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(NcNetInfo) info = NULL;
  g_autoptr(GError) err = NULL;
  const char *arg, *xml;
  NcClient *client;
  int fd;

  if (args == NULL)
    return status;
  arg = nc_args_get(args, "network");
  if ((client = nc_ctl_client(ctl)) == NULL)
    return 1;
  path = nc_client_lookup(client, arg, NC_LOOKUP_BY_UUID | NC_LOOKUP_BY_NAME, &err);
  if (path == NULL)
    return nc_print_error(err, "failed to get network '%s'", arg);
  info = nc_client_get_info(client, path, &err);
  if (info == NULL)
    return nc_print_error(err, "failed to get network '%s'", arg);
  reply = nc_client_call(client, path, NC_NETWORK_IFACE, "GetXMLDesc",
                         g_variant_new("(u)", XML_INACTIVE), G_VARIANT_TYPE("(s)"), &err);
  if (reply == NULL)
    return nc_print_error(err, NULL);
  g_variant_get(reply, "(&s)", &xml);

  fd = g_file_open_tmp("netctl-XXXXXX.xml", &tmp, &err);
  if (fd < 0)
    return nc_print_error(err, "cannot create a temporary file");
  if (!g_file_set_contents(tmp, xml, -1, &err)) {
    close(fd);
    g_unlink(tmp);
    return nc_print_error(err, "cannot write the temporary file");
  }
  close(fd);
  status = edit_loop(ctl, info->name, tmp, xml);
  g_unlink(tmp);
  return status;
}
