/* libFuzzer target for the lease database reader (<bridge>.status, libvirt's
 * JSON, written by the lease helper and read by netctld, the helper itself
 * and libvirt's NSS module; anyone who can write the state root can put
 * anything there). Any input must be refused with -errno, or give entries
 * whose strings are valid UTF-8 without control characters (they reach
 * D-Bus), which survive format -> parse -> format unchanged, and whose
 * dnsmasq lease-file form is one line per lease. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "lease-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_string(const char *what, const char *s)
{
  if (!s)
    return;
  if (!g_utf8_validate(s, -1, NULL)) {
    fprintf(stderr, "%s is not valid UTF-8\n", what);
    abort();
  }
  for (const char *p = s; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      fprintf(stderr, "%s holds control character U+%04X\n", what, c);
      abort();
    }
  }
}

static void
check_entries(GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++) {
    const NcLeaseEntry *e = g_ptr_array_index(entries, i);
    if (!e->ip)
      abort();
    check_string("ip-address", e->ip);
    check_string("mac-address", e->mac);
    check_string("hostname", e->hostname);
    check_string("client-id", e->client_id);
    check_string("iaid", e->iaid);
    check_string("server-duid", e->server_duid);
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) entries = NULL;
  int r = nc_lease_entries_parse((const char *)data, (gssize)size, &entries);
  if (r < 0) {
    if (r != -EBADMSG && r != -EOVERFLOW)
      abort();
    if (entries)
      abort(); /* ret_ untouched on failure */
    return 0;
  }
  check_entries(entries);

  g_autofree char *out1 = nc_lease_entries_format(entries);
  g_autoptr(GPtrArray) again = NULL;
  if (nc_lease_entries_parse(out1, -1, &again) < 0) {
    fprintf(stderr, "our own output was refused:\n%s\n", out1);
    abort();
  }
  if (again->len != entries->len)
    abort();
  g_autofree char *out2 = nc_lease_entries_format(again);
  if (strcmp(out1, out2) != 0) {
    fprintf(stderr, "round trip is not stable\n--- first ---\n%s\n--- second ---\n%s\n", out1,
            out2);
    abort();
  }

  /* What dnsmasq reads back: whole lines of printable fields, one a lease
   * (plus the duid line). */
  g_autofree char *dnsmasq = nc_lease_entries_format_dnsmasq(entries, 1000);
  guint lines = 0;
  for (const char *p = dnsmasq; *p; p++) {
    if (*p == '\n')
      lines++;
    else if ((guchar)*p < ' ' || (guchar)*p >= 0x7f)
      abort();
  }
  if (lines > entries->len + 1 || (*dnsmasq && dnsmasq[strlen(dnsmasq) - 1] != '\n'))
    abort();
  return 0;
}
