/* ASCII 125 kHz reader frames, one byte at a time (driver/ascii/frame.ts):
 * STX, 10 hex digits, 2 hex digits of XOR checksum, optional CR LF, ETX. */
#include <string.h>
#include "native.h"

enum { S_IDLE, S_DIGITS, S_TAIL };

typedef struct {
  int state, digits, tail;
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
  d->state = S_IDLE;
  uint32_t hi = d->hi, b4 = d->lo >> 8;
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
    if (d->state != S_IDLE) d->framing_errors++;
    d->state = S_DIGITS;
    d->digits = 0;
    d->hi = d->lo = 0;
    return 0;
  }
  switch (d->state) {
  case S_IDLE:
    return 0;
  case S_DIGITS: {
    int v = hex_table[byte & 0xff];
    if (v < 0) {
      d->framing_errors++;
      d->state = S_IDLE;
      return 0;
    }
    int n = d->digits;
    if (n < 8) d->hi = d->hi << 4 | (uint32_t)v;
    else {
      d->lo = d->lo << 4 | (uint32_t)v;
      if (n == 11) {
        d->state = S_TAIL;
        d->tail = 0;
      }
    }
    d->digits = n + 1;
    return 0;
  }
  default:
    if (byte == 0x03) return ascii_finish(d);
    if ((byte == 0x0d || byte == 0x0a) && d->tail < 2) {
      d->tail++;
      return 0;
    }
    d->framing_errors++;
    d->state = S_IDLE;
    return 0;
  }
}

/* Input: a byte stream of frames; a unit's value is id bytes 1..4 (big-endian) + byte 0. */
long loop_ascii(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)units;
  if (!hex_ready) hex_init();
  static card_read read;
  static ascii_decoder d; /* the decoder's state lives in memory, as it must between reads */
  memset(&d, 0, sizeof d);
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
