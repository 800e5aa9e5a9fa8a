// test/programs/boot.S run in-process on the default board, translated and interpreted: an
// MPU hypervisor's early boot down to a timer interrupt that wakes the core from WFI and an
// SGI, every step checked through what the program stored and the state it leaves.

import { beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter, type RunOutcome } from '../../../src/machine/cpu/interpreter.js';
import type { Machine } from '../../../src/machine/machine.js';
import { createMachine } from '../../../src/wiring.js';
import { loadElf, symbols } from '../../support/elf.js';
import { buildBootProgram } from '../../support/programs.js';

const R = {
  MIDR: 0, MPIDR: 8, PFR0: 16, MMFR0: 24, CTR: 32, DLINE: 40, DC_OPS: 48, GICD_TYPER: 56, GICD_IIDR: 64,
  GICR_TYPER: 72, WAKER: 80, WAKER_POLLS: 88, CNTFRQ: 96, T_ARMED: 104, T_TAKEN: 112, INTID0: 120,
  INTID1: 128, IRQS: 136, ELR0: 144, RPR_IN: 152, RPR_AFTER: 160, SPSR0: 168, TIMER_CTL: 176,
} as const;

interface Booted {
  readonly machine: Machine;
  readonly interpreter: Interpreter;
  readonly outcome: RunOutcome;
  readonly result: (offset: number) => bigint;
  readonly symbol: (name: string) => number;
}

function boot(elf: string, translate: boolean): Booted {
  const machine = createMachine(DEFAULT_BOARD);
  loadElf(machine, elf);
  const interpreter = new Interpreter(machine);
  interpreter.translate = translate;
  interpreter.translateThreshold = 2; // translate the polling loops too
  const outcome = interpreter.run(1_000_000, new Set());
  const table = symbols(elf);
  const symbol = (name: string): number => table.get(name)!;
  const result = (offset: number): bigint => {
    const read = machine.readMemory(symbol('results') + offset, 8, { origin: 'debugger' });
    return new DataView(read.data.buffer).getBigUint64(0, true);
  };
  return { machine, interpreter, outcome, result, symbol };
}

describe.each([true, false])('the early boot program (translated: %s)', (translate) => {
  let elf: string;
  let run: Booted;

  beforeAll(() => {
    elf = buildBootProgram();
    run = boot(elf, translate);
  });

  it('runs to its end', () => {
    expect(run.outcome).toEqual({ kind: 'brk', imm: 1 });
    expect(run.machine.core.pc).toBe(BigInt(run.symbol('boot_done')));
  });

  it('reads the Cortex-R82 identification: GICv3 system registers, PMSA, 64-byte lines', () => {
    expect(run.result(R.MIDR)).toBe(0x410f_d150n);
    expect((run.result(R.PFR0) >> 24n) & 0xfn).toBe(1n);
    expect((run.result(R.MMFR0) >> 48n) & 0xfn).toBe(0xfn);
    expect(run.result(R.DLINE)).toBe(64n);
    expect(run.result(R.DC_OPS)).toBe(0x1000n / 64n);
  });

  it('finds the distributor and its own redistributor, and wakes it', () => {
    expect(run.result(R.GICD_TYPER) & 0x1fn).toBe(3n);
    expect(run.result(R.GICD_IIDR)).toBe(0x43bn);
    expect(run.result(R.GICR_TYPER) & 0x10n).toBe(0x10n);
    expect(run.result(R.GICR_TYPER) >> 32n).toBe(run.result(R.MPIDR) & 0xff_ffffn);
    expect(run.result(R.WAKER)).toBe(0n);
    expect(run.result(R.WAKER_POLLS)).toBe(1n);
  });

  it('takes the Secure EL2 timer\'s interrupt in WFI, 1000 ticks after arming it, at EL2 with SP_EL2', () => {
    expect(run.result(R.CNTFRQ)).toBe(100_000_000n);
    expect(run.result(R.INTID0)).toBe(26n);
    const waited = run.result(R.T_TAKEN) - run.result(R.T_ARMED);
    expect(waited).toBeGreaterThanOrEqual(1000n);
    expect(waited).toBeLessThan(1020n); // the clock jumped to the deadline: WFI waited, nothing ran
    expect(run.result(R.ELR0)).toBe(BigInt(run.symbol('after_wfi')));
    expect(run.result(R.SPSR0) & 0x3cfn).toBe(0x349n); // EL2h, D A F masked, I clear
    expect(run.result(R.TIMER_CTL)).toBe(5n); // ENABLE | ISTATUS
    expect(run.result(R.RPR_IN)).toBe(0xa0n);
    expect(run.result(R.RPR_AFTER)).toBe(0xffn);
  });

  it('takes its SGI and ends it with EOImode 1: nothing is left active or pending', () => {
    expect(run.result(R.INTID1)).toBe(3n);
    expect(run.result(R.IRQS)).toBe(2n);
    expect(run.interpreter.interruptsTaken).toBe(2);
    const gicrSgi = 0xaf11_0000;
    const word = (offset: number): number => new DataView(run.machine.readMemory(gicrSgi + offset, 4, { origin: 'debugger' }).data.buffer).getUint32(0, true);
    expect(word(0x300)).toBe(0); // GICR_ISACTIVER0
    expect(word(0x200)).toBe(0); // GICR_ISPENDR0
    expect(run.machine.readRegister(register('ICC_RPR_EL1'))).toBe(0xffn);
  });
});

describe('WFI in the boot program', () => {
  it('leaves a pending IRQ alone while PSTATE.I masks it, and a masked one still ends WFI', () => {
    const elf = buildBootProgram();
    const { machine, interpreter, symbol } = boot(elf, true);
    // Re-arm the timer with IRQs masked, and sleep: the core wakes, the IRQ is not taken.
    machine.core.cpsr |= 0x80;
    machine.writeRegister(register('CNTHPS_TVAL_EL2'), 50n, 'debugger');
    machine.writeRegister(register('CNTHPS_CTL_EL2'), 1n, 'debugger');
    machine.writeRegister(register('pc'), BigInt(symbol('wait_for_timer')), 'debugger');
    const taken = interpreter.interruptsTaken;
    const before = machine.timer.ticks;
    const outcome = interpreter.run(3, new Set());
    expect(outcome).toEqual({ kind: 'limit' });
    expect(interpreter.interruptsTaken).toBe(taken);
    expect(machine.timer.ticks).toBeGreaterThanOrEqual(before + 50);
    expect(machine.gic.irq).toBe(true);
  });
});
