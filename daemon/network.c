/* The lifecycle of one network: define, create, start, destroy, undefine,
 * autostart, and its accessors. libvirt's rules (virnetworkobj.c,
 * bridge_driver.c) unless noted:
 *  - while a persistent network runs, `def` is the live copy and `new_def` the
 *    config, which a define replaces and the next start uses;
 *  - undefine of a running network keeps it running as a transient one;
 *  - destroy of a transient network removes it (STOPPED, no UNDEFINED).
 * Better than libvirt: a define without a uuid (or MAC, or bridge name) of an
 * existing network keeps the existing one instead of failing or renaming. */
#include <string.h>

#include "hooks.h"
#include "nc-daemon-private.h"
#include "nc-error.h"
#include "nc-log.h"
#include "network-update.h"
#include "status.h"
#include "store.h"

static gboolean
check_present(NcNetwork *net, GError **error)
{
  if (net->daemon)
    return TRUE;
  g_set_error(error, NC_ERROR, NC_ERROR_NO_NETWORK, "network '%s' no longer exists",
              net->def->name);
  return FALSE;
}

static NcNetworkDef *
parse_xml(const char *xml, guint flags, GError **error)
{
  guint parse_flags = NC_NETWORK_PARSE_CHECK;
  if (flags & NC_DEFINE_VALIDATE)
    parse_flags |= NC_NETWORK_PARSE_VALIDATE_SCHEMA;
  if (!xml) {
    g_set_error(error, NC_ERROR, NC_ERROR_INVALID_ARG, "no network XML given");
    return NULL;
  }
  return nc_network_def_parse_string(xml, NULL, parse_flags, error);
}

/* The config a network starts from next time. */
static const NcNetworkDef *
config_def(NcNetwork *net)
{
  return net->new_def ? net->new_def : net->def;
}

/* Finds the network `def` replaces, refusing a name/uuid clash, and carries
 * over what the new definition leaves out (uuid, MAC). *ret_existing is NULL
 * for a new network. */
static gboolean
resolve_existing(NcDaemon *daemon, NcNetworkDef *def, NcNetwork **ret_existing, GError **error)
{
  NcNetwork *by_name = nc_registry_find_name(daemon, def->name);
  if (by_name) {
    if (!def->has_uuid) {
      memcpy(def->uuid, by_name->def->uuid, NC_UUID_LEN);
      def->has_uuid = TRUE;
    } else if (memcmp(def->uuid, by_name->def->uuid, NC_UUID_LEN) != 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_NETWORK_EXIST,
                  "network '%s' already exists with uuid %s", def->name, by_name->uuid_str);
      return FALSE;
    }
    const NcNetworkDef *old = config_def(by_name);
    if (!def->has_mac && old->has_mac && nc_network_def_traits(def)->own_bridge) {
      def->mac = old->mac;
      def->has_mac = TRUE;
    }
  } else if (def->has_uuid) {
    NcNetwork *by_uuid = nc_registry_find_uuid(daemon, def->uuid);
    if (by_uuid) {
      g_set_error(error, NC_ERROR, NC_ERROR_NETWORK_EXIST,
                  "network '%s': uuid %s is already used by network '%s'", def->name,
                  by_uuid->uuid_str, by_uuid->def->name);
      return FALSE;
    }
  }
  *ret_existing = by_name;
  return TRUE;
}

/* What define and create share: parse, resolve, fill defaults, name the bridge. */
static NcNetworkDef *
prepare_def(NcDaemon *daemon, const char *xml, guint flags, NcNetwork **ret_existing,
            GError **error)
{
  g_autoptr(NcNetworkDef) def = parse_xml(xml, flags, error);
  if (!def)
    return NULL;
  NcNetwork *existing = NULL;
  if (!resolve_existing(daemon, def, &existing, error))
    return NULL;
  nc_network_def_fill_defaults(def);

  /* Extra checks of a mode with a driver; a mode without one can still be
   * defined, and says "not supported yet" when started. */
  const NcForwardDriver *driver = nc_forward_driver_for(def, NULL);
  if (driver && driver->validate && !driver->validate(def, error))
    return NULL;

  const char *prefer = NULL;
  if (existing) {
    const NcNetworkDef *old = existing->active ? existing->def : config_def(existing);
    prefer = old->bridge.name;
  }
  if (!nc_bridge_name_assign(daemon, def, prefer, error))
    return NULL;
  *ret_existing = existing;
  return g_steal_pointer(&def);
}

