/* Injection checks: every user-supplied string of a network definition that
 * ends up in a dnsmasq configuration line, a command argument, a sysfs write
 * or a file name is checked here, more strictly than libvirt does.
 *
 * The nc_name_check_* validators return NULL when the value is acceptable and
 * otherwise a static phrase saying why it is not ("contains a newline"), for
 * the caller to build its message around. They never allocate. */
#pragma once

#include "nc-error.h" /* nc_name_escape() */
#include "network-def.h"

G_BEGIN_DECLS

/* Longest network name: the name becomes file names with suffixes of up to
 * 15 bytes ("NAME-radvd.conf", "NAME.hostsfile") that must stay under
 * NAME_MAX (255). */
#define NC_NETWORK_NAME_MAX 200

/* A network name: 1..NC_NETWORK_NAME_MAX bytes of UTF-8, no '/', not starting
 * with '.', no control characters, no leading or trailing white space, and no
 * '#' after white space (dnsmasq cuts a line there). Quotes are allowed, as in
 * libvirt, as long as the name with ' " & < > escaped as XML entities (the
 * dnsmasq file names) still leaves room for the longest suffix. */
const char *nc_name_check_network(const char *name);

/* A Linux interface name (dev_valid_name, stricter): 1..15 bytes of
 * [A-Za-z0-9_.+-], not "." or "..". With @allow_template a single "%d" may
 * appear, and the name must still fit with the number expanded. */
const char *nc_name_check_ifname(const char *name, gboolean allow_template);

/* A host name (RFC 1123, plus '_'): dot-separated labels of 1..63 bytes of
 * [A-Za-z0-9_-] that neither start nor end with '-', at most 253 bytes, no
 * trailing dot. */
const char *nc_name_check_hostname(const char *name);

/* A DNS domain name: like a host name, with one optional trailing dot. */
const char *nc_name_check_domain(const char *name);

/* A value written as the rest of one dnsmasq line: no control characters
 * (newline, carriage return, tab, NUL...), no '"' (dnsmasq starts a quoted
 * string), no '#' after white space (a comment), valid UTF-8. */
const char *nc_name_check_line(const char *value);

/* A value that is one comma-separated field of a dnsmasq line: as
 * nc_name_check_line, and no ','. */
const char *nc_name_check_field(const char *value);

/* An absolute path without "." or ".." components, as a dnsmasq field. */
const char *nc_name_check_abs_path(const char *path);

/* A DHCPv6 DUID as libvirt writes it: hex digits and ':', non-empty. */
const char *nc_name_check_duid(const char *id);

/* A short token (SRV service/protocol, zone, driver model, profile id):
 * 1..@max bytes of [A-Za-z0-9] and the characters in @extra. */
const char *nc_name_check_token(const char *value, gsize max, const char *extra);

/* A free-form label that never reaches a file or a command line but is
 * printed and stored (portgroup names): 1..255 bytes of UTF-8 without
 * control characters. */
const char *nc_name_check_label(const char *value);

/* Runs the checks above on every relevant field of @def. Errors are
 * NC_ERROR_XML_ERROR, "FILE:LINE: network 'NAME': <element>: ...". */
gboolean nc_network_def_check_names(const NcNetworkDef *def, GError **error);

G_END_DECLS
