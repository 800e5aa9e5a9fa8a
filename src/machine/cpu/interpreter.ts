// The A64 interpreter: executes the base integer instructions that bare-metal EL2 code uses
// (data processing, loads and stores of every size and addressing mode, branches, and the
// system instructions) one at a time, and runs hot code as translated blocks. Instructions are
// decoded by decode.ts — the one decoder — and executed by execute.ts; the block translator
// (translator.ts) compiles the same decoded instructions, so both back ends see every
// encoding the same way.
//
// `step()` executes one instruction and says what happened; exceptions are either taken (the
// core vectors to VBAR_EL1 or VBAR_EL2, as exceptionRouting.ts routes them) or reported for the debugger to stop on, as the run loop chooses.
// `run()` executes many, running hot code as blocks from translator.ts and leaving to `step()`
// every instruction a block cannot complete, so both paths end in the same outcomes. Between
// instructions it takes the IRQ the GIC signals (interrupts.ts); retired instructions are the
// generic timer's clock, so no block runs past the next timer deadline, and a WFI lets time
// pass to it.

import { register } from '../../arch/aarch64/registers.js';
import { EC, syndromeOf } from '../../arch/aarch64/syndrome.js';
import type { Machine } from '../machine.js';
import { u64 } from './bigintAlu.js';
import { DecodeCache } from './decodeCache.js';
import { enterException } from './exceptionEntry.js';
import { exceptionRegisters, synchronousTarget, type TargetEl } from './exceptionRouting.js';
import { Executor } from './execute.js';
import { FastMemory } from './fastMemory.js';
import { irqTarget } from './interrupts.js';
import { Abort, Trapped, Undefined, WatchHit, type CpuException, type StepOutcome, type WatchSet } from './outcomes.js';
import { translateRegion, WARM_UP_ENTRIES, type Block } from './translator.js';
import { Wide } from './wide.js';

export type { CpuException, StepOutcome, WatchSet } from './outcomes.js';

/** How `run` ended: an instruction that did not simply complete, the budget spent, or a breakpoint reached. */
export type RunOutcome =
  | Exclude<StepOutcome, { kind: 'ok' }>
  | { readonly kind: 'limit' }
  | { readonly kind: 'breakpoint' }
  /** An IRQ was taken (reported only when `reportInterrupts` is set); `from` is where it interrupted. */
  | { readonly kind: 'interrupt-taken'; readonly from: bigint };

/** Heat counters kept at most (one per distinct address executed interpreted). */
const MAX_HEAT_ENTRIES = 1 << 20;

/** Addresses (of pc) kept as JS numbers, by the translated path and the fast fetch; anything above takes the checked path. */
const NUMERIC_PC_LIMIT = 1n << 48n;

export class Interpreter {
  /** Instructions executed since the machine started (for benchmarks and `monitor info`). */
  executed = 0;
  /** Of those, how many ran as translated blocks. */
  executedTranslated = 0;
  /** Times the run loop entered translated code; each entry runs one block or a chain of them. */
  translatedEntries = 0;
  /** IRQs taken since the machine started. */
  interruptsTaken = 0;
  /** Return from `run` once an IRQ has been taken (a debugger's vector catch asks for it). */
  reportInterrupts = false;
  /** Blocks the translator could not build (their code runs interpreted), and the last reason. */
  translationFailures = 0;
  lastTranslationFailure: string | undefined;

  /** Run hot code through the block translator (translator.ts); off runs everything here. */
  translate = true;
  /**
   * Times execution must reach an address before a block is translated there. Translating
   * costs tens of microseconds, interpreting one instruction a fraction of one: code that runs
   * once (start-up, a scenario) is cheaper interpreted; loops are translated on their 8th turn.
   */
  translateThreshold = 8;
  /** How often each not-yet-translated address has been reached. */
  private readonly heat = new Map<number, number>();
  private readonly decoded = new DecodeCache();
  private readonly executor: Executor;
  private readonly fast: FastMemory;
  private readonly wide = new Wide();
  /** Translated blocks by start address, and the starts per 4 KiB page (to forget a page at once). */
  private readonly blocks = new Map<number, Block>();
  private readonly blockStarts = new Map<number, number[]>();

