/* The D-Bus front end's message filter (dbus-filter.c). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Answers, itself, the org.freedesktop.DBus.Properties calls whose interface
 * or property name holds a character a message must not quote raw (control
 * characters, backslash, quote): GLib would refuse them with its own
 * "No such property “NAME”" quoting the name raw, a message of many lines.
 * Returns the filter's id (g_dbus_connection_remove_filter). */
guint nc_dbus_filter_install(GDBusConnection *conn);

G_END_DECLS
