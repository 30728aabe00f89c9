#include "nc-error.h"

#include <string.h>

G_DEFINE_QUARK(netctl-error-quark, nc_error)

typedef struct {
  int code;
  const char *name;
  const char *dbus;
} ErrorName;

static const ErrorName error_names[] = {
  { NC_ERROR_INTERNAL_ERROR, "INTERNAL_ERROR", "org.netctl.Error.InternalError" },
  { NC_ERROR_NO_MEMORY, "NO_MEMORY", "org.netctl.Error.NoMemory" },
  { NC_ERROR_NO_SUPPORT, "NO_SUPPORT", "org.netctl.Error.NoSupport" },
  { NC_ERROR_INVALID_ARG, "INVALID_ARG", "org.netctl.Error.InvalidArg" },
  { NC_ERROR_OPERATION_FAILED, "OPERATION_FAILED", "org.netctl.Error.OperationFailed" },
  { NC_ERROR_XML_ERROR, "XML_ERROR", "org.netctl.Error.XmlError" },
  { NC_ERROR_OPERATION_DENIED, "OPERATION_DENIED", "org.netctl.Error.OperationDenied" },
  { NC_ERROR_OPEN_FAILED, "OPEN_FAILED", "org.netctl.Error.OpenFailed" },
  { NC_ERROR_READ_FAILED, "READ_FAILED", "org.netctl.Error.ReadFailed" },
  { NC_ERROR_PARSE_FAILED, "PARSE_FAILED", "org.netctl.Error.ParseFailed" },
  { NC_ERROR_WRITE_FAILED, "WRITE_FAILED", "org.netctl.Error.WriteFailed" },
  { NC_ERROR_XML_DETAIL, "XML_DETAIL", "org.netctl.Error.XmlDetail" },
  { NC_ERROR_INVALID_NETWORK, "INVALID_NETWORK", "org.netctl.Error.InvalidNetwork" },
  { NC_ERROR_NETWORK_EXIST, "NETWORK_EXIST", "org.netctl.Error.NetworkExist" },
  { NC_ERROR_SYSTEM_ERROR, "SYSTEM_ERROR", "org.netctl.Error.SystemError" },
  { NC_ERROR_RPC, "RPC", "org.netctl.Error.Rpc" },
  { NC_ERROR_NO_NETWORK, "NO_NETWORK", "org.netctl.Error.NoNetwork" },
  { NC_ERROR_INVALID_MAC, "INVALID_MAC", "org.netctl.Error.InvalidMac" },
  { NC_ERROR_OPERATION_INVALID, "OPERATION_INVALID", "org.netctl.Error.OperationInvalid" },
  { NC_ERROR_CONFIG_UNSUPPORTED, "CONFIG_UNSUPPORTED", "org.netctl.Error.ConfigUnsupported" },
  { NC_ERROR_OPERATION_TIMEOUT, "OPERATION_TIMEOUT", "org.netctl.Error.OperationTimeout" },
  { NC_ERROR_HOOK_SCRIPT_FAILED, "HOOK_SCRIPT_FAILED", "org.netctl.Error.HookScriptFailed" },
  { NC_ERROR_ARGUMENT_UNSUPPORTED, "ARGUMENT_UNSUPPORTED", "org.netctl.Error.ArgumentUnsupported" },
  { NC_ERROR_OPERATION_UNSUPPORTED, "OPERATION_UNSUPPORTED", "org.netctl.Error.OperationUnsupported" },
  { NC_ERROR_RESOURCE_BUSY, "RESOURCE_BUSY", "org.netctl.Error.ResourceBusy" },
  { NC_ERROR_ACCESS_DENIED, "ACCESS_DENIED", "org.netctl.Error.AccessDenied" },
  { NC_ERROR_XML_INVALID_SCHEMA, "XML_INVALID_SCHEMA", "org.netctl.Error.XmlInvalidSchema" },
  { NC_ERROR_INVALID_NETWORK_PORT, "INVALID_NETWORK_PORT", "org.netctl.Error.InvalidNetworkPort" },
  { NC_ERROR_NETWORK_PORT_EXIST, "NETWORK_PORT_EXIST", "org.netctl.Error.NetworkPortExist" },
  { NC_ERROR_NO_NETWORK_PORT, "NO_NETWORK_PORT", "org.netctl.Error.NoNetworkPort" },
  { NC_ERROR_NO_NETWORK_METADATA, "NO_NETWORK_METADATA", "org.netctl.Error.NoNetworkMetadata" },
};

static const ErrorName *
lookup(int code)
{
  for (gsize i = 0; i < G_N_ELEMENTS(error_names); i++)
    if (error_names[i].code == code)
      return &error_names[i];
  return NULL;
}

const char *
nc_error_code_to_string(int code)
{
  const ErrorName *e = lookup(code);
  return e ? e->name : NULL;
}

const char *
nc_error_code_to_dbus_name(int code)
{
  const ErrorName *e = lookup(code);
  return e ? e->dbus : "org.netctl.Error.InternalError";
}

char *
nc_name_escape(const char *value)
{
  if (!value)
    return g_strdup("(null)");
  /* g_strescape's escapes for ASCII; valid UTF-8 kept so names stay
   * readable, but C1 controls (U+0080-U+009F, NEL among them) and bytes of
   * invalid UTF-8 escaped too: the message must be one line of valid UTF-8
   * (it goes out over D-Bus). g_strescape itself passes C1 and invalid
   * UTF-8 through as octal-escaped bytes of everything >= 0x80, which
   * would garble every non-ASCII name. */
  GString *out = g_string_sized_new(MIN(strlen(value), NC_ESCAPE_MAX) + 8);
  for (const char *p = value; *p;) {
    guchar c = (guchar)*p;
    /* Bounded: a 4 MiB value quoted whole would drown the message. Cut
     * between characters, so the UTF-8 and the escapes stay whole. */
    if (out->len >= NC_ESCAPE_MAX) {
      g_string_append(out, "...");
      break;
    }
    if (c >= 0x80) {
      gunichar u = g_utf8_get_char_validated(p, -1);
      if (u == (gunichar)-1 || u == (gunichar)-2) {
        g_string_append_printf(out, "\\%03o", c);
        p++;
      } else {
        const char *next = g_utf8_next_char(p);
        /* C1 controls, and the Unicode line and paragraph separators */
        if (u <= 0x9f || u == 0x2028 || u == 0x2029)
          g_string_append_printf(out, "\\u%04X", u);
        else
          g_string_append_len(out, p, next - p);
        p = next;
      }
      continue;
    }
    switch (c) {
    case '\b':
      g_string_append(out, "\\b");
      break;
    case '\f':
      g_string_append(out, "\\f");
      break;
    case '\n':
      g_string_append(out, "\\n");
      break;
    case '\r':
      g_string_append(out, "\\r");
      break;
    case '\t':
      g_string_append(out, "\\t");
      break;
    case '\v':
      g_string_append(out, "\\v");
      break;
    case '\\':
      g_string_append(out, "\\\\");
      break;
    case '"':
      g_string_append(out, "\\\"");
      break;
    default:
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf(out, "\\%03o", c);
      else
        g_string_append_c(out, (char)c);
    }
    p++;
  }
  return g_string_free(out, FALSE);
}
