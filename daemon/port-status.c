/* Port status files (see port-status.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "nc-error.h"
#include "nc-log.h"
#include "port-status.h"
#include "store.h"

#define PORT_FILE_MAX (1024 * 1024)
#define TAP_GROUP "tap"

void
nc_port_record_free(NcPortRecord *rec)
{
  if (!rec)
    return;
  nc_network_port_def_free(rec->def);
  g_free(rec->path);
  g_free(rec);
}

char *
nc_port_status_dir(const NcPaths *paths, const char *network)
{
  return g_build_filename(paths->state_dir, network, "ports", NULL);
}

static char *
port_file(const NcPaths *paths, const char *network, const char *uuid, const char *suffix)
{
  g_autofree char *dir = nc_port_status_dir(paths, network);
  g_autofree char *base = g_strconcat(uuid, suffix, NULL);
  return g_build_filename(dir, base, NULL);
}

static char *
format_tap(const NcPortDevice *dev)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_key_file_set_string(kf, TAP_GROUP, "name", dev->name);
  g_key_file_set_int64(kf, TAP_GROUP, "owner", dev->owner);
  g_key_file_set_int64(kf, TAP_GROUP, "group", dev->group);
  g_key_file_set_uint64(kf, TAP_GROUP, "queues", dev->queues);
  g_key_file_set_boolean(kf, TAP_GROUP, "vnet-hdr", dev->vnet_hdr);
  g_key_file_set_uint64(kf, TAP_GROUP, "mtu", dev->mtu);
  /* A macvtap's (keys absent for a TAP, as in files written before them). */
  if (dev->chardev[0]) {
    g_key_file_set_string(kf, TAP_GROUP, "chardev", dev->chardev);
    g_key_file_set_uint64(kf, TAP_GROUP, "chardev-major", dev->chardev_major);
    g_key_file_set_uint64(kf, TAP_GROUP, "chardev-minor", dev->chardev_minor);
    g_key_file_set_boolean(kf, TAP_GROUP, "chardev-made", dev->chardev_made);
  }
  if (dev->has_uplink_mac) {
    char mac[18];
    nc_mac_format(&dev->uplink_mac, mac);
    g_key_file_set_string(kf, TAP_GROUP, "uplink-mac", mac);
  }
  return g_key_file_to_data(kf, NULL, NULL);
}

static gboolean
parse_tap(const char *text, gsize len, NcPortDevice *dev, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, error))
    return FALSE;
  g_autofree char *name = g_key_file_get_string(kf, TAP_GROUP, "name", error);
  if (!name)
    return FALSE;
  if (!*name || strlen(name) >= sizeof dev->name || strchr(name, '/') || strchr(name, '%')) {
    g_set_error(error, NC_ERROR, NC_ERROR_PARSE_FAILED, "bad device name");
    return FALSE;
  }
  memset(dev, 0, sizeof *dev);
  dev->create = TRUE;
  g_strlcpy(dev->name, name, sizeof dev->name);
  dev->owner = g_key_file_get_int64(kf, TAP_GROUP, "owner", NULL);
  dev->group = g_key_file_get_int64(kf, TAP_GROUP, "group", NULL);
  dev->queues = (guint)MIN(g_key_file_get_uint64(kf, TAP_GROUP, "queues", NULL), 256);
  dev->vnet_hdr = g_key_file_get_boolean(kf, TAP_GROUP, "vnet-hdr", NULL);
  dev->mtu = (guint)MIN(g_key_file_get_uint64(kf, TAP_GROUP, "mtu", NULL), 65535);
  g_autofree char *chardev = g_key_file_get_string(kf, TAP_GROUP, "chardev", NULL);
  if (chardev && *chardev == '/' && strlen(chardev) < sizeof dev->chardev
      && !strstr(chardev, "/../")) {
    g_strlcpy(dev->chardev, chardev, sizeof dev->chardev);
    dev->chardev_major = (guint)MIN(g_key_file_get_uint64(kf, TAP_GROUP, "chardev-major", NULL),
                                    G_MAXUINT32);
    dev->chardev_minor = (guint)MIN(g_key_file_get_uint64(kf, TAP_GROUP, "chardev-minor", NULL),
                                    G_MAXUINT32);
    dev->chardev_made = g_key_file_get_boolean(kf, TAP_GROUP, "chardev-made", NULL);
  }
  g_autofree char *uplink_mac = g_key_file_get_string(kf, TAP_GROUP, "uplink-mac", NULL);
  if (uplink_mac && nc_mac_parse(uplink_mac, &dev->uplink_mac))
    dev->has_uplink_mac = TRUE;
  return TRUE;
}

