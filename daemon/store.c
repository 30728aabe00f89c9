/* Persistent definitions in libvirt's layout, written atomically. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"
#include "nc-error.h"
#include "network-xml.h"
#include "safe-read.h"
#include "store.h"

typedef struct _Commit Commit;

struct _NcStoreBatch {
  guint depth;          /* open levels; 0: closed, every write syncs at once */
  GPtrArray *files;     /* char*: files renamed into place, to sync */
  GHashTable *dirs;     /* char* set: directories changed, to sync */
  GPtrArray *dir_order; /* the same, borrowed, in the order first changed */
  guint64 noted;        /* writes noted so far, a sequence */
  guint64 durable;      /* the noted writes up to this one are synced */
  Commit *inflight;     /* the commit running on its thread, or NULL */
  GQueue waiters;       /* of Waiter*, in the order registered (seq ascending) */
};

/* A commit taken off the batch and synced on its own thread. */
struct _Commit {
  NcStoreBatch *batch; /* NULL once the batch has finished it itself */
  GPtrArray *files;    /* char* (owned) */
  GPtrArray *dirs;     /* char* (owned) */
  guint64 seq;         /* the writes up to this one are in it */
  GError *error;       /* the first failure, set by the thread */
  GThread *thread;
  gint refs; /* the batch's and the completion idle's */
};

typedef struct {
  guint64 seq;
  NcStoreDurableFunc func;
  gpointer data;
} Waiter;

NcStoreBatch *
nc_store_batch_new(void)
{
  NcStoreBatch *b = g_new0(NcStoreBatch, 1);
  b->files = g_ptr_array_new_with_free_func(g_free);
  b->dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  b->dir_order = g_ptr_array_new();
  g_queue_init(&b->waiters);
  return b;
}

void
nc_store_batch_free(NcStoreBatch *b)
{
  if (b == NULL)
    return;
  nc_store_batch_flush(b);
  g_ptr_array_unref(b->dir_order);
  g_hash_table_unref(b->dirs);
  g_ptr_array_unref(b->files);
  g_free(b);
}

void
nc_store_batch_begin(NcStoreBatch *b)
{
  b->depth++;
}

void
nc_store_batch_end(NcStoreBatch *b)
{
  g_return_if_fail(b->depth > 0);
  b->depth--;
}

gboolean
nc_store_batch_pending(const NcStoreBatch *b)
{
  return b != NULL && (b->files->len > 0 || b->dir_order->len > 0);
}

static gboolean
batch_open(const NcPaths *paths)
{
  return paths->batch != NULL && paths->batch->depth > 0;
}

static void
note_dir(NcStoreBatch *b, const char *dir)
{
  b->noted++;
  if (g_hash_table_contains(b->dirs, dir))
    return;
  char *copy = g_strdup(dir);
  g_hash_table_add(b->dirs, copy);
  g_ptr_array_add(b->dir_order, copy);
}

/* fsync of a file or directory by name. A file removed since it was noted
 * (an undefine later in the same batch) has nothing left to sync. */
static int
sync_path(const char *path, gboolean dir)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (dir ? O_DIRECTORY : 0));
  if (fd < 0)
    return errno == ENOENT && !dir ? 0 : -errno;
  int r = fsync(fd) < 0 ? -errno : 0;
  close(fd);
  return r;
}

/* Syncs the files, then the directories; the first failure is reported,
 * the rest are still synced. Thread-safe: paths only. */
static gboolean
sync_lists(GPtrArray *files, GPtrArray *dirs, GError **error)
{
  /* Files first, so the directory syncs commit entries whose data is on
   * disk. */
  gboolean ok = TRUE;
  for (guint pass = 0; pass < 2; pass++) {
    GPtrArray *list = pass == 0 ? files : dirs;
    for (guint i = 0; i < list->len; i++) {
      const char *path = list->pdata[i];
      int r = sync_path(path, pass == 1);
      if (r < 0 && ok) {
        ok = FALSE;
        g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "cannot sync %s: %s", path,
                    g_strerror(-r));
      }
    }
  }
  return ok;
}

/* What the batch noted, moved into a commit; the batch is empty after. */
static Commit *
take(NcStoreBatch *b)
{
  Commit *c = g_new0(Commit, 1);
  c->batch = b;
  c->seq = b->noted;
  c->files = g_steal_pointer(&b->files);
  b->files = g_ptr_array_new_with_free_func(g_free);
  c->dirs = g_ptr_array_new_full(b->dir_order->len, g_free);
  for (guint i = 0; i < b->dir_order->len; i++)
    g_ptr_array_add(c->dirs, g_strdup(b->dir_order->pdata[i]));
  g_ptr_array_set_size(b->dir_order, 0);
  g_hash_table_remove_all(b->dirs);
  return c;
}

