// Run control as debuggers use it across stops and sessions: continuing after a fault with and
// without passing the signal, watchpoint state that must not outlive its stop, catchpoints
// whose console line comes just before their stop reply, and extended-remote (detach and stay
// connected, attach again, run = restart the board, kill).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerByName } from '../../src/arch/aarch64/registers.js';
import { createLogger } from '../../src/log.js';
import { startStub, type RunningStub } from '../../src/wiring.js';
import { RspClient } from '../support/rspClient.js';

let stub: RunningStub;

const regnum = (name: string) => registerByName(name)!.regnum.toString(16);
const le64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b.toString('hex');
};
const le32 = (words: number[]) => Buffer.concat(words.map((w) => Buffer.from([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]))).toString('hex');
const fromLe = (hex: string) => Buffer.from(hex, 'hex').readBigUInt64LE();

const STR_X0_X1 = 0xf9000020; // str x0, [x1]
const B_SELF = 0x14000000; // b .
const VBAR = 0x800n;
/** Synchronous exception from the current EL with SP_ELx: VBAR + 0x200. */
const SYNC_VECTOR = VBAR + 0x200n;
/** Beyond the default board's DRAM and devices: any access is an external abort. */
const UNMAPPED = 0x4000_0000_0000n - 0x1000n;

async function start(scenario: 'none' | 'default'): Promise<RspClient> {
  stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario, traceRsp: false, logger: createLogger('error', () => undefined) });
  return attach();
}

async function attach(): Promise<RspClient> {
  const c = await RspClient.connect(stub.gdbAddress.port);
  expect(await c.request('qC')).toBe('QC1');
  return c;
}

afterEach(async () => {
  await stub.close();
});

/** `str x0, [x1]` at 0x0 with x1 = `target`, and `b .` at the synchronous vector. */
async function loadStore(gdb: RspClient, target: bigint): Promise<void> {
  expect(await gdb.request(`M0,4:${le32([STR_X0_X1])}`)).toBe('OK');
  expect(await gdb.request(`M${SYNC_VECTOR.toString(16)},4:${le32([B_SELF])}`)).toBe('OK');
  expect(await gdb.request(`P${regnum('VBAR_EL2')}=${le64(VBAR)}`)).toBe('OK');
  expect(await gdb.request(`P${regnum('x0')}=${le64(0x1122334455667788n)}`)).toBe('OK');
  expect(await gdb.request(`P${regnum('x1')}=${le64(target)}`)).toBe('OK');
  expect(await gdb.request(`P${regnum('pc')}=${le64(0n)}`)).toBe('OK');
}

const pc = async (gdb: RspClient) => fromLe(await gdb.request(`p${regnum('pc')}`));

describe('continuing after a fault', () => {
  it('retries the instruction with signal 0 and takes the abort to VBAR_EL2 when GDB passes SIGSEGV', async () => {
    const gdb = await start('none');
    await loadStore(gdb, UNMAPPED);
    expect(await gdb.request('vCont;c:1')).toBe('T0bthread:1;');
    expect(await pc(gdb)).toBe(0n);
    // `signal 0` / `handle SIGSEGV nopass`: the same instruction again, the same fault.
    expect(await gdb.request('vCont;c:1')).toBe('T0bthread:1;');
    expect(await pc(gdb)).toBe(0n);
    // `continue` with GDB's default `handle SIGSEGV pass`: vCont;C0b delivers the abort.
    gdb.send('vCont;C0b:1;c');
    expect(await gdb.silentFor(100)).toBe(true); // spinning in the vector's `b .`
    gdb.sendRaw('\x03');
    expect((await gdb.reply()).payload).toBe('T02thread:1;');
    expect(await pc(gdb)).toBe(SYNC_VECTOR);
    expect(fromLe(await gdb.request(`p${regnum('ELR_EL2')}`))).toBe(0n);
    const esr = fromLe(await gdb.request(`p${regnum('ESR_EL2')}`));
    expect(Number(esr >> 26n)).toBe(0x25); // data abort without a change of EL
    expect(fromLe(await gdb.request(`p${regnum('FAR_EL2')}`))).toBe(UNMAPPED);
    gdb.close();
  });

  it('stops at the vector entry when a step passes the signal (C form and legacy S/C packets too)', async () => {
    const gdb = await start('none');
    await loadStore(gdb, UNMAPPED);
    expect(await gdb.request('c')).toBe('T0bthread:1;');
    expect(await gdb.request('S0b')).toBe('T05thread:1;');
    expect(await pc(gdb)).toBe(SYNC_VECTOR);
    // Legacy C with a signal and nothing pending: plain continue, stopped with Ctrl-C.
    gdb.send('C0b');
    expect(await gdb.silentFor(50)).toBe(true);
    gdb.sendRaw('\x03');
    expect((await gdb.reply()).payload).toBe('T02thread:1;');
    expect(await gdb.request('Cxy')).toBe('E16');
    gdb.close();
  });
});

