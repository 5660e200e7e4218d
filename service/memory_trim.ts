/**
 * Gives memory the C allocator keeps back to the system. After a burst (a
 * backlog built while iFlow was away, then its drain) the runtime's buffers
 * are freed, but glibc keeps the freed pages in its arenas, so the agent's
 * resident set stays at the burst's size. `malloc_trim(0)` returns them.
 * V8's own heap shrinks by itself once the agent is quiet (its memory reducer).
 *
 * A timer calls it every `everyMs` (default 5 s; unref'd: it never keeps the
 * process alive). A call takes about 0.05 ms with the agent's heap. Where glibc is missing (another libc, no `--allow-ffi`) it does
 * nothing and says so once.
 *
 * @module
 */

/** A running trimmer. */
export interface MemoryTrimmer {
  /** Trims now; returns false when trimming is not available. */
  trim(): boolean;
  /** Trims done so far. */
  readonly count: number;
  /** Stops the timer. */
  stop(): void;
}

const SYMBOLS = { malloc_trim: { parameters: ["usize"], result: "i32" } } as const;

/**
 * Starts trimming every `everyMs` (default 5 s); `onUnavailable` hears once
 * why it cannot. `libc` is the library to load (tests name a missing one).
 */
export function startMemoryTrimmer(
  everyMs = 5_000,
  onUnavailable: (why: string) => void = () => {},
  libc = "libc.so.6",
): MemoryTrimmer {
  let lib: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;
  try {
    lib = Deno.dlopen(libc, SYMBOLS);
  } catch (err) {
    onUnavailable(err instanceof Error ? err.message : String(err));
  }
  let count = 0;
  const trim = () => {
    if (lib === null) return false;
    lib.symbols.malloc_trim(0n);
    count++;
    return true;
  };
  const timer = lib === null ? null : setInterval(trim, everyMs);
  if (timer !== null) Deno.unrefTimer(timer);
  return {
    trim,
    get count() {
      return count;
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      lib?.close();
      lib = null;
    },
  };
}