/* def becomes the persistent definition: of a new network, of a stopped one
 * at once, or of a running one at its next start (libvirt's rule). */
static NcNetwork *
install_persistent(NcDaemon *daemon, NcNetwork *existing, NcNetworkDef *def)
{
  NcNetwork *net = existing;
  if (!net) {
    net = nc_network_new(daemon, def);
    nc_registry_add(daemon, net);
  } else if (net->active) {
    g_clear_pointer(&net->new_def, nc_network_def_free);
    net->new_def = def;
  } else {
    nc_network_def_free(net->def);
    net->def = def;
  }
  net->persistent = TRUE;
  return net;
}

NcNetwork *
nc_daemon_define_xml(NcDaemon *daemon, const char *xml, guint flags, GError **error)
{
  NcNetwork *existing = NULL;
  g_autoptr(NcNetworkDef) def = prepare_def(daemon, xml, flags, &existing, error);
  if (!def)
    return NULL;
  guint64 ovn_version = 0;
  if (!nc_daemon_ovn_publish(daemon, existing, def, &ovn_version, error))
    return NULL;
  /* A definition shared through --ovn-nb lives in the NB only. */
  if (nc_daemon_ovn_shared(daemon, def) ? !nc_store_delete_config(daemon->paths, def->name, error)
                                        : !nc_store_save_config(daemon->paths, def, error))
    return NULL;

  NcNetwork *net = install_persistent(daemon, existing, g_steal_pointer(&def));
  if (ovn_version)
    net->ovn_version = ovn_version;
  nc_log_network(net, G_LOG_LEVEL_INFO, "defined%s", existing ? " (replaced)" : "");
  nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_DEFINED);
  return net;
}

/* A definition another host put in the NB: registered like a define, but
 * kept in the NB only (no local config file); when the NB's version moves
 * it replaces a stopped one's definition, or a running one's next-start one. */
NcNetwork *
nc_daemon_adopt_shared_xml(NcDaemon *daemon, const char *xml, guint64 version, GError **error)
{
  NcNetwork *existing = NULL;
  g_autoptr(NcNetworkDef) def = prepare_def(daemon, xml, 0, &existing, error);
  if (!def)
    return NULL;
  /* Whoever can write the NB must not define (or replace) a network that
   * is not shared through it: a managed one's dnsmasq options run as root. */
  if (!nc_daemon_ovn_shared(daemon, def)
      || (existing && !nc_daemon_ovn_shared(daemon, config_def(existing)))) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s' is not an OVN network shared through this NB: not taken from it",
                def->name);
    return NULL;
  }
  NcNetwork *net = install_persistent(daemon, existing, g_steal_pointer(&def));
  net->ovn_version = version;
  nc_log_network(net, G_LOG_LEVEL_INFO, "defined from the OVN NB (version %" G_GUINT64_FORMAT ")",
                 version);
  nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_DEFINED);
  return net;
}

NcNetwork *
nc_daemon_create_xml(NcDaemon *daemon, const char *xml, guint flags, GError **error)
{
  NcNetwork *existing = NULL;
  g_autoptr(NcNetworkDef) def = prepare_def(daemon, xml, flags, &existing, error);
  if (!def)
    return NULL;
  if (existing && existing->active) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID, "network '%s' is already active",
                def->name);
    return NULL;
  }
  if (!nc_forward_driver_for(def, error))
    return NULL;

  if (existing) {
    /* libvirt: create over an inactive persistent network runs it with the
     * given definition; its config stays for the next start. */
    if (!nc_network_start_internal(existing, g_steal_pointer(&def), error))
      return NULL;
    return existing;
  }

  NcNetwork *net = nc_network_new(daemon, g_steal_pointer(&def));
  nc_registry_add(daemon, net);
  if (!nc_network_start_internal(net, NULL, error)) {
    nc_registry_remove(daemon, net); /* never announced: no event */
    return NULL;
  }
  return net;
}

static void
commit_active(NcNetwork *net, NcNetworkDef *run)
{
  if (net->persistent) {
    g_clear_pointer(&net->new_def, nc_network_def_free);
    net->new_def = net->def;
  } else {
    nc_network_def_free(net->def);
  }
  net->def = run;
  net->active = TRUE;
}