describe('watchpoint state across stops and sessions', () => {
  it('forgets a watchpoint stop when the debugger leaves: ? tells the truth and the re-planted watchpoint stops the store', async () => {
    const first = await start('none');
    await loadStore(first, 0x100000n);
    expect(await first.request('Z2,100000,8')).toBe('OK');
    expect(await first.request('c')).toBe('T05watch:100000;thread:1;');
    expect(await first.request('z2,100000,8')).toBe('OK');
    expect(await first.request('D')).toBe('OK');
    await first.closedByStub();

    const second = await attach();
    expect(await second.request('?')).toBe('T05thread:1;');
    expect(await second.request('Z2,100000,8')).toBe('OK');
    expect(await second.request('c')).toBe('T05watch:100000;thread:1;');
    expect(await second.request('m100000,8')).toBe('0000000000000000'); // stopped before the store
    second.close();
  });

  it('checks the first access again when the watchpoint was removed and planted again in the same session', async () => {
    const gdb = await start('none');
    await loadStore(gdb, 0x100000n);
    expect(await gdb.request('Z2,100000,8')).toBe('OK');
    expect(await gdb.request('c')).toBe('T05watch:100000;thread:1;');
    expect(await gdb.request('z2,100000,8')).toBe('OK');
    expect(await gdb.request('Z2,100000,8')).toBe('OK');
    expect(await gdb.request('c')).toBe('T05watch:100000;thread:1;');
    expect(await gdb.request('m100000,8')).toBe('0000000000000000');
    gdb.close();
  });

  it('forgets a watchpoint stop when pc is written', async () => {
    const gdb = await start('none');
    await loadStore(gdb, 0x100000n);
    expect(await gdb.request(`M4,4:${le32([STR_X0_X1])}`)).toBe('OK');
    expect(await gdb.request('Z2,100000,8')).toBe('OK');
    expect(await gdb.request('c')).toBe('T05watch:100000;thread:1;');
    expect(await gdb.request(`P${regnum('pc')}=${le64(4n)}`)).toBe('OK'); // `jump` to the second store
    expect(await gdb.request('?')).toBe('T05thread:1;');
    expect(await gdb.request('c')).toBe('T05watch:100000;thread:1;');
    expect(await pc(gdb)).toBe(4n);
    expect(await gdb.request('m100000,8')).toBe('0000000000000000');
    gdb.close();
  });
});

