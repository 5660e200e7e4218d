/**
 * pontaj: reads RFID cards on turnstile and door controllers, journals every
 * scan durably, and syncs them to iFlow.
 *
 * This entry point is the two halves together:
 * - `@pontaj/pontaj/driver`: reader protocols, decoders and Linux transports.
 * - `@pontaj/pontaj/service`: config, journal, sync engine and the agent.
 * - `@pontaj/pontaj/testing` (not re-exported here): device and iFlow
 *   simulators for integrators' tests.
 *
 * @module
 */

export * from "./driver/mod.ts";
export * from "./service/mod.ts";
