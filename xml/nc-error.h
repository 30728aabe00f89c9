/* One error domain for all of netctl.
 *
 * Codes carry libvirt's virErrorNumber values so the libvirt-protocol front end
 * can pass them through unchanged and D-Bus clients see the same error names.
 * Messages quote the user's value, say where it is (file:line, element) and what
 * to do about it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NC_ERROR (nc_error_quark())
GQuark nc_error_quark(void);

typedef enum {
  NC_ERROR_INTERNAL_ERROR = 1,
  NC_ERROR_NO_MEMORY = 2,
  NC_ERROR_NO_SUPPORT = 3,
  NC_ERROR_INVALID_ARG = 8,
  NC_ERROR_OPERATION_FAILED = 9,
  NC_ERROR_XML_ERROR = 27,
  NC_ERROR_OPERATION_DENIED = 29,
  NC_ERROR_OPEN_FAILED = 30,
  NC_ERROR_READ_FAILED = 31,
  NC_ERROR_PARSE_FAILED = 32,
  NC_ERROR_WRITE_FAILED = 34,
  NC_ERROR_XML_DETAIL = 35,
  NC_ERROR_INVALID_NETWORK = 36,
  NC_ERROR_NETWORK_EXIST = 37,
  NC_ERROR_SYSTEM_ERROR = 38,
  NC_ERROR_RPC = 39,
  NC_ERROR_NO_NETWORK = 43,
  NC_ERROR_INVALID_MAC = 44,
  NC_ERROR_OPERATION_INVALID = 55,
  NC_ERROR_CONFIG_UNSUPPORTED = 67,
  NC_ERROR_OPERATION_TIMEOUT = 68,
  NC_ERROR_HOOK_SCRIPT_FAILED = 70,
  NC_ERROR_ARGUMENT_UNSUPPORTED = 74,
  NC_ERROR_OPERATION_UNSUPPORTED = 84,
  NC_ERROR_RESOURCE_BUSY = 87,
  NC_ERROR_ACCESS_DENIED = 88,
  NC_ERROR_XML_INVALID_SCHEMA = 92,
  NC_ERROR_INVALID_NETWORK_PORT = 105,
  NC_ERROR_NETWORK_PORT_EXIST = 106,
  NC_ERROR_NO_NETWORK_PORT = 107,
  NC_ERROR_NO_NETWORK_METADATA = 111,
} NcErrorCode;

/* libvirt's symbolic name without the VIR_ERR_ prefix, e.g. "XML_ERROR";
 * NULL for a value that is not in the enum above. */
const char *nc_error_code_to_string(int code);
/* D-Bus error name, e.g. "org.netctl.Error.XmlError". */
const char *nc_error_code_to_dbus_name(int code);

/* Bytes of escaped text nc_name_escape() keeps before it cuts with "...". */
#define NC_ESCAPE_MAX 512

/* @value for an error or log message: control characters (C0, DEL, C1),
 * backslashes, double quotes and bytes of invalid UTF-8 escaped as
 * g_strescape does, valid UTF-8 kept, cut after NC_ESCAPE_MAX bytes with
 * "...". The one escaping of user values in messages (parser, daemon, CLI):
 * every message stays one bounded line of valid UTF-8 whatever it quotes.
 * NULL gives "(null)". Caller frees. */
char *nc_name_escape(const char *value);

G_END_DECLS
