// What status says about an OSDP reader, from the real bus status over a pty.
import assert from "node:assert/strict";
import { osdpReaderHealth } from "../../../service/readers/osdp_bus.ts";
import { until, withLine } from "../../driver/osdp/harness.ts";

const KEY = "00112233445566778899aabbccddeeff";
const OTHER = "ffeeddccbbaa99887766554433221100";

Deno.test("osdp health: a key that fails while not required falls back to clear and is degraded", async () => {
  await withLine(
    {
      pds: [{ address: 1, scbk: OTHER }],
      readers: [{ name: "g", address: 1, secureChannel: { scbk: KEY } }],
    },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.online, "online in clear");
      assert.deepEqual(
        osdpReaderHealth(l.bus.readerStatus(1)!).degraded,
        "secure channel failed: key mismatch; running unencrypted",
      );
    },
  );
});

Deno.test("osdp health: a refused reader names its reason", async () => {
  await withLine(
    {
      pds: [{ address: 1, scbk: OTHER }, { address: 2 }],
      readers: [
        { name: "wrong", address: 1, secureChannel: { scbk: KEY, required: true } },
        { name: "default", address: 2, secureChannel: { required: true } },
      ],
    },
    async (l) => {
      await until(() => l.bus.status().every((s) => s.phase === "refused"), "both refused");
      const [wrong, def] = l.bus.status().map(osdpReaderHealth);
      assert.match(wrong!.degraded!, /^refused: key mismatch/);
      assert.match(def!.degraded!, /^refused: reader is on the public default key SCBK-D/);
    },
  );
});

Deno.test("osdp health: the default key without required is a warning, not degraded", async () => {
  await withLine(
    { pds: [{ address: 1 }], readers: [{ name: "g", address: 1, secureChannel: {} }] },
    async (l) => {
      await until(() => l.bus.readerStatus(1)!.online, "online");
      const h = osdpReaderHealth(l.bus.readerStatus(1)!);
      assert.equal(h.degraded, undefined);
      assert.equal(h.warning, "secure channel on the public default key SCBK-D");
    },
  );
});
