/* Latency bookkeeping shared by the load clients (load-client.c over D-Bus,
 * load-virt-client.c over libvirt's RPC): per-thread arrays of call
 * latencies and error counts, merged and printed in one format that
 * tests/robust/load-scenarios.py and bench/load*.sh parse:
 *   op <name> <calls> <p50 ms> <p99 ms> <max ms>     (per kind of call)
 *   total <calls> <calls/s> <p50 ms> <p90 ms> <p99 ms> <max ms> <errors>
 *   error <count> <message>                          (first of each) */
#pragma once

#include <glib.h>

#define LOAD_MAX_OPS 16

typedef struct {
  GArray *lat[LOAD_MAX_OPS]; /* double ms */
  GHashTable *errors;        /* message -> count (GUINT_TO_POINTER) */
} LoadRecord;

void load_record_init(LoadRecord *r);
void load_record_clear(LoadRecord *r);
void load_record_latency(LoadRecord *r, int op, double ms);
void load_record_error(LoadRecord *r, const char *message);
/* Prints the lines above for n records over `elapsed` seconds; returns the
 * number of errors. */
guint load_report(LoadRecord *records, int n, const char *const *op_names, int n_ops,
                  double elapsed);
