/**
 * pontaj: reads RFID cards on turnstile and door controllers, journals every
 * scan durably, and syncs them to iFlow.
 *
 * - `@pontaj/pontaj/driver`: reader protocols and Linux transports.
 * - `@pontaj/pontaj/service`: the agent.
 *
 * @module
 */

export * from "./driver/mod.ts";
export * from "./service/mod.ts";
