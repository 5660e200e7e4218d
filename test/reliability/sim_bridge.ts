/**
 * Simulated readers for an agent running in another process.
 *
 * Serial kinds (ASCII, line, OSDP, RC522 on its UART: the simulator answers
 * on a pty) need nothing: the pty is opened here, the agent opens its slave
 * path, and bytes written while no agent runs wait in the pty's input queue
 * for the next one.
 *
 * Kinds read through a simulated kernel layer (a `gpio` on the demo reader:
 * Wiegand over a `SimulatedGpio`, whose events flow through a pipe) are made
 * reachable across processes: the pipe is created here (a line request on
 * the simulated chip), its read end stays open here (so, like a pty, events
 * written while no agent runs wait in the pipe), and the agent opens the same
 * pipe through `/proc/<this pid>/fd/<n>` with {@link ProcPipeGpio}.
 *
 * A reader with any other simulated kernel layer is left out (and named in
 * `skipped`) until a bridge for that layer is added here.
 *
 * @module
 */

import { cString, errno, libc, O } from "../../driver/libc.ts";
import type { GpioIoctl } from "../../driver/wiegand/gpio_ffi.ts";
import { buildLineRequest, GPIO_V2_REQUEST_FD_OFFSET } from "../../driver/wiegand/gpio_event.ts";
import type { DemoReader } from "../../service/demo/sim_readers.ts";

/** Environment variable: JSON map reader name → `/proc/<pid>/fd/<n>` of its event pipe. */
export const SIM_GPIO_ENV = "PONTAJ_SIM_GPIO";

/** Readers an agent child can read, and the environment it needs. */
export interface BridgedReaders {
  /** Readers usable from a child agent. */
  readers: DemoReader[];
  /** Environment for the child (the entry fixture reads it). */
  env: Record<string, string>;
  /** Readers left out, `name (kind): why`. */
  skipped: string[];
}

/** Prepares `readers` for an agent in a child process (see the module doc). */
export function bridgeReaders(readers: DemoReader[]): BridgedReaders {
  const usable: DemoReader[] = [];
  const gpio: Record<string, string> = {};
  const skipped: string[] = [];
  for (const r of readers) {
    const name = r.config.name;
    const layers = Object.keys(r).filter((k) => !PLAIN_KEYS.has(k) && k !== "gpio");
    if (layers.length > 0) {
      skipped.push(`${name} (${r.kind}): simulated kernel layer ${layers.join(", ")} not bridged`);
      continue;
    }
    if (r.gpio && r.config.kind === "wiegand") {
      const chip = r.gpio.openChip(r.config.chip ?? "/dev/gpiochip0");
      const req = buildLineRequest({
        offsets: [r.config.d0 ?? 0, r.config.d1 ?? 1],
        consumer: "pontaj-bridge",
      });
      const rc = r.gpio.requestLines(chip, req);
      const fd = new DataView(req.buffer).getInt32(GPIO_V2_REQUEST_FD_OFFSET, true);
      if (rc !== 0 || fd < 0) {
        skipped.push(`${name} (${r.kind}): simulated gpio refused the line request (${rc})`);
        continue;
      }
      gpio[name] = `/proc/${Deno.pid}/fd/${fd}`;
      usable.push(r);
      continue;
    }
    usable.push(r); // its simulator is on a pty opened here
  }
  const env: Record<string, string> = {};
  if (Object.keys(gpio).length > 0) env[SIM_GPIO_ENV] = JSON.stringify(gpio);
  return { readers: usable, env, skipped };
}

/** DemoReader keys that are not a simulated kernel layer handed to the agent. */
const PLAIN_KEYS = new Set(["kind", "config", "tap", "close", "where", "feedbackCount"]);

const CHIP_FD = 100_001;

/** Agent side: a GPIO kernel layer whose line fd is the bridged event pipe. */
export class ProcPipeGpio implements GpioIoctl {
  readonly #path: string;

  /** Reads events from the pipe at `path` (`/proc/<pid>/fd/<n>`). */
  constructor(path: string) {
    this.#path = path;
  }

  /** Any chip path opens. */
  openChip(_path: string): number {
    return CHIP_FD;
  }

  /** Opens the pipe (non-blocking) and hands it out as the line fd. */
  requestLines(chipFd: number, request: Uint8Array<ArrayBuffer>): number {
    if (chipFd !== CHIP_FD) return -9;
    const fd = libc().open(cString(this.#path), O.RDONLY | O.NONBLOCK | O.CLOEXEC, 0);
    if (fd < 0) return -errno();
    new DataView(request.buffer, request.byteOffset).setInt32(GPIO_V2_REQUEST_FD_OFFSET, fd, true);
    return 0;
  }

  /** Closes a line fd. */
  close(fd: number): void {
    if (fd !== CHIP_FD) libc().close(fd);
  }
}

/** Agent side: the gpio overrides named in the environment. */
export function gpioFromEnv(): Map<string, GpioIoctl> {
  const map = new Map<string, GpioIoctl>();
  const raw = Deno.env.get(SIM_GPIO_ENV);
  if (!raw) return map;
  for (const [name, path] of Object.entries(JSON.parse(raw) as Record<string, string>)) {
    map.set(name, new ProcPipeGpio(path));
  }
  return map;
}
