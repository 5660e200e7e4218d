/**
 * The few libc calls the spidev transport needs, through `Deno.dlopen`, opened
 * on first use and kept for the life of the process.
 *
 * @module
 */

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

let lib: Libc | null = null;
let errnoView: Deno.UnsafePointerView | null = null;

/** The libc symbols (opens libc on first call). */
export function libc(): Libc["symbols"] {
  if (!lib) {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
    const p = lib.symbols.__errno_location();
    errnoView = p ? new Deno.UnsafePointerView(p) : null;
  }
  return lib.symbols;
}

/** The calling thread's errno (valid right after a failed synchronous call). */
export function errno(): number {
  return errnoView ? errnoView.getInt32(0) : 0;
}

/** A NUL-terminated copy of a path for `open`. */
export function cString(s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** `open` flags: O_RDWR. */
export const O_RDWR = 0x2;
/** `open` flags: O_CLOEXEC. */
export const O_CLOEXEC = 0x80000;