gboolean
nc_port_status_save(const NcPaths *paths, const char *network, const NcNetworkPortDef *def,
                    const NcPortDevice *dev, GError **error)
{
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  g_autofree char *dir = nc_port_status_dir(paths, network);
  if (!nc_store_ensure_dir(dir, error))
    return FALSE;
  if (dev && dev->create) {
    g_autofree char *tap_path = port_file(paths, network, uuid, ".tap");
    g_autofree char *tap = format_tap(dev);
    if (!nc_store_write_atomic_volatile(tap_path, tap, -1, 0600, error))
      return FALSE;
  }
  g_autofree char *xml_path = port_file(paths, network, uuid, ".xml");
  g_autofree char *xml = nc_network_port_def_format(def, 0);
  return nc_store_write_atomic_volatile(xml_path, xml, -1, 0600, error);
}

void
nc_port_status_delete(const NcPaths *paths, const char *network, const char *uuid)
{
  g_autofree char *xml_path = port_file(paths, network, uuid, ".xml");
  g_autofree char *tap_path = port_file(paths, network, uuid, ".tap");
  g_autoptr(GError) error = NULL;
  if (!nc_store_remove(xml_path, &error) || !nc_store_remove(tap_path, &error))
    nc_log_network_name(network, G_LOG_LEVEL_WARNING, "%s", error->message);
}

void
nc_port_status_delete_all(const NcPaths *paths, const char *network)
{
  g_autofree char *dir = nc_port_status_dir(paths, network);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    if (g_str_has_suffix(name, ".xml") || g_str_has_suffix(name, ".tap")
        || name[0] == '.' /* a temporary file of an interrupted write */) {
      g_autofree char *path = g_build_filename(dir, name, NULL);
      (void)unlink(path);
    }
  }
  g_rmdir(dir);
  g_autofree char *parent = g_build_filename(paths->state_dir, network, NULL);
  g_rmdir(parent); /* only when empty: it is libvirt's per-network directory */
}

static NcPortRecord *
load_one(const char *dir, const char *name, const char *network)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!nc_store_read_file(path, PORT_FILE_MAX, &text, &len, &error)) {
    nc_log_network_name(network, G_LOG_LEVEL_WARNING, "port status %s ignored: %s", path,
                        error->message);
    return NULL;
  }
  g_autoptr(NcNetworkPortDef) def = nc_network_port_def_parse_string(text, path, 0, &error);
  if (!def) {
    nc_log_network_name(network, G_LOG_LEVEL_WARNING, "port status %s ignored: %s", path,
                        error->message);
    return NULL;
  }
  char uuid[NC_UUID_STRING_LEN];
  nc_uuid_format(def->uuid, uuid);
  if (strlen(name) != strlen(uuid) + 4 || strncmp(name, uuid, strlen(uuid)) != 0) {
    nc_log_network_name(network, G_LOG_LEVEL_WARNING,
                        "port status %s ignored: it holds port %s", path, uuid);
    return NULL;
  }
  NcPortRecord *rec = g_new0(NcPortRecord, 1);
  rec->def = g_steal_pointer(&def);
  rec->path = g_steal_pointer(&path);
  rec->dev.owner = rec->dev.group = -1;

  g_autofree char *tap_path = g_strconcat(dir, "/", uuid, ".tap", NULL);
  g_autofree char *tap = NULL;
  if (nc_store_read_file(tap_path, PORT_FILE_MAX, &tap, &len, &error)) {
    if (!parse_tap(tap, len, &rec->dev, &error)) {
      nc_log_network_name(network, G_LOG_LEVEL_WARNING,
                          "%s: %s; the port's device is treated as not netctl's", tap_path,
                          error->message);
      rec->dev.create = FALSE;
    }
  } else if (!g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
    nc_log_network_name(network, G_LOG_LEVEL_WARNING, "%s", error->message);
  }
  return rec;
}

static gint
compare_records(gconstpointer a, gconstpointer b)
{
  const NcPortRecord *ra = *(NcPortRecord *const *)a, *rb = *(NcPortRecord *const *)b;
  return memcmp(ra->def->uuid, rb->def->uuid, NC_UUID_LEN);
}

GPtrArray *
nc_port_status_load(const NcPaths *paths, const char *network)
{
  GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify)nc_port_record_free);
  g_autofree char *dir = nc_port_status_dir(paths, network);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    if (name[0] != '.' && g_str_has_suffix(name, ".tap")) {
      /* The .tap is written before the .xml: alone, it is what a daemon
       * killed while recording a new port left. The port was never told to
       * anyone; its device goes with the orphans (daemon.c). */
      g_autofree char *base = g_strndup(name, strlen(name) - strlen(".tap"));
      g_autofree char *xml = g_strconcat(dir, "/", base, ".xml", NULL);
      if (!g_file_test(xml, G_FILE_TEST_EXISTS)) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        nc_log_network_name(network, G_LOG_LEVEL_INFO,
                            "removing %s: the port it belongs to was never recorded", path);
        (void)unlink(path);
      }
      continue;
    }
    if (name[0] == '.' || !g_str_has_suffix(name, ".xml"))
      continue;
    NcPortRecord *rec = load_one(dir, name, network);
    if (rec)
      g_ptr_array_add(records, rec);
  }
  g_ptr_array_sort(records, compare_records);
  return records;
}
