/**
 * `POST /actions/capture?reader=NAME&seconds=N`: records the reader's raw
 * traffic for N seconds while the agent keeps reading, and sends the capture
 * file as a download. The server applies the same checks as to its other
 * actions before calling it.
 *
 * @module
 */

/** Records a reader; resolves with the capture file's bytes. */
export type CaptureAction = (reader: string, seconds: number) => Promise<Uint8Array>;

/** Longest capture asked over HTTP, in seconds. */
export const HTTP_CAPTURE_MAX_SECONDS = 600;

const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

function reply(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: {
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-type": "application/json; charset=utf-8",
    },
  });
}

/** Handles the route; `action` absent → 501. Bad parameters → 400, unknown or closed reader → 404. */
export async function captureRoute(url: URL, action: CaptureAction | undefined): Promise<Response> {
  if (!action) return reply({ error: "capture is not available on this server" }, 501);
  const reader = url.searchParams.get("reader") ?? "";
  const secondsText = url.searchParams.get("seconds") ?? "";
  if (!NAME_RE.test(reader)) {
    return reply({ error: "reader: expected a reader name (letters, digits, '.', '_', '-')" }, 400);
  }
  const seconds = Number(secondsText);
  if (!/^\d{1,4}$/.test(secondsText) || seconds < 1 || seconds > HTTP_CAPTURE_MAX_SECONDS) {
    return reply({
      error: `seconds: expected a whole number from 1 to ${HTTP_CAPTURE_MAX_SECONDS}, got ${
        JSON.stringify(secondsText.slice(0, 16))
      }`,
    }, 400);
  }
  try {
    const bytes = await action(reader, seconds);
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "content-type": "application/octet-stream",
        "content-disposition": `attachment; filename="pontaj-${reader}.pjcap"`,
      },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const status = err instanceof Error && err.name === "CaptureError" ? 404 : 500;
    return reply({ error: message.slice(0, 300) }, status);
  }
}
