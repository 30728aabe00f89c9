/* Status files of running networks, compatible with libvirt's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "nc-error.h"
#include "network-xml.h"
#include "port-bandwidth.h"
#include "status.h"
#include "store.h"

typedef xmlDoc NcXmlDoc;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NcXmlDoc, xmlFreeDoc)

void
nc_status_record_free(NcStatusRecord *rec)
{
  if (!rec)
    return;
  nc_network_def_free(rec->def);
  nc_live_state_destroy(&rec->live);
  g_free(rec->path);
  g_free(rec);
}

static const char *const state_names[_NC_STATUS_MAX] = {
  [NC_STATUS_RUNNING] = "running",
  [NC_STATUS_STARTING] = "starting",
  [NC_STATUS_STOPPING] = "stopping",
};

char *
nc_status_path(const NcPaths *paths, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);
  return g_build_filename(paths->state_dir, file, NULL);
}

static gint
compare_keys(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

gboolean
nc_status_save(const NcPaths *paths, const NcNetworkDef *def, const NcLiveState *live,
               NcStatusState state, GError **error)
{
  g_autoptr(GString) buf = g_string_new("<networkstatus>\n");
  /* libvirt's: the bandwidth class ids in use (0-2 are the network's own)
   * and the sum of the ports' floors, from the floors booked in `live`. */
  g_autofree char *class_ids = nc_port_floor_class_bitmap(live);
  g_string_append_printf(buf, "  <class_id bitmap='%s'/>\n", class_ids);
  g_string_append_printf(buf, "  <floor sum='%" G_GUINT64_FORMAT "'/>\n", nc_port_floor_sum(live));

  g_string_append_printf(buf, "  <netctl bridge-ifindex='%d' state='%s'", live->bridge_ifindex,
                         state_names[state]);
  guint n_keys = 0;
  g_autofree gpointer *keys
      = live->data ? g_hash_table_get_keys_as_array(live->data, &n_keys) : NULL;
  if (n_keys == 0) {
    g_string_append(buf, "/>\n");
  } else {
    g_string_append(buf, ">\n");
    /* Sorted, so the same state always gives the same file. */
    qsort(keys, n_keys, sizeof(gpointer), compare_keys);
    for (guint i = 0; i < n_keys; i++) {
      g_autofree char *line
          = g_markup_printf_escaped("    <data key='%s' value='%s'/>\n", (char *)keys[i],
                                    (char *)g_hash_table_lookup(live->data, keys[i]));
      g_string_append(buf, line);
    }
    g_string_append(buf, "  </netctl>\n");
  }

  g_autofree char *xml = nc_network_def_format(def, 0);
  g_auto(GStrv) lines = g_strsplit(xml, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (**l)
      g_string_append_printf(buf, "  %s\n", *l);
  }
  g_string_append(buf, "</networkstatus>\n");

  g_autofree char *path = nc_status_path(paths, def->name);
  /* Describes kernel state, which a power loss takes away too: a rename is
   * all the safety it needs, and fsync would dominate start/stop times. */
  return nc_store_write_atomic_volatile(path, buf->str, buf->len, 0600, error);
}

gboolean
nc_status_delete(const NcPaths *paths, const char *name, GError **error)
{
  g_autofree char *path = nc_status_path(paths, name);
  return nc_store_remove(path, error);
}

static char *
get_prop(xmlNodePtr node, const char *name)
{
  xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
  char *s = g_strdup((const char *)v);
  xmlFree(v);
  return s;
}

static void
parse_netctl(xmlNodePtr node, NcStatusRecord *rec)
{
  rec->has_netctl = TRUE;
  g_autofree char *ifindex = get_prop(node, "bridge-ifindex");
  g_autofree char *state = get_prop(node, "state");
  guint64 v = 0;
  if (ifindex && g_ascii_string_to_unsigned(ifindex, 10, 0, G_MAXINT, &v, NULL))
    rec->live.bridge_ifindex = (int)v;
  rec->state = NC_STATUS_RUNNING;
  for (int i = 0; state && i < _NC_STATUS_MAX; i++) {
    if (g_str_equal(state, state_names[i]))
      rec->state = i;
  }

  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, (const xmlChar *)"data"))
      continue;
    g_autofree char *key = get_prop(c, "key");
    g_autofree char *value = get_prop(c, "value");
    if (key && value)
      nc_live_state_set(&rec->live, key, value);
  }
}

NcStatusRecord *
nc_status_parse(const char *contents, gsize len, const char *path, GError **error)
{
  g_autoptr(NcXmlDoc) doc = nc_xml_read(contents, len, path, error);
  if (!doc)
    return NULL;

  g_autoptr(NcStatusRecord) rec = g_new0(NcStatusRecord, 1);
  nc_live_state_init(&rec->live);
  rec->path = g_strdup(path);

  xmlNodePtr root = xmlDocGetRootElement(doc);
  xmlNodePtr network = NULL;
  if (root && xmlStrEqual(root->name, (const xmlChar *)"network")) {
    network = root; /* very old libvirt wrote the bare definition */
  } else if (root && xmlStrEqual(root->name, (const xmlChar *)"networkstatus")) {
    for (xmlNodePtr c = root->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE)
        continue;
      if (xmlStrEqual(c->name, (const xmlChar *)"network") && !network)
        network = c;
      else if (xmlStrEqual(c->name, (const xmlChar *)"netctl"))
        parse_netctl(c, rec);
    }
  }
  if (!network) {
    g_set_error(error, NC_ERROR, NC_ERROR_XML_ERROR, "%s: not a network status file", path);
    return NULL;
  }
  rec->def = nc_network_def_parse_node(doc, network, path, error);
  if (!rec->def)
    return NULL;
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *expected = g_strconcat(rec->def->name, ".xml", NULL);
  if (!g_str_equal(base, expected)) {
    g_set_error(error, NC_ERROR, NC_ERROR_XML_ERROR,
                "%s: the file name does not match the network name '%s'", path, rec->def->name);
    return NULL;
  }
  return g_steal_pointer(&rec);
}

static NcStatusRecord *
load_one(const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  /* Bounded and non-blocking: a FIFO here would hang start-up, a symlink to
   * /dev/zero exhaust memory. Nothing larger than a definition is ours. */
  if (!nc_store_read_file(path, NC_XML_MAX_DOCUMENT_SIZE, &contents, &len, error))
    return NULL;
  return nc_status_parse(contents, len, path, error);
}

GPtrArray *
nc_status_load_all(const NcPaths *paths, GPtrArray *ret_problems)
{
  GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify)nc_status_record_free);
  nc_store_remove_stale_temps(paths->state_dir);

  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(paths->state_dir, 0, &error);
  if (!dir)
    return records; /* nothing ran since boot */

  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  const char *file;
  while ((file = g_dir_read_name(dir))) {
    if (file[0] != '.' && g_str_has_suffix(file, ".xml"))
      g_ptr_array_add(files, g_strdup(file));
  }
  g_ptr_array_sort(files, compare_keys);

  for (guint i = 0; i < files->len; i++) {
    g_autofree char *path = g_build_filename(paths->state_dir, files->pdata[i], NULL);
    g_clear_error(&error);
    NcStatusRecord *rec = load_one(path, &error);
    if (!rec) {
      g_autofree char *msg
          = g_strdup_printf("skipped an unreadable network status file: %s", error->message);
      g_warning("%s", msg);
      if (ret_problems)
        g_ptr_array_add(ret_problems, g_steal_pointer(&msg));
      continue;
    }
    g_ptr_array_add(records, rec);
  }
  return records;
}
