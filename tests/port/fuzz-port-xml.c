/* libFuzzer target for the <networkport> parser (and through it the shared
 * <bandwidth>/<vlan>/<virtualport> parsers): any input must either be refused
 * with a located GError, or survive parse -> format -> parse -> format with
 * both outputs identical. A crash, a sanitizer report or an unstable round
 * trip is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "port-def.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *xml = g_strndup((const char *)data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(NcNetworkPortDef) def = NULL;
  g_autoptr(NcNetworkPortDef) def2 = NULL;
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;

  def = nc_network_port_def_parse_string(xml, "fuzz", 0, &error);
  if (!def) {
    /* Refusals must say something, starting with where, in one line of
     * valid UTF-8 (issue 12: values are quoted escaped). */
    if (!error || !error->message || !g_str_has_prefix(error->message, "fuzz"))
      abort();
    if (!g_utf8_validate(error->message, -1, NULL))
      abort();
    for (const char *p = error->message; *p; p = g_utf8_next_char(p)) {
      gunichar c = g_utf8_get_char(p);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        fprintf(stderr, "the message holds U+%04X: %s\n", c, error->message);
        abort();
      }
    }
    return 0;
  }
  out1 = nc_network_port_def_format(def, 0);
  def2 = nc_network_port_def_parse_string(out1, "fuzz-reparse", 0, &error2);
  if (!def2) {
    fprintf(stderr, "canonical output was refused: %s\n--- output ---\n%s\n", error2->message,
            out1);
    abort();
  }
  out2 = nc_network_port_def_format(def2, 0);
  if (strcmp(out1, out2) != 0) {
    fprintf(stderr, "round trip is not stable\n--- first ---\n%s\n--- second ---\n%s\n", out1,
            out2);
    abort();
  }
  return 0;
}
