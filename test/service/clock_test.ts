import assert from "node:assert/strict";
import { BUILD_DATE_MS, clockProblem, localStamp } from "../../service/clock.ts";

const TZ = "Europe/Bucharest";

Deno.test("clock stamps local date and time in the configured zone", () => {
  // 2026-07-01 09:15:30 UTC is 12:15:30 in Bucharest (EEST, +03:00).
  assert.deepEqual(localStamp(Date.UTC(2026, 6, 1, 9, 15, 30, 999), TZ), {
    date: "2026-07-01",
    time: "12:15:30",
    utcOffsetMin: 180,
  });
  // Winter: +02:00; a date that changes across midnight.
  assert.deepEqual(localStamp(Date.UTC(2026, 11, 31, 22, 30, 0), TZ), {
    date: "2027-01-01",
    time: "00:30:00",
    utcOffsetMin: 120,
  });
  assert.equal(localStamp(Date.UTC(2026, 0, 1), "UTC").time, "00:00:00");
});

Deno.test("clock spring-forward gap: 03:00 local jumps to 04:00", () => {
  // Last Sunday of March 2027 is the 28th; the change is at 01:00 UTC.
  const before = localStamp(Date.UTC(2027, 2, 28, 0, 59, 59), TZ);
  const after = localStamp(Date.UTC(2027, 2, 28, 1, 0, 0), TZ);
  assert.deepEqual(before, { date: "2027-03-28", time: "02:59:59", utcOffsetMin: 120 });
  assert.deepEqual(after, { date: "2027-03-28", time: "04:00:00", utcOffsetMin: 180 });
});

Deno.test("clock autumn repeated hour: same local time, different offsets", () => {
  // Last Sunday of October 2026 is the 25th; 04:00 EEST goes back to 03:00 at 01:00 UTC.
  const first = localStamp(Date.UTC(2026, 9, 25, 0, 30, 0), TZ);
  const second = localStamp(Date.UTC(2026, 9, 25, 1, 30, 0), TZ);
  assert.deepEqual(first, { date: "2026-10-25", time: "03:30:00", utcOffsetMin: 180 });
  assert.deepEqual(second, { date: "2026-10-25", time: "03:30:00", utcOffsetMin: 120 });
});

Deno.test("clock problems: before the build date, or backwards since the last scan", () => {
  assert.match(clockProblem(Date.UTC(1970, 0, 2), null), /before the software build date/);
  assert.equal(clockProblem(BUILD_DATE_MS + 1000, null), "");
  assert.match(clockProblem(BUILD_DATE_MS + 1000, BUILD_DATE_MS + 5000), /went backwards/);
  assert.equal(clockProblem(BUILD_DATE_MS + 5000, BUILD_DATE_MS + 5000), "");
});
