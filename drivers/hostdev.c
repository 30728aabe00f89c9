/* SR-IOV hostdev pool networks: <forward mode='hostdev' managed='yes|no'>
 * with a <pf dev=> (its VFs, read from sysfs) or a list of <address
 * type='pci'/> VFs; <driver name='vfio'/> (the default; legacy KVM
 * assignment is refused).
 *
 * A port takes the first free VF of the pool: its MAC and VLAN (and trust
 * when trustGuestRxFilters='yes') are set through the PF (sriov.h; a VF
 * whose PF says it is still in reset is asked again, 6 times over ~0.3 s),
 * and with managed='yes' it is handed to vfio-pci (driver_override, unbind,
 * drivers_probe). The port's plug is <plug type='hostdev-pci'
 * managed=... ><driver name=.../><address .../></plug>. Release puts back
 * the VF's driver, MAC and VLAN.
 *
 * What release needs is kept per VF in state_dir/hostdev/NETWORK/ADDR.vf
 * (GKeyFile: port, pf, vf, driver, mac, vlan), written atomically before
 * the port exists and removed after release, so it survives a netctld
 * restart (hostdev ports carry no device of netctl's, hence no .tap file).
 * The claim cannot follow the port's status file (it must record the VF
 * before the VF is touched), nor can release wait for the status file to go
 * (the core removes it after port_free): a daemon killed in between leaves a
 * claim of a port never recorded, or a port whose VF was given back, with
 * or without its claim. Both are repaired at the next start
 * (ports_recover, for stopped networks too, and port_adopt): the claim's
 * VF is given back as release does; the port's VF is set up for it again
 * as alloc does (a port that exists keeps a usable VF).
 * A reclaimed port (RECLAIM: a running guest's VF) must name a VF of the
 * pool that no other port holds; its state file is the claim alone.
 *
 * A VF is not taken when it is missing (virtfnN leads nowhere), is another
 * port's, is bound to vfio-pci by someone else (managed pools only: an
 * unmanaged pool's VFs are bound to vfio-pci by the administrator), or
 * shares its IOMMU group with other devices (vfio would need them all). */
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "atomic-file.h"
#include "forward-driver.h"
#include "nc-error.h"
#include "network-check-names.h"
#include "safe-read.h"
#include "sriov.h"
#include "sysfs-pci.h"

#define VFIO "vfio-pci"
#define RESET_TRIES 6
#define RESET_FIRST_WAIT_US 10000
#define STATE_FILE_MAX (64 * 1024) /* a few keys */

typedef struct {
  char addr[16];
  char pf[16];
  guint index;
  gboolean missing;
} PoolVf;

static gboolean
managed(const NcNetworkDef *def)
{
  return def->forward.managed == NC_TRISTATE_YES;
}

static char *
state_dir(const NcDriverEnv *env, const NcNetworkDef *def)
{
  return g_build_filename(env->state_dir, "hostdev", def->name, NULL);
}

static char *
state_file(const NcDriverEnv *env, const NcNetworkDef *def, const char *addr)
{
  g_autofree char *dir = state_dir(env, def);
  g_autofree char *base = g_strconcat(addr, ".vf", NULL);
  return g_build_filename(dir, base, NULL);
}

/* A VF's state file, read as every file of the state root is: a regular
 * file of bounded size, never through a symlink (safe-read.h). */
static GKeyFile *
load_state_file(const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  int r = nc_file_read_bounded(path, STATE_FILE_MAX, &text, &len);
  if (r == -ENOENT)
    return NULL;
  g_autofree char *quoted = nc_name_escape(path);
  if (r < 0) {
    g_warning("ignoring the VF state file %s: %s", quoted, nc_file_refusal_reason(r));
    return NULL;
  }
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &error)) {
    g_autofree char *why = nc_name_escape(error->message);
    g_warning("ignoring the VF state file %s: it cannot be parsed: %s", quoted, why);
    return NULL;
  }
  return g_steal_pointer(&kf);
}

static GKeyFile *
load_state(const NcDriverEnv *env, const NcNetworkDef *def, const char *addr)
{
  g_autofree char *path = state_file(env, def, addr);
  return load_state_file(path);
}

/* -- the pool ----------------------------------------------------------------- */

