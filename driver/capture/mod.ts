/**
 * Field capture: the file format, the tap transports write into, the writer
 * and one capture run.
 *
 * @module
 */

export * from "./format.ts";
export * from "./tap.ts";
export * from "./writer.ts";
export * from "./session.ts";
export * from "./replay.ts";
export * from "./pcap.ts";
export * from "./redact.ts";
export * from "./replay_gpio.ts";
