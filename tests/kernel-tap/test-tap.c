/* The TAP and bridge-port kernel layer (drivers/kernel/link-tap.c) against
 * the real kernel, in a private network and mount namespace entered by the
 * test itself (exit 77 when not permitted): persistent TAPs with owner,
 * group, vnet_hdr and multiqueue; template names; a taken name left alone;
 * MAC/MTU/alias/master/up from one request, checked with `ip -j -d`; port
 * isolation checked with `bridge -j -d`; listing a bridge's ports; and what
 * makes an unprivileged VMM work: the owner (or a member of the group) can
 * attach to the TAP with TUNSETIFF, another user cannot (but anyone can
 * attach to a TAP with neither owner nor group). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>
#include <json-glib/json-glib.h>
#include <linux/if_tun.h>

#include "link-tap.h"
#include "nc-kernel.h"
#include "../daemon/test-util.h"

#define ALIAS "netctl: port 0b7f7e56-1f1d-4c2e-9d0e-2a8a9f3b6c11"
#define OWNER 4242
#define GROUP 4343

typedef struct {
  NcKernel *kernel;
  int bridge;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
  f->kernel = nc_kernel_new(NULL, NULL);
  NcBridgeConfig br = { .name = "nctapbr0" };
  g_assert_cmpint(nc_bridge_create(f->kernel, &br, &f->bridge), ==, 0);
  g_assert_cmpint(nc_link_set_up(f->kernel, f->bridge, TRUE), ==, 0);
}

/* Every link but lo is deleted, so tests stay independent. */
static void
teardown(Fixture *f, gconstpointer data)
{
  struct if_nameindex *all = if_nameindex();
  g_assert_nonnull(all);
  for (struct if_nameindex *i = all; i->if_index; i++) {
    if (!g_str_equal(i->if_name, "lo"))
      nc_link_delete(f->kernel, (int)i->if_index);
  }
  if_freenameindex(all);
  nc_kernel_free(f->kernel);
}

/* `argv` (ip/bridge -j) parsed: the first element of its JSON array. */
static JsonObject *
run_json(const char *const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                             &status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("%s failed: %s", argv[0], err);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, &error));
  JsonArray *array = json_node_get_array(json_parser_get_root(parser));
  g_assert_cmpuint(json_array_get_length(array), ==, 1);
  return json_object_ref(json_array_get_object_element(array, 0));
}

static JsonObject *
ip_link(const char *name)
{
  const char *argv[] = { "ip", "-j", "-d", "link", "show", "dev", name, NULL };
  return run_json(argv);
}

/* A member as text: iproute2 prints a uid as a name when one is known. */
static char *
member_text(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return NULL;
  if (json_node_get_value_type(n) == G_TYPE_INT64)
    return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
  if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
    return g_strdup(json_node_get_boolean(n) ? "true" : "false");
  return g_strdup(json_node_get_string(n));
}

static gboolean
has_flag(JsonObject *o, const char *flag)
{
  JsonArray *flags = json_object_get_array_member(o, "flags");
  for (guint i = 0; i < json_array_get_length(flags); i++) {
    if (g_str_equal(json_array_get_string_element(flags, i), flag))
      return TRUE;
  }
  return FALSE;
}

static int
create(Fixture *f, const NcTapConfig *config, char *name)
{
  int ifindex = 0;
  int r = nc_tap_create(f->kernel, config, name, &ifindex);
  if (r == 0) {
    g_assert_cmpint(ifindex, >, 0);
    g_assert_cmpint(ifindex, ==, (int)if_nametoindex(name));
  }
  return r < 0 ? r : ifindex;
}

