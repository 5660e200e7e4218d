/* OSDP frames parsed in place over the received bytes (the parser of
 * driver/osdp/parser.ts, as C would write it): hunt SOM, check the length,
 * CRC-16/AUG-CCITT or checksum over the frame where it lies, then its fields. */
#include <string.h>
#include "native.h"

#define SOM 0x53
#define MAX_FRAME 1024

static uint16_t crc_table[512]; /* slice-by-2, as driver/osdp/crc.ts */
static int crc_ready;

static void osdp_crc_init(void) {
  for (int i = 0; i < 256; i++) {
    unsigned c = (unsigned)i << 8;
    for (int b = 0; b < 8; b++) c = (c & 0x8000) ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    crc_table[i] = (uint16_t)c;
  }
  for (int i = 0; i < 256; i++)
    crc_table[256 + i] = (uint16_t)(((crc_table[i] & 0xff) << 8) ^ crc_table[crc_table[i] >> 8]);
  crc_ready = 1;
}

static unsigned osdp_crc16(const uint8_t *p, size_t n) {
  unsigned crc = 0x1d0f;
  size_t i = 0;
  for (; i + 1 < n; i += 2) crc = crc_table[256 + ((crc >> 8) ^ p[i])] ^ crc_table[(crc & 0xff) ^ p[i + 1]];
  if (i < n) crc = ((crc << 8) ^ crc_table[(crc >> 8) ^ p[i]]) & 0xffff;
  return crc;
}

static unsigned osdp_checksum(const uint8_t *p, size_t n) {
  unsigned s = 0;
  for (size_t i = 0; i < n; i++) s += p[i];
  return (0x100 - (s & 0xff)) & 0xff;
}

typedef struct {
  int address, reply, length, ctrl, seq, crc, scb_type, code, data_offset, data_length, mac;
  long frames, check_errors, length_errors, layout_errors, garbage;
} osdp_frame;

/* Fields of the frame at f (len bytes, check verified by the caller); 0 on a bad layout. */
static int osdp_fields(const uint8_t *f, int len, osdp_frame *o) {
  int ctrl = f[4];
  int crc = (ctrl & 4) != 0;
  int body_end = len - (crc ? 2 : 1);
  int off = 5, scb_type = 0;
  if (ctrl & 8) {
    int scb_len = f[5];
    if (scb_len < 2 || 5 + scb_len >= body_end) return 0;
    scb_type = f[6];
    off = 5 + scb_len;
  }
  int data_end = body_end, mac = -1;
  if (scb_type >= 0x15 && scb_type <= 0x18) {
    data_end -= 4;
    if (data_end < off + 1) return 0;
    mac = data_end;
  }
  o->address = f[1] & 0x7f;
  o->reply = (f[1] & 0x80) != 0;
  o->length = len;
  o->ctrl = ctrl;
  o->seq = ctrl & 3;
  o->crc = crc;
  o->scb_type = scb_type;
  o->code = f[off];
  o->data_offset = off + 1;
  o->data_length = data_end - off - 1;
  o->mac = mac;
  return 1;
}

/* Input: a byte stream of replies; a unit's value mixes address, code, data
 * length and data bytes 4..7 (the card bits of an osdp_RAW). */
long loop_osdp(const uint8_t *in, size_t len, size_t units, uint32_t *sum) {
  (void)units;
  if (!crc_ready) osdp_crc_init();
  static osdp_frame o; /* the parser's fields, kept where its caller reads them */
  memset(&o, 0, sizeof o);
  uint32_t s = 0;
  size_t i = 0;
  while (i < len) {
    if (in[i] != SOM) {
      if (in[i] != 0xff) o.garbage++;
      i++;
      continue;
    }
    if (i + 4 > len) break; /* a partial header: the stream parser would keep it */
    const uint8_t *f = in + i;
    int flen = f[2] | f[3] << 8;
    if (flen < 7 || flen > MAX_FRAME || ((f[4] & 4) && flen < 8)) {
      o.length_errors++;
      i++;
      continue;
    }
    if (i + (size_t)flen > len) break; /* a partial frame */
    int ok = (f[4] & 4) ? osdp_crc16(f, (size_t)flen - 2) == (unsigned)(f[flen - 2] | f[flen - 1] << 8)
                        : osdp_checksum(f, (size_t)flen - 1) == f[flen - 1];
    if (!ok) {
      o.check_errors++;
      i++;
      continue;
    }
    if (!osdp_fields(f, flen, &o)) {
      o.layout_errors++;
      i++;
      continue;
    }
    o.frames++;
    const uint8_t *d = f + o.data_offset;
    s += (uint32_t)(o.address | o.code << 8 | o.data_length << 16) +
         ((uint32_t)d[4] << 24 | (uint32_t)d[5] << 16 | (uint32_t)d[6] << 8 | d[7]);
    i += (size_t)flen;
  }
  *sum = s;
  return o.frames;
}
