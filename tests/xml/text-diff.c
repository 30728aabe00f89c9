/* Line diff for test reports (see text-diff.h). The texts are small XML
 * documents, so the quadratic LCS table is fine. */
#include "text-diff.h"

#include <string.h>

static char **
split_lines(const char *text, guint *ret_n)
{
  char **lines = g_strsplit(text, "\n", -1);
  guint n = g_strv_length(lines);

  /* A final newline leaves an empty last piece that is no line. */
  if (n > 0 && lines[n - 1][0] == '\0')
    n--;
  *ret_n = n;
  return lines;
}

void
text_diff_append(GString *out, const char *expected, const char *actual, guint max_lines,
                 const char *prefix)
{
  guint na, nb, shown = 0, hidden = 0;
  g_auto(GStrv) a = split_lines(expected, &na);
  g_auto(GStrv) b = split_lines(actual, &nb);
  /* lcs[i][j]: common lines of a[i..] and b[j..]. */
  g_autofree guint *lcs = g_new0(guint, (gsize)(na + 1) * (nb + 1));
#define LCS(i, j) lcs[(gsize)(i) * (nb + 1) + (j)]

  for (guint i = na; i-- > 0;)
    for (guint j = nb; j-- > 0;)
      LCS(i, j)
          = strcmp(a[i], b[j]) == 0 ? LCS(i + 1, j + 1) + 1 : MAX(LCS(i + 1, j), LCS(i, j + 1));

  guint i = 0, j = 0;
  while (i < na || j < nb) {
    char sign;
    const char *line;

    if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
      i++, j++;
      continue;
    }
    if (j >= nb || (i < na && LCS(i + 1, j) >= LCS(i, j + 1))) {
      sign = '-';
      line = a[i++];
    } else {
      sign = '+';
      line = b[j++];
    }
    if (shown < max_lines) {
      g_string_append_printf(out, "%s%c%s\n", prefix, sign, line);
      shown++;
    } else {
      hidden++;
    }
  }
  if (hidden > 0)
    g_string_append_printf(out, "%s... %u more differing lines\n", prefix, hidden);
  /* Same lines, different bytes: only the final newline can differ. */
  if (shown == 0 && strcmp(expected, actual) != 0)
    g_string_append_printf(out, "%s(texts differ in the final newline)\n", prefix);
#undef LCS
}
