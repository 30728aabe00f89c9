/* Injection checks for the strings of a network definition that reach a
 * dnsmasq configuration line, a hosts file, a command argument, sysfs or a
 * file name. libvirt checks few of these (a network name may not contain '/'
 * or a newline); we check every one, and say which character is the problem.
 *
 * What dnsmasq does with a configuration line (option.c, read_file): leading
 * and trailing white space is dropped, a '#' after white space starts a
 * comment, '"' starts a quoted string (and an unbalanced one is a fatal
 * error), and ',' separates the fields of most options. A newline ends the
 * line, so a value containing one could add any option of its choice. */
#include "network-check-names.h"
#include "network-check-priv.h"

#include <net/if.h>
#include <string.h>

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* -- character classes --------------------------------------------------------- */

static gboolean
has_control(const char *s)
{
  for (const guchar *p = (const guchar *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* dnsmasq treats '#' as a comment when it follows white space. */
static gboolean
has_comment(const char *s)
{
  for (const char *p = strchr(s, '#'); p; p = strchr(p + 1, '#'))
    if (p > s && g_ascii_isspace(p[-1]))
      return TRUE;
  return FALSE;
}

static const char *
check_text(const char *s)
{
  if (!g_utf8_validate(s, -1, NULL))
    return "is not valid UTF-8";
  if (has_control(s))
    return "contains a control character (newline, carriage return, tab, ...)";
  return NULL;
}

/* -- validators --------------------------------------------------------------- */

const char *
nc_name_check_network(const char *name)
{
  const char *why;
  gsize n;

  if (!name || !*name)
    return "is empty";
  n = strlen(name);
  if (n > NC_NETWORK_NAME_MAX)
    return "is longer than 200 bytes";
  if ((why = check_text(name)))
    return why;
  if (strchr(name, '/'))
    return "contains '/' (the name is used as a file name)";
  if (name[0] == '.')
    return "starts with '.' (the name is used as a file name)";
  if (g_ascii_isspace(name[0]) || g_ascii_isspace(name[n - 1]))
    return "starts or ends with white space";
  if (has_comment(name))
    return "contains '#' after white space, which starts a comment in dnsmasq's configuration";
  /* dnsmasq's files are named after the name with ' " & < > written as
   * XML entities (as libvirt does); with the longest suffix (15 bytes, see
   * NC_NETWORK_NAME_MAX) they must fit a file name (255 bytes), or the
   * network would be defined but never start. */
  gsize escaped = n;
  for (const char *p = name; *p; p++)
    escaped += *p == '\'' || *p == '"' ? 5 : *p == '&' ? 4 : *p == '<' || *p == '>' ? 3 : 0;
  if (escaped + 15 > 255)
    return "is too long for the file names made from it (its ' \" & < > count as 4 to 6 "
           "bytes each there)";
  return NULL;
}

const char *
nc_name_check_ifname(const char *name, gboolean allow_template)
{
  const char *pct;
  gsize n;

  if (!name || !*name)
    return "is empty";
  if (has_control(name))
    return "contains a control character (newline, carriage return, tab, ...)";
  n = strlen(name);
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return "is '.' or '..'";
  pct = strchr(name, '%');
  if (pct) {
    if (!allow_template)
      return "contains '%'";
    if (pct[1] != 'd' || strchr(pct + 1, '%'))
      return "may contain '%' only as a single \"%d\" template";
    /* "%d" becomes a number up to 256 (libvirt's MAX_BRIDGE_ID). */
    n = n - 2 + 3;
  }
  if (n >= IFNAMSIZ)
    return "is longer than 15 bytes (IFNAMSIZ)";
  for (const char *p = name; *p; p++) {
    if (p == pct) {
      p++;
      continue;
    }
    if (!strchr(ALNUM "_.+-", *p))
      return "contains a character other than letters, digits, '_', '.', '+' and '-'";
  }
  return NULL;
}

static const char *
check_labels(const char *name, gboolean allow_trailing_dot)
{
  gsize n;
  const char *p = name;

  if (!name || !*name)
    return "is empty";
  if (has_control(name))
    return "contains a control character (newline, carriage return, tab, ...)";
  n = strlen(name);
  if (n > 253)
    return "is longer than 253 bytes";
  if (name[n - 1] == '.') {
    if (!allow_trailing_dot)
      return "ends with '.'";
    if (--n == 0)
      return "is only '.'";
  }
  while (p < name + n) {
    gsize label = strcspn(p, ".");

    if (p + label > name + n)
      label = name + n - p;
    if (label == 0)
      return "has an empty label (\"..\" or a leading '.')";
    if (label > 63)
      return "has a label longer than 63 bytes";
    if (strspn(p, ALNUM "_-") < label)
      return "contains a character other than letters, digits, '-', '_' and '.'";
    if (p[0] == '-' || p[label - 1] == '-')
      return "has a label that starts or ends with '-'";
    p += label + 1;
  }
  return NULL;
}

const char *
nc_name_check_hostname(const char *name)
{
  return check_labels(name, FALSE);
}

const char *
nc_name_check_domain(const char *name)
{
  return check_labels(name, TRUE);
}

const char *
nc_name_check_line(const char *value)
{
  const char *why;

  if (!value)
    return NULL;
  if ((why = check_text(value)))
    return why;
  if (strchr(value, '"'))
    return "contains '\"', which starts a quoted string in dnsmasq's configuration";
  if (has_comment(value))
    return "contains '#' after white space, which starts a comment in dnsmasq's configuration";
  return NULL;
}

const char *
nc_name_check_field(const char *value)
{
  const char *why = nc_name_check_line(value);

  if (why)
    return why;
  if (value && strchr(value, ','))
    return "contains ',', which separates fields in dnsmasq's configuration";
  return NULL;
}

const char *
nc_name_check_abs_path(const char *path)
{
  const char *why;
  g_auto(GStrv) parts = NULL;

  if (!path || !*path)
    return "is empty";
  if (path[0] != '/')
    return "is not an absolute path";
  if (strlen(path) >= 4096)
    return "is longer than PATH_MAX";
  if ((why = nc_name_check_field(path)))
    return why;
  if (g_ascii_isspace(path[strlen(path) - 1]))
    return "ends with white space";
  parts = g_strsplit(path, "/", -1);
  for (char **p = parts; *p; p++)
    if (strcmp(*p, "..") == 0 || strcmp(*p, ".") == 0)
      return "contains a '.' or '..' component";
  return NULL;
}

const char *
nc_name_check_duid(const char *id)
{
  if (!id || !*id)
    return "is empty";
  if (strspn(id, "0123456789abcdefABCDEF:") != strlen(id))
    return "contains a character other than hex digits and ':'";
  /* A DUID is at most 130 bytes: "xx:" each. */
  if (strlen(id) > 130 * 3)
    return "is longer than a DUID can be (130 bytes)";
  return NULL;
}

const char *
nc_name_check_token(const char *value, gsize max, const char *extra)
{
  if (!value || !*value)
    return "is empty";
  if (strlen(value) > max)
    return "is too long";
  for (const char *p = value; *p; p++)
    if (!strchr(ALNUM, *p) && !(extra && strchr(extra, *p)))
      return "contains a character that is not allowed here";
  return NULL;
}

const char *
nc_name_check_label(const char *value)
{
  if (!value || !*value)
    return "is empty";
  if (strlen(value) > 255)
    return "is longer than 255 bytes";
  return check_text(value);
}

/* A <dnsmasq:option> is dnsmasq syntax written by the user and copied as one
 * line: quotes are allowed, but it must stay one line and its quotes must
 * balance, or dnsmasq refuses the whole file. */
static const char *
check_dnsmasq_option(const char *value)
{
  gboolean quoted = FALSE;
  const char *why;

  if (!value || !*value)
    return "is empty";
  if ((why = check_text(value)))
    return why;
  for (const char *p = value; *p; p++) {
    if (*p == '"')
      quoted = !quoted;
    else if (quoted && *p == '\\' && p[1])
      p++;
  }
  if (quoted)
    return "has an unbalanced '\"' (dnsmasq would refuse the configuration)";
  return NULL;
}

/* -- walking the definition ------------------------------------------------------ */

static gboolean
bad(const NcCheck *c, GError **error, guint line, const char *element, const char *what,
    const char *value, const char *why)
{
  g_autofree char *v = nc_name_escape(value);

  return nc_check_fail(c, error, NC_ERROR_XML_ERROR, line, "%s: %s '%s' %s", element, what, v, why);
}

#define CHECK(call, line, element, what, value)                                                    \
  do {                                                                                             \
    const char *why_ = (call);                                                                     \
    if (why_)                                                                                      \
      return bad(c, error, (line), (element), (what), (value), why_);                              \
  } while (0)

static gboolean
check_forward_names(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;
  const NcForward *fwd = &def->forward;

  if (def->bridge.name)
    CHECK(nc_name_check_ifname(def->bridge.name, TRUE), def->bridge.line, "<bridge>", "bridge name",
          def->bridge.name);
  if (def->bridge.zone)
    CHECK(nc_name_check_token(def->bridge.zone, 64, "_-+."), def->bridge.line, "<bridge>",
          "firewalld zone", def->bridge.zone);
  /* With <interface> children, dev is a copy of the first one: report that. */
  if (fwd->dev && !(fwd->ifs && fwd->ifs->len > 0))
    CHECK(nc_name_check_ifname(fwd->dev, FALSE), fwd->line, "<forward>", "device name", fwd->dev);
  for (guint i = 0; fwd->ifs && i < fwd->ifs->len; i++) {
    const NcForwardIf *fi = g_ptr_array_index(fwd->ifs, i);
    if (fi->dev)
      CHECK(nc_name_check_ifname(fi->dev, FALSE), fi->line, "<forward><interface>", "device name",
            fi->dev);
  }
  if (fwd->pf && fwd->pf->dev)
    CHECK(nc_name_check_ifname(fwd->pf->dev, FALSE), fwd->pf->line, "<forward><pf>", "device name",
          fwd->pf->dev);
  if (fwd->driver_model)
    CHECK(nc_name_check_token(fwd->driver_model, 64, "_-."), fwd->line, "<forward><driver>",
          "driver model", fwd->driver_model);
  return TRUE;
}

static gboolean
check_dns_names(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;
  const NcDns *dns = &def->dns;

  if (def->domain && def->domain->name)
    CHECK(nc_name_check_domain(def->domain->name), def->domain->line, "<domain>", "domain name",
          def->domain->name);

  for (guint i = 0; dns->forwarders && i < dns->forwarders->len; i++) {
    const NcDnsForwarder *f = g_ptr_array_index(dns->forwarders, i);
    if (f->domain)
      CHECK(nc_name_check_domain(f->domain), f->line, "<dns><forwarder>", "domain", f->domain);
  }
  for (guint i = 0; dns->txts && i < dns->txts->len; i++) {
    const NcDnsTxt *t = g_ptr_array_index(dns->txts, i);
    g_auto(GStrv) strings = NULL;

    if (t->name)
      CHECK(nc_name_check_domain(t->name), t->line, "<dns><txt>", "record name", t->name);
    if (!t->value)
      continue;
    CHECK(nc_name_check_line(t->value), t->line, "<dns><txt>", "value", t->value);
    /* dnsmasq makes each comma-separated part one DNS character-string. */
    strings = g_strsplit(t->value, ",", -1);
    for (char **s = strings; *s; s++)
      if (strlen(*s) > 255)
        return bad(c, error, t->line, "<dns><txt>", "value", t->value,
                   "has a part longer than 255 bytes (a DNS TXT string holds at most 255)");
  }
  for (guint i = 0; dns->srvs && i < dns->srvs->len; i++) {
    const NcDnsSrv *s = g_ptr_array_index(dns->srvs, i);

    /* RFC 6335 service names: at most 15 characters. */
    if (s->service)
      CHECK(nc_name_check_token(s->service, 15, "_-"), s->line, "<dns><srv>", "service",
            s->service);
    if (s->protocol)
      CHECK(nc_name_check_token(s->protocol, 15, "_-"), s->line, "<dns><srv>", "protocol",
            s->protocol);
    if (s->domain)
      CHECK(nc_name_check_domain(s->domain), s->line, "<dns><srv>", "domain", s->domain);
    if (s->target && strcmp(s->target, ".") != 0)
      CHECK(nc_name_check_domain(s->target), s->line, "<dns><srv>", "target", s->target);
  }
  for (guint i = 0; dns->hosts && i < dns->hosts->len; i++) {
    const NcDnsHost *h = g_ptr_array_index(dns->hosts, i);
    for (guint j = 0; h->hostnames && j < h->hostnames->len; j++) {
      const char *hn = g_ptr_array_index(h->hostnames, j);
      CHECK(nc_name_check_hostname(hn), h->line, "<dns><host><hostname>", "host name", hn);
    }
  }
  return TRUE;
}

static gboolean
check_ip_names(const NcCheck *c, GError **error)
{
  const GPtrArray *ips = c->def->ips;

  for (guint i = 0; ips && i < ips->len; i++) {
    const NcIpDef *ip = g_ptr_array_index(ips, i);

    if (ip->tftp_root)
      CHECK(nc_name_check_abs_path(ip->tftp_root), ip->line, "<ip><tftp>", "root", ip->tftp_root);
    if (ip->bootp_file) {
      if (!*ip->bootp_file)
        return bad(c, error, ip->line, "<dhcp><bootp>", "file", ip->bootp_file, "is empty");
      CHECK(nc_name_check_field(ip->bootp_file), ip->line, "<dhcp><bootp>", "file", ip->bootp_file);
    }
    for (guint j = 0; ip->hosts && j < ip->hosts->len; j++) {
      const NcDhcpHost *h = g_ptr_array_index(ip->hosts, j);
      guint line = h->line ? h->line : ip->line;

      if (h->name)
        CHECK(nc_name_check_hostname(h->name), line, "<dhcp><host>", "name", h->name);
      if (h->id)
        CHECK(nc_name_check_duid(h->id), line, "<dhcp><host>", "id", h->id);
    }
  }
  return TRUE;
}

static gboolean
check_vport_names(const NcCheck *c, GError **error, const char *element, const NcVirtualPort *vp)
{
  /* Passed to ovs-vsctl as external-ids:port-profile=VALUE and to the
   * 802.1Qbh switch: no separators or quotes. */
  if (vp && vp->profileid)
    CHECK(nc_name_check_token(vp->profileid, 39, "_-.:@+/"), vp->line, element, "profileid",
          vp->profileid);
  return TRUE;
}

static gboolean
check_other_names(const NcCheck *c, GError **error)
{
  const NcNetworkDef *def = c->def;

  if (!check_vport_names(c, error, "<virtualport><parameters>", def->virtualport))
    return FALSE;
  for (guint i = 0; def->portgroups && i < def->portgroups->len; i++) {
    const NcPortGroup *pg = g_ptr_array_index(def->portgroups, i);

    CHECK(nc_name_check_label(pg->name), pg->line, "<portgroup>", "name", pg->name);
    if (!check_vport_names(c, error, "<portgroup><virtualport><parameters>", pg->virtualport))
      return FALSE;
  }
  for (guint i = 0; def->dnsmasq_options && i < def->dnsmasq_options->len; i++) {
    const char *opt = g_ptr_array_index(def->dnsmasq_options, i);
    CHECK(check_dnsmasq_option(opt), 0, "<dnsmasq:option>", "value", opt);
  }
  return TRUE;
}

gboolean
nc_network_def_check_names(const NcNetworkDef *def, GError **error)
{
  NcCheck c;
  gboolean ok;
  const char *why;

  g_return_val_if_fail(def != NULL, FALSE);

  nc_check_init(&c, def);
  why = nc_name_check_network(def->name);
  if (why)
    ok = bad(&c, error, 0, "<name>", "network name", def->name, why);
  else
    ok = check_forward_names(&c, error) && check_dns_names(&c, error) && check_ip_names(&c, error)
         && check_other_names(&c, error);
  nc_check_clear(&c);
  return ok;
}
