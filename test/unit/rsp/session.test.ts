// The session's output in ack mode, write by write: a packet's '+' travels in the same write
// as its reply, and is sent alone, before the end of the chunk, when no reply comes at once
// (a resume, a slow monitor command, a packet queued behind one), so GDB never waits for it.

import { describe, expect, it } from 'vitest';
import { frame } from '../../../src/rsp/codec.js';
import { RspSession } from '../../../src/rsp/session.js';
import { FakeTarget } from '../../protocol/fakeTarget.js';
import { TargetErrno, TargetError } from '../../../src/rsp/target.js';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

/** A target that also reads memory into the session's buffer, as the board does (DebugTarget.readMemoryInto). */
class ReadIntoTarget extends FakeTarget {
  readMemoryInto(address: number, length: number, out: Uint8Array): boolean {
    try {
      const data = this.readMemory(BigInt(address), length);
      if (data.length !== length) return false;
      out.set(data);
      return true;
    } catch {
      return false;
    }
  }
}

function session(target: FakeTarget = new FakeTarget()): { receive(text: string): void; writes: string[] } {
  const writes: string[] = [];
  // The bytes are copied at once: the session may build its next reply in the same memory.
  const write = (bytes: Uint8Array): boolean => {
    writes.push(Buffer.from(bytes).toString('latin1'));
    return true;
  };
  const s = new RspSession(target, { write, end: () => undefined }, { log: () => undefined });
  return { receive: (text) => s.receive(Buffer.from(text, 'latin1')), writes };
}

const packet = (payload: string) => Buffer.from(frame(Buffer.from(payload, 'latin1'))).toString('latin1');

describe('acks in ack mode', () => {
  it('sends each reply in one write with the ack of its packet, two packets in one chunk included', () => {
    const s = session();
    s.receive(packet('qC') + packet('vMustReplyEmpty'));
    expect(s.writes).toEqual([`+${packet('QC1')}`, `+${packet('')}`]);
  });

  it('acks a continue at once, alone, and sends the stop reply when the target stops', () => {
    const s = session();
    s.receive(packet('c'));
    expect(s.writes).toEqual(['+']);
    s.receive('\x03');
    expect(s.writes).toEqual(['+', packet('T02thread:1;')]);
  });

  it('sends a stop that comes at once (a step) with the ack of the packet that resumed', () => {
    const s = session();
    s.receive(packet('s'));
    expect(s.writes).toEqual([`+${packet('T05thread:1;')}`]);
  });

  it('acks a slow monitor command and the packet queued behind it before either reply', async () => {
    const s = session();
    s.receive(packet(`qRcmd,${hex('slow')}`) + packet('qC'));
    expect(s.writes).toEqual(['+', '+']);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.writes.slice(2).map((w) => w[0])).toEqual(['$', '$', '$']); // O packet, OK, QC1
    expect(s.writes.at(-1)).toBe(packet('QC1'));
  });

  it('naks a bad checksum and resends the last reply without an ack', () => {
    const s = session();
    s.receive(packet('qC'));
    s.receive('$qC#00');
    s.receive('-');
    expect(s.writes).toEqual([`+${packet('QC1')}`, '-', packet('QC1')]);
  });

  it('writes nothing after the packet that ended the session, not even an ack', () => {
    const s = session();
    s.receive(packet('D') + packet('qC'));
    expect(s.writes).toEqual([`+${packet('OK')}`]);
  });

  it('stops acking after QStartNoAckMode, whose own reply still carries its ack', () => {
    const s = session();
    s.receive(packet('QStartNoAckMode'));
    s.receive('+' + packet('qC'));
    expect(s.writes).toEqual([`+${packet('OK')}`, packet('QC1')]);
  });
});

