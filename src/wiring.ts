// The one place that wires the layers together: a board description becomes a machine with
// its MPU, the machine is wrapped in the debug adapter and its monitor commands, and the
// adapter is served to GDB by the protocol layer. Beside it the map service programs the same
// machine through its registers, reached over HTTP and from GDB's monitor; a failed request
// can stop the core so that a waiting GDB wakes up. A kernel named on the command line is
// placed in memory at start and at every extended-remote `run`, its symbols kept for the
// stub's messages, with the device tree and registers a boot loader hands over (src/boot/);
// the UART's output goes where --serial says, and with --run the core starts at once and its
// stops are reported on stderr while no debugger is attached. The API also serves the
// region-map page and the read-only board view it draws. The CLI and the tests start stubs here.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from './arch/aarch64/registers.js';
import type { RegisterTypes } from './arch/aarch64/targetXml.js';
import { DEFAULT_BOARD, parseBoard, type BoardConfig } from './machine/board.js';
import { Machine } from './machine/machine.js';
import { Mpu } from './machine/mpu/mpu.js';
import { registerBoardCommands } from './debug/boardCommands.js';
import { BoardTarget } from './debug/boardTarget.js';
import { MonitorRegistry } from './debug/monitor.js';
import { registerMpuCommands } from './debug/mpuCommands.js';
import { registerCoreCommands } from './debug/coreCommands.js';
import { registerDeviceCommands } from './debug/deviceCommands.js';
import { MachineMpuHardware } from './debug/machineMpuHardware.js';
import { registerMpuCatchCommands } from './debug/mpuCatchCommands.js';
import { regionHistory, registerMpuHistoryCommands } from './debug/mpuHistoryCommands.js';
import { registerSymbolCommands } from './debug/symbolCommands.js';
import { placeKernel, readKernelImage } from './elf/kernelImage.js';
import { registerXenCommands, type CatchControl } from './debug/xenCommands.js';
import { SIGTRAP } from './debug/signals.js';
import { RspServer, type ServerLimits } from './rsp/server.js';
import { MapApiServer } from './xen/api/httpApi.js';
import { applyScenario, DEFAULT_BOOT_SCENARIO, loadScenarioFile, runScenario, type Scenario } from './xen/scenario.js';
import { MapService } from './xen/service.js';
import { createBoardView } from './view/boardView.js';
import type { Logger } from './log.js';
import { BootInputs, type DtbChoice } from './boot/bootInputs.js';
import { registerBootCommands } from './boot/bootCommands.js';
import { openSerial, type SerialChoice, type SerialOutput } from './boot/serial.js';
import { attachCommand, stopLine, UnattendedRun, type CoreStopReport } from './boot/unattended.js';

export interface StubOptions {
  readonly host: string;
  readonly port: number;
  /** Path of a board description (JSON); the embedded default when absent. */
  readonly boardFile?: string;
  readonly board?: BoardConfig;
  readonly traceRsp: boolean;
  readonly logger: Logger;
  /** Port of the map service's HTTP API (0 = any free port); null = no API. */
  readonly apiPort?: number | null;
  /** Address the API listens on; loopback (127.0.0.1) unless the user means otherwise. */
  readonly apiHost?: string;
  /** Names or addresses, besides loopback and apiHost, that requests may call the API by. */
  readonly allowedHosts?: readonly string[];
  /** 'default' (the embedded boot), 'none' (reset state), or a scenario file. */
  readonly scenario?: string;
  /** Handshake timeout, keepalive and output bound of the GDB listener (defaults in src/rsp/server.ts). */
  readonly rspLimits?: Partial<ServerLimits>;
  /** System registers with decoded fields (command-line GDB) or as plain numbers (IDEs). */
  readonly registerTypes?: RegisterTypes;
  /** An ELF placed in memory at start (pc at its entry) and again at every extended-remote `run`. */
  readonly kernel?: string;
  /** Entries the MPU history keeps (src/debug/mpuHistory.ts). */
  readonly mpuHistorySize?: number;
  /** The device tree handed to `kernel` in x0 (src/boot/bootInputs.ts); generated when absent. */
  readonly dtb?: DtbChoice;
  /** The kernel's command line: bootargs and xen,xen-bootargs of the generated tree. */
  readonly append?: string;
  /** Where the UART's output goes (src/boot/serial.ts); the stub's log when absent. */
  readonly serial?: SerialChoice;
  /** The core runs at once (`serve --run`) instead of waiting, halted, for a debugger. */
  readonly run?: boolean;
  /** A stop of the core with no debugger attached; a line on stderr when absent. */
  readonly onCoreStop?: (report: CoreStopReport, attach: string) => void;
}