static void
test_create_full(Fixture *f, gconstpointer data)
{
  NcMac mac = { { 0xfe, 0x54, 0x00, 0x12, 0x34, 0x56 } };
  NcTapConfig config = {
    .name = "nctap0",
    .owner = OWNER,
    .group = GROUP,
    .vnet_hdr = TRUE,
    .mac = &mac,
    .mtu = 1400,
    .alias = ALIAS,
    .master_ifindex = f->bridge,
    .up = TRUE,
  };
  char name[IF_NAMESIZE];
  int ifindex = create(f, &config, name);
  g_assert_cmpint(ifindex, >, 0);
  g_assert_cmpstr(name, ==, "nctap0");

  NcTapInfo info;
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nctap0", &info), ==, 0);
  g_assert_cmpint(info.link.ifindex, ==, ifindex);
  g_assert_cmpstr(info.link.kind, ==, "tun");
  g_assert_true(info.is_tap);
  g_assert_cmpint(info.owner, ==, OWNER);
  g_assert_cmpint(info.group, ==, GROUP);
  g_assert_true(info.vnet_hdr);
  g_assert_false(info.multi_queue);
  g_assert_true(info.persist);
  g_assert_cmpstr(info.alias, ==, ALIAS);
  g_assert_cmpint(info.master_ifindex, ==, f->bridge);
  g_assert_true(info.link.up);
  g_assert_cmpuint(info.link.mtu, ==, 1400);
  g_assert_cmpmem(info.link.mac.addr, NC_MAC_LEN, mac.addr, NC_MAC_LEN);

  /* The same facts as iproute2 reads them. */
  g_autoptr(JsonObject) o = ip_link("nctap0");
  g_assert_cmpstr(json_object_get_string_member(o, "address"), ==, "fe:54:00:12:34:56");
  g_assert_cmpint(json_object_get_int_member(o, "mtu"), ==, 1400);
  g_assert_cmpstr(json_object_get_string_member(o, "ifalias"), ==, ALIAS);
  g_assert_cmpstr(json_object_get_string_member(o, "master"), ==, "nctapbr0");
  g_assert_true(has_flag(o, "UP"));
  JsonObject *linkinfo = json_object_get_object_member(o, "linkinfo");
  g_assert_cmpstr(json_object_get_string_member(linkinfo, "info_kind"), ==, "tun");
  JsonObject *tun = json_object_get_object_member(linkinfo, "info_data");
  g_assert_cmpstr(json_object_get_string_member(tun, "type"), ==, "tap");
  g_assert_false(json_object_get_boolean_member(tun, "pi"));
  g_assert_true(json_object_get_boolean_member(tun, "vnet_hdr"));
  g_assert_false(json_object_get_boolean_member(tun, "multi_queue"));
  g_assert_true(json_object_get_boolean_member(tun, "persist"));
  g_autofree char *user = member_text(tun, "user");
  g_autofree char *group = member_text(tun, "group");
  g_assert_cmpstr(user, ==, G_STRINGIFY(OWNER));
  g_assert_cmpstr(group, ==, G_STRINGIFY(GROUP));

  /* Deleted by ifindex, gone for good. */
  g_assert_cmpint(nc_link_delete(f->kernel, ifindex), ==, 0);
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nctap0", &info), ==, -ENODEV);
  g_assert_cmpint(nc_link_exists(f->kernel, "nctap0"), ==, 0);
}

static void
test_minimal(Fixture *f, gconstpointer data)
{
  /* Nothing but the name: no netlink request; the kernel's MAC, down. */
  NcTapConfig config = { .name = "nctap1", .owner = -1, .group = -1 };
  char name[IF_NAMESIZE];
  g_assert_cmpint(create(f, &config, name), >, 0);
  NcTapInfo info;
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nctap1", &info), ==, 0);
  g_assert_true(info.is_tap);
  g_assert_cmpint(info.owner, ==, -1);
  g_assert_cmpint(info.group, ==, -1);
  g_assert_false(info.vnet_hdr);
  g_assert_false(info.link.up);
  g_assert_cmpint(info.master_ifindex, ==, 0);
  g_assert_cmpstr(info.alias, ==, "");
  g_assert_cmpuint(info.link.mtu, ==, 1500);

  /* Not a TAP: the bridge. */
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nctapbr0", &info), ==, 0);
  g_assert_false(info.is_tap);
  g_assert_cmpstr(info.link.kind, ==, "bridge");
  g_assert_cmpint(nc_tap_get_info(f->kernel, "", &info), ==, -EINVAL);
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nosuchlink", &info), ==, -ENODEV);
}

/* Attaches `n` queues of a multiqueue TAP as a VMM does. */
static void
open_queues(const char *name, int n, int *fds)
{
  for (int i = 0; i < n; i++) {
    fds[i] = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    g_assert_cmpint(fds[i], >=, 0);
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE };
    g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
    if (ioctl(fds[i], TUNSETIFF, &ifr) < 0)
      g_error("queue %d of %s: %s", i, name, g_strerror(errno));
  }
}

