import assert from "node:assert/strict";
import { OsdpCmd, OsdpNak } from "../../../driver/osdp/mod.ts";
import { until, withLine, withoutResends } from "./harness.ts";

const one = { pds: [{ address: 1 }], readers: [{ name: "gate", address: 1 }] };

Deno.test("osdp cp first contact then sequence 1,2,3,1", async () => {
  await withLine(one, async (l) => {
    const pd = l.emu.reader(1);
    await until(() => withoutResends(pd.received).length >= 12, "12 commands");
    const st = l.bus.readerStatus(1)!;
    assert.equal(st.online, true);
    assert.equal(st.id?.serial, 0x12345678);
    assert.equal(st.id?.firmware, "1.2.3");
    const rx = withoutResends(pd.received).slice(0, 12);
    assert.deepEqual(rx.slice(0, 3).map((c) => [c.code, c.seq]), [
      [OsdpCmd.ID, 0],
      [OsdpCmd.CAP, 1],
      [OsdpCmd.LSTAT, 2],
    ]);
    for (let i = 1; i < rx.length; i++) {
      const prev = rx[i - 1]!.seq;
      const want = prev >= 3 ? 1 : prev + 1;
      assert.ok(rx[i]!.seq === want || rx[i]!.seq === prev, `seq ${prev} -> ${rx[i]!.seq}`);
      assert.notEqual(rx[i]!.seq, 0);
    }
    assert.ok(rx.slice(3).every((c) => c.code === OsdpCmd.POLL && c.crc));
  });
});

Deno.test("osdp cp resends with the same sequence when a reply is lost", async () => {
  await withLine(one, async (l) => {
    const pd = l.emu.reader(1);
    await until(() => l.bus.readerStatus(1)!.online, "online");
    const before = pd.counters.cachedReplies;
    pd.dropReplies(2);
    await until(() => pd.counters.cachedReplies >= before + 2, "two cached replies");
    const st = l.bus.readerStatus(1)!;
    assert.ok(st.counters.timeouts >= 2);
    assert.ok(st.counters.resends >= 2);
    assert.equal(st.online, true);
    // the lost exchanges show as the same (seq, code) received several times in a row
    const rx = pd.received;
    let repeats = 0;
    for (let i = 1; i < rx.length; i++) {
      if (rx[i]!.seq === rx[i - 1]!.seq && rx[i]!.code === rx[i - 1]!.code) repeats++;
    }
    assert.ok(repeats >= 2, `repeats ${repeats}`);
  });
});

Deno.test("osdp cp falls back to checksum on NAK 1", async () => {
  await withLine(
    { pds: [{ address: 1, checksumOnly: true }], readers: [{ name: "gate", address: 1 }] },
    async (l) => {
      const pd = l.emu.reader(1);
      await until(() => l.bus.readerStatus(1)!.online, "online");
      const st = l.bus.readerStatus(1)!;
      assert.equal(st.check, "checksum");
      assert.equal(st.lastNak, OsdpNak.CHECK);
      const firstSum = pd.received.findIndex((c) => !c.crc);
      assert.ok(firstSum >= 1);
      // ID at sequence 0 with CRC (NAK 1), then the same ID with a checksum
      assert.ok(pd.received.slice(0, firstSum).every((c) => c.code === OsdpCmd.ID && c.seq === 0));
      const rx = withoutResends(pd.received.slice(firstSum));
      assert.deepEqual(
        rx.slice(0, 3).map((c) => [c.code, c.seq, c.crc]),
        [[OsdpCmd.ID, 0, false], [OsdpCmd.CAP, 1, false], [OsdpCmd.LSTAT, 2, false]],
      );
    },
  );
});