static gboolean
read_pool(const NcDriverEnv *env, const NcNetworkDef *def, GArray **ret_pool, GError **error)
{
  g_autoptr(GArray) pool = g_array_new(FALSE, TRUE, sizeof(PoolVf));
  if (def->forward.pf && def->forward.pf->dev) {
    g_autoptr(GArray) vfs = NULL;
    if (!nc_sriov_list_vfs(env->kernel, def->name, def->forward.pf->dev, &vfs, error))
      return FALSE;
    for (guint i = 0; i < vfs->len; i++) {
      const NcSriovVf *vf = &g_array_index(vfs, NcSriovVf, i);
      PoolVf p = { .index = vf->index, .missing = !vf->addr[0] };
      g_strlcpy(p.addr, vf->addr[0] ? vf->addr : "?", sizeof p.addr);
      g_strlcpy(p.pf, def->forward.pf->dev, sizeof p.pf);
      g_array_append_val(pool, p);
    }
  }
  for (guint i = 0; def->forward.addrs && i < def->forward.addrs->len; i++) {
    const NcPciAddr *a = def->forward.addrs->pdata[i];
    PoolVf p = { 0 };
    nc_pci_addr_format(a->domain, a->bus, a->slot, a->function, p.addr);
    if (nc_sriov_vf_of_addr(env->kernel, p.addr, p.pf, &p.index) < 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID, "network '%s': PCI device %s is %s",
                  def->name, p.addr,
                  nc_pci_exists(env->kernel, p.addr) ? "not an SR-IOV VF (no physfn)"
                                                     : "not present (no such PCI device)");
      return FALSE;
    }
    g_array_append_val(pool, p);
  }
  if (pool->len == 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': a hostdev network needs a <pf dev='...'/> or <address "
                "type='pci' .../> elements",
                def->name);
    return FALSE;
  }
  *ret_pool = g_steal_pointer(&pool);
  return TRUE;
}

/* -- driver entries -------------------------------------------------------------- */

static gboolean
hostdev_validate(const NcNetworkDef *def, GError **error)
{
  if (def->forward.driver_name == NC_FORWARD_DRIVER_KVM) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': <driver name='kvm'/> (legacy KVM device assignment) is not "
                "supported; use <driver name='vfio'/>",
                def->name);
    return FALSE;
  }
  if (def->ips && def->ips->len > 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': an <ip> address is not allowed on a hostdev network", def->name);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_vfio(const NcDriverEnv *env, const NcNetworkDef *def, GError **error)
{
  if (!managed(def) || nc_pci_driver_loaded(env->kernel, VFIO))
    return TRUE;
  g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
              "network '%s': no vfio-pci driver (%s/bus/pci/drivers/vfio-pci is missing: load it "
              "with `modprobe vfio-pci`; this needs an IOMMU)",
              def->name, nc_kernel_sys_root(env->kernel));
  return FALSE;
}

static gboolean
hostdev_start(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  g_autoptr(GArray) pool = NULL;
  return check_vfio(env, def, error) && read_pool(env, def, &pool, error);
}

/* Ports outlive a stop; their VFs stay with their guests. */
static gboolean
hostdev_stop(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  nc_live_state_clear(live);
  return TRUE;
}

static gboolean
hostdev_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live, GError **error)
{
  return hostdev_start(env, def, live, error);
}

static gboolean
hostdev_reconfigure(const NcDriverEnv *env, const NcNetworkDef *old_def,
                    const NcNetworkDef *new_def, NcLiveState *live, GError **error)
{
  g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
              "network '%s': the pool of a running hostdev network cannot change; use --config, "
              "then restart the network",
              old_def->name);
  return FALSE;
}

/* The port (and its network) holding the VF at addr, in any network: a VF
 * stays with its port while that port's network is stopped, and two pools
 * may share a PF. NULL when none. */
