import assert from "node:assert/strict";
import type { StoredAttendance } from "../../service/iflow/sim/model.ts";
import { checkDelivery, type DeliveryInput, type ExportedRow } from "./delivery.ts";

const row = (seq: number, tag: string, state = "synced", time = `08:00:0${seq}`): ExportedRow => ({
  seq,
  reader: "r",
  rfidTag: tag,
  date: "2026-11-29",
  time,
  state,
  ...(state === "rejected" ? { error: "error_authenticate: Niciun angajat nu este asociat" } : {}),
});
const at = (r: ExportedRow, arrival: number): StoredAttendance => ({
  id: arrival,
  arrival,
  via: "offline",
  rfidTag: r.rfidTag,
  employeeId: "1",
  date: r.date,
  time: r.time,
  kind: "check-in",
});

function good(): DeliveryInput {
  const rows = [row(1, "0001000000"), row(2, "0010000001", "rejected"), row(3, "0001000002")];
  return {
    rows,
    stored: [at(rows[0]!, 1), at(rows[2]!, 2)],
    acks: [{ seq: 1, tag: "0001000000", reader: "r", run: 0 }, {
      seq: 3,
      tag: "0001000002",
      reader: "r",
      run: 1,
    }],
    tapped: new Set(["0001000000", "0010000001", "0001000002", "0001000003"]),
    mustJournal: ["0001000002"],
  };
}

Deno.test("delivery check passes a clean run and names each broken invariant", () => {
  const ok = checkDelivery(good());
  assert.deepEqual(ok.violations, []);
  assert.deepEqual([
    ok.journaled,
    ok.synced,
    ok.rejected,
    ok.pending,
    ok.delivered,
    ok.deliveredKeys,
  ], [3, 2, 1, 0, 2, 2]);

  const cases: [string, (d: DeliveryInput) => void, RegExp][] = [
    ["stored twice", (d) => d.stored.push(at(d.rows[0]!, 3)), /stored twice/],
    ["not at iFlow", (d) => d.stored.pop(), /seq 3 \(synced\) not at iFlow/],
    [
      "invented at iFlow",
      (d) => d.stored.push(at(row(9, "0001000009"), 3)),
      /the journal does not/,
    ],
    ["out of order", (d) => d.stored.reverse(), /not journal order/],
    [
      "ack lost",
      (d) => d.acks.push({ seq: 7, tag: "0001000003", reader: "r" }),
      /seq 7 .* missing/,
    ],
    ["ack changed", (d) => (d.acks[0]!.tag = "0001000003"), /journal holds/],
    ["pending", (d) => (d.rows[2]!.state = "pending"), /still pending/],
    ["never tapped", (d) => (d.tapped = new Set(["0010000001", "0001000002"])), /never tapped/],
    ["must journal", (d) => (d.mustJournal = ["0001000003"]), /not journaled/],
    ["no reason", (d) => delete d.rows[1]!.error, /without iFlow's reason/],
    ["twice in one run", (d) => {
      d.rows.push(row(4, "0001000002", "synced", "08:00:04"));
      d.stored.push(at(d.rows[3]!, 3));
      d.acks.push({ seq: 4, tag: "0001000002", reader: "r", run: 1 });
    }, /twice by one agent start/],
  ];
  for (const [what, breakIt, want] of cases) {
    const d = good();
    breakIt(d);
    const v = checkDelivery(d).violations;
    assert.ok(v.some((x) => want.test(x)), `${what}: ${JSON.stringify(v)}`);
  }
  // A card read again by a later start is a second scan, not a violation.
  const d = good();
  d.rows.push(row(4, "0001000002", "synced", "08:00:04"));
  d.stored.push(at(d.rows[3]!, 3));
  d.acks.push({ seq: 4, tag: "0001000002", reader: "r", run: 2 });
  const re = checkDelivery(d);
  assert.deepEqual(re.violations, []);
  assert.equal(re.rereads, 1);
});
