// `mpustub boot ELF`: does this kernel boot on the board? A stub is started in-process on free
// ports with the kernel placed as `serve --kernel ELF --run` places it (device tree at x0, reset
// MPU: no scenario), its console captured, and the core run with no debugger until it stops:
//   - idle: it waits in WFI/WFE with nothing to wake it — the end of a boot;        exit 0
//   - until: it reached the `--until` symbol or address;                           exit 0
//   - panic: its console printed a panic line (Xen's "Panic on CPU", Linux's
//     "Kernel panic", BUG, ASSERT, or --panic patterns); the rest of the message
//     is collected for a moment before the core is stopped;                       exit 1
//   - fault: it stopped on an abort, an undefined instruction, a BRK, ...;         exit 1
//     (with `exceptions: 'take'` aborts and undefined instructions go to the kernel's own
//     vectors instead, as on hardware: what a test suite that faults on purpose needs)
//   - timeout: none of these within --timeout seconds;                             exit 2
// (2 as well when the kernel, board or device tree cannot be loaded.) The result says where
// and why, with the symbol, the instructions executed and the wall time (docs/boot.md).

import { readKernelImage } from '../elf/kernelImage.js';
import { createLogger } from '../log.js';
import { startStub, type RunningStub } from '../wiring.js';
import { SIGINT } from '../debug/signals.js';
import type { DtbChoice } from './bootInputs.js';
import { where, type CoreStopReport } from './unattended.js';

export const DEFAULT_PANIC_PATTERNS: readonly RegExp[] = [/Panic on CPU/, /Kernel panic/, /\bBUG\b/, /\bASSERT/, /Assertion '.*' failed/];

/** After a panic line, how long the rest of the message may take before the core is stopped. */
const PANIC_GRACE_MS = 300;

export type BootOutcome = 'idle' | 'until' | 'panic' | 'fault' | 'timeout';

export interface BootCheckOptions {
  readonly kernel: string;
  readonly timeoutSeconds: number;
  readonly append?: string;
  readonly dtb?: DtbChoice;
  readonly boardFile?: string;
  /** A symbol of the kernel, or an address: reaching it ends the boot well. */
  readonly until?: string;
  readonly panicPatterns?: readonly RegExp[];
  /** 'stop' (the default): an abort or undefined instruction ends the boot before it is taken; 'take': the kernel's vectors handle it. */
  readonly exceptions?: 'stop' | 'take';
  /** Each console line as it comes (the CLI echoes them unless --json). */
  readonly onConsoleLine?: (line: string) => void;
  /** The stub is up: where a debugger or a browser can look at the board while it boots. */
  readonly onStarted?: (gdb: { host: string; port: number }, api: { host: string; port: number } | null) => void;
}

export interface BootCheckResult {
  readonly outcome: BootOutcome;
  readonly exitCode: 0 | 1 | 2;
  /** One line: what happened, where. */
  readonly summary: string;
  readonly stop: CoreStopReport | undefined;
  readonly panicLine: string | undefined;
  readonly instructions: number;
  readonly wallSeconds: number;
  readonly console: readonly string[];
}

/** The address `--until` names: a symbol of the kernel, or a number. */
function untilAddress(kernel: string, until: string): bigint {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(until)) return BigInt(until);
  const symbol = readKernelImage(kernel).symbols.find((s) => s.name === until);
  if (!symbol) throw new Error(`--until: kernel ${kernel} has no symbol "${until}"`);
  return BigInt(symbol.address);
}

export async function bootCheck(options: BootCheckOptions): Promise<BootCheckResult> {
  const patterns = options.panicPatterns ?? DEFAULT_PANIC_PATTERNS;
  const consoleLines: string[] = [];
  let panicLine: string | undefined;
  let timedOut = false;
  let settle: (stop: CoreStopReport | undefined) => void = () => undefined;
  const ended = new Promise<CoreStopReport | undefined>((resolve) => (settle = resolve));
  const started = Date.now();
  const stub: RunningStub = await startStub({
    host: '127.0.0.1',
    port: 0,
    apiPort: 0,
    scenario: 'none',
    traceRsp: false,
    logger: createLogger('error'),
    kernel: options.kernel,
    serial: { kind: 'none' },
    onCoreStop: (stop) => settle(stop),
    ...(options.boardFile !== undefined ? { boardFile: options.boardFile } : {}),
    ...(options.dtb !== undefined ? { dtb: options.dtb } : {}),
    ...(options.append !== undefined ? { append: options.append } : {}),
  });
  const timers: NodeJS.Timeout[] = [];
  try {
    const until = options.until !== undefined ? untilAddress(options.kernel, options.until) : undefined;
    if (until !== undefined) stub.target.breakpoints.insert('hardware', until, 4);
    stub.target.run.stopOnExceptions = options.exceptions !== 'take';
    stub.machine.onConsoleLine((line) => {
      consoleLines.push(line);
      options.onConsoleLine?.(line);
      if (panicLine !== undefined || !patterns.some((p) => p.test(line))) return;
      panicLine = line;
      timers.push(setTimeout(() => stub.target.run.raiseStop({ signal: SIGINT }), PANIC_GRACE_MS));
    });
    // The stop this forces is reported as an interrupt; the flag says whose.
    const timeout = (): void => {
      timedOut = true;
      if (!stub.target.run.raiseStop({ signal: SIGINT })) settle(undefined);
    };
    timers.push(setTimeout(timeout, options.timeoutSeconds * 1000));
    options.onStarted?.(stub.gdbAddress, stub.apiAddress);
    stub.unattended.start();
    const stop = await ended;
    const instructions = stub.target.run.instructionsExecuted;
    const wallSeconds = (Date.now() - started) / 1000;
    const base = { stop, panicLine, instructions, wallSeconds, console: consoleLines };
    const at = stop ? ` at pc ${where(stop)}` : '';
    if (panicLine !== undefined) return { ...base, outcome: 'panic', exitCode: 1, summary: `the kernel panicked: "${panicLine.trim()}"; the core was stopped${at}` };
    if (timedOut || !stop) return { ...base, outcome: 'timeout', exitCode: 2, summary: `no stop, idle or panic within ${options.timeoutSeconds} s; the core was at pc 0x${stub.machine.core.pc.toString(16)}` };
    if (stop.kind === 'idle') return { ...base, outcome: 'idle', exitCode: 0, summary: `the kernel is idle: the core ${stop.what}${at}` };
    if (stop.kind === 'breakpoint' && stop.pc === until) return { ...base, outcome: 'until', exitCode: 0, summary: `the kernel reached ${options.until}${at}` };
    return { ...base, outcome: 'fault', exitCode: 1, summary: `the core stopped: ${stop.what}${at}` };
  } finally {
    timers.forEach(clearTimeout);
    await stub.close();
  }
}
