// The protocol layer serving the real board in-process (startStub, as the CLI does): the
// target description agrees with the g layout, system registers are reached with p/P with
// MSR semantics, memory goes through the MPU, and refusals carry the errors GDB expects.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerByName } from '../../src/arch/aarch64/registers.js';
import { createLogger } from '../../src/log.js';
import { startStub, type RunningStub } from '../../src/wiring.js';
import { framePacket, RspClient } from '../support/rspClient.js';

let stub: RunningStub;
let gdb: RspClient;
const logLines: string[] = [];

const regnum = (name: string) => registerByName(name)!.regnum.toString(16);
const le64 = (v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b.toString('hex');
};
const fromLe = (hex: string) => Buffer.from(hex, 'hex').readBigUInt64LE();

beforeEach(async () => {
  stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: createLogger('debug', (l) => logLines.push(l)) });
  gdb = await RspClient.connect(stub.gdbAddress.port);
});

afterEach(async () => {
  gdb.close();
  await stub.close();
});

async function readXml(annex: string): Promise<string> {
  let doc = '';
  for (;;) {
    const reply = await gdb.request(`qXfer:features:read:${annex}:${doc.length.toString(16)},800`);
    doc += reply.slice(1).replace(/\}([\s\S])/g, (_m, ch: string) => String.fromCharCode(ch.charCodeAt(0) ^ 0x20));
    if (reply[0] === 'l') return doc;
  }
}

