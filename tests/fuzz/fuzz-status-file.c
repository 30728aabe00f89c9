/* libFuzzer target for the status-file reader (state_dir/NAME.xml, read by
 * netctld at start-up to adopt running networks; anyone who can write the
 * state root can put anything there). Any input must be refused with an
 * NC_ERROR naming the file, or give a record whose live definition formats
 * and parses back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "nc-error.h"
#include "network-xml.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PATH "/fuzz/state/default.xml"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NcStatusRecord) rec = nc_status_parse((const char *)data, size, FUZZ_PATH, &error);
  if (!rec) {
    if (!error || error->domain != NC_ERROR || !error->message || !strstr(error->message, "/fuzz/"))
      abort();
    return 0;
  }
  if (!rec->def || !g_str_equal(rec->def->name, "default") || rec->state >= _NC_STATUS_MAX)
    abort();
  g_autofree char *xml = nc_network_def_format(rec->def, 0);
  g_autoptr(GError) error2 = NULL;
  g_autoptr(NcNetworkDef) def2 = nc_network_def_parse_string(xml, "fuzz-reparse", 0, &error2);
  if (!def2) {
    fprintf(stderr, "the live definition read back was refused: %s\n%s\n", error2->message, xml);
    abort();
  }
  return 0;
}
