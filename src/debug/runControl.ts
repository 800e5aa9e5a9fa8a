// Running the board's core for a debugger: the A64 interpreter runs in slices between
// event-loop turns (Ctrl-C, other clients and the HTTP API stay served); breakpoints,
// watchpoints and exceptions become stop reports; a WFI that no interrupt or timer will end
// idles until Ctrl-C (or a caught map-service failure). It keeps why the core last stopped, which resuming may act on (a
// passed signal delivers the pending exception) and which must be forgotten when it stops
// being true. Catchpoints end a run too: one that fires inside an instruction (an MSR to the
// MPU, an ISB) stops the core once that instruction has completed, and an exception the core
// takes may stop it at the vector entry.

import { Interpreter, type CpuException, type RunOutcome } from '../machine/cpu/interpreter.js';
import type { Machine } from '../machine/machine.js';
import type { ResumeAction, RunControl, StopEvent } from '../rsp/target.js';
import type { BreakpointTable } from './breakpointTable.js';
import { InstructionCatch } from './instructionCatch.js';
import { SIGILL, SIGINT, SIGSEGV, SIGTRAP } from './signals.js';

/** Instructions run before yielding to the event loop. */
const INSTRUCTIONS_PER_SLICE = 100_000;

export class BoardRunControl implements RunControl {
  /** The core's executor; `monitor core translate` reads and sets its block translation. */
  readonly interpreter: Interpreter;
  private pendingStop: ((stop: StopEvent) => void) | undefined;
  /** Bumped on every stop so that a slice scheduled before it does not run after it. */
  private runGeneration = 0;
  /** The core stopped before a watched access: the next resume performs that access. */
  private lastStopWasWatch = false;
  private stop: StopEvent = { signal: SIGTRAP };
  /** Aborts and undefined instructions stop in GDB (SIGSEGV/SIGILL) instead of being taken. */
  stopOnExceptions = true;
  /** An internal error of the interpreter that stopped the core (shown by `monitor core exception`). */
  internalError: string | undefined;
  /** The exception the core stopped on, for `monitor core exception`. */
  lastException: CpuException | undefined;
  /**
   * Decides whether an exception the core has just taken stops it at the vector entry (vector
   * catch, vectorCatch.ts); undefined goes on running.
   */
  exceptionTakenStop: ((exception: CpuException) => StopEvent | undefined) | undefined;
  /** Told when a run waits in WFI/WFE with nothing to wake it (with no debugger, src/boot/unattended.ts says so). */
  onIdle: (() => void) | undefined;
  /** The same for an IRQ taken at `from` (asked only while the interpreter reports interrupts). */
  interruptTakenStop: ((from: bigint) => StopEvent | undefined) | undefined;
  /** The stop a catchpoint asks for inside an instruction (mpuCatchpoints.ts uses it). */
  readonly catches: InstructionCatch;

  constructor(
    private readonly machine: Machine,
    private readonly breakpoints: BreakpointTable,
  ) {
    this.interpreter = new Interpreter(machine, breakpoints.watchSet);
    this.catches = new InstructionCatch(machine, breakpoints);
  }

  get running(): boolean {
    return this.pendingStop !== undefined;
  }

  lastStop(): StopEvent {
    return this.stop;
  }

  /** Instructions executed since the stub started. */
  get instructionsExecuted(): number {
    return this.interpreter.executed;
  }

  /** Takes the exception the core stopped on, as if the debugger had not intervened. */
  takePendingException(): boolean {
    const e = this.lastException;
    if (!e) return false;
    this.lastException = undefined;
    this.interpreter.takeException(e);
    return true;
  }

  /** Stops running without reporting a stop (the debugger left or arrived, or the board restarts). */
  halt(): void {
    this.pendingStop = undefined;
    this.runGeneration++;
  }

  /**
   * Forgets why the core last stopped: the exception it stopped on and the watchpoint it stopped
   * before. Whatever happens next (the debugger leaves, moves pc, restarts the board) makes
   * them untrue, and a stale "resuming from a watchpoint" would let the next access through.
   */
  forgetStopState(): void {
    this.lastStopWasWatch = false;
    this.lastException = undefined;
    this.stop = { signal: SIGTRAP };
  }

  /** A removed watchpoint leaves nothing to step over. */
  forgetWatchStop(): void {
    this.lastStopWasWatch = false;
  }

