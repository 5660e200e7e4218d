/* ASCII 125 kHz reader frames, one byte at a time (driver/ascii/frame.ts):
 * STX, 10 hex digits, 2 hex digits of XOR checksum, optional CR LF, ETX. */
#include <string.h>
#include "native.h"

enum { S_IDLE, S_DIGITS, S_TAIL };

typedef struct {
  int state, digits, tail;
  uint8_t bytes[6];
  long frames, checksum_errors, framing_errors;
  card_read *read;
} ascii_decoder;

static int hex_value(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static int ascii_finish(ascii_decoder *d) {
  d->state = S_IDLE;
  const uint8_t *b = d->bytes;
  if ((b[0] ^ b[1] ^ b[2] ^ b[3] ^ b[4]) != b[5]) {
    d->checksum_errors++;
    return 0;
  }
  card_read *r = d->read;
  for (int i = 0; i < 5; i++) r->data[i] = b[i];
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
    return 0;
  }
  switch (d->state) {
  case S_IDLE:
    return 0;
  case S_DIGITS: {
    int v = hex_value(byte);
    if (v < 0) {
      d->framing_errors++;
      d->state = S_IDLE;
      return 0;
    }
    int i = d->digits >> 1;
    d->bytes[i] = (d->digits & 1) == 0 ? (uint8_t)(v << 4) : (uint8_t)(d->bytes[i] | v);
    if (++d->digits == 12) {
      d->state = S_TAIL;
      d->tail = 0;
    }
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
