/* Where libvirt's conformance data is, for the tests that read it in place. */
#pragma once

#include <glib.h>

/* Reads $NETCTL_SHARED/conformance/libvirt/MANIFEST.tsv. Returns 0 with the
 * data directory and the manifest text, or 77 (meson: skipped) after printing
 * why, when the data is absent. */
int nc_test_conformance_open(char **ret_base, char **ret_manifest);
