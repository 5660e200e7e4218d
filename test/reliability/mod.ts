/**
 * The reliability suite's public surface, for the soak and the benchmark
 * report: the chaos and load runs, the agent as a child process with
 * simulated readers of every implemented kind, the fault-injecting journal
 * file layer, the delivery invariants and the fuzz targets.
 *
 * @module
 */

export {
  CHAOS_FAULTS,
  chaosFigures,
  type ChaosOptions,
  type ChaosResult,
  runChaos,
} from "./chaos.ts";
export { loadFigures, type LoadOptions, type LoadResult, runLoad } from "./load.ts";
export {
  AGENT_ENTRY,
  AGENT_MAIN,
  AgentChild,
  type AgentChildOptions,
  agentConfig,
  DENO_JSON,
  employeesFor,
  exportRows,
  knownTag,
  openSimReaders,
  printFigures,
  runCli,
  type SimReader,
  type SimReaderSet,
  START_FLAGS,
  unknownTag,
  waitUntil,
  writeConfig,
} from "./harness.ts";
export {
  type Ack,
  checkDelivery,
  type DeliveryInput,
  type DeliveryReport,
  type ExportedRow,
  isUnknownTag,
  readArchive,
  UNKNOWN_TAG_BASE,
} from "./delivery.ts";
export {
  type CutReport,
  FAULT_FS_ENV,
  FaultFs,
  type FaultFsOptions,
  osError,
  type TornFile,
} from "./fault_fs.ts";
export { FUZZ_TARGETS, FuzzCheckError, type FuzzTarget } from "./fuzz_targets.ts";

// Types of other parts that the surface above mentions.
export type { DemoReader } from "../../service/demo/sim_readers.ts";
export type { SimFaults } from "../../service/iflow/sim/simulator.ts";
export type { SimEmployee, StoredAttendance } from "../../service/iflow/sim/model.ts";
export type { JournalDirEntry, JournalFile, JournalFs } from "../../service/journal/fs.ts";
export type * from "../../service/status/snapshot.ts";
export type { GpioIoctl } from "../../driver/wiegand/gpio_ffi.ts";
export type { Prng } from "../support/prng.ts";