  constructor(
    private readonly machine: Machine,
    private readonly watches?: WatchSet,
  ) {
    this.executor = new Executor(machine, watches);
    this.fast = new FastMemory(machine);
    machine.memory.onCodeWrite = (page) => this.forgetPage(page);
  }

  /** Forgets what execution learnt of the old board after a reset (its memory already dropped its blocks). */
  reset(): void {
    this.executor.exclusive = undefined;
    this.executor.ignoreWatchesOnce = false;
    this.heat.clear();
  }

  /** Blocks cached and still valid, including addresses found untranslatable (`monitor core translate`). */
  get translatedBlocks(): number {
    return this.blocks.size;
  }

  /** Drops every translation of `page`: something wrote to it. */
  private forgetPage(page: number): void {
    for (const start of this.blockStarts.get(page) ?? []) this.blocks.delete(start);
    this.blockStarts.delete(page);
    this.machine.memory.codePages.delete(page);
  }

  /** Counts a visit to `pc`; translates once it is hot enough. */
  private warmUp(pc: number): Block | undefined {
    const visits = (this.heat.get(pc) ?? 0) + 1;
    if (visits < this.translateThreshold) {
      if (this.heat.size >= MAX_HEAT_ENTRIES) this.heat.clear(); // bounded: forget and start counting again
      this.heat.set(pc, visits);
      return undefined;
    }
    this.heat.delete(pc);
    return this.translateAt(pc);
  }

  private translateAt(pc: number): Block | undefined {
    const page = pc - (pc % 0x1000);
    const ram = this.machine.memory.ramPage(page);
    if (!ram) return undefined; // code in a device: interpreted
    const view = new DataView(ram.bytes.buffer, ram.bytes.byteOffset + ram.at, 0x1000);
    let entry: Block;
    let others: readonly Block[] = [];
    try {
      // Blocks that have run (or, translating at first sight, any): a path never taken is not compiled.
      const worth = (address: number): boolean => this.translateThreshold <= 1 || this.heat.has(address) || this.blocks.has(address);
      const translated = translateRegion((address) => view.getUint32(address - page, true), pc, worth);
      entry = translated.entry;
      others = translated.region?.blocks.slice(1) ?? [];
    } catch (err) {
      // A translator bug must cost speed, not correctness: interpret this address from now on.
      this.translationFailures++;
      this.lastTranslationFailure = `pc 0x${pc.toString(16)}: ${err instanceof Error ? err.message : String(err)}`;
      entry = { start: pc, length: 0, region: undefined, index: 0 };
    }
    this.remember(page, entry);
    // The region's other blocks are entries too (where the run loop comes back after an
    // exit, a bail or a stop), unless an earlier region already has one there.
    for (const block of others) if (!this.blocks.has(block.start)) this.remember(page, block);
    return entry;
  }

  private remember(page: number, block: Block): void {
    this.blocks.set(block.start, block);
    const starts = this.blockStarts.get(page);
    if (starts) starts.push(block.start);
    else {
      this.blockStarts.set(page, [block.start]);
      this.machine.memory.codePages.add(page);
      this.fast.revokeWrites(); // stores to this page must now take the path that forgets it
    }
  }

