/* libvirt's RPC protocol as numbers: programs, message types, limits and the
 * procedure numbers netctld answers.
 *
 * Written from libvirt's protocol definitions (virnetprotocol.x,
 * virkeepaliveprotocol.x, remote_protocol.x); every value here is the one on
 * the wire and must never change. The procedure numbers were checked against
 * remote_protocol.x (enum remote_procedure, append-only: 9.0 ends at 443,
 * 9.7 adds 444-446) and tests/rpc/test-rpc-readonly.c asserts them by name.
 * There is no IS_ENCRYPTED procedure: libvirt's client asks IS_SECURE (149)
 * and judges the encryption from its own transport. Procedures are listed in full only where
 * netctld serves them; any other number gets a "not supported" error reply. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* -- virnetprotocol.x ------------------------------------------------------ */

#define NC_RPC_MESSAGE_MAX 33554432u      /* VIR_NET_MESSAGE_MAX: whole packet, length word included */
#define NC_RPC_MESSAGE_HEADER_MAX 24u     /* VIR_NET_MESSAGE_HEADER_MAX */
#define NC_RPC_MESSAGE_LEN_MAX 4u         /* VIR_NET_MESSAGE_LEN_MAX: the length word */
#define NC_RPC_MESSAGE_INITIAL 65536u     /* VIR_NET_MESSAGE_INITIAL */
#define NC_RPC_STRING_MAX 4194304u        /* VIR_NET_MESSAGE_STRING_MAX = REMOTE_STRING_MAX */

typedef enum {
  NC_RPC_CALL = 0,
  NC_RPC_REPLY = 1,
  NC_RPC_MESSAGE = 2,
  NC_RPC_STREAM = 3,
  NC_RPC_CALL_WITH_FDS = 4,
  NC_RPC_REPLY_WITH_FDS = 5,
  NC_RPC_STREAM_HOLE = 6,
} NcRpcType;

typedef enum {
  NC_RPC_OK = 0,
  NC_RPC_ERROR = 1,
  NC_RPC_CONTINUE = 2,
} NcRpcStatus;

/* -- programs ------------------------------------------------------------------ */

#define NC_RPC_REMOTE_PROGRAM 0x20008086u
#define NC_RPC_REMOTE_VERSION 1u
#define NC_RPC_KEEPALIVE_PROGRAM 0x6b656570u /* "keep" */
#define NC_RPC_KEEPALIVE_VERSION 1u
#define NC_RPC_KEEPALIVE_PING 1
#define NC_RPC_KEEPALIVE_PONG 2

/* -- remote_protocol.x limits ---------------------------------------------------- */

#define NC_RPC_NETWORK_LIST_MAX 16384u
#define NC_RPC_NETWORK_PORT_LIST_MAX 16384u
#define NC_RPC_NETWORK_DHCP_LEASES_MAX 65536u
#define NC_RPC_NETWORK_PORT_PARAMETERS_MAX 16u
#define NC_RPC_AUTH_TYPE_LIST_MAX 20u
#define NC_RPC_CONNECT_IDENTITY_PARAMS_MAX 20u
#define NC_RPC_DOMAIN_LIST_MAX 16384u
#define NC_RPC_UUID_LEN 16u

/* remote_auth_type */
#define NC_RPC_AUTH_NONE 0

/* virErrorLevel, virErrorDomain values used in remote_error. */
#define NC_RPC_ERR_LEVEL_ERROR 2
#define NC_RPC_FROM_REMOTE 13
#define NC_RPC_FROM_RPC 7
#define NC_RPC_FROM_NETWORK 19

/* virConnectOpen flags: VIR_CONNECT_RO */
#define NC_RPC_CONNECT_RO 1u

/* VIR_DRV_FEATURE_* asked through CONNECT_SUPPORTS_FEATURE */
#define NC_RPC_FEATURE_FD_PASSING 8
#define NC_RPC_FEATURE_TYPED_PARAM_STRING 9
#define NC_RPC_FEATURE_PROGRAM_KEEPALIVE 10
#define NC_RPC_FEATURE_REMOTE_EVENT_CALLBACK 14
#define NC_RPC_FEATURE_REMOTE_CLOSE_CALLBACK 15
#define NC_RPC_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER 16

/* virTypedParameterType */
#define NC_RPC_TYPED_PARAM_INT 1
#define NC_RPC_TYPED_PARAM_UINT 2
#define NC_RPC_TYPED_PARAM_LLONG 3
#define NC_RPC_TYPED_PARAM_ULLONG 4
#define NC_RPC_TYPED_PARAM_DOUBLE 5
#define NC_RPC_TYPED_PARAM_BOOLEAN 6
#define NC_RPC_TYPED_PARAM_STRING 7

