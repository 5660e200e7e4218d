/* The C references as a shared library, so the bench runs C and TypeScript
 * samples alternately in one process (bench/native/ts_side.ts through
 * Deno.dlopen): the same input bytes in memory, the same clock, the same load
 * from the rest of the machine. */
#include <time.h>
#include "native.h"

static const loop_fn LOOP_FNS[] = {
  loop_wiegand, loop_osdp, loop_crc_a, loop_ascii, loop_crc32c, loop_rc522, loop_wiegand_edges,
};

/* The loop numbers follow LOOPS in bench/native/inputs.ts. */
__attribute__((visibility("default"))) void pontaj_init(void) {
  crc_init();
  wiegand_init();
}

/* Runs loop `loop` `reps` times over `in`; returns the units decoded by a pass, or -1 when a
 * pass disagrees with the first (count or sum); the sum of a pass goes to *sum. */
__attribute__((visibility("default"))) int pontaj_run(int loop, const uint8_t *in, uint32_t len,
                                                 uint32_t units, int reps, uint32_t *sum) {
  if (loop < 0 || loop >= (int)(sizeof LOOP_FNS / sizeof LOOP_FNS[0])) return -1;
  int first = -1;
  uint32_t first_sum = 0;
  for (int r = 0; r < reps; r++) {
    uint32_t s = 0;
    int c = (int)LOOP_FNS[loop](in, len, units, &s);
    if (r == 0) {
      first = c;
      first_sum = s;
    } else if (c != first || s != first_sum) {
      return -1;
    }
  }
  *sum = first_sum;
  return first;
}

/* CPU time of the calling thread, in ns: the JS thread for both sides. */
__attribute__((visibility("default"))) double pontaj_thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
