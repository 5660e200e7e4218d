/* ASCII 125 kHz reader frames, one byte at a time (driver/ascii/frame.ts):
 * STX, 10 hex digits, 2 hex digits of XOR checksum, optional CR LF, ETX. */
#include <string.h>
#include "native.h"

/* The state is one position, as frame.ts: -1 hunting STX, 0-11 hex digits taken, 12-14 after
 * the digits (12 + CR/LF bytes seen). */
typedef struct {
  int pos;
  uint32_t hi, lo; /* digits 1-8 (id bytes 0-3) and 9-12 (id byte 4, checksum), as frame.ts */
  long frames, checksum_errors, framing_errors;
  card_read *read;
} ascii_decoder;

/* Value of each byte as a hex digit, -1 for others (a table, as driver/ascii/frame.ts). */
static int8_t hex_table[256];
static int hex_ready;

static void hex_init(void) {
  for (int c = 0; c < 256; c++) {
    hex_table[c] = (int8_t)(c >= '0' && c <= '9'   ? c - '0'
                            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                            : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                   : -1);
  }
  hex_ready = 1;
}

static int ascii_finish(ascii_decoder *d) {
  d->pos = -1;
  uint32_t hi = d->hi, b4 = (d->lo >> 8) & 0xff;
  if (((hi ^ hi >> 8 ^ hi >> 16 ^ hi >> 24 ^ b4) & 0xff) != (d->lo & 0xff)) {
    d->checksum_errors++;
    return 0;
  }
  card_read *r = d->read;
  r->data[0] = (uint8_t)(hi >> 24);
  r->data[1] = (uint8_t)(hi >> 16);
  r->data[2] = (uint8_t)(hi >> 8);
  r->data[3] = (uint8_t)hi;
  r->data[4] = (uint8_t)b4;
  r->byte_length = 5;
  r->bit_length = 40;
  r->facility = -1;
  r->card = -1;
  r->format = "em4100";
  d->frames++;
  return 1;
}

static inline int ascii_push(ascii_decoder *d, int byte) {
  if (byte == 0x02) {
    if (d->pos >= 0) d->framing_errors++;
    d->pos = 0;
    return 0;
  }
  int p = d->pos;
  if (p < 0) return 0;
  if (p < 12) {
    int v = hex_table[byte & 0xff];
    if (v < 0) {
      d->framing_errors++;
      d->pos = -1;
      return 0;
    }
    if (p < 8) d->hi = d->hi << 4 | (uint32_t)v;
    else d->lo = d->lo << 4 | (uint32_t)v;
    d->pos = p + 1;
    return 0;
  }
  if (byte == 0x03) return ascii_finish(d);
  if ((byte == 0x0d || byte == 0x0a) && p < 14) {
    d->pos = p + 1;
    return 0;
  }
  d->framing_errors++;
  d->pos = -1;
  return 0;
}

/* Input: a byte stream of frames; a unit's value is id bytes 1..4 (big-endian) + byte 0. */
long loop_ascii(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)units;
  if (!hex_ready) hex_init();
  static card_read read;
  static ascii_decoder d; /* the decoder's state lives in memory, as it must between reads */
  memset(&d, 0, sizeof d);
  d.pos = -1;
  d.read = &read;
  uint32_t s = 0;
  long n = 0;
  for (size_t i = 0; i < len; i++) {
    if (ascii_push(&d, in[i])) {
      const uint8_t *x = read.data;
      s += ((uint32_t)x[1] << 24 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 8 | x[4]) + x[0];
      n++;
    }
  }
  *sum = s;
  return n;
}