/* Network event ids (virNetworkEventID) */
#define NC_RPC_NETWORK_EVENT_ID_LIFECYCLE 0
#define NC_RPC_NETWORK_EVENT_ID_METADATA_CHANGE 1

/* -- remote_procedure (the ones served) ------------------------------------------- */

typedef enum {
  NC_PROC_CONNECT_OPEN = 1,
  NC_PROC_CONNECT_CLOSE = 2,
  NC_PROC_CONNECT_GET_TYPE = 3,
  NC_PROC_CONNECT_GET_VERSION = 4,
  NC_PROC_NODE_GET_INFO = 6,
  NC_PROC_CONNECT_GET_CAPABILITIES = 7,
  NC_PROC_CONNECT_LIST_DEFINED_NETWORKS = 36,
  NC_PROC_CONNECT_LIST_NETWORKS = 38,
  NC_PROC_NETWORK_CREATE = 39,
  NC_PROC_NETWORK_CREATE_XML = 40,
  NC_PROC_NETWORK_DEFINE_XML = 41,
  NC_PROC_NETWORK_DESTROY = 42,
  NC_PROC_NETWORK_GET_XML_DESC = 43,
  NC_PROC_NETWORK_GET_AUTOSTART = 44,
  NC_PROC_NETWORK_GET_BRIDGE_NAME = 45,
  NC_PROC_NETWORK_LOOKUP_BY_NAME = 46,
  NC_PROC_NETWORK_LOOKUP_BY_UUID = 47,
  NC_PROC_NETWORK_SET_AUTOSTART = 48,
  NC_PROC_NETWORK_UNDEFINE = 49,
  NC_PROC_CONNECT_NUM_OF_DEFINED_NETWORKS = 50,
  NC_PROC_CONNECT_NUM_OF_NETWORKS = 52,
  NC_PROC_CONNECT_GET_HOSTNAME = 59,
  NC_PROC_CONNECT_SUPPORTS_FEATURE = 60,
  NC_PROC_AUTH_LIST = 66,
  NC_PROC_CONNECT_GET_URI = 110,
  NC_PROC_CONNECT_IS_SECURE = 149,
  NC_PROC_NETWORK_IS_ACTIVE = 152,
  NC_PROC_NETWORK_IS_PERSISTENT = 153,
  NC_PROC_CONNECT_GET_LIB_VERSION = 157,
  NC_PROC_CONNECT_GET_SYSINFO = 203,
  NC_PROC_CONNECT_LIST_ALL_DOMAINS = 273,
  NC_PROC_CONNECT_LIST_ALL_NETWORKS = 283,
  NC_PROC_NETWORK_UPDATE = 291,
  NC_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY = 313,
  NC_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY = 314,
  NC_PROC_NETWORK_EVENT_LIFECYCLE = 315,
  NC_PROC_NETWORK_GET_DHCP_LEASES = 341,
  NC_PROC_CONNECT_REGISTER_CLOSE_CALLBACK = 360,
  NC_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK = 361,
  NC_PROC_NETWORK_LIST_ALL_PORTS = 404,
  NC_PROC_NETWORK_PORT_LOOKUP_BY_UUID = 405,
  NC_PROC_NETWORK_PORT_CREATE_XML = 406,
  NC_PROC_NETWORK_PORT_GET_PARAMETERS = 407,
  NC_PROC_NETWORK_PORT_SET_PARAMETERS = 408,
  NC_PROC_NETWORK_PORT_GET_XML_DESC = 409,
  NC_PROC_NETWORK_PORT_DELETE = 410,
  NC_PROC_CONNECT_SET_IDENTITY = 419,
  NC_PROC_NETWORK_DEFINE_XML_FLAGS = 432,
  NC_PROC_NETWORK_CREATE_XML_FLAGS = 437,
  /* libvirt 9.7 / 9.8 (no Debian 12 client sends them). */
  NC_PROC_NETWORK_SET_METADATA = 444,
  NC_PROC_NETWORK_GET_METADATA = 445,
  NC_PROC_NETWORK_EVENT_CALLBACK_METADATA_CHANGE = 446,
} NcRpcProcedure;

/* The highest procedure number any libvirt release defines that we know of;
 * the read-only table test walks 1..this. */
#define NC_PROC_LAST_KNOWN 460

G_END_DECLS
