/* libFuzzer target: any input must either be refused with a GError, or
 * survive parse -> format -> parse -> format with both outputs identical.
 * A crash, a sanitizer report or an unstable round trip is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "network-xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(const char *xml, guint flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcNetworkDef) def = nc_network_def_parse_string(xml, "fuzz", flags, &error);

  if (def == NULL) {
    /* Refusals must say something, in one line of valid UTF-8 (issue 12:
     * values are quoted escaped; the message goes to logs and D-Bus). */
    if (error == NULL || error->message == NULL || error->message[0] == '\0')
      abort();
    if (!g_utf8_validate(error->message, -1, NULL)) {
      fprintf(stderr, "the message is not valid UTF-8: %s\n", error->message);
      abort();
    }
    for (const char *p = error->message; *p; p = g_utf8_next_char(p)) {
      gunichar c = g_utf8_get_char(p);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        fprintf(stderr, "the message holds U+%04X: %s\n", c, error->message);
        abort();
      }
    }
    return;
  }

  g_autofree char *out1 = nc_network_def_format(def, 0);
  g_autoptr(GError) error2 = NULL;
  g_autoptr(NcNetworkDef) def2 = nc_network_def_parse_string(out1, "fuzz-reparse", flags, &error2);
  if (def2 == NULL) {
    fprintf(stderr, "canonical output was refused: %s\n--- output ---\n%s\n", error2->message,
            out1);
    abort();
  }
  g_autofree char *out2 = nc_network_def_format(def2, 0);
  if (strcmp(out1, out2) != 0) {
    fprintf(stderr, "round trip is not stable\n--- first ---\n%s\n--- second ---\n%s\n", out1,
            out2);
    abort();
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 64 * 1024)
    return 0;
  g_autofree char *xml = g_strndup((const char *)data, size);

  /* Structure only (the parser's own checks), then the full define-time path. */
  check_round_trip(xml, 0);
  check_round_trip(xml, NC_NETWORK_PARSE_STRICT);
  return 0;
}
