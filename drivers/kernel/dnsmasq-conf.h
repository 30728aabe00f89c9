/* network definition -> dnsmasq configuration: a pure function.
 *
 * The output follows libvirt's networkDnsmasqConfContents option for option
 * and line for line, so a host moving from libvirt sees the same dnsmasq
 * behaviour (tests/dnsmasq compares with libvirt's networkxml2confdata).
 * One deliberate difference, chosen by NcDnsmasqConfOptions.bind: networks
 * whose addresses our firewall guards get bind-interfaces, not bind-dynamic. */
#pragma once

#include <glib.h>

#include "network-def.h"

G_BEGIN_DECLS

typedef enum {
  /* bind-interfaces when netctl's firewall guards the network's DNS/TFTP
   * (nc_fw_ruleset_guards_services()), else bind-dynamic. */
  NC_DNSMASQ_BIND_AUTO = 0,
  NC_DNSMASQ_BIND_DYNAMIC, /* libvirt's choice for every network */
} NcDnsmasqBind;

typedef struct {
  const char *dnsmasq_dir; /* where NAME.hostsfile and NAME.addnhosts live */
  const char *pid_file;    /* NULL: no pid-file= line (tests) */
  NcDnsmasqBind bind;
} NcDnsmasqConfOptions;

typedef struct {
  char *conf;      /* the configuration file */
  char *hostsfile; /* dhcp-hostsfile contents; NULL when there are no static hosts */
  char *addnhosts; /* addn-hosts contents ("" when there are no DNS hosts) */
  gboolean needed; /* FALSE when the network needs no dnsmasq at all */
} NcDnsmasqConf;

void nc_dnsmasq_conf_clear(NcDnsmasqConf *conf);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NcDnsmasqConf, nc_dnsmasq_conf_clear)

/* Fails (CONFIG_UNSUPPORTED) only for what libvirt also refuses at this step,
 * e.g. a localPtr prefix that is not on an octet (IPv4) or nibble (IPv6)
 * boundary. `def` must have passed nc_network_def_check(). */
gboolean nc_dnsmasq_conf_build(const NcNetworkDef *def, const NcDnsmasqConfOptions *opts,
                               NcDnsmasqConf *ret_conf, GError **error);

/* The base name of a network's dnsmasq files (NAME.conf, NAME.hostsfile,
 * NAME.addnhosts): the network name with XML's five special characters
 * escaped, as libvirt names them, so dnsmasq (which strips double quotes
 * from its config lines) sees no quote in a path. Caller frees. */
char *nc_dnsmasq_file_base(const char *network_name);

/* One dhcp-hostsfile line for a static host (without newline), as libvirt
 * writes it; used by net-update to rewrite the hostsfile. */
char *nc_dnsmasq_host_line(const NcDhcpHost *host, gboolean ipv6);

G_END_DECLS
