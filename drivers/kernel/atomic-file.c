/* See atomic-file.h. */
#include "atomic-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
write_all(int fd, const char *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return -EIO;
    data += n;
    len -= (gsize)n;
  }
  return 0;
}

static int
replace(const char *path, const char *contents, gssize len, int mode, gboolean durable)
{
  gsize size = len < 0 ? strlen(contents) : (gsize)len;
  g_autofree char *dir = g_path_get_dirname(path);
  g_autofree char *base = g_path_get_basename(path);
  g_autofree char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);

  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    return -errno;
  /* mkstemp's mode is filtered by the umask; the caller's mode is meant. */
  int r = fchmod(fd, mode) < 0 ? -errno : 0;
  if (r == 0)
    r = write_all(fd, contents, size);
  if (r == 0 && durable && fsync(fd) < 0)
    r = -errno;
  if (close(fd) < 0 && r == 0)
    r = -errno;
  if (r == 0 && rename(tmp, path) < 0)
    r = -errno;
  if (r < 0) {
    unlink(tmp);
    return r;
  }
  if (!durable)
    return 0;

  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -errno;
  r = fsync(dfd) < 0 ? -errno : 0;
  close(dfd);
  return r;
}

int
nc_file_write_atomic(const char *path, const char *contents, gssize len, int mode)
{
  return replace(path, contents, len, mode, TRUE);
}

int
nc_file_replace(const char *path, const char *contents, gssize len, int mode)
{
  return replace(path, contents, len, mode, FALSE);
}

int
nc_file_remove(const char *path)
{
  if (unlink(path) < 0 && errno != ENOENT)
    return -errno;
  return 0;
}
