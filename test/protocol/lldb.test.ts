// The packets LLDB sends on top of GDB's (lldbgdbremote.md in LLVM's source): the target's
// identity (qHostInfo, qProcessInfo, qWatchpointSupportInfo), the memory map
// (qMemoryRegionInfo), error strings, and the exit status LLDB waits for after `k`, over a
// fake target with and without those capabilities.

import { afterEach, describe, expect, it } from 'vitest';
import { RspServer } from '../../src/rsp/server.js';
import type { MemoryRegionInfo, TargetIdentity } from '../../src/rsp/target.js';
import { RspClient } from '../support/rspClient.js';
import { FakeTarget, HOLE_END, HOLE_START, MEMORY_SIZE } from './fakeTarget.js';

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

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
  identity(): TargetIdentity {
    return { triple: 'fake-unknown-none', endian: 'little', pointerSize: 8, watchpointsStopBeforeAccess: true, watchpointSlots: 4 };
  }

  memoryRegionAt(address: bigint): MemoryRegionInfo {
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
