/* C references of pontaj's hot loops (bench/native_vs_ts.ts builds them into a shared
 * library that bench/native/ts_side.ts opens with Deno.dlopen).
 * Each loop makes one pass over its input and returns the units it decoded,
 * adding each unit's value into *sum (uint32, wrapping), exactly as the
 * TypeScript side in bench/native/ts_side.ts does. Plain C, built with -O2. */
#ifndef PONTAJ_NATIVE_H
#define PONTAJ_NATIVE_H
#include <stddef.h>
#include <stdint.h>

/* The card read every decoder fills (driver/card.ts). */
typedef struct {
  uint8_t data[16];
  int byte_length;
  int bit_length;
  double facility;
  double card;
  const char *format;
} card_read;

typedef long (*loop_fn)(const uint8_t *in, size_t len, size_t units, uint32_t *sum);

long loop_wiegand(const uint8_t *in, size_t len, size_t units, uint32_t *sum);
long loop_wiegand_edges(const uint8_t *in, size_t len, size_t units, uint32_t *sum);
long loop_osdp(const uint8_t *in, size_t len, size_t units, uint32_t *sum);
long loop_crc_a(const uint8_t *in, size_t len, size_t units, uint32_t *sum);
long loop_crc32c(const uint8_t *in, size_t len, size_t units, uint32_t *sum);
long loop_ascii(const uint8_t *in, size_t len, size_t units, uint32_t *sum);
long loop_rc522(const uint8_t *in, size_t len, size_t units, uint32_t *sum);

uint16_t crc_a(const uint8_t *p, size_t n);
void crc_init(void);
void wiegand_init(void);

void pontaj_init(void);
int pontaj_run(int loop, const uint8_t *in, uint32_t len, uint32_t units, int reps, uint32_t *sum);
double pontaj_thread_cpu_ns(void);

#endif
