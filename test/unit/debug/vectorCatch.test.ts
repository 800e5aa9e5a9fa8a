// Vector catch in-process: the core stops at the vector entry once it has taken a caught
// exception — an SVC (always taken), an abort taken directly (stop-on-exception off) or
// delivered when GDB passes SIGSEGV — with the syndrome decoded; other categories run on.

import { beforeEach, describe, expect, it } from 'vitest';
import { registerByName } from '../../../src/arch/aarch64/registers.js';
import { A64, runningBoard, type RunningBoard } from './runningBoard.js';
import { enableGroup1 } from '../../support/gic.js';
import { writeWords } from '../../support/words.js';

let board: RunningBoard;

beforeEach(() => {
  board = runningBoard();
  board.machine.writeRegister(registerByName('VBAR_EL2')!, 0x800n, 'debugger');
  board.load(0x800, Array.from({ length: 0x200 }, () => A64.B_SELF));
});

describe('vector catch', () => {
  it('stops at the vector entry of an SVC (always taken) with the syndrome decoded', async () => {
    const { machine, target, load, resume } = board;
    target.symbols.add([{ name: 'sync_handler', address: 0xa00, end: 0xa80, kind: 'label', global: true }], 'test');
    load(0x7000, [A64.SVC_42, A64.ADD_X5_1]);
    target.vectorCatch.set(['svc']);
    const stop = await resume();
    expect(machine.core.pc).toBe(0xa00n);
    expect(stop.console).toMatch(/^vector catch: SVC #66 taken at pc 0x7000 to EL2\n {2}ESR_EL2 0x56000042: EC=0x15/);
    expect(stop.console).toContain('ELR_EL2 0x7004, SPSR_EL2 0x3c9; vector entry 0xa00 <sync_handler>');
  });

  it('stops at the vector of an abort taken directly, and of one taken when GDB passes SIGSEGV', async () => {
    const { machine, target, load, resume } = board;
    machine.core.x[1] = 0x4000_0000_0000n - 0x1000n; // nothing there: an external abort
    load(0x7000, [A64.STR_X0_X1, A64.ADD_X5_1]);
    target.vectorCatch.set(['abort']);
    target.run.stopOnExceptions = false;
    const direct = await resume();
    expect(machine.core.pc).toBe(0xa00n);
    expect(direct.console).toMatch(/vector catch: data abort taken at pc 0x7000 to EL2\n {2}ESR_EL2 0x96000050: [^\n]*FSC=0x10 \(synchronous external abort\), WnR=1[^\n]*\n {2}FAR_EL2 0x3ffffffff000\n/);

    machine.core.pc = 0x7000n;
    target.run.stopOnExceptions = true;
    expect(await resume()).toEqual({ signal: 11 }); // stop-on-exception: before it is taken
    expect(machine.core.pc).toBe(0x7000n);
    const passed = await resume('continue', 11);
    expect(machine.core.pc).toBe(0xa00n);
    expect(passed.console).toContain('vector catch: data abort taken at pc 0x7000');
  });

  it('names EL1 and its registers for an SVC from EL0, taken through VBAR_EL1 + 0x400', async () => {
    const { machine, target, load, resume } = board;
    machine.writeRegister(registerByName('VBAR_EL1')!, 0x1000n, 'debugger');
    load(0x1000, Array.from({ length: 0x200 }, () => A64.B_SELF));
    load(0x7000, [A64.SVC_42, A64.ADD_X5_1]);
    machine.core.cpsr = 0; // EL0t
    target.vectorCatch.set(['svc']);
    const stop = await resume();
    expect(machine.core.pc).toBe(0x1400n);
    expect(machine.core.el).toBe(1);
    expect(stop.console).toMatch(/^vector catch: SVC #66 taken at pc 0x7000 to EL1\n {2}ESR_EL1 0x56000042: EC=0x15/);
    expect(stop.console).toContain('ELR_EL1 0x7004, SPSR_EL1 0x0; vector entry 0x1400');
  });

  it('lets uncaught categories through', async () => {
    const { machine, target, load, resume } = board;
    load(0x7000, [A64.SVC_42, A64.ADD_X5_1]);
    target.vectorCatch.set(['abort', 'undef', 'irq']);
    const stopped = resume();
    await new Promise((r) => setTimeout(r, 20));
    target.run.interrupt();
    expect((await stopped).signal).toBe(2);
    expect(machine.core.pc).toBe(0xa00n); // spinning in the vector's `b .`
  });

  it('stops at the IRQ vector once an interrupt is taken, with where it came from', async () => {
    const { machine, target, load, resume } = board;
    // SGI 3: Group 1 and enabled; the CPU interface lets it through; IRQs routed to and unmasked at EL2.
    enableGroup1(machine, 1 << 3);
    machine.writeRegister(registerByName('HCR_EL2')!, 1n << 4n, 'debugger'); // IMO: IRQs go to EL2
    load(0x7000, [A64.ADD_X5_1, A64.B_SELF]);
    machine.core.cpsr = 0x349; // EL2h, D/A/F masked, I clear
    target.vectorCatch.set(['irq']);
    const stopped = resume();
    await new Promise((r) => setTimeout(r, 20));
    writeWords(machine, 0xaf11_0200, [1 << 3]); // GICR_ISPENDR0: the SGI becomes pending while the core spins
    const stop = await stopped;
    expect(stop.signal).toBe(5);
    expect(machine.core.pc).toBe(0x800n + 0x280n); // current EL with SP_ELx, IRQ
    expect(stop.console).toMatch(/^vector catch: IRQ taken at pc 0x7004 to EL2\n  ELR_EL2 0x7004/);
  });
});
