/** Assertion helpers for the wiegand tests (node:assert/strict with Deno-style names). */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  assert.deepStrictEqual(actual, expected, msg);
}

/** Throws unless `fn` throws an instance of `type` whose message includes `includes`. */
export function assertThrows(
  fn: () => unknown,
  type: new (...a: never[]) => Error,
  includes?: string,
): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof type, `expected ${type.name} to be thrown, got ${String(thrown)}`);
  if (includes !== undefined) {
    assert.ok(
      (thrown as Error).message.includes(includes),
      `message "${(thrown as Error).message}" lacks "${includes}"`,
    );
  }
}

/** Truthiness. */
export function assert_(cond: unknown, msg?: string): asserts cond {
  assert.ok(cond, msg);
}
