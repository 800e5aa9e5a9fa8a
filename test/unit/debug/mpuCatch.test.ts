// MPU catchpoints on a running core, in-process: the stop comes once the MSR or ISB has
// completed (pc at the next instruction, which has not run), also when the code around it runs
// as translated blocks; the console line says what changed, in which code and what the region
// now is; PRSELR's aliases are followed; the map service and the debugger never stop the core.

import { describe, expect, it } from 'vitest';
import { registerByName } from '../../../src/arch/aarch64/registers.js';
import { registerMpuCatchCommands } from '../../../src/debug/mpuCatchCommands.js';
import type { StopEvent } from '../../../src/rsp/target.js';
import { A64, runningBoard } from './runningBoard.js';

describe('mpu catch write', () => {
  it('stops after the MSR, pc at the next instruction, even when the loop before it ran translated', async () => {
    const { machine, target, load, resume } = runningBoard();
    // A loop of 200 turns (translated from its 8th) falls through into the MSR.
    load(0x1000, [A64.MOVZ_X2_0x40, A64.ADD_X0_1, A64.CMP_X0_200, A64.BNE_BACK_8, A64.MSR_PRBAR_X2, A64.ADD_X5_1, A64.B_SELF]);
    target.mpuCatch.catchAllWrites();
    const stop = await resume();
    expect(stop.signal).toBe(5);
    expect(machine.core.pc).toBe(0x1014n);
    expect(machine.core.x[5]).toBe(0n); // the instruction after the MSR has not run
    expect(machine.core.x[0]).toBe(200n);
    expect(machine.readRegister(registerByName('PRBAR_EL2')!)).toBe(0x40n);
    expect(target.run.interpreter.executedTranslated).toBeGreaterThan(0);
    expect(stop.console).toContain('mpu catch: MSR PRBAR_EL2 (region 0): 0x0 -> 0x40');
    expect(stop.console).toMatch(/at pc 0x1010, EL2, after 601 instructions\n/);
    expect(stop.console).toMatch(/programmed: region 0 disabled\n\s+effective:\s+region 0 disabled \(the programmed values take effect at DSB \+ ISB\)\n/);
    expect(target.mpuCatch.stoppedBy?.event).toMatchObject({ kind: 'write', region: 0 });
    expect(target.breakpoints.codeAddresses.size).toBe(0); // the transient stop is gone
  });

  it('stops at every turn of a hot loop that writes the MPU, before the translated block that follows', async () => {
    const { machine, target, load, resume } = runningBoard();
    // loop: add x0, #1; msr prbar_el2, x0; cmp x0, #200; b.ne loop
    load(0x2000, [A64.ADD_X0_1, A64.MSR_PRBAR_X0, A64.CMP_X0_200, A64.BNE_BACK_12, A64.B_SELF]);
    target.mpuCatch.catchRegion('el2', 0);
    for (let turn = 1; turn <= 20; turn++) {
      const stop = await resume();
      expect(stop.console, `turn ${turn}`).toContain(`-> 0x${turn.toString(16)} [`);
      expect(machine.core.pc).toBe(0x2008n);
      expect(machine.core.x[0]).toBe(BigInt(turn));
    }
    expect(target.run.interpreter.executedTranslated).toBeGreaterThan(0);
  });

  it('follows PRSELR to the region a write reaches, and ignores PRSELR itself and the debugger', async () => {
    const { machine, target, load, resume } = runningBoard();
    machine.core.x[1] = 0x13n;
    machine.core.x[2] = 0x300032n;
    machine.core.x[3] = 0x30ffc1n;
    load(0x3000, [A64.MSR_PRSELR_X1, A64.MSR_PRBAR_X2, A64.MSR_PRLAR_X3, A64.ADD_X5_1, A64.B_SELF]);
    target.mpuCatch.catchRegion('el2', 0x13);
    machine.writeRegister(registerByName('PRLAR_EL2')!, 0x1n, 'debugger'); // a debugger write never stops the core
    expect((await resume('step')).console).toBeUndefined(); // PRSELR: not a catch
    const stops: StopEvent[] = [await resume()];
    expect(machine.core.pc).toBe(0x3008n);
    expect(stops[0]!.console).toContain('MSR PRBAR_EL2 (region 19): 0x0 -> 0x300032');
    stops.push(await resume('step'));
    expect(stops[1]!.console).toContain('MSR PRLAR_EL2 (region 19): 0x0 -> 0x30ffc1 [ EN AttrIndx=0x0 LIMIT=0xc3ff ]');
    expect(stops[1]!.console).toMatch(/programmed: 19 +0x300000\.\.0x30ffff +RW EL2 +XN .*\n {2}effective: {2}region 19 disabled \(the programmed values take effect at DSB \+ ISB\)/);
  });

  it('never stops for the map service, even while the core runs', async () => {
    const { machine, target, load, resume } = runningBoard();
    load(0x4000, [A64.WFI, A64.B_BACK_4]);
    target.mpuCatch.catchAllWrites();
    target.mpuCatch.sync = true;
    const stopped = resume();
    await new Promise((r) => setTimeout(r, 20));
    machine.performedBy('map-service', () => {
      machine.writeRegister(registerByName('PRBAR_EL2')!, 0x80n, 'core');
      machine.dsb();
      machine.isb();
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(target.run.running).toBe(true);
    target.run.interrupt();
    expect((await stopped).signal).toBe(2);
    expect(target.mpuCatch.stoppedBy).toBeUndefined();
  });
});

describe('mpu catch sync', () => {
  it('stops after an ISB that makes writes effective, not after one that finds them awaiting a DSB', async () => {
    const { machine, target, load, resume, monitor } = runningBoard(registerMpuCatchCommands);
    machine.core.x[1] = 5n;
    machine.core.x[3] = 0x30ffc1n;
    load(0x5000, [A64.MSR_PRSELR_X1, A64.MSR_PRLAR_X3, A64.ISB, A64.DSB_SY, A64.ISB, A64.ADD_X5_1, A64.B_SELF]);
    await monitor('mpu catch sync');
    const synced = await resume();
    expect(machine.core.pc).toBe(0x5014n);
    expect(target.mpuHistory.entries().map((e) => e.event.kind)).toEqual(['write', 'write', 'isb-ignored', 'dsb', 'sync']);
    expect(machine.core.x[5]).toBe(0n);
    expect(synced.console).toContain('mpu catch: ISB: now effective: EL2 region 5\n  at pc 0x5010, EL2');
    expect(JSON.parse(await monitor('mpu catch json'))).toMatchObject({ sync: true, write: null, stoppedBy: { kind: 'sync', cause: 'isb', pc: '0x5010', regions: { el2: [5] } } });
    await resume('step');
    expect(JSON.parse(await monitor('mpu catch json'))).toMatchObject({ stoppedBy: null }); // the current stop is a step
  });
});
