import assert from "node:assert/strict";
import { checkStoredOnce } from "./load.ts";
import type { StoredAttendance } from "../../service/iflow/sim/model.ts";

const at = (rfidTag: string, arrival: number): StoredAttendance =>
  ({ rfidTag, arrival, date: "2026-12-06", time: `08:00:0${arrival}` }) as StoredAttendance;
const ack = (tag: string, seq: number) => ({ seq, tag, reader: "r" });

Deno.test("stored-once check: every tapped card acknowledged and stored once, nothing else", () => {
  const tapped = new Set(["a", "b", "c"]);
  const ok = checkStoredOnce([ack("a", 1), ack("b", 2), ack("c", 3)], [
    at("a", 1),
    at("b", 2),
    at("c", 3),
  ], tapped);
  assert.deepEqual(ok.violations, []);
  assert.equal(ok.synced, 3);
  const bad = checkStoredOnce(
    [ack("a", 1), ack("b", 2)],
    [at("a", 1), at("a", 2), at("x", 3)],
    tapped,
  );
  assert.deepEqual(bad.violations, [
    "a stored at iFlow 2 times",
    "b stored at iFlow 0 times",
    "c acknowledged 0 times",
    "c stored at iFlow 0 times",
    "iFlow holds x, never tapped",
  ]);
  assert.equal(bad.pending, 2);
});
