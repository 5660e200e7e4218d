import assert from "node:assert/strict";
import {
  classifyLiveReply,
  classifyOfflineReply,
  isDeviceAuthMessage,
  parseDuplicate,
  parseRetryAfter,
  type WireRecord,
} from "../../../service/iflow/mod.ts";

const sent: WireRecord[] = [
  { date: "2024-05-06", time: "08:00:00", rfidTag: "0003887558", errorMsg: "" },
  { date: "2024-05-06", time: "08:00:05", rfidTag: "0012345678", errorMsg: "" },
];

function entry(r: WireRecord, errs: Partial<Record<string, string | null>> = {}) {
  return { ...r, error_authenticate: "", error_check_in_out: "", error_csv: "", ...errs };
}

Deno.test("classifyOfflineReply all error fields empty -> accepted", () => {
  const body = JSON.stringify(sent.map((r) => entry(r)));
  assert.deepEqual(classifyOfflineReply(sent, 200, null, body), {
    kind: "ok",
    outcomes: [{ kind: "accepted" }, { kind: "accepted" }],
  });
});

Deno.test("classifyOfflineReply duplicate with and without diacritics keeps the id", () => {
  const variants = [
    "Nu se poate adăuga - prezență duplicată: 53201",
    "Nu se poate adauga - prezenta duplicata: 53202",
    "NU SE POATE ADĂUGA - PREZENŢĂ DUPLICATĂ: 53203",
    "prezență  duplicată",
  ];
  const ids = ["53201", "53202", "53203", undefined];
  variants.forEach((msg, i) => {
    const body = JSON.stringify([entry(sent[0]!, { error_check_in_out: msg })]);
    const r = classifyOfflineReply(sent.slice(0, 1), 200, null, body);
    assert.deepEqual(r, {
      kind: "ok",
      outcomes: [
        ids[i] === undefined ? { kind: "duplicate" } : { kind: "duplicate", iflowId: ids[i] },
      ],
    });
  });
});

Deno.test("classifyOfflineReply other errors -> rejected with field and message", () => {
  const cases: [string, string][] = [
    ["error_authenticate", "Niciun angajat nu este asociat acestei cartele de tip RFID: 7"],
    ["error_authenticate", "Angajatul nu se poate ponta în afara perioadei de angajare."],
    [
      "error_check_in_out",
      "Oprea Radu - Acest interval se suprapune cu următorul interval: 05/08/2022 14:46:41 - gol",
    ],
    ["error_csv", "Data sau ora invalidă: 2024-13-01 08:00:00"],
  ];
  for (const [field, message] of cases) {
    const body = JSON.stringify([entry(sent[0]!, { [field]: message })]);
    assert.deepEqual(classifyOfflineReply(sent.slice(0, 1), 200, null, body), {
      kind: "ok",
      outcomes: [{ kind: "rejected", field, message }],
    });
  }
});

Deno.test("classifyOfflineReply null error fields and numeric rfidTag are read leniently", () => {
  const r = { date: "2024-05-06", time: "08:00:00", rfidTag: "1234", errorMsg: "" };
  const body = JSON.stringify([{
    ...r,
    rfidTag: 1234,
    error_authenticate: null,
    error_check_in_out: "",
    error_csv: null,
  }]);
  assert.deepEqual(classifyOfflineReply([r], 200, null, body), {
    kind: "ok",
    outcomes: [{ kind: "accepted" }],
  });
});

Deno.test("classifyOfflineReply malformed replies are transient", () => {
  const ok = sent.map((r) => entry(r));
  const bodies: [string, RegExp][] = [
    ["{}", /not an array/],
    ["null", /not an array/],
    [JSON.stringify(ok.slice(0, 1)), /1 entries for 2 records/],
    [JSON.stringify([ok[1], ok[0]]), /entry 0 .* does not match/],
    [JSON.stringify([ok[0], { ...ok[1], time: "08:00:06" }]), /entry 1/],
    [JSON.stringify([ok[0], { date: "x", time: "y" }]), /schema/],
    ["", /non-JSON/],
    ["Fatal error: Allowed memory size exhausted", /non-JSON/],
    ["<!DOCTYPE html><html><body>Maintenance</body></html>", /HTML/],
  ];
  for (const [body, re] of bodies) {
    const r = classifyOfflineReply(sent, 200, null, body);
    assert.deepEqual(r.kind, "transient", body);
    assert.deepEqual(
      re.test((r as { reason: string }).reason),
      true,
      (r as { reason: string }).reason,
    );
  }
});