gboolean
nc_network_start_internal(NcNetwork *net, NcNetworkDef *live_def, GError **error)
{
  g_autoptr(NcNetworkDef) run = live_def;
  if (!check_present(net, error))
    return FALSE;
  NcDaemon *daemon = net->daemon;
  if (net->active) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID, "network '%s' is already active",
                net->def->name);
    return FALSE;
  }
  if (!run)
    run = nc_network_def_copy(net->def);
  const NcForwardDriver *driver = nc_forward_driver_for(run, error);
  if (!driver)
    return FALSE;
  /* A config loaded from disk may lack a bridge name (libvirt fills it at load). */
  if (!run->bridge.name && !nc_bridge_name_assign(daemon, run, NULL, error))
    return FALSE;

  /* libvirt's "start begin" hook: a failure aborts before anything is done. */
  if (!nc_hooks_network(daemon->paths, run, NULL, NC_HOOK_OP_START, NC_HOOK_SUBOP_BEGIN, error))
    return FALSE;
  /* Recorded before anything is done, so a crash mid-start is cleaned up by
   * the next daemon instead of leaving an orphan bridge. */
  nc_live_state_clear(&net->live);
  /* OVN through --ovn-nb: the switch is the network on every host (ovn.c) */
  if (nc_daemon_ovn_shared(daemon, run))
    nc_live_state_set(&net->live, "ovn-shared", "yes");
  if (!nc_status_save(daemon->paths, run, &net->live, NC_STATUS_STARTING, error))
    return FALSE;
  if (!driver->start(&daemon->env, run, &net->live, error)) {
    nc_live_state_clear(&net->live);
    nc_status_delete(daemon->paths, run->name, NULL);
    return FALSE;
  }
  g_autoptr(GError) step_error = NULL;
  if (!nc_hooks_network(daemon->paths, run, NULL, NC_HOOK_OP_STARTED, NC_HOOK_SUBOP_BEGIN,
                        &step_error)) {
    driver->stop(&daemon->env, run, &net->live, NULL);
    nc_live_state_clear(&net->live);
    nc_status_delete(daemon->paths, run->name, NULL);
    g_propagate_error(error, g_steal_pointer(&step_error));
    return FALSE;
  }
  if (!nc_status_save(daemon->paths, run, &net->live, NC_STATUS_RUNNING, &step_error)) {
    driver->stop(&daemon->env, run, &net->live, NULL);
    nc_live_state_clear(&net->live);
    nc_status_delete(daemon->paths, run->name, NULL);
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': started, then stopped again: cannot record its state: %s", run->name,
                step_error->message);
    return FALSE;
  }

  commit_active(net, g_steal_pointer(&run));
  /* Guests whose ports outlived an earlier run get their devices back. */
  nc_network_ports_plug_all(net);
  nc_log_network(net, G_LOG_LEVEL_INFO, "started (bridge %s)",
                 net->def->bridge.name ? net->def->bridge.name : "none");
  nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_STARTED);
  return TRUE;
}

gboolean
nc_network_start(NcNetwork *net, GError **error)
{
  return nc_network_start_internal(net, NULL, error);
}

void
nc_network_set_active_from_status(NcNetwork *net, NcNetworkDef *live_def, const NcLiveState *live)
{
  if (live_def)
    commit_active(net, live_def);
  net->active = TRUE;
  nc_live_state_copy(&net->live, live);
}

/* Back to inactive: the pending config becomes the definition; a transient
 * network leaves the registry. */
static void
mark_inactive(NcNetwork *net)
{
  NcDaemon *daemon = net->daemon;
  net->active = FALSE;
  nc_live_state_clear(&net->live);
  if (net->new_def) {
    nc_network_def_free(net->def);
    net->def = g_steal_pointer(&net->new_def);
  }
  nc_status_delete(daemon->paths, net->def->name, NULL);
}

/* What start and stop mean on a host that follows another's (an OVN network
 * shared through --ovn-nb, ovn-shared.c): the NB's switch is the network, so
 * here start is only the local part, the driver's adopt (the switch's DHCP
 * row, this host's chassis name for its ports), then this host's ports are
 * plugged back in; stop is cutting them off (the other host removed the
 * switch with their logical ports) without touching the NB. No hooks: the
 * network was started or stopped elsewhere, where they ran. */