Deno.test("osdp cp goes offline when the reader is silent and reconnects", async () => {
  await withLine({ ...one, timing: { offlineAfterMs: 400 } }, async (l) => {
    const pd = l.emu.reader(1);
    await until(() => l.bus.readerStatus(1)!.online, "online");
    pd.silent = true;
    await until(() => l.bus.readerStatus(1)!.phase === "offline", "offline");
    const off = l.bus.readerStatus(1)!;
    assert.equal(off.online, false);
    assert.ok(off.counters.timeouts >= 2);
    assert.ok(off.retryInMs !== null);
    assert.ok(l.logs.some((x) => x.msg === "osdp reader offline"));
    const n = pd.received.length;
    pd.silent = false;
    await until(() => l.bus.readerStatus(1)!.online, "online again");
    // reconnect starts over at sequence 0 with ID
    assert.ok(
      pd.received.slice(n).some((c) => c.code === OsdpCmd.ID && c.seq === 0),
      "ID at sequence 0 after going offline",
    );
  });
});

Deno.test("osdp cp restarts at sequence 0 after NAK 4", async () => {
  await withLine(one, async (l) => {
    const pd = l.emu.reader(1);
    await until(() => l.bus.readerStatus(1)!.online, "online");
    await until(() => pd.received.length > 6, "a few polls");
    pd.reboot(); // the reader forgets the sequence: next command gets NAK 4
    await until(() => l.bus.readerStatus(1)!.counters.restarts >= 1, "restart");
    await until(() => l.bus.readerStatus(1)!.online, "online again");
    const st = l.bus.readerStatus(1)!;
    assert.equal(st.lastNak, OsdpNak.SEQUENCE);
    const idAt0 = pd.received.filter((c) => c.code === OsdpCmd.ID && c.seq === 0).length;
    assert.ok(idAt0 >= 2, `ID at seq 0 seen ${idAt0} times`);
  });
});

Deno.test("osdp cp retries after BUSY and counts it", async () => {
  await withLine(one, async (l) => {
    const pd = l.emu.reader(1);
    await until(() => l.bus.readerStatus(1)!.online, "online");
    pd.busyNext(2);
    await until(() => l.bus.readerStatus(1)!.counters.busy >= 2, "two BUSY");
    pd.tapBits("10000000100000000000000010");
    await until(() => l.cards.length === 1, "card after busy");
    assert.equal(l.bus.readerStatus(1)!.online, true);
    assert.equal(l.cards[0]!.tag, "0000065537");
  });
});

Deno.test("osdp cp reports tamper and power from LSTATR", async () => {
  await withLine(one, async (l) => {
    const pd = l.emu.reader(1);
    await until(() => l.bus.readerStatus(1)!.online, "online");
    assert.equal(l.bus.readerStatus(1)!.tamper, false);
    pd.setStatus(true, true);
    await until(() => l.bus.readerStatus(1)!.tamper === true, "tamper");
    assert.equal(l.bus.readerStatus(1)!.powerFailure, true);
    pd.setStatus(false, false);
    await until(() => l.bus.readerStatus(1)!.tamper === false, "tamper cleared");
    assert.ok(l.logs.some((x) => x.msg === "osdp reader status changed"));
  });
});

Deno.test("osdp cp sends KEEPACTIVE and COMSET; follows the new address", async () => {
  await withLine(one, async (l) => {
    const pd = l.emu.reader(1);
    await until(() => l.bus.readerStatus(1)!.online, "online");
    assert.equal(l.bus.command(1, OsdpCmd.KEEPACTIVE, Uint8Array.of(0xe8, 0x03)), true);
    await until(() => pd.received.some((c) => c.code === OsdpCmd.KEEPACTIVE), "keepactive");
    assert.equal(l.bus.command(1, OsdpCmd.COMSET, Uint8Array.of(9, 0x00, 0xc2, 0x01, 0x00)), true);
    await until(() => l.bus.readerStatus(9)?.online === true, "online at address 9");
    assert.equal(pd.address, 9);
    assert.equal(pd.baudRate, 115200);
    assert.deepEqual(l.bus.readerStatus(9)!.com, { address: 9, baudRate: 115200 });
    const n = pd.received.length;
    await until(() => pd.received.length > n + 3, "polls at the new address");
  });
});
