// Chained translated blocks (a region, translator.ts) against the interpreter alone: a loop
// of four blocks runs as one entry into translated code, and still stops exactly where the
// interpreter stops — at an instruction budget, at a breakpoint or a watchpoint inside the
// chain, at the timer tick that makes an IRQ pending, and after a store into its own code.

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import type { RunOutcome, WatchSet } from '../../../src/machine/cpu/interpreter.js';
import { programBoard } from './programBoard.js';
import { writeWords } from '../../support/words.js';
import { enableGroup1 } from '../../support/gic.js';

const DATA = 0x10_0000;
const LOOP_COUNT = 1000n;
/**
 * 0x2000: add x0, x0, #1 ; tbz w0, #0, 0x2010 ; add x1, x1, #1 ; b 0x2014 ;
 * 0x2010: add x2, x2, #1 ; 0x2014: str x0, [x3] ; cmp x0, x4 ; b.ne 0x2000 ; brk #0
 * Four blocks (0x2000, 0x2008, 0x2010, 0x2014), every jump between them chained.
 */
const LOOP = [0x9100_0400, 0x3600_0060, 0x9100_0421, 0x1400_0002, 0x9100_0442, 0xf900_0060, 0xeb04_001f, 0x54ff_ff21, 0xd420_0000];

/** A watchpoint on one address, armed on demand. */
class OneWatch implements WatchSet {
  address: number | undefined;
  armed(): boolean {
    return this.address !== undefined;
  }
  hit(address: number, size: number, access: 'read' | 'write'): number | undefined {
    return access === 'write' && this.address !== undefined && this.address >= address && this.address < address + size ? this.address : undefined;
  }
}

/** The loop on a fresh board, translated on first sight or interpreted only. */
function board(translate: boolean, program: readonly number[] = LOOP) {
  const watch = new OneWatch();
  return { ...programBoard(translate, program, { 3: BigInt(DATA), 4: LOOP_COUNT }, { watch }), watch };
}

/** What must agree between the two back ends after a run. */
function state(side: ReturnType<typeof board>, outcome: RunOutcome) {
  const { machine, interpreter } = side;
  return {
    outcome,
    pc: machine.core.pc,
    x: [...machine.core.x.subarray(0, 5)],
    nzcv: machine.core.cpsr >>> 28,
    executed: interpreter.executed,
    ticks: machine.timer.ticks,
    stored: machine.readMemory(DATA, 8, { origin: 'debugger' }).data,
  };
}

/** Runs both sides through the same calls; they must agree after each. */
function lockstep(calls: ReadonlyArray<(side: ReturnType<typeof board>) => RunOutcome>, program?: readonly number[]) {
  const translated = board(true, program);
  const interpreted = board(false, program);
  for (const call of calls) expect(state(translated, call(translated))).toEqual(state(interpreted, call(interpreted)));
  return translated;
}

describe('chained translated blocks', () => {
  it('run a loop of four blocks as one entry into translated code, and end where the interpreter does', () => {
    const { interpreter } = lockstep([(s) => s.interpreter.run(100_000, new Set())]);
    expect(interpreter.executedTranslated).toBeGreaterThan(5000);
    // The first entries of a new region run one block each (translator.ts, WARM_UP_ENTRIES); after that, one entry runs the rest.
    expect(interpreter.translatedEntries).toBeLessThan(200);
  });

  it('stop exactly at the instruction budget, wherever it falls in the chain', () => {
    const budgets = [1, 3, 7, 13, 250, 999, 1001, 17, 2, 500];
    lockstep(budgets.map((limit) => (s) => s.interpreter.run(limit, new Set())));
  });

  it('stop at a breakpoint planted in a block they would chain to', () => {
    const breakpoints = new Set([0x2010]);
    const { interpreter } = lockstep([
      (s) => s.interpreter.run(2000, new Set()), // warm: the region is chaining by now
      (s) => s.interpreter.run(100_000, breakpoints),
      (s) => s.interpreter.run(1, new Set()), // step off it
      (s) => s.interpreter.run(100_000, breakpoints),
    ]);
    expect(interpreter.executedTranslated).toBeGreaterThan(1000);
  });

  it('stop at a watchpoint armed while the loop is translated', () => {
    lockstep([
      (s) => s.interpreter.run(2000, new Set()),
      (s) => {
        s.watch.address = DATA + 4;
        return s.interpreter.run(100_000, new Set());
      },
    ]);
  });

  it('stop at the timer tick that makes an IRQ pending, and take it there', () => {
    const armTimer = (s: ReturnType<typeof board>): RunOutcome => {
      const { machine } = s;
      writeWords(machine, 0x8280, [0xd420_0040]); // brk #2 at the IRQ vector (current EL, SP_ELx)
      enableGroup1(machine, 1 << 26); // the EL2 timer's PPI
      machine.writeRegister(register('HCR_EL2'), 1n << 4n, 'debugger');
      machine.writeRegister(register('VBAR_EL2'), 0x8000n, 'debugger');
      machine.writeRegister(register('CNTHPS_TVAL_EL2'), 2345n, 'debugger');
      machine.writeRegister(register('CNTHPS_CTL_EL2'), 1n, 'debugger');
      machine.core.cpsr = 0x349; // EL2h, IRQs unmasked
      return s.interpreter.run(1000, new Set());
    };
    const { machine } = lockstep([armTimer, (s) => s.interpreter.run(100_000, new Set())]);
    expect(machine.core.pc).toBe(0x8280n); // stopped on the vector's brk: the IRQ was taken
    expect(machine.readRegister(register('ELR_EL2'))).toBeLessThan(0x2020n); // from inside the loop
    expect(machine.timer.ticks).toBe(2345 + 1); // the timer fired at tick 2345; the brk counts one
  });

  it('see a store into their own code at once', () => {
    // 0x2000: str w5, [x3] ; add x0, x0, #1 ; add x1, x1, #1 ; cmp x0, x4 ; b.ne 0x2000 ; brk #0 —
    // the store rewrites the add at 0x2008 into add x1, x1, #2.
    const program = [0xb900_0065, 0x9100_0400, 0x9100_0421, 0xeb04_001f, 0x54ff_ff81, 0xd420_0000];
    const rewrite = (s: ReturnType<typeof board>): RunOutcome => {
      s.machine.core.x[3] = 0x2008n;
      s.machine.core.x[5] = 0x9100_0821n;
      return s.interpreter.run(100_000, new Set());
    };
    const { machine, interpreter } = lockstep([(s) => s.interpreter.run(40, new Set()), rewrite], program);
    expect(machine.core.x[1]).toBe(2n * LOOP_COUNT - 8n); // 8 turns before the rewrite added 1
    expect(interpreter.executedTranslated).toBeGreaterThan(0);
  });
});
