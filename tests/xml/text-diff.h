/* A short line diff for test reports: what a reader needs to see why two
 * XML texts differ, not a full diff tool. */
#pragma once

#include <glib.h>

/* Appends to @out up to @max_lines lines of "-expected" / "+actual" (each
 * indented by @prefix), from a longest-common-subsequence line diff; when
 * more lines differ, a final "... N more" line says so. */
void text_diff_append(GString *out, const char *expected, const char *actual, guint max_lines,
                      const char *prefix);
