/* Wiegand: bits (one byte per bit) -> format by bit count -> parity -> id
 * (driver/wiegand/decode.ts), and the edge assembler (edges -> frames,
 * driver/wiegand/assembler.ts), as plain C. */
#include <string.h>
#include "native.h"

typedef struct {
  const char *name;
  int bits, fac_start, fac_len, card_start, card_len, rules;
  uint32_t masks[3][4];
  int expect[3];
} wformat;

/* A parity rule: parity bit, odd?, covered bits from..to (1-based), every `step` bits a pair when step > 1. */
typedef struct { int bit, odd, from, to, step; } wrule;

static wformat formats[5];
static const wformat *by_len[129];

static void set_bit(uint32_t *m, int pos) { m[(pos - 1) >> 5] |= 0x80000000u >> ((pos - 1) & 31); }

static void compile(wformat *f, const char *name, int bits, int fac_from, int fac_to, int card_from,
                    int card_to, const wrule *rules, int n) {
  memset(f, 0, sizeof *f);
  f->name = name;
  f->bits = bits;
  f->fac_start = fac_from - 1;
  f->fac_len = fac_to - fac_from + 1;
  f->card_start = card_from - 1;
  f->card_len = card_to - card_from + 1;
  f->rules = n;
  for (int r = 0; r < n; r++) {
    set_bit(f->masks[r], rules[r].bit);
    for (int p = rules[r].from; p <= rules[r].to; p += rules[r].step) {
      set_bit(f->masks[r], p);
      if (rules[r].step > 1 && p + 1 <= rules[r].to) set_bit(f->masks[r], p + 1);
    }
    f->expect[r] = rules[r].odd;
  }
  by_len[bits] = f;
}

void wiegand_init(void) {
  static const wrule h10301[] = {{1, 0, 2, 13, 1}, {26, 1, 14, 25, 1}};
  static const wrule h10306[] = {{1, 0, 2, 17, 1}, {34, 1, 18, 33, 1}};
  static const wrule h10304[] = {{1, 0, 2, 19, 1}, {37, 1, 19, 36, 1}};
  static const wrule c35[] = {{2, 0, 3, 34, 3}, {35, 1, 2, 33, 3}, {1, 1, 2, 35, 1}};
  static const wrule c48[] = {{2, 0, 4, 47, 3}, {48, 1, 3, 46, 3}, {1, 1, 2, 48, 1}};
  compile(&formats[0], "h10301", 26, 2, 9, 10, 25, h10301, 2);
  compile(&formats[1], "h10306", 34, 2, 17, 18, 33, h10306, 2);
  compile(&formats[2], "h10304", 37, 2, 17, 18, 36, h10304, 2);
  compile(&formats[3], "c1000-35", 35, 3, 14, 15, 34, c35, 3);
  compile(&formats[4], "c1000-48", 48, 3, 24, 25, 47, c48, 3);
}

static int parity32(uint32_t v) {
  v ^= v >> 16;
  v ^= v >> 8;
  v ^= v >> 4;
  return (0x6996 >> (v & 15)) & 1;
}

/* `len` (1..32) frame bits from `start`, first bit most significant: shifts only (decode.ts). */
static uint32_t field(const uint32_t *w, int start, int len) {
  int i = start >> 5, off = start & 31;
  uint64_t two = (uint64_t)w[i] << 32 | (i < 3 ? w[i + 1] : 0);
  return (uint32_t)((two << off) >> (64 - len));
}

static void reset(card_read *r) {
  memset(r->data, 0, sizeof r->data);
  r->byte_length = 0;
  r->bit_length = 0;
  r->facility = -1;
  r->card = -1;
  r->format = "";
}

/* 0 ok, 1 parity, 2 unknown length, 3 bad length (DecodeStatus). Raw frames and fields over
 * 32 bits are left out: the bench decodes 26-bit frames only. */
static int decode_bits(const uint8_t *bits, int n, card_read *r) {
  reset(r);
  if (n < 1 || n > 128) return 3;
  /* 32 bits per word without a branch per bit (decode.ts does the same). */
  uint32_t w[4];
  int i = 0;
  for (int k = 0; k < 4; k++) {
    int stop = n - i > 32 ? i + 32 : n, m = stop - i;
    uint32_t v = 0;
    for (; i < stop; i++) v = v << 1 | (bits[i] != 0);
    w[k] = m == 0 ? 0 : v << (32 - m);
  }
  const wformat *f = by_len[n];
  if (!f) {
    r->bit_length = n;
    return 2;
  }
  r->format = f->name;
  for (int k = 0; k < f->rules; k++) {
    uint32_t x = (w[0] & f->masks[k][0]) ^ (w[1] & f->masks[k][1]) ^ (w[2] & f->masks[k][2]) ^
                 (w[3] & f->masks[k][3]);
    if (parity32(x) != f->expect[k]) return 1;
  }
  uint64_t card = field(w, f->card_start, f->card_len);
  uint64_t fac = f->fac_len > 0 ? field(w, f->fac_start, f->fac_len) : 0;
  uint64_t id = fac << f->card_len | card;
  int id_bits = f->fac_len + f->card_len;
  int bytes = (id_bits + 7) >> 3;
  for (int i = bytes - 1; i >= 0; i--, id >>= 8) r->data[i] = (uint8_t)id;
  r->card = (double)card;
  r->facility = (double)fac;
  r->bit_length = id_bits;
  r->byte_length = bytes;
  return 0;
}

