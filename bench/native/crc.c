/* CRC_A (ISO/IEC 14443-3, reflected 0x8408, init 0x6363, two bytes per table step) and
 * CRC32C (Castagnoli, slice-by-8), the algorithms pontaj uses. */
#include "native.h"

static uint16_t crc_a_table[512]; /* slice-by-2, as driver/rc522/crc_a.ts */
static uint32_t c32[8][256];

void crc_init(void) {
  for (int n = 0; n < 256; n++) {
    unsigned c = (unsigned)n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x8408 : c >> 1;
    crc_a_table[n] = (uint16_t)c;
    uint32_t d = (uint32_t)n;
    for (int k = 0; k < 8; k++) d = (d & 1) ? (d >> 1) ^ 0x82f63b78u : d >> 1;
    c32[0][n] = d;
  }
  for (int n = 0; n < 256; n++)
    crc_a_table[256 + n] = (uint16_t)((crc_a_table[n] >> 8) ^ crc_a_table[crc_a_table[n] & 0xff]);
  for (int n = 0; n < 256; n++) {
    uint32_t c = c32[0][n];
    for (int k = 1; k < 8; k++) {
      c = c32[0][c & 0xff] ^ (c >> 8);
      c32[k][n] = c;
    }
  }
}

uint16_t crc_a(const uint8_t *p, size_t n) {
  unsigned crc = 0x6363;
  size_t i = 0;
  for (; i + 1 < n; i += 2) {
    unsigned x = crc ^ p[i] ^ (unsigned)p[i + 1] << 8;
    crc = crc_a_table[256 + (x & 0xff)] ^ crc_a_table[x >> 8];
  }
  if (i < n) crc = (crc >> 8) ^ crc_a_table[(crc ^ p[i]) & 0xff];
  return (uint16_t)crc;
}

static uint32_t crc32c(const uint8_t *p, size_t n) {
  uint32_t c = ~0u;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint32_t a = c ^ ((uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                      (uint32_t)p[i + 3] << 24);
    uint32_t b = (uint32_t)p[i + 4] | (uint32_t)p[i + 5] << 8 | (uint32_t)p[i + 6] << 16 |
                 (uint32_t)p[i + 7] << 24;
    c = c32[7][a & 0xff] ^ c32[6][(a >> 8) & 0xff] ^ c32[5][(a >> 16) & 0xff] ^ c32[4][a >> 24] ^
        c32[3][b & 0xff] ^ c32[2][(b >> 8) & 0xff] ^ c32[1][(b >> 16) & 0xff] ^ c32[0][b >> 24];
  }
  for (; i < n; i++) c = c32[0][(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

/* Input: units frames of 7 bytes; a unit's value is its CRC. */
long loop_crc_a(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)len;
  uint32_t s = 0;
  for (size_t u = 0; u < units; u++) s += crc_a(in + u * 7, 7);
  *sum = s;
  return (long)units;
}

/* Input: units records of 100 bytes; a unit's value is its CRC32C. */
long loop_crc32c(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)len;
  uint32_t s = 0;
  for (size_t u = 0; u < units; u++) s += crc32c(in + u * 100, 100);
  *sum = s;
  return (long)units;
}
