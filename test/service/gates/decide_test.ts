import assert from "node:assert/strict";
import {
  type AllowVerdict,
  decide,
  type LearnedState,
  liveDecision,
} from "../../../service/gates/decide.ts";

type Row = [
  policy: "any" | "known" | "list",
  offline: "open" | "known" | "closed",
  online: boolean,
  allow: AllowVerdict,
  learned: LearnedState | null,
  expect: string,
];

// Every policy × offline mode × online/offline, for an unknown, a known and a refused card,
// plus allow-file entries (listed, denied).
const rows: Row[] = [];
for (const policy of ["any", "known", "list"] as const) {
  for (const offline of ["open", "known", "closed"] as const) {
    for (const online of [true, false]) {
      for (const allow of [null, "allow", "deny"] as const) {
        for (const learned of [null, "known", "refused"] as const) {
          rows.push([
            policy,
            offline,
            online,
            allow,
            learned,
            expected(policy, offline, online, allow, learned),
          ]);
        }
      }
    }
  }
}

/** The table from the README, written out independently of decide(). */
function expected(
  policy: string,
  offline: string,
  online: boolean,
  allow: AllowVerdict,
  learned: LearnedState | null,
): string {
  if (allow === "deny") return "denied allow-file";
  if (policy === "any") return "granted policy-any";
  if (allow === "allow") return "granted allow-file";
  if (policy === "list") return "denied unknown";
  const mode = online ? "known" : offline;
  if (mode === "closed") return "denied offline-closed";
  if (mode === "open") return learned === "refused" ? "denied refused" : "granted offline-open";
  return learned === "known"
    ? "granted known"
    : learned === "refused"
    ? "denied refused"
    : "denied unknown";
}

Deno.test("decide every policy × offline mode × online/offline × allow × learned", () => {
  assert.equal(rows.length, 3 * 3 * 2 * 3 * 3);
  for (const [policy, offline, online, allow, learned, expect] of rows) {
    const d = decide({ policy, offline, online, allow, learned });
    assert.equal(
      `${d.granted ? "granted" : "denied"} ${d.reason}`,
      expect,
      JSON.stringify({ policy, offline, online, allow, learned }),
    );
  }
});

Deno.test("decide spot checks the trade-offs named in the README", () => {
  // online, policy known: an unknown card stays shut, a learned one opens
  assert.deepEqual(
    decide({ policy: "known", offline: "open", online: true, allow: null, learned: null }),
    { granted: false, reason: "unknown" },
  );
  // offline fail-open opens an unknown card but not one iFlow refused
  assert.deepEqual(
    decide({ policy: "known", offline: "open", online: false, allow: null, learned: null }),
    { granted: true, reason: "offline-open" },
  );
  // offline closed keeps a known card out, the allow file still opens
  assert.deepEqual(
    decide({ policy: "known", offline: "closed", online: false, allow: null, learned: "known" }),
    { granted: false, reason: "offline-closed" },
  );
  assert.deepEqual(
    decide({ policy: "known", offline: "closed", online: false, allow: "allow", learned: null }),
    { granted: true, reason: "allow-file" },
  );
  // the allow file wins over what was learned
  assert.deepEqual(
    decide({ policy: "known", offline: "known", online: true, allow: "deny", learned: "known" }),
    { granted: false, reason: "allow-file" },
  );
  assert.deepEqual(liveDecision(true), { granted: true, reason: "live" });
  assert.deepEqual(liveDecision(false), { granted: false, reason: "refused" });
});

Deno.test("decide returns shared objects (no allocation per scan)", () => {
  const i = {
    policy: "known",
    offline: "known",
    online: true,
    allow: null,
    learned: "known",
  } as const;
  assert.equal(decide(i), decide({ ...i }));
  assert.ok(Object.isFrozen(decide(i)));
});