static void
test_multiqueue(Fixture *f, gconstpointer data)
{
  NcTapConfig config = {
    .name = "nctapmq",
    .owner = -1,
    .group = -1,
    .vnet_hdr = TRUE,
    .queues = 4,
    .master_ifindex = f->bridge,
    .up = TRUE,
  };
  char name[IF_NAMESIZE];
  int ifindex = create(f, &config, name);
  g_assert_cmpint(ifindex, >, 0);
  NcTapInfo info;
  g_assert_cmpint(nc_tap_get_info(f->kernel, name, &info), ==, 0);
  g_assert_true(info.multi_queue);
  g_assert_true(info.persist);
  g_autoptr(JsonObject) o = ip_link(name);
  JsonObject *tun
      = json_object_get_object_member(json_object_get_object_member(o, "linkinfo"), "info_data");
  g_assert_true(json_object_get_boolean_member(tun, "multi_queue"));
  g_assert_true(json_object_get_boolean_member(tun, "persist"));

  /* The persist flag set through one queue holds the device: a VMM attaches
   * four queues, closes them, and the device stays, still enslaved. */
  int fds[4];
  open_queues(name, 4, fds);
  g_autoptr(JsonObject) busy = ip_link(name);
  tun = json_object_get_object_member(json_object_get_object_member(busy, "linkinfo"), "info_data");
  g_assert_cmpint(json_object_get_int_member(tun, "numqueues"), ==, 4);
  for (int i = 0; i < 4; i++)
    close(fds[i]);
  g_assert_cmpint(nc_tap_get_info(f->kernel, name, &info), ==, 0);
  g_assert_cmpint(info.link.ifindex, ==, ifindex);
  g_assert_cmpint(info.master_ifindex, ==, f->bridge);
}

static int foreign_tap(Fixture *f, const char *name);

static void
test_template(Fixture *f, gconstpointer data)
{
  NcTapConfig config = { .name = "vnet%d", .owner = -1, .group = -1, .master_ifindex = f->bridge };
  char a[IF_NAMESIZE], b[IF_NAMESIZE], c[IF_NAMESIZE];
  int ia = create(f, &config, a);
  int ib = create(f, &config, b);
  g_assert_cmpint(ia, >, 0);
  g_assert_cmpint(ib, >, 0);
  g_assert_cmpstr(a, ==, "vnet0");
  g_assert_cmpstr(b, ==, "vnet1");
  /* The next number, not the first free (libvirt's way: a name is not
   * handed out again at once, and no scan of every link per TAP). */
  g_assert_cmpint(nc_link_delete(f->kernel, ia), ==, 0);
  g_assert_cmpint(create(f, &config, c), >, 0);
  g_assert_cmpstr(c, ==, "vnet2");
  /* A name someone else holds is skipped, never taken over. */
  foreign_tap(f, "vnet3");
  char d[IF_NAMESIZE];
  g_assert_cmpint(create(f, &config, d), >, 0);
  g_assert_cmpstr(d, ==, "vnet4");
  /* Only a trailing %d is a template. */
  NcTapConfig bad = config;
  bad.name = "vn%det";
  int ifindex = 0;
  g_assert_cmpint(nc_tap_create(f->kernel, &bad, d, &ifindex), ==, -EINVAL);
}

/* A TAP `name` made with ip-like ioctls (attachable by TUNSETIFF without
 * IFF_TUN_EXCL), persistent, MTU 1234, down. */
static int
foreign_tap(Fixture *f, const char *name)
{
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  g_assert_cmpint(fd, >=, 0);
  struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
  g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
  g_assert_cmpint(ioctl(fd, TUNSETIFF, &ifr), ==, 0);
  g_assert_cmpint(ioctl(fd, TUNSETPERSIST, 1UL), ==, 0);
  close(fd);
  int ifindex = (int)if_nametoindex(name);
  g_assert_cmpint(nc_link_set_mtu(f->kernel, ifindex, 1234), ==, 0);
  return ifindex;
}