static void
commit_unref(Commit *c)
{
  if (!g_atomic_int_dec_and_test(&c->refs))
    return;
  g_ptr_array_unref(c->files);
  g_ptr_array_unref(c->dirs);
  g_clear_error(&c->error);
  g_free(c);
}

/* The writes up to seq are synced (error: how that went): the waiters whose
 * writes that covers are called, in order. */
static void
reached(NcStoreBatch *b, guint64 seq, const GError *error)
{
  if (seq > b->durable)
    b->durable = seq;
  Waiter *w;
  while ((w = g_queue_peek_head(&b->waiters)) != NULL && w->seq <= b->durable) {
    g_queue_pop_head(&b->waiters);
    w->func(w->data, error);
    g_free(w);
  }
}

static void start_commit(NcStoreBatch *b);

/* Main thread: the commit's thread is done (or about to be: joined here). */
static void
finish(NcStoreBatch *b, Commit *c)
{
  g_thread_join(g_steal_pointer(&c->thread));
  c->batch = NULL;
  b->inflight = NULL;
  if (c->error)
    g_warning("%s: the changes are made but may not survive a power loss", c->error->message);
  /* The next commit first, so its syncs overlap the replies sent below. */
  start_commit(b);
  reached(b, c->seq, c->error);
  commit_unref(c);
}

static gboolean
commit_done(gpointer data)
{
  Commit *c = data;
  if (c->batch) /* not already finished by nc_store_batch_flush() */
    finish(c->batch, c);
  commit_unref(c);
  return G_SOURCE_REMOVE;
}

static gpointer
commit_thread(gpointer data)
{
  Commit *c = data;
  sync_lists(c->files, c->dirs, &c->error);
  /* The main loop's context: the daemon runs on the default one. */
  g_idle_add_full(G_PRIORITY_DEFAULT, commit_done, c, NULL);
  return NULL;
}

static void
start_commit(NcStoreBatch *b)
{
  if (b->inflight || !nc_store_batch_pending(b))
    return;
  Commit *c = take(b);
  c->refs = 2;
  b->inflight = c;
  c->thread = g_thread_new("nc-commit", commit_thread, c);
}

void
nc_store_batch_commit_async(NcStoreBatch *b)
{
  start_commit(b);
}

void
nc_store_batch_when_durable(NcStoreBatch *b, NcStoreDurableFunc func, gpointer data)
{
  if (b->noted <= b->durable) { /* nothing noted is unsynced: no waiter is queued either */
    func(data, NULL);
    return;
  }
  Waiter *w = g_new(Waiter, 1);
  *w = (Waiter){ .seq = b->noted, .func = func, .data = data };
  g_queue_push_tail(&b->waiters, w);
}

void
nc_store_batch_flush(NcStoreBatch *b)
{
  while (b->inflight) /* joins it; finish() starts the next one, if anything is noted */
    finish(b, b->inflight);
  g_autoptr(GError) error = NULL;
  if (nc_store_batch_pending(b) && !nc_store_batch_commit(b, &error))
    g_warning("%s: the changes are made but may not survive a power loss", error->message);
  reached(b, b->noted, error);
}

gboolean
nc_store_batch_commit(NcStoreBatch *b, GError **error)
{
  gboolean ok = sync_lists(b->files, b->dir_order, error);
  g_ptr_array_set_size(b->files, 0);
  g_ptr_array_set_size(b->dir_order, 0);
  g_hash_table_remove_all(b->dirs);
  return ok;
}

static gboolean
fsync_dir(const char *dir, GError **error)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) < 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "cannot sync directory %s: %s", dir,
                g_strerror(e));
    return FALSE;
  }
  close(fd);
  return TRUE;
}

/* A definition directory's change made durable now, or at the batch's
 * commit when one is open. */
static gboolean
sync_dir_of(const NcPaths *paths, const char *dir, GError **error)
{
  if (batch_open(paths)) {
    note_dir(paths->batch, dir);
    return TRUE;
  }
  return fsync_dir(dir, error);
}

