/* macvtap pool networks: <forward mode='vepa|private|bridge|passthrough'>
 * (bridge without a bridge name) over a pool of uplinks, listed as
 * <interface dev=> or as the network devices of a <pf>'s VFs.
 *
 * As libvirt: a port gets the least-used uplink of the pool (pool order
 * breaks ties; passthrough takes an uplink exclusively), and the plug
 * <plug type='direct' dev='UPLINK' mode='MODE'/>; the VMM (libvirt's QEMU
 * driver) makes the macvtap itself. Beyond libvirt, attach-interface ports
 * (dev->create) get their macvtap from netctl: the guest's MAC, up, the
 * uplink's MTU, and its /dev/tapN owned by the given user/group, so an
 * unprivileged VMM opens it. In passthrough mode the uplink takes the
 * guest's MAC (libvirt's virNetDevMacVLanCreateWithVPortProfile does so)
 * and gets its own back when the port goes.
 *
 * Connections per uplink are counted from the ports ("port:UUID" ->
 * uplink in the live state), which the core reloads from the port status
 * files after a restart: adoption counts them again, so the counts survive.
 *
 * 802.1Qbg/802.1Qbh port profiles are validated and carried into the port
 * XML, but no association is performed (there is no lldpad here): said in
 * the log for every such port. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "atomic-file.h"
#include "bridge-port.h"
#include "forward-driver.h"
#include "link-macvtap.h"
#include "macvtap-private.h"
#include "nc-error.h"
#include "network-check-names.h"
#include "safe-read.h"
#include "sriov.h"

#define CLAIM_DIR "passthrough-uplinks"
#define CLAIM_FILE_MAX (256 * 1024) /* an owner and the UUIDs of its ports */

static const char *
port_label(const NcNetworkPortDef *port, char buf[static NC_UUID_STRING_LEN])
{
  nc_uuid_format(port->uuid, buf);
  return buf;
}

static const char *
dev_dir(const NcDriverEnv *env)
{
  return env->dev_dir ? env->dev_dir : "/dev";
}

static NcMacvlanMode
plug_mode(const NcNetworkDef *def)
{
  switch (def->forward.mode) {
  case NC_FORWARD_PRIVATE:
    return NC_MACVLAN_MODE_PRIVATE;
  case NC_FORWARD_PASSTHROUGH:
    return NC_MACVLAN_MODE_PASSTHROUGH;
  case NC_FORWARD_BRIDGE:
    return NC_MACVLAN_MODE_BRIDGE;
  case NC_FORWARD_VEPA:
  case NC_FORWARD_NONE:
  case NC_FORWARD_NAT:
  case NC_FORWARD_ROUTE:
  case NC_FORWARD_OPEN:
  case NC_FORWARD_HOSTDEV:
  case _NC_FORWARD_MAX:
    break;
  }
  return NC_MACVLAN_MODE_VEPA;
}

static NcMacvtapMode
kernel_mode(NcMacvlanMode mode)
{
  switch (mode) {
  case NC_MACVLAN_MODE_PRIVATE:
    return NC_MACVTAP_MODE_PRIVATE;
  case NC_MACVLAN_MODE_BRIDGE:
    return NC_MACVTAP_MODE_BRIDGE;
  case NC_MACVLAN_MODE_PASSTHROUGH:
    return NC_MACVTAP_MODE_PASSTHRU;
  case NC_MACVLAN_MODE_VEPA:
  case _NC_MACVLAN_MODE_MAX:
    break;
  }
  return NC_MACVTAP_MODE_VEPA;
}

/* -- the pool ---------------------------------------------------------------- */

/* The uplinks: the <interface> list, or the netdevs of the PF's VFs (read
 * at start and kept in the live state as "pool"). */
GPtrArray *
nc_macvtap_pool(const NcNetworkDef *def, const NcLiveState *live)
{
  GPtrArray *pool = g_ptr_array_new_with_free_func(g_free);
  const char *saved = live ? nc_live_state_get(live, "pool") : NULL;
  if (saved && *saved) {
    g_auto(GStrv) names = g_strsplit(saved, ",", -1);
    for (char **n = names; *n; n++)
      g_ptr_array_add(pool, g_strdup(*n));
    return pool;
  }
  for (guint i = 0; def->forward.ifs && i < def->forward.ifs->len; i++) {
    const NcForwardIf *fi = def->forward.ifs->pdata[i];
    g_ptr_array_add(pool, g_strdup(fi->dev));
  }
  if (pool->len == 0 && def->forward.dev)
    g_ptr_array_add(pool, g_strdup(def->forward.dev));
  return pool;
}