// A chunk that is exactly one `g`, `p` or `m` takes the session's short path
// (src/rsp/wholeRequest.ts); the same packet fed a byte at a time takes the framer and the
// packet table. Both must write the same bytes: replies, acks, errors and refusals.
describe('the short path for one g, p or m per chunk', () => {
  function writesFor(chunks: string[], noAck: boolean, split: boolean, readInto: boolean): string[] {
    const s = session(readInto ? new ReadIntoTarget() : new FakeTarget());
    if (noAck) s.receive(packet('QStartNoAckMode'));
    s.writes.length = 0;
    for (const chunk of chunks) {
      if (split) for (const c of chunk) s.receive(c);
      else s.receive(chunk);
    }
    return s.writes;
  }

  const cases: Array<[string, string[]]> = [
    ['g', [packet('g')]],
    ['p of a register', [packet('p1')]],
    ['p in upper case hex', [packet('pA')]],
    ['p of an unknown register (an error)', [packet('p1000')]],
    ['p with a number too large', [packet('p80000000')]],
    ['m', [packet('m100,8')]],
    ['m with upper case hex and leading zeros', [packet('m00000100,0A')]],
    ['m into a hole (an error)', [packet(`m${(0x8000).toString(16)},8`)]],
    ['m running into a hole (a partial read)', [packet(`m${(0x7ffc).toString(16)},8`)]],
    ['m of length 0', [packet('m100,0')]],
    ['m with a 14-digit address', [packet('m10000000000100,8')]],
    ['m with a 16-digit address', [packet('mffffffffffffff00,8')]],
    ['m longer than a reply holds', [packet('m0,ffff')]],
    ['m without a length', [packet('m100,')]],
    ['m without a comma', [packet('m100')]],
    ['m with a bad checksum', ['$m100,8#00']],
    ['g with an ack in front', [`+${packet('g')}`]],
    ['g with something after it', [`${packet('g')}x`]],
    ['two packets in one chunk', [packet('g') + packet('m100,8')]],
    ['a g while the target runs', [packet('c'), packet('g')]],
    ['a g after a packet left unfinished', ['$qC', packet('g')]],
  ];

  for (const [noAck, readInto] of [[false, false], [true, false], [true, true]] as const) {
    for (const [name, chunks] of cases) {
      it(`${name}${noAck ? ', no-ack mode' : ', ack mode'}${readInto ? ', read into the session\'s buffer' : ''}: the same writes as through the framer`, () => {
        const whole = writesFor(chunks, noAck, false, readInto);
        const split = writesFor(chunks, noAck, true, readInto);
        expect(whole.join('')).toEqual(split.join(''));
        // In no-ack mode a packet with a bad checksum is dropped without a word.
        if (!(noAck && name.includes('bad checksum'))) expect(whole.length).toBeGreaterThan(0);
      });
    }
  }

  it('answers g, p and m with the target\'s bytes, each in one write with its ack', () => {
    const target = new FakeTarget();
    const writes: string[] = [];
    const s = new RspSession(target, { write: (bytes) => void writes.push(Buffer.from(bytes).toString('latin1')), end: () => undefined }, { log: () => undefined });
    const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    s.receive(Buffer.from(packet('g'), 'latin1'));
    s.receive(Buffer.from(packet('p1'), 'latin1'));
    s.receive(Buffer.from(packet('m100,8'), 'latin1'));
    expect(writes).toEqual([
      `+${packet(hexOf(target.readRegisterBlock()))}`,
      `+${packet(hexOf(target.readRegister(1)))}`,
      `+${packet(hexOf(target.readMemory(0x100n, 8)))}`,
    ]);
  });
});

describe('the buffers replies are built in (short ones, and large hex ones)', () => {
  // A transport that keeps the bytes it was given (as a socket does with a write it could not
  // finish) and says whether it has finished with them.
  function keepingSession(finished: () => boolean): { receive(text: string): void; sent: Uint8Array[]; snapshots: string[]; target: FakeTarget } {
    const sent: Uint8Array[] = [];
    const snapshots: string[] = [];
    const target = new FakeTarget();
    // Every byte different from its neighbours, so that a reply overwritten by another shows.
    target.memory.forEach((_, i, memory) => (memory[i] = (i * 7 + (i >> 8)) & 0xff));
    const s = new RspSession(
      target,
      {
        write: (bytes) => {
          sent.push(bytes);
          snapshots.push(Buffer.from(bytes).toString('latin1'));
          return finished();
        },
        end: () => undefined,
      },
      { log: () => undefined },
    );
    s.receive(Buffer.from(packet('QStartNoAckMode'), 'latin1'));
    sent.length = 0;
    snapshots.length = 0;
    return { receive: (text) => s.receive(Buffer.from(text, 'latin1')), sent, snapshots, target };
  }
  const asText = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

  it('is never written while the transport still holds an earlier reply', () => {
    const s = keepingSession(() => false);
    for (const p of ['g', 'm100,8', 'p1', 'm200,10', 'g', 'm1000,1000', 'm3000,1000', 'm100,8', 'm2000,1800']) s.receive(packet(p));
    expect(s.sent.map(asText)).toEqual(s.snapshots);
  });

  it('reuses a large reply\'s buffer only once the transport has finished with every earlier write', () => {
    let finished = true;
    const s = keepingSession(() => finished);
    s.receive(packet('m1000,1000')); // taken at once
    finished = false;
    s.receive(packet('m3000,1000')); // may reuse the buffer, and is held
    s.receive(packet('m5000,800')); // must not touch it
    s.receive(packet('m100,8'));
    finished = true;
    s.receive(packet('m6000,1000')); // built anew: the transport still held the last write
    expect(s.sent.slice(1).map(asText)).toEqual(s.snapshots.slice(1));
    expect(s.snapshots[2]).toBe(packet(Buffer.from(s.target.memory.subarray(0x5000, 0x5800)).toString('hex')));
    expect(s.sent[1]!.buffer).toBe(s.sent[0]!.buffer); // the reuse this is about
  });

  it('is written again only once the transport has finished with every earlier write', () => {
    let finished = false;
    const s = keepingSession(() => finished);
    s.receive(packet('m100,8')); // held by the transport
    finished = true;
    s.receive(packet('m108,8')); // built anew (the transport still held the last one), then taken
    s.receive(packet('m110,8')); // may reuse memory now
    finished = false;
    s.receive(packet('m118,8')); // reuses it, and is held
    s.receive(packet('m120,8')); // must not touch it
    expect(asText(s.sent[0]!)).toBe(s.snapshots[0]);
    expect(asText(s.sent[3]!)).toBe(s.snapshots[3]);
    expect(asText(s.sent[4]!)).toBe(s.snapshots[4]);
    expect(s.snapshots[4]).toBe(packet(Buffer.from(s.target.readMemory(0x120n, 8)).toString('hex')));
  });
});

