import assert from "node:assert/strict";
import { gunzipSync } from "fflate";
import {
  startStatusServer,
  type StatusServer,
  type StatusSnapshot,
} from "../../../service/status/mod.ts";
import type { CaptureAction } from "../../../service/status/capture_route.ts";
import { CAPTURE_MAGIC, parseCapture } from "../../../driver/capture/format.ts";
import { healthySnapshot } from "./fixture.ts";
import { openCdp } from "./chromium.ts";

const TOKEN = "page-status-token-0123456789abcdef";
const CAPTURE = await Deno.readFile(new URL("../../captures/ascii.pjcap", import.meta.url));

async function withServer(
  token: string | undefined,
  capture: CaptureAction | undefined,
  fn: (server: StatusServer) => Promise<void>,
  snapshot: () => StatusSnapshot = healthySnapshot,
): Promise<void> {
  const server = await startStatusServer({
    listen: "127.0.0.1:0",
    snapshot,
    actions: capture ? { capture } : {},
    token,
  });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Fills the control and submits it, as a user would. */
function submit(reader: string, seconds: string, token: string | null): string {
  return `(() => {
    document.getElementById("capture-reader").value = ${JSON.stringify(reader)};
    document.getElementById("capture-seconds").value = ${JSON.stringify(seconds)};
    ${
    token === null
      ? ""
      : `document.getElementById("capture-token").value = ${JSON.stringify(token)};`
  }
    document.getElementById("capture-go").click();
    return true;
  })()`;
}

const MSG = `document.getElementById("capture-msg").textContent`;
const DONE = `!document.getElementById("capture-go").disabled && ${MSG}.length > 0 && ` +
  `!${MSG}.startsWith("Recording") && ${MSG}`;

Deno.test("status page capture control: wrong token says so, the right one downloads a capture file", async () => {
  const calls: [string, number][] = [];
  const action: CaptureAction = (reader, seconds) => {
    calls.push([reader, seconds]);
    return Promise.resolve(CAPTURE.slice());
  };
  await withServer(TOKEN, action, async (server) => {
    // The token is typed by the user, never sent in the page.
    const html = await (await fetch(`${server.url}/`)).text();
    assert.ok(!html.includes(TOKEN));
    assert.ok(html.includes('<input id="capture-token" type="password"'));
    assert.ok(html.includes('<option value="gate-1">gate-1</option>'));
    const b = await openCdp(`${server.url}/`);
    try {
      await b.waitFor(`document.getElementById("capture-form") !== null`);
      // Wrong token: a clear message, no download.
      await b.evaluate(submit("gate-2", "7", "not-the-token-0123456789"));
      const refused = String(await b.waitFor(DONE));
      assert.match(refused, /^Capture refused: wrong or missing status token \(HTTP 401\)/);
      assert.equal(
        await b.evaluate(`document.getElementById("capture-msg").className`),
        "small err",
      );
      assert.equal(server.stats().unauthorized, 1);
      assert.deepEqual(calls, []);
      // No token typed: refused in the page, nothing sent.
      await b.evaluate(submit("gate-2", "7", ""));
      assert.equal(await b.evaluate(MSG), "Capture: type the status token first.");
      // Bad seconds: refused in the page.
      await b.evaluate(submit("gate-2", "601", TOKEN));
      assert.match(String(await b.evaluate(MSG)), /seconds must be a whole number from 1 to 600/);
      assert.deepEqual(calls, []);
      // The right token: the capture comes back as a real download.
      await b.evaluate(submit("gate-2", "7", TOKEN));
      const done = String(await b.waitFor(DONE));
      assert.equal(done, `Captured 7 s from gate-2: pontaj-gate-2.pjcap, ${CAPTURE.length} bytes.`);
      assert.deepEqual(calls, [["gate-2", 7]]);
      const begin = await b.event((e) => e.method === "Browser.downloadWillBegin");
      assert.equal(begin.params.suggestedFilename, "pontaj-gate-2.pjcap");
      assert.match(String(begin.params.url), /^blob:http:\/\/127\.0\.0\.1:\d+\//);
      const guid = String(begin.params.guid);
      await b.event((e) =>
        e.method === "Browser.downloadProgress" && e.params.guid === guid &&
        e.params.state === "completed"
      );
      const saved = await Deno.readFile(`${b.downloads}/${guid}`);
      assert.equal(saved.length, CAPTURE.length);
      assert.deepEqual(saved, CAPTURE);
      assert.deepEqual([...saved.subarray(0, 2)], [0x1f, 0x8b], "gzip magic");
      assert.deepEqual(gunzipSync(saved).subarray(0, 8), CAPTURE_MAGIC, "capture magic");
      const parsed = await parseCapture(saved);
      assert.equal(parsed.header.kind, "ascii");
      assert.ok(parsed.count > 0);
      assert.equal(parsed.tear, null);
      // The link stays for saving again.
      assert.equal(
        await b.evaluate(`document.getElementById("capture-file").download`),
        "pontaj-gate-2.pjcap",
      );
      assert.equal(await b.evaluate(`document.body.getAttribute("data-captures")`), "1");
    } finally {
      await b.close();
    }
  });
});

Deno.test("status page capture control: no token field without status.token, server errors shown as text", async () => {
  const action: CaptureAction = () => Promise.reject(new Error("reader <b>gate-1</b> is closed"));
  let calls = 0;
  await withServer(undefined, action, async (server) => {
    const html = await (await fetch(`${server.url}/`)).text();
    assert.ok(html.includes('id="capture-form"'));
    assert.ok(!html.includes(`id="capture-token"`));
    const b = await openCdp(`${server.url}/`);
    try {
      await b.waitFor(`document.getElementById("capture-form") !== null`);
      await b.evaluate(submit("gate-1", "3", null));
      assert.equal(
        await b.waitFor(DONE),
        "Capture failed (HTTP 500): reader <b>gate-1</b> is closed",
      );
      assert.equal(await b.evaluate(`document.querySelector("#capture-msg b")`), null);
      assert.equal(await b.evaluate(`document.getElementById("capture-file").hidden`), true);
      // The select follows the readers /health reports, keeping the choice.
      assert.equal(
        await b.waitFor(
          `Array.from(document.getElementById("capture-reader").options, (o) => o.value).join() === ` +
            `"gate-1,turnstile-north" && document.getElementById("capture-reader").value`,
          15_000,
        ),
        "gate-1",
      );
    } finally {
      await b.close();
    }
  }, () => {
    const s = healthySnapshot();
    if (++calls > 2) s.readers[1]!.name = "turnstile-north"; // the page itself and the test's fetch: as before
    return s;
  });
  // A server without the capture action shows no control.
  await withServer(undefined, undefined, async (server) => {
    const html = await (await fetch(`${server.url}/`)).text();
    assert.ok(!html.includes("capture-form"));
  });
});