guint
nc_macvtap_connections(const NcLiveState *live, const char *uplink)
{
  g_autofree char *key = g_strconcat("conn:", uplink, NULL);
  const char *v = nc_live_state_get(live, key);
  return v ? (guint)g_ascii_strtoull(v, NULL, 10) : 0;
}

static void
set_connections(NcLiveState *live, const char *uplink, guint n)
{
  g_autofree char *key = g_strconcat("conn:", uplink, NULL);
  g_autofree char *v = n ? g_strdup_printf("%u", n) : NULL;
  nc_live_state_set(live, key, v);
}

/* Counts the port on uplink once (adoption may run again for the same port). */
static void
count_port(NcLiveState *live, const NcNetworkPortDef *port, const char *uplink)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *key = g_strconcat("port:", port_label(port, uuid), NULL);
  const char *had = nc_live_state_get(live, key);
  if (had && g_str_equal(had, uplink))
    return;
  if (had)
    set_connections(live, had, nc_macvtap_connections(live, had) - 1);
  nc_live_state_set(live, key, uplink);
  set_connections(live, uplink, nc_macvtap_connections(live, uplink) + 1);
}

static void
uncount_port(NcLiveState *live, const NcNetworkPortDef *port)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *key = g_strconcat("port:", port_label(port, uuid), NULL);
  const char *had = nc_live_state_get(live, key);
  if (!had)
    return;
  guint n = nc_macvtap_connections(live, had);
  set_connections(live, had, n ? n - 1 : 0);
  nc_live_state_set(live, key, NULL);
}

/* libvirt's choice: the least-used uplink, the first in pool order among
 * equals; passthrough only takes an unused one. */
static gboolean
choose_uplink(const NcNetworkDef *def, const NcLiveState *live, const NcNetworkPortDef *port,
              char **ret_uplink, GError **error)
{
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  const char *best = NULL;
  guint best_n = G_MAXUINT;
  for (guint i = 0; i < pool->len; i++) {
    guint n = nc_macvtap_connections(live, pool->pdata[i]);
    if (n < best_n) {
      best = pool->pdata[i];
      best_n = n;
    }
  }
  char uuid[NC_UUID_STRING_LEN];
  if (!best) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR,
                "network '%s': port %s: the network has no interface to use", def->name,
                port_label(port, uuid));
    return FALSE;
  }
  if (def->forward.mode == NC_FORWARD_PASSTHROUGH && best_n > 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_INTERNAL_ERROR,
                "network '%s': port %s: all %u interface%s of the passthrough network %s in use "
                "(passthrough gives each guest an interface of its own)",
                def->name, port_label(port, uuid), pool->len, pool->len == 1 ? "" : "s",
                pool->len == 1 ? "is" : "are");
    return FALSE;
  }
  *ret_uplink = g_strdup(best);
  return TRUE;
}

/* -- checks ------------------------------------------------------------------------ */

static gboolean
has_vlan(const NcVlan *vlan)
{
  return vlan && vlan->tags && vlan->tags->len > 0;
}

static gboolean
macvtap_validate(const NcNetworkDef *def, GError **error)
{
  const char *mode = nc_forward_mode_to_string(def->forward.mode);
  if (def->ips && def->ips->len > 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': an <ip> address is not allowed with forward mode '%s': its guests "
                "are on the uplinks' LAN, which gives them their addresses; remove the <ip> "
                "element",
                def->name, mode);
    return FALSE;
  }
  if ((!def->forward.ifs || def->forward.ifs->len == 0) && !def->forward.pf
      && !def->forward.dev) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': forward mode '%s' needs a pool: <forward dev='...'>, "
                "<interface dev='...'/> elements or a <pf dev='...'/>",
                def->name, mode);
    return FALSE;
  }
  if (def->virtualport && (def->virtualport->type == NC_VIRTUALPORT_OPENVSWITCH
                           || def->virtualport->type == NC_VIRTUALPORT_MIDONET)) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': <virtualport type='%s'> is not supported with forward mode '%s' "
                "(only 802.1Qbg and 802.1Qbh)",
                def->name, nc_virtualport_type_to_string(def->virtualport->type), mode);
    return FALSE;
  }
  return nc_macvtap_shim_validate(def, error);
}

