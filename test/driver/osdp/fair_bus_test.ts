// A silent reader on a shared line must not slow its neighbour: after a few
// timeouts it is polled on the slow schedule, and status says "not answering"
// long before "offline". Measured in counts, not wall-clock time: the line
// time the silent reader takes (its probes × the reply timeout) against the
// time the neighbour's polls need (its polls × the poll interval).
import assert from "node:assert/strict";
import { bitsToString, encodeWiegand } from "../../../driver/wiegand/mod.ts";
import { OsdpCmd } from "../../../driver/osdp/mod.ts";
import { until, withLine } from "./harness.ts";

const TIMING = {
  replyTimeoutMs: 100,
  pollIntervalMs: 30,
  offlineAfterMs: 60_000,
  silentPollMs: 2000,
};
const CARDS = 100;

Deno.test("osdp fair bus: a silent reader costs its neighbour at most 10% of its card throughput", async () => {
  await withLine(
    {
      pds: [{ address: 1 }, { address: 2 }],
      readers: [{ name: "healthy", address: 1 }, { name: "silent", address: 2 }],
      timing: TIMING,
    },
    async (l) => {
      const healthy = l.emu.reader(1), silent = l.emu.reader(2);
      await until(() => l.bus.readerStatus(1)!.online && l.bus.readerStatus(2)!.online, "online");
      silent.silent = true;
      await until(() => !l.bus.readerStatus(2)!.answering, "not answering");
      const st2 = l.bus.readerStatus(2)!;
      assert.equal(st2.phase, "online", "not answering is a warning, not offline");
      assert.ok(l.logs.some((x) => x.msg === "osdp reader not answering"));
      const polls0 = healthy.received.filter((c) => c.code === OsdpCmd.POLL).length;
      const probes0 = silent.counters.commands;
      for (let i = 0; i < CARDS; i++) {
        healthy.tapBits(bitsToString(encodeWiegand("h10301", 1, 1000 + i)));
      }
      await until(() => l.cards.length === CARDS, `${CARDS} cards`, 60_000);
      const polls = healthy.received.filter((c) => c.code === OsdpCmd.POLL).length - polls0;
      const probes = silent.counters.commands - probes0;
      const lost = probes * TIMING.replyTimeoutMs;
      const budget = polls * TIMING.pollIntervalMs;
      assert.ok(polls >= CARDS, `one card per poll: ${polls} polls`);
      assert.ok(
        lost <= 0.1 * budget,
        `silent reader took ${lost} ms of line time (${probes} probes) against ${budget} ms of polls`,
      );
      assert.deepEqual(
        l.cards.map((c) => c.card),
        Array.from({ length: CARDS }, (_, i) => 1000 + i),
      );
      assert.ok(l.bus.readerStatus(2)!.counters.slowPolls >= 1);
      // Full speed again on its first answer.
      silent.silent = false;
      await until(() => l.bus.readerStatus(2)!.answering, "answering again", 10_000);
      assert.ok(l.logs.some((x) => x.msg === "osdp reader answering again"));
    },
  );
});

Deno.test("osdp a lone silent reader is not answering after 3 timeouts, offline only after offlineAfterMs", async () => {
  await withLine(
    {
      pds: [{ address: 1 }],
      readers: [{ name: "gate", address: 1 }],
      timing: { replyTimeoutMs: 50, offlineAfterMs: 60_000 },
    },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.online, "online");
      l.emu.reader(1).silent = true;
      await until(() => !l.bus.readerStatus(1)!.answering, "not answering");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.phase, "online");
      assert.ok(st.counters.timeouts >= 3);
    },
  );
});