  /**
   * Executes up to `limit` instructions, stopping before any pc in `breakpoints` (the first
   * instruction included) and at the first instruction that does not simply complete. Hot
   * code runs translated; whatever a block cannot do (a fault, a device, a system instruction,
   * an armed watchpoint) is executed by `step`, so the outcome is the one `step` would give.
   */
  run(limit: number, breakpoints: ReadonlySet<number>): RunOutcome {
    const core = this.core;
    const words = core.words;
    const fast = this.fast;
    const { gic, timer } = this.machine;
    let remaining = limit;
    let interpretNext = false;
    let pc = core.pc < NUMERIC_PC_LIMIT ? Number(core.pc) : -1;
    try {
      while (remaining > 0) {
        if (gic.irq) {
          if (pc >= 0) core.pc = BigInt(pc);
          const from = core.pc;
          if (this.takeInterrupt()) {
            pc = core.pc < NUMERIC_PC_LIMIT ? Number(core.pc) : -1;
            if (this.reportInterrupts) return { kind: 'interrupt-taken', from };
            interpretNext = false;
            continue;
          }
        }
        if (breakpoints.size > 0 && breakpoints.has(pc)) return BREAKPOINT;
        if (!interpretNext && pc >= 0 && pc % 4 === 0 && this.translate && !this.watches?.armed()) {
          const block = this.blocks.get(pc) ?? this.warmUp(pc);
          const region = block?.region;
          // Chained blocks may run up to the instruction limit and up to the timer's next
          // deadline (an IRQ may become pending there), not into a breakpoint.
          let budget = Math.min(remaining, timer.deadline - timer.ticks);
          if (
            region !== undefined &&
            block!.length <= budget &&
            (!region.usesSp || (core.cpsr & 0xd) === 0x9) &&
            this.machine.pageAllowed(pc, 4, 'fetch') &&
            !(breakpoints.size > 0 && breakpointInside(block!, breakpoints))
          ) {
            if (region.entries < WARM_UP_ENTRIES) {
              region.entries++;
              budget = block!.length;
            } else if (breakpoints.size > 0 && breakpointInRegion(region.low, region.high, breakpoints)) budget = block!.length;
            fast.enterTranslated(this.executor.exclusive !== undefined);
            this.translatedEntries++;
            pc = region.run(words, core, fast, this.wide, block!.index, budget);
            const retired = fast.retired;
            this.retire(retired);
            this.executedTranslated += retired;
            remaining -= retired;
            interpretNext = fast.bail === 1;
            continue;
          }
        }
        if (pc >= 0) core.pc = BigInt(pc);
        const outcome = this.step();
        pc = core.pc < NUMERIC_PC_LIMIT ? Number(core.pc) : -1;
        remaining--;
        interpretNext = false;
        if (outcome.kind === 'wait' && this.wakeFromWait()) continue;
        if (outcome.kind !== 'ok') return outcome;
      }
      return LIMIT;
    } finally {
      if (pc >= 0) core.pc = BigInt(pc);
    }
  }

  private get core() {
    return this.machine.core;
  }

  /** Counts retired instructions: the statistics, and the generic timer's clock (one tick each). */
  private retire(count: number): void {
    this.executed += count;
    const timer = this.machine.timer;
    timer.ticks += count;
    if (timer.ticks >= timer.deadline) timer.update();
  }

  /**
   * After a WFI or WFE: the core sleeps until an IRQ is signalled — at once if one is, even
   * one PSTATE masks — or else until the next timer fires, the clock jumping there. False when
   * nothing can wake it (no interrupt signalled, no timer armed): the caller idles.
   */
  wakeFromWait(): boolean {
    const { gic, timer } = this.machine;
    while (!gic.irq) if (!timer.skipToDeadline()) return false;
    return true;
  }

  /** Takes the IRQ the GIC signals, unless it is masked where the core is: true when taken. */
  private takeInterrupt(): boolean {
    const target = irqTarget(this.machine);
    if (target === undefined) return false;
    enterException(this.machine, target, 'irq', this.core.pc);
    this.executor.exclusive = undefined;
    this.interruptsTaken++;
    return true;
  }