/* A macvtap in passthrough mode cannot tag: the VLAN of a VF is set
 * through its PF (a hostdev network), which this driver does not do. */
static gboolean
check_vlan(const NcNetworkDef *def, const NcVlan *vlan, const char *what, GError **error)
{
  if (def->forward.mode != NC_FORWARD_PASSTHROUGH || !has_vlan(vlan))
    return TRUE;
  g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
              "network '%s': %s<vlan> with forward mode 'passthrough' is not supported: a "
              "macvtap cannot tag its frames (use a hostdev network, whose VFs get their VLAN "
              "from the PF, or tag on the switch)",
              def->name, what);
  return FALSE;
}

/* -- passthrough claims -------------------------------------------------------------- */

/* An uplink in passthrough use by one network at a time, across networks:
 * state_dir/passthrough-uplinks/DEV holds the network's name. While the
 * network runs, the claim lives as long as its status file. A stop leaves
 * the guests' macvtaps (and the uplink's MAC) to the ports that hold them,
 * so it keeps the claims of the uplinks ports still hold, listing those
 * ports' UUIDs on the following lines; such a claim lives while one of the
 * ports does (its status file, state_dir/NETWORK/ports/UUID.xml), and goes
 * with the last one, or becomes a plain claim again when the network
 * starts. A claim that is neither (a crash) is stale and is taken. */
static char *
claim_path(const NcDriverEnv *env, const char *uplink)
{
  return g_build_filename(env->state_dir, CLAIM_DIR, uplink, NULL);
}

typedef struct {
  char *owner;
  GPtrArray *ports; /* UUIDs of the stopped network's ports that hold the uplink */
} Claim;

static void
claim_free(Claim *claim)
{
  g_free(claim->owner);
  g_ptr_array_unref(claim->ports);
  g_free(claim);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Claim, claim_free)

static Claim *
claim_read(const NcDriverEnv *env, const char *uplink)
{
  g_autofree char *path = claim_path(env, uplink);
  g_autofree char *text = NULL;
  gsize len = 0;
  /* Bounded and never through a symlink, as every file of the state root. */
  int r = nc_file_read_bounded(path, CLAIM_FILE_MAX, &text, &len);
  if (r == -ENOENT)
    return NULL;
  if (r < 0) {
    g_autofree char *quoted = nc_name_escape(path);
    g_warning("ignoring the passthrough claim %s: %s", quoted, nc_file_refusal_reason(r));
    return NULL;
  }
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  const char *why = nc_name_check_network(lines[0] ? g_strstrip(lines[0]) : "");
  if (why) {
    /* read as a claim whose network is gone: stale, taken by the next start */
    g_autofree char *quoted = nc_name_escape(path);
    g_warning("ignoring the passthrough claim %s: its first line is not a network name (%s)",
              quoted, why);
    return NULL;
  }
  Claim *claim = g_new0(Claim, 1);
  claim->owner = g_strdup(lines[0] ? g_strstrip(lines[0]) : "");
  claim->ports = g_ptr_array_new_with_free_func(g_free);
  guint8 raw[NC_UUID_LEN];
  for (guint i = 1; lines[0] && lines[i]; i++)
    if (nc_uuid_parse(g_strstrip(lines[i]), raw))
      g_ptr_array_add(claim->ports, g_strdup(lines[i]));
  return claim;
}

/* Rewrites the claim atomically, or removes it when it is nobody's. */
static int
claim_write(const NcDriverEnv *env, const char *uplink, const char *owner, GPtrArray *ports)
{
  g_autofree char *path = claim_path(env, uplink);
  g_autoptr(GString) text = g_string_new(owner);
  g_string_append_c(text, '\n');
  for (guint i = 0; ports && i < ports->len; i++)
    g_string_append_printf(text, "%s\n", (const char *)ports->pdata[i]);
  return nc_file_write_atomic(path, text->str, (gssize)text->len, 0644);
}

static gboolean
owner_name_ok(const char *owner)
{
  return owner && *owner && !strchr(owner, '/') && !g_str_equal(owner, ".")
         && !g_str_equal(owner, "..");
}

