/**
 * The `status` section of the agent configuration: where the status server
 * listens, the token that guards `/export` and the actions, and the host
 * names it answers to besides its own address and `localhost`.
 *
 * @module
 */

import { z } from "zod";
import { isDnsName, isIpv4, isIpv6, isLoopbackHost, parseListen } from "./listen.ts";

/** Environment variable that overrides `status.token` (it wins over the file). */
export const STATUS_TOKEN_ENV = "PONTAJ_STATUS_TOKEN";

/** The default `status.listen`. */
export const DEFAULT_STATUS_LISTEN = "127.0.0.1:8780";

/** The parsed `status` section (defaults applied); see {@link StatusConfigSchema}. */
export interface StatusConfig {
  /** `host:port` the status server listens on (default `127.0.0.1:8780`). */
  listen: string;
  /** Bearer token for `/export` and `POST /actions/…` (secret); none: loopback peers only. */
  token?: string | undefined;
  /** Host names (or addresses) accepted in `Host` besides the listen address and `localhost`. */
  allowedHosts: string[];
}

const listenSchema = z.string().superRefine((listen, ctx) => {
  let port = 0;
  try {
    port = parseListen(listen).port;
  } catch {
    port = 0;
  }
  if (port < 1) {
    ctx.addIssue({
      code: "custom",
      message: `expected "host:port" with an IP address or host name and a port 1–65535 ` +
        `(e.g. "127.0.0.1:8780", "[::1]:8780", ":8780"), got ${
          JSON.stringify(listen.slice(0, 100))
        }`,
    });
  }
});

const tokenSchema = z.string().min(16, "expected at least 16 characters (a long random string)")
  .max(512, "expected at most 512 characters")
  .regex(/^[\x21-\x7e]+$/, {
    message: "expected printable ASCII without spaces (it is sent in an HTTP header)",
  });

const hostName = z.string().max(253).transform((h) => h.toLowerCase()).refine(
  (h) => isDnsName(h) || isIpv4(h) || isIpv6(h.replace(/^\[(.*)\]$/, "$1")),
  { message: "expected a host name or IP address without a port, e.g. pontaj-gate.local" },
);

/**
 * Zod schema of the `status` section (strict: unknown keys are errors). A
 * `listen` that is not loopback needs a token, so the export of employees'
 * tags is never open to the network.
 *
 * @example
 * ```ts
 * import { StatusConfigSchema } from "./config.ts";
 * StatusConfigSchema.parse({}).listen; // "127.0.0.1:8780"
 * StatusConfigSchema.safeParse({ listen: "0.0.0.0:8780" }).success; // false: no token
 * ```
 */
export const StatusConfigSchema: z.ZodType<StatusConfig, unknown> = z.strictObject({
  listen: listenSchema.default(DEFAULT_STATUS_LISTEN),
  token: tokenSchema.optional(),
  allowedHosts: z.array(hostName).max(32).default([]),
}).superRefine((s, ctx) => {
  let host: string;
  try {
    host = parseListen(s.listen).hostname;
  } catch {
    return; // reported on listen
  }
  if (s.token === undefined && !isLoopbackHost(host)) {
    ctx.addIssue({
      code: "custom",
      path: ["token"],
      message: `required when status.listen (${s.listen}) is not a loopback address: ` +
        `set status.token or ${STATUS_TOKEN_ENV} (16+ characters), or listen on 127.0.0.1`,
    });
  }
}).default({ listen: DEFAULT_STATUS_LISTEN, allowedHosts: [] });

/** `PONTAJ_STATUS_TOKEN` from the environment; undefined when unset, empty or not permitted. */
export function statusTokenFromEnv(): string | undefined {
  try {
    return Deno.env.get(STATUS_TOKEN_ENV) || undefined;
  } catch {
    return undefined; // run without --allow-env for it: treated as unset
  }
}

/**
 * Puts `token` (from {@link STATUS_TOKEN_ENV}) into the raw config object's
 * `status.token`, creating the section when missing; a `status` that is not
 * an object is left for the schema to report.
 */
export function applyStatusTokenEnv(
  config: Record<string, unknown>,
  token: string | undefined,
): void {
  if (!token) return;
  const status = config.status;
  if (status === undefined) config.status = { token };
  else if (typeof status === "object" && status !== null && !Array.isArray(status)) {
    (status as Record<string, unknown>).token = token;
  }
}
