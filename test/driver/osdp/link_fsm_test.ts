// The link's transition table and key candidates, on their own.
import assert from "node:assert/strict";
import {
  eventName,
  KeyRing,
  LinkEvent,
  LinkStep,
  nextStep,
  SCBK_D,
  stepName,
} from "../../../driver/osdp/mod.ts";

const S = LinkStep, E = LinkEvent;

Deno.test("osdp link table walks the connect steps and names every state and event", () => {
  const path = [
    [S.ID, E.OK, S.CAP],
    [S.CAP, E.SECURE, S.CHLNG],
    [S.CHLNG, E.OK, S.SCRYPT],
    [S.SCRYPT, E.NEXT_KEY, S.CHLNG],
    [S.SCRYPT, E.INSTALL, S.KEYSET],
    [S.KEYSET, E.OK, S.ID],
    [S.KEYSET, E.CLEAR, S.LSTAT],
    [S.CAP, E.OK, S.LSTAT],
    [S.LSTAT, E.OK, S.ONLINE],
    [S.ONLINE, E.REKEY, S.KEYSET],
    [S.ONLINE, E.SILENT, S.OFFLINE],
    [S.OFFLINE, E.OK, S.CAP],
    [S.CHLNG, E.REFUSE, S.REFUSED],
    [S.REFUSED, E.OK, S.CAP],
    [S.ONLINE, E.RESTART, S.ID],
    [S.LSTAT, E.PORT_LOST, S.OFFLINE],
  ] as const;
  for (const [from, ev, to] of path) {
    assert.equal(
      nextStep(from, ev),
      to,
      `${stepName(from)} --${eventName(ev)} should go to ${stepName(to)}`,
    );
  }
  assert.equal(nextStep(S.LSTAT, E.INSTALL), -1, "no install outside the handshake");
  assert.equal(nextStep(S.ID, E.REKEY), -1, "no rekey before online");
  for (const v of Object.values(S)) assert.doesNotMatch(stepName(v), /unknown/);
  for (const v of Object.values(E)) assert.doesNotMatch(eventName(v), /unknown/);
  assert.equal(stepName(42), "unknown 42");
});

Deno.test("osdp key ring tries the stored key, the configured key, then SCBK-D only when allowed", () => {
  const stored = new Uint8Array(16).fill(7), conf = new Uint8Array(16).fill(9);
  assert.deepEqual(new KeyRing(stored, conf, true).sources, ["installed", "configured", "default"]);
  assert.deepEqual(new KeyRing(stored, conf, false).sources, ["installed", "configured"]);
  assert.deepEqual(new KeyRing(null, conf, false).sources, ["configured"]);
  assert.deepEqual(new KeyRing(null, undefined, false).sources, ["default"]);
  assert.deepEqual(new KeyRing(conf.slice(), conf, true).sources, ["installed", "default"]);
  const ring = new KeyRing(null, undefined, true);
  assert.deepEqual(ring.current.key, SCBK_D);
  assert.equal(ring.next(), false);
  // the key to install: configured, else stored, else random (seeded here)
  assert.deepEqual(new KeyRing(stored, conf, true).keyToInstall(), conf);
  assert.deepEqual(new KeyRing(stored, undefined, true).keyToInstall(), stored);
  const fresh = ring.keyToInstall((b) => b.fill(0xab));
  assert.deepEqual(fresh, new Uint8Array(16).fill(0xab));
  ring.installed(fresh);
  assert.deepEqual(ring.sources, ["installed", "default"]);
  assert.deepEqual(ring.current.key, fresh);
});
