/* nc_ethtool_get_tx_csum (drivers/kernel/ethtool.c): the ioctl needs no
 * privilege, so this runs anywhere: a bad name is refused before the kernel
 * is asked, a missing interface is -ENODEV, and lo answers (its TX checksum
 * offload is on: loopback never computes checksums). */
#include <errno.h>
#include <glib.h>

#include "ethtool.h"

static void
test_bad_names(void)
{
  gboolean on = TRUE;
  g_assert_cmpint(nc_ethtool_get_tx_csum("", &on), ==, -EINVAL);
  g_assert_cmpint(nc_ethtool_get_tx_csum(NULL, &on), ==, -EINVAL);
  g_assert_cmpint(nc_ethtool_get_tx_csum("a-name-longer-than-ifnamsiz", &on), ==, -EINVAL);
  g_assert_true(on); /* left untouched on failure */
}

static void
test_missing(void)
{
  gboolean on = TRUE;
  g_assert_cmpint(nc_ethtool_get_tx_csum("ncnosuch0", &on), ==, -ENODEV);
}

static void
test_lo(void)
{
  gboolean on = FALSE;
  g_assert_cmpint(nc_ethtool_get_tx_csum("lo", &on), ==, 0);
  g_assert_true(on);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ethtool/bad-names", test_bad_names);
  g_test_add_func("/ethtool/missing", test_missing);
  g_test_add_func("/ethtool/lo", test_lo);
  return g_test_run();
}
