/* nss-macmap: drives the MAC map writer (drivers/kernel/macmap.c) from the
 * nss scenarios, which check that libvirt's libvirt_guest NSS module resolves
 * a domain through the file it writes. Ports (which will call the writer)
 * do not exist yet; this is the writer itself, not a copy.
 *
 *   nss-macmap add DIR BRIDGE DOMAIN MAC
 *   nss-macmap remove DIR BRIDGE DOMAIN [MAC]
 *
 * Exit status 0, or 1 with the error on stderr. */
#include <stdio.h>
#include <string.h>

#include "macmap.h"

int
main(int argc, char **argv)
{
  int r;
  if (argc == 6 && strcmp(argv[1], "add") == 0)
    r = nc_macmap_add(argv[2], argv[3], argv[4], argv[5]);
  else if ((argc == 5 || argc == 6) && strcmp(argv[1], "remove") == 0)
    r = nc_macmap_remove(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
  else {
    fprintf(stderr, "usage: nss-macmap add DIR BRIDGE DOMAIN MAC\n"
                    "       nss-macmap remove DIR BRIDGE DOMAIN [MAC]\n");
    return 1;
  }
  if (r < 0) {
    fprintf(stderr, "nss-macmap %s: %s\n", argv[1], g_strerror(-r));
    return 1;
  }
  return 0;
}