void
nc_network_follow_shared(NcNetwork *net, gboolean active)
{
  NcDaemon *daemon = net->daemon;
  g_autoptr(GError) error = NULL;
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, &error);
  if (!daemon || active == net->active || !driver)
    return;
  g_autoptr(NcNetwork) hold = nc_network_ref(net);
  if (active) {
    g_autoptr(NcNetworkDef) run = nc_network_def_copy(net->def);
    nc_live_state_clear(&net->live);
    nc_live_state_set(&net->live, "ovn-shared", "yes");
    if (!driver->adopt(&daemon->env, run, &net->live, &error)
        || !nc_status_save(daemon->paths, run, &net->live, NC_STATUS_RUNNING, &error)) {
      nc_live_state_clear(&net->live);
      nc_log_network(net, G_LOG_LEVEL_WARNING, "started on another host, not usable here: %s",
                     error->message);
      return;
    }
    commit_active(net, g_steal_pointer(&run));
    nc_network_ports_plug_all(net);
    nc_log_network(net, G_LOG_LEVEL_INFO, "started on another host (OVN NB)");
    nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_STARTED);
    return;
  }
  g_autofree char *cut_off = nc_network_ports_unplug_all(net);
  if (!net->persistent)
    nc_network_ports_delete_all(net);
  mark_inactive(net);
  nc_log_network(net, G_LOG_LEVEL_INFO, "stopped on another host (OVN NB)%s%s",
                 cut_off ? "; ports cut off (plugged back in when it starts again): " : "",
                 cut_off ? cut_off : "");
  nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_STOPPED);
  if (!net->persistent)
    nc_registry_remove(daemon, net);
}

gboolean
nc_network_destroy(NcNetwork *net, GError **error)
{
  if (!check_present(net, error))
    return FALSE;
  NcDaemon *daemon = net->daemon;
  if (!net->active) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID, "network '%s' is not active",
                net->def->name);
    return FALSE;
  }
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, error);
  if (!driver)
    return FALSE;

  /* As libvirt: teardown goes on past a failed step, and the network is
   * inactive afterwards either way. The failure is logged, not returned:
   * the caller cannot do anything about a half-removed device. */
  g_autoptr(GError) stop_error = NULL;
  g_autoptr(NcNetwork) hold = nc_network_ref(net);
  /* A crash during teardown: the next daemon finishes it rather than
   * bringing back a half-removed network. */
  if (!nc_status_save(daemon->paths, net->def, &net->live, NC_STATUS_STOPPING, &stop_error)) {
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", stop_error->message);
    g_clear_error(&stop_error);
  }
  /* As libvirt allows: ports are cut off, not refused. Unlike libvirt they
   * stay, and are plugged back in when the network starts again. */
  g_autofree char *cut_off = nc_network_ports_unplug_all(net);
  if (!driver->stop(&daemon->env, net->def, &net->live, &stop_error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "incomplete teardown: %s", stop_error->message);
  g_clear_error(&stop_error);
  if (!nc_hooks_network(daemon->paths, net->def, NULL, NC_HOOK_OP_STOPPED, NC_HOOK_SUBOP_END,
                        &stop_error))
    nc_log_network(net, G_LOG_LEVEL_WARNING, "%s", stop_error->message); /* libvirt ignores it */
  /* A transient network's ports go with it, before its status file: killed
   * in between, the next daemon would know neither the network nor its
   * ports, and their TAPs and port files would be left behind. */
  if (!net->persistent)
    nc_network_ports_delete_all(net);
  mark_inactive(net);
  if (cut_off)
    nc_log_network(net, G_LOG_LEVEL_INFO,
                   "stopped; ports cut off (plugged back in when it starts again): %s", cut_off);
  else
    nc_log_network(net, G_LOG_LEVEL_INFO, "stopped");
  nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_STOPPED);
  if (!net->persistent)
    nc_registry_remove(daemon, net);
  return TRUE;
}

