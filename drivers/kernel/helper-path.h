/* Where netctld finds its helper programs (the DHCP lease helper).
 *
 * An installed netctld uses the installed copy (libexecdir). A netctld run
 * from the build tree it was built in uses the build tree's copy, as libvirt's
 * daemons do, so a developer's uninstalled daemon never runs a stale or
 * missing installed helper. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The path of the lease helper: the build tree's tools/netctl-leaseshelper
 * when the running executable lives under the build root netctl was
 * configured with, else the installed one. Newly allocated. */
char *nc_leaseshelper_default_path(void);

/* The same decision for any executable path (tests): build_root is the
 * configured build directory, exe the running program. */
gboolean nc_exe_in_build_tree(const char *exe, const char *build_root);

G_END_DECLS
