// The MPU history: a bounded ring that keeps the most recent changes; every change by the
// core, the debugger or the map service with the instruction count, pc and symbol; "who last
// changed region R" in one command; JSON for scripts; resizing and clearing.

import { describe, expect, it } from 'vitest';
import { registerByName } from '../../../src/arch/aarch64/registers.js';
import { registerMpuHistoryCommands } from '../../../src/debug/mpuHistoryCommands.js';
import { RingBuffer } from '../../../src/debug/ringBuffer.js';
import { A64, runningBoard } from './runningBoard.js';

describe('RingBuffer', () => {
  it('keeps the most recent items, oldest first, and counts those pushed out', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.dropped).toBe(2);
    ring.resize(2);
    expect(ring.toArray()).toEqual([4, 5]);
    expect(ring.dropped).toBe(3);
    ring.resize(4);
    ring.push(6);
    expect(ring.toArray()).toEqual([4, 5, 6]);
    ring.resize(0);
    ring.push(7);
    expect([ring.toArray(), ring.length, ring.dropped]).toEqual([[], 0, 7]);
    ring.clear();
    expect(ring.dropped).toBe(0);
    expect(() => new RingBuffer(-1)).toThrow(RangeError);
  });
});

describe('mpu history', () => {
  it('keeps every change with its instruction count, agent, pc and symbol; "1 region R" says who last changed R', async () => {
    const { machine, target, load, resume, monitor } = runningBoard(registerMpuHistoryCommands);
    target.symbols.add([{ name: 'program_mpu', address: 0x6000, end: 0x6020, kind: 'function', global: true }], 'test');
    machine.core.x[1] = 5n;
    machine.core.x[3] = 0x30ffc1n;
    load(0x6000, [A64.MSR_PRSELR_X1, A64.MSR_PRLAR_X3, A64.DSB_SY, A64.ISB, A64.NOP, A64.B_SELF]);
    machine.performedBy('map-service', () => machine.writeRegister(registerByName('PRBAR7_EL2')!, 0x40n, 'core'));
    for (let i = 0; i < 5; i++) await resume('step');
    const text = await monitor('mpu history');
    expect(text).toMatch(/^MPU history: 5 shown, oldest first \(5 of 4096 entries kept\)\n/);
    expect(text).toContain('#1  instr 0  map service: MSR PRBAR7_EL2 (region 7): 0x0 -> 0x40');
    expect(text).toContain('#3  instr 1  pc 0x6004 <program_mpu+0x4>, EL2: MSR PRLAR_EL2 (region 5): 0x0 -> 0x30ffc1 [ EN AttrIndx=0x0 LIMIT=0xc3ff ]');
    expect(text).toContain('#4  instr 2  pc 0x6008 <program_mpu+0x8>, EL2: DSB: MPU writes complete');
    expect(text).toContain('#5  instr 3  pc 0x600c <program_mpu+0xc>, EL2: ISB: now effective: EL2 regions 5, 7');
    expect(await monitor('mpu history 1 region 5')).toMatch(/writes to EL2 region 5 1 shown[\s\S]*#3 .*MSR PRLAR_EL2 \(region 5\)/);
    expect(await monitor('mpu history region 6')).toMatch(/^MPU history: no writes to EL2 region 6 recorded/);
    const json = JSON.parse(await monitor('mpu history 2 json')) as { entries: Array<Record<string, unknown>> };
    expect(json.entries.map((e) => e['kind'])).toEqual(['dsb', 'sync']);
    expect(json.entries[1]).toMatchObject({ sequence: 5, instruction: 3, agent: 'core', pc: '0x600c', symbol: 'program_mpu+0xc', cause: 'isb' });
    expect(await monitor('mpu history size 2')).toBe('the MPU history keeps 2 entries (2 now)\n');
    expect(await monitor('mpu history all')).toMatch(/2 of 2 entries kept, 3 older dropped/);
    expect(await monitor('mpu history clear')).toBe('MPU history cleared\n');
  });

  it('records a debugger write, the synchronisation it forces, an ignored write and a reset', async () => {
    const { machine, monitor } = runningBoard(registerMpuHistoryCommands);
    machine.writeRegister(registerByName('PRSELR_EL2')!, 40n, 'debugger');
    machine.writeRegister(registerByName('PRBAR_EL2')!, 0x40n, 'debugger');
    machine.reset();
    const text = await monitor('mpu history');
    expect(text).toContain('debugger: write PRBAR_EL2 (region 40, not implemented (32 regions): write ignored): 0x0 -> 0x0');
    expect(text).toContain('debugger: board reset: every region disabled and zero');
  });
});
