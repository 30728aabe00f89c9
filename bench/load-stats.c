/* See load-stats.h. */
#include <stdio.h>

#include "load-stats.h"

void
load_record_init(LoadRecord *r)
{
  for (int op = 0; op < LOAD_MAX_OPS; op++)
    r->lat[op] = g_array_new(FALSE, FALSE, sizeof(double));
  r->errors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void
load_record_clear(LoadRecord *r)
{
  for (int op = 0; op < LOAD_MAX_OPS; op++)
    g_clear_pointer(&r->lat[op], g_array_unref);
  g_clear_pointer(&r->errors, g_hash_table_unref);
}

void
load_record_latency(LoadRecord *r, int op, double ms)
{
  g_array_append_val(r->lat[op], ms);
}

void
load_record_error(LoadRecord *r, const char *message)
{
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(r->errors, message));
  g_hash_table_replace(r->errors, g_strdup(message), GUINT_TO_POINTER(n + 1));
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double
pct(GArray *a, double p)
{
  if (a->len == 0)
    return 0;
  guint i = (guint)(p * (a->len - 1) + 0.5);
  return g_array_index(a, double, i);
}

guint
load_report(LoadRecord *records, int n, const char *const *op_names, int n_ops, double elapsed)
{
  g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(double));
  g_autoptr(GHashTable) errors = g_hash_table_new(g_str_hash, g_str_equal);
  guint n_errors = 0;

  for (int op = 0; op < n_ops; op++) {
    g_autoptr(GArray) one = g_array_new(FALSE, FALSE, sizeof(double));
    for (int i = 0; i < n; i++) {
      g_array_append_vals(one, records[i].lat[op]->data, records[i].lat[op]->len);
      g_array_append_vals(all, records[i].lat[op]->data, records[i].lat[op]->len);
    }
    g_array_sort(one, cmp_double);
    if (one->len)
      printf("op\t%s\t%u\t%.2f\t%.2f\t%.2f\n", op_names[op], one->len, pct(one, 0.5),
             pct(one, 0.99), g_array_index(one, double, one->len - 1));
  }
  for (int i = 0; i < n; i++) {
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, records[i].errors);
    while (g_hash_table_iter_next(&it, &k, &v)) {
      guint c = GPOINTER_TO_UINT(g_hash_table_lookup(errors, k)) + GPOINTER_TO_UINT(v);
      g_hash_table_replace(errors, k, GUINT_TO_POINTER(c));
      n_errors += GPOINTER_TO_UINT(v);
    }
  }
  g_array_sort(all, cmp_double);
  printf("total\t%u\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%u\n", all->len, all->len / elapsed,
         pct(all, 0.5), pct(all, 0.9), pct(all, 0.99),
         all->len ? g_array_index(all, double, all->len - 1) : 0.0, n_errors);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, errors);
  while (g_hash_table_iter_next(&it, &k, &v))
    printf("error\t%u\t%s\n", GPOINTER_TO_UINT(v), (const char *)k);
  return n_errors;
}