static void
test_name_taken(Fixture *f, gconstpointer data)
{
  int theirs = foreign_tap(f, "nctaken");
  NcMac mac = { { 0xfe, 0x54, 0x00, 0xaa, 0xbb, 0xcc } };
  NcTapConfig config = {
    .name = "nctaken",
    .owner = OWNER,
    .group = GROUP,
    .vnet_hdr = TRUE,
    .mac = &mac,
    .mtu = 9000,
    .alias = ALIAS,
    .master_ifindex = f->bridge,
    .up = TRUE,
  };
  char name[IF_NAMESIZE] = "";
  int ifindex = -1;
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, -EEXIST);
  g_assert_cmpint(ifindex, ==, -1); /* out-parameters untouched */
  g_assert_cmpstr(name, ==, "");

  NcTapInfo info;
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nctaken", &info), ==, 0);
  g_assert_cmpint(info.link.ifindex, ==, theirs);
  g_assert_cmpint(info.owner, ==, -1);
  g_assert_cmpint(info.group, ==, -1);
  g_assert_false(info.vnet_hdr);
  g_assert_true(info.persist);
  g_assert_cmpuint(info.link.mtu, ==, 1234);
  g_assert_false(info.link.up);
  g_assert_cmpint(info.master_ifindex, ==, 0);
  g_assert_cmpstr(info.alias, ==, "");

  /* A link of another kind: the bridge's name. */
  config.name = "nctapbr0";
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, -EEXIST);
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nctapbr0", &info), ==, 0);
  g_assert_cmpint(info.link.ifindex, ==, f->bridge);
  g_assert_cmpuint(info.link.mtu, ==, 1500);
}

static void
test_bad_input_and_undo(Fixture *f, gconstpointer data)
{
  char name[IF_NAMESIZE];
  int ifindex;
  NcTapConfig config = { .name = "nctapbad", .owner = -2, .group = -1 };
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, -EINVAL);
  config.owner = -1;
  config.name = "a-name-longer-than-15";
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, -EINVAL);
  config.name = "";
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, -EINVAL);
  config.name = "nctapbad";
  config.queues = 257;
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, -EINVAL);
  config.queues = 256;
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, 0);
  g_assert_cmpint(nc_link_delete(f->kernel, ifindex), ==, 0);
  config.queues = 0;

  /* The configuring request fails (no such master; an MTU the TAP refuses):
   * the TAP made for it is gone again. */
  config.name = "nctapbad";
  config.master_ifindex = 999999;
  config.up = TRUE;
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), <, 0);
  g_assert_cmpint(nc_link_exists(f->kernel, "nctapbad"), ==, 0);
  config.master_ifindex = f->bridge;
  config.mtu = 70000;
  g_assert_cmpint(nc_tap_create(f->kernel, &config, name, &ifindex), ==, -EINVAL);
  g_assert_cmpint(nc_link_exists(f->kernel, "nctapbad"), ==, 0);
  g_autoptr(GPtrArray) ports = NULL;
  g_assert_cmpint(nc_bridge_list_ports(f->kernel, f->bridge, &ports), ==, 0);
  g_assert_cmpuint(ports->len, ==, 0);
}

static void
test_master(Fixture *f, gconstpointer data)
{
  NcTapConfig config = { .name = "nctapm", .owner = -1, .group = -1 };
  char name[IF_NAMESIZE];
  int ifindex = create(f, &config, name);
  g_assert_cmpint(ifindex, >, 0);
  NcTapInfo info;

  g_assert_cmpint(nc_link_set_master(f->kernel, ifindex, f->bridge, TRUE), ==, 0);
  g_assert_cmpint(nc_tap_get_info(f->kernel, name, &info), ==, 0);
  g_assert_cmpint(info.master_ifindex, ==, f->bridge);
  g_assert_true(info.link.up);

  g_assert_cmpint(nc_link_set_master(f->kernel, ifindex, 0, FALSE), ==, 0);
  g_assert_cmpint(nc_tap_get_info(f->kernel, name, &info), ==, 0);
  g_assert_cmpint(info.master_ifindex, ==, 0);
  g_assert_false(info.link.up);
  g_assert_cmpint(nc_link_set_master(f->kernel, ifindex, 999999, TRUE), <, 0);
}

