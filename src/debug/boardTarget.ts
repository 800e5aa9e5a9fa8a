// The adapter between the protocol layer's DebugTarget and the simulated board: register
// numbers and bytes come from the register table, memory goes through the machine's one
// checked access path, and refusals become TargetErrors with the reason kept by the machine.
// Execution: the A64 interpreter runs in slices between event-loop turns; breakpoints,
// watchpoints and exceptions become stop replies, and WFI idles until Ctrl-C (or a caught
// map-service failure).

import { buildTargetXml, type TargetXmlOptions } from '../arch/aarch64/targetXml.js';
import { G_PACKET_REGISTERS, registerByNumber, type RegisterSpec } from '../arch/aarch64/registers.js';
import { PHYS_ADDR_LIMIT } from '../machine/access.js';
import { faultAddressOf, type Machine, type MachineFault } from '../machine/machine.js';
import { RegisterAccessError } from '../machine/sysregs.js';
import {
  TargetErrno,
  TargetError,
  type BreakpointType,
  type DebugTarget,
  type MonitorOutput,
  type ResumeAction,
  type StopEvent,
} from '../rsp/target.js';
import type { MonitorRegistry } from './monitor.js';
import { Interpreter, type CpuException, type RunOutcome, type WatchSet } from '../machine/cpu/interpreter.js';

export const SIGINT = 2;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGSEGV = 11;

const G_PACKET_BYTES = G_PACKET_REGISTERS.reduce((n, reg) => n + reg.bitsize / 8, 0);
/** v0 is register 34; core.v holds v0..v31 as 16 little-endian bytes each. */
const FIRST_VECTOR_REGNUM = 34;

/** Instructions run before yielding to the event loop (Ctrl-C and other clients stay served). */
const INSTRUCTIONS_PER_SLICE = 100_000;
/** Cortex-R82 has 4 watchpoint comparators (DBGWCR<n>_EL1, n = 0..3). */
const WATCHPOINTS = 4;

/** Cortex-R82 has 6 hardware breakpoint comparators (DBGBCR<n>_EL1, n = 0..5). */
const HARDWARE_BREAKPOINTS = 6;

export function describeFault(fault: MachineFault): string {
  const at = `0x${faultAddressOf(fault).toString(16)}`;
  if (fault.kind === 'unmapped') return `${fault.access.kind} at ${at} refused: ${fault.reason}`;
  const f = fault.fault;
  const regions = f.regions.length ? ` (region${f.regions.length > 1 ? 's' : ''} ${f.regions.join(', ')})` : '';
  return `${f.access.kind} at ${at} from EL${f.access.el} refused by the ${f.regime === 'el2' ? 'EL2' : 'EL1&0'} MPU${f.stage2 ? ' (stage 2)' : ''}: ${f.rule}${regions}: ${f.reason}`;
}