export interface RunningStub {
  readonly machine: Machine;
  readonly target: BoardTarget;
  readonly monitors: MonitorRegistry;
  readonly service: MapService;
  readonly catchControl: CatchControl;
  readonly gdbAddress: { readonly host: string; readonly port: number };
  readonly apiAddress: { readonly host: string; readonly port: number } | null;
  /** The listener of `--serial tcp:PORT`. */
  readonly serialAddress: { readonly host: string; readonly port: number } | undefined;
  /** The device tree and boot registers placed with the kernel; undefined without one. */
  readonly bootInputs: BootInputs | undefined;
  /** Runs the core with no debugger attached (`--run`, `mpustub boot`). */
  readonly unattended: UnattendedRun;
  close(): Promise<void>;
}

export function loadScenario(choice: string | undefined): Scenario | null {
  if (choice === undefined || choice === 'default') return DEFAULT_BOOT_SCENARIO;
  if (choice === 'none') return null;
  return loadScenarioFile(choice);
}

export function loadBoard(path: string | undefined): BoardConfig {
  if (path === undefined) return DEFAULT_BOARD;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read board file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseBoard(text);
  } catch (err) {
    throw new Error(`board file ${path}: ${(err as Error).message}`);
  }
}

export function createMachine(board: BoardConfig): Machine {
  return new Machine(board, new Mpu({ el2: board.mpuRegions.el2, el10: board.mpuRegions.el1 }));
}

