/* Per-port <outbound> and <inbound floor=> on Linux bridges; see
 * port-bandwidth.h.
 *
 * Outbound: one IFB per port, not one shared IFB with a class per port.
 * What a guest sends enters at its TAP's ingress; a shared IFB would need
 * a filter per port to tell the guests apart again (by source MAC, which
 * the guest chooses) and one tree whose every change touches all ports. A
 * redirect straight to the port's own IFB needs no classification, reuses
 * the network-wide outbound's pieces (tc-ingress.c, ifb.c, an HTB tree as
 * nc_tc_htb_for_outbound builds it), and a port's change or removal
 * touches that port only. The cost is one more link per shaped port
 * (bench/port-qos.sh measures it); ports without <outbound> pay nothing.
 * The network's own <outbound> IFB still sees the traffic afterwards: the
 * IFB gives the frame back to the TAP, the bridge then delivers it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nc-error.h"
#include "port-bandwidth.h"
#include "tc.h"

#define FLOOR_KEY "floor:"
#define FIRST_PORT_CLASS 3     /* 1:1 and 1:2 are the network's */
#define LAST_PORT_CLASS 0xffff /* a class handle's minor number */

/* -- outbound --------------------------------------------------------------- */

static const NcBandwidthRate *
port_outbound(const NcNetworkPortDef *port)
{
  const NcBandwidth *bw = port->bandwidth;
  return bw && bw->out && bw->out->average ? bw->out : NULL;
}

static void
delete_ifb(const NcDriverEnv *env, const NcNetworkPortDef *port)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  g_autofree char *name = nc_ifb_name_for_port(uuid);
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  int ifindex = 0;
  if (nc_ifb_lookup(env->kernel, name, alias, &ifindex, NULL) < 0)
    return; /* none, or someone else's */
  int r = nc_link_delete_deferred(env->kernel, ifindex, name);
  if (r < 0 && r != -ENODEV)
    g_warning("port %s: cannot delete its IFB %s: %s", uuid, name, g_strerror(-r));
}

void
nc_port_outbound_remove(const NcDriverEnv *env, const NcNetworkPortDef *port,
                        const NcPortDevice *dev)
{
  if (dev && dev->create && port_outbound(port))
    delete_ifb(env, port);
}

static gboolean
ifb_error(const NcNetworkDef *def, const char *uuid, const char *name, int r, GError **error)
{
  if (r == -EOPNOTSUPP)
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': port %s: <outbound> needs an IFB device, and this kernel has no "
                "ifb driver (CONFIG_IFB); remove <outbound>",
                def->name, uuid);
  else if (r == -EEXIST)
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': port %s: device '%s' exists and is not this port's IFB; delete it "
                "to shape the port's <outbound>",
                def->name, uuid, name);
  else
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot set up IFB '%s' for <outbound>: %s", def->name, uuid,
                name, g_strerror(-r));
  return FALSE;
}

static gboolean
shape(const NcDriverEnv *env, const NcNetworkDef *def, const NcNetworkPortDef *port,
      const NcPortDevice *dev, const char *uuid, const char *name, int ifindex, gboolean fresh,
      gboolean made, GError **error)
{
  const NcBandwidthRate *out = port_outbound(port);
  NcTcRate rate = { .average = out->average, .peak = out->peak, .burst = out->burst };
  NcTcHtb htb;
  nc_tc_htb_for_outbound(&rate, &htb);
  /* An IFB just made has no tree to delete first. */
  int r = made ? nc_tc_add_htb(env->kernel, ifindex, &htb)
               : nc_tc_set_htb(env->kernel, ifindex, &htb);
  if (r < 0) {
    g_set_error(
        error, NC_ERROR, r == -ENOENT ? NC_ERROR_NO_SUPPORT : NC_ERROR_SYSTEM_ERROR,
        "network '%s': port %s: cannot shape IFB '%s' to <outbound average='%" G_GUINT64_FORMAT
        "'>: %s%s",
        def->name, uuid, name, rate.average, g_strerror(-r),
        r == -ENOENT ? " (is the sch_htb kernel module available?)" : "");
    return FALSE;
  }
  /* A redirect already there points at this IFB or at a replaced one:
   * made anew rather than read back (reading means dumping every qdisc). */
  if (!fresh)
    nc_tc_clear_ingress(env->kernel, dev->ifindex);
  const char *missing = NULL;
  r = nc_tc_redirect_ingress(env->kernel, dev->ifindex, ifindex, &missing);
  if (r < 0 && missing)
    g_set_error(error, NC_ERROR, NC_ERROR_NO_SUPPORT,
                "network '%s': port %s: <outbound> needs %s, which this kernel lacks", def->name,
                uuid, missing);
  else if (r < 0)
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot redirect what %s receives to IFB '%s': %s",
                def->name, uuid, dev->name, name, g_strerror(-r));
  return r == 0;
}

