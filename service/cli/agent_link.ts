/**
 * Talking to a running agent through its status endpoint, so CLI commands
 * work while the agent holds the journal. The status token, when configured
 * (`status.token` or `PONTAJ_STATUS_TOKEN`), is sent as a bearer token.
 *
 * @module
 */

import { urlHost } from "../status/listen.ts";

/** Where the agent's status server is, and the token it wants for the export and actions. */
export interface AgentAddress {
  /** `status.listen`, e.g. `127.0.0.1:8780`. */
  listen: string;
  /** `status.token`, if configured. */
  token?: string | undefined;
}

/** The base URL for a `host:port` listen address. */
export function statusBaseUrl(listen: string): string {
  const [host, port] = splitListen(listen);
  return `http://${urlHost(host.replace(/^\[(.*)\]$/, "$1"))}:${port}`;
}

/** Splits `host:port` (IPv6 hosts in brackets). */
export function splitListen(listen: string): [string, number] {
  const i = listen.lastIndexOf(":");
  return [listen.slice(0, i), Number(listen.slice(i + 1))];
}

/** Requests `path` from the agent (with its bearer token when set); null when no agent answers. */
export async function agentFetch(
  agent: AgentAddress,
  path: string,
  init: RequestInit = {},
  timeoutMs = 2000,
): Promise<Response | null> {
  const headers = new Headers(init.headers);
  if (agent.token) headers.set("authorization", `Bearer ${agent.token}`);
  try {
    return await fetch(statusBaseUrl(agent.listen) + path, {
      ...init,
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return null;
  }
}