static uint32_t id_value(const card_read *r) {
  uint32_t v = 0;
  for (int i = 0; i < r->byte_length; i++) v = v << 8 | r->data[i];
  return v;
}

/* Input: units frames of 26 bytes (one per bit); a unit's value is the id, big-endian. */
long loop_wiegand(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)len;
  static card_read read;
  uint32_t s = 0;
  long n = 0;
  for (size_t u = 0; u < units; u++) {
    if (decode_bits(in + u * 26, 26, &read) == 0) {
      s += id_value(&read);
      n++;
    }
  }
  *sum = s;
  return n;
}

/* The assembler's state (times in ns as int64). */
typedef struct {
  int level[2], invalid[2], count, active, bad, fault;
  int64_t fall[2], start, end;
  int64_t pulse_min, pulse_max, spacing_min, spacing_max, gap;
  int max_bits;
  long frames, bits_n, glitches, faults, timing_errors, overflows, discarded;
  long drops[9]; /* by WiegandDrop reason (driver/wiegand/drops.ts) */
  uint8_t bits[128];
  uint32_t sum;
} assembler;

static void sink_frame(assembler *a, const uint8_t *bits, int count) {
  uint32_t v = 0;
  for (int i = 0; i < count; i++) v = v << 1 | bits[i];
  a->sum += v + (uint32_t)count;
}

static void finish(assembler *a) {
  int count = a->count, bad = a->bad;
  a->active = 0;
  a->bad = 0;
  a->count = 0;
  if (bad || count == 0) {
    a->discarded++;
    if (bad) a->drops[bad - 1]++;
    return;
  }
  a->frames++;
  sink_frame(a, a->bits, count);
}

/* bad: 0, or 1 + the first WiegandDrop reason that spoilt the frame */
static void spoil(assembler *a, int64_t t, int reason) {
  if (!a->active) a->count = 0;
  a->active = 1;
  if (!a->bad) a->bad = 1 + reason;
  a->end = t;
}

static void edge(assembler *a, int line, int rising, int64_t t) {
  int l = line & 1;
  if (!rising) {
    if (a->active && t - a->end >= a->gap) finish(a);
    a->level[l] = 0;
    a->fall[l] = t;
    a->invalid[l] = 0;
    if (a->level[l ^ 1] == 0) {
      a->invalid[0] = a->invalid[1] = 1;
      spoil(a, t, 7); /* bothLow */
      if (a->fault != 1) {
        a->fault = 1;
        a->faults++;
      }
    }
    return;
  }
  if (a->level[l]) return;
  a->level[l] = 1;
  if (a->fault && a->level[l ^ 1]) a->fault = 0;
  if (a->invalid[l]) {
    a->invalid[l] = 0;
    return;
  }
  int64_t fs = a->fall[l];
  int64_t width = t - fs;
  if (width < a->pulse_min) {
    a->glitches++;
    a->drops[2]++; /* glitch */
    return;
  }
  if (width > a->pulse_max) {
    a->timing_errors++;
    spoil(a, t, 3); /* pulseTooLong */
    return;
  }
  if (a->active && !a->bad) {
    int64_t spacing = fs - a->start;
    if (spacing < a->spacing_min || spacing > a->spacing_max) {
      a->timing_errors++;
      a->bad = 1 + (spacing < a->spacing_min ? 4 : 5); /* spacingTooShort, spacingTooLong */
    }
  }
  a->active = 1;
  a->start = fs;
  a->end = t;
  if (a->count >= a->max_bits) {
    if (!a->bad) {
      a->overflows++;
      a->bad = 1 + 8; /* tooManyBits */
    }
    return;
  }
  a->bits[a->count++] = (uint8_t)l;
  a->bits_n++;
}

/* Input: edges as int32 triples (line | rising << 1, sec, nsec); a unit (frame)'s value
 * is its bits as a number plus its bit count. */
long loop_wiegand_edges(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)units;
  static assembler a;
  memset(&a, 0, sizeof a);
  a.level[0] = a.level[1] = 1;
  a.pulse_min = 20000;
  a.pulse_max = 200000;
  a.spacing_min = 200000;
  a.spacing_max = 20000000;
  a.gap = 25000000;
  a.max_bits = 128;
  const int32_t *e = (const int32_t *)in;
  size_t edges = len / 12;
  for (size_t i = 0; i < edges; i++) {
    int32_t flags = e[3 * i];
    edge(&a, flags & 1, (flags >> 1) & 1, (int64_t)e[3 * i + 1] * 1000000000 + e[3 * i + 2]);
  }
  if (a.active) finish(&a);
  *sum = a.sum;
  return a.frames;
}