gboolean
nc_network_undefine(NcNetwork *net, GError **error)
{
  if (!check_present(net, error))
    return FALSE;
  NcDaemon *daemon = net->daemon;
  if (!net->persistent) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': cannot undefine transient network", net->def->name);
    return FALSE;
  }
  /* A stopped network's ports go before its definition, for the same
   * reason as in nc_network_destroy. */
  if (!nc_daemon_ovn_unpublish(daemon, net, error))
    return FALSE; /* first: refused by the NB, nothing changed */
  if (!net->active)
    nc_network_ports_delete_all(net);
  if (!nc_store_delete_config(daemon->paths, net->def->name, error))
    return FALSE;

  g_autoptr(NcNetwork) hold = nc_network_ref(net);
  net->persistent = FALSE;
  net->autostart = FALSE;
  g_clear_pointer(&net->new_def, nc_network_def_free);
  nc_log_network(net, G_LOG_LEVEL_INFO, "undefined%s",
                 net->active ? " (still running, now transient)" : "");
  nc_daemon_emit_lifecycle(daemon, net, NC_NETWORK_EVENT_UNDEFINED);
  if (!net->active)
    nc_registry_remove(daemon, net);
  return TRUE;
}

gboolean
nc_network_set_autostart(NcNetwork *net, gboolean autostart, GError **error)
{
  if (!check_present(net, error))
    return FALSE;
  if (!net->persistent) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': cannot set autostart for transient network", net->def->name);
    return FALSE;
  }
  autostart = !!autostart;
  if (net->autostart == autostart)
    return TRUE;
  /* shared through --ovn-nb: the flag lives in the NB with the definition */
  if (nc_daemon_ovn_shared(net->daemon, config_def(net))
          ? !nc_daemon_ovn_set_autostart(net->daemon, net, autostart, error)
          : !nc_store_set_autostart(net->daemon->paths, net->def->name, autostart, error))
    return FALSE;
  net->autostart = autostart;
  nc_log_network(net, G_LOG_LEVEL_INFO, "autostart %s", autostart ? "enabled" : "disabled");
  nc_daemon_emit_simple(net->daemon, net, NC_EVENT_NETWORK_PROPERTIES);
  return TRUE;
}

/* The running network from old_def to new_def through its driver; FALSE (and
 * nothing changed) when the driver cannot do it live. */
static gboolean
reconfigure_live(NcNetwork *net, const NcNetworkDef *new_def, GError **error)
{
  const NcForwardDriver *driver = nc_forward_driver_for(net->def, error);
  if (!driver)
    return FALSE;
  if (!driver->reconfigure) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': forward mode '%s' cannot be updated while the network runs; "
                "use --config, then restart the network",
                net->def->name, nc_forward_mode_to_string(net->def->forward.mode));
    return FALSE;
  }
  return driver->reconfigure(&net->daemon->env, net->def, new_def, &net->live, error);
}

/* libvirt's networkUpdate: the change is made on copies (live, config), the
 * config is saved, then the running network is changed; if that fails the
 * saved config is put back, so a refused update changes nothing. No
 * lifecycle event, as libvirt. The XML layer's nc_network_def_update does the
 * change and its checks. */