static char *
vf_holder(const NcDriverEnv *env, const NcNetworkDef *def, const char *addr)
{
  g_autoptr(GKeyFile) state = load_state(env, def, addr);
  g_autofree char *network = state ? g_strdup(def->name) : NULL;
  g_autofree char *top = g_build_filename(env->state_dir, "hostdev", NULL);
  g_autoptr(GDir) dir = state ? NULL : g_dir_open(top, 0, NULL);
  const char *name;
  while (dir && !state && (name = g_dir_read_name(dir))) {
    if (g_str_equal(name, def->name))
      continue;
    g_autofree char *base = g_strconcat(addr, ".vf", NULL);
    g_autofree char *path = g_build_filename(top, name, base, NULL);
    state = load_state_file(path);
    if (state)
      network = g_strdup(name);
  }
  if (!state)
    return NULL;
  g_autofree char *port = g_key_file_get_string(state, "vf", "port", NULL);
  if (g_str_equal(network, def->name))
    return g_strdup_printf("%s in use by port %s", addr, port ? port : "?");
  return g_strdup_printf("%s in use by port %s of network '%s'", addr, port ? port : "?", network);
}

/* Why vf cannot be taken, NULL when it can. */
static char *
vf_busy(const NcDriverEnv *env, const NcNetworkDef *def, const PoolVf *vf)
{
  if (vf->missing)
    return g_strdup_printf("VF %u missing", vf->index);
  char *held = vf_holder(env, def, vf->addr);
  if (held)
    return held;
  g_autofree char *driver = NULL;
  if (managed(def) && nc_pci_get_driver(env->kernel, vf->addr, &driver) == 0
      && g_strcmp0(driver, VFIO) == 0)
    return g_strdup_printf("%s bound to vfio-pci by another owner", vf->addr);
  int group = 0;
  g_autoptr(GPtrArray) others = NULL;
  if (nc_pci_iommu_group_others(env->kernel, vf->addr, &group, &others) == 0 && others->len) {
    g_ptr_array_add(others, NULL);
    g_autofree char *list = g_strjoinv(", ", (char **)others->pdata);
    return g_strdup_printf("%s shares IOMMU group %d with %s", vf->addr, group, list);
  }
  return NULL;
}

/* Writes the VF's state file: from now on the VF is taken (vf_holder). */
static gboolean
save_claim(const NcDriverEnv *env, const NcNetworkDef *def, const char *addr, GKeyFile *kf,
           GError **error)
{
  g_autofree char *text = g_key_file_to_data(kf, NULL, NULL);
  g_autofree char *dir = state_dir(env, def);
  g_autofree char *path = state_file(env, def, addr);
  int r = 0;
  if (g_mkdir_with_parents(dir, 0700) < 0 || (r = nc_file_write_atomic(path, text, -1, 0600)) < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "network '%s': cannot write %s: %s",
                def->name, path, g_strerror(r < 0 ? -r : errno));
    return FALSE;
  }
  return TRUE;
}

/* Sets the VF through its PF; a VF still in reset is asked again. */
static int
set_vf(const NcDriverEnv *env, const char *pf, guint index, const NcVfConfig *config)
{
  gulong wait = RESET_FIRST_WAIT_US;
  int r = -EAGAIN;
  for (int attempt = 0; attempt < RESET_TRIES && r == -EAGAIN; attempt++) {
    if (attempt > 0) {
      g_debug("VF %u of %s is still in reset; asking again in %lu ms", index, pf, wait / 1000);
      g_usleep(wait);
      wait *= 2;
    }
    r = nc_sriov_set_vf(env->kernel, pf, index, config);
  }
  return r;
}

static void
fill_plug(const NcNetworkDef *def, const char *addr, NcNetworkPortDef *port)
{
  guint d = 0, b = 0, s = 0, f = 0;
  nc_pci_addr_parse(addr, &d, &b, &s, &f);
  port->plug_type = NC_PORT_PLUG_HOSTDEV_PCI;
  port->plug_hostdev_pci.managed = def->forward.managed;
  port->plug_hostdev_pci.driver = def->forward.driver_name;
  port->plug_hostdev_pci.addr = (NcPciAddr){ .domain = d, .bus = b, .slot = s, .function = f };
}

static gboolean
port_vlan(const NcNetworkDef *def, const NcNetworkPortDef *port, guint *ret_vlan, GError **error)
{
  *ret_vlan = 0;
  if (!port->vlan || !port->vlan->tags || port->vlan->tags->len == 0)
    return TRUE;
  if (port->vlan->tags->len > 1 || port->vlan->trunk == NC_TRISTATE_YES) {
    char uuid[NC_UUID_STRING_LEN];
    nc_uuid_format(port->uuid, uuid);
    g_set_error(error, NC_ERROR, NC_ERROR_CONFIG_UNSUPPORTED,
                "network '%s': port %s: a VF takes one VLAN tag, not a trunk", def->name, uuid);
    return FALSE;
  }
  *ret_vlan = g_array_index(port->vlan->tags, NcVlanTag, 0).id;
  return TRUE;
}

