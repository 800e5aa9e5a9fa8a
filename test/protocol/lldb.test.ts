// The packets LLDB sends on top of GDB's (lldbgdbremote.md in LLVM's source): the target's
// identity (qHostInfo, qProcessInfo, qWatchpointSupportInfo), the memory map
// (qMemoryRegionInfo), error strings, and the exit status LLDB waits for after `k`. First
// over a fake target, with and without those capabilities; then over the real board, where
// the memory regions must be the MPU's own verdicts.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerByName } from '../../src/arch/aarch64/registers.js';
import { createLogger } from '../../src/log.js';
import type { AccessKind, ExceptionLevel } from '../../src/machine/access.js';
import { RspServer } from '../../src/rsp/server.js';
import type { MemoryRegionInfo, TargetIdentity } from '../../src/rsp/target.js';
import { startStub, type RunningStub } from '../../src/wiring.js';
import { RspClient } from '../support/rspClient.js';
import { FakeTarget, HOLE_END, HOLE_START, MEMORY_SIZE } from './fakeTarget.js';

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const unhex = (h: string): string => Buffer.from(h, 'hex').toString('utf8');

/** `key:value;` pairs of a reply, in order. */
function pairsOf(reply: string): Array<[string, string]> {
  expect(reply.endsWith(';'), reply).toBe(true);
  return reply
    .slice(0, -1)
    .split(';')
    .map((pair) => {
      const colon = pair.indexOf(':');
      return [pair.slice(0, colon), pair.slice(colon + 1)];
    });
}

const dictOf = (reply: string): Record<string, string> => Object.fromEntries(pairsOf(reply));

/** The fake target plus the optional capabilities: its memory map is the fake's own. */
class LldbFakeTarget extends FakeTarget {
  constructor() {
    super([], { identity: { identity: () => LldbFakeTarget.identity() }, memoryMap: { regionAt: (address) => LldbFakeTarget.memoryRegionAt(address) } });
  }

  static identity(): TargetIdentity {
    return { triple: 'fake-unknown-none', endian: 'little', pointerSize: 8, watchpointsStopBeforeAccess: true, watchpointSlots: 4 };
  }

  static memoryRegionAt(address: bigint): MemoryRegionInfo {
    const stretches: Array<[number, number, boolean]> = [
      [0, HOLE_START, true],
      [HOLE_START, HOLE_END, false],
      [HOLE_END, MEMORY_SIZE, true],
    ];
    for (const [start, end, mapped] of stretches) {
      if (address < BigInt(end)) {
        return { start: BigInt(start), size: BigInt(end - start), readable: mapped, writable: mapped, executable: false, ...(mapped && { name: 'ram' }) };
      }
    }
    return { start: BigInt(MEMORY_SIZE), size: (1n << 64n) - BigInt(MEMORY_SIZE), readable: false, writable: false, executable: false };
  }
}