static gboolean
bridge_isolated(const char *name)
{
  const char *argv[] = { "bridge", "-j", "-d", "link", "show", "dev", name, NULL };
  g_autoptr(JsonObject) o = run_json(argv);
  g_assert_true(json_object_has_member(o, "isolated"));
  return json_object_get_boolean_member(o, "isolated");
}

static void
test_isolated(Fixture *f, gconstpointer data)
{
  NcTapConfig config = { .name = "nctapi", .owner = -1, .group = -1 };
  char name[IF_NAMESIZE];
  int ifindex = create(f, &config, name);
  gboolean isolated = TRUE;
  /* Not a bridge port yet. */
  g_assert_cmpint(nc_bridge_port_get_isolated(f->kernel, ifindex, &isolated), ==, -EOPNOTSUPP);
  g_assert_cmpint(nc_bridge_port_set_isolated(f->kernel, ifindex, TRUE), ==, -EOPNOTSUPP);

  g_assert_cmpint(nc_link_set_master(f->kernel, ifindex, f->bridge, TRUE), ==, 0);
  g_assert_cmpint(nc_bridge_port_get_isolated(f->kernel, ifindex, &isolated), ==, 0);
  g_assert_false(isolated);
  g_assert_false(bridge_isolated(name));

  g_assert_cmpint(nc_bridge_port_set_isolated(f->kernel, ifindex, TRUE), ==, 0);
  g_assert_cmpint(nc_bridge_port_get_isolated(f->kernel, ifindex, &isolated), ==, 0);
  g_assert_true(isolated);
  g_assert_true(bridge_isolated(name));

  g_assert_cmpint(nc_bridge_port_set_isolated(f->kernel, ifindex, FALSE), ==, 0);
  g_assert_cmpint(nc_bridge_port_get_isolated(f->kernel, ifindex, &isolated), ==, 0);
  g_assert_false(isolated);
  g_assert_false(bridge_isolated(name));
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static void
test_list_ports(Fixture *f, gconstpointer data)
{
  NcBridgeConfig br = { .name = "nctapbr1" };
  int other = 0;
  g_assert_cmpint(nc_bridge_create(f->kernel, &br, &other), ==, 0);
  const char *names[] = { "nctl2", "nctl0", "nctl1" };
  char name[IF_NAMESIZE];
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    NcTapConfig config
        = { .name = names[i], .owner = -1, .group = -1, .master_ifindex = f->bridge, .up = TRUE };
    g_assert_cmpint(create(f, &config, name), >, 0);
  }
  NcTapConfig elsewhere = { .name = "nctlx", .owner = -1, .group = -1, .master_ifindex = other };
  g_assert_cmpint(create(f, &elsewhere, name), >, 0);
  NcTapConfig loose = { .name = "nctly", .owner = -1, .group = -1 };
  g_assert_cmpint(create(f, &loose, name), >, 0);

  g_autoptr(GPtrArray) ports = NULL;
  g_assert_cmpint(nc_bridge_list_ports(f->kernel, f->bridge, &ports), ==, 0);
  g_ptr_array_sort(ports, compare_names);
  g_assert_cmpuint(ports->len, ==, 3);
  g_assert_cmpstr(ports->pdata[0], ==, "nctl0");
  g_assert_cmpstr(ports->pdata[1], ==, "nctl1");
  g_assert_cmpstr(ports->pdata[2], ==, "nctl2");
  g_autoptr(GPtrArray) others = NULL;
  g_assert_cmpint(nc_bridge_list_ports(f->kernel, other, &others), ==, 0);
  g_assert_cmpuint(others->len, ==, 1);
  g_assert_cmpstr(others->pdata[0], ==, "nctlx");
  g_assert_cmpint(nc_bridge_list_ports(f->kernel, 0, &others), ==, -EINVAL);
}

/* In a child with uid/gid (and no other groups, no capabilities): TUNSETIFF
 * on the TAP `name`. The child's exit status: 0, or the errno. */