static gboolean
claim_owner_running(const NcDriverEnv *env, const char *owner)
{
  if (!owner_name_ok(owner))
    return FALSE;
  g_autofree char *base = g_strconcat(owner, ".xml", NULL);
  g_autofree char *status = g_build_filename(env->state_dir, base, NULL);
  return g_file_test(status, G_FILE_TEST_EXISTS);
}

/* The first of the claim's ports that still exists, NULL when none does. */
static const char *
claim_live_port(const NcDriverEnv *env, const Claim *claim)
{
  for (guint i = 0; owner_name_ok(claim->owner) && i < claim->ports->len; i++) {
    g_autofree char *base = g_strconcat(claim->ports->pdata[i], ".xml", NULL);
    g_autofree char *path = g_build_filename(env->state_dir, claim->owner, "ports", base, NULL);
    if (g_file_test(path, G_FILE_TEST_EXISTS))
      return claim->ports->pdata[i];
  }
  return NULL;
}

static void
release_claims(const NcDriverEnv *env, const NcNetworkDef *def, GPtrArray *pool)
{
  for (guint i = 0; i < pool->len; i++) {
    g_autoptr(Claim) claim = claim_read(env, pool->pdata[i]);
    g_autofree char *path = claim_path(env, pool->pdata[i]);
    /* one its stopped ports still hold stays theirs (a start that failed) */
    if (claim && g_str_equal(claim->owner, def->name) && claim->ports->len == 0)
      g_unlink(path);
  }
}

/* At a stop: the claims of uplinks that ports still hold stay, with those
 * ports listed (from live's "port:UUID" -> uplink); the others go. */
static void
keep_held_claims(const NcDriverEnv *env, const NcNetworkDef *def, const NcLiveState *live,
                 GPtrArray *pool)
{
  for (guint i = 0; i < pool->len; i++) {
    const char *uplink = pool->pdata[i];
    g_autoptr(Claim) claim = claim_read(env, uplink);
    if (!claim || !g_str_equal(claim->owner, def->name))
      continue;
    g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, live->data);
    while (g_hash_table_iter_next(&it, &key, &value))
      if (g_str_has_prefix(key, "port:") && g_str_equal(value, uplink))
        g_ptr_array_add(ports, g_strdup((const char *)key + strlen("port:")));
    int r = ports->len ? claim_write(env, uplink, def->name, ports) : -ENOENT;
    if (r < 0) {
      if (ports->len)
        g_warning("network '%s': cannot record that ports still hold '%s': %s", def->name,
                  uplink, g_strerror(-r));
      g_autofree char *path = claim_path(env, uplink);
      g_unlink(path);
    }
  }
}

/* A port lets go of its uplink: when the network is stopped (or the uplink
 * left its pool), the last port listed takes the claim with it. */
static void
drop_port_claim(const NcDriverEnv *env, const NcNetworkDef *def, const NcLiveState *live,
                const char *uplink, const NcNetworkPortDef *port)
{
  if (!uplink)
    return;
  g_autoptr(Claim) claim = claim_read(env, uplink);
  if (!claim || !g_str_equal(claim->owner, def->name) || claim->ports->len == 0)
    return;
  char uuid[NC_UUID_STRING_LEN];
  port_label(port, uuid);
  gboolean had = FALSE;
  for (guint i = claim->ports->len; i-- > 0;)
    if (g_ascii_strcasecmp(claim->ports->pdata[i], uuid) == 0) {
      g_ptr_array_remove_index(claim->ports, i);
      had = TRUE;
    }
  if (!had)
    return;
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  gboolean in_pool = FALSE;
  for (guint i = 0; i < pool->len; i++)
    in_pool = in_pool || g_str_equal(pool->pdata[i], uplink);
  gboolean keep = claim->ports->len > 0 || (in_pool && claim_owner_running(env, def->name));
  g_autofree char *path = claim_path(env, uplink);
  if (!keep || claim_write(env, uplink, def->name, claim->ports) < 0)
    g_unlink(path);
}

