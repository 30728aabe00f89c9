/* Listening sockets: bound at a path or handed over by systemd (rpc-socket.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nc-error.h"
#include "rpc-socket.h"

#define SD_LISTEN_FDS_START 3
#define BACKLOG 128

static gboolean
fill_addr(struct sockaddr_un *addr, const char *path, GError **error)
{
  memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof(addr->sun_path)) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR,
                "socket path '%s' is longer than a unix socket allows (%zu bytes)", path,
                sizeof(addr->sun_path) - 1);
    return FALSE;
  }
  strcpy(addr->sun_path, path);
  return TRUE;
}

/* TRUE when some process accepts connections at `path`. */
static gboolean
someone_listens(const struct sockaddr_un *addr)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return FALSE;
  /* Non-blocking: a full backlog (EAGAIN) still means a listener. */
  int r = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
  int err = errno;
  close(fd);
  return r == 0 || err == EAGAIN || err == EINPROGRESS;
}

int
nc_rpc_socket_listen(const char *path, guint mode, GError **error)
{
  struct sockaddr_un addr;
  struct stat st;

  if (!fill_addr(&addr, path, error))
    return -1;
  if (lstat(path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      g_set_error(error, NC_ERROR, NC_ERROR_RESOURCE_BUSY,
                  "'%s' exists and is not a socket; remove it", path);
      return -1;
    }
    if (someone_listens(&addr)) {
      g_set_error(error, NC_ERROR, NC_ERROR_RESOURCE_BUSY,
                  "another daemon already listens on '%s'", path);
      return -1;
    }
    unlink(path); /* stale, from a daemon that died */
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "socket: %s", g_strerror(errno));
    return -1;
  }
  /* The mode is set before anyone can connect: bind under a umask that
   * leaves nothing more open than `mode`, then chmod to exactly `mode`. */
  mode_t old = umask(~mode & 0777);
  int r = bind(fd, (const struct sockaddr *)&addr, sizeof(addr));
  int err = errno;
  umask(old);
  if (r < 0 || chmod(path, mode) < 0 || listen(fd, BACKLOG) < 0) {
    err = r < 0 ? err : errno;
    g_set_error(error, NC_ERROR, NC_ERROR_SYSTEM_ERROR, "cannot listen on '%s': %s", path,
                g_strerror(err));
    close(fd);
    if (r == 0)
      unlink(path);
    return -1;
  }
  return fd;
}

static gboolean
path_is_readonly(int fd)
{
  struct sockaddr_un addr;
  socklen_t len = sizeof(addr);
  memset(&addr, 0, sizeof(addr));
  if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0 || addr.sun_family != AF_UNIX)
    return FALSE;
  return g_str_has_suffix(addr.sun_path, "-ro");
}

GArray *
nc_rpc_socket_take_activated(void)
{
  GArray *out = g_array_new(FALSE, FALSE, sizeof(NcRpcActivatedSocket));
  const char *pid_s = g_getenv("LISTEN_PID");
  const char *fds_s = g_getenv("LISTEN_FDS");
  if (pid_s == NULL || fds_s == NULL)
    return out;
  gint64 pid = g_ascii_strtoll(pid_s, NULL, 10);
  gint64 n = g_ascii_strtoll(fds_s, NULL, 10);
  g_auto(GStrv) names = NULL;
  if (g_getenv("LISTEN_FDNAMES") != NULL)
    names = g_strsplit(g_getenv("LISTEN_FDNAMES"), ":", -1);
  if (pid == getpid() && n > 0 && n < 64) {
    for (int i = 0; i < n; i++) {
      int fd = SD_LISTEN_FDS_START + i;
      int type = 0, listening = 0;
      socklen_t len = sizeof(type);
      if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
        continue;
      len = sizeof(listening);
      if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
        continue;
      fcntl(fd, F_SETFD, FD_CLOEXEC);
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      NcRpcActivatedSocket s = { .fd = fd };
      s.readonly = path_is_readonly(fd)
                   || (names != NULL && (guint)i < g_strv_length(names)
                       && g_str_has_suffix(names[i], "-ro"));
      g_array_append_val(out, s);
    }
  }
  g_unsetenv("LISTEN_PID");
  g_unsetenv("LISTEN_FDS");
  g_unsetenv("LISTEN_FDNAMES");
  return out;
}

gboolean
nc_rpc_socket_peer(int fd, gint64 *ret_uid, gint64 *ret_pid)
{
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return FALSE;
  *ret_uid = cred.uid;
  *ret_pid = cred.pid;
  return TRUE;
}