static int
attach_as(const char *name, uid_t uid, gid_t gid)
{
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
      _exit(100);
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
      _exit(101);
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
    g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
    _exit(ioctl(fd, TUNSETIFF, &ifr) < 0 ? errno : 0);
  }
  /* Bounded wait: 10 s, then the child is killed. */
  int status = 0;
  for (int i = 0; i < 10000; i++) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    g_assert_cmpint(r, >=, 0);
    if (r == pid)
      break;
    if (i == 9999) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      g_error("child %d did not finish in 10 s", pid);
    }
    g_usleep(1000);
  }
  g_assert_true(WIFEXITED(status));
  int code = WEXITSTATUS(status);
  if (code == 100 || code == 101)
    g_error("child could not %s", code == 100 ? "drop privileges" : "open /dev/net/tun");
  return code;
}

static void
test_unprivileged(Fixture *f, gconstpointer data)
{
  char name[IF_NAMESIZE];
  NcTapConfig mine = { .name = "nctapu",
                       .owner = 65534,
                       .group = -1,
                       .vnet_hdr = TRUE,
                       .master_ifindex = f->bridge,
                       .up = TRUE };
  g_assert_cmpint(create(f, &mine, name), >, 0);
  g_assert_cmpint(attach_as("nctapu", 65534, 65534), ==, 0);
  g_assert_cmpint(attach_as("nctapu", 65533, 65534), ==, EPERM);
  /* Still there after its owner's fd closed. */
  NcTapInfo info;
  g_assert_cmpint(nc_tap_get_info(f->kernel, "nctapu", &info), ==, 0);
  g_assert_true(info.persist);

  /* Group access: any member of the group, and nobody else. */
  NcTapConfig group = { .name = "nctapg", .owner = -1, .group = 65533, .vnet_hdr = TRUE };
  g_assert_cmpint(create(f, &group, name), >, 0);
  g_assert_cmpint(attach_as("nctapg", 65532, 65533), ==, 0);
  g_assert_cmpint(attach_as("nctapg", 65532, 65532), ==, EPERM);

  /* Owner and group: both must match. */
  NcTapConfig both = { .name = "nctapb", .owner = 65534, .group = 65533, .vnet_hdr = TRUE };
  g_assert_cmpint(create(f, &both, name), >, 0);
  g_assert_cmpint(attach_as("nctapb", 65534, 65533), ==, 0);
  g_assert_cmpint(attach_as("nctapb", 65534, 65534), ==, EPERM);
  g_assert_cmpint(attach_as("nctapb", 65532, 65533), ==, EPERM);

  /* Beware: with neither owner nor group the kernel lets ANY user who can
   * open /dev/net/tun attach (tun_not_capable()); a TAP meant for root only
   * needs owner 0. */
  NcTapConfig none = { .name = "nctapn", .owner = -1, .group = -1, .vnet_hdr = TRUE };
  g_assert_cmpint(create(f, &none, name), >, 0);
  g_assert_cmpint(attach_as("nctapn", 65534, 65534), ==, 0);
  NcTapConfig root = { .name = "nctapr", .owner = 0, .group = -1, .vnet_hdr = TRUE };
  g_assert_cmpint(create(f, &root, name), >, 0);
  g_assert_cmpint(attach_as("nctapr", 65534, 65534), ==, EPERM);
}

/* /dev/net/tun openable by everyone, as udev makes it on most distributions
 * (where the host's node is 0600, an unprivileged VMM gets EACCES before
 * any TAP permission is checked): a node of our own on a tmpfs, in our
 * private mount namespace. */
static gboolean
private_tun_node(void)
{
  if (mount("tun", "/dev/net", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755") < 0)
    return FALSE;
  if (mknod("/dev/net/tun", S_IFCHR | 0666, makedev(10, 200)) < 0)
    return FALSE;
  return chmod("/dev/net/tun", 0666) == 0;
}

/* `ip -j -6 addr` of name: its IPv6 addresses as text, "" for none (ip
 * then prints an empty array). */
static char *
ipv6_addrs(const char *name)
{
  const char *argv[] = { "ip", "-j", "-6", "addr", "show", "dev", name, NULL };
  g_autofree char *out = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                             NULL, &status, &error));
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, &error));
  JsonArray *links = json_node_get_array(json_parser_get_root(parser));
  g_autoptr(GString) text = g_string_new(NULL);
  for (guint l = 0; l < json_array_get_length(links); l++) {
    JsonObject *o = json_array_get_object_element(links, l);
    JsonArray *info = json_object_has_member(o, "addr_info")
                          ? json_object_get_array_member(o, "addr_info")
                          : NULL;
    for (guint i = 0; info && i < json_array_get_length(info); i++) {
      JsonObject *a = json_array_get_object_element(info, i);
      if (json_object_has_member(a, "local"))
        g_string_append_printf(text, "%s ", json_object_get_string_member(a, "local"));
    }
  }
  return g_string_free(g_steal_pointer(&text), FALSE);
}