describe('catchpoints', () => {
  const MSR_PRBAR_X0 = 0xd51c6800;
  const SVC_1 = 0xd4000021;
  const rcmd = (gdb: RspClient, command: string) => gdb.request(`qRcmd,${Buffer.from(command).toString('hex')}`);

  it('sends the MPU catch line as O packets just before the T05 reply, pc after the MSR', async () => {
    const gdb = await start('none');
    expect(await gdb.request(`M0,c:${le32([MSR_PRBAR_X0, 0xd503201f, B_SELF])}`)).toBe('OK');
    expect(await gdb.request(`P${regnum('x0')}=${le64(0x100032n)}`)).toBe('OK');
    expect(await rcmd(gdb, 'mpu catch write all')).toBe('OK');
    gdb.send('vCont;c:1');
    const stop = await gdb.reply();
    expect(stop.payload).toBe('T05thread:1;');
    expect(stop.console).toMatch(/^mpu catch: MSR PRBAR_EL2 \(region 0\): 0x0 -> 0x100032 \[ XN=0x2 AP=0x0 SH=0x3 BASE=0x4000 \]\n {2}at pc 0x0, EL2, after 0 instructions\n/);
    expect(await pc(gdb)).toBe(4n);
    gdb.close();
  });

  it('sends the vector catch line before the stop reply of a step that takes an SVC', async () => {
    const gdb = await start('none');
    expect(await gdb.request(`M0,4:${le32([SVC_1])}`)).toBe('OK');
    expect(await gdb.request(`P${regnum('VBAR_EL2')}=${le64(VBAR)}`)).toBe('OK');
    expect(await rcmd(gdb, 'core catch exception svc')).toBe('OK');
    gdb.send('vCont;s:1');
    const stop = await gdb.reply();
    expect(stop).toMatchObject({ payload: 'T05thread:1;' });
    expect(stop.console).toMatch(/^vector catch: SVC #1 taken at pc 0x0 to EL2\n/);
    expect(await pc(gdb)).toBe(SYNC_VECTOR);
    gdb.close();
  });
});

describe('extended-remote', () => {
  it('detaches without closing, answers ? with W00, and attaches again with vAttach', async () => {
    const gdb = await start('none');
    expect(await gdb.request('!')).toBe('OK');
    expect(await gdb.request('M100000,4:cafef00d')).toBe('OK');
    expect(await gdb.request('D')).toBe('OK');
    expect(await gdb.silentFor(100)).toBe(true);
    expect(gdb.closed).toBe(false);
    expect(await gdb.request('?')).toBe('W00');
    expect(await gdb.request('vAttach;2')).toBe('E02');
    expect(await gdb.request('vAttach;1')).toBe('T05thread:1;');
    expect(await gdb.request('qAttached')).toBe('1');
    expect(await gdb.request('m100000,4')).toBe('cafef00d'); // attaching changes nothing
    gdb.close();
  });

  it('runs (vRun) the board again from its start state: reset, then the start scenario', async () => {
    const gdb = await start('default');
    expect(await gdb.request('!')).toBe('OK');
    const regionsAtStart = JSON.stringify((await stub.service.regions()).shadow.enabled.map((r) => r.index));
    const hex = (text: string) => Buffer.from(text).toString('hex');
    await gdb.request(`qRcmd,${hex('xen destroy-containing 0x0')}`);
    expect(JSON.stringify((await stub.service.regions()).shadow.enabled.map((r) => r.index))).not.toBe(regionsAtStart);
    expect(await gdb.request('M160000,4:cafef00d')).toBe('OK');
    expect(await gdb.request(`P${regnum('x5')}=${le64(5n)}`)).toBe('OK');

    expect(await gdb.request(`vRun;${hex('/any/program')}`)).toBe('T05thread:1;');
    expect(await gdb.request('qAttached')).toBe('0');
    expect(JSON.stringify((await stub.service.regions()).shadow.enabled.map((r) => r.index))).toBe(regionsAtStart);
    expect(await gdb.request('m160000,4')).toBe('00000000');
    expect(fromLe(await gdb.request(`p${regnum('x5')}`))).toBe(0n);
    expect(await pc(gdb)).toBe(0n);
    expect(stub.service.lastFailure()).toBeNull();
    gdb.close();
  });

  it('kills with vKill and stays connected; run starts again', async () => {
    const gdb = await start('none');
    expect(await gdb.request('!')).toBe('OK');
    expect(await gdb.request('vKill;1')).toBe('OK');
    expect(await gdb.request('?')).toBe('W00');
    expect(await gdb.request('vRun;')).toBe('T05thread:1;');
    expect(await gdb.request('?')).toBe('T05thread:1;');
    gdb.close();
  });

  it('keeps plain target remote as it was: D ends the session', async () => {
    const gdb = await start('none');
    expect(await gdb.request('D')).toBe('OK');
    await gdb.closedByStub();
  });
});