  /** After the board was reset: nothing learnt of the old one holds. */
  resetAfterBoardReset(): void {
    this.halt();
    this.interpreter.reset();
    this.forgetStopState();
    this.internalError = undefined;
  }

  resume(action: ResumeAction, onStop: (stop: StopEvent) => void, signal = 0): void {
    // Passing the signal GDB reported for an abort or undefined instruction (GDB's default for
    // SIGSEGV and SIGILL: `continue` sends vCont;C0b) delivers the exception: the core takes it
    // to its vector. Signal 0 (`signal 0`, `handle SIGSEGV nopass`) retries the instruction.
    const pending = this.lastException;
    const deliver = signal !== 0 && pending !== undefined;
    if (deliver) this.takePendingException();
    this.lastException = undefined;
    this.catches.take();
    const vectorStop = deliver ? this.exceptionTakenStop?.(pending) : undefined;
    if (deliver && (action === 'step' || vectorStop)) {
      // As a stepped signal handler does on Linux: stop at the handler's first instruction
      // (and a vector catch stops there whatever the resume).
      this.lastStopWasWatch = false;
      this.stop = vectorStop ?? { signal: SIGTRAP };
      onStop(this.stop);
      return;
    }
    if (action === 'step') {
      const result = this.executeOne(true, true);
      this.stop = result === undefined || result === 'idle' ? { signal: SIGTRAP } : result;
      onStop(this.stop);
      return;
    }
    this.pendingStop = onStop;
    const generation = ++this.runGeneration;
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
      if (stop === 'idle') return this.onIdle?.(); // WFI/WFE with nothing to wake it: wait for Ctrl-C (or a caught map failure)
      if (stop) return void this.raiseStop(stop);
      setImmediate(slice);
    };
    setImmediate(slice);
  }

  interrupt(): void {
    this.raiseStop({ signal: SIGINT });
  }

  /** Stops a running core with `stop` (Ctrl-C, a caught map failure). No-op when halted. */
  raiseStop(stop: StopEvent): boolean {
    const report = this.pendingStop;
    if (!report) return false;
    this.halt();
    this.stop = stop;
    report(stop);
    return true;
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
      const outcome = this.catches.execute(() => this.interpreter.run(budget, this.breakpoints.codeAddresses));
      const caught = this.catches.take();
      if (caught) return caught;
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
      const bp = this.breakpoints.codeAt(this.machine.core.pc);
      if (bp) return { signal: SIGTRAP, pairs: [[bp.type === 'software' ? 'swbreak' : 'hwbreak', '']] };
    }
    const outcome = this.catches.execute(() => this.interpreter.step(first && this.lastStopWasWatch));
    this.lastStopWasWatch = false;
    const caught = this.catches.take();
    if (caught) return caught;
    return outcome.kind === 'ok' ? undefined : this.stopFor(outcome, stepping);
  }

  /** What an instruction that did not simply complete means for the debugger. */
  private stopFor(outcome: RunOutcome, stepping: boolean): StopEvent | 'idle' | undefined {
    switch (outcome.kind) {
      case 'limit':
        return undefined;
      case 'breakpoint': {
        const bp = this.breakpoints.codeAt(this.machine.core.pc);
        return { signal: SIGTRAP, pairs: [[bp?.type === 'hardware' ? 'hwbreak' : 'swbreak', '']] };
      }
      case 'wait':
        // A stepped WFI completes (time passes to the next timer deadline, if any); a running
        // one waits for what wakes it, and with nothing to, for Ctrl-C.
        return this.interpreter.wakeFromWait() || stepping ? undefined : 'idle';
      case 'brk':
        return { signal: SIGTRAP };
      case 'watch': {
        this.lastStopWasWatch = true;
        const name = outcome.access === 'write' ? 'watch' : this.breakpoints.watchKindAt(outcome.address) === 'access-watch' ? 'awatch' : 'rwatch';
        return { signal: SIGTRAP, pairs: [[name, outcome.address.toString(16)]] };
      }
      case 'interrupt-taken':
        return this.interruptTakenStop?.(outcome.from);
      case 'exception': {
        const e = outcome.exception;
        if (this.stopOnExceptions && (e.type === 'abort' || e.type === 'undefined')) {
          this.lastException = e;
          return { signal: e.type === 'abort' ? SIGSEGV : SIGILL };
        }
        this.interpreter.takeException(e);
        return this.exceptionTakenStop?.(e);
      }
    }
  }
}