Deno.test("classifyOfflineReply HTTP statuses: 5xx/4xx transient, 401/403 auth, 414 too-long", () => {
  assert.deepEqual(classifyOfflineReply(sent, 503, "7", "<html></html>"), {
    kind: "transient",
    reason: "HTTP 503",
    retryAfterMs: 7000,
  });
  assert.deepEqual(classifyOfflineReply(sent, 500, null, "[]"), {
    kind: "transient",
    reason: "HTTP 500",
  });
  assert.deepEqual(classifyOfflineReply(sent, 404, null, "").kind, "transient");
  assert.deepEqual(classifyOfflineReply(sent, 429, "1", "").kind, "transient");
  assert.deepEqual(classifyOfflineReply(sent, 301, null, "").kind, "transient");
  assert.deepEqual(classifyOfflineReply(sent, 401, null, "").kind, "auth");
  assert.deepEqual(classifyOfflineReply(sent, 403, null, "").kind, "auth");
  assert.deepEqual(classifyOfflineReply(sent, 414, null, "").kind, "too-long");
});

Deno.test("classifyOfflineReply JSON object naming the device or token -> auth", () => {
  for (
    const body of [
      { error: "Dispozitivul RFID nu este înregistrat: access_token invalid" },
      { message: "Invalid token" },
      { api_reply: { error: "Device not found" } },
    ]
  ) {
    assert.deepEqual(classifyOfflineReply(sent, 200, null, JSON.stringify(body)).kind, "auth");
  }
  const perEntry = sent.map((r) => entry(r, { error_authenticate: "Dispozitiv necunoscut" }));
  assert.deepEqual(classifyOfflineReply(sent, 200, null, JSON.stringify(perEntry)).kind, "auth");
  assert.deepEqual(
    classifyOfflineReply(sent, 200, null, '{"error":"server busy"}').kind,
    "transient",
  );
});

Deno.test("parseDuplicate, isDeviceAuthMessage and parseRetryAfter", () => {
  assert.deepEqual(parseDuplicate("Nu se poate adăuga - prezență duplicată: 53201"), {
    iflowId: "53201",
  });
  assert.deepEqual(parseDuplicate("Acest interval se suprapune"), null);
  assert.deepEqual(
    isDeviceAuthMessage("Niciun angajat nu este asociat acestei cartele de tip RFID: 7"),
    false,
  );
  assert.deepEqual(
    isDeviceAuthMessage("Angajatul nu se poate ponta în afara perioadei de angajare."),
    false,
  );
  assert.deepEqual(isDeviceAuthMessage("Token invalid"), true);
  assert.deepEqual(parseRetryAfter("120"), 120_000);
  assert.deepEqual(
    parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.UTC(2015, 9, 21, 7, 28, 0)),
    10_000,
  );
  assert.deepEqual(parseRetryAfter("soon"), undefined);
  assert.deepEqual(parseRetryAfter(null), undefined);
});

Deno.test("classifyLiveReply stored / not stored / auth", () => {
  const stored = {
    api_reply: {
      scan_msg: "",
      user: { ID: "22221", full_name: "Max John", is_enabled: true },
      event: [
        { ID: "1", date: "2022-09-02", start_time: "26816", end_time: "30000" },
        { ID: "2", date: "2022-09-02", start_time: "31000", end_time: null },
      ],
    },
  };
  assert.deepEqual(classifyLiveReply(200, JSON.stringify(stored)), {
    kind: "stored",
    userId: "22221",
    userName: "Max John",
    action: "check-in",
  });
  const out = structuredClone(stored);
  out.api_reply.event[1]!.end_time = "32000";
  assert.deepEqual(
    (classifyLiveReply(200, JSON.stringify(out)) as { action: string }).action,
    "check-out",
  );
  assert.deepEqual(
    classifyLiveReply(200, JSON.stringify({ api_reply: { scan_msg: "x", user: null } })),
    {
      kind: "not-stored",
      certain: true,
      reason: "iFlow: x",
    },
  );
  assert.deepEqual(
    classifyLiveReply(200, JSON.stringify({ api_reply: { scan_msg: "" } })).kind,
    "not-stored",
  );
  assert.deepEqual(classifyLiveReply(502, "<html>").kind, "not-stored");
  assert.deepEqual((classifyLiveReply(502, "<html>") as { certain: boolean }).certain, false);
  assert.deepEqual((classifyLiveReply(200, "<html>") as { certain: boolean }).certain, false);
  assert.deepEqual(classifyLiveReply(401, "").kind, "auth");
  assert.deepEqual(
    classifyLiveReply(200, JSON.stringify({ error: "access_token invalid" })).kind,
    "auth",
  );
});