static gboolean
take_claims(const NcDriverEnv *env, const NcNetworkDef *def, GPtrArray *pool, GError **error)
{
  g_autofree char *dir = g_build_filename(env->state_dir, CLAIM_DIR, NULL);
  if (g_mkdir_with_parents(dir, 0755) < 0) {
    int e = errno;
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "network '%s': cannot create %s: %s",
                def->name, dir, g_strerror(e));
    return FALSE;
  }
  for (guint i = 0; i < pool->len; i++) {
    const char *uplink = pool->pdata[i];
    g_autofree char *path = claim_path(env, uplink);
    for (int attempt = 0; attempt < 2; attempt++) {
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd >= 0) {
        g_autofree char *line = g_strconcat(def->name, "\n", NULL);
        gboolean ok = write(fd, line, strlen(line)) == (ssize_t)strlen(line);
        close(fd);
        if (ok)
          break;
        g_unlink(path);
      } else if (errno == EEXIST) {
        g_autoptr(Claim) claim = claim_read(env, uplink);
        if (claim) {
          if (g_str_equal(claim->owner, def->name)) {
            break; /* ours (adoption, or a start after a stop that ports outlived) */
          }
          const char *port = NULL;
          if (claim_owner_running(env, claim->owner)) {
            g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                        "network '%s': interface '%s' is already used in passthrough mode by "
                        "network '%s'; an interface can be passed through by one network at "
                        "a time",
                        def->name, uplink, claim->owner);
            release_claims(env, def, pool);
            return FALSE;
          }
          if ((port = claim_live_port(env, claim))) {
            g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                        "network '%s': interface '%s' is still held in passthrough mode by "
                        "port %s of the stopped network '%s'; delete that port first "
                        "(net-port-delete %s %s)",
                        def->name, uplink, port, claim->owner, claim->owner, port);
            release_claims(env, def, pool);
            return FALSE;
          }
        }
        g_unlink(path); /* stale: its network and ports are gone */
        continue;
      }
      if (attempt == 1 || fd >= 0) {
        g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                    "network '%s': cannot record the passthrough use of '%s' in %s", def->name,
                    uplink, path);
        release_claims(env, def, pool);
        return FALSE;
      }
    }
  }
  return TRUE;
}

/* -- start / stop / adopt -------------------------------------------------------------- */

/* The pool, every member checked to exist. */
static gboolean
resolve_pool(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  if (def->forward.pf && def->forward.pf->dev && (!def->forward.ifs || !def->forward.ifs->len)) {
    g_autoptr(GPtrArray) vfs = NULL;
    if (!nc_sriov_vf_netdevs(env->kernel, def->name, def->forward.pf->dev, &vfs, error))
      return FALSE;
    g_ptr_array_add(vfs, NULL);
    g_autofree char *joined = g_strjoinv(",", (char **)vfs->pdata);
    nc_live_state_set(live, "pool", joined);
  }
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  for (guint i = 0; i < pool->len; i++) {
    const char *uplink = pool->pdata[i];
    NcLinkInfo info;
    int r = nc_link_get_info(env->kernel, uplink, &info);
    if (r == -ENODEV || r == -EINVAL) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                  "network '%s': pool interface '%s' does not exist", def->name, uplink);
      return FALSE;
    }
    if (r < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot look up pool interface '%s': %s", def->name, uplink,
                  g_strerror(-r));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
macvtap_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  if (!check_vlan(def, def->vlan, "", error))
    return FALSE;
  for (guint i = 0; def->portgroups && i < def->portgroups->len; i++) {
    const NcPortGroup *pg = def->portgroups->pdata[i];
    if (!check_vlan(def, pg->vlan, "portgroup: ", error))
      return FALSE;
  }
  if (!resolve_pool(env, def, live, error))
    return FALSE;
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  if (def->forward.mode == NC_FORWARD_PASSTHROUGH && !take_claims(env, def, pool, error)) {
    nc_live_state_clear(live);
    return FALSE;
  }
  if (!nc_macvtap_shim_start(env, def, live, error)) {
    if (def->forward.mode == NC_FORWARD_PASSTHROUGH)
      release_claims(env, def, pool);
    nc_live_state_clear(live);
    return FALSE;
  }
  return TRUE;
}

/* The guests' macvtaps stay (the VMMs hold them; ports outlive a stop and
 * are taken up again at the next start), and with them the passthrough
 * uplinks they hold: those claims stay until their last port goes. */
static gboolean
macvtap_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  gboolean ok = nc_macvtap_shim_stop(env, def, live, error);
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  if (def->forward.mode == NC_FORWARD_PASSTHROUGH)
    keep_held_claims(env, def, live, pool);
  nc_live_state_clear(live);
  return ok;
}