describe('LLDB packets over a fake target', () => {
  let server: RspServer;
  let port: number;
  const clients: RspClient[] = [];

  async function serve(target: FakeTarget): Promise<RspClient> {
    server = new RspServer(target, { log: () => undefined });
    ({ port } = await server.listen('127.0.0.1', 0));
    const c = await RspClient.connect(port);
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  it('answers k with an exit status before closing (LLDB waits for one)', async () => {
    const c = await serve(new FakeTarget());
    expect(await c.request('k')).toBe('X09');
    await c.closedByStub();
  });

  it('answers k while the target runs too', async () => {
    const target = new FakeTarget();
    const c = await serve(target);
    c.send('c');
    expect(await c.silentFor(20)).toBe(true);
    expect(await c.request('k')).toBe('X09');
    await c.closedByStub();
    expect(target.events).toContain('detached:kill');
  });

  it('describes the target in qHostInfo: hex triple, byte order, pointer size, watchpoints before the access', async () => {
    const c = await serve(new LldbFakeTarget());
    const info = pairsOf(await c.request('qHostInfo'));
    expect(info).toEqual([
      ['triple', hex('fake-unknown-none')],
      ['endian', 'little'],
      ['ptrsize', '8'],
      ['watchpoint_exceptions_received', 'before'],
    ]);
  });

  it('describes the process in qProcessInfo with hex numbers', async () => {
    const c = await serve(new LldbFakeTarget());
    const info = dictOf(await c.request('qProcessInfo'));
    expect(info).toEqual({ pid: '1', 'parent-pid': '1', triple: hex('fake-unknown-none'), endian: 'little', ptrsize: '8' });
  });

  it('counts watchpoints in qWatchpointSupportInfo', async () => {
    const c = await serve(new LldbFakeTarget());
    expect(await c.request('qWatchpointSupportInfo:')).toBe('num:4;');
  });

  it('answers qMemoryRegionInfo: start and size first, permissions, a hex name, no permissions key for a hole', async () => {
    const c = await serve(new LldbFakeTarget());
    expect(await c.request('qMemoryRegionInfo')).toBe('OK');
    expect(await c.request('qMemoryRegionInfo:100')).toBe(`start:0;size:8000;permissions:rw;name:${hex('ram')};`);
    const hole = await c.request(`qMemoryRegionInfo:${(HOLE_START + 5).toString(16)}`);
    expect(hole).toBe('start:8000;size:1000;');
  });

  it('keeps the last stretch within 64 bits so that LLDB ends its walk at the top address', async () => {
    const c = await serve(new LldbFakeTarget());
    const last = dictOf(await c.request('qMemoryRegionInfo:ffffffffffffffff'));
    expect(BigInt(`0x${last['start']}`) + BigInt(`0x${last['size']}`)).toBe((1n << 64n) - 1n);
    expect(last['permissions']).toBeUndefined();
  });

  it('walks the whole address space without a gap by asking at start + size', async () => {
    const c = await serve(new LldbFakeTarget());
    let address = 0n;
    const starts: bigint[] = [];
    while (address < (1n << 64n) - 1n) {
      const region = dictOf(await c.request(`qMemoryRegionInfo:${address.toString(16)}`));
      expect(BigInt(`0x${region['start']}`)).toBe(address);
      starts.push(address);
      address += BigInt(`0x${region['size']}`);
    }
    expect(starts).toEqual([0n, BigInt(HOLE_START), BigInt(HOLE_END), BigInt(MEMORY_SIZE)]);
  });

  it('refuses a malformed qMemoryRegionInfo', async () => {
    const c = await serve(new LldbFakeTarget());
    expect(await c.request('qMemoryRegionInfo:zz')).toBe('E16');
    expect(await c.request('qMemoryRegionInfo:10000000000000000')).toBe('E16');
    expect(await c.request('qMemoryRegionInfo100')).toBe('E16');
  });

  it('gives the empty reply when the target lacks the capability', async () => {
    const c = await serve(new FakeTarget());
    for (const packet of ['qHostInfo', 'qProcessInfo', 'qWatchpointSupportInfo:', 'qMemoryRegionInfo', 'qMemoryRegionInfo:0']) {
      expect(await c.request(packet), packet).toBe('');
    }
  });

  it('adds hex text to errors after QEnableErrorStrings, in the form LLDB parses', async () => {
    const c = await serve(new FakeTarget());
    expect(await c.request(`m${HOLE_START.toString(16)},4`)).toBe('E0e');
    expect(await c.request('QEnableErrorStrings')).toBe('OK');
    expect(await c.request(`m${HOLE_START.toString(16)},4`)).toBe(`E0e;${hex(`cannot read 0x${HOLE_START.toString(16)}`)}`);
    // GDB's E.text form would be taken by LLDB for data: it stays GDB's.
    expect(await c.request('p63')).toMatch(/^E02;[0-9a-f]+$/);
  });
});

describe('LLDB packets over the board', () => {
  let stub: RunningStub;
  let lldb: RspClient;

  const regnum = (name: string): string => registerByName(name)!.regnum.toString(16);
  /** A register write as LLDB sends it: `P`, little-endian bytes of the register's size. */
  const write = async (name: string, value: bigint): Promise<void> => {
    const bytes = Buffer.alloc(registerByName(name)!.bitsize / 8);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    expect(await lldb.request(`P${regnum(name)}=${bytes.toString('hex')}`), name).toBe('OK');
  };

  async function region(address: bigint): Promise<{ start: bigint; end: bigint; permissions: string | undefined; name: string }> {
    const r = dictOf(await lldb.request(`qMemoryRegionInfo:${address.toString(16)}`));
    const start = BigInt(`0x${r['start']}`);
    return { start, end: start + BigInt(`0x${r['size']}`), permissions: r['permissions'], name: unhex(r['name'] ?? '') };
  }

  /** Every stretch from 0 to the top, as LLDB's `memory region --all` asks for them. */
  async function walk(): Promise<Array<Awaited<ReturnType<typeof region>>>> {
    const out = [];
    for (let address = 0n; address < (1n << 64n) - 1n; ) {
      const r = await region(address);
      expect(r.start).toBe(address);
      expect(r.end).toBeGreaterThan(address);
      out.push(r);
      address = r.end;
    }
    return out;
  }

  /** The Xen-like regions of test/programs/mpu_fault.S, written the way a debugger writes them. */
  async function programRegions(): Promise<void> {
    const regions: Array<[bigint, bigint]> = [
      [0x0000_0038n, 0x0000_ffcfn], // [0, 0x10000) read-only, executable
      [0x0010_0032n, 0x0010_ffcfn], // [0x100000, 0x110000) read-write, execute-never
      [0x0020_003an, 0x0020_0fcfn], // [0x200000, 0x201000) read-only, execute-never
    ];
    for (const [n, [prbar, prlar]] of regions.entries()) {
      await write('PRSELR_EL2', BigInt(n));
      await write('PRBAR_EL2', prbar);
      await write('PRLAR_EL2', prlar);
    }
  }

  beforeEach(async () => {
    stub = await startStub({ host: '127.0.0.1', port: 0, apiPort: null, scenario: 'none', traceRsp: false, logger: createLogger('error', () => undefined) });
    lldb = await RspClient.connect(stub.gdbAddress.port);
  });

  afterEach(async () => {
    lldb.close();
    await stub.close();
  });

  it('is an aarch64 target whose watchpoints stop before the access, with 4 of them', async () => {
    const host = dictOf(await lldb.request('qHostInfo'));
    expect(unhex(host['triple']!)).toBe('aarch64-unknown-none');
    expect(host).toMatchObject({ endian: 'little', ptrsize: '8', watchpoint_exceptions_received: 'before' });
    expect(await lldb.request('qWatchpointSupportInfo:')).toBe('num:4;');
  });

  it('follows the board memory map while the MPU is off', async () => {
    expect(await region(0x1234n)).toEqual({ start: 0n, end: 0x8000_0000n, permissions: 'rwx', name: 'EL2 MPU off (dram)' });
    expect(await region(0x8000_0000n)).toEqual({ start: 0x8000_0000n, end: 0x9c09_0000n, permissions: undefined, name: 'EL2 MPU off (nothing mapped)' });
    expect(await region(0x9c09_0004n)).toMatchObject({ start: 0x9c09_0000n, end: 0x9c09_1000n, name: 'EL2 MPU off (uart0)' });
  });

  it('shows the effective EL2 MPU regions, holes between them, and the space beyond 48 bits', async () => {
    await programRegions();
    const sctlr = registerByName('SCTLR_EL2')!;
    await write('SCTLR_EL2', stub.machine.readRegister(sctlr) | 1n);
    const map = await walk();
    expect(map.slice(0, 6)).toEqual([
      { start: 0n, end: 0x1_0000n, permissions: 'rx', name: 'EL2 MPU region 0 (dram)' },
      { start: 0x1_0000n, end: 0x10_0000n, permissions: undefined, name: 'no EL2 MPU region (dram)' },
      { start: 0x10_0000n, end: 0x11_0000n, permissions: 'rw', name: 'EL2 MPU region 1 (dram)' },
      { start: 0x11_0000n, end: 0x20_0000n, permissions: undefined, name: 'no EL2 MPU region (dram)' },
      { start: 0x20_0000n, end: 0x20_1000n, permissions: 'r', name: 'EL2 MPU region 2 (dram)' },
      { start: 0x20_1000n, end: 0x8000_0000n, permissions: undefined, name: 'no EL2 MPU region (dram)' },
    ]);
    expect(map.at(-1)).toEqual({ start: 1n << 48n, end: (1n << 64n) - 1n, permissions: undefined, name: 'beyond the 48-bit physical address space' });
  });

  /** Each stretch's rights are those the machine's check gives at both of its ends. */
  function expectAgreement(map: Array<Awaited<ReturnType<typeof region>>>, el: ExceptionLevel): void {
    const kinds: Array<[AccessKind, string]> = [
      ['read', 'r'],
      ['write', 'w'],
      ['fetch', 'x'],
    ];
    for (const r of map.filter((s) => s.start < 1n << 48n)) {
      for (const address of [r.start, r.end - 1n]) {
        for (const [kind, letter] of kinds) {
          const allowed = stub.machine.check({ address: Number(address), size: 1, kind, el }, 'core') === undefined;
          expect(allowed, `${kind} at 0x${address.toString(16)} in ${r.name}`).toBe((r.permissions ?? '').includes(letter));
        }
      }
    }
  }

  it('agrees with the machine access check at both ends of every stretch, for every access kind', async () => {
    await programRegions();
    // Overlapping regions 3 and 4 inside the hole, and the background region for the rest.
    await write('PRSELR_EL2', 3n);
    await write('PRBAR_EL2', 0x4000_0002n);
    await write('PRLAR_EL2', 0x4000_ffc1n);
    await write('PRSELR_EL2', 4n);
    await write('PRBAR_EL2', 0x4000_8002n);
    await write('PRLAR_EL2', 0x4001_7fc1n);
    const sctlr = registerByName('SCTLR_EL2')!;
    await write('SCTLR_EL2', stub.machine.readRegister(sctlr) | 1n | (1n << 17n));
    const map = await walk();
    expect(map.map((r) => r.name)).toContain('EL2 MPU regions 3 and 4 overlapping (dram)');
    expect(map.map((r) => r.name)).toContain('EL2 MPU background region (dram)');
    expectAgreement(map, 2);
  });

  it('at EL1 cuts at the EL1 regions and at the EL2 regions acting as stage 2', async () => {
    await write('cpsr', 0x3c5n); // EL1h
    await write('PRSELR_EL1', 0n);
    await write('PRBAR_EL1', 0x0n); // [0, 0x100000) read-write, executable
    await write('PRLAR_EL1', 0x000f_ffc1n);
    await write('PRSELR_EL2', 0n);
    await write('PRBAR_EL2', 0x8_0008n); // [0x80000, 0x180000) read-only, executable
    await write('PRLAR_EL2', 0x17_ffc1n);
    await write('SCTLR_EL1', stub.machine.readRegister(registerByName('SCTLR_EL1')!) | 1n);
    await write('SCTLR_EL2', stub.machine.readRegister(registerByName('SCTLR_EL2')!) | 1n);
    await write('HCR_EL2', 1n); // VM: the EL2 MPU is stage 2
    expect(await region(0x1000n)).toEqual({ start: 0n, end: 0x8_0000n, permissions: undefined, name: 'EL1 MPU region 0, no EL2 MPU region (stage 2) (dram)' });
    expect(await region(0x9_0000n)).toEqual({ start: 0x8_0000n, end: 0x10_0000n, permissions: 'rx', name: 'EL1 MPU region 0, EL2 MPU region 0 (stage 2) (dram)' });
    expect(await region(0x10_0000n)).toEqual({ start: 0x10_0000n, end: 0x18_0000n, permissions: undefined, name: 'no EL1 MPU region, EL2 MPU region 0 (stage 2) (dram)' });
    expectAgreement(await walk(), 1);
  });
});
