/* See safe-read.h. */
#include "safe-read.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
nc_file_read_bounded(const char *path, gsize max_size, char **ret_contents, gsize *ret_len)
{
  /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused
   * after fstat). O_NOCTTY: a terminal device named here is never ours. */
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -errno;

  struct stat st;
  int r = 0;
  if (fstat(fd, &st) < 0)
    r = -errno;
  else if (!S_ISREG(st.st_mode))
    r = -EINVAL;
  else if (st.st_size < 0 || (guint64)st.st_size > max_size)
    r = -EFBIG;
  if (r < 0) {
    close(fd);
    return r;
  }

  /* The size is a hint only: the file may grow between fstat and read. One
   * byte more than the cap is asked for so that growth is seen. */
  gsize cap = (gsize)st.st_size + 1;
  gsize len = 0;
  char *buf = g_malloc(cap + 1);
  for (;;) {
    if (len == cap) {
      if (len > max_size)
        break;
      cap = MIN(MAX(cap * 2, 4096), max_size + 1);
      buf = g_realloc(buf, cap + 1);
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      r = -errno;
      break;
    }
    if (n == 0)
      break;
    len += (gsize)n;
  }
  close(fd);
  if (r == 0 && len > max_size)
    r = -EFBIG;
  if (r < 0) {
    g_free(buf);
    return r;
  }
  buf[len] = '\0';
  *ret_contents = buf;
  if (ret_len)
    *ret_len = len;
  return 0;
}

gssize
nc_json_frame_next(NcJsonFrame *f, const char *buf, gsize len, guint max_depth)
{
  for (; f->pos < len; f->pos++) {
    char c = buf[f->pos];
    if (f->in_string) {
      if (f->escape)
        f->escape = FALSE;
      else if (c == '\\')
        f->escape = TRUE;
      else if (c == '"')
        f->in_string = FALSE;
      continue;
    }
    if (c == '"') {
      f->in_string = TRUE;
    } else if (c == '{' || c == '[') {
      if (++f->depth > max_depth)
        return -EOVERFLOW;
      f->started = TRUE;
    } else if ((c == '}' || c == ']') && f->depth > 0) {
      if (--f->depth == 0 && f->started)
        return (gssize)++f->pos;
    }
  }
  return 0;
}

int
nc_json_check_depth(const char *text, gssize len, guint max_depth)
{
  gsize size = len < 0 ? strlen(text) : (gsize)len;
  guint depth = 0;
  gboolean in_string = FALSE;
  for (gsize i = 0; i < size; i++) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        i++; /* the escaped character, even a quote */
      else if (c == '"')
        in_string = FALSE;
      continue;
    }
    switch (c) {
    case '"':
      in_string = TRUE;
      break;
    case '[':
    case '{':
      if (++depth > max_depth)
        return -EOVERFLOW;
      break;
    case ']':
    case '}':
      if (depth > 0)
        depth--;
      break;
    default:
      break;
    }
  }
  return 0;
}

int
nc_json_text_prepare(const char *text, gsize len, char **ret_valid)
{
  int r = nc_json_check_depth(text, (gssize)len, NC_JSON_MAX_DEPTH);
  if (r < 0)
    return r;
  *ret_valid = g_utf8_validate_len(text, len, NULL) ? NULL : g_utf8_make_valid(text, (gssize)len);
  return 0;
}

gboolean
nc_file_is_refusal(int r)
{
  return r == -ELOOP || r == -EINVAL || r == -EFBIG || r == -EOVERFLOW;
}

const char *
nc_file_refusal_reason(int r)
{
  switch (-r) {
  case ELOOP:
    return "it is a symbolic link";
  case EINVAL:
    return "it is not a regular file (FIFO, device or directory)";
  case EFBIG:
    return "it is larger than the limit";
  case EOVERFLOW:
    return "its JSON nests too deep";
  default:
    return g_strerror(-r);
  }
}

char *
nc_untrusted_string_sanitize(const char *value)
{
  if (!value)
    return NULL;
  g_autofree char *valid = g_utf8_make_valid(value, -1);
  GString *out = g_string_sized_new(strlen(valid));
  for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
      g_string_append_c(out, '?');
    else
      g_string_append_len(out, p, g_utf8_next_char(p) - p);
  }
  return g_string_free(out, FALSE);
}