/* The MAC, VLAN and trust the port's VF is given. */
static NcVfConfig
port_config(const NcNetworkPortDef *port, guint vlan)
{
  return (NcVfConfig){ .mac = port->mac,
                       .vlan = vlan,
                       .spoofchk = -1,
                       .trust = port->trust_guest_rx_filters == NC_TRISTATE_YES ? 1 : -1 };
}

/* Takes vf for the port: what release puts back is recorded first (the
 * claim, so a crash in between still knows it), then the VF gets the port's
 * MAC and VLAN and, in a managed pool, vfio-pci. On failure the VF is put
 * back and the claim dropped. */
static gboolean
take_vf(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
        const PoolVf *vf, guint vlan, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  NcVfConfig orig = { .spoofchk = -1, .trust = -1 };
  int r = nc_sriov_get_vf(env->kernel, vf->pf, vf->index, &orig);
  if (r < 0)
    g_debug("network '%s': cannot read VF %u of %s: %s", def->name, vf->index, vf->pf,
            g_strerror(-r));
  g_autofree char *orig_driver = NULL;
  nc_pci_get_driver(env->kernel, vf->addr, &orig_driver);

  g_autoptr(GKeyFile) kf = g_key_file_new();
  char mac[18];
  nc_mac_format(&orig.mac, mac);
  g_key_file_set_string(kf, "vf", "port", uuid);
  g_key_file_set_string(kf, "vf", "pf", vf->pf);
  g_key_file_set_uint64(kf, "vf", "index", vf->index);
  g_key_file_set_string(kf, "vf", "driver", orig_driver ? orig_driver : "");
  g_key_file_set_string(kf, "vf", "mac", mac);
  g_key_file_set_uint64(kf, "vf", "vlan", orig.vlan);
  g_autofree char *path = state_file(env, def, vf->addr);
  if (!save_claim(env, def, vf->addr, kf, error))
    return FALSE;

  NcVfConfig want = port_config(port, vlan);
  r = set_vf(env, vf->pf, vf->index, &want);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot set the MAC and VLAN of VF %u (%s) through PF "
                "'%s': %s%s",
                def->name, uuid, vf->index, vf->addr, vf->pf, g_strerror(-r),
                r == -EAGAIN ? " (the VF stayed in reset through every retry)" : "");
    g_unlink(path);
    return FALSE;
  }
  if (managed(def) && (r = nc_pci_rebind(env->kernel, vf->addr, VFIO)) < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot bind VF %s to vfio-pci: %s", def->name, uuid,
                vf->addr, g_strerror(-r));
    set_vf(env, vf->pf, vf->index, &orig);
    if (orig_driver)
      nc_pci_rebind(env->kernel, vf->addr, "");
    g_unlink(path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
hostdev_port_alloc(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                   NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  if (dev && dev->create) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': a hostdev network hands its guests PCI functions, not TAP "
                "devices; use net-port-create (or a VMM's <interface type='network'>)",
                def->name);
    return FALSE;
  }
  guint vlan = 0;
  g_autoptr(GArray) pool = NULL;
  if (!port_vlan(def, port, &vlan, error) || !check_vfio(env, def, error)
      || !read_pool(env, def, &pool, error))
    return FALSE;
  const PoolVf *vf = NULL;
  g_autoptr(GString) why = g_string_new(NULL);
  for (guint i = 0; i < pool->len && !vf; i++) {
    const PoolVf *cand = &g_array_index(pool, PoolVf, i);
    g_autofree char *busy = vf_busy(env, def, cand);
    if (!busy)
      vf = cand;
    else
      g_string_append_printf(why, "%s%s", why->len ? "; " : "", busy);
  }
  if (!vf) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': port %s: no free VF in the pool (%u: %s)", def->name, uuid,
                pool->len, why->str);
    return FALSE;
  }
  /* A daemon killed from here until the port's status file is written
   * leaves a claim of a port that does not exist: ports_recover gives
   * that VF back at the next start. */
  if (!take_vf(env, def, port, vf, vlan, error))
    return FALSE;
  fill_plug(def, vf->addr, port);
  return TRUE;
}