gboolean
nc_store_ensure_dir(const char *dir, GError **error)
{
  if (g_mkdir_with_parents(dir, 0755) < 0) {
    int e = errno;
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "cannot create directory %s: %s", dir,
                g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

/* One implementation of the atomic write for the whole tree: the kernel
 * layer's (drivers/kernel/atomic-file.c, which the lease helper links too and
 * which sets the mode whatever the umask); this adds the directory and the
 * GError. */
static gboolean
write_atomic(const char *path, const char *contents, gssize len, int mode, gboolean durable,
             GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  if (!nc_store_ensure_dir(dir, error))
    return FALSE;
  int r = durable ? nc_file_write_atomic(path, contents, len, mode)
                  : nc_file_replace(path, contents, len, mode);
  if (r < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "cannot write %s: %s", path,
                g_strerror(-r));
    return FALSE;
  }
  return TRUE;
}

gboolean
nc_store_write_atomic(const char *path, const char *contents, gssize len, int mode, GError **error)
{
  return write_atomic(path, contents, len, mode, TRUE, error);
}

gboolean
nc_store_write_atomic_volatile(const char *path, const char *contents, gssize len, int mode,
                               GError **error)
{
  return write_atomic(path, contents, len, mode, FALSE, error);
}

gboolean
nc_store_read_file(const char *path, gsize max_size, char **ret_contents, gsize *ret_len,
                   GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  int r = nc_file_read_bounded(path, max_size, &contents, &len);
  if (r == -EFBIG) {
    g_set_error(error, NC_ERROR, NC_ERROR_READ_FAILED,
                "%s: refused unread: it is larger than %" G_GSIZE_FORMAT " bytes", path, max_size);
    return FALSE;
  }
  if (nc_file_is_refusal(r)) {
    g_set_error(error, NC_ERROR, NC_ERROR_READ_FAILED, "%s: refused unread: %s", path,
                nc_file_refusal_reason(r));
    return FALSE;
  }
  if (r < 0) {
    g_set_error(error, r == -ENOENT ? G_FILE_ERROR : NC_ERROR,
                r == -ENOENT ? G_FILE_ERROR_NOENT : NC_ERROR_READ_FAILED, "cannot read %s: %s",
                path, g_strerror(-r));
    return FALSE;
  }
  *ret_contents = g_steal_pointer(&contents);
  if (ret_len)
    *ret_len = len;
  return TRUE;
}

gboolean
nc_store_remove(const char *path, GError **error)
{
  if (unlink(path) < 0 && errno != ENOENT) {
    int e = errno;
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "cannot remove %s: %s", path,
                g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

char *
nc_store_config_path(const NcPaths *paths, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);
  return g_build_filename(paths->config_dir, file, NULL);
}

char *
nc_store_autostart_path(const NcPaths *paths, const char *name)
{
  g_autofree char *file = g_strconcat(name, ".xml", NULL);
  return g_build_filename(paths->autostart_dir, file, NULL);
}

gboolean
nc_store_save_config(const NcPaths *paths, const NcNetworkDef *def, GError **error)
{
  g_autofree char *path = nc_store_config_path(paths, def->name);
  g_autofree char *xml = nc_network_def_format(def, NC_NETWORK_FORMAT_INACTIVE);
  /* libvirt writes its definitions 0600: they may hold secrets in metadata. */
  if (!batch_open(paths))
    return nc_store_write_atomic(path, xml, -1, 0600, error);
  /* Renamed into place now (readers and a killed daemon see it), synced at
   * the batch's commit. */
  if (!nc_store_write_atomic_volatile(path, xml, -1, 0600, error))
    return FALSE;
  g_ptr_array_add(paths->batch->files, g_strdup(path));
  note_dir(paths->batch, paths->config_dir); /* counts the write */
  return TRUE;
}

gboolean
nc_store_delete_config(const NcPaths *paths, const char *name, GError **error)
{
  g_autofree char *path = nc_store_config_path(paths, name);
  /* The link first: a crash in between leaves a definition without
   * autostart, never a dangling autostart link. */
  if (!nc_store_set_autostart(paths, name, FALSE, error))
    return FALSE;
  if (!nc_store_remove(path, error))
    return FALSE;
  return sync_dir_of(paths, paths->config_dir, error);
}

/* As libvirt's virFileLinkPointsTo: the link must lead to the config file. */
gboolean
nc_store_get_autostart(const NcPaths *paths, const char *name)
{
  g_autofree char *link = nc_store_autostart_path(paths, name);
  g_autofree char *config = nc_store_config_path(paths, name);
  struct stat a, b;
  if (stat(link, &a) < 0 || stat(config, &b) < 0)
    return FALSE;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

gboolean
nc_store_set_autostart(const NcPaths *paths, const char *name, gboolean autostart, GError **error)
{
  g_autofree char *link = nc_store_autostart_path(paths, name);
  if (!autostart) {
    if (!nc_store_remove(link, error))
      return FALSE;
    if (g_file_test(paths->autostart_dir, G_FILE_TEST_IS_DIR))
      return sync_dir_of(paths, paths->autostart_dir, error);
    return TRUE;
  }

  if (!nc_store_ensure_dir(paths->autostart_dir, error))
    return FALSE;
  /* Relative, so the tree stays valid when moved (and under --root). A
   * symlink then a rename, so an existing link is replaced atomically. */
  g_autofree char *target = g_strconcat("../", name, ".xml", NULL);
  g_autofree char *tmp = NULL;
  for (int attempt = 0; attempt < 100; attempt++) {
    g_free(tmp);
    tmp = g_strdup_printf("%s/.%s.xml.%08x", paths->autostart_dir, name, g_random_int());
    if (symlink(target, tmp) == 0)
      break;
    if (errno != EEXIST) {
      int e = errno;
      g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "cannot create autostart link %s: %s",
                  link, g_strerror(e));
      return FALSE;
    }
  }
  if (rename(tmp, link) < 0) {
    int e = errno;
    unlink(tmp);
    g_set_error(error, NC_ERROR, NC_ERROR_WRITE_FAILED, "cannot create autostart link %s: %s", link,
                g_strerror(e));
    return FALSE;
  }
  return sync_dir_of(paths, paths->autostart_dir, error);
}

/* What write_atomic leaves when killed: ".BASE.XXXXXX" (mkstemp's six
 * characters), for definitions (".NAME.xml.XXXXXX") and for the other files
 * written the same way (".autostarted.XXXXXX" in the state directory);
 * set_autostart's ".NAME.xml.%08x". */
static gboolean
is_stale_temp(const char *file)
{
  if (file[0] != '.')
    return FALSE;
  const char *dot = strrchr(file, '.');
  if (dot == file)
    return FALSE;
  gsize n = strlen(dot + 1);
  for (const char *p = dot + 1; *p; p++) {
    if (!g_ascii_isalnum(*p))
      return FALSE;
  }
  return n == 6 || (n == 8 && dot > file + 4 && g_str_has_prefix(dot - 4, ".xml."));
}

void
nc_store_remove_stale_temps(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (!d)
    return;
  const char *file;
  while ((file = g_dir_read_name(d))) {
    if (!is_stale_temp(file))
      continue;
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_debug("removing %s, left by an interrupted write", path);
    unlink(path);
  }
}

static void problem(GPtrArray *problems, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
problem(GPtrArray *problems, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_warning("%s", msg);
  if (problems)
    g_ptr_array_add(problems, g_steal_pointer(&msg));
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
nc_store_load_configs(const NcPaths *paths, GPtrArray *ret_problems)
{
  GPtrArray *defs = g_ptr_array_new_with_free_func((GDestroyNotify)nc_network_def_free);
  nc_store_remove_stale_temps(paths->config_dir);
  nc_store_remove_stale_temps(paths->autostart_dir);

  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(paths->config_dir, 0, &error);
  if (!dir) {
    if (!g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      problem(ret_problems, "cannot read %s: %s", paths->config_dir, error->message);
    return defs;
  }

  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  const char *file;
  while ((file = g_dir_read_name(dir))) {
    if (file[0] != '.' && g_str_has_suffix(file, ".xml"))
      g_ptr_array_add(files, g_strdup(file));
  }
  g_ptr_array_sort(files, compare_strings);

  for (guint i = 0; i < files->len; i++) {
    file = files->pdata[i];
    g_autofree char *path = g_build_filename(paths->config_dir, file, NULL);
    g_autofree char *contents = NULL;
    g_clear_error(&error);
    /* Bounded and non-blocking: a FIFO or a symlink to /dev/zero put here
     * must not hang or exhaust the daemon at start-up. */
    if (!nc_store_read_file(path, NC_XML_MAX_DOCUMENT_SIZE, &contents, NULL, &error)) {
      if (!g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        problem(ret_problems, "skipped a network definition: %s", error->message);
      continue;
    }
    g_autoptr(NcNetworkDef) def
        = nc_network_def_parse_string(contents, path, NC_NETWORK_PARSE_CHECK, &error);
    if (!def) {
      /* The message names the file and line already. */
      problem(ret_problems, "skipped an invalid network definition: %s", error->message);
      continue;
    }
    g_autofree char *expected = g_strconcat(def->name, ".xml", NULL);
    if (!g_str_equal(expected, file)) {
      problem(ret_problems,
              "%s: the file name does not match the network name '%s' (expected %s); skipped", path,
              def->name, expected);
      continue;
    }
    g_ptr_array_add(defs, g_steal_pointer(&def));
  }
  return defs;
}
