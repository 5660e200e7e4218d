/**
 * `struct termios2` (44 bytes) for `TCGETS2`/`TCSETS2`: raw mode, any baud
 * rate through `BOTHER`, 7/8 data bits, parity, stop bits. Using termios2
 * means glibc's `B*` speed constants never matter.
 *
 * Layout (x86_64 and aarch64): c_iflag u32 @0, c_oflag @4, c_cflag @8,
 * c_lflag @12, c_line u8 @16, c_cc[19] @17, c_ispeed u32 @36, c_ospeed @40.
 *
 * @module
 */

/** `ioctl` request numbers for termios2 and related tty calls. */
export const IOCTL = {
  TCGETS2: 0x802c542an,
  TCSETS2: 0x402c542bn,
  TIOCEXCL: 0x540cn,
  TIOCGRS485: 0x542en,
  TIOCSRS485: 0x542fn,
} as const;

/** Size of `struct termios2`. */
export const TERMIOS2_SIZE = 44;

// c_iflag
const IGNBRK = 0x1, BRKINT = 0x2, PARMRK = 0x8, INPCK = 0x10, ISTRIP = 0x20;
const INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100, IXON = 0x400, IXANY = 0x800, IXOFF = 0x1000;
// c_oflag
const OPOST = 0x1;
// c_cflag
const CBAUD = 0x100f, CSIZE = 0x30, CS7 = 0x20, CS8 = 0x30, CSTOPB = 0x40, CREAD = 0x80;
const PARENB = 0x100, PARODD = 0x200, CLOCAL = 0x800, BOTHER = 0x1000, CIBAUD = 0x100f0000;
const CRTSCTS = 0x80000000;
// c_lflag
const ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHOE = 0x10, ECHOK = 0x20, ECHONL = 0x40;
const IEXTEN = 0x8000;
const VTIME = 5, VMIN = 6;

/** Line settings. */
export interface LineSettings {
  /** Bits per second; any positive integer (set with BOTHER). */
  baudRate: number;
  /** 7 or 8. */
  dataBits: 7 | 8;
  /** Parity bit. */
  parity: "none" | "even" | "odd";
  /** 1 or 2. */
  stopBits: 1 | 2;
}

/**
 * Rewrites a termios2 buffer (as read with TCGETS2) for raw mode with the
 * given line settings, in place.
 */
export function applyRawSettings(t: Uint8Array, s: LineSettings): void {
  const v = new DataView(t.buffer, t.byteOffset, TERMIOS2_SIZE);
  let iflag = v.getUint32(0, true);
  let oflag = v.getUint32(4, true);
  let cflag = v.getUint32(8, true);
  let lflag = v.getUint32(12, true);
  iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF);
  iflag &= ~INPCK;
  if (s.parity !== "none") iflag |= INPCK;
  oflag &= ~OPOST;
  lflag &= ~(ECHO | ECHONL | ECHOE | ECHOK | ICANON | ISIG | IEXTEN);
  cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CBAUD | CIBAUD | CRTSCTS);
  cflag |= s.dataBits === 7 ? CS7 : CS8;
  if (s.parity !== "none") cflag |= PARENB;
  if (s.parity === "odd") cflag |= PARODD;
  if (s.stopBits === 2) cflag |= CSTOPB;
  cflag |= CREAD | CLOCAL | BOTHER | (BOTHER << 16);
  v.setUint32(0, iflag >>> 0, true);
  v.setUint32(4, oflag >>> 0, true);
  v.setUint32(8, cflag >>> 0, true);
  v.setUint32(12, lflag >>> 0, true);
  t[17 + VMIN] = 1;
  t[17 + VTIME] = 0;
  v.setUint32(36, s.baudRate, true);
  v.setUint32(40, s.baudRate, true);
}

/** Reads the line settings back out of a termios2 buffer (for tests and status). */
export function readSettings(t: Uint8Array): LineSettings & { raw: boolean } {
  const v = new DataView(t.buffer, t.byteOffset, TERMIOS2_SIZE);
  const cflag = v.getUint32(8, true);
  const lflag = v.getUint32(12, true);
  return {
    baudRate: v.getUint32(40, true),
    dataBits: (cflag & CSIZE) === CS7 ? 7 : 8,
    parity: (cflag & PARENB) === 0 ? "none" : (cflag & PARODD) !== 0 ? "odd" : "even",
    stopBits: (cflag & CSTOPB) !== 0 ? 2 : 1,
    raw: (lflag & (ICANON | ECHO | ISIG)) === 0,
  };
}

/** `struct serial_rs485` flags. */
export const RS485 = { ENABLED: 1, RTS_ON_SEND: 2, RTS_AFTER_SEND: 4 } as const;

/** Builds a 32-byte `struct serial_rs485` enabling RS-485 with RTS high while sending. */
export function rs485Struct(delayBeforeMs = 0, delayAfterMs = 0): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setUint32(0, RS485.ENABLED | RS485.RTS_ON_SEND, true);
  v.setUint32(4, delayBeforeMs, true);
  v.setUint32(8, delayAfterMs, true);
  return b;
}