static gboolean
macvtap_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  /* Counted again from the ports, which are adopted after the network. */
  g_autoptr(GList) keys = g_hash_table_get_keys(live->data);
  for (GList *k = keys; k; k = k->next)
    if (g_str_has_prefix(k->data, "port:") || g_str_has_prefix(k->data, "conn:"))
      g_hash_table_remove(live->data, k->data);
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  if (def->forward.mode == NC_FORWARD_PASSTHROUGH && !take_claims(env, def, pool, error))
    return FALSE;
  return nc_macvtap_shim_adopt(env, def, live, error);
}

static gboolean
macvtap_reconfigure(const NcDriverEnv *env, const NcNetworkDef *old_def,
                    const NcNetworkDef *new_def, NcLiveState *live, GError **error)
{
  g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
              "network '%s': the pool of a running macvtap network cannot change; use --config, "
              "then restart the network",
              old_def->name);
  return FALSE;
}

/* -- ports ---------------------------------------------------------------------------- */

static gboolean
check_port(const NcNetworkDef *def, const NcNetworkPortDef *port, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  g_autofree char *what = g_strdup_printf("port %s: ", port_label(port, uuid));
  if (!check_vlan(def, port->vlan, what, error))
    return FALSE;
  if (port->virtualport && (port->virtualport->type == NC_VIRTUALPORT_OPENVSWITCH
                            || port->virtualport->type == NC_VIRTUALPORT_MIDONET)) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': port %s: <virtualport type='%s'> is not supported on a macvtap "
                "network (only 802.1Qbg and 802.1Qbh)",
                def->name, uuid, nc_virtualport_type_to_string(port->virtualport->type));
    return FALSE;
  }
  if (port->virtualport && (port->virtualport->type == NC_VIRTUALPORT_8021QBG
                            || port->virtualport->type == NC_VIRTUALPORT_8021QBH))
    g_message("network '%s': port %s: <virtualport type='%s'> carried in the port's XML; the "
              "association with the switch (VDP/lldpad, or an enic port profile) is not "
              "performed by netctl",
              def->name, uuid, nc_virtualport_type_to_string(port->virtualport->type));
  return TRUE;
}

static void
fill_plug(const NcNetworkDef *def, const char *uplink, NcNetworkPortDef *port)
{
  port->plug_type = NC_PORT_PLUG_DIRECT;
  g_free(port->plug_direct.linkdev);
  port->plug_direct.linkdev = g_strdup(uplink);
  port->plug_direct.mode = plug_mode(def);
}

static int
uplink_ifindex(const NcDriverEnv *env, const char *uplink, NcLinkInfo *ret_info)
{
  return nc_link_get_info(env->kernel, uplink, ret_info);
}

/* The node of a made macvtap, owned as the port asks. */
static gboolean
make_node(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
          NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  guint major = 0, minor = 0;
  int r = nc_macvtap_chardev(env->kernel, dev->name, dev->ifindex, &major, &minor);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot find the character device of %s under "
                "%s/class/net: %s (is sysfs mounted in this network namespace? see "
                "netctld --sysfs-root)",
                def->name, port_label(port, uuid), dev->name, nc_kernel_sys_root(env->kernel),
                g_strerror(-r));
    return FALSE;
  }
  gboolean made = FALSE;
  r = nc_macvtap_node_ensure(dev_dir(env), dev->ifindex, major, minor, dev->owner, dev->group,
                             &made);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot set up %s/tap%d (character device %u:%u of "
                "%s): %s",
                def->name, port_label(port, uuid), dev_dir(env), dev->ifindex, major, minor,
                dev->name,
                r == -EEXIST ? "a node of that name is another device's" : g_strerror(-r));
    return FALSE;
  }
  g_snprintf(dev->chardev, sizeof dev->chardev, "%s/tap%d", dev_dir(env), dev->ifindex);
  dev->chardev_major = major;
  dev->chardev_minor = minor;
  dev->chardev_made = made || dev->chardev_made;
  return TRUE;
}

static void
drop_node(const NcDriverEnv *env, NcPortDevice *dev)
{
  if (dev->chardev_made && dev->chardev[0])
    nc_macvtap_node_remove(dev->chardev, dev->chardev_major, dev->chardev_minor);
  dev->chardev[0] = '\0';
  dev->chardev_made = FALSE;
}

