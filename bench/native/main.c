/* Runs one hot loop over an input file: a warm-up pass, then `passes` timed
 * samples (each about 10 ms of passes); prints one JSON line with the median and best CPU ns per unit, and the
 * count and sum of a pass (every pass decodes the same).
 *   pontaj_native <loop> <input file> <units> <passes> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "native.h"

/* CPU time of the process: on a shared machine, time spent waiting for a core is not the loop's. */
static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static const struct { const char *name; loop_fn fn; } LOOPS[] = {
  {"wiegand", loop_wiegand}, {"wiegand-edges", loop_wiegand_edges}, {"osdp", loop_osdp},
  {"crc-a", loop_crc_a},     {"crc32c", loop_crc32c},               {"ascii", loop_ascii},
  {"rc522", loop_rc522},
};

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s <loop> <input> <units> <passes>\n", argv[0]);
    return 2;
  }
  loop_fn fn = NULL;
  for (size_t i = 0; i < sizeof LOOPS / sizeof LOOPS[0]; i++) {
    if (strcmp(LOOPS[i].name, argv[1]) == 0) fn = LOOPS[i].fn;
  }
  if (!fn) {
    fprintf(stderr, "unknown loop %s\n", argv[1]);
    return 2;
  }
  FILE *f = fopen(argv[2], "rb");
  if (!f) {
    perror(argv[2]);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *in = malloc((size_t)len + 16);
  if (!in || fread(in, 1, (size_t)len, f) != (size_t)len) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  fclose(f);
  size_t units = (size_t)strtoul(argv[3], NULL, 10);
  int passes = atoi(argv[4]);
  if (passes < 1) passes = 1;
  crc_init();
  wiegand_init();
  uint32_t sum = 0;
  double w0 = now_ns();
  long count = fn(in, (size_t)len, units, &sum); /* warm-up; its time sizes the samples */
  double once = now_ns() - w0;
  for (int w = 0; w < 10; w++) fn(in, (size_t)len, units, &sum);
  /* Each timed sample repeats the pass to last about 10 ms (TS's CPU clock ticks coarsely). */
  int reps = once > 0 ? (int)(1e7 / once) + 1 : 1;
  double *ns = malloc(sizeof(double) * (size_t)passes);
  for (int p = 0; p < passes; p++) {
    double t0 = now_ns();
    for (int r = 0; r < reps; r++) {
      uint32_t s = 0;
      long c = fn(in, (size_t)len, units, &s);
      if (c != count || s != sum) {
        fprintf(stderr, "pass %d decoded %ld (sum %u), the first %ld (sum %u)\n", p, c, s, count, sum);
        return 1;
      }
    }
    ns[p] = (now_ns() - t0) / ((double)units * reps);
  }
  qsort(ns, (size_t)passes, sizeof(double), cmp_double);
  printf("{\"loop\":\"%s\",\"units\":%zu,\"passes\":%d,\"median\":%.4f,\"best\":%.4f,"
         "\"count\":%ld,\"sum\":%u}\n",
         argv[1], units, passes, ns[passes / 2], ns[0], count, sum);
  return 0;
}