/* Puts back what the claim kf recorded of the VF at addr (its driver in a
 * managed pool, its MAC and VLAN; nothing for a reclaimed one), then drops
 * the claim. Keeps going and reports the first failure. */
static gboolean
give_back(const NcDriverEnv *env, const NcNetworkDef *def, const char *addr, GKeyFile *kf,
          GError **error)
{
  g_autofree char *pf = g_key_file_get_string(kf, "vf", "pf", NULL);
  g_autofree char *driver = g_key_file_get_string(kf, "vf", "driver", NULL);
  g_autofree char *mac = g_key_file_get_string(kf, "vf", "mac", NULL);
  guint index = (guint)g_key_file_get_uint64(kf, "vf", "index", NULL);
  NcVfConfig orig = { .vlan = (guint)MIN(g_key_file_get_uint64(kf, "vf", "vlan", NULL), 4095),
                      .spoofchk = -1,
                      .trust = -1 };
  gboolean ok = TRUE;
  int r = 0;
  if (managed(def) && driver) {
    /* override cleared; the probe gives the VF back to its driver (none: left unbound) */
    g_autofree char *now = NULL;
    if (nc_pci_get_driver(env->kernel, addr, &now) == 0 && g_strcmp0(now, driver) != 0)
      r = nc_pci_rebind(env->kernel, addr, "");
    if (r < 0) {
      ok = FALSE;
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot give VF %s back to %s: %s", def->name, addr,
                  *driver ? driver : "no driver", g_strerror(-r));
    }
  }
  if (pf && mac && nc_mac_parse(mac, &orig.mac)) {
    r = set_vf(env, pf, index, &orig);
    if (r < 0 && ok) {
      ok = FALSE;
      g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                  "network '%s': cannot restore the MAC and VLAN of VF %u of %s: %s", def->name,
                  index, pf, g_strerror(-r));
    }
  }
  g_autofree char *path = state_file(env, def, addr);
  g_unlink(path);
  return ok;
}

/* The claim goes last, after the VF is given back: a daemon killed before
 * the core removes the port's status file leaves a port whose VF is back
 * on its driver (with or without its claim), which port_adopt and
 * ports_recover set up for the port again. */
static gboolean
hostdev_port_free(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                  const NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  if (port->plug_type != NC_PORT_PLUG_HOSTDEV_PCI)
    return TRUE;
  const NcPciAddr *a = &port->plug_hostdev_pci.addr;
  char addr[16];
  nc_pci_addr_format(a->domain, a->bus, a->slot, a->function, addr);
  g_autoptr(GKeyFile) kf = load_state(env, def, addr);
  if (!kf)
    return TRUE; /* never ours */
  return give_back(env, def, addr, kf, error);
}

/* The VF of the pool the port's plug names (a copy in ret_vf). */
static gboolean
find_plugged_vf(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
                PoolVf *ret_vf, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  if (port->plug_type != NC_PORT_PLUG_HOSTDEV_PCI) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s has no VF (it was made for another kind of network)",
                def->name, uuid);
    return FALSE;
  }
  const NcPciAddr *a = &port->plug_hostdev_pci.addr;
  char addr[16];
  nc_pci_addr_format(a->domain, a->bus, a->slot, a->function, addr);
  g_autoptr(GArray) pool = NULL;
  if (!read_pool(env, def, &pool, error))
    return FALSE;
  for (guint i = 0; i < pool->len; i++) {
    const PoolVf *cand = &g_array_index(pool, PoolVf, i);
    if (!cand->missing && g_str_equal(cand->addr, addr)) {
      *ret_vf = *cand;
      return TRUE;
    }
  }
  g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
              "network '%s': port %s: VF %s is not in the network's pool; not taken", def->name,
              uuid, addr);
  return FALSE;
}

/* The claim of the VF, when it names this port; NULL (no error) when there
 * is none; FALSE when another port holds the VF. */
