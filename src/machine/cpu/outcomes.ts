// What executing an instruction can come to, besides simply completing: the outcomes the
// interpreter reports to the run loop and the debugger (StepOutcome, CpuException), and the
// signals its back end throws to abandon an instruction with nothing retired (Abort,
// Undefined, Trapped, WatchHit), which `Interpreter.step()` turns into those outcomes.

import type { MachineFault } from '../machine.js';
import type { TargetEl } from './exceptionRouting.js';

/** Why an instruction did not simply complete. */
export type StepOutcome =
  | { readonly kind: 'ok' }
  /** WFI/WFE: nothing to wake the core in this simulation. */
  | { readonly kind: 'wait'; readonly instruction: 'WFI' | 'WFE' }
  /** BRK #imm: a software breakpoint compiled into the code. */
  | { readonly kind: 'brk'; readonly imm: number }
  /** An exception the core takes (or, when the debugger asked, stops on before taking it). */
  | { readonly kind: 'exception'; readonly exception: CpuException }
  /** A data access is about to touch a watched address; the instruction has not executed. */
  | { readonly kind: 'watch'; readonly address: number; readonly access: 'read' | 'write' };

export type CpuException =
  | { readonly type: 'abort'; readonly fault: MachineFault; readonly pc: bigint }
  | { readonly type: 'undefined'; readonly pc: bigint; readonly instruction: number; readonly reason: string }
  | { readonly type: 'svc' | 'hvc' | 'smc'; readonly pc: bigint; readonly imm: number }
  /** An instruction a control register traps (EC and ISS as ESR will hold them), taken to `target`. */
  | { readonly type: 'trap'; readonly pc: bigint; readonly ec: number; readonly iss: number; readonly target: TargetEl; readonly reason: string };

/** Watchpoints the run loop asks the interpreter to report. */
export interface WatchSet {
  /** True while any watchpoint is set: every access is then checked against the set. */
  armed(): boolean;
  /** Returns the watched address hit by an access of `size` bytes at `address`, if any. */
  hit(address: number, size: number, access: 'read' | 'write'): number | undefined;
}

export class Abort {
  constructor(readonly fault: MachineFault) {}
}

/** A watched address is about to be accessed: the instruction stops before it (AArch64 watchpoints are not steppable). */
export class WatchHit {
  constructor(
    readonly address: number,
    readonly access: 'read' | 'write',
  ) {}
}

/** A control register traps the instruction to `target` (the SIMD&FP access traps). */
export class Trapped {
  constructor(
    readonly ec: number,
    readonly iss: number,
    readonly target: TargetEl,
    readonly reason: string,
  ) {}
}

export class Undefined {
  constructor(readonly reason: string) {}
}