function toBytes(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = value;
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function fromBytes(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

export class BoardTarget implements DebugTarget {
  private readonly targetXml: string;
  private readonly breakpoints = new Map<string, { type: BreakpointType; address: bigint; kind: number }>();
  private pendingStop: ((stop: StopEvent) => void) | undefined;
  private readonly interpreter: Interpreter;
  /** Bumped on every stop so that a slice scheduled before it does not run after it. */
  private runGeneration = 0;
  private watchCount = 0;
  /** Addresses of software and hardware breakpoints, as the interpreter's run loop takes them. */
  private readonly codeBreakpoints = new Set<number>();
  private lastStopWasWatch = false;
  /** Aborts and undefined instructions stop in GDB (SIGSEGV/SIGILL) instead of being taken. */
  stopOnExceptions = true;
  /** An internal error of the interpreter that stopped the core (shown by `monitor core exception`). */
  internalError: string | undefined;
  /** The exception the core stopped on, for `monitor core exception`. */
  lastException: CpuException | undefined;
  private stop: StopEvent = { signal: SIGTRAP };

  constructor(
    readonly machine: Machine,
    private readonly monitors: MonitorRegistry,
    /** The shape of the target description (`serve --register-types`). */
    description: TargetXmlOptions = {},
  ) {
    this.targetXml = buildTargetXml(description);
    this.interpreter = new Interpreter(machine, this.watchSet);
  }

  /** Instructions executed since the stub started. */
  get instructionsExecuted(): number {
    return this.interpreter.executed;
  }

  /** The block translator: whether it is used, and what it has done (`monitor core translate`). */
  get translation(): { enabled: boolean; blocks: number; executed: number; translated: number; failures: number; lastFailure?: string } {
    const i = this.interpreter;
    return {
      enabled: i.translate,
      blocks: i.translatedBlocks,
      executed: i.executed,
      translated: i.executedTranslated,
      failures: i.translationFailures,
      ...(i.lastTranslationFailure !== undefined && { lastFailure: i.lastTranslationFailure }),
    };
  }

  set translationEnabled(on: boolean) {
    this.interpreter.translate = on;
  }

  /** Takes the exception the core stopped on, as if the debugger had not intervened. */
  takePendingException(): boolean {
    const e = this.lastException;
    if (!e) return false;
    this.lastException = undefined;
    this.interpreter.takeException(e);
    return true;
  }

  get running(): boolean {
    return this.pendingStop !== undefined;
  }

  featureDocument(annex: string): string | undefined {
    return annex === 'target.xml' ? this.targetXml : undefined;
  }

  readRegisterBlock(): Uint8Array {
    // Written straight into one buffer: `g` is fetched after every stop and cache flush, and
    // building a BigInt per 128-bit vector register would dominate its cost.
    const out = new Uint8Array(G_PACKET_BYTES);
    const view = new DataView(out.buffer);
    let at = 0;
    for (const reg of G_PACKET_REGISTERS) {
      const size = reg.bitsize / 8;
      if (reg.behaviour.kind === 'fpu' && size === 16) {
        const first = (reg.regnum - FIRST_VECTOR_REGNUM) * 16;
        out.set(this.machine.core.v.subarray(first, first + 16), at);
      } else if (size === 8) {
        view.setBigUint64(at, this.machine.readRegister(reg), true);
      } else {
        view.setUint32(at, Number(this.machine.readRegister(reg)), true);
      }
      at += size;
    }
    return out;
  }

  writeRegisterBlock(bytes: Uint8Array): void {
    // Validate the whole block first so that a malformed G changes nothing.
    let at = 0;
    const writes: Array<[RegisterSpec, bigint]> = [];
    for (const reg of G_PACKET_REGISTERS) {
      const size = reg.bitsize / 8;
      if (at + size > bytes.length) break;
      writes.push([reg, fromBytes(bytes.subarray(at, at + size))]);
      at += size;
    }
    if (at !== bytes.length) {
      throw new TargetError(TargetErrno.EINVAL, `G packet of ${bytes.length} bytes does not end on a register boundary`);
    }
    for (const [reg, value] of writes) this.machine.writeRegister(reg, value, 'debugger');
  }

  private spec(regnum: number): RegisterSpec {
    const reg = registerByNumber(regnum);
    if (!reg) throw new TargetError(TargetErrno.ENOENT, `no register number ${regnum} (0x${regnum.toString(16)})`);
    return reg;
  }

  readRegister(regnum: number): Uint8Array {
    const reg = this.spec(regnum);
    return toBytes(this.machine.readRegister(reg), reg.bitsize / 8);
  }

  writeRegister(regnum: number, bytes: Uint8Array): void {
    const reg = this.spec(regnum);
    if (bytes.length !== reg.bitsize / 8) {
      throw new TargetError(TargetErrno.EINVAL, `${reg.name} is ${reg.bitsize / 8} bytes, got ${bytes.length}`);
    }
    try {
      this.machine.writeRegister(reg, fromBytes(bytes), 'debugger');
    } catch (err) {
      if (err instanceof RegisterAccessError) {
        throw new TargetError(err.kind === 'read-only' ? TargetErrno.EROFS : TargetErrno.ENOENT, err.message);
      }
      throw err;
    }
  }

  private physical(address: bigint, what: string): number {
    if (address >= BigInt(PHYS_ADDR_LIMIT)) {
      throw new TargetError(TargetErrno.EFAULT, `${what} at 0x${address.toString(16)} is beyond the 48-bit physical address space`);
    }
    return Number(address);
  }

  readMemory(address: bigint, length: number): Uint8Array {
    const outcome = this.machine.readMemory(this.physical(address, 'read'), length, { origin: 'debugger' });
    if (outcome.fault && outcome.data.length === 0) throw new TargetError(TargetErrno.EFAULT, describeFault(outcome.fault));
    return outcome.data;
  }

  writeMemory(address: bigint, data: Uint8Array): void {
    const fault = this.machine.writeMemory(this.physical(address, 'write'), data, { origin: 'debugger' });
    if (fault) throw new TargetError(TargetErrno.EFAULT, describeFault(fault));
  }

  resume(action: ResumeAction, onStop: (stop: StopEvent) => void): void {
    if (action === 'step') {
      const result = this.executeOne(true, true);
      const stop = result === undefined || result === 'idle' ? { signal: SIGTRAP } : result;
      this.stop = stop;
      onStop(stop);
      return;
    }
    this.pendingStop = onStop;
    this.runGeneration++;
    const generation = this.runGeneration;
    // The first instruction may sit on a breakpoint GDB has just stepped over: run it.
    let first = true;
    const slice = (): void => {
      if (this.pendingStop === undefined || generation !== this.runGeneration) return;
      let stop: StopEvent | 'idle' | undefined;
      try {
        stop = this.runSlice(first);
      } catch (err) {
        // A bug of ours must not take the stub down mid-continue: stop and say why.
        this.internalError = `pc 0x${this.machine.core.pc.toString(16)}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
        this.raiseStop({ signal: SIGILL });
        return;
      }
      first = false;
      if (stop === 'idle') return; // WFI/WFE: wait for Ctrl-C (or a caught map failure)
      if (stop) {
        this.raiseStop(stop);
        return;
      }
      // Yield to the event loop so that Ctrl-C, other clients and the HTTP API stay served.
      setImmediate(slice);
    };
    setImmediate(slice);
  }

  /**
   * Runs up to one slice of instructions: the first of a resume on its own (it may sit on the
   * breakpoint or watchpoint GDB has just stepped over), then the interpreter's run loop, which
   * stops before breakpoints. Exceptions the core takes are taken and the slice goes on.
   */
  private runSlice(first: boolean): StopEvent | 'idle' | undefined {
    const start = this.interpreter.executed;
    if (first) {
      const stop = this.executeOne(true, false);
      if (stop) return stop;
    }
    // Exceptions count against the slice too: a fault on the vector itself retires nothing
    // and must not spin the event loop.
    let exceptions = 0;
    for (;;) {
      const budget = INSTRUCTIONS_PER_SLICE - (this.interpreter.executed - start) - exceptions;
      if (budget <= 0) return undefined;
      const outcome = this.interpreter.run(budget, this.codeBreakpoints);
      if (outcome.kind === 'limit') continue;
      exceptions++;
      const stop = this.stopFor(outcome, false);
      if (stop) return stop;
    }
  }

  /**
   * Runs one instruction (a step, or the first of a resume: breakpoints are checked before
   * the instruction, except on that first one; watchpoints stop before the access). Returns the
   * stop to report, 'idle' when the core waits for an interrupt, or undefined to go on.
   */
  private executeOne(first: boolean, stepping: boolean): StopEvent | 'idle' | undefined {
    if (!first) {
      const bp = this.breakpointAt(this.machine.core.pc);
      if (bp) return { signal: SIGTRAP, pairs: [[bp.type === 'software' ? 'swbreak' : 'hwbreak', '']] };
    }
    const outcome = this.interpreter.step(first && this.lastStopWasWatch);
    this.lastStopWasWatch = false;
    return outcome.kind === 'ok' ? undefined : this.stopFor(outcome, stepping);
  }

  /** What an instruction that did not simply complete means for the debugger. */
  private stopFor(outcome: RunOutcome, stepping: boolean): StopEvent | 'idle' | undefined {
    switch (outcome.kind) {
      case 'limit':
        return undefined;
      case 'breakpoint': {
        const bp = this.breakpointAt(this.machine.core.pc);
        return { signal: SIGTRAP, pairs: [[bp?.type === 'hardware' ? 'hwbreak' : 'swbreak', '']] };
      }
      case 'wait':
        return stepping ? undefined : 'idle';
      case 'brk':
        return { signal: SIGTRAP };
      case 'watch': {
        this.lastStopWasWatch = true;
        const name = outcome.access === 'write' ? 'watch' : this.watchKindAt(outcome.address) === 'access-watch' ? 'awatch' : 'rwatch';
        return { signal: SIGTRAP, pairs: [[name, outcome.address.toString(16)]] };
      }
      case 'exception': {
        const e = outcome.exception;
        const stopHere = this.stopOnExceptions && (e.type === 'abort' || e.type === 'undefined');
        if (stopHere) {
          this.lastException = e;
          return { signal: e.type === 'abort' ? SIGSEGV : SIGILL };
        }
        this.interpreter.takeException(e);
        return undefined;
      }
    }
  }

  private breakpointAt(pc: bigint): { type: BreakpointType } | undefined {
    for (const bp of this.breakpoints.values()) {
      if ((bp.type === 'software' || bp.type === 'hardware') && bp.address === pc) return bp;
    }
    return undefined;
  }

  private watchKindAt(address: number): BreakpointType | undefined {
    for (const bp of this.breakpoints.values()) {
      if (bp.type.endsWith('-watch') && address >= Number(bp.address) && address < Number(bp.address) + bp.kind) return bp.type;
    }
    return undefined;
  }

  /** The watch set the interpreter consults on every data access. */
  private readonly watchSet: WatchSet = {
    armed: () => this.watchCount > 0,
    hit: (address, size, access) => {
      if (this.watchCount === 0) return undefined;
      for (const bp of this.breakpoints.values()) {
        if (!bp.type.endsWith('-watch')) continue;
        if (bp.type === 'write-watch' && access !== 'write') continue;
        if (bp.type === 'read-watch' && access !== 'read') continue;
        const start = Number(bp.address);
        if (address < start + bp.kind && start < address + size) return Math.max(address, start);
      }
      return undefined;
    },
  };

  interrupt(): void {
    this.raiseStop({ signal: SIGINT });
  }

  /** Stops a running core with `stop` (Ctrl-C, a caught map failure). No-op when halted. */
  raiseStop(stop: StopEvent): boolean {
    const report = this.pendingStop;
    if (!report) return false;
    this.pendingStop = undefined;
    this.runGeneration++;
    this.stop = stop;
    report(stop);
    return true;
  }

  lastStop(): StopEvent {
    return this.stop;
  }

  insertBreakpoint(type: BreakpointType, address: bigint, kind: number): void {
    const key = `${type}:${address}`;
    if (!this.breakpoints.has(key)) {
      if (type === 'hardware' && this.countOf((t) => t === 'hardware') >= HARDWARE_BREAKPOINTS) {
        throw new TargetError(TargetErrno.ENOSPC, `all ${HARDWARE_BREAKPOINTS} hardware breakpoints are in use`);
      }
      if (type.endsWith('-watch') && this.countOf((t) => t.endsWith('-watch')) >= WATCHPOINTS) {
        throw new TargetError(TargetErrno.ENOSPC, `all ${WATCHPOINTS} watchpoints are in use`);
      }
    }
    // Checked on every insertion: re-planting an existing watchpoint must not change its length
    // to one no comparator can cover.
    if (type.endsWith('-watch') && (kind < 1 || kind > 8)) throw new TargetError(TargetErrno.EINVAL, `a watchpoint covers 1 to 8 bytes, not ${kind}`);
    this.breakpoints.set(key, { type, address, kind });
    this.breakpointsChanged();
  }

  /** Recounts watchpoints and rebuilds the set of code breakpoints the run loop stops before. */
  private breakpointsChanged(): void {
    this.watchCount = this.countOf((t) => t.endsWith('-watch'));
    this.codeBreakpoints.clear();
    for (const bp of this.breakpoints.values()) {
      if (bp.type === 'software' || bp.type === 'hardware') this.codeBreakpoints.add(Number(bp.address));
    }
  }

  private countOf(test: (type: BreakpointType) => boolean): number {
    let n = 0;
    for (const bp of this.breakpoints.values()) if (test(bp.type)) n++;
    return n;
  }

  removeBreakpoint(type: BreakpointType, address: bigint): void {
    this.breakpoints.delete(`${type}:${address}`);
    this.breakpointsChanged();
  }

  listBreakpoints(): ReadonlyArray<{ type: BreakpointType; address: bigint; kind: number }> {
    return [...this.breakpoints.values()];
  }

  monitor(command: string, out: MonitorOutput): Promise<void> {
    return this.monitors.run(command, out);
  }

  attached(): void {
    // A new debugger finds the core halted where the last one left it.
    this.pendingStop = undefined;
    this.runGeneration++;
  }

  detached(reason: 'detach' | 'kill' | 'disconnect'): void {
    // Breakpoints belong to the debugger that planted them; the board's state stays.
    this.breakpoints.clear();
    this.breakpointsChanged();
    this.pendingStop = undefined;
    this.runGeneration++;
    if (reason === 'kill') this.stop = { signal: SIGTRAP };
  }
}