export async function startStub(options: StubOptions): Promise<RunningStub> {
  const board = options.board ?? loadBoard(options.boardFile);
  const scenario = loadScenario(options.scenario);
  if (options.kernel === undefined && (options.dtb !== undefined || options.append !== undefined)) throw new Error('--dtb and --append need --kernel');
  const bootInputs = options.kernel !== undefined ? new BootInputs(board, options.dtb ?? { kind: 'auto' }, options.append ?? '') : undefined;
  const machine = createMachine(board);
  const logger = options.logger;
  const monitors = new MonitorRegistry();
  // Extended-remote `run` puts the board back as the stub started it: reset, then the start
  // scenario again, under the map service's lock so that no request sees it half-way.
  const resetBoard = (): Promise<void> =>
    service.exclusive((session) => {
      machine.reset();
      session.reset();
      if (options.kernel !== undefined) loadKernel(options.kernel);
      if (scenario) applyScenario(session, scenario);
    });
  const target = new BoardTarget(machine, monitors, {
    registerTypes: options.registerTypes ?? 'fields',
    resetBoard,
    ...(options.mpuHistorySize !== undefined ? { mpuHistorySize: options.mpuHistorySize } : {}),
  });
  // Read again at each `run`, so that a rebuilt kernel is picked up; its symbols replace the old ones.
  const loadKernel = (path: string): void => {
    const image = readKernelImage(path);
    placeKernel(machine, image, path);
    bootInputs?.place(machine, image, path);
    target.symbols.replace(`kernel ${path}`, image.symbols);
  };
  if (options.kernel !== undefined) loadKernel(options.kernel);
  registerBoardCommands(monitors, target);
  registerMpuCommands(monitors, machine);
  registerMpuCatchCommands(monitors, target);
  registerMpuHistoryCommands(monitors, target);
  registerCoreCommands(monitors, target);
  registerSymbolCommands(monitors, target);
  registerDeviceCommands(monitors, machine);
  registerBootCommands(monitors, bootInputs);
  let gdbAddress: { host: string; port: number } | undefined;
  const onCoreStop = options.onCoreStop ?? ((report: CoreStopReport, attach: string) => process.stderr.write(stopLine(report, attach)));
  const unattended = new UnattendedRun(target, (report) => onCoreStop(report, attachCommand(options.kernel, gdbAddress ?? { host: options.host, port: options.port })));
  unattended.resumeOnDetach = options.run === true;

  const service = new MapService(new MachineMpuHardware(machine), { logger });
  const catchControl: CatchControl = { enabled: true };
  registerXenCommands(monitors, service, catchControl);
  service.onOperation((result) => {
    // Xen's cpu_init programs MAIR_EL2 before its MPU code runs; the port covers the MPU code
    // only, so the wiring plays cpu_init's part when a boot succeeds.
    if (result.request.op === 'boot' && result.rc === 0) machine.writeRegister(MAIR_EL2, XEN_MAIR_EL2, 'core');
    if (result.rc === 0 || !catchControl.enabled) return;
    // A running core stops as if it had hit a breakpoint at the failing call.
    if (target.run.raiseStop({ signal: SIGTRAP })) logger.info(`map request #${result.sequence} failed (rc ${result.rc}); core stopped for GDB`);
  });

  if (scenario) {
    const outcome = await runScenario(service, scenario);
    const failed = outcome.results.find((r) => r.rc !== 0);
    logger.info(`scenario ${scenario.name}: ${outcome.results.length} operation(s), rc ${outcome.rc}${outcome.skipped ? `, ${outcome.skipped} skipped after the failure` : ''}`);
    if (failed) logger.warn(`scenario ${scenario.name}: operation #${failed.sequence} (${failed.request.op}) failed with rc ${failed.rc} (${failed.errno ?? '?'}); "monitor xen last-error" shows it`);
  }

  const server = new RspServer(target, {
    log: (message) => logger.info(message),
    ...(options.traceRsp ? { trace: (direction: 'in' | 'out', text: string) => process.stderr.write(`rsp ${direction === 'in' ? '<-' : '->'} ${text}\n`) } : {}),
  }, options.rspLimits);
  const api =
    options.apiPort === null
      ? null
      : new MapApiServer(service, {
          log: (message) => logger.error(message),
          allowedHosts: options.allowedHosts ?? [],
          boardView: createBoardView(machine, service, target.run, (regime, region) => Promise.resolve(regionHistory(target, regime === 'el2' ? 'el2' : 'el10', region))),
          pageDir: PAGE_DIR,
        });
  let apiAddress: { host: string; port: number } | null = null;
  let serial: SerialOutput | undefined;
  try {
    gdbAddress = await listenNamed('GDB', () => server.listen(options.host, options.port), options.host, options.port, '--port');
    if (api) {
      const apiHost = options.apiHost ?? DEFAULT_API_HOST;
      const apiPort = options.apiPort ?? DEFAULT_API_PORT;
      apiAddress = await listenNamed('map service API', () => api.listen(apiHost, apiPort), apiHost, apiPort, '--api-port');
    }
    serial = await openSerial(options.serial ?? { kind: 'log' }, machine, logger);
  } catch (err) {
    await Promise.all([server.close(), api?.close()]).catch(() => undefined);
    throw err;
  }
  const serialOutput = serial;
  // The first slice runs from the event loop, after the caller has printed where to attach.
  if (options.run) unattended.start();
  return {
    machine,
    target,
    monitors,
    service,
    catchControl,
    gdbAddress,
    apiAddress,
    serialAddress: serialOutput.address,
    bootInputs,
    unattended,
    close: async () => {
      target.run.halt();
      await Promise.all([server.close(), api?.close(), serialOutput.close()]);
    },
  };
}

/**
 * Where `npm run build` puts the page: dist/page/ beside this module once built (dist/wiring.js
 * and the bundled dist/mpustub.js), and the same directory when the tests run src/wiring.ts.
 */
const PAGE_DIR = fileURLToPath(new URL('../dist/page/', import.meta.url));

export const DEFAULT_API_PORT = 1235;
export const DEFAULT_API_HOST = '127.0.0.1';

/** Listens, and on failure says which of the two listeners failed and the option that moves it. */
async function listenNamed<T>(what: string, listen: () => Promise<T>, host: string, port: number, option: string): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the address is already in use (another mpustub, gdbserver or QEMU?)' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new Error(`cannot listen for ${what} on ${host}:${port}: ${why}; choose another with ${option} (0 = any free port)`);
  }
}

/** MAIR_EL2 as Xen's cpu_init sets it: index 0 Device-nGnRnE, 1 Normal NC, 2 WT, 3 WB, 4 Device-nGnRE, 7 Normal WB. */
export const XEN_MAIR_EL2 = 0xff00_0004_eeaa_4400n;
const MAIR_EL2 = register('MAIR_EL2');