gboolean
nc_network_update(NcNetwork *net, guint command, guint section, int parent_index, const char *xml,
                  guint flags, GError **error)
{
  g_autoptr(NcNetworkDef) live_def = NULL;
  g_autoptr(NcNetworkDef) config = NULL;

  if (!check_present(net, error))
    return FALSE;
  NcDaemon *daemon = net->daemon;
  if (!nc_operation_check_flags(NC_OP_UPDATE, flags, error))
    return FALSE;
  /* CURRENT: the running network when active, else the config. */
  if (flags == NC_NETWORK_UPDATE_AFFECT_CURRENT)
    flags = net->active ? NC_NETWORK_UPDATE_AFFECT_LIVE : NC_NETWORK_UPDATE_AFFECT_CONFIG;
  if ((flags & NC_NETWORK_UPDATE_AFFECT_LIVE) && !net->active) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID, "network '%s' is not running",
                net->def->name);
    return FALSE;
  }
  if ((flags & NC_NETWORK_UPDATE_AFFECT_CONFIG) && !net->persistent) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': cannot change persistent config of a transient network",
                net->def->name);
    return FALSE;
  }

  if (flags & NC_NETWORK_UPDATE_AFFECT_LIVE) {
    live_def = nc_network_def_copy(net->def);
    if (!nc_network_def_update(live_def, command, section, parent_index, xml, error))
      return FALSE;
  }
  if (flags & NC_NETWORK_UPDATE_AFFECT_CONFIG) {
    config = nc_network_def_copy(config_def(net));
    if (!nc_network_def_update(config, command, section, parent_index, xml, error))
      return FALSE;
    if (!nc_store_save_config(daemon->paths, config, error))
      return FALSE;
  }
  if (live_def && !reconfigure_live(net, live_def, error)) {
    g_autoptr(GError) restore_error = NULL;
    if (config && !nc_store_save_config(daemon->paths, config_def(net), &restore_error))
      nc_log_network(net, G_LOG_LEVEL_WARNING, "cannot restore the saved config: %s",
                     restore_error->message);
    return FALSE;
  }

  if (config) {
    if (net->active) {
      g_clear_pointer(&net->new_def, nc_network_def_free);
      net->new_def = g_steal_pointer(&config);
    } else {
      nc_network_def_free(net->def);
      net->def = g_steal_pointer(&config);
    }
  }
  if (live_def) {
    g_autoptr(GError) save_error = NULL;
    g_autoptr(NcNetworkDef) old_def = net->def;
    net->def = g_steal_pointer(&live_def);
    if (section == NC_NETWORK_SECTION_PORTGROUP)
      nc_network_ports_update_vlans(net, old_def);
    nc_network_ports_count_connections(net);
    if (!nc_status_save(daemon->paths, net->def, &net->live, NC_STATUS_RUNNING, &save_error))
      nc_log_network(net, G_LOG_LEVEL_WARNING, "updated, but cannot record its state: %s",
                     save_error->message);
  }
  nc_log_network(net, G_LOG_LEVEL_INFO, "updated (%s %s%s%s)",
                 nc_network_update_command_to_string(command),
                 nc_network_update_section_to_string(section),
                 flags & NC_NETWORK_UPDATE_AFFECT_LIVE ? ", live" : "",
                 flags & NC_NETWORK_UPDATE_AFFECT_CONFIG ? ", config" : "");
  /* No lifecycle event, as libvirt; front ends tell clients to re-read the XML. */
  nc_daemon_emit_simple(daemon, net, NC_EVENT_NETWORK_UPDATED);
  /* libvirt's "updated begin" hook runs after the change; its failure is the
   * call's error, the change stays. */
  return nc_hooks_network(daemon->paths, net->def, NULL, NC_HOOK_OP_UPDATED, NC_HOOK_SUBOP_BEGIN,
                          error);
}

/* -- accessors ------------------------------------------------------------------- */

const char *
nc_network_get_name(NcNetwork *net)
{
  return net->def->name;
}

const char *
nc_network_get_uuid_string(NcNetwork *net)
{
  return net->uuid_str;
}

const guint8 *
nc_network_get_uuid(NcNetwork *net)
{
  return net->def->uuid;
}

gboolean
nc_network_is_active(NcNetwork *net)
{
  return net->active;
}

gboolean
nc_network_is_persistent(NcNetwork *net)
{
  return net->persistent;
}

gboolean
nc_network_get_autostart(NcNetwork *net)
{
  return net->autostart;
}

const char *
nc_network_get_bridge_name(NcNetwork *net)
{
  return net->def->bridge.name;
}

char *
nc_network_get_xml(NcNetwork *net, guint format_flags)
{
  const NcNetworkDef *def = net->def;
  if ((format_flags & NC_NETWORK_FORMAT_INACTIVE) && net->new_def)
    def = net->new_def;
  return nc_network_def_format(def, format_flags);
}

const NcNetworkDef *
nc_network_get_def(NcNetwork *net)
{
  return net->def;
}

gboolean
nc_network_is_removed(NcNetwork *net)
{
  return net->daemon == NULL;
}

void
nc_dhcp_lease_free(NcDhcpLease *lease)
{
  if (!lease)
    return;
  g_free(lease->iface);
  g_free(lease->mac);
  g_free(lease->iaid);
  g_free(lease->ipaddr);
  g_free(lease->hostname);
  g_free(lease->clientid);
  g_free(lease);
}

/* nc_network_get_dhcp_leases: managed.c (the lease database of dnsmasq). */