static gboolean
port_claim(const NcDriverEnv *env, const NcNetworkDef *def, const char *uuid, const char *addr,
           GKeyFile **ret_kf, GError **error)
{
  g_autoptr(GKeyFile) kf = load_state(env, def, addr);
  if (kf) {
    g_autofree char *holder = g_key_file_get_string(kf, "vf", "port", NULL);
    if (g_strcmp0(holder, uuid) != 0) {
      g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                  "network '%s': port %s: VF %s is in use by port %s; not taken", def->name, uuid,
                  addr, holder ? holder : "?");
      return FALSE;
    }
    *ret_kf = g_steal_pointer(&kf);
    return TRUE;
  }
  g_autofree char *held = vf_holder(env, def, addr);
  if (held) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s: VF %s; not taken", def->name, uuid, held);
    return FALSE;
  }
  *ret_kf = NULL;
  return TRUE;
}

/* A claim alone, for a VF the port's guest holds as it is: nothing of it is
 * recorded to put back, so release only drops the claim (no driver or MAC
 * key). */
static gboolean
save_reclaimed(const NcDriverEnv *env, const NcNetworkDef *def, const char *uuid, const PoolVf *vf,
               GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_key_file_set_string(kf, "vf", "port", uuid);
  g_key_file_set_string(kf, "vf", "pf", vf->pf);
  g_key_file_set_uint64(kf, "vf", "index", vf->index);
  g_key_file_set_boolean(kf, "vf", "reclaimed", TRUE);
  return save_claim(env, def, vf->addr, kf, error);
}

/* RECLAIM (a restarted hypervisor driver's running guest): the VF is
 * claimed now, so no new port is given it; nothing of it is touched. */
static gboolean
hostdev_port_reclaim(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                     NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  PoolVf vf;
  g_autoptr(GKeyFile) kf = NULL;
  if (!find_plugged_vf(env, def, port, &vf, error)
      || !port_claim(env, def, uuid, vf.addr, &kf, error)
      || (!kf && !save_reclaimed(env, def, uuid, &vf, error)))
    return FALSE;
  fill_plug(def, vf.addr, port);
  return TRUE;
}

static gboolean
vf_config_matches(const NcVfConfig *now, const NcVfConfig *want)
{
  return memcmp(&now->mac, &want->mac, sizeof want->mac) == 0 && now->vlan == want->vlan;
}

/* Whether the VF is as the port needs it: its MAC and VLAN (unreadable:
 * taken as right) and, in a managed pool, bound to vfio-pci. */
static gboolean
vf_is_set_up(const NcDriverEnv *env, const NcNetworkDef *def, const PoolVf *vf,
             const NcVfConfig *want, gboolean *ret_config_ok)
{
  NcVfConfig now = { .spoofchk = -1, .trust = -1 };
  *ret_config_ok
      = nc_sriov_get_vf(env->kernel, vf->pf, vf->index, &now) < 0 || vf_config_matches(&now, want);
  g_autofree char *driver = NULL;
  gboolean bound
      = !managed(def)
        || (nc_pci_get_driver(env->kernel, vf->addr, &driver) == 0 && g_strcmp0(driver, VFIO) == 0);
  return *ret_config_ok && bound;
}

/* The VF of a port whose claim is netctl's (not reclaimed) set up for it
 * again where a release cut short by a crash put it back: its MAC and VLAN,
 * and vfio-pci in a managed pool (as alloc does). */
