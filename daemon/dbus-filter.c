/* Properties.Get/Set/GetAll name an interface and a property in the body.
 * GLib checks both against the introspection data before any handler of
 * ours runs, and its refusals ("No such interface “%s”", "No such property
 * “%s”", "Property “%s” is not writable") quote the caller's string raw: a
 * name with a newline or ESC made a message of several lines or a terminal
 * command. Names that no interface can have are refused here, quoted through
 * nc_name_escape, before GLib sees them; the others go on unchanged. */
#include "dbus-filter.h"

#include "nc-error.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

/* The string child @i of @body, or NULL. */
static const char *
body_string(GVariant *body, gsize i)
{
  if (body == NULL || !g_variant_is_of_type(body, G_VARIANT_TYPE_TUPLE)
      || g_variant_n_children(body) <= i)
    return NULL;
  g_autoptr(GVariant) child = g_variant_get_child_value(body, i);
  /* The child is a view into @body, which the message keeps alive. */
  return g_variant_is_of_type(child, G_VARIANT_TYPE_STRING) ? g_variant_get_string(child, NULL)
                                                            : NULL;
}

static gboolean
needs_escape(const char *s, char **ret_escaped)
{
  g_autofree char *escaped = s ? nc_name_escape(s) : NULL;
  if (escaped == NULL || g_str_equal(escaped, s))
    return FALSE;
  *ret_escaped = g_steal_pointer(&escaped);
  return TRUE;
}

/* The error for @msg, or NULL when GLib may handle it as usual. */
static GDBusMessage *
refusal(GDBusMessage *msg)
{
  GVariant *body = g_dbus_message_get_body(msg);
  g_autofree char *iface = NULL;
  g_autofree char *name = NULL;

  if (needs_escape(body_string(body, 0), &iface))
    return g_dbus_message_new_method_error(msg, "org.freedesktop.DBus.Error.InvalidArgs",
                                           "no interface '%s' on object %s", iface,
                                           g_dbus_message_get_path(msg));
  if (!g_str_equal(g_dbus_message_get_member(msg), "GetAll")
      && needs_escape(body_string(body, 1), &name))
    return g_dbus_message_new_method_error(msg, "org.freedesktop.DBus.Error.InvalidArgs",
                                           "no property '%s' on %s", name, body_string(body, 0));
  return NULL;
}

/* Runs in GDBus's worker thread, unlocked: touches nothing but @msg. */
static GDBusMessage *
filter(GDBusConnection *conn, GDBusMessage *msg, gboolean incoming, gpointer user_data)
{
  if (!incoming || g_dbus_message_get_message_type(msg) != G_DBUS_MESSAGE_TYPE_METHOD_CALL
      || g_strcmp0(g_dbus_message_get_interface(msg), PROPERTIES_INTERFACE) != 0
      || g_dbus_message_get_member(msg) == NULL)
    return msg;
  g_autoptr(GDBusMessage) reply = refusal(msg);
  if (reply == NULL)
    return msg;
  g_dbus_connection_send_message(conn, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref(msg);
  return NULL;
}

guint
nc_dbus_filter_install(GDBusConnection *conn)
{
  return g_dbus_connection_add_filter(conn, filter, NULL, NULL);
}
