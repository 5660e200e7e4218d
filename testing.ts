/**
 * Simulators for integrators' tests and demos: each device pontaj talks to,
 * answering over the same transports the real ones use (kernel ptys, the
 * simulated GPIO and spidev layers), and a local iFlow over real HTTP.
 *
 * @example
 * ```ts
 * import { demoReaders, startIflowSimulator } from "@pontaj/pontaj/testing";
 * const iflow = await startIflowSimulator({ port: 0 });
 * const readers = await demoReaders(); // one simulated reader of every kind
 * await readers[0]!.tap("0003887558");
 * ```
 *
 * @module
 */

/** The whole public API too, so tests import from one place. */
export * from "./mod.ts";

export { openPty, type Pty } from "./driver/serial/pty.ts";
export type { FdStream } from "./driver/serial/fd_stream.ts";
export type { DeviceOverrides } from "./service/readers/kind.ts";
export type { GpioIoctl, MonotonicClock } from "./driver/wiegand/gpio_ffi.ts";
export type { SpiIoctl } from "./driver/rc522/spi.ts";
export type { ReaderConfigInput } from "./service/readers/kinds/mod.ts";
export {
  AsciiReaderSimulator,
  type ByteSink,
  LineReaderSimulator,
  type NoiseSource,
  type TapOptions,
} from "./driver/ascii/sim/simulator.ts";
export { encodeAsciiFrame } from "./driver/ascii/frame.ts";
export { encodeLine } from "./driver/ascii/line.ts";
export { type SimOutputChange, SimulatedGpio } from "./driver/wiegand/sim/gpio.ts";
export type { GpioOutputIoctl } from "./driver/wiegand/gpio_output.ts";
export type { EdgeTarget, ParsedLineRequest } from "./driver/wiegand/gpio_event.ts";
export type {
  BitRange,
  CompiledFormat,
  ParityRule,
  WiegandFormatDef,
} from "./driver/wiegand/formats.ts";
export { type SimEdge, WiegandPulseGenerator } from "./driver/wiegand/sim/pulses.ts";
export { encodeWiegand } from "./driver/wiegand/encode.ts";
export { OsdpEmulator, type OsdpEmulatorOptions } from "./driver/osdp/sim/emulator.ts";
export type { EmulatedPd } from "./driver/osdp/sim/emulated_pd.ts";
export type {
  EmulatedPdCounters,
  EmulatedPdState,
  PendingReply,
  ReceivedCommand,
} from "./driver/osdp/sim/emulated_pd_state.ts";
export type { BuzzerRecord, LedRecord, LedState } from "./driver/osdp/payload.ts";
export type { OutputRecord } from "./driver/osdp/output.ts";
export type { EmulatedPdOptions } from "./driver/osdp/sim/emulated_pd_state.ts";
export type { OsdpParser } from "./driver/osdp/parser.ts";
export { Rc522Sim, Rc522UartSim, SimSpidev, VirtualCard } from "./driver/rc522/sim/mod.ts";
export type { Rc522SimStats } from "./driver/rc522/sim/chip.ts";
export type { Field, FieldAnswer, FieldNoise } from "./driver/rc522/sim/field.ts";
export type { SimRandom } from "./driver/rc522/sim/random.ts";
export { SeededRandom, seededRandom } from "./driver/random.ts";
export {
  DEMO_EMPLOYEES,
  DEMO_TOKEN,
  type IflowSimulator,
  type IflowSimulatorOptions,
  type SimCounts,
  type SimEmployee,
  type SimFaults,
  startIflowSimulator,
  type StoredAttendance,
} from "./service/iflow/mod.ts";
export {
  demoDeviceOverrides,
  type DemoReader,
  demoReader,
  demoReaders,
} from "./service/demo/sim_readers.ts";
