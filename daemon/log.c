/* "network 'NAME': ..." log lines, with the name as a structured field. */
#include "nc-daemon.h"
#include "nc-log.h"

static void
log_valist(const char *name, GLogLevelFlags level, const char *fmt, va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  /* G_LOG_LEVEL_ERROR aborts; nothing about one network is worth that. */
  if (level & G_LOG_LEVEL_ERROR)
    level = G_LOG_LEVEL_CRITICAL;
  g_log_structured(G_LOG_DOMAIN, level, "NETCTL_NETWORK", name ? name : "", "MESSAGE",
                   "network '%s': %s", name ? name : "?", msg);
}

void
nc_log_network_name(const char *name, GLogLevelFlags level, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  log_valist(name, level, fmt, ap);
  va_end(ap);
}

void
nc_log_network(NcNetwork *net, GLogLevelFlags level, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  log_valist(net ? nc_network_get_name(net) : NULL, level, fmt, ap);
  va_end(ap);
}