gboolean
nc_port_outbound_apply(const NcDriverEnv *env, const NcNetworkDef *def,
                       const NcNetworkPortDef *port, const NcPortDevice *dev, gboolean fresh,
                       GError **error)
{
  if (!dev || !dev->create || dev->ifindex <= 0)
    return TRUE; /* the VMM's TAP: its own shaping, as libvirt's QEMU driver does */
  if (!port_outbound(port)) {
    if (!fresh) { /* an earlier <outbound> may have left them */
      nc_tc_clear_ingress(env->kernel, dev->ifindex);
      delete_ifb(env, port);
    }
    return TRUE;
  }
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  g_autofree char *name = nc_ifb_name_for_port(uuid);
  g_autofree char *alias = nc_port_device_alias(port->uuid);
  int ifindex = 0;
  gboolean up = FALSE, made = FALSE;
  /* A new port's IFB is made at once; one already there (left by a daemon
   * killed mid-way, or a live change) is looked up and reused. */
  int r = -EEXIST;
  if (fresh) {
    r = nc_ifb_create(env->kernel, name, alias, &ifindex);
    made = up = r == 0;
  }
  if (r == -EEXIST) {
    r = nc_ifb_lookup(env->kernel, name, alias, &ifindex, &up);
    if (r == -ENODEV) {
      r = nc_ifb_create(env->kernel, name, alias, &ifindex);
      made = up = r == 0;
    }
  }
  if (r == 0 && !up)
    r = nc_link_set_up(env->kernel, ifindex, TRUE);
  if (r < 0)
    return ifb_error(def, uuid, name, r, error);
  if (shape(env, def, port, dev, uuid, name, ifindex, fresh, made, error))
    return TRUE;
  nc_tc_clear_ingress(env->kernel, dev->ifindex);
  if (made)
    nc_link_delete(env->kernel, ifindex);
  return FALSE;
}

/* -- floor ------------------------------------------------------------------ */

typedef struct {
  guint id;
  guint64 floor;
} Booking;

static gboolean
parse_booking(const char *value, Booking *ret)
{
  char *end = NULL;
  guint64 id = g_ascii_strtoull(value, &end, 10);
  if (end == value || *end != ' ' || id < FIRST_PORT_CLASS || id > LAST_PORT_CLASS)
    return FALSE;
  const char *f = end + 1;
  guint64 floor = g_ascii_strtoull(f, &end, 10);
  if (end == f || *end || floor == 0)
    return FALSE;
  *ret = (Booking){ .id = (guint)id, .floor = floor };
  return TRUE;
}

static char *
booking_key(const NcNetworkPortDef *port)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  return g_strconcat(FLOOR_KEY, uuid, NULL);
}

static gboolean
get_booking(const NcLiveState *live, const NcNetworkPortDef *port, Booking *ret)
{
  g_autofree char *key = booking_key(port);
  const char *value = nc_live_state_get(live, key);
  return value && parse_booking(value, ret);
}

/* Calls fn for every booking in live. */
static void
each_booking(const NcLiveState *live, void (*fn)(const Booking *b, gpointer data), gpointer data)
{
  if (!live->data)
    return;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, live->data);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    Booking b;
    if (g_str_has_prefix(k, FLOOR_KEY) && parse_booking(v, &b))
      fn(&b, data);
  }
}

static void
add_floor(const Booking *b, gpointer data)
{
  *(guint64 *)data += b->floor;
}

guint64
nc_port_floor_sum(const NcLiveState *live)
{
  guint64 sum = 0;
  each_booking(live, add_floor, &sum);
  return sum;
}

static void
add_id(const Booking *b, gpointer data)
{
  guint id = b->id;
  g_array_append_val((GArray *)data, id);
}

static gint
compare_ids(gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *)a, y = *(const guint *)b;
  return x < y ? -1 : x > y;
}

/* The ids in use, sorted, the network's 0-2 included. */
static GArray *
used_ids(const NcLiveState *live)
{
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < FIRST_PORT_CLASS; i++)
    g_array_append_val(ids, i);
  each_booking(live, add_id, ids);
  g_array_sort(ids, compare_ids);
  return ids;
}