static void
restore_uplink_mac(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
                   NcPortDevice *dev)
{
  if (!dev->has_uplink_mac || !port->plug_direct.linkdev)
    return;
  NcLinkInfo up;
  int r = uplink_ifindex(env, port->plug_direct.linkdev, &up);
  if (r == 0)
    r = nc_link_set_mac(env->kernel, up.ifindex, &dev->uplink_mac);
  if (r < 0) {
    char mac[18];
    nc_mac_format(&dev->uplink_mac, mac);
    g_warning("network '%s': cannot give '%s' its MAC %s back: %s", def->name,
              port->plug_direct.linkdev, mac, g_strerror(-r));
    return;
  }
  dev->has_uplink_mac = FALSE;
}

/* Makes the port's macvtap on its uplink (port->plug_direct.linkdev). */
static gboolean
make_macvtap(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
             NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  const char *uplink = port->plug_direct.linkdev;
  NcLinkInfo up;
  int r = uplink_ifindex(env, uplink, &up);
  if (r < 0) {
    g_set_error(error, NC_ERROR, r == -ENODEV ? NC_ERROR_OPERATION_INVALID : NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: interface '%s': %s", def->name, port_label(port, uuid),
                uplink, r == -ENODEV ? "does not exist" : g_strerror(-r));
    return FALSE;
  }
  gboolean passthrough = port->plug_direct.mode == NC_MACVLAN_MODE_PASSTHROUGH;
  if (passthrough && memcmp(&up.mac, &port->mac, sizeof up.mac) != 0) {
    NcMac original = up.mac;
    r = nc_link_set_mac(env->kernel, up.ifindex, &port->mac);
    if (r < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': port %s: cannot give '%s' the guest's MAC: %s", def->name,
                  port_label(port, uuid), uplink, g_strerror(-r));
      return FALSE;
    }
    if (!dev->has_uplink_mac) {
      dev->uplink_mac = original;
      dev->has_uplink_mac = TRUE;
    }
  }
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  NcMacvtapConfig config = {
    .name = dev->name[0] ? dev->name : "macvtap%d",
    .link_ifindex = up.ifindex,
    .mode = kernel_mode(port->plug_direct.mode),
    .mac = &port->mac,
    .mtu = dev->mtu ? dev->mtu : up.mtu,
    .alias = alias,
    .up = TRUE,
    .no_ipv6 = TRUE,
  };
  if (dev->name[0])
    nc_link_wait_deleted(env->kernel, dev->name);
  char name[16] = "";
  int ifindex = 0;
  r = nc_macvtap_create(env->kernel, &config, name, &ifindex);
  if (r < 0) {
    if (r == -EEXIST)
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                  "network '%s': port %s: device '%s' already exists; choose another target",
                  def->name, port_label(port, uuid), dev->name);
    else
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': port %s: cannot create a macvtap on '%s' in %s mode: %s%s",
                  def->name, port_label(port, uuid), uplink,
                  nc_macvlan_mode_to_string(port->plug_direct.mode), g_strerror(-r),
                  r == -EOPNOTSUPP || r == -EAFNOSUPPORT
                      ? " (this kernel has no macvtap: CONFIG_MACVTAP)"
                      : "");
    restore_uplink_mac(env, def, port, dev);
    return FALSE;
  }
  g_strlcpy(dev->name, name, sizeof dev->name);
  dev->ifindex = ifindex;
  if (!make_node(env, def, port, dev, error)) {
    nc_port_device_delete(env, port, dev, "macvtap");
    dev->ifindex = 0;
    restore_uplink_mac(env, def, port, dev);
    return FALSE;
  }
  return TRUE;
}

static gboolean
macvtap_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                   NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  if (!check_port(def, port, error))
    return FALSE;
  g_autofree char *uplink = NULL;
  if (!choose_uplink(def, live, port, &uplink, error))
    return FALSE;
  fill_plug(def, uplink, port);
  if (dev && dev->create && !make_macvtap(env, def, port, dev, error))
    return FALSE;
  count_port(live, port, uplink);
  return TRUE;
}