describe('the board over RSP', () => {
  it('describes an aarch64 target whose g layout matches the g reply', async () => {
    const xml = await readXml('target.xml');
    expect(xml).toContain('<architecture>aarch64</architecture>');
    expect(xml).toContain('org.gnu.gdb.aarch64.core');
    const g = await gdb.request('g');
    // The core feature only (x0..x30, sp, pc, cpsr): GDB takes the FPU registers that follow
    // in the description as not in `g` and reads them with `p`.
    const core = [...xml.matchAll(/<reg name="([^"]+)" bitsize="(\d+)"[^>]*>/g)];
    const coreBits = core.slice(0, core.findIndex((m) => m[1] === 'v0')).reduce((n, m) => n + Number(m[2]), 0);
    expect(g.length / 2).toBe(268);
    expect(coreBits / 8).toBe(268);
  });

  it('lays out g as x0..x30, sp, pc, cpsr and takes G in the same layout', async () => {
    for (let n = 0; n <= 30; n++) await gdb.request(`P${n.toString(16)}=${le64(0x1000n * BigInt(n) + 0xa0n)}`);
    await gdb.request(`P${regnum('sp')}=${le64(0x7ff0n)}`);
    await gdb.request(`P${regnum('pc')}=${le64(0x4000n)}`);
    const g = Buffer.from(await gdb.request('g'), 'hex');
    expect(g.length).toBe(268);
    for (let n = 0; n <= 30; n++) expect(g.readBigUInt64LE(n * 8)).toBe(0x1000n * BigInt(n) + 0xa0n);
    expect(g.readBigUInt64LE(248)).toBe(0x7ff0n);
    expect(g.readBigUInt64LE(256)).toBe(0x4000n);
    expect(g.readUInt32LE(264)).toBe(Number(fromLe(await gdb.request(`p${regnum('cpsr')}`) + '00000000')));

    const written = Buffer.from(g);
    for (let n = 0; n <= 30; n++) written.writeBigUInt64LE(0xfeed_0000n + BigInt(n), n * 8);
    written.writeBigUInt64LE(0x8000n, 248);
    written.writeBigUInt64LE(0x5000n, 256);
    const vBefore = await gdb.request(`p${regnum('v0')}`);
    expect(await gdb.request(`G${written.toString('hex')}`)).toBe('OK');
    expect(await gdb.request('g')).toBe(written.toString('hex'));
    expect(fromLe(await gdb.request('p7'))).toBe(0xfeed_0007n);
    expect(fromLe(await gdb.request(`p${regnum('pc')}`))).toBe(0x5000n);
    expect(await gdb.request(`p${regnum('v0')}`)).toBe(vBefore);

    // A prefix on a register boundary writes those registers; anything else changes nothing.
    expect(await gdb.request(`G${le64(0x11n)}${le64(0x22n)}`)).toBe('OK');
    expect(fromLe(await gdb.request('p0'))).toBe(0x11n);
    expect(fromLe(await gdb.request('p1'))).toBe(0x22n);
    expect(fromLe(await gdb.request('p2'))).toBe(0xfeed_0002n);
    expect(await gdb.request(`G${le64(0x33n)}0000`)).toBe('E16');
    // The old 788-byte block (core then v0..v31, fpsr, fpcr) is longer than the layout.
    expect(await gdb.request(`G${written.toString('hex')}${'00'.repeat(520)}`)).toBe('E16');
    expect(fromLe(await gdb.request('p0'))).toBe(0x11n);
  });

  it('serves the registers outside g with p and P at their own sizes', async () => {
    const v5 = Buffer.alloc(16);
    v5.writeBigUInt64LE(0x0102030405060708n, 0);
    v5.writeBigUInt64LE(0x1112131415161718n, 8);
    expect(await gdb.request(`P${regnum('v5')}=${v5.toString('hex')}`)).toBe('OK');
    expect(await gdb.request(`p${regnum('v5')}`)).toBe(v5.toString('hex'));
    expect(await gdb.request(`P${regnum('fpsr')}=01000008`)).toBe('OK');
    expect(await gdb.request(`p${regnum('fpsr')}`)).toBe('01000008');
    expect((await gdb.request(`p${regnum('fpcr')}`)).length).toBe(8);
    expect(await gdb.request(`P${regnum('v5')}=${le64(1n)}`)).toBe('E16');
  });

  it('reads and writes system registers with p/P, refusing read-only ones', async () => {
    expect(fromLe(await gdb.request(`p${regnum('MPUIR_EL2')}`))).toBe(32n);
    expect(await gdb.request(`P${regnum('MPUIR_EL2')}=${le64(4n)}`)).toBe('E1e');
    expect(fromLe(await gdb.request(`p${regnum('MPUIR_EL2')}`))).toBe(32n);
    expect(await gdb.request(`P${regnum('PRSELR_EL2')}=${le64(5n)}`)).toBe('OK');
    expect(await gdb.request(`P${regnum('PRBAR_EL2')}=${le64(0x10_0032n)}`)).toBe('OK');
    expect(fromLe(await gdb.request(`p${regnum('PRBAR5_EL2')}`))).toBe(0x10_0032n);
    expect(await gdb.request('pffffff')).toBe('E02');
  });

  it('checks memory accesses with the MPU and explains refusals through the monitor', async () => {
    expect(await gdb.request('M1000,4:11223344')).toBe('OK');
    expect(await gdb.request('m1000,4')).toBe('11223344');
    // Region 0 = [0, 0x1fff] RW at EL2; MPU on, no background region.
    await gdb.request(`P${regnum('PRSELR_EL2')}=${le64(0n)}`);
    await gdb.request(`P${regnum('PRBAR_EL2')}=${le64(0x32n)}`);
    await gdb.request(`P${regnum('PRLAR_EL2')}=${le64(0x1fcfn)}`);
    const sctlr = fromLe(await gdb.request(`p${regnum('SCTLR_EL2')}`));
    expect(await gdb.request(`P${regnum('SCTLR_EL2')}=${le64((sctlr | 1n) & ~(1n << 17n))}`)).toBe('OK');
    expect(await gdb.request('m1ffe,4')).toBe('0000'); // partial: stops at the region's end
    expect(await gdb.request('m2000,4')).toBe('E0e');
    expect(await gdb.request('M1ffe,4:ffffffff')).toBe('E0e');
    expect(await gdb.request(Buffer.from('X1ffe,4:\xff\xff\xff\xff', 'latin1'))).toBe('E0e');
    expect(await gdb.request('m1ffe,2')).toBe('0000'); // the refused writes changed nothing
    expect(await gdb.request(Buffer.from('X1ffc,4:\x01\x02}\x03\x04', 'latin1'))).toBe('OK');
    expect(await gdb.request('m1ffc,4')).toBe('01022304');
    gdb.send(`qRcmd,${Buffer.from('fault').toString('hex')}`);
    const fault = await gdb.reply();
    expect(fault.payload).toBe('OK');
    expect(fault.console).toMatch(/0x2000/);
  });

  it('answers m alike whether the packet arrives whole (the short path) or in pieces (the framer)', async () => {
    await gdb.noAck();
    expect(await gdb.request('M1000,4:11223344')).toBe('OK');
    // Region 0 = [0, 0x1fff] RW at EL2; MPU on, no background region.
    await gdb.request(`P${regnum('PRSELR_EL2')}=${le64(0n)}`);
    await gdb.request(`P${regnum('PRBAR_EL2')}=${le64(0x32n)}`);
    await gdb.request(`P${regnum('PRLAR_EL2')}=${le64(0x1fcfn)}`);
    const sctlr = fromLe(await gdb.request(`p${regnum('SCTLR_EL2')}`));
    await gdb.request(`P${regnum('SCTLR_EL2')}=${le64((sctlr | 1n) & ~(1n << 17n))}`);
    const inPieces = async (packet: string): Promise<string> => {
      const framed = framePacket(packet).toString('latin1');
      gdb.sendRaw(framed.slice(0, 3));
      await new Promise((r) => setTimeout(r, 5));
      gdb.sendRaw(framed.slice(3));
      return (await gdb.reply()).payload;
    };
    const expected: Record<string, string> = { 'm1000,4': '11223344', 'm1ffe,4': '0000', 'm2000,4': 'E0e', 'm90000000,4': 'E0e', 'mffffffffffff0000,4': 'E0e', 'm1000,0': '' };
    for (const [packet, reply] of Object.entries(expected)) {
      expect(await gdb.request(packet)).toBe(reply);
      expect(await inPieces(packet)).toBe(reply);
    }
    expect(await gdb.request('m0,800')).toBe(await inPieces('m0,800'));
    expect(await gdb.request('g')).toBe(await inPieces('g'));
  });

  it('refuses addresses beyond the board and the physical address space', async () => {
    expect(await gdb.request('m90000000,4')).toBe('E0e');
    expect(await gdb.request('mffffffffffff0000,4')).toBe('E0e');
  });

  it('keeps the board across reconnects', async () => {
    await gdb.request(`P${regnum('x5')}=${le64(0x55n)}`);
    gdb.close();
    await new Promise((r) => setTimeout(r, 50));
    gdb = await RspClient.connect(stub.gdbAddress.port);
    expect(fromLe(await gdb.request('p5'))).toBe(0x55n);
  });

  it('stops a tight translated loop at a breakpoint inside it, and on Ctrl-C', async () => {
    // 0x8000: add x0, x0, #1 ; add x1, x1, #2 ; b 0x8000 — one translated block, run forever.
    const loop = Buffer.alloc(12);
    [0x9100_0400, 0x9100_0821, 0x17ff_fffe].forEach((w, k) => loop.writeUInt32LE(w, k * 4));
    expect(await gdb.request(`M8000,c:${loop.toString('hex')}`)).toBe('OK');
    expect(await gdb.request(`P${regnum('pc')}=${le64(0x8000n)}`)).toBe('OK');
    gdb.send('c');
    await new Promise((r) => setTimeout(r, 100));
    gdb.sendRaw('\x03');
    expect((await gdb.reply()).payload).toMatch(/^T02/);
    const x0 = fromLe(await gdb.request('p0'));
    expect(x0).toBeGreaterThan(1000n); // it really ran
    // A slice may end inside the block: the state is exact whichever instruction is next.
    const pc = fromLe(await gdb.request(`p${regnum('pc')}`));
    expect(fromLe(await gdb.request('p1'))).toBe(pc === 0x8004n ? x0 * 2n - 2n : x0 * 2n);
    // A breakpoint on the second instruction, inside the block: the next stop is exactly there.
    expect(await gdb.request('Z0,8004,4')).toBe('OK');
    gdb.send('c');
    expect((await gdb.reply()).payload).toMatch(/^T05/);
    expect(fromLe(await gdb.request(`p${regnum('pc')}`))).toBe(0x8004n);
  });

  it('keeps serving while the core faults on its own vector forever', async () => {
    // pc and VBAR_EL2 both in unmapped space: every fetch aborts and vectors back to a fault.
    expect(await gdb.request(`qRcmd,${Buffer.from('core stop-on-exception off').toString('hex')}`)).toBe('OK');
    expect(await gdb.request(`P${regnum('VBAR_EL2')}=${le64(0xdead_0000_0000n)}`)).toBe('OK');
    expect(await gdb.request(`P${regnum('pc')}=${le64(0xdead_0000_0000n)}`)).toBe('OK');
    gdb.send('c');
    await new Promise((r) => setTimeout(r, 100));
    gdb.sendRaw('\x03');
    expect((await gdb.reply()).payload).toMatch(/^T02/);
    expect(await gdb.request('qC')).toMatch(/^QC/);
  });
});