char *
nc_port_floor_class_bitmap(const NcLiveState *live)
{
  g_autoptr(GArray) ids = used_ids(live);
  GString *buf = g_string_new(NULL);
  for (guint i = 0; i < ids->len;) {
    guint first = g_array_index(ids, guint, i), last = first;
    while (++i < ids->len && g_array_index(ids, guint, i) <= last + 1)
      last = g_array_index(ids, guint, i);
    g_string_append_printf(buf, "%s%u", buf->len ? "," : "", first);
    if (last != first)
      g_string_append_printf(buf, "-%u", last);
  }
  return g_string_free(buf, FALSE);
}

/* libvirt's networkNextClassID: the lowest free id; `wanted` (the port's
 * recorded classID) when it is free, so a port keeps its class across a
 * network restart. 0 when all are taken. */
static guint
pick_id(const NcLiveState *live, guint wanted)
{
  g_autoptr(GArray) ids = used_ids(live);
  gboolean wanted_free = wanted >= FIRST_PORT_CLASS && wanted <= LAST_PORT_CLASS;
  for (guint i = 0; wanted_free && i < ids->len; i++)
    wanted_free = g_array_index(ids, guint, i) != wanted;
  if (wanted_free)
    return wanted;
  guint next = FIRST_PORT_CLASS;
  for (guint i = 0; i < ids->len; i++) {
    guint id = g_array_index(ids, guint, i);
    if (id == next)
      next++;
    else if (id > next)
      break;
  }
  return next <= LAST_PORT_CLASS ? next : 0;
}

static guint64
port_floor(const NcNetworkPortDef *port)
{
  const NcBandwidth *bw = port->bandwidth;
  return bw && bw->in ? bw->in->floor : 0;
}

static const NcBandwidthRate *
net_inbound(const NcNetworkDef *def)
{
  const NcBandwidth *bw = def->bandwidth;
  return bw && bw->in && bw->in->average ? bw->in : NULL;
}

gboolean
nc_port_floor_check(const NcNetworkDef *def, const NcLiveState *live, const NcNetworkPortDef *port,
                    GError **error)
{
  guint64 floor = port_floor(port);
  if (!floor)
    return TRUE;
  char uuid[NC_UUID_STRING_LEN], mac[18];
  nc_uuid_format(port->uuid, uuid);
  nc_mac_format(&port->mac, mac);
  if (!nc_network_def_traits(def)->own_bridge) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': port %s (MAC %s): <inbound floor=> is supported only on networks "
                "with a bridge of their own (forward mode nat, route, open or none), as in libvirt",
                def->name, uuid, mac);
    return FALSE;
  }
  const NcBandwidthRate *in = net_inbound(def);
  if (!in) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_UNSUPPORTED,
                "network '%s': port %s (MAC %s): <inbound floor='%" G_GUINT64_FORMAT
                "'> needs the network to have <bandwidth><inbound average=>; add one to the "
                "network",
                def->name, uuid, mac, floor);
    return FALSE;
  }
  Booking cur = { 0 };
  gboolean have = get_booking(live, port, &cur);
  guint64 others = nc_port_floor_sum(live) - (have ? cur.floor : 0);
  /* Against the average, not (as libvirt) the peak when there is one: the
   * root class 1:1 is guaranteed its average only, so floors beyond it
   * could not all be honoured at once. */
  if (floor > in->average || others > in->average - floor) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_INVALID,
                "network '%s': port %s (MAC %s): inbound floor %" G_GUINT64_FORMAT
                " kB/s does not fit: the network's inbound average is %" G_GUINT64_FORMAT
                " kB/s and other ports' floors take %" G_GUINT64_FORMAT " kB/s (%" G_GUINT64_FORMAT
                " left)",
                def->name, uuid, mac, floor, in->average, others,
                in->average > others ? in->average - others : 0);
    return FALSE;
  }
  return TRUE;
}

/* Class 1:2 (guests without a floor) gets what the floors leave, as
 * libvirt's virNetDevBandwidthUpdateRate(bridge, 2, ...). */
static void
update_default_class(const NcDriverEnv *env, const NcNetworkDef *def, const NcLiveState *live)
{
  const NcBandwidthRate *in = net_inbound(def);
  if (!in || live->bridge_ifindex <= 0)
    return;
  guint64 sum = nc_port_floor_sum(live);
  NcTcRate rate = { .average = in->average, .peak = in->peak, .burst = in->burst };
  NcTcHtb htb;
  nc_tc_htb_for_inbound(&rate, &htb);
  /* HTB takes no rate of 0: a class whose floors take everything keeps
   * 1 kB/s guaranteed and borrows the rest up to its ceil. */
  htb.rate = (in->average > sum ? in->average - sum : 1) * 1000;
  int r = nc_tc_set_class_rate(env->kernel, live->bridge_ifindex, 2, &htb);
  if (r < 0)
    g_warning("network '%s': cannot set the rate of class 1:2 on bridge '%s': %s", def->name,
              def->bridge.name, g_strerror(-r));
}