static gboolean
macvtap_port_free(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                  const NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  uncount_port(live, port);
  gboolean passthrough = port->plug_type == NC_PORT_PLUG_DIRECT
                         && port->plug_direct.mode == NC_MACVLAN_MODE_PASSTHROUGH;
  if (!dev || !dev->create || !dev->name[0]) {
    if (passthrough)
      drop_port_claim(env, def, live, port->plug_direct.linkdev, port);
    return TRUE;
  }
  gboolean ok = nc_port_device_free(env, def, port, dev, "macvtap", error);
  drop_node(env, dev);
  restore_uplink_mac(env, def, port, dev);
  /* after its MAC is back: the next claimant gets the uplink as it was */
  if (passthrough)
    drop_port_claim(env, def, live, port->plug_direct.linkdev, port);
  return ok;
}

static gboolean
macvtap_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                   NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  /* The port keeps its uplink while it is in the pool; else a new one. */
  g_autoptr(GPtrArray) pool = nc_macvtap_pool(def, live);
  const char *had = port->plug_type == NC_PORT_PLUG_DIRECT ? port->plug_direct.linkdev : NULL;
  gboolean in_pool = FALSE;
  for (guint i = 0; had && i < pool->len; i++)
    in_pool = in_pool || g_str_equal(pool->pdata[i], had);
  g_autofree char *uplink = in_pool ? g_strdup(had) : NULL;
  if (!uplink && !choose_uplink(def, live, port, &uplink, error))
    return FALSE;
  if (!in_pool && had) {
    /* its uplink left the pool while the network was stopped */
    if (dev && dev->create && dev->name[0]) {
      nc_port_device_delete(env, port, dev, "macvtap");
      drop_node(env, dev);
      restore_uplink_mac(env, def, port, dev);
    }
    if (port->plug_direct.mode == NC_MACVLAN_MODE_PASSTHROUGH)
      drop_port_claim(env, def, live, had, port);
  }
  fill_plug(def, uplink, port);
  count_port(live, port, uplink);
  if (!dev || !dev->create || !dev->name[0])
    return TRUE;

  NcMacvtapInfo info;
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  int r = nc_macvtap_get_info(env->kernel, dev->name, &info);
  if (r == -ENODEV) {
    drop_node(env, dev); /* the old device's */
    return make_macvtap(env, def, port, dev, error);
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot look up device '%s': %s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r));
    return FALSE;
  }
  if (!info.is_macvtap || !g_str_equal(info.alias, alias)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: device '%s' is no longer this port's macvtap (someone "
                "else made a device of that name); left alone",
                def->name, port_label(port, uuid), dev->name);
    return FALSE;
  }
  dev->ifindex = info.link.ifindex;
  if (!info.link.up && (r = nc_link_set_up(env->kernel, dev->ifindex, TRUE)) < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot set '%s' up: %s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r));
    return FALSE;
  }
  return make_node(env, def, port, dev, error);
}

static gboolean
macvtap_port_keep(const NcDriverEnv *env, const NcNetworkDef *def, NcNetworkPortDef *port,
                  NcPortDevice *dev, gboolean *ret_made, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  *ret_made = FALSE;
  if (!dev->create || !dev->name[0] || port->plug_type != NC_PORT_PLUG_DIRECT)
    return TRUE;
  NcMacvtapInfo info;
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  int r = nc_macvtap_get_info(env->kernel, dev->name, &info);
  if (r == -ENODEV) {
    drop_node(env, dev); /* the old device's */
    *ret_made = make_macvtap(env, def, port, dev, error);
    return *ret_made;
  }
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot look up device '%s': %s", def->name,
                port_label(port, uuid), dev->name, g_strerror(-r));
    return FALSE;
  }
  if (!info.is_macvtap || !g_str_equal(info.alias, alias)) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: device '%s' is no longer this port's macvtap (someone "
                "else made a device of that name); left alone",
                def->name, port_label(port, uuid), dev->name);
    return FALSE;
  }
  dev->ifindex = info.link.ifindex;
  return make_node(env, def, port, dev, error); /* its node, if that went */
}

const NcForwardDriver nc_driver_macvtap = {
  .kind = NC_NETWORK_KIND_MACVTAP,
  .validate = macvtap_validate,
  .start = macvtap_start,
  .stop = macvtap_stop,
  .adopt = macvtap_adopt,
  .reconfigure = macvtap_reconfigure,
  .port_alloc = macvtap_port_alloc,
  .port_free = macvtap_port_free,
  .port_adopt = macvtap_port_adopt,
  .port_keep = macvtap_port_keep,
};