  /** Executes the instruction at pc; `ignoreWatches` steps over a watchpoint just reported. */
  step(ignoreWatches = false): StepOutcome {
    const executor = this.executor;
    executor.ignoreWatchesOnce = ignoreWatches;
    const pc = this.core.pc;
    let word = pc < NUMERIC_PC_LIMIT ? this.fast.fetchWord(Number(pc)) : -1;
    if (word < 0) {
      try {
        word = Number(executor.load(pc, 4, 'fetch'));
      } catch (err) {
        if (err instanceof Abort) return { kind: 'exception', exception: { type: 'abort', fault: err.fault, pc } };
        throw err;
      }
    }
    const snapshot = executor.exclusive;
    try {
      const outcome = executor.execute(this.decoded.get(word), pc);
      this.retire(1);
      if (outcome) return outcome;
      return OK;
    } catch (err) {
      executor.exclusive = snapshot;
      if (err instanceof Abort) return { kind: 'exception', exception: { type: 'abort', fault: err.fault, pc } };
      if (err instanceof Undefined) return { kind: 'exception', exception: { type: 'undefined', pc, instruction: word, reason: err.reason } };
      if (err instanceof Trapped) return { kind: 'exception', exception: { type: 'trap', pc, ec: err.ec, iss: err.iss, target: err.target, reason: err.reason } };
      if (err instanceof WatchHit) {
        this.core.pc = pc; // nothing retired: the debugger sees the accessing instruction
        return { kind: 'watch', address: err.address, access: err.access };
      }
      throw err;
    }
  }

  /**
   * Takes `exception` as the architecture does, to the EL exceptionRouting.ts names: its ESR
   * (FAR for aborts, already latched by the access path), ELR and SPSR, PSTATE to ELxh with
   * DAIF masked, and the vector from its VBAR.
   */
  takeException(exception: CpuException): void {
    const target = exceptionTarget(this.machine, exception);
    let returnAddress = exception.pc;
    switch (exception.type) {
      case 'abort':
        break; // ESR/FAR latched by the access path when the fault was recorded
      case 'undefined':
        this.machine.sysregs.setStored(exceptionRegisters(target).esr, syndromeOf(EC.unknown));
        break;
      case 'trap':
        this.machine.sysregs.setStored(exceptionRegisters(target).esr, syndromeOf(exception.ec, exception.iss));
        break; // returns to the trapped instruction
      default:
        this.machine.sysregs.setStored(exceptionRegisters(target).esr, syndromeOf(EC[exception.type], exception.imm));
        // SVC and HVC return past the instruction; a trapped SMC returns to it (DDI0487 D1.10.1).
        if (exception.type !== 'smc') returnAddress = u64(exception.pc + 4n);
    }
    enterException(this.machine, target, 'synchronous', returnAddress);
    this.executor.exclusive = undefined;
  }
}

/** The EL that takes `exception` now: an abort's was decided when its syndrome was latched. */
export function exceptionTarget(machine: Machine, exception: CpuException): TargetEl {
  if (exception.type === 'abort') return exception.fault.syndrome.takenTo;
  if (exception.type === 'trap') return exception.target;
  return synchronousTarget(exception.type, machine.currentEl, machine.sysregs.read(HCR_EL2.regnum));
}

const HCR_EL2 = register('HCR_EL2');

const OK: StepOutcome = { kind: 'ok' };
const LIMIT: RunOutcome = { kind: 'limit' };
const BREAKPOINT: RunOutcome = { kind: 'breakpoint' };

/** A breakpoint after the block's first instruction: the block must not run past it. */
function breakpointInside(block: Block, breakpoints: ReadonlySet<number>): boolean {
  return breakpointInRegion(block.start + 4, block.start + block.length * 4, breakpoints);
}

/** A breakpoint in [low, high): a region spanning it runs one block per entry, the run loop checking each. */
function breakpointInRegion(low: number, high: number, breakpoints: ReadonlySet<number>): boolean {
  for (const address of breakpoints) if (address >= low && address < high) return true;
  return false;
}
