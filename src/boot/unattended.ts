// Running the core with no debugger attached (`serve --run`, `mpustub boot`): the run starts
// at once instead of waiting for GDB's `continue` (QEMU without -S), and stops where it would
// stop for GDB — an abort or undefined instruction (stop-on-exception), a BRK, a breakpoint,
// a catchpoint — or waits in a WFI nothing will end. Nobody receives such a stop report, so
// it is described here (what, where, which symbol, after how many instructions) for a line on
// stderr or for the boot check. A GDB that attaches halts the core (BoardTarget.attached) and
// `?` tells it where the core is; when it detaches, the run resumes, as QEMU's does.

import type { BoardTarget } from '../debug/boardTarget.js';
import { describeFault } from '../debug/faultText.js';
import { SIGILL, SIGINT } from '../debug/signals.js';
import type { StopEvent } from '../rsp/target.js';

export type CoreStopKind = 'abort' | 'undefined' | 'brk' | 'breakpoint' | 'watchpoint' | 'catch' | 'interrupt' | 'idle' | 'internal-error' | 'trap';

export interface CoreStopReport {
  readonly kind: CoreStopKind;
  /** The instruction the core stopped on (for `idle`, the WFI or WFE it waits in). */
  readonly pc: bigint;
  /** `name+0x10` from the kernel's symbols, when one covers pc. */
  readonly symbol: string | undefined;
  /** Why, in words: "undefined instruction 0x00000000 (...)", "BRK #0x3e8", ... */
  readonly what: string;
  readonly instructions: number;
}

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

/** The instruction word at `pc`, read as the bus would (no MPU check); undefined off the map. */
function instructionAt(target: BoardTarget, pc: bigint): number | undefined {
  const memory = target.machine.memory;
  if (pc > BigInt(Number.MAX_SAFE_INTEGER) || memory.mappedLength(Number(pc), 4) < 4) return undefined;
  const word = new Uint8Array(4);
  memory.read(Number(pc), word);
  return new DataView(word.buffer).getUint32(0, true);
}

function report(target: BoardTarget, kind: CoreStopKind, what: string, pc: bigint): CoreStopReport {
  return { kind, pc, symbol: target.symbols.describe(pc), what, instructions: target.run.instructionsExecuted };
}

/** Why the core stopped, from the stop the run reported and what run control kept of it. */
export function describeStop(target: BoardTarget, stop: StopEvent): CoreStopReport {
  const run = target.run;
  const pc = target.machine.core.pc;
  const e = run.lastException;
  // internalError stays set until the board restarts: only a SIGILL with no exception is it.
  if (stop.signal === SIGILL && e === undefined && run.internalError !== undefined) return report(target, 'internal-error', `the interpreter failed (a bug in mpustub, please report it): ${run.internalError.split('\n')[0]}`, pc);
  if (e?.type === 'abort') return report(target, 'abort', `abort: ${describeFault(e.fault)}`, e.pc);
  if (e?.type === 'undefined') return report(target, 'undefined', `undefined instruction 0x${e.instruction.toString(16).padStart(8, '0')} (${e.reason})`, e.pc);
  const pairs = new Map(stop.pairs ?? []);
  if (pairs.has('swbreak') || pairs.has('hwbreak')) return report(target, 'breakpoint', 'breakpoint', pc);
  const watched = pairs.get('watch') ?? pairs.get('rwatch') ?? pairs.get('awatch');
  if (watched !== undefined) return report(target, 'watchpoint', `watchpoint on 0x${watched}`, pc);
  if (stop.console !== undefined) return report(target, 'catch', stop.console.trim().split('\n')[0]!, pc);
  if (stop.signal === SIGINT) return report(target, 'interrupt', 'interrupted', pc);
  const word = instructionAt(target, pc);
  // BRK #imm16: 0xd4200000 | imm16 << 5.
  if (word !== undefined && ((word & 0xffe0_001f) >>> 0) === 0xd420_0000) return report(target, 'brk', `BRK #${hex((word >>> 5) & 0xffff)}`, pc);
  return report(target, 'trap', `signal ${stop.signal}`, pc);
}

/** The core waits in WFI/WFE with nothing to wake it; pc has moved past that instruction. */
export function describeIdle(target: BoardTarget): CoreStopReport {
  const at = target.machine.core.pc - 4n;
  const word = instructionAt(target, at);
  const insn = word === 0xd503_207f ? 'WFI' : word === 0xd503_205f ? 'WFE' : 'WFI/WFE';
  return report(target, 'idle', `waits in ${insn} with nothing to wake it`, at);
}

/** `0x40 <main+0x8>` or `0x40`. */
export function where(r: CoreStopReport): string {
  return `${hex(r.pc)}${r.symbol !== undefined ? ` <${r.symbol}>` : ''}`;
}

/** A word a POSIX shell reads back as `text`. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that attaches GDB to the stub, with the kernel's symbols when there is one. */
export function attachCommand(kernel: string | undefined, gdb: { readonly host: string; readonly port: number }): string {
  const host = gdb.host.includes(':') ? `[${gdb.host}]` : gdb.host;
  return `gdb-multiarch ${kernel !== undefined ? `${shellWord(kernel)} ` : ''}-ex 'target remote ${host}:${gdb.port}'`;
}

/** The one line `serve --run` prints on stderr when the core stops with no debugger attached. */
export function stopLine(r: CoreStopReport, attach: string): string {
  const why = r.kind === 'idle' ? `the core ${r.what} at pc ${where(r)}` : `the core stopped with no debugger attached: ${r.what} at pc ${where(r)}`;
  return `mpustub: ${why}, after ${r.instructions} instructions; attach with: ${attach}\n`;
}

export class UnattendedRun {
  /** Resume when a debugger detaches or disconnects (`--run`); `kill` leaves the core halted. */
  resumeOnDetach = false;

  constructor(
    private readonly target: BoardTarget,
    private readonly onStop: (report: CoreStopReport) => void,
  ) {
    // A debugger's run waits in WFI until Ctrl-C; only a run nobody watches reports it.
    target.run.onIdle = () => {
      if (!target.debuggerAttached) onStop(describeIdle(target));
    };
    target.onDetached = (reason) => {
      if (this.resumeOnDetach && reason !== 'kill') this.start();
    };
  }

  /** Runs the core until it stops; false when a debugger owns it or it already runs. */
  start(): boolean {
    const target = this.target;
    if (target.debuggerAttached || target.run.running) return false;
    target.run.resume('continue', (stop) => this.onStop(describeStop(target, stop)), 0);
    return true;
  }
}
