/* Devices netctl made, known by the alias it tagged them with (a port's
 * TAP or macvtap: nc_port_device_alias). Implemented with the link reply
 * reader (link-reply.c). Conventions as in nc-kernel.h. */
#pragma once

#include "nc-kernel.h"

G_BEGIN_DECLS

/* 1 and *ret_ifindex when the link called name carries alias (and is of
 * kind, when kind is not NULL); 0 when there is no such link or it is
 * someone else's now; -errno when the kernel could not tell. */
int nc_link_find_tagged(NcKernel *kernel, const char *name, const char *kind, const char *alias,
                        int *ret_ifindex);

G_END_DECLS
