// Every monitor command run in-process through the registry, without GDB or a socket: what it
// prints for a typical use, and its error for a bad one. A last test fails when a command is
// added without a case here.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { startStub, type RunningStub } from '../../../src/wiring.js';
import { TargetError } from '../../../src/rsp/target.js';

let stub: RunningStub;
const exercised = new Set<string>();

beforeAll(async () => {
  stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'default', traceRsp: false, logger: createLogger('error', () => undefined) });
});

afterAll(async () => {
  await stub.close();
});

/** Runs `line`, records which command it reached, and returns everything it printed. */
async function monitor(line: string): Promise<string> {
  const words = line.split(' ');
  const name = [...stub.monitors.names].filter((n) => n.split(' ').every((w, i) => words[i] === w)).sort((a, b) => b.length - a.length)[0];
  if (name) exercised.add(name);
  let text = '';
  await stub.monitors.run(line, (t) => (text += t));
  return text;
}

async function refusal(line: string): Promise<string> {
  try {
    await monitor(line);
  } catch (err) {
    if (err instanceof TargetError) return err.message;
    throw err;
  }
  throw new Error(`"${line}" was not refused`);
}

describe('board commands', () => {
  it('help lists every command', async () => {
    const help = await monitor('help');
    for (const name of stub.monitors.names) expect(help).toContain(name);
  });

  it('info and board json describe the board', async () => {
    expect(await monitor('info')).toMatch(/MPU regions: EL2 32, EL1 \d+/);
    const board = JSON.parse(await monitor('board json')) as { mpuRegions: { el2: number } };
    expect(board.mpuRegions.el2).toBe(32);
  });

  it('board dtb says there is no device tree without a kernel (test/unit/boot/bootInputs.test.ts has one)', async () => {
    expect(await monitor('board dtb')).toBe('no device tree: the stub places one with --kernel (--dtb auto|FILE)\n');
  });

  it('reg decodes fields, and in JSON carries the layout and the syndrome in words', async () => {
    expect(await monitor('reg MPUIR_EL2')).toContain('MPUIR_EL2 = 0x20 [ REGION=0x20 ]');
    const [prbar, esr] = JSON.parse(await monitor('reg PRBAR_EL2 ESR_EL2 json')) as Array<{ name: string; layout?: Array<{ name: string; lsb: number; msb: number }>; description?: string }>;
    expect(prbar!.layout).toContainEqual({ name: 'BASE', lsb: 6, msb: 47 });
    expect(esr!.description).toMatch(/^EC=0x0 \(unknown reason/);
    expect(await refusal('reg NOPE_EL2')).toMatch(/no register named "NOPE_EL2"/);
    expect(await refusal('reg')).toMatch(/name a register/);
  });

  it('fault explains the last refused access', async () => {
    expect(await monitor('fault')).toMatch(/no access has been refused|last refused access/);
    stub.machine.writeMemory(0x100000, Uint8Array.of(1), { origin: 'debugger' });
    expect(await monitor('fault')).toMatch(/write at 0x100000 from EL2 refused by the EL2 MPU: ap-read-only \(region 0\)[\s\S]*FSC=0xc \(permission fault, level 0\), WnR=1 \(write\)/);
  });

  it('breakpoints lists what GDB planted', async () => {
    expect(await monitor('breakpoints')).toBe('no breakpoints\n');
    stub.target.breakpoints.insert('software', 0x40n, 4);
    expect(await monitor('breakpoints')).toBe('software 0x40 kind 4\n');
    stub.target.breakpoints.remove('software', 0x40n);
  });
});

describe('mpu commands', () => {
  it('mpu and mpu json show the effective regions', async () => {
    expect(await monitor('mpu')).toMatch(/EL2 MPU: 32 regions; SCTLR_EL2\.M=1 \(enabled\)[\s\S]*0x0\.\.0x11ffff/);
    expect(await monitor('mpu el1')).toContain('EL1&0 MPU');
    const view = JSON.parse(await monitor('mpu json')) as { regionCount: number; enabled: boolean };
    expect(view).toMatchObject({ regionCount: 32, enabled: true });
    expect(await refusal('mpu el3')).toMatch(/expected "el2" or "el1"/);
  });

  it('mpu check gives one verdict, as text or JSON', async () => {
    expect(await monitor('mpu check 0x160000 w')).toMatch(/^allowed: write of 1 byte at 0x160000 from EL2\nrule: /);
    const text = await monitor('mpu check 0x100000 w');
    expect(text).toMatch(/^refused: write of 1 byte at 0x100000[\s\S]*rule: ap-read-only[\s\S]*would latch ESR_EL2 0x9600004c/);
    const json = JSON.parse(await monitor('mpu check 0x100000 w json')) as Record<string, unknown>;
    expect(json).toMatchObject({ allowed: false, rule: 'ap-read-only', regions: [0], esr: '0x9600004c', far: '0x100000' });
    expect(json.esrDescription).toBe('EC=0x25 (data abort taken without a change of EL), IL=1, FSC=0xc (permission fault, level 0), WnR=1 (write)');
    expect(await refusal('mpu check 0xffffffffffff 4')).toMatch(/beyond the 48-bit physical address space/);
  });

  it('mpu pending, sync, bypass and latch', async () => {
    expect(await monitor('mpu pending')).toContain('every programmed region is effective');
    await monitor('core msr PRSELR_EL2 20');
    await monitor('core msr PRLAR_EL2 0x3000ffc1');
    expect(await monitor('mpu pending')).toMatch(/1 region\(s\) programmed but not yet effective[\s\S]*region 20/);
    expect(await monitor('mpu sync')).toContain('now effective');
    expect(await monitor('mpu pending')).toContain('every programmed region is effective');
    expect(await monitor('mpu bypass on')).toBe('debugger accesses bypass the MPU\n');
    expect(await monitor('mpu bypass off')).toBe('debugger accesses are checked by the MPU\n');
    expect(await monitor('mpu latch on')).toContain('latch ESR_EL2');
    expect(await monitor('mpu latch off')).toContain('do not latch');
    expect(await refusal('mpu latch maybe')).toMatch(/expected "on" or "off"/);
  });
});

describe('mpu catch commands', () => {
  it('catch write, sync, off and json say what stops the core', async () => {
    expect(await monitor('mpu catch')).toBe('MPU catch: write off; sync off\n');
    expect(await monitor('mpu catch write 3 5')).toContain('write EL2 region(s) 3, 5;');
    expect(await monitor('mpu catch write 2 el1')).toContain('write EL2 region(s) 3, 5; EL1&0 region(s) 2;');
    expect(await monitor('mpu catch write')).toContain('write every PRBAR/PRLAR/PRENR write and SCTLR M/A/BR/WXN change;');
    expect(await monitor('mpu catch sync')).toContain('sync on (ISBs that make MPU writes effective)');
    expect(JSON.parse(await monitor('mpu catch json'))).toEqual({ write: 'all', sync: true, stoppedBy: null });
    expect(await monitor('mpu catch write off')).toContain('write off; sync on');
    expect(await monitor('mpu catch sync off')).toContain('write off; sync off');
    await monitor('mpu catch write all');
    expect(await monitor('mpu catch off')).toBe('MPU catch: write off; sync off\n');
    expect(await refusal('mpu catch write 32')).toMatch(/region 32 is outside 0\.\.31/);
    expect(await refusal('mpu catch on')).toMatch(/the map service's failure catch is "xen catch"/);
  });
});

describe('mpu history commands', () => {
  it('history shows what the default boot wrote, by the map service; region filter, JSON, size and clear', async () => {
    expect(await monitor('mpu history 3')).toMatch(/^MPU history: 3 shown, oldest first \(\d+ of 4096 entries kept\)\n/);
    expect(await monitor('mpu history all')).toMatch(/#1  instr 0  map service: MSR PRSELR_EL2: 0x0 -> 0x0/);
    expect(await monitor('mpu history 1 region 5')).toMatch(/writes to EL2 region 5 1 shown[\s\S]*map service: MSR PRLAR_EL2 \(region 5\)/);
    const json = JSON.parse(await monitor('mpu history 1 region 0 json')) as { capacity: number; entries: Array<{ agent: string; region: number }> };
    expect(json.capacity).toBe(4096);
    expect(json.entries).toMatchObject([{ agent: 'map-service', region: 0 }]);
    expect(await monitor('mpu history size 100')).toMatch(/^the MPU history keeps 100 entries/);
    expect(await refusal('mpu history size 2000000')).toMatch(/at most 1000000/);
    expect(await refusal('mpu history region 99')).toMatch(/region 99 is outside 0\.\.31/);
    expect(await monitor('mpu history clear')).toBe('MPU history cleared\n');
    expect(await monitor('mpu history')).toMatch(/^MPU history: no changes recorded/);
    await monitor('mpu history size 4096');
  });
});

describe('symbols commands', () => {
  it('add, lookup, list and clear the names used in the stub\'s messages', async () => {
    expect(await monitor('symbols')).toMatch(/^no symbols/);
    expect(await monitor('symbols add 0x100 0x20 map_region 0x120 0 after_map')).toBe('added 2 symbol(s); 2 in all\n');
    expect(await monitor('symbols lookup 0x108')).toBe('0x108 <map_region+0x8>\n');
    expect(await monitor('symbols lookup 0x120')).toBe('0x120 <after_map>\n');
    expect(await monitor('symbols lookup 0x200')).toBe('0x200\n');
    expect(await monitor('symbols')).toBe('2 symbols:\n  2 from debugger (monitor symbols add)\n');
    expect(await refusal('symbols add 0x100 0x20')).toMatch(/expected ADDR SIZE NAME, repeated/);
    expect(await refusal('symbols add 0x100 4 bad/name')).toMatch(/is not a symbol name/);
    expect(await monitor('symbols clear debugger')).toBe('symbols added by the debugger cleared; 0 left\n');
    expect(await refusal('symbols clear kernel')).toMatch(/expected nothing or "debugger"/);
    expect(await monitor('symbols clear')).toBe('symbols cleared\n');
  });
});

describe('core commands', () => {
  it('msr, dsb and isb act as code on the core would', async () => {
    expect(await monitor('core msr PRSELR_EL2 21')).toBe('MSR PRSELR_EL2, 0x15\n'); // PRSELR only selects: nothing pends
    expect(await monitor('core msr PRLAR_EL2 0x3001ffc1')).toContain('not effective until');
    expect(await monitor('core isb')).toContain('still in flight');
    expect(await monitor('core dsb')).toContain('DSB');
    expect(await monitor('core isb')).toBe('ISB: completed MPU writes are now effective\n');
    expect(await refusal('core msr MPUIR_EL2 1')).toMatch(/read-only/);
    expect(await refusal('core msr NOPE 1')).toMatch(/no system register named "NOPE"/);
  });

  it('exception, take, stop-on-exception and translate', async () => {
    expect(await monitor('core exception')).toBe('no exception is pending\n');
    expect(await refusal('core take')).toMatch(/no exception is pending/);
    expect(await monitor('core stop-on-exception off')).toContain('are taken');
    expect(await monitor('core stop-on-exception on')).toContain('stop in GDB');
    expect(await monitor('core catch exception')).toBe('vector catch off\n');
    expect(await monitor('core catch exception abort svc')).toMatch(/^vector catch: abort, svc: the core stops at the vector entry once it has taken one; aborts and undefined instructions stop in GDB before they are taken first/);
    expect(await monitor('core catch exception all')).toContain('vector catch: abort, undef, svc, irq: the core stops at the vector entry');
    expect(await monitor('core catch exception off')).toBe('vector catch off\n');
    expect(await refusal('core catch exception fiq')).toMatch(/expected abort, undef, svc, irq, all or off, got "fiq"/);
    expect(await monitor('core translate off')).toMatch(/^block translation off/);
    expect(await monitor('core translate on')).toMatch(/^block translation on/);
  });
});

describe('device commands', () => {
  it('gic and timer show the interrupt machinery', async () => {
    expect(await monitor('gic')).toContain('no interrupt is enabled, pending or active');
    expect(await monitor('timer')).toContain('next deadline: none');
  });
});

describe('xen commands', () => {
  it('every map operation, with its usage on bad input', async () => {
    expect(await monitor('xen map 0x30000000 0x30000 16 PAGE_HYPERVISOR_RW')).toMatch(/rc 0: inserted/);
    expect(await monitor('xen modify 0x30000000 0x30010000 PAGE_HYPERVISOR_RO')).toMatch(/rc 0/);
    expect(await monitor('xen update 0x30000000 0x30010000 0')).toMatch(/rc 0/);
    expect(await monitor('xen ioremap 0x31000000 0x1000 PAGE_HYPERVISOR_NOCACHE')).toMatch(/rc 0: inserted/);
    expect(await monitor('xen destroy-containing 0x31000000')).toMatch(/rc 0/);
    expect(await monitor('xen destroy 0x40000000 0x40001000')).toMatch(/rc/);
    expect(await monitor('xen unmap 0x40000000 0x40001000')).toMatch(/rc/);
    expect(await refusal('xen map 0x1')).toMatch(/usage: monitor xen map/);
  });

  it('table, json, diff, last-error, catch, disable-mode and the boot entry points', async () => {
    expect(await monitor('xen table')).toMatch(/entr/);
    expect(JSON.parse(await monitor('xen json'))).toHaveProperty('regions');
    expect((JSON.parse(await monitor('xen ops json')) as Array<{ op: string }>).map((o) => o.op)).toContain('destroy-containing');
    expect(await monitor('xen diff')).toBeTypeOf('string');
    expect(await monitor('xen last-error')).toBeTypeOf('string');
    expect(await monitor('xen catch off')).toMatch(/off|not/);
    expect(await monitor('xen catch on')).toBeTypeOf('string');
    expect(await monitor('xen disable-mode intended')).toContain('intended');
    expect(await monitor('xen disable-mode upstream')).toContain('upstream');
    for (const name of stub.monitors.names.filter((n) => /^xen (boot|free-init|after-init)$/.test(n))) {
      expect(await monitor(name)).toMatch(/rc -?\d+/);
    }
  });
});

it('exercises every registered monitor command', () => {
  expect(stub.monitors.names.filter((n) => !exercised.has(n))).toEqual([]);
});