describe('chunks lent by the transport', () => {
  // The server reads every chunk into one kept buffer and overwrites it with the next read
  // (src/util/keptBufferReader.ts): whatever the session keeps past receive() must be its own.
  it('serves packets queued behind a slow monitor command from their own bytes, not the reused buffer', async () => {
    const target = new FakeTarget();
    const writes: string[] = [];
    const s = new RspSession(target, { write: (bytes) => (writes.push(Buffer.from(bytes).toString('latin1')), true), end: () => undefined }, { log: () => undefined });
    const lent = Buffer.alloc(4096);
    const lend = (text: string): void => {
      lent.fill(0x55);
      const n = lent.write(text, 'latin1');
      s.receive(lent.subarray(0, n));
    };
    lend(packet('QStartNoAckMode'));
    lend(packet(`qRcmd,${hex('slow')}`));
    // Queued: an X write that spans two reads (the framer's own buffer) and one whole m.
    const x = packet('X100,4:abcd');
    lend(x.slice(0, 7));
    lend(x.slice(7) + packet('m100,4'));
    lend(packet('qC').replace('qC', 'qX')); // a bad checksum overwrites the buffer meanwhile
    await new Promise((r) => setTimeout(r, 30));
    expect(Buffer.from(target.readMemory(0x100n, 4)).toString('latin1')).toBe('abcd');
    expect(writes.slice(-2)).toEqual([packet('OK'), packet(hex('abcd'))]);
  });
});

describe('X answered before its bytes are stored', () => {
  /** A target with the two-halves write, recording the order of replies and stores. */
  class TwoHalvesTarget extends FakeTarget {
    readonly order: string[] = [];
    prepareWrite(address: bigint, length: number): (data: Uint8Array) => void {
      this.readMemory(address, length); // throws as writeMemory would for a refused range
      if (address + BigInt(length) > 0x10000n) throw new TargetError(TargetErrno.EFAULT, 'refused');
      return (data) => {
        this.order.push(`store ${data.length}`);
        this.writeMemory(address, data);
      };
    }
  }

  function twoHalves(): { target: TwoHalvesTarget; receive(text: string): void } {
    const target = new TwoHalvesTarget();
    const s = new RspSession(target, { write: (bytes) => (target.order.push(`reply ${Buffer.from(bytes).toString('latin1')}`), true), end: () => undefined }, { log: () => undefined });
    s.receive(Buffer.from(packet('QStartNoAckMode')));
    target.order.length = 0;
    return { target, receive: (text) => s.receive(Buffer.from(text, 'latin1')) };
  }

  it('sends OK, then stores the unescaped bytes before the next packet is served', () => {
    const t = twoHalves();
    t.receive(packet('X200,4:a}\x03}]b') + packet('m200,4'));
    expect(t.target.order).toEqual([`reply ${packet('OK')}`, 'store 4', `reply ${packet(hex('a#}b'))}`]);
  });

  it('answers an error and stores nothing when the range is refused or the length is wrong', () => {
    const t = twoHalves();
    t.receive(packet('Xfffe,4:abcd'));
    t.receive(packet('X200,5:abcd'));
    t.receive(packet('X200,4:abc}'));
    expect(t.target.order.some((e) => e.startsWith('store'))).toBe(false);
    expect(t.target.order.map((e) => e.slice(0, 8))).toEqual(['reply $E', 'reply $E', 'reply $E']);
    expect(Buffer.from(t.target.readMemory(0x200n, 4)).toString('latin1')).not.toBe('abcd');
  });
});