static gboolean
set_up_again(const NcDriverEnv *env, const NcNetworkDef *def, const char *uuid, const PoolVf *vf,
             const NcVfConfig *want, GError **error)
{
  gboolean config_ok = FALSE;
  if (vf_is_set_up(env, def, vf, want, &config_ok))
    return TRUE;
  g_message("network '%s': port %s: its VF %s was partly given back (a release cut short); set "
            "up for the port again",
            def->name, uuid, vf->addr);
  int r = config_ok ? 0 : set_vf(env, vf->pf, vf->index, want);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot set the MAC and VLAN of its VF %u (%s) through PF "
                "'%s' again: %s",
                def->name, uuid, vf->index, vf->addr, vf->pf, g_strerror(-r));
    return FALSE;
  }
  if (managed(def) && (r = nc_pci_rebind(env->kernel, vf->addr, VFIO)) < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot bind its VF %s to vfio-pci again: %s", def->name,
                uuid, vf->addr, g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

/* A port that exists from before (a netctld restart, its network started
 * again). Its claim is there, unless a release was cut short after the
 * claim went (the VF is then back as it was: taken again, as alloc does) or
 * the file was lost (the VF is still set up for the port: it is claimed as
 * reclaimed, untouched). */
static gboolean
hostdev_port_adopt(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                   NcNetworkPortDef *port, NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  PoolVf vf;
  guint vlan = 0;
  g_autoptr(GKeyFile) kf = NULL;
  if (!find_plugged_vf(env, def, port, &vf, error) || !port_vlan(def, port, &vlan, error)
      || !port_claim(env, def, uuid, vf.addr, &kf, error))
    return FALSE;
  NcVfConfig want = port_config(port, vlan);
  gboolean config_ok = FALSE;
  gboolean ok = TRUE;
  if (kf)
    ok = g_key_file_get_boolean(kf, "vf", "reclaimed", NULL)
         || set_up_again(env, def, uuid, &vf, &want, error);
  else if (vf_is_set_up(env, def, &vf, &want, &config_ok))
    ok = save_reclaimed(env, def, uuid, &vf, error);
  else {
    g_message("network '%s': port %s: its VF %s had been given back (a release cut short); "
              "taken for the port again",
              def->name, uuid, vf.addr);
    ok = take_vf(env, def, port, &vf, vlan, error);
  }
  if (ok)
    fill_plug(def, vf.addr, port);
  return ok;
}

/* At start: a claim naming a port the network does not have was written by
 * a daemon killed during that port's allocation; the VF goes back as a
 * release would give it. Then the ports are checked as port_adopt does
 * (a stopped network's too: its ports keep their VFs). */
static void
hostdev_ports_recover(const NcDriverEnv *env, const NcNetworkDef *def, gboolean active,
                      GPtrArray *ports)
{
  g_autoptr(GHashTable) known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < ports->len; i++) {
    NcNetworkPortDef *port = ports->pdata[i];
    char uuid[NC_UUID_STRING_LEN];
    nc_uuid_format(port->uuid, uuid);
    g_hash_table_add(known, g_strdup(uuid));
  }
  g_autofree char *dir_path = state_dir(env, def);
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    guint d, b, s, f;
    g_autofree char *addr
        = g_str_has_suffix(name, ".vf") ? g_strndup(name, strlen(name) - strlen(".vf")) : NULL;
    if (!addr || name[0] == '.' || !nc_pci_addr_parse(addr, &d, &b, &s, &f))
      continue;
    g_autofree char *path = g_build_filename(dir_path, name, NULL);
    g_autoptr(GKeyFile) kf = load_state_file(path);
    g_autofree char *port = kf ? g_key_file_get_string(kf, "vf", "port", NULL) : NULL;
    if (!kf || (port && g_hash_table_contains(known, port)))
      continue;
    g_autofree char *quoted = nc_name_escape(port ? port : "?");
    g_message("network '%s': VF %s was claimed for port %s, which does not exist (netctld was "
              "stopped while making it); given back",
              def->name, addr, quoted);
    g_autoptr(GError) error = NULL;
    if (!give_back(env, def, addr, kf, &error))
      g_warning("%s", error->message);
  }
  for (guint i = 0; i < ports->len; i++) {
    NcNetworkPortDef *port = ports->pdata[i];
    g_autoptr(GError) error = NULL;
    if (port->plug_type == NC_PORT_PLUG_HOSTDEV_PCI
        && !hostdev_port_adopt(env, def, NULL, port, NULL, &error))
      g_warning("%s", error->message);
  }
}

const NcForwardDriver nc_driver_hostdev = {
  .kind = NC_NETWORK_KIND_HOSTDEV,
  .validate = hostdev_validate,
  .start = hostdev_start,
  .stop = hostdev_stop,
  .adopt = hostdev_adopt,
  .reconfigure = hostdev_reconfigure,
  .port_alloc = hostdev_port_alloc,
  .port_free = hostdev_port_free,
  .port_adopt = hostdev_port_adopt,
  .port_reclaim = hostdev_port_reclaim,
  .ports_recover = hostdev_ports_recover,
};