/* no_ipv6: the port gets no IPv6 address once a VMM opens it (carrier on,
 * addrconf runs), while a port made without it, opened alongside, gets its
 * link-local address: the control that addrconf has run. */
static void
test_no_ipv6(Fixture *f, gconstpointer data)
{
  if (access("/proc/sys/net/ipv6/conf/all/disable_ipv6", F_OK) < 0) {
    g_test_skip("no IPv6 in this kernel");
    return;
  }
  NcTapConfig quiet = { .name = "nctap6", .owner = -1, .group = -1,
                        .master_ifindex = f->bridge, .up = TRUE, .no_ipv6 = TRUE };
  NcTapConfig control = quiet;
  control.name = "nctapc";
  control.no_ipv6 = FALSE;
  char name[IF_NAMESIZE];
  g_assert_cmpint(create(f, &quiet, name), >, 0);
  g_assert_cmpint(create(f, &control, name), >, 0);
  g_autofree char *mode = tu_read("/proc/sys/net/ipv6/conf/nctap6/addr_gen_mode");
  g_assert_nonnull(mode);
  g_assert_cmpstr(g_strchomp(mode), ==, "1"); /* IN6_ADDR_GEN_MODE_NONE */

  int fds[2];
  const char *names[] = { "nctap6", "nctapc" };
  for (int i = 0; i < 2; i++) {
    fds[i] = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    g_assert_cmpint(fds[i], >=, 0);
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
    g_strlcpy(ifr.ifr_name, names[i], IFNAMSIZ);
    g_assert_cmpint(ioctl(fds[i], TUNSETIFF, &ifr), ==, 0);
  }
  /* Both carriers seen (operstate UP comes from the same linkwatch run that
   * tells addrconf) and the control's address made: bounded at 10 s. */
  gboolean ready = FALSE;
  for (int i = 0; i < 1000 && !ready; i++) {
    g_autoptr(JsonObject) a = ip_link("nctap6");
    g_autoptr(JsonObject) b = ip_link("nctapc");
    g_autofree char *addrs = ipv6_addrs("nctapc");
    ready = g_str_equal(json_object_get_string_member(a, "operstate"), "UP")
            && g_str_equal(json_object_get_string_member(b, "operstate"), "UP")
            && strstr(addrs, "fe80:") != NULL;
    if (!ready)
      g_usleep(10000);
  }
  g_assert_true(ready);
  g_autofree char *none = ipv6_addrs("nctap6");
  g_assert_cmpstr(none, ==, "");
  close(fds[0]);
  close(fds[1]);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (!tu_enter_private_netns()) {
    printf("SKIP: cannot enter a private network+mount namespace (needs root): %s\n",
           g_strerror(errno));
    return 77;
  }
  if (access("/dev/net/tun", F_OK) < 0) {
    printf("SKIP: no /dev/net/tun (tun driver missing)\n");
    return 77;
  }
  if (!private_tun_node()) {
    printf("SKIP: cannot make a private /dev/net/tun node: %s\n", g_strerror(errno));
    return 77;
  }

#define ADD(path, func) g_test_add(path, Fixture, NULL, setup, func, teardown)
  ADD("/tap/create-full", test_create_full);
  ADD("/tap/minimal", test_minimal);
  ADD("/tap/multiqueue", test_multiqueue);
  ADD("/tap/template", test_template);
  ADD("/tap/name-taken", test_name_taken);
  ADD("/tap/bad-input-and-undo", test_bad_input_and_undo);
  ADD("/tap/master", test_master);
  ADD("/tap/isolated", test_isolated);
  ADD("/tap/list-ports", test_list_ports);
  ADD("/tap/unprivileged", test_unprivileged);
  ADD("/tap/no-ipv6", test_no_ipv6);
  return g_test_run();
}
