/**
 * The libc functions every Linux transport (serial, GPIO, spidev) needs, bound
 * once and lazily through
 * `Deno.dlopen` so that importing the driver needs no `--allow-ffi` until a
 * device is actually opened.
 *
 * Synchronous calls run on the JS thread, so `errno()` read right after a
 * failed call is that call's errno. Only `poll` is `nonblocking` (it runs on a
 * worker thread and may wait); it is always paired with a wake pipe so it can
 * be ended on close.
 *
 * @module
 */

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "pointer", "usize"], result: "isize" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  ioctl_int: { name: "ioctl", parameters: ["i32", "u64", "u64"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  poll_now: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  flock: { parameters: ["i32", "i32"], result: "i32" },
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  /** The same call taking a pointer made once (cheaper per call than a buffer argument). */
  clock_gettime_ptr: { name: "clock_gettime", parameters: ["i32", "pointer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The bound libc symbols. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** Opens libc on first use and returns its symbols. */
export function libc(): Libc {
  if (!lib) lib = Deno.dlopen("libc.so.6", SYMBOLS);
  return lib.symbols;
}

let errnoView: Deno.UnsafePointerView | undefined;

/**
 * The calling thread's `errno` (read it right after the failed synchronous
 * call). Synchronous FFI calls all run on the JS thread, so its errno
 * location is looked up once.
 */
export function errno(): number {
  if (!errnoView) {
    const p = libc().__errno_location();
    if (p === null) return 0;
    errnoView = new Deno.UnsafePointerView(p);
  }
  return errnoView.getInt32(0);
}

/** Linux errno values the transports act on. */
export const E = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  EMFILE: 24,
  ENOTTY: 25,
} as const;

/** `open(2)` flags (same values on x86_64 and aarch64). */
export const O = {
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  NOCTTY: 0x100,
  NONBLOCK: 0x800,
  CLOEXEC: 0x80000,
} as const;

/** `poll(2)` event bits. */
export const POLL = { IN: 0x1, OUT: 0x4, ERR: 0x8, HUP: 0x10, NVAL: 0x20 } as const;

/** A NUL-terminated C string for a path. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
