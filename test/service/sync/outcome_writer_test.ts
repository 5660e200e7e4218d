/** OutcomeWriter: writes in reply order, one at a time, grouping what waited; skips after a failure. */
import assert from "node:assert/strict";
import { type Answered, OutcomeWriter } from "../../../service/sync/outcome_writer.ts";

function answered(first: number, n: number): Answered {
  return {
    recs: [],
    list: Array.from({ length: n }, (_, i) => ({
      seq: first + i,
      outcome: { kind: "accepted" as const },
    })),
    latencyMs: 1,
  };
}

/** A write that waits until released (or fails). */
function heldWrites() {
  const calls: number[][] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const write = (list: { seq: number }[]) => {
    calls.push(list.map((x) => x.seq));
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    pending.push({ resolve, reject });
    return promise;
  };
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { calls, pending, write, tick };
}

Deno.test("OutcomeWriter groups the batches that waited for a write into the next one, in order", async () => {
  const w = heldWrites();
  const durable: number[] = [];
  const ow = new OutcomeWriter(w.write, (a) => durable.push(a.list[0]!.seq));
  ow.add(answered(1, 2));
  ow.add(answered(3, 2));
  ow.add(answered(5, 1));
  assert.deepEqual(w.calls, [[1, 2]]);
  assert.deepEqual(ow.waiting, 3);
  let settled = false;
  const bounded = ow.settle(2).then((e) => {
    settled = true;
    return e;
  });
  await w.tick();
  assert.deepEqual([settled, durable], [false, []], "3 waiting, at most 2 allowed");
  w.pending[0]!.resolve();
  assert.deepEqual(await bounded, null);
  assert.deepEqual(durable, [1], "counted once durable");
  assert.deepEqual(w.calls, [[1, 2], [3, 4, 5]], "the two that waited go in one write");
  assert.deepEqual(ow.waiting, 2);
  const all = ow.settle(0);
  w.pending[1]!.resolve();
  assert.deepEqual(await all, null);
  assert.deepEqual([durable, ow.waiting], [[1, 3, 5], 0]);
  ow.add(answered(6, 1));
  assert.deepEqual(w.calls.length, 3, "a new write starts when idle");
  w.pending[2]!.resolve();
  assert.deepEqual(await ow.settle(0), null);
  assert.deepEqual(durable, [1, 3, 5, 6]);
});

Deno.test("OutcomeWriter: after a failed write the queued and later batches are not written until the error is taken", async () => {
  const w = heldWrites();
  const durable: number[] = [];
  const ow = new OutcomeWriter(w.write, (a) => durable.push(a.list[0]!.seq));
  ow.add(answered(1, 1));
  ow.add(answered(2, 1));
  w.pending[0]!.reject(new Error("EIO"));
  await w.tick();
  ow.add(answered(3, 1)); // answered before the sender took the error
  assert.deepEqual([ow.waiting, w.calls], [0, [[1]]]);
  assert.deepEqual(await ow.settle(2), "EIO");
  assert.deepEqual(await ow.settle(0), null, "the error is reported once");
  ow.add(answered(1, 3)); // the resend
  w.pending[1]!.resolve();
  assert.deepEqual(await ow.settle(0), null);
  assert.deepEqual([w.calls, durable], [[[1], [1, 2, 3]], [1]]);
});
