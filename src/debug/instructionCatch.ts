// A catchpoint that fires inside an instruction (an MSR to the MPU, an ISB) must stop the core
// once that instruction has completed, not in the middle of it. This keeps the one stop such
// a catch asks for, and turns it into a one-off stop before the next instruction, which the
// run loop honours like a breakpoint (before interpreting it or entering a block that holds it).

import type { Machine } from '../machine/machine.js';
import type { StopEvent } from '../rsp/target.js';
import type { BreakpointTable } from './breakpointTable.js';

export class InstructionCatch {
  /** True only while the interpreter executes code: what changes the machine then is the code's doing. */
  private executing = false;
  /** A catchpoint fired inside the instruction being executed: the stop to report once it completes. */
  private caught: StopEvent | undefined;

  constructor(
    private readonly machine: Machine,
    private readonly breakpoints: BreakpointTable,
  ) {}

  /** True while code runs on the core (inside an interpreter call), false between slices and while halted. */
  get executingCode(): boolean {
    return this.executing;
  }

  /**
   * Stop once the current instruction has completed, pc at the next instruction. Only
   * instructions that never branch (MSR, DSB, ISB) report such events, and the interpreter sets
   * pc to the instruction before executing it, so the next one is at pc + 4. Returns false when
   * no code is executing (the change came from elsewhere) or an earlier catch in the same
   * instruction won.
   */
  stopAfterCurrentInstruction(stop: StopEvent): boolean {
    if (!this.executing || this.caught) return false;
    this.caught = stop;
    this.breakpoints.stopBefore(Number(BigInt.asUintN(64, this.machine.core.pc + 4n)));
    return true;
  }

  /** Runs interpreter code with `executing` set; the one-off stops it planted go with it. */
  execute<T>(action: () => T): T {
    this.executing = true;
    try {
      return action();
    } finally {
      this.executing = false;
      this.breakpoints.clearTransientStops();
    }
  }

  /** The stop a catch asked for during the last execution, once. */
  take(): StopEvent | undefined {
    const stop = this.caught;
    this.caught = undefined;
    return stop;
  }
}
