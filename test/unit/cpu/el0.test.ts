// test/programs/el0.S run in-process, translated and interpreted: EL2 → EL1 → EL0 and back
// through exceptions, each taken where the architecture routes it, with the syndrome, return
// address, saved PSTATE and stack pointer the handlers stored.

import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter, type RunOutcome } from '../../../src/machine/cpu/interpreter.js';
import type { Machine } from '../../../src/machine/machine.js';
import { createMachine } from '../../../src/wiring.js';
import { loadElf, symbols } from '../../support/elf.js';
import { buildEl0Program } from '../../support/programs.js';

const R = {
  EL1_CURRENTEL: 0, HVC_ESR: 8, HVC_ELR: 16, HVC_SPSR: 24, EL1SVC_ESR: 32, EL1SVC_SP: 40, SVC_ESR: 48,
  SVC_ELR: 56, SVC_SPSR: 64, SVC_SP: 72, SVC_ANSWER: 80, EL0_SP: 88, ABT_ESR: 96, ABT_FAR: 104,
  ABT_ELR: 112, ABT_X1: 120, UND_ESR: 128, UND_ELR: 136, EL1_SECRET: 144, AT_EL0_SECRET: 152,
  AT_EL1_SECRET: 160, AT_EL0_CODE_W: 168, FP_ESR: 176, FP_ELR: 184, FP_X3: 192, IRQ_INTID: 200,
  IRQ_SPSR: 208, IRQ_DONE: 216,
} as const;

const SECRET = 0x140000n;

interface Ran {
  readonly machine: Machine;
  readonly outcome: RunOutcome;
  readonly result: (offset: number) => bigint;
  readonly symbol: (name: string) => bigint;
}

function runProgram(elf: string, translate: boolean): Ran {
  const machine = createMachine(DEFAULT_BOARD);
  loadElf(machine, elf);
  const interpreter = new Interpreter(machine);
  interpreter.translate = translate;
  interpreter.translateThreshold = 2;
  // The run loop returns every exception; taking each one is the run control's part.
  let outcome = interpreter.run(100_000, new Set());
  for (let taken = 0; outcome.kind === 'exception' && taken < 10; taken++) {
    interpreter.takeException(outcome.exception);
    outcome = interpreter.run(100_000, new Set());
  }
  const table = symbols(elf);
  const result = (offset: number): bigint => {
    const read = machine.readMemory(table.get('results')! + offset, 8, { origin: 'debugger' });
    return new DataView(read.data.buffer).getBigUint64(0, true);
  };
  return { machine, outcome, result, symbol: (name) => BigInt(table.get(name)!) };
}

describe.each([true, false])('an EL1 kernel and an EL0 task (translated: %s)', (translate) => {
  let run: Ran;

  beforeAll(() => {
    run = runProgram(buildEl0Program(), translate);
  });

  it('runs to its end at EL0', () => {
    expect(run.outcome).toEqual({ kind: 'brk', imm: 1 });
    expect(run.machine.core.pc).toBe(run.symbol('el0_done'));
    expect(run.machine.core.el).toBe(0);
  });

  it('ERETs from EL2 to EL1h, where the kernel reads CurrentEL', () => {
    expect(run.result(R.EL1_CURRENTEL)).toBe(1n << 2n);
  });

  it('takes an HVC from EL1 to EL2 (EC 0x16, lower-EL vector) and returns past it', () => {
    expect(run.result(R.HVC_ESR)).toBe(0x5a00_0012n);
    expect(run.result(R.HVC_SPSR) & 0xfn).toBe(0x5n); // from EL1h
    expect(run.result(R.HVC_ELR) & 3n).toBe(0n);
  });

  it('keeps an SVC at EL1 at EL1, on SP_EL1 through the current-EL SP_ELx vector', () => {
    expect(run.result(R.EL1SVC_ESR)).toBe(0x5600_0056n);
    expect(run.result(R.EL1SVC_SP)).toBe(0x120000n);
    expect(run.result(R.EL1_SECRET)).toBe(0x5ecn); // the kernel's own region is its to use
  });

  it('runs the task on SP_EL0 and takes its SVC to EL1 (EC 0x15), answering in x0', () => {
    expect(run.result(R.EL0_SP)).toBe(0x130000n);
    expect(run.result(R.SVC_ESR)).toBe(0x5600_0034n);
    expect(run.result(R.SVC_SPSR) & 0xfn).toBe(0n); // from EL0t
    expect(run.result(R.SVC_SP)).toBe(0x120000n - 16n); // the handler pushed a pair on SP_EL1
    expect(run.result(R.SVC_ANSWER)).toBe(0x600dn);
  });

  it('takes the EL0 read the EL1 MPU refuses to EL1: ESR_EL1 EC 0x24 (lower EL), FAR_EL1, nothing in ESR_EL2', () => {
    expect(run.result(R.ABT_ESR)).toBe(0x9200_000cn); // data abort from a lower EL, permission fault, read
    expect(run.result(R.ABT_FAR)).toBe(SECRET);
    expect(run.result(R.ABT_X1)).toBe(0x77n); // the load did not complete
    expect(run.machine.sysregs.getStored('ESR_EL2')).toBe(0x5a00_0012n); // still the HVC's
    expect(run.machine.lastFault?.syndrome.takenTo).toBe(1);
  });

  it('answers AT from the EL1 MPU in PAR_EL1: F with a permission fault for EL0, the address for EL1', () => {
    expect(run.result(R.AT_EL0_SECRET)).toBe(1n | (0x0cn << 1n)); // F, FST = permission fault, level 0
    expect(run.result(R.AT_EL1_SECRET) & 1n).toBe(0n);
    expect(run.result(R.AT_EL1_SECRET) & 0xffff_ffff_f000n).toBe(SECRET);
    expect(run.result(R.AT_EL0_CODE_W)).toBe(1n | (0x0cn << 1n)); // a write to read-only code
  });

  it('traps the task\'s first SIMD&FP instruction to EL1 (EC 0x07) and retries it once the kernel enables SIMD&FP', () => {
    expect(run.result(R.FP_ESR)).toBe(0x1e00_0000n); // EC 0x07, IL
    expect(run.result(R.FP_X3)).toBe(0x1234n);
    expect(run.machine.sysregs.getStored('CPACR_EL1')).toBe(3n << 20n);
  });

  it('takes the virtual timer\'s PPI 27 through the GICv3 to EL1 from the task, acknowledged and ended there', () => {
    expect(run.result(R.IRQ_DONE)).toBe(1n);
    expect(run.result(R.IRQ_INTID)).toBe(27n);
    expect(run.result(R.IRQ_SPSR) & 0xfn).toBe(0n); // from EL0t
    expect(run.result(R.IRQ_SPSR) & 0x80n).toBe(0n); // with IRQs unmasked there
  });

  it('takes an HVC at EL0, UNDEFINED there, to EL1 with EC 0', () => {
    expect(run.result(R.UND_ESR)).toBe(0x0200_0000n);
    expect(run.result(R.UND_ELR)).toBe(run.symbol('el0_done') - 4n);
  });
});