static int
plug_class(const NcDriverEnv *env, const NcNetworkDef *def, const NcLiveState *live,
           const NcNetworkPortDef *port, guint id, guint64 floor, gboolean booked)
{
  const NcBandwidthRate *in = net_inbound(def);
  guint64 net_ceil = MAX(in->peak, in->average);
  const NcBandwidthRate *pin = port->bandwidth->in;
  guint64 port_ceil = pin->peak ? pin->peak : pin->average;
  /* The floor is guaranteed; beyond it the guest borrows up to its own
   * peak (or average) when it has one, else up to the network's rate. */
  guint64 ceil = port_ceil ? MIN(port_ceil, net_ceil) : net_ceil;
  NcTcHtb htb = { .rate = floor * 1000, .ceil = MAX(ceil, floor) * 1000 };
  return nc_tc_plug_class(env->kernel, live->bridge_ifindex, id, port->mac.addr, &htb, booked);
}

void
nc_port_floor_release(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                      const NcNetworkPortDef *port)
{
  Booking cur;
  if (!get_booking(live, port, &cur))
    return;
  if (live->bridge_ifindex > 0) {
    int r = nc_tc_unplug_class(env->kernel, live->bridge_ifindex, cur.id);
    if (r < 0)
      g_warning("network '%s': cannot delete class 1:%x from bridge '%s': %s", def->name, cur.id,
                def->bridge.name, g_strerror(-r));
  }
  g_autofree char *key = booking_key(port);
  nc_live_state_set(live, key, NULL);
  update_default_class(env, def, live);
}

gboolean
nc_port_floor_apply(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                    NcNetworkPortDef *port, GError **error)
{
  guint64 floor = port_floor(port);
  if (!floor) {
    nc_port_floor_release(env, def, live, port);
    if (port->bandwidth)
      port->bandwidth->class_id = 0;
    return TRUE;
  }
  if (!nc_port_floor_check(def, live, port, error))
    return FALSE;
  Booking cur = { 0 };
  gboolean have = get_booking(live, port, &cur);
  guint id = have ? cur.id : pick_id(live, port->bandwidth->class_id);
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(port->uuid, uuid);
  if (!id) {
    g_set_error(error, NC_ERROR, NC_ERROR_OPERATION_FAILED,
                "network '%s': port %s: every class id of bridge '%s' is taken", def->name, uuid,
                def->bridge.name);
    return FALSE;
  }
  int r = plug_class(env, def, live, port, id, floor, have);
  if (r < 0) {
    /* nc_tc_plug_class leaves nothing: put the class the port had back. */
    if (have && plug_class(env, def, live, port, id, cur.floor, FALSE) < 0) {
      g_autofree char *key = booking_key(port);
      nc_live_state_set(live, key, NULL);
      update_default_class(env, def, live);
    }
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "network '%s': port %s: cannot make its floor class 1:%x on bridge '%s': %s",
                def->name, uuid, id, def->bridge.name, g_strerror(-r));
    return FALSE;
  }
  g_autofree char *key = booking_key(port);
  g_autofree char *value = g_strdup_printf("%u %" G_GUINT64_FORMAT, id, floor);
  nc_live_state_set(live, key, value);
  /* Also when unchanged: a bridge tree repaired at adoption has it at full. */
  update_default_class(env, def, live);
  port->bandwidth->class_id = id;
  return TRUE;
}

guint
nc_port_floor_prune(const NcDriverEnv *env, const NcNetworkDef *def, NcLiveState *live,
                    GHashTable *port_uuids)
{
  if (!live->data)
    return 0;
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func(g_free);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, live->data);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    if (!g_str_has_prefix(k, FLOOR_KEY))
      continue;
    const char *uuid = (const char *)k + strlen(FLOOR_KEY);
    if (!port_uuids || !g_hash_table_contains(port_uuids, uuid))
      g_ptr_array_add(stale, g_strdup(k));
  }
  for (guint i = 0; i < stale->len; i++) {
    const char *key = stale->pdata[i];
    Booking b;
    if (live->bridge_ifindex > 0 && parse_booking(nc_live_state_get(live, key), &b))
      nc_tc_unplug_class(env->kernel, live->bridge_ifindex, b.id);
    g_message("network '%s': floor of port %s given back: the port no longer exists", def->name,
              key + strlen(FLOOR_KEY));
    nc_live_state_set(live, key, NULL);
  }
  if (stale->len)
    update_default_class(env, def, live);
  return stale->len;
}
