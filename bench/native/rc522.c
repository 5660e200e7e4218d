/* RC522 UID assembly (driver/rc522/anticollision.ts and the scanner's SELECT
 * step): per cascade level, merge the ANTICOLLISION answer (CLn + BCC) and
 * check the BCC, check the SELECT answer's CRC_A, follow SAK's cascade bit
 * and append the level's UID bytes: 4-, 7- and 10-byte UIDs. */
#include <string.h>
#include "native.h"

enum { AC_COMPLETE, AC_COLLISION, AC_BAD_LENGTH, AC_BAD_POSITION, AC_BAD_BCC };

typedef struct {
  int status; /* 0 ok, 1 collision */
  uint8_t rx[64];
  int rx_len, rx_last_bits, rx_align, coll_reg;
} answer;

static int collision_bit(int coll_reg, int rx_align, int first_byte) {
  if (coll_reg & 0x20) return -1;
  int pos = coll_reg & 0x1f;
  if (pos == 0) pos = 32;
  if (pos <= rx_align) return -1;
  return first_byte * 8 + pos - 1;
}

static int merge_answer(uint8_t *cl, int known, const answer *a, int *next) {
  int first = known >> 3;
  if (a->rx_len == 0 || first + a->rx_len > 5) return AC_BAD_LENGTH;
  int align = a->rx_align;
  for (int j = 0; j < a->rx_len; j++) {
    int v = a->rx[j];
    if (j == 0 && align != 0) {
      int m = (1 << align) - 1;
      cl[first] = (uint8_t)((cl[first] & m) | (v & ~m & 0xff));
    } else cl[first + j] = (uint8_t)v;
  }
  if (a->status == 1) {
    int bit = collision_bit(a->coll_reg, align, first);
    if (bit < known || bit >= 32 || (bit >> 3) >= first + a->rx_len) return AC_BAD_POSITION;
    int b = bit & 7;
    cl[bit >> 3] = (uint8_t)((cl[bit >> 3] & ((1 << b) - 1)) | (1 << b));
    *next = bit + 1;
    return AC_COLLISION;
  }
  if (first + a->rx_len != 5 || a->rx_last_bits != 0) return AC_BAD_LENGTH;
  if ((cl[0] ^ cl[1] ^ cl[2] ^ cl[3]) != cl[4]) return AC_BAD_BCC;
  return AC_COMPLETE;
}

static int check_crc_a(const uint8_t *p, int len) {
  if (len < 3) return 0;
  unsigned crc = crc_a(p, (size_t)len - 2);
  return p[len - 2] == (crc & 0xff) && p[len - 1] == crc >> 8;
}

/* Input: units of 24 bytes, 3 levels of (5 ANTICOLLISION answer bytes, 3 SELECT answer
 * bytes: SAK + CRC_A); a unit's value folds the UID bytes (v = v * 31 + b). */
long loop_rc522(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)len;
  static answer x;
  uint8_t cl[5], uid[10];
  int next;
  long n = 0, bcc_errors = 0, crc_errors = 0, protocol_errors = 0;
  uint32_t s = 0;
  for (size_t u = 0; u < units; u++) {
    const uint8_t *p = in + u * 24;
    int uid_len = 0, done = 0;
    for (int level = 1; level <= 3; level++, p += 8) {
      memcpy(x.rx, p, 5);
      x.status = 0;
      x.rx_len = 5;
      x.rx_last_bits = 0;
      x.rx_align = 0;
      x.coll_reg = 0;
      if (merge_answer(cl, 0, &x, &next) != AC_COMPLETE) {
        bcc_errors++;
        break;
      }
      memcpy(x.rx, p + 5, 3);
      x.rx_len = 3;
      if (!check_crc_a(x.rx, 3)) {
        crc_errors++;
        break;
      }
      int sak = x.rx[0];
      if (sak & 0x04) {
        if (cl[0] != 0x88 || level >= 3) {
          protocol_errors++;
          break;
        }
        for (int i = 0; i < 3; i++) uid[uid_len++] = cl[1 + i];
        continue;
      }
      for (int i = 0; i < 4; i++) uid[uid_len++] = cl[i];
      done = 1;
      break;
    }
    if (!done) continue;
    uint32_t v = 0;
    for (int i = 0; i < uid_len; i++) v = v * 31 + uid[i];
    s += v;
    n++;
  }
  *sum = s;
  return n;
}
