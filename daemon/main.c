/* netctld: the network daemon. Runs in the foreground under systemd
 * (Type=dbus); logs to stderr, which is the journal there.
 *
 * SIGTERM/SIGINT stop the main loop and leave every network running, as
 * libvirt does: the next netctld adopts them from their status files. */
#include <glib-unix.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>

#include "coexist.h"
#include "dbus-frontend.h"
#include "nc-config.h"
#include "nc-daemon.h"
#include "rpc-frontend.h"

/* Exit status when libvirt's own network daemon runs: retrying cannot help
 * (netctld.service: RestartPreventExitStatus). */
#define NC_EXIT_OTHER_DAEMON 3

static gboolean
on_quit_signal(gpointer user_data)
{
  GMainLoop *loop = user_data;
  g_message("signal received; exiting, networks keep running");
  g_main_loop_quit(loop);
  return G_SOURCE_CONTINUE;
}

/* libvirt reloads its configuration on SIGHUP; the default action would
 * kill us. Definitions change only through the API here, so there is
 * nothing to reload. */
static gboolean
on_hangup(gpointer user_data)
{
  g_message("SIGHUP received; nothing to reload (definitions change through the API)");
  return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL, *sysfs_root = NULL, *dev_root = NULL;
  gboolean verbose = FALSE, version = FALSE, no_autostart = FALSE, no_default_network = FALSE;
  gboolean no_libvirt_socket = FALSE;
  g_autofree char *ovn_nb = NULL;
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
      "Keep every file under DIR instead of libvirt's system layout", "DIR" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug messages", NULL },
    { "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &sysfs_root,
      "Read sysfs (SR-IOV, PCI, macvtap devices) under DIR instead of /sys", "DIR" },
    { "dev-root", 0, 0, G_OPTION_ARG_FILENAME, &dev_root,
      "Make and own macvtap character devices (tapN) under DIR instead of /dev", "DIR" },
    { "no-autostart", 0, 0, G_OPTION_ARG_NONE, &no_autostart, "Do not start autostart networks",
      NULL },
    { "no-default-network", 0, 0, G_OPTION_ARG_NONE, &no_default_network,
      "Do not define the default network on the first start", NULL },
    { "no-libvirt-socket", 0, 0, G_OPTION_ARG_NONE, &no_libvirt_socket,
      "Do not serve libvirt's protocol on virtnetworkd-sock", NULL },
    { "ovn-nb", 0, 0, G_OPTION_ARG_STRING, &ovn_nb,
      "List and run the OVN networks defined in this OVN Northbound database", "REMOTES" },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL },
  };

  setlocale(LC_ALL, "");
#ifdef M_MMAP_THRESHOLD
  /* A fixed threshold: glibc's moving one rises to the largest block ever
   * freed, so after one hostile 20 MB D-Bus message (refused, see
   * NC_XML_MAX_DOCUMENT_SIZE) every later copy of such a message would come
   * from the heap and stay there. Blocks over 1 MiB are mapped and given back
   * when freed. (GDBus keeps its read buffer at the largest message size
   * seen; that much stays, bounded by the bus's message size limit.) */
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
  g_autoptr(GOptionContext) context = g_option_context_new("- the netctl network daemon");
  g_option_context_set_summary(context,
                               "Manages libvirt-compatible virtual networks and serves them on "
                               "the D-Bus system bus as " NC_DBUS_NAME ".");
  g_option_context_add_main_entries(context, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    fprintf(stderr, "netctld: %s (try --help)\n", error->message);
    return 2;
  }
  if (version) {
    printf("netctld %s\n", NC_VERSION);
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "netctld: unexpected argument '%s' (try --help)\n", argv[1]);
    return 2;
  }

  /* Everything to stderr: info and debug would otherwise go to stdout. */
  g_log_writer_default_set_use_stderr(TRUE);
  if (verbose)
    g_log_set_debug_enabled(TRUE);

  NcDaemonOptions opts = {
    .root = root,
    .sys_root = sysfs_root,
    .dev_root = dev_root,
    .verbose = verbose,
    .no_autostart = no_autostart,
    .no_default_network = no_default_network,
    .ovn_nb = ovn_nb,
  };
  /* Before anything is touched: libvirt's network daemon manages the same
   * files and bridges (coexist.h). */
  if (!nc_coexist_check(root, &error)) {
    fprintf(stderr, "netctld: %s\n", error->message);
    return NC_EXIT_OTHER_DAEMON; /* the unit does not restart on it */
  }
  g_autoptr(NcDaemon) daemon = nc_daemon_new(&opts, &error);
  if (!daemon) {
    fprintf(stderr, "netctld: %s\n", error->message);
    return 1;
  }

  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  guint term_id = g_unix_signal_add(SIGTERM, on_quit_signal, loop);
  guint int_id = g_unix_signal_add(SIGINT, on_quit_signal, loop);
  guint hup_id = g_unix_signal_add(SIGHUP, on_hangup, NULL);
  /* A client that goes away mid-reply must not kill us. */
  signal(SIGPIPE, SIG_IGN);

  if (!nc_dbus_frontend_start(daemon, &error)) {
    fprintf(stderr, "netctld: %s\n", error->message);
    g_source_remove(term_id);
    g_source_remove(int_id);
    g_source_remove(hup_id);
    return 1;
  }
  /* libvirt's protocol (rpc-frontend.h): after D-Bus, so a second netctld
   * has already failed on the bus name before touching the sockets. */
  if (!no_libvirt_socket && !nc_rpc_frontend_start(daemon, NULL, &error)) {
    fprintf(stderr, "netctld: %s\n", error->message);
    nc_dbus_frontend_stop(daemon);
    g_source_remove(term_id);
    g_source_remove(int_id);
    g_source_remove(hup_id);
    return 1;
  }
  g_message("netctld %s ready", NC_VERSION);
  g_main_loop_run(loop);

  nc_rpc_frontend_stop(daemon);
  nc_dbus_frontend_stop(daemon);
  g_source_remove(term_id);
  g_source_remove(int_id);
  g_source_remove(hup_id);
  return 0;
}
